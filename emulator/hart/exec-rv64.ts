/**
 * The RV64 interpreter: registers are int32 pairs (STYLE.md), decoded instructions
 * come from the per-page code cache, and the loop leaves only when the budget is
 * spent or the hart sets `yieldLoop` (a trap, a CSR write, WFI, xRET, a fault).
 */
import { Hart } from './hart';
import { Op } from './isa-table';
import { dec, P } from './decode';
import { BlockFn, CodePage, MAX_BLOCK } from './code-cache';

const EMPTY = new Int32Array(0);
/** Jumps into an untranslated slot before it is translated. */
export const HOT = 16;
import * as I64 from './int64';
import { Cause, Priv } from './csr';

const o = I64.out;

/** Run up to `budget` instructions; returns how many were executed. */
export function runRv64(h: Hart, budget: number): number {
  const x = h.x;
  let pcLo = h.pcLo, pcHi = h.pcHi;
  let page: CodePage | null = null;
  let words = EMPTY, blocks: (BlockFn | undefined)[] = [];
  let pageLo = 0, pageHi = 0;
  /** True at a block boundary: the first instruction, a jump target, after a block. */
  let entry = true;
  const bps = h.breakpoints;
  const trig = h.triggers;
  let bpOffsets: Set<number> | undefined;
  /** Offsets of the page where an execute trigger fires in the current mode (which changes only after a yield). */
  let trigOffsets: Set<number> | undefined;
  /** On a page with either: instruction by instruction, no blocks. */
  let checkPc = false;
  let skipBp = h.skipBreakpoint;
  h.skipBreakpoint = false;
  let n = 0;
  const base = h.instret;
  h.yieldLoop = false;
  loop: while (n < budget) {
    if (page === null || (pcLo & ~0xfff) !== pageLo || pcHi !== pageHi) {
      page = h.fetchPage(pcLo, pcHi);
      if (page === null) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.raiseFetchException();
        pcLo = h.pcLo; pcHi = h.pcHi;
        n++;
        break;
      }
      pageLo = pcLo & ~0xfff; pageHi = pcHi;
      words = page.words; blocks = page.blocks;
      bpOffsets = bps === null ? undefined : bps.pageOffsets(pcLo, pcHi);
      trigOffsets = trig.exec === null ? undefined : trig.execOffsets(pcLo, pcHi, h.priv);
      checkPc = bpOffsets !== undefined || trigOffsets !== undefined;
    }
    const slot = (pcLo & 0xfff) >>> 1;
    if (checkPc) {
      // Only pages with breakpoints or execute triggers pay for this, and their blocks are not used.
      const off = pcLo & 0xfff;
      if (bpOffsets !== undefined && bpOffsets.has(off) && !skipBp) { h.hitBreakpoint = true; break; }
      if (trigOffsets !== undefined && trigOffsets.has(off)) {
        // Debug spec 1.0 §5.7.12: the trigger fires before the instruction (tval 0, as QEMU 7.2).
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.trap(Cause.Breakpoint, false, 0, 0);
        pcLo = h.pcLo; pcHi = h.pcHi;
        n++;
        break;
      }
      entry = false;
    }
    if (entry) {
      let blk = blocks[slot];
      if (blk === undefined && h.translator !== null && ++page.heat[slot] >= HOT) {
        blk = h.translator(h, page, slot);
        page.heat[slot] = 0;
      }
      if (blk !== undefined && budget - n >= MAX_BLOCK) {
        skipBp = false;
        n += blk(h, x, pcLo, pcHi, page, budget - n);
        pcLo = h.pcLo; pcHi = h.pcHi;
        if (h.excCause >= 0) { h.raiseException(); pcLo = h.pcLo; pcHi = h.pcHi; break; }
        if (h.yieldLoop) break;
        continue;
      }
      entry = false;
    }
    let w = words[2 * slot], imm = words[2 * slot + 1];
    if (w === Op.UNDECODED) {
      const cacheable = h.decodeAt(pcLo, pcHi);
      if (h.excCause >= 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.raiseException();
        pcLo = h.pcLo; pcHi = h.pcHi;
        n++;
        break;
      }
      w = dec[0]; imm = dec[1];
      if (cacheable) { words[2 * slot] = w; words[2 * slot + 1] = imm; }
    }
    const op = w & 0xff;
    const d = (w >>> P.D) & 63, a = (w >>> P.A) & 63, b = (w >>> P.B) & 63;
    const rs1 = a >>> 1;
    const len = (w & P.COMPRESSED) !== 0 ? 2 : 4;
    let nLo = (pcLo + len) | 0;
    let nHi = (nLo >>> 0) < (pcLo >>> 0) ? (pcHi + 1) | 0 : pcHi;
    n++;
    skipBp = false;
    switch (op) {
      case Op.LUI: x[d] = imm; x[d + 1] = imm >> 31; break;
      case Op.AUIPC: {
        const lo = (pcLo + imm) | 0;
        x[d + 1] = (pcHi + (imm >> 31) + ((lo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0;
        x[d] = lo;
        break;
      }
      case Op.JAL: {
        const lo = (pcLo + imm) | 0;
        const hi = (pcHi + (imm >> 31) + ((lo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0;
        x[d] = nLo; x[d + 1] = nHi;
        nLo = lo; nHi = hi;
        break;
      }
      case Op.JALR: {
        const bl = x[a];
        const lo = ((bl + imm) | 0) & ~1;
        const hi = (x[a + 1] + (imm >> 31) + ((((bl + imm) | 0) >>> 0) < (bl >>> 0) ? 1 : 0)) | 0;
        x[d] = nLo; x[d + 1] = nHi;
        nLo = lo; nHi = hi;
        break;
      }
      case Op.BEQ: if (x[a] === x[b] && x[a + 1] === x[b + 1]) { nLo = (pcLo + imm) | 0; nHi = branchHi(pcLo, pcHi, imm, nLo); } break;
      case Op.BNE: if (x[a] !== x[b] || x[a + 1] !== x[b + 1]) { nLo = (pcLo + imm) | 0; nHi = branchHi(pcLo, pcHi, imm, nLo); } break;
      case Op.BLT: if (I64.lt(x[a], x[a + 1], x[b], x[b + 1])) { nLo = (pcLo + imm) | 0; nHi = branchHi(pcLo, pcHi, imm, nLo); } break;
      case Op.BGE: if (!I64.lt(x[a], x[a + 1], x[b], x[b + 1])) { nLo = (pcLo + imm) | 0; nHi = branchHi(pcLo, pcHi, imm, nLo); } break;
      case Op.BLTU: if (I64.ltu(x[a], x[a + 1], x[b], x[b + 1])) { nLo = (pcLo + imm) | 0; nHi = branchHi(pcLo, pcHi, imm, nLo); } break;
      case Op.BGEU: if (!I64.ltu(x[a], x[a + 1], x[b], x[b + 1])) { nLo = (pcLo + imm) | 0; nHi = branchHi(pcLo, pcHi, imm, nLo); } break;

      case Op.LB: case Op.LH: case Op.LW: case Op.LD: case Op.LBU: case Op.LHU: case Op.LWU: {
        const bl = x[a];
        const lo = (bl + imm) | 0;
        const hi = (x[a + 1] + (imm >> 31) + ((lo >>> 0) < (bl >>> 0) ? 1 : 0)) | 0;
        let v: number, vh: number;
        switch (op) {
          case Op.LB: v = (h.load8(lo, hi) << 24) >> 24; vh = v >> 31; break;
          case Op.LBU: v = h.load8(lo, hi); vh = 0; break;
          case Op.LH: v = (h.load16(lo, hi) << 16) >> 16; vh = v >> 31; break;
          case Op.LHU: v = h.load16(lo, hi); vh = 0; break;
          case Op.LW: v = h.load32(lo, hi); vh = v >> 31; break;
          case Op.LWU: v = h.load32(lo, hi); vh = 0; break;
          default: v = h.load64(lo, hi); vh = h.ldHi; break;
        }
        if (h.excCause >= 0) break;
        x[d] = v; x[d + 1] = vh;
        break;
      }
      case Op.SB: case Op.SH: case Op.SW: case Op.SD: {
        const bl = x[a];
        const lo = (bl + imm) | 0;
        const hi = (x[a + 1] + (imm >> 31) + ((lo >>> 0) < (bl >>> 0) ? 1 : 0)) | 0;
        if (op === Op.SW) h.store32(lo, hi, x[b]);
        else if (op === Op.SD) h.store64(lo, hi, x[b], x[b + 1]);
        else if (op === Op.SB) h.store8(lo, hi, x[b] & 0xff);
        else h.store16(lo, hi, x[b] & 0xffff);
        break;
      }

      case Op.ADDI: {
        const al = x[a];
        const lo = (al + imm) | 0;
        x[d + 1] = (x[a + 1] + (imm >> 31) + ((lo >>> 0) < (al >>> 0) ? 1 : 0)) | 0;
        x[d] = lo;
        break;
      }
      case Op.SLTI: { const r = I64.lt(x[a], x[a + 1], imm, imm >> 31) ? 1 : 0; x[d] = r; x[d + 1] = 0; break; }
      case Op.SLTIU: { const r = I64.ltu(x[a], x[a + 1], imm, imm >> 31) ? 1 : 0; x[d] = r; x[d + 1] = 0; break; }
      case Op.XORI: x[d] = x[a] ^ imm; x[d + 1] = x[a + 1] ^ (imm >> 31); break;
      case Op.ORI: x[d] = x[a] | imm; x[d + 1] = x[a + 1] | (imm >> 31); break;
      case Op.ANDI: x[d] = x[a] & imm; x[d + 1] = x[a + 1] & (imm >> 31); break;
      case Op.SLLI: I64.sll(x[a], x[a + 1], imm); x[d] = o[0]; x[d + 1] = o[1]; break;
      case Op.SRLI: I64.srl(x[a], x[a + 1], imm); x[d] = o[0]; x[d + 1] = o[1]; break;
      case Op.SRAI: I64.sra(x[a], x[a + 1], imm); x[d] = o[0]; x[d + 1] = o[1]; break;

      case Op.ADD: {
        const al = x[a], lo = (al + x[b]) | 0;
        x[d + 1] = (x[a + 1] + x[b + 1] + ((lo >>> 0) < (al >>> 0) ? 1 : 0)) | 0;
        x[d] = lo;
        break;
      }
      case Op.SUB: {
        const al = x[a], bl = x[b];
        x[d + 1] = (x[a + 1] - x[b + 1] - ((al >>> 0) < (bl >>> 0) ? 1 : 0)) | 0;
        x[d] = (al - bl) | 0;
        break;
      }
      case Op.SLL: I64.sll(x[a], x[a + 1], x[b] & 63); x[d] = o[0]; x[d + 1] = o[1]; break;
      case Op.SRL: I64.srl(x[a], x[a + 1], x[b] & 63); x[d] = o[0]; x[d + 1] = o[1]; break;
      case Op.SRA: I64.sra(x[a], x[a + 1], x[b] & 63); x[d] = o[0]; x[d + 1] = o[1]; break;
      case Op.SLT: { const r = I64.lt(x[a], x[a + 1], x[b], x[b + 1]) ? 1 : 0; x[d] = r; x[d + 1] = 0; break; }
      case Op.SLTU: { const r = I64.ltu(x[a], x[a + 1], x[b], x[b + 1]) ? 1 : 0; x[d] = r; x[d + 1] = 0; break; }
      case Op.XOR: x[d] = x[a] ^ x[b]; x[d + 1] = x[a + 1] ^ x[b + 1]; break;
      case Op.OR: x[d] = x[a] | x[b]; x[d + 1] = x[a + 1] | x[b + 1]; break;
      case Op.AND: x[d] = x[a] & x[b]; x[d + 1] = x[a + 1] & x[b + 1]; break;

      case Op.ADDIW: { const r = (x[a] + imm) | 0; x[d] = r; x[d + 1] = r >> 31; break; }
      case Op.SLLIW: { const r = x[a] << imm; x[d] = r; x[d + 1] = r >> 31; break; }
      case Op.SRLIW: { const r = (x[a] >>> imm) | 0; x[d] = r; x[d + 1] = r >> 31; break; }
      case Op.SRAIW: { const r = x[a] >> imm; x[d] = r; x[d + 1] = r >> 31; break; }
      case Op.ADDW: { const r = (x[a] + x[b]) | 0; x[d] = r; x[d + 1] = r >> 31; break; }
      case Op.SUBW: { const r = (x[a] - x[b]) | 0; x[d] = r; x[d + 1] = r >> 31; break; }
      case Op.SLLW: { const r = x[a] << (x[b] & 31); x[d] = r; x[d + 1] = r >> 31; break; }
      case Op.SRLW: { const r = (x[a] >>> (x[b] & 31)) | 0; x[d] = r; x[d + 1] = r >> 31; break; }
      case Op.SRAW: { const r = x[a] >> (x[b] & 31); x[d] = r; x[d + 1] = r >> 31; break; }

      case Op.MUL: I64.mul(x[a], x[a + 1], x[b], x[b + 1]); x[d] = o[0]; x[d + 1] = o[1]; break;
      case Op.MULH: I64.mulh(x[a], x[a + 1], x[b], x[b + 1], true, true); x[d] = o[0]; x[d + 1] = o[1]; break;
      case Op.MULHSU: I64.mulh(x[a], x[a + 1], x[b], x[b + 1], true, false); x[d] = o[0]; x[d + 1] = o[1]; break;
      case Op.MULHU: I64.mulh(x[a], x[a + 1], x[b], x[b + 1], false, false); x[d] = o[0]; x[d + 1] = o[1]; break;
      case Op.DIV: I64.div(x[a], x[a + 1], x[b], x[b + 1]); x[d] = o[0]; x[d + 1] = o[1]; break;
      case Op.DIVU: I64.divu(x[a], x[a + 1], x[b], x[b + 1]); x[d] = o[0]; x[d + 1] = o[1]; break;
      case Op.REM: I64.rem(x[a], x[a + 1], x[b], x[b + 1]); x[d] = o[0]; x[d + 1] = o[1]; break;
      case Op.REMU: I64.remu(x[a], x[a + 1], x[b], x[b + 1]); x[d] = o[0]; x[d + 1] = o[1]; break;
      case Op.MULW: { const r = Math.imul(x[a], x[b]); x[d] = r; x[d + 1] = r >> 31; break; }
      case Op.DIVW: { const r = div32(x[a], x[b]); x[d] = r; x[d + 1] = r >> 31; break; }
      case Op.DIVUW: { const r = divu32(x[a], x[b]); x[d] = r; x[d + 1] = r >> 31; break; }
      case Op.REMW: { const r = rem32(x[a], x[b]); x[d] = r; x[d + 1] = r >> 31; break; }
      case Op.REMUW: { const r = remu32(x[a], x[b]); x[d] = r; x[d + 1] = r >> 31; break; }

      case Op.FENCE: case Op.FENCE_I: break; // one in-order hart at a time; the code cache tracks stores exactly

      case Op.LR_W: case Op.LR_D: {
        const v = h.loadReserved(x[a], x[a + 1], op === Op.LR_W ? 4 : 8);
        if (h.excCause >= 0) break;
        x[d] = v; x[d + 1] = h.ldHi;
        break;
      }
      case Op.SC_W: case Op.SC_D: {
        const r = h.storeConditional(x[a], x[a + 1], op === Op.SC_W ? 4 : 8, x[b], x[b + 1]);
        if (h.excCause >= 0) break;
        x[d] = r; x[d + 1] = 0;
        break;
      }
      case Op.AMOSWAP_W: case Op.AMOADD_W: case Op.AMOXOR_W: case Op.AMOAND_W: case Op.AMOOR_W:
      case Op.AMOMIN_W: case Op.AMOMAX_W: case Op.AMOMINU_W: case Op.AMOMAXU_W: {
        const lo = x[a], hi = x[a + 1];
        const pa = h.amoPa(lo, hi, 4);
        if (pa < 0) break;
        const old = h.physRead(pa, 4, lo, hi);
        if (h.excCause >= 0) break;
        h.physWrite(pa, 4, amo32(op, old, x[b]), 0, lo, hi);
        if (h.excCause >= 0) break;
        x[d] = old; x[d + 1] = old >> 31;
        break;
      }
      case Op.AMOSWAP_D: case Op.AMOADD_D: case Op.AMOXOR_D: case Op.AMOAND_D: case Op.AMOOR_D:
      case Op.AMOMIN_D: case Op.AMOMAX_D: case Op.AMOMINU_D: case Op.AMOMAXU_D: {
        const lo = x[a], hi = x[a + 1];
        const pa = h.amoPa(lo, hi, 8);
        if (pa < 0) break;
        const oLo = h.physRead(pa, 8, lo, hi), oHi = h.ldHi;
        if (h.excCause >= 0) break;
        amo64(op, oLo, oHi, x[b], x[b + 1]);
        h.physWrite(pa, 8, o[0], o[1], lo, hi);
        if (h.excCause >= 0) break;
        x[d] = oLo; x[d + 1] = oHi;
        break;
      }

      case Op.CSRRW: case Op.CSRRS: case Op.CSRRC: case Op.CSRRWI: case Op.CSRRSI: case Op.CSRRCI: {
        const immForm = op >= Op.CSRRWI;
        const kind = (op - (immForm ? Op.CSRRWI : Op.CSRRW)) as 0 | 1 | 2;
        const srcLo = immForm ? rs1 : x[a], srcHi = immForm ? 0 : x[a + 1];
        h.instret = base + n;
        h.pcLo = pcLo; h.pcHi = pcHi;
        if (!h.csrOp(imm, kind, srcLo, srcHi, d >>> 1, kind === 0 || rs1 !== 0)) {
          h.illegal(csrBits(op, imm, rs1, d >>> 1));
          nLo = h.pcLo; nHi = h.pcHi;
        }
        break;
      }
      case Op.ECALL:
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.trap(h.priv === Priv.U ? Cause.EcallFromU : h.priv === Priv.S ? Cause.EcallFromS : Cause.EcallFromM, false, 0, 0);
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      case Op.EBREAK:
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.trap(Cause.Breakpoint, false, 0, 0); // QEMU 7.2 leaves tval 0 (Priv §3.1.16 allows either)
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      case Op.MRET: case Op.SRET: case Op.WFI: case Op.SFENCE_VMA: {
        h.pcLo = pcLo; h.pcHi = pcHi;
        let ok: boolean;
        if (op === Op.MRET) ok = h.mret();
        else if (op === Op.SRET) ok = h.sret();
        else {
          // WFI and SFENCE.VMA continue at the next instruction; an illegal one traps at this one.
          h.pcLo = nLo; h.pcHi = nHi;
          ok = op === Op.WFI ? h.wfiInsn() : h.sfenceVma();
          if (!ok) { h.pcLo = pcLo; h.pcHi = pcHi; }
        }
        if (!ok) h.illegal(systemBits(op, rs1, b >>> 1));
        nLo = h.pcLo; nHi = h.pcHi;
        h.yieldLoop = true;
        break;
      }
      default: // Op.ILLEGAL and anything this XLEN lacks
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(imm);
        nLo = h.pcLo; nHi = h.pcHi;
        break;
    }
    x[0] = 0; x[1] = 0;
    if (nLo !== ((pcLo + len) | 0)) entry = true;
    if (h.yieldLoop) {
      if (h.excCause >= 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.raiseException();
        pcLo = h.pcLo; pcHi = h.pcHi;
      } else {
        pcLo = nLo; pcHi = nHi;
      }
      break loop;
    }
    pcLo = nLo; pcHi = nHi;
  }
  h.pcLo = pcLo; h.pcHi = pcHi;
  h.instret = base + n;
  return n;
}

function branchHi(pcLo: number, pcHi: number, imm: number, lo: number): number {
  return (pcHi + (imm >> 31) + ((lo >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0;
}

/** The value an AMO*.W stores, from the old memory word and rs2 (Unpriv §8.4). */
export function amo32(op: number, old: number, s: number): number {
  switch (op) {
    case Op.AMOSWAP_W: return s;
    case Op.AMOADD_W: return (old + s) | 0;
    case Op.AMOXOR_W: return old ^ s;
    case Op.AMOAND_W: return old & s;
    case Op.AMOOR_W: return old | s;
    case Op.AMOMIN_W: return old < s ? old : s;
    case Op.AMOMAX_W: return old > s ? old : s;
    case Op.AMOMINU_W: return (old >>> 0) < (s >>> 0) ? old : s;
    default: return (old >>> 0) > (s >>> 0) ? old : s; // AMOMAXU.W
  }
}

/** The value an AMO*.D stores, into I64.out. */
function amo64(op: number, oLo: number, oHi: number, sLo: number, sHi: number): void {
  let keepOld: boolean;
  switch (op) {
    case Op.AMOSWAP_D: o[0] = sLo; o[1] = sHi; return;
    case Op.AMOADD_D: I64.add(oLo, oHi, sLo, sHi); return;
    case Op.AMOXOR_D: o[0] = oLo ^ sLo; o[1] = oHi ^ sHi; return;
    case Op.AMOAND_D: o[0] = oLo & sLo; o[1] = oHi & sHi; return;
    case Op.AMOOR_D: o[0] = oLo | sLo; o[1] = oHi | sHi; return;
    case Op.AMOMIN_D: keepOld = I64.lt(oLo, oHi, sLo, sHi); break;
    case Op.AMOMAX_D: keepOld = I64.lt(sLo, sHi, oLo, oHi); break;
    case Op.AMOMINU_D: keepOld = I64.ltu(oLo, oHi, sLo, sHi); break;
    default: keepOld = I64.ltu(sLo, sHi, oLo, oHi); break; // AMOMAXU.D
  }
  o[0] = keepOld ? oLo : sLo;
  o[1] = keepOld ? oHi : sHi;
}

/** Unpriv §13.2: x/0 = -1, overflow = dividend; 32-bit forms. */
export function div32(a: number, b: number): number {
  if (b === 0) return -1;
  if (a === -0x80000000 && b === -1) return a;
  return (a / b) | 0;
}
export function divu32(a: number, b: number): number {
  if (b === 0) return -1;
  return ((a >>> 0) / (b >>> 0)) | 0;
}
export function rem32(a: number, b: number): number {
  if (b === 0) return a;
  if (a === -0x80000000 && b === -1) return 0;
  return (a % b) | 0;
}
export function remu32(a: number, b: number): number {
  if (b === 0) return a;
  return ((a >>> 0) % (b >>> 0)) | 0;
}

/** The instruction word of a CSR instruction, rebuilt for mtval on an illegal access. */
export function csrBits(op: number, csr: number, rs1: number, rd: number): number {
  const funct3 = op >= Op.CSRRWI ? 5 + (op - Op.CSRRWI) : 1 + (op - Op.CSRRW);
  return (csr << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | 0x73;
}

export function systemBits(op: number, rs1: number, rs2: number): number {
  switch (op) {
    case Op.MRET: return 0x30200073;
    case Op.SRET: return 0x10200073;
    case Op.WFI: return 0x10500073;
    default: return 0x12000073 | (rs2 << 20) | (rs1 << 15);
  }
}
