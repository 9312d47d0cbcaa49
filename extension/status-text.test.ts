import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatGuestTime, formatRate } from './status-text';

test('guest time picks a readable unit', () => {
  assert.equal(formatGuestTime(0), '0 ns');
  assert.equal(formatGuestTime(812_000), '812 µs');
  assert.equal(formatGuestTime(1_250_000), '1.250 ms');
  assert.equal(formatGuestTime(3_500_000_000), '3.500 s');
  assert.equal(formatGuestTime(125_000_000_000), '2 min 05 s');
});

test('speed in IPS, kIPS or MIPS', () => {
  assert.equal(formatRate(12), '12 IPS');
  assert.equal(formatRate(850_000), '850 kIPS');
  assert.equal(formatRate(123_440_000), '123.4 MIPS');
});
