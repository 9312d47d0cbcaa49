/**
 * Same inputs, same run (DESIGN.md idea 2): a guest run twice retires the same
 * number of instructions on every hart and prints the same bytes — with several
 * harts interleaving, timer interrupts and WFI skipping ahead included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Machine, StopReason } from '../machine/machine';
import { boot } from '../machine/boot';
import { defaultDescription, Xlen } from '../machine/description';

const GUESTS = path.resolve(__dirname, '../../../emulator/test/guests/build');

interface Run { instret: number[]; console: string; stop: StopReason; pcs: string[] }

function runOnce(elf: string, xlen: Xlen, harts: number): Run {
  const bytes: number[] = [];
  const m = new Machine(defaultDescription({ xlen, harts }), { consoleOut: (b) => bytes.push(b) });
  const booted = boot(m, { kernel: { name: elf, bytes: new Uint8Array(fs.readFileSync(elf)) }, bios: 'none' });
  assert.ok(booted.ok, booted.ok ? '' : booted.error);
  let stop: StopReason = { kind: 'budget' };
  for (let i = 0; i < 200 && stop.kind === 'budget'; i++) stop = m.step(1_000_000);
  return {
    instret: m.harts.map((h) => h.instret),
    console: Buffer.from(bytes).toString('latin1'),
    stop,
    pcs: m.harts.map((h) => `${h.pcHi}:${h.pcLo}`),
  };
}

const CASES: [string, Xlen, number][] = [
  ['rv64/alu.elf', 64, 1], ['rv32/muldiv.elf', 32, 1], ['rv64/amo-smp.elf', 64, 2], ['rv64/interrupts.elf', 64, 1],
];

for (const [name, xlen, harts] of CASES) {
  test(`${name} on ${harts} hart(s): identical instruction counts and console bytes on two runs`, () => {
    const elf = path.join(GUESTS, name);
    assert.ok(fs.existsSync(elf), `${elf} missing: the test build (make -C emulator/test/guests) makes it`);
    const a = runOnce(elf, xlen, harts), b = runOnce(elf, xlen, harts);
    assert.equal(a.stop.kind, 'power', `the guest powers off (${JSON.stringify(a.stop)})`);
    assert.ok(a.console.length > 0);
    assert.deepEqual(b, a);
  });
}
