/**
 * The CLI's side of snapshot files (`--snapshot-at N FILE`, `--restore FILE`): naming the
 * images a run was booted from by hash, writing the file, and checking a file against
 * the machine built here before restoring it. The format is emulator/snapshot/.
 */
import * as fs from 'node:fs';
import type { Machine } from '../machine/machine';
import type { ImageFile } from '../machine/boot';
import type { DriveOption } from '../backends';
import { hashText, hashWords } from '../snapshot/hash';
import { restoreSnapshot, takeSnapshot } from '../snapshot/machine-snapshot';
import { boardHash, checkSnapshotFits, decodeSnapshotFile, encodeSnapshotFile, SnapshotImage } from '../snapshot/snapshot-file';
import { SnapshotError } from '../snapshot/saved';
import { READ_LIMITS, readFileBounded } from './host-files';
import { runImages as imagesOfRun } from '../snapshot/run-images';

const HASH_CHUNK = 16 * 1024 * 1024;

/** A drive's bytes as they are on disk now, hashed in chunks (an image may be larger than we want in memory at once). */
export function hashFile(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const parts: string[] = [];
    const buf = new Uint8Array(HASH_CHUNK);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, HASH_CHUNK, null);
      if (n <= 0) break;
      parts.push(hashWords(buf.subarray(0, n)));
    }
    return hashText(parts.join(''));
  } finally {
    fs.closeSync(fd);
  }
}

/** The images a run boots from (snapshot/run-images.ts), drives hashed from their files. */
export function runImages(kernel: ImageFile | undefined, bios: ImageFile | 'none' | 'builtin', initrd: ImageFile | undefined,
  drives: readonly DriveOption[]): SnapshotImage[] {
  return imagesOfRun(kernel, bios, initrd, drives, hashFile);
}

function notesFor(m: Machine, drives: readonly DriveOption[]): { peers: string[]; notes: string[] } {
  const peers = m.slots.filter((s) => s.state().backend === 'remote-port').map((s) => s.name);
  const notes = drives.flatMap((d, i) => d.mode === 'writeback'
    ? [`drive ${i} (${d.path}) is written in place: the snapshot holds none of its contents, a restore sees the file as it is then`] : []);
  return { peers, notes };
}

/** Write the machine as it is now to `file`; an error message, or null. */
export function writeSnapshotFile(m: Machine, file: string, images: SnapshotImage[], drives: readonly DriveOption[]): string | null {
  const s = takeSnapshot(m);
  const { peers, notes } = notesFor(m, drives);
  const bytes = encodeSnapshotFile(s, { board: boardHash(m.desc), images, retired: s.retired, instret: m.harts.map((h) => h.instret), peers, notes });
  try {
    fs.writeFileSync(file, bytes);
  } catch (e) {
    return `--snapshot-at: cannot write '${file}': ${(e as Error).message}`;
  }
  return null;
}

/**
 * Restore `file` into a machine booted from the same options. Returns lines to tell the
 * user (slots whose Remote-Port peer must be at the same point, notes), or throws a
 * SnapshotError naming the problem.
 */
export function restoreSnapshotFile(m: Machine, file: string, images: SnapshotImage[]): string[] {
  const r = readFileBounded(file, READ_LIMITS.image * 2);
  if (!r.ok) throw new SnapshotError(`--restore: cannot read '${file}': ${r.error}`);
  const { header, snapshot } = decodeSnapshotFile(r.bytes, file);
  const misfit = checkSnapshotFits(header, boardHash(m.desc), images);
  if (misfit !== null) throw new SnapshotError(`--restore ${file}: ${misfit}`);
  restoreSnapshot(m, snapshot);
  const lines = header.notes.map((n) => `--restore: ${n}`);
  for (const p of header.peers) lines.push(`--restore: passthrough slot '${p}' is served by a Remote-Port peer: it must be at the point the snapshot was taken (its state is not in the file)`);
  return lines;
}
