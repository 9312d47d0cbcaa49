/**
 * The physical address map: RAM-like regions (DRAM, boot ROM) with a fast path,
 * and MMIO devices. An address nothing claims is an access fault in the guest
 * (Priv §3.6.1), never a host error.
 */
import { CodeCache } from '../hart/code-cache';
import { DeviceModel } from '../devices/regmap';
import { Saved } from '../snapshot/saved';

export interface MmioDevice {
  readonly name: string;
  /** The register map this device implements: traces and views decode accesses with it. */
  readonly model?: DeviceModel;
  /** Read `size` bytes (1, 2, 4 or 8 → low 32 bits; high in `hi` for 8) at `offset`. Must have no host side effects. */
  read(offset: number, size: number): number;
  write(offset: number, size: number, value: number, hi: number): void;
  /** High word of the last 8-byte read. */
  hi?: number;
  /** Largest access the device accepts natively; wider ones are split (little-endian). */
  readonly maxAccess?: 4 | 8;
  /** The value at `offset` as a read would return it, without the read's side effects (Devices view, debugger). */
  peek?(offset: number, size: number): number;
  /** Registers that share an offset with another (UART DLL/RBR): the value by name, undefined when it has none to show. */
  peekNamed?(name: string): number | undefined;
  /** Which entries of a register array a view should show (the ones this board instance has). */
  viewIndices?(reg: string): number[] | undefined;
  /** Set by a device whose access just failed (a passthrough peer's bus error): the bus clears it and faults the access. */
  faulted?: boolean;
  /** A copy of the device's state, and taking one back (snapshot/saved.ts); absent: the device has none. */
  saveState?(): Saved;
  restoreState?(s: Saved): void;
  /** Back to the reset state (the Devices view's "reset device"). */
  reset?(): void;
  /** True when an access of this size at this offset (a write when `write`) is an access fault instead of an access. */
  rejects?(offset: number, size: number, write: boolean): boolean;
}

export interface MmioMapping { base: number; size: number; dev: MmioDevice }

/** What watches device DMA (hart/watchpoints.ts); `by` names the device. */
export interface DmaWatch { check(pa: number, size: number, write: boolean, by: string): boolean }

export class MemoryRegion {
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  readonly dv: DataView;
  readonly code: CodeCache;
  /**
   * `codeFlagsAt`: where the code cache keeps its page flags (CodeCache), when compiled code reads them;
   * `codeEpoch`: the machine's code epoch (wasm-area.ts), shared by its regions' code caches.
   */
  constructor(readonly name: string, readonly base: number, readonly size: number, buffer: ArrayBuffer, readonly readonly_: boolean,
    codeFlagsAt?: number, codeEpoch?: Int32Array) {
    this.u8 = new Uint8Array(buffer, 0, size);
    this.u16 = new Uint16Array(buffer, 0, size >>> 1);
    this.i32 = new Int32Array(buffer, 0, size >>> 2);
    this.dv = new DataView(buffer, 0, size);
    this.code = new CodeCache(size, codeFlagsAt === undefined ? undefined : { buffer, offset: codeFlagsAt }, codeEpoch);
  }
  /** Data watchpoints on device DMA, while any is set. */
  dmaWatch: DmaWatch | null = null;
  /**
   * Pages written since the last cheap snapshot (snapshot/ram-tracker.ts), one byte each;
   * null when nobody tracks. Harts mark a page when a store translates to it, which is
   * also when it enters their write TLB, so the store fast path never needs to look.
   */
  dirty: Uint8Array | null = null;

  /** Every writer of RAM that is not a hart's translated store says so here. */
  markDirty(off: number, len: number): void {
    const d = this.dirty;
    if (d === null || len <= 0) return;
    for (let p = off >>> 12, last = (off + len - 1) >>> 12; p <= last; p++) d[p] = 1;
  }

  contains(pa: number, len: number): boolean {
    return pa >= this.base && pa + len <= this.base + this.size;
  }

  /** A device read or wrote [off, off+len) by DMA: decoded code it overwrote is dropped; watchpoints see it. */
  dmaTouched(off: number, len: number, write: boolean, by: string): void {
    if (write) { this.code.invalidate(off, len); this.markDirty(off, len); }
    if (this.dmaWatch !== null) this.dmaWatch.check(this.base + off, len, write, by);
  }
}

