/**
 * Virtual → physical translation: Sv32, Sv39, Sv48 page-table walks with hardware
 * A/D updates, SUM and MXR (Priv §4.3.2 "Virtual Address Translation Process"), then
 * PMP. Faults come back as a cause, never as an exception in the host.
 */
import { Bus } from '../bus/bus';
import { Cause, Priv, SATP_MODE } from '../hart/csr';
import { Pmp } from './pmp';

export const Access = { Read: 0, Write: 1, Fetch: 2 } as const;
export type AccessKind = 0 | 1 | 2;

const PAGE_FAULT = [Cause.LoadPageFault, Cause.StorePageFault, Cause.InstructionPageFault] as const;
const ACCESS_FAULT = [Cause.LoadAccessFault, Cause.StoreAccessFault, Cause.InstructionAccessFault] as const;
const PMP_BIT = [1, 2, 4] as const;

const PTE = { V: 1, R: 2, W: 4, X: 8, U: 16, G: 32, A: 64, D: 128 } as const;
/** 2 ** k for the shifts of a walk (k ≤ 48): `2 ** k` with k a variable is a Math.pow call per level. */
const PAGE_SPAN = Float64Array.from({ length: 49 }, (_, k) => 2 ** k);

/** What translation needs to know about the hart, read fresh on each walk. */
export interface TranslationContext {
  xlen: 32 | 64;
  /** Privilege the access is made with (MPRV already applied for loads/stores). */
  priv: number;
  satpMode: number;
  /** Root page table physical page number. */
  satpPpn: number;
  sum: boolean;
  mxr: boolean;
  pmp: Pmp;
  bus: Bus;
  /** Svpbmt: PTE bits 62:61 (PBMT) accepted in leaves. */
  svpbmt: boolean;
}

export interface Translation {
  /** Physical address, or -1 on a fault. */
  pa: number;
  cause: number;
  /** True when the whole 4 KiB page may be cached for this access kind. */
  cacheable: boolean;
}

const result: Translation = { pa: -1, cause: 0, cacheable: false };

function fail(cause: number): Translation {
  result.pa = -1;
  result.cause = cause;
  result.cacheable = false;
  return result;
}

/**
 * Translate (lo, hi) for an access of `size` bytes. `sideEffects` false is the
 * debugger's walk: no A/D updates, and a missing A/D bit is not a fault.
 */
export function translate(ctx: TranslationContext, lo: number, hi: number, kind: AccessKind, size: number,
  sideEffects = true): Translation {
  let pa: number;
  const paging = ctx.priv !== Priv.M && ctx.satpMode !== SATP_MODE.Bare;
  if (!paging) {
    if (ctx.xlen === 32) pa = lo >>> 0;
    else {
      // Physical addresses are 56 bits; anything above is outside every region.
      if ((hi >>> 24) !== 0) return fail(ACCESS_FAULT[kind]);
      pa = hi * 4294967296 + (lo >>> 0);
    }
  } else {
    const w = walk(ctx, lo, hi, kind, sideEffects);
    if (w < 0) return result;
    pa = w;
  }
  const priv = ctx.priv;
  if (!ctx.pmp.check(pa, size, PMP_BIT[kind], priv)) return fail(ACCESS_FAULT[kind]);
  result.pa = pa;
  result.cause = 0;
  const pagePa = pa - (pa % 4096);
  result.cacheable = ctx.pmp.check(pagePa, 4096, PMP_BIT[kind], priv);
  return result;
}

