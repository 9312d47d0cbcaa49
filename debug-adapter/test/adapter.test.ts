/**
 * The debug adapter as VS Code drives it: DebugClient talks DAP to
 * `node out/debug-adapter/main.js --stdio` on the demo kernel and guest programs.
 * Every wait is for an event or a response, never for time (the DebugClient
 * timeouts below are only a safety net for a hung adapter).
 */
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { parseElf, elfAddressToNumber, ElfImage } from '../../emulator/loaders/elf';
import { DebugInfo } from '../debug-info';
import { functionLocations } from '../function-entry';
import { NODE_FILES } from '../node-files';

const ROOT = path.resolve(__dirname, '../../..');
const ADAPTER = path.join(ROOT, 'out/debug-adapter/main.js');
const DEMO = path.join(ROOT, 'demo/hello.elf');
const GUESTS = path.join(ROOT, 'emulator/test/guests/build');
const SAFETY_NET_MS = 60_000;

function elf(file: string): ElfImage {
  const r = parseElf(new Uint8Array(fs.readFileSync(file)));
  assert.ok(r.ok);
  return r.value;
}

function symbol(image: ElfImage, name: string): number {
  const s = image.findSymbol(name);
  assert.ok(s !== undefined, `symbol ${name}`);
  return elfAddressToNumber(s.value, image.xlen) as number;
}

const hex = (n: number) => `0x${n.toString(16)}`;

let dc: DebugClient;

beforeEach(async () => {
  dc = new DebugClient('node', ADAPTER, 'osdev');
  dc.defaultTimeout = SAFETY_NET_MS;
  await dc.start();
  // Without a listener, a launch failure's error response would be the only news.
  dc.on('error', () => undefined);
});

afterEach(async () => {
  await dc.stop();
});

/** initialize + launch + configurationDone; resolves with the first stop (or exit) event. */
async function launch(config: Record<string, unknown>, first: 'stopped' | 'exited' = 'stopped'): Promise<DebugProtocol.Event> {
  const event = dc.waitForEvent(first);
  await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'test', ...config })]);
  return event;
}

async function topFrame(threadId = 1): Promise<DebugProtocol.StackFrame> {
  const st = await dc.stackTraceRequest({ threadId });
  return st.body.stackFrames[0];
}

async function pc(): Promise<number> {
  return Number((await topFrame()).instructionPointerReference);
}

/** Sends a request and waits for the stop event it causes. */
async function stopAfter(request: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped');
  await request();
  return (await stopped) as DebugProtocol.StoppedEvent;
}

/** The Registers scope of a frame (a caller's: as unwound); the program's scopes come before it. */
function registersScope(scopes: DebugProtocol.Scope[]): DebugProtocol.Scope {
  const r = scopes.find((x) => x.name.startsWith('Registers'));
  assert.ok(r !== undefined, `no Registers scope in ${scopes.map((x) => x.name).join(', ')}`);
  return r;
}

