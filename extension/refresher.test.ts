import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Refresher } from './refresher';

/** A source whose answers the test releases one by one, as a debug adapter's would arrive. */
function source() {
  let state = 'running';
  const waiting: (() => void)[] = [];
  const shown: string[] = [];
  const pull = async () => {
    const seen = state; // the answer describes the moment the request was served
    await new Promise<void>((release) => waiting.push(release));
    shown.push(seen);
  };
  return { shown, waiting, pull, set: (s: string) => { state = s; } };
}

test('a refresh asked for during a pull pulls again after it: the last word is the newest', async () => {
  const s = source();
  const r = new Refresher(s.pull);
  const first = r.refresh(); // the 1 Hz poll while running
  s.set('paused');
  void r.refresh(); // the stop, while the first answer is on its way
  void r.refresh(); // and more: they collapse into one
  s.waiting.shift()?.();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(s.waiting.length, 1, 'exactly one more pull');
  s.waiting.shift()?.();
  await first;
  assert.deepEqual(s.shown, ['running', 'paused']);
});

test('refreshes that do not overlap pull once each', async () => {
  const s = source();
  const r = new Refresher(s.pull);
  for (const state of ['running', 'paused']) {
    s.set(state);
    const p = r.refresh();
    s.waiting.shift()?.();
    await p;
  }
  assert.deepEqual(s.shown, ['running', 'paused']);
});
