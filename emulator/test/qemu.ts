/**
 * Runs guest programs on QEMU (the oracle) and on our emulator's CLI, for the
 * differential tests and the benchmarks.
 *
 * Both sides boot the same ELF the same way: QEMU's `virt` board with
 * `-bios none` (the kernel entered in M-mode at 0x80000000 after the reset
 * vector at 0x1000), stdout = the UART's bytes, exit status = the guest's
 * sifive_test code (0 pass, N for `(N << 16) | 0x3333`).
 *
 * Our side is `node out/emulator/hosts/cli.js run ELF --bios none --xlen X --harts N`,
 * with `--trace insn` printing `<hartid> <pc, 16 hex digits> <insn, 8 hex digits>`
 * to stderr for each instruction that starts executing.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { QEMU_CPU_OPTION, Xlen } from '../machine/description';

export type { Xlen };

export interface RunOptions {
  xlen: Xlen;
  /** Number of harts (QEMU -smp). Default 1. */
  harts?: number;
  /** Appended to the command line. */
  extraArgs?: string[];
  /** Bytes for the guest's console input (UART receive). Default: none, stdin closed. */
  stdin?: string | Buffer;
  /** Killed after this long (then `timedOut` is set). Default 30 s. */
  timeoutMs?: number;
}

export interface RunResult {
  /** What the guest wrote to the UART, one char per byte (latin1). */
  stdout: string;
  stderr: string;
  /** Process exit status; null when killed by a signal (timeout). */
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** The command line, for messages. */
  command: string;
}

export interface TraceEntry {
  hart: number;
  pc: bigint;
  /** Instruction bits when the trace has them (ours does, QEMU's exec log does not). */
  insn?: number;
  /** Symbol QEMU printed for the pc, if any. */
  symbol?: string;
}

export interface TraceOptions extends RunOptions {
  /** Stop after this many instructions (all harts). Default 30000. */
  maxInsns?: number;
}

/* ---- where things are ---- */

/** The repository root: the nearest ancestor of this file with a package.json. */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = up;
  }
}

export const GUESTS_DIR = path.join(repoRoot(), 'emulator', 'test', 'guests');
export const GUESTS_BUILD_DIR = path.join(GUESTS_DIR, 'build');
/** Our CLI as `tsc -p .` emits it; OSDEV_EMU_CLI overrides (e.g. dist/cli.js). */
export const OUR_CLI = process.env.OSDEV_EMU_CLI ?? path.join(repoRoot(), 'out', 'emulator', 'hosts', 'cli.js');

/* ---- the guests' manifest (written by emulator/test/guests/Makefile) ---- */

export interface GuestProgram {
  name: string;
  xlen: Xlen;
  /** Absolute path of the ELF. */
  elf: string;
  harts: number;
  /** False for programs only our emulator can run (HTIF). */
  qemu: boolean;
  exitCode: number;
  /** Also compared instruction by instruction with QEMU. */
  trace: boolean;
  bench: boolean;
  /** Console input, if the program reads any. */
  stdin?: string;
  /** Absolute path of a file holding the expected stdout (for programs QEMU can't run). */
  expected?: string;
}

export interface GuestManifest {
  programs: GuestProgram[];
  /** The long-running benchmark builds (build/bench/), for `npm run bench`. */
  bench: GuestProgram[];
}

/** Reads build/manifest.json; throws (with how to build it) when missing or malformed. */
export function loadManifest(buildDir = GUESTS_BUILD_DIR): GuestManifest {
  const file = path.join(buildDir, 'manifest.json');
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: build the guests with \`make -C emulator/test/guests\``);
  }
  const raw: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  const list = (value: unknown, field: string): GuestProgram[] => {
    if (!Array.isArray(value)) throw new Error(`${file}: "${field}" is not an array`);
    return value.map((entry: unknown, i) => toProgram(entry, `${file}: ${field}[${i}]`, buildDir));
  };
  if (typeof raw !== 'object' || raw === null) throw new Error(`${file}: not an object`);
  const obj = raw as Record<string, unknown>;
  return { programs: list(obj.programs, 'programs'), bench: list(obj.bench, 'bench') };
}

