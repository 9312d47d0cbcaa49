/**
 * Hot lines in the editor while a .cpuprofile is open: each line that holds samples gets
 * a background as warm as its share and its share after the text ("12.3 %"). The profile
 * is the one opened last (by "Stop Profiling" or from disk, an `osdev-emu --profile`
 * file); closing its tab takes the decorations away.
 */
import * as vscode from 'vscode';
import type { CpuProfile } from '../debug-adapter';
import { HotLines, hotLines, linesFor, shareText } from './hot-lines';

/** Background strength per step of share: above 1 %, 5 %, 20 % and 50 % of the samples. */
const STEPS = [0.01, 0.05, 0.2, 0.5];

function tabUri(tab: vscode.Tab): vscode.Uri | undefined {
  const input = tab.input;
  if (input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText) return input.uri;
  return undefined;
}

export class HotLineDecorations implements vscode.Disposable {
  /** One decoration type per step, the coolest first; lines under the first step get the text only. */
  private readonly types = [0.0, ...STEPS].map((_, i) => vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: i === 0 ? undefined : `rgba(255, 96, 0, ${(0.06 * i).toFixed(2)})`,
    overviewRulerColor: i === 0 ? undefined : `rgba(255, 96, 0, ${(0.2 * i).toFixed(2)})`,
    overviewRulerLane: vscode.OverviewRulerLane.Right,
  }));
  private shown: { uri: vscode.Uri; lines: HotLines } | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      ...this.types,
      vscode.window.onDidChangeVisibleTextEditors(() => this.draw()),
      vscode.window.tabGroups.onDidChangeTabs((e) => void this.tabsChanged(e)),
    );
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  /** Decorate from this profile, written to `uri` (whose tab keeps the decorations alive). */
  show(uri: vscode.Uri, profile: CpuProfile): void {
    this.shown = { uri, lines: hotLines(profile) };
    this.draw();
  }

  private async tabsChanged(e: vscode.TabChangeEvent): Promise<void> {
    for (const tab of e.opened) {
      const uri = tabUri(tab);
      if (uri === undefined || !uri.path.endsWith('.cpuprofile') || uri.toString() === this.shown?.uri.toString()) continue;
      try {
        const profile = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri))) as CpuProfile;
        if (Array.isArray(profile.nodes) && Array.isArray(profile.samples)) this.show(uri, profile);
      } catch {
        // Not a profile we can read: VS Code's viewer says so; the editor stays undecorated.
      }
    }
    const open = vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => tabUri(t)?.toString() === this.shown?.uri.toString()));
    if (this.shown !== undefined && !open) {
      this.shown = undefined;
      this.draw();
    }
  }

  private draw(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const lines = this.shown === undefined ? undefined : linesFor(this.shown.lines, editor.document.uri.fsPath);
      const byStep: vscode.DecorationOptions[][] = this.types.map(() => []);
      for (const [line, share] of lines ?? []) {
        if (line < 1 || line > editor.document.lineCount) continue;
        const step = STEPS.filter((s) => share >= s).length;
        byStep[step].push({
          range: new vscode.Range(line - 1, 0, line - 1, 0),
          hoverMessage: `${shareText(share)} of the profile's samples`,
          renderOptions: { after: { contentText: `  ${shareText(share)}`, color: new vscode.ThemeColor('editorCodeLens.foreground') } },
        });
      }
      this.types.forEach((t, i) => editor.setDecorations(t, byStep[i]));
    }
  }
}
