/**
 * Every pure instruction (one that only writes rd), as the interpreter runs it and as a
 * translated block runs it, against a BigInt statement of the spec (Unpriv ch. 2, 5, 7):
 * boundary values and seeded random operands, RV32 and RV64, with rd distinct from the
 * sources and with rd = rs1. The guests' tests run the same code beside QEMU; this one
 * reaches the corners a guest may not (shifts by 0, 31, 32, 63; x/0; MIN/-1). Zba, Zbb,
 * Zbc and Zbs as Bitmanip 1.0.0 ch. 2 says (ctzw as QEMU 7.2 computes it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RUNTIME } from './isa-codegen';
import { ENCODINGS, Encoding } from './isa-table';
import { emitBlockInsn, interpreterCase, semanticsOf } from './isa-semantics';

type Xlen = 32 | 64;
const HELPER_NAMES = Object.keys(RUNTIME);
const HELPERS = Object.values(RUNTIME);

/** The spec: rd from rs1 = a, rs2 = b (unsigned XLEN-bit), the immediate and pc. */
function reference(name: string, xlen: Xlen, a: bigint, b: bigint, imm: number, pc: bigint): bigint {
  const X = BigInt(xlen);
  const u = (v: bigint) => BigInt.asUintN(xlen, v);
  const s = (v: bigint) => BigInt.asIntN(xlen, v);
  const w = (v: bigint) => u(BigInt.asIntN(32, v)); // a *W result: low word sign-extended
  const i = BigInt(imm), sh = b & (X - 1n), sh5 = b & 31n;
  const a32 = BigInt.asIntN(32, a), b32 = BigInt.asIntN(32, b), ua32 = BigInt.asUintN(32, a), ub32 = BigInt.asUintN(32, b);
  const min = -(1n << (X - 1n));
  switch (name) {
    case 'lui': return u(i);
    case 'auipc': return u(pc + i);
    case 'addi': return u(a + i);
    case 'slti': return s(a) < i ? 1n : 0n;
    case 'sltiu': return a < u(i) ? 1n : 0n;
    case 'xori': return u(a ^ i);
    case 'ori': return u(a | i);
    case 'andi': return u(a & i);
    case 'slli': return u(a << i);
    case 'srli': return a >> i;
    case 'srai': return u(s(a) >> i);
    case 'add': return u(a + b);
    case 'sub': return u(a - b);
    case 'sll': return u(a << sh);
    case 'slt': return s(a) < s(b) ? 1n : 0n;
    case 'sltu': return a < b ? 1n : 0n;
    case 'xor': return a ^ b;
    case 'srl': return a >> sh;
    case 'sra': return u(s(a) >> sh);
    case 'or': return a | b;
    case 'and': return a & b;
    case 'addiw': return w(a + i);
    case 'slliw': return w(a << i);
    case 'srliw': return w(ua32 >> i);
    case 'sraiw': return w(a32 >> i);
    case 'addw': return w(a + b);
    case 'subw': return w(a - b);
    case 'sllw': return w(a << sh5);
    case 'srlw': return w(ua32 >> sh5);
    case 'sraw': return w(a32 >> sh5);
    case 'mul': return u(a * b);
    case 'mulh': return u((s(a) * s(b)) >> X);
    case 'mulhsu': return u((s(a) * b) >> X);
    case 'mulhu': return (a * b) >> X;
    case 'div': return b === 0n ? u(-1n) : s(a) === min && s(b) === -1n ? a : u(s(a) / s(b));
    case 'divu': return b === 0n ? u(-1n) : a / b;
    case 'rem': return b === 0n ? a : s(a) === min && s(b) === -1n ? 0n : u(s(a) % s(b));
    case 'remu': return b === 0n ? a : a % b;
    case 'mulw': return w(a * b);
    case 'divw': return b32 === 0n ? w(-1n) : a32 === -(1n << 31n) && b32 === -1n ? w(a32) : w(a32 / b32);
    case 'divuw': return ub32 === 0n ? w(-1n) : w(ua32 / ub32);
    case 'remw': return b32 === 0n ? w(a32) : a32 === -(1n << 31n) && b32 === -1n ? 0n : w(a32 % b32);
    case 'remuw': return ub32 === 0n ? w(ua32) : w(ua32 % ub32);
    default: return bitmanip(name, xlen, a, b, imm);
  }
}

