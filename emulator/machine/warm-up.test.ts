/**
 * The interpreter's warm-up (warm-up.ts): it must really execute every instruction of an
 * XLEN (a filled-in register field that clobbered an encoding's fixed bits would run
 * another instruction, or an illegal one, and leave that case without feedback), and it
 * must run to the end on both XLENs without touching anything but its scratch machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findEncoding } from '../hart/decode';
import { ENCODINGS } from '../hart/isa-table';
import { instructionWords, warmUpInterpreter } from './warm-up';

for (const xlen of [32, 64] as const) {
  test(`rv${xlen}: the warm-up's words decode to every instruction of the XLEN, one each`, () => {
    const words = instructionWords(xlen);
    for (const { op, word } of words) {
      const found = findEncoding(word, xlen);
      assert.equal(found?.op, op, `${ENCODINGS.find((e) => e.op === op)?.name}: 0x${(word >>> 0).toString(16)} decodes to ${found?.name ?? 'nothing'}`);
    }
    const all = new Set(ENCODINGS.filter((e) => e.xlens.includes(xlen) && (e.match & 3) === 3).map((e) => e.op));
    assert.deepEqual(new Set(words.map((w) => w.op)), all);
  });

  test(`rv${xlen}: the warm-up runs on its scratch machine to the end`, () => {
    assert.doesNotThrow(() => warmUpInterpreter(xlen));
  });
}
