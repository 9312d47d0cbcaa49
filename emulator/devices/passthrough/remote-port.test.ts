/**
 * RemotePortBackend against a scripted peer behind an in-process channel. The real
 * transport (sockets, the I/O thread) is tested in emulator/hosts/remote-port-link.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PACKETS_PER_WAIT, RemotePortBackend, RemotePortChannel } from './remote-port';
import { BusPacket, BusStatus, busStatus, encodePacket, Framer, Packet, PktFlag, withStatus } from './remote-port-proto';
import { FakeSlotContext } from './test-context';

const WINDOW = { base: 0x8000_0000, size: 0x100 };


/** The peer's side of the channel: it answers each packet we send synchronously through `script`. */
class ScriptedPeer implements RemotePortChannel {
  readonly got: Packet[] = [];
  private readonly framer = new Framer();
  private readonly out: Uint8Array[] = [];
  peerClosed = false;
  closedByUs = false;
  receives = 0;
  constructor(private readonly script: (p: Packet, peer: ScriptedPeer) => void) {}
  send(bytes: Uint8Array): void {
    this.framer.push(bytes);
    for (let r = this.framer.next(); r !== null; r = this.framer.next()) {
      assert.ok(r.ok, 'the backend sent a malformed packet');
      this.got.push(r.value);
      this.script(r.value, this);
    }
  }
  reply(p: Packet): void { this.out.push(encodePacket(p)); }
  raw(bytes: Uint8Array): void { this.out.push(bytes); }
  receive(_timeoutMs: number): Uint8Array | 'timeout' | 'closed' {
    this.receives++;
    const c = this.out.shift();
    if (c !== undefined) return c;
    return this.peerClosed ? 'closed' : 'timeout';
  }
  close(): void { this.closedByUs = true; }
}

const hello = (p: Packet, peer: ScriptedPeer, major = 4): boolean => {
  if (p.cmd !== 'hello') return false;
  peer.reply({ cmd: 'hello', id: 0, flags: 0, dev: p.dev, major, minor: 3, caps: [] });
  return true;
};

const answer = (p: BusPacket, status: number, data = new Uint8Array(0)): BusPacket => ({
  ...p, flags: PktFlag.RESPONSE, attributes: withStatus(p.attributes, status), data,
});

const dmaReq = (cmd: 'read' | 'write', id: number, addr: number, len: number, data = new Uint8Array(0)): BusPacket => ({
  cmd, id, flags: 0, dev: 9, timestamp: 0n, attributes: 0, addr: BigInt(addr), len, width: 0, streamWidth: len, masterId: 0, data,
});

/** A register file peer: 8 bytes at offsets 0..0xff, offset 0xf0 answers decode error, 0xf8 bus error. */
function registerPeer(extra?: (p: Packet, peer: ScriptedPeer) => boolean): ScriptedPeer {
  const regs = new Uint8Array(0x100);
  return new ScriptedPeer((p, peer) => {
    if (hello(p, peer) || extra?.(p, peer)) return;
    if (p.cmd === 'sync' && (p.flags & PktFlag.RESPONSE) === 0) { peer.reply({ ...p, flags: PktFlag.RESPONSE }); return; }
    if ((p.cmd !== 'read' && p.cmd !== 'write') || (p.flags & PktFlag.RESPONSE) !== 0) return;
    const off = Number(p.addr & 0xffn); // the low address bits decode, as a device on a bus does
    if (off === 0xf0 || off === 0xf8) {
      peer.reply(answer(p, off === 0xf0 ? BusStatus.DECODE_ERROR : BusStatus.BUS_ERROR, p.cmd === 'read' ? new Uint8Array(p.len) : undefined));
    } else if (p.cmd === 'read') {
      peer.reply(answer(p, BusStatus.OK, regs.slice(off, off + p.len)));
    } else {
      regs.set(p.data, off);
      peer.reply(answer(p, BusStatus.OK));
    }
  });
}

