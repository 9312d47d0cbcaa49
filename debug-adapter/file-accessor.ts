/**
 * How the debug session reads files, injected (as vscode-mock-debug's FileAccessor):
 * node-files.ts's bounded reader in Node, anything a test or the web build hands in.
 * The session and the debug-info service read every file through one of these; this
 * module imports nothing from Node, so the debug-info service does not either.
 */
import { ImageBytes } from '../emulator';

export interface FileAccessor {
  /** A whole file, or why it cannot be read in words. */
  readFile(path: string): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; error: string }>;
  /** Whether a file is there (a source file named by the line table). */
  exists(path: string): Promise<boolean>;
}

/** An image file named by launch attribute `what`; an error naming both when it cannot be read. */
export async function readImage(files: FileAccessor, file: string, what: string): Promise<ImageBytes> {
  const r = await files.readFile(file);
  if (!r.ok) throw new Error(`launch attribute "${what}": cannot read '${file}': ${r.error}`);
  return { name: file, bytes: r.bytes };
}
