/**
 * Going back (issue 18): after a walk of runs and single steps, every step back lands on
 * the state (whole-machine hash) a fresh machine reaches by the same operations stopped at
 * that instruction count; a reverse continue lands on the last breakpoint hit before now,
 * or at the start of history; going forward from the past discards the future. States are
 * compared without waiting input: in the past the input queue replays the session's log
 * (session-inputs.ts), where a fresh run's is live.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Machine } from '../machine/machine';
import { boot } from '../machine/boot';
import { defaultDescription, Xlen } from '../machine/description';
import { MachineSnapshot, retired, stateHash } from './machine-snapshot';
import { SnapshotHistory } from './history';
import { TimeTravel } from './time-travel';
import type { Engine } from '../options';

const GUESTS = path.resolve(__dirname, '../../../emulator/test/guests/build');

/** `engine`: how the machine runs (default: blocks as JavaScript); wasm compiles nearly everything (hot 2). */
function machine(name: string, xlen: Xlen, harts: number, engine?: Engine): Machine {
  const m = new Machine(defaultDescription({ xlen, harts }), { consoleOut: () => undefined });
  if (engine !== undefined) assert.equal(m.setEngine(engine, 2), engine);
  const elf = path.join(GUESTS, name);
  const b = boot(m, { kernel: { name, bytes: new Uint8Array(fs.readFileSync(elf)) }, bios: 'none' });
  assert.ok(b.ok);
  return m;
}

type Op = { run: number } | { steps: number; hart: number };
let WALK: Op[] = [];
const walkOf = (k: number): Op[] => [{ run: 20_000 * k }, { steps: 40, hart: 0 }, { run: 7_000 * k }, { steps: 25, hart: 0 }, { run: 3_000 * k }];

/** The walk's operations on `m`, stopping at `target` retired instructions when given; `each` after each operation. */
function walk(m: Machine, target = Infinity, each?: (op: Op) => void): void {
  for (const op of WALK) {
    if ('run' in op) {
      const until = Math.min(target, retired(m) + op.run);
      m.stopAtRetired = until;
      while (retired(m) < until && m.step(until - retired(m)).kind === 'budget') { /* on to the target */ }
      m.stopAtRetired = null;
      each?.(op);
    } else {
      for (let i = 0; i < op.steps && retired(m) < target; i++) { m.stepInstruction(op.hart, false); each?.(op); }
    }
    if (retired(m) >= target) return;
  }
}

// Scaled so the walk ends before the guest powers off (interrupts.elf runs about 20 000 instructions).
// The WebAssembly engine's runs go back and forth too: compiled code survives restores, and
// the states must still be the fresh (JavaScript-engine) runs'.
const WALKS: [string, Xlen, number, number, Engine?][] = [['rv64/paging.elf', 64, 1, 1], ['rv64/interrupts.elf', 64, 1, 0.5], ['rv64/amo-smp.elf', 64, 2, 1],
  ['rv64/paging.elf', 64, 1, 1, 'wasm'], ['rv64/amo-smp.elf', 64, 2, 1, 'wasm']];
for (const [name, xlen, harts, k, engine] of WALKS) {
  test(`${name}${engine !== undefined ? ` (engine ${engine})` : ''}: a random walk back through history lands on the states of fresh runs to the same counts`, () => {
    WALK = walkOf(k);
    const m = machine(name, xlen, harts, engine);
    const tt = new TimeTravel(m);
    walk(m, Infinity, (op) => tt.mark('run' in op ? { kind: 'run' } : { kind: 'steps', hart: op.hart, interrupts: false }));
    const end = retired(m);
    const endHash = stateHash(m, false);
    // Back by single instructions, by previous stops, and forward to known points, in a fixed pseudo-random order.
    let seed = 7;
    const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
    for (let i = 0; i < 12; i++) {
      const choice = retired(m) > tt.start ? rnd() % 3 : 2;
      if (choice === 0) assert.ok(tt.stepBack());
      else if (choice === 1) assert.ok(tt.backToPreviousPoint());
      else assert.ok(tt.goTo(tt.start + rnd() % (end - tt.start)));
      const at = retired(m);
      const fresh = machine(name, xlen, harts);
      walk(fresh, at);
      assert.equal(retired(fresh), at);
      assert.equal(stateHash(m, false), stateHash(fresh, false), `state at ${at} instructions (move ${i})`);
    }
    assert.ok(tt.goTo(end));
    assert.equal(stateHash(m, false), endHash, 'back to the present by re-execution');
    if (engine === 'wasm') assert.ok(m.wasmStats.modules > 0, 'no block was compiled to wasm');
  });
}

