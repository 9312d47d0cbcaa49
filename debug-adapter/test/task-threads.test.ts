/**
 * The guest's tasks as threads (task-threads.ts), on test/programs/tasks.c: an xv6-like
 * kernel in miniature on two harts, stopped where two tasks sleep at different depths,
 * one has yielded, and one runs on each hart. The oracle is gdb-multiarch on QEMU at the
 * same breakpoint: a task that runs is its hart's thread there (`-thread-select`); a task
 * that sleeps is unwound by gdb from the context its switch saved (`set $pc = ...` and
 * the callee-saved registers, then `-stack-list-frames`). Every frame's pc and function
 * must be the same as ours.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { GdbFrame, GdbSession, gdbOracleMissing, qemuGdbCommand } from './gdb-session';
import { buildState } from './state-program';

const ROOT = path.resolve(__dirname, '../../..');
const ADAPTER = path.join(ROOT, 'out/debug-adapter/main.js');
const SOURCE = path.join(ROOT, 'debug-adapter/test/programs/tasks.c');

/** The tasks as the guest makes them: pid, name, and where each is at checkpoint(). */
const EXPECTED = [
  { slot: 0, pid: 2, name: 'sleeper-a', state: 'sleeping' },
  { slot: 1, pid: 3, name: 'sleeper-b', state: 'sleeping' },
  { slot: 2, pid: 5, name: 'yielder', state: 'runnable' },
  { slot: 3, pid: 1, name: 'init', hart: 0 },
  { slot: 4, pid: 4, name: 'spinner', hart: 1 },
];
const CONTEXT = ['ra', 'sp', ...Array.from({ length: 12 }, (_, i) => `s${i}`)];

interface Frame { pc: bigint; func: string }

const ours = (frames: DebugProtocol.StackFrame[]): Frame[] =>
  frames.map((f) => ({ pc: BigInt(f.instructionPointerReference ?? '0'), func: f.name.replace(/\+0x[0-9a-f]+$/, '') }));
/** gdb shows the null return address that ends a task's stack as one more frame (pc 0, "??"); ours ends there. */
const theirs = (frames: GdbFrame[]): Frame[] => frames.filter((f, i) => !(i === frames.length - 1 && f.pc === 0n)).map((f) => ({ pc: f.pc, func: f.func }));

