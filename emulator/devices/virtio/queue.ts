/**
 * Split virtqueues (virtio 1.2 §2.7): the one place where descriptor chains are walked
 * and every guest-controlled number in them is checked before use. Nothing here throws
 * on guest input: a malformed queue is a `QueueError` value, which the transport turns
 * into DEVICE_NEEDS_RESET and a log line (DESIGN.md idea 3).
 *
 * Device DMA only reaches guest DRAM (`GuestRam`, a MemoryRegion); every write through
 * here drops decoded code it overlaps, as a store by a hart would.
 */
import { MemoryRegion } from '../../bus/bus';
import { record, restoreFields, Saved, saveFields } from '../../snapshot/saved';

/** virtio 1.2 §2.7.5: descriptor flags. */
export const VIRTQ_DESC_F = { NEXT: 1, WRITE: 2, INDIRECT: 4 } as const;
/** §2.7.6 / §2.7.8: ring flags. */
export const VIRTQ_AVAIL_F_NO_INTERRUPT = 1;
export const VIRTQ_USED_F_NO_NOTIFY = 1;
/** Bytes of one descriptor (§2.7.5) and of one used element (§2.7.8). */
const DESC_BYTES = 16, USED_ELEM_BYTES = 8;
/** Largest queue size the split layout allows (§2.7: Queue Size up to 32768). */
export const MAX_QUEUE_SIZE = 32768;
/**
 * §2.7's alignment table for split rings. The spec puts these on the driver; QEMU 7.2
 * checks none of them (virtio_queue_set_rings takes any address), so a ring that breaks
 * one still works here and the transport logs one line (`misalignedRings`).
 * Indirect tables have no alignment at all (§2.7.5.3).
 */
export const RING_ALIGN = { desc: 16, avail: 2, used: 4 } as const;

export type GuestRam = MemoryRegion;

export type QueueError =
  | { kind: 'QueueNotReady' }
  | { kind: 'InvalidQueueSize'; size: number; max: number }
  | { kind: 'RingOutOfMemory'; ring: 'desc' | 'avail' | 'used'; addr: number; len: number }
  | { kind: 'AvailIdxTooFarAhead'; availIdx: number; lastAvail: number; size: number }
  | { kind: 'DescriptorIndexOutOfRange'; index: number; size: number }
  | { kind: 'DescriptorOutOfMemory'; index: number; addr: number; len: number }
  | { kind: 'ChainTooLong'; head: number; limit: number }
  | { kind: 'ReadableAfterWritable'; head: number; index: number }
  | { kind: 'IndirectNotNegotiated'; index: number }
  | { kind: 'IndirectWithNext'; index: number }
  | { kind: 'NestedIndirect'; index: number }
  | { kind: 'IndirectTableBadLength'; index: number; len: number }
  | { kind: 'IndirectTableOutOfMemory'; index: number; addr: number; len: number }
  | { kind: 'WriteToReadOnlyDescriptor'; head: number; offset: number; len: number }
  | { kind: 'UsedIndexOutOfRange'; head: number; size: number };

export type QueueResult<T> = { ok: true; value: T } | { ok: false; error: QueueError };

/** One line naming the problem, for the device log. */
export function describeQueueError(e: QueueError): string {
  const hex = (n: number) => `0x${n.toString(16)}`;
  switch (e.kind) {
    case 'QueueNotReady': return 'queue used before QueueReady';
    case 'InvalidQueueSize': return `queue size ${e.size} is not a power of two between 1 and ${e.max}`;
    case 'RingOutOfMemory': return `${e.ring} ring at ${hex(e.addr)} (${e.len} bytes) is outside guest RAM`;
    case 'AvailIdxTooFarAhead': return `avail.idx ${e.availIdx} is more than the queue size ${e.size} ahead of ${e.lastAvail}`;
    case 'DescriptorIndexOutOfRange': return `descriptor index ${e.index} is not below the queue size ${e.size}`;
    case 'DescriptorOutOfMemory': return `descriptor ${e.index} buffer ${hex(e.addr)}+${e.len} is outside guest RAM`;
    case 'ChainTooLong': return `chain from descriptor ${e.head} is longer than ${e.limit} (a loop?)`;
    case 'ReadableAfterWritable': return `chain from descriptor ${e.head}: read-only descriptor ${e.index} after a device-writable one`;
    case 'IndirectNotNegotiated': return `descriptor ${e.index} is INDIRECT but VIRTIO_F_INDIRECT_DESC was not negotiated`;
    case 'IndirectWithNext': return `descriptor ${e.index} sets both INDIRECT and NEXT`;
    case 'NestedIndirect': return `indirect table holds an INDIRECT descriptor (${e.index})`;
    case 'IndirectTableBadLength': return `descriptor ${e.index}: indirect table length ${e.len} is not a non-zero multiple of 16 within the limit`;
    case 'IndirectTableOutOfMemory': return `descriptor ${e.index}: indirect table ${hex(e.addr)}+${e.len} is outside guest RAM`;
    case 'WriteToReadOnlyDescriptor': return `chain from descriptor ${e.head}: device write of ${e.len} bytes at ${e.offset} reaches past its device-writable descriptors`;
    case 'UsedIndexOutOfRange': return `used element for head ${e.head} is not below the queue size ${e.size}`;
  }
}

