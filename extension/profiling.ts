/**
 * "OS Dev: Start Profiling" / "Stop Profiling": the focused session samples its harts
 * (`osdev/profile`), and stopping writes the .cpuprofile the adapter named through the
 * program's DWARF into the workspace and opens it, where VS Code's own profile viewer
 * shows it as a table and a flame graph; while it is open, hot lines are marked in the
 * editor (hot-line-decorations.ts).
 */
import * as vscode from 'vscode';
import { COMMANDS } from './command-ids';
import { OsdevSessions, osdevRequest } from './osdev-session';
import { HotLineDecorations } from './hot-line-decorations';

export class Profiling implements vscode.Disposable {
  private readonly hot = new HotLineDecorations();
  private readonly disposables: vscode.Disposable[] = [this.hot];

  constructor(private readonly sessions: OsdevSessions, private readonly storage: vscode.Uri) {
    this.disposables.push(
      vscode.commands.registerCommand(COMMANDS.startProfiling, () => this.start()),
      vscode.commands.registerCommand(COMMANDS.stopProfiling, () => this.stop()),
      sessions.onDidEnd(() => { if (sessions.active === undefined) this.setProfiling(false); }),
    );
    this.setProfiling(false);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private async start(): Promise<void> {
    const session = this.sessions.requireActive();
    if (session === undefined) return;
    try {
      await osdevRequest(session, 'osdev/profile', { action: 'start' });
      this.setProfiling(true);
      void vscode.window.setStatusBarMessage('OS Dev: profiling (every 10 000 instructions of each hart)', 3000);
    } catch (e) {
      void vscode.window.showErrorMessage(`OS Dev profiling: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** The profile goes to the first workspace folder (else the extension's storage), named by the time it was taken. */
  private async stop(): Promise<vscode.Uri | undefined> {
    const session = this.sessions.requireActive();
    if (session === undefined) return undefined;
    try {
      const { profile, notes } = await osdevRequest(session, 'osdev/profile', { action: 'stop' });
      for (const note of notes ?? []) void vscode.window.showWarningMessage(`OS Dev profiling: ${note}`);
      this.setProfiling(false);
      if (profile === undefined) throw new Error('the debug adapter sent no profile');
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? this.storage;
      await vscode.workspace.fs.createDirectory(folder);
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const file = vscode.Uri.joinPath(folder, `osdev-${stamp}.cpuprofile`);
      await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(JSON.stringify(profile)));
      this.hot.show(file, profile);
      await vscode.commands.executeCommand('vscode.open', file);
      return file;
    } catch (e) {
      void vscode.window.showErrorMessage(`OS Dev profiling: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  /** The context key lets the palette offer Start or Stop, whichever applies. */
  private setProfiling(on: boolean): void {
    void vscode.commands.executeCommand('setContext', 'osdev.profiling', on);
  }
}
