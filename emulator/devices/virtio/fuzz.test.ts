/**
 * Bounded fuzzing of the virtio transport and devices (see fuzz.ts). VIRTIO_FUZZ_ITERS
 * and VIRTIO_FUZZ_SEED change the run; `npm run fuzz:virtio` runs a long one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzVirtio } from './fuzz';

const ITERS = Number(process.env.VIRTIO_FUZZ_ITERS ?? 5000);
const SEED = Number(process.env.VIRTIO_FUZZ_SEED ?? 1);

test(`virtio fuzz: ${ITERS} random and adversarial cases from seed ${SEED}`, (t) => {
  const stats = fuzzVirtio(SEED, ITERS);
  // The figure the README reports for a long run (`npm run fuzz:virtio`).
  t.diagnostic(`${stats.operations} operations, ${stats.requests} notifications, ${stats.used} chains used, ${stats.needsReset} cases left needing reset`);
  assert.ok(stats.needsReset > 0, 'some cases must break a queue, or the fuzzer is too polite');
  assert.ok(stats.requests > ITERS, 'notifications were sent');
  assert.ok(stats.used > ITERS / 10, `devices completed requests (${stats.used})`);
});
