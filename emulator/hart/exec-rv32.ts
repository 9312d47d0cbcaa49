/**
 * The RV32 interpreter: each register is its low int32 word (x[2r]); the high words
 * and pcHi stay zero. Same loop shape and exits as exec-rv64.ts.
 */
import { Hart } from './hart';
import { Op } from './isa-table';
import { dec, P } from './decode';
import { BlockFn, CodePage, MAX_BLOCK } from './code-cache';
import { HOT } from './exec-rv64';
import { mulhu32 } from './int64';
import { Cause, Priv } from './csr';
import { amo32, csrBits, div32, divu32, rem32, remu32, systemBits } from './exec-rv64';

/** Run up to `budget` instructions; returns how many were executed. */
export function runRv32(h: Hart, budget: number): number {
  const x = h.x;
  let pc = h.pcLo;
  let page: CodePage | null = null;
  let words = new Int32Array(0), blocks: (BlockFn | undefined)[] = [];
  /** True at a block boundary: the first instruction, a jump target, after a block. */
  let entry = true;
  let pageBase = 0;
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
    if (page === null || (pc & ~0xfff) !== pageBase) {
      page = h.fetchPage(pc, 0);
      if (page === null) {
        h.pcLo = pc;
        h.raiseFetchException();
        pc = h.pcLo;
        n++;
        break;
      }
      pageBase = pc & ~0xfff;
      words = page.words; blocks = page.blocks;
      bpOffsets = bps === null ? undefined : bps.pageOffsets(pc, 0);
      trigOffsets = trig.exec === null ? undefined : trig.execOffsets(pc, 0, h.priv);
      checkPc = bpOffsets !== undefined || trigOffsets !== undefined;
    }
    const slot = (pc & 0xfff) >>> 1;
    if (checkPc) {
      // Only pages with breakpoints or execute triggers pay for this, and their blocks are not used.
      const off = pc & 0xfff;
      if (bpOffsets !== undefined && bpOffsets.has(off) && !skipBp) { h.hitBreakpoint = true; break; }
      if (trigOffsets !== undefined && trigOffsets.has(off)) {
        // Debug spec 1.0 §5.7.12: the trigger fires before the instruction (tval 0, as QEMU 7.2).
        h.pcLo = pc;
        h.trap(Cause.Breakpoint, false, 0, 0);
        pc = h.pcLo;
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
        n += blk(h, x, pc, 0, page, budget - n);
        pc = h.pcLo;
        if (h.excCause >= 0) { h.raiseException(); pc = h.pcLo; break; }
        if (h.yieldLoop) break;
        continue;
      }
      entry = false;
    }
    let w = words[2 * slot], imm = words[2 * slot + 1];
    if (w === Op.UNDECODED) {
      const cacheable = h.decodeAt(pc, 0);
      if (h.excCause >= 0) {
        h.pcLo = pc;
        h.raiseException();
        pc = h.pcLo;
        n++;
        break;
      }
      w = dec[0]; imm = dec[1];
      if (cacheable) { words[2 * slot] = w; words[2 * slot + 1] = imm; }
    }
    const op = w & 0xff;
    const d = (w >>> P.D) & 63, a = (w >>> P.A) & 63, b = (w >>> P.B) & 63;
    let next = (pc + ((w & P.COMPRESSED) !== 0 ? 2 : 4)) | 0;
    n++;
    skipBp = false;
    switch (op) {
      case Op.LUI: x[d] = imm; break;
      case Op.AUIPC: x[d] = (pc + imm) | 0; break;
      case Op.JAL: x[d] = next; next = (pc + imm) | 0; break;
      case Op.JALR: { const t = ((x[a] + imm) | 0) & ~1; x[d] = next; next = t; break; }
      case Op.BEQ: if (x[a] === x[b]) next = (pc + imm) | 0; break;
      case Op.BNE: if (x[a] !== x[b]) next = (pc + imm) | 0; break;
      case Op.BLT: if (x[a] < x[b]) next = (pc + imm) | 0; break;
      case Op.BGE: if (x[a] >= x[b]) next = (pc + imm) | 0; break;
      case Op.BLTU: if ((x[a] >>> 0) < (x[b] >>> 0)) next = (pc + imm) | 0; break;
      case Op.BGEU: if ((x[a] >>> 0) >= (x[b] >>> 0)) next = (pc + imm) | 0; break;

      case Op.LB: { const v = h.load8((x[a] + imm) | 0, 0); if (h.excCause < 0) x[d] = (v << 24) >> 24; break; }
      case Op.LBU: { const v = h.load8((x[a] + imm) | 0, 0); if (h.excCause < 0) x[d] = v; break; }
      case Op.LH: { const v = h.load16((x[a] + imm) | 0, 0); if (h.excCause < 0) x[d] = (v << 16) >> 16; break; }
      case Op.LHU: { const v = h.load16((x[a] + imm) | 0, 0); if (h.excCause < 0) x[d] = v; break; }
      case Op.LW: { const v = h.load32((x[a] + imm) | 0, 0); if (h.excCause < 0) x[d] = v; break; }
      case Op.SB: h.store8((x[a] + imm) | 0, 0, x[b] & 0xff); break;
      case Op.SH: h.store16((x[a] + imm) | 0, 0, x[b] & 0xffff); break;
      case Op.SW: h.store32((x[a] + imm) | 0, 0, x[b]); break;

      case Op.ADDI: x[d] = (x[a] + imm) | 0; break;
      case Op.SLTI: x[d] = x[a] < imm ? 1 : 0; break;
      case Op.SLTIU: x[d] = (x[a] >>> 0) < (imm >>> 0) ? 1 : 0; break;
      case Op.XORI: x[d] = x[a] ^ imm; break;
      case Op.ORI: x[d] = x[a] | imm; break;
      case Op.ANDI: x[d] = x[a] & imm; break;
      case Op.SLLI: x[d] = x[a] << imm; break;
      case Op.SRLI: x[d] = x[a] >>> imm; break;
      case Op.SRAI: x[d] = x[a] >> imm; break;
      case Op.ADD: x[d] = (x[a] + x[b]) | 0; break;
      case Op.SUB: x[d] = (x[a] - x[b]) | 0; break;
      case Op.SLL: x[d] = x[a] << (x[b] & 31); break;
      case Op.SRL: x[d] = x[a] >>> (x[b] & 31); break;
      case Op.SRA: x[d] = x[a] >> (x[b] & 31); break;
      case Op.SLT: x[d] = x[a] < x[b] ? 1 : 0; break;
      case Op.SLTU: x[d] = (x[a] >>> 0) < (x[b] >>> 0) ? 1 : 0; break;
      case Op.XOR: x[d] = x[a] ^ x[b]; break;
      case Op.OR: x[d] = x[a] | x[b]; break;
      case Op.AND: x[d] = x[a] & x[b]; break;

      case Op.MUL: x[d] = Math.imul(x[a], x[b]); break;
      case Op.MULH: case Op.MULHSU: case Op.MULHU: {
        const p = x[a], q = x[b];
        let hi = mulhu32(p, q);
        // Signed corrections of the unsigned high word.
        if (op !== Op.MULHU && p < 0) hi = (hi - q) | 0;
        if (op === Op.MULH && q < 0) hi = (hi - p) | 0;
        x[d] = hi;
        break;
      }
      case Op.DIV: x[d] = div32(x[a], x[b]); break;
      case Op.DIVU: x[d] = divu32(x[a], x[b]); break;
      case Op.REM: x[d] = rem32(x[a], x[b]); break;
      case Op.REMU: x[d] = remu32(x[a], x[b]); break;

      case Op.FENCE: case Op.FENCE_I: break;

      case Op.LR_W: { const v = h.loadReserved(x[a], 0, 4); if (h.excCause < 0) x[d] = v; break; }
      case Op.SC_W: { const r = h.storeConditional(x[a], 0, 4, x[b], 0); if (h.excCause < 0) x[d] = r; break; }
      case Op.AMOSWAP_W: case Op.AMOADD_W: case Op.AMOXOR_W: case Op.AMOAND_W: case Op.AMOOR_W:
      case Op.AMOMIN_W: case Op.AMOMAX_W: case Op.AMOMINU_W: case Op.AMOMAXU_W: {
        const addr = x[a];
        const pa = h.amoPa(addr, 0, 4);
        if (pa < 0) break;
        const old = h.physRead(pa, 4, addr, 0);
        if (h.excCause >= 0) break;
        h.physWrite(pa, 4, amo32(op, old, x[b]), 0, addr, 0);
        if (h.excCause < 0) x[d] = old;
        break;
      }

      case Op.CSRRW: case Op.CSRRS: case Op.CSRRC: case Op.CSRRWI: case Op.CSRRSI: case Op.CSRRCI: {
        const immForm = op >= Op.CSRRWI;
        const kind = (op - (immForm ? Op.CSRRWI : Op.CSRRW)) as 0 | 1 | 2;
        const rs1 = a >>> 1;
        h.instret = base + n;
        h.pcLo = pc;
        if (!h.csrOp(imm, kind, immForm ? rs1 : x[a], 0, d >>> 1, kind === 0 || rs1 !== 0)) {
          h.illegal(csrBits(op, imm, rs1, d >>> 1));
          next = h.pcLo;
        }
        break;
      }
      case Op.ECALL:
        h.pcLo = pc;
        h.trap(h.priv === Priv.U ? Cause.EcallFromU : h.priv === Priv.S ? Cause.EcallFromS : Cause.EcallFromM, false, 0, 0);
        next = h.pcLo;
        break;
      case Op.EBREAK:
        h.pcLo = pc;
        h.trap(Cause.Breakpoint, false, 0, 0);
        next = h.pcLo;
        break;
      case Op.MRET: case Op.SRET: case Op.WFI: case Op.SFENCE_VMA: {
        h.pcLo = pc;
        let ok: boolean;
        if (op === Op.MRET) ok = h.mret();
        else if (op === Op.SRET) ok = h.sret();
        else {
          h.pcLo = next;
          ok = op === Op.WFI ? h.wfiInsn() : h.sfenceVma();
          if (!ok) h.pcLo = pc;
        }
        if (!ok) h.illegal(systemBits(op, a >>> 1, b >>> 1));
        next = h.pcLo;
        h.yieldLoop = true;
        break;
      }
      default:
        h.pcLo = pc;
        h.illegal(imm);
        next = h.pcLo;
        break;
    }
    x[0] = 0;
    if (next !== ((pc + ((w & P.COMPRESSED) !== 0 ? 2 : 4)) | 0)) entry = true;
    if (h.yieldLoop) {
      if (h.excCause >= 0) {
        h.pcLo = pc;
        h.raiseException();
        pc = h.pcLo;
      } else {
        pc = next;
      }
      break loop;
    }
    pc = next;
  }
  h.pcLo = pc;
  h.pcHi = 0;
  h.instret = base + n;
  return n;
}
