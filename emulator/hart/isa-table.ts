/**
 * Every instruction encoding, once (Unpriv ISA 20191213 ch. 24 "RV32/64G Instruction
 * Set Listings", Priv 1.12 ch. 9). The decoder, the disassembler and the ISA tests read
 * this table. Op ids are a const enum so the interpreter's `switch` compiles to a jump
 * table (literal cases); the build compiles the whole program with tsc, which inlines
 * them (docs/architecture.md, "Decode and execute").
 */

export const enum Op {
  /** A decode-cache slot not decoded yet. */
  UNDECODED = 0,
  ILLEGAL,
  LUI, AUIPC, JAL, JALR,
  BEQ, BNE, BLT, BGE, BLTU, BGEU,
  LB, LH, LW, LD, LBU, LHU, LWU,
  SB, SH, SW, SD,
  ADDI, SLTI, SLTIU, XORI, ORI, ANDI, SLLI, SRLI, SRAI,
  ADD, SUB, SLL, SLT, SLTU, XOR, SRL, SRA, OR, AND,
  ADDIW, SLLIW, SRLIW, SRAIW,
  ADDW, SUBW, SLLW, SRLW, SRAW,
  FENCE, FENCE_I,
  ECALL, EBREAK, MRET, SRET, WFI, SFENCE_VMA,
  CSRRW, CSRRS, CSRRC, CSRRWI, CSRRSI, CSRRCI,
  MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU,
  MULW, DIVW, DIVUW, REMW, REMUW,
  LR_W, SC_W, AMOSWAP_W, AMOADD_W, AMOXOR_W, AMOAND_W, AMOOR_W, AMOMIN_W, AMOMAX_W, AMOMINU_W, AMOMAXU_W,
  LR_D, SC_D, AMOSWAP_D, AMOADD_D, AMOXOR_D, AMOAND_D, AMOOR_D, AMOMIN_D, AMOMAX_D, AMOMINU_D, AMOMAXU_D,
  COUNT,
}

/** How operands are laid out in the instruction word; the decoder extracts by format. */
export type Format = 'R' | 'I' | 'S' | 'B' | 'U' | 'J' | 'SH' | 'CSR' | 'CSRI' | 'AMO' | 'LR' | 'NONE' | 'SFENCE';

export type Extension = 'I' | 'M' | 'A' | 'Zicsr' | 'Zifencei' | 'Priv';

export interface Encoding {
  op: Op;
  name: string;
  mask: number;
  match: number;
  format: Format;
  ext: Extension;
  /** XLENs the encoding exists in. */
  xlens: readonly (32 | 64)[];
}

const BOTH = [32, 64] as const;
const RV64 = [64] as const;

// Masks for the common shapes.
const M_OPC = 0x7f;                 // opcode only (U, J)
const M_F3 = 0x707f;                // opcode + funct3 (I, S, B)
const M_F7 = 0xfe00707f;            // opcode + funct3 + funct7 (R)
const M_SH64 = 0xfc00707f;          // RV64 shifts: 6-bit shamt
const M_AMO = 0xf800707f;           // funct5 + funct3 + opcode (aq/rl free)
const M_LR = 0xf9f0707f;            // LR: rs2 must be 0
const M_ALL = 0xffffffff;

function e(op: Op, name: string, mask: number, match: number, format: Format, ext: Extension, xlens: readonly (32 | 64)[] = BOTH): Encoding {
  return { op, name, mask: mask | 0, match: match | 0, format, ext, xlens };
}
const amo = (op: Op, name: string, f5: number, f3: number, xl: readonly (32 | 64)[]) =>
  e(op, name, M_AMO, (f5 << 27) | (f3 << 12) | 0x2f, 'AMO', 'A', xl);