WALK = walkOf(1);

test('reverse continue stops at the last breakpoint hit before now, then at the start of history', () => {
  const m = machine('rv64/paging.elf', 64, 1);
  const tt = new TimeTravel(m);
  m.step(30_000);
  tt.mark({ kind: 'run' });
  // A pc the guest has reached and will again: where it stands now, in its loop.
  const pc = m.harts[0].pcLo;
  m.step(30_000);
  tt.mark({ kind: 'run' });
  const now = retired(m);
  const hitsSeen: number[] = [];
  const runLeg = (until: number): number[] => {
    const hits: number[] = [];
    m.breakpoints.clear(); m.breakpoints.add(pc, 0); m.breakpointsChanged();
    m.stopAtRetired = until;
    for (let g = 0; g < 100_000 && retired(m) < until; g++) {
      const r = m.step(until - retired(m));
      if (r.kind === 'breakpoint') { hits.push(retired(m)); m.harts[0].skipBreakpoint = true; continue; }
      if (r.kind !== 'budget') break;
    }
    m.stopAtRetired = null;
    m.breakpoints.clear(); m.breakpointsChanged();
    hitsSeen.push(...hits);
    return hits;
  };
  const r = tt.reverseContinue(runLeg);
  assert.equal(r.kind, 'hit');
  assert.equal(m.harts[0].pcLo, pc, 'stopped at the breakpoint');
  assert.ok(retired(m) < now);
  assert.equal(retired(m), Math.max(...hitsSeen.filter((n) => n < now)), 'the last hit before now');
  const fresh = machine('rv64/paging.elf', 64, 1);
  fresh.stopAtRetired = retired(m);
  while (retired(fresh) < retired(m) && fresh.step(1e6).kind === 'budget') { /* to the count */ }
  assert.equal(stateHash(fresh, false), stateHash(m, false));
  // Without a breakpoint to find, back to where history starts.
  assert.deepEqual(tt.reverseContinue(() => []), { kind: 'start' });
  assert.equal(retired(m), tt.start);
});

test('going forward from a past point discards the future', () => {
  const m = machine('rv64/paging.elf', 64, 1);
  const tt = new TimeTravel(m);
  m.step(10_000); tt.mark({ kind: 'run' });
  m.step(10_000); tt.mark({ kind: 'run' });
  const later = retired(m);
  assert.ok(tt.goTo(12_000));
  m.stepInstruction(0, false); tt.mark({ kind: 'steps', hart: 0, interrupts: false });
  assert.equal(tt.goTo(later), false, 'the old future is gone');
});

test('going back into a long run keeps snapshots at round boundaries on the way, and every landing stays exact', () => {
  const name = 'bench/bench-qsort.elf';
  const m = machine(name, 64, 1);
  const tt = new TimeTravel(m);
  m.step(2_000_000);
  tt.mark({ kind: 'run' });
  const fresh = (at: number) => {
    const f = machine(name, 64, 1);
    f.stopAtRetired = at;
    while (retired(f) < at && f.step(at - retired(f)).kind === 'budget') { /* to the count */ }
    return stateHash(f, false);
  };
  const end = retired(m);
  for (const at of [end - 1, end - 400_000, 1_234_567, end - 2, 600_001]) {
    assert.ok(tt.goTo(at));
    assert.equal(stateHash(m, false), fresh(at), `state at ${at}`);
  }
  assert.ok(tt.goTo(end));
});

test('a snapshot the history thins out is let go by everything that held it', () => {
  const dropped: MachineSnapshot[] = [];
  const history = new SnapshotHistory(3 * 4096, (s) => dropped.push(s));
  const made = [0, 10, 20, 30, 40, 50].map((n) => ({ state: null, pages: [], rom: new Uint8Array(0), retired: n, ownBytes: 4096 }) as unknown as MachineSnapshot);
  for (const s of made) history.add(s);
  assert.equal(history.heldBytes, 3 * 4096);
  assert.deepEqual([...history.snapshots, ...dropped].map((s) => s.retired).sort((a, b) => a - b), [0, 10, 20, 30, 40, 50], 'each snapshot is held or was reported dropped');
  assert.ok(dropped.every((s) => !history.snapshots.includes(s)));
});
