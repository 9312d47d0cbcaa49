/**
 * launch.json `gdbServer`: Debian's gdb-multiarch in batch mode attaches to the machine of
 * a DAP session (DebugClient on out/debug-adapter/main.js) and both debug it at once: gdb's
 * breakpoints and continues show in the session as stops and `continued` events, the
 * session's breakpoints stop gdb's continue. The port is the one the Debug Console names.
 * Every wait is for an event, a response or gdb's end; timeouts are safety nets only.
 */
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { GDB, gdbBatch } from '../../emulator/test/gdb-session-cli';
import { installHint } from '../../emulator/test/host-tools';

const ROOT = path.resolve(__dirname, '../../..');
const ADAPTER = path.join(ROOT, 'out/debug-adapter/main.js');
const DEMO = path.join(ROOT, 'demo/hello.elf');
/** Polls the UART for a line forever: a guest still running when gdb comes. */
const WAITS_FOR_INPUT = path.join(ROOT, 'emulator/test/guests/build/rv64/uart-rx.elf');

let dc: DebugClient;
let output = '';
/** The session's stopped and continued events, in order. */
let events: DebugProtocol.Event[] = [];

beforeEach(async () => {
  const r = spawnSync(GDB, ['--version'], { stdio: 'ignore' });
  if (r.error !== undefined || r.status !== 0) assert.fail(`cannot run ${GDB} (${installHint(GDB)})`);
  dc = new DebugClient('node', ADAPTER, 'osdev');
  dc.defaultTimeout = 60_000;
  await dc.start();
  dc.on('error', () => undefined);
  output = '';
  events = [];
  dc.on('output', (e: DebugProtocol.OutputEvent) => { output += e.body.output; });
  for (const name of ['stopped', 'continued']) dc.on(name, (e: DebugProtocol.Event) => events.push(e));
});

afterEach(async () => { await dc.stop(); });

/** Launches the demo with gdbServer 0 (stopped at entry when `stopOnEntry`); resolves with the port the Debug Console names. */
async function launchWithGdb(stopOnEntry: boolean, before: () => Promise<unknown> = async () => undefined, program = DEMO): Promise<number> {
  const entry = stopOnEntry ? dc.waitForEvent('stopped') : Promise.resolve(undefined);
  await Promise.all([
    dc.waitForEvent('initialized').then(before).then(() => dc.configurationDoneRequest()),
    dc.initializeRequest().then(() => dc.launch({ type: 'osdev', request: 'launch', name: 'gdb beside', program, stopOnEntry, gdbServer: 0 })),
  ]);
  await entry;
  const m = /gdb server on 127\.0\.0\.1:(\d+): in gdb, target remote 127\.0\.0\.1:\1/.exec(output);
  assert.ok(m !== null, `the Debug Console names the port:\n${output}`);
  return Number(m[1]);
}

const stoppedEvents = () => events.filter((e): e is DebugProtocol.StoppedEvent => e.event === 'stopped');

test('gdb attaches beside the session: registers, its breakpoint, its continue; the session sees the stop where gdb does', async () => {
  const port = await launchWithGdb(true);
  events = [];
  const out = await gdbBatch(DEMO, `target remote 127.0.0.1:${port}`,
    ['info registers pc', 'break main', 'continue', 'info registers pc', 'detach']);
  assert.match(out, /^pc\s+0x80000000\s+0x80000000 <_start>/m, out);
  assert.match(out, /Breakpoint 1, main \(\) at .*hello\.c:\d+/, out);
  const pcAtMain = /^pc\s+(0x[0-9a-f]+)\s+0x[0-9a-f]+ <main>/m.exec(out);
  assert.ok(pcAtMain !== null, out);
  // gdb's continue is the session's too, and so is the stop at gdb's breakpoint.
  assert.deepEqual(events.map((e) => e.event), ['continued', 'stopped'], JSON.stringify(events));
  const stop = stoppedEvents()[0].body;
  assert.equal(stop.reason, 'breakpoint');
  assert.equal(stop.description, `gdb's breakpoint at ${pcAtMain[1]}`);
  const st = await dc.stackTraceRequest({ threadId: 1 });
  assert.equal(st.body.stackFrames[0].name, 'main');
  assert.equal(BigInt(st.body.stackFrames[0].instructionPointerReference ?? '-1'), BigInt(pcAtMain[1]));
  assert.match(output, /gdb detached: its breakpoints and watchpoints are gone, the machine stays as it is/);
  // The session goes on without gdb: its continue runs the guest to its power-off, no stop between.
  events = [];
  const exited = dc.waitForEvent('exited');
  await dc.continueRequest({ threadId: 1 });
  assert.equal((await exited).body.exitCode, 0);
  assert.deepEqual(events, []);
});