describe('debug adapter over stdio', () => {
  test('stopOnEntry stops at the ELF entry point, in _start, on hart 0', async () => {
    const image = elf(DEMO);
    const ev = await launch({ program: DEMO, stopOnEntry: true });
    assert.equal(ev.body.reason, 'entry');
    assert.equal(ev.body.threadId, 1);
    const frame = await topFrame();
    assert.equal(frame.name, '_start');
    assert.equal(Number(frame.instructionPointerReference), image.entry);
    const threads = await dc.threadsRequest();
    assert.deepEqual(threads.body.threads, [{ id: 1, name: 'hart 0 (M-mode)' }]);
  });

  test('step instruction moves pc by one instruction', async () => {
    const image = elf(DEMO);
    await launch({ program: DEMO, stopOnEntry: true });
    const ev = await stopAfter(() => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
    assert.equal(ev.body.reason, 'step');
    // _start begins with auipc (4 bytes), as objdump shows.
    assert.equal(await pc(), image.entry + 4);
  });

  test('function breakpoint on main is hit; registers and expressions agree', async () => {
    const image = elf(DEMO);
    const main = symbol(image, 'main');
    await launch({ program: DEMO, stopOnEntry: true });
    const bp = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'main' }, { name: 'no_such_function' }] });
    assert.equal(bp.body.breakpoints[0].verified, true);
    assert.equal(bp.body.breakpoints[1].verified, false);
    const ev = await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    assert.equal(ev.body.reason, 'function breakpoint');
    assert.equal((await topFrame()).name, 'main');
    assert.equal(await pc(), main);

    const scopes = await dc.scopesRequest({ frameId: 1 });
    assert.deepEqual(scopes.body.scopes.map((s) => s.name), ['Locals', 'Arguments', 'Statics', 'Globals', 'Registers', 'Floating point', 'CSRs: machine', 'CSRs: supervisor', 'CSRs: counters', 'CSRs: PMP', 'CSRs: triggers']);
    const regs = (await dc.variablesRequest({ variablesReference: registersScope(scopes.body.scopes).variablesReference })).body.variables;
    const value = (name: string) => regs.find((v) => v.name === name)?.value;
    assert.equal(BigInt(value('pc') as string), BigInt(main));
    assert.equal(value('priv'), 'M-mode');
    assert.equal(BigInt(value('zero') as string), 0n);
    // crt0 called main with jal: ra is the instruction after that call.
    const ra = BigInt(value('ra') as string);
    const evalRa = await dc.evaluateRequest({ expression: '$ra', context: 'watch' });
    assert.match(evalRa.body.result, new RegExp(`^0x${ra.toString(16)} `));
    const diff = await dc.evaluateRequest({ expression: '$pc - main + (1 << 4)', context: 'repl' });
    assert.match(diff.body.result, /^0x10 \(16\)$/);

    const csrs = (await dc.variablesRequest({ variablesReference: scopes.body.scopes.find((x) => x.name === 'CSRs: machine')!.variablesReference })).body.variables;
    const mstatus = csrs.find((v) => v.name === 'mstatus');
    assert.ok(mstatus !== undefined && mstatus.variablesReference > 0);
    const fields = (await dc.variablesRequest({ variablesReference: mstatus.variablesReference })).body.variables;
    assert.ok(fields.some((f) => f.name === 'MIE'));
    assert.ok(fields.some((f) => f.name === 'MPP'));
    assert.equal(BigInt(csrs.find((v) => v.name === 'mhartid')?.value as string), 0n);
  });

  test('setVariable writes a register and a CSR field', async () => {
    await launch({ program: DEMO, stopOnEntry: true });
    const scopes = await dc.scopesRequest({ frameId: 1 });
    const regRef = registersScope(scopes.body.scopes).variablesReference;
    const set = await dc.setVariableRequest({ variablesReference: regRef, name: 'a5', value: '0x1234 + 1' });
    assert.equal(BigInt(set.body.value), 0x1235n);
    assert.match((await dc.evaluateRequest({ expression: '$a5' })).body.result, /^0x1235 /);
    const csrs = (await dc.variablesRequest({ variablesReference: scopes.body.scopes.find((x) => x.name === 'CSRs: machine')!.variablesReference })).body.variables;
    const mstatus = csrs.find((v) => v.name === 'mstatus');
    assert.ok(mstatus !== undefined);
    await dc.setVariableRequest({ variablesReference: mstatus.variablesReference, name: 'MPP', value: '1' });
    const after = (await dc.evaluateRequest({ expression: '($mstatus >> 11) & 3' })).body.result;
    assert.match(after, /^0x1 /);
  });

  test('the trigger CSRs show the selected trigger in words, and a write arms it', async () => {
    await launch({ program: DEMO, stopOnEntry: true });
    const scopes = await dc.scopesRequest({ frameId: 1 });
    const ref = scopes.body.scopes.find((s) => s.name === 'CSRs: triggers')?.variablesReference;
    assert.ok(ref !== undefined);
    const vars = async () => (await dc.variablesRequest({ variablesReference: ref })).body.variables;
    const value = async (name: string) => (await vars()).find((v) => v.name === name)?.value;
    assert.equal(await value('tinfo'), '0x0000000000000044');
    assert.equal(await value('tdata1'), '0x2000000000000000 (mcontrol: off)');
    await dc.setVariableRequest({ variablesReference: ref, name: 'tdata1', value: '(2UL << 60) | (1 << 21) | (1 << 16) | 0x43' });
    assert.equal(await value('tdata1'), '0x2000000000210043 (mcontrol: store, load in M (8 bytes))');
    const tdata1 = (await vars()).find((v) => v.name === 'tdata1');
    assert.ok(tdata1 !== undefined && tdata1.variablesReference > 0);
    const fields = (await dc.variablesRequest({ variablesReference: tdata1.variablesReference })).body.variables;
    assert.equal(fields.find((f) => f.name === 'type')?.value, '2 (mcontrol)');
    assert.equal(fields.find((f) => f.name === 'load')?.value, '1');
  });

  test('instruction breakpoint stops before its instruction', async () => {
    const image = elf(DEMO);
    const target = symbol(image, 'show_isa');
    await launch({ program: DEMO, stopOnEntry: true });
    const r = await dc.customRequest('setInstructionBreakpoints', { breakpoints: [{ instructionReference: hex(target) }] });
    assert.equal(r.body.breakpoints[0].verified, true);
    const ev = await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    assert.equal(ev.body.reason, 'instruction breakpoint');
    assert.equal(await pc(), target);
  });

  test('readMemory returns the ELF bytes; a 4 GB request is refused', async () => {
    const image = elf(DEMO);
    const main = symbol(image, 'main');
    await launch({ program: DEMO, stopOnEntry: true });
    const r = await dc.customRequest('readMemory', { memoryReference: hex(main), count: 64 });
    const got = Buffer.from(r.body.data, 'base64');
    const text = image.findSection('.text');
    assert.ok(text !== undefined);
    const bytes = fs.readFileSync(DEMO);
    const at = text.offset + (main - text.addr);
    assert.deepEqual([...got], [...bytes.subarray(at, at + 64)]);
    await assert.rejects(dc.customRequest('readMemory', { memoryReference: hex(main), count: 2 ** 32 }), /count 4294967296 is out of range/);
  });

  test('disassembly before the first instruction of RAM and far before the reference, as VS Code scrolls', async () => {
    await launch({ program: DEMO, stopOnEntry: true });
    // 50 rows before 0x80000014: the window starts below RAM, yet _start's five instructions come back.
    const near = (await dc.disassembleRequest({ memoryReference: '0x80000014', instructionOffset: -50, instructionCount: 50 })).body?.instructions ?? [];
    assert.equal(near.length, 50);
    const real = near.filter((i) => i.instruction !== '??');
    assert.equal(real[0]?.address, '0x80000000', 'decoding starts where RAM does');
    assert.equal(Number(real[real.length - 1].address) + (real[real.length - 1].instructionBytes?.length ?? 0) / 2, 0x80000014);
    assert.ok(near.slice(0, near.length - real.length).every((i, k, a) => k === 0 || Number(i.address) > Number(a[k - 1].address)), 'the ?? rows ascend');
    // A range that ends well before the reference is that range, not the rows just before it.
    const ref = (await dc.disassembleRequest({ memoryReference: '0x80000100', instructionOffset: -10, instructionCount: 10 })).body?.instructions ?? [];
    const far = (await dc.disassembleRequest({ memoryReference: '0x80000100', instructionOffset: -10, instructionCount: 3 })).body?.instructions ?? [];
    assert.deepEqual(far.map((i) => i.address), ref.slice(0, 3).map((i) => i.address));
  });

  test('writeMemory then readMemory round-trips in RAM', async () => {
    await launch({ program: DEMO, stopOnEntry: true });
    const where = 0x80100000;
    await dc.customRequest('writeMemory', { memoryReference: hex(where), data: Buffer.from([1, 2, 3, 4]).toString('base64') });
    const r = await dc.customRequest('readMemory', { memoryReference: hex(where), count: 4 });
    assert.deepEqual([...Buffer.from(r.body.data, 'base64')], [1, 2, 3, 4]);
  });

  test('memory requests refuse bad base64 and fractional offsets in words, writing nothing', async () => {
    await launch({ program: DEMO, stopOnEntry: true });
    const where = 0x80100000;
    await dc.customRequest('writeMemory', { memoryReference: hex(where), data: 'AQIDBA==' });
    for (const data of ['AQ!DBA==', 'AQIDB', 'AQ==AQ==', 'AQI DBA==']) {
      await assert.rejects(dc.customRequest('writeMemory', { memoryReference: hex(where), data: data }), /writeMemory: data is not base64/, data);
    }
    await assert.rejects(dc.customRequest('writeMemory', { memoryReference: hex(where), offset: 0.5, data: 'BQ==' }), /writeMemory: offset 0\.5 is not an integer/);
    await assert.rejects(dc.customRequest('readMemory', { memoryReference: hex(where), offset: 0.5, count: 4 }), /readMemory: offset 0\.5 is not an integer/);
    const r = await dc.customRequest('readMemory', { memoryReference: hex(where), count: 4 });
    assert.deepEqual([...Buffer.from(r.body.data, 'base64')], [1, 2, 3, 4]);
    await assert.rejects(dc.evaluateRequest({ expression: `${'('.repeat(200)}1${')'.repeat(200)}`, context: 'repl' }), /nests more than 64 levels deep/);
  });

  test('disassemble around main matches objdump and labels main', async () => {
    const image = elf(DEMO);
    const main = symbol(image, 'main');
    await launch({ program: DEMO, stopOnEntry: true });
    const r = await dc.disassembleRequest({ memoryReference: hex(main), instructionOffset: -3, instructionCount: 10, resolveSymbols: true });
    const list = r.body?.instructions ?? [];
    assert.equal(list.length, 10);
    assert.equal(Number(list[3].address), main);
    assert.equal(list[3].symbol, 'main');
    assert.equal(list[3].location?.path, path.join(ROOT, 'demo/hello.c'), 'instructions carry their source line');
    const dump = execFileSync('riscv64-unknown-elf-objdump', ['-d', `--start-address=${hex(main)}`, `--stop-address=${hex(main + 64)}`, DEMO], { encoding: 'utf8' });
    const objdump = new Map<number, string>();
    for (const line of dump.split('\n')) {
      const m = /^\s*([0-9a-f]+):\t[0-9a-f]+\s+\t(.*)$/.exec(line);
      if (m !== null) objdump.set(parseInt(m[1], 16), m[2].replace(/\s+#.*$/, '').replace(/\s+/g, ' ').trim());
    }
    for (const insn of list.slice(3)) {
      const theirs = objdump.get(Number(insn.address));
      if (theirs !== undefined) assert.equal(insn.instruction.replace(/\s+/g, ' '), theirs);
    }
    // The instructions before main end exactly at main.
    for (let i = 0; i < 3; i++) {
      const a = Number(list[i].address), next = Number(list[i + 1].address);
      assert.equal(next - a, (list[i].instructionBytes?.length ?? 0) / 2);
    }
  });

  test('power-off ends the session with the guest exit status (pass = 0)', async () => {
    const exited = dc.waitForEvent('exited');
    const terminated = dc.waitForEvent('terminated');
    await launch({ program: DEMO }, 'exited');
    assert.equal((await exited).body.exitCode, 0);
    await terminated;
  });

  test('a failing guest exits with its code, and its console output arrives first', async () => {
    const program = path.join(GUESTS, 'rv64/exit3.elf');
    let output = '';
    dc.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.category === 'stdout') output += e.body.output; });
    const exited = dc.waitForEvent('exited');
    await launch({ program }, 'exited');
    assert.equal((await exited).body.exitCode, 3);
    assert.ok(output.length > 0, 'console output before the exit');
  });

  test('launch.json drives: the virtio-blk guest reads the disk, and overlay mode leaves the file alone', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-dap-disk-'));
    const img = path.join(dir, 'disk.img');
    const image = Buffer.alloc(64 * 512);
    image.write('sector 0: hello from the host image\n', 0, 'latin1');
    fs.writeFileSync(img, image);
    let output = '';
    dc.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.category === 'stdout') output += e.body.output; });
    const exited = dc.waitForEvent('exited');
    await launch({ program: path.join(GUESTS, 'rv64/virtio-blk.elf'), drives: ['disk.img,serial=disk-1'], cwd: dir }, 'exited');
    assert.equal((await exited).body.exitCode, 0, output);
    assert.match(output, /sector 0: hello from the host image/);
    assert.match(output, /virtio-blk done/);
    assert.deepEqual(fs.readFileSync(img), image, 'overlay: the image file is unchanged');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('launch.json slots: the xv6-style guest finds its disk in slot 0, the rng asked for the top slot', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-dap-slot-'));
    const image = Buffer.alloc(64 * 512);
    image.write('sector 0: hello from the host image\n', 0, 'latin1');
    fs.writeFileSync(path.join(dir, 'disk.img'), image);
    let output = '';
    dc.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.category === 'stdout') output += e.body.output; });
    const exited = dc.waitForEvent('exited');
    await launch({ program: path.join(GUESTS, 'rv64/xv6-disk.elf'), drives: ['disk.img,slot=0'], rng: 'seeded,slot=7', cwd: dir }, 'exited');
    assert.equal((await exited).body.exitCode, 0, output);
    assert.match(output, /top slot \(0x10008000\) holds device 4/);
    assert.match(output, /block 0: sector 0: hello from the host image/);
    assert.match(output, /xv6-disk done/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('launch.json net: the virtio-net guest gets its frame back over a loopback link', async () => {
    let output = '';
    dc.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.category === 'stdout') output += e.body.output; });
    const exited = dc.waitForEvent('exited');
    await launch({ program: path.join(GUESTS, 'rv64/virtio-net.elf'), net: ['loopback'] }, 'exited');
    assert.equal((await exited).body.exitCode, 0, output);
    assert.match(output, /payload: hello over virtio-net/);
  });

  test('engine "wasm": a breakpoint set on a page whose loop ran compiled stops there, and the run ends as interpreted', async () => {
    const program = path.join(GUESTS, 'rv64/bench-crc32.elf');
    const cli = path.join(ROOT, 'out/emulator/hosts/cli.js');
    const interpreted = execFileSync(process.execPath, [cli, 'run', program, '--engine', 'interp'], { encoding: 'latin1' });
    let output = '';
    dc.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.category === 'stdout') output += e.body.output; });
    await launch({ program, engine: 'wasm', stopOnEntry: true });
    // crc32 runs once over 9 bytes, then over 64 KiB at a time: its loop is compiled by the third call.
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'crc32' }] });
    for (let call = 1; call <= 3; call++) {
      const ev = await stopAfter(() => dc.continueRequest({ threadId: 1 }));
      assert.equal(ev.body.reason, 'function breakpoint', `call ${call}`);
      assert.equal((await topFrame()).name, 'crc32');
    }
    const at = await pc();
    await stopAfter(() => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
    assert.notEqual(await pc(), at, 'a step moves on from the breakpoint');
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await exited).body.exitCode, 0);
    assert.match(output, /osdev-emu: engine wasm\n/);
    assert.match(output, /PASS/);
    assert.equal(/checksum \S+/.exec(output)?.[0], /checksum \S+/.exec(interpreted)?.[0]);
  });

  test('an RV32 guest runs to a function breakpoint', async () => {
    const program = path.join(GUESTS, 'rv32/alu.elf');
    const main = symbol(elf(program), 'main');
    await launch({ program, stopOnEntry: true });
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'main' }] });
    await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    assert.equal(await pc(), main);
  });

  test('interrupt filter stops on the timer interrupt and says so in words', async () => {
    await launch({ program: DEMO, stopOnEntry: true });
    await dc.setExceptionBreakpointsRequest({ filters: ['interrupts'] });
    const ev = await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    assert.equal(ev.body.reason, 'exception');
    assert.match(ev.body.text ?? '', /^machine timer interrupt at pc 0x[0-9a-f]+ in M-mode, taken to M-mode$/);
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, 'interrupt 7');
    // Stopped at the handler's first instruction: mcause says machine timer interrupt.
    const scopes = await dc.scopesRequest({ frameId: 1 });
    const csrs = (await dc.variablesRequest({ variablesReference: scopes.body.scopes.find((x) => x.name === 'CSRs: machine')!.variablesReference })).body.variables;
    assert.match(csrs.find((v) => v.name === 'mcause')?.value ?? '', /\(machine timer interrupt\)$/);
    const mtvec = BigInt((csrs.find((v) => v.name === 'mtvec')?.value ?? '0').split(' ')[0]);
    assert.equal(BigInt(await pc()), mtvec & ~3n);
  });

  test('an exception filter with a condition stops only on the causes and modes it names', async () => {
    await launch({ program: path.join(GUESTS, 'rv64/traps.elf'), stopOnEntry: true });
    const set = await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'exceptions', condition: 'ecall from M to M' }] });
    assert.deepEqual(set.body?.breakpoints?.map((b) => b.verified), [true]);
    const ev = await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    assert.match(ev.body.text ?? '', /^environment call from M-mode at pc 0x[0-9a-f]+ \(tval 0x0\) in M-mode, taken to M-mode$/, 'the illegal instructions and ebreaks before it did not stop');
    await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'exceptions', condition: 'load access fault, 7' }] });
    const next = await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    assert.match(next.body.text ?? '', /^load access fault at pc .* \(tval 0x0\)/);
    const bad = await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'interrupts', condition: 'teapot' }] });
    assert.equal(bad.body?.breakpoints?.[0].verified, false);
    assert.match(bad.body?.breakpoints?.[0].message ?? '', /no interrupt is called 'teapot'/);
  });

  test('Debug Console commands: page-table walk, TLB, devices, examine memory', async () => {
    await launch({ program: path.join(GUESTS, 'rv64/paging.elf'), stopOnEntry: true });
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 's_load' }] });
    await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    const repl = async (expression: string) => (await dc.evaluateRequest({ expression, context: 'repl' })).body.result;
    const walk = await repl('walk $a0');
    assert.match(walk, /^0x[0-9a-f]+ on hart 0: Sv(39|48)\n/);
    assert.match(walk, /level [1-3]: PTE 0x[0-9a-f]+ +at 0x8[0-9a-f]+ +\[V\] +ppn 0x[0-9a-f]+ +pointer/, walk);
    assert.match(walk, /level 0: PTE 0x[0-9a-f]+ +at 0x8[0-9a-f]+ +\[V R[ A-Z]*\] +ppn 0x[0-9a-f]+ +leaf\n {2}-> physical 0x8[0-9a-f]+$/, walk);
    assert.doesNotMatch(walk, /\bA\b/, 'the walk does not set A: the guest has not touched the page yet');
    assert.match(await repl('x/1xw $a0'), /^0x[0-9a-f]+:\t0x[0-9a-f]{8}$/);
    // The memory view reads the same bytes through the virtual address and the walk's physical one.
    const pa = /physical (0x[0-9a-f]+)$/.exec(walk)?.[1] ?? '';
    const va = (await dc.evaluateRequest({ expression: '$a0' })).body.result.split(' ')[0];
    const viaVa = await dc.customRequest('readMemory', { memoryReference: va, count: 16 });
    const viaPa = await dc.customRequest('readMemory', { memoryReference: `phys:${pa}`, count: 16 });
    assert.equal(viaPa.body.address, `phys:${pa}`);
    assert.equal(viaPa.body.data, viaVa.body.data);
    assert.match(await repl('tlb'), /^hart 0: \d+ entries \(4 KiB pages\)\n {2}(read|write|fetch)/);
    assert.match(await repl('devices'), /uart0 +0x10000000 \+0x100 +irq 10 +ns16550a/);
    const code = await repl('x/3i $pc');
    assert.equal(code.split('\n').length, 3);
    assert.match(code.split('\n')[0], /^0x[0-9a-f]+ <s_load>:\t\S+/);
    assert.match(await repl('x/2xg $sp'), /^0x[0-9a-f]+( <[^>]+>)?:\t0x[0-9a-f]{16}\t0x[0-9a-f]{16}$/);
    assert.match(await repl('help'), /walk ADDR/);
    await assert.rejects(dc.evaluateRequest({ expression: 'walk', context: 'repl' }), /walk needs an address/);
    assert.equal(await repl('1 + 1'), '2', 'anything else is an expression');
    assert.equal(await repl('$sp - $sp + 2'), '0x2 (2)', 'machine-level values in hex and decimal');
  });

  test('in a trap handler the call stack ends with where the trap came from; callers show their unwound registers', async () => {
    await launch({ program: DEMO, stopOnEntry: true });
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'on_timer' }] });
    await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.equal(frames[0].name, 'on_timer');
    const last = frames[frames.length - 1];
    assert.match(last.name, /^main \[machine timer interrupt from M-mode\]$/, frames.map((f) => f.name).join(' <- '));
    assert.equal(last.presentationHint, 'label');
    assert.equal(last.source?.path, path.join(ROOT, 'demo/hello.c'), 'the interrupted line of main');
    const mepc = await dc.evaluateRequest({ expression: '$mepc' });
    assert.equal(BigInt(last.instructionPointerReference ?? '0'), BigInt(mepc.body.result.split(' ')[0]));
    // A caller's registers: sp is its CFA (at on_timer's first instruction, the same sp), pc its return address.
    const top = (await dc.variablesRequest({ variablesReference: registersScope((await dc.scopesRequest({ frameId: frames[0].id })).body.scopes).variablesReference })).body.variables;
    const callerScope = registersScope((await dc.scopesRequest({ frameId: frames[1].id })).body.scopes);
    assert.equal(callerScope.name, 'Registers (as unwound)');
    const caller = (await dc.variablesRequest({ variablesReference: callerScope.variablesReference })).body.variables;
    const sp = (vars: DebugProtocol.Variable[]) => BigInt(vars.find((v) => v.name === 'sp')?.value ?? '0');
    assert.ok(sp(caller) >= sp(top), `caller sp ${sp(caller)} at or above ${sp(top)}`);
    assert.equal(BigInt(caller.find((v) => v.name === 'pc')?.value ?? '-1'), BigInt(frames[1].instructionPointerReference ?? '0'));
    assert.equal(caller.find((v) => v.name === 'ra')?.value, top.find((v) => v.name === 'ra')?.value, 'ra is not restored at the entry: same value');
    await assert.rejects(dc.setVariableRequest({ variablesReference: callerScope.variablesReference, name: 'a0', value: '1' }), /a caller's registers/);
    const trapScope = registersScope((await dc.scopesRequest({ frameId: last.id })).body.scopes);
    const trapRegs = (await dc.variablesRequest({ variablesReference: trapScope.variablesReference })).body.variables;
    assert.equal(trapRegs.find((v) => v.name === 'priv')?.value, 'M-mode');
  });

  test('launch.json symbols: another ELF\'s symbols and lines at its load offset', async () => {
    const demo = elf(DEMO);
    await launch({ program: path.join(GUESTS, 'rv64/uart-rx.elf'), stopOnEntry: true, symbols: [{ path: DEMO, offset: '0x1000000' }] });
    const moved = BigInt(symbol(demo, 'show_isa')) + 0x1000000n;
    assert.equal((await dc.evaluateRequest({ expression: 'show_isa' })).body.result.split(' ')[0], `0x${moved.toString(16)}`);
    const bp = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'show_isa' }, { name: 'main' }] });
    // Where the same breakpoint goes in the demo at its link address (the prologue rule reads the moved image's units too), moved.
    const demoBytes = new Uint8Array(fs.readFileSync(DEMO));
    const { info: unmoved } = await DebugInfo.load(NODE_FILES, { program: { label: 'hello.elf', file: { name: DEMO, bytes: demoBytes }, elf: demo, offset: 0n }, extra: [], xlen: 64, sourceFileMap: {} });
    assert.equal(bp.body.breakpoints[0].instructionReference, `0x${(functionLocations(unmoved, 'show_isa')!.addresses[0] + 0x1000000n).toString(16)}`);
    assert.equal(BigInt(bp.body.breakpoints[1].instructionReference ?? '0'), BigInt(symbol(elf(path.join(GUESTS, 'rv64/uart-rx.elf')), 'main')), 'the program\'s own main wins over the extra image\'s');
    const source = path.join(ROOT, 'demo/hello.c');
    const line = fs.readFileSync(source, 'utf8').split('\n').findIndex((l) => l.trim() === 'show_isa();') + 1;
    const src = await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line }] });
    assert.equal(src.body.breakpoints[0].verified, true, 'hello.c lines come from the extra image');
    assert.ok(BigInt(src.body.breakpoints[0].instructionReference ?? '0') > 0x81000000n);
  });

  test('pause stops a guest that waits for console input', async () => {
    const program = path.join(GUESTS, 'rv64/uart-rx.elf');
    await launch({ program, stopOnEntry: true });
    await dc.continueRequest({ threadId: 1 });
    const ev = await stopAfter(() => dc.pauseRequest({ threadId: 1 }));
    assert.equal(ev.body.reason, 'pause');
  });

  test('pause ends a step over a line that waits forever, as a pause', async () => {
    const program = path.join(GUESTS, 'rv64/uart-rx.elf');
    const source = path.join(ROOT, 'emulator/test/guests/uart-rx.c');
    const line = fs.readFileSync(source, 'utf8').split('\n').findIndex((l) => l.includes('while (!(mmio_read8(UART0_BASE + 5)')) + 1;
    await launch({ program, stopOnEntry: true });
    await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line }] });
    await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [] });
    // No input comes: the polling line never ends, so the step never would.
    const stopped = dc.waitForEvent('stopped');
    await dc.nextRequest({ threadId: 1 });
    // Time for the step to go round the loop many times: a step that ends by itself (it did,
    // out of the inlined read, at the read's call site) has ended by then, and says 'step'.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await dc.pauseRequest({ threadId: 1 });
    assert.equal(((await stopped) as DebugProtocol.StoppedEvent).body.reason, 'pause');
    // On that line still (in main, or in the read it inlines there).
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.equal(frames.find((f) => f.name === 'main')?.line, line, frames.map((f) => `${f.name}:${f.line}`).join(' < '));
  });

  test('step over a call runs to the instruction after it', async () => {
    const image = elf(DEMO);
    await launch({ program: DEMO, stopOnEntry: true });
    // main calls show_isa (objdump finds the jal): stop on it, step over the call.
    const dump = execFileSync('riscv64-unknown-elf-objdump', ['-d', DEMO], { encoding: 'utf8' });
    const m = /^\s*([0-9a-f]+):\t[0-9a-f]+\s+\tjal\t[0-9a-f]+ <show_isa>$/m.exec(dump);
    assert.ok(m !== null);
    const call = parseInt(m[1], 16);
    await dc.customRequest('setInstructionBreakpoints', { breakpoints: [{ instructionReference: hex(call) }] });
    await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    assert.equal(await pc(), call);
    await dc.customRequest('setInstructionBreakpoints', { breakpoints: [] });
    const ev = await stopAfter(() => dc.nextRequest({ threadId: 1, granularity: 'instruction' }));
    assert.equal(ev.body.reason, 'step');
    assert.equal(await pc(), call + 4);
    assert.ok(symbol(image, 'main') < call);
  });

  test('a source breakpoint in hello.c is hit, and the frame shows the file and line', async () => {
    const source = path.join(ROOT, 'demo/hello.c');
    const text = fs.readFileSync(source, 'utf8').split('\n');
    const line = text.findIndex((l) => l.trim() === 'show_isa();') + 1;
    assert.ok(line > 0);
    await launch({ program: DEMO, stopOnEntry: true });
    const bp = await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line }, { line: 100000 }] });
    assert.equal(bp.body.breakpoints[0].verified, true);
    assert.equal(bp.body.breakpoints[0].line, line);
    assert.equal(bp.body.breakpoints[1].verified, false);
    const locations = await dc.customRequest('breakpointLocations', { source: { path: source }, line: line - 3, endLine: line + 3 });
    assert.ok(locations.body.breakpoints.some((b: { line: number }) => b.line === line));
    const ev = await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    assert.equal(ev.body.reason, 'breakpoint');
    assert.deepEqual(ev.body.hitBreakpointIds, [bp.body.breakpoints[0].id]);
    const frame = await topFrame();
    assert.equal(frame.source?.path, source);
    assert.equal(frame.line, line);
    assert.equal(frame.name, 'main');

    // Step over the call by line: the next line of main, not inside show_isa.
    await stopAfter(() => dc.nextRequest({ threadId: 1 }));
    const after = await topFrame();
    assert.equal(after.name, 'main');
    assert.ok((after.line ?? 0) > line, `line ${after.line}`);
  });

  test('the call stack unwinds by CFI: show_isa, called from main at the call line', async () => {
    const source = path.join(ROOT, 'demo/hello.c');
    const text = fs.readFileSync(source, 'utf8').split('\n');
    const callLine = text.findIndex((l) => l.trim() === 'show_isa();') + 1;
    // A line inside show_isa after its prologue: ra is already saved on the stack.
    const inner = text.findIndex((l) => l.includes('kprintf("  ISA      rv%u"')) + 1;
    assert.ok(callLine > 0 && inner > 0);
    await launch({ program: DEMO, stopOnEntry: true });
    await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line: inner }] });
    await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    const st = await dc.stackTraceRequest({ threadId: 1 });
    const frames = st.body.stackFrames;
    assert.deepEqual(frames.slice(0, 2).map((f) => f.name), ['show_isa', 'main']);
    assert.equal(frames[0].line, inner);
    assert.equal(frames[1].line, callLine);
    assert.equal(frames[1].source?.path, source);
    // Step out returns to main, right after the call.
    await stopAfter(() => dc.stepOutRequest({ threadId: 1 }));
    assert.equal((await topFrame()).name, 'main');
  });

  test('sourceFileMap moves source paths', async () => {
    const source = path.join(ROOT, 'demo/hello.c');
    const text = fs.readFileSync(source, 'utf8').split('\n');
    const line = text.findIndex((l) => l.trim() === 'show_isa();') + 1;
    await launch({ program: DEMO, stopOnEntry: true, sourceFileMap: { [path.join(ROOT, 'demo')]: '/elsewhere/src' } });
    const bp = await dc.setBreakpointsRequest({ source: { path: '/elsewhere/src/hello.c' }, breakpoints: [{ line }] });
    assert.equal(bp.body.breakpoints[0].verified, true);
    await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    assert.equal((await topFrame()).source?.path, '/elsewhere/src/hello.c');
  });

  test('step into by line enters the called function', async () => {
    const source = path.join(ROOT, 'demo/hello.c');
    const text = fs.readFileSync(source, 'utf8').split('\n');
    const line = text.findIndex((l) => l.trim() === 'show_isa();') + 1;
    await launch({ program: DEMO, stopOnEntry: true });
    await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line }] });
    await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [] });
    const ev = await stopAfter(() => dc.stepInRequest({ threadId: 1 }));
    assert.equal(ev.body.reason, 'step');
    const frame = await topFrame();
    assert.match(frame.name, /^show_isa/);
    assert.equal(frame.source?.path, source);
  });

  test('conditions, hit counts and logpoints on a source line; C-like expressions read memory and devices', async () => {
    const source = path.join(ROOT, 'demo/hello.c');
    const line = fs.readFileSync(source, 'utf8').split('\n').findIndex((l) => l.trim() === 'ticks++;') + 1;
    await launch({ program: DEMO, stopOnEntry: true });
    const bad = await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line, hitCondition: 'often' }, { line, condition: 'ticks ==' }] });
    assert.match(bad.body.breakpoints[0].message ?? '', /hit count 'often' is not N/);
    assert.match(bad.body.breakpoints[1].message ?? '', /condition: the expression ends too early/);
    await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line, condition: 'ticks == 1' }] });
    await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    const ev = async (expression: string) => (await dc.evaluateRequest({ expression })).body.result;
    assert.equal(await ev('ticks'), '1', 'a C variable reads as gdb prints it');
    assert.equal(await ev('*(uint32_t *)&ticks + 1'), '2', 'typed by the program: as gdb prints it');
    assert.equal(await ev('uart0.LSR & 0x60'), '0x60 (96)', 'a device register, peeked');
    await assert.rejects(dc.evaluateRequest({ expression: 'uart0.THR' }), /write-only/);
    let output = '';
    dc.on('output', (e: DebugProtocol.OutputEvent) => { output += e.body.output; });
    await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line, logMessage: 'ticks was {ticks}, {{literal}}' }] });
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: 1 });
    await exited;
    assert.match(output, /ticks was 0x2, \{literal\}\n/);
    assert.doesNotMatch(output, /ticks was 0x1/, 'the logpoint came after the stop');
  });

  test('a hit count stops at the Nth hit only', async () => {
    const source = path.join(ROOT, 'demo/hello.c');
    const line = fs.readFileSync(source, 'utf8').split('\n').findIndex((l) => l.trim() === 'ticks++;') + 1;
    await launch({ program: DEMO, stopOnEntry: true });
    await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line, hitCondition: '== 3' }] });
    const stop = await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    assert.equal(stop.body.reason, 'breakpoint');
    assert.equal((await dc.evaluateRequest({ expression: 'ticks' })).body.result, '2');
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await exited).body.exitCode, 0, 'no further stop');
  });

  test('a failed evaluate in hover and watch is an error VS Code does not toast; the REPL\'s too', async () => {
    await launch({ program: DEMO, stopOnEntry: true });
    // DebugClient turns an error into its message alone: send raw to see body.error.showUser.
    const raw = (args: DebugProtocol.EvaluateArguments) => new Promise<DebugProtocol.EvaluateResponse>((resolve) => {
      (dc as unknown as { doSend(c: string, a: unknown, cb: (r: DebugProtocol.EvaluateResponse) => void): void }).doSend('evaluate', args, resolve);
    });
    for (const context of ['hover', 'watch', 'repl']) {
      const r = await raw({ expression: 'f->cause', context, frameId: 1 });
      assert.equal(r.success, false, context);
      assert.match(r.message ?? '', /./);
      assert.equal((r.body as { error?: DebugProtocol.Message } | undefined)?.error?.showUser, false, `${context}: no toast`);
    }
    const ok = await raw({ expression: '$pc', context: 'hover', frameId: 1 });
    assert.equal(ok.success, true);
    // The Disassembly view's own requests fail in the view, not in a toast.
    const dis = await new Promise<DebugProtocol.Response>((resolve) => {
      (dc as unknown as { doSend(c: string, a: unknown, cb: (r: DebugProtocol.Response) => void): void })
        .doSend('disassemble', { memoryReference: '', instructionCount: 1 }, resolve);
    });
    assert.equal(dis.success, false);
    assert.match(dis.message ?? '', /memoryReference '' is not an address/);
    assert.equal((dis.body as { error?: DebugProtocol.Message }).error?.showUser, false);
  });

  test('a request without the arguments the protocol requires gets one error in words, not a TypeError', async () => {
    await launch({ program: DEMO, stopOnEntry: true });
    const raw = (command: string, args: unknown) => new Promise<DebugProtocol.Response>((resolve) => {
      (dc as unknown as { doSend(c: string, a: unknown, cb: (r: DebugProtocol.Response) => void): void }).doSend(command, args, resolve);
    });
    for (const [command, args] of [['setBreakpoints', undefined], ['stackTrace', null], ['evaluate', [1]], ['readMemory', 'x']] as const) {
      const r = await raw(command, args);
      assert.equal(r.success, false, command);
      assert.equal(r.message, `request '${command}' needs its arguments (an object)`);
    }
    assert.equal((await raw('threads', undefined)).success, true, 'threads takes none');
  });

  test('the stop marker is at the line start unless the line has statements at several columns', async () => {
    const source = path.join(ROOT, 'demo/hello.c');
    const text = fs.readFileSync(source, 'utf8').split('\n');
    const ticks = text.findIndex((l) => l.trim() === 'ticks++;') + 1;
    const loop = text.findIndex((l) => /^\s*for \(.*;.*;.*\)/.test(l)) + 1;
    assert.ok(ticks > 0 && loop > 0);
    await launch({ program: DEMO, stopOnEntry: true });
    // show_isa's loop runs before the first timer tick.
    await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line: loop }] });
    await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    const frame = await topFrame();
    assert.equal(frame.line, loop);
    // A `for` has its init, test and step as statements at their own columns: one of those.
    assert.ok((frame.column ?? 0) > text[loop - 1].indexOf('for') + 1, `column ${frame.column}`);
    await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line: ticks }] });
    await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    // DWARF's row here points at `++` (column 10, not a statement): the frame says column 1.
    const tick = await topFrame();
    assert.equal(tick.line, ticks);
    assert.equal(tick.column, 1);
  });

  test('a misspelled launch attribute is named on the Debug Console with the nearest known one', async () => {
    let output = '';
    dc.on('output', (e: DebugProtocol.OutputEvent) => { output += e.body.output; });
    await launch({ program: DEMO, stopOnEntryy: true, stopOnEntri: true, colour: 'red', stopOnEntry: true, preLaunchTask: 'build', __sessionId: 'x' });
    assert.match(output, /launch attribute "stopOnEntri" is not known .*: did you mean "stopOnEntry"\?/);
    assert.match(output, /launch attribute "stopOnEntryy" is not known .*: did you mean "stopOnEntry"\?/);
    assert.match(output, /launch attribute "colour" is not known to the osdev debugger and is ignored\n/, 'nothing near: no guess');
    assert.doesNotMatch(output, /"(preLaunchTask|__sessionId|type|request|name|program)"/, 'VS Code\'s own and ours are known');
  });

  test('expression errors and unknown names are error responses', async () => {
    await launch({ program: DEMO, stopOnEntry: true });
    await assert.rejects(dc.evaluateRequest({ expression: '1 +' }), /syntax error/);
    await assert.rejects(dc.evaluateRequest({ expression: '$nosuch' }), /'\$nosuch' is not a register, CSR, symbol or device register/);
    await assert.rejects(dc.evaluateRequest({ expression: 'process.exit(1)' }), /./);
  });
});

