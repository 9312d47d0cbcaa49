/** CSR corner cases that differential runs do not pin down on their own. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../machine/machine';
import { defaultDescription, Xlen } from '../machine/description';
import { CSR, MIP } from './csr';
import { out } from './int64';

function hart(xlen: Xlen) {
  const m = new Machine(defaultDescription({ xlen }), { consoleOut: () => undefined });
  return { m, h: m.harts[0] };
}

function read(h: ReturnType<typeof hart>['h'], csr: number): [number, number] {
  assert.ok(h.csrRead(csr), `csr 0x${csr.toString(16)} readable`);
  return [out[0], out[1]];
}

test('RV32 stimecmp and stimecmph are the two halves of one 64-bit compare', () => {
  const { h } = hart(32);
  assert.ok(h.csrOp(CSR.menvcfgh, 0, 1 << 31, 0, 0, true)); // STCE
  assert.ok(h.csrOp(CSR.stimecmph, 0, 0x12, 0, 0, true));
  assert.ok(h.csrOp(CSR.stimecmp, 0, 0x345678, 0, 0, true));
  assert.deepEqual(read(h, CSR.stimecmph), [0x12, 0]);
  assert.deepEqual(read(h, CSR.stimecmp), [0x345678, 0]);
  assert.equal(h.stimecmpTicks(), 0x12 * 2 ** 32 + 0x345678);
  assert.equal(h.mip() & MIP.STIP, 0, 'far in the future: STIP clear');
});

test('pmpaddr keeps all 54 bits on RV64 and NAPOT all-ones covers everything', () => {
  const { h } = hart(64);
  assert.ok(h.csrOp(CSR.pmpaddr0, 0, -1, -1, 0, true));
  assert.deepEqual(read(h, CSR.pmpaddr0), [-1, 0x3fffff]);
  assert.ok(h.csrOp(CSR.pmpcfg0, 0, 0x18 | 0x1, 0, 0, true)); // NAPOT, R only
  assert.ok(h.pmp.check(0x80000000, 8, 1, 1), 'S-mode read allowed');
  assert.ok(!h.pmp.check(0x80000000, 8, 2, 1), 'S-mode write denied');
  assert.ok(h.pmp.check(0xfff_ffff_f000, 8, 1, 0), 'high addresses are covered too');
});

test('writes to read-only CSRs and to missing CSRs are refused', () => {
  const { h } = hart(64);
  assert.equal(h.csrOp(CSR.mhartid, 0, 5, 0, 0, true), false);
  assert.equal(h.csrOp(0x7c0, 1, 0, 0, 0, false), false);
  assert.equal(h.csrOp(CSR.cycleh, 1, 0, 0, 0, false), false, 'no cycleh on RV64');
  assert.ok(h.csrOp(CSR.mhartid, 1, 0, 0, 0, false), 'csrrs with x0 only reads');
});

test('satp ignores an unsupported mode; Sv39 and Sv48 are accepted', () => {
  const { h } = hart(64);
  assert.ok(h.csrOp(CSR.satp, 0, 0x1234, 8 << 28, 0, true));
  assert.deepEqual(read(h, CSR.satp), [0x1234, 8 << 28]);
  assert.ok(h.csrOp(CSR.satp, 0, 0x5678, 10 << 28, 0, true)); // Sv57: not implemented
  assert.deepEqual(read(h, CSR.satp), [0x1234, 8 << 28], 'the write is ignored entirely');
});
