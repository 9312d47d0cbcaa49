/**
 * Replay files in VS Code (issue 18): "OS Dev: Save Replay" writes the focused session so
 * far (`osdev/saveReplay`) to a *.osdev-replay file the user picks; "OS Dev: Open Replay"
 * (or F5 with a replay file in front, debug.ts) starts a session on one with launch
 * attribute `replay`. The file format is emulator/snapshot/replay-file.ts.
 */
import * as vscode from 'vscode';
import { DEBUG_TYPE } from '../debug-adapter';
import { REPLAY_EXTENSION } from '../emulator';
import { COMMANDS } from './command-ids';
import { OsdevSessions, osdevRequest } from './osdev-session';

/** The launch configuration that opens a replay file. */
export function replayConfiguration(file: vscode.Uri): vscode.DebugConfiguration {
  return { type: DEBUG_TYPE, request: 'launch', name: `Replay ${vscode.workspace.asRelativePath(file)}`, replay: file.scheme === 'file' ? file.fsPath : file.path };
}

export function isReplayFile(uri: vscode.Uri): boolean { return uri.path.endsWith(REPLAY_EXTENSION); }

export function registerReplay(sessions: OsdevSessions): vscode.Disposable[] {
  const filters = { 'OS Dev replay': [REPLAY_EXTENSION.slice(1)] };
  return [
    vscode.commands.registerCommand(COMMANDS.saveReplay, async () => {
      const session = sessions.requireActive();
      if (session === undefined) return;
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const where = await vscode.window.showSaveDialog({ filters, saveLabel: 'Save Replay',
        defaultUri: folder?.with({ path: `${folder.path}/session${REPLAY_EXTENSION}` }) });
      if (where === undefined) return;
      try {
        // Paths inside the file's folder are kept relative to it: the same tree elsewhere opens it.
        const dir = where.with({ path: where.path.replace(/\/[^/]*$/, '') });
        const r = await osdevRequest(session, 'osdev/saveReplay', { folder: dir.scheme === 'file' ? dir.fsPath : dir.path });
        await vscode.workspace.fs.writeFile(where, Uint8Array.from(atob(r.data), (c) => c.charCodeAt(0)));
        const notes = r.notes.length > 0 ? ` Note: ${r.notes.join('; ')}.` : '';
        void vscode.window.showInformationMessage(`OS Dev: saved the run to ${r.instructions} instructions in ${vscode.workspace.asRelativePath(where)}; F5 on it (or OS Dev: Open Replay) repeats it.${notes}`);
      } catch (e) {
        void vscode.window.showErrorMessage(`OS Dev: cannot save the replay: ${e instanceof Error ? e.message : String(e)}`);
      }
    }),
    vscode.commands.registerCommand(COMMANDS.openReplay, async (uri?: vscode.Uri) => {
      const file = uri ?? (await vscode.window.showOpenDialog({ filters, openLabel: 'Replay', canSelectMany: false }))?.[0];
      if (file === undefined) return false;
      return vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(file) ?? vscode.workspace.workspaceFolders?.[0], replayConfiguration(file));
    }),
  ];
}
