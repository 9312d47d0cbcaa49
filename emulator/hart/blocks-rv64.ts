/**
 * RV64 code generation for the block translator (blocks.ts): registers are int32
 * pairs, pcs are computed from the block's start pc as pairs. Semantics mirror
 * exec-rv64.ts case by case; blocks-rv64.test.ts runs every guest both ways.
 */
import { Op } from './isa-table';
import { BlockFn, CodePage } from './code-cache';
import { isAlu, translateBlock } from './blocks';


const shiftLeft = (d: number, a: number, sh: number) =>
  sh === 0 ? `x[${d}] = x[${a}]; x[${d + 1}] = x[${a + 1}];`
    : sh < 32 ? `{ const l = x[${a}]; x[${d + 1}] = (x[${a + 1}] << ${sh}) | (l >>> ${32 - sh}); x[${d}] = l << ${sh}; }`
      : `x[${d + 1}] = x[${a}] << ${sh - 32}; x[${d}] = 0;`;
const shiftRight = (d: number, a: number, sh: number, arith: boolean) => {
  const hop = arith ? '>>' : '>>>';
  if (sh === 0) return `x[${d}] = x[${a}]; x[${d + 1}] = x[${a + 1}];`;
  if (sh < 32) return `{ const h = x[${a + 1}]; x[${d}] = (x[${a}] >>> ${sh}) | (h << ${32 - sh}); x[${d + 1}] = h ${hop} ${sh}; }`;
  return `{ const h = x[${a + 1}]; x[${d}] = h ${hop} ${sh - 32}; x[${d + 1}] = ${arith ? 'h >> 31' : '0'}; }`;
};
/** rd ← sign-extended 32-bit expression. */
const w32 = (d: number, expr: string) => `{ const r = ${expr}; x[${d}] = r; x[${d + 1}] = r >> 31; }`;
/** rd ← I64.out after a helper call. */
const fromOut = (d: number, call: string) => `${call}; x[${d}] = o[0]; x[${d + 1}] = o[1];`;
const pair = (r: number) => `x[${r}], x[${r + 1}]`;

/** Effective address rs1 + imm into locals lo, hi. */
function address(a: number, imm: number): string {
  return `const bl = x[${a}]; const lo = (bl + ${imm}) | 0; ` +
    `const hi = (x[${a + 1}] + ${imm >> 31} + ((lo >>> 0) < (bl >>> 0) ? 1 : 0)) | 0;`;
}

