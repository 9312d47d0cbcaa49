/**
 * launch.json `machine` as VS Code sends it (DebugClient over stdio): the virt preset's
 * DTS boots the demo kernel to power-off; a 2-hart preset shows two threads; a board
 * with devices elsewhere runs its guest, the stub-slot warning on the console; a
 * clashing attribute or a bad board fails the launch with one message. `isa` chooses the
 * harts' extensions.
 */
import { test, before, beforeEach, afterEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';

const ROOT = path.resolve(__dirname, '../../..');
const ADAPTER = path.join(ROOT, 'out/debug-adapter/main.js');
const CLI = path.join(ROOT, 'out/emulator/hosts/cli.js');
const DEMO = path.join(ROOT, 'demo/hello.elf');
const GUEST = path.join(ROOT, 'emulator/test/guests/build/rv64/fdt-uart.elf');
const MINIMAL = path.join(ROOT, 'emulator/machine/test-boards/minimal.dts');
const SAFETY_NET_MS = 60_000;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-launch-machine-'));
function preset(name: string, ...args: string[]): void {
  execFileSync(process.execPath, [CLI, 'dts', '--preset', 'virt', ...args, '-o', path.join(tmp, name)]);
}
const VIRT = 'virt.dts';
const VIRT_SMP = 'virt-2.dts';
before(() => { preset(VIRT); preset(VIRT_SMP, '--harts', '2'); });
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

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

async function launch(config: Record<string, unknown>, first: 'stopped' | 'exited'): Promise<DebugProtocol.Event> {
  const event = dc.waitForEvent(first);
  await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'test', cwd: tmp, ...config })]);
  return event;
}

test('isa: the harts lack what the riscv,isa string leaves out (the bitmanip guest: Zbb illegal)', async () => {
  const guest = path.join(ROOT, 'emulator/test/guests/build/rv64/bitmanip.elf');
  const exited = await launch({ program: guest, isa: 'rv64imac_zicsr_zifencei_zba_zbc_zbs', bios: 'none' }, 'exited');
  assert.equal(exited.body.exitCode, 0);
  assert.match(output, /\bandn: cause=0+2 tval=/, 'andn is illegal without Zbb');
  assert.match(output, /(^|\n)sh1add:\n/, 'Zba still runs');
});

test('machine: the virt preset DTS (relative to cwd) boots the demo kernel to power-off', async () => {
  const exited = await launch({ program: DEMO, machine: VIRT }, 'exited');
  assert.equal(exited.body.exitCode, 0);
  assert.match(output, /Hello from a RISC-V kernel on 'virt'!/);
  assert.match(output, /All done\. Powering off/);
});

test('machine: the harts come from the file: a 2-hart preset shows two threads', async () => {
  await launch({ program: DEMO, machine: VIRT_SMP, stopOnEntry: true }, 'stopped');
  const threads = await dc.threadsRequest();
  assert.deepEqual(threads.body.threads.map((t) => t.id), [1, 2]);
  await dc.stackTraceRequest({ threadId: 2 }); // thread 2 is a hart the adapter knows
});

test('machine: a board with devices elsewhere runs its guest; the stub node is a console line', async () => {
  const exited = await launch({ program: GUEST, machine: MINIMAL }, 'exited');
  assert.equal(exited.body.exitCode, 0, output);
  assert.match(output, /uart at 0x20000000 irq 0x00000003\ntest at 0x30000000\n/);
  assert.match(output, /widget@2000: compatible "acme,widget" is not emulated: it becomes a passthrough stub slot/);
});

test('machine: a clashing attribute or a board we cannot build fails the launch, naming what is wrong', async () => {
  await dc.initializeRequest();
  await assert.rejects(dc.launch({ type: 'osdev', request: 'launch', name: 't', program: DEMO, machine: VIRT, harts: 2, cwd: tmp } as DebugProtocol.LaunchRequestArguments),
    /launch attribute "harts" cannot be used with "machine": the machine file gives the harts/);
  const bad = path.join(tmp, 'no-cpus.dts');
  fs.writeFileSync(bad, fs.readFileSync(MINIMAL, 'utf8').replace('device_type = "cpu";', ''));
  await assert.rejects(dc.launch({ type: 'osdev', request: 'launch', name: 't', program: GUEST, machine: bad } as DebugProtocol.LaunchRequestArguments),
    /launch attribute "machine": machine file .*no-cpus\.dts: \/cpus: no cpu nodes/);
});
