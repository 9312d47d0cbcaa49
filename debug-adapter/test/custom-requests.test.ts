/**
 * The adapter's osdev/* custom requests (the Devices view, trace, console terminal and
 * status bar use them), driven over DAP stdio as any client would.
 */
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import type { DeviceInfo, RegisterValue } from '../custom-requests';

const ROOT = path.resolve(__dirname, '../../..');
const ADAPTER = path.join(ROOT, 'out/debug-adapter/main.js');
const UART_RX = path.join(ROOT, 'emulator/test/guests/build/rv64/uart-rx.elf');
const PASSTHROUGH = path.join(ROOT, 'emulator/test/guests/build/rv64/passthrough.elf');
const STUB_MODEL = path.join(ROOT, 'emulator/test/guests/stub-dev.osdev-model.json');

/** Resolves when the guest's output (output events) contains `text`. */
function outputContains(text: string): Promise<void> {
  let seen = '';
  return new Promise((resolve) => {
    dc.on('output', (e: DebugProtocol.OutputEvent) => { seen += e.body.output; if (seen.includes(text)) resolve(); });
  });
}

let dc: DebugClient;

beforeEach(async () => {
  dc = new DebugClient('node', ADAPTER, 'osdev');
  dc.defaultTimeout = 60_000;
  await dc.start();
  dc.on('error', () => undefined);
});

afterEach(async () => { await dc.stop(); });

async function launch(config: Record<string, unknown>): Promise<void> {
  const stopped = dc.waitForEvent('stopped');
  await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'test', ...config })]);
  await stopped;
}

async function custom<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
  return (await dc.customRequest(command, args)).body as T;
}

/** Custom events of one name, collected as they come. */
function collect(name: string): unknown[] {
  const got: unknown[] = [];
  dc.on(name, (e: DebugProtocol.Event) => got.push(e.body));
  return got;
}

