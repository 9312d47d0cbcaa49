/**
 * virtio-gpu and virtio-input through the transport, driven as a guest would: the
 * requests QEMU 7.2 refuses get its error types (the same answers the virtio-gpu guest
 * checks against QEMU itself), formats reach the screen as RGBA, flushes become dirty
 * rectangles, the cursor follows its queue; the input devices' configuration and event
 * delivery. No request, however malformed, throws.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtioMmio } from './mmio';
import { GPU_CMD, GPU_FORMATS, GPU_RESP, VIRTIO_GPU_FLAG_FENCE, VirtioGpu } from './gpu';
import { EV, INPUT_CFG, keyEvents, pointerEvents, VirtioInput } from './input';
import { edidBlock } from './edid';
import { bringUp, F, GuestQueue, makeRam, R, RAM_BASE, rd, wr } from './test-driver';

const CMD = RAM_BASE + 0x10000, RESP = RAM_BASE + 0x20000, FB = RAM_BASE + 0x40000;

function gpuRig() {
  const ram = makeRam(2 << 20);
  const logs: string[] = [];
  const gpu = new VirtioGpu(ram);
  const t = new VirtioMmio('virtio7', ram, gpu, () => undefined, (l) => logs.push(l));
  const ctrl = new GuestQueue(ram, 8, RAM_BASE + 0x1000), cursor = new GuestQueue(ram, 8, RAM_BASE + 0x3000);
  bringUp(t, [ctrl, cursor]);
  const dv = ram.dv;
  /** Send a command (header fields then u32 payload words); returns [response type, used length]. */
  const send = (type: number, words: number[], opts: { flags?: number; fence?: number; respLen?: number; cmdLen?: number } = {}) => {
    const o = CMD - RAM_BASE;
    dv.setUint32(o, type, true); dv.setUint32(o + 4, opts.flags ?? 0, true);
    dv.setUint32(o + 8, opts.fence ?? 0, true); dv.setUint32(o + 12, 0, true); dv.setUint32(o + 16, 7, true); dv.setUint32(o + 20, 0, true);
    words.forEach((w, i) => dv.setUint32(o + 24 + 4 * i, w >>> 0, true));
    ram.u8.fill(0xee, RESP - RAM_BASE, RESP - RAM_BASE + 2048);
    const respLen = opts.respLen ?? 2048;
    ctrl.setDesc(0, CMD, opts.cmdLen ?? 24 + 4 * words.length, respLen > 0 ? F.NEXT : 0, 1);
    ctrl.setDesc(1, RESP, respLen, F.WRITE);
    const before = ctrl.usedIdx;
    ctrl.offer(0);
    wr(t, R.QueueNotify, 0);
    assert.equal(ctrl.usedIdx, (before + 1) & 0xffff, 'the request was used');
    return [dv.getUint32(RESP - RAM_BASE, true), ctrl.usedElem(before).len] as const;
  };
  const type = (cmd: number, words: number[]) => send(cmd, words)[0];
  const setup = (id: number, format: number, w: number, h: number, fill: (x: number, y: number) => number[]) => {
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) ram.u8.set(fill(x, y), FB - RAM_BASE + (y * w + x) * 4);
    assert.equal(type(GPU_CMD.RESOURCE_CREATE_2D, [id, format, w, h]), GPU_RESP.OK_NODATA);
    assert.equal(type(GPU_CMD.RESOURCE_ATTACH_BACKING, [id, 1, FB, 0, w * h * 4, 0]), GPU_RESP.OK_NODATA);
    assert.equal(type(GPU_CMD.TRANSFER_TO_HOST_2D, [0, 0, w, h, 0, 0, id, 0]), GPU_RESP.OK_NODATA);
  };
  const cursorCmd = (words: number[]) => {
    const o = CMD - RAM_BASE;
    words.forEach((w, i) => dv.setUint32(o + 4 * i, w >>> 0, true));
    cursor.setDesc(0, CMD, 56, 0);
    cursor.offer(0);
    wr(t, R.QueueNotify, 1);
  };
  return { ram, gpu, t, logs, send, type, setup, cursorCmd, cursor };
}

