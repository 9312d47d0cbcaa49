/**
 * The virtio-mmio transport and the blk, rng and console devices, driven through their
 * registers by the test driver as a guest kernel would: feature negotiation, the status
 * machine, queue setup (modern and legacy), interrupts, and each device's requests,
 * including the malformed ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtioMmio, VirtioDevice, STATUS, INT, VIRTIO_F, invalidTransition } from './mmio';
import { VirtioBlk, VIRTIO_BLK_F, VIRTIO_BLK_S, VIRTIO_BLK_T } from './blk';
import { VirtioRng, seededEntropy } from './rng';
import { VirtioConsole } from './console';
import { memoryBlockBackend, overlayBlockBackend, readonlyBlockBackend, BlockBackend } from '../../backends';
import { bringUp, F, features, GuestQueue, makeRam, R, RAM_BASE, rd, wr } from './test-driver';
import { MemoryRegion } from '../../bus/bus';

interface Rig { ram: MemoryRegion; t: VirtioMmio; q: GuestQueue[]; irq: boolean[]; logs: string[] }

function rig(device: VirtioDevice, opts: { legacy?: boolean; accept?: [number, number]; up?: boolean } = {}): Rig {
  const ram = makeRam();
  const irq: boolean[] = [];
  const logs: string[] = [];
  const t = new VirtioMmio('virtio7', ram, device, (l) => irq.push(l), (line) => logs.push(line), { legacy: opts.legacy });
  const q = device.queueMaxSizes.map((_, i) => new GuestQueue(ram, 8, RAM_BASE + 0x1000 * (i + 1)));
  if (opts.up !== false) bringUp(t, q, opts.accept);
  return { ram, t, q, irq, logs };
}

const DATA = RAM_BASE + 0x20000;
const HDR = RAM_BASE + 0x10000;
const STATUS_BYTE = RAM_BASE + 0x10100;

/** Lay out a blk request (header, data, status) as descriptors 0..2 and notify. */
function blkRequest(r: Rig, type: number, sector: number, len: number, write = false): number {
  const g = r.q[0];
  const dv = r.ram.dv, o = HDR - RAM_BASE;
  dv.setUint32(o, type, true); dv.setUint32(o + 4, 0, true);
  dv.setUint32(o + 8, sector, true); dv.setUint32(o + 12, 0, true);
  r.ram.u8[STATUS_BYTE - RAM_BASE] = 0xff;
  if (len > 0) {
    g.setDesc(0, HDR, 16, F.NEXT, 1);
    g.setDesc(1, DATA, len, (write ? 0 : F.WRITE) | F.NEXT, 2);
    g.setDesc(2, STATUS_BYTE, 1, F.WRITE);
  } else {
    g.setDesc(0, HDR, 16, F.NEXT, 2);
    g.setDesc(2, STATUS_BYTE, 1, F.WRITE);
  }
  g.offer(0);
  wr(r.t, R.QueueNotify, 0);
  return r.ram.u8[STATUS_BYTE - RAM_BASE];
}

function image(sectors = 64): Uint8Array {
  const b = new Uint8Array(sectors * 512);
  for (let i = 0; i < b.length; i++) b[i] = (i * 7 + (i >> 9)) & 0xff;
  return b;
}

test('identity registers; an empty config read past the end is 0', () => {
  const r = rig(new VirtioBlk(memoryBlockBackend(image()), { readOnly: false }), { up: false });
  assert.equal(rd(r.t, R.MagicValue), 0x74726976);
  assert.equal(rd(r.t, R.Version), 2);
  assert.equal(rd(r.t, R.DeviceID), 2);
  assert.equal(rd(r.t, R.VendorID), 0x554d4551);
  assert.equal(r.t.read(R.Config, 4), 64, 'capacity low word: 64 sectors');
  assert.equal(r.t.read(R.Config + 4, 4), 0);
  assert.equal(r.t.read(R.Config + 20, 4), 512, 'blk_size');
  assert.equal(r.t.read(0x1f0, 4), 0);
  const legacy = rig(new VirtioRng(seededEntropy()), { legacy: true, up: false });
  assert.equal(rd(legacy.t, R.Version), 1);
});