/** A guest buffer, as an offset into `GuestRam`, already checked to lie inside it. */
export interface Segment { off: number; len: number }

/**
 * A checked descriptor chain: device-readable segments first, then device-writable
 * ones (§2.7.4.2). Reads and writes go through it, never through raw addresses.
 */
export class DescriptorChain {
  readonly readable: Segment[] = [];
  readonly writable: Segment[] = [];
  readableLen = 0;
  writableLen = 0;
  /** Bytes the device has written, reported in the used ring. */
  written = 0;
  /** `owner` names the device in data-breakpoint stops on its DMA. */
  constructor(readonly ram: GuestRam, readonly head: number, readonly owner = 'device') {}

  /** Copy `dst.length` device-readable bytes starting at `offset`; false when the chain has fewer. */
  read(offset: number, dst: Uint8Array): boolean {
    if (offset + dst.length > this.readableLen) return false;
    let pos = 0, skip = offset;
    for (const s of this.readable) {
      if (pos === dst.length) break;
      if (skip >= s.len) { skip -= s.len; continue; }
      const n = Math.min(s.len - skip, dst.length - pos);
      dst.set(this.ram.u8.subarray(s.off + skip, s.off + skip + n), pos);
      this.ram.dmaTouched(s.off + skip, n, false, this.owner);
      pos += n; skip = 0;
    }
    return true;
  }

  /** Copy `src` into the device-writable bytes from `offset`; an error when it would not fit. */
  write(offset: number, src: Uint8Array): QueueError | null {
    if (offset + src.length > this.writableLen) {
      return { kind: 'WriteToReadOnlyDescriptor', head: this.head, offset, len: src.length };
    }
    let pos = 0, skip = offset;
    for (const s of this.writable) {
      if (pos === src.length) break;
      if (skip >= s.len) { skip -= s.len; continue; }
      const n = Math.min(s.len - skip, src.length - pos);
      this.ram.u8.set(src.subarray(pos, pos + n), s.off + skip);
      this.ram.dmaTouched(s.off + skip, n, true, this.owner);
      pos += n; skip = 0;
    }
    this.written = Math.max(this.written, offset + src.length);
    return null;
  }
}

/** Queue configuration as the driver wrote it through the transport. */
export interface QueueConfig { size: number; desc: number; avail: number; used: number }

/** The device side of a queue that is machine state: the rings themselves are in guest RAM. */
const QUEUE_STATE = ['size', 'ready', 'desc', 'avail', 'used', 'indirect', 'eventIdx', 'lastAvail', 'usedIdx', 'signalledUsed'] as const;

export class SplitQueue {
  size = 0;
  ready = false;
  desc = 0;
  avail = 0;
  used = 0;
  /** Negotiated VIRTIO_F_INDIRECT_DESC / VIRTIO_F_EVENT_IDX. */
  indirect = false;
  eventIdx = false;
  /** Next avail ring entry the device reads, and the used.idx it writes next (both free-running u16). */
  lastAvail = 0;
  usedIdx = 0;
  /** used.idx when the driver was last signalled (EVENT_IDX decision, §2.7.10). */
  private signalledUsed = 0;
  private ram: GuestRam | null = null;

  constructor(readonly maxSize: number, readonly owner = 'device') {}

