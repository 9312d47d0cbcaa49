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
  FLW, FSW, FMADD_S, FMSUB_S, FNMSUB_S, FNMADD_S, FADD_S, FSUB_S, FMUL_S, FDIV_S, FSQRT_S,
  FSGNJ_S, FSGNJN_S, FSGNJX_S, FMIN_S, FMAX_S, FCVT_W_S, FCVT_WU_S, FMV_X_W, FEQ_S, FLT_S, FLE_S, FCLASS_S,
  FCVT_S_W, FCVT_S_WU, FMV_W_X, FCVT_L_S, FCVT_LU_S, FCVT_S_L, FCVT_S_LU,
  FLD, FSD, FMADD_D, FMSUB_D, FNMSUB_D, FNMADD_D, FADD_D, FSUB_D, FMUL_D, FDIV_D, FSQRT_D,
  FSGNJ_D, FSGNJN_D, FSGNJX_D, FMIN_D, FMAX_D, FCVT_S_D, FCVT_D_S, FEQ_D, FLT_D, FLE_D, FCLASS_D,
  FCVT_W_D, FCVT_WU_D, FCVT_D_W, FCVT_D_WU, FCVT_L_D, FCVT_LU_D, FMV_X_D, FCVT_D_L, FCVT_D_LU, FMV_D_X,
  ADD_UW, SH1ADD, SH2ADD, SH3ADD, SH1ADD_UW, SH2ADD_UW, SH3ADD_UW, SLLI_UW,
  ANDN, ORN, XNOR, CLZ, CTZ, CPOP, CLZW, CTZW, CPOPW, MAX, MAXU, MIN, MINU, SEXT_B, SEXT_H, ZEXT_H,
  ROL, ROR, RORI, ROLW, RORW, RORIW, ORC_B, REV8,
  CLMUL, CLMULH, CLMULR,
  BCLR, BCLRI, BEXT, BEXTI, BINV, BINVI, BSET, BSETI,
  CBO_CLEAN, CBO_FLUSH, CBO_INVAL, CBO_ZERO,
  COUNT,
}

/** How operands are laid out in the instruction word; the decoder extracts by format. */
export type Format = 'R' | 'R1' | 'CBO' | 'I' | 'S' | 'B' | 'U' | 'J' | 'SH' | 'CSR' | 'CSRI' | 'AMO' | 'LR' | 'NONE' | 'SFENCE' |
  /** F/D: OP-FP (the rm/funct3 field is the immediate), fused multiply-add (rm | rs3 << 3), loads (I), stores (S). */
  'FP' | 'R4' | 'FL' | 'FS';
// R1: rd and rs1 only (Zbb's unary operations); CBO: rs1 only (Zicbom/Zicboz).

export type Extension = 'I' | 'M' | 'A' | 'F' | 'D' | 'Zicsr' | 'Zifencei' | 'Priv' | OptionalExtension;

/**
 * The extensions a board may leave out, by the bit that says so in a decoder's `off` mask
 * (decode.ts); F and D are left out through mstatus.FS instead. Svpbmt and Zihintpause
 * have no instructions of their own: the page walk and the disassembler know them.
 */
export const OPTIONAL_EXTENSIONS = ['Zba', 'Zbb', 'Zbc', 'Zbs', 'Zicbom', 'Zicboz'] as const;
export type OptionalExtension = typeof OPTIONAL_EXTENSIONS[number];
/**
 * The multi-letter extensions a board chooses, by their riscv,isa names, in the order
 * QEMU's riscv,isa lists them (zicbom and zicboz where later QEMUs put them).
 */
export const CHOOSABLE_EXTENSIONS = ['zicbom', 'zicboz', 'zihintpause', 'zba', 'zbb', 'zbc', 'zbs', 'svpbmt'] as const;
export type IsaExtension = typeof CHOOSABLE_EXTENSIONS[number];
/** What QEMU 7.2's default rv64/rv32 CPU has of them (its `-cpu rv64` DTB): svpbmt is off there, and it has no Zicbom/Zicboz. */
export const DEFAULT_EXTENSIONS: readonly IsaExtension[] = ['zihintpause', 'zba', 'zbb', 'zbc', 'zbs'];
/** The decoder's `off` mask for a hart with `exts`. */
export function extensionsOff(exts: readonly IsaExtension[]): number {
  let off = 0;
  for (const x of OPTIONAL_EXTENSIONS) if (!(exts as readonly string[]).includes(x.toLowerCase())) off |= extensionBit(x);
  return off;
}
/** Zicbom/Zicboz cache-block size in bytes, as QEMU 8's (riscv,cbom-block-size and riscv,cboz-block-size in the device tree). */
export const CBO_BLOCK = 64;
/** The `off` bit of an extension (0 for those always present). */
export function extensionBit(ext: Extension): number {
  const i = (OPTIONAL_EXTENSIONS as readonly string[]).indexOf(ext);
  return i < 0 ? 0 : 1 << i;
}

