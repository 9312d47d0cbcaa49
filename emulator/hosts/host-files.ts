/**
 * Files from outside, read bounded, and outputs written with their errors in words: the
 * one place that knows how. Only a regular
 * file is read (a FIFO would block, /dev/zero never ends, a directory is no file); its
 * size is checked on the open file before any byte is read, and no more than that size
 * is read even if the file grows meanwhile. The file is opened non-blocking, so a FIFO
 * is refused instead of waiting for a writer. Standard input (`dts -`) is read up to
 * the limit and refused beyond it.
 */
import * as fs from 'node:fs';

const MiB = 1024 * 1024;

// The limits are host-neutral (the web extension reads through vscode.workspace.fs with them).
import { READ_LIMITS } from './read-limits';
export { READ_LIMITS };

export type ReadResult = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

function sizeText(n: number): string { return n >= MiB ? `${n / MiB} MiB` : `${n} bytes`; }

/** What a non-regular file is, in words. */
function kindOf(st: fs.Stats): string {
  return st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() ? 'a character device'
    : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket' : 'not a regular file';
}

/** Why a file cannot be read, in words (errno codes are not for users). */
export function ioErrorText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'it is a directory';
    case 'ENOTDIR': return 'a part of the path is not a directory';
    case 'ENOSPC': return 'no space left on the device';
    case 'EPIPE': return 'the reader went away';
    case 'EROFS': return 'read-only file system';
    default: return (e as Error).message;
  }
}

/** Checks the open file: a regular file within the limit (its size), or why not. */
function check(st: fs.Stats, limit: number): number | string {
  if (!st.isFile()) return `not a regular file (it is ${kindOf(st)})`;
  if (st.size > limit) return `${st.size} bytes, larger than the ${sizeText(limit)} allowed`;
  return st.size;
}

/** Standard input, up to `limit` bytes (`dts -`). */
export function readStdinBounded(limit: number): ReadResult {
  const chunks: Buffer[] = [];
  let total = 0;
  const chunk = Buffer.alloc(64 * 1024);
  for (;;) {
    let n: number;
    try { n = fs.readSync(0, chunk, 0, chunk.length, null); } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EOF') break;
      return { ok: false, error: ioErrorText(e) };
    }
    if (n === 0) break;
    total += n;
    if (total > limit) return { ok: false, error: `more than the ${sizeText(limit)} allowed` };
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return { ok: true, bytes: new Uint8Array(Buffer.concat(chunks)) };
}

/** The bytes of a regular file of at most `limit` bytes, or why it cannot be read. */
export function readFileBounded(file: string, limit: number): ReadResult {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const size = check(fs.fstatSync(fd), limit);
    if (typeof size === 'string') return { ok: false, error: size };
    const bytes = new Uint8Array(size);
    let done = 0;
    while (done < size) {
      const n = fs.readSync(fd, bytes, done, size - done, done);
      if (n === 0) break; // it shrank meanwhile
      done += n;
    }
    return { ok: true, bytes: done === size ? bytes : bytes.subarray(0, done) };
  } catch (e) {
    return { ok: false, error: ioErrorText(e) };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** readFileBounded off the event loop (the debug adapter serves other clients meanwhile). */
export async function readFileBoundedAsync(file: string, limit: number): Promise<ReadResult> {
  let h: fs.promises.FileHandle | undefined;
  try {
    h = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const size = check(await h.stat(), limit);
    if (typeof size === 'string') return { ok: false, error: size };
    const bytes = new Uint8Array(size);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await h.read(bytes, done, size - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return { ok: true, bytes: done === size ? bytes : bytes.subarray(0, done) };
  } catch (e) {
    return { ok: false, error: ioErrorText(e) };
  } finally {
    await h?.close();
  }
}

/**
 * All of `data` to an open fd: a pipe may take less at once, and a non-blocking one may
 * refuse for a moment (EAGAIN). The error in words, or null.
 */
export function writeAllSync(fd: number, data: string | Uint8Array): { code: string; text: string } | null {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  for (let at = 0; at < buf.length;) {
    try { at += fs.writeSync(fd, buf, at, buf.length - at); } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (code !== 'EAGAIN') return { code, text: ioErrorText(e) };
    }
  }
  return null;
}

/** Writes a whole output file, or stdout for `-`; why it failed, in one line, or null. */
export function writeOutput(file: string, data: string | Uint8Array): string | null {
  if (file === '-') {
    const err = writeAllSync(1, data);
    return err === null || err.code === 'EPIPE' ? null : `cannot write to stdout: ${err.text}`; // EPIPE: the reader (`| head`) has all it wanted
  }
  try { fs.writeFileSync(file, data); return null; } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return `cannot write '${file}': ${code === 'ENOENT' ? 'its folder does not exist' : ioErrorText(e)}`;
  }
}

/**
 * A side output (a capture, a recording): the run does not depend on it, so its first
 * failure is said once and writing stops there; the guest goes on.
 */
export function sideOutput(fd: number, what: string, say: (line: string) => void): (data: string | Uint8Array) => void {
  let failed = false;
  return (data) => {
    if (failed) return;
    const err = writeAllSync(fd, data);
    if (err !== null) { failed = true; say(`${what}: ${err.text}; nothing more is written to it`); }
  };
}

/** Bytes as UTF-8 text, without a copy. */
export function utf8(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
}

/** A regular file's text within the limit, or undefined: for readers that only ask "is it there" (includes). */
export function readTextBounded(file: string, limit: number): string | undefined {
  const r = readFileBounded(file, limit);
  return r.ok ? utf8(r.bytes) : undefined;
}