test('display info, EDID and config space as QEMU 7.2 offers them', () => {
  const r = gpuRig();
  assert.ok(r.t.negotiated(1), 'VIRTIO_GPU_F_EDID');
  assert.deepEqual([r.t.read(R.Config + 8, 4), r.t.read(R.Config + 12, 4)], [1, 0], 'num_scanouts 1, num_capsets 0');
  const [type, len] = r.send(GPU_CMD.GET_DISPLAY_INFO, []);
  assert.deepEqual([type, len], [GPU_RESP.OK_DISPLAY_INFO, 24 + 16 * 24]);
  const at = (i: number) => r.ram.dv.getUint32(RESP - RAM_BASE + 24 + 4 * i, true);
  assert.deepEqual([at(0), at(1), at(2), at(3), at(4)], [0, 0, 1280, 800, 1]);
  const [etype, elen] = r.send(GPU_CMD.GET_EDID, [0, 0]);
  assert.deepEqual([etype, elen], [GPU_RESP.OK_EDID, 24 + 8 + 1024]);
  assert.equal(r.ram.dv.getUint32(RESP - RAM_BASE + 24, true), 1024, 'QEMU gives the whole array\'s size');
  assert.equal(r.type(GPU_CMD.GET_EDID, [1, 0]), GPU_RESP.ERR_INVALID_PARAMETER);
  // The host display resized: a display event, cleared by writing its bit to events_clear.
  wr(r.t, R.InterruptACK, rd(r.t, R.InterruptStatus));
  assert.equal(r.gpu.resizeDisplay(1280, 800), false, 'the same size is no event');
  assert.deepEqual([r.t.read(R.Config, 4), rd(r.t, R.InterruptStatus)], [0, 0]);
  assert.equal(r.gpu.resizeDisplay(1024, 768), true);
  assert.equal(r.t.read(R.Config, 4), 1, 'events_read: VIRTIO_GPU_EVENT_DISPLAY');
  assert.equal(rd(r.t, R.InterruptStatus), 3, 'a config change interrupt, with both bits as QEMU sets them');
  r.t.write(R.Config + 4, 4, 1);
  assert.equal(r.t.read(R.Config, 4), 0);
  r.send(GPU_CMD.GET_DISPLAY_INFO, []);
  assert.deepEqual([at(2), at(3), at(4)], [1024, 768, 1]);
  r.send(GPU_CMD.GET_EDID, [0, 0]);
  const edid = r.ram.u8.subarray(RESP - RAM_BASE + 32, RESP - RAM_BASE + 32 + 1024);
  assert.deepEqual(Array.from(edid), Array.from(edidBlock(1024, 768)), 'the EDID of the new size');
});

test('EDID: each block sums to 0; the preferred mode is the display size, in a DisplayID block from 4096 on', () => {
  for (const [w, h] of [[1280, 800], [1024, 768], [4095, 2160], [4096, 2160], [8192, 8192], [16, 16]]) {
    const e = edidBlock(w, h);
    assert.equal(e.length, 1024);
    assert.deepEqual(Array.from(e.subarray(0, 8)), [0, 255, 255, 255, 255, 255, 255, 0]);
    const blocks = e[126] + 1;
    assert.equal(blocks, w >= 4096 || h >= 4096 ? 3 : 2, `${w}x${h}: extension blocks`);
    for (let b = 0; b < blocks; b++) assert.equal(e.subarray(128 * b, 128 * b + 128).reduce((s, x) => s + x, 0) % 256, 0, `${w}x${h}: block ${b} checksum`);
    assert.ok(e.subarray(128 * blocks).every((x) => x === 0), 'nothing after the blocks');
    if (blocks === 2) assert.deepEqual([e[56] | ((e[58] & 0xf0) << 4), e[59] | ((e[61] & 0xf0) << 4)], [w, h]);
    else assert.deepEqual([e[268] | (e[269] << 8), e[276] | (e[277] << 8)], [w - 1, h - 1], 'DisplayID type I timing');
  }
});

