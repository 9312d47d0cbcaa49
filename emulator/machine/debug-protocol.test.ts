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
