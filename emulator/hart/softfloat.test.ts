import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as SF from './softfloat';
import { F32, F64, FLAG, RM, sf } from './softfloat';

const dv = new DataView(new ArrayBuffer(8));
const d2b = (v: number): bigint => { dv.setFloat64(0, v); return dv.getBigUint64(0); };
const b2d = (b: bigint): number => { dv.setBigUint64(0, b); return dv.getFloat64(0); };
const s2b = (v: number): bigint => { dv.setFloat32(0, v); return BigInt(dv.getUint32(0)); };
const b2s = (b: bigint): number => { dv.setUint32(0, Number(b)); return dv.getFloat32(0); };

/** A fixed-seed generator of varied doubles (wide exponents, subnormals, exact values). */
function* doubles(n: number): Generator<number> {
  let s = 0x12345678;
  const next = () => { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; return s >>> 0; };
  for (let i = 0; i < n; i++) {
    dv.setUint32(0, next()); dv.setUint32(4, next());
    if (i % 3 === 0) dv.setUint16(0, (dv.getUint16(0) & 0x800f) | ((0x3ff + (next() % 80) - 40) << 4)); // near 1
    const v = dv.getFloat64(0);
    if (!Number.isNaN(v)) yield v;
  }
}

function run<T>(f: () => T): [T, number] { sf.flags = 0; const r = f(); return [r, sf.flags]; }

test('double add, mul, div, sqrt in RNE equal the host (which rounds to nearest even)', () => {
  const vs = [...doubles(400)];
  for (let i = 0; i + 1 < vs.length; i++) {
    const a = vs[i], b = vs[i + 1];
    assert.equal(b2d(run(() => SF.add(F64, d2b(a), d2b(b), RM.RNE))[0]), a + b, `${a} + ${b}`);
    assert.equal(b2d(run(() => SF.mul(F64, d2b(a), d2b(b), RM.RNE))[0]), a * b, `${a} * ${b}`);
    assert.equal(b2d(run(() => SF.div(F64, d2b(a), d2b(b), RM.RNE))[0]), a / b, `${a} / ${b}`);
    const r = Math.sqrt(a);
    if (!Number.isNaN(r)) assert.equal(b2d(run(() => SF.sqrt(F64, d2b(a), RM.RNE))[0]), r, `sqrt ${a}`);
  }
});

test('single operations equal the double result rounded to single (exact for + - * / sqrt)', () => {
  const vs = [...doubles(300)].map(Math.fround).filter((v) => Number.isFinite(v));
  for (let i = 0; i + 1 < vs.length; i++) {
    const a = vs[i], b = vs[i + 1];
    assert.equal(b2s(run(() => SF.add(F32, s2b(a), s2b(b), RM.RNE))[0]), Math.fround(a + b));
    assert.equal(b2s(run(() => SF.mul(F32, s2b(a), s2b(b), RM.RNE))[0]), Math.fround(a * b));
    assert.equal(b2s(run(() => SF.div(F32, s2b(a), s2b(b), RM.RNE))[0]), Math.fround(a / b));
  }
});

