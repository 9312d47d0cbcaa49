import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatFieldValue, formatRegisterValue, maxValueForBits, parseRegisterValue } from './register-value';

test('register values are hex padded to their width; unknown values are a dash', () => {
  assert.equal(formatRegisterValue(0x60, 1), '0x60');
  assert.equal(formatRegisterValue(5, 4), '0x00000005');
  assert.equal(formatRegisterValue(-1, 4), '0xffffffff');
  assert.equal(formatRegisterValue('0x0000000100000000', 8), '0x0000000100000000');
  assert.equal(formatRegisterValue(null, 1), '—');
});

test('field values: one bit in decimal, wider in hex, enum names after', () => {
  assert.equal(formatFieldValue(1, [5, 5]), '1');
  assert.equal(formatFieldValue(3, [1, 0], '8 bits'), '0x3 (8 bits)');
});

test('typed values: every base, separators, range checked', () => {
  assert.deepEqual(parseRegisterValue('0x5A', 0xff), { ok: true, value: 0x5a });
  assert.deepEqual(parseRegisterValue(' 0b1010 ', 0xff), { ok: true, value: 10 });
  assert.deepEqual(parseRegisterValue('0o17', 0xff), { ok: true, value: 15 });
  assert.deepEqual(parseRegisterValue('0xdead_beef', maxValueForBits(32)), { ok: true, value: 0xdeadbeef });
  assert.deepEqual(parseRegisterValue('255', 0xff), { ok: true, value: 255 });
  assert.equal(parseRegisterValue('256', 0xff).ok, false);
  assert.equal(parseRegisterValue('0x1g', 0xff).ok, false);
  assert.equal(parseRegisterValue('-1', 0xff).ok, false);
  assert.equal(parseRegisterValue('', 0xff).ok, false);
  assert.equal(maxValueForBits(1), 1);
  assert.equal(maxValueForBits(64), 0xffffffff);
});
