/**
 * The remote-port backend over real sockets (unix and loopback TCP) to the example peer
 * in its own process. Nothing here waits on host time to pass: only failure detection
 * is bounded by (small) timeouts.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startPeer } from '../test/peer-process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RemotePortBackend } from '../devices/passthrough/remote-port';
import { openRemotePortBackend, openRemotePortLink } from './remote-port-link';
import { parseRemotePortAddress } from '../devices/passthrough/remote-port';
import { parsePeerArgs } from './remote-port-peer';
import { FakeSlotContext } from '../devices/passthrough/test-context';

const WINDOW = { base: 0x8000_0000, size: 0x1000 };
const REG = { ID: 0x00, CMD: 0x04, SRC: 0x08, DST: 0x0c, LEN: 0x10, STATUS: 0x14 } as const;
const SYNC_QUANTUM = 1000;


const tempDirs: string[] = [];
after(() => { for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true }); });

function tempSocket(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-'));
  tempDirs.push(dir);
  return path.join(dir, 'peer.sock');
}

function connect(address: string, timeoutMs = 3000): { b: RemotePortBackend; ctx: FakeSlotContext } {
  const r = openRemotePortBackend(address, { dev: 7, syncQuantum: SYNC_QUANTUM, timeoutMs, connectTimeoutMs: 3000 });
  assert.ok(r.ok, r.ok ? '' : r.error);
  const ctx = new FakeSlotContext(WINDOW);
  r.value.attach(ctx);
  assert.equal(r.value.failure, null);
  return { b: r.value, ctx };
}

/** Advances the fake clock by one quantum and lets the backend sync, as the machine does between quanta. */
function quantum(b: RemotePortBackend, ctx: FakeSlotContext): void {
  ctx.clock += SYNC_QUANTUM;
  b.tick();
}

/** The guest's side of one copy: program the engine, start it, run until the interrupt, acknowledge. */
function copyJob(b: RemotePortBackend, ctx: FakeSlotContext, text: string): { status: number | null; out: string } {
  ctx.mem.set(new TextEncoder().encode(text), 0x100);
  assert.equal(b.write(REG.SRC, 4, WINDOW.base + 0x100, 0), true);
  assert.equal(b.write(REG.DST, 4, WINDOW.base + 0x800, 0), true);
  assert.equal(b.write(REG.LEN, 4, text.length, 0), true);
  assert.equal(b.write(REG.CMD, 4, 1, 0), true);
  assert.equal(ctx.irq, false, 'nothing happens before the next SYNC');
  quantum(b, ctx);
  assert.equal(ctx.irq, true, 'the job ran inside the SYNC');
  const status = b.read(REG.STATUS, 4);
  assert.equal(b.write(REG.STATUS, 4, 1, 0), true);
  assert.equal(ctx.irq, false, 'W1C of DONE lowers the line');
  const out = String.fromCharCode(...ctx.mem.subarray(0x800, 0x800 + text.length).map((x) => x ^ 0xff));
  return { status, out };
}

async function fullCommand(address: string): Promise<void> {
  const peer = await startPeer(address);
  const { b, ctx } = connect(peer.address);
  try {
    assert.equal(b.read(REG.ID, 4), 0x52504431);
    assert.deepEqual(copyJob(b, ctx, 'Hello, Remote-Port!'), { status: 1, out: 'Hello, Remote-Port!' });
    assert.deepEqual(copyJob(b, ctx, 'again'), { status: 1, out: 'again' });
    assert.deepEqual(ctx.irqChanges, [[1000, true], [1000, false], [2000, true], [2000, false]], 'interrupts at the same guest times');
    assert.equal(b.read(0x40, 4), null, 'an unmapped register is a decode error');
    assert.equal(b.failure, null);
  } finally {
    b.close();
    assert.equal(await peer.exited, 0, 'the peer ends with its connection');
  }
}

test('unix socket: a full DMA command against the example peer', async () => {
  await fullCommand(`unix:${tempSocket()}`);
});

test('loopback TCP: a full DMA command against the example peer', async () => {
  await fullCommand('tcp:127.0.0.1:0');
});

