/**
 * The trigger module (hart/triggers.ts) on small hand-assembled programs: tdata1
 * legalisation as QEMU 7.2's, execute and data triggers raising breakpoints before
 * their instruction or access, translated blocks and TLB entries kept off what a trigger
 * watches (and only that), and independence from the debugger's breakpoints and watchpoints.
 * The sdtrig guest (test/guests/sdtrig.c) compares the rest with QEMU itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, StopReason } from '../machine/machine';
import { defaultDescription, Xlen } from '../machine/description';
import { Cause, CSR, MCONTROL, Priv } from './csr';
import { Hart } from './hart';
import { out } from './int64';
import { A0, A1, A2, A3, addi, bne, lw, SPIN, sw } from '../test/encode';

const CODE = 0x80000000;
const HANDLER = 0x80000800;
const DATA = 0x80002000; // page P
const OTHER = 0x80003000; // page Q
const { LOAD, STORE, EXECUTE, M, S, U } = MCONTROL;

function machine(xlen: Xlen, program: number[]): { m: Machine; h: Hart } {
  const m = new Machine(defaultDescription({ xlen }), { consoleOut: () => undefined });
  const h = m.harts[0];
  program.forEach((w, i) => { h.ram.i32[i] = w; });
  h.ram.i32[(HANDLER - CODE) / 4] = SPIN;
  csr(h, CSR.mtvec, HANDLER);
  h.pcLo = CODE | 0;
  return { m, h };
}

function csr(h: Hart, num: number, lo: number, hi = 0): void {
  assert.ok(h.csrOp(num, 0, lo | 0, hi, 0, true), `csrw 0x${num.toString(16)}`);
}

function read(h: Hart, num: number): [number, number] {
  assert.ok(h.csrRead(num), `csrr 0x${num.toString(16)}`);
  return [out[0] >>> 0, out[1] >>> 0];
}

/** tdata1 for `type` with these low bits, as the hart's XLEN places the type field. */
function tdata1(h: Hart, type: number, bits: number): [number, number] {
  return h.xlen === 64 ? [bits, type << 28] : [(bits | (type << 28)) | 0, 0];
}

function arm(h: Hart, index: number, bits: number, addr: number, type = 2): void {
  csr(h, CSR.tselect, index);
  csr(h, CSR.tdata2, addr);
  csr(h, CSR.tdata1, ...tdata1(h, type, bits));
}

function setReg(h: Hart, r: number, v: number): void { h.x[2 * r] = v | 0; h.x[2 * r + 1] = 0; }

function run(m: Machine, n: number): StopReason { return m.step(n); }