function attached(peer: ScriptedPeer, opts: { syncQuantum?: number; addresses?: 'absolute' | 'relative' } = {}): { b: RemotePortBackend; ctx: FakeSlotContext } {
  const ctx = new FakeSlotContext(WINDOW);
  const b = new RemotePortBackend(peer, { dev: 3, syncQuantum: opts.syncQuantum ?? 1000, timeoutMs: 50, addresses: opts.addresses });
  b.attach(ctx);
  return { b, ctx };
}

test('HELLO, then guest writes and reads of every size travel as WRITE/READ with our device id, width 0, each followed by a SYNC', () => {
  const peer = registerPeer();
  const { b, ctx } = attached(peer);
  assert.equal(b.failure, null);
  assert.equal(b.kind, 'remote-port');
  assert.deepEqual(peer.got[0], { cmd: 'hello', id: 1, flags: 0, dev: 3, major: 4, minor: 3, caps: [] });
  ctx.clock = 7;
  assert.equal(b.write(0x10, 4, 0x12345678, 0), true);
  const w = peer.got[1];
  assert.ok(w.cmd === 'write');
  // Absolute address (the window's guest-physical base + offset), width 0, streaming width = length: as Xilinx QEMU's memory master.
  assert.deepEqual([w.dev, w.addr, w.len, w.width, w.streamWidth, w.timestamp, [...w.data]],
    [3, 0x400_0010n, 4, 0, 4, 70n, [0x78, 0x56, 0x34, 0x12]]);
  const s = peer.got[2];
  assert.ok(s.cmd === 'sync' && s.timestamp === 70n && (s.flags & PktFlag.RESPONSE) === 0, 'a SYNC goes with every access');
  assert.equal(b.read(0x10, 4), 0x12345678);
  assert.equal(b.read(0x11, 1), 0x56);
  assert.equal(b.read(0x10, 2), 0x5678);
  assert.equal(b.write(0x20, 8, 0xaabbccdd, 0x11223344), true);
  assert.equal(b.read(0x20, 8), 0xaabbccdd);
  assert.equal(b.hi, 0x11223344);
  assert.equal(b.peek(), undefined);
  const ids = peer.got.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'request ids are unique');
  assert.ok(peer.got.every((p) => (p.cmd !== 'read' && p.cmd !== 'write') || p.width === 0));
});

test('addresses=relative sends the offset in the slot', () => {
  const peer = registerPeer();
  const { b } = attached(peer, { addresses: 'relative' });
  assert.equal(b.write(0x10, 4, 1, 0), true);
  const w = peer.got.find((p) => p.cmd === 'write');
  assert.ok(w?.cmd === 'write' && w.addr === 0x10n);
});

test('decode and bus error responses fail the access, not the backend', () => {
  const { b, ctx } = attached(registerPeer());
  assert.equal(b.read(0xf0, 4), null);
  assert.equal(b.write(0xf8, 4, 1, 0), false);
  assert.equal(b.failure, null);
  assert.deepEqual(ctx.logs, [
    'READ of 4 bytes at offset 0xf0: peer answered decode error',
    'WRITE of 4 bytes at offset 0xf8: peer answered bus error',
  ]);
  assert.equal(b.read(0, 4), 0);
});

test('a peer of another major version is refused with both versions named', () => {
  const peer = new ScriptedPeer((p, pr) => { hello(p, pr, 5); });
  const { b, ctx } = attached(peer);
  assert.equal(b.failure, 'backend error: peer speaks Remote-Port 5.3, we speak 4.3');
  assert.equal(ctx.logs[0], b.failure);
  assert.ok(peer.closedByUs);
  assert.equal(b.read(0, 4), null, 'no access after failure');
  assert.equal(peer.got.length, 1);
});

