/**
 * The WebAssembly engine's own checks (blocks.test.ts runs every guest under it against
 * the interpreter): every module it emits is valid WebAssembly, the instructions it
 * compiles cover a guest's hot integer code, and code it compiled follows stores into
 * that code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Machine } from '../machine/machine';
import { boot } from '../machine/boot';
import { defaultDescription, Xlen } from '../machine/description';
import { wasmValid } from './wasm-blocks';
import { bridgeBytes, Bytes, moduleBytes, OP, T } from './wasm-binary';
import { encodingOf, semanticsOf } from './isa-semantics';
import { ENCODINGS } from './isa-table';
import { Untranslatable, WasmFn, WasmGen } from './wasm-gen';
import { A0, A1, A2, A5, addi, andi, beq, bne, ZERO } from '../test/encode';

const BUILD = path.resolve(__dirname, '../../../emulator/test/guests/build');

function runGuest(name: string, onModule: (b: Uint8Array) => void, cacheBytes?: number, xlen: Xlen = 64, rejoinCalls?: number, chain = true):
  { out: string; modules: number; evicted: number; joins: number; instret: number; entries: number } {
  const bytes: number[] = [];
  const m = new Machine(defaultDescription({ xlen }), { consoleOut: (b) => bytes.push(b) });
  assert.equal(m.setEngine('wasm', 2), 'wasm');
  m.wasmStats.onModule = onModule;
  m.wasmStats.cacheBytes = cacheBytes;
  m.wasmStats.rejoinCalls = rejoinCalls;
  m.wasmStats.chain = chain;
  const elf = path.join(BUILD, `rv${xlen}`, `${name}.elf`);
  assert.ok(boot(m, { kernel: { name: elf, bytes: new Uint8Array(fs.readFileSync(elf)) }, bios: 'none' }).ok);
  for (let i = 0; i < 100 && m.step(1_000_000).kind === 'budget'; i++);
  const stats = m.wasmStats;
  return {
    out: Buffer.from(bytes).toString('latin1'), modules: stats.modules, evicted: stats.evicted, joins: stats.joins,
    instret: m.harts[0].instret, entries: stats.entries,
  };
}

/** An RV64 machine of `engine` (hot at 2) with the guest `name` booted, not yet run. */
function bootGuest(name: string, engine: 'interp' | 'wasm'): Machine {
  const elf = path.join(BUILD, 'rv64', `${name}.elf`);
  const m = new Machine(defaultDescription({ xlen: 64 }), { consoleOut: () => undefined });
  m.setEngine(engine, 2);
  assert.ok(boot(m, { kernel: { name: elf, bytes: new Uint8Array(fs.readFileSync(elf)) }, bios: 'none' }).ok);
  return m;
}

for (const xlen of [64, 32] as const) {
  test(`rv${xlen}: every module the wasm engine emits passes WebAssembly.validate`, () => {
    let n = 0;
    for (const name of ['alu', 'muldiv', 'loadstore', 'branches', 'bitmanip', 'paging', 'misaligned', 'rvc', 'fencei', 'interrupts', 'fp']) {
      runGuest(name, (b) => {
        n++;
        assert.ok(wasmValid(b), `${name}: module ${n} is not valid WebAssembly`);
        // JavaScript is called through the table: a function import would cost a wrapper compiled per module.
        assert.deepEqual(W.Module.imports(new W.Module(b)).map((i) => i.kind), ['memory', 'table'], `${name}: module ${n} imports functions`);
      }, undefined, xlen);
    }
    assert.ok(n > 500, `only ${n} modules compiled`);
  });
}

for (const xlen of [64, 32] as const) {
  test(`every RV${xlen} integer instruction a block may hold has a wasm form`, () => {
    // blocks.test.ts checks what they compute against the interpreter (the bitmanip guest at hot 2).
    const without: string[] = [];
    for (const enc of ENCODINGS) {
      const sem = semanticsOf(enc.op), encX = encodingOf(xlen, enc.op);
      if (sem === undefined || encX === undefined || sem.kind === 'interp' || enc.ext === 'F' || enc.ext === 'D') continue;
      try {
        sem.run(new WasmGen(encX, { d: 2, a: 4, b: 6, imm: 3, off: 0, len: 4, n: '', slot: 0 }, new WasmFn(xlen, 0, 0, new Map()), 1));
      } catch (e) {
        if (!(e instanceof Untranslatable)) throw e;
        without.push(enc.name);
      }
    }
    assert.deepEqual([...new Set(without)], []);
  });
}