/** Result of a bus access that is not a plain RAM hit. */
export const BUS_OK = 0, BUS_FAULT = 1;

export class Bus {
  readonly regions: MemoryRegion[] = [];
  readonly mmio: MmioMapping[] = [];
  /** High word of the last 8-byte read through `read`. */
  hi = 0;
  /** Hook run on every MMIO access when tracing is switched in; null when off. */
  mmioTrace: ((dev: MmioDevice, offset: number, size: number, write: boolean, value: number) => void) | null = null;

  addRegion(r: MemoryRegion): void { this.regions.push(r); }

  map(base: number, size: number, dev: MmioDevice): void {
    for (const m of this.mmio) {
      if (base < m.base + m.size && m.base < base + size) throw new Error(`bus: ${dev.name} overlaps ${m.dev.name}`);
    }
    this.mmio.push({ base, size, dev });
  }

  regionAt(pa: number, len: number): MemoryRegion | undefined {
    for (const r of this.regions) if (r.contains(pa, len)) return r;
    return undefined;
  }

  mappingAt(pa: number, len: number): MmioMapping | undefined {
    for (const m of this.mmio) if (pa >= m.base && pa + len <= m.base + m.size) return m;
    return undefined;
  }

  /** Physical read of 1/2/4/8 bytes; returns the low 32 bits, high in `this.hi`; null on fault. */
  read(pa: number, size: number): number | null {
    const r = this.regionAt(pa, size);
    if (r !== undefined) {
      const off = pa - r.base;
      this.hi = 0;
      switch (size) {
        case 1: return r.u8[off];
        case 2: return r.dv.getUint16(off, true);
        case 4: return r.dv.getInt32(off, true);
        default: this.hi = r.dv.getInt32(off + 4, true); return r.dv.getInt32(off, true);
      }
    }
    const m = this.mappingAt(pa, size);
    if (m === undefined) return null;
    const off = pa - m.base;
    if (m.dev.rejects?.(off, size, false)) return null;
    let v: number;
    if (size === 8 && (m.dev.maxAccess ?? 4) < 8) {
      v = m.dev.read(off, 4);
      this.hi = m.dev.read(off + 4, 4);
    } else {
      v = m.dev.read(off, size);
      this.hi = size === 8 ? (m.dev.hi ?? 0) : 0;
    }
    if (m.dev.faulted === true) { m.dev.faulted = false; return null; }
    if (this.mmioTrace !== null) this.mmioTrace(m.dev, off, size, false, v);
    return v;
  }

  /** Physical write; false on fault. */
  write(pa: number, size: number, lo: number, hi: number): boolean {
    const r = this.regionAt(pa, size);
    if (r !== undefined) {
      if (r.readonly_) return true; // writes to ROM are ignored, as on QEMU
      const off = pa - r.base;
      switch (size) {
        case 1: r.u8[off] = lo; break;
        case 2: r.dv.setUint16(off, lo, true); break;
        case 4: r.dv.setInt32(off, lo, true); break;
        default: r.dv.setInt32(off, lo, true); r.dv.setInt32(off + 4, hi, true); break;
      }
      if (r.code.hasCode[off >>> 12] !== 0 || r.code.hasCode[(off + size - 1) >>> 12] !== 0) r.code.invalidate(off, size);
      if (r.dirty !== null) r.markDirty(off, size);
      return true;
    }
    const m = this.mappingAt(pa, size);
    if (m === undefined) return false;
    const off = pa - m.base;
    if (m.dev.rejects?.(off, size, true)) return false;
    if (this.mmioTrace !== null) this.mmioTrace(m.dev, off, size, true, lo);
    if (size === 8 && (m.dev.maxAccess ?? 4) < 8) {
      m.dev.write(off, 4, lo, 0);
      m.dev.write(off + 4, 4, hi, 0);
    } else {
      m.dev.write(off, size, lo, hi);
    }
    if (m.dev.faulted === true) { m.dev.faulted = false; return false; }
    return true;
  }
}