test('while waiting for a response the backend serves the peer: interrupts, DMA in and out of the window, SYNC', () => {
  const peer = registerPeer((p, pr) => {
    if (p.cmd !== 'read' || (p.flags & PktFlag.RESPONSE) !== 0 || (p.addr & 0xffn) !== 0x40n) return false;
    pr.reply({ cmd: 'interrupt', id: 50, flags: 0, dev: 9, timestamp: 0n, vector: 0n, line: 0, val: 1 });
    pr.reply(dmaReq('write', 51, WINDOW.base + 4, 3, Uint8Array.from([1, 2, 3])));
    pr.reply(dmaReq('read', 52, WINDOW.base + 4, 3));
    pr.reply(dmaReq('read', 53, WINDOW.base + WINDOW.size - 2, 4));
    pr.reply(dmaReq('write', 54, 0x1000, 1, Uint8Array.from([9])));
    pr.reply({ cmd: 'sync', id: 55, flags: 0, dev: 9, timestamp: 0n });
    pr.reply({ cmd: 'interrupt', id: 56, flags: 0, dev: 9, timestamp: 0n, vector: 0n, line: 3, val: 1 });
    pr.reply(answer(p, BusStatus.OK, Uint8Array.from([0xef, 0xbe, 0xad, 0xde])));
    return true;
  });
  const { b, ctx } = attached(peer);
  ctx.clock = 5;
  assert.equal(b.read(0x40, 4), 0xdeadbeef);
  assert.equal(b.failure, null);
  assert.equal(ctx.irq, true);
  assert.deepEqual([...ctx.mem.subarray(4, 7)], [1, 2, 3]);
  const responses = peer.got.filter((p) => (p.flags & PktFlag.RESPONSE) !== 0);
  const byId = new Map(responses.map((p) => [p.id, p]));
  const w51 = byId.get(51), r52 = byId.get(52), r53 = byId.get(53), w54 = byId.get(54), s55 = byId.get(55);
  assert.ok(w51?.cmd === 'write' && busStatus(w51.attributes) === BusStatus.OK);
  assert.ok(r52?.cmd === 'read' && busStatus(r52.attributes) === BusStatus.OK);
  assert.deepEqual([...r52.data], [1, 2, 3]);
  assert.ok(r53?.cmd === 'read' && busStatus(r53.attributes) === BusStatus.DECODE_ERROR, 'read crossing the window end');
  assert.equal(r53.data.length, 4);
  assert.ok(w54?.cmd === 'write' && busStatus(w54.attributes) === BusStatus.DECODE_ERROR);
  assert.ok(s55?.cmd === 'sync' && s55.timestamp === 50n);
  assert.equal(responses.some((p) => p.id === 50 || p.id === 56), false, 'interrupts are posted: no response');
  assert.ok(ctx.logs.includes('peer drove interrupt line 3; only line 0 is wired'));
  assert.ok(ctx.logs.some((l) => /DMA read of 4 bytes at 0x800000fe: outside the DMA window/.test(l)));
});

test('tick sends SYNC once per quantum and handles what the peer does before answering it', () => {
  let syncs = 0;
  const peer = registerPeer((p, pr) => {
    if (p.cmd === 'sync' && (p.flags & PktFlag.RESPONSE) === 0) {
      syncs++;
      if (syncs === 2) pr.reply({ cmd: 'interrupt', id: 70, flags: 0, dev: 9, timestamp: 0n, vector: 0n, line: 0, val: 1 });
      pr.reply({ ...p, flags: PktFlag.RESPONSE });
      return true;
    }
    return false;
  });
  const { b, ctx } = attached(peer, { syncQuantum: 1000 });
  ctx.clock = 999; b.tick();
  assert.equal(syncs, 0);
  ctx.clock = 1000; b.tick();
  assert.equal(syncs, 1);
  assert.equal(ctx.irq, false);
  ctx.clock = 1500; b.tick();
  assert.equal(syncs, 1);
  ctx.clock = 2000; b.tick();
  assert.equal(syncs, 2);
  assert.equal(ctx.irq, true);
  const sent = peer.got.filter((p) => p.cmd === 'sync');
  assert.deepEqual(sent.map((p) => p.cmd === 'sync' && p.timestamp), [10000n, 20000n]);
  assert.equal(b.failure, null);
});

