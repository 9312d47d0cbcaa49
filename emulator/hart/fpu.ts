/**
 * The F/D register file as the generated instruction code sees it (Unpriv ch. 11-12):
 * NaN boxing of singles, the rounding mode an instruction uses, fflags and mstatus.FS.
 * The arithmetic itself is softfloat.ts; what each instruction does is isa-semantics.ts.
 */
import { MSTATUS } from './csr';
import * as SF from './softfloat';
import { sf } from './softfloat';
import { FOP, arithD as fastD, arithS as fastS, fast, safeS } from './softfloat-fast';
import type { HartState } from './state';

/** A single from f register index i (2·r): an improperly NaN-boxed value reads as the canonical NaN (Unpriv §12.2). */
export function getS(h: HartState, i: number): bigint {
  return h.f[i + 1] === -1 ? BigInt(h.f[i] >>> 0) : 0x7fc00000n;
}
export function getD(h: HartState, i: number): bigint {
  return (BigInt(h.f[i + 1] >>> 0) << 32n) | BigInt(h.f[i] >>> 0);
}

/** After an instruction that wrote an f register: flags accrued, FS Dirty (QEMU 7.2 marks only f writes). */
function wrote(h: HartState): void {
  h.fflags |= sf.flags;
  h.mstatus |= MSTATUS.FS;
}
/** f[i] ← single v, NaN-boxed. */
export function setS(h: HartState, i: number, v: bigint): void {
  h.f[i] = Number(v) | 0;
  h.f[i + 1] = -1;
  wrote(h);
}
export function setD(h: HartState, i: number, v: bigint): void {
  h.f[i] = Number(v & 0xffffffffn) | 0;
  h.f[i + 1] = Number(v >> 32n) | 0;
  wrote(h);
}
/** The rounding mode of an rm field (7: frm); -1 when reserved, which makes the instruction illegal (Unpriv §11.2). */
export function roundingMode(h: HartState, rm: number): number {
  const m = rm === 7 ? h.frm : rm;
  return m <= 4 ? m : -1;
}

const numD = (h: HartState, i: number) => h.fd[i >> 1];
const numS = (h: HartState, i: number) => (h.f[i + 1] !== -1 ? NaN : h.fs[i]);

/** softfloat.ts's operation `op` (softfloat-fast.ts FOP) on formatted bits. */
function slow(f: SF.Format, op: number, x: bigint, y: bigint, z: bigint, rm: number): bigint {
  sf.flags = 0;
  switch (op) {
    case FOP.ADD: return SF.add(f, x, y, rm);
    case FOP.SUB: return SF.sub(f, x, y, rm);
    case FOP.MUL: return SF.mul(f, x, y, rm);
    case FOP.DIV: return SF.div(f, x, y, rm);
    case FOP.SQRT: return SF.sqrt(f, x, rm);
    default: return SF.fma(f, x, y, z, (op & 2) !== 0, (op & 1) !== 0, rm);
  }
}

/**
 * f[d] ← op(f[a], f[b], f[c]) for the arithmetic (FOP): the host-double fast path in
 * round-to-nearest-even when it can decide, softfloat.ts otherwise.
 */
export function arithD(h: HartState, op: number, d: number, a: number, b: number, c: number, rm: number): void {
  if (rm === 0) {
    const r = fastD(op, numD(h, a), numD(h, b), op >= FOP.FMADD ? numD(h, c) : 0, (h.fflags & SF.FLAG.NX) === 0);
    if (!Number.isNaN(r)) {
      h.fd[d >> 1] = r;
      if (fast.inexact) h.fflags |= SF.FLAG.NX;
      h.mstatus |= MSTATUS.FS;
      return;
    }
  }
  setD(h, d, slow(SF.F64, op, getD(h, a), getD(h, b), getD(h, c), rm));
}
export function arithS(h: HartState, op: number, d: number, a: number, b: number, c: number, rm: number): void {
  if (rm === 0) {
    const r = fastS(op, numS(h, a), numS(h, b), op >= FOP.FMADD ? numS(h, c) : 0, (h.fflags & SF.FLAG.NX) === 0);
    if (!Number.isNaN(r)) {
      h.fs[d] = r; h.f[d + 1] = -1;
      if (fast.inexact) h.fflags |= SF.FLAG.NX;
      h.mstatus |= MSTATUS.FS;
      return;
    }
  }
  setS(h, d, slow(SF.F32, op, getS(h, a), getS(h, b), getS(h, c), rm));
}

/** fclass's one-hot mask (Unpriv §11.9) of f[a]. */
export function classify(h: HartState, dbl: boolean, a: number): number {
  return dbl ? SF.classify(SF.F64, getD(h, a)) : SF.classify(SF.F32, getS(h, a));
}

/** fmin/fmax (`max`): the host's on ordered operands (-0 below +0, as Math's), softfloat.ts's with a NaN. */
export function minMax(h: HartState, dbl: boolean, d: number, a: number, b: number, max: boolean): void {
  const x = dbl ? numD(h, a) : numS(h, a), y = dbl ? numD(h, b) : numS(h, b);
  if (Number.isNaN(x) || Number.isNaN(y)) {
    sf.flags = 0;
    if (dbl) setD(h, d, SF.minMax(SF.F64, getD(h, a), getD(h, b), max)); else setS(h, d, SF.minMax(SF.F32, getS(h, a), getS(h, b), max));
    return;
  }
  const r = max ? Math.max(x, y) : Math.min(x, y);
  if (dbl) h.fd[d >> 1] = r; else { h.fs[d] = r; h.f[d + 1] = -1; }
  h.mstatus |= MSTATUS.FS;
}

