/**
 * Step Back and Reverse Continue as VS Code drives them (issue 18), over DAP on the demo
 * kernel: a step back by instruction lands where the machine was before the step (pc and
 * every register), a step back by line lands on the line stepped from, a reverse continue
 * with a data breakpoint on `ticks` lands on the store that last wrote it, and without a
 * breakpoint it ends at the start of history.
 */
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { spawnSync } from 'node:child_process';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { decodeSnapshotFile } from '../../emulator/snapshot/snapshot-file';

const ROOT = path.resolve(__dirname, '../../..');
const ADAPTER = path.join(ROOT, 'out/debug-adapter/main.js');
const DEMO = path.join(ROOT, 'demo/hello.elf');

let dc: DebugClient;
beforeEach(async () => {
  dc = new DebugClient('node', ADAPTER, 'osdev');
  dc.defaultTimeout = 60_000;
  await dc.start();
  dc.on('error', () => undefined);
});
afterEach(async () => { await dc.stop(); });

async function stopAfter(request: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped');
  await request();
  return (await stopped) as DebugProtocol.StoppedEvent;
}
const top = async () => (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
async function registers(): Promise<Record<string, string>> {
  const scopes = (await dc.scopesRequest({ frameId: (await top()).id })).body.scopes;
  const r = scopes.find((s) => s.name.startsWith('Registers'));
  assert.ok(r !== undefined);
  const vars = (await dc.variablesRequest({ variablesReference: r.variablesReference })).body.variables;
  return Object.fromEntries(vars.map((v) => [v.name, v.value]));
}

test('step back by instruction and by line, reverse continue to the store of a data breakpoint, then to the start', async () => {
  const init = dc.waitForEvent('stopped');
  await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'test', program: DEMO, stopOnEntry: true })]);
  await init;
  const entryPc = (await top()).instructionPointerReference;

  // Into main, then a few steps forward.
  await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'main' }] });
  await stopAfter(() => dc.continueRequest({ threadId: 1 }));
  await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
  const before = await registers();
  await stopAfter(() => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
  const after = await registers();
  assert.notEqual(after.pc, before.pc);
  const back = await stopAfter(() => dc.stepBackRequest({ threadId: 1, granularity: 'instruction' }));
  assert.equal(back.body.reason, 'step');
  assert.deepEqual(await registers(), before, 'every register as before the step');

  const line1 = (await top()).line;
  await stopAfter(() => dc.nextRequest({ threadId: 1 }));
  const line2 = (await top()).line;
  await stopAfter(() => dc.nextRequest({ threadId: 1 }));
  assert.notEqual((await top()).line, line2);
  await stopAfter(() => dc.stepBackRequest({ threadId: 1 }));
  assert.equal((await top()).line, line2, 'back on the line stepped from');
  assert.ok(line1 > 0);

  // Run on past two timer ticks, then back to the store that last wrote ticks.
  await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'on_timer' }] });
  await stopAfter(() => dc.continueRequest({ threadId: 1 }));
  await stopAfter(() => dc.continueRequest({ threadId: 1 }));
  const ticksNow = (await dc.evaluateRequest({ expression: 'ticks' })).body.result;
  await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
  const info = await dc.dataBreakpointInfoRequest({ name: 'ticks' });
  assert.ok(info.body.dataId !== null);
  await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId as string, accessType: 'write' }] });
  const rc = await stopAfter(() => dc.reverseContinueRequest({ threadId: 1 }));
  assert.equal(rc.body.reason, 'data breakpoint');
  assert.equal((await top()).name, 'on_timer', 'stopped in the handler that wrote it');
  assert.equal((await dc.evaluateRequest({ expression: 'ticks' })).body.result, ticksNow, 'right after the store that gave ticks its value now');

  // Nothing to stop at before: the start of history, the entry point.
  await dc.setDataBreakpointsRequest({ breakpoints: [] });
  const start = await stopAfter(() => dc.reverseContinueRequest({ threadId: 1 }));
  assert.equal(start.body.reason, 'entry');
  // History starts at reset: the boot ROM's first instruction, before the entry stop.
  assert.equal((await top()).instructionPointerReference, '0x1000');
  assert.notEqual(entryPc, '0x1000');
  // And forward again from there: the future was discarded, the machine runs on as before.
  await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'main' }] });
  await stopAfter(() => dc.continueRequest({ threadId: 1 }));
  assert.equal((await top()).name, 'main');
});

test('launch.json restore: the session starts stopped where `osdev-emu run --snapshot-at` took the snapshot; another program is refused', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-restore-'));
  try {
    const snap = path.join(tmp, 'demo.snap');
    const cli = spawnSync(process.execPath, [path.join(ROOT, 'out/emulator/hosts/cli.js'), 'run', DEMO, '--snapshot-at', '5000', snap], { timeout: 60_000 });
    assert.ok(fs.existsSync(snap), cli.stderr.toString());
    const saved = decodeSnapshotFile(new Uint8Array(fs.readFileSync(snap)), snap).snapshot.state as { harts: { pcLo: number }[] };
    const init = dc.waitForEvent('stopped');
    await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'test', program: DEMO, restore: snap })]);
    const ev = (await init) as DebugProtocol.StoppedEvent;
    assert.equal(ev.body.reason, 'entry');
    assert.equal(Number((await top()).instructionPointerReference), saved.harts[0].pcLo >>> 0);
    const other = new DebugClient('node', ADAPTER, 'osdev');
    await other.start();
    try {
      await other.initializeRequest();
      await assert.rejects(other.launch({ type: 'osdev', request: 'launch', name: 'test', program: path.join(ROOT, 'emulator/test/guests/build/rv64/uart.elf'), restore: snap }),
        /is not the image the snapshot was taken with|another board/);
    } finally {
      await other.stop();
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('reverse continue from steps after a breakpoint stop lands on that stop (a hit where history has a point)', async () => {
  const init = dc.waitForEvent('stopped');
  await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'test', program: DEMO, stopOnEntry: true })]);
  await init;
  await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'on_timer' }] });
  const hit = await stopAfter(() => dc.continueRequest({ threadId: 1 }));
  assert.equal(hit.body.reason, 'function breakpoint');
  const at = (await top()).instructionPointerReference;
  await stopAfter(() => dc.nextRequest({ threadId: 1 }));
  await stopAfter(() => dc.nextRequest({ threadId: 1 }));
  assert.notEqual((await top()).instructionPointerReference, at);
  const back = await stopAfter(() => dc.reverseContinueRequest({ threadId: 1 }));
  assert.match(back.body.reason, /breakpoint/);
  assert.equal((await top()).instructionPointerReference, at, 'on the breakpoint the session stopped at');
});
