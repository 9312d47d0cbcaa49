/**
 * The FileAccessor of the adapter in Node (the extension inline, `osdev-emu dap`, main.ts):
 * host files read off the event loop and bounded (hosts/host-files.ts: a FIFO or
 * /dev/zero is refused, an image is at most READ_LIMITS.image).
 */
import * as fs from 'node:fs';
import { READ_LIMITS } from '../emulator';
import { readFileBoundedAsync } from '../emulator/node';
import { FileAccessor } from './file-accessor';

export const NODE_FILES: FileAccessor = {
  readFile: (file) => readFileBoundedAsync(file, READ_LIMITS.image),
  exists: (file) => fs.promises.access(file).then(() => true, () => false),
};
