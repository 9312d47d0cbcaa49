/**
 * Stepping lands where gdb lands. The program-state guest at -O0, -Og and -O2 (rv64 and
 * rv32), on our debugger over DAP and on QEMU under gdb-multiarch, side by side: from
 * `break schedule`, a plan of step in, step over and step out (gdb's step, next and
 * finish), across lines the optimiser interleaved, a call to a function with lines, and
 * an inlined call (scaled, always_inline: entered at its call site, stepped through,
 * finished mid-line); after each step both sides' call stacks (function, line, pc of
 * each frame up to main) must be equal. Then a function breakpoint on the inlined
 * function: both stop in it, with the same frames. And call stacks through tail calls
 * (test/programs/tailcall.c at -O2): the frames gdb rebuilds from DW_AT_call_tail_call
 * sites, ours too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { buildState, STATE_SOURCE } from './state-program';
import { GdbSession, gdbOracleMissing, miList, miString, miTuple } from './gdb-session';

const ROOT = path.resolve(__dirname, '../../..');
const ADAPTER = path.join(ROOT, 'out/debug-adapter/main.js');
/** s: step in, n: step over, f: step out. Long enough to leave schedule; the comparison ends in main. */
const PLAN = 'sssssssnnnnsssfnnsssnnnfnnnn';

type Side = { frames(): Promise<string[]>; step(c: string): Promise<void> };

/** Frames as `function:line@pc`, innermost first, up to main (gdb does not show what called main). */
function upToMain(frames: string[]): string[] {
  const main = frames.findIndex((f) => f.startsWith('main:'));
  return main < 0 ? frames : frames.slice(0, main + 1);
}

async function sides(elf: string, xlen: 32 | 64): Promise<{ ours: Side; gdb: Side; dc: DebugClient; session: GdbSession }> {
  const session = await GdbSession.start(elf, xlen);
  const dc = new DebugClient('node', ADAPTER, 'osdev');
  dc.defaultTimeout = 60_000;
  await dc.start();
  const stopped = dc.waitForEvent('stopped');
  await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'step', program: elf, stopOnEntry: true })]);
  await stopped;
  const hex = (v: string) => v.replace(/^0x0*/, '');
  const ours: Side = {
    frames: async () => upToMain((await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames
      .map((f) => `${f.name}:${f.line}@${hex(f.instructionPointerReference ?? '')}`)),
    step: async (c) => {
      const ev = dc.waitForEvent('stopped');
      if (c === 's') await dc.stepInRequest({ threadId: 1 });
      else if (c === 'n') await dc.nextRequest({ threadId: 1 });
      else if (c === 'f') await dc.stepOutRequest({ threadId: 1 });
      else await dc.continueRequest({ threadId: 1 });
      await ev;
    },
  };
  const gdb: Side = {
    frames: async () => upToMain(miList((await session.command('-stack-list-frames')).results.stack, 'stack').map((f) => {
      const t = miTuple(f, 'frame');
      return `${typeof t.func === 'string' ? t.func : '??'}:${typeof t.line === 'string' ? t.line : '?'}@${hex(miString(t.addr, 'addr'))}`;
    })),
    step: async (c) => {
      const stop = await session.resume(c === 's' ? '-exec-step' : c === 'n' ? '-exec-next' : c === 'f' ? '-exec-finish' : '-exec-continue');
      assert.notEqual(stop.reason, 'exited-normally', 'gdb: the program ended');
    },
  };
  return { ours, gdb, dc, session };
}

const skip = gdbOracleMissing();

for (const [xlen, opt] of [[64, '-O0'], [32, '-Og'], [64, '-O2'], [32, '-O2']] as const) {
  test(`steps land where gdb's land: rv${xlen} ${opt}`, { skip }, async () => {
    const build = buildState(xlen, opt);
    const { ours, gdb, dc, session } = await sides(build.elf, xlen);
    try {
      await session.breakAt('schedule');
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'schedule' }] });
      await gdb.step('c');
      await ours.step('c');
      await session.command('-break-delete');
      await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
      const log: string[] = [];
      let inlined = 0;
      const lines = new Set<string>();
      for (const c of PLAN) {
        await gdb.step(c);
        await ours.step(c);
        const [theirs, mine] = [await gdb.frames(), await ours.frames()];
        log.push(`${c}: ${theirs.join(' < ')}`);
        assert.deepEqual(mine, theirs, `after ${log.length} steps (${PLAN.slice(0, log.length)}):\n${log.join('\n')}`);
        if (theirs[0].startsWith('scaled:')) inlined++;
        lines.add(theirs[0]);
        if (theirs[0].startsWith('main:')) break;
      }
      // The plan meant something: many places, and (but where -O2 folded it away) inside the inlined call.
      assert.ok(lines.size >= 5, `${lines.size} places`);
      if (opt !== '-O2') assert.ok(inlined >= 2, `${inlined} stops in scaled`);
    } finally {
      await session.close();
      await dc.stop();
      build.remove();
    }
  });
}

test('a function breakpoint on an inlined function stops in it, as gdb does; step over and out from there', { skip }, async () => {
  const build = buildState(64, '-O0');
  const { ours, gdb, dc, session } = await sides(build.elf, 64);
  try {
    await session.breakLocations('scaled');
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'scaled' }] });
    for (const [i, c] of [...'cnfcnn'].entries()) {
      await gdb.step(c);
      await ours.step(c);
      const mine = await ours.frames();
      assert.deepEqual(mine, await gdb.frames(), `after ${'cnfcnn'.slice(0, i + 1)}`);
      if (c === 'c') assert.match(mine[0], /^scaled:/);
    }
  } finally {
    await session.close();
    await dc.stop();
    build.remove();
  }
});

for (const xlen of [64, 32] as const) {
  test(`rv${xlen} -O2: frames of functions that ended in tail calls, as gdb rebuilds them`, { skip }, async () => {
    const build = buildState(xlen, '-O2', 5, path.join(path.dirname(STATE_SOURCE), 'tailcall.c'));
    const { ours, gdb, dc, session } = await sides(build.elf, xlen);
    try {
      await session.breakAt('leaf');
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'leaf' }] });
      await gdb.step('c');
      await ours.step('c');
      const theirs = await gdb.frames();
      assert.deepEqual(theirs.map((f) => f.split(':')[0]), ['leaf', 'middle', 'top', 'main'], 'gdb rebuilds the tail callers');
      assert.deepEqual(await ours.frames(), theirs);
      // A rebuilt frame has no registers: no scopes, and evaluating in it says why.
      const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
      assert.deepEqual((await dc.scopesRequest({ frameId: frames[1].id })).body.scopes, []);
      await assert.rejects(dc.evaluateRequest({ expression: 'x', frameId: frames[1].id, context: 'watch' }), /rebuilt from a tail call/);
      // Step out of leaf returns to main, as gdb's finish does (the tail callers have no code left to run).
      await gdb.step('f');
      await ours.step('f');
      assert.deepEqual(await ours.frames(), await gdb.frames());
    } finally {
      await session.close();
      await dc.stop();
      build.remove();
    }
  });
}
