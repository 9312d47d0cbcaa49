/**
 * Every check of the split virtqueue, fed the malformed input it guards against: each
 * broken chain is built in guest RAM and must give exactly its QueueError (Firecracker's
 * queue tests do the same for each variant). Well-formed chains, the used ring and
 * EVENT_IDX are checked too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DescriptorChain, QueueError, SplitQueue, describeQueueError } from './queue';
import { F, GuestQueue, makeRam, RAM_BASE } from './test-driver';

const SIZE = 8;
const DATA = RAM_BASE + 0x10000;

function setup(opts: { indirect?: boolean; eventIdx?: boolean } = {}) {
  const ram = makeRam();
  const g = new GuestQueue(ram, SIZE, RAM_BASE + 0x1000);
  const q = new SplitQueue(16);
  q.size = SIZE; q.desc = g.desc; q.avail = g.avail; q.used = g.used;
  q.indirect = opts.indirect ?? false; q.eventIdx = opts.eventIdx ?? false;
  assert.equal(q.activate(ram), null);
  return { ram, g, q };
}

function popError(q: SplitQueue): QueueError {
  const r = q.pop();
  assert.ok(!r.ok, 'expected an error');
  assert.ok(describeQueueError(r.error).length > 0);
  return r.error;
}

function popChain(q: SplitQueue): DescriptorChain {
  const r = q.pop();
  assert.ok(r.ok, r.ok ? '' : describeQueueError(r.error));
  assert.ok(r.value !== null, 'expected a chain');
  return r.value;
}

test('a well-formed chain: readable then writable segments, read and write through it', () => {
  const { ram, g, q } = setup();
  ram.u8.set([1, 2, 3, 4], DATA - RAM_BASE);
  g.setDesc(0, DATA, 4, F.NEXT, 1);
  g.setDesc(1, DATA + 0x100, 3, F.WRITE | F.NEXT, 2);
  g.setDesc(2, DATA + 0x200, 5, F.WRITE);
  g.offer(0);
  const c = popChain(q);
  assert.equal(c.readableLen, 4);
  assert.equal(c.writableLen, 8);
  const b = new Uint8Array(4);
  assert.ok(c.read(0, b));
  assert.deepEqual([...b], [1, 2, 3, 4]);
  assert.equal(c.read(1, b), false, 'reading past the readable part fails');
  assert.equal(c.write(1, Uint8Array.of(9, 8, 7, 6)), null);
  assert.deepEqual([...ram.u8.subarray(DATA + 0x100 - RAM_BASE, DATA + 0x100 - RAM_BASE + 3)], [0, 9, 8]);
  assert.deepEqual([...ram.u8.subarray(DATA + 0x200 - RAM_BASE, DATA + 0x200 - RAM_BASE + 2)], [7, 6]);
  assert.equal(c.written, 5);
  assert.equal(q.pushUsed(c.head, c.written), null);
  assert.equal(g.usedIdx, 1);
  assert.deepEqual(g.usedElem(0), { id: 0, len: 5 });
  const none = q.pop();
  assert.ok(none.ok && none.value === null, 'nothing more is pending');
});

test('QueueNotReady before activation', () => {
  const q = new SplitQueue(8);
  assert.deepEqual(q.pop(), { ok: false, error: { kind: 'QueueNotReady' } });
  assert.deepEqual(q.pushUsed(0, 0), { kind: 'QueueNotReady' });
});

test('InvalidQueueSize: zero, above the maximum, not a power of two', () => {
  const ram = makeRam();
  for (const size of [0, 32, 6]) {
    const q = new SplitQueue(16);
    q.size = size; q.desc = RAM_BASE; q.avail = RAM_BASE + 0x1000; q.used = RAM_BASE + 0x2000;
    assert.deepEqual(q.activate(ram), { kind: 'InvalidQueueSize', size, max: 16 });
  }
});

test('rings that break the §2.7 alignment table still work (as on QEMU) and are named; RingOutOfMemory for each ring', () => {
  const ram = makeRam();
  const base = { desc: RAM_BASE, avail: RAM_BASE + 0x1000, used: RAM_BASE + 0x2000 };
  const odd = new SplitQueue(16);
  Object.assign(odd, { desc: RAM_BASE + 8, avail: RAM_BASE + 0x1001, used: RAM_BASE + 0x2002, size: SIZE });
  assert.equal(odd.activate(ram), null);
  assert.ok(odd.active);
  assert.deepEqual(odd.misalignedRings(), ['desc ring 0x80000008 (16-byte)', 'avail ring 0x80001001 (2-byte)', 'used ring 0x80002002 (4-byte)']);
  const fine = new SplitQueue(16);
  Object.assign(fine, base, { desc: RAM_BASE + 16, avail: RAM_BASE + 0x1002, used: RAM_BASE + 0x2004, size: SIZE });
  assert.deepEqual(fine.misalignedRings(), []);
  // A chain through a misaligned table and rings is walked and used like any other.
  const g = new GuestQueue(ram, SIZE, RAM_BASE + 0x3000 + 8);
  const q = new SplitQueue(16);
  Object.assign(q, { desc: g.desc, avail: g.avail + 1, used: g.used + 2, size: SIZE });
  assert.equal(q.activate(ram), null);
  g.setDesc(0, DATA, 4, 0);
  ram.dv.setUint16(q.avail + 4 - RAM_BASE, 0, true);
  ram.dv.setUint16(q.avail + 2 - RAM_BASE, 1, true);
  const c = popChain(q);
  assert.equal(c.readableLen, 4);
  assert.equal(q.pushUsed(c.head, 0), null);
  assert.equal(ram.dv.getUint16(q.used + 2 - RAM_BASE, true), 1, 'used.idx written at the misaligned used ring');
  const cases: [Partial<typeof base>, QueueError][] = [
    [{ desc: 0x1000 }, { kind: 'RingOutOfMemory', ring: 'desc', addr: 0x1000, len: 16 * SIZE }],
    [{ avail: RAM_BASE + ram.size - 4 }, { kind: 'RingOutOfMemory', ring: 'avail', addr: RAM_BASE + ram.size - 4, len: 6 + 2 * SIZE }],
    [{ used: 0x1_8000_0000 }, { kind: 'RingOutOfMemory', ring: 'used', addr: 0x1_8000_0000, len: 6 + 8 * SIZE }],
  ];
  for (const [over, err] of cases) {
    const q = new SplitQueue(16);
    Object.assign(q, base, over, { size: SIZE });
    assert.deepEqual(q.activate(ram), err);
    assert.equal(q.active, false);
  }
});

test('AvailIdxTooFarAhead: avail.idx more than a queue ahead', () => {
  const { g, q } = setup();
  g.setAvailIdx(SIZE + 1);
  assert.deepEqual(popError(q), { kind: 'AvailIdxTooFarAhead', availIdx: SIZE + 1, lastAvail: 0, size: SIZE });
  g.setAvailIdx(0xffff); // "behind" wraps to far ahead
  assert.equal(popError(q).kind, 'AvailIdxTooFarAhead');
});

test('DescriptorIndexOutOfRange: head and next at or above the queue size', () => {
  const { g, q } = setup();
  g.offer(SIZE);
  assert.deepEqual(popError(q), { kind: 'DescriptorIndexOutOfRange', index: SIZE, size: SIZE });
  const s2 = setup();
  s2.g.setDesc(0, DATA, 4, F.NEXT, 200);
  s2.g.offer(0);
  assert.deepEqual(popError(s2.q), { kind: 'DescriptorIndexOutOfRange', index: 200, size: SIZE });
});

test('DescriptorOutOfMemory: a buffer outside guest RAM, straddling its end, or with a high address', () => {
  for (const [addr, len] of [[0x1000_0000, 4], [RAM_BASE + (1 << 20) - 2, 4], [0x1_0000_0000 + RAM_BASE, 4], [RAM_BASE, 0xffff_ffff]]) {
    const { g, q } = setup();
    g.setDesc(3, addr, len, 0);
    g.offer(3);
    assert.deepEqual(popError(q), { kind: 'DescriptorOutOfMemory', index: 3, addr, len });
  }
});

test('ChainTooLong: a cyclic chain ends', () => {
  const { g, q } = setup();
  g.setDesc(0, DATA, 4, F.NEXT, 1);
  g.setDesc(1, DATA, 4, F.NEXT, 0);
  g.offer(0);
  assert.deepEqual(popError(q), { kind: 'ChainTooLong', head: 0, limit: SIZE });
  const s = setup();
  s.g.setDesc(5, DATA, 4, F.NEXT, 5); // a descriptor pointing at itself
  s.g.offer(5);
  assert.deepEqual(popError(s.q), { kind: 'ChainTooLong', head: 5, limit: SIZE });
});

test('ReadableAfterWritable: a read-only descriptor after a device-writable one', () => {
  const { g, q } = setup();
  g.setDesc(0, DATA, 4, F.WRITE | F.NEXT, 1);
  g.setDesc(1, DATA, 4, 0);
  g.offer(0);
  assert.deepEqual(popError(q), { kind: 'ReadableAfterWritable', head: 0, index: 1 });
});

test('WriteToReadOnlyDescriptor: a device write beyond the device-writable part', () => {
  const { g, q, ram } = setup();
  g.setDesc(0, DATA, 16, 0);
  g.offer(0);
  const c = popChain(q);
  const before = ram.u8.slice(DATA - RAM_BASE, DATA - RAM_BASE + 16);
  assert.deepEqual(c.write(0, Uint8Array.of(1)), { kind: 'WriteToReadOnlyDescriptor', head: 0, offset: 0, len: 1 });
  assert.deepEqual(ram.u8.slice(DATA - RAM_BASE, DATA - RAM_BASE + 16), before, 'nothing written');
});

test('indirect descriptors: a table walked with its own bounds', () => {
  const { ram, g, q } = setup({ indirect: true });
  const table = DATA + 0x1000;
  g.setDesc(0, DATA, 2, F.NEXT, 1, table);
  g.setDesc(1, DATA + 0x10, 3, F.WRITE, 0, table);
  g.setDesc(2, table, 32, F.INDIRECT);
  g.offer(2);
  const c = popChain(q);
  assert.equal(c.head, 2);
  assert.equal(c.readableLen, 2);
  assert.equal(c.writableLen, 3);
  assert.ok(ram.u8.length > 0);
});

test('indirect tables need no alignment (§2.7.5.3): Linux kmallocs them 8-byte aligned', () => {
  for (const offset of [8, 4, 1]) {
    const { ram, g, q } = setup({ indirect: true });
    const table = DATA + 0x1000 + offset;
    ram.u8.set([5, 6, 7], DATA - RAM_BASE);
    g.setDesc(0, DATA, 3, F.NEXT, 1, table);
    g.setDesc(1, DATA + 0x40, 2, F.NEXT | F.WRITE, 2, table);
    g.setDesc(2, DATA + 0x80, 1, F.WRITE, 0, table);
    g.setDesc(4, table, 48, F.INDIRECT);
    g.offer(4);
    const c = popChain(q);
    assert.equal(c.head, 4);
    assert.equal(c.readableLen, 3, `table at +${offset}`);
    assert.equal(c.writableLen, 3);
    const b = new Uint8Array(3);
    assert.ok(c.read(0, b));
    assert.deepEqual([...b], [5, 6, 7]);
  }
});

test('indirect errors: not negotiated, with NEXT, nested, bad length, outside RAM, next and loops inside the table', () => {
  const table = DATA + 0x1000;
  const cases: [(g: GuestQueue) => void, QueueError, boolean][] = [
    [(g) => g.setDesc(0, table, 16, F.INDIRECT), { kind: 'IndirectNotNegotiated', index: 0 }, false],
    [(g) => g.setDesc(0, table, 16, F.INDIRECT | F.NEXT, 1), { kind: 'IndirectWithNext', index: 0 }, true],
    [(g) => { g.setDesc(0, table, 16, F.INDIRECT); g.setDesc(0, table, 16, F.INDIRECT, 0, table); }, { kind: 'NestedIndirect', index: 0 }, true],
    [(g) => g.setDesc(0, table, 0, F.INDIRECT), { kind: 'IndirectTableBadLength', index: 0, len: 0 }, true],
    [(g) => g.setDesc(0, table, 20, F.INDIRECT), { kind: 'IndirectTableBadLength', index: 0, len: 20 }, true],
    [(g) => g.setDesc(0, 0x2000, 32, F.INDIRECT), { kind: 'IndirectTableOutOfMemory', index: 0, addr: 0x2000, len: 32 }, true],
    [(g) => g.setDesc(0, RAM_BASE + (1 << 20) - 24, 32, F.INDIRECT), { kind: 'IndirectTableOutOfMemory', index: 0, addr: RAM_BASE + (1 << 20) - 24, len: 32 }, true],
    [(g) => { g.setDesc(0, table, 32, F.INDIRECT); g.setDesc(0, DATA, 4, F.NEXT, 2, table); },
      { kind: 'DescriptorIndexOutOfRange', index: 2, size: 2 }, true],
    [(g) => { g.setDesc(0, table, 32, F.INDIRECT); g.setDesc(0, DATA, 4, F.NEXT, 1, table); g.setDesc(1, DATA, 4, F.NEXT, 0, table); },
      { kind: 'ChainTooLong', head: 0, limit: 2 }, true],
    [(g) => { g.setDesc(0, table, 16, F.INDIRECT); g.setDesc(0, 0x10, 4, 0, 0, table); },
      { kind: 'DescriptorOutOfMemory', index: 0, addr: 0x10, len: 4 }, true],
  ];
  for (const [build, err, indirect] of cases) {
    const { g, q } = setup({ indirect });
    build(g);
    g.offer(0);
    assert.deepEqual(popError(q), err);
  }
});

test('UsedIndexOutOfRange: the used ring never takes a head outside the queue', () => {
  const { q } = setup();
  assert.deepEqual(q.pushUsed(SIZE, 0), { kind: 'UsedIndexOutOfRange', head: SIZE, size: SIZE });
});

test('interrupt suppression: VIRTQ_AVAIL_F_NO_INTERRUPT without EVENT_IDX', () => {
  const { g, q } = setup();
  q.pushUsed(0, 0);
  assert.equal(q.needsInterrupt(), true);
  assert.equal(q.needsInterrupt(), false, 'nothing new since the last signal');
  g.setAvailFlags(1);
  q.pushUsed(0, 0);
  assert.equal(q.needsInterrupt(), false);
});

test('VIRTIO_F_EVENT_IDX: used_event decides interrupts, avail_event follows the device', () => {
  const { g, q } = setup({ eventIdx: true });
  g.setDesc(0, DATA, 4, 0);
  for (let i = 0; i < 3; i++) g.offer(0);
  for (let i = 0; i < 3; i++) popChain(q);
  assert.equal(g.availEvent, 3, 'avail_event = the next avail index the device will read');
  g.setUsedEvent(1); // interrupt once used.idx passes 1
  q.pushUsed(0, 0);
  assert.equal(q.needsInterrupt(), false, 'used.idx 1 has not passed used_event 1');
  q.pushUsed(0, 0);
  assert.equal(q.needsInterrupt(), true, 'used.idx 2 passed used_event 1');
  q.pushUsed(0, 0);
  assert.equal(q.needsInterrupt(), false, 'used_event still 1: no second interrupt');
});

test('indices wrap at 2^16', () => {
  const { g, q } = setup();
  g.setDesc(0, DATA, 4, 0);
  g.setAvailIdx(0xfffe);
  q.lastAvail = 0xfffe; q.usedIdx = 0xfffe;
  g.offer(0); g.offer(0);
  popChain(q); popChain(q);
  assert.equal(q.lastAvail, 0);
  q.pushUsed(0, 1); q.pushUsed(0, 2);
  assert.equal(g.usedIdx, 0);
});
