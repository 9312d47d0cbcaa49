/**
 * RV32 code generation for the block translator (blocks.ts): each register is its
 * int32 low word and the pc is one int32, so most instructions are one JS statement.
 * Semantics mirror exec-rv32.ts case by case; blocks.test.ts runs every guest both ways.
 */
import { Op } from './isa-table';
import { BlockFn, CodePage } from './code-cache';
import { isAlu, translateBlock } from './blocks';

/** JS for one RV32 instruction, or null when it must end the block before it. */
export function emit32(op: number, d: number, a: number, b: number, imm: number, off: number, len: number, n: string, slot: number, taken?: string): string | null {
  const pcAt = (t: number) => `((pcLo + ${t}) | 0)`;
  const next = `h.pcLo = ${pcAt(off + len)}`;
  const after = (cause: string) => `if (${cause}) { ${next}; return ${n}; }`;
  const fault = `if (h.yieldLoop) { if (h.excCause >= 0) h.pcLo = ${pcAt(off)}; else ${next}; return ${n}; }`;
  const branch = (cond: string) => `if (${cond}) { ${taken ?? `h.pcLo = ${pcAt(off + imm)}; return ${n};`} } ${next}; return ${n};`;
  const ea = `(x[${a}] + ${imm}) | 0`;
  const wr = d !== 0;
  const set = (expr: string) => (wr ? `x[${d}] = ${expr};` : '');
  switch (op) {
    case Op.LUI: return set(`${imm}`);
    case Op.AUIPC: return set(pcAt(off + imm));
    case Op.JAL: return `${set(pcAt(off + len))} h.pcLo = ${pcAt(off + imm)}; return ${n};`;
    case Op.JALR: return `{ const t = ((x[${a}] + ${imm}) | 0) & -2; ${set(pcAt(off + len))} h.pcLo = t; return ${n}; }`;
    case Op.BEQ: return branch(`x[${a}] === x[${b}]`);
    case Op.BNE: return branch(`x[${a}] !== x[${b}]`);
    case Op.BLT: return branch(`x[${a}] < x[${b}]`);
    case Op.BGE: return branch(`x[${a}] >= x[${b}]`);
    case Op.BLTU: return branch(`(x[${a}] >>> 0) < (x[${b}] >>> 0)`);
    case Op.BGEU: return branch(`(x[${a}] >>> 0) >= (x[${b}] >>> 0)`);
    case Op.LB: return `{ const v = h.load8(${ea}, 0); ${fault} ${set('(v << 24) >> 24')} }`;
    case Op.LBU: return `{ const v = h.load8(${ea}, 0); ${fault} ${set('v')} }`;
    case Op.LH: return `{ const v = h.load16(${ea}, 0); ${fault} ${set('(v << 16) >> 16')} }`;
    case Op.LHU: return `{ const v = h.load16(${ea}, 0); ${fault} ${set('v')} }`;
    case Op.LW: return `{ const v = h.load32(${ea}, 0); ${fault} ${set('v')} }`;
    case Op.SB: return `h.store8(${ea}, 0, x[${b}] & 0xff); ${fault} ${after(`pg.blocks[${slot}] !== block`)}`;
    case Op.SH: return `h.store16(${ea}, 0, x[${b}] & 0xffff); ${fault} ${after(`pg.blocks[${slot}] !== block`)}`;
    case Op.SW: return `h.store32(${ea}, 0, x[${b}]); ${fault} ${after(`pg.blocks[${slot}] !== block`)}`;
    case Op.FENCE: case Op.FENCE_I: return '';
    default: break;
  }
  if (!wr) return isAlu(op) ? '' : null;
  switch (op) {
    case Op.ADDI: return set(`(x[${a}] + ${imm}) | 0`);
    case Op.SLTI: return set(`x[${a}] < ${imm} ? 1 : 0`);
    case Op.SLTIU: return set(`(x[${a}] >>> 0) < ${imm >>> 0} ? 1 : 0`);
    case Op.XORI: return set(`x[${a}] ^ ${imm}`);
    case Op.ORI: return set(`x[${a}] | ${imm}`);
    case Op.ANDI: return set(`x[${a}] & ${imm}`);
    case Op.SLLI: return set(`x[${a}] << ${imm}`);
    case Op.SRLI: return set(`(x[${a}] >>> ${imm}) | 0`);
    case Op.SRAI: return set(`x[${a}] >> ${imm}`);
    case Op.ADD: return set(`(x[${a}] + x[${b}]) | 0`);
    case Op.SUB: return set(`(x[${a}] - x[${b}]) | 0`);
    case Op.SLL: return set(`x[${a}] << (x[${b}] & 31)`);
    case Op.SRL: return set(`(x[${a}] >>> (x[${b}] & 31)) | 0`);
    case Op.SRA: return set(`x[${a}] >> (x[${b}] & 31)`);
    case Op.SLT: return set(`x[${a}] < x[${b}] ? 1 : 0`);
    case Op.SLTU: return set(`(x[${a}] >>> 0) < (x[${b}] >>> 0) ? 1 : 0`);
    case Op.XOR: return set(`x[${a}] ^ x[${b}]`);
    case Op.OR: return set(`x[${a}] | x[${b}]`);
    case Op.AND: return set(`x[${a}] & x[${b}]`);
    case Op.MUL: return set(`Math.imul(x[${a}], x[${b}])`);
    // High words from the unsigned product, corrected for signed factors (as exec-rv32.ts).
    case Op.MULHU: return set(`mulhu32(x[${a}], x[${b}])`);
    case Op.MULHSU: return `{ const p = x[${a}], q = x[${b}]; let r = mulhu32(p, q); if (p < 0) r = (r - q) | 0; x[${d}] = r; }`;
    case Op.MULH: return `{ const p = x[${a}], q = x[${b}]; let r = mulhu32(p, q); if (p < 0) r = (r - q) | 0; if (q < 0) r = (r - p) | 0; x[${d}] = r; }`;
    case Op.DIV: return set(`div32(x[${a}], x[${b}])`);
    case Op.DIVU: return set(`divu32(x[${a}], x[${b}])`);
    case Op.REM: return set(`rem32(x[${a}], x[${b}])`);
    case Op.REMU: return set(`remu32(x[${a}], x[${b}])`);
    default: return null;
  }
}

/** Translate the RV32 block starting at `slot` of `page`, or undefined when its first instruction cannot be. */
export function translateBlock32(_h: unknown, page: CodePage, slot: number): BlockFn | undefined {
  return translateBlock(page, slot, emit32);
}
