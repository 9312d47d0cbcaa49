/**
 * The expression language on machine-level names (no DWARF here: program-state.test.ts
 * holds typed C against gdb): C's precedence, C's integer types and conversions, loads
 * and casts, ELF symbols, device registers, and bad input as errors, never exceptions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExpression } from '../expressions';
import { CEnv, CError, evaluateC, isFixedWidthName, MachineValue, scalarOf } from '../c-eval';

/** Memory for loads: little-endian bytes from 0x1000. */
const MEMORY = Uint8Array.from([0xfe, 0xff, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 0x01, 0x10, 0, 0, 0, 0, 0, 0]);

function env(machine: Record<string, MachineValue>, symbols: Record<string, { address: bigint; size: number; isFunction?: boolean }>, addressSize: 4 | 8): CEnv {
  return {
    addressSize,
    variable: () => undefined,
    symbol: (n) => (symbols[n] === undefined ? undefined : { isFunction: false, ...symbols[n] }),
    machine: (n) => machine[n],
    namedType: () => null,
    memory: (a, size) => {
      const off = Number(a) - 0x1000;
      return off < 0 || off + size > MEMORY.length ? undefined : MEMORY.subarray(off, off + size);
    },
  };
}

/** The value as the console's numbers see it (unsigned 64 bits), or the error's words. */
function value(src: string, machine: Record<string, MachineValue> = {}, symbols: Record<string, { address: bigint; size: number; isFunction?: boolean }> = {}, addressSize: 4 | 8 = 8): bigint | string {
  const p = parseExpression(src, isFixedWidthName);
  if (!p.ok) return `syntax: ${p.error}`;
  try {
    return BigInt.asUintN(64, scalarOf(evaluateC(p.value, env(machine, symbols, addressSize))));
  } catch (e) {
    if (e instanceof CError) return e.message;
    throw e;
  }
}

test('precedence, parentheses, literals and unary operators as in C', () => {
  assert.equal(value('1 + 2 * 3'), 7n);
  assert.equal(value('(1 + 2) * 3'), 9n);
  assert.equal(value('1 << 4 + 1'), 32n);
  assert.equal(value('0x10 | 1 & 3'), 0x11n);
  assert.equal(value('-1'), 0xffffffffffffffffn);
  assert.equal(value('~0UL >> 60'), 15n);
  assert.equal(value('!0 + !5'), 1n);
  assert.equal(value('-1 < 0'), 1n, 'int is signed');
  assert.equal(value('7 % 4 == 3 && 1'), 1n);
  assert.equal(value("'a' + 1"), 98n, 'character literals are ints');
  assert.equal(value("'\\n'"), 10n);
  assert.equal(value('010'), 8n, 'octal');
  assert.equal(value('-7 / 2'), 0xfffffffffffffffdn, 'division truncates toward zero');
  assert.equal(value('-7 % 2'), 0xffffffffffffffffn);
});

test("C's integer types: literals, promotions and the usual arithmetic conversions", () => {
  assert.equal(value('2147483647 + 1'), 0xffffffff80000000n, 'int arithmetic wraps at 32 bits (and the result is an int, sign-extended)');
  assert.equal(value('2147483648'), 2147483648n, 'a decimal literal too large for int is a long');
  assert.equal(value('0xffffffff + 1'), 0n, 'a hex literal that fits unsigned int is one');
  assert.equal(value('0xffffffffUL + 1'), 0x100000000n);
  assert.equal(value('-1 < 0U'), 0n, 'int against unsigned int compares unsigned');
  assert.equal(value('-1 < 0L'), 1n, 'int against long compares signed');
  assert.equal(value('(unsigned char)255 + 1'), 256n, 'promoted to int before adding');
  assert.equal(value('1 << 31'), 0xffffffff80000000n, 'an int shift');
  assert.equal(value('1UL << 63'), 0x8000000000000000n);
  assert.equal(value('1L << 40', {}, {}, 4), 'shift count 40 is not within the 32 bits of long (write 1UL << 40 for a wider type)', 'long is 32 bits on RV32');
  assert.equal(value('1 << 32'), 'shift count 32 is not within the 32 bits of int (write 1UL << 32 for a wider type)');
  assert.equal(value('1LL << 40', {}, {}, 4), 1n << 40n);
  assert.equal(value('sizeof(long)', {}, {}, 4), 4n);
  assert.equal(value('sizeof(long)'), 8n);
  assert.equal(value('sizeof(unsigned short) + sizeof(char) + sizeof(int *)'), 11n);
  assert.equal(value('sizeof 1'), 4n);
  assert.equal(value('18446744071564697024'), 18446744071564697024n, 'a decimal past long long is unsigned long long, as gdb takes it');
  assert.equal(value('18446744071564697024 > 0'), 1n);
  assert.equal(value('99999999999999999999'), 'Numeric constant too large: 99999999999999999999');
});

