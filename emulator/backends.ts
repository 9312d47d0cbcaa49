/**
 * Host I/O handed to the machine (DESIGN.md "The four rooms": the emulator does no I/O
 * except through backends it is handed). Pure interfaces plus tiny in-memory versions;
 * the Node implementations live in `hosts/` (files, sockets, host entropy).
 *
 * Every call is synchronous: the machine is single-threaded and deterministic, and a
 * device finishes a request inside the guest instruction that notified it.
 */

import { record, Saved } from './snapshot/saved';

/** How a drive treats its image (`--drive PATH,mode=...`). */
export type BlockMode = 'overlay' | 'writeback' | 'readonly';
export const BLOCK_MODES: readonly BlockMode[] = ['overlay', 'writeback', 'readonly'];

/**
 * A disk image for virtio-blk, as `--drive PATH[,mode=...][,legacy][,serial=ID][,slot=N]` and
 * launch.json `drives` give it. `slot`, here and in NetOption: the virtio-mmio slot in QEMU's
 * numbering (virtio-mmio-bus.N), unset for QEMU's top-down order.
 */
export interface DriveOption { path: string; mode: BlockMode; legacy: boolean; serial?: string; slot?: number }

/** A virtio-net link, as `--net loopback|socket,udp=HOST:PORT,localaddr=HOST:PORT[,mac=..][,pcap=FILE][,legacy][,slot=N]` and launch.json `net`. */
export type NetOption = ({ backend: 'loopback' } | { backend: 'socket'; remote: HostPort; local: HostPort } |
  /** A unix-domain stream socket, frames with a 4-byte big-endian length (QEMU's -netdev stream framing); one side listens. */
  { backend: 'unix'; path: string; listen: boolean }) &
  { mac?: string; pcap?: string; legacy: boolean; slot?: number };
export interface HostPort { host: string; port: number }

/** What serves a passthrough slot: a stub model file, a Remote-Port peer, or nothing yet. */
export type PassthroughBackendOption =
  | { kind: 'stub'; model: string }
  /** `unix:PATH` or `tcp:127.0.0.1:PORT`, as the Remote-Port reference names its peers. */
  | {
    kind: 'remote-port'; address: string; syncQuantum?: number; timeoutMs?: number; model?: string;
    /** The Remote-Port device id (Xilinx QEMU's rp-chan); default: the slot's index among the passthrough slots. */
    dev?: number;
    /** Guest accesses carry guest-physical addresses (default, as Xilinx QEMU's memory master) or offsets in the slot. */
    addresses?: 'absolute' | 'relative';
    /** false: no peer is connected; a replay's recorded answers stand in for it (snapshot/replay-file.ts). */
    peer?: false;
  }
  | { kind: 'none' };

/** A passthrough slot, as `--passthrough` and launch.json `passthrough` give it; base and irq default to the next free platform-bus place. */
export interface PassthroughOption {
  name: string;
  base?: number;
  size: number;
  irq?: number;
  /** Defaults to a stub model's first compatible string. */
  compatible?: string;
  dma?: { base: number; size: number };
  unplugged: 'ones' | 'fault';
  backend: PassthroughBackendOption;
}

/** A disk image. Errors are messages (the device answers VIRTIO_BLK_S_IOERR), never throws. */
export interface BlockBackend {
  /** Size in bytes, a multiple of 512. */
  readonly size: number;
  /** Read `dst.length` bytes at `offset` (offset + length ≤ size). */
  read(offset: number, dst: Uint8Array): string | null;
  /** Write `src` at `offset` (offset + length ≤ size). */
  write(offset: number, src: Uint8Array): string | null;
  /** Make every acknowledged write durable (fsync for a file). */
  flush(): string | null;
  /** What the guest wrote, where the backend keeps it in memory (an overlay's layer); absent for a drive written in place. */
  saveState?(): Saved;
  restoreState?(s: Saved): void;
}

/** Random bytes for virtio-rng. */
export interface EntropySource {
  fill(dst: Uint8Array): void;
  /** A deterministic source's position (snapshots); absent for the host's entropy. */
  saveState?(): Saved;
  restoreState?(s: Saved): void;
}

/** A network link for virtio-net: frames out, frames in (the machine polls between quanta). */
/**
 * A network link. Frames from the outside world arrive through `listen` and enter the
 * guest through the machine's input queue (stamped, recordable); `receive` is for
 * links whose frames come from the guest itself (loopback), which are deterministic
 * already and must not be recorded twice.
 */
export interface NetBackend {
  send(frame: Uint8Array): void;
  /** The next frame the link made itself, if any. */
  receive?(): Uint8Array | undefined;
  /** Register the machine's entry for frames from outside (called once). */
  listen?(deliver: (frame: Uint8Array) => void): void;
  /** Frames a link made itself and still holds (loopback), for snapshots. */
  saveState?(): Saved;
  restoreState?(s: Saved): void;
}