test('feature negotiation: pages, transport features, features never offered are refused', () => {
  const r = rig(new VirtioBlk(memoryBlockBackend(image()), { readOnly: true }), { up: false });
  wr(r.t, R.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER);
  wr(r.t, R.DeviceFeaturesSel, 0);
  const lo = rd(r.t, R.DeviceFeatures);
  wr(r.t, R.DeviceFeaturesSel, 1);
  const hi = rd(r.t, R.DeviceFeatures);
  wr(r.t, R.DeviceFeaturesSel, 2);
  assert.equal(rd(r.t, R.DeviceFeatures), 0, 'no page 2');
  for (const b of [VIRTIO_BLK_F.RO, VIRTIO_BLK_F.FLUSH, VIRTIO_BLK_F.BLK_SIZE, VIRTIO_F.INDIRECT_DESC, VIRTIO_F.EVENT_IDX]) assert.ok((lo >>> b) & 1, `bit ${b}`);
  assert.ok((hi >>> (VIRTIO_F.VERSION_1 - 32)) & 1, 'VERSION_1');
  wr(r.t, R.DriverFeaturesSel, 0);
  wr(r.t, R.DriverFeatures, 0xffffffff);
  wr(r.t, R.DriverFeaturesSel, 1);
  wr(r.t, R.DriverFeatures, 0xffffffff);
  assert.ok(r.t.negotiated(VIRTIO_BLK_F.RO));
  assert.ok(!r.t.negotiated(3), 'bit 3 was never offered');
  assert.ok(!r.t.negotiated(VIRTIO_F.VERSION_1 + 2), 'bit 34 (packed) was never offered');
  assert.ok(r.logs.some((l) => /never offered/.test(l)));
});

test('FEATURES_OK without VERSION_1 on a modern transport is accepted, as on QEMU 7.2, with one log line; legacy needs no FEATURES_OK', () => {
  // xv6-riscv's way: DriverFeatures written once, page 0 only (DriverFeaturesSel never touched).
  const img = image();
  const r = rig(new VirtioBlk(memoryBlockBackend(img), { readOnly: false }), { up: false });
  wr(r.t, R.Status, 0);
  wr(r.t, R.Status, STATUS.ACKNOWLEDGE);
  wr(r.t, R.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER);
  wr(r.t, R.DriverFeatures, rd(r.t, R.DeviceFeatures) & ~((1 << VIRTIO_F.INDIRECT_DESC) | (1 << VIRTIO_F.EVENT_IDX) | (1 << VIRTIO_BLK_F.RO)));
  wr(r.t, R.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.FEATURES_OK);
  assert.equal(rd(r.t, R.Status) & STATUS.FEATURES_OK, STATUS.FEATURES_OK);
  assert.ok(!r.t.negotiated(VIRTIO_F.VERSION_1));
  assert.deepEqual(r.logs.filter((l) => /VERSION_1/.test(l)), [
    'virtio7: driver did not accept VIRTIO_F_VERSION_1 on a modern transport: FEATURES_OK accepted as QEMU does, the device keeps legacy formats (e.g. a 10-byte virtio-net header)',
  ]);
  const q = r.q[0];
  wr(r.t, R.QueueSel, 0);
  wr(r.t, R.QueueNum, q.size);
  wr(r.t, R.QueueDescLow, q.desc); wr(r.t, R.QueueDriverLow, q.avail); wr(r.t, R.QueueDeviceLow, q.used);
  wr(r.t, R.QueueReady, 1);
  wr(r.t, R.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.FEATURES_OK | STATUS.DRIVER_OK);
  assert.ok(r.t.live);
  assert.equal(blkRequest(r, VIRTIO_BLK_T.IN, 1, 512), VIRTIO_BLK_S.OK);
  assert.deepEqual(r.ram.u8.slice(DATA - RAM_BASE, DATA - RAM_BASE + 512), img.slice(512, 1024));
  const legacy = rig(new VirtioRng(seededEntropy()), { legacy: true });
  assert.equal(rd(legacy.t, R.Status), STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.DRIVER_OK);
  assert.ok(!legacy.logs.some((l) => /VERSION_1/.test(l)), 'nothing to say on a legacy transport');
});