test('silence and a closed connection make the backend lost, bounded by the timeout', () => {
  const silent = registerPeer((p) => p.cmd === 'read');
  const a = attached(silent);
  assert.equal(a.b.read(0, 4), null);
  assert.equal(a.b.failure, 'backend lost: no answer to READ of 4 bytes at offset 0x0 within 50 ms');
  assert.ok(silent.closedByUs);

  const gone = registerPeer((p, pr) => { if (p.cmd === 'write') { pr.peerClosed = true; return true; } return false; });
  const c = attached(gone);
  assert.equal(c.b.write(4, 4, 1, 0), false);
  assert.equal(c.b.failure, 'backend lost: peer closed the connection (waiting for WRITE of 4 bytes at offset 0x4)');
  const before = gone.receives;
  c.b.tick();
  assert.equal(c.b.read(0, 4), null);
  assert.equal(gone.receives, before, 'a failed backend never waits again');

  const mute = new ScriptedPeer(() => undefined);
  const d = attached(mute);
  assert.equal(d.b.failure, 'backend lost: no answer to HELLO within 50 ms');
});

test('garbage, oversized, stray and endless packets are backend errors', () => {
  const cases: [(p: Packet, pr: ScriptedPeer) => void, RegExp][] = [
    [(_p, pr) => pr.raw(Uint8Array.from({ length: 24 }, (_, i) => (i * 37) & 0xff)), /^backend error: (unknown command|oversized)/],
    // cmd 3 | length 0x7fffffff | id 1 | flags 0 | dev 0
    [(_p, pr) => pr.raw(Uint8Array.from([0, 0, 0, 3, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0])), /^backend error: oversized packet: length field 2147483647/],
    [(p, pr) => pr.reply({ cmd: 'sync', id: p.id + 100, flags: PktFlag.RESPONSE, dev: 0, timestamp: 0n }), /^backend error: unexpected SYNC response \(id \d+\)/],
    [(_p, pr) => pr.reply({ cmd: 'hello', id: 0, flags: 0, dev: 0, major: 4, minor: 3, caps: [] }), /^backend error: second HELLO/],
    [(p, pr) => { if (p.cmd === 'read') pr.reply({ ...answer(p, BusStatus.OK, new Uint8Array(2)), len: 2 }); }, /^backend error: READ response with 2 data bytes for a 4-byte read/],
  ];
  for (const [misbehave, expected] of cases) {
    const peer = registerPeer((p, pr) => { if (p.cmd === 'read') { misbehave(p, pr); return true; } return false; });
    const { b, ctx } = attached(peer);
    assert.equal(b.read(0, 4), null);
    assert.match(b.failure ?? '', expected);
    assert.ok(ctx.logs.includes(b.failure ?? ''));
  }

  // A peer that chatters forever without answering is cut off after MAX_PACKETS_PER_WAIT packets.
  const nop = encodePacket({ cmd: 'nop', id: 0, flags: 0, dev: 0 });
  let chatter = false;
  const peer = registerPeer((p) => { if (p.cmd === 'read') { chatter = true; return true; } return false; });
  const base = peer.receive.bind(peer);
  peer.receive = (t) => (chatter ? nop : base(t));
  const { b } = attached(peer);
  assert.equal(b.read(0, 4), null);
  assert.equal(b.failure, `backend error: peer sent ${MAX_PACKETS_PER_WAIT} packets without answering READ of 4 bytes at offset 0x0`);
});

test('before the session is up, anything but HELLO is an error', () => {
  const peer = new ScriptedPeer((_p, pr) => pr.reply({ cmd: 'sync', id: 1, flags: 0, dev: 0, timestamp: 0n }));
  const { b } = attached(peer);
  assert.equal(b.failure, 'backend error: expected HELLO, got SYNC (id 1)');
});

test('close releases the channel and later calls do nothing', () => {
  const peer = registerPeer();
  const { b } = attached(peer);
  b.close();
  assert.ok(peer.closedByUs);
  const n = peer.got.length;
  assert.equal(b.read(0, 4), null);
  b.tick();
  assert.equal(peer.got.length, n);
});

