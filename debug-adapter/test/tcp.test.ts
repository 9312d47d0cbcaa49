/**
 * `osdev-emu dap --port N`: the CLI serves the same adapter on 127.0.0.1:N, and a
 * DebugClient drives a session over TCP. The test waits for the server's "listening"
 * line, never for time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'out/emulator/hosts/cli.js');
const DEMO = path.join(ROOT, 'demo/hello.elf');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

test('osdev-emu dap --port serves a debug session on loopback', async () => {
  const port = await freePort();
  const server = spawn(process.execPath, [CLI, 'dap', '--port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    await new Promise<void>((resolve, reject) => {
      let err = '';
      server.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('listening on 127.0.0.1:')) resolve();
      });
      server.once('exit', (code) => reject(new Error(`the adapter exited (${code}): ${err}`)));
    });
    const dc = new DebugClient('node', '', 'osdev');
    dc.defaultTimeout = 60_000;
    await dc.start(port);
    try {
      const stopped = dc.waitForEvent('stopped');
      await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'tcp', program: DEMO, stopOnEntry: true })]);
      assert.equal((await stopped).body.reason, 'entry');
      const threads = await dc.threadsRequest();
      assert.equal(threads.body.threads.length, 1);
    } finally {
      await dc.stop();
    }
  } finally {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill();
    await exited;
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