test('bad requests get the error QEMU 7.2 sends, and a log line', () => {
  const r = gpuRig();
  r.setup(1, 2, 32, 32, () => [1, 2, 3, 4]);
  const E = GPU_RESP;
  const cases: [string, number, number[], number][] = [
    ['resource id 0', GPU_CMD.RESOURCE_CREATE_2D, [0, 2, 16, 16], E.ERR_INVALID_RESOURCE_ID],
    ['existing id', GPU_CMD.RESOURCE_CREATE_2D, [1, 2, 16, 16], E.ERR_INVALID_RESOURCE_ID],
    ['unknown format', GPU_CMD.RESOURCE_CREATE_2D, [2, 999, 16, 16], E.ERR_INVALID_PARAMETER],
    ['256 MiB', GPU_CMD.RESOURCE_CREATE_2D, [2, 2, 8192, 8192], E.ERR_OUT_OF_MEMORY],
    // QEMU's 32-bit size wraps to 0 here and it tries to allocate 16 GiB; we refuse.
    ['65536 x 65536', GPU_CMD.RESOURCE_CREATE_2D, [2, 2, 65536, 65536], E.ERR_OUT_OF_MEMORY],
    ['attach to unknown', GPU_CMD.RESOURCE_ATTACH_BACKING, [9, 1, FB, 0, 64, 0], E.ERR_INVALID_RESOURCE_ID],
    ['attach twice', GPU_CMD.RESOURCE_ATTACH_BACKING, [1, 1, FB, 0, 64, 0], E.ERR_UNSPEC],
    ['transfer outside', GPU_CMD.TRANSFER_TO_HOST_2D, [30, 0, 3, 1, 0, 0, 1, 0], E.ERR_INVALID_PARAMETER],
    ['transfer x + width wraps', GPU_CMD.TRANSFER_TO_HOST_2D, [1, 0, 0xffffffff, 1, 0, 0, 1, 0], E.ERR_INVALID_PARAMETER],
    ['transfer unknown', GPU_CMD.TRANSFER_TO_HOST_2D, [0, 0, 1, 1, 0, 0, 9, 0], E.ERR_INVALID_RESOURCE_ID],
    ['scanout 1', GPU_CMD.SET_SCANOUT, [0, 0, 32, 32, 1, 1], E.ERR_INVALID_SCANOUT_ID],
    ['scanout 0xffffffff off', GPU_CMD.SET_SCANOUT, [0, 0, 0, 0, 0xffffffff, 0], E.ERR_INVALID_SCANOUT_ID],
    ['scanout 15 x 32', GPU_CMD.SET_SCANOUT, [0, 0, 15, 32, 0, 1], E.ERR_INVALID_PARAMETER],
    ['scanout outside', GPU_CMD.SET_SCANOUT, [1, 0, 32, 32, 0, 1], E.ERR_INVALID_PARAMETER],
    ['flush outside', GPU_CMD.RESOURCE_FLUSH, [0, 31, 32, 2, 1, 0], E.ERR_INVALID_PARAMETER],
    ['flush unknown', GPU_CMD.RESOURCE_FLUSH, [0, 0, 1, 1, 9, 0], E.ERR_INVALID_RESOURCE_ID],
    ['unref unknown', GPU_CMD.RESOURCE_UNREF, [9, 0], E.ERR_INVALID_RESOURCE_ID],
    ['detach unknown', GPU_CMD.RESOURCE_DETACH_BACKING, [9, 0], E.ERR_INVALID_RESOURCE_ID],
    ['unknown command', 0x1ff, [], E.ERR_UNSPEC],
    ['3D command', 0x200, [0, 0], E.ERR_UNSPEC],
  ];
  for (const [name, cmd, words, want] of cases) {
    const before = r.logs.length;
    assert.equal(r.type(cmd, words), want, name);
    assert.ok(r.logs.length > before, `${name}: logged`);
  }
  // Backing: outside RAM, straddling its end, empty, more entries than sent, too many.
  assert.equal(r.type(GPU_CMD.RESOURCE_CREATE_2D, [4, 2, 16, 16]), E.OK_NODATA);
  const top = RAM_BASE + (2 << 20);
  for (const [name, words] of [
    ['outside RAM', [4, 1, 0, 1, 64, 0]],
    ['straddling the end of RAM', [4, 1, top - 32, 0, 64, 0]],
    ['address + length past 2^64', [4, 1, 0xffffffff, 0xffffffff, 0xffffffff, 0]],
    ['an empty entry', [4, 2, FB, 0, 64, 0, FB, 0, 0, 0]],
    ['entries missing', [4, 3, FB, 0, 64, 0]],
    ['20000 entries', [4, 20000]],
  ] as const) assert.equal(r.type(GPU_CMD.RESOURCE_ATTACH_BACKING, [...words]), E.ERR_UNSPEC, name);
  assert.equal(r.type(GPU_CMD.TRANSFER_TO_HOST_2D, [0, 0, 16, 16, 0, 0, 4, 0]), E.ERR_UNSPEC, 'transfer without backing');
  assert.equal(r.type(GPU_CMD.SET_SCANOUT, [0, 0, 16, 16, 0, 4]), E.ERR_UNSPEC, 'scanout without backing');
  assert.equal(r.type(GPU_CMD.RESOURCE_DETACH_BACKING, [4, 0]), E.ERR_UNSPEC, 'detach without backing');
  assert.equal(r.type(GPU_CMD.RESOURCE_FLUSH, [0, 0, 16, 16, 4, 0]), E.OK_NODATA, 'flush needs no backing');
  assert.ok(r.t.live, 'none of it broke the device');
});

