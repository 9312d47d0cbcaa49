/**
 * A minimal virtio driver for tests: lays out split queues in a test RAM, writes
 * descriptors as a guest would (or as a broken guest would), and brings a transport up
 * through its registers. Tests only; nothing in the machine imports this.
 */
import { MemoryRegion } from '../../bus/bus';
import { offsets } from '../regmap';
import { VIRTIO_MMIO_MODEL, VirtioMmio, STATUS, VIRTIO_F } from './mmio';
import { VIRTQ_DESC_F } from './queue';

export const RAM_BASE = 0x8000_0000;
export const R = offsets(VIRTIO_MMIO_MODEL.registers);
export const F = VIRTQ_DESC_F;

export function makeRam(size = 1 << 20): MemoryRegion {
  return new MemoryRegion('dram', RAM_BASE, size, new ArrayBuffer(size), false);
}

/** Driver side of one split queue: desc table at `base`, avail right after, used 4-aligned after that. */
export class GuestQueue {
  readonly desc: number;
  readonly avail: number;
  readonly used: number;
  private availIdx = 0;
  constructor(readonly ram: MemoryRegion, readonly size: number, base: number) {
    this.desc = base;
    this.avail = base + 16 * size;
    this.used = Math.ceil((this.avail + 6 + 2 * size) / 4) * 4;
  }
  get end(): number { return this.used + 6 + 8 * this.size; }
  private dv(pa: number): [DataView, number] { return [this.ram.dv, pa - this.ram.base]; }
  /** Write descriptor `i` of a table at `table` (default: the queue's own). */
  setDesc(i: number, addr: number, len: number, flags: number, next = 0, table = this.desc): void {
    const [dv, o] = this.dv(table + 16 * i);
    dv.setUint32(o, addr % 0x1_0000_0000, true);
    dv.setUint32(o + 4, Math.floor(addr / 0x1_0000_0000), true);
    dv.setUint32(o + 8, len, true);
    dv.setUint16(o + 12, flags, true);
    dv.setUint16(o + 14, next, true);
  }
  /** Put `head` in the avail ring and publish it. */
  offer(head: number): void {
    const [dv, o] = this.dv(this.avail);
    dv.setUint16(o + 4 + 2 * (this.availIdx % this.size), head, true);
    this.availIdx = (this.availIdx + 1) & 0xffff;
    dv.setUint16(o + 2, this.availIdx, true);
  }
  setAvailIdx(v: number): void { this.availIdx = v & 0xffff; const [dv, o] = this.dv(this.avail); dv.setUint16(o + 2, this.availIdx, true); }
  setAvailFlags(v: number): void { const [dv, o] = this.dv(this.avail); dv.setUint16(o, v, true); }
  setUsedEvent(v: number): void { const [dv, o] = this.dv(this.avail + 4 + 2 * this.size); dv.setUint16(o, v, true); }
  get availEvent(): number { const [dv, o] = this.dv(this.used + 4 + 8 * this.size); return dv.getUint16(o, true); }
  get usedIdx(): number { const [dv, o] = this.dv(this.used); return dv.getUint16(o + 2, true); }
  usedElem(i: number): { id: number; len: number } {
    const [dv, o] = this.dv(this.used + 4 + 8 * (i % this.size));
    return { id: dv.getUint32(o, true), len: dv.getUint32(o + 4, true) };
  }
}

/** Register access helpers over a transport, as a driver's MMIO reads and writes. */
export function rd(t: VirtioMmio, reg: number): number { return t.read(reg, 4) >>> 0; }
export function wr(t: VirtioMmio, reg: number, v: number): void { t.write(reg, 4, v); }

/**
 * The modern initialization sequence (§3.1.1): reset, ACK, DRIVER, features, FEATURES_OK,
 * queues, DRIVER_OK. Accepts every offered feature unless `accept` says otherwise.
 */
export function bringUp(t: VirtioMmio, queues: GuestQueue[], accept?: [number, number]): void {
  wr(t, R.Status, 0);
  wr(t, R.Status, STATUS.ACKNOWLEDGE);
  wr(t, R.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER);
  const offered: number[] = [];
  for (let page = 0; page < 2; page++) { wr(t, R.DeviceFeaturesSel, page); offered.push(rd(t, R.DeviceFeatures)); }
  const want = accept ?? [offered[0], offered[1]];
  for (let page = 0; page < 2; page++) { wr(t, R.DriverFeaturesSel, page); wr(t, R.DriverFeatures, want[page]); }
  if (!t.legacy) wr(t, R.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.FEATURES_OK);
  queues.forEach((q, i) => {
    wr(t, R.QueueSel, i);
    wr(t, R.QueueNum, q.size);
    if (t.legacy) {
      wr(t, R.GuestPageSize, 4096);
      wr(t, R.QueueAlign, 4);
      wr(t, R.QueuePFN, q.desc / 4096);
    } else {
      wr(t, R.QueueDescLow, q.desc); wr(t, R.QueueDescHigh, 0);
      wr(t, R.QueueDriverLow, q.avail); wr(t, R.QueueDriverHigh, 0);
      wr(t, R.QueueDeviceLow, q.used); wr(t, R.QueueDeviceHigh, 0);
      wr(t, R.QueueReady, 1);
    }
  });
  const fo = t.legacy ? 0 : STATUS.FEATURES_OK;
  wr(t, R.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER | fo | STATUS.DRIVER_OK);
}

/** Feature pages with the given bits (numbers 0-63) set. */
export function features(...bits: number[]): [number, number] {
  const f: [number, number] = [0, 0];
  for (const b of bits) f[b >>> 5] = (f[b >>> 5] | (1 << (b & 31))) >>> 0;
  return f;
}
export { VIRTIO_F, STATUS };
