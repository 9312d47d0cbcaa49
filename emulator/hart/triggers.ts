/**
 * The Sdtrig trigger module (Debug spec 1.0 ch. 5) as QEMU 7.2 has it (its
 * target/riscv/debug.c): two triggers, each an address match (mcontrol, type 2, or
 * mcontrol6, type 6) on execute, load and/or store in the modes its m/s/u bits name.
 * A match raises a breakpoint exception into the guest (cause 3, tval 0 as in QEMU 7.2)
 * before the instruction runs or the access happens. This is the guest's own debug
 * hardware: the debugger's breakpoints and watchpoints (machine/) are separate.
 *
 * Nothing here runs per instruction. Armed execute addresses are grouped by virtual
 * page: the interpreter asks for a page's set when it enters the page and runs such a
 * page without translated blocks. Pages holding an armed data address stay out of the
 * TLBs, so only accesses to them reach `accessHit` (from Hart.translate, before the
 * access is translated: the breakpoint comes before its page or PMP fault).
 *
 * QEMU 7.2's matching rules, kept on purpose (docs/architecture.md "Parity with QEMU 7.2"):
 * an armed address fires when *any* trigger of the same kind (and, for data, the same
 * address) matches the current mode, not only the trigger that armed it; the mode is the
 * hart's, not MPRV's; a size field counts bytes by its encoding (4-byte size = 3 bytes,
 * 8-byte size = 5); size 0 covers XLEN/8 bytes (mcontrol) or 8 (mcontrol6); misaligned
 * accesses are checked over the bytes QEMU's softmmu looks at (`accessHit`).
 */
import { Breakpoints } from './breakpoints';
import { CSR, MCONTROL, TDATA1_TYPE_SHIFT, TRIGGER_TYPE } from './csr';
import { out } from './int64';
import { restoreFields, Saved, saveFields } from '../snapshot/saved';


export const TRIGGER_COUNT = 2;
/** tinfo: the types every trigger supports. */
export const TINFO = (1 << TRIGGER_TYPE.Mcontrol) | (1 << TRIGGER_TYPE.Mcontrol6);

const MODES = MCONTROL.M | MCONTROL.S | MCONTROL.U;
const MODES6 = MODES | MCONTROL.VS | MCONTROL.VU;
const KINDS = MCONTROL.EXECUTE | MCONTROL.STORE | MCONTROL.LOAD;
const DATA = MCONTROL.STORE | MCONTROL.LOAD;
/** Size encodings QEMU 7.2 accepts (any, 1, 2, 4 and 8 bytes); a write with another leaves size 0. */
const SIZE_OK = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 5);

/** Access kinds for `dataHit` and `coversPage`, as mcontrol's load/store bits. */
export const TRIGGER_ACCESS = { Load: MCONTROL.LOAD, Store: MCONTROL.STORE, Amo: MCONTROL.LOAD | MCONTROL.STORE } as const;

/** One armed load/store range: [lo:hi, +len). */
interface DataRange { lo: number; hi: number; len: number; kinds: number }

/** The virtual page number as one exact double (as breakpoints.ts keys its pages). */
const pageKey = (lo: number, hi: number): number => hi * 1048576 + (lo >>> 12);

export class Triggers {
  tselect = 0;
  private readonly type = new Uint8Array(TRIGGER_COUNT);
  /** tdata1 below its type field (every bit QEMU keeps is in 24:0). */
  private readonly ctrl = new Int32Array(TRIGGER_COUNT);
  private readonly addrLo = new Int32Array(TRIGGER_COUNT);
  private readonly addrHi = new Int32Array(TRIGGER_COUNT);
  /** Armed execute addresses, or null when none is armed. */
  exec: Breakpoints | null = null;
  /** Armed load/store ranges, or null when none is armed. */
  data: DataRange[] | null = null;
  /** Load/store kinds armed on each virtual page (pageKey). */
  private readonly dataPages = new Map<number, number>();

  constructor(private readonly xlen: 32 | 64) {
    this.reset();
  }

  /** QEMU 7.2's reset: both triggers type 2 with nothing enabled, tdata2 = 0. */
  reset(): void {
    this.tselect = 0;
    this.type.fill(TRIGGER_TYPE.Mcontrol);
    this.ctrl.fill(0);
    this.addrLo.fill(0);
    this.addrHi.fill(0);
    this.rearm();
  }

  saveState(): Saved { return saveFields(this, ['tselect', 'type', 'ctrl', 'addrLo', 'addrHi']); }

