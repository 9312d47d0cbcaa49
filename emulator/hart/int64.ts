/**
 * 64-bit arithmetic on int32 pairs (lo, hi). The RV64 register file keeps each
 * register as two int32 halves; BigInt stays out of the hot path (DESIGN.md
 * "The road to speed"). Results that are pairs come back through `out`.
 */

/** Scratch for two-word results: out[0] = lo, out[1] = hi. */
export const out = new Int32Array(4);

const TWO32 = 4294967296;

/** The pair as a JS number, exact while |value| < 2^53. */
export function toNumber(lo: number, hi: number): number {
  return hi * TWO32 + (lo >>> 0);
}

export function toBigInt(lo: number, hi: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}

export function fromBigInt(v: bigint): void {
  out[0] = Number(BigInt.asIntN(32, v));
  out[1] = Number(BigInt.asIntN(32, v >> 32n));
}

/** Unsigned a < b on pairs. */
export function ltu(aLo: number, aHi: number, bLo: number, bHi: number): boolean {
  return aHi !== bHi ? (aHi >>> 0) < (bHi >>> 0) : (aLo >>> 0) < (bLo >>> 0);
}

/** Signed a < b on pairs. */
export function lt(aLo: number, aHi: number, bLo: number, bHi: number): boolean {
  return aHi !== bHi ? aHi < bHi : (aLo >>> 0) < (bLo >>> 0);
}

export function add(aLo: number, aHi: number, bLo: number, bHi: number): void {
  const lo = (aLo + bLo) | 0;
  out[1] = (aHi + bHi + ((lo >>> 0) < (aLo >>> 0) ? 1 : 0)) | 0;
  out[0] = lo;
}

export function sub(aLo: number, aHi: number, bLo: number, bHi: number): void {
  out[1] = (aHi - bHi - ((aLo >>> 0) < (bLo >>> 0) ? 1 : 0)) | 0;
  out[0] = (aLo - bLo) | 0;
}

export function sll(lo: number, hi: number, sh: number): void {
  sh &= 63;
  if (sh === 0) { out[0] = lo; out[1] = hi; }
  else if (sh < 32) { out[1] = (hi << sh) | (lo >>> (32 - sh)); out[0] = lo << sh; }
  else { out[1] = lo << (sh - 32); out[0] = 0; }
}

export function srl(lo: number, hi: number, sh: number): void {
  sh &= 63;
  if (sh === 0) { out[0] = lo; out[1] = hi; }
  else if (sh < 32) { out[0] = (lo >>> sh) | (hi << (32 - sh)); out[1] = hi >>> sh; }
  else { out[0] = hi >>> (sh - 32); out[1] = 0; }
}

export function sra(lo: number, hi: number, sh: number): void {
  sh &= 63;
  if (sh === 0) { out[0] = lo; out[1] = hi; }
  else if (sh < 32) { out[0] = (lo >>> sh) | (hi << (32 - sh)); out[1] = hi >> sh; }
  else { out[0] = hi >> (sh - 32); out[1] = hi >> 31; }
}

/**
 * Full 128-bit unsigned product of two 64-bit values, in 16-bit limbs so every
 * partial product and sum stays exact in a double. Result in out[0..3] (low first).
 */
export function mulu128(aLo: number, aHi: number, bLo: number, bHi: number): void {
  const a0 = aLo & 0xffff, a1 = aLo >>> 16, a2 = aHi & 0xffff, a3 = aHi >>> 16;
  const b0 = bLo & 0xffff, b1 = bLo >>> 16, b2 = bHi & 0xffff, b3 = bHi >>> 16;
  // Column sums of limb products; each below 4 * 2^32, carried column by column.
  let c = a0 * b0;
  const r0 = c & 0xffff; c = Math.floor(c / 65536);
  c += a0 * b1 + a1 * b0;
  const r1 = c % 65536; c = Math.floor(c / 65536);
  c += a0 * b2 + a1 * b1 + a2 * b0;
  const r2 = c % 65536; c = Math.floor(c / 65536);
  c += a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
  const r3 = c % 65536; c = Math.floor(c / 65536);
  c += a1 * b3 + a2 * b2 + a3 * b1;
  const r4 = c % 65536; c = Math.floor(c / 65536);
  c += a2 * b3 + a3 * b2;
  const r5 = c % 65536; c = Math.floor(c / 65536);
  c += a3 * b3;
  const r6 = c % 65536; c = Math.floor(c / 65536);
  const r7 = c % 65536;
  out[0] = r0 | (r1 << 16);
  out[1] = r2 | (r3 << 16);
  out[2] = r4 | (r5 << 16);
  out[3] = r6 | (r7 << 16);
}

/** Low 64 bits of a * b (same for signed and unsigned). */
export function mul(aLo: number, aHi: number, bLo: number, bHi: number): void {
  // lo*lo needs the full 64-bit product; the cross terms only their low 32 bits.
  const a0 = aLo & 0xffff, a1 = aLo >>> 16, b0 = bLo & 0xffff, b1 = bLo >>> 16;
  const ll = a0 * b0;
  const mid = a1 * b0 + a0 * b1; // < 2^33
  const low = ll + (mid % 65536) * 65536; // < 2^49
  const lo = low % TWO32;
  const carry = Math.floor(low / TWO32) + Math.floor(mid / 65536) + a1 * b1;
  const hi = (carry % TWO32) + Math.imul(aLo, bHi) + Math.imul(aHi, bLo);
  out[0] = lo | 0;
  out[1] = hi | 0;
}

