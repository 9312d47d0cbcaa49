/**
 * Replay files (issue 18): a session driven over DAP (console input typed while the guest
 * polls the UART, a pause, single steps, a step back and on again) is saved with
 * `osdev/saveReplay`; `osdev-emu replay` in another process prints the same console bytes
 * and reaches the same instruction count and state hash; a debug session opened on the
 * file (launch.json `replay`) stops there with the same registers. A file with another
 * kernel beside it, or a damaged one, is one error naming it. With a Remote-Port peer,
 * going back answers from the recorded session, and the replay runs with no peer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { spawnSync } from 'node:child_process';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { startPeer } from '../../emulator/test/peer-process';

const ROOT = path.resolve(__dirname, '../../..');
const ADAPTER = path.join(ROOT, 'out/debug-adapter/main.js');
const CLI = path.join(ROOT, 'out/emulator/hosts/cli.js');
const GUESTS = path.join(ROOT, 'emulator/test/guests/build/rv64');

async function session<T>(body: (dc: DebugClient) => Promise<T>): Promise<T> {
  const dc = new DebugClient('node', ADAPTER, 'osdev');
  dc.defaultTimeout = 60_000;
  await dc.start();
  dc.on('error', () => undefined);
  try { return await body(dc); } finally { await dc.stop(); }
}

async function stopAfter(dc: DebugClient, request: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped');
  await request();
  return (await stopped) as DebugProtocol.StoppedEvent;
}

async function registers(dc: DebugClient): Promise<Record<string, string>> {
  const frame = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
  const scopes = (await dc.scopesRequest({ frameId: frame.id })).body.scopes;
  const r = scopes.find((s) => s.name.startsWith('Registers'));
  assert.ok(r !== undefined);
  const vars = (await dc.variablesRequest({ variablesReference: r.variablesReference })).body.variables;
  return Object.fromEntries(vars.map((v) => [v.name, v.value]));
}

/** Guest console text as the session shows it (output events that are not the adapter's own lines). */
function consoleOf(dc: DebugClient): { guest: () => string; all: () => string } {
  let text = '';
  dc.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.category === 'stdout') text += e.body.output; });
  return { all: () => text, guest: () => text.split(/(?<=\n)/).filter((l) => !l.startsWith('osdev-emu: ')).join('') };
}

async function until(what: () => boolean, dc: DebugClient): Promise<void> {
  // Bounded by the request count, not by time: each status request lets the guest run a few slices.
  for (let i = 0; i < 100_000 && !what(); i++) await dc.customRequest('osdev/status', {});
  assert.ok(what());
}

