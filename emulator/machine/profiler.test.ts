import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoverageCollector, Sampler } from './profiler';

test('sampler: a sample each `rate` instructions of each hart, pcs in hex as wide as the XLEN, bounded', () => {
  const s = new Sampler(100, 2, 64, 5, 3);
  // The machine counts down and calls take at 0 (one step of 250 takes two samples).
  s.left[0] -= 100; s.take(0, 1, 0xffffffff, 0x80001000 | 0, 105);
  s.left[1] -= 250; s.take(1, 3, 0, 0x1000, 255);
  assert.deepEqual([...s.left], [100, 50]);
  s.left[0] -= 100; s.take(0, 0, 0, 0x10, 205);
  const r = s.result(100_000_000, 300);
  assert.deepEqual(r.samples, [
    { hart: 0, priv: 1, pc: 'ffffffff80001000', clock: 105 },
    { hart: 1, priv: 3, pc: '1000', clock: 255 },
    { hart: 1, priv: 3, pc: '1000', clock: 255 },
  ]);
  assert.equal(r.dropped, 1, 'the fourth sample is past the bound');
  assert.deepEqual([r.startClock, r.endClock, r.rate], [5, 300, 100]);
  assert.throws(() => new Sampler(0, 1, 64, 0), /positive integer/);
});

test('coverage: runs per pc, new pcs past the bound counted as dropped, known ones still counted', () => {
  const c = new CoverageCollector(32, 2);
  c.hit(0, 0x80000000 | 0); c.hit(0, 0x80000000 | 0); c.hit(0, 0x80000004 | 0);
  c.hit(0, 0x80000008 | 0); c.hit(0, 0x80000004 | 0);
  assert.deepEqual(c.result(), { xlen: 32, pcs: [['80000000', 2], ['80000004', 2]], dropped: 1 });
});
