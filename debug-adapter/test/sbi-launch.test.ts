/**
 * launch.json `bios: "builtin"` as VS Code sends it (DebugClient over stdio): the S-mode
 * guest `sbi` stops on entry in S-mode at its first instruction, with the other hart
 * stopped by the SBI in M-mode; the "ecall from S" exception filter stops after an SBI
 * call; the run ends through SRST shutdown with status 0; a bad `bios` value is one
 * message.
 */
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';

const ROOT = path.resolve(__dirname, '../../..');
const ADAPTER = path.join(ROOT, 'out/debug-adapter/main.js');
const GUEST = path.join(ROOT, 'emulator/test/guests/build/smode64/sbi.elf');
const SAFETY_NET_MS = 60_000;

let dc: DebugClient;
let output = '';

beforeEach(async () => {
  dc = new DebugClient('node', ADAPTER, 'osdev');
  dc.defaultTimeout = SAFETY_NET_MS;
  await dc.start();
  dc.on('error', () => undefined);
  output = '';
  dc.on('output', (e: DebugProtocol.OutputEvent) => { output += e.body.output; });
});

afterEach(async () => {
  await dc.stop();
});

const config = { type: 'osdev', request: 'launch', name: 'sbi', program: GUEST, bios: 'builtin', harts: 2 };

test('bios "builtin": stop on entry in S-mode at the kernel entry, the other hart stopped; runs to SRST shutdown', async () => {
  const stopped = dc.waitForEvent('stopped');
  await Promise.all([dc.configurationSequence(), dc.launch({ ...config, stopOnEntry: true } as DebugProtocol.LaunchRequestArguments)]);
  assert.equal((await stopped).body.reason, 'entry');
  const threads = (await dc.threadsRequest()).body.threads.map((t) => t.name);
  assert.deepEqual(threads, ['hart 0 (S-mode)', 'hart 1 (M-mode)']);
  const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  assert.equal(frames[0].name, '_start');
  const exited = dc.waitForEvent('exited');
  await dc.continueRequest({ threadId: 1 });
  assert.equal((await exited).body.exitCode, 0, output);
  assert.match(output, /srst: shutdown/);
});

test('bios "builtin": the "ecall from S" exception filter stops after the call', async () => {
  const stopped = dc.waitForEvent('stopped');
  await dc.initializeRequest();
  const launched = dc.launch(config as DebugProtocol.LaunchRequestArguments); // answered after configurationDone
  await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'exceptions', condition: 'ecall from S' }] });
  await dc.configurationDoneRequest();
  await launched;
  const e = await stopped;
  assert.equal(e.body.reason, 'exception');
  assert.match(e.body.text ?? e.body.description ?? '', /answered by the built-in SBI \(EID 0x10, FID 0x0\): a0 = 0x0, a1 = 0x2000000/);
});

test('a bios that is not a string is one message', async () => {
  await dc.initializeRequest();
  await assert.rejects(dc.launch({ ...config, bios: 42 } as unknown as DebugProtocol.LaunchRequestArguments), /launch attribute "bios" must be a string, got 42/);
});