for (const opt of ['-O0', '-O2']) {
  describe(`the demo built ${opt}`, () => {
    const program = path.join(GUESTS, `demo${opt}/hello.elf`);
    const source = path.join(ROOT, 'demo/hello.c');
    const lineOf = (text: string) => fs.readFileSync(source, 'utf8').split('\n').findIndex((l) => l.trim() === text) + 1;

    test('a conditional breakpoint in the timer handler: frame, line, value, the trap origin; step out', async () => {
      await launch({ program, stopOnEntry: true });
      const line = lineOf('ticks++;');
      const bp = await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line, condition: 'ticks == 1' }] });
      assert.equal(bp.body.breakpoints[0].verified, true);
      await stopAfter(() => dc.continueRequest({ threadId: 1 }));
      const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
      assert.equal(frames[0].name, 'on_timer');
      assert.equal(frames[0].source?.path, source);
      assert.equal(frames[0].line, line);
      assert.equal((await dc.evaluateRequest({ expression: 'ticks' })).body.result, '1');
      assert.match(frames[frames.length - 1].name, /^main \[machine timer interrupt from M-mode\]$/, frames.map((f) => f.name).join(' <- '));
      await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [] });
      await stopAfter(() => dc.stepOutRequest({ threadId: 1 }));
      // Out of the top frame: at -O2 that is a copy of on_timer GCC inlined into on_timer itself.
      const after = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
      assert.deepEqual(after.map((f) => f.name), frames.slice(1).map((f) => f.name), 'out of the top frame');
    });

    test('step over by line from main\'s first line moves forward in main', async () => {
      await launch({ program, stopOnEntry: true });
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'main' }] });
      await stopAfter(() => dc.continueRequest({ threadId: 1 }));
      const first = await topFrame();
      assert.equal(first.name, 'main');
      await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
      await stopAfter(() => dc.nextRequest({ threadId: 1 }));
      const next = await topFrame();
      assert.equal(next.name, 'main');
      assert.ok((next.line ?? 0) > (first.line ?? 0) || BigInt(next.instructionPointerReference ?? '0') > BigInt(first.instructionPointerReference ?? '0'),
        `moved from line ${first.line} to ${next.line}`);
    });
  });
}