export const ENCODINGS: readonly Encoding[] = [
  e(Op.LUI, 'lui', M_OPC, 0x37, 'U', 'I'),
  e(Op.AUIPC, 'auipc', M_OPC, 0x17, 'U', 'I'),
  e(Op.JAL, 'jal', M_OPC, 0x6f, 'J', 'I'),
  e(Op.JALR, 'jalr', M_F3, 0x67, 'I', 'I'),
  e(Op.BEQ, 'beq', M_F3, 0x0063, 'B', 'I'),
  e(Op.BNE, 'bne', M_F3, 0x1063, 'B', 'I'),
  e(Op.BLT, 'blt', M_F3, 0x4063, 'B', 'I'),
  e(Op.BGE, 'bge', M_F3, 0x5063, 'B', 'I'),
  e(Op.BLTU, 'bltu', M_F3, 0x6063, 'B', 'I'),
  e(Op.BGEU, 'bgeu', M_F3, 0x7063, 'B', 'I'),
  e(Op.LB, 'lb', M_F3, 0x0003, 'I', 'I'),
  e(Op.LH, 'lh', M_F3, 0x1003, 'I', 'I'),
  e(Op.LW, 'lw', M_F3, 0x2003, 'I', 'I'),
  e(Op.LD, 'ld', M_F3, 0x3003, 'I', 'I', RV64),
  e(Op.LBU, 'lbu', M_F3, 0x4003, 'I', 'I'),
  e(Op.LHU, 'lhu', M_F3, 0x5003, 'I', 'I'),
  e(Op.LWU, 'lwu', M_F3, 0x6003, 'I', 'I', RV64),
  e(Op.SB, 'sb', M_F3, 0x0023, 'S', 'I'),
  e(Op.SH, 'sh', M_F3, 0x1023, 'S', 'I'),
  e(Op.SW, 'sw', M_F3, 0x2023, 'S', 'I'),
  e(Op.SD, 'sd', M_F3, 0x3023, 'S', 'I', RV64),
  e(Op.ADDI, 'addi', M_F3, 0x0013, 'I', 'I'),
  e(Op.SLTI, 'slti', M_F3, 0x2013, 'I', 'I'),
  e(Op.SLTIU, 'sltiu', M_F3, 0x3013, 'I', 'I'),
  e(Op.XORI, 'xori', M_F3, 0x4013, 'I', 'I'),
  e(Op.ORI, 'ori', M_F3, 0x6013, 'I', 'I'),
  e(Op.ANDI, 'andi', M_F3, 0x7013, 'I', 'I'),
  e(Op.SLLI, 'slli', M_F7, 0x00001013, 'SH', 'I', [32]),
  e(Op.SRLI, 'srli', M_F7, 0x00005013, 'SH', 'I', [32]),
  e(Op.SRAI, 'srai', M_F7, 0x40005013, 'SH', 'I', [32]),
  e(Op.SLLI, 'slli', M_SH64, 0x00001013, 'SH', 'I', RV64),
  e(Op.SRLI, 'srli', M_SH64, 0x00005013, 'SH', 'I', RV64),
  e(Op.SRAI, 'srai', M_SH64, 0x40005013, 'SH', 'I', RV64),
  e(Op.ADD, 'add', M_F7, 0x00000033, 'R', 'I'),
  e(Op.SUB, 'sub', M_F7, 0x40000033, 'R', 'I'),
  e(Op.SLL, 'sll', M_F7, 0x00001033, 'R', 'I'),
  e(Op.SLT, 'slt', M_F7, 0x00002033, 'R', 'I'),
  e(Op.SLTU, 'sltu', M_F7, 0x00003033, 'R', 'I'),
  e(Op.XOR, 'xor', M_F7, 0x00004033, 'R', 'I'),
  e(Op.SRL, 'srl', M_F7, 0x00005033, 'R', 'I'),
  e(Op.SRA, 'sra', M_F7, 0x40005033, 'R', 'I'),
  e(Op.OR, 'or', M_F7, 0x00006033, 'R', 'I'),
  e(Op.AND, 'and', M_F7, 0x00007033, 'R', 'I'),
  e(Op.ADDIW, 'addiw', M_F3, 0x001b, 'I', 'I', RV64),
  e(Op.SLLIW, 'slliw', M_F7, 0x0000101b, 'SH', 'I', RV64),
  e(Op.SRLIW, 'srliw', M_F7, 0x0000501b, 'SH', 'I', RV64),
  e(Op.SRAIW, 'sraiw', M_F7, 0x4000501b, 'SH', 'I', RV64),
  e(Op.ADDW, 'addw', M_F7, 0x0000003b, 'R', 'I', RV64),
  e(Op.SUBW, 'subw', M_F7, 0x4000003b, 'R', 'I', RV64),
  e(Op.SLLW, 'sllw', M_F7, 0x0000103b, 'R', 'I', RV64),
  e(Op.SRLW, 'srlw', M_F7, 0x0000503b, 'R', 'I', RV64),
  e(Op.SRAW, 'sraw', M_F7, 0x4000503b, 'R', 'I', RV64),
  // FENCE: fm/pred/succ/rs1/rd are don't-care for an in-order hart (Unpriv §2.7).
  e(Op.FENCE, 'fence', M_F3, 0x000f, 'NONE', 'I'),
  e(Op.FENCE_I, 'fence.i', M_F3, 0x100f, 'NONE', 'Zifencei'),
  e(Op.ECALL, 'ecall', M_ALL, 0x00000073, 'NONE', 'I'),
  e(Op.EBREAK, 'ebreak', M_ALL, 0x00100073, 'NONE', 'I'),
  e(Op.MRET, 'mret', M_ALL, 0x30200073, 'NONE', 'Priv'),
  e(Op.SRET, 'sret', M_ALL, 0x10200073, 'NONE', 'Priv'),
  e(Op.WFI, 'wfi', M_ALL, 0x10500073, 'NONE', 'Priv'),
  e(Op.SFENCE_VMA, 'sfence.vma', 0xfe007fff, 0x12000073, 'SFENCE', 'Priv'),
  e(Op.CSRRW, 'csrrw', M_F3, 0x1073, 'CSR', 'Zicsr'),
  e(Op.CSRRS, 'csrrs', M_F3, 0x2073, 'CSR', 'Zicsr'),
  e(Op.CSRRC, 'csrrc', M_F3, 0x3073, 'CSR', 'Zicsr'),
  e(Op.CSRRWI, 'csrrwi', M_F3, 0x5073, 'CSRI', 'Zicsr'),
  e(Op.CSRRSI, 'csrrsi', M_F3, 0x6073, 'CSRI', 'Zicsr'),
  e(Op.CSRRCI, 'csrrci', M_F3, 0x7073, 'CSRI', 'Zicsr'),
  e(Op.MUL, 'mul', M_F7, 0x02000033, 'R', 'M'),
  e(Op.MULH, 'mulh', M_F7, 0x02001033, 'R', 'M'),
  e(Op.MULHSU, 'mulhsu', M_F7, 0x02002033, 'R', 'M'),
  e(Op.MULHU, 'mulhu', M_F7, 0x02003033, 'R', 'M'),
  e(Op.DIV, 'div', M_F7, 0x02004033, 'R', 'M'),
  e(Op.DIVU, 'divu', M_F7, 0x02005033, 'R', 'M'),
  e(Op.REM, 'rem', M_F7, 0x02006033, 'R', 'M'),
  e(Op.REMU, 'remu', M_F7, 0x02007033, 'R', 'M'),
  e(Op.MULW, 'mulw', M_F7, 0x0200003b, 'R', 'M', RV64),
  e(Op.DIVW, 'divw', M_F7, 0x0200403b, 'R', 'M', RV64),
  e(Op.DIVUW, 'divuw', M_F7, 0x0200503b, 'R', 'M', RV64),
  e(Op.REMW, 'remw', M_F7, 0x0200603b, 'R', 'M', RV64),
  e(Op.REMUW, 'remuw', M_F7, 0x0200703b, 'R', 'M', RV64),
  e(Op.LR_W, 'lr.w', M_LR, 0x1000202f, 'LR', 'A'),
  e(Op.SC_W, 'sc.w', M_AMO, 0x1800202f, 'AMO', 'A'),
  amo(Op.AMOSWAP_W, 'amoswap.w', 0x01, 2, BOTH),
  amo(Op.AMOADD_W, 'amoadd.w', 0x00, 2, BOTH),
  amo(Op.AMOXOR_W, 'amoxor.w', 0x04, 2, BOTH),
  amo(Op.AMOAND_W, 'amoand.w', 0x0c, 2, BOTH),
  amo(Op.AMOOR_W, 'amoor.w', 0x08, 2, BOTH),
  amo(Op.AMOMIN_W, 'amomin.w', 0x10, 2, BOTH),
  amo(Op.AMOMAX_W, 'amomax.w', 0x14, 2, BOTH),
  amo(Op.AMOMINU_W, 'amominu.w', 0x18, 2, BOTH),
  amo(Op.AMOMAXU_W, 'amomaxu.w', 0x1c, 2, BOTH),
  e(Op.LR_D, 'lr.d', M_LR, 0x1000302f, 'LR', 'A', RV64),
  e(Op.SC_D, 'sc.d', M_AMO, 0x1800302f, 'AMO', 'A', RV64),
  amo(Op.AMOSWAP_D, 'amoswap.d', 0x01, 3, RV64),
  amo(Op.AMOADD_D, 'amoadd.d', 0x00, 3, RV64),
  amo(Op.AMOXOR_D, 'amoxor.d', 0x04, 3, RV64),
  amo(Op.AMOAND_D, 'amoand.d', 0x0c, 3, RV64),
  amo(Op.AMOOR_D, 'amoor.d', 0x08, 3, RV64),
  amo(Op.AMOMIN_D, 'amomin.d', 0x10, 3, RV64),
  amo(Op.AMOMAX_D, 'amomax.d', 0x14, 3, RV64),
  amo(Op.AMOMINU_D, 'amominu.d', 0x18, 3, RV64),
  amo(Op.AMOMAXU_D, 'amomaxu.d', 0x1c, 3, RV64),
];