test('framing: fences echoed, short commands skipped as QEMU does, short response buffers, no header', () => {
  const r = gpuRig();
  const [type] = r.send(GPU_CMD.GET_DISPLAY_INFO, [], { flags: VIRTIO_GPU_FLAG_FENCE, fence: 0x1234 });
  assert.equal(type, GPU_RESP.OK_DISPLAY_INFO);
  const dv = r.ram.dv, o = RESP - RAM_BASE;
  assert.deepEqual([dv.getUint32(o + 4, true), dv.getUint32(o + 8, true), dv.getUint32(o + 16, true)], [VIRTIO_GPU_FLAG_FENCE, 0x1234, 7]);
  // RESOURCE_CREATE_2D cut to 30 bytes: QEMU 7.2 ignores it and answers OK_NODATA.
  assert.deepEqual(r.send(GPU_CMD.RESOURCE_CREATE_2D, [1, 2, 16, 16], { cmdLen: 30 }), [GPU_RESP.OK_NODATA, 24]);
  assert.equal(r.type(GPU_CMD.RESOURCE_UNREF, [1, 0]), GPU_RESP.ERR_INVALID_RESOURCE_ID, 'nothing was created');
  // A display-info answer into 100 bytes: cut, used length says so.
  assert.deepEqual(r.send(GPU_CMD.GET_DISPLAY_INFO, [], { respLen: 100 }), [GPU_RESP.OK_DISPLAY_INFO, 100]);
  // No response buffer at all, and a header of 10 bytes: the chain comes back unanswered.
  assert.equal(r.send(GPU_CMD.GET_DISPLAY_INFO, [], { respLen: 0 })[1], 0);
  assert.equal(r.send(GPU_CMD.GET_DISPLAY_INFO, [], { cmdLen: 10 })[1], 0);
  assert.ok(r.t.live);
});

