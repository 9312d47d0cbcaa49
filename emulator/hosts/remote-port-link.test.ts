/**
 * The remote-port backend over real sockets (unix and loopback TCP) to the example peer
 * in its own process. Nothing here waits on host time to pass: only failure detection
 * is bounded by (small) timeouts.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Peer, startPeer } from '../test/peer-process';
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

/**
 * One round boundary as the machine runs it: the clock moves a quantum, the backend
 * posts what the peer sent on its own, the posted packets enter (the input queue's
 * part), and the backend syncs when its quantum is up.
 */
function quantum(b: RemotePortBackend, ctx: FakeSlotContext): void {
  ctx.clock += SYNC_QUANTUM;
  b.poll();
  for (const p of ctx.posted.splice(0)) b.deliver(p);
  b.tick();
}

/** Boundaries until the line rises: the peer starts the job on its own time, so how many is not fixed. */
function untilIrq(b: RemotePortBackend, ctx: FakeSlotContext): void {
  const give = Date.now() + 10_000;
  while (!ctx.irq && b.failure === null && Date.now() < give) quantum(b, ctx);
  assert.equal(ctx.irq, true, `no interrupt from the peer (${b.failure ?? 'no failure'})`);
}

/** The guest's side of one copy: program the engine, start it, run until the interrupt, acknowledge. */
function copyJob(b: RemotePortBackend, ctx: FakeSlotContext, text: string): { status: number | null; out: string } {
  ctx.mem.set(new TextEncoder().encode(text), 0x100);
  assert.equal(b.write(REG.SRC, 4, WINDOW.base + 0x100, 0), true);
  assert.equal(b.write(REG.DST, 4, WINDOW.base + 0x800, 0), true);
  assert.equal(b.write(REG.LEN, 4, text.length, 0), true);
  assert.equal(b.write(REG.CMD, 4, 1, 0), true);
  untilIrq(b, ctx);
  const status = b.read(REG.STATUS, 4);
  const at = ctx.clock;
  assert.equal(b.write(REG.STATUS, 4, 1, 0), true);
  // The peer sends the de-assert after its WRITE response: the SYNC behind the access brings it in before the access ends.
  assert.equal(ctx.irq, false, 'W1C of DONE lowers the line within the access');
  assert.deepEqual(ctx.irqChanges.at(-1), [at, false]);
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
    assert.deepEqual(ctx.irqChanges.map(([, level]) => level), [true, false, true, false]);
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
  const nowhere = openRemotePortLink('unix:/nonexistent-dir/peer.sock', { connectTimeoutMs: 3000 });
  assert.ok(!nowhere.ok && /cannot connect to unix:\/nonexistent-dir\/peer\.sock: cannot listen there either: listen E/.test(nowhere.error),
    nowhere.ok ? '' : nowhere.error);
  const lines: string[] = [];
  const sock = tempSocket();
  const lonely = openRemotePortLink(`unix:${sock}`, { listenTimeoutMs: 200, say: (l) => lines.push(l) });
  assert.ok(!lonely.ok && /no peer connected within 200 ms/.test(lonely.error), lonely.ok ? '' : lonely.error);
  assert.deepEqual(lines, [`nobody listens at unix:${sock}: listening on unix:${sock} for the peer (up to 200 ms)`]);
});

for (const transport of ['unix', 'tcp'] as const) {
  test(`${transport}: nobody listens, so we listen; the peer connects and a DMA command runs`, async () => {
    const address = transport === 'unix' ? `unix:${tempSocket()}` : 'tcp:127.0.0.1:0';
    const lines: string[] = [];
    let peer: Promise<Peer> | undefined;
    const r = openRemotePortBackend(address, {
      dev: 7, syncQuantum: SYNC_QUANTUM, timeoutMs: 3000, listenTimeoutMs: 10_000,
      say: (line) => {
        lines.push(line);
        // Called while the open blocks, once we listen: the peer starts now and connects to us.
        const m = /listening on (\S+) for the peer/.exec(line);
        if (m !== null) peer = startPeer(m[1]);
      },
    });
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.ok(peer !== undefined);
    const p = await peer;
    assert.match(lines[0], /^nobody listens at /);
    assert.equal(lines[1], `the peer connected on ${p.address}`);
    const ctx = new FakeSlotContext(WINDOW);
    const b = r.value;
    b.attach(ctx);
    assert.equal(b.read(REG.ID, 4), 0x52504431);
    assert.deepEqual(copyJob(b, ctx, 'listened'), { status: 1, out: 'listened' });
    b.close();
    assert.equal(await p.exited, 0);
    assert.equal(p.role, 'connected');
  });
}

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
  // The peer answers the WRITE, then drops the connection: the SYNC that goes with every access is never answered.
  assert.equal(b.write(REG.LEN, 4, 3, 0), false);
  assert.match(b.failure ?? '', /^backend lost: peer closed the connection \(waiting for the SYNC after the WRITE of 4 bytes at offset 0x10\)/);
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
