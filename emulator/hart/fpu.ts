/**
 * The F/D register file as the generated instruction code sees it (Unpriv ch. 11-12):
 * NaN boxing of singles, the rounding mode an instruction uses, fflags and mstatus.FS.
 * The arithmetic itself is softfloat.ts; what each instruction does is isa-semantics.ts.
 */
import { MSTATUS } from './csr';
import { sf } from './softfloat';
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
/** x[i] ← v (an XLEN two's-complement value, or a 32-bit one already sign-extended), flags accrued. */
export function setX(h: HartState, i: number, v: bigint): void {
  h.x[i] = Number(BigInt.asIntN(32, v));
  if (h.xlen === 64) h.x[i + 1] = Number(BigInt.asIntN(32, v >> 32n));
  h.fflags |= sf.flags;
}
/** x[i] as an integer: the low word signed or unsigned, or (RV64) the whole register. */
export function getX(h: HartState, i: number, bits: 32 | 64, signed: boolean): bigint {
  if (bits === 32) return signed ? BigInt(h.x[i]) : BigInt(h.x[i] >>> 0);
  const v = (BigInt(h.x[i + 1]) << 32n) | BigInt(h.x[i] >>> 0);
  return signed ? v : BigInt.asUintN(64, v);
}

/** The rounding mode of an rm field (7: frm); -1 when reserved, which makes the instruction illegal (Unpriv §11.2). */
export function roundingMode(h: HartState, rm: number): number {
  const m = rm === 7 ? h.frm : rm;
  return m <= 4 ? m : -1;
}
