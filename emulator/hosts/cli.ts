/**
 * `osdev-emu`: the command-line host. The only place, with the worker, that touches
 * files, stdio and the host clock; the machine itself does no I/O.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as childProcess from 'node:child_process';
import { parseArgs, RunOptions, USAGE } from './cli-options';
import { DEFAULT_PROFILE_RATE } from '../machine/profiler';
import { Machine, StopReason } from '../machine/machine';
import { warmUpInterpreter } from '../machine/warm-up';
import { boot, ImageFile } from '../machine/boot';
import { defaultBios } from '../loaders/raw';
import { defaultDescription, DEVICE_TYPES, MachineDescription, Xlen } from '../machine/description';
import { checkHostFit, HostParts, loadMachineFile } from './machine-file';
import { hostEntropy, OpenDrive } from './drives';
import { bootargsFor, openDrives, virtioDevices } from './virtio-setup';
import { OpenNet, openNet } from './net';

import { formatCatalogue } from '../devices/regmap';
import { setTrace } from '../machine/trace';
import { DebugController, stuckDescription } from '../machine/debug-surface';
import { GdbAlone, StubRun } from './gdb-stub/alone';
import { GdbServer, serveGdb } from './gdb-stub/server';
import { formatInput, parseInputLog, StampedInput } from '../machine/input-events';
import { checkPassthrough } from '../machine/description';
import { OpenPassthrough, openPassthrough } from './passthrough-setup';
import { serveSerial } from './serial-tcp';
import { READ_LIMITS, readFileBounded, sideOutput, utf8, writeAllSync, writeOutput } from './host-files';
import { encodePng } from './png';
import { restoreSnapshotFile, runImages, writeSnapshotFile } from './snapshot-host';
import { stateHash } from '../snapshot/machine-snapshot';
import { SnapshotError } from '../snapshot/saved';

const VERSION = '0.1.0';
/** Clock units per call into the machine before the host checks stdin and timers. */
const SLICE = 2_000_000;
const EXIT_TIMEOUT = 124;
/** A hart stuck trapping at its own trap vector (Hart.stuck). */
const EXIT_STUCK = 125;
const EXIT_BAD_INPUT = 2;
/** stdout closed by its reader: 128 + SIGPIPE, the status a filter killed by it has. */
const EXIT_STDOUT_GONE = 141;
/** stdout failed otherwise (a full disk): sysexits.h EX_IOERR. */
const EXIT_IO_ERROR = 74;
/** The longest delay setTimeout takes. */
const MAX_TIMER_MS = 2 ** 31 - 1;

class UsageError extends Error {}

function readImage(path: string, what: string): ImageFile {
  const r = readFileBounded(path, READ_LIMITS.image);
  if (!r.ok) throw new UsageError(`cannot read ${what} '${path}': ${r.error}`);
  return { name: path, bytes: r.bytes };
}

/** ELF class byte (EI_CLASS) → XLEN, for the --xlen default. */
function xlenOf(img: ImageFile | undefined): Xlen | undefined {
  if (img === undefined || img.bytes.length < 5 || img.bytes[0] !== 0x7f || img.bytes[1] !== 0x45) return undefined;
  return img.bytes[4] === 1 ? 32 : img.bytes[4] === 2 ? 64 : undefined;
}

function hex(n: number, digits: number): string { return (n >>> 0).toString(16).padStart(digits, '0'); }

function readInputLog(file: string): StampedInput[] {
  const r = readFileBounded(file, READ_LIMITS.inputLog);
  if (!r.ok) throw new UsageError(`--replay: cannot read '${file}': ${r.error}`);
  const log = parseInputLog(utf8(r.bytes));
  if (!log.ok) throw new UsageError(`--replay ${file}: ${log.error}`);
  return log.value;
}