/**
 * fcvt.d.s (`toDouble`, exact) and fcvt.s.d (rounded by rm): the host's promotion of a
 * number, its RNE demotion of a zero or of a result in the normal singles' safe range;
 * NaNs, infinities and the rest by softfloat.ts.
 */
export function convertFormat(h: HartState, toDouble: boolean, d: number, a: number, rm: number): void {
  const v = toDouble ? numS(h, a) : numD(h, a);
  if (toDouble && !Number.isNaN(v)) {
    h.fd[d >> 1] = v;
    h.mstatus |= MSTATUS.FS;
    return;
  }
  if (!toDouble && rm === SF.RM.RNE) {
    const r = Math.fround(v);
    if (v === 0 || safeS(r)) {
      if (r !== v) h.fflags |= SF.FLAG.NX;
      h.fs[d] = r; h.f[d + 1] = -1;
      h.mstatus |= MSTATUS.FS;
      return;
    }
  }
  sf.flags = 0;
  if (toDouble) setD(h, d, SF.convert(SF.F32, SF.F64, getS(h, a), rm)); else setS(h, d, SF.convert(SF.F64, SF.F32, getD(h, a), rm));
}

/** feq, flt, fle as compare() takes them. */
export const CMP = { eq: 0, lt: 1, le: 2 } as const;
const CMP_KIND = ['eq', 'lt', 'le'] as const;
/** feq/flt/fle as 1 or 0: the host's comparison unless a NaN is involved (then softfloat.ts's, whose NV accrues). */
export function compare(h: HartState, dbl: boolean, a: number, b: number, kind: number): number {
  const x = dbl ? numD(h, a) : numS(h, a), y = dbl ? numD(h, b) : numS(h, b);
  if (Number.isNaN(x) || Number.isNaN(y)) {
    sf.flags = 0;
    const r = SF.compare(dbl ? SF.F64 : SF.F32, dbl ? getD(h, a) : getS(h, a), dbl ? getD(h, b) : getS(h, b), CMP_KIND[kind]);
    h.fflags |= sf.flags;
    return r ? 1 : 0;
  }
  return (kind === CMP.eq ? x === y : kind === CMP.lt ? x < y : x <= y) ? 1 : 0;
}

/** The x register value of the last toIntX, as words (a 32-bit result sign-extended). */
export const cvt = { lo: 0, hi: 0 };

/**
 * fcvt.{w,wu,l,lu}.{s,d} of f[a] into `cvt` (Unpriv §11.7: 32-bit results, fcvt.wu's
 * too, sign-extended), flags accrued: C's truncating casts (RTZ) of in-range values on the
 * host, the rest by softfloat.ts. The interpreter, JavaScript blocks and the wasm engine's
 * import all come here.
 */
export function toIntX(h: HartState, dbl: boolean, a: number, bits: 32 | 64, signed: boolean, rm: number): void {
  const v = dbl ? numD(h, a) : numS(h, a);
  if (rm === SF.RM.RTZ && v > (signed ? -(2 ** (bits - 1)) - 1 : -1) && v < (signed ? 2 ** (bits - 1) : 2 ** bits) && Math.abs(v) < 2 ** 53) {
    const t = Math.trunc(v);
    if (t !== v) h.fflags |= SF.FLAG.NX;
    cvt.lo = t >>> 0 | 0; // ToUint32 takes t modulo 2^32
    cvt.hi = bits === 32 ? cvt.lo >> 31 : Math.floor(t / 2 ** 32) | 0;
    return;
  }
  sf.flags = 0;
  const r = SF.toInt(dbl ? SF.F64 : SF.F32, dbl ? getD(h, a) : getS(h, a), bits, signed, rm);
  h.fflags |= sf.flags;
  // (No BigInt chosen by a condition and used again: Node 20's TurboFan fails on that phi.)
  cvt.lo = Number(BigInt.asIntN(32, r));
  cvt.hi = bits === 32 ? cvt.lo >> 31 : Number(BigInt.asIntN(32, r >> 32n));
}

/**
 * fcvt.{s,d}.{w,wu,l,lu}: f[d] ← the integer in words lo, hi (hi unused for 32 bits),
 * exact on the host when it fits the significand, else rounded by softfloat.ts.
 */
export function fromIntX(h: HartState, dbl: boolean, d: number, lo: number, hi: number, bits: 32 | 64, signed: boolean, rm: number): void {
  const limit = dbl ? 2 ** 53 : 2 ** 24;
  // A 64-bit value is a double only while its high word keeps it under 2^53 in magnitude (NaN: not).
  const high = signed ? hi | 0 : hi >>> 0;
  const v = bits === 32 ? (signed ? lo | 0 : lo >>> 0) : high >= -(2 ** 21) && high < 2 ** 21 ? high * 2 ** 32 + (lo >>> 0) : NaN;
  if (v <= limit && v >= -limit) {
    if (dbl) h.fd[d >> 1] = v; else { h.fs[d] = v; h.f[d + 1] = -1; }
    h.mstatus |= MSTATUS.FS;
    return;
  }
  const words = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  const n = bits === 32 ? (signed ? BigInt(lo | 0) : BigInt(lo >>> 0)) : signed ? BigInt.asIntN(64, words) : words;
  sf.flags = 0;
  if (dbl) setD(h, d, SF.fromInt(SF.F64, n, rm)); else setS(h, d, SF.fromInt(SF.F32, n, rm));
}
