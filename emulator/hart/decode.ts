/**
 * Instruction word → (op, fields, imm), read from ENCODINGS. Compressed instructions
 * are expanded to the 32-bit instruction they stand for (Unpriv ch. 16) and decoded as
 * that, so the interpreter has one case per operation.
 */
import { ENCODINGS, Encoding, extensionBit, Op } from './isa-table';

/** Decoder output: dec[0] = the packed instruction, dec[1] = its immediate. */
export const dec = new Int32Array(2);

/**
 * Packed instruction word, as the code cache stores it: op in bits 7:0, then the
 * register fields pre-doubled as indexes into the int32-pair register file:
 * 2*rd in 13:8, 2*rs1 in 19:14, 2*rs2 in 25:20, and bit 26 set for a 16-bit instruction.
 */
export const P = { D: 8, A: 14, B: 20, COMPRESSED: 1 << 26 } as const;

export function pack(op: number, rd: number, rs1: number, rs2: number, compressed: boolean): number {
  return op | (rd << (P.D + 1)) | (rs1 << (P.A + 1)) | (rs2 << (P.B + 1)) | (compressed ? P.COMPRESSED : 0);
}

function bucketsFor(xlen: 32 | 64): Encoding[][] {
  const b: Encoding[][] = [];
  for (let i = 0; i < 128; i++) b.push([]);
  for (const enc of ENCODINGS) if (enc.xlens.includes(xlen)) b[enc.match & 0x7f].push(enc);
  return b;
}
const BUCKETS = { 32: bucketsFor(32), 64: bucketsFor(64) };

/**
 * The encoding of `insn`; undefined when none matches or its extension is in `off`
 * (extensionBit bits: the board left it out, so it decodes as illegal).
 */
export function findEncoding(insn: number, xlen: 32 | 64, off = 0): Encoding | undefined {
  for (const enc of BUCKETS[xlen][insn & 0x7f]) {
    if ((insn & enc.mask) === enc.match) return off !== 0 && (off & extensionBit(enc.ext)) !== 0 ? undefined : enc;
  }
  return undefined;
}

const bits = (v: number, hi: number, lo: number) => (v >>> lo) & ((1 << (hi - lo + 1)) - 1);
const sext = (v: number, width: number) => (v << (32 - width)) >> (32 - width);

export function immI(i: number): number { return i >> 20; }
export function immS(i: number): number { return ((i >> 25) << 5) | bits(i, 11, 7); }
export function immB(i: number): number {
  return ((i >> 31) << 12) | (bits(i, 7, 7) << 11) | (bits(i, 30, 25) << 5) | (bits(i, 11, 8) << 1);
}
export function immU(i: number): number { return i & 0xfffff000; }
export function immJ(i: number): number {
  return ((i >> 31) << 20) | (bits(i, 19, 12) << 12) | (bits(i, 20, 20) << 11) | (bits(i, 30, 21) << 1);
}

/** Decode a 32-bit instruction word (or an expanded compressed one) into `dec`. */
export function decode32(insn: number, xlen: 32 | 64, compressed: boolean, raw: number, off = 0): void {
  const enc = findEncoding(insn, xlen, off);
  if (enc === undefined) { illegal(raw); return; }
  const rd = bits(insn, 11, 7), rs1 = bits(insn, 19, 15), rs2 = bits(insn, 24, 20);
  let imm = 0;
  switch (enc.format) {
    case 'I': imm = immI(insn); break;
    case 'S': imm = immS(insn); break;
    case 'B': imm = immB(insn); break;
    case 'U': imm = immU(insn); break;
    case 'J': imm = immJ(insn); break;
    case 'SH': imm = bits(insn, 25, 20); break;
    case 'CSR': case 'CSRI': imm = bits(insn, 31, 20); break;
    case 'FL': imm = immI(insn); break;
    case 'FS': imm = immS(insn); break;
    case 'FP': imm = bits(insn, 14, 12); break;
    case 'R4': imm = bits(insn, 14, 12) | (bits(insn, 31, 27) << 3); break;
    default: break;
  }
  dec[0] = pack(enc.op, rd, rs1, rs2, compressed);
  dec[1] = imm;
}

function illegal(raw: number): void {
  dec[0] = Op.ILLEGAL;
  dec[1] = raw; // Priv §3.1.16: mtval gets the faulting instruction bits, as QEMU does
}

/**
 * Decode a 16- or 32-bit instruction given its low halfword and (if 32-bit) the full word;
 * `off`: the extensions the hart lacks (findEncoding).
 */
export function decode(word: number, xlen: 32 | 64, off = 0): void {
  if ((word & 3) !== 3) {
    const half = word & 0xffff;
    const full = expandCompressed(half, xlen);
    if (full === 0) illegal(half);
    else decode32(full, xlen, true, half, off);
  } else {
    decode32(word, xlen, false, word, off);
  }
}

