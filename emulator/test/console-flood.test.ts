/**
 * Floods and slow peers on the console: a guest that never reads its input makes the CLI
 * stop reading stdin or the --serial socket (the writer sees backpressure, memory stays
 * bounded, --timeout is honoured); a --serial client that does not read holds the machine
 * and then gets every byte. The guests are four instructions of raw code.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI } from './cli-session';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-flood-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function raw(name: string, words: number[]): string {
  const file = path.join(tmp, name);
  const b = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => b.writeUInt32LE(w >>> 0, i * 4));
  fs.writeFileSync(file, b);
  return file;
}
/** `1: j 1b`: runs forever, reads nothing. */
const SPIN = raw('spin.bin', [0x0000006f]);
/** `lui a0,0x10000; li a1,'x'; 1: sb a1,0(a0); j 1b`: prints x forever. */
const PRINT = raw('print.bin', [0x10000537, 0x07800593, 0x00b50023, 0xffdff06f]);

/** Writes zeros into `sink` while it takes them; resolves with the byte count once `done` settles. */
function flood(sink: NodeJS.WritableStream, done: Promise<unknown>): Promise<number> {
  let written = 0, over = false;
  const chunk = Buffer.alloc(1 << 20);
  const pump = () => {
    while (!over && sink.write(chunk)) written += chunk.length;
    if (!over) { written += chunk.length; sink.once('drain', pump); }
  };
  sink.on('error', () => undefined);
  pump();
  return done.then(() => { over = true; return written; });
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function connect(port: number): Promise<net.Socket> {
  for (;;) {
    const s = await new Promise<net.Socket | undefined>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => resolve(c));
      c.on('error', () => resolve(undefined));
    });
    if (s !== undefined) return s;
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('stdin flooding a guest that never reads: the CLI stops reading and --timeout ends the run', async () => {
  const child = spawn(process.execPath, [CLI, 'run', SPIN, '--bios', 'none', '--timeout', '1'], { stdio: ['pipe', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const written = await flood(child.stdin, exited);
  assert.equal(await exited, 124);
  // Without backpressure the CLI reads hundreds of MB a second; with it, the queue's 64 KiB, one chunk and the pipe.
  assert.ok(written < 8 << 20, `the CLI took ${written} bytes`);
});

test('a --serial client flooding a guest that never reads: the socket is paused', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'run', SPIN, '--bios', 'none', '--timeout', '1', '--serial', `tcp:127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const sock = await connect(port);
  sock.resume();
  const written = await flood(sock, exited);
  sock.destroy();
  assert.equal(await exited, 124);
  assert.ok(written < 32 << 20, `the CLI took ${written} bytes`);
});

test('a --serial client that does not read holds the machine; when it reads, every byte arrives', async () => {
  const port = await freePort();
  const insns = 4_000_000;
  const child = spawn(process.execPath, [CLI, 'run', PRINT, '--bios', 'none', '--max-insns', String(insns), '--stats', '--serial', `tcp:127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const sock = await connect(port);
  sock.pause();
  let stopped = false;
  void exited.then(() => { stopped = true; });
  // Not reading for a while: the guest makes no progress the client could miss.
  await new Promise((r) => setTimeout(r, 500));
  let got = 0, other = 0;
  sock.on('data', (d: Buffer) => { got += d.length; for (const b of d) if (b !== 0x78) other++; });
  const closed = new Promise((r) => sock.on('close', r));
  sock.resume();
  assert.equal(await exited, 124, 'the instruction budget ends the run');
  await closed;
  assert.ok(stopped);
  assert.equal(other, 0);
  // One byte per sb: after the reset vector's 6 instructions, lui and li, every other instruction retired.
  const retired = Number(/(\d+) instructions in/.exec(stderr)?.[1]);
  assert.ok(retired >= insns, stderr);
  assert.equal(got, Math.ceil((retired - 8) / 2));
});