test('every format reaches the screen as RGBA; scanout sub-rectangles and transfers with offsets', () => {
  for (const [code, f] of Object.entries(GPU_FORMATS)) {
    const r = gpuRig();
    const pixel = (x: number, y: number) => { const p = [0, 0, 0, 0]; p[f.r] = x; p[f.g] = y; p[f.b] = 0x77; if (f.a >= 0) p[f.a] = 0x10; return p; };
    r.setup(1, Number(code), 32, 20, pixel);
    assert.equal(r.gpu.width, 0, 'nothing shown before SET_SCANOUT');
    assert.equal(r.type(GPU_CMD.SET_SCANOUT, [4, 2, 16, 16, 0, 1]), GPU_RESP.OK_NODATA);
    assert.deepEqual([r.gpu.width, r.gpu.height], [16, 16]);
    assert.deepEqual(Array.from(r.gpu.pixels({ x: 1, y: 3, width: 1, height: 1 })), [5, 5, 0x77, 255], f.name);
  }
  const r = gpuRig();
  r.setup(1, 1, 32, 20, () => [0, 0, 0, 0]);
  r.ram.u8.fill(0x99, FB - RAM_BASE, FB - RAM_BASE + 32 * 20 * 4);
  // Rows 2-3, columns 4-5, read from the backing at offset 2 * stride + 4 * 4 (QEMU's row stride).
  assert.equal(r.type(GPU_CMD.TRANSFER_TO_HOST_2D, [4, 2, 2, 2, 2 * 128 + 16, 0, 1, 0]), GPU_RESP.OK_NODATA);
  assert.equal(r.type(GPU_CMD.SET_SCANOUT, [0, 0, 32, 20, 0, 1]), GPU_RESP.OK_NODATA);
  const px = r.gpu.pixels();
  const at = (x: number, y: number) => px[(y * 32 + x) * 4];
  assert.deepEqual([at(4, 2), at(5, 3), at(3, 2), at(6, 2), at(4, 1), at(4, 4)], [0x99, 0x99, 0, 0, 0, 0]);
  // An offset past the backing's end copies nothing and is not an error (QEMU's iov_to_buf).
  assert.equal(r.type(GPU_CMD.TRANSFER_TO_HOST_2D, [0, 0, 32, 1, 0xfffffff0, 0, 1, 0]), GPU_RESP.OK_NODATA);
});

test('flushes become dirty rectangles in scanout coordinates; a new scanout is all dirty', () => {
  const r = gpuRig();
  r.setup(1, 2, 64, 64, () => [0, 0, 0, 0]);
  assert.deepEqual(r.gpu.takeDirty(), []);
  const gen = r.gpu.generation;
  r.type(GPU_CMD.SET_SCANOUT, [16, 16, 32, 32, 0, 1]);
  assert.ok(r.gpu.generation > gen);
  assert.deepEqual(r.gpu.takeDirty(), [{ x: 0, y: 0, width: 32, height: 32 }]);
  r.type(GPU_CMD.RESOURCE_FLUSH, [0, 0, 20, 20, 1, 0]);
  r.type(GPU_CMD.RESOURCE_FLUSH, [40, 40, 24, 24, 1, 0]);
  r.type(GPU_CMD.RESOURCE_FLUSH, [0, 0, 8, 8, 1, 0]); // not on screen
  assert.deepEqual(r.gpu.takeDirty(), [{ x: 0, y: 0, width: 4, height: 4 }, { x: 24, y: 24, width: 8, height: 8 }]);
  assert.deepEqual(r.gpu.takeDirty(), []);
  for (let i = 0; i < 100; i++) r.type(GPU_CMD.RESOURCE_FLUSH, [16 + (i % 30), 16, 1, 1, 1, 0]);
  assert.ok(r.gpu.takeDirty().length <= 64, 'bounded');
  // Unref of the shown resource turns the screen off, as QEMU's does.
  assert.equal(r.type(GPU_CMD.RESOURCE_UNREF, [1, 0]), GPU_RESP.OK_NODATA);
  assert.deepEqual([r.gpu.width, r.gpu.pixels().length], [0, 0]);
  // Reset forgets everything.
  r.setup(2, 2, 16, 16, () => [0, 0, 0, 0]);
  r.type(GPU_CMD.SET_SCANOUT, [0, 0, 16, 16, 0, 2]);
  wr(r.t, R.Status, 0);
  assert.equal(r.gpu.width, 0);
});