function toProgram(entry: unknown, where: string, buildDir: string): GuestProgram {
  if (typeof entry !== 'object' || entry === null) throw new Error(`${where}: not an object`);
  const e = entry as Record<string, unknown>;
  const str = (k: string): string => {
    if (typeof e[k] !== 'string') throw new Error(`${where}: "${k}" is not a string`);
    return e[k] as string;
  };
  const num = (k: string): number => {
    if (typeof e[k] !== 'number' || !Number.isInteger(e[k])) throw new Error(`${where}: "${k}" is not an integer`);
    return e[k] as number;
  };
  const bool = (k: string): boolean => {
    if (typeof e[k] !== 'boolean') throw new Error(`${where}: "${k}" is not a boolean`);
    return e[k] as boolean;
  };
  const xlen = num('xlen');
  if (xlen !== 32 && xlen !== 64) throw new Error(`${where}: "xlen" must be 32 or 64`);
  const stdin = str('stdin');
  const expected = str('expected');
  return {
    name: str('name'),
    xlen,
    elf: path.join(buildDir, str('elf')),
    harts: num('harts'),
    qemu: bool('qemu'),
    exitCode: num('exitCode'),
    trace: bool('trace'),
    bench: bool('bench'),
    stdin: stdin === '' ? undefined : stdin,
    expected: expected === '' ? undefined : path.join(GUESTS_DIR, expected),
  };
}

/* ---- QEMU ---- */

export function qemuBinary(xlen: Xlen): string {
  return `qemu-system-riscv${xlen}`;
}

/** Our hart in QEMU's terms: one definition, in the machine description. */
export function qemuCpu(xlen: Xlen): string {
  return QEMU_CPU_OPTION[xlen];
}

/** The command line for one run of `elf` on QEMU's virt board (no console multiplexing, no monitor). */
export function qemuArgs(elf: string, opts: RunOptions): string[] {
  return ['-machine', 'virt', '-cpu', qemuCpu(opts.xlen), '-m', '128M', '-smp', String(opts.harts ?? 1),
    '-bios', 'none', '-display', 'none', '-serial', 'stdio', '-monitor', 'none', '-kernel', elf,
    ...(opts.extraArgs ?? [])];
}

/** Whether qemu-system-riscv{xlen} can be started. */
export async function hasQemu(xlen: Xlen): Promise<boolean> {
  try {
    const r = await runProcess(qemuBinary(xlen), ['--version'], { timeoutMs: 10_000 });
    return r.exitCode === 0 && /QEMU emulator version/.test(r.stdout);
  } catch {
    return false;
  }
}

/** Runs `elf` on QEMU. Exit status: 0 pass, N for sifive_test fail code N. */
export function runQemu(elf: string, opts: RunOptions): Promise<RunResult> {
  return runProcess(qemuBinary(opts.xlen), qemuArgs(elf, opts), { ...opts, stdoutToFile: true });
}

/* ---- ours ---- */

export function oursArgs(elf: string, opts: RunOptions & { trace?: boolean }): string[] {
  return [OUR_CLI, 'run', elf, '--bios', 'none', '--xlen', String(opts.xlen), '--harts', String(opts.harts ?? 1),
    ...(opts.trace ? ['--trace', 'insn'] : []), ...(opts.extraArgs ?? [])];
}

/** Runs `elf` on our emulator's CLI, with the same contract as runQemu. */
export function runOurs(elf: string, opts: RunOptions): Promise<RunResult> {
  if (!fs.existsSync(OUR_CLI)) {
    return Promise.reject(new Error(`${OUR_CLI} is missing: compile with \`npm run compile\``));
  }
  return runProcess(process.execPath, oursArgs(elf, opts), opts);
}

/* ---- instruction traces ---- */

/**
 * Parses QEMU's `-d exec,nochain` log taken with `-singlestep` (QEMU 7.2):
 *   Trace <cpu>: <host tb ptr> [<cs_base>/<pc>/<flags>/<cflags>] <symbol>
 * one line per translation block entered, i.e. per instruction with
 * -singlestep, logged *before* the instruction runs (so an instruction that
 * traps is listed, a fetch that faults is not). The pc has 16 hex digits on
 * qemu-system-riscv64 and 8 on -riscv32. A TB that was entered but left at
 * once because of an exit request (an interrupt or I/O kick) is followed by
 *   Stopped execution of TB chain before <ptr> [<pc>] <symbol>
 * and did not execute: its Trace line is dropped.
 */