  /** The armed sets follow from the registers. */
  restoreState(s: Saved): void {
    restoreFields(this, ['tselect', 'type', 'ctrl', 'addrLo', 'addrHi'], s);
    this.rearm();
  }

  /** Read trigger CSR `num` (CSR.tselect..CSR.tinfo) into out[0..1]. */
  read(num: number): void {
    const i = this.tselect;
    let lo = 0, hi = 0;
    switch (num) {
      case CSR.tselect: lo = i; break;
      case CSR.tdata1:
        if (this.xlen === 64) { lo = this.ctrl[i]; hi = this.type[i] << TDATA1_TYPE_SHIFT; }
        else lo = this.ctrl[i] | (this.type[i] << TDATA1_TYPE_SHIFT);
        break;
      case CSR.tdata2: lo = this.addrLo[i]; hi = this.addrHi[i]; break;
      case CSR.tinfo: lo = TINFO; break;
      default: break; // tdata3: QEMU 7.2 keeps none of it
    }
    out[0] = lo;
    out[1] = hi;
  }

  /**
   * Write trigger CSR `num`. Values are legalised as QEMU 7.2 does: tselect beyond the
   * last trigger, tdata1 of a type other than 2 or 6, tdata3 and tinfo are ignored.
   */
  write(num: number, lo: number, hi: number): void {
    const i = this.tselect;
    switch (num) {
      case CSR.tselect:
        if ((this.xlen === 32 || hi === 0) && (lo >>> 0) < TRIGGER_COUNT) this.tselect = lo;
        return;
      case CSR.tdata1: {
        const type = (this.xlen === 64 ? hi : lo) >>> TDATA1_TYPE_SHIFT;
        if (type === TRIGGER_TYPE.Mcontrol) this.ctrl[i] = this.mcontrol(lo);
        else if (type === TRIGGER_TYPE.Mcontrol6) this.ctrl[i] = mcontrol6(lo);
        else return; // QEMU 7.2 logs and ignores these (type 1 aborts QEMU itself)
        this.type[i] = type;
        break;
      }
      case CSR.tdata2:
        this.addrLo[i] = lo;
        this.addrHi[i] = this.xlen === 64 ? hi : 0;
        break;
      default: return;
    }
    this.rearm();
  }

  /** mcontrol as written, reduced to what QEMU 7.2 keeps: modes, kinds and a valid size. */
  private mcontrol(lo: number): number {
    let size = (lo & MCONTROL.SIZELO) >>> MCONTROL.SIZELO_SHIFT;
    if (this.xlen === 64) size |= ((lo & MCONTROL.SIZEHI) >>> MCONTROL.SIZEHI_SHIFT) << 2;
    const sizeBits = this.xlen === 64 ? MCONTROL.SIZELO | MCONTROL.SIZEHI : MCONTROL.SIZELO;
    return (lo & (MODES | KINDS)) | (((SIZE_OK >>> size) & 1) !== 0 ? lo & sizeBits : 0);
  }

  /** Bytes a data trigger covers from tdata2. */
  private length(i: number): number {
    const c = this.ctrl[i];
    let size: number;
    if (this.type[i] === TRIGGER_TYPE.Mcontrol6) size = (c & MCONTROL.SIZE6) >>> MCONTROL.SIZELO_SHIFT;
    else size = ((c & MCONTROL.SIZELO) >>> MCONTROL.SIZELO_SHIFT) | (((c & MCONTROL.SIZEHI) >>> MCONTROL.SIZEHI_SHIFT) << 2);
    if (size !== 0) return size; // QEMU 7.2 passes the encoding as the length
    return this.type[i] === TRIGGER_TYPE.Mcontrol6 ? 8 : this.xlen / 8;
  }