for (const xlen of [64, 32] as const) {
  test(`rv${xlen}: tselect, tinfo and tdata1 writes are legalised as QEMU 7.2 does`, () => {
    const { h } = machine(xlen, [SPIN]);
    const t1 = (type: number, bits: number) => tdata1(h, type, bits).map((v) => v >>> 0);
    assert.deepEqual(read(h, CSR.tinfo), [0x44, 0], 'types 2 and 6');
    assert.deepEqual(read(h, CSR.tdata1), t1(2, 0), 'reset: type 2, nothing enabled');
    csr(h, CSR.tselect, 2);
    assert.deepEqual(read(h, CSR.tselect), [0, 0], 'there are two triggers');
    csr(h, CSR.tselect, 1);
    csr(h, CSR.tselect, -1, -1);
    assert.deepEqual(read(h, CSR.tselect), [1, 0]);
    const cases: [string, number, number, [number, number]][] = [
      // name, type, low bits written, read back
      ['dmode, action, timing, hit, select, chain, match dropped', 2,
        (1 << 27) | (1 << 12) | (1 << 18) | (1 << 20) | (1 << 19) | (1 << 11) | (2 << 7) | M | LOAD, t1(2, M | LOAD) as [number, number]],
      ['size 4 kept', 2, (3 << 16) | M | S | U | EXECUTE | STORE | LOAD, t1(2, (3 << 16) | 0x5f) as [number, number]],
      ['mcontrol6 keeps vs/vu and its size', 6, (1 << 24) | (1 << 23) | (5 << 16) | M | LOAD, t1(6, (1 << 24) | (1 << 23) | (5 << 16) | M | LOAD) as [number, number]],
      ['mcontrol6 size 4 (6 bytes) is refused', 6, (4 << 16) | M | LOAD, t1(6, M | LOAD) as [number, number]],
    ];
    for (const [name, type, bits, want] of cases) {
      csr(h, CSR.tdata1, ...tdata1(h, 2, 0));
      csr(h, CSR.tdata1, ...tdata1(h, type, bits));
      assert.deepEqual(read(h, CSR.tdata1), want, name);
    }
    for (const type of [0, 1, 3, 4, 5, 7, 15]) {
      csr(h, CSR.tdata1, ...tdata1(h, 2, M | EXECUTE));
      csr(h, CSR.tdata1, ...tdata1(h, type, M | LOAD));
      assert.deepEqual(read(h, CSR.tdata1), t1(2, M | EXECUTE), `a type ${type} write is ignored`);
    }
    if (xlen === 64) {
      csr(h, CSR.tdata1, ...tdata1(h, 2, (1 << 21) | (1 << 16) | M | LOAD)); // sizehi:sizelo = 5: 8 bytes
      assert.deepEqual(read(h, CSR.tdata1), t1(2, (1 << 21) | (1 << 16) | M | LOAD));
      csr(h, CSR.tdata1, ...tdata1(h, 2, (3 << 21) | (3 << 16) | M | LOAD)); // 15: refused, size 0
      assert.deepEqual(read(h, CSR.tdata1), t1(2, M | LOAD));
    }
    csr(h, CSR.tdata2, -1, -1);
    assert.deepEqual(read(h, CSR.tdata2), xlen === 64 ? [0xffffffff, 0xffffffff] : [0xffffffff, 0]);
    csr(h, CSR.tdata3, -1, -1);
    assert.deepEqual(read(h, CSR.tdata3), [0, 0], 'tdata3 keeps nothing');
    assert.ok(h.csrOp(CSR.tinfo, 0, 0, 0, 0, true), 'tinfo writes are ignored, not illegal');
    h.priv = Priv.S;
    assert.equal(h.csrOp(CSR.tselect, 1, 0, 0, 0, false), false, 'M-mode CSRs');
    h.reset();
    assert.deepEqual(read(h, CSR.tselect), [0, 0]);
    assert.equal(h.triggers.exec, null, 'reset disarms');
    assert.equal(h.triggers.data, null);
  });

  test(`rv${xlen}: an execute trigger fires before its instruction, in the modes it names only`, () => {
    const { m, h } = machine(xlen, [addi(A0, A0, 1), addi(A0, A0, 2), addi(A0, A0, 4), SPIN]);
    arm(h, 0, S | U | EXECUTE, CODE + 4);
    assert.notEqual(h.triggers.exec, null);
    run(m, 100);
    assert.equal(h.x[2 * A0], 7, 'not in M');
    h.pcLo = CODE | 0; setReg(h, A0, 0);
    arm(h, 0, M | EXECUTE, CODE + 4);
    run(m, 100);
    assert.equal(h.x[2 * A0], 1, 'the instruction did not run');
    assert.equal(h.pcLo >>> 0, HANDLER);
    assert.deepEqual(read(h, CSR.mcause), [Cause.Breakpoint, 0]);
    assert.deepEqual(read(h, CSR.mepc), [CODE + 4, 0]);
    assert.deepEqual(read(h, CSR.mtval), [0, 0], 'QEMU 7.2 leaves tval 0');
    arm(h, 0, M, CODE + 4); // no kind: off
    assert.equal(h.triggers.exec, null, 'disarmed: the interpreter has nothing to look at');
  });

  test(`rv${xlen}: an execute trigger armed in a hot translated loop stops it`, () => {
    const { m, h } = machine(xlen, [addi(A0, A0, 1), bne(A0, A1, -4), SPIN]);
    m.setTranslation(true, 16);
    setReg(h, A1, 1_000_000);
    run(m, 5000);
    const page = h.fetchPage(CODE | 0, 0);
    assert.ok(page !== null && page.blocks[0] !== undefined, 'the loop runs as a block');
    arm(h, 0, M | EXECUTE, CODE + 4);
    run(m, 5000);
    assert.deepEqual(read(h, CSR.mepc), [CODE + 4, 0]);
    assert.deepEqual(read(h, CSR.mcause), [Cause.Breakpoint, 0]);
    assert.ok(h.x[2 * A0] < 1_000_000);
  });

  test(`rv${xlen}: data triggers fire before the access and keep only their page out of the TLB`, () => {
    // lw a3, 0(a2); sw a3, 0(a2); lw a3, 0(a2)
    const { m, h } = machine(xlen, [lw(A3, A2, 0), sw(A3, A2, 0), SPIN]);
    h.ram.i32[(DATA + 0x10 - CODE) / 4] = 0x1234;
    h.ram.i32[(OTHER - CODE) / 4] = 0x5678;
    arm(h, 1, M | LOAD, DATA + 0x10);
    const hasTlb = (va: number) => h.tlbR.tagLo[(va >>> 12) & 255] === va >>> 12;
    setReg(h, A2, OTHER);
    run(m, 100);
    assert.equal(h.x[2 * A3], 0x5678);
    assert.ok(hasTlb(OTHER), 'another page is cached as usual');
    h.pcLo = CODE | 0; setReg(h, A2, DATA + 0x800); setReg(h, A3, 0);
    run(m, 100);
    assert.equal(h.pcLo >>> 0, CODE + 8, 'a load elsewhere in the page runs');
    assert.ok(!hasTlb(DATA), 'but the page stays out of the TLB');
    h.pcLo = CODE | 0; setReg(h, A2, DATA + 0x12); setReg(h, A3, 0x77);
    run(m, 100);
    assert.equal(h.x[2 * A3], 0x77, 'the load did not happen');
    assert.deepEqual(read(h, CSR.mepc), [CODE, 0]);
    assert.deepEqual(read(h, CSR.mcause), [Cause.Breakpoint, 0]);

    arm(h, 1, M | STORE, DATA + 0x10);
    h.pcLo = (CODE + 4) | 0; setReg(h, A2, DATA + 0x10); setReg(h, A3, 0x99);
    run(m, 100);
    assert.equal(h.ram.i32[(DATA + 0x10 - CODE) / 4], 0x1234, 'the store did not happen');
    assert.deepEqual(read(h, CSR.mepc), [CODE + 4, 0]);

    arm(h, 1, M, DATA + 0x10);
    h.pcLo = CODE | 0; setReg(h, A2, DATA + 0x10);
    run(m, 100);
    assert.ok(hasTlb(DATA), 'disarmed: the page is cached again');
  });

  test(`rv${xlen}: QEMU 7.2 fires an armed address when any trigger of that kind matches the mode`, () => {
    const { m, h } = machine(xlen, [addi(A0, A0, 1), addi(A0, A0, 2), addi(A0, A0, 4), SPIN]);
    arm(h, 0, U | EXECUTE, CODE + 4); // for U only ...
    arm(h, 1, M | EXECUTE, CODE + 8); // ... but trigger 1 matches M
    run(m, 100);
    assert.deepEqual(read(h, CSR.mepc), [CODE + 4, 0]);
  });
}

