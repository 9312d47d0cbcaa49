/**
 * Workspace trust for the language server. In an untrusted (Restricted Mode) workspace a
 * hostile `.dts` could `#include "/etc/passwd"` or `/incbin/` a private key and show it in
 * a hover, so the server reads files only inside the workspace folders (symlinks
 * followed first) until the client says trust was granted. Editors other than VS Code
 * say nothing about trust: the user started the server, so it is trusted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

// The protocol half (Node-free, for the browser's server and client too).
export { TRUST_GRANTED_NOTIFICATION } from './trust-protocol';
export type { TrustOptions } from './trust-protocol';

/** The real path of a file (symlinks resolved), or undefined when it cannot be resolved. */
function realPath(file: string): string | undefined {
  try { return fs.realpathSync.native(file); } catch { return undefined; }
}

/** Whether `file`, symlinks followed, lies inside one of `folders`. */
export function insideFolders(file: string, folders: readonly string[]): boolean {
  const real = realPath(file);
  if (real === undefined) return false;
  return folders.some((f) => {
    const root = realPath(f);
    if (root === undefined) return false;
    const rel = path.relative(root, real);
    return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
  });
}