  reset(): void {
    this.size = 0; this.ready = false; this.desc = 0; this.avail = 0; this.used = 0;
    this.lastAvail = 0; this.usedIdx = 0; this.signalledUsed = 0; this.ram = null;
  }

  saveState(): Saved { return saveFields(this, QUEUE_STATE); }

  /** `ram`: the machine's RAM, which a ready queue uses (activate gave it before the snapshot). */
  restoreState(s: Saved, ram: GuestRam): void {
    restoreFields(this, QUEUE_STATE, s);
    this.ram = record(s).ready === true ? ram : null;
  }

  /** Check size and placement and start using the queue (alignment: see `misalignedRings`). */
  activate(ram: GuestRam): QueueError | null {
    const n = this.size;
    if (n === 0 || n > this.maxSize || (n & (n - 1)) !== 0) return { kind: 'InvalidQueueSize', size: n, max: this.maxSize };
    const rings = [
      { ring: 'desc', addr: this.desc, len: DESC_BYTES * n },
      { ring: 'avail', addr: this.avail, len: 6 + 2 * n },
      { ring: 'used', addr: this.used, len: 6 + USED_ELEM_BYTES * n },
    ] as const;
    for (const r of rings) {
      if (!inRam(ram, r.addr, r.len)) return { kind: 'RingOutOfMemory', ring: r.ring, addr: r.addr, len: r.len };
    }
    this.ram = ram;
    this.lastAvail = 0; this.usedIdx = 0; this.signalledUsed = 0;
    return null;
  }

  get active(): boolean { return this.ram !== null; }

  /** The rings whose address breaks §2.7's alignment table, as "desc ring 0x...8 (16-byte)"; empty when none. */
  misalignedRings(): string[] {
    return (['desc', 'avail', 'used'] as const).filter((r) => this[r] % RING_ALIGN[r] !== 0)
      .map((r) => `${r} ring 0x${this[r].toString(16)} (${RING_ALIGN[r]}-byte)`);
  }

  private u16(pa: number): number { const r = this.ram as GuestRam; return r.dv.getUint16(pa - r.base, true); }
  private setU16(pa: number, v: number): void {
    const r = this.ram as GuestRam;
    r.dv.setUint16(pa - r.base, v, true);
    r.code.invalidate(pa - r.base, 2);
    r.markDirty(pa - r.base, 2);
  }

  /** Buffers the driver made available and the device has not taken yet (≤ size when valid). */
  pending(): QueueResult<number> {
    if (this.ram === null) return { ok: false, error: { kind: 'QueueNotReady' } };
    const availIdx = this.u16(this.avail + 2);
    const ahead = (availIdx - this.lastAvail) & 0xffff;
    // §2.7.13.3 / Firecracker's pop: the driver can never have more than a queue's worth outstanding.
    if (ahead > this.size) return { ok: false, error: { kind: 'AvailIdxTooFarAhead', availIdx, lastAvail: this.lastAvail, size: this.size } };
    return { ok: true, value: ahead };
  }

  /** The next available chain, walked and checked; null when none is pending. */
  pop(): QueueResult<DescriptorChain | null> {
    const p = this.pending();
    if (!p.ok) return p;
    if (p.value === 0) return { ok: true, value: null };
    const head = this.u16(this.avail + 4 + 2 * (this.lastAvail % this.size));
    const chain = this.walk(head);
    if (!chain.ok) return chain;
    this.lastAvail = (this.lastAvail + 1) & 0xffff;
    // §2.7.10: avail_event tells the driver which avail index to notify us at next.
    if (this.eventIdx) this.setU16(this.used + 4 + USED_ELEM_BYTES * this.size, this.lastAvail);
    return chain;
  }