/** A drive held in memory: tests, browsers, and the base of nothing on disk. */
export function memoryBlockBackend(bytes: Uint8Array): BlockBackend {
  return {
    size: bytes.length,
    read(offset, dst) { dst.set(bytes.subarray(offset, offset + dst.length)); return null; },
    write(offset, src) { bytes.set(src, offset); return null; },
    flush() { return null; },
    saveState() { return bytes.slice(); },
    restoreState(s) { bytes.set(s as Uint8Array); },
  };
}

/**
 * `mode=overlay`: a copy-on-write layer in memory over `base`, which is only ever read.
 * Memory grows with what the guest writes, at most the image size.
 */
export function overlayBlockBackend(base: BlockBackend): BlockBackend {
  const CHUNK = 4096;
  const chunks = new Map<number, Uint8Array>();
  const chunkFor = (i: number): Uint8Array | string => {
    let c = chunks.get(i);
    if (c !== undefined) return c;
    c = new Uint8Array(Math.min(CHUNK, base.size - i * CHUNK));
    const err = base.read(i * CHUNK, c);
    if (err !== null) return err;
    chunks.set(i, c);
    return c;
  };
  return {
    size: base.size,
    read(offset, dst) {
      let pos = 0;
      while (pos < dst.length) {
        const at = offset + pos, i = Math.floor(at / CHUNK), within = at - i * CHUNK;
        const n = Math.min(CHUNK - within, dst.length - pos);
        const c = chunks.get(i);
        if (c !== undefined) dst.set(c.subarray(within, within + n), pos);
        else { const err = base.read(at, dst.subarray(pos, pos + n)); if (err !== null) return err; }
        pos += n;
      }
      return null;
    },
    write(offset, src) {
      let pos = 0;
      while (pos < src.length) {
        const at = offset + pos, i = Math.floor(at / CHUNK), within = at - i * CHUNK;
        const n = Math.min(CHUNK - within, src.length - pos);
        const c = chunkFor(i);
        if (typeof c === 'string') return c;
        c.set(src.subarray(pos, pos + n), within);
        pos += n;
      }
      return null;
    },
    flush() { return null; },
    // The layer is the state: chunk numbers and their bytes. The base image is checked by hash, not saved.
    saveState() { return [...chunks].map(([i, c]) => ({ i, c: c.slice() })); },
    restoreState(s) {
      chunks.clear();
      for (const e of s as Saved[]) { const r = record(e); chunks.set(r.i as number, (r.c as Uint8Array).slice()); }
    },
  };
}

/** A read-only view: writes fail (the device also offers VIRTIO_BLK_F_RO). */
export function readonlyBlockBackend(base: BlockBackend): BlockBackend {
  return {
    size: base.size,
    read: (offset, dst) => base.read(offset, dst),
    write: () => 'the drive is read-only',
    flush: () => null,
  };
}

/** Frames a backend holds for the guest at most; older ones are dropped first, as a full NIC queue does. */
export const NET_QUEUE_FRAMES = 256;

/** `--net loopback`: every frame the guest sends comes back to it. */
export function loopbackNetBackend(): NetBackend {
  const q: Uint8Array[] = [];
  return {
    send(frame) { q.push(frame.slice()); if (q.length > NET_QUEUE_FRAMES) q.shift(); },
    receive() { return q.shift(); },
    saveState() { return q.map((f) => f.slice()); },
    restoreState(s) { q.length = 0; for (const f of s as Uint8Array[]) q.push(f.slice()); },
  };
}

/**
 * A pcap capture (libpcap format 2.4, LINKTYPE_ETHERNET) of every frame through `net`,
 * both ways. `write` gets the file bytes in order; `nowUs` stamps records.
 */
export function pcapTap(net: NetBackend, write: (bytes: Uint8Array) => void, nowUs: () => number): NetBackend {
  const header = new DataView(new ArrayBuffer(24));
  header.setUint32(0, 0xa1b2c3d4, true);
  header.setUint16(4, 2, true);
  header.setUint16(6, 4, true);
  header.setUint32(16, 65535, true);
  header.setUint32(20, 1, true);
  write(new Uint8Array(header.buffer));
  const record = (frame: Uint8Array) => {
    const r = new DataView(new ArrayBuffer(16));
    const us = Math.max(0, Math.floor(nowUs()));
    r.setUint32(0, Math.floor(us / 1e6), true);
    r.setUint32(4, us % 1e6, true);
    r.setUint32(8, frame.length, true);
    r.setUint32(12, frame.length, true);
    write(new Uint8Array(r.buffer));
    write(frame);
  };
  return {
    saveState: net.saveState === undefined ? undefined : () => net.saveState?.(),
    restoreState: net.restoreState === undefined ? undefined : (s) => net.restoreState?.(s),
    send(frame) { record(frame); net.send(frame); },
    receive: net.receive === undefined ? undefined : () => { const f = net.receive?.(); if (f !== undefined) record(f); return f; },
    listen: net.listen === undefined ? undefined : (deliver) => net.listen?.((f) => { record(f); deliver(f); }),
  };
}