describe('osdev/* custom requests', () => {
  test('devices: every device of the board, registers peeked and decoded, arrays cut to this board', async () => {
    await launch({ program: UART_RX, stopOnEntry: true, harts: 2 });
    const { devices } = await custom<{ devices: DeviceInfo[] }>('osdev/devices');
    const names = devices.map((d) => d.name);
    for (const n of ['uart0', 'plic', 'clint', 'rtc', 'test']) assert.ok(names.some((x) => x.startsWith(n)), `${n} in ${names.join(',')}`);
    const uart = devices.find((d) => d.name === 'uart0') as DeviceInfo;
    assert.equal(uart.base, '0x10000000');
    assert.equal(uart.irq, 10);
    assert.equal(uart.group, 'emulated');
    const lsr = uart.registers.find((r) => r.name === 'LSR') as RegisterValue;
    assert.equal(lsr.value, 0x60, 'THRE and TEMT, nothing received');
    assert.deepEqual(lsr.fields.find((f) => f.name === 'DR'), { name: 'DR', bits: [0, 0], value: 0, doc: 'data ready' });
    assert.equal(uart.registers.find((r) => r.name === 'THR')?.value, null, 'write-only: no value');
    assert.equal(uart.registers.find((r) => r.name === 'DLL')?.value, 0x0c, 'the divisor latch is shown even with DLAB=0');
    const clint = devices.find((d) => d.name === 'clint') as DeviceInfo;
    assert.deepEqual(clint.registers.map((r) => r.name), ['msip[0]', 'msip[1]', 'mtimecmp[0]', 'mtimecmp[1]', 'mtime']);
    assert.match(String(clint.registers.find((r) => r.name === 'mtime')?.value), /^0x[0-9a-f]+$/, '64-bit values as hex text');
    const plic = devices.find((d) => d.name === 'plic') as DeviceInfo;
    assert.equal(plic.registers.filter((r) => r.name.startsWith('claim[')).length, 4, 'two contexts per hart');
    const one = await custom<{ devices: DeviceInfo[] }>('osdev/devices', { device: 'uart0' });
    assert.deepEqual(one.devices.map((d) => d.name), ['uart0']);
    await assert.rejects(dc.customRequest('osdev/devices', { device: 'nosuch' }), /no device 'nosuch'/);
  });

  test('writeDeviceRegister: a real write, a field alone, and clear refusals', async () => {
    await launch({ program: UART_RX, stopOnEntry: true });
    const scr = await custom<{ register: RegisterValue }>('osdev/writeDeviceRegister', { device: 'uart0', register: 'SCR', value: 0x5a });
    assert.equal(scr.register.value, 0x5a);
    const lcr = await custom<{ register: RegisterValue }>('osdev/writeDeviceRegister', { device: 'uart0', register: 'LCR', field: 'WLS', value: 3 });
    assert.equal(lcr.register.fields.find((f) => f.name === 'WLS')?.text, '8 bits');
    const { devices } = await custom<{ devices: DeviceInfo[] }>('osdev/devices', { device: 'uart0' });
    assert.equal(devices[0].registers.find((r) => r.name === 'SCR')?.value, 0x5a, 'the write stuck');
    await assert.rejects(dc.customRequest('osdev/writeDeviceRegister', { device: 'uart0', register: 'LSR', value: 1 }), /read-only/);
    await assert.rejects(dc.customRequest('osdev/writeDeviceRegister', { device: 'uart0', register: 'LCR', field: 'WLS', value: 4 }), /2 bits wide/);
    await assert.rejects(dc.customRequest('osdev/writeDeviceRegister', { device: 'uart0', register: 'NOPE', value: 1 }), /no register 'NOPE'/);
    await assert.rejects(dc.customRequest('osdev/writeDeviceRegister', { device: 'uart0', register: 'SCR' }), /"value" must be a number/);
  });

  test('console terminal: output as osdev/console events, typed text reaches the guest', async () => {
    await launch({ program: UART_RX, stopOnEntry: true, console: 'terminal' });
    const text = collect('osdev/console') as { text: string }[];
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: 1 });
    await custom('osdev/consoleInput', { text: 'hello\r' });
    const code = (await exited).body.exitCode;
    const all = text.map((t) => t.text).join('');
    assert.match(all, /got 5 bytes: hello\nreversed: olleh/);
    assert.equal(code, 0);
  });

  test('trace: MMIO accesses decoded by register, to the event and to a file; status counts instructions', async () => {
    await launch({ program: UART_RX, stopOnEntry: true });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-trace-'));
    const file = path.join(dir, 'trace.txt');
    const lines = collect('osdev/trace') as { lines: string[] }[];
    await custom('osdev/trace', { mmio: true, traps: false, devices: ['uart0'], file });
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: 1 });
    const status = await custom<{ state: string; instructions: number }>('osdev/status');
    assert.ok(status.instructions > 0);
    assert.ok(['running', 'idle'].includes(status.state), status.state);
    await custom('osdev/consoleInput', { text: 'ab\n' });
    await exited;
    const all = lines.flatMap((l) => l.lines);
    assert.ok(all.some((l) => /^mmio uart0\.LSR -> 0x61\/1 \(DR=1 /.test(l)), 'a poll that saw data');
    assert.ok(all.some((l) => /^mmio uart0\.RBR -> 0x61\/1/.test(l)), 'the byte read');
    // A guest polling LSR makes more lines than a slice may send; the rest is counted in one line.
    assert.ok(all.every((l) => l.includes('uart0') || /^trace: \d+ lines dropped/.test(l)), 'filtered to uart0');
    const written = fs.readFileSync(file, 'utf8');
    fs.rmSync(dir, { recursive: true, force: true });
    assert.match(written, /mmio uart0\.RBR -> 0x62\/1/);
  });

  test('passthrough: the stub slot in the Devices view, unplugged and plugged while the driver runs, backend switched', async () => {
    await launch({ program: PASSTHROUGH, stopOnEntry: true, passthrough: [{ name: 'stub0', backend: `stub:${STUB_MODEL}` }] });
    const { devices } = await custom<{ devices: DeviceInfo[] }>('osdev/devices', { device: 'stub0' });
    const stub = devices[0];
    assert.equal(stub.group, 'passthrough');
    assert.deepEqual([stub.base, stub.irq, stub.compatible], ['0x4000000', 64, ['osdev,test-stub']]);
    assert.deepEqual(stub.passthrough, { state: 'plugged', backend: 'stub', target: STUB_MODEL });
    assert.equal(stub.registers.find((r) => r.name === 'ID')?.value, 0x53545542);
    assert.equal(stub.registers.find((r) => r.name === 'DATA')?.value, 1, 'a peek does not advance the read sequence');
    await assert.rejects(dc.customRequest('osdev/plug', { device: 'uart0', plugged: false }), /not a passthrough slot/);
    const changes = collect('osdev/devicesChanged') as { device: string; state: string }[];
    const waiting = outputContains('waiting for unplug');
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: 1 });
    await waiting;
    const unplugged = outputContains('unplugged: ID reads ffffffff');
    const traced = collect('osdev/trace') as { lines: string[] }[];
    await custom('osdev/trace', { mmio: true, traps: false, devices: ['stub0'] });
    const answer = await custom<{ state: { state: string } }>('osdev/plug', { device: 'stub0', plugged: false });
    assert.match(answer.state.state, /^unplugging/, 'the answer says the change is pending');
    await unplugged;
    await custom('osdev/trace', { mmio: false, traps: false });
    assert.ok(traced.flatMap((t) => t.lines).some((l) => /^event stub0 unplugged \(input at clock \d+\)$/.test(l)), 'the toggle is in the trace');
    const swapped = await custom<{ state: { state: string; backend: string } }>('osdev/setBackend', { device: 'stub0', backend: 'stub', model: STUB_MODEL });
    assert.deepEqual([swapped.state.state, swapped.state.backend], ['plugged', 'stub'], 'a new backend comes plugged in');
    assert.equal((await exited).body.exitCode, 0);
    assert.deepEqual(changes[0], { device: 'stub0', state: 'unplugged' });
  });

  test('passthrough: a model file with an error stops the launch with its line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-model-'));
    const bad = path.join(dir, 'bad.osdev-model.json');
    fs.writeFileSync(bad, '{\n  "model": "x",\n  "size": 4096,\n  "registers": [{ "name": "A", "offset": 2, "width": 4 }]\n}\n');
    await dc.initializeRequest();
    await assert.rejects(dc.launchRequest({ type: 'osdev', request: 'launch', name: 'bad', program: PASSTHROUGH,
      passthrough: [{ name: 'p0', backend: `stub:${bad}` }] } as DebugProtocol.LaunchRequestArguments), /bad\.osdev-model\.json:4:42: registers\.0\.offset: must be a multiple of the width/);
    fs.rmSync(dir, { recursive: true, force: true });
    await dc.initializeRequest().catch(() => undefined);
    await assert.rejects(dc.launchRequest({ type: 'osdev', request: 'launch', name: 'bad', program: PASSTHROUGH,
      passthrough: [{ name: 'p0', backend: 'nowhere' }] } as DebugProtocol.LaunchRequestArguments), /"passthrough\[0\]" backend must be stub:/);
  });
});

