/**
 * The decoder against GNU as: every compressed instruction the assembler emits for
 * a list of sources expands to the 32-bit instruction the assembler emits for the
 * same source with compression off.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { expandCompressed, findEncoding } from './decode';
import { ENCODINGS } from './isa-table';

const COMMON = [
  'addi a0, sp, 16', 'addi sp, sp, -64', 'addi sp, sp, 496', 'lw a0, 4(a1)', 'sw a2, 124(a3)',
  'addi a0, a0, -32', 'nop', 'li a5, -7', 'lui a4, 0x1f', 'lui s0, 0xfffe1', 'srli a0, a0, 3', 'srai a1, a1, 31',
  'andi a2, a2, -16', 'sub s0, s0, a5', 'xor a0, a0, a1', 'or a3, a3, a4', 'and a4, a4, a5',
  'j .+256', 'j .-2048', 'beqz a0, .+254', 'bnez s1, .-256', 'slli t0, t0, 31', 'lw ra, 252(sp)', 'sw s0, 0(sp)',
  'jr ra', 'add a0, zero, t6', 'ebreak', 'jalr t1', 'add a0, a0, s11',
];
const RV64 = ['ld a0, 248(a1)', 'sd a2, 8(a3)', 'addiw a0, a0, 31', 'subw a0, a0, a1', 'addw s1, s1, a5',
  'ld ra, 504(sp)', 'sd s0, 0(sp)', 'srli a0, a0, 63', 'slli a1, a1, 40', 'sext.w a0, a0'];
/** 'compressed form | full form' where the assembler will not pick the compressed one itself. */
const RV32 = ['c.jal .+2040 | jal ra, .+2040', 'c.jal .-2048 | jal ra, .-2048'];

function assemble(xlen: 32 | 64, lines: string[], compressed: boolean): number[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-dec-'));
  const src = path.join(dir, 'a.S'), obj = path.join(dir, 'a.o'), bin = path.join(dir, 'a.bin');
  // One instruction per 4-byte slot so positions (and branch offsets) match in both builds.
  fs.writeFileSync(src, `.option norelax\n.option ${compressed ? 'rvc' : 'norvc'}\n` + lines.map((l) => `.balign 4\n${l.split(' | ')[compressed ? 0 : 1] ?? l}\n`).join(''));
  execFileSync('riscv64-unknown-elf-as', [`-march=rv${xlen}imac`, xlen === 32 ? '-mabi=ilp32' : '-mabi=lp64', src, '-o', obj]);
  execFileSync('riscv64-unknown-elf-objcopy', ['-O', 'binary', '-j', '.text', obj, bin]);
  const b = fs.readFileSync(bin);
  fs.rmSync(dir, { recursive: true, force: true });
  const words: number[] = [];
  for (let i = 0; i < lines.length; i++) words.push(b.readUInt32LE(i * 4));
  return words;
}

for (const xlen of [64, 32] as const) {
  test(`RV${xlen}C expansion matches the assembler`, () => {
    const lines = [...COMMON, ...(xlen === 64 ? RV64 : RV32)];
    const c = assemble(xlen, lines, true), full = assemble(xlen, lines, false);
    lines.forEach((l, i) => {
      const half = c[i] & 0xffff;
      assert.notEqual(half & 3, 3, `${l} was not compressed by the assembler`);
      assert.equal((expandCompressed(half, xlen) >>> 0).toString(16), (full[i] >>> 0).toString(16), l);
    });
  });
}

test('reserved compressed encodings expand to nothing (illegal); the F/D ones to their loads and stores', () => {
  assert.equal(expandCompressed(0x0000, 64), 0, 'all-zero halfword is illegal');
  assert.equal(expandCompressed(0x2000, 64), 0x00043407, 'C.FLD f8,0(x8) is fld');
  assert.equal(expandCompressed(0x6002, 32), 0x00012007, 'C.FLWSP f0,0(sp) on RV32 is flw (f0 allowed)');
  assert.equal(expandCompressed(0x6002, 64), 0, 'C.LDSP x0 on RV64 is reserved');
  assert.equal(expandCompressed(0xa02a, 64), 0x00a13027, 'C.FSDSP f10,0(sp) is fsd');
  assert.equal(expandCompressed(0x9002 | (1 << 12) | (0 << 7), 64), 0x00100073, 'C.EBREAK');
  assert.equal(expandCompressed(0x8002, 64), 0, 'C.JR x0 is reserved');
  assert.equal(expandCompressed(0x1002 | (1 << 12), 32), 0, 'C.SLLI with shamt[5] on RV32');
});

test('every table encoding decodes to itself and RV64-only ones are illegal on RV32', () => {
  for (const e of ENCODINGS) {
    for (const xlen of [32, 64] as const) {
      const found = findEncoding(e.match, xlen);
      if (e.xlens.includes(xlen)) assert.equal(found?.name, e.name, `${e.name} on RV${xlen}`);
      else assert.ok(found === undefined || found.xlens.includes(xlen), `${e.name} must not decode on RV${xlen}`);
    }
  }
});