test('between accesses, what the peer sends on its own is posted to the input queue and enters through deliver', () => {
  const peer = registerPeer();
  const { b, ctx } = attached(peer);
  peer.reply({ cmd: 'interrupt', id: 80, flags: 0, dev: 9, timestamp: 0n, vector: 0n, line: 0, val: 1 });
  peer.reply(dmaReq('write', 81, WINDOW.base, 2, Uint8Array.from([7, 8])));
  peer.reply({ cmd: 'nop', id: 82, flags: 0, dev: 9 });
  b.poll();
  assert.equal(ctx.irq, false, 'nothing enters before the input queue hands it back');
  assert.deepEqual([...ctx.mem.subarray(0, 2)], [0, 0]);
  assert.equal(ctx.posted.length, 2, 'the NOP is dropped');
  for (const p of ctx.posted.splice(0)) b.deliver(p);
  assert.equal(ctx.irq, true);
  assert.deepEqual([...ctx.mem.subarray(0, 2)], [7, 8]);
  const w = peer.got.find((p) => p.id === 81);
  assert.ok(w?.cmd === 'write' && (w.flags & PktFlag.RESPONSE) !== 0 && busStatus(w.attributes) === BusStatus.OK);
  assert.deepEqual(ctx.enteredInWait, []);
  assert.equal(b.failure, null);
});

test('a de-assert sent right after a WRITE response is taken inside that access, and recorded with its wait, as is the answer', () => {
  const peer = registerPeer((p, pr) => {
    if (p.cmd !== 'write' || (p.flags & PktFlag.RESPONSE) !== 0) return false;
    pr.reply(answer(p, BusStatus.OK));
    pr.reply({ cmd: 'interrupt', id: 90, flags: 0, dev: 9, timestamp: 0n, vector: 0n, line: 0, val: 0 });
    return true;
  });
  const { b, ctx } = attached(peer);
  ctx.irq = true;
  ctx.clock = 300;
  assert.equal(b.write(0x14, 4, 1, 0), true);
  assert.equal(ctx.irq, false, 'low before the guest runs its next instruction');
  assert.deepEqual(ctx.irqChanges, [[300, false]]);
  // The de-assert, then the WRITE's answer: both outside input of the first wait after HELLO.
  assert.deepEqual(ctx.enteredInWait.map(([w, bytes]) => [w, bytes[0]]), [[1, encodePacket({ cmd: 'interrupt', id: 90, flags: 0, dev: 9, timestamp: 0n, vector: 0n, line: 0, val: 0 })[0]], [1, encodePacket(answer(dmaReq('write', 2, 0, 4), BusStatus.OK))[0]]]);
  assert.deepEqual(ctx.posted, []);
});

test('a refused streaming READ from the peer is answered with len bytes and bus error', () => {
  const peer = registerPeer();
  const { b, ctx } = attached(peer);
  peer.reply({ ...dmaReq('read', 95, WINDOW.base, 8), streamWidth: 4 });
  b.poll();
  for (const p of ctx.posted.splice(0)) b.deliver(p);
  const r = peer.got.find((p) => p.id === 95);
  assert.ok(r?.cmd === 'read' && busStatus(r.attributes) === BusStatus.BUS_ERROR);
  assert.equal(r.len, 8);
  assert.deepEqual([...r.data], [0, 0, 0, 0, 0, 0, 0, 0]);
});

test('replaying: the logged packets enter at their places, each once its twin from the live peer has come', () => {
  // The live peer raises the line on its own and lowers it in answer to a write; the log says the same.
  const raise = { cmd: 'interrupt' as const, id: 60, flags: 0, dev: 9, timestamp: 0n, vector: 0n, line: 0, val: 1 };
  const lower = { ...raise, id: 61, val: 0 };
  const peer = registerPeer((p, pr) => {
    if (p.cmd !== 'write' || (p.flags & PktFlag.RESPONSE) !== 0) return false;
    pr.reply(lower);
    pr.reply(answer(p, BusStatus.OK));
    return true;
  });
  const ctx = new FakeSlotContext(WINDOW);
  ctx.replayLog = new Map([[1, [encodePacket(lower)]]]);
  const b = new RemotePortBackend(peer, { dev: 3, timeoutMs: 50 });
  b.attach(ctx);
  peer.reply(raise);
  b.poll();
  assert.deepEqual(ctx.posted, [], 'replaying, live packets are not posted');
  assert.equal(ctx.irq, false);
  b.deliver(encodePacket(raise)); // the log's boundary event
  assert.equal(ctx.irq, true);
  assert.equal(b.write(0x14, 4, 1, 0), true);
  assert.equal(ctx.irq, false, 'the logged de-assert of wait 1 entered inside it');
  assert.equal(b.failure, null);

  // A logged packet whose twin never comes: the peer no longer behaves as recorded.
  b.deliver(encodePacket({ ...raise, id: 99 }));
  assert.equal(b.failure, 'backend lost: replaying: the peer did not send INTERRUPT (id 99) within 50 ms, as it did in the recorded run');
});

