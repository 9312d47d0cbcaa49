/**
 * Encodings of the few RISC-V instructions that hand-written test programs use
 * (Unpriv 20191213 ch. 2 and 8 formats): tests that need an exact instruction at an
 * exact address write these words into RAM instead of building a guest.
 */
const iType = (op: number, f3: number, rd: number, rs1: number, imm: number) => ((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
export const addi = (rd: number, rs1: number, imm: number): number => iType(0x13, 0, rd, rs1, imm);
export const lw = (rd: number, rs1: number, imm: number): number => iType(0x03, 2, rd, rs1, imm);
export const sw = (rs2: number, rs1: number, imm: number): number =>
  (((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (2 << 12) | ((imm & 0x1f) << 7) | 0x23;
export const andi = (rd: number, rs1: number, imm: number): number => iType(0x13, 7, rd, rs1, imm);
const branch = (f3: number) => (rs1: number, rs2: number, imm: number): number =>
  (((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
  (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) | 0x63;
export const beq = branch(0);
export const bne = branch(1);
/** amoadd.w rd, rs2, (rs1), no ordering bits. */
export const amoaddW = (rd: number, rs2: number, rs1: number): number => (rs2 << 20) | (rs1 << 15) | (2 << 12) | (rd << 7) | 0x2f;
/** lr.w rd, (rs1) and sc.w rd, rs2, (rs1), no ordering bits. */
export const lrW = (rd: number, rs1: number): number => (0b00010 << 27) | (rs1 << 15) | (2 << 12) | (rd << 7) | 0x2f;
export const scW = (rd: number, rs2: number, rs1: number): number => (0b00011 << 27) | (rs2 << 20) | (rs1 << 15) | (2 << 12) | (rd << 7) | 0x2f;
/** jal x0, 0: the end of a program. */
export const SPIN = 0x6f;
export const ZERO = 0, A0 = 10, A1 = 11, A2 = 12, A3 = 13, A4 = 14, A5 = 15;