test('triggers are independent of the debugger\'s breakpoints and watchpoints', () => {
  const { m, h } = machine(64, [addi(A0, A0, 1), lw(A3, A2, 0), SPIN]);
  arm(h, 0, M | EXECUTE, CODE);
  m.breakpoints.add(CODE, 0);
  m.breakpointsChanged();
  assert.deepEqual(run(m, 100), { kind: 'breakpoint', hart: 0 }, 'the debugger stops first');
  assert.equal(h.pcLo >>> 0, CODE);
  assert.deepEqual(read(h, CSR.mcause), [0, 0], 'no trap yet');
  run(m, 100);
  assert.deepEqual(read(h, CSR.mcause), [Cause.Breakpoint, 0], 'resuming meets the guest\'s trigger');
  assert.equal(h.x[2 * A0], 0);
  m.breakpoints.clear();
  m.breakpointsChanged();
  assert.notEqual(h.triggers.exec, null, 'clearing the debugger\'s breakpoints leaves the trigger armed');

  arm(h, 0, M | LOAD, DATA);
  m.setWatchpoints([{ id: 1, base: DATA, size: 4, read: true, write: true }]);
  h.pcLo = (CODE + 4) | 0; setReg(h, A2, DATA);
  assert.deepEqual(run(m, 100), { kind: 'budget' });
  assert.equal(m.watchpoints.hit, null, 'the trigger fired before the access, so the watchpoint saw none');
  assert.deepEqual(read(h, CSR.mepc), [CODE + 4, 0]);
  arm(h, 0, M, DATA);
  h.pcLo = (CODE + 4) | 0;
  assert.deepEqual(run(m, 100), { kind: 'watch', hart: 0 }, 'the watchpoint keeps working once the trigger is off');
  assert.equal(h.breakpoints, null);
});