test('without its peer, a replay takes each access\'s recorded answer and what came with it: same values, DMA and interrupts; nothing is sent', () => {
  // Live: a register peer that raises its line and writes by DMA while it answers a READ at 0x40, and lowers it after a WRITE.
  const peer = registerPeer((p, pr) => {
    if ((p.flags & PktFlag.RESPONSE) !== 0 || (p.cmd !== 'read' && p.cmd !== 'write')) return false;
    const off = Number(p.addr & 0xffn);
    if (p.cmd === 'read' && off === 0x40) {
      pr.reply({ cmd: 'interrupt', id: 50, flags: 0, dev: 9, timestamp: 0n, vector: 0n, line: 0, val: 1 });
      pr.reply(dmaReq('write', 51, WINDOW.base + 4, 3, Uint8Array.from([1, 2, 3])));
      pr.reply(answer(p as BusPacket, BusStatus.OK, Uint8Array.from([0xef, 0xbe, 0xad, 0xde])));
      return true;
    }
    if (p.cmd === 'write' && off === 0x14) {
      pr.reply(answer(p as BusPacket, BusStatus.OK));
      pr.reply({ cmd: 'interrupt', id: 60, flags: 0, dev: 9, timestamp: 0n, vector: 0n, line: 0, val: 0 });
      return true;
    }
    return false;
  });
  const run = (b: RemotePortBackend, ctx: FakeSlotContext): unknown[] => {
    const out: unknown[] = [];
    ctx.clock = 10; out.push(b.write(0x8, 4, 0x1234, 0));
    out.push(b.read(0x8, 4), b.read(0x40, 4), b.read(0xf0, 4));
    ctx.clock = 2000; b.tick();
    out.push(b.write(0x14, 4, 1, 0));
    return out;
  };
  const live = attached(peer);
  const expected = run(live.b, live.ctx);
  assert.deepEqual(expected, [true, 0x1234, 0xdeadbeef, null, true]);
  assert.equal(live.b.failure, null);

  // Replayed with no peer: a channel that must not be used.
  const silent: RemotePortChannel = { send: () => assert.fail('sent to a peer that is not there'), receive: () => assert.fail('read from a peer that is not there'), close: () => undefined };
  const ctx = new FakeSlotContext(WINDOW);
  ctx.replayLog = new Map();
  for (const [wait, bytes] of live.ctx.enteredInWait) ctx.replayLog.set(wait, [...(ctx.replayLog.get(wait) ?? []), bytes]);
  ctx.peerless = true;
  const b = new RemotePortBackend(silent, { dev: 3, syncQuantum: 1000, timeoutMs: 50, peer: false });
  b.attach(ctx);
  assert.deepEqual(run(b, ctx), expected);
  assert.equal(b.failure, null);
  assert.deepEqual([...ctx.mem], [...live.ctx.mem], 'the same DMA');
  assert.deepEqual(ctx.irqChanges, live.ctx.irqChanges, 'the same interrupts at the same times');
  assert.ok(ctx.logs.some((l) => /peer answered decode error/.test(l)));

  // An access the recorded run did not make: no answer to give, said so.
  assert.equal(b.read(0x8, 4), null);
  assert.match(b.failure ?? '', /backend lost: no peer, and the recorded run has no answer to the READ of 4 bytes at offset 0x8/);
});