/** Zba, Zbb, Zbc, Zbs (Bitmanip 1.0.0 ch. 2), on unsigned XLEN-bit a and b. */
function bitmanip(name: string, xlen: Xlen, a: bigint, b: bigint, imm: number): bigint {
  const X = BigInt(xlen);
  const u = (v: bigint) => BigInt.asUintN(xlen, v);
  const s = (v: bigint) => BigInt.asIntN(xlen, v);
  const w = (v: bigint) => u(BigInt.asIntN(32, v));
  const i = BigInt(imm), sh = b & (X - 1n), sh5 = b & 31n;
  const ua32 = BigInt.asUintN(32, a);
  const bit = (v: bigint, k: bigint) => (v >> k) & 1n;
  const ones = (v: bigint, width: bigint) => { let n = 0n; for (let k = 0n; k < width; k++) n += bit(v, k); return n; };
  const lead = (v: bigint, width: bigint) => { let n = 0n; while (n < width && bit(v, width - 1n - n) === 0n) n++; return n; };
  const trail = (v: bigint, width: bigint) => { let n = 0n; while (n < width && bit(v, n) === 0n) n++; return n; };
  const rotr = (v: bigint, k: bigint, width: bigint) => BigInt.asUintN(Number(width), (v >> k) | (v << ((width - k) % width)));
  const clmul = (p: bigint, q: bigint) => { let r = 0n; for (let k = 0n; k < X; k++) if (bit(q, k) !== 0n) r ^= p << k; return r; };
  const bytes = (f: (byte: bigint, k: bigint) => bigint) => { let r = 0n; for (let k = 0n; k < X / 8n; k++) r |= f((a >> (8n * k)) & 0xffn, k); return r; };
  switch (name) {
    case 'add.uw': return u(ua32 + b);
    case 'sh1add': return u((a << 1n) + b);
    case 'sh2add': return u((a << 2n) + b);
    case 'sh3add': return u((a << 3n) + b);
    case 'sh1add.uw': return u((ua32 << 1n) + b);
    case 'sh2add.uw': return u((ua32 << 2n) + b);
    case 'sh3add.uw': return u((ua32 << 3n) + b);
    case 'slli.uw': return u(ua32 << i);
    case 'andn': return a & u(~b);
    case 'orn': return a | u(~b);
    case 'xnor': return u(~(a ^ b));
    case 'clz': return lead(a, X);
    case 'ctz': return trail(a, X);
    case 'cpop': return ones(a, X);
    case 'clzw': return lead(ua32, 32n);
    case 'ctzw': return a === 0n ? 32n : trail(a, 64n); // QEMU 7.2 (the spec: trail(ua32, 32n))
    case 'cpopw': return ones(ua32, 32n);
    case 'max': return s(a) > s(b) ? a : b;
    case 'maxu': return a > b ? a : b;
    case 'min': return s(a) < s(b) ? a : b;
    case 'minu': return a < b ? a : b;
    case 'sext.b': return u(BigInt.asIntN(8, a));
    case 'sext.h': return u(BigInt.asIntN(16, a));
    case 'zext.h': return a & 0xffffn;
    case 'rol': return rotr(a, (X - sh) % X, X);
    case 'ror': return rotr(a, sh, X);
    case 'rori': return rotr(a, i, X);
    case 'rolw': return w(rotr(ua32, (32n - sh5) % 32n, 32n));
    case 'rorw': return w(rotr(ua32, sh5, 32n));
    case 'roriw': return w(rotr(ua32, i, 32n));
    case 'orc.b': return bytes((byte, k) => (byte === 0n ? 0n : 0xffn << (8n * k)));
    case 'rev8': return bytes((byte, k) => byte << (X - 8n - 8n * k));
    case 'clmul': return u(clmul(a, b));
    case 'clmulh': return u(clmul(a, b) >> X);
    case 'clmulr': return u(clmul(a, b) >> (X - 1n));
    case 'bclr': return a & u(~(1n << sh));
    case 'bclri': return a & u(~(1n << i));
    case 'bext': return bit(a, sh);
    case 'bexti': return bit(a, i);
    case 'binv': return a ^ (1n << sh);
    case 'binvi': return a ^ (1n << i);
    case 'bset': return a | (1n << sh);
    case 'bseti': return a | (1n << i);
    default: throw new Error(`no reference for ${name}`);
  }
}