describe('bad launch configurations get error responses naming the attribute', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['missing program', {}, /"program" is missing/],
    ['program that does not exist', { program: '/nonexistent/kernel.elf' }, /"program": cannot read '\/nonexistent\/kernel.elf': no such file/],
    ['harts 0', { program: DEMO, harts: 0 }, /"harts" must be a whole number from 1 to 8, got 0/],
    ['memory "lots"', { program: DEMO, memory: 'lots' }, /"memory" must be a size like "128M"/],
    ['xlen 16', { program: DEMO, xlen: 16 }, /"xlen" must be 32 or 64/],
    ['stepInterrupts "sometimes"', { program: DEMO, stepInterrupts: 'sometimes' }, /"stepInterrupts" must be "masked" or "enabled"/],
    ['engine "fast"', { program: DEMO, engine: 'fast' }, /"engine" must be one of "interp", "js", "wasm", got "fast"/],
    ['sourceFileMap as a list', { program: DEMO, sourceFileMap: ['/a', '/b'] }, /"sourceFileMap" must be an object/],
    ['a folder as program', { program: ROOT }, /is a directory/],
    ['/dev/zero as program (refused before reading: no 5 GB read on the adapter\'s thread)', { program: '/dev/zero' }, /"program": cannot read '\/dev\/zero': not a regular file \(it is a character device\)/],
    ['an ELF of the wrong width', { program: DEMO, xlen: 32 }, /64-bit ELF cannot run on a 32-bit machine/],
    ['drives not a list', { program: DEMO, drives: 'disk.img' }, /"drives" must be a list of strings like the --drive option takes/],
    ['a drive with a bad mode', { program: DEMO, drives: ['disk.img,mode=sometimes'] }, /"drives" mode must be overlay, writeback, readonly, got 'sometimes'/],
    ['a drive that does not exist', { program: DEMO, drives: ['/nonexistent/disk.img'] }, /nonexistent\/disk\.img/],
    ['rng "maybe"', { program: DEMO, rng: 'maybe' }, /"rng" must be "seeded" or "host"/],
    ['guestConsole with a bad slot', { program: DEMO, guestConsole: 'virtio,slot=x' }, /"guestConsole" must be "uart", "virtio" or "virtio,slot=N", got "virtio,slot=x"/],
    ['two devices in one slot', { program: DEMO, rng: 'host,slot=2', guestConsole: 'virtio,slot=2' }, /virtio slot 2 is asked for twice: by rng and by the virtio console/],
    ['a slot the board lacks', { program: DEMO, net: ['loopback,slot=9'] }, /net loopback asks for virtio slot 9, but the machine's slots are 0-7/],
    ['symbols that are not ELF files', { program: DEMO, symbols: [path.join(ROOT, 'README.md')] }, /"symbols\[0\]": '.*README\.md' is not an ELF file/],
    ['a symbols offset that is not a number', { program: DEMO, symbols: [{ path: DEMO, offset: 'far' }] }, /"symbols\[0\]\.offset" must be a number like "0x40000000"/],
    ['a net link off loopback', { program: DEMO, net: ['socket,udp=10.0.0.1:9000,localaddr=127.0.0.1:9001'] }, /"net" udp must be a loopback address/],
  ];
  for (const [name, config, expected] of cases) {
    test(name, async () => {
      await dc.initializeRequest();
      await assert.rejects(dc.launchRequest({ type: 'osdev', request: 'launch', name: 'bad', ...config } as DebugProtocol.LaunchRequestArguments), expected);
    });
  }
});