test('names: registers, CSRs, symbols and device registers come from the environment', () => {
  const names: Record<string, MachineValue> = { $a0: { value: 5n, type: 'long' }, $mstatus: { value: 0x1808n, type: 'unsigned long' }, 'uart0.LSR': { value: 0x61n, type: 'unsigned long long' }, 'plic.claim[1]': { value: 10n, type: 'unsigned long long' } };
  assert.equal(value('$a0 * 2', names), 10n);
  assert.equal(value('($mstatus >> 11) & 3', names), 3n);
  assert.equal(value('main + 4', {}, { main: { address: 0x80000100n, size: 40, isFunction: true } }), 0x80000104n, 'a function symbol is its address');
  assert.equal(value('ticks', {}, { ticks: { address: 0x1004n, size: 4 } }), 0x12345678n, 'a scalar-sized data symbol is its contents');
  assert.equal(value('&ticks', {}, { ticks: { address: 0x1004n, size: 4 } }), 0x1004n);
  assert.equal(value('$nosuch', names), "'$nosuch' is not a register, CSR, symbol or device register");
  assert.equal(value('uart0.LSR & 1', names), 1n, 'device registers by name');
  assert.equal(value('plic.claim[1]', names), 10n);
});

test('loads, casts and addresses as in C', () => {
  assert.equal(value('*(uint16_t *)0x1000'), 0xfffen);
  assert.equal(value('*(int16_t *)0x1000'), 0xfffffffffffffffen, 'sign-extended');
  assert.equal(value('*(uint32_t *)(0x1000 + 4)'), 0x12345678n);
  assert.equal(value('*(unsigned char *)0x1002'), 0x34n);
  assert.equal(value('((uint16_t *)0x1000)[1]'), 0x1234n, 'a pointer indexed in elements');
  assert.equal(value('(uint32_t *)0x1000 + 1'), 0x1004n, 'pointer arithmetic is in elements');
  assert.equal(value('(uint32_t *)0x1008 - (uint32_t *)0x1000'), 2n);
  assert.equal(value('*0x1008'), 0x1001n, 'a bare * loads a machine word');
  assert.equal(value('**(uint32_t *)0x1004'), 'Cannot access memory at address 0x12345678', 'a value read from memory, followed');
  assert.equal(value('*(uint8_t *)*(uint64_t *)&ptr', {}, { ptr: { address: 0x1008n, size: 8 } }), 0xffn);
  assert.equal(value('(int8_t)0xff'), 0xffffffffffffffffn);
  assert.equal(value('(uint8_t)0x1234'), 0x34n);
  assert.equal(value('(unsigned long)-1'), 0xffffffffffffffffn);
  assert.equal(value('(unsigned long)-1', {}, {}, 4), 0xffffffffn);
  assert.equal(value('(1 + 2) * 3'), 9n, 'parentheses that are not a cast');
  assert.equal(value('*(uint32_t *)0x2000'), 'Cannot access memory at address 0x2000');
  assert.equal(value('&$a0', { $a0: { value: 1n, type: 'long' } }), 'Attempt to take address of value not located in memory.');
  assert.equal(value('*(void *)0x1000'), 'Attempt to take contents of a non-pointer value.');
  assert.equal(value('(struct proc *)0'), 'No symbol "struct proc" in current context.');
  assert.equal(value('sizeof(*(uint64_t *)0)'), 8n, 'sizeof reads nothing');
});

test('bad input is an error, never an exception or JavaScript', () => {
  assert.equal(value('1 +'), 'syntax: the expression ends too early');
  assert.equal(value('(1'), 'syntax: expected \')\' at column 3');
  assert.equal(value('1 / 0'), 'Division by zero');
  assert.match(value('a = 1') as string, /^syntax: unexpected character '='/);
  assert.match(value('process.exit(1)') as string, /^syntax: unexpected '\('/);
  assert.equal(value(''), 'syntax: empty expression');
  assert.equal(value('1.x'), '1 is not a struct or union (it is int), so it has no member x');
  assert.equal(value('09'), "syntax: '09' is not a valid octal number at column 1");
  assert.equal(value('p->'), "syntax: expected a member name after '->' at column 4");
});

test('outside input is bounded: deep nesting, long chains and long text are refused in words', () => {
  assert.equal(value(`${'('.repeat(10_000)}1${')'.repeat(10_000)}`), 'syntax: the expression is longer than 10000 characters');
  assert.equal(value(`${'('.repeat(100)}1${')'.repeat(100)}`), 'syntax: the expression nests more than 64 levels deep');
  assert.equal(value(`${'-'.repeat(100)}1`), 'syntax: the expression nests more than 64 levels deep');
  assert.equal(value(`${'*'.repeat(100)}1`), 'syntax: the expression nests more than 64 levels deep');
  assert.equal(value(Array(600).fill('1').join('+')), 'syntax: the expression has more than 1000 tokens');
  // Within the bounds, nesting and chains still evaluate.
  assert.equal(value(`${'('.repeat(60)}1${')'.repeat(60)}`), 1n);
  assert.equal(value(Array(500).fill('1').join('+')), 500n);
});