export function parseQemuExecLog(text: string): TraceEntry[] {
  const out: TraceEntry[] = [];
  const traceRe = /^Trace (\d+): \S+ \[[0-9a-f]+\/([0-9a-f]+)\/[0-9a-f]+\/[0-9a-f]+\] ?(.*)$/;
  const stoppedRe = /^Stopped execution of TB chain before \S+ \[([0-9a-f]+)\]/;
  for (const line of text.split('\n')) {
    const t = traceRe.exec(line);
    if (t) {
      out.push({ hart: Number(t[1]), pc: BigInt('0x' + t[2]), symbol: t[3] || undefined });
      continue;
    }
    const s = stoppedRe.exec(line);
    if (s) {
      const pc = BigInt('0x' + s[1]);
      for (let i = out.length - 1; i >= 0; i--) {
        if (out[i].pc === pc) {
          out.splice(i, 1);
          break;
        }
      }
    }
  }
  return out;
}

/** Parses our CLI's `--trace insn` output: `<hartid> <pc 16 hex> <insn 8 hex>`; other lines are ignored. */
export function parseOursTrace(text: string): TraceEntry[] {
  const out: TraceEntry[] = [];
  const re = /^(\d+) ([0-9a-f]{16}) ([0-9a-f]{8})$/;
  for (const line of text.split('\n')) {
    const m = re.exec(line.trimEnd());
    if (m) out.push({ hart: Number(m[1]), pc: BigInt('0x' + m[2]), insn: parseInt(m[3], 16) });
  }
  return out;
}

/**
 * Runs `elf` on QEMU with -singlestep -d exec,nochain and returns the first
 * `maxInsns` executed instructions (QEMU is stopped once the log has enough).
 */
export async function qemuTrace(elf: string, opts: TraceOptions): Promise<{ trace: TraceEntry[]; run: RunResult }> {
  const max = opts.maxInsns ?? 30_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qemu-trace-'));
  const log = path.join(dir, 'exec.log');
  try {
    const args = [...qemuArgs(elf, opts), '-singlestep', '-d', 'exec,nochain', '-D', log];
    // A Trace line is ~80 bytes; stop QEMU once the log surely holds max + slack lines.
    const enough = (max + 1000) * 100;
    const run = await runProcess(qemuBinary(opts.xlen), args, {
      ...opts,
      stdoutToFile: true,
      stopWhen: () => {
        try {
          return fs.statSync(log).size > enough;
        } catch {
          return false;
        }
      },
    });
    const trace = parseQemuExecLog(fs.existsSync(log) ? fs.readFileSync(log, 'latin1') : '');
    return { trace: trace.slice(0, max), run };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `elf` on our CLI with --trace insn and returns the first `maxInsns` instructions. */
export async function oursTrace(elf: string, opts: TraceOptions): Promise<{ trace: TraceEntry[]; run: RunResult }> {
  if (!fs.existsSync(OUR_CLI)) throw new Error(`${OUR_CLI} is missing: compile with \`npm run compile\``);
  const max = opts.maxInsns ?? 30_000;
  let lines = 0;
  const run = await runProcess(process.execPath, oursArgs(elf, { ...opts, trace: true }), {
    ...opts,
    stopOnStderr: (chunk) => {
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
      return lines > max + 100;
    },
  });
  return { trace: parseOursTrace(run.stderr).slice(0, max), run };
}

/** Formats an entry like `hart 0 pc 0000000080000010 (main) insn 00a00513`. */
export function formatTraceEntry(e: TraceEntry | undefined): string {
  if (!e) return '(end of trace)';
  let s = `hart ${e.hart} pc ${e.pc.toString(16).padStart(16, '0')}`;
  if (e.symbol) s += ` (${e.symbol})`;
  if (e.insn !== undefined) s += ` insn ${e.insn.toString(16).padStart(8, '0')}`;
  return s;
}

/* ---- processes ---- */

export interface ProcessOptions {
  stdin?: string | Buffer;
  timeoutMs?: number;
  /**
   * Send stdout to a temporary file instead of a pipe. QEMU needs this: its
   * stdio chardev makes stdout non-blocking and its UART drops a byte after a
   * few EAGAINs, so a pipe read by a busy parent loses console output.
   */
  stdoutToFile?: boolean;
  /** Polled every 20 ms: true stops (kills) the process. */
  stopWhen?: () => boolean;
  /** Called with each stderr chunk: true stops the process. */
  stopOnStderr?: (chunk: Buffer) => boolean;
}

/** Process groups still running; killed if the test process exits first. */
const liveGroups = new Set<number>();
process.on('exit', () => {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

/**
 * Spawns a process in its own process group, feeds stdin, collects output,
 * and kills the whole group after timeoutMs or when told to stop.
 */
export function runProcess(file: string, args: string[], opts: ProcessOptions): Promise<RunResult> {
  const command = [file, ...args].join(' ');
  const started = Date.now();
  let outDir: string | undefined;
  let outFd: number | undefined;
  if (opts.stdoutToFile) {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guest-out-'));
    outFd = fs.openSync(path.join(outDir, 'stdout'), 'w+');
  }
  const cleanup = (): string | undefined => {
    if (outFd === undefined || outDir === undefined) return undefined;
    const text = fs.readFileSync(path.join(outDir, 'stdout'), 'latin1');
    fs.closeSync(outFd);
    fs.rmSync(outDir, { recursive: true, force: true });
    outFd = undefined;
    return text;
  };
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = spawn(file, args, { stdio: ['pipe', outFd ?? 'pipe', 'pipe'], detached: true });
    } catch (e) {
      cleanup();
      reject(new Error(`cannot run ${command}: ${(e as Error).message}`));
      return;
    }
    const pid = child.pid;
    if (pid !== undefined) liveGroups.add(pid);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let stopped = false;
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      try {
        if (pid !== undefined) process.kill(-pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, opts.timeoutMs ?? 30_000);
    const stopWhen = opts.stopWhen;
    const poll = stopWhen ? setInterval(() => { if (stopWhen()) stop(); }, 20) : undefined;
    const done = (): void => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      if (pid !== undefined) liveGroups.delete(pid);
    };
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => {
      err.push(b);
      if (opts.stopOnStderr && opts.stopOnStderr(b)) stop();
    });
    child.on('error', (e) => {
      done();
      cleanup();
      reject(new Error(`cannot run ${command}: ${e.message}`));
    });
    child.on('close', (code) => {
      done();
      const fileText = cleanup();
      resolve({
        stdout: fileText ?? Buffer.concat(out).toString('latin1'),
        stderr: Buffer.concat(err).toString('latin1'),
        exitCode: stopped ? null : code,
        timedOut,
        durationMs: Date.now() - started,
        command,
      });
    });
    child.stdin?.on('error', () => { /* the process may exit before reading its input */ });
    child.stdin?.end(opts.stdin ?? '');
  });
}

