/**
 * The input queue with a Remote-Port peer's packets: those that entered at a boundary are
 * replayed at their stamps, those handled inside a device's wait are claimed by that wait.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatInput, InputQueue, parseInputLog, StampedInput } from './input-events';

test('peer packets: recorded with their stamp (and wait), parsed back, replayed at the boundary or claimed by their wait', () => {
  const recorded: StampedInput[] = [];
  const live = new InputQueue();
  live.onApplied = (e) => recorded.push(e);
  live.post({ kind: 'peer', device: 'rp0', packet: [0, 0, 0, 5] });
  assert.deepEqual(live.takeDue(2000), [{ kind: 'peer', device: 'rp0', packet: [0, 0, 0, 5] }]);
  live.entered({ kind: 'peer', device: 'rp0', packet: [0, 0, 0, 4], wait: 3 }, 3000);
  const text = recorded.map(formatInput).join('\n');
  assert.equal(text, '{"at":2000,"kind":"peer","device":"rp0","packet":[0,0,0,5]}\n{"at":3000,"kind":"peer","device":"rp0","packet":[0,0,0,4],"wait":3}');

  const log = parseInputLog(text);
  assert.ok(log.ok);
  const q = new InputQueue();
  q.replay(log.value);
  q.entered({ kind: 'peer', device: 'rp0', packet: [9], wait: 1 }, 0);
  assert.equal(q.nextAt(0), 2000, 'the in-wait packet is not a boundary event');
  assert.deepEqual(q.takeDue(1000), []);
  assert.deepEqual(q.claim('rp0', 2), []);
  assert.deepEqual(q.claim('rp0', 3), [[0, 0, 0, 4]]);
  assert.deepEqual(q.claim('rp0', 3), [], 'claimed once');
  assert.deepEqual(q.takeDue(3000), [{ kind: 'peer', device: 'rp0', packet: [0, 0, 0, 5] }]);
  assert.deepEqual(parseInputLog('{"at":1,"kind":"peer","device":"rp0","packet":[300]}'), { ok: false, error: 'line 1: not a console, net, plug or peer event' });
});