test('legacy layout: GuestPageSize keeps its lowest set bit and any non-zero QueueAlign works, as on QEMU; QueueAlign 0 needs reset', () => {
  const r = rig(new VirtioRng(seededEntropy()), { legacy: true, up: false });
  wr(r.t, R.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER);
  wr(r.t, R.QueueSel, 0);
  wr(r.t, R.QueueNum, 8);
  wr(r.t, R.GuestPageSize, 0x3000); // QEMU: ctz32 → 4096-byte pages
  wr(r.t, R.QueueAlign, 24);
  wr(r.t, R.QueuePFN, (RAM_BASE + 0x4000) / 4096);
  const q = r.t.queue(0);
  assert.equal(q.desc, RAM_BASE + 0x4000);
  assert.equal(q.avail, RAM_BASE + 0x4000 + 16 * 8);
  assert.equal(q.used, Math.ceil((q.avail + 6 + 2 * 8) / 24) * 24);
  assert.ok(q.ready);
  assert.equal(q.used % 24, 0);
  const zero = rig(new VirtioRng(seededEntropy()), { legacy: true, up: false });
  wr(zero.t, R.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER);
  wr(zero.t, R.QueueAlign, 0);
  wr(zero.t, R.QueuePFN, (RAM_BASE + 0x4000) / 4096);
  assert.equal(rd(zero.t, R.Status) & STATUS.DEVICE_NEEDS_RESET, STATUS.DEVICE_NEEDS_RESET);
  assert.ok(zero.logs.some((l) => /QueueAlign 0/.test(l)));
});

test('modern rings off §2.7 alignment are used, with one log line naming them', () => {
  const r = rig(new VirtioRng(seededEntropy()), { up: false });
  wr(r.t, R.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER);
  wr(r.t, R.DriverFeaturesSel, 1);
  wr(r.t, R.DriverFeatures, 1);
  wr(r.t, R.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.FEATURES_OK);
  wr(r.t, R.QueueSel, 0);
  wr(r.t, R.QueueNum, 8);
  wr(r.t, R.QueueDescLow, RAM_BASE + 0x4008); wr(r.t, R.QueueDriverLow, RAM_BASE + 0x5000); wr(r.t, R.QueueDeviceLow, RAM_BASE + 0x6000);
  wr(r.t, R.QueueReady, 1);
  assert.equal(rd(r.t, R.QueueReady), 1);
  assert.deepEqual(r.logs, ['virtio7: queue 0: desc ring 0x80004008 (16-byte) not aligned as virtio 1.2 §2.7 asks; used anyway, as QEMU does']);
});

test('status transitions: the table, invalid writes ignored with a log line, 0 resets', () => {
  assert.equal(invalidTransition(0, STATUS.ACKNOWLEDGE, false), null);
  assert.match(invalidTransition(0, STATUS.DRIVER_OK, false) ?? '', /before/);
  assert.match(invalidTransition(STATUS.ACKNOWLEDGE | STATUS.DRIVER, STATUS.ACKNOWLEDGE, false) ?? '', /clears/);
  assert.match(invalidTransition(0, 0x10, false) ?? '', /unknown/);
  assert.equal(invalidTransition(STATUS.DRIVER, STATUS.DRIVER | STATUS.DRIVER_OK, true), null, 'legacy: no FEATURES_OK step');
  assert.notEqual(invalidTransition(STATUS.DRIVER, STATUS.DRIVER | STATUS.DRIVER_OK, false), null);
  const r = rig(new VirtioRng(seededEntropy()), { up: false });
  wr(r.t, R.Status, STATUS.DRIVER_OK);
  assert.equal(rd(r.t, R.Status), 0);
  assert.ok(r.logs.some((l) => /not a valid transition/.test(l)));
  bringUp(r.t, r.q);
  assert.ok(r.t.live);
  wr(r.t, R.Status, STATUS.FAILED | rd(r.t, R.Status));
  assert.ok(!r.t.live);
  wr(r.t, R.Status, 0);
  assert.equal(rd(r.t, R.Status), 0);
});