describe('osdev/profile', () => {
  const PROFILE = path.join(ROOT, 'emulator/test/guests/build/rv64/profile.elf');
  interface Node { id: number; callFrame: { functionName: string }; children: number[] }

  test('start at entry, stop at a breakpoint: a cpuprofile by function (mix inlined under warm) and lcov of what ran', async () => {
    await launch({ program: PROFILE, stopOnEntry: true });
    await assert.rejects(dc.customRequest('osdev/profile', { action: 'stop' }), /no profile is running/);
    await assert.rejects(dc.customRequest('osdev/profile', { action: 'start', rate: 0 }), /"rate"/);
    await custom('osdev/profile', { action: 'start', rate: 997, coverage: true });
    // kprintf runs once hot() and warm() are done.
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'kprintf' }] });
    const stopped = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId: 1 });
    await stopped;
    const { profile, lcov } = await custom<{ profile: { nodes: Node[]; samples: number[] }; lcov: string }>('osdev/profile', { action: 'stop' });
    const name = (id: number) => profile.nodes.find((n) => n.id === id)?.callFrame.functionName;
    const hot = profile.samples.filter((s) => name(s) === 'hot').length / profile.samples.length;
    assert.ok(Math.abs(hot - 0.9) <= 0.02, `hot's share ${hot}`);
    const warm = profile.nodes.find((n) => n.callFrame.functionName === 'warm') as Node;
    assert.deepEqual(warm.children.map(name), ['mix']);
    const body = fs.readFileSync(path.join(ROOT, 'emulator/test/guests/profile.c'), 'utf8').split('\n').findIndex((l) => l.includes('v += i;')) + 1;
    assert.match(lcov, new RegExp(`SF:.*profile\\.c\\n(DA:\\d+,\\d+\\n)*DA:${body},90000\\n`));
  });
});