test('a VS Code breakpoint stops gdb\'s continue, and gdb\'s own breakpoint stops the session', async () => {
  let ids: number[] = [];
  const port = await launchWithGdb(true, async () => {
    const r = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'show_fdt' }] });
    ids = r.body.breakpoints.map((b) => b.id ?? -1);
  });
  events = [];
  const out = await gdbBatch(DEMO, `target remote 127.0.0.1:${port}`,
    ['break show_isa', 'continue', 'continue', 'bt 1', 'detach']);
  assert.match(out, /Breakpoint 1, show_isa \(\) at .*hello\.c:\d+/, out);
  // Not a breakpoint gdb knows: a trap signal, where VS Code's breakpoint is.
  assert.match(out, /Program received signal SIGTRAP, Trace\/breakpoint trap\.\nshow_fdt \(\) at .*hello\.c:\d+/, out);
  assert.match(out, /^#0 {2}show_fdt \(\) at /m, out);
  // Each continue of gdb's is one the session sees, and each stop too: gdb steps off its
  // breakpoint at show_isa with a breakpoint on the next instruction (RISC-V gdb single-steps
  // in software), which the session shows as a stop at gdb's breakpoint as well.
  const kinds = events.map((e) => e.event);
  assert.deepEqual(kinds, kinds.map((_, i) => (i % 2 === 0 ? 'continued' : 'stopped')), JSON.stringify(events));
  const stops = stoppedEvents().map((e) => e.body);
  const last = stops.pop();
  for (const s of stops) assert.match(s.description ?? '', /^gdb's breakpoint at 0x/, JSON.stringify(events));
  assert.equal(last?.reason, 'function breakpoint');
  assert.deepEqual(last?.hitBreakpointIds, ids);
  const st = await dc.stackTraceRequest({ threadId: 1 });
  assert.equal(st.body.stackFrames[0].name, 'show_fdt');
});

test('watchpoints of both: VS Code\'s data breakpoint ends gdb\'s continue, gdb\'s watchpoint shows in the session as gdb\'s', async () => {
  const port = await launchWithGdb(true);
  // At main, past crt0's clearing of .bss (a write to both variables).
  await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'main' }] });
  const atMain = dc.waitForEvent('stopped');
  await dc.continueRequest({ threadId: 1 });
  await atMain;
  await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
  const info = await dc.dataBreakpointInfoRequest({ name: 'm_trap_hook' });
  assert.ok(info.body.dataId !== null, JSON.stringify(info.body));
  const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId as string, accessType: 'write' }] });
  const id = set.body.breakpoints[0].id;
  events = [];
  // main sets m_trap_hook before the first timer interrupt writes ticks.
  const out = await gdbBatch(DEMO, `target remote 127.0.0.1:${port}`, ['watch ticks', 'continue', 'continue', 'detach']);
  assert.match(out, /Program received signal SIGTRAP, Trace\/breakpoint trap\.\nmain \(\) at .*hello\.c:\d+/, out);
  assert.match(out, /Hardware watchpoint 1: ticks\n\nOld value = 0\nNew value = 1\n/, out);
  // gdb steps past the store that hit its watchpoint (RISC-V gdb takes watchpoints as
  // stopping before the access) by a breakpoint on the next instruction: one more stop.
  const kinds = events.map((e) => e.event);
  assert.deepEqual(kinds, kinds.map((_, i) => (i % 2 === 0 ? 'continued' : 'stopped')), JSON.stringify(events));
  const [ours, gdbs, ...steps] = stoppedEvents().map((e) => e.body);
  for (const x of steps) assert.match(x.description ?? '', /^gdb's breakpoint at 0x/, JSON.stringify(events));
  assert.equal(ours.reason, 'data breakpoint');
  assert.deepEqual(ours.hitBreakpointIds, [id]);
  assert.equal(gdbs.reason, 'data breakpoint');
  assert.match(gdbs.description ?? '', /^gdb's watchpoint: write to 0x[0-9a-f]+ by hart 0$/);
  assert.equal(gdbs.hitBreakpointIds, undefined);
});

