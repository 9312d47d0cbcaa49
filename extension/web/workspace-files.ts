/**
 * The debug session's files in VS Code for the Web: read through vscode.workspace.fs,
 * from whatever file system holds the workspace (a remote's, a repository's, the browser's).
 * launch.json paths arrive as paths (`${workspaceFolder}` resolves to the folder URI's
 * path): a path is taken in the workspace folder it lies under, else the first folder's
 * file system.
 */
import * as vscode from 'vscode';
import { FileAccessor } from '../../debug-adapter';
import { READ_LIMITS } from '../../emulator';

/** The URI a launch path names. */
export function workspaceUri(path: string): vscode.Uri {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const under = folders.find((f) => path === f.uri.path || path.startsWith(f.uri.path.endsWith('/') ? f.uri.path : `${f.uri.path}/`));
  const base = under ?? folders[0];
  return base !== undefined ? base.uri.with({ path }) : vscode.Uri.file(path);
}

/** The folder relative launch paths start at: the first workspace folder's path. */
export function workspaceCwd(): string {
  return vscode.workspace.workspaceFolders?.[0]?.uri.path ?? '/';
}

export const WORKSPACE_FILES: FileAccessor = {
  readFile: async (path) => {
    const uri = workspaceUri(path);
    try {
      // Bounded as in Node (host-files.ts): the size is looked at before any byte is read.
      const st = await vscode.workspace.fs.stat(uri);
      if (st.type & vscode.FileType.Directory) return { ok: false, error: 'it is a directory' };
      if (st.size > READ_LIMITS.image) return { ok: false, error: `it is larger than ${READ_LIMITS.image / (1024 * 1024)} MiB` };
      return { ok: true, bytes: await vscode.workspace.fs.readFile(uri) };
    } catch (e) {
      return { ok: false, error: e instanceof vscode.FileSystemError && e.code === 'FileNotFound' ? 'no such file' : (e as Error).message };
    }
  },
  exists: async (path) => {
    try { await vscode.workspace.fs.stat(workspaceUri(path)); return true; } catch { return false; }
  },
};
