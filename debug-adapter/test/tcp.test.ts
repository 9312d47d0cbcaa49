/**
 * `osdev-emu dap --port N`: the CLI serves the same adapter on 127.0.0.1:N, and a
 * DebugClient drives a session over TCP. The test waits for the server's "listening"
 * line, never for time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import * as path from 'node:path';
import { alive, idleThreads, CLI, DEMO, frame, ROOT, startDapServer, threadCount, until } from './dap-server';

/** Polls the UART for a line forever: a guest that never powers off. */
const WAITS_FOR_INPUT = path.join(ROOT, 'emulator/test/guests/build/rv64/uart-rx.elf');

async function launchedClient(port: number, program = DEMO): Promise<DebugClient> {
  const dc = new DebugClient('node', '', 'osdev');
  dc.defaultTimeout = 60_000;
  await dc.start(port);
  const stopped = dc.waitForEvent('stopped');
  await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'tcp', program, stopOnEntry: true })]);
  assert.equal((await stopped).body.reason, 'entry');
  return dc;
}

test('osdev-emu dap --port serves a debug session on loopback', async () => {
  const server = await startDapServer();
  try {
    const dc = await launchedClient(server.port);
    try {
      const threads = await dc.threadsRequest();
      assert.equal(threads.body.threads.length, 1);
    } finally {
      await dc.stop();
    }
  } finally {
    await server.stop();
  }
});

test('a client that goes away without disconnect ends its session and machine worker', async () => {
  const server = await startDapServer();
  try {
    const idle = await idleThreads(server);
    const running = await launchedClient(server.port, WAITS_FOR_INPUT);
    await running.continueRequest({ threadId: 1 });
    const stopped = await launchedClient(server.port);
    assert.ok(threadCount(server.adapterPid) >= idle + 2, 'each session runs its machine in a worker thread');
    // Both vanish: no disconnect request, the sockets just close.
    await Promise.all([running.stop(), stopped.stop()]);
    await until(() => threadCount(server.adapterPid) <= idle);
    // The server still serves.
    const again = await launchedClient(server.port);
    await again.stop();
  } finally {
    await server.stop();
  }
});

test('kill -9 of osdev-emu dap ends its adapter child too', async () => {
  const server = await startDapServer();
  server.cli.kill('SIGKILL');
  await until(() => !alive(server.adapterPid));
  await server.stop();
});

test('a message over the size limit closes that connection only; another session goes on', async () => {
  const server = await startDapServer();
  try {
    const dc = await launchedClient(server.port);
    try {
      const bad = net.connect(server.port, '127.0.0.1');
      const closed = new Promise<void>((resolve) => bad.once('close', () => resolve()));
      bad.on('error', () => undefined);
      bad.resume(); // read, or the close is never seen
      bad.write(frame({ seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'osdev' } }));
      bad.write('Content-Length: 2147483648\r\n\r\n{"seq":2,');
      await closed;
      assert.match(server.stderr(), /a Content-Length of 2147483648 bytes, more than the limit of 16777216; closing the connection/);
      const threads = await dc.threadsRequest();
      assert.equal(threads.body.threads.length, 1);
    } finally {
      await dc.stop();
    }
  } finally {
    await server.stop();
  }
});

test('osdev/consoleInput is refused in words while the guest leaves 64 KiB unread', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-tcp-'));
  const server = await startDapServer();
  try {
    const spin = path.join(tmp, 'spin.bin');
    fs.writeFileSync(spin, Buffer.from([0x6f, 0, 0, 0])); // 1: j 1b — never reads the UART
    const dc = await launchedClient(server.port, spin);
    try {
      const text = 'y'.repeat(40_000);
      await dc.customRequest('osdev/consoleInput', { text });
      await dc.customRequest('osdev/consoleInput', { text });
      await assert.rejects(dc.customRequest('osdev/consoleInput', { text }), /console input is full: the guest has left 64 KiB unread/);
      const threads = await dc.threadsRequest();
      assert.equal(threads.body.threads.length, 1);
    } finally {
      await dc.stop();
    }
  } finally {
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('osdev-emu dap refuses a bad port with exit status 2', async () => {
  const child = spawn(process.execPath, [CLI, 'dap', '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 2);
  assert.match(err, /--port must be between 1 and 65535, got 0/);
});
