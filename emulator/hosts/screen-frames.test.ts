/**
 * Frames for a screen panel from a real virtio-gpu: the scanout whole when it is set,
 * then only flushed rectangles, no more than one every 30 ms (QEMU's display refresh) (a held-back change says how
 * long to wait), the cursor when it moved, nothing when nothing changed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtioMmio } from '../devices/virtio/mmio';
import { GPU_CMD, VirtioGpu } from '../devices/virtio/gpu';
import { bringUp, F, GuestQueue, makeRam, R, RAM_BASE, wr } from '../devices/virtio/test-driver';
import { png, pngNow, REFRESH_MS, ScreenFrames } from './screen-frames';
import { decodePng } from '../test/images';

function rig() {
  const ram = makeRam(1 << 20);
  const gpu = new VirtioGpu(ram);
  const t = new VirtioMmio('virtio7', ram, gpu, () => undefined, () => undefined);
  const ctrl = new GuestQueue(ram, 8, RAM_BASE + 0x1000), cursor = new GuestQueue(ram, 8, RAM_BASE + 0x3000);
  bringUp(t, [ctrl, cursor]);
  const CMD = RAM_BASE + 0x10000, RESP = RAM_BASE + 0x20000, FB = RAM_BASE + 0x40000;
  const send = (q: GuestQueue, qi: number, words: number[]) => {
    words.forEach((w, i) => ram.dv.setUint32(CMD - RAM_BASE + 4 * i, w >>> 0, true));
    q.setDesc(0, CMD, 4 * words.length, qi === 0 ? F.NEXT : 0, 1);
    q.setDesc(1, RESP, 64, F.WRITE);
    q.offer(0);
    wr(t, R.QueueNotify, qi);
  };
  const cmd = (type: number, payload: number[]) => send(ctrl, 0, [type, 0, 0, 0, 0, 0, ...payload]);
  cmd(GPU_CMD.RESOURCE_CREATE_2D, [1, 1, 64, 48]);
  ram.u8.fill(0x40, FB - RAM_BASE, FB - RAM_BASE + 64 * 48 * 4);
  cmd(GPU_CMD.RESOURCE_ATTACH_BACKING, [1, 1, FB, 0, 64 * 48 * 4, 0]);
  cmd(GPU_CMD.TRANSFER_TO_HOST_2D, [0, 0, 64, 48, 0, 0, 1, 0]);
  return { gpu, cmd, cursorCmd: (words: number[]) => send(cursor, 1, words) };
}

test('a whole frame for a new scanout, then flushed rectangles at most every 30 ms, nothing when idle', async () => {
  const r = rig();
  const frames = new ScreenFrames(r.gpu);
  assert.deepEqual(frames.next(0), { frame: null, waitMs: 0 }, 'nothing shown yet: no frame');
  r.cmd(GPU_CMD.SET_SCANOUT, [0, 0, 64, 48, 0, 1]);
  const first = frames.next(1000).frame;
  assert.ok(first !== null && first.full);
  const whole = first.rects[0];
  assert.deepEqual([first.width, first.height, first.rects.length, whole.width, whole.height, whole.rgba.length, whole.rgba[0], whole.rgba[3]], [64, 48, 1, 64, 48, 64 * 48 * 4, 0x40, 255]);
  const sent = decodePng(Buffer.from(pngNow(first).rects[0].png));
  assert.deepEqual([sent.width, sent.height, sent.rgb[0]], [64, 48, 0x40], 'sent as PNG');
  assert.deepEqual(frames.next(1001), { frame: null, waitMs: 0 }, 'idle: nothing');
  r.cmd(GPU_CMD.RESOURCE_FLUSH, [8, 8, 4, 2, 1, 0]);
  // The whole screen asked for meanwhile (a screenshot) takes nothing from the panel's stream.
  assert.deepEqual([frames.whole().full, frames.whole().rects[0].width], [true, 64]);
  const held = frames.next(1010);
  assert.equal(held.frame, null);
  assert.ok(Math.abs(held.waitMs - (REFRESH_MS - 10)) < 1e-9, `wait ${held.waitMs}`);
  const due = frames.next(1040).frame;
  assert.ok(due !== null && !due.full);
  assert.deepEqual(due.rects.map((x) => [x.x, x.y, x.width, x.height, x.rgba.length]), [[8, 8, 4, 2, 4 * 2 * 4]]);
  const deflated = await png(due);
  assert.deepEqual(deflated.rects.map((x) => [x.x, x.y, x.width, x.height, decodePng(Buffer.from(x.png)).rgb.length]), [[8, 8, 4, 2, 4 * 2 * 3]]);
  assert.equal(due.cursor, null);
  // On a beat: that frame went 10 ms late, the next is due 30 ms after it was due (1060), not after it went (1070).
  r.cmd(GPU_CMD.RESOURCE_FLUSH, [0, 0, 2, 2, 1, 0]);
  assert.equal(frames.next(1065).frame?.rects.length, 1);
  // At a stop (Infinity) what is pending goes at once, throttle or not, and the clock is not moved.
  r.cmd(GPU_CMD.RESOURCE_FLUSH, [0, 0, 1, 1, 1, 0]);
  assert.equal(frames.next(Infinity).frame?.rects.length, 1);
  r.cmd(GPU_CMD.RESOURCE_FLUSH, [0, 0, 1, 1, 1, 0]);
  assert.equal(frames.next(1100).frame?.rects.length, 1, 'frames go on after a stop');
});

test('the cursor: sent when it moves, its image only when it changes', () => {
  const r = rig();
  const frames = new ScreenFrames(r.gpu);
  r.cmd(GPU_CMD.RESOURCE_CREATE_2D, [2, 1, 64, 64]);
  r.cmd(GPU_CMD.RESOURCE_ATTACH_BACKING, [2, 1, RAM_BASE + 0x40000, 0, 64 * 64 * 4, 0]);
  r.cursorCmd([GPU_CMD.UPDATE_CURSOR, 0, 0, 0, 0, 0, 0, 10, 20, 0, 2, 3, 4, 0]);
  const a = frames.next(0).frame;
  assert.ok(a !== null && a.cursor !== null);
  assert.deepEqual([a.rects.length, a.cursor.x, a.cursor.y, a.cursor.hotX, a.cursor.image?.length], [0, 10, 20, 3, 64 * 64 * 4]);
  r.cursorCmd([GPU_CMD.MOVE_CURSOR, 0, 0, 0, 0, 0, 0, 11, 21, 0, 2, 0, 0, 0]);
  const b = frames.next(100).frame;
  assert.ok(b !== null && b.cursor !== null);
  assert.deepEqual([b.cursor.x, b.cursor.y, b.cursor.image], [11, 21, undefined]);
  assert.equal(frames.next(200).frame, null);
  assert.ok(frames.whole().cursor?.image !== undefined, 'a whole frame carries the image');
  assert.equal(frames.next(300).frame, null, 'and asking for it sends nothing more to the panel');
});
