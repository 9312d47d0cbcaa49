// `npm run bench`, going back in a debug session (issue 18): the latency of the first Step
// Back after a long run, of a later one, and of a Reverse Continue that searches 10 M
// instructions of history. In this process, through the compiled machine (out/), driven
// as the worker drives it (emulator/hosts/worker.ts): the DebugController runs slices, the
// ReverseDebugger marks between them and at the stop. Wall time of the request alone;
// measured, never asserted (goals: step back <= 100 ms, reverse continue over 10 M <= 1 s).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The worker's slice (clock units between looks at the message queue). */
const SLICE = 200_000;

export async function benchTimeTravel(root, { run = 50_000_000, elf = join(root, 'emulator/test/guests/build/bench/bench-qsort.elf') } = {}) {
  const require = createRequire(import.meta.url);
  const { Machine } = require(join(root, 'out/emulator/machine/machine.js'));
  const { boot } = require(join(root, 'out/emulator/machine/boot.js'));
  const { defaultDescription } = require(join(root, 'out/emulator/machine/description.js'));
  const { DebugController } = require(join(root, 'out/emulator/machine/debug-surface.js'));
  const { ReverseDebugger } = require(join(root, 'out/emulator/machine/reverse-debug.js'));

  const m = new Machine(defaultDescription({ xlen: 64, harts: 1 }), { consoleOut: () => undefined });
  const cfg = { kernel: { name: elf, bytes: new Uint8Array(readFileSync(elf)) }, bios: 'none' };
  if (!boot(m, cfg).ok) throw new Error(`${elf} does not boot`);
  const control = new DebugController(m, () => null);
  const reverse = new ReverseDebugger(m, control);
  const retired = () => m.harts[0].instret;
  /** A continue of `n` instructions as the worker runs one: slices, a mark between them, the stop. */
  const cont = (n) => {
    const until = retired() + n;
    reverse.forward({ kind: 'run' });
    control.resume();
    while (retired() < until && control.run(Math.min(SLICE, until - retired())).kind === 'running') reverse.ranSlice();
    reverse.stopped();
  };
  const ms = (f) => { const t0 = process.hrtime.bigint(); const r = f(); return { ms: Number(process.hrtime.bigint() - t0) / 1e6, r }; };

  const runMs = ms(() => cont(run)).ms;
  // The same continue without history, for what the snapshots on the way cost.
  const bare = new Machine(defaultDescription({ xlen: 64, harts: 1 }), { consoleOut: () => undefined });
  if (!boot(bare, cfg).ok) throw new Error(`${elf} does not boot`);
  const bareControl = new DebugController(bare, () => null);
  const bareMs = ms(() => { bareControl.resume(); while (bare.harts[0].instret < run && bareControl.run(Math.min(SLICE, run - bare.harts[0].instret)).kind === 'running'); }).ms;
  const first = ms(() => reverse.stepBack(0, 'instruction'));
  const second = ms(() => reverse.stepBack(0, 'instruction'));
  // A fresh history of 10 M instructions with nothing to stop at: the reverse continue searches all of it.
  const m2 = new Machine(defaultDescription({ xlen: 64, harts: 1 }), { consoleOut: () => undefined });
  if (!boot(m2, cfg).ok) throw new Error(`${elf} does not boot`);
  const control2 = new DebugController(m2, () => null);
  const reverse2 = new ReverseDebugger(m2, control2);
  reverse2.forward({ kind: 'run' });
  control2.resume();
  while (m2.harts[0].instret < 10_000_000 && control2.run(Math.min(SLICE, 10_000_000 - m2.harts[0].instret)).kind === 'running') reverse2.ranSlice();
  reverse2.stopped();
  const rc = ms(() => reverse2.reverseContinue());

  console.log('\ngoing back (bench-qsort, 1 hart)                       ms   goal');
  console.log(`the continue itself, with history / without     ${runMs.toFixed(0).padStart(6)} / ${bareMs.toFixed(0)}`);
  console.log(`first Step Back after a ${run / 1e6} M-instruction continue  ${first.ms.toFixed(0).padStart(6)}    100`);
  console.log(`a second Step Back                                 ${second.ms.toFixed(0).padStart(6)}    100`);
  console.log(`Reverse Continue over 10 M instructions (no stop)  ${rc.ms.toFixed(0).padStart(6)}   1000`);
}

// Alone: `node scripts/bench-time-travel.mjs` (after `npx tsc -p .`).
if (import.meta.url === `file://${process.argv[1]}`) await benchTimeTravel(join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..'));
