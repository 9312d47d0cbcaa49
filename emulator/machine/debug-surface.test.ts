/**
 * The machine's debug surface without threads: debugger reads have no side effects,
 * trap stops land on the handler's first instruction with the trap in words, and
 * temporary breakpoints report their own reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Machine } from './machine';
import { boot } from './boot';
import { defaultDescription, VIRT } from './description';
import { DebugController, readCsr, readMemory, RunOutcome, writeCsr, writeMemory, hartPc } from './debug-surface';
import { CSR } from '../hart/csr';

const DEMO = path.resolve(__dirname, '../../../demo/hello.elf');

function setup(): { m: Machine; c: DebugController; entry: bigint } {
  const m = new Machine(defaultDescription(), { consoleOut: () => undefined });
  const r = boot(m, { kernel: { name: DEMO, bytes: new Uint8Array(fs.readFileSync(DEMO)) }, bios: 'none' });
  assert.ok(r.ok);
  return { m, c: new DebugController(m, () => null), entry: BigInt(r.value.kernelEntry) };
}

function runUntilStop(c: DebugController): RunOutcome {
  for (let i = 0; i < 1000; i++) {
    const o = c.run(100_000);
    if (o.kind !== 'running') return o;
  }
  return { kind: 'running' };
}

test('run to a temporary breakpoint reports its reason, then runs on to power-off', () => {
  const { m, c, entry } = setup();
  c.setTemporary([entry], 'entry');
  assert.deepEqual(runUntilStop(c), { kind: 'stopped', stop: { reason: 'entry', hart: 0 } });
  assert.equal(hartPc(m.harts[0]), entry);
  c.resume();
  const end = runUntilStop(c);
  assert.equal(end.kind, 'exited');
  assert.equal(end.kind === 'exited' ? end.code : -1, 0);
});

test('an interrupt filter stops at the trap handler with the cause in words', () => {
  const { m, c } = setup();
  c.setTrapFilter({ exceptions: null, interrupts: {} });
  const o = runUntilStop(c);
  assert.equal(o.kind, 'stopped');
  if (o.kind !== 'stopped' || o.stop.reason !== 'trap') return assert.fail('not a trap stop');
  assert.match(o.stop.description, /^machine timer interrupt at pc 0x[0-9a-f]+ in M-mode, taken to M-mode$/);
  const h = m.harts[0];
  assert.equal(hartPc(h), (readCsr(h, CSR.mtvec) ?? 0n) & ~3n);
  // The next run does not report the same trap again.
  c.setTrapFilter({ exceptions: null, interrupts: null });
  c.resume();
  assert.equal(runUntilStop(c).kind, 'exited');
});

test('debugger memory reads never touch devices, and writes reach RAM only', () => {
  const { m } = setup();
  const h = m.harts[0];
  // The UART's receive buffer register would pop a byte if read: the debugger reads nothing there.
  m.pushInput([0x41]);
  const uart = readMemory(m, h, BigInt(VIRT.uart0.base), 8, true);
  assert.equal(uart.bytes.length, 0);
  assert.equal(uart.unreadable, 8);
  assert.equal(m.uart.canReceive() < 16, true, 'the byte is still queued in the UART');
  // A read across the end of RAM stops there.
  const end = BigInt(VIRT.dram.base + m.desc.memoryBytes);
  const tail = readMemory(m, h, end - 4n, 8, true);
  assert.deepEqual([tail.bytes.length, tail.unreadable], [4, 4]);
  assert.equal(writeMemory(m, h, BigInt(VIRT.dram.base) + 0x100000n, Uint8Array.of(9, 8, 7), false), 3);
  assert.deepEqual([...readMemory(m, h, BigInt(VIRT.dram.base) + 0x100000n, 3, false).bytes], [9, 8, 7]);
  assert.equal(writeMemory(m, h, BigInt(VIRT.uart0.base), Uint8Array.of(0x41), true), 0);
});

test('CSR access from the debugger works in any mode and keeps WARL rules', () => {
  const { m } = setup();
  const h = m.harts[0];
  h.priv = 0; // U-mode: the guest could not read mstatus here, the debugger can
  assert.notEqual(readCsr(h, CSR.mstatus), null);
  assert.equal(readCsr(h, 0x7ff), null);
  assert.ok(writeCsr(h, CSR.mscratch, 0x1234n));
  assert.equal(readCsr(h, CSR.mscratch), 0x1234n);
  assert.equal(h.priv, 0);
});