  /** Rebuild the armed sets after a write: a trigger is armed with a mode bit and a kind bit set. */
  private rearm(): void {
    let exec: Breakpoints | null = null;
    const data: DataRange[] = [];
    this.dataPages.clear();
    for (let i = 0; i < TRIGGER_COUNT; i++) {
      const c = this.ctrl[i];
      if ((c & (this.type[i] === TRIGGER_TYPE.Mcontrol6 ? MODES6 : MODES)) === 0 || (c & KINDS) === 0) continue;
      const lo = this.addrLo[i], hi = this.addrHi[i];
      if ((c & MCONTROL.EXECUTE) !== 0) (exec ??= new Breakpoints()).add(lo, hi);
      if ((c & DATA) === 0) continue;
      const len = this.length(i);
      const endLo = (lo + len - 1) | 0;
      const endHi = (endLo >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi;
      if (this.xlen === 64 && endHi === 0 && hi === -1) continue; // runs off the address space: QEMU refuses it
      data.push({ lo, hi, len, kinds: c & DATA });
      for (const key of [pageKey(lo, hi), pageKey(endLo, endHi)]) this.dataPages.set(key, (this.dataPages.get(key) ?? 0) | (c & DATA));
    }
    this.exec = exec;
    this.data = data.length > 0 ? data : null;
  }

  /** Whether trigger i's m/s/u bit names `priv` (its bit 3 + priv). */
  private inMode(i: number, priv: number): boolean {
    return ((this.ctrl[i] >>> 3) & (1 << priv)) !== 0;
  }

  /**
   * Offsets in the virtual page of (lo, hi) where an execute trigger fires in `priv`, or
   * undefined. QEMU 7.2 fires at every armed execute address once any execute trigger
   * matches the mode.
   */
  execOffsets(lo: number, hi: number, priv: number): Set<number> | undefined {
    if (this.exec === null) return undefined;
    for (let i = 0; i < TRIGGER_COUNT; i++) {
      if ((this.ctrl[i] & MCONTROL.EXECUTE) !== 0 && this.inMode(i, priv)) return this.exec.pageOffsets(lo, hi);
    }
    return undefined;
  }

  /** Whether an execute trigger fires before the instruction at (lo, hi) in `priv`. */
  execHit(lo: number, hi: number, priv: number): boolean {
    return this.execOffsets(lo, hi, priv)?.has(lo & 0xfff) ?? false;
  }

  /** Whether the virtual page of (lo, hi) holds bytes a trigger of these kinds watches: keep it out of that TLB. */
  coversPage(lo: number, hi: number, kinds: number): boolean {
    return ((this.dataPages.get(pageKey(lo, hi)) ?? 0) & kinds) !== 0;
  }

  /**
   * Whether a load, store or AMO (TRIGGER_ACCESS) of `size` bytes at virtual (lo, hi) fires
   * a trigger in `priv`, over the bytes QEMU 7.2's softmmu checks: a misaligned load as its
   * two aligned halves, a misaligned store within one page from the page's start (a store
   * crossing pages is checked byte by byte by its caller, which is exact, as QEMU's).
   */
  accessHit(lo: number, hi: number, size: number, kinds: number, priv: number): boolean {
    const off = lo & (size - 1);
    if (off === 0 || kinds === TRIGGER_ACCESS.Amo) return this.dataHit(lo, hi, size, kinds, priv);
    if (kinds === TRIGGER_ACCESS.Load) return this.dataHit(lo - off, hi, 2 * size, kinds, priv);
    return this.dataHit(lo & ~0xfff, hi, (lo & 0xfff) + size, kinds, priv);
  }

  /**
   * Whether an access of `size` bytes at virtual (lo, hi) of these kinds (TRIGGER_ACCESS)
   * fires a trigger in `priv`: some armed range of those kinds overlaps it, and some
   * trigger of the mode watches that range's address for one of its kinds (QEMU 7.2).
   */
  dataHit(lo: number, hi: number, size: number, kinds: number, priv: number): boolean {
    const ranges = this.data;
    if (ranges === null) return false;
    for (const r of ranges) {
      if ((r.kinds & kinds) === 0 || !overlaps(r, lo, hi, size)) continue;
      for (let j = 0; j < TRIGGER_COUNT; j++) {
        if (this.inMode(j, priv) && (this.ctrl[j] & r.kinds) !== 0 && this.addrLo[j] === r.lo && this.addrHi[j] === r.hi) return true;
      }
    }
    return false;
  }
}

/** mcontrol6 as written, reduced to what QEMU 7.2 keeps. */
function mcontrol6(lo: number): number {
  const size = (lo & MCONTROL.SIZE6) >>> MCONTROL.SIZELO_SHIFT;
  return (lo & (MODES6 | KINDS)) | (((SIZE_OK >>> size) & 1) !== 0 ? lo & MCONTROL.SIZE6 : 0);
}

/** Whether [lo:hi, +size) meets the range: their 64-bit distance lies in (-size, len). */
function overlaps(r: DataRange, lo: number, hi: number, size: number): boolean {
  const dLo = (lo - r.lo) | 0;
  const dHi = (hi - r.hi - ((lo >>> 0) < (r.lo >>> 0) ? 1 : 0)) | 0;
  if (dHi === 0) return (dLo >>> 0) < r.len;
  return dHi === -1 && dLo < 0 && dLo > -size;
}
