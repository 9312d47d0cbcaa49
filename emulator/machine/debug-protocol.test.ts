/** The worker checks what arrives against the machine's own limits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRequest } from './debug-protocol';
import { MAX_HARTS } from './description';

test('hart numbers and launch hart counts are bounded by MAX_HARTS', () => {
  const launch = (harts: number) => checkRequest({
    id: 1, type: 'launch', params: { bios: 'none', xlen: 64, harts, memoryBytes: 1 << 27, stepInterrupts: false },
  });
  assert.equal(launch(MAX_HARTS).ok, true);
  assert.deepEqual(launch(MAX_HARTS + 1), { ok: false, error: 'launch: bad params.harts' });
  assert.equal(checkRequest({ id: 2, type: 'readRegisters', hart: MAX_HARTS - 1 }).ok, true);
  assert.deepEqual(checkRequest({ id: 3, type: 'readRegisters', hart: MAX_HARTS }), { ok: false, error: 'readRegisters: bad hart' });
});

test('screen requests: input events are bounded evdev triples for the keyboard or tablet; the display size within limits', () => {
  const input = (device: unknown, events: unknown) => checkRequest({ id: 4, type: 'inputEvents', device, events });
  assert.equal(input('keyboard', [1, 30, 1, 0, 0, 0]).ok, true);
  assert.equal(input('tablet', [2, 8, -1]).ok, true);
  const bad = { ok: false, error: 'inputEvents: bad events (at most 256 [type, code, value] triples)' };
  for (const events of [[1, 2], [0x10000, 0, 0], [1, 2, 2 ** 32], [1, 2, 0.5], new Array(3 * 257).fill(0), 'x']) assert.deepEqual(input('keyboard', events), bad);
  assert.deepEqual(input('mouse', []), { ok: false, error: 'inputEvents: bad device' });
  assert.equal(checkRequest({ id: 5, type: 'screen' }).ok, true);
  const launch = (display: unknown) => checkRequest({
    id: 6, type: 'launch', params: { bios: 'none', xlen: 64, harts: 1, memoryBytes: 1 << 27, stepInterrupts: false, virtio: { drives: [], nets: [], console: 'uart', display } },
  });
  assert.equal(launch({ width: 1024, height: 768 }).ok, true);
  for (const d of [{ width: 8, height: 8 }, { width: 1024 }, 'big']) assert.deepEqual(launch(d), { ok: false, error: 'launch: bad params.virtio.display' });
  const size = (width: unknown, height: unknown) => checkRequest({ id: 7, type: 'screenSize', width, height });
  assert.equal(size(16, 8192).ok, true);
  assert.deepEqual(size(15, 600), { ok: false, error: 'screenSize: bad width (16 to 8192)' });
  assert.deepEqual(size(800, 600.5), { ok: false, error: 'screenSize: bad height (16 to 8192)' });
  assert.deepEqual(size(800, undefined), { ok: false, error: 'screenSize: bad height (16 to 8192)' });
});