// 32-bit encoders used by the expansion below.
const rType = (f7: number, rs2: number, rs1: number, f3: number, rd: number, opc: number) =>
  (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc;
const iType = (imm: number, rs1: number, f3: number, rd: number, opc: number) =>
  ((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc;
const sType = (imm: number, rs2: number, rs1: number, f3: number, opc: number) =>
  (((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1f) << 7) | opc;
const bType = (imm: number, rs2: number, rs1: number, f3: number) =>
  (((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
  (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) | 0x63;
const jType = (imm: number, rd: number) =>
  (((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20) |
  (((imm >> 12) & 0xff) << 12) | (rd << 7) | 0x6f;

const OPC = { LOAD: 0x03, STORE: 0x23, LOADFP: 0x07, STOREFP: 0x27, OPIMM: 0x13, OPIMM32: 0x1b, OP: 0x33, OP32: 0x3b, LUI: 0x37, JALR: 0x67 } as const;

/**
 * The 32-bit instruction a compressed one expands to (Unpriv §16.8 table), or 0 when
 * the encoding is reserved or illegal.
 */
export function expandCompressed(c: number, xlen: 32 | 64): number {
  const q = c & 3, f3 = bits(c, 15, 13);
  const rdp = 8 + bits(c, 4, 2), rs1p = 8 + bits(c, 9, 7); // x8..x15 register fields
  const rd = bits(c, 11, 7), rs2 = bits(c, 6, 2);
  const imm6 = sext((bits(c, 12, 12) << 5) | bits(c, 6, 2), 6);
  if (q === 0) {
    const uimmW = (bits(c, 12, 10) << 3) | (bits(c, 6, 6) << 2) | (bits(c, 5, 5) << 6);
    const uimmD = (bits(c, 12, 10) << 3) | (bits(c, 6, 5) << 6);
    switch (f3) {
      case 0: { // C.ADDI4SPN
        const nz = (bits(c, 12, 11) << 4) | (bits(c, 10, 7) << 6) | (bits(c, 6, 6) << 2) | (bits(c, 5, 5) << 3);
        return nz === 0 ? 0 : iType(nz, 2, 0, rdp, OPC.OPIMM);
      }
      case 1: return iType(uimmD, rs1p, 3, rdp, OPC.LOADFP); // C.FLD
      case 2: return iType(uimmW, rs1p, 2, rdp, OPC.LOAD); // C.LW
      case 3: return xlen === 64 ? iType(uimmD, rs1p, 3, rdp, OPC.LOAD) : iType(uimmW, rs1p, 2, rdp, OPC.LOADFP); // C.LD / C.FLW
      case 5: return sType(uimmD, rdp, rs1p, 3, OPC.STOREFP); // C.FSD
      case 6: return sType(uimmW, rdp, rs1p, 2, OPC.STORE); // C.SW
      case 7: return xlen === 64 ? sType(uimmD, rdp, rs1p, 3, OPC.STORE) : sType(uimmW, rdp, rs1p, 2, OPC.STOREFP); // C.SD / C.FSW
      default: return 0; // reserved
    }
  }
  if (q === 1) {
    switch (f3) {
      case 0: return iType(imm6, rd, 0, rd, OPC.OPIMM); // C.ADDI / C.NOP
      case 1:
        if (xlen === 32) return jType(cjOffset(c), 1); // C.JAL
        return rd === 0 ? 0 : iType(imm6, rd, 0, rd, OPC.OPIMM32); // C.ADDIW
      case 2: return iType(imm6, 0, 0, rd, OPC.OPIMM); // C.LI
      case 3:
        if (rd === 2) { // C.ADDI16SP
          const nz = sext((bits(c, 12, 12) << 9) | (bits(c, 6, 6) << 4) | (bits(c, 5, 5) << 6) |
            (bits(c, 4, 3) << 7) | (bits(c, 2, 2) << 5), 10);
          return nz === 0 ? 0 : iType(nz, 2, 0, 2, OPC.OPIMM);
        }
        return imm6 === 0 ? 0 : ((imm6 << 12) & 0xfffff000) | (rd << 7) | OPC.LUI; // C.LUI
      case 4: {
        const shamt = (bits(c, 12, 12) << 5) | bits(c, 6, 2);
        switch (bits(c, 11, 10)) {
          case 0: return xlen === 32 && shamt >= 32 ? 0 : iType(shamt, rs1p, 5, rs1p, OPC.OPIMM); // C.SRLI
          case 1: return xlen === 32 && shamt >= 32 ? 0 : iType(shamt | 0x400, rs1p, 5, rs1p, OPC.OPIMM); // C.SRAI
          case 2: return iType(imm6, rs1p, 7, rs1p, OPC.OPIMM); // C.ANDI
          default: {
            const sel = bits(c, 6, 5);
            if (bits(c, 12, 12) === 0) {
              switch (sel) {
                case 0: return rType(0x20, rdp, rs1p, 0, rs1p, OPC.OP); // C.SUB
                case 1: return rType(0, rdp, rs1p, 4, rs1p, OPC.OP); // C.XOR
                case 2: return rType(0, rdp, rs1p, 6, rs1p, OPC.OP); // C.OR
                default: return rType(0, rdp, rs1p, 7, rs1p, OPC.OP); // C.AND
              }
            }
            if (xlen === 32) return 0;
            if (sel === 0) return rType(0x20, rdp, rs1p, 0, rs1p, OPC.OP32); // C.SUBW
            if (sel === 1) return rType(0, rdp, rs1p, 0, rs1p, OPC.OP32); // C.ADDW
            return 0;
          }
        }
      }
      case 5: return jType(cjOffset(c), 0); // C.J
      case 6: return bType(cbOffset(c), 0, rs1p, 0); // C.BEQZ
      default: return bType(cbOffset(c), 0, rs1p, 1); // C.BNEZ
    }
  }
  if (q === 2) {
    switch (f3) {
      case 0: { // C.SLLI
        const shamt = (bits(c, 12, 12) << 5) | bits(c, 6, 2);
        return xlen === 32 && shamt >= 32 ? 0 : iType(shamt, rd, 1, rd, OPC.OPIMM);
      }
      case 2: { // C.LWSP
        const u = (bits(c, 12, 12) << 5) | (bits(c, 6, 4) << 2) | (bits(c, 3, 2) << 6);
        return rd === 0 ? 0 : iType(u, 2, 2, rd, OPC.LOAD);
      }
      case 1: { // C.FLDSP
        const u = (bits(c, 12, 12) << 5) | (bits(c, 6, 5) << 3) | (bits(c, 4, 2) << 6);
        return iType(u, 2, 3, rd, OPC.LOADFP);
      }
      case 3: { // C.LDSP / C.FLWSP
        if (xlen === 32) return iType((bits(c, 12, 12) << 5) | (bits(c, 6, 4) << 2) | (bits(c, 3, 2) << 6), 2, 2, rd, OPC.LOADFP);
        const u = (bits(c, 12, 12) << 5) | (bits(c, 6, 5) << 3) | (bits(c, 4, 2) << 6);
        return rd === 0 ? 0 : iType(u, 2, 3, rd, OPC.LOAD);
      }
      case 4:
        if (bits(c, 12, 12) === 0) {
          if (rs2 === 0) return rd === 0 ? 0 : iType(0, rd, 0, 0, OPC.JALR); // C.JR
          return rType(0, rs2, 0, 0, rd, OPC.OP); // C.MV
        }
        if (rs2 === 0) return rd === 0 ? 0x00100073 : iType(0, rd, 0, 1, OPC.JALR); // C.EBREAK / C.JALR
        return rType(0, rs2, rd, 0, rd, OPC.OP); // C.ADD
      case 6: { // C.SWSP
        const u = (bits(c, 12, 9) << 2) | (bits(c, 8, 7) << 6);
        return sType(u, rs2, 2, 2, OPC.STORE);
      }
      case 5: return sType((bits(c, 12, 10) << 3) | (bits(c, 9, 7) << 6), rs2, 2, 3, OPC.STOREFP); // C.FSDSP
      case 7: { // C.SDSP / C.FSWSP
        if (xlen === 32) return sType((bits(c, 12, 9) << 2) | (bits(c, 8, 7) << 6), rs2, 2, 2, OPC.STOREFP);
        return sType((bits(c, 12, 10) << 3) | (bits(c, 9, 7) << 6), rs2, 2, 3, OPC.STORE);
      }
      default: return 0; // reserved
    }
  }
  return 0;
}

function cjOffset(c: number): number {
  return sext((bits(c, 12, 12) << 11) | (bits(c, 11, 11) << 4) | (bits(c, 10, 9) << 8) | (bits(c, 8, 8) << 10) |
    (bits(c, 7, 7) << 6) | (bits(c, 6, 6) << 7) | (bits(c, 5, 3) << 1) | (bits(c, 2, 2) << 5), 12);
}

function cbOffset(c: number): number {
  return sext((bits(c, 12, 12) << 8) | (bits(c, 11, 10) << 3) | (bits(c, 6, 5) << 6) | (bits(c, 4, 3) << 1) |
    (bits(c, 2, 2) << 5), 9);
}
