/** The expression language: C precedence on 64-bit unsigned values, names resolved by the caller, errors as values. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, parseExpression } from '../expressions';

async function value(src: string, names: Record<string, bigint> = {}): Promise<bigint | string> {
  const p = parseExpression(src);
  if (!p.ok) return `syntax: ${p.error}`;
  const r = await evaluate(p.value, async (n) => names[n]);
  return r.ok ? r.value : r.error;
}

test('precedence, parentheses, hex and unary operators as in C', async () => {
  assert.equal(await value('1 + 2 * 3'), 7n);
  assert.equal(await value('(1 + 2) * 3'), 9n);
  assert.equal(await value('1 << 4 + 1'), 32n);
  assert.equal(await value('0x10 | 1 & 3'), 0x11n);
  assert.equal(await value('-1'), 0xffffffffffffffffn);
  assert.equal(await value('~0 >> 60'), 15n);
  assert.equal(await value('!0 + !5'), 1n);
  assert.equal(await value('-1 < 0'), 1n, 'comparisons are signed');
  assert.equal(await value('7 % 4 == 3 && 1'), 1n);
});

test('names: registers, CSRs and symbols come from the resolver', async () => {
  const names = { $a0: 5n, $mstatus: 0x1808n, main: 0x80000100n };
  assert.equal(await value('$a0 * 2', names), 10n);
  assert.equal(await value('($mstatus >> 11) & 3', names), 3n);
  assert.equal(await value('main + 4', names), 0x80000104n);
  assert.equal(await value('$nosuch', names), "'$nosuch' is not a register, CSR or symbol");
});

test('bad input is an error value, never an exception or JavaScript', async () => {
  assert.equal(await value('1 +'), 'syntax: the expression ends too early');
  assert.equal(await value('(1'), 'syntax: expected \')\' at column 3');
  assert.equal(await value('1 / 0'), 'division by zero');
  assert.match(await value('a = 1') as string, /^syntax: unexpected character '='/);
  assert.match(await value('process.exit(1)') as string, /^syntax: unexpected '\('/);
  assert.equal(await value(''), 'syntax: empty expression');
});
