/** The int32-pair arithmetic against BigInt, on edge values and a seeded random sweep. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as I64 from './int64';

const M64 = (1n << 64n) - 1n;
const s64 = (v: bigint) => BigInt.asIntN(64, v);
const u64 = (v: bigint) => BigInt.asUintN(64, v);
const lo = (v: bigint) => Number(BigInt.asIntN(32, v));
const hi = (v: bigint) => Number(BigInt.asIntN(32, v >> 32n));
const got = () => I64.toBigInt(I64.out[0], I64.out[1]);

const EDGES = [0n, 1n, 2n, 3n, -1n, -2n, 7n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n,
  (1n << 52n) - 1n, 1n << 52n, (1n << 53n) + 1n, (1n << 63n) - 1n, -(1n << 63n), 0x123456789abcdef0n, -0x0fedcba987654321n];

function* pairs(): Generator<[bigint, bigint]> {
  for (const a of EDGES) for (const b of EDGES) yield [s64(a), s64(b)];
  let seed = 12345;
  const rnd = () => { seed = (Math.imul(seed, 1103515245) + 12345) | 0; return BigInt(seed >>> 0); };
  for (let i = 0; i < 3000; i++) {
    const a = s64((rnd() << 32n) | rnd()), b = s64((rnd() << 32n) | rnd());
    yield [a, b];
    yield [a >> BigInt(i % 60), b >> BigInt((i * 7) % 60)]; // small magnitudes exercise the fast paths
  }
}

test('add, sub, mul, mulh*, div*, rem* agree with BigInt', () => {
  for (const [a, b] of pairs()) {
    const args = [lo(a), hi(a), lo(b), hi(b)] as const;
    I64.add(...args); assert.equal(got(), s64(a + b), `add ${a} ${b}`);
    I64.sub(...args); assert.equal(got(), s64(a - b), `sub ${a} ${b}`);
    I64.mul(...args); assert.equal(got(), s64(a * b), `mul ${a} ${b}`);
    I64.mulh(...args, true, true); assert.equal(got(), s64((a * b) >> 64n), `mulh ${a} ${b}`);
    I64.mulh(...args, true, false); assert.equal(got(), s64((a * u64(b)) >> 64n), `mulhsu ${a} ${b}`);
    I64.mulh(...args, false, false); assert.equal(got(), s64((u64(a) * u64(b)) >> 64n), `mulhu ${a} ${b}`);
    // Unpriv §13.2: division by zero and signed overflow have defined results.
    const div = b === 0n ? -1n : a === -(1n << 63n) && b === -1n ? a : a / b;
    const rem = b === 0n ? a : a === -(1n << 63n) && b === -1n ? 0n : a % b;
    I64.div(...args); assert.equal(got(), s64(div), `div ${a} ${b}`);
    I64.rem(...args); assert.equal(got(), s64(rem), `rem ${a} ${b}`);
    I64.divu(...args); assert.equal(got(), s64(b === 0n ? M64 : u64(a) / u64(b)), `divu ${a} ${b}`);
    I64.remu(...args); assert.equal(got(), s64(b === 0n ? u64(a) : u64(a) % u64(b)), `remu ${a} ${b}`);
    assert.equal(I64.lt(...args), a < b);
    assert.equal(I64.ltu(...args), u64(a) < u64(b));
  }
});

test('shifts agree with BigInt for every shift amount', () => {
  for (const v of EDGES.map(s64)) {
    for (let sh = 0; sh < 64; sh++) {
      I64.sll(lo(v), hi(v), sh); assert.equal(got(), s64(v << BigInt(sh)));
      I64.srl(lo(v), hi(v), sh); assert.equal(got(), s64(u64(v) >> BigInt(sh)));
      I64.sra(lo(v), hi(v), sh); assert.equal(got(), s64(v >> BigInt(sh)));
    }
  }
});