for (const xlen of [64, 32] as const) {
  test(`every RV${xlen} F/D instruction has a wasm form`, () => {
    // blocks.test.ts runs them against the interpreter (the fp and bench-nbody guests at hot 2).
    const compiled: string[] = [];
    for (const enc of ENCODINGS) {
      const sem = semanticsOf(enc.op), encX = encodingOf(xlen, enc.op);
      if (sem === undefined || encX === undefined || (enc.ext !== 'F' && enc.ext !== 'D')) continue;
      try { // rm 7: the dynamic rounding mode, checked when the block runs
        sem.run(new WasmGen(encX, { d: 2, a: 4, b: 6, imm: 7, off: 0, len: 4, n: '', slot: 0 }, new WasmFn(xlen, 0, 0, new Map()), 1));
        compiled.push(enc.name);
      } catch (e) {
        if (!(e instanceof Untranslatable)) throw e;
      }
    }
    const arith = ['fadd', 'fsub', 'fmul', 'fdiv', 'fsqrt', 'fmadd', 'fmsub', 'fnmsub', 'fnmadd', 'fsgnj', 'fsgnjn', 'fsgnjx', 'feq', 'flt', 'fle',
      'fmin', 'fmax', 'fclass'];
    const cvt = ['w', 'wu', ...(xlen === 64 ? ['l', 'lu'] : [])];
    const want = [...arith.map((n) => `${n}.s`), ...arith.map((n) => `${n}.d`), 'flw', 'fsw', 'fmv.x.w', 'fmv.w.x',
      ...cvt.flatMap((i) => [`fcvt.${i}.s`, `fcvt.${i}.d`, `fcvt.s.${i}`, `fcvt.d.${i}`]),
      'fcvt.s.d', 'fcvt.d.s', ...(xlen === 64 ? ['fld', 'fsd', 'fmv.x.d', 'fmv.d.x'] : [])];
    assert.deepEqual([...new Set(compiled)].sort(), want.sort());
  });
}

/** The WebAssembly API the tests use (emulator/ is typed without the DOM library). */
const W = (globalThis as unknown as { WebAssembly: {
  Memory: new (d: object) => object; Module: { new (b: Uint8Array): object; imports(m: object): { kind: string }[] };
  Table: new (d: object) => { set(i: number, f: unknown): void };
  Instance: new (m: object, i: object) => { exports: Record<string, (...a: number[]) => number> };
} }).WebAssembly;

test('the module writer: a function that calls JavaScript through the bridge validates and runs', () => {
  // run(hb, a, b, limit, entry) = f(a, b) + b, f being JavaScript in table slot 0.
  const f = { module: 'env', name: 'f', type: { params: [T.i32, T.i32], results: [T.i32] } };
  const body = new Bytes().byte(OP.localGet).u32(1).byte(OP.localGet).u32(2)
    .byte(OP.i32Const).s32(0).byte(OP.callIndirect).u32(0).u32(0)
    .byte(OP.localGet).u32(2).byte(OP.i32Add);
  const bytes = moduleBytes(1, [f.type], { params: [T.i32, T.i32, T.i32, T.i32, T.i32], results: [T.i32] }, [], body.view());
  assert.ok(wasmValid(bytes));
  const table = new W.Table({ element: 'anyfunc', initial: 1 });
  const bridge = new W.Instance(new W.Module(bridgeBytes([f])), { env: { f: (a: number, b: number) => a * b } }).exports;
  table.set(0, bridge['0']);
  const run = new W.Instance(new W.Module(bytes), { env: { mem: new W.Memory({ initial: 1, maximum: 1 }), table } }).exports.run;
  assert.equal(run(0, 6, 7, 0, 0), 49);
  // Signed LEB128 of 64-bit constants beyond int32 (i64.const).
  const wide = new Bytes().s64(0, 1).view();
  assert.deepEqual([...wide], [0x80, 0x80, 0x80, 0x80, 0x10]);
  assert.deepEqual([...new Bytes().s64(0, -0x80000000).view()], [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]);
});

