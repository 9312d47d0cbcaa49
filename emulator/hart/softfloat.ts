/**
 * IEEE 754-2008 binary32/binary64 arithmetic on raw bits, as RISC-V F and D define it
 * (Unpriv 20191213 ch. 11-12) and QEMU 7.2's softfloat computes it for RISC-V: every NaN
 * result is the canonical NaN (default-NaN mode), tininess is detected after rounding,
 * fflags are the five IEEE flags. Values are BigInt bit patterns; each operation computes
 * the exact result (BigInt significands) and rounds once (`roundPack`), so fused
 * multiply-add, division and square root are correctly rounded in every mode.
 *
 * Flags accumulate in `sf.flags` (fflags bit order); the caller clears and collects them.
 */

/** Rounding modes (the rm field, Unpriv §11.2). */
export const RM = { RNE: 0, RTZ: 1, RDN: 2, RUP: 3, RMM: 4 } as const;
/** fflags bits (Unpriv §11.2). */
export const FLAG = { NX: 1, UF: 2, OF: 4, DZ: 8, NV: 16 } as const;

/** The flags raised since the caller last cleared them. */
export const sf = { flags: 0 };

export interface Format {
  /** Significand bits including the hidden one. */
  readonly p: number;
  readonly ebits: number;
  readonly bias: number;
  /** The canonical NaN (Unpriv §11.3). */
  readonly nan: bigint;
}
export const F32: Format = { p: 24, ebits: 8, bias: 127, nan: 0x7fc00000n };
export const F64: Format = { p: 53, ebits: 11, bias: 1023, nan: 0x7ff8000000000000n };

const enum Cls { Zero, Finite, Inf, QNaN, SNaN }

interface Unpacked { cls: Cls; sign: number; m: bigint; e: number }

const width = (f: Format) => f.p + f.ebits;
const signBit = (f: Format) => 1n << BigInt(width(f) - 1);

function unpack(f: Format, bits: bigint): Unpacked {
  const fracBits = BigInt(f.p - 1);
  const sign = Number(bits >> BigInt(width(f) - 1)) & 1;
  const exp = Number((bits >> fracBits) & ((1n << BigInt(f.ebits)) - 1n));
  const frac = bits & ((1n << fracBits) - 1n);
  if (exp === (1 << f.ebits) - 1) {
    if (frac === 0n) return { cls: Cls.Inf, sign, m: 0n, e: 0 };
    return { cls: (frac >> (fracBits - 1n)) !== 0n ? Cls.QNaN : Cls.SNaN, sign, m: frac, e: 0 };
  }
  if (exp === 0) return frac === 0n ? { cls: Cls.Zero, sign, m: 0n, e: 0 } : { cls: Cls.Finite, sign, m: frac, e: 1 - f.bias - (f.p - 1) };
  return { cls: Cls.Finite, sign, m: frac | (1n << fracBits), e: exp - f.bias - (f.p - 1) };
}

const isNaN_ = (u: Unpacked) => u.cls === Cls.QNaN || u.cls === Cls.SNaN;
const zero = (f: Format, sign: number) => (sign !== 0 ? signBit(f) : 0n);
const inf = (f: Format, sign: number) => zero(f, sign) | (((1n << BigInt(f.ebits)) - 1n) << BigInt(f.p - 1));
/** The canonical NaN; NV when an input was signalling. */
function nanResult(f: Format, ...us: Unpacked[]): bigint {
  if (us.some((u) => u.cls === Cls.SNaN)) sf.flags |= FLAG.NV;
  return f.nan;
}
function invalid(f: Format): bigint { sf.flags |= FLAG.NV; return f.nan; }

function bitLength(m: bigint): number { return m === 0n ? 0 : m.toString(2).length; }

/**
 * m·2^e rounded to an integer multiple of 2^q (q > e): the multiple's count, and whether
 * anything was lost.
 */
function roundAt(m: bigint, e: number, q: number, rm: number, sign: number): [bigint, boolean] {
  if (q <= e) return [m << BigInt(e - q), false];
  const sh = BigInt(q - e);
  const kept = m >> sh;
  const rem = m & ((1n << sh) - 1n);
  if (rem === 0n) return [kept, false];
  const half = 1n << (sh - 1n);
  let up: boolean;
  switch (rm) {
    case RM.RNE: up = rem > half || (rem === half && (kept & 1n) === 1n); break;
    case RM.RTZ: up = false; break;
    case RM.RDN: up = sign !== 0; break;
    case RM.RUP: up = sign === 0; break;
    default: up = rem >= half; break; // RMM
  }
  return [up ? kept + 1n : kept, true];
}