describe('data breakpoints', () => {
  const VIRTIO_BLK = path.join(ROOT, 'emulator/test/guests/build/rv64/virtio-blk.elf');

  async function watch(name: string, accessType: DebugProtocol.DataBreakpointAccessType): Promise<void> {
    const info = await dc.customRequest('dataBreakpointInfo', { name });
    assert.ok(info.body.dataId !== null, info.body.description);
    const set = await dc.customRequest('setDataBreakpoints', { breakpoints: [{ dataId: info.body.dataId, accessType }] });
    assert.equal(set.body.breakpoints[0].verified, true);
  }

  async function stopAfterContinue(): Promise<DebugProtocol.StoppedEvent> {
    const stopped = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId: 1 });
    return (await stopped) as DebugProtocol.StoppedEvent;
  }

  test('a device register by name: the store to uart0.THR stops the guest and says so', async () => {
    await launch({ program: UART_RX, stopOnEntry: true });
    await watch('uart0.THR', 'write');
    const ev = await stopAfterContinue();
    assert.equal(ev.body.reason, 'data breakpoint');
    assert.equal(ev.body.text, 'write to uart0.THR (physical 0x10000000, 1 byte) by hart 0');
    assert.equal(ev.body.hitBreakpointIds?.length, 1);
    // The next continue stops at the next byte written.
    assert.equal((await stopAfterContinue()).body.reason, 'data breakpoint');
  });

  test('a buffer written by virtio-blk DMA stops the guest inside its QueueNotify store', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-dap-watch-'));
    fs.writeFileSync(path.join(dir, 'disk.img'), Buffer.alloc(64 * 512, 0x41));
    await launch({ program: VIRTIO_BLK, stopOnEntry: true, drives: ['disk.img'], cwd: dir });
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'main' }] });
    assert.equal((await stopAfterContinue()).body.reason, 'function breakpoint');
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    await watch('buf', 'write');
    const ev = await stopAfterContinue();
    assert.equal(ev.body.reason, 'data breakpoint');
    assert.match(ev.body.text ?? '', /^DMA write by virtio7 to buf \(physical 0x8[0-9a-f]+, 512 bytes\)$/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('what cannot be watched says why', async () => {
    await launch({ program: UART_RX, stopOnEntry: true });
    const reg = await dc.customRequest('dataBreakpointInfo', { name: 'a0', variablesReference: 1000 });
    assert.equal(reg.body.dataId, null);
    assert.match(reg.body.description, /registers and CSRs cannot be watched/);
    const unmapped = await dc.customRequest('dataBreakpointInfo', { name: 'uart0.NOPE' });
    assert.equal(unmapped.body.dataId, null);
    assert.match(unmapped.body.description, /uart0 has no register NOPE/);
    const byAddress = await dc.customRequest('dataBreakpointInfo', { name: '0x80000000', asAddress: true, bytes: 2 });
    assert.match(byAddress.body.description, /^0x80000000 \(2 bytes at physical 0x80000000\)$/, 'VS Code\'s "at address" form');
    const bad = await dc.customRequest('setDataBreakpoints', { breakpoints: [{ dataId: 'garbage' }] });
    assert.equal(bad.body.breakpoints[0].verified, false);
  });
});