test('a hot loop runs compiled: the crc32 bench guest compiles and prints what the interpreter prints', () => {
  const wasm = runGuest('bench-crc32', () => undefined);
  assert.ok(wasm.modules > 0);
  assert.match(wasm.out, /PASS/);
});

test('a code cache over its bound drops the pages compiled longest ago, and the guest runs on the same', () => {
  const roomy = runGuest('bench-qsort', () => undefined);
  const tight = runGuest('bench-qsort', () => undefined, 4096);
  assert.equal(roomy.evicted, 0);
  assert.ok(tight.evicted > 0, 'nothing was evicted');
  assert.ok(tight.modules > roomy.modules, 'evicted pages are compiled again when hot');
  assert.equal(tight.out, roomy.out);
  assert.equal(tight.instret, roomy.instret);
});

test('blocks left alone on a page are joined into its module once they have run often, and the guest runs on the same', () => {
  const never = runGuest('bench-mixed', () => undefined, undefined, 64, Infinity);
  const soon = runGuest('bench-mixed', () => undefined, undefined, 64, 50);
  assert.ok(soon.joins > never.joins, `joins: ${soon.joins} with rejoining, ${never.joins} without`);
  assert.match(soon.out, /PASS/);
  assert.equal(soon.out, never.out);
  assert.equal(soon.instret, never.instret);
});

test('a lone hart runs its wasm blocks ahead of the quanta to the interpreter\'s state at every step, timer interrupts and alarms in hot loops included', () => {
  let ahead = 0;
  for (const name of ['jit-stress', 'interrupts', 'rtc', 'paging', 'bench-crc32']) {
    const slow = bootGuest(name, 'interp'), fast = bootGuest(name, 'wasm');
    // Steps that end inside rounds (37,000 is no multiple of the quantum) and compare the whole hart after each.
    for (let i = 0; i < 2000; i++) {
      const a = slow.step(37_000), b = fast.step(37_000);
      assert.deepEqual(b, a, `${name}: step ${i}`);
      const hs = slow.harts[0], hf = fast.harts[0];
      assert.deepEqual([hf.pcLo, hf.pcHi, hf.instret, hf.priv], [hs.pcLo, hs.pcHi, hs.instret, hs.priv], `${name}: pc, count and mode after step ${i}`);
      assert.deepEqual([...hf.x], [...hs.x], `${name}: registers after step ${i}`);
      assert.equal(fast.time, slow.time, `${name}: time after step ${i}`);
      if (a.kind !== 'budget') break;
    }
    ahead += fast.wasmStats.ahead;
  }
  assert.ok(ahead > 1_000_000, `only ${ahead} instructions ran ahead`);
});

for (const xlen of [64, 32] as const) {
  test(`rv${xlen}: a jump out of a page's module goes on into the block compiled at its target, and the guest runs the same`, () => {
    // bench-mixed's scanner loop spans two pages: without chaining, every jump between them returns to JavaScript.
    const returns = runGuest('bench-mixed', () => undefined, undefined, xlen, undefined, false);
    const chained = runGuest('bench-mixed', () => undefined, undefined, xlen);
    assert.match(chained.out, /PASS/);
    assert.equal(chained.out, returns.out);
    assert.equal(chained.instret, returns.instret);
    assert.ok(chained.entries * 3 < returns.entries, `calls from JavaScript: ${chained.entries} chaining, ${returns.entries} not`);
  });
}