/**
 * The exact value (-1)^sign · m · 2^e (m > 0) rounded to format f: the bits, with OF, UF
 * and NX raised as IEEE 754 §7 says, tininess after rounding (Unpriv §11.6).
 * A caller whose m is not exact passes at least p+2 significant bits with the lowest
 * ORed with "something was lost" (a sticky bit).
 */
export function roundPack(f: Format, sign: number, m: bigint, e: number, rm: number): bigint {
  const emin = 1 - f.bias, emax = f.bias;
  const E = e + bitLength(m) - 1;
  const q = Math.max(E, emin) - (f.p - 1);
  const [rounded, inexact] = roundAt(m, e, q, rm, sign);
  let k = rounded;
  let lsb = q;
  if (bitLength(k) > f.p) { k >>= 1n; lsb++; }
  if (k !== 0n && lsb + bitLength(k) - 1 > emax) {
    sf.flags |= FLAG.OF | FLAG.NX;
    const toMax = rm === RM.RTZ || (rm === RM.RDN && sign === 0) || (rm === RM.RUP && sign !== 0);
    return toMax ? inf(f, sign) - 1n : inf(f, sign);
  }
  if (inexact) {
    sf.flags |= FLAG.NX;
    if (E < emin) {
      // Tiny when, rounded with an unbounded exponent, the result is still below 2^emin.
      const [k2] = roundAt(m, e, E - (f.p - 1), rm, sign);
      if (E + (bitLength(k2) > f.p ? 1 : 0) < emin) sf.flags |= FLAG.UF;
    }
  }
  if (k === 0n) return zero(f, sign);
  const fracBits = BigInt(f.p - 1);
  if (bitLength(k) < f.p) return zero(f, sign) | k; // subnormal (lsb is emin - (p-1))
  return zero(f, sign) | (BigInt(lsb + (f.p - 1) + f.bias) << fracBits) | (k - (1n << fracBits));
}

/** A signed exact sum m1·2^e1 ± m2·2^e2, rounded; an exact zero is +0 (-0 when rounding down). */
function sumRound(f: Format, s1: number, m1: bigint, e1: number, s2: number, m2: bigint, e2: number, rm: number): bigint {
  const e = Math.min(e1, e2);
  const a = (m1 << BigInt(e1 - e)) * (s1 !== 0 ? -1n : 1n);
  const b = (m2 << BigInt(e2 - e)) * (s2 !== 0 ? -1n : 1n);
  const s = a + b;
  if (s === 0n) return zero(f, rm === RM.RDN ? 1 : 0);
  return roundPack(f, s < 0n ? 1 : 0, s < 0n ? -s : s, e, rm);
}

export function add(f: Format, x: bigint, y: bigint, rm: number): bigint {
  const a = unpack(f, x), b = unpack(f, y);
  if (isNaN_(a) || isNaN_(b)) return nanResult(f, a, b);
  if (a.cls === Cls.Inf || b.cls === Cls.Inf) {
    if (a.cls === Cls.Inf && b.cls === Cls.Inf && a.sign !== b.sign) return invalid(f);
    return a.cls === Cls.Inf ? x : y;
  }
  if (a.cls === Cls.Zero && b.cls === Cls.Zero) return zero(f, a.sign === b.sign ? a.sign : rm === RM.RDN ? 1 : 0);
  if (a.cls === Cls.Zero) return y;
  if (b.cls === Cls.Zero) return x;
  return sumRound(f, a.sign, a.m, a.e, b.sign, b.m, b.e, rm);
}

export function sub(f: Format, x: bigint, y: bigint, rm: number): bigint {
  const b = unpack(f, y);
  return add(f, x, isNaN_(b) ? y : y ^ signBit(f), rm); // a NaN keeps its class: the result is canonical anyway
}