async function run(o: RunOptions): Promise<number> {
  const kernel = o.kernel !== '' ? readImage(o.kernel, 'kernel') : undefined;
  const bios = o.bios === undefined ? defaultBios(kernel?.bytes) : o.bios === 'none' || o.bios === 'builtin' ? o.bios : readImage(o.bios, 'firmware');
  const initrd = o.initrd !== undefined ? readImage(o.initrd, 'initrd') : undefined;
  const xlen = o.xlen ?? xlenOf(kernel) ?? (typeof bios !== 'string' ? xlenOf(bios) : undefined) ?? 64;
  const drives: OpenDrive[] = [];
  const nets: OpenNet[] = [];
  let slots: OpenPassthrough | null = null;
  try {
    const pt = openPassthrough(o.passthrough, process.cwd(), (line) => process.stderr.write(`osdev-emu: ${line}\n`));
    if (!pt.ok) throw new UsageError(pt.error);
    slots = pt.value;
    const opened = await openDrives(o.drives);
    if (!opened.ok) throw new UsageError(opened.error);
    for (const w of opened.warnings) process.stderr.write(`osdev-emu: ${w}\n`);
    drives.push(...opened.value);
    for (const n of o.nets) {
      const r = await openNet(n);
      if (!r.ok) throw new UsageError(r.error);
      nets.push(r.value);
    }
    return await runMachine(o, kernel, bios, initrd, xlen, drives, nets, slots);
  } finally {
    for (const d of drives) d.close();
    await Promise.all(nets.map((n) => n.drain()));
    for (const n of nets) n.close();
    slots?.close();
  }
}

