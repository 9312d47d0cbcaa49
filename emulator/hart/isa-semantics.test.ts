/**
 * The interpreter's cases are generated from isa-semantics.ts and committed: they must be
 * what the semantics generate today (`npm run gen:isa` rewrites them), and every
 * instruction the decoder can produce must have semantics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ENCODINGS, Op } from './isa-table';
import { INTERPRETER_FILE, emitBlockInsn, semanticsOf, withCurrentCases } from './isa-semantics';
import { P } from './isa-codegen';

const ROOT = path.resolve(__dirname, '../../..');

for (const xlen of [64, 32] as const) {
  test(`${INTERPRETER_FILE[xlen]}: its generated cases are current (npm run gen:isa)`, () => {
    const source = fs.readFileSync(path.join(ROOT, INTERPRETER_FILE[xlen]), 'utf8');
    const current = withCurrentCases(source, xlen);
    assert.ok(current !== undefined, 'the generated-cases markers are in place');
    assert.ok(current === source, `${INTERPRETER_FILE[xlen]} differs from what isa-semantics.ts generates: run npm run gen:isa`);
  });
}

test('every encoding has semantics; ILLEGAL too', () => {
  for (const enc of ENCODINGS) assert.ok(semanticsOf(enc.op) !== undefined, enc.name);
  assert.ok(semanticsOf(Op.ILLEGAL) !== undefined);
});

test('the translator leaves CSRs, traps and atomics to the interpreter, and drops pure writes to x0', () => {
  const insn = { d: 10, a: 12, b: 14, imm: 0x300, off: 0, len: 4, n: 'c + 1', slot: 0 };
  for (const op of [Op.CSRRW, Op.ECALL, Op.MRET, Op.AMOADD_W, Op.LR_W, Op.ILLEGAL]) assert.equal(emitBlockInsn(64, op, insn), null);
  assert.equal(emitBlockInsn(64, Op.ADD, { ...insn, d: 0 }), '');
  assert.notEqual(emitBlockInsn(64, Op.LW, { ...insn, d: 0 }), ''); // the load still happens (it may fault)
  assert.equal(emitBlockInsn(32, Op.LD, insn), null); // not an RV32 instruction
});

test('P parenthesizes exactly what an operator could split', () => {
  assert.equal(P('x[a + 1]'), 'x[a + 1]');
  assert.equal(P('I64.lt(a, b, c, d)'), 'I64.lt(a, b, c, d)');
  assert.equal(P('(x[a] + 1) | 0'), '((x[a] + 1) | 0)');
  assert.equal(P('(a) + (b)'), '((a) + (b))');
  assert.equal(P('f(a) + g(b)'), '(f(a) + g(b))');
  assert.equal(P(-5), -5);
});
