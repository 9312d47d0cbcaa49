/**
 * `osdev-emu dap --port N` for tests, the fuzzer and the soak: started, waited for (its
 * "listening" line, never a delay), and the adapter child it runs found through /proc.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';

export const ROOT = path.resolve(__dirname, '../../..');
export const CLI = path.join(ROOT, 'out/emulator/hosts/cli.js');
export const DEMO = path.join(ROOT, 'demo/hello.elf');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface DapServer {
  readonly port: number;
  readonly cli: ChildProcess;
  /** The adapter process `osdev-emu dap` started. */
  readonly adapterPid: number;
  /** What the server wrote to stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

/** The children of a process (Linux: /proc/PID/task/PID/children). */
export function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter((s) => s !== '').map(Number);
  } catch { return []; }
}

/** A process's thread count, or 0 when it is gone. */
export function threadCount(pid: number): number {
  try { return fs.readdirSync(`/proc/${pid}/task`).length; } catch { return 0; }
}

export const alive = (pid: number): boolean => fs.existsSync(`/proc/${pid}`);

/**
 * The adapter's thread count with no session, measured after one session has come and
 * gone: Node starts libuv's thread pool at the first asynchronous file read (the adapter
 * reads the ELF that way) and keeps it, so a count taken before any session is too low.
 */
export async function idleThreads(server: DapServer): Promise<number> {
  const dc = new DebugClient('node', '', 'osdev');
  dc.defaultTimeout = 60_000;
  await dc.start(server.port);
  const stopped = dc.waitForEvent('stopped');
  await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'warm-up', program: DEMO, stopOnEntry: true })]);
  await stopped;
  const during = threadCount(server.adapterPid);
  await dc.disconnectRequest({});
  await dc.stop();
  await until(() => threadCount(server.adapterPid) < during); // its machine worker has ended
  return threadCount(server.adapterPid);
}

/** Poll (every 20 ms) until `ok()`; the test's own timeout bounds the wait. */
export async function until(ok: () => boolean): Promise<void> {
  while (!ok()) await new Promise((r) => setTimeout(r, 20));
}

export async function startDapServer(): Promise<DapServer> {
  const port = await freePort();
  const cli = spawn(process.execPath, [CLI, 'dap', '--port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  await new Promise<void>((resolve, reject) => {
    cli.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('listening on 127.0.0.1:')) resolve();
    });
    cli.once('exit', (code) => reject(new Error(`the adapter exited (${code}): ${err}`)));
  });
  const [adapterPid] = childrenOf(cli.pid as number);
  if (adapterPid === undefined) throw new Error('osdev-emu dap runs no adapter child');
  return {
    port, cli, adapterPid,
    stderr: () => err,
    stop: async () => {
      if (cli.exitCode === null && cli.signalCode === null) {
        const exited = new Promise((resolve) => cli.once('exit', resolve));
        cli.kill();
        await exited;
      }
      await until(() => !alive(adapterPid));
    },
  };
}

/** One DAP message, framed. */
export function frame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message));
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
}