test('blk: read, write, flush, GET_ID, unsupported, and the used ring', () => {
  const img = image();
  const r = rig(new VirtioBlk(memoryBlockBackend(img), { readOnly: false, serial: 'disk-7' }));
  assert.equal(blkRequest(r, VIRTIO_BLK_T.IN, 3, 1024), VIRTIO_BLK_S.OK);
  assert.deepEqual(r.ram.u8.slice(DATA - RAM_BASE, DATA - RAM_BASE + 1024), img.slice(3 * 512, 5 * 512));
  assert.deepEqual(r.q[0].usedElem(0), { id: 0, len: 1025 });
  r.ram.u8.fill(0xab, DATA - RAM_BASE, DATA - RAM_BASE + 512);
  assert.equal(blkRequest(r, VIRTIO_BLK_T.OUT, 10, 512, true), VIRTIO_BLK_S.OK);
  assert.ok(img.slice(10 * 512, 11 * 512).every((b) => b === 0xab));
  assert.deepEqual(r.q[0].usedElem(1), { id: 0, len: 1 });
  assert.equal(blkRequest(r, VIRTIO_BLK_T.FLUSH, 0, 0), VIRTIO_BLK_S.OK);
  assert.equal(blkRequest(r, VIRTIO_BLK_T.GET_ID, 0, 20), VIRTIO_BLK_S.OK);
  assert.equal(new TextDecoder().decode(r.ram.u8.slice(DATA - RAM_BASE, DATA - RAM_BASE + 6)), 'disk-7');
  assert.equal(blkRequest(r, 99, 0, 0), VIRTIO_BLK_S.UNSUPP);
  assert.equal(r.q[0].usedIdx, 5);
  assert.equal(rd(r.t, R.InterruptStatus) & INT.USED_BUFFER, INT.USED_BUFFER);
  assert.equal(r.irq.at(-1), true, 'PLIC line raised');
  wr(r.t, R.InterruptACK, INT.USED_BUFFER);
  assert.equal(rd(r.t, R.InterruptStatus), 0);
  assert.equal(r.irq.at(-1), false, 'PLIC line lowered by the ACK');
});

test('blk: requests beyond the image, partial sectors and writes on a read-only drive answer IOERR', () => {
  const img = image(8);
  const before = img.slice();
  const r = rig(new VirtioBlk(readonlyBlockBackend(memoryBlockBackend(img)), { readOnly: true }));
  assert.ok(r.t.negotiated(VIRTIO_BLK_F.RO));
  assert.equal(blkRequest(r, VIRTIO_BLK_T.IN, 7, 1024), VIRTIO_BLK_S.IOERR, 'reads past the end');
  assert.equal(blkRequest(r, VIRTIO_BLK_T.IN, 0xffffffff, 512), VIRTIO_BLK_S.IOERR, 'a huge sector');
  assert.equal(blkRequest(r, VIRTIO_BLK_T.IN, 0, 100), VIRTIO_BLK_S.IOERR, 'not whole sectors');
  assert.equal(blkRequest(r, VIRTIO_BLK_T.OUT, 0, 512, true), VIRTIO_BLK_S.IOERR, 'read-only');
  assert.equal(blkRequest(r, VIRTIO_BLK_T.IN, 7, 512), VIRTIO_BLK_S.OK, 'the last sector reads');
  assert.deepEqual(img, before);
});

test('blk overlay: the guest reads its own writes, the base image is never written', () => {
  const base = image(16);
  const copy = base.slice();
  let baseWrites = 0;
  const counting: BlockBackend = { ...memoryBlockBackend(base), write: () => { baseWrites++; return 'no'; } };
  const r = rig(new VirtioBlk(overlayBlockBackend(counting), { readOnly: false }));
  r.ram.u8.fill(0x5a, DATA - RAM_BASE, DATA - RAM_BASE + 1536);
  assert.equal(blkRequest(r, VIRTIO_BLK_T.OUT, 7, 1536, true), VIRTIO_BLK_S.OK, 'a write across a 4 KiB chunk boundary');
  r.ram.u8.fill(0, DATA - RAM_BASE, DATA - RAM_BASE + 4096);
  assert.equal(blkRequest(r, VIRTIO_BLK_T.IN, 6, 3 * 512), VIRTIO_BLK_S.OK);
  const got = r.ram.u8.slice(DATA - RAM_BASE, DATA - RAM_BASE + 1536);
  assert.deepEqual(got.slice(0, 512), copy.slice(6 * 512, 7 * 512), 'untouched sector from the base');
  assert.ok(got.slice(512).every((b) => b === 0x5a), 'written sectors from the overlay');
  assert.equal(blkRequest(r, VIRTIO_BLK_T.FLUSH, 0, 0), VIRTIO_BLK_S.OK);
  assert.equal(baseWrites, 0);
  assert.deepEqual(base, copy);
});