for (const [xlen, opt] of [[64, '-O0'], [32, '-O2']] as const) {
  test(`tasks as threads, rv${xlen} ${opt}: names, states, harts and every task's call stack equal gdb's`, { skip: gdbOracleMissing([xlen]), timeout: 180_000 }, async () => {
    const build = buildState(xlen, opt, 5, SOURCE);
    const dc = new DebugClient('node', ADAPTER, 'osdev');
    dc.defaultTimeout = 60_000;
    const qemu = qemuGdbCommand(build.elf, xlen).map((a, i, all) => (all[i - 1] === '-smp' ? '2' : a));
    const gdb = await GdbSession.start(build.elf, xlen, qemu);
    try {
      await gdb.breakAt('checkpoint');
      assert.equal((await gdb.resume('-exec-continue')).reason, 'breakpoint-hit');

      await dc.start();
      const entry = dc.waitForEvent('stopped');
      await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'tasks', program: build.elf, harts: 2, xlen, stopOnEntry: true })]);
      await entry;
      // A profile of the run to the checkpoint: each sample under the task its hart ran (cpus[hart].proc).
      await dc.customRequest('osdev/profile', { action: 'start', rate: 37 });
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'checkpoint' }] });
      const hit = dc.waitForEvent('stopped');
      await dc.continueRequest({ threadId: 1 });
      await hit;

      const { profile } = (await dc.customRequest('osdev/profile', { action: 'stop' })).body as { profile: { nodes: { id: number; callFrame: { functionName: string }; children: number[] }[] } };
      const node = (name: string) => profile.nodes.find((n) => n.callFrame.functionName === name);
      const under = (id: number): string[] => { const n = profile.nodes[id - 1]; return [n.callFrame.functionName, ...n.children.flatMap(under)]; };
      for (const e of EXPECTED) assert.ok(node(`pid ${e.pid} ${e.name}`) !== undefined, `the profile has a node for pid ${e.pid}: ${profile.nodes.map((n) => n.callFrame.functionName).join(', ')}`);
      // The spinner's loop is the spinner's alone.
      const owners = profile.nodes.filter((n) => n.callFrame.functionName.startsWith('pid ') && under(n.id).includes('spinner')).map((n) => n.callFrame.functionName);
      assert.deepEqual(owners, ['pid 4 spinner']);

      const threads = (await dc.threadsRequest()).body.threads;
      const tasks = threads.filter((t) => t.name.startsWith('pid '));
      assert.deepEqual(tasks.map((t) => t.name), EXPECTED.map((e) => `pid ${e.pid} ${e.name} (${e.hart !== undefined ? `running on hart ${e.hart}` : e.state})`));

      // The running tasks first: gdb's registers of hart 0 are then set to each sleeping task's context.
      for (const [i, e] of [...EXPECTED.entries()].sort(([, a], [, b]) => Number(b.hart !== undefined) - Number(a.hart !== undefined))) {
        const thread = tasks[i];
        const mine = ours((await dc.stackTraceRequest({ threadId: thread.id })).body.stackFrames);
        if (e.hart !== undefined) {
          await gdb.command(`-thread-select ${e.hart + 1}`);
        } else {
          // gdb unwinds the task from what swtch saved, as our thread does.
          await gdb.command('-thread-select 1');
          for (const r of CONTEXT) await gdb.evaluate(`$${r} = proc[${e.slot}].context.${r}`);
          await gdb.evaluate(`$pc = proc[${e.slot}].context.ra`);
        }
        const expected = theirs(await gdb.frames());
        // The spinner's hart was stopped somewhere in its loop, not at the same instruction on both
        // machines: its pc (and that of the frames inlined there, which share it) is not compared.
        if (e.hart === 1) for (const frames of [mine, expected]) { const top = frames[0].pc; for (const f of frames) if (f.pc === top) f.pc = 0n; }
        assert.deepEqual(mine, expected, `${thread.name}: our frames, then gdb's`);
      }

      // The sleeping task's variables: its frames evaluate with the registers as saved.
      const deeper = tasks[1];
      const frames = (await dc.stackTraceRequest({ threadId: deeper.id })).body.stackFrames;
      const wait = frames.findIndex((f) => f.name === 'wait_deeper');
      if (opt === '-O0') {
        assert.ok(wait >= 0, 'sleeper-b sleeps inside wait_deeper');
        const depth = await dc.evaluateRequest({ expression: 'depth', frameId: frames[wait].id, context: 'watch' });
        assert.equal(depth.body.result, '0');
      }
      // A task that is not running cannot be stepped, and says why.
      await assert.rejects(dc.nextRequest({ threadId: deeper.id }), /pid 3 sleeper-b is not running on a hart/);

      const ps = await dc.evaluateRequest({ expression: 'ps', context: 'repl' });
      assert.match(ps.body.result, /^xv6-riscv: 5 tasks/);
      assert.match(ps.body.result, /\n\s+4 {2}running\s+1 {2}spinner/);
    } finally {
      await dc.stop().catch(() => undefined);
      await gdb.close();
      build.remove();
    }
  });
}

test('a user\'s OS description: a problem is named before the machine starts', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-os-'));
  const dc = new DebugClient('node', ADAPTER, 'osdev');
  dc.defaultTimeout = 30_000;
  try {
    const file = path.join(dir, 'mine.osdev-os.json');
    fs.writeFileSync(file, JSON.stringify({ name: 'mine', detect: [], taskType: 'struct task', tasks: { array: 'tasks' }, id: '$task->id', taskName: '$task->name', state: '$task->state', running: { S: '$tp' }, context: { pc: '$task->pc' } }));
    await dc.start();
    await assert.rejects(Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'bad os', program: path.join(ROOT, 'demo/hello.elf'), os: file })]),
      /"context" must give at least "pc" and "sp"/);
  } finally {
    await dc.stop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