test('a breakpoint set where blocks chain from page to page is hit there, as by the interpreter', () => {
  // jit-stress jumps between its pages (code it maps at 0x40000000 and its own) all the time.
  const slow = bootGuest('jit-stress', 'interp'), fast = bootGuest('jit-stress', 'wasm');
  for (const m of [slow, fast]) assert.equal(m.step(300_000).kind, 'budget');
  // Every hot block compiled and chained by now: the breakpoint goes on the pc that jumps
  // from one page to another reach most often in the next 20,000 instructions.
  const probe = bootGuest('jit-stress', 'interp');
  probe.step(300_000);
  const ph = probe.harts[0];
  const targets = new Map<number, number>();
  for (let i = 0, prev = ph.pcLo; i < 20_000; i++, prev = ph.pcLo) {
    assert.equal(probe.stepInstruction(0, true).kind, 'budget');
    if ((ph.pcLo ^ prev) >>> 12 !== 0 && ph.pcLo !== prev + 2 && ph.pcLo !== prev + 4) targets.set(ph.pcLo, (targets.get(ph.pcLo) ?? 0) + 1);
  }
  const [pc, times] = [...targets].sort((x, y) => y[1] - x[1])[0];
  assert.ok(times > 10, `the most jumped to from another page: ${pc.toString(16)}, ${times} times`);
  const at = { pcLo: pc, pcHi: 0 };
  for (const m of [slow, fast]) {
    m.breakpoints.add(at.pcLo, at.pcHi);
    m.breakpointsChanged();
  }
  const entries = fast.wasmStats.entries;
  const a = slow.step(1_000_000), b = fast.step(1_000_000);
  assert.equal(a.kind, 'breakpoint');
  assert.deepEqual(b, a);
  assert.deepEqual([fast.harts[0].pcLo, fast.harts[0].instret], [slow.harts[0].pcLo, slow.harts[0].instret]);
  assert.ok(fast.wasmStats.entries > entries, 'no compiled block ran before the breakpoint');
});

test('a page where a run ahead stopped for want of a block translates sooner, and the hart runs ahead more', () => {
  // At the default thresholds bench-qsort's short run leaves 26 % of its instructions to
  // run ahead (at 8000 entries: 8 % when every page waited for HOT, 30 % with eager pages).
  const m = new Machine(defaultDescription({ xlen: 64 }), { consoleOut: () => undefined });
  assert.equal(m.setEngine('wasm'), 'wasm');
  const elf = path.join(BUILD, 'rv64', 'bench-qsort.elf');
  assert.ok(boot(m, { kernel: { name: elf, bytes: new Uint8Array(fs.readFileSync(elf)) }, bios: 'none' }).ok);
  let r;
  while ((r = m.step(10_000_000)).kind === 'budget');
  assert.equal(r.kind, 'power');
  const share = m.wasmStats.ahead / m.harts[0].instret;
  assert.ok(share > 0.2, `${(share * 100).toFixed(1)} % of the instructions ran ahead`);
});

test('a block that becomes hot compiles with the warm blocks of its page, in one module', () => {
  // A: addi a0, a0, 1; andi a1, a0, 1; beq a1, zero, B; bne a0, a5, A; wfi
  // B: addi a2, a2, 1; bne a0, a5, A; wfi. A is entered every pass, B every other one:
  // when A reaches `hot` (16), B has 7 entries, past hot >> 2.
  const WFI = 0x10500073;
  const program = [addi(A0, A0, 1), andi(A1, A0, 1), beq(A1, ZERO, 12), bne(A0, A5, -12), WFI, addi(A2, A2, 1), bne(A0, A5, -24), WFI];
  const results: number[][] = [];
  for (const engine of ['interp', 'wasm'] as const) {
    const m = new Machine(defaultDescription({ xlen: 64 }), { consoleOut: () => undefined });
    m.setEngine(engine, 16);
    const h = m.harts[0];
    program.forEach((w, i) => { h.ram.i32[i] = w; });
    h.pcLo = 0x80000000 | 0;
    h.x[2 * A5] = 20;
    m.stopAtRetired = 10_000; // rounds one by one: a run ahead would make the page eager (run-ahead.ts), A hot at 1
    m.step(2000); // the wfi sleeps for good: nothing is enabled
    results.push([h.x[2 * A0], h.x[2 * A2], h.instret, h.pcLo]);
    if (engine === 'wasm') {
      const page = h.fetchPage(0x80000000 | 0, 0);
      assert.ok(page !== null && page.blocks[0] !== undefined && page.blocks[10] !== undefined, 'A and B have blocks');
      assert.equal(m.wasmStats.modules, 1, 'B compiled with A, before its own 16th entry');
    }
  }
  // 10 passes of 4 instructions, 10 of 5 and the wfi after B.
  assert.deepEqual(results[0], [20, 10, 91, 0x80000020 | 0]);
  assert.deepEqual(results[1], results[0], 'the same run as the interpreter');
});