/** Runs `fn` over `items` with at most `limit` running at once; results in input order. */
export async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** A counting semaphore: `await limiter(() => work())` runs at most `n` works at once. */
export function createLimiter(n: number): <R>(work: () => Promise<R>) => Promise<R> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <R>(work: () => Promise<R>): Promise<R> => {
    // A finishing work hands its slot straight to the next waiter.
    if (active >= n) await new Promise<void>((wake) => waiting.push(wake));
    else active++;
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

/* ---- command line: run or trace one guest on QEMU by hand ---- */

/** XLEN from the ELF header's class byte (1 = ELF32, 2 = ELF64). */
export function elfXlen(elf: string): Xlen {
  const fd = fs.openSync(elf, 'r');
  try {
    const head = Buffer.alloc(5);
    fs.readSync(fd, head, 0, 5, 0);
    if (head.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${elf} is not an ELF file`);
    return head[4] === 1 ? 32 : 64;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * node out/emulator/test/qemu.js run ELF [--harts N]    console output, exit status as QEMU's
 * node out/emulator/test/qemu.js trace ELF [--max N]    `<hart> <pc>` per instruction, in the
 *   format of our `--trace insn` without the instruction bits (compare with `cut -d' ' -f1,2`)
 */
async function main(argv: string[]): Promise<number> {
  const [cmd, elf, ...rest] = argv;
  const flag = (name: string, dflt: number): number => {
    const i = rest.indexOf(name);
    return i >= 0 ? Number(rest[i + 1]) : dflt;
  };
  if ((cmd !== 'run' && cmd !== 'trace') || !elf) {
    process.stderr.write('usage: qemu.js run|trace ELF [--harts N] [--max N]\n');
    return 2;
  }
  const opts = { xlen: elfXlen(elf), harts: flag('--harts', 1), timeoutMs: flag('--timeout', 60_000) };
  if (cmd === 'run') {
    const r = await runQemu(elf, { ...opts, stdin: process.stdin.isTTY ? undefined : fs.readFileSync(0) });
    process.stdout.write(Buffer.from(r.stdout, 'latin1'));
    process.stderr.write(r.stderr);
    return r.exitCode ?? 124;
  }
  const { trace } = await qemuTrace(elf, { ...opts, maxInsns: flag('--max', 1_000_000) });
  process.stdout.write(trace.map((e) => `${e.hart} ${e.pc.toString(16).padStart(16, '0')}\n`).join(''));
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  });
}