test('blk: a malformed chain sets DEVICE_NEEDS_RESET and raises a config interrupt; reset recovers', () => {
  const r = rig(new VirtioBlk(memoryBlockBackend(image()), { readOnly: false }));
  r.q[0].setDesc(0, HDR, 16, F.NEXT, 0); // loops on itself
  r.q[0].offer(0);
  wr(r.t, R.QueueNotify, 0);
  assert.equal(rd(r.t, R.Status) & STATUS.DEVICE_NEEDS_RESET, STATUS.DEVICE_NEEDS_RESET);
  assert.equal(rd(r.t, R.InterruptStatus) & INT.CONFIG_CHANGE, INT.CONFIG_CHANGE);
  assert.equal(r.irq.at(-1), true);
  assert.ok(r.logs.some((l) => /virtio7: device needs reset: chain from descriptor 0 is longer/.test(l)), r.logs.join('\n'));
  wr(r.t, R.QueueNotify, 0);
  assert.ok(r.logs.at(-1)?.includes('ignored'), 'notifications are ignored until reset');
  wr(r.t, R.Status, 0);
  assert.equal(rd(r.t, R.Status), 0);
  assert.equal(r.irq.at(-1), false);
  r.q[0] = new GuestQueue(r.ram, 8, RAM_BASE + 0x1000);
  bringUp(r.t, r.q);
  assert.equal(blkRequest(r, VIRTIO_BLK_T.IN, 0, 512), VIRTIO_BLK_S.OK);
});

test('blk: a request without a writable status byte is used with length 0; a short header is IOERR', () => {
  const r = rig(new VirtioBlk(memoryBlockBackend(image()), { readOnly: false }));
  r.q[0].setDesc(0, HDR, 16, 0);
  r.q[0].offer(0);
  wr(r.t, R.QueueNotify, 0);
  assert.deepEqual(r.q[0].usedElem(0), { id: 0, len: 0 });
  r.q[0].setDesc(0, HDR, 8, F.NEXT, 1);
  r.q[0].setDesc(1, STATUS_BYTE, 1, F.WRITE);
  r.q[0].offer(0);
  wr(r.t, R.QueueNotify, 0);
  assert.equal(r.ram.u8[STATUS_BYTE - RAM_BASE], VIRTIO_BLK_S.IOERR);
  assert.equal(rd(r.t, R.Status) & STATUS.DEVICE_NEEDS_RESET, 0, 'a bad request is not a broken queue');
});

test('queue setup errors: a bad size or ring set DEVICE_NEEDS_RESET; setup is frozen while ready', () => {
  const r = rig(new VirtioRng(seededEntropy()), { up: false });
  wr(r.t, R.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER);
  wr(r.t, R.QueueSel, 0);
  assert.equal(rd(r.t, R.QueueNumMax), 8);
  wr(r.t, R.QueueNum, 6);
  wr(r.t, R.QueueReady, 1);
  assert.equal(rd(r.t, R.QueueReady), 0);
  assert.equal(rd(r.t, R.Status) & STATUS.DEVICE_NEEDS_RESET, STATUS.DEVICE_NEEDS_RESET);
  wr(r.t, R.QueueSel, 5);
  assert.equal(rd(r.t, R.QueueNumMax), 0, 'queue 5 does not exist');
  const ok = rig(new VirtioRng(seededEntropy()));
  wr(ok.t, R.QueueSel, 0);
  wr(ok.t, R.QueueDescLow, 0x1234);
  assert.equal(ok.t.queue(0).desc, ok.q[0].desc, 'ignored while ready');
});

test('QueueReset (VIRTIO_F_RING_RESET) puts one queue back to its reset state', () => {
  const r = rig(new VirtioRng(seededEntropy()));
  assert.ok(r.t.negotiated(VIRTIO_F.RING_RESET));
  wr(r.t, R.QueueSel, 0);
  assert.equal(rd(r.t, R.QueueReady), 1);
  wr(r.t, R.QueueReset, 1);
  assert.equal(rd(r.t, R.QueueReady), 0);
  assert.equal(rd(r.t, R.QueueReset), 0);
});