test('cursor queue: UPDATE_CURSOR takes a 64x64 image and hot spot, MOVE_CURSOR moves it, nothing is written back', () => {
  const r = gpuRig();
  r.setup(3, 1, 64, 64, (x, y) => [x, y, 0x80, 0xcc]);
  r.cursorCmd([GPU_CMD.UPDATE_CURSOR, 0, 0, 0, 0, 0, 0, 100, 50, 0, 3, 1, 2, 0]);
  assert.deepEqual(r.cursor.usedElem(0), { id: 0, len: 0 });
  const c = r.gpu.cursor;
  assert.ok(c !== null);
  assert.deepEqual([c.x, c.y, c.hotX, c.hotY, c.visible, c.imageVersion], [100, 50, 1, 2, true, 1]);
  assert.deepEqual(Array.from(c.image.subarray((2 * 64 + 5) * 4, (2 * 64 + 5) * 4 + 4)), [0x80, 2, 5, 0xcc], 'BGRA to RGBA');
  r.cursorCmd([GPU_CMD.MOVE_CURSOR, 0, 0, 0, 0, 0, 0, 120, 60, 0, 3, 0, 0, 0]);
  assert.deepEqual([c.x, c.y, c.visible, c.imageVersion], [120, 60, true, 1]);
  r.cursorCmd([GPU_CMD.MOVE_CURSOR, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]);
  assert.equal(c.visible, false, 'QEMU hides the cursor when a command names no resource');
  r.cursorCmd([GPU_CMD.UPDATE_CURSOR, 0, 0, 0, 0, 0, 5, 1, 1, 0, 3, 0, 0, 0]);
  assert.deepEqual([c.x, c.y], [1, 1], 'scanout 5: ignored');
  r.setup(4, 1, 32, 32, () => [0, 0, 0, 0]);
  r.cursorCmd([GPU_CMD.UPDATE_CURSOR, 0, 0, 0, 0, 0, 0, 2, 2, 0, 4, 0, 0, 0]);
  assert.equal(c.imageVersion, 1, 'a 32x32 resource leaves the image');
});

function inputRig(kind: 'keyboard' | 'tablet', buffers = 4) {
  const ram = makeRam();
  const logs: string[] = [];
  const dev = new VirtioInput(kind);
  const t = new VirtioMmio('virtio6', ram, dev, () => undefined, (l) => logs.push(l));
  const ev = new GuestQueue(ram, 8, RAM_BASE + 0x1000), st = new GuestQueue(ram, 8, RAM_BASE + 0x3000);
  bringUp(t, [ev, st]);
  for (let i = 0; i < buffers; i++) { ev.setDesc(i, RAM_BASE + 0x8000 + 8 * i, 8, F.WRITE); ev.offer(i); }
  const select = (sel: number, sub: number) => {
    t.write(R.Config, 1, sel); t.write(R.Config + 1, 1, sub);
    const n = t.read(R.Config + 2, 1);
    return Array.from({ length: n }, (_, i) => t.read(R.Config + 8 + i, 1));
  };
  const event = (i: number) => { const o = 0x8000 + 8 * (i % 8); return [ram.dv.getUint16(o, true), ram.dv.getUint16(o + 2, true), ram.dv.getInt32(o + 4, true)]; };
  return { ram, t, dev, ev, st, select, event, logs };
}