/**
 * Register files of rd, rs1 and rs2 for F/D encodings: f (float), x (integer), - (none).
 * R4 adds rs3, always f.
 */
export type FpRegs = `${'f' | 'x'}${'f' | 'x'}${'f' | 'x' | '-'}`;

export interface Encoding {
  op: Op;
  name: string;
  mask: number;
  match: number;
  format: Format;
  ext: Extension;
  /** XLENs the encoding exists in. */
  xlens: readonly (32 | 64)[];
  /** F/D only: which register file each operand names. */
  regs?: FpRegs;
  /** F/D only: the rm field is a rounding mode (checked: reserved modes are illegal). */
  rm?: boolean;
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
/** OP-FP (0x53): funct7, and rs2 when it is part of the encoding; rm says whether funct3 is a rounding mode. */
function fp(op: Op, name: string, f7: number, rs2: number | null, f3: number | null, regs: FpRegs, xlens: readonly (32 | 64)[] = BOTH): Encoding {
  const mask = 0xfe00007f | (rs2 === null ? 0 : 0x01f00000) | (f3 === null ? 0 : 0x7000);
  const match = (f7 << 25) | ((rs2 ?? 0) << 20) | ((f3 ?? 0) << 12) | 0x53;
  return { ...e(op, name, mask, match, 'FP', (f7 & 1) !== 0 ? 'D' : 'F', xlens), regs, rm: f3 === null };
}
/** Fused multiply-add: opcode and fmt (bits 26:25); rs3 and rm free. */
const r4 = (op: Op, name: string, opc: number, fmt: number): Encoding =>
  ({ ...e(op, name, 0x0600007f, (fmt << 25) | opc, 'R4', fmt === 1 ? 'D' : 'F'), regs: 'fff', rm: true });

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
  ...fpEncodings('s', 0), ...fpEncodings('d', 1),
  ...bitmanipEncodings(),
  // Zicbom, Zicboz (CMO spec 1.0 ch. 3): MISC-MEM funct3 2, rd 0, the operation in imm.
  e(Op.CBO_INVAL, 'cbo.inval', 0xfff07fff, 0x0000200f, 'CBO', 'Zicbom'),
  e(Op.CBO_CLEAN, 'cbo.clean', 0xfff07fff, 0x0010200f, 'CBO', 'Zicbom'),
  e(Op.CBO_FLUSH, 'cbo.flush', 0xfff07fff, 0x0020200f, 'CBO', 'Zicbom'),
  e(Op.CBO_ZERO, 'cbo.zero', 0xfff07fff, 0x0040200f, 'CBO', 'Zicboz'),
];

