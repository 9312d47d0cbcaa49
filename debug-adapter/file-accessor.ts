/**
 * How the debug session reads files, injected (as vscode-mock-debug's FileAccessor): the
 * host's bounded reader in Node, anything a test or the web build hands in. The session
 * and the debug-info service read every file through one of these.
 */
import * as fs from 'node:fs';
import { ImageBytes } from '../emulator/machine/debug-protocol';
import { READ_LIMITS, ReadResult, readFileBoundedAsync } from '../emulator/hosts/host-files';

export interface FileAccessor {
  /** A whole file, or why it cannot be read in words. */
  readFile(path: string): Promise<ReadResult>;
  /** Whether a file is there (a source file named by the line table). */
  exists(path: string): Promise<boolean>;
}

/** Node's files: read off the event loop and bounded (a FIFO or /dev/zero is refused). */
export const NODE_FILES: FileAccessor = {
  readFile: (file) => readFileBoundedAsync(file, READ_LIMITS.image),
  exists: (file) => fs.promises.access(file).then(() => true, () => false),
};

/** An image file named by launch attribute `what`; an error naming both when it cannot be read. */
export async function readImage(files: FileAccessor, file: string, what: string): Promise<ImageBytes> {
  const r = await files.readFile(file);
  if (!r.ok) throw new Error(`launch attribute "${what}": cannot read '${file}': ${r.error}`);
  return { name: file, bytes: r.bytes };
}
