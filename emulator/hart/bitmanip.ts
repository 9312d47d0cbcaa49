/**
 * Zbb and Zbc operations that are more than an expression (Bitmanip 1.0.0 ch. 2), for
 * the code isa-semantics.ts generates (`BM.` there). Values are int32 words; a 64-bit
 * value is a (lo, hi) pair and 64-bit results go to I64.out, as int64.ts does.
 */
import { out } from './int64';

/** Trailing zeros of a word (32 for 0). */
export function ctz32(x: number): number { return x === 0 ? 32 : 31 - Math.clz32(x & -x); }
export function clz64(lo: number, hi: number): number { return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo); }
export function ctz64(lo: number, hi: number): number { return lo !== 0 ? ctz32(lo) : 32 + ctz32(hi); }
/**
 * ctzw as QEMU 7.2 computes it: trailing zeros of the whole register, 32 when it is zero
 * (Bitmanip 1.0.0 counts in the low word only: 0x1_0000_0000 gives 32 both ways, but
 * 0x8000_0000_0000_0000 gives 63 on QEMU 7.2 and 32 by the spec).
 */
export function ctzwQemu(lo: number, hi: number): number { return lo === 0 && hi === 0 ? 32 : ctz64(lo, hi); }

/** Set bits of a word. */
export function cpop32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** orc.b on a word: each non-zero byte becomes 0xff. */
export function orcb(x: number): number {
  let r = 0;
  for (let i = 0; i < 32; i += 8) if (((x >>> i) & 0xff) !== 0) r |= 0xff << i;
  return r;
}

/** The bytes of a word reversed (rev8 on RV32; each half of RV64's). */
export function rev8(x: number): number {
  return ((x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) | 0;
}

/** Carry-less product of two words: low word in out[0], high in out[1]. */
function clmulWords(a: number, b: number): void {
  let lo = 0, hi = 0;
  for (let i = 0; i < 32; i++) {
    if (((b >>> i) & 1) === 0) continue;
    lo ^= a << i;
    if (i !== 0) hi ^= a >>> (32 - i);
  }
  out[0] = lo; out[1] = hi;
}

/** clmul (0), clmulh (1), clmulr (2) on RV32. */
export function clmul32(a: number, b: number, which: 0 | 1 | 2): number {
  clmulWords(a, b);
  return which === 0 ? out[0] : which === 1 ? out[1] : (out[1] << 1) | (out[0] >>> 31);
}

/** clmul (0), clmulh (1), clmulr (2) on RV64: the 128-bit product's bits 63:0, 127:64 or 126:63, into out. */
export function clmul64(al: number, ah: number, bl: number, bh: number, which: 0 | 1 | 2): void {
  clmulWords(al, bl);
  const w0 = out[0];
  let w1 = out[1];
  clmulWords(al, bh);
  w1 ^= out[0];
  let w2 = out[1];
  clmulWords(ah, bl);
  w1 ^= out[0];
  w2 ^= out[1];
  clmulWords(ah, bh);
  w2 ^= out[0];
  const w3 = out[1];
  if (which === 0) { out[0] = w0; out[1] = w1; } else if (which === 1) { out[0] = w2; out[1] = w3; } else {
    out[0] = (w1 >>> 31) | (w2 << 1);
    out[1] = (w2 >>> 31) | (w3 << 1);
  }
}