/** Zba, Zbb, Zbc, Zbs (Bitmanip 1.0.0 ch. 2): OP/OP-32 R forms, OP-IMM unary forms (rs2 field fixed), shifts by immediate. */
function bitmanipEncodings(): Encoding[] {
  const M_UN = 0xfff0707f; // opcode + funct3 + funct12 (unary: rs2 is part of the encoding)
  const r = (op: Op, name: string, f7: number, f3: number, opc: number, ext: Extension, xl: readonly (32 | 64)[] = BOTH) =>
    e(op, name, M_F7, (f7 << 25) | (f3 << 12) | opc, 'R', ext, xl);
  const un = (op: Op, name: string, f12: number, f3: number, opc: number, xl: readonly (32 | 64)[] = BOTH) =>
    e(op, name, M_UN, (f12 << 20) | (f3 << 12) | opc, 'R1', 'Zbb', xl);
  /** A shift by immediate: a 5-bit shamt on RV32 (bit 25 zero), 6-bit on RV64. */
  const sh = (op: Op, name: string, f7: number, f3: number, ext: Extension) => [
    e(op, name, M_F7, (f7 << 25) | (f3 << 12) | 0x13, 'SH', ext, [32]),
    e(op, name, M_SH64, (f7 << 25) | (f3 << 12) | 0x13, 'SH', ext, RV64),
  ];
  const OP = 0x33, OP32 = 0x3b, IMM = 0x13, IMM32 = 0x1b;
  return [
    r(Op.ADD_UW, 'add.uw', 0x04, 0, OP32, 'Zba', RV64),
    r(Op.SH1ADD, 'sh1add', 0x10, 2, OP, 'Zba'),
    r(Op.SH2ADD, 'sh2add', 0x10, 4, OP, 'Zba'),
    r(Op.SH3ADD, 'sh3add', 0x10, 6, OP, 'Zba'),
    r(Op.SH1ADD_UW, 'sh1add.uw', 0x10, 2, OP32, 'Zba', RV64),
    r(Op.SH2ADD_UW, 'sh2add.uw', 0x10, 4, OP32, 'Zba', RV64),
    r(Op.SH3ADD_UW, 'sh3add.uw', 0x10, 6, OP32, 'Zba', RV64),
    e(Op.SLLI_UW, 'slli.uw', M_SH64, 0x0800101b, 'SH', 'Zba', RV64),
    r(Op.ANDN, 'andn', 0x20, 7, OP, 'Zbb'),
    r(Op.ORN, 'orn', 0x20, 6, OP, 'Zbb'),
    r(Op.XNOR, 'xnor', 0x20, 4, OP, 'Zbb'),
    un(Op.CLZ, 'clz', 0x600, 1, IMM),
    un(Op.CTZ, 'ctz', 0x601, 1, IMM),
    un(Op.CPOP, 'cpop', 0x602, 1, IMM),
    un(Op.CLZW, 'clzw', 0x600, 1, IMM32, RV64),
    un(Op.CTZW, 'ctzw', 0x601, 1, IMM32, RV64),
    un(Op.CPOPW, 'cpopw', 0x602, 1, IMM32, RV64),
    r(Op.MAX, 'max', 0x05, 6, OP, 'Zbb'),
    r(Op.MAXU, 'maxu', 0x05, 7, OP, 'Zbb'),
    r(Op.MIN, 'min', 0x05, 4, OP, 'Zbb'),
    r(Op.MINU, 'minu', 0x05, 5, OP, 'Zbb'),
    un(Op.SEXT_B, 'sext.b', 0x604, 1, IMM),
    un(Op.SEXT_H, 'sext.h', 0x605, 1, IMM),
    // zext.h is pack with rs2 = x0: OP on RV32, OP-32 on RV64.
    un(Op.ZEXT_H, 'zext.h', 0x080, 4, OP, [32]),
    un(Op.ZEXT_H, 'zext.h', 0x080, 4, OP32, RV64),
    r(Op.ROL, 'rol', 0x30, 1, OP, 'Zbb'),
    r(Op.ROR, 'ror', 0x30, 5, OP, 'Zbb'),
    ...sh(Op.RORI, 'rori', 0x30, 5, 'Zbb'),
    r(Op.ROLW, 'rolw', 0x30, 1, OP32, 'Zbb', RV64),
    r(Op.RORW, 'rorw', 0x30, 5, OP32, 'Zbb', RV64),
    e(Op.RORIW, 'roriw', M_F7, 0x6000501b, 'SH', 'Zbb', RV64),
    un(Op.ORC_B, 'orc.b', 0x287, 5, IMM),
    // rev8's shamt-like field is XLEN - 8.
    un(Op.REV8, 'rev8', 0x698, 5, IMM, [32]),
    un(Op.REV8, 'rev8', 0x6b8, 5, IMM, RV64),
    r(Op.CLMUL, 'clmul', 0x05, 1, OP, 'Zbc'),
    r(Op.CLMULR, 'clmulr', 0x05, 2, OP, 'Zbc'),
    r(Op.CLMULH, 'clmulh', 0x05, 3, OP, 'Zbc'),
    r(Op.BCLR, 'bclr', 0x24, 1, OP, 'Zbs'),
    ...sh(Op.BCLRI, 'bclri', 0x24, 1, 'Zbs'),
    r(Op.BEXT, 'bext', 0x24, 5, OP, 'Zbs'),
    ...sh(Op.BEXTI, 'bexti', 0x24, 5, 'Zbs'),
    r(Op.BINV, 'binv', 0x34, 1, OP, 'Zbs'),
    ...sh(Op.BINVI, 'binvi', 0x34, 1, 'Zbs'),
    r(Op.BSET, 'bset', 0x14, 1, OP, 'Zbs'),
    ...sh(Op.BSETI, 'bseti', 0x14, 1, 'Zbs'),
  ];
}

