/**
 * `osdev-emu run --gdb tcp:127.0.0.1:0 --gdb-wait` and Debian's gdb-multiarch in batch
 * mode against it (or against QEMU's gdbstub, for the same commands): the stub's tests
 * drive them as a user would. The stub's port is read from its first stderr line.
 * Timeouts are safety nets for a hung process, never a verdict.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { OUR_CLI, qemuBinary, qemuCpu, Xlen } from './qemu';

export const GDB = 'gdb-multiarch';
const SAFETY_NET_MS = 120_000;

export interface StubProcess {
  port: number;
  child: ChildProcess;
  /** Resolves when the emulator ends: its status and everything it wrote. */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts the CLI with the stub on a free loopback port; resolves once it listens (and, given `until`, once the guest printed it). */
export function startStub(elf: string, args: readonly string[] = [], wait = true, until?: string): Promise<StubProcess> {
  const child = spawn(process.execPath, [OUR_CLI, 'run', elf, ...args, '--gdb', 'tcp:127.0.0.1:0', ...(wait ? ['--gdb-wait'] : [])],
    { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  const net = setTimeout(() => child.kill('SIGKILL'), SAFETY_NET_MS);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => { clearTimeout(net); resolve({ code, stdout, stderr }); });
  });
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = /gdb stub on tcp:127\.0\.0\.1:(\d+)/.exec(stderr);
      if (m !== null && (until === undefined || stdout.includes(until))) resolve({ port: Number(m[1]), child, done });
    };
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString('latin1'); check(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString('latin1'); check(); });
    void done.then((r) => reject(new Error(`osdev-emu ended (${r.code}) before its stub listened:\n${r.stderr}`)));
  });
}

/** gdb-multiarch -batch on `elf`: connects with `target`, runs `commands`, resolves with all it printed. */
export function gdbBatch(elf: string, target: string, commands: readonly string[]): Promise<string> {
  const args = ['-batch', '-nx', '-ex', 'set pagination off', '-ex', 'set confirm off', '-ex', 'set width 0', '-ex', target,
    ...commands.flatMap((c) => ['-ex', c]), elf];
  return new Promise((resolve, reject) => {
    const child = spawn(GDB, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString('utf8'); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString('utf8'); });
    const net = setTimeout(() => child.kill('SIGKILL'), SAFETY_NET_MS);
    child.on('error', (e) => { clearTimeout(net); reject(e); });
    child.on('close', () => { clearTimeout(net); resolve(out); });
  });
}

/** gdb's `target` command for QEMU's gdbstub on the pipe (QEMU dies with the connection): the differential tests' board. */
export function qemuTarget(elf: string, xlen: Xlen, harts = 1): string {
  return `target remote | exec ${qemuBinary(xlen)} -machine virt -cpu ${qemuCpu(xlen)} -m 128M -smp ${harts} -bios none ` +
    `-display none -serial none -monitor none -kernel ${elf} -S -gdb stdio`;
}

/** The text gdb printed between `echo ==BEGIN==` and `echo ==END==` (what a comparison looks at). */
export function between(out: string): string {
  const a = out.indexOf('==BEGIN==\n'), b = out.indexOf('==END==');
  if (a < 0 || b < 0) throw new Error(`gdb did not reach the end of its commands:\n${out}`);
  return out.slice(a + 10, b);
}
