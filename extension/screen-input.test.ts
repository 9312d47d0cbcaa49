/**
 * The screen panel's input as the guest's virtio keyboard and tablet receive it: key
 * places to Linux key codes, pixels to the tablet's axes as QEMU scales them, buttons and
 * the wheel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayForRoom, displayFromText, keyInput, LINUX_KEYS, pointerInput, wheelInput } from './screen-input';

test('keys: KeyboardEvent.code to Linux key codes, press and release each followed by SYN', () => {
  assert.deepEqual(keyInput('KeyA', true), [1, 30, 1, 0, 0, 0]);
  assert.deepEqual(keyInput('KeyA', false), [1, 30, 0, 0, 0, 0]);
  assert.deepEqual([LINUX_KEYS.Enter, LINUX_KEYS.ControlLeft, LINUX_KEYS.ArrowUp, LINUX_KEYS.MetaLeft, LINUX_KEYS.F12], [28, 29, 103, 125, 88]);
  assert.equal(keyInput('Fn', true), undefined);
  assert.equal(keyInput('toString', true), undefined, 'only the table\'s own keys');
  // Every code is a key QEMU's virtio keyboard announces (its EV_KEY bitmap, virtio/input.ts).
  assert.equal(new Set(Object.values(LINUX_KEYS)).size, Object.keys(LINUX_KEYS).length, 'no two keys share a code');
});

test('pointer: pixels to 0..0x7fff as QEMU scales them; buttons; the wheel', () => {
  assert.deepEqual(pointerInput(0, 0, 320, 200), [3, 0, 0, 3, 1, 0, 0, 0, 0]);
  assert.deepEqual(pointerInput(160, 100, 320, 200), [3, 0, 0x4000, 3, 1, 0x4000, 0, 0, 0]);
  assert.deepEqual(pointerInput(320, 999, 320, 200).slice(0, 6), [3, 0, 0x7fff, 3, 1, 0x7fff]);
  assert.deepEqual(pointerInput(-5, 10, 320, 200).slice(0, 3), [3, 0, 0]);
  assert.deepEqual(pointerInput(1, 1, 320, 200, { button: 0, down: true }).slice(6), [1, 0x110, 1, 0, 0, 0]);
  assert.deepEqual(pointerInput(1, 1, 320, 200, { button: 2, down: false }).slice(6), [1, 0x111, 0, 0, 0, 0]);
  assert.deepEqual(pointerInput(1, 1, 320, 200, { button: 7, down: true }).slice(6), [0, 0, 0], 'a button the tablet lacks: moved only');
  assert.deepEqual(pointerInput(5, 5, 0, 0).slice(0, 6), [3, 0, 0x7fff, 3, 1, 0x7fff], 'no scanout: no division by zero');
  assert.deepEqual(wheelInput(-100), [2, 8, 1, 0, 0, 0]);
  assert.deepEqual(wheelInput(3), [2, 8, -1, 0, 0, 0]);
  assert.deepEqual(wheelInput(0), []);
});

test('the panel\'s room and a typed size as the display size offered: whole pixels, 16 to 8192 a side', () => {
  assert.deepEqual(displayForRoom(1023.7, 600.2), { width: 1023, height: 600 });
  assert.deepEqual(displayForRoom(3, -40), { width: 16, height: 16 }, 'a collapsed panel still offers the smallest display');
  assert.deepEqual(displayForRoom(20000, NaN), { width: 8192, height: 16 });
  assert.deepEqual(displayFromText(' 1024x768 '), { width: 1024, height: 768 });
  for (const bad of ['', '1024', '8x8', '1024x9000', 'wide']) assert.match(displayFromText(bad) as string, /a size WxH, each side from 16 to 8192/, bad);
});
