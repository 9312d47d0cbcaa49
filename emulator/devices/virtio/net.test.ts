/**
 * virtio-net through the transport with the loopback backend: frames out and back,
 * the header length per transport version, frames that do not fit, receive
 * backpressure, the config space; the pcap tap's file format.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtioMmio } from './mmio';
import { VirtioNet, parseMac, VIRTIO_NET_F, DEFAULT_MAC } from './net';
import { loopbackNetBackend, NetBackend, pcapTap } from '../../backends';
import { bringUp, F, GuestQueue, makeRam, R, RAM_BASE, rd, wr } from './test-driver';

const RXBUF = RAM_BASE + 0x20000, TXBUF = RAM_BASE + 0x30000;

function rig(legacy = false, backend: NetBackend = loopbackNetBackend(), accept?: [number, number]) {
  const ram = makeRam();
  const logs: string[] = [];
  const dev = new VirtioNet(backend, { mac: parseMac(DEFAULT_MAC) as Uint8Array });
  const t = new VirtioMmio('virtio7', ram, dev, () => undefined, (l) => logs.push(l), { legacy });
  const rx = new GuestQueue(ram, 8, RAM_BASE + 0x1000), tx = new GuestQueue(ram, 8, RAM_BASE + 0x3000);
  bringUp(t, [rx, tx], accept);
  return { ram, t, dev, rx, tx, logs };
}

function frame(len: number, seed: number): Uint8Array {
  const f = new Uint8Array(len);
  for (let i = 0; i < len; i++) f[i] = (i * 3 + seed) & 0xff;
  return f;
}

function send(r: ReturnType<typeof rig>, f: Uint8Array, hdr: number): void {
  r.ram.u8.fill(0, TXBUF - RAM_BASE, TXBUF - RAM_BASE + hdr);
  r.ram.u8.set(f, TXBUF - RAM_BASE + hdr);
  r.tx.setDesc(0, TXBUF, hdr + f.length, 0);
  r.tx.offer(0);
  wr(r.t, R.QueueNotify, 1);
}

test('config: MAC, link up, MTU; features offered', () => {
  const r = rig();
  const mac = Array.from({ length: 6 }, (_, i) => r.t.read(R.Config + i, 1));
  assert.deepEqual(mac, [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
  assert.equal(r.t.read(R.Config + 6, 2), 1, 'VIRTIO_NET_S_LINK_UP');
  assert.equal(r.t.read(R.Config + 10, 2), 1500);
  for (const b of [VIRTIO_NET_F.MAC, VIRTIO_NET_F.STATUS, VIRTIO_NET_F.MTU]) assert.ok(r.t.negotiated(b));
  assert.equal(parseMac('52:54:00:zz:34:56'), undefined);
});

// QEMU 7.2 sizes the header by VERSION_1 (virtio_net_set_mrg_rx_bufs): a driver on the
// modern transport that accepts only the low 32 feature bits gets the legacy 10 bytes.
const LOW_ONLY: [number, number] = [(1 << VIRTIO_NET_F.MAC) | (1 << VIRTIO_NET_F.STATUS), 0];
for (const [name, legacy, accept] of [['modern', false, undefined], ['legacy', true, undefined], ['modern, no VERSION_1', false, LOW_ONLY]] as const) {
  const hdr = legacy || accept !== undefined ? 10 : 12;
  test(`loopback: a frame sent comes back with a ${hdr}-byte header (${name})`, () => {
    const r = rig(legacy, loopbackNetBackend(), accept);
    assert.ok(r.t.live);
    const f = frame(60, 1);
    send(r, f, hdr);
    assert.deepEqual(r.tx.usedElem(0), { id: 0, len: 0 });
    r.dev.poll();
    assert.equal(r.rx.usedIdx, 0, 'no receive buffer posted: the frame waits');
    r.rx.setDesc(0, RXBUF, 2048, F.WRITE);
    r.rx.offer(0);
    wr(r.t, R.QueueNotify, 0);
    assert.deepEqual(r.rx.usedElem(0), { id: 0, len: hdr + 60 });
    assert.deepEqual(r.ram.u8.slice(RXBUF - RAM_BASE + hdr, RXBUF - RAM_BASE + hdr + 60), f);
    if (hdr === 12) assert.equal(r.ram.dv.getUint16(RXBUF - RAM_BASE + 10, true), 1, 'num_buffers');
    assert.equal(rd(r.t, R.InterruptStatus) & 1, 1);
  });
}

test('frames outside 14..1514 bytes are not sent; a receive buffer too small drops the frame', () => {
  const r = rig();
  send(r, frame(2000, 2), 12);
  send(r, frame(4, 2), 12);
  assert.equal(r.tx.usedIdx, 2, 'both chains are returned');
  assert.equal(r.logs.filter((l) => /dropped/.test(l)).length, 2);
  send(r, frame(100, 3), 12);
  r.rx.setDesc(0, RXBUF, 50, F.WRITE);
  r.rx.offer(0);
  wr(r.t, R.QueueNotify, 0);
  assert.deepEqual(r.rx.usedElem(0), { id: 0, len: 0 });
  assert.equal(r.dev.droppedFrames, 1);
});

test('pcap tap: global header, then one record per frame each way', () => {
  const out: number[] = [];
  const net = pcapTap(loopbackNetBackend(), (b) => out.push(...b), () => 1_500_000);
  net.send(frame(20, 0));
  assert.equal(net.receive?.()?.length, 20);
  const dv = new DataView(Uint8Array.from(out).buffer);
  assert.equal(dv.getUint32(0, true), 0xa1b2c3d4);
  assert.equal(dv.getUint32(20, true), 1, 'LINKTYPE_ETHERNET');
  assert.equal(out.length, 24 + 2 * (16 + 20));
  assert.equal(dv.getUint32(24, true), 1, 'seconds');
  assert.equal(dv.getUint32(28, true), 500_000, 'microseconds');
  assert.equal(dv.getUint32(32, true), 20);
});