async function runMachine(o: RunOptions, kernel: ImageFile | undefined, bios: ImageFile | 'none' | 'builtin', initrd: ImageFile | undefined,
  xlen: Xlen, drives: readonly OpenDrive[], nets: readonly OpenNet[], slots: OpenPassthrough): Promise<number> {
  const host = { bootargs: bootargsFor(o.append, o.console), instructionsPerSecond: o.rate, virtio: virtioDevices(o) };
  const desc = o.machine !== undefined ? fromMachineFile(o.machine, host, kernel ?? (typeof bios === 'string' ? 'none' : bios))
    : defaultDescription({ xlen, fpu: o.fpu, extensions: o.extensions, harts: o.harts, memoryBytes: o.memoryBytes, ...host, passthrough: slots.descriptions });
  const misfit = o.machine === undefined ? checkHostFit(desc) : null; // a machine file's was checked with its name
  if (misfit !== null) throw new UsageError(misfit);
  const bad = checkPassthrough(desc);
  if (bad !== null) throw new UsageError(bad);
  const replay = o.replay !== undefined ? readInputLog(o.replay) : undefined;
  const serial = o.serialTcp !== undefined ? await serveSerial(o.serialTcp).catch((e: Error) => { throw new UsageError(e.message); }) : undefined;

  const stdout: number[] = [];
  const errLines: string[] = [];
  /** The exit status once stdout cannot be written (its reader went away, `| head -1`): the run ends, as a Unix filter's does. */
  let stdoutGone: number | undefined;
  const flush = () => {
    if (stdout.length > 0 && stdoutGone === undefined) {
      const err = writeAllSync(1, new Uint8Array(stdout));
      if (err !== null) {
        stdoutGone = err.code === 'EPIPE' ? EXIT_STDOUT_GONE : EXIT_IO_ERROR;
        errLines.push(`osdev-emu: cannot write the console to stdout: ${err.text}; stopping\n`);
      }
    }
    stdout.length = 0;
    if (errLines.length > 0) { writeAllSync(2, errLines.join('')); errLines.length = 0; }
  };
  warmUpInterpreter(desc.xlen);
  const startNs = Date.now() * 1e6;
  const t0 = process.hrtime.bigint();
  const machine = new Machine(desc, {
    consoleOut: serial !== undefined ? (b) => serial.write(b) : (b) => { stdout.push(b); if (stdout.length >= 4096) flush(); },
    hostNowNs: o.clock === 'realtime' ? () => startNs + Number(process.hrtime.bigint() - t0) : undefined,
    drives: drives.map((d) => d.backend),
    nets: nets.map((n) => n.backend),
    entropy: o.rng === 'host' ? hostEntropy() : undefined,
    log: (line) => { errLines.push(`osdev-emu: ${line}\n`); },
    passthrough: slots.backends,
  });
  slots.backends.length = 0; // the machine owns them now: machine.close() releases them
  const cfg = { kernel, bios, initrd };
  const booted = boot(machine, cfg);
  if (!booted.ok) throw new UsageError(booted.error);
  if (o.dumpDtb !== undefined) {
    const err = writeOutput(o.dumpDtb, booted.value.fdt); // `-`: stdout
    if (err !== null) throw new UsageError(`--dump-dtb: ${err}`);
    return 0;
  }
  installTraces(machine, o, errLines, desc.xlen);
  const images = o.snapshotAt !== undefined || o.restore !== undefined ? runImages(kernel, bios, initrd, o.drives) : [];
  if (o.restore !== undefined) {
    try {
      for (const line of restoreSnapshotFile(machine, o.restore, images)) errLines.push(`osdev-emu: ${line}\n`);
    } catch (e) {
      machine.close();
      if (e instanceof SnapshotError) throw new UsageError(e.message);
      throw e;
    }
  }
  let recordFd: number | undefined;
  if (o.record !== undefined) {
    try { recordFd = fs.openSync(o.record, 'w'); } catch (e) { throw new UsageError(`--record: cannot write '${o.record}': ${(e as Error).message}`); }
    const write = sideOutput(recordFd, `--record ${o.record}`, (line) => errLines.push(`osdev-emu: ${line}\n`));
    machine.inputs.onApplied = (e) => write(`${formatInput(e)}\n`);
  }
  if (replay !== undefined) machine.inputs.replay(replay);
  // A profile or coverage file that cannot be written is said now, not after a long run.
  for (const [flag, out] of [['--profile', o.profile], ['--coverage', o.coverage]] as const) {
    if (out === undefined) continue;
    try { fs.writeFileSync(out, ''); } catch (e) { throw new UsageError(`${flag}: cannot write '${out}': ${(e as Error).message}`); }
  }
  if (o.profile !== undefined) machine.startProfile(o.profileRate ?? DEFAULT_PROFILE_RATE);
  if (o.coverage !== undefined) machine.startCoverage();

  // --gdb: the stub drives the machine through the debugger's run control; the loop below asks it for each slice.
  let wake: (() => void) | null = null;
  let gdb: GdbAlone | undefined;
  let gdbServer: GdbServer | undefined;
  if (o.gdb !== undefined) {
    const control = new DebugController(machine, () => { machine.resetDevices(); const again = boot(machine, cfg); return again.ok ? null : again.error; });
    gdb = new GdbAlone(machine, control, { flush: () => flush(), wake: () => wake?.(), log: (line) => { errLines.push(`osdev-emu: ${line}\n`); flush(); } }, o.gdbWait);
    try {
      gdbServer = await serveGdb(o.gdb, gdb.stub, (line) => process.stderr.write(`osdev-emu: ${line}\n`));
    } catch (e) {
      machine.close();
      throw new UsageError((e as Error).message);
    }
    process.stderr.write(`osdev-emu: gdb stub on tcp:${o.gdb.host}:${gdbServer.port}${o.gdbWait ? ', waiting for gdb to continue the machine' : ''}\n`);
  }

  // Console input: raw bytes from stdin (a terminal in raw mode, or a pipe), or the serial port's client.
  machine.inputs.onPosted = () => wake?.();
  let quit = false;
  serial?.onInput((bytes) => machine.pushInput(bytes));
  const stdin = process.stdin;
  let ctrlA = false;
  /** Ctrl-A u / p unplug and plug every passthrough slot (as plug events: --record keeps them); h lists the keys. */
  const monitorKey = (key: number): boolean => {
    const say = (line: string) => process.stderr.write(`\r\nosdev-emu: ${line}\r\n`);
    const plugged = key === 0x70 ? true : key === 0x75 ? false : undefined;
    if (plugged !== undefined) {
      if (machine.slots.length === 0) say('no passthrough slots to plug or unplug');
      for (const slot of machine.slots) machine.inputs.post({ kind: 'plug', device: slot.name, plugged });
      return true;
    }
    if (key === 0x68) { say('Ctrl-A x quit, Ctrl-A u unplug every passthrough slot, Ctrl-A p plug them in, Ctrl-A Ctrl-A a Ctrl-A to the guest'); return true; }
    return false;
  };
  const onData = (d: Buffer) => {
    const bytes: number[] = [];
    for (const b of d) {
      // From a terminal, Ctrl-A then a key is a command to the emulator, as in QEMU's -nographic.
      if (stdin.isTTY && ctrlA && b !== 0x01) {
        ctrlA = false;
        if (b === 0x78) { quit = true; gdb?.releaseWaiters(); break; }
        if (monitorKey(b)) continue;
      }
      ctrlA = stdin.isTTY === true && b === 0x01 && !ctrlA;
      if (!ctrlA) bytes.push(b);
    }
    if (!machine.pushInput(bytes)) stdin.pause();
    wake?.();
  };
  // While replaying, the log is the only input; with a serial port, its client is.
  const useStdin = replay === undefined && serial === undefined;
  let stdinEnded = false;
  // Backpressure: while the guest leaves console input unread, its source is not read (a flood stays in the pipe or socket).
  machine.inputs.onConsoleRoom = () => { if (useStdin) stdin.resume(); else serial?.resumeInput(); };
  if (useStdin) {
    if (stdin.isTTY) stdin.setRawMode(true);
    stdin.on('data', onData);
    stdin.on('end', () => { stdinEnded = true; wake?.(); });
    stdin.on('error', () => undefined);
  }
  /** Whether anything could still wake an idle guest (a live Remote-Port peer never lets the machine idle: its SYNCs are deadlines). */
  const inputPossible = () => (useStdin && !stdinEnded) || serial !== undefined || gdb !== undefined || o.nets.some((n) => n.backend !== 'loopback');

  /** --screenshot: the screen as PNG; false (with a line on stderr) when there is none or the file cannot be written. */
  let shotTaken = false;
  const screenshot = (): boolean => {
    shotTaken = true;
    const file = o.screenshot as string;
    const screen = machine.screen;
    if (screen === null || screen.width === 0) { errLines.push(`osdev-emu: --screenshot ${file}: the guest shows nothing (no scanout set)\n`); return false; }
    const err = writeOutput(file, encodePng(screen.width, screen.height, screen.pixels()));
    if (err !== null) { errLines.push(`osdev-emu: --screenshot: ${err}\n`); return false; }
    return true;
  };
  const deadline = o.timeoutSeconds !== undefined ? Date.now() + o.timeoutSeconds * 1000 : Infinity;
  const retired = () => machine.harts.reduce((s, h) => s + h.instret, 0);
  let status = 0;
  let snapshotTaken = false;
  try {
    for (;;) {
      if (gdb !== undefined) {
        if (gdb.halted) {
          flush();
          // Held by gdb: nothing runs until it continues, detaches or kills; a quit key or --timeout still ends the run.
          const keepAlive = setInterval(() => undefined, 1 << 30);
          let timer: NodeJS.Timeout | undefined;
          const timedOut = new Promise<void>((resolve) => {
            if (deadline !== Infinity) timer = setTimeout(resolve, Math.min(MAX_TIMER_MS, Math.max(0, deadline - Date.now())));
          });
          await Promise.race([gdb.whileHalted(), timedOut]);
          clearTimeout(timer);
          clearInterval(keepAlive);
        }
        if (gdb.ending !== undefined) { status = gdb.ending; break; }
        if (quit) { status = 0; break; }
        if (gdb.halted) {
          if (Date.now() >= deadline) { errLines.push(`osdev-emu: --timeout ${o.timeoutSeconds} s reached while gdb held the machine\n`); status = EXIT_TIMEOUT; break; }
          continue;
        }
      }
      let slice = SLICE;
      // Taken at the first round boundary at or past N instructions, before --max-insns can end the run there.
      if (o.screenshotAt !== undefined && !shotTaken) {
        const left = o.screenshotAt - retired();
        if (left <= 0) { if (!screenshot()) { status = EXIT_IO_ERROR; break; } } else slice = Math.max(1, Math.min(slice, Math.ceil(left / machine.harts.length)));
      }
      if (o.snapshotAt !== undefined && !snapshotTaken) {
        const left = o.snapshotAt.at - retired();
        if (left <= 0) {
          snapshotTaken = true;
          const err = writeSnapshotFile(machine, o.snapshotAt.file, images, o.drives);
          if (err !== null) { errLines.push(`osdev-emu: ${err}\n`); status = EXIT_IO_ERROR; break; }
        } else slice = Math.max(1, Math.min(slice, Math.ceil(left / machine.harts.length)));
      }
      if (o.maxInsns !== undefined) {
        const left = o.maxInsns - retired();
        if (left <= 0) { errLines.push(`osdev-emu: --max-insns ${o.maxInsns} reached: the guest did not power off\n`); status = EXIT_TIMEOUT; break; }
        slice = Math.max(1, Math.min(slice, Math.ceil(left / machine.harts.length)));
      }
      const r: StopReason | StubRun = gdb !== undefined ? gdb.run(slice) : machine.step(slice);
      flush();
      if (r.kind === 'halted') continue;
      if (r.kind === 'exited') { status = r.code; break; }
      if (r.kind === 'power') {
        const e = r.event;
        if (e.kind === 'reset') {
          machine.resetDevices();
          const again = boot(machine, cfg);
          if (!again.ok) throw new UsageError(again.error);
          continue;
        }
        status = e.kind === 'pass' ? 0 : e.kind === 'fail' ? e.code : e.code;
        if (o.screenshot !== undefined && o.screenshotAt === undefined && !screenshot()) status = EXIT_IO_ERROR;
        break;
      }
      if (r.kind === 'stuck') {
        errLines.push(`osdev-emu: ${stuckDescription(machine.harts[r.hart])}\n`);
        status = EXIT_STUCK;
        break;
      }
      if (quit) { status = 0; break; }
      if (stdoutGone !== undefined) { status = stdoutGone; break; }
      if (o.clock === 'realtime') {
        // Guest time follows the host clock: catch up when behind, sleep when ahead.
        const hostTicks = Math.floor(Number(process.hrtime.bigint() - t0) * machine.board.timebaseHz / 1e9);
        machine.advanceTimeTo(hostTicks);
        const aheadMs = (machine.time - hostTicks) * 1000 / machine.board.timebaseHz;
        if (aheadMs > 2 && r.kind !== 'idle') await new Promise<void>((resolve) => setTimeout(resolve, aheadMs));
      }
      if (serial !== undefined && serial.blocked) {
        // A --serial client that reads slowly: the machine waits for it, the guest cannot tell (docs/architecture.md).
        await new Promise<void>((resolve) => {
          const timer = deadline !== Infinity ? setTimeout(resolve, Math.max(0, deadline - Date.now())) : undefined;
          void serial.writable().then(() => { clearTimeout(timer); resolve(); });
        });
      }
      if (Date.now() >= deadline) { errLines.push(`osdev-emu: --timeout ${o.timeoutSeconds} s reached: the guest did not power off\n`); status = EXIT_TIMEOUT; break; }
      if (r.kind === 'idle' && (machine.inputs.isReplaying || !inputPossible())) {
        errLines.push(machine.inputs.isReplaying ? 'osdev-emu: the replayed input is used up and the guest waits for more\n'
          : 'osdev-emu: every hart waits for an interrupt and no input can come (stdin is closed)\n');
        status = EXIT_TIMEOUT;
        break;
      }
      if (r.kind === 'idle') {
        // Nothing but input can wake the guest: sleep until some arrives (or the timeout).
        // The interval keeps the process alive while only unref'd handles remain.
        const keepAlive = setInterval(() => undefined, 1 << 30);
        await new Promise<void>((resolve) => {
          wake = resolve;
          // setTimeout holds at most 2^31-1 ms (24.8 days); a later deadline wakes the loop early, which waits again.
          if (deadline !== Infinity) setTimeout(resolve, Math.min(MAX_TIMER_MS, Math.max(0, deadline - Date.now())));
        });
        clearInterval(keepAlive);
        wake = null;
      } else {
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    if (o.stats) {
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      const n = retired();
      errLines.push(`osdev-emu: ${n} instructions in ${secs.toFixed(3)} s (${(n / secs / 1e6).toFixed(1)} MIPS)\n`);
      const w = machine.wasmStats;
      if (w.modules > 0) {
        errLines.push(`osdev-emu: wasm: ${w.modules} modules (${(w.bytes / 1024).toFixed(0)} KiB), ${w.entries} calls from JavaScript, ${w.ahead} instructions run ahead of the quanta\n`);
      }
    }
    if (o.snapshotAt !== undefined && !snapshotTaken) errLines.push(`osdev-emu: --snapshot-at ${o.snapshotAt.at}: the run ended at ${retired()} instructions, before it: no snapshot written\n`);
    if (o.stateHash) errLines.push(`osdev-emu: state hash ${stateHash(machine)} at ${retired()} instructions\n`);
    flush();
    machine.close();
    serial?.close();
    gdbServer?.close();
    if (recordFd !== undefined) fs.closeSync(recordFd);
    if (useStdin) {
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.off('data', onData);
    }
    stdin.pause();
    stdin.destroy();
  }
  const profile = machine.stopProfile();
  const coverage = machine.stopCoverage();
  if (profile !== null || coverage !== null) {
    const wrote = await writeProfiles({
      kernel: kernel?.name, firmware: typeof bios !== 'string' ? bios.name : undefined, symbols: o.symbols, xlen: desc.xlen,
      ...(profile !== null && o.profile !== undefined ? { profile: { raw: profile, out: o.profile } } : {}),
      ...(coverage !== null && o.coverage !== undefined ? { coverage: { raw: coverage, out: o.coverage } } : {}),
    });
    if (!wrote && status === 0) status = EXIT_IO_ERROR;
  }
  return status;
}

/** The debug adapter's entry, beside this file in the bundle (dist/debug-adapter.js) or in the tsc output. */
function adapterScript(): string | undefined {
  return [path.join(__dirname, 'debug-adapter.js'), path.join(__dirname, '..', '..', 'debug-adapter', 'main.js')].find((p) => fs.existsSync(p));
}

/**
 * Names for the raw samples and pcs come from the kernel's DWARF, which the debug
 * adapter reads: its entry runs as a child (`--write-profile`, the request on stdin),
 * as for \`osdev-emu dap\`, so this room never imports it. False when nothing was written.
 */
function writeProfiles(request: object): Promise<boolean> {
  const script = adapterScript();
  if (script === undefined) {
    process.stderr.write('osdev-emu: cannot write the profile or coverage: the debug adapter (debug-adapter.js) is missing from this installation\n');
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const child = childProcess.spawn(process.execPath, [script, '--write-profile'], { stdio: ['pipe', 'inherit', 'inherit'] });
    child.on('error', (e) => { process.stderr.write(`osdev-emu: cannot start the profile writer: ${e.message}\n`); resolve(false); });
    child.on('exit', (code) => resolve(code === 0));
    child.stdin.on('error', () => undefined); // a writer that died early is reported by its exit
    child.stdin.end(JSON.stringify(request));
  });
}

/** The description from `--machine FILE.dts`; its warnings go to stderr now, before the guest's output. */
function fromMachineFile(file: string, host: HostParts, image: ImageFile | 'none'): MachineDescription {
  const loaded = loadMachineFile(file, host);
  if (!loaded.ok) throw new UsageError(loaded.error);
  for (const line of loaded.lines) process.stderr.write(`osdev-emu: ${line}\n`);
  const misfit = checkHostFit(loaded.desc);
  if (misfit !== null) throw new UsageError(`--machine ${file}: ${misfit}`);
  const elfXlen = image !== 'none' ? xlenOf(image) : undefined;
  if (elfXlen !== undefined && elfXlen !== loaded.desc.xlen) {
    throw new UsageError(`${image === 'none' ? '' : image.name} is a ${elfXlen}-bit ELF, but the harts of ${file} are rv${loaded.desc.xlen} (riscv,isa)`);
  }
  return loaded.desc;
}

function installTraces(machine: Machine, o: RunOptions, lines: string[], xlen: Xlen): void {
  if (machine.setEngine(o.engine) !== o.engine) process.stderr.write(`osdev-emu: --engine ${o.engine} needs WebAssembly, which this host lacks; running js\n`);
  if (o.trace.includes('insn')) {
    machine.setTranslation(false);
    machine.insnTrace = (h, bits) => {
      lines.push(`${h.id} ${hex(xlen === 64 ? h.pcHi : 0, 8)}${hex(h.pcLo, 8)} ${hex(bits, 8)}\n`);
    };
  }
  const mmio = o.trace.includes('mmio'), traps = o.trace.includes('trap');
  if (mmio || traps) setTrace(machine, { mmio, traps }, (line) => lines.push(`${line}\n`));
}

/**
 * `osdev-emu dap`: runs the debug adapter (debug-adapter/main.ts) as a child with this
 * process's stdio, so the emulator room never imports the adapter. It lies beside
 * this file in the bundle (dist/debug-adapter.js) or in the tsc output.
 */
function runDap(port: number | undefined): Promise<number> {
  const script = adapterScript();
  if (script === undefined) {
    process.stderr.write('osdev-emu: the debug adapter (debug-adapter.js) is missing from this installation\n');
    return Promise.resolve(EXIT_BAD_INPUT);
  }
  const args = port === undefined ? ['--stdio'] : ['--port', String(port)];
  return new Promise((resolve) => {
    // The IPC channel is the child's lifeline: it closes when this process ends, however it ends (kill -9 too).
    const child = childProcess.spawn(process.execPath, [script, ...args], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
    // Ending `osdev-emu dap` ends the adapter with it.
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => child.kill(sig));
    child.on('error', (e) => { process.stderr.write(`osdev-emu: cannot start the debug adapter: ${e.message}\n`); resolve(70); });
    child.on('exit', (code, signal) => resolve(code ?? (signal !== null ? 128 : 0)));
  });
}

export async function main(argv: readonly string[]): Promise<number> {
  // The device-tree tools (`dts`, `lsp`) parse and run in cli-tools.ts.
  if (argv[0] === 'dts' || argv[0] === 'lsp') return (await import('./cli-tools')).runTool(argv);
  // The example Remote-Port peer (docs/remote-port.md), for trying a remote-port passthrough slot.
  if (argv[0] === 'rp-peer') return (await import('./remote-port-peer')).runPeerMain(argv.slice(1));
  // A replay file (OS Dev: Save Replay) run again through the debugger's worker.
  if (argv[0] === 'replay') return (await import('./cli-replay')).runReplayMain(argv.slice(1));
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`osdev-emu: ${parsed.error}\n`);
    return EXIT_BAD_INPUT;
  }
  const c = parsed.value;
  switch (c.command) {
    case 'help': process.stdout.write(USAGE + '\n'); return 0;
    case 'version': process.stdout.write(`osdev-emu ${VERSION}\n`); return 0;
    case 'devices': process.stdout.write(formatCatalogue(DEVICE_TYPES.map((t) => t.model))); return 0;
    case 'dap': return runDap(c.port);
    default:
      try {
        return await run(c);
      } catch (e) {
        if (e instanceof UsageError) {
          process.stderr.write(`osdev-emu: ${e.message}\n`);
          return EXIT_BAD_INPUT;
        }
        process.stderr.write(`osdev-emu: internal error (a bug in the emulator, please report): ${(e as Error).stack ?? String(e)}\n`);
        return 70;
      }
  }
}

// This file is the CLI's entry point (tsc output and the webpack bundle alike).
{
  main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
    process.stderr.write(`osdev-emu: internal error: ${String(e)}\n`);
    process.exit(70);
  });
}