test('legacy transport: QueuePFN lays the rings out; a blk read works', () => {
  const img = image();
  const ram = makeRam();
  const t = new VirtioMmio('virtio7', ram, new VirtioBlk(memoryBlockBackend(img), { readOnly: false }), () => undefined, () => undefined, { legacy: true });
  const g = new GuestQueue(ram, 8, RAM_BASE + 0x1000);
  // Legacy layout with QueueAlign 4 equals GuestQueue's.
  bringUp(t, [g]);
  wr(t, R.QueueSel, 0);
  assert.equal(rd(t, R.QueuePFN), (RAM_BASE + 0x1000) / 4096);
  assert.equal(blkRequest({ ram, t, q: [g], irq: [], logs: [] }, VIRTIO_BLK_T.IN, 1, 512), VIRTIO_BLK_S.OK);
  assert.deepEqual(ram.u8.slice(DATA - RAM_BASE, DATA - RAM_BASE + 512), img.slice(512, 1024));
  wr(t, R.QueuePFN, 0);
  assert.equal(t.queue(0).active, false, 'PFN 0 stops the queue');
});

test('config generation changes with the config; a config change raises ConfigChange', () => {
  const r = rig(new VirtioRng(seededEntropy()));
  const g0 = rd(r.t, R.ConfigGeneration);
  r.t.configChanged();
  assert.equal(rd(r.t, R.ConfigGeneration), g0 + 1);
  assert.equal(rd(r.t, R.InterruptStatus) & INT.CONFIG_CHANGE, INT.CONFIG_CHANGE);
});

test('rng: seeded bytes fill the buffer and repeat run to run; EVENT_IDX off still interrupts', () => {
  const run = () => {
    const r = rig(new VirtioRng(seededEntropy()), { accept: features(VIRTIO_F.VERSION_1) });
    r.q[0].setDesc(0, DATA, 64, F.WRITE);
    r.q[0].offer(0);
    wr(r.t, R.QueueNotify, 0);
    assert.deepEqual(r.q[0].usedElem(0), { id: 0, len: 64 });
    assert.equal(rd(r.t, R.InterruptStatus), INT.USED_BUFFER);
    return r.ram.u8.slice(DATA - RAM_BASE, DATA - RAM_BASE + 64);
  };
  const a = run(), b = run();
  assert.deepEqual(a, b);
  assert.ok(new Set(a).size > 32, 'looks random');
});

test('console: output from transmitq0; input waits for receive buffers (nothing dropped)', () => {
  const input: number[] = [...Buffer.from('typed')];
  const out: number[] = [];
  const dev = new VirtioConsole({ get length() { return input.length; }, take: (n) => input.splice(0, n) }, (b) => out.push(b));
  const r = rig(dev);
  dev.poll();
  assert.equal(input.length, 5, 'no receive buffer yet: the input waits');
  r.q[0].setDesc(0, DATA, 3, F.WRITE);
  r.q[0].offer(0);
  wr(r.t, R.QueueNotify, 0);
  assert.deepEqual(r.q[0].usedElem(0), { id: 0, len: 3 });
  assert.equal(Buffer.from(r.ram.u8.slice(DATA - RAM_BASE, DATA - RAM_BASE + 3)).toString(), 'typ');
  assert.equal(input.length, 2);
  r.q[0].offer(0);
  wr(r.t, R.QueueNotify, 0);
  assert.equal(input.length, 0);
  r.ram.u8.set(Buffer.from('hi\n'), DATA + 0x100 - RAM_BASE);
  r.q[1].setDesc(0, DATA + 0x100, 3, 0);
  r.q[1].offer(0);
  wr(r.t, R.QueueNotify, 1);
  assert.equal(Buffer.from(out).toString(), 'hi\n');
});

test('device DMA drops decoded code it overwrites', () => {
  const r = rig(new VirtioRng(seededEntropy()));
  const seen: [number, number][] = [];
  const orig = r.ram.code.invalidate.bind(r.ram.code);
  r.ram.code.invalidate = (off, len) => { seen.push([off, len]); orig(off, len); };
  r.q[0].setDesc(0, DATA, 16, F.WRITE);
  r.q[0].offer(0);
  wr(r.t, R.QueueNotify, 0);
  assert.ok(seen.some(([off, len]) => off === DATA - RAM_BASE && len === 16), 'the buffer');
  assert.ok(seen.some(([off]) => off >= r.q[0].used - RAM_BASE && off < r.q[0].end - RAM_BASE), 'the used ring');
});