  /** Walk a chain from `head` (§2.7.5, §2.7.5.3 indirect); bounded by the queue size so loops end. */
  walk(head: number): QueueResult<DescriptorChain> {
    const ram = this.ram;
    if (ram === null) return { ok: false, error: { kind: 'QueueNotReady' } };
    if (head >= this.size) return { ok: false, error: { kind: 'DescriptorIndexOutOfRange', index: head, size: this.size } };
    const chain = new DescriptorChain(ram, head, this.owner);
    let tableAddr = this.desc, tableSize = this.size, index = head, inIndirect = false;
    // Each table is walked at most its own length in steps (the ring: size; an indirect table:
    // len/16, at most MAX_QUEUE_SIZE), so a cyclic `next` ends as ChainTooLong.
    let budget = this.size;
    for (;;) {
      if (budget-- <= 0) return { ok: false, error: { kind: 'ChainTooLong', head, limit: inIndirect ? tableSize : this.size } };
      const d = tableAddr + DESC_BYTES * index - ram.base;
      const lo = ram.dv.getUint32(d, true), hi = ram.dv.getUint32(d + 4, true);
      const addr = hi * 0x1_0000_0000 + lo;
      const len = ram.dv.getUint32(d + 8, true);
      const flags = ram.dv.getUint16(d + 12, true);
      const next = ram.dv.getUint16(d + 14, true);
      if ((flags & VIRTQ_DESC_F.INDIRECT) !== 0) {
        if (inIndirect) return { ok: false, error: { kind: 'NestedIndirect', index } };
        if (!this.indirect) return { ok: false, error: { kind: 'IndirectNotNegotiated', index } };
        if ((flags & VIRTQ_DESC_F.NEXT) !== 0) return { ok: false, error: { kind: 'IndirectWithNext', index } };
        if (len === 0 || len % DESC_BYTES !== 0 || len / DESC_BYTES > MAX_QUEUE_SIZE) {
          return { ok: false, error: { kind: 'IndirectTableBadLength', index, len } };
        }
        // §2.7.5.3 asks no alignment of the table (Linux kmallocs it, 8-byte aligned), nor does QEMU.
        if (!inRam(ram, addr, len)) return { ok: false, error: { kind: 'IndirectTableOutOfMemory', index, addr, len } };
        tableAddr = addr; tableSize = len / DESC_BYTES; index = 0; inIndirect = true;
        budget = tableSize;
        continue;
      }
      if (len > 0 && !inRam(ram, addr, len)) return { ok: false, error: { kind: 'DescriptorOutOfMemory', index, addr, len } };
      const seg = { off: addr - ram.base, len };
      if ((flags & VIRTQ_DESC_F.WRITE) !== 0) {
        chain.writable.push(seg); chain.writableLen += len;
      } else {
        if (chain.writable.length > 0) return { ok: false, error: { kind: 'ReadableAfterWritable', head, index } };
        chain.readable.push(seg); chain.readableLen += len;
      }
      if ((flags & VIRTQ_DESC_F.NEXT) === 0) return { ok: true, value: chain };
      if (next >= tableSize) return { ok: false, error: { kind: 'DescriptorIndexOutOfRange', index: next, size: tableSize } };
      index = next;
    }
  }

  /** Put a finished chain in the used ring (§2.7.8) and publish the new used.idx. */
  pushUsed(head: number, len: number): QueueError | null {
    if (this.ram === null) return { kind: 'QueueNotReady' };
    if (head >= this.size) return { kind: 'UsedIndexOutOfRange', head, size: this.size };
    const ram = this.ram;
    const e = this.used + 4 + USED_ELEM_BYTES * (this.usedIdx % this.size) - ram.base;
    ram.dv.setUint32(e, head, true);
    ram.dv.setUint32(e + 4, len >>> 0, true);
    ram.code.invalidate(e, USED_ELEM_BYTES);
    ram.markDirty(e, USED_ELEM_BYTES);
    this.usedIdx = (this.usedIdx + 1) & 0xffff;
    this.setU16(this.used + 2, this.usedIdx);
    return null;
  }

  /** Whether the driver wants an interrupt for the used entries added since the last one (§2.7.7, §2.7.10). */
  needsInterrupt(): boolean {
    if (this.ram === null) return false;
    const old = this.signalledUsed, now = this.usedIdx;
    if (old === now) return false;
    this.signalledUsed = now;
    if (this.eventIdx) {
      const usedEvent = this.u16(this.avail + 4 + 2 * this.size);
      // vring_need_event(): the driver asked to be told once used.idx passes used_event.
      return ((now - usedEvent - 1) & 0xffff) < ((now - old) & 0xffff);
    }
    return (this.u16(this.avail) & VIRTQ_AVAIL_F_NO_INTERRUPT) === 0;
  }
}

/** True when [addr, addr+len) lies inside guest RAM; addresses are exact doubles up to 2^53. */
export function inRam(ram: GuestRam, addr: number, len: number): boolean {
  return addr >= ram.base && len >= 0 && addr + len <= ram.base + ram.size;
}
