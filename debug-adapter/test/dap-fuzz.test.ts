/**
 * DAP framing fuzzer: connections to `osdev-emu dap --port` send garbage, bad and huge
 * Content-Lengths, headers split at random, bodies that are not JSON or not DAP, requests
 * with random arguments, and launches left behind without `disconnect`. Meanwhile one
 * real session must keep answering, the server must write no stack trace, and once every
 * connection has closed no machine worker may be left. Bounded in `npm test`;
 * `npm run fuzz:dap` (DAP_FUZZ_CASES, DAP_FUZZ_SEED) runs longer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { prng } from '../../emulator/devices/virtio/fuzz';
import { alive, idleThreads, DEMO, frame, startDapServer, threadCount, until } from './dap-server';

const CASES = Number(process.env.DAP_FUZZ_CASES ?? 150);
const SEED = Number(process.env.DAP_FUZZ_SEED ?? Date.now() % 1e9);


const COMMANDS = ['initialize', 'launch', 'setBreakpoints', 'readMemory', 'writeMemory', 'evaluate', 'disassemble', 'threads',
  'stackTrace', 'variables', 'continue', 'next', 'stepIn', 'pause', 'disconnect', 'osdev/devices', 'osdev/consoleInput', 'osdev/screenSize', 'nonsense'];

/** One connection's worth of bytes, and whether it launches a machine. */
function makeCase(r: () => number): Buffer[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(r() * 256)));
  const json = (): unknown => pick([null, 0, -1, 0.5, 1e300, '', 'x'.repeat(Math.floor(r() * 300)), [], {}, true, { a: [1, { b: null }] }]);
  const args = (): unknown => {
    const o: Record<string, unknown> = {};
    for (const k of ['program', 'memoryReference', 'count', 'offset', 'data', 'expression', 'threadId', 'source', 'breakpoints', 'text', 'stopOnEntry']) {
      if (r() < 0.4) o[k] = json();
    }
    return r() < 0.1 ? json() : o;
  };
  const request = () => ({ seq: Math.floor(r() * 100), type: pick(['request', 'request', 'response', 'event', 7]), command: pick(COMMANDS), arguments: args() });
  const parts: Buffer[] = [];
  const kind = Math.floor(r() * 9);
  switch (kind) {
    case 0: parts.push(bytes(1 + Math.floor(r() * 3000))); break;
    case 1: parts.push(Buffer.from(`Content-Length: ${pick(['-1', '', 'abc', '1e3', '0x10', ' 12 ', '99999999999999999999', String(2 ** 31), String((16 << 20) + 1)])}\r\n\r\n{}`)); break;
    case 2: parts.push(Buffer.from(`Content-Length: ${pick([16 << 20, 2 ** 31, 2 ** 40])}\r\n\r\n`), bytes(Math.floor(r() * 5000))); break;
    case 3: { const b = bytes(Math.floor(r() * 200)); parts.push(Buffer.from(`Content-Length: ${b.length}\r\n\r\n`), b); break; }
    case 4: { const b = Buffer.from(JSON.stringify(json())); parts.push(Buffer.from(`Content-Length: ${b.length}\r\n\r\n`), b); break; }
    case 5: parts.push(Buffer.from(`X-Other: 1\r\n${'A'.repeat(Math.floor(r() * 2000))}\r\n\r\n`)); break;
    case 6: case 7: for (let i = 0; i < 1 + r() * 5; i++) parts.push(frame(request())); break;
    default:
      // A real start, left behind without disconnect (half of them with the machine running).
      parts.push(frame({ seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'osdev', pathFormat: 'path' } }),
        frame({ seq: 2, type: 'request', command: 'launch', arguments: { program: DEMO, stopOnEntry: r() < 0.5 } }),
        frame({ seq: 3, type: 'request', command: 'configurationDone' }));
  }
  // Split everything at random points, headers included.
  const all = Buffer.concat(parts);
  const out: Buffer[] = [];
  for (let at = 0; at < all.length;) {
    const n = 1 + Math.floor(r() * (r() < 0.5 ? 8 : all.length));
    out.push(all.subarray(at, at + n));
    at += n;
  }
  return out;
}

async function send(port: number, chunks: Buffer[]): Promise<void> {
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => undefined);
  sock.resume();
  const closed = new Promise((r) => sock.once('close', r));
  await new Promise<void>((r) => { sock.once('connect', () => r()); sock.once('close', () => r()); });
  for (const c of chunks) {
    if (sock.destroyed) break;
    sock.write(c);
    await new Promise((r) => setImmediate(r));
  }
  sock.end();
  await closed;
}

test(`DAP framing fuzz: ${CASES} hostile connections (seed ${SEED}); another session goes on, nothing leaks`, async () => {
  const server = await startDapServer();
  try {
    const idle = await idleThreads(server);
    const dc = new DebugClient('node', '', 'osdev');
    dc.defaultTimeout = 60_000;
    await dc.start(server.port);
    const stopped = dc.waitForEvent('stopped');
    await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'fuzz', program: DEMO, stopOnEntry: true })]);
    await stopped;
    const r = prng(SEED);
    for (let i = 0; i < CASES; i++) {
      await send(server.port, makeCase(r));
      if (i % 25 === 24) assert.equal((await dc.threadsRequest()).body.threads.length, 1, `case ${i}: the other session answers`);
    }
    assert.ok(alive(server.adapterPid), 'the adapter is alive');
    assert.doesNotMatch(server.stderr(), /\n\s+at |internal error|TypeError|RangeError/, 'no stack trace on stderr');
    await dc.stop();
    // Every session has ended with its connection: the threads are back where they started.
    await until(() => threadCount(server.adapterPid) <= idle);
  } finally {
    await server.stop();
  }
});