test('addresses: only unix sockets and loopback TCP; unreachable peers fail with the reason', () => {
  assert.deepEqual(parseRemotePortAddress('tcp:127.0.0.1:9000'), { ok: true, value: { kind: 'tcp', host: '127.0.0.1', port: 9000 } });
  assert.deepEqual(parseRemotePortAddress('unix:/tmp/x'), { ok: true, value: { kind: 'unix', path: '/tmp/x' } });
  const remote = openRemotePortLink('tcp:10.0.0.1:9000');
  assert.ok(!remote.ok && /only loopback \(127\.0\.0\.1\) is allowed/.test(remote.error));
  const bad = openRemotePortLink('serial:/dev/ttyS0');
  assert.ok(!bad.ok && /expected unix:PATH or tcp:127\.0\.0\.1:PORT/.test(bad.error));
  const missing = openRemotePortLink(`unix:${tempSocket()}`, { connectTimeoutMs: 3000 });
  assert.ok(!missing.ok && /cannot connect to unix:.*ENOENT/.test(missing.error), missing.ok ? '' : missing.error);
});

test('a peer killed mid-run leaves the backend lost, not hung', async () => {
  const peer = await startPeer(`unix:${tempSocket()}`);
  const { b, ctx } = connect(peer.address);
  assert.equal(b.read(REG.ID, 4), 0x52504431);
  peer.child.kill('SIGKILL');
  await peer.exited;
  assert.equal(b.read(REG.ID, 4), null);
  assert.match(b.failure ?? '', /^backend lost: peer closed the connection/);
  assert.ok(ctx.logs.includes(b.failure ?? ''));
  b.close();
});

test('--die-after: the peer drops the connection after N accesses', async () => {
  const peer = await startPeer('tcp:127.0.0.1:0', '--die-after', '2');
  const { b } = connect(peer.address);
  assert.equal(b.read(REG.ID, 4), 0x52504431);
  assert.equal(b.write(REG.LEN, 4, 3, 0), true);
  assert.equal(b.read(REG.LEN, 4), null);
  assert.match(b.failure ?? '', /^backend lost: peer closed the connection \(waiting for READ of 4 bytes at offset 0x10\)/);
  b.close();
  await peer.exited;
});

test('--malformed and --oversized answers are backend errors', async () => {
  for (const [flag, expected] of [
    ['--malformed', /^backend error: unknown command 1515870810$/],
    ['--oversized', /^backend error: oversized packet: length field 2147483647 \(command 3\)/],
  ] as const) {
    const peer = await startPeer(`unix:${tempSocket()}`, flag);
    const { b } = connect(peer.address);
    assert.equal(b.read(REG.ID, 4), null);
    assert.match(b.failure ?? '', expected);
    b.close();
    await peer.exited;
  }
});

test('--out-of-window: the peer DMA gets decode errors, the backend carries on', async () => {
  const peer = await startPeer(`unix:${tempSocket()}`, '--out-of-window');
  const { b, ctx } = connect(peer.address);
  const { status } = copyJob(b, ctx, 'abc');
  assert.equal(status, 3, 'DONE | ERR');
  assert.deepEqual([...ctx.mem.subarray(0x800, 0x803)], [0, 0, 0], 'nothing written');
  assert.ok(ctx.logs.some((l) => /DMA read of 3 bytes at 0x180000100: outside the DMA window/.test(l)), ctx.logs.join('\n'));
  assert.equal(b.failure, null);
  b.close();
  await peer.exited;
});

test('--silent: an unanswered access is bounded by the timeout', async () => {
  const peer = await startPeer(`unix:${tempSocket()}`, '--silent');
  const { b } = connect(peer.address, 200);
  assert.equal(b.read(REG.ID, 4), null);
  assert.equal(b.failure, 'backend lost: no answer to READ of 4 bytes at offset 0x0 within 200 ms');
  b.close();
  await peer.exited;
});

test('an open link does not keep the process alive', async () => {
  const peer = await startPeer(`unix:${tempSocket()}`);
  const link = path.join(__dirname, 'remote-port-link.js');
  // A process that connects and then simply ends its script, without close().
  const child = spawn(process.execPath, ['-e', `
    const r = require(${JSON.stringify(link)}).openRemotePortLink(${JSON.stringify(peer.address)});
    if (!r.ok) { console.error(r.error); process.exit(3); }
  `], { stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 0);
  await peer.exited;
});

test('peer flags parse, and bad ones say why', () => {
  assert.deepEqual(parsePeerArgs(['unix:/tmp/a', '--die-after', '3', '--silent']), { address: 'unix:/tmp/a', opts: { dieAfter: 3, silent: true } });
  assert.equal(parsePeerArgs(['unix:/tmp/a', '--die-after', 'x']), "--die-after needs a count, got 'x'");
  assert.equal(parsePeerArgs(['unix:/tmp/a', '--loud']), "unknown flag '--loud'");
  assert.match(parsePeerArgs([]) as string, /^usage: rp-peer/);
});