/** Immediates worth trying for an encoding's format. */
function immediates(enc: Encoding, xlen: Xlen): number[] {
  switch (enc.format) {
    case 'I': return [0, 1, -1, 5, -7, 2047, -2048];
    case 'U': return [0, 0x12345000, 0x80000000 | 0, 0xfffff000 | 0];
    case 'SH': return enc.name.endsWith('w') || xlen === 32 ? [0, 1, 7, 31] : [0, 1, 7, 31, 32, 33, 63];
    default: return [0];
  }
}

let seed = 0x2545f491;
function random32(): number {
  seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
  return seed >>> 0;
}

function operands(xlen: Xlen): bigint[] {
  const X = BigInt(xlen);
  const edges = [0n, 1n, 2n, 31n, 32n, 63n, (1n << X) - 1n, 1n << (X - 1n), (1n << (X - 1n)) - 1n, 0x7fffffffn, 0x80000000n, 0xffffffffn];
  if (xlen === 64) edges.push(0x100000000n, 0xffffffff00000000n, 0x00000001ffffffffn);
  const rnd: bigint[] = [];
  for (let k = 0; k < 12; k++) rnd.push(BigInt.asUintN(xlen, (BigInt(random32()) << 32n) | BigInt(random32())));
  return [...edges, ...rnd];
}

function setReg(x: Int32Array, i: number, v: bigint): void {
  x[i] = Number(BigInt.asIntN(32, v));
  x[i + 1] = Number(BigInt.asIntN(32, v >> 32n));
}
function getReg(x: Int32Array, i: number, xlen: Xlen): bigint {
  const lo = BigInt(x[i] >>> 0);
  return xlen === 32 ? lo : (BigInt(x[i + 1] >>> 0) << 32n) | lo;
}

/** Register layouts (pair indexes): rd apart from the sources, and rd = rs1. */
const LAYOUTS = [{ d: 10, a: 12, b: 14 }, { d: 12, a: 12, b: 14 }];
const PC = { 64: 0x80001ffcn | (3n << 32n), 32: 0x80001ffcn };

for (const xlen of [32, 64] as const) {
  const seen = new Set<number>();
  const pure = ENCODINGS.filter((e) => e.xlens.includes(xlen) && semanticsOf(e.op)?.kind === 'pure' && !seen.has(e.op) && (seen.add(e.op), true));
  const values = operands(xlen);

  test(`rv${xlen}: every pure instruction, interpreted and translated, as the spec says`, () => {
    assert.ok(pure.length >= (xlen === 64 ? 43 + 43 : 29 + 32), `pure instructions found: ${pure.length}`);
    const pcLo = Number(BigInt.asIntN(32, PC[xlen])), pcHi = Number(BigInt.asIntN(32, PC[xlen] >> 32n));
    for (const enc of pure) {
      const interp = new Function(...HELPER_NAMES, 'x', 'd', 'a', 'b', 'imm', 'pcLo', 'pcHi', 'pc', 'nLo', 'nHi', 'next',
        `switch (0) { default: {\n${interpreterCase(xlen, enc.op).join('\n')}\n} }`) as (...args: unknown[]) => void;
      for (const imm of immediates(enc, xlen)) {
        for (const { d, a, b } of LAYOUTS) {
          const js = emitBlockInsn(xlen, enc.op, { d, a, b, imm, off: 0, len: 4, n: 'c + 1', slot: 0 });
          assert.ok(js !== null, enc.name);
          const block = new Function(...HELPER_NAMES, 'x', 'pcLo', 'pcHi', js) as (...args: unknown[]) => void;
          for (const va of values) {
            for (const vb of [values[(Number(va % 7n) * 3) % values.length], ...values.slice(0, 6), va]) {
              const want = reference(enc.name, xlen, va, a === b ? va : vb, imm, PC[xlen]);
              for (const [how, run] of [
                ['interpreted', (x: Int32Array) => interp(...HELPERS, x, d, a, b, imm, pcLo, pcHi, pcLo, 0, 0, 0)],
                ['translated', (x: Int32Array) => block(...HELPERS, x, pcLo, pcHi)],
              ] as const) {
                const x = new Int32Array(64);
                setReg(x, a, va);
                if (b !== a) setReg(x, b, vb);
                run(x);
                const got = getReg(x, d, xlen);
                if (got !== want) {
                  assert.fail(`rv${xlen} ${enc.name} ${how}: rs1=0x${va.toString(16)} rs2=0x${vb.toString(16)} imm=${imm} ` +
                    `rd${d === a ? '=rs1' : ''}: got 0x${got.toString(16)}, want 0x${want.toString(16)}`);
                }
              }
            }
          }
        }
      }
    }
  });
}
