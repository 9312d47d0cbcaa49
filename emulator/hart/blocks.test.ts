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
import { A0, A1, A2, A3, A4, A5, addi, amoaddW, bne, lrW, scW, SPIN } from '../test/encode';

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

for (const xlen of [64, 32] as const) {
  test(`rv${xlen}: the code after an instruction no block holds becomes a block of its own`, () => {
    // loop: amoadd.w a3, a1, (a2); addi a0, a0, 1; addi a4, a4, 3; bne a0, a5, loop. Blocks
    // stop before the amoadd and the loop enters only there: unless the interpreter treats
    // the addi after it as a block boundary, the loop runs interpreted for good.
    const CODE = 0x80000000, DATA = 0x80002000;
    const program = [amoaddW(A3, A1, A2), addi(A0, A0, 1), addi(A4, A4, 3), bne(A0, A5, -12), SPIN];
    const results: number[][] = [];
    for (const engine of ['interp', 'js', 'wasm'] as const) {
      const m = new Machine(defaultDescription({ xlen }), { consoleOut: () => undefined });
      assert.equal(m.setEngine(engine, 16), engine);
      const h = m.harts[0];
      program.forEach((w, i) => { h.ram.i32[i] = w; });
      h.pcLo = CODE | 0;
      const set = (r: number, v: number) => { h.x[2 * r] = v | 0; };
      set(A1, 2); set(A2, DATA); set(A5, 1000);
      m.step(3000);
      const get = (r: number) => h.x[2 * r];
      results.push([get(A0), get(A3), get(A4), h.ram.i32[(DATA - CODE) / 4], h.instret]);
      const page = h.fetchPage(CODE | 0, 0);
      assert.ok(page !== null);
      if (engine !== 'interp') assert.ok(page.blocks[2] !== undefined, `${engine}: the addi after the amoadd starts a block`);
    }
    assert.deepEqual(results[1], results[0], 'js');
    assert.deepEqual(results[2], results[0], 'wasm');
  });
}

for (const xlen of [64, 32] as const) {
  test(`rv${xlen}: atomics find their page in the TLB, as loads and stores do`, () => {
    // loop: amoadd.w a3, a1, (a2); lr.w a4, (a2); sc.w a4, a0, (a2); addi a0, a0, 1; bne a0, a5, loop.
    // Each AMO and SC used to walk the page tables (a Linux boot: 134 K walks).
    const CODE = 0x80000000, DATA = 0x80002000;
    const program = [amoaddW(A3, A1, A2), lrW(A4, A2), scW(A4, A0, A2), addi(A0, A0, 1), bne(A0, A5, -16), SPIN];
    for (const engine of ['interp', 'wasm'] as const) {
      const m = new Machine(defaultDescription({ xlen }), { consoleOut: () => undefined });
      m.setEngine(engine, 16);
      const h = m.harts[0];
      program.forEach((w, i) => { h.ram.i32[i] = w; });
      h.pcLo = CODE | 0;
      h.x[2 * A1] = 2; h.x[2 * A2] = DATA | 0; h.x[2 * A5] = 500;
      const walked = h as unknown as { translate: (...a: unknown[]) => number };
      const translate = walked.translate.bind(h);
      let walks = 0;
      walked.translate = (...a) => { walks++; return translate(...a); };
      m.step(5 * 500);
      assert.equal(h.x[2 * A0], 500, `${engine}: the loop ran to its end`);
      // Pass k: the AMO reads k - 1 (the last SC's) and adds 2, the SC stores k.
      assert.equal(h.ram.i32[(DATA - CODE) / 4], 499, `${engine}: the last SC's value`);
      assert.equal(h.x[2 * A3], 498, `${engine}: the last AMO's old value`);
      assert.equal(h.x[2 * A4], 0, `${engine}: the last SC succeeded`);
      assert.ok(walks <= 3, `${engine}: ${walks} translations (the code's page, the data's for loads and for stores)`);
    }
  });
}