/** The F (fmt 0) or D (fmt 1) instructions (Unpriv ch. 11, 12, 24); fcvt.s.d and fcvt.d.s come with D. */
function fpEncodings(t: 's' | 'd', fmt: 0 | 1): Encoding[] {
  const S = t === 's';
  const op = (s: Op, d: Op) => (S ? s : d);
  const ext = S ? 'F' : 'D';
  const ls: Encoding[] = [
    { ...e(op(Op.FLW, Op.FLD), S ? 'flw' : 'fld', M_F3, ((2 + fmt) << 12) | 0x07, 'FL', ext), regs: 'fx-' },
    { ...e(op(Op.FSW, Op.FSD), S ? 'fsw' : 'fsd', M_F3, ((2 + fmt) << 12) | 0x27, 'FS', ext), regs: 'xxf' },
  ];
  const x = t === 's' ? 'w' : 'd';
  const list: Encoding[] = [
    ...ls,
    r4(op(Op.FMADD_S, Op.FMADD_D), `fmadd.${t}`, 0x43, fmt),
    r4(op(Op.FMSUB_S, Op.FMSUB_D), `fmsub.${t}`, 0x47, fmt),
    r4(op(Op.FNMSUB_S, Op.FNMSUB_D), `fnmsub.${t}`, 0x4b, fmt),
    r4(op(Op.FNMADD_S, Op.FNMADD_D), `fnmadd.${t}`, 0x4f, fmt),
    fp(op(Op.FADD_S, Op.FADD_D), `fadd.${t}`, 0x00 | fmt, null, null, 'fff'),
    fp(op(Op.FSUB_S, Op.FSUB_D), `fsub.${t}`, 0x04 | fmt, null, null, 'fff'),
    fp(op(Op.FMUL_S, Op.FMUL_D), `fmul.${t}`, 0x08 | fmt, null, null, 'fff'),
    fp(op(Op.FDIV_S, Op.FDIV_D), `fdiv.${t}`, 0x0c | fmt, null, null, 'fff'),
    fp(op(Op.FSQRT_S, Op.FSQRT_D), `fsqrt.${t}`, 0x2c | fmt, 0, null, 'ff-'),
    fp(op(Op.FSGNJ_S, Op.FSGNJ_D), `fsgnj.${t}`, 0x10 | fmt, null, 0, 'fff'),
    fp(op(Op.FSGNJN_S, Op.FSGNJN_D), `fsgnjn.${t}`, 0x10 | fmt, null, 1, 'fff'),
    fp(op(Op.FSGNJX_S, Op.FSGNJX_D), `fsgnjx.${t}`, 0x10 | fmt, null, 2, 'fff'),
    fp(op(Op.FMIN_S, Op.FMIN_D), `fmin.${t}`, 0x14 | fmt, null, 0, 'fff'),
    fp(op(Op.FMAX_S, Op.FMAX_D), `fmax.${t}`, 0x14 | fmt, null, 1, 'fff'),
    ...(S ? [] : [fp(Op.FCVT_S_D, 'fcvt.s.d', 0x20, 1, null, 'ff-'), fp(Op.FCVT_D_S, 'fcvt.d.s', 0x21, 0, null, 'ff-')]),
    fp(op(Op.FEQ_S, Op.FEQ_D), `feq.${t}`, 0x50 | fmt, null, 2, 'xff'),
    fp(op(Op.FLT_S, Op.FLT_D), `flt.${t}`, 0x50 | fmt, null, 1, 'xff'),
    fp(op(Op.FLE_S, Op.FLE_D), `fle.${t}`, 0x50 | fmt, null, 0, 'xff'),
    fp(op(Op.FCLASS_S, Op.FCLASS_D), `fclass.${t}`, 0x70 | fmt, 0, 1, 'xf-'),
    fp(op(Op.FCVT_W_S, Op.FCVT_W_D), `fcvt.w.${t}`, 0x60 | fmt, 0, null, 'xf-'),
    fp(op(Op.FCVT_WU_S, Op.FCVT_WU_D), `fcvt.wu.${t}`, 0x60 | fmt, 1, null, 'xf-'),
    fp(op(Op.FCVT_L_S, Op.FCVT_L_D), `fcvt.l.${t}`, 0x60 | fmt, 2, null, 'xf-', RV64),
    fp(op(Op.FCVT_LU_S, Op.FCVT_LU_D), `fcvt.lu.${t}`, 0x60 | fmt, 3, null, 'xf-', RV64),
    fp(op(Op.FCVT_S_W, Op.FCVT_D_W), `fcvt.${t}.w`, 0x68 | fmt, 0, null, 'fx-'),
    fp(op(Op.FCVT_S_WU, Op.FCVT_D_WU), `fcvt.${t}.wu`, 0x68 | fmt, 1, null, 'fx-'),
    fp(op(Op.FCVT_S_L, Op.FCVT_D_L), `fcvt.${t}.l`, 0x68 | fmt, 2, null, 'fx-', RV64),
    fp(op(Op.FCVT_S_LU, Op.FCVT_D_LU), `fcvt.${t}.lu`, 0x68 | fmt, 3, null, 'fx-', RV64),
    fp(op(Op.FMV_X_W, Op.FMV_X_D), `fmv.x.${x}`, 0x70 | fmt, 0, 0, 'xf-', S ? BOTH : RV64),
    fp(op(Op.FMV_W_X, Op.FMV_D_X), `fmv.${x}.x`, 0x78 | fmt, 0, 0, 'fx-', S ? BOTH : RV64),
  ];
  return list;
}