test('flags: inexact, overflow per rounding mode, underflow after rounding, divide by zero, invalid', () => {
  assert.deepEqual(run(() => SF.add(F64, d2b(1), d2b(2 ** -60), RM.RNE)), [d2b(1), FLAG.NX]);
  assert.deepEqual(run(() => SF.add(F64, d2b(1), d2b(2 ** -60), RM.RUP)), [d2b(1 + 2 ** -52), FLAG.NX]);
  assert.deepEqual(run(() => SF.mul(F64, d2b(1e308), d2b(10), RM.RTZ)), [d2b(Number.MAX_VALUE), FLAG.OF | FLAG.NX]);
  assert.deepEqual(run(() => SF.mul(F64, d2b(-1e308), d2b(10), RM.RUP)), [d2b(-Number.MAX_VALUE), FLAG.OF | FLAG.NX]);
  assert.deepEqual(run(() => SF.mul(F64, d2b(1e308), d2b(10), RM.RNE)), [d2b(Infinity), FLAG.OF | FLAG.NX]);
  // (2^-1022)(1 - 2^-54) rounds up to 2^-1022 in RNE: not tiny after rounding, so NX alone.
  const justBelow = SF.roundPack(F64, 0, (1n << 54n) - 1n, -1022 - 54, RM.RNE);
  sf.flags = 0;
  assert.deepEqual(run(() => SF.roundPack(F64, 0, (1n << 54n) - 1n, -1022 - 54, RM.RNE)), [d2b(2 ** -1022), FLAG.NX]);
  assert.equal(justBelow, d2b(2 ** -1022));
  assert.deepEqual(run(() => SF.roundPack(F64, 0, (1n << 54n) - 1n, -1022 - 54, RM.RTZ)), [d2b(2 ** -1022 - 2 ** -1074), FLAG.NX | FLAG.UF]);
  assert.deepEqual(run(() => SF.div(F64, d2b(1), d2b(-0), RM.RNE)), [d2b(-Infinity), FLAG.DZ]);
  assert.deepEqual(run(() => SF.div(F64, d2b(0), d2b(0), RM.RNE)), [F64.nan, FLAG.NV]);
  assert.deepEqual(run(() => SF.sqrt(F64, d2b(-1), RM.RNE)), [F64.nan, FLAG.NV]);
  assert.deepEqual(run(() => SF.sqrt(F64, d2b(-0), RM.RNE)), [d2b(-0), 0]);
  assert.deepEqual(run(() => SF.add(F32, 0x7f800001n, s2b(1), RM.RNE)), [F32.nan, FLAG.NV]); // sNaN
  assert.deepEqual(run(() => SF.add(F32, 0x7fc00001n, s2b(1), RM.RNE)), [F32.nan, 0]); // qNaN: canonical, quiet
  assert.deepEqual(run(() => SF.sub(F64, d2b(1), d2b(1), RM.RDN)), [d2b(-0), 0]);
});

test('fused multiply-add rounds once', () => {
  // (1 + 2^-30)^2 - 1 - 2^-29 = 2^-60 exactly, lost entirely by a*b+c in doubles.
  const a = 1 + 2 ** -30;
  assert.deepEqual(run(() => SF.fma(F64, d2b(a), d2b(a), d2b(-(1 + 2 ** -29)), false, false, RM.RNE)), [d2b(2 ** -60), 0]);
  assert.notEqual(a * a - (1 + 2 ** -29), 2 ** -60);
  // ∞·0 + qNaN is invalid; fnmadd of exact zeros follows the negated operands.
  assert.deepEqual(run(() => SF.fma(F64, d2b(Infinity), d2b(0), F64.nan, false, false, RM.RNE)), [F64.nan, FLAG.NV]);
  assert.deepEqual(run(() => SF.fma(F64, d2b(0), d2b(1), d2b(-0), true, true, RM.RNE)), [d2b(0), 0]);
  assert.deepEqual(run(() => SF.fma(F64, d2b(0), d2b(1), d2b(0), true, true, RM.RNE)), [d2b(-0), 0]);
});