test('chains naming the same RAM many times over: bounded work, no allocation by length', () => {
  // A huge sparse image: reads return zeros, writes are counted, nothing is stored.
  let written = 0;
  const huge: BlockBackend = { size: 2 ** 40, read: (_o, d) => { d.fill(0); return null; }, write: (_o, s) => { written += s.length; return null; }, flush: () => null };
  const r = rig(new VirtioBlk(huge, { readOnly: false }));
  const g = r.q[0];
  const dv = r.ram.dv, o = HDR - RAM_BASE;
  dv.setUint32(o, VIRTIO_BLK_T.OUT, true); dv.setUint32(o + 8, 0, true); dv.setUint32(o + 12, 0, true);
  g.setDesc(0, HDR, 16, F.NEXT, 1);
  for (let i = 1; i < 7; i++) g.setDesc(i, RAM_BASE, 1 << 20, F.NEXT, i + 1); // all of RAM, six times
  g.setDesc(7, STATUS_BYTE, 1, F.WRITE);
  g.offer(0);
  wr(r.t, R.QueueNotify, 0);
  assert.equal(r.ram.u8[STATUS_BYTE - RAM_BASE], VIRTIO_BLK_S.OK);
  assert.equal(written, 6 << 20);

  const out: number[] = [];
  const con = rig(new VirtioConsole({ length: 0, take: () => [] }, (b) => { if (out.length < 4) out.push(b); }));
  for (let i = 0; i < 8; i++) con.q[1].setDesc(i, RAM_BASE, 1 << 20, i < 7 ? F.NEXT : 0, i + 1);
  con.q[1].offer(0);
  wr(con.t, R.QueueNotify, 1);
  assert.equal(con.q[1].usedIdx, 1);
  assert.ok(con.logs.some((l) => /transmit chain of 8388608 bytes cut to 1048576/.test(l)), con.logs.join('\n'));
});

test('blk: WRITE_ZEROES and DISCARD zero checked ranges; bad ranges answer IOERR or UNSUPP', () => {
  const img = image(64);
  const r = rig(new VirtioBlk(memoryBlockBackend(img), { readOnly: false }));
  assert.ok(r.t.negotiated(VIRTIO_BLK_F.WRITE_ZEROES) && r.t.negotiated(VIRTIO_BLK_F.DISCARD));
  assert.equal(r.t.read(R.Config + 40, 4), 1, 'max_discard_seg');
  const ranges = (type: number, list: [number, number, number][]) => {
    list.forEach(([sector, count, flags], i) => {
      const o = DATA - RAM_BASE + 16 * i;
      r.ram.dv.setUint32(o, sector, true); r.ram.dv.setUint32(o + 4, 0, true);
      r.ram.dv.setUint32(o + 8, count, true); r.ram.dv.setUint32(o + 12, flags, true);
    });
    return blkRequest(r, type, 0, 16 * list.length, true);
  };
  assert.equal(ranges(VIRTIO_BLK_T.WRITE_ZEROES, [[4, 3, 1]]), VIRTIO_BLK_S.OK);
  assert.ok(img.slice(4 * 512, 7 * 512).every((b) => b === 0));
  assert.notEqual(img[7 * 512 + 1], 0, 'the sector after the range is untouched');
  assert.equal(ranges(VIRTIO_BLK_T.DISCARD, [[10, 1, 0]]), VIRTIO_BLK_S.OK);
  assert.ok(img.slice(10 * 512, 11 * 512).every((b) => b === 0));
  assert.equal(ranges(VIRTIO_BLK_T.DISCARD, [[10, 1, 1]]), VIRTIO_BLK_S.UNSUPP, 'unmap flag is for write-zeroes only');
  assert.equal(ranges(VIRTIO_BLK_T.WRITE_ZEROES, [[63, 2, 0]]), VIRTIO_BLK_S.IOERR, 'past the end');
  assert.equal(ranges(VIRTIO_BLK_T.WRITE_ZEROES, [[1, 1, 0], [2, 1, 0]]), VIRTIO_BLK_S.UNSUPP, 'more ranges than advertised');
  assert.equal(blkRequest(r, VIRTIO_BLK_T.WRITE_ZEROES, 0, 10, true), VIRTIO_BLK_S.IOERR, 'not whole range structs');
  const ro = rig(new VirtioBlk(memoryBlockBackend(image(8)), { readOnly: true }));
  ro.ram.dv.setUint32(DATA - RAM_BASE + 8, 1, true);
  assert.equal(blkRequest(ro, VIRTIO_BLK_T.WRITE_ZEROES, 0, 16, true), VIRTIO_BLK_S.IOERR, 'read-only');
});
