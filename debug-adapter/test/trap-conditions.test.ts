/** Conditions on the Exceptions and Interrupts filters: causes by name or number, modes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTrapCondition } from '../trap-conditions';

test('causes by name, by part of a name and by number; modes to and from', () => {
  assert.deepEqual(parseTrapCondition('', false), {});
  assert.deepEqual(parseTrapCondition('page fault', false), { causes: [12, 13, 15] });
  assert.deepEqual(parseTrapCondition('load page fault to S', false), { causes: [13], to: 1 });
  assert.deepEqual(parseTrapCondition('13, 2', false), { causes: [2, 13] });
  assert.deepEqual(parseTrapCondition('Environment call from U-mode', false), { causes: [8] }, 'a cause name holding "from" is still a name');
  assert.deepEqual(parseTrapCondition('illegal instruction from U to M', false), { causes: [2], from: 0, to: 3 });
  assert.deepEqual(parseTrapCondition('timer or external', true), { causes: [5, 7, 9, 11] });
  assert.deepEqual(parseTrapCondition('to M', true), { to: 3 });
  assert.deepEqual(parseTrapCondition('ecall from S', false), { causes: [8, 9, 11], from: 1 }, 'instruction names as aliases');
});

test('conditions that cannot match say why', () => {
  assert.match(parseTrapCondition('page faults', false) as string, /no exception is called 'page faults'/);
  assert.match(parseTrapCondition('10', false) as string, /exception cause 10 does not exist/);
  assert.match(parseTrapCondition('to U', false) as string, /never taken to U-mode/);
  assert.match(parseTrapCondition('to S to M', true) as string, /'to' is given twice/);
});