/** High 64 bits of the signed x signed, signed x unsigned or unsigned x unsigned product. */
export function mulh(aLo: number, aHi: number, bLo: number, bHi: number, aSigned: boolean, bSigned: boolean): void {
  mulu128(aLo, aHi, bLo, bHi);
  let hLo = out[2], hHi = out[3];
  // Two's complement correction: a signed negative factor subtracts the other factor << 64.
  if (aSigned && aHi < 0) { sub(hLo, hHi, bLo, bHi); hLo = out[0]; hHi = out[1]; }
  if (bSigned && bHi < 0) { sub(hLo, hHi, aLo, aHi); hLo = out[0]; hHi = out[1]; }
  out[0] = hLo; out[1] = hHi;
}

const SAFE_HI = 0x100000; // |value| < 2^52 when hi is in [-SAFE_HI, SAFE_HI)

/** Signed division with RISC-V's rules for /0 and overflow (Unpriv §13.2). */
export function div(aLo: number, aHi: number, bLo: number, bHi: number): void {
  if (bLo === 0 && bHi === 0) { out[0] = -1; out[1] = -1; return; }
  if (aHi >= -SAFE_HI && aHi < SAFE_HI && bHi >= -SAFE_HI && bHi < SAFE_HI) {
    setNumber(Math.trunc(toNumber(aLo, aHi) / toNumber(bLo, bHi)));
    return;
  }
  if (aLo === 0 && aHi === -0x80000000 && bLo === -1 && bHi === -1) { out[0] = 0; out[1] = aHi; return; }
  fromBigInt(toBigInt(aLo, aHi) / toBigInt(bLo, bHi));
}

export function rem(aLo: number, aHi: number, bLo: number, bHi: number): void {
  if (bLo === 0 && bHi === 0) { out[0] = aLo; out[1] = aHi; return; }
  if (aHi >= -SAFE_HI && aHi < SAFE_HI && bHi >= -SAFE_HI && bHi < SAFE_HI) {
    setNumber(toNumber(aLo, aHi) % toNumber(bLo, bHi));
    return;
  }
  if (aLo === 0 && aHi === -0x80000000 && bLo === -1 && bHi === -1) { out[0] = 0; out[1] = 0; return; }
  fromBigInt(toBigInt(aLo, aHi) % toBigInt(bLo, bHi));
}

export function divu(aLo: number, aHi: number, bLo: number, bHi: number): void {
  if (bLo === 0 && bHi === 0) { out[0] = -1; out[1] = -1; return; }
  if ((aHi >>> 0) < SAFE_HI && (bHi >>> 0) < SAFE_HI) {
    setNumber(Math.floor((aHi * TWO32 + (aLo >>> 0)) / (bHi * TWO32 + (bLo >>> 0))));
    return;
  }
  fromBigInt(BigInt.asUintN(64, toBigInt(aLo, aHi)) / BigInt.asUintN(64, toBigInt(bLo, bHi)));
}

export function remu(aLo: number, aHi: number, bLo: number, bHi: number): void {
  if (bLo === 0 && bHi === 0) { out[0] = aLo; out[1] = aHi; return; }
  if ((aHi >>> 0) < SAFE_HI && (bHi >>> 0) < SAFE_HI) {
    setNumber((aHi * TWO32 + (aLo >>> 0)) % (bHi * TWO32 + (bLo >>> 0)));
    return;
  }
  fromBigInt(BigInt.asUintN(64, toBigInt(aLo, aHi)) % BigInt.asUintN(64, toBigInt(bLo, bHi)));
}

/** Store an exact integer-valued double (|v| < 2^53) as a pair. */
export function setNumber(v: number): void {
  const lo = v % TWO32; // keeps the sign of v
  out[0] = lo | 0;
  out[1] = Math.floor(v / TWO32) | 0;
  if (lo < 0) out[0] = (lo + TWO32) | 0;
}

/** 32-bit unsigned high product (MULHU on RV32). */
export function mulhu32(a: number, b: number): number {
  mulu128(a, 0, b, 0);
  return out[1];
}

/** Unpriv §13.2 on 32-bit words (RV32 DIV/REM, RV64 *W): x/0 = -1, overflow = dividend. */
export function div32(a: number, b: number): number {
  if (b === 0) return -1;
  if (a === -0x80000000 && b === -1) return a;
  return (a / b) | 0;
}
export function divu32(a: number, b: number): number {
  if (b === 0) return -1;
  return ((a >>> 0) / (b >>> 0)) | 0;
}
export function rem32(a: number, b: number): number {
  if (b === 0) return a;
  if (a === -0x80000000 && b === -1) return 0;
  return (a % b) | 0;
}
export function remu32(a: number, b: number): number {
  if (b === 0) return a;
  return ((a >>> 0) % (b >>> 0)) | 0;
}