function walk(ctx: TranslationContext, lo: number, hi: number, kind: AccessKind, sideEffects: boolean): number {
  const mode = ctx.satpMode;
  const levels = mode === SATP_MODE.Sv32 ? 2 : mode === SATP_MODE.Sv39 ? 3 : 4;
  const vpnBits = mode === SATP_MODE.Sv32 ? 10 : 9;
  const pteSize = mode === SATP_MODE.Sv32 ? 4 : 8;
  let va: number;
  if (mode === SATP_MODE.Sv32) {
    va = lo >>> 0;
  } else {
    // Priv §4.4.1: bits above the top VA bit must all equal it.
    const topInHi = mode === SATP_MODE.Sv39 ? 6 : 15;
    const ext = hi >> topInHi;
    if (ext !== 0 && ext !== -1) return fail(PAGE_FAULT[kind]).pa;
    va = (hi & ((1 << (topInHi + 1)) - 1)) * 4294967296 + (lo >>> 0);
  }
  const pageFault = PAGE_FAULT[kind];
  let table = ctx.satpPpn * 4096;
  for (let level = levels - 1; level >= 0; level--) {
    const vpn = Math.floor(va / PAGE_SPAN[level * vpnBits + 12]) % PAGE_SPAN[vpnBits];
    const pteAddr = table + vpn * pteSize;
    // Page-table reads are S-mode accesses for PMP (Priv §3.7.1).
    if (!ctx.pmp.check(pteAddr, pteSize, 1, Priv.S)) return fail(ACCESS_FAULT[kind]).pa;
    const region = ctx.bus.regionAt(pteAddr, pteSize);
    if (region === undefined) return fail(ACCESS_FAULT[kind]).pa;
    const off = pteAddr - region.base;
    const pteLo = region.dv.getInt32(off, true);
    const pteHi = pteSize === 8 ? region.dv.getInt32(off + 4, true) : 0;
    if ((pteLo & PTE.V) === 0 || ((pteLo & PTE.R) === 0 && (pteLo & PTE.W) !== 0)) return fail(pageFault).pa;
    // Without Svpbmt, PTE bits 63:54 are reserved and must be zero. With it, QEMU 7.2 takes
    // the PPN from bits 53:10 and checks nothing else in a leaf: PBMT 3 (reserved, Priv 1.12
    // §6.3) and bits 60:54 are accepted there; bits 63:61 (N, PBMT) in a pointer fault.
    if (pteSize === 8 && (pteHi >>> 22) !== 0 && !ctx.svpbmt) return fail(pageFault).pa;
    const ppn = pteSize === 8 ? (pteHi & 0x3fffff) * 4194304 + (pteLo >>> 10) : pteLo >>> 10;
    if ((pteLo & (PTE.R | PTE.X)) === 0) {
      if ((pteHi >>> 29) !== 0) return fail(pageFault).pa;
      table = ppn * 4096;
      continue;
    }
    // Leaf: permissions (Priv §4.3.2 step 5).
    const u = (pteLo & PTE.U) !== 0;
    if (ctx.priv === Priv.U && !u) return fail(pageFault).pa;
    if (ctx.priv === Priv.S && u && (kind === Access.Fetch || !ctx.sum)) return fail(pageFault).pa;
    const ok = kind === Access.Fetch ? (pteLo & PTE.X) !== 0
      : kind === Access.Write ? (pteLo & PTE.W) !== 0
        : (pteLo & PTE.R) !== 0 || (ctx.mxr && (pteLo & PTE.X) !== 0);
    if (!ok) return fail(pageFault).pa;
    const span = PAGE_SPAN[level * vpnBits]; // pages covered by this leaf
    if (level > 0 && ppn % span !== 0) return fail(pageFault).pa; // misaligned superpage
    // A/D: set by the hart, as QEMU does (Priv §4.3.1, the Svade-less option).
    const need = PTE.A | (kind === Access.Write ? PTE.D : 0);
    if ((pteLo & need) !== need && sideEffects) {
      if (!ctx.pmp.check(pteAddr, pteSize, 2, Priv.S) || region.readonly_) return fail(ACCESS_FAULT[kind]).pa;
      region.dv.setInt32(off, pteLo | need, true);
      region.markDirty(off, 4);
      if (region.code.hasCode[off >>> 12] !== 0) region.code.invalidate(off, 4);
    }
    const vpnLow = Math.floor(va / 4096) % span;
    return (ppn + vpnLow) * 4096 + (va % 4096);
  }
  return fail(pageFault).pa;
}
