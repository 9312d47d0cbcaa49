/**
 * gdb-multiarch on QEMU's gdbstub as the oracle for what the debugger shows: the same
 * breakpoints in the same programs on both machines, and at every stop the pc, x1..x31,
 * the privilege mode and the call stack (function names and frame pcs) must agree.
 *
 * Both machines are deterministic up to time and run the same instructions to the same
 * breakpoint, so every register is compared for equality. The one exception is a value
 * the guest derived from mtime (QEMU's mtime follows the host clock, ours the instruction
 * count): such a register is named in the case with the reason, and instead of equality
 * each side must hold its own machine's mtimecmp, which the guest has just written from it.
 *
 * Ours: DebugClient drives `node out/debug-adapter/main.js` (stdio); gdb: GdbSession
 * (gdb-session.ts) drives gdb-multiarch over MI, with QEMU under it. gdb stops unwinding
 * at main (its default) and at trap entries; the common prefix of both call stacks is
 * compared, and it must hold at least two frames wherever both sides have two.
 * Skipped only when gdb-multiarch or qemu-system-riscv{64,32} is missing (CI installs both).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { Xlen } from '../../emulator/machine/description';
import { GdbSession, gdbOracleMissing } from './gdb-session';

const ROOT = path.resolve(__dirname, '../../..');
const ADAPTER = path.join(ROOT, 'out/debug-adapter/main.js');
const GUESTS = path.join(ROOT, 'emulator/test/guests/build');
const SAFETY_NET_MS = 60_000;
/** Hart 0's mtimecmp in the virt board's CLINT. */
const MTIMECMP0 = 0x2004000;

/** x0..x31 by ABI name, as our Registers scope names them (gdb says fp for x8). */
const ABI = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1',
  'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7',
  's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];
const GDB_NAME: Record<string, string> = { s0: 'fp' };

interface Stop {
  /**
   * Where it stops: `entry` (ours: stopOnEntry), a function breakpoint's name, or a
   * source line `file.c:N` (a path relative to the ELF's folder).
   */
  at: string;
  /** The first frames both debuggers must show (innermost first): pins down what is compared. */
  frames: string[];
  /** CSRs compared as well (trap handlers: how they were entered). */
  csrs?: string[];
  /** Registers holding an mtime-derived value, with why; each side must hold its own mtimecmp there. */
  fromMtime?: { reg: string; why: string };
}

interface Case { title: string; elf: string; xlen: Xlen; stops: Stop[] }

const TRAP_CSRS = ['mcause', 'mepc', 'mtval', 'mstatus'];

const CASES: Case[] = [
  {
    title: 'demo/hello.elf: entry, show_isa, a line in main, on_timer (reached through trap_entry_m)',
    elf: path.join(ROOT, 'demo/hello.elf'),
    xlen: 64,
    stops: [
      { at: 'entry', frames: ['_start'] },
      { at: 'show_isa', frames: ['show_isa', 'main'] },
      {
        at: 'hello.c:70', frames: ['main'],
        fromMtime: { reg: 'a1', why: 'mtime_read() + TICK_INTERVAL, just written to mtimecmp' },
      },
      {
        at: 'on_timer', frames: ['on_timer', 'm_trap_handler', 'trap_entry_m'], csrs: TRAP_CSRS,
        fromMtime: { reg: 'a1', why: 'main computed mtime_read() + TICK_INTERVAL in a1 for mtimecmp_write just before the wfi loop' },
      },
    ],
  },
  {
    title: 'rv64 traps.elf: an M-mode ecall handler hook, then code run in S-mode and in U-mode',
    elf: path.join(GUESTS, 'rv64/traps.elf'),
    xlen: 64,
    stops: [
      { at: 'capture_status', frames: ['capture_status', 'm_trap_handler', 'trap_entry_m'], csrs: TRAP_CSRS },
      // GCC inlined capture_status's body into its own out-of-line copy: a second location, as gdb sets.
      { at: 'capture_status', frames: ['capture_status', 'capture_status', 'm_trap_handler', 'trap_entry_m'], csrs: TRAP_CSRS },
      { at: 'do_ecall', frames: ['do_ecall'] },
      { at: 'do_ecall', frames: ['do_ecall'] },
    ],
  },
  {
    title: 'rv64 paging.elf: S-mode code with Sv39 translation on',
    elf: path.join(GUESTS, 'rv64/paging.elf'),
    xlen: 64,
    // s_remap runs once per translation mode: Sv39, then Sv48.
    stops: [{ at: 's_remap', frames: ['s_remap'] }, { at: 's_remap', frames: ['s_remap'] }],
  },
  {
    title: 'rv32 traps.elf: an M-mode ecall handler hook, then code run in S-mode',
    elf: path.join(GUESTS, 'rv32/traps.elf'),
    xlen: 32,
    stops: [
      { at: 'entry', frames: ['_start'] },
      { at: 'capture_status', frames: ['capture_status', 'm_trap_handler', 'trap_entry_m'], csrs: TRAP_CSRS },
      // GCC inlined capture_status's body into its own out-of-line copy: a second location, as gdb sets.
      { at: 'capture_status', frames: ['capture_status', 'capture_status', 'm_trap_handler', 'trap_entry_m'], csrs: TRAP_CSRS },
      { at: 'do_ecall', frames: ['do_ecall'] },
    ],
  },
  {
    title: 'rv32 paging.elf: S-mode code with Sv32 translation on',
    elf: path.join(GUESTS, 'rv32/paging.elf'),
    xlen: 32,
    stops: [{ at: 's_remap', frames: ['s_remap'] }],
  },
];