export function mul(f: Format, x: bigint, y: bigint, rm: number): bigint {
  const a = unpack(f, x), b = unpack(f, y);
  if (isNaN_(a) || isNaN_(b)) return nanResult(f, a, b);
  const sign = a.sign ^ b.sign;
  if (a.cls === Cls.Inf || b.cls === Cls.Inf) return a.cls === Cls.Zero || b.cls === Cls.Zero ? invalid(f) : inf(f, sign);
  if (a.cls === Cls.Zero || b.cls === Cls.Zero) return zero(f, sign);
  return roundPack(f, sign, a.m * b.m, a.e + b.e, rm);
}

export function div(f: Format, x: bigint, y: bigint, rm: number): bigint {
  const a = unpack(f, x), b = unpack(f, y);
  if (isNaN_(a) || isNaN_(b)) return nanResult(f, a, b);
  const sign = a.sign ^ b.sign;
  if (a.cls === Cls.Inf) return b.cls === Cls.Inf ? invalid(f) : inf(f, sign);
  if (b.cls === Cls.Inf) return zero(f, sign);
  if (b.cls === Cls.Zero) {
    if (a.cls === Cls.Zero) return invalid(f);
    sf.flags |= FLAG.DZ;
    return inf(f, sign);
  }
  if (a.cls === Cls.Zero) return zero(f, sign);
  const k = Math.max(0, f.p + 3 + bitLength(b.m) - bitLength(a.m));
  const n = a.m << BigInt(k);
  let q = n / b.m;
  if (q * b.m !== n) q |= 1n; // sticky
  return roundPack(f, sign, q, a.e - b.e - k, rm);
}

/** floor(sqrt(n)) for n ≥ 0. */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // Newton's iteration from above converges to the floor.
  let x = BigInt(Math.ceil(Math.sqrt(Number(n)) * (1 + 2 ** -40))) + 2n;
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export function sqrt(f: Format, x: bigint, rm: number): bigint {
  const a = unpack(f, x);
  if (isNaN_(a)) return nanResult(f, a);
  if (a.cls === Cls.Zero) return x;
  if (a.sign !== 0) return invalid(f);
  if (a.cls === Cls.Inf) return x;
  let m = a.m, e = a.e;
  if ((e & 1) !== 0) { m <<= 1n; e -= 1; }
  const k = Math.max(0, f.p + 4 - (bitLength(m) >> 1));
  const n = m << BigInt(2 * k);
  let r = isqrt(n);
  if (r * r !== n) r |= 1n;
  return roundPack(f, 0, r, (e >> 1) - k, rm);
}

/**
 * (±x·y) ± z with one rounding (Unpriv §11.6): fmadd is (false, false), fmsub (false, true),
 * fnmsub (true, false), fnmadd (true, true), negations applied to the operands as QEMU does
 * (so an exact zero's sign follows from the negated operands).
 */
export function fma(f: Format, x: bigint, y: bigint, z: bigint, negProduct: boolean, negAddend: boolean, rm: number): bigint {
  const a = unpack(f, x), b = unpack(f, y), c = unpack(f, z);
  const infZero = (a.cls === Cls.Inf && b.cls === Cls.Zero) || (a.cls === Cls.Zero && b.cls === Cls.Inf);
  if (isNaN_(a) || isNaN_(b) || isNaN_(c)) {
    if (infZero) sf.flags |= FLAG.NV; // ∞·0 is invalid even with a quiet NaN addend (Unpriv §11.6)
    return nanResult(f, a, b, c);
  }
  if (infZero) return invalid(f);
  const ps = a.sign ^ b.sign ^ (negProduct ? 1 : 0);
  const cs = c.sign ^ (negAddend ? 1 : 0);
  if (a.cls === Cls.Inf || b.cls === Cls.Inf) {
    if (c.cls === Cls.Inf && cs !== ps) return invalid(f);
    return inf(f, ps);
  }
  if (c.cls === Cls.Inf) return inf(f, cs);
  if (a.cls === Cls.Zero || b.cls === Cls.Zero) {
    if (c.cls === Cls.Zero) return zero(f, ps === cs ? ps : rm === RM.RDN ? 1 : 0);
    return z ^ (negAddend ? signBit(f) : 0n);
  }
  if (c.cls === Cls.Zero) return roundPack(f, ps, a.m * b.m, a.e + b.e, rm);
  return sumRound(f, ps, a.m * b.m, a.e + b.e, cs, c.m, c.e, rm);
}

// ---------------------------------------------------------------- comparisons, sign, class

