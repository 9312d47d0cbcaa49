/**
 * The fast path against softfloat.ts: wherever it answers, the same bits and the same NX,
 * over seeded random operands shaped to hit cancellation, exact results and ties.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as SF from './softfloat';
import { FOP, arithD, arithS, fast } from './softfloat-fast';

const dv = new DataView(new ArrayBuffer(8));
const d2b = (v: number): bigint => { dv.setFloat64(0, v); return dv.getBigUint64(0); };
const s2b = (v: number): bigint => { dv.setFloat32(0, v); return BigInt(dv.getUint32(0)); };

let seed = 0x2545f4914f6cdd1dn;
function rnd(): bigint { seed ^= (seed << 13n) & 0xffffffffffffffffn; seed ^= seed >> 7n; seed ^= (seed << 17n) & 0xffffffffffffffffn; return seed; }
/** A double with few significant bits now and then (exact results, ties), exponents near 0. */
function value(): number {
  const r = rnd();
  const bits = (r & 0x800fffffffffffffn) | (BigInt(1023 - 30 + Number((r >> 52n) % 60n)) << 52n);
  dv.setBigUint64(0, bits);
  const v = dv.getFloat64(0);
  return (r & 3n) === 0n ? Math.round(v * 1024) / 1024 || 1 : v;
}

function check(f: SF.Format, op: number, x: number, y: number, z: number): number {
  const r = f === SF.F64 ? arithD(op, x, y, z) : arithS(op, x, y, z);
  if (Number.isNaN(r)) return 0;
  const toBits = f === SF.F64 ? d2b : s2b;
  const [a, b, c] = [toBits(x), toBits(y), toBits(z)];
  SF.sf.flags = 0;
  const want = op === FOP.ADD ? SF.add(f, a, b, 0) : op === FOP.SUB ? SF.sub(f, a, b, 0) : op === FOP.MUL ? SF.mul(f, a, b, 0)
    : op === FOP.DIV ? SF.div(f, a, b, 0) : op === FOP.SQRT ? SF.sqrt(f, a, 0) : SF.fma(f, a, b, c, (op & 2) !== 0, (op & 1) !== 0, 0);
  assert.equal(toBits(r), want, `op ${op} (${x}, ${y}, ${z})`);
  assert.equal(fast.inexact, (SF.sf.flags & SF.FLAG.NX) !== 0, `NX of op ${op} (${x}, ${y}, ${z})`);
  assert.equal(SF.sf.flags & ~SF.FLAG.NX, 0);
  // With NX accrued already (nx false) the exactness test is skipped, never the result.
  const again = f === SF.F64 ? arithD(op, x, y, z, false) : arithS(op, x, y, z, false);
  assert.equal(toBits(again), want, `op ${op} (${x}, ${y}, ${z}) with NX set`);
  return 1;
}

for (const [name, f, round] of [['double', SF.F64, (v: number) => v], ['single', SF.F32, Math.fround]] as const) {
  test(`${name}: the fast path agrees with softfloat.ts where it answers`, () => {
    let answered = 0, total = 0;
    for (let i = 0; i < 4000; i++) {
      const x = round(value()), y = round(value()), z = round(value());
      for (const op of [FOP.ADD, FOP.SUB, FOP.MUL, FOP.DIV, FOP.SQRT, FOP.FMADD, FOP.FMSUB, FOP.FNMSUB, FOP.FNMADD]) {
        total++;
        answered += check(f, op, Math.abs(x), y, z);
        // Near-cancellation: z close to -x·y.
        if (op >= FOP.FMADD) { total++; answered += check(f, op, x, y, round(-(x * y) * (1 + 2 ** -40))); }
      }
    }
    assert.ok(answered > total * 0.8, `the fast path answered ${answered} of ${total}`);
  });
}
