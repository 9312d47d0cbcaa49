/**
 * virtioSlots: QEMU's placement of virtio-mmio devices (bus=virtio-mmio-bus.N takes slot
 * N, the rest fill the highest free slots in order) and the one-line errors for a slot
 * asked for twice, a slot the board lacks, or too many devices. emulator/test/virtio.test.ts
 * compares the placement with QEMU's `info qtree`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtioDeviceDescription, virtioSlots } from './description';

const rng = (slot?: number, label?: string): VirtioDeviceDescription => ({ kind: 'rng', ...(slot !== undefined ? { slot } : {}), ...(label !== undefined ? { label } : {}) });

test('without slot= devices fill the slots from the top, in order', () => {
  assert.deepEqual(virtioSlots([rng(), rng(), rng()], 8), { ok: true, value: [7, 6, 5] });
  assert.deepEqual(virtioSlots([], 8), { ok: true, value: [] });
});

test('slot= devices take their slot; the others keep top-down order in the free ones', () => {
  assert.deepEqual(virtioSlots([rng(0)], 8), { ok: true, value: [0] });
  // QEMU: bus.7, plain, bus.3, plain → 7, 6, 3, 5 (info qtree).
  assert.deepEqual(virtioSlots([rng(7), rng(), rng(3), rng()], 8), { ok: true, value: [7, 6, 3, 5] });
  // A plain device before the device asking for the top slot: QEMU refuses ("Bus ... is full"), we place both.
  assert.deepEqual(virtioSlots([rng(), rng(7)], 8), { ok: true, value: [6, 7] });
  assert.deepEqual(virtioSlots([rng(), rng(6), rng(7), rng()], 8), { ok: true, value: [5, 6, 7, 4] });
  assert.deepEqual(virtioSlots(Array.from({ length: 8 }, (_, i) => rng(i === 3 ? 0 : undefined)), 8),
    { ok: true, value: [7, 6, 5, 0, 4, 3, 2, 1] });
});

test('a slot asked for twice, a slot the board lacks, too many devices: one line each', () => {
  assert.deepEqual(virtioSlots([rng(0, "drive 'a.img'"), rng(1), rng(0, 'rng')], 8),
    { ok: false, error: "virtio slot 0 is asked for twice: by drive 'a.img' and by rng" });
  assert.deepEqual(virtioSlots([rng(8, "drive 'a.img'")], 8),
    { ok: false, error: "drive 'a.img' asks for virtio slot 8, but the machine's slots are 0-7" });
  assert.deepEqual(virtioSlots([rng(1)], 1), { ok: false, error: "the rng device asks for virtio slot 1, but the machine's slots are 0" });
  assert.deepEqual(virtioSlots([rng(), rng()], 1),
    { ok: false, error: 'the machine has 1 virtio,mmio slot, but 2 virtio devices were asked for (drives, rng, virtio console, net, display)' });
});
