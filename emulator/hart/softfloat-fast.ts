/**
 * The common case of softfloat.ts without BigInt: round-to-nearest-even arithmetic on
 * finite operands whose result is a normal number far from overflow and underflow, done
 * in host doubles (which round to nearest even) with the exactness test of error-free
 * transformations (TwoSum, Dekker's TwoProduct) for NX. Anything else (other rounding
 * modes, NaN, infinities, zeros results, extreme exponents, a fused multiply-add whose
 * rounding is a tie the double-double cannot settle) returns NaN: use softfloat.ts.
 * Singles are computed in doubles and rounded once more (exact for + - * / sqrt: 53 ≥ 2·24+2).
 */

/** Operations, as arithD/arithS take them. fma variants: negate product (bit 1), addend (bit 0). */
export const FOP = { ADD: 0, SUB: 1, MUL: 2, DIV: 3, SQRT: 4, FMADD: 8, FMSUB: 9, FNMSUB: 10, FNMADD: 11 } as const;

/** Set by the last successful call that was asked (`nx`): whether the result was rounded (NX); false when not asked. */
export const fast = { inexact: false };

/** Operands and results within these magnitudes are normal, and so are the error-free transformations' terms (wasm-float.ts too). */
export const LO = 2 ** -800, HI = 2 ** 800;
const inRange = (v: number) => { const m = Math.abs(v); return m >= LO && m <= HI; };
const okOperand = (v: number) => v === 0 || inRange(v);

/** Dekker's TwoProduct error term of p = a·b (a, b, p in range: no overflow in the split). */
function productError(a: number, b: number, p: number): number {
  const sa = 134217729 * a, ah = sa - (sa - a), al = a - ah;
  const sb = 134217729 * b, bh = sb - (sb - b), bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}
/** TwoSum's error term of s = a + b. */
function sumError(a: number, b: number, s: number): number {
  const bb = s - a;
  return (a - (s - bb)) + (b - bb);
}

/**
 * The double result, or NaN when the slow path must decide. `nx`: whether NX must be
 * decided; a caller whose fflags hold NX already passes false and skips the exactness
 * test, most of an operation's cost (QEMU's hardfloat takes the host path on the same
 * condition: flags accrue, so a set NX cannot be set again).
 */
export function arithD(op: number, x: number, y: number, z: number, nx = true): number {
  if (!okOperand(x) || !okOperand(y)) return NaN;
  let r: number, err = 0;
  switch (op) {
    case FOP.ADD: case FOP.SUB: {
      const q = op === FOP.SUB ? -y : y;
      r = x + q;
      if (nx) err = sumError(x, q, r);
      break;
    }
    case FOP.MUL:
      r = x * y;
      if (!inRange(r)) return NaN;
      if (nx) err = productError(x, y, r);
      break;
    case FOP.DIV: {
      if (y === 0) return NaN;
      r = x / y;
      if (!inRange(r)) return NaN;
      if (nx) { const p = r * y; err = p !== x ? 1 : productError(r, y, p); }
      break;
    }
    case FOP.SQRT: {
      if (x <= 0) return NaN;
      r = Math.sqrt(x);
      if (nx) { const p = r * r; err = p !== x ? 1 : productError(r, r, p); }
      break;
    }
    default: return fmaD(op, x, y, z);
  }
  if (!inRange(r)) return NaN;
  fast.inexact = err !== 0;
  return r;
}

function fmaD(op: number, x: number, y: number, z: number): number {
  if (!okOperand(z) || x === 0 || y === 0) return NaN;
  const a = (op & 2) !== 0 ? -x : x, c = (op & 1) !== 0 ? -z : z;
  const ph = a * y;
  if (!inRange(ph)) return NaN;
  const pl = productError(a, y, ph);
  // exact = ph + pl + c = sh + sl + pl = sh + t + e2 = r + e3 + e2
  const sh = ph + c, sl = sumError(ph, c, sh);
  const t = sl + pl, e2 = sumError(sl, pl, t);
  const r = sh + t, e3 = sumError(sh, t, r);
  if (!inRange(r)) return NaN;
  // r rounds sh + t = r + e3; the exact value is e2 further. Safe unless that may cross a
  // midpoint next to r: half an ulp above, a quarter below a power of two.
  if (e2 !== 0 && Math.abs(e3) + Math.abs(e2) >= quarterUlpOrMore(r)) return NaN;
  fast.inexact = e2 !== 0 || e3 !== 0;
  return r;
}

const f64 = new Float64Array(1);
const i32 = new Int32Array(f64.buffer);
/** 2^(e - 1023) by biased exponent e: built once, so no double is assembled from int stores on the hot path (a store-forwarding stall). */
const POW2 = Float64Array.from({ length: 2048 }, (_, e) => 2 ** (e - 1023));
/** Half an ulp of a normal r, or a quarter when r is a power of two (its lower midpoint is nearer). */
function quarterUlpOrMore(r: number): number {
  f64[0] = r;
  const hi = i32[1], e = (hi >>> 20) & 0x7ff; // biased; r is in range, so e - 54 is a normal exponent
  const pow2 = (hi & 0xfffff) === 0 && i32[0] === 0;
  return POW2[e - (pow2 ? 54 : 53)];
}

/** A single result within these magnitudes is normal and raised no OF/UF (wasm-float.ts and fpu.ts fcvt.s.d too). */
export const SMALLEST_SAFE_S = 2 ** -125, LARGEST_SAFE_S = 2 ** 126;

/** The single result (a float as a double), or NaN when the slow path must decide. */
export function arithS(op: number, x: number, y: number, z: number, nx = true): number {
  let r: number;
  if (op >= FOP.FMADD) {
    if (x === 0 || y === 0) return NaN;
    const a = (op & 2) !== 0 ? -x : x, c = (op & 1) !== 0 ? -z : z;
    const p = a * y; // exact: 48 bits
    const s = p + c, e = sumError(p, c, s);
    r = Math.fround(s);
    if (e !== 0 && r !== s) {
      // s rounded already: wrong only when s is a tie between two singles.
      const other = Math.fround(2 * s - r);
      if (other !== r && 2 * s === r + other) return NaN;
    }
    if (!safeS(r)) return NaN;
    fast.inexact = e !== 0 || r !== s;
    return r;
  }
  const d = arithD(op, x, y, 0, nx);
  if (Number.isNaN(d)) return NaN;
  r = Math.fround(d);
  if (!safeS(r)) return NaN;
  fast.inexact = nx && (fast.inexact || r !== d);
  return r;
}
export function safeS(r: number): boolean { const m = Math.abs(r); return m >= SMALLEST_SAFE_S && m <= LARGEST_SAFE_S; }
