/** The CSR table is what the hart does: its numbers' rules, its field layouts and its WARL masks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../machine/machine';
import { defaultDescription } from '../machine/description';
import { bitField, CSR, SATP_LAYOUT } from './csr';
import { CSR_AT, csrDecl } from './csr-table';
import { out } from './int64';

test('every CSR sits at its number; privilege and read-only come from the number (Priv 1.12 §2.1)', () => {
  let count = 0;
  CSR_AT.forEach((d, num) => {
    if (d === undefined) return;
    count++;
    assert.equal(d.num, num, d.name);
    assert.equal(d.priv, (num >>> 8) & 3, d.name);
    assert.equal(d.readOnly, (num >>> 10) === 3, d.name);
  });
  assert.ok(count > 200, `${count} CSRs named`);
  assert.equal(csrDecl('mstatus').name, 'mstatus');
  assert.equal(CSR_AT[0x7b0]?.name, 'dcsr', 'named for the disassembler');
  assert.equal(CSR_AT[0x7b0]?.read, undefined, 'but not implemented, as on QEMU 7.2');
});

test('fields lie inside XLEN and never overlap', () => {
  for (const d of CSR_AT) {
    if (d === undefined) continue;
    for (const xlen of [32, 64] as const) {
      const used = new Set<number>();
      for (const f of d.fields[xlen]) {
        const [hi, lo] = f.bits;
        assert.ok(lo >= 0 && lo <= hi && hi < xlen, `${d.name}.${f.name} [${hi}:${lo}] on RV${xlen}`);
        for (let b = lo; b <= hi; b++) {
          assert.ok(!used.has(b), `${d.name}.${f.name} overlaps bit ${b} on RV${xlen}`);
          used.add(b);
        }
      }
    }
  }
});

test('a write of all ones keeps exactly the table\'s WARL mask', () => {
  for (const xlen of [32, 64] as const) {
    const h = new Machine(defaultDescription({ xlen }), { consoleOut: () => undefined }).harts[0];
    for (const name of ['mie', 'medeleg', 'mideleg', 'mcountinhibit', 'senvcfg', 'mepc', 'sepc'] as const) {
      const d = csrDecl(name);
      assert.ok(d.mask !== -1, `${name} has a mask`);
      assert.ok(h.csrOp(d.num, 0, -1, -1, 0, true), `csrw ${name}`);
      assert.ok(h.csrRead(d.num));
      assert.equal(out[0], d.mask, `RV${xlen} ${name}`);
    }
  }
});

test('bitField reads a field of a 64-bit value held as two int32 words', () => {
  const lo = 0x12345678, hi = 0x80000fff | 0; // Sv39, PPN 0xfff12345678
  assert.equal(bitField(lo, hi, SATP_LAYOUT[64].MODE), 8);
  assert.equal(bitField(lo, hi, SATP_LAYOUT[64].PPN), 0xfff12345678);
  assert.equal(bitField(lo, hi, SATP_LAYOUT[64].ASID), 0);
  assert.equal(bitField(0x80000000 | 0, 0, SATP_LAYOUT[32].MODE), 1);
  assert.equal(bitField(-1, 0, [31, 0]), 0xffffffff);
  assert.equal(bitField(0, -1, [63, 32]), 0xffffffff);
  // Fields that straddle the two words, at both ends of the low word.
  assert.equal(bitField(0x80000000 | 0, 0x1ff, [40, 31]), 0x3ff);
  assert.equal(bitField(0xfffff000 | 0, 0xffff, [47, 12]), 0xfffffffff);
  assert.equal(CSR_AT[CSR.satp]?.fields[64].find((f) => f.name === 'MODE')?.enum?.[8], 'Sv39');
});
