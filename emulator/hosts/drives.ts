/**
 * Node backends for virtio devices: disk images as files (the three `--drive` modes)
 * and host entropy. Every failure to open a drive is a message naming the file, given
 * before the machine boots.
 */
import * as fs from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { BlockBackend, DriveOption, EntropySource, overlayBlockBackend, readonlyBlockBackend } from '../backends';
import { SECTOR } from '../devices/virtio/blk';
import { ioErrorText } from './host-files';

/**
 * The largest image: byte offsets are JavaScript numbers, exact below 2^53 (8 PiB); the
 * guest sees the capacity as a 64-bit sector count (virtio §5.2.4). A host file system
 * usually stops sooner (ext4 at 16 TiB - 4 KiB).
 */
const MAX_IMAGE_BYTES = 2 ** 53;

export interface OpenDrive {
  backend: BlockBackend;
  close(): void;
  /** The file's device and inode: the same image under two names is one identity. */
  identity: string;
}

/** A raw image file as a BlockBackend: positioned reads and writes, fsync on flush. */
function fileBackend(fd: number, size: number): BlockBackend {
  return {
    size,
    read(offset, dst) {
      try {
        for (let done = 0; done < dst.length;) {
          const n = fs.readSync(fd, dst, done, dst.length - done, offset + done);
          if (n === 0) return `unexpected end of file at byte ${offset + done}`;
          done += n;
        }
        return null;
      } catch (e) { return ioErrorText(e); }
    },
    write(offset, src) {
      try {
        for (let done = 0; done < src.length;) done += fs.writeSync(fd, src, done, src.length - done, offset + done);
        return null;
      } catch (e) { return ioErrorText(e); }
    },
    flush() {
      try { fs.fsyncSync(fd); return null; } catch (e) { return ioErrorText(e); }
    },
  };
}

/** Open a drive as `--drive` describes it; an error message when it cannot be used. */
export function openDrive(d: DriveOption): { ok: true; value: OpenDrive } | { ok: false; error: string } {
  let fd: number;
  try {
    const st = fs.statSync(d.path);
    if (!st.isFile()) return { ok: false, error: `drive '${d.path}' is not a regular file` };
    if (st.size >= MAX_IMAGE_BYTES) return { ok: false, error: `drive '${d.path}' is ${st.size} bytes, more than the 8 PiB (2^53 bytes) an image may have` };
    if (st.size % SECTOR !== 0) {
      return { ok: false, error: `drive '${d.path}' is ${st.size} bytes, not a multiple of ${SECTOR} (pad it, e.g. truncate -s %512 '${d.path}')` };
    }
    fd = fs.openSync(d.path, d.mode === 'writeback' ? 'r+' : 'r');
    const file = fileBackend(fd, st.size);
    // Read the first sector now, so an unreadable image fails before boot.
    const probe = file.read(0, new Uint8Array(Math.min(SECTOR, st.size)));
    if (probe !== null) { fs.closeSync(fd); return { ok: false, error: `cannot read drive '${d.path}': ${probe}` }; }
    const backend = d.mode === 'overlay' ? overlayBlockBackend(file) : d.mode === 'readonly' ? readonlyBlockBackend(file) : file;
    return { ok: true, value: { backend, close: () => fs.closeSync(fd), identity: `${st.dev}:${st.ino}` } };
  } catch (e) {
    return { ok: false, error: `cannot open drive '${d.path}'${d.mode === 'writeback' ? ' for writing' : ''}: ${ioErrorText(e)}` };
  }
}

/** `--rng host`: the host's cryptographic random bytes (runs are then not reproducible). */
export function hostEntropy(): EntropySource {
  return { fill: (dst) => { randomFillSync(dst); } };
}
