/**
 * Differential tests: every guest program built by emulator/test/guests runs
 * on QEMU (the oracle) and on our emulator (RV64: with the JavaScript and the
 * WebAssembly engine); console output and exit status must be identical. A few small programs are also compared instruction by
 * instruction (the sequence of pcs). Programs QEMU cannot run (HTIF) are
 * compared with their expected output file instead.
 *
 * Needs: `make -C emulator/test/guests`, QEMU (qemu-system-misc) and our
 * compiled CLI. A missing piece is a failure, not a skip.
 * Knobs: DIFF_JOBS (processes at once, default 2), DIFF_TIMEOUT_MS (per run,
 * default 30000), DIFF_TRACE_INSNS (instructions compared, default 200000),
 * DIFF_ONLY (a regular expression on "name rvXX").
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { qemuCpuOption } from '../machine/description';
import {
  createLimiter, formatTraceEntry, GuestManifest, GuestProgram, hasQemu, loadManifest, oursTrace, qemuTrace,
  RunResult, runOurs, runQemu, TraceEntry,
} from './qemu';

const JOBS = Number(process.env.DIFF_JOBS ?? 2);
const TIMEOUT_MS = Number(process.env.DIFF_TIMEOUT_MS ?? 30_000);
const TRACE_INSNS = Number(process.env.DIFF_TRACE_INSNS ?? 200_000);
const ONLY = process.env.DIFF_ONLY ? new RegExp(process.env.DIFF_ONLY) : undefined;
/** Programs run twice on our side: their output must not change between runs. */
const DETERMINISM = ['interrupts', 'amo-smp', 'rtc'];

const limit = createLimiter(JOBS);

let manifest: GuestManifest | undefined;
let manifestError: unknown;
try {
  manifest = loadManifest();
} catch (e) {
  manifestError = e;
}

const label = (p: GuestProgram): string => `${p.name} rv${p.xlen}`;
const selected = (manifest?.programs ?? []).filter((p) => !ONLY || ONLY.test(label(p)));
const runOpts = (p: GuestProgram) => ({ xlen: p.xlen, harts: p.harts, stdin: p.stdin, timeoutMs: TIMEOUT_MS });

test('guest programs are built', () => {
  if (manifestError) throw manifestError;
  assert.ok(manifest && manifest.programs.length > 0, 'the manifest lists no programs');
  const missing = [...manifest.programs, ...manifest.bench].filter((p) => !fs.existsSync(p.elf)).map((p) => p.elf);
  assert.deepEqual(missing, [], 'ELFs listed in the manifest but not built: run `make -C emulator/test/guests`');
});

test('QEMU is installed (qemu-system-riscv64 and -riscv32)', async () => {
  assert.ok(await hasQemu(64), 'qemu-system-riscv64 does not run: install qemu-system-misc');
  assert.ok(await hasQemu(32), 'qemu-system-riscv32 does not run: install qemu-system-misc');
});

describe('same console output and exit status as QEMU', { concurrency: JOBS }, () => {
  for (const p of selected) {
    test(label(p), async () => {
      const ours = await limit(() => runOurs(p.elf, runOpts(p)));
      if (!p.qemu) {
        assert.ok(p.expected, `${label(p)} runs on ours only but names no expected output`);
        expectSame(ours, fs.readFileSync(p.expected, 'latin1'), p.exitCode, 'expected file');
        return;
      }
      const qemu = await limit(() => runQemu(p.elf, runOpts(p)));
      assertQemuSane(p, qemu);
      expectSame(ours, qemu.stdout, p.exitCode, 'QEMU');
      { // the WebAssembly engine too
        const wasm = await limit(() => runOurs(p.elf, { ...runOpts(p), extraArgs: ['--engine', 'wasm'] }));
        expectSame(wasm, qemu.stdout, p.exitCode, 'QEMU (ours with --engine wasm)');
      }
    });
  }
});

describe('same instructions executed as QEMU (pc trace)', { concurrency: JOBS }, () => {
  for (const p of selected.filter((q) => q.trace && q.qemu && q.harts === 1)) {
    test(label(p), async () => {
      const opts = { ...runOpts(p), maxInsns: TRACE_INSNS };
      const qemu = await limit(() => qemuTrace(p.elf, opts));
      assert.ok(!qemu.run.timedOut, `QEMU timed out: ${qemu.run.command}`);
      assert.ok(qemu.trace.length > 0, `QEMU wrote no exec trace: ${qemu.run.command}\n${qemu.run.stderr}`);
      assert.equal(qemu.trace[0].pc, 0x1000n, 'QEMU should start at its reset vector, 0x1000');
      const ours = await limit(() => oursTrace(p.elf, opts));
      assert.ok(!ours.run.timedOut, `ours timed out: ${ours.run.command}`);
      compareTraces(qemu.trace, ours.trace, TRACE_INSNS);
    });
  }
});