const view = new DataView(new ArrayBuffer(8));
/** A non-NaN value as a JS number (exact). */
function toNumber(f: Format, bits: bigint): number {
  if (f === F32) { view.setUint32(0, Number(bits)); return view.getFloat32(0); }
  view.setBigUint64(0, bits);
  return view.getFloat64(0);
}

/** feq (quiet: NV only for a signalling NaN), flt and fle (signalling: NV for any NaN). */
export function compare(f: Format, x: bigint, y: bigint, kind: 'eq' | 'lt' | 'le'): boolean {
  const a = unpack(f, x), b = unpack(f, y);
  if (isNaN_(a) || isNaN_(b)) {
    if (kind !== 'eq' || a.cls === Cls.SNaN || b.cls === Cls.SNaN) sf.flags |= FLAG.NV;
    return false;
  }
  const p = toNumber(f, x), q = toNumber(f, y);
  return kind === 'eq' ? p === q : kind === 'lt' ? p < q : p <= q;
}

/**
 * fmin/fmax as IEEE 754-2019 minimumNumber/maximumNumber (Unpriv 20191213 §11.6; QEMU 7.2
 * for priv ≥ 1.11): a NaN operand yields the other, -0 < +0, NV for a signalling NaN.
 */
export function minMax(f: Format, x: bigint, y: bigint, max: boolean): bigint {
  const a = unpack(f, x), b = unpack(f, y);
  if (a.cls === Cls.SNaN || b.cls === Cls.SNaN) sf.flags |= FLAG.NV;
  if (isNaN_(a)) return isNaN_(b) ? f.nan : y;
  if (isNaN_(b)) return x;
  const p = toNumber(f, x), q = toNumber(f, y);
  if (p === q) return (a.sign === 1) !== max ? x : y; // ±0: min takes the negative one, max the positive
  return (p < q) !== max ? x : y;
}

/** fclass's one-hot mask (Unpriv §11.9). */
export function classify(f: Format, x: bigint): number {
  const u = unpack(f, x);
  const subnormal = u.cls === Cls.Finite && (x & (inf(f, 0))) === 0n;
  switch (u.cls) {
    case Cls.Inf: return u.sign ? 1 << 0 : 1 << 7;
    case Cls.Zero: return u.sign ? 1 << 3 : 1 << 4;
    case Cls.SNaN: return 1 << 8;
    case Cls.QNaN: return 1 << 9;
    default: return subnormal ? (u.sign ? 1 << 2 : 1 << 5) : (u.sign ? 1 << 1 : 1 << 6);
  }
}

// ---------------------------------------------------------------- conversions

/**
 * A float to a `bits`-wide integer, signed or not, as QEMU 7.2's float_to_int/uint: rounded
 * first (NX), then NV (alone, without NX) and saturation when out of range; a NaN gives the
 * largest value. The result is the integer (negative for signed negatives).
 */
export function toInt(f: Format, x: bigint, bits: 32 | 64, signed: boolean, rm: number): bigint {
  const u = unpack(f, x);
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
  if (isNaN_(u)) { sf.flags |= FLAG.NV; return max; }
  if (u.cls === Cls.Inf) { sf.flags |= FLAG.NV; return u.sign ? min : max; }
  if (u.cls === Cls.Zero) return 0n;
  const [k, inexact] = roundAt(u.m, u.e, 0, rm, u.sign);
  if (k === 0n) { if (inexact) sf.flags |= FLAG.NX; return 0n; }
  const v = u.sign ? -k : k;
  if (v < min) { sf.flags |= FLAG.NV; return min; }
  if (v > max) { sf.flags |= FLAG.NV; return max; }
  if (inexact) sf.flags |= FLAG.NX;
  return v;
}

/** An integer (any size) to a float, rounded. */
export function fromInt(f: Format, v: bigint, rm: number): bigint {
  if (v === 0n) return 0n;
  return roundPack(f, v < 0n ? 1 : 0, v < 0n ? -v : v, 0, rm);
}

/** One format to the other (fcvt.s.d rounds; fcvt.d.s is exact); NaNs become the canonical NaN. */
export function convert(from: Format, to: Format, x: bigint, rm: number): bigint {
  const u = unpack(from, x);
  if (isNaN_(u)) return nanResult(to, u);
  if (u.cls === Cls.Inf) return inf(to, u.sign);
  if (u.cls === Cls.Zero) return zero(to, u.sign);
  return roundPack(to, u.sign, u.m, u.e, rm);
}