test('a replay saved over DAP runs again in another process: same console bytes, instruction count and state hash; F5 on it stops there', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-replay-'));
  try {
    // The kernel beside the file, as in a workspace: the replay names it relative to its own folder.
    const kernel = path.join(tmp, 'uart-rx.elf');
    fs.copyFileSync(path.join(GUESTS, 'uart-rx.elf'), kernel);
    const file = path.join(tmp, 'session.osdev-replay');
    const saved = await session(async (dc) => {
      const shown = consoleOf(dc);
      const init = dc.waitForEvent('stopped');
      await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'test', program: kernel, stopOnEntry: true })]);
      await init;
      await dc.continueRequest({ threadId: 1 });
      await until(() => shown.guest().includes('type a line'), dc);
      // Typed while the guest polls LSR.DR: when each byte enters decides how long it polled.
      await dc.customRequest('osdev/consoleInput', { text: 'ab' });
      await dc.customRequest('osdev/status', {});
      await dc.customRequest('osdev/consoleInput', { text: 'c' });
      await stopAfter(dc, () => dc.pauseRequest({ threadId: 1 }));
      for (let i = 0; i < 3; i++) await stopAfter(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
      const before = await registers(dc);
      // Back one instruction (re-executed from the start with the input replayed), and on again.
      await stopAfter(dc, () => dc.stepBackRequest({ threadId: 1, granularity: 'instruction' }));
      await assert.rejects(dc.customRequest('osdev/consoleInput', { text: 'x' }), /past point/);
      await stopAfter(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
      assert.deepEqual(await registers(dc), before, 'the same machine after a step back and a step');
      const r = (await dc.customRequest('osdev/saveReplay', { folder: tmp })).body as { data: string; instructions: number; state: string; notes: string[] };
      fs.writeFileSync(file, Buffer.from(r.data, 'base64'));
      assert.deepEqual(r.notes, []);
      return { ...r, console: shown.guest(), registers: before };
    });
    assert.ok(saved.console.includes('type a line'));

    const cli = spawnSync(process.execPath, [CLI, 'replay', file], { timeout: 120_000 });
    assert.equal(cli.status, 0, cli.stderr.toString());
    assert.equal(cli.stdout.toString(), saved.console, 'the same console bytes');
    assert.match(cli.stderr.toString(), new RegExp(`state hash ${saved.state} at ${saved.instructions} instructions`));

    // F5 on the file: the session stops where it was saved, the recorded history behind it.
    await session(async (dc) => {
      const init = dc.waitForEvent('stopped');
      await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'replay', replay: file })]);
      await init;
      assert.deepEqual(await registers(dc), saved.registers);
      const s = (await dc.customRequest('osdev/status', {})).body as { instructions: number };
      assert.equal(s.instructions, saved.instructions);
      await stopAfter(dc, () => dc.stepBackRequest({ threadId: 1, granularity: 'instruction' }));
      assert.equal(((await dc.customRequest('osdev/status', {})).body as { instructions: number }).instructions, saved.instructions - 1);
    });

    // Another kernel where the file expects its own: one error naming the file.
    fs.copyFileSync(path.join(GUESTS, 'uart.elf'), kernel);
    const bad = spawnSync(process.execPath, [CLI, 'replay', file], { timeout: 60_000 });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr.toString(), new RegExp(`kernel ${kernel.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not the image the replay was recorded with`));
    await session(async (dc) => {
      await dc.initializeRequest();
      await assert.rejects(dc.launch({ type: 'osdev', request: 'launch', name: 'replay', replay: file }), /is not the image the replay was recorded with/);
    });

    // A damaged file: the checksum says so.
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 10] ^= 0xff;
    const damaged = path.join(tmp, 'damaged.osdev-replay');
    fs.writeFileSync(damaged, bytes);
    const dmg = spawnSync(process.execPath, [CLI, 'replay', damaged], { timeout: 60_000 });
    assert.equal(dmg.status, 2);
    assert.match(dmg.stderr.toString(), /replay .*damaged\.osdev-replay is damaged \(checksum mismatch\)/);
    fs.writeFileSync(damaged, 'not a replay');
    assert.match(spawnSync(process.execPath, [CLI, 'replay', damaged]).stderr.toString(), /is not an OS Dev Emulator replay/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('a session with a Remote-Port peer: going back uses its recorded answers; the replay runs without the peer to the same state', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-replay-rp-'));
  const peer = await startPeer(`unix:${path.join(tmp, 'peer.sock')}`);
  try {
    const slot = { name: 'rp0', backend: `remote-port:${peer.address}`, dma: '0x80000000:0x8000000', compatible: 'osdev-emulator,rp-example-dma' };
    const file = path.join(tmp, 'rp.osdev-replay');
    const saved = await session(async (dc) => {
      const shown = consoleOf(dc);
      const init = dc.waitForEvent('stopped');
      await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'rp', program: path.join(GUESTS, 'rp-dma.elf'), stopOnEntry: true, passthrough: [slot] })]);
      await init;
      // The interrupt handler: the peer has copied the buffer by DMA and raised its line.
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'on_irq' }] });
      await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
      await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
      for (let i = 0; i < 2; i++) await stopAfter(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
      const here = await registers(dc);
      // Back over the peer's accesses: re-executed from the start with its answers from the log, never asking it.
      await stopAfter(dc, () => dc.stepBackRequest({ threadId: 1, granularity: 'instruction' }));
      await stopAfter(dc, () => dc.stepBackRequest({ threadId: 1, granularity: 'instruction' }));
      const back = ((await dc.customRequest('osdev/status', {})).body as { instructions: number }).instructions;
      const r = (await dc.customRequest('osdev/saveReplay', { folder: tmp })).body as { data: string; instructions: number; state: string };
      assert.equal(r.instructions, back);
      fs.writeFileSync(file, Buffer.from(r.data, 'base64'));
      const atSave = shown.guest();
      // On from the past: the same registers where it was; the slot leaves its peer, which is in the future left behind.
      await stopAfter(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
      await stopAfter(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
      assert.deepEqual(await registers(dc), here);
      await until(() => /slot 'rp0': its Remote-Port peer is in the future the machine left/.test(shown.all()), dc);
      return { ...r, console: atSave };
    });
    assert.match(saved.console, /ID = 52504431/);
    peer.child.kill();
    await peer.exited;
    // No peer now: the replay's recorded answers stand in for it.
    const cli = spawnSync(process.execPath, [CLI, 'replay', file], { timeout: 120_000 });
    assert.equal(cli.status, 0, cli.stderr.toString());
    assert.equal(cli.stdout.toString(), saved.console);
    assert.match(cli.stderr.toString(), /passthrough slot 'rp0' was served by a Remote-Port peer: its recorded answers stand in for it/);
    assert.match(cli.stderr.toString(), new RegExp(`state hash ${saved.state} at ${saved.instructions} instructions`));
  } finally {
    peer.child.kill();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