test('virtio-input configuration: QEMU 7.2\'s keyboard and tablet', () => {
  const k = inputRig('keyboard');
  assert.equal(Buffer.from(k.select(INPUT_CFG.ID_NAME, 0)).toString('latin1'), 'QEMU Virtio Keyboard\0');
  assert.deepEqual(k.select(INPUT_CFG.ID_SERIAL, 0), []);
  assert.deepEqual(k.select(INPUT_CFG.ID_DEVIDS, 0), [6, 0, 0x27, 6, 1, 0, 1, 0]);
  assert.deepEqual(k.select(INPUT_CFG.PROP_BITS, 0), []);
  assert.equal(k.select(INPUT_CFG.EV_BITS, EV.KEY).length, 29);
  assert.deepEqual(k.select(INPUT_CFG.EV_BITS, EV.LED), [7]);
  assert.deepEqual(k.select(INPUT_CFG.EV_BITS, EV.REP), [0]);
  assert.deepEqual(k.select(INPUT_CFG.EV_BITS, EV.ABS), []);
  assert.equal(rd(k.t, R.InterruptStatus) & 2, 2, 'a new selection is a config change, as on QEMU');
  const t = inputRig('tablet');
  assert.equal(Buffer.from(t.select(INPUT_CFG.ID_NAME, 0)).toString('latin1'), 'QEMU Virtio Tablet\0');
  assert.deepEqual(t.select(INPUT_CFG.ID_DEVIDS, 0), [6, 0, 0x27, 6, 3, 0, 2, 0]);
  assert.deepEqual(t.select(INPUT_CFG.EV_BITS, EV.ABS), [3]);
  assert.deepEqual(t.select(INPUT_CFG.EV_BITS, EV.REL), [0, 1]);
  const keys = t.select(INPUT_CFG.EV_BITS, EV.KEY);
  assert.deepEqual([keys.length, keys[34], keys[42]], [43, 0x1f, 3]);
  assert.deepEqual(t.select(INPUT_CFG.ABS_INFO, 1), [0, 0, 0, 0, 0xff, 0x7f, 0, 0, ...new Array(12).fill(0)]);
  assert.deepEqual(t.select(INPUT_CFG.ABS_INFO, 2), []);
  assert.deepEqual(t.select(0xff, 0xff), []);
});

test('virtio-input events: one per buffer, in order; the rest wait for buffers, none dropped', () => {
  const k = inputRig('keyboard', 4);
  k.dev.push(keyEvents(30, true));
  k.dev.push(keyEvents(30, false));
  k.dev.push(keyEvents(48, true));
  k.t.poll();
  assert.equal(k.ev.usedIdx, 4);
  assert.deepEqual([0, 1, 2, 3].map(k.event), [[1, 30, 1], [0, 0, 0], [1, 30, 0], [0, 0, 0]]);
  assert.equal(k.dev.waiting, 2);
  for (let i = 4; i < 8; i++) { k.ev.setDesc(i, RAM_BASE + 0x8000 + 8 * i, 8, F.WRITE); k.ev.offer(i); }
  wr(k.t, R.QueueNotify, 0);
  assert.equal(k.ev.usedIdx, 6);
  assert.deepEqual([4, 5].map(k.event), [[1, 48, 1], [0, 0, 0]]);
  // Status queue: the guest's LED event is taken, nothing written back.
  k.ram.dv.setUint16(0x9000, EV.LED, true); k.ram.dv.setUint16(0x9002, 1, true); k.ram.dv.setUint32(0x9004, 1, true);
  k.st.setDesc(0, RAM_BASE + 0x9000, 8, 0); k.st.offer(0);
  wr(k.t, R.QueueNotify, 1);
  assert.deepEqual([k.st.usedElem(0), k.dev.status[0]], [{ id: 0, len: 0 }, [EV.LED, 1, 1]]);
  const t = inputRig('tablet', 8);
  t.dev.push(pointerEvents(100, 40000, [{ code: 0x110, down: true }]));
  t.t.poll();
  assert.deepEqual([0, 1, 2, 3].map(t.event), [[3, 0, 100], [3, 1, 0x7fff], [1, 0x110, 1], [0, 0, 0]]);
  // A buffer too small for an event: that event is dropped with a log line, the device goes on.
  const s = inputRig('keyboard', 0);
  s.ev.setDesc(0, RAM_BASE + 0x8000, 4, F.WRITE); s.ev.offer(0);
  s.dev.push(keyEvents(2, true));
  s.t.poll();
  assert.ok(s.logs.some((l) => /shorter than 8/.test(l)) && s.t.live);
});