test('conversions saturate as QEMU: NV alone when out of range, NaN gives the maximum', () => {
  assert.deepEqual(run(() => SF.toInt(F64, d2b(-1.5), 32, false, RM.RNE)), [0n, FLAG.NV]);
  assert.deepEqual(run(() => SF.toInt(F64, d2b(-0.25), 32, false, RM.RNE)), [0n, FLAG.NX]);
  assert.deepEqual(run(() => SF.toInt(F64, d2b(2.5), 32, true, RM.RNE)), [2n, FLAG.NX]);
  assert.deepEqual(run(() => SF.toInt(F64, d2b(2.5), 32, true, RM.RMM)), [3n, FLAG.NX]);
  assert.deepEqual(run(() => SF.toInt(F64, d2b(-2.5), 32, true, RM.RDN)), [-3n, FLAG.NX]);
  assert.deepEqual(run(() => SF.toInt(F64, d2b(3e9), 32, true, RM.RNE)), [2147483647n, FLAG.NV]);
  assert.deepEqual(run(() => SF.toInt(F64, F64.nan, 64, true, RM.RNE)), [(1n << 63n) - 1n, FLAG.NV]);
  assert.deepEqual(run(() => SF.toInt(F64, d2b(-Infinity), 64, true, RM.RNE)), [-(1n << 63n), FLAG.NV]);
  assert.deepEqual(run(() => SF.fromInt(F32, (1n << 64n) - 1n, RM.RNE)), [s2b(2 ** 64), FLAG.NX]);
  assert.deepEqual(run(() => SF.convert(F64, F32, d2b(1e300), RM.RNE)), [s2b(Infinity), FLAG.OF | FLAG.NX]);
  assert.deepEqual(run(() => SF.convert(F32, F64, 0x7f800001n, RM.RNE)), [F64.nan, FLAG.NV]);
});

test('min/max, compares and fclass', () => {
  assert.deepEqual(run(() => SF.minMax(F64, d2b(0), d2b(-0), false)), [d2b(-0), 0]);
  assert.deepEqual(run(() => SF.minMax(F64, d2b(-0), d2b(0), true)), [d2b(0), 0]);
  assert.deepEqual(run(() => SF.minMax(F64, 0x7ff0000000000001n, d2b(3), true)), [d2b(3), FLAG.NV]);
  assert.deepEqual(run(() => SF.minMax(F64, F64.nan, F64.nan, true)), [F64.nan, 0]);
  assert.deepEqual(run(() => SF.compare(F64, F64.nan, d2b(1), 'eq')), [false, 0]);
  assert.deepEqual(run(() => SF.compare(F64, F64.nan, d2b(1), 'le')), [false, FLAG.NV]);
  assert.deepEqual(run(() => SF.compare(F64, d2b(-0), d2b(0), 'le')), [true, 0]);
  assert.equal(SF.classify(F32, 0x00000001n), 1 << 5);
  assert.equal(SF.classify(F32, 0xff800000n), 1 << 0);
  assert.equal(SF.classify(F64, 0x7ff0000000000001n), 1 << 8);
  assert.equal(SF.isqrt(99n), 9n);
  assert.equal(SF.isqrt((1n << 200n) + 5n), 1n << 100n);
});

test('every rounding mode at a tie and just off it (1 + 2^-53 and 1 + 3·2^-54, both signs)', () => {
  const one = d2b(1), tie = d2b(2 ** -53), above = d2b(3 * 2 ** -54);
  const next = d2b(1 + 2 ** -52), neg = (b: bigint) => b ^ (1n << 63n);
  const cases: [number, bigint, bigint, bigint][] = [ // rm, addend, result for +1, result for -1 (with -addend)
    [RM.RNE, tie, one, neg(one)], [RM.RTZ, tie, one, neg(one)], [RM.RDN, tie, one, neg(next)],
    [RM.RUP, tie, next, neg(one)], [RM.RMM, tie, next, neg(next)],
    [RM.RNE, above, next, neg(next)], [RM.RTZ, above, one, neg(one)], [RM.RMM, above, next, neg(next)],
  ];
  for (const [rm, addend, pos, negative] of cases) {
    assert.deepEqual(run(() => SF.add(F64, one, addend, rm)), [pos, FLAG.NX], `rm ${rm} +`);
    assert.deepEqual(run(() => SF.add(F64, neg(one), neg(addend), rm)), [negative, FLAG.NX], `rm ${rm} -`);
  }
  // The smallest subnormal halved: a tie to even (zero) in RNE, away in RMM; UF with NX.
  const tiny = SF.roundPack(F32, 0, 1n, -150, RM.RNE);
  assert.equal(tiny, 0n);
  assert.deepEqual(run(() => SF.roundPack(F32, 0, 1n, -150, RM.RMM)), [1n, FLAG.NX | FLAG.UF]);
});
