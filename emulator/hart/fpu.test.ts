/**
 * F and D switched off by the board (a riscv,isa without them, machine-from-dts.ts): misa,
 * mstatus.FS hard-wired Off without F, the FP CSRs, and D instructions illegal on an F-only
 * hart. With both present the fp guest runs beside QEMU (emulator/test/guests/fp.c).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../machine/machine';
import { defaultDescription, FloatExt, isaString } from '../machine/description';
import { CSR, Cause, MSTATUS } from './csr';
import { out } from './int64';
import { runRv64 } from './exec-rv64';

const FADD_S = 0x0020f053; // fadd.s ft0,ft1,ft2
const FADD_D = 0x0220f053; // fadd.d ft0,ft1,ft2

function hart(fpu: FloatExt) {
  const m = new Machine(defaultDescription({ xlen: 64, fpu }), { consoleOut: () => undefined });
  return { m, h: m.harts[0] };
}
function misaLetters(h: ReturnType<typeof hart>['h']): string {
  assert.ok(h.csrRead(CSR.misa));
  return [...'ACDFIMSU'].filter((l) => (out[0] & (1 << (l.charCodeAt(0) - 65))) !== 0).join('');
}
/** Run one instruction at DRAM's start; the trap cause it took, or -1. */
function runOne(fpu: FloatExt, insn: number): number {
  const { m, h } = hart(fpu);
  m.dram.i32[0] = insn;
  h.csrOp(CSR.mstatus, 1, MSTATUS.FS & (1 << 13), 0, 0, true); // FS Initial, if it can be
  h.csrOp(CSR.mcause, 0, -1, -1, 0, true);
  h.pcLo = 0x80000000 | 0; h.pcHi = 0;
  runRv64(h, 1);
  assert.ok(h.csrRead(CSR.mcause));
  return out[0] === -1 ? -1 : out[0];
}

test('misa, riscv,isa and mstatus.FS follow the board\'s F/D', () => {
  assert.equal(misaLetters(hart('FD').h), 'ACDFIMSU');
  assert.equal(misaLetters(hart('F').h), 'ACFIMSU');
  assert.equal(misaLetters(hart('none').h), 'ACIMSU');
  assert.equal(isaString(64), 'rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc'); // QEMU 7.2's -cpu rv64 without H
  assert.equal(isaString(32, 'F', []), 'rv32imafc_zicsr_zifencei_sstc');
  assert.equal(isaString(64, 'none', []), 'rv64imac_zicsr_zifencei_sstc'); // QEMU 7.2's with f=false,d=false,zba=false,...
  assert.equal(isaString(64, 'FD', ['zicbom', 'zicboz', 'zba', 'svpbmt']), 'rv64imafdc_zicbom_zicboz_zicsr_zifencei_zba_sstc_svpbmt');
  const { h } = hart('none');
  assert.ok(h.csrOp(CSR.mstatus, 1, MSTATUS.FS, 0, 0, true));
  assert.equal(h.mstatus & MSTATUS.FS, 0, 'FS stays Off without F');
  assert.equal(h.csrOp(CSR.fflags, 1, 0, 0, 0, false), false, 'fflags is illegal');
  const fd = hart('FD').h;
  assert.ok(fd.csrOp(CSR.mstatus, 1, MSTATUS.FS, 0, 0, true));
  assert.equal(fd.mstatus & MSTATUS.FS, MSTATUS.FS);
  assert.ok(fd.csrOp(CSR.fflags, 1, 0, 0, 0, false));
});

test('F/D instructions: legal as the hart\'s extensions say', () => {
  assert.equal(runOne('FD', FADD_S), -1);
  assert.equal(runOne('FD', FADD_D), -1);
  assert.equal(runOne('F', FADD_S), -1);
  assert.equal(runOne('F', FADD_D), Cause.IllegalInstruction);
  assert.equal(runOne('none', FADD_S), Cause.IllegalInstruction);
});