/** JS for one RV64 instruction, or null when it must end the block before it. */
export function emit64(op: number, d: number, a: number, b: number, imm: number, off: number, len: number, n: string, slot: number, taken?: string): string | null {
  const next = `setPc(h, pcLo, pcHi, ${off + len})`;
  // After a memory access: a fault stops at this instruction; anything else that makes the
  // interpreter leave its loop (a device raising an interrupt line) stops after it, so
  // translated and interpreted runs take interrupts at the same instruction.
  const fault = `if (h.yieldLoop) { if (h.excCause >= 0) { h.pcLo = (pcLo + ${off}) | 0; h.pcHi = pcHi; } else ${next}; return ${n}; }`;
  const stale = `if (pg.blocks[${slot}] !== block) { ${next}; return ${n}; }`;
  const branch = (cond: string) => `if (${cond}) { ${taken ?? `setPc(h, pcLo, pcHi, ${off + imm}); return ${n};`} } ${next}; return ${n};`;
  const wr = d !== 0;
  switch (op) {
    case Op.LUI: return wr ? `x[${d}] = ${imm}; x[${d + 1}] = ${imm >> 31};` : '';
    case Op.AUIPC: return wr ? `linkTo(x, ${d}, pcLo, pcHi, ${off + imm});` : '';
    case Op.JAL: return `${wr ? `linkTo(x, ${d}, pcLo, pcHi, ${off + len}); ` : ''}setPc(h, pcLo, pcHi, ${off + imm}); return ${n};`;
    case Op.JALR:
      return `{ const bl = x[${a}]; const tl = (bl + ${imm}) | 0; ` +
        `const th = (x[${a + 1}] + ${imm >> 31} + ((tl >>> 0) < (bl >>> 0) ? 1 : 0)) | 0; ` +
        `${wr ? `linkTo(x, ${d}, pcLo, pcHi, ${off + len}); ` : ''}h.pcLo = tl & -2; h.pcHi = th; return ${n}; }`;
    case Op.BEQ: return branch(`x[${a}] === x[${b}] && x[${a + 1}] === x[${b + 1}]`);
    case Op.BNE: return branch(`x[${a}] !== x[${b}] || x[${a + 1}] !== x[${b + 1}]`);
    case Op.BLT: return branch(`I64.lt(${pair(a)}, ${pair(b)})`);
    case Op.BGE: return branch(`!I64.lt(${pair(a)}, ${pair(b)})`);
    case Op.BLTU: return branch(`I64.ltu(${pair(a)}, ${pair(b)})`);
    case Op.BGEU: return branch(`!I64.ltu(${pair(a)}, ${pair(b)})`);
    case Op.LB: case Op.LH: case Op.LW: case Op.LD: case Op.LBU: case Op.LHU: case Op.LWU: {
      const load = {
        [Op.LB]: 'const v = (h.load8(lo, hi) << 24) >> 24; const vh = v >> 31;',
        [Op.LBU]: 'const v = h.load8(lo, hi); const vh = 0;',
        [Op.LH]: 'const v = (h.load16(lo, hi) << 16) >> 16; const vh = v >> 31;',
        [Op.LHU]: 'const v = h.load16(lo, hi); const vh = 0;',
        [Op.LW]: 'const v = h.load32(lo, hi); const vh = v >> 31;',
        [Op.LWU]: 'const v = h.load32(lo, hi); const vh = 0;',
        [Op.LD]: 'const v = h.load64(lo, hi); const vh = h.ldHi;',
      }[op];
      return `{ ${address(a, imm)} ${load} ${fault} ${wr ? `x[${d}] = v; x[${d + 1}] = vh;` : ''} }`;
    }
    case Op.SB: case Op.SH: case Op.SW: case Op.SD: {
      const store = {
        [Op.SB]: `h.store8(lo, hi, x[${b}] & 0xff);`,
        [Op.SH]: `h.store16(lo, hi, x[${b}] & 0xffff);`,
        [Op.SW]: `h.store32(lo, hi, x[${b}]);`,
        [Op.SD]: `h.store64(lo, hi, x[${b}], x[${b + 1}]);`,
      }[op];
      return `{ ${address(a, imm)} ${store} ${fault} ${stale} }`;
    }
    case Op.FENCE: case Op.FENCE_I: return '';
    default: break;
  }
  if (!wr) {
    // Writes to x0 from pure ALU ops have no effect at all.
    return isAlu(op) ? '' : null;
  }
  switch (op) {
    case Op.ADDI:
      return `{ const l = x[${a}]; const r = (l + ${imm}) | 0; x[${d + 1}] = (x[${a + 1}] + ${imm >> 31} + ((r >>> 0) < (l >>> 0) ? 1 : 0)) | 0; x[${d}] = r; }`;
    case Op.SLTI: return `x[${d}] = I64.lt(${pair(a)}, ${imm}, ${imm >> 31}) ? 1 : 0; x[${d + 1}] = 0;`;
    case Op.SLTIU: return `x[${d}] = I64.ltu(${pair(a)}, ${imm}, ${imm >> 31}) ? 1 : 0; x[${d + 1}] = 0;`;
    case Op.XORI: return `x[${d}] = x[${a}] ^ ${imm}; x[${d + 1}] = x[${a + 1}] ^ ${imm >> 31};`;
    case Op.ORI: return `x[${d}] = x[${a}] | ${imm}; x[${d + 1}] = x[${a + 1}] | ${imm >> 31};`;
    case Op.ANDI: return `x[${d}] = x[${a}] & ${imm}; x[${d + 1}] = x[${a + 1}] & ${imm >> 31};`;
    case Op.SLLI: return shiftLeft(d, a, imm & 63);
    case Op.SRLI: return shiftRight(d, a, imm & 63, false);
    case Op.SRAI: return shiftRight(d, a, imm & 63, true);
    case Op.ADD:
      return `{ const l = x[${a}]; const r = (l + x[${b}]) | 0; x[${d + 1}] = (x[${a + 1}] + x[${b + 1}] + ((r >>> 0) < (l >>> 0) ? 1 : 0)) | 0; x[${d}] = r; }`;
    case Op.SUB:
      return `{ const l = x[${a}], m = x[${b}]; x[${d + 1}] = (x[${a + 1}] - x[${b + 1}] - ((l >>> 0) < (m >>> 0) ? 1 : 0)) | 0; x[${d}] = (l - m) | 0; }`;
    case Op.SLL: return fromOut(d, `I64.sll(${pair(a)}, x[${b}] & 63)`);
    case Op.SRL: return fromOut(d, `I64.srl(${pair(a)}, x[${b}] & 63)`);
    case Op.SRA: return fromOut(d, `I64.sra(${pair(a)}, x[${b}] & 63)`);
    case Op.SLT: return `x[${d}] = I64.lt(${pair(a)}, ${pair(b)}) ? 1 : 0; x[${d + 1}] = 0;`;
    case Op.SLTU: return `x[${d}] = I64.ltu(${pair(a)}, ${pair(b)}) ? 1 : 0; x[${d + 1}] = 0;`;
    case Op.XOR: return `x[${d}] = x[${a}] ^ x[${b}]; x[${d + 1}] = x[${a + 1}] ^ x[${b + 1}];`;
    case Op.OR: return `x[${d}] = x[${a}] | x[${b}]; x[${d + 1}] = x[${a + 1}] | x[${b + 1}];`;
    case Op.AND: return `x[${d}] = x[${a}] & x[${b}]; x[${d + 1}] = x[${a + 1}] & x[${b + 1}];`;
    case Op.ADDIW: return w32(d, `(x[${a}] + ${imm}) | 0`);
    case Op.SLLIW: return w32(d, `x[${a}] << ${imm}`);
    case Op.SRLIW: return w32(d, `(x[${a}] >>> ${imm}) | 0`);
    case Op.SRAIW: return w32(d, `x[${a}] >> ${imm}`);
    case Op.ADDW: return w32(d, `(x[${a}] + x[${b}]) | 0`);
    case Op.SUBW: return w32(d, `(x[${a}] - x[${b}]) | 0`);
    case Op.SLLW: return w32(d, `x[${a}] << (x[${b}] & 31)`);
    case Op.SRLW: return w32(d, `(x[${a}] >>> (x[${b}] & 31)) | 0`);
    case Op.SRAW: return w32(d, `x[${a}] >> (x[${b}] & 31)`);
    case Op.MUL: return fromOut(d, `I64.mul(${pair(a)}, ${pair(b)})`);
    case Op.MULH: return fromOut(d, `I64.mulh(${pair(a)}, ${pair(b)}, true, true)`);
    case Op.MULHSU: return fromOut(d, `I64.mulh(${pair(a)}, ${pair(b)}, true, false)`);
    case Op.MULHU: return fromOut(d, `I64.mulh(${pair(a)}, ${pair(b)}, false, false)`);
    case Op.DIV: return fromOut(d, `I64.div(${pair(a)}, ${pair(b)})`);
    case Op.DIVU: return fromOut(d, `I64.divu(${pair(a)}, ${pair(b)})`);
    case Op.REM: return fromOut(d, `I64.rem(${pair(a)}, ${pair(b)})`);
    case Op.REMU: return fromOut(d, `I64.remu(${pair(a)}, ${pair(b)})`);
    case Op.MULW: return w32(d, `Math.imul(x[${a}], x[${b}])`);
    case Op.DIVW: return w32(d, `div32(x[${a}], x[${b}])`);
    case Op.DIVUW: return w32(d, `divu32(x[${a}], x[${b}])`);
    case Op.REMW: return w32(d, `rem32(x[${a}], x[${b}])`);
    case Op.REMUW: return w32(d, `remu32(x[${a}], x[${b}])`);
    default: return null;
  }
}

/** Translate the RV64 block starting at `slot` of `page`, or undefined when its first instruction cannot be. */
export function translateBlock64(_h: unknown, page: CodePage, slot: number): BlockFn | undefined {
  return translateBlock(page, slot, emit64);
}

