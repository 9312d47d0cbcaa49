/** The expression language: C precedence on 64-bit unsigned values, names resolved by the caller, errors as values. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, parseExpression } from '../expressions';

/** Memory for loads: little-endian bytes from 0x1000. */
const MEMORY = Uint8Array.from([0xfe, 0xff, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 0x01, 0x10, 0, 0, 0, 0, 0, 0]);

async function value(src: string, names: Record<string, bigint> = {}, addresses: Record<string, bigint> = {}): Promise<bigint | string> {
  const p = parseExpression(src);
  if (!p.ok) return `syntax: ${p.error}`;
  const r = await evaluate(p.value, {
    value: async (n) => names[n],
    address: async (n) => addresses[n],
    load: async (a, bytes) => {
      const off = Number(a) - 0x1000;
      if (off < 0 || off + bytes > MEMORY.length) throw new Error('not mapped');
      let v = 0n;
      for (let i = bytes - 1; i >= 0; i--) v = (v << 8n) | BigInt(MEMORY[off + i]);
      return v;
    },
    wordBytes: 8,
  });
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
  assert.equal(await value('$nosuch', names), "'$nosuch' is not a register, CSR, symbol or device register");
  assert.equal(await value('uart0.LSR & 1', { 'uart0.LSR': 0x61n }), 1n, 'device registers by name');
  assert.equal(await value('plic.claim[1]', { 'plic.claim[1]': 10n }), 10n);
});

test('loads, casts and addresses as in C', async () => {
  assert.equal(await value('*(uint16_t *)0x1000'), 0xfffen);
  assert.equal(await value('*(int16_t *)0x1000'), 0xfffffffffffffffen, 'sign-extended');
  assert.equal(await value('*(uint32_t *)(0x1000 + 4)'), 0x12345678n);
  assert.equal(await value('*(unsigned char *)0x1002'), 0x34n);
  assert.equal(await value('*0x1008'), 0x1001n, 'a bare * loads a machine word');
  assert.equal(await value('**(uint32_t *)0x1004'), 'cannot read 8 bytes at 0x12345678: not mapped', 'a pointer read from memory, followed');
  assert.equal(await value('*(uint8_t *)*(uint64_t *)&ptr', {}, { ptr: 0x1008n }), 0xffn);
  assert.equal(await value('*(uint8_t *)&ticks + 1', {}, { ticks: 0x1008n }), 2n);
  assert.equal(await value('(int8_t)0xff'), 0xffffffffffffffffn);
  assert.equal(await value('(uint8_t)0x1234'), 0x34n);
  assert.equal(await value('(unsigned long)-1'), 0xffffffffffffffffn);
  assert.equal(await value('(1 + 2) * 3'), 9n, 'parentheses that are not a cast');
  assert.equal(await value('*(uint32_t *)0x2000'), 'cannot read 4 bytes at 0x2000: not mapped');
  assert.equal(await value('&nosuch'), "'nosuch' is not a symbol");
  assert.match(await value('&$a0') as string, /'&' takes a symbol name/);
});

test('bad input is an error value, never an exception or JavaScript', async () => {
  assert.equal(await value('1 +'), 'syntax: the expression ends too early');
  assert.equal(await value('(1'), 'syntax: expected \')\' at column 3');
  assert.equal(await value('1 / 0'), 'division by zero');
  assert.match(await value('a = 1') as string, /^syntax: unexpected character '='/);
  assert.match(await value('process.exit(1)') as string, /^syntax: unexpected '\('/);
  assert.equal(await value(''), 'syntax: empty expression');
});

test('outside input is bounded: deep nesting, long chains and long text are refused in words', async () => {
  assert.equal(await value(`${'('.repeat(10_000)}1${')'.repeat(10_000)}`), 'syntax: the expression is longer than 10000 characters');
  assert.equal(await value(`${'('.repeat(100)}1${')'.repeat(100)}`), 'syntax: the expression nests more than 64 levels deep');
  assert.equal(await value(`${'-'.repeat(100)}1`), 'syntax: the expression nests more than 64 levels deep');
  assert.equal(await value(Array(600).fill('1').join('+')), 'syntax: the expression has more than 1000 tokens');
  // Within the bounds, nesting and chains still evaluate.
  assert.equal(await value(`${'('.repeat(60)}1${')'.repeat(60)}`), 1n);
  assert.equal(await value(Array(500).fill('1').join('+')), 500n);
});