test('gdb attaching to a running session stops it (a pause the session sees), and detaching leaves it stopped', async () => {
  const port = await launchWithGdb(false, undefined, WAITS_FOR_INPUT);
  const paused = dc.waitForEvent('stopped');
  const out = await gdbBatch(WAITS_FOR_INPUT, `target remote 127.0.0.1:${port}`, ['info registers pc', 'detach']);
  assert.match(out, /^pc\s+0x8[0-9a-f]+/m, out);
  assert.equal((await paused).body.reason, 'pause');
  const pc = /^pc\s+(0x[0-9a-f]+)/m.exec(out)?.[1];
  const st = await dc.stackTraceRequest({ threadId: 1 });
  assert.equal(BigInt(st.body.stackFrames[0].instructionPointerReference ?? '-1'), BigInt(pc ?? '-2'));
});

test('gdbServer: a bad value names the attribute; a port in use fails the launch with the reason', async () => {
  await dc.initializeRequest();
  await assert.rejects(dc.launch({ type: 'osdev', request: 'launch', name: 'x', program: DEMO, gdbServer: '1234' }),
    /launch attribute "gdbServer" must be a TCP port number \(0 to 65535; 0 takes a free one\), got "1234"/);
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  try {
    const port = (taken.address() as net.AddressInfo).port;
    await assert.rejects(dc.launch({ type: 'osdev', request: 'launch', name: 'x', program: DEMO, gdbServer: port }),
      new RegExp(`launch attribute "gdbServer": cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`));
  } finally {
    taken.close();
  }
});

test('gdb goes back through the session\'s history: reverse-stepi and reverse-continue, the session sees each stop', async () => {
  const port = await launchWithGdb(true);
  events = [];
  const out = await gdbBatch(DEMO, `target remote 127.0.0.1:${port}`,
    ['break main', 'continue', 'stepi', 'stepi', 'info registers pc', 'reverse-stepi', 'info registers pc', 'reverse-stepi', 'info registers pc',
      'reverse-continue', 'info registers pc', 'reverse-continue', 'info registers pc', 'detach']);
  const pcs = [...out.matchAll(/^pc\s+(0x[0-9a-f]+)/gm)].map((m) => BigInt(m[1]));
  const bp = /^Breakpoint 1 at (0x[0-9a-f]+)/m.exec(out);
  assert.ok(bp !== null && pcs.length === 5, out);
  const [twoIn, oneIn, atMain, atStart, stillAtStart] = pcs;
  // Two instructions into main (all compressed here or not: each step back undoes one), back to its breakpoint.
  assert.ok(twoIn > oneIn && oneIn > atMain, out);
  assert.equal(atMain, BigInt(bp[1]), out);
  // No stop before main: the start of history (the reset vector, before the boot ROM ran), which gdb names, and again.
  assert.equal(atStart, 0x1000n, out);
  assert.equal(stillAtStart, 0x1000n, out);
  assert.equal(out.match(/No more reverse-execution history/g)?.length, 2, out);
  // The session saw the stops gdb did, going back included, and stands where gdb does.
  assert.ok(stoppedEvents().length >= 6, JSON.stringify(events));
  const st = await dc.stackTraceRequest({ threadId: 1 });
  assert.equal(BigInt(st.body.stackFrames[0].instructionPointerReference ?? '-1'), 0x1000n);
});