describe('our runs are deterministic', { concurrency: JOBS }, () => {
  for (const p of selected.filter((q) => DETERMINISM.includes(q.name))) {
    test(label(p), async () => {
      const [a, b] = [await limit(() => runOurs(p.elf, runOpts(p))), await limit(() => runOurs(p.elf, runOpts(p)))];
      assert.ok(!a.timedOut && !b.timedOut, `ours timed out: ${a.command}`);
      assert.equal(a.exitCode, b.exitCode, 'exit status differs between two runs');
      if (a.stdout !== b.stdout) assert.fail(`console output differs between two runs\n${firstDifference(a.stdout, b.stdout, 'run 1', 'run 2')}`);
    });
  }
});

/** QEMU itself must behave as the program expects, or the test (not ours) is broken. */
/** Harts without F and D (`--isa`) beside QEMU with f=false,d=false: misa, mstatus.FS read-only Off (the csr guest). */
describe('F and D left out (--isa rvXXimac) beside QEMU', { concurrency: JOBS }, () => {
  for (const p of selected.filter((q) => q.name === 'csr')) {
    test(label(p), async () => {
      const ours = await limit(() => runOurs(p.elf, { ...runOpts(p), extraArgs: ['--isa', `rv${p.xlen}imac_zicsr_zifencei_sstc`] }));
      const cpu = qemuCpuOption(p.xlen, []).replace(`rv${p.xlen},`, `rv${p.xlen},f=false,d=false,`); // no Zb* either, as our --isa
      const qemu = await limit(() => runQemu(p.elf, { ...runOpts(p), extraArgs: ['-cpu', cpu] })); // the last -cpu wins
      assertQemuSane(p, qemu);
      assert.match(qemu.stdout, /misa extensions: ACIMSU/);
      expectSame(ours, qemu.stdout, p.exitCode, 'QEMU');
    });
  }
});

function assertQemuSane(p: GuestProgram, qemu: RunResult): void {
  assert.ok(!qemu.timedOut, `QEMU timed out after ${qemu.durationMs} ms: ${qemu.command}`);
  assert.equal(qemu.exitCode, p.exitCode,
    `QEMU exited with ${qemu.exitCode}, the program expects ${p.exitCode}: ${qemu.command}\n${tail(qemu.stdout)}\n${qemu.stderr}`);
}

function expectSame(ours: RunResult, expected: string, expectedExit: number, what: string): void {
  assert.ok(!ours.timedOut, `ours timed out after ${ours.durationMs} ms: ${ours.command}\nconsole so far:\n${tail(ours.stdout)}\n${tail(ours.stderr)}`);
  if (ours.stdout !== expected) {
    assert.fail(`console output differs from ${what}\n${firstDifference(expected, ours.stdout, what, 'ours')}\n` +
      `command: ${ours.command}\n${tail(ours.stderr)}`);
  }
  assert.equal(ours.exitCode, expectedExit, `exit status ${ours.exitCode}, ${what} gives ${expectedExit}\n${tail(ours.stderr)}`);
}

/** The first differing line of two outputs, with a little context. */
function firstDifference(a: string, b: string, nameA: string, nameB: string): string {
  const la = a.split('\n');
  const lb = b.split('\n');
  let i = 0;
  while (i < la.length && i < lb.length && la[i] === lb[i]) i++;
  const from = Math.max(0, i - 3);
  const show = (lines: string[]): string =>
    lines.slice(from, i + 3).map((l, k) => `${from + k + 1 === i + 1 ? '>' : ' '} ${from + k + 1}: ${JSON.stringify(l)}`).join('\n');
  return `first difference at line ${i + 1} (${nameA}: ${la.length} lines, ${nameB}: ${lb.length} lines)\n` +
    `--- ${nameA}\n${show(la)}\n--- ${nameB}\n${show(lb)}`;
}

function compareTraces(qemu: TraceEntry[], ours: TraceEntry[], max: number): void {
  const n = Math.min(qemu.length, ours.length);
  for (let i = 0; i < n; i++) {
    if (qemu[i].pc !== ours[i].pc || qemu[i].hart !== ours[i].hart) {
      assert.fail(`instruction ${i} differs\n${traceContext(qemu, ours, i)}`);
    }
  }
  // Equal prefixes: both must have reached the limit, or both ended together.
  if (qemu.length !== ours.length && (qemu.length < max || ours.length < max)) {
    assert.fail(`traces have different lengths: QEMU ${qemu.length}, ours ${ours.length}\n${traceContext(qemu, ours, n)}`);
  }
}

function traceContext(qemu: TraceEntry[], ours: TraceEntry[], i: number): string {
  const lines: string[] = [];
  for (let k = Math.max(0, i - 6); k <= i + 2; k++) {
    lines.push(`${k === i ? '>' : ' '} #${k}  QEMU ${formatTraceEntry(qemu[k])}`);
    lines.push(`         ours ${formatTraceEntry(ours[k])}`);
  }
  return lines.join('\n');
}

function tail(s: string, lines = 20): string {
  return s.split('\n').slice(-lines).join('\n');
}