/** What one debugger shows at a stop. */
interface Snapshot {
  frames: { func: string; pc: bigint }[];
  /** x0..x31 by ABI name, and pc. */
  regs: Map<string, bigint>;
  priv: number;
  csrs: Map<string, bigint>;
  mtimecmp: bigint;
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

const PRIV: Record<string, number> = { 'U-mode': 0, 'S-mode': 1, 'M-mode': 3 };

/** A number as either debugger prints it (`0x8000..`, `-92233..`, `0x8000 <sym>`), as an xlen-bit unsigned value. */
function toUnsigned(text: string, xlen: Xlen): bigint {
  const m = /^(-?(?:0x[0-9a-f]+|\d+))/i.exec(text.trim());
  assert.ok(m !== null, `not a number: ${text}`);
  const neg = m[1].startsWith('-');
  const v = BigInt(neg ? m[1].slice(1) : m[1]);
  return BigInt.asUintN(xlen, neg ? -v : v);
}

async function ourSnapshot(dc: DebugClient, xlen: Xlen, csrNames: string[], wantMtimecmp: boolean): Promise<Snapshot> {
  const st = await dc.stackTraceRequest({ threadId: 1 });
  const frames = st.body.stackFrames.map((f) => ({ func: f.name, pc: BigInt(f.instructionPointerReference ?? '-1') }));
  const scopes = await dc.scopesRequest({ frameId: st.body.stackFrames[0].id });
  const vars = (await dc.variablesRequest({ variablesReference: scopes.body.scopes.find((x) => x.name === 'Registers')!.variablesReference })).body.variables;
  const regs = new Map<string, bigint>();
  let priv = -1;
  for (const v of vars) {
    if (v.name === 'priv') priv = PRIV[v.value] ?? -1;
    else regs.set(v.name, toUnsigned(v.value, xlen));
  }
  const evaluate = async (e: string) => toUnsigned((await dc.evaluateRequest({ expression: e, context: 'watch' })).body.result, xlen);
  const csrs = new Map<string, bigint>();
  for (const c of csrNames) csrs.set(c, await evaluate(`$${c}`));
  // readMemory answers only for RAM (an MMIO read could have side effects); the CLINT's
  // register is read by name, the way the Devices view peeks it.
  const mtimecmp = wantMtimecmp ? toUnsigned((await dc.evaluateRequest({ expression: 'clint.mtimecmp[0]', context: 'watch' })).body.result, 64) : -1n;
  return { frames, regs, priv, csrs, mtimecmp };
}

async function gdbSnapshot(gdb: GdbSession, xlen: Xlen, csrNames: string[], wantMtimecmp: boolean): Promise<Snapshot> {
  const frames = (await gdb.frames()).map((f) => ({ func: f.func, pc: f.pc }));
  const byGdbName = await gdb.registers();
  const regs = new Map<string, bigint>();
  for (const name of [...ABI, 'pc']) {
    const v = byGdbName.get(GDB_NAME[name] ?? name);
    assert.ok(v !== undefined, `gdb has no register ${GDB_NAME[name] ?? name}`);
    regs.set(name, BigInt.asUintN(xlen, v));
  }
  const priv = Number(await gdb.evaluate('$priv'));
  const csrs = new Map<string, bigint>();
  for (const c of csrNames) csrs.set(c, toUnsigned(await gdb.evaluate(`$${c}`), xlen));
  const mtimecmp = wantMtimecmp ? toUnsigned(await gdb.evaluate(`*(unsigned long long *)${MTIMECMP0}`), 64) : -1n;
  return { frames, regs, priv, csrs, mtimecmp };
}

/** Both sides side by side, mismatches marked, for the failure message. */
function sideBySide(ours: Snapshot, gdb: Snapshot, skip: Set<string>): string {
  const lines = ['            ours                 gdb+QEMU'];
  const row = (name: string, a: string, b: string, note = '') =>
    lines.push(`${a === b ? '  ' : '≠ '}${name.padEnd(9)} ${a.padEnd(20)} ${b}${note}`);
  for (const name of ['pc', ...ABI]) {
    const a = ours.regs.get(name), b = gdb.regs.get(name);
    row(name, a === undefined ? '-' : hex(a), b === undefined ? '-' : hex(b), skip.has(name) ? '  (from mtime)' : '');
  }
  row('priv', String(ours.priv), String(gdb.priv));
  for (const [c, v] of ours.csrs) row(c, hex(v), hex(gdb.csrs.get(c) ?? -1n));
  const depth = Math.max(ours.frames.length, gdb.frames.length);
  for (let i = 0; i < depth; i++) {
    const f = (s: Snapshot) => (s.frames[i] === undefined ? '-' : `${s.frames[i].func} ${hex(s.frames[i].pc)}`);
    row(`#${i}`, f(ours), f(gdb));
  }
  return lines.join('\n');
}

function compare(where: string, stop: Stop, ours: Snapshot, gdb: Snapshot): void {
  const skip = new Set(stop.fromMtime === undefined ? [] : [stop.fromMtime.reg]);
  const table = `${where}\n${sideBySide(ours, gdb, skip)}`;
  const differ: string[] = [];
  for (const name of ['pc', ...ABI]) {
    if (!skip.has(name) && ours.regs.get(name) !== gdb.regs.get(name)) differ.push(name);
  }
  if (ours.priv !== gdb.priv) differ.push('priv');
  for (const [c, v] of ours.csrs) if (gdb.csrs.get(c) !== v) differ.push(c);
  const common = Math.min(ours.frames.length, gdb.frames.length);
  for (let i = 0; i < common; i++) {
    if (ours.frames[i].func !== gdb.frames[i].func || ours.frames[i].pc !== gdb.frames[i].pc) differ.push(`frame #${i}`);
  }
  assert.deepEqual(differ, [], `ours and gdb disagree on ${differ.join(', ')}\n${table}`);
  // The frames the case names are there on both sides (so a shallow unwind cannot pass unnoticed).
  for (const [side, s] of [['ours', ours], ['gdb', gdb]] as const) {
    assert.deepEqual(s.frames.slice(0, stop.frames.length).map((f) => f.func), stop.frames, `${side}'s call stack\n${table}`);
  }
  if (ours.frames.length >= 2 && gdb.frames.length >= 2) assert.ok(common >= 2, table);
  if (stop.fromMtime !== undefined) {
    const r = stop.fromMtime.reg;
    // Not equal across machines (see the header), but each matches the compare value its guest wrote.
    assert.equal(BigInt.asUintN(64, ours.regs.get(r) ?? -1n), ours.mtimecmp, `ours: ${r} (${stop.fromMtime.why}) is not mtimecmp\n${table}`);
    assert.equal(BigInt.asUintN(64, gdb.regs.get(r) ?? -1n), gdb.mtimecmp, `gdb: ${r} (${stop.fromMtime.why}) is not mtimecmp\n${table}`);
  }
}

async function runCase(c: Case): Promise<void> {
  assert.ok(fs.existsSync(c.elf), `${c.elf} is missing: build the guests with \`make -C emulator/test/guests\``);
  const dc = new DebugClient('node', ADAPTER, 'osdev');
  dc.defaultTimeout = SAFETY_NET_MS;
  await dc.start();
  dc.on('error', () => undefined);
  const gdb = await GdbSession.start(c.elf, c.xlen);
  try {
    const entry = dc.waitForEvent('stopped');
    await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'oracle', program: c.elf, stopOnEntry: true })]);
    assert.equal(((await entry) as DebugProtocol.StoppedEvent).body.reason, 'entry');
    const ourEntry = BigInt((await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].instructionPointerReference ?? '-1');
    // gdb starts at QEMU's reset vector; a breakpoint at the ELF entry is where ours stops on entry.
    const gdbEntry = await gdb.breakAt(`*${hex(ourEntry)}`);
    const first = await gdb.resume('-exec-continue');
    assert.equal(first.reason, 'breakpoint-hit', `gdb did not reach the entry ${hex(ourEntry)}`);
    await gdb.command('-break-delete');
    assert.equal(gdbEntry, ourEntry);

    // The same breakpoints on both sides, each side resolving them itself: `break NAME`
    // (past the prologue, or at the entry of optimised code, where gdb chooses) and
    // file:line. The addresses must agree.
    const functions = [...new Set(c.stops.map((s) => s.at).filter((at) => at !== 'entry' && !at.includes(':')))];
    const lines = [...new Set(c.stops.map((s) => s.at).filter((at) => at.includes(':')))];
    const fbps = (await dc.setFunctionBreakpointsRequest({ breakpoints: functions.map((name) => ({ name })) })).body.breakpoints;
    for (const [i, name] of functions.entries()) {
      assert.equal(fbps[i].verified, true, `ours: breakpoint on ${name}`);
      // A function inlined in places has several locations (function-entry.test.ts compares them all).
      const theirs = (await gdb.breakLocations(name)).map(hex);
      assert.ok(theirs.includes(fbps[i].instructionReference ?? ''), `address of ${name}: ours ${fbps[i].instructionReference}, gdb ${theirs.join(' ')}`);
    }
    for (const at of lines) {
      const [file, line] = at.split(':');
      const r = await dc.setBreakpointsRequest({ source: { path: path.join(path.dirname(c.elf), file) }, breakpoints: [{ line: Number(line) }] });
      assert.equal(r.body.breakpoints[0].verified, true, `ours: breakpoint at ${at}`);
      assert.equal(r.body.breakpoints[0].instructionReference, hex(await gdb.breakAt(at)), `address of ${at}: ours vs gdb`);
    }

    for (const [i, stop] of c.stops.entries()) {
      if (stop.at !== 'entry') {
        const ev = dc.waitForEvent('stopped');
        await dc.continueRequest({ threadId: 1 });
        assert.match(((await ev) as DebugProtocol.StoppedEvent).body.reason, /breakpoint/, `ours: stop ${i} (${stop.at})`);
        const theirs = await gdb.resume('-exec-continue');
        assert.equal(theirs.reason, 'breakpoint-hit', `gdb: stop ${i} (${stop.at})`);
      }
      const csrs = stop.csrs ?? [];
      compare(`${c.title}: stop ${i} at ${stop.at}`, stop, await ourSnapshot(dc, c.xlen, csrs, stop.fromMtime !== undefined),
        await gdbSnapshot(gdb, c.xlen, csrs, stop.fromMtime !== undefined));
    }
  } finally {
    await gdb.close();
    await dc.stop();
  }
}

const missing = gdbOracleMissing();

describe('gdb-multiarch on QEMU agrees with our debugger at breakpoints', { skip: missing ?? false }, () => {
  for (const c of CASES) test(c.title, () => runCase(c));

  // The comparison can fail: a snapshot that differs in one register is reported.
  test('a register difference is reported with both sides', () => {
    const snap = (a0: bigint): Snapshot => ({
      frames: [{ func: 'f', pc: 0x80000000n }, { func: 'main', pc: 0x80000010n }],
      regs: new Map([...ABI, 'pc'].map((n) => [n, n === 'a0' ? a0 : 0n])),
      priv: 3, csrs: new Map(), mtimecmp: 0n,
    });
    assert.throws(() => compare('self-check', { at: 'f', frames: ['f'] }, snap(1n), snap(2n)), /disagree on a0\n[\s\S]*≠ a0 +0x1 +0x2/);
    compare('self-check', { at: 'f', frames: ['f', 'main'] }, snap(1n), snap(1n));
  });
});
