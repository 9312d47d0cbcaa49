/**
 * The block translators must not change what a guest does: each RV64 and RV32 guest runs
 * interpreted only, with blocks translated to JavaScript and compiled to WebAssembly,
 * and prints the same bytes and retires the same number of instructions on every hart, interrupts and polled devices included (blocks never run past a budget and
 * stop where the interpreter would yield). Every wasm module compiled is also valid.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Machine, StopReason } from '../machine/machine';
import type { Engine } from '../options';
import { boot } from '../machine/boot';
import { defaultDescription, Xlen } from '../machine/description';

const BUILD = path.resolve(__dirname, '../../../emulator/test/guests/build');

function run(elf: string, xlen: Xlen, engine: Engine, harts: number): { out: string; instret: number[]; stop: StopReason; modules: number } {
  const bytes: number[] = [];
  const m = new Machine(defaultDescription({ xlen, harts }), { consoleOut: (b) => bytes.push(b) });
  assert.equal(m.setEngine(engine, 2), engine); // translate nearly everything, so blocks meet every case
  const r = boot(m, { kernel: { name: elf, bytes: new Uint8Array(fs.readFileSync(elf)) }, bios: 'none' });
  assert.ok(r.ok);
  let stop: StopReason = { kind: 'budget' };
  for (let i = 0; i < 100 && stop.kind === 'budget'; i++) stop = m.step(1_000_000);
  return { out: Buffer.from(bytes).toString('latin1'), instret: m.harts.map((h) => h.instret), stop, modules: m.wasmStats.modules };
}

for (const xlen of [64, 32] as const) {
  const dir = path.join(BUILD, `rv${xlen}`);
  const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.elf')).map((f) => f.slice(0, -4)) : [];

  test(`the RV${xlen} guests are built`, () => assert.ok(names.length >= 10, `guests in ${dir}`));

  for (const name of names) {
    if (name === 'uart-rx') continue; // needs console input
    test(`rv${xlen} ${name}: translated and interpreted runs agree`, () => {
      const elf = path.join(dir, `${name}.elf`);
      const harts = name === 'amo-smp' ? 2 : 1;
      const slow = run(elf, xlen, 'interp', harts);
      for (const engine of ['js', 'wasm'] as const) {
        const fast = run(elf, xlen, engine, harts);
        assert.equal(fast.out, slow.out, engine);
        assert.deepEqual(fast.stop, slow.stop, engine);
        assert.deepEqual(fast.instret, slow.instret, engine);
        if (engine === 'wasm') assert.ok(fast.modules > 0, 'no block was compiled to wasm');
      }
    });
  }
}
