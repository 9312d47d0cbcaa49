/**
 * The images a run boots from, by role (drives by their index), as a snapshot file's header
 * names them. Taken before the guest runs (an overlay hides its base later). No Node here:
 * the browser's machine worker uses it too; how a drive's file is hashed is the host's.
 */
import type { ImageFile } from '../machine/boot';
import type { DriveOption } from '../backends';
import { imageHash, SnapshotImage } from './snapshot-file';

export function runImages(kernel: ImageFile | undefined, bios: ImageFile | 'none' | 'builtin', initrd: ImageFile | undefined,
  drives: readonly DriveOption[], hashDrive: (path: string) => string): SnapshotImage[] {
  const out: SnapshotImage[] = [];
  if (kernel !== undefined) out.push({ role: 'kernel', name: kernel.name, hash: imageHash(kernel.bytes) });
  if (typeof bios !== 'string') out.push({ role: 'firmware', name: bios.name, hash: imageHash(bios.bytes) });
  if (initrd !== undefined) out.push({ role: 'initrd', name: initrd.name, hash: imageHash(initrd.bytes) });
  drives.forEach((d, i) => out.push({ role: `drive ${i}`, name: d.path, hash: hashDrive(d.path) }));
  return out;
}
