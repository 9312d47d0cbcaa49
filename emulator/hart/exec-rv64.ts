/**
 * The RV64 interpreter: registers are int32 pairs (STYLE.md), decoded instructions
 * come from the per-page code cache, and the loop leaves only when the budget is
 * spent or the hart sets `yieldLoop` (a trap, a CSR write, WFI, xRET, a fault).
 * The instructions' cases are generated from isa-semantics.ts (`npm run gen:isa`).
 */
import { Hart } from './hart';
import { Op } from './isa-table';
import { BLOCK_STOPS } from './isa-semantics';
import { dec, P } from './decode';
import { BlockFn, CodePage, EAGER_SHIFT, NO_BLOCKS } from './code-cache';
import * as I64 from './int64';
import * as FP from './fpu';
import * as BM from './bitmanip';
import { div32, divu32, rem32, remu32 } from './int64';
import { Cause, Priv } from './csr';

/** Placeholders until the first page is fetched: one each, not an allocation per call (a call per quantum). */
const EMPTY = new Int32Array(0);
const NO_LENGTHS = new Uint8Array(0);
const o = I64.out;

/** Run up to `budget` instructions; returns how many were executed. */
export function runRv64(h: Hart, budget: number): number {
  const x = h.x;
  // Loads and stores test the TLB's DRAM entry here, inline (isa-codegen.ts Gen.ramHit).
  const tlbR = h.tlbR.dram, tlbW = h.tlbW.dram, resvCount = h.resvCount;
  const ram8 = h.ram.u8, ram16 = h.ram.u16, ram32 = h.ram.i32, codeFlags = h.ram.code.hasCode;
  let pcLo = h.pcLo, pcHi = h.pcHi;
  let page: CodePage | null = null;
  let words = EMPTY, blocks = NO_BLOCKS;
  /** Instructions in each block's first pass: a block runs only when its budget holds them all. */
  let lengths = NO_LENGTHS;
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
      words = page.words; blocks = page.blocks; lengths = page.lengths;
      // A new page is a block boundary too: code that runs on from the last page (past an
      // instruction that straddles the two, which no block holds) finds the blocks here.
      entry = true;
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
      // A block starts here when its length is not 0 (CodePage.lengths: a byte a slot, denser than the blocks).
      let length = lengths[slot];
      if (length === 0 && h.translator !== null && ++page.heat[slot] >= (page.eager ? h.hot >> EAGER_SHIFT : h.hot)) {
        h.translator(h, page, slot);
        page.heat[slot] = 0;
        blocks = page.blocks; // the page's first block gave it an array of its own
        length = lengths[slot];
      }
      if (length !== 0 && budget - n >= length) {
        skipBp = false;
        h.pcLo = pcLo; h.pcHi = pcHi;
        n += (blocks[slot] as BlockFn)(h, x, page, budget - n);
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
    const len = (w & P.COMPRESSED) !== 0 ? 2 : 4;
    let nLo = (pcLo + len) | 0;
    let nHi = (nLo >>> 0) < (pcLo >>> 0) ? (pcHi + 1) | 0 : pcHi;
    n++;
    skipBp = false;
    switch (op) {
      // ---- generated by `npm run gen:isa` from isa-semantics.ts: do not edit ----
      case Op.LUI: {
        x[d + 1] = imm >> 31;
        x[d] = imm;
        break;
      }
      case Op.AUIPC: {
        const t0 = (pcLo + imm) | 0;
        const t1 = (pcHi + (imm >> 31) + ((t0 >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0;
        x[d + 1] = t1;
        x[d] = t0;
        break;
      }
      case Op.JAL: {
        const t0 = (pcLo + imm) | 0;
        const t1 = (pcHi + (imm >> 31) + ((t0 >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0;
        x[d + 1] = nHi;
        x[d] = nLo;
        nLo = t0; nHi = t1;
        break;
      }
      case Op.JALR: {
        const t0 = x[a];
        const t1 = (t0 + imm) | 0;
        const t2 = (x[a + 1] + (imm >> 31) + ((t1 >>> 0) < (t0 >>> 0) ? 1 : 0)) | 0;
        const t3 = t1 & -2;
        x[d + 1] = nHi;
        x[d] = nLo;
        nLo = t3; nHi = t2;
        break;
      }
      case Op.BEQ: {
        if (x[a] === x[b] && x[a + 1] === x[b + 1]) {
          const t0 = (pcLo + imm) | 0;
          const t1 = (pcHi + (imm >> 31) + ((t0 >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0;
          nLo = t0; nHi = t1;
        }
        break;
      }
      case Op.BNE: {
        if (x[a] !== x[b] || x[a + 1] !== x[b + 1]) {
          const t0 = (pcLo + imm) | 0;
          const t1 = (pcHi + (imm >> 31) + ((t0 >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0;
          nLo = t0; nHi = t1;
        }
        break;
      }
      case Op.BLT: {
        if (I64.lt(x[a], x[a + 1], x[b], x[b + 1])) {
          const t0 = (pcLo + imm) | 0;
          const t1 = (pcHi + (imm >> 31) + ((t0 >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0;
          nLo = t0; nHi = t1;
        }
        break;
      }
      case Op.BGE: {
        if (!I64.lt(x[a], x[a + 1], x[b], x[b + 1])) {
          const t0 = (pcLo + imm) | 0;
          const t1 = (pcHi + (imm >> 31) + ((t0 >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0;
          nLo = t0; nHi = t1;
        }
        break;
      }
      case Op.BLTU: {
        if (I64.ltu(x[a], x[a + 1], x[b], x[b + 1])) {
          const t0 = (pcLo + imm) | 0;
          const t1 = (pcHi + (imm >> 31) + ((t0 >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0;
          nLo = t0; nHi = t1;
        }
        break;
      }
      case Op.BGEU: {
        if (!I64.ltu(x[a], x[a + 1], x[b], x[b + 1])) {
          const t0 = (pcLo + imm) | 0;
          const t1 = (pcHi + (imm >> 31) + ((t0 >>> 0) < (pcLo >>> 0) ? 1 : 0)) | 0;
          nLo = t0; nHi = t1;
        }
        break;
      }
      case Op.LB: {
        const t0 = x[a];
        const t1 = (t0 + imm) | 0;
        const t2 = (x[a + 1] + (imm >> 31) + ((t1 >>> 0) < (t0 >>> 0) ? 1 : 0)) | 0;
        let t3 = 0;
        const t4 = ((t1 >>> 12) & 255) * 4;
        const t5 = tlbR[t4] === (t1 & -4096) && tlbR[t4 + 1] === t2 ? (t1 + tlbR[t4 + 2]) | 0 : -1;
        if (t5 >= 0) { t3 = ram8[t5]; }
        else { t3 = h.load8(t1, t2); if (h.excCause >= 0) break; }
        const t6 = (t3 << 24) >> 24;
        x[d + 1] = t6 >> 31;
        x[d] = t6;
        break;
      }
      case Op.LH: {
        const t0 = x[a];
        const t1 = (t0 + imm) | 0;
        const t2 = (x[a + 1] + (imm >> 31) + ((t1 >>> 0) < (t0 >>> 0) ? 1 : 0)) | 0;
        let t3 = 0;
        const t4 = ((t1 >>> 12) & 255) * 4;
        const t5 = tlbR[t4] === (t1 & -4095) && tlbR[t4 + 1] === t2 ? (t1 + tlbR[t4 + 2]) | 0 : -1;
        if (t5 >= 0) { t3 = ram16[(t5 >>> 1)]; }
        else { t3 = h.load16(t1, t2); if (h.excCause >= 0) break; }
        const t6 = (t3 << 16) >> 16;
        x[d + 1] = t6 >> 31;
        x[d] = t6;
        break;
      }
      case Op.LW: {
        const t0 = x[a];
        const t1 = (t0 + imm) | 0;
        const t2 = (x[a + 1] + (imm >> 31) + ((t1 >>> 0) < (t0 >>> 0) ? 1 : 0)) | 0;
        let t3 = 0;
        const t4 = ((t1 >>> 12) & 255) * 4;
        const t5 = tlbR[t4] === (t1 & -4093) && tlbR[t4 + 1] === t2 ? (t1 + tlbR[t4 + 2]) | 0 : -1;
        if (t5 >= 0) { t3 = ram32[(t5 >>> 2)]; }
        else { t3 = h.load32(t1, t2); if (h.excCause >= 0) break; }
        x[d + 1] = t3 >> 31;
        x[d] = t3;
        break;
      }
      case Op.LD: {
        const t0 = x[a];
        const t1 = (t0 + imm) | 0;
        const t2 = (x[a + 1] + (imm >> 31) + ((t1 >>> 0) < (t0 >>> 0) ? 1 : 0)) | 0;
        let t3 = 0, t4 = 0;
        const t5 = ((t1 >>> 12) & 255) * 4;
        const t6 = tlbR[t5] === (t1 & -4089) && tlbR[t5 + 1] === t2 ? (t1 + tlbR[t5 + 2]) | 0 : -1;
        if (t6 >= 0) { t3 = ram32[(t6 >>> 2)]; t4 = ram32[(t6 >>> 2) + 1]; }
        else { t3 = h.load64(t1, t2); t4 = h.ldHi; if (h.excCause >= 0) break; }
        x[d + 1] = t4;
        x[d] = t3;
        break;
      }
      case Op.LBU: {
        const t0 = x[a];
        const t1 = (t0 + imm) | 0;
        const t2 = (x[a + 1] + (imm >> 31) + ((t1 >>> 0) < (t0 >>> 0) ? 1 : 0)) | 0;
        let t3 = 0;
        const t4 = ((t1 >>> 12) & 255) * 4;
        const t5 = tlbR[t4] === (t1 & -4096) && tlbR[t4 + 1] === t2 ? (t1 + tlbR[t4 + 2]) | 0 : -1;
        if (t5 >= 0) { t3 = ram8[t5]; }
        else { t3 = h.load8(t1, t2); if (h.excCause >= 0) break; }
        x[d + 1] = 0;
        x[d] = t3;
        break;
      }
      case Op.LHU: {
        const t0 = x[a];
        const t1 = (t0 + imm) | 0;
        const t2 = (x[a + 1] + (imm >> 31) + ((t1 >>> 0) < (t0 >>> 0) ? 1 : 0)) | 0;
        let t3 = 0;
        const t4 = ((t1 >>> 12) & 255) * 4;
        const t5 = tlbR[t4] === (t1 & -4095) && tlbR[t4 + 1] === t2 ? (t1 + tlbR[t4 + 2]) | 0 : -1;
        if (t5 >= 0) { t3 = ram16[(t5 >>> 1)]; }
        else { t3 = h.load16(t1, t2); if (h.excCause >= 0) break; }
        x[d + 1] = 0;
        x[d] = t3;
        break;
      }
      case Op.LWU: {
        const t0 = x[a];
        const t1 = (t0 + imm) | 0;
        const t2 = (x[a + 1] + (imm >> 31) + ((t1 >>> 0) < (t0 >>> 0) ? 1 : 0)) | 0;
        let t3 = 0;
        const t4 = ((t1 >>> 12) & 255) * 4;
        const t5 = tlbR[t4] === (t1 & -4093) && tlbR[t4 + 1] === t2 ? (t1 + tlbR[t4 + 2]) | 0 : -1;
        if (t5 >= 0) { t3 = ram32[(t5 >>> 2)]; }
        else { t3 = h.load32(t1, t2); if (h.excCause >= 0) break; }
        x[d + 1] = 0;
        x[d] = t3;
        break;
      }
      case Op.SB: {
        const t0 = x[a];
        const t1 = (t0 + imm) | 0;
        const t2 = (x[a + 1] + (imm >> 31) + ((t1 >>> 0) < (t0 >>> 0) ? 1 : 0)) | 0;
        const t3 = x[b];
        const t4 = ((t1 >>> 12) & 255) * 4;
        const t5 = tlbW[t4] === (t1 & -4096) && tlbW[t4 + 1] === t2 ? (t1 + tlbW[t4 + 2]) | 0 : -1;
        if (t5 >= 0) { ram8[t5] = t3; if (codeFlags[t5 >>> 12] !== 0 || resvCount[0] !== 0) h.stored(t5, 1); }
        else h.store8(t1, t2, t3 & 0xff);
        break;
      }
      case Op.SH: {
        const t0 = x[a];
        const t1 = (t0 + imm) | 0;
        const t2 = (x[a + 1] + (imm >> 31) + ((t1 >>> 0) < (t0 >>> 0) ? 1 : 0)) | 0;
        const t3 = x[b];
        const t4 = ((t1 >>> 12) & 255) * 4;
        const t5 = tlbW[t4] === (t1 & -4095) && tlbW[t4 + 1] === t2 ? (t1 + tlbW[t4 + 2]) | 0 : -1;
        if (t5 >= 0) { ram16[(t5 >>> 1)] = t3; if (codeFlags[t5 >>> 12] !== 0 || resvCount[0] !== 0) h.stored(t5, 2); }
        else h.store16(t1, t2, t3 & 0xffff);
        break;
      }
      case Op.SW: {
        const t0 = x[a];
        const t1 = (t0 + imm) | 0;
        const t2 = (x[a + 1] + (imm >> 31) + ((t1 >>> 0) < (t0 >>> 0) ? 1 : 0)) | 0;
        const t3 = x[b];
        const t4 = ((t1 >>> 12) & 255) * 4;
        const t5 = tlbW[t4] === (t1 & -4093) && tlbW[t4 + 1] === t2 ? (t1 + tlbW[t4 + 2]) | 0 : -1;
        if (t5 >= 0) { ram32[(t5 >>> 2)] = t3; if (codeFlags[t5 >>> 12] !== 0 || resvCount[0] !== 0) h.stored(t5, 4); }
        else h.store32(t1, t2, t3);
        break;
      }
      case Op.SD: {
        const t0 = x[a];
        const t1 = (t0 + imm) | 0;
        const t2 = (x[a + 1] + (imm >> 31) + ((t1 >>> 0) < (t0 >>> 0) ? 1 : 0)) | 0;
        const t3 = x[b];
        const t4 = x[b + 1];
        const t5 = ((t1 >>> 12) & 255) * 4;
        const t6 = tlbW[t5] === (t1 & -4089) && tlbW[t5 + 1] === t2 ? (t1 + tlbW[t5 + 2]) | 0 : -1;
        if (t6 >= 0) { ram32[(t6 >>> 2)] = t3; ram32[(t6 >>> 2) + 1] = t4; if (codeFlags[t6 >>> 12] !== 0 || resvCount[0] !== 0) h.stored(t6, 8); }
        else h.store64(t1, t2, t3, t4);
        break;
      }
      case Op.ADDI: {
        const t0 = x[a];
        const t1 = (t0 + imm) | 0;
        const t2 = (x[a + 1] + (imm >> 31) + ((t1 >>> 0) < (t0 >>> 0) ? 1 : 0)) | 0;
        x[d + 1] = t2;
        x[d] = t1;
        break;
      }
      case Op.SLTI: {
        const t0 = I64.lt(x[a], x[a + 1], imm, (imm >> 31)) ? 1 : 0;
        x[d + 1] = 0;
        x[d] = t0;
        break;
      }
      case Op.SLTIU: {
        const t0 = I64.ltu(x[a], x[a + 1], imm, (imm >> 31)) ? 1 : 0;
        x[d + 1] = 0;
        x[d] = t0;
        break;
      }
      case Op.XORI: {
        const t0 = x[a] ^ imm;
        const t1 = x[a + 1] ^ (imm >> 31);
        x[d + 1] = t1;
        x[d] = t0;
        break;
      }
      case Op.ORI: {
        const t0 = x[a] | imm;
        const t1 = x[a + 1] | (imm >> 31);
        x[d + 1] = t1;
        x[d] = t0;
        break;
      }
      case Op.ANDI: {
        const t0 = x[a] & imm;
        const t1 = x[a + 1] & (imm >> 31);
        x[d + 1] = t1;
        x[d] = t0;
        break;
      }
      case Op.SLLI: {
        I64.sll(x[a], x[a + 1], imm);
        const t0 = o[0];
        const t1 = o[1];
        x[d + 1] = t1;
        x[d] = t0;
        break;
      }
      case Op.SRLI: {
        I64.srl(x[a], x[a + 1], imm);
        const t0 = o[0];
        const t1 = o[1];
        x[d + 1] = t1;
        x[d] = t0;
        break;
      }
      case Op.SRAI: {
        I64.sra(x[a], x[a + 1], imm);
        const t0 = o[0];
        const t1 = o[1];
        x[d + 1] = t1;
        x[d] = t0;
        break;
      }
      case Op.ADD: {
        const t0 = x[a];
        const t1 = (t0 + x[b]) | 0;
        const t2 = (x[a + 1] + x[b + 1] + ((t1 >>> 0) < (t0 >>> 0) ? 1 : 0)) | 0;
        x[d + 1] = t2;
        x[d] = t1;
        break;
      }
      case Op.SUB: {
        const t0 = x[a];
        const t1 = x[b];
        const t2 = (x[a + 1] - x[b + 1] - ((t0 >>> 0) < (t1 >>> 0) ? 1 : 0)) | 0;
        const t3 = (t0 - t1) | 0;
        x[d + 1] = t2;
        x[d] = t3;
        break;
      }
      case Op.SLL: {
        I64.sll(x[a], x[a + 1], x[b] & 63);
        const t0 = o[0];
        const t1 = o[1];
        x[d + 1] = t1;
        x[d] = t0;
        break;
      }
      case Op.SLT: {
        const t0 = I64.lt(x[a], x[a + 1], x[b], x[b + 1]) ? 1 : 0;
        x[d + 1] = 0;
        x[d] = t0;
        break;
      }
      case Op.SLTU: {
        const t0 = I64.ltu(x[a], x[a + 1], x[b], x[b + 1]) ? 1 : 0;
        x[d + 1] = 0;
        x[d] = t0;
        break;
      }
      case Op.XOR: {
        const t0 = x[a] ^ x[b];
        const t1 = x[a + 1] ^ x[b + 1];
        x[d + 1] = t1;
        x[d] = t0;
        break;
      }
      case Op.SRL: {
        I64.srl(x[a], x[a + 1], x[b] & 63);
        const t0 = o[0];
        const t1 = o[1];
        x[d + 1] = t1;
        x[d] = t0;
        break;
      }
      case Op.SRA: {
        I64.sra(x[a], x[a + 1], x[b] & 63);
        const t0 = o[0];
        const t1 = o[1];
        x[d + 1] = t1;
        x[d] = t0;
        break;
      }
      case Op.OR: {
        const t0 = x[a] | x[b];
        const t1 = x[a + 1] | x[b + 1];
        x[d + 1] = t1;
        x[d] = t0;
        break;
      }
      case Op.AND: {
        const t0 = x[a] & x[b];
        const t1 = x[a + 1] & x[b + 1];
        x[d + 1] = t1;
        x[d] = t0;
        break;
      }
      case Op.ADDIW: {
        const t0 = (x[a] + imm) | 0;
        x[d + 1] = t0 >> 31;
        x[d] = t0;
        break;
      }
      case Op.SLLIW: {
        const t0 = x[a] << imm;
        x[d + 1] = t0 >> 31;
        x[d] = t0;
        break;
      }
      case Op.SRLIW: {
        const t0 = (x[a] >>> imm) | 0;
        x[d + 1] = t0 >> 31;
        x[d] = t0;
        break;
      }
      case Op.SRAIW: {
        const t0 = x[a] >> imm;
        x[d + 1] = t0 >> 31;
        x[d] = t0;
        break;
      }
      case Op.ADDW: {
        const t0 = (x[a] + x[b]) | 0;
        x[d + 1] = t0 >> 31;
        x[d] = t0;
        break;
      }
      case Op.SUBW: {
        const t0 = (x[a] - x[b]) | 0;
        x[d + 1] = t0 >> 31;
        x[d] = t0;
        break;
      }
      case Op.SLLW: {
        const t0 = x[a] << (x[b] & 31);
        x[d + 1] = t0 >> 31;
        x[d] = t0;
        break;
      }
      case Op.SRLW: {
        const t0 = (x[a] >>> (x[b] & 31)) | 0;
        x[d + 1] = t0 >> 31;
        x[d] = t0;
        break;
      }
      case Op.SRAW: {
        const t0 = x[a] >> (x[b] & 31);
        x[d + 1] = t0 >> 31;
        x[d] = t0;
        break;
      }
      case Op.FENCE: {
        break;
      }
      case Op.FENCE_I: {
        break;
      }
      case Op.MUL: {
        I64.mul(x[a], x[a + 1], x[b], x[b + 1]);
        const t0 = o[0];
        const t1 = o[1];
        x[d + 1] = t1;
        x[d] = t0;
        break;
      }
      case Op.MULH: {
        I64.mulh(x[a], x[a + 1], x[b], x[b + 1], true, true);
        const t0 = o[0];
        const t1 = o[1];
        x[d + 1] = t1;
        x[d] = t0;
        break;
      }
      case Op.MULHSU: {
        I64.mulh(x[a], x[a + 1], x[b], x[b + 1], true, false);
        const t0 = o[0];
        const t1 = o[1];
        x[d + 1] = t1;
        x[d] = t0;
        break;
      }
      case Op.MULHU: {
        I64.mulh(x[a], x[a + 1], x[b], x[b + 1], false, false);
        const t0 = o[0];
        const t1 = o[1];
        x[d + 1] = t1;
        x[d] = t0;
        break;
      }
      case Op.DIV: {
        I64.div(x[a], x[a + 1], x[b], x[b + 1]);
        const t0 = o[0];
        const t1 = o[1];
        x[d + 1] = t1;
        x[d] = t0;
        break;
      }
      case Op.DIVU: {
        I64.divu(x[a], x[a + 1], x[b], x[b + 1]);
        const t0 = o[0];
        const t1 = o[1];
        x[d + 1] = t1;
        x[d] = t0;
        break;
      }
      case Op.REM: {
        I64.rem(x[a], x[a + 1], x[b], x[b + 1]);
        const t0 = o[0];
        const t1 = o[1];
        x[d + 1] = t1;
        x[d] = t0;
        break;
      }
      case Op.REMU: {
        I64.remu(x[a], x[a + 1], x[b], x[b + 1]);
        const t0 = o[0];
        const t1 = o[1];
        x[d + 1] = t1;
        x[d] = t0;
        break;
      }
      case Op.MULW: {
        const t0 = Math.imul(x[a], x[b]);
        x[d + 1] = t0 >> 31;
        x[d] = t0;
        break;
      }
      case Op.DIVW: {
        const t0 = div32(x[a], x[b]);
        x[d + 1] = t0 >> 31;
        x[d] = t0;
        break;
      }
      case Op.DIVUW: {
        const t0 = divu32(x[a], x[b]);
        x[d + 1] = t0 >> 31;
        x[d] = t0;
        break;
      }
      case Op.REMW: {
        const t0 = rem32(x[a], x[b]);
        x[d + 1] = t0 >> 31;
        x[d] = t0;
        break;
      }
      case Op.REMUW: {
        const t0 = remu32(x[a], x[b]);
        x[d + 1] = t0 >> 31;
        x[d] = t0;
        break;
      }
      default: { // out of line (runsOutOfLine)
        coldRv64(h, x, op, d, a, b, imm, pcLo, pcHi, nLo, nHi, base, n);
        nLo = NEXT[0]; nHi = NEXT[1];
        if (BLOCK_STOPS[op] !== 0) entry = true;
        break;
      }
      // ---- end of generated cases ----
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

/** The next pc of an out-of-line instruction: coldRv64's answer (two words, like int64.ts `out`). */
const NEXT = new Int32Array(2);

/**
 * The instructions isa-semantics.ts `runsOutOfLine` names, out of the loop so that V8 meeting
 * one for the first time recompiles this function, not the loop. A `break` leaves an
 * instruction early, as in the loop; the next pc goes back in NEXT.
 */
function coldRv64(h: Hart, x: Int32Array, op: number, d: number, a: number, b: number, imm: number,
  pcLo: number, pcHi: number, nLo: number, nHi: number, base: number, n: number): void {
  switch (op) {
    // ---- generated by `npm run gen:isa` from isa-semantics.ts (out of line): do not edit ----
    case Op.ECALL: {
      h.pcLo = pcLo; h.pcHi = pcHi;
      h.trap(h.priv === Priv.U ? Cause.EcallFromU : h.priv === Priv.S ? Cause.EcallFromS : Cause.EcallFromM, false, 0, 0);
      nLo = h.pcLo; nHi = h.pcHi;
      break;
    }
    case Op.EBREAK: {
      h.pcLo = pcLo; h.pcHi = pcHi;
      h.trap(Cause.Breakpoint, false, 0, 0); // QEMU 7.2 leaves tval 0 (Priv §3.1.16 allows either)
      nLo = h.pcLo; nHi = h.pcHi;
      break;
    }
    case Op.MRET: {
      h.pcLo = pcLo; h.pcHi = pcHi;
      if (!h.mret()) {
        h.illegal(0x30200073);
      }
      nLo = h.pcLo; nHi = h.pcHi;
      h.yieldLoop = true;
      break;
    }
    case Op.SRET: {
      h.pcLo = pcLo; h.pcHi = pcHi;
      if (!h.sret()) {
        h.illegal(0x10200073);
      }
      nLo = h.pcLo; nHi = h.pcHi;
      h.yieldLoop = true;
      break;
    }
    case Op.WFI: {
      h.pcLo = nLo; h.pcHi = nHi;
      if (!h.wfiInsn()) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(0x10500073);
      }
      nLo = h.pcLo; nHi = h.pcHi;
      h.yieldLoop = true;
      break;
    }
    case Op.SFENCE_VMA: {
      h.pcLo = nLo; h.pcHi = nHi;
      if (!h.sfenceVma()) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(0x12000073 | ((b >>> 1) << 20) | ((a >>> 1) << 15));
      }
      nLo = h.pcLo; nHi = h.pcHi;
      h.yieldLoop = true;
      break;
    }
    case Op.CSRRW: {
      h.instret = base + n;
      h.pcLo = pcLo; h.pcHi = pcHi;
      if (!h.csrOp(imm, 0, x[a], x[a + 1], (d >>> 1), true)) {
        h.illegal(0x1073 | (imm << 20) | ((a >>> 1) << 15) | ((d >>> 1) << 7));
        nLo = h.pcLo; nHi = h.pcHi;
      }
      break;
    }
    case Op.CSRRS: {
      h.instret = base + n;
      h.pcLo = pcLo; h.pcHi = pcHi;
      if (!h.csrOp(imm, 1, x[a], x[a + 1], (d >>> 1), (a >>> 1) !== 0)) {
        h.illegal(0x2073 | (imm << 20) | ((a >>> 1) << 15) | ((d >>> 1) << 7));
        nLo = h.pcLo; nHi = h.pcHi;
      }
      break;
    }
    case Op.CSRRC: {
      h.instret = base + n;
      h.pcLo = pcLo; h.pcHi = pcHi;
      if (!h.csrOp(imm, 2, x[a], x[a + 1], (d >>> 1), (a >>> 1) !== 0)) {
        h.illegal(0x3073 | (imm << 20) | ((a >>> 1) << 15) | ((d >>> 1) << 7));
        nLo = h.pcLo; nHi = h.pcHi;
      }
      break;
    }
    case Op.CSRRWI: {
      h.instret = base + n;
      h.pcLo = pcLo; h.pcHi = pcHi;
      if (!h.csrOp(imm, 0, (a >>> 1), 0, (d >>> 1), true)) {
        h.illegal(0x5073 | (imm << 20) | ((a >>> 1) << 15) | ((d >>> 1) << 7));
        nLo = h.pcLo; nHi = h.pcHi;
      }
      break;
    }
    case Op.CSRRSI: {
      h.instret = base + n;
      h.pcLo = pcLo; h.pcHi = pcHi;
      if (!h.csrOp(imm, 1, (a >>> 1), 0, (d >>> 1), (a >>> 1) !== 0)) {
        h.illegal(0x6073 | (imm << 20) | ((a >>> 1) << 15) | ((d >>> 1) << 7));
        nLo = h.pcLo; nHi = h.pcHi;
      }
      break;
    }
    case Op.CSRRCI: {
      h.instret = base + n;
      h.pcLo = pcLo; h.pcHi = pcHi;
      if (!h.csrOp(imm, 2, (a >>> 1), 0, (d >>> 1), (a >>> 1) !== 0)) {
        h.illegal(0x7073 | (imm << 20) | ((a >>> 1) << 15) | ((d >>> 1) << 7));
        nLo = h.pcLo; nHi = h.pcHi;
      }
      break;
    }
    case Op.LR_W: {
      const t0 = h.loadReserved(x[a], x[a + 1], 4);
      const t1 = h.ldHi;
      if (h.excCause >= 0) break;
      x[d + 1] = t1;
      x[d] = t0;
      break;
    }
    case Op.SC_W: {
      const t0 = h.storeConditional(x[a], x[a + 1], 4, x[b], x[b + 1]);
      if (h.excCause >= 0) break;
      x[d + 1] = 0;
      x[d] = t0;
      break;
    }
    case Op.AMOSWAP_W: {
      const t0 = x[a];
      const t1 = x[a + 1];
      const t2 = h.amoPa(t0, t1, 4);
      if (t2 < 0) break;
      const t3 = h.physRead(t2, 4, t0, t1);
      if (h.excCause >= 0) break;
      h.physWrite(t2, 4, x[b], 0, t0, t1);
      if (h.excCause >= 0) break;
      x[d + 1] = t3 >> 31;
      x[d] = t3;
      break;
    }
    case Op.AMOADD_W: {
      const t0 = x[a];
      const t1 = x[a + 1];
      const t2 = h.amoPa(t0, t1, 4);
      if (t2 < 0) break;
      const t3 = h.physRead(t2, 4, t0, t1);
      if (h.excCause >= 0) break;
      h.physWrite(t2, 4, (t3 + x[b]) | 0, 0, t0, t1);
      if (h.excCause >= 0) break;
      x[d + 1] = t3 >> 31;
      x[d] = t3;
      break;
    }
    case Op.AMOXOR_W: {
      const t0 = x[a];
      const t1 = x[a + 1];
      const t2 = h.amoPa(t0, t1, 4);
      if (t2 < 0) break;
      const t3 = h.physRead(t2, 4, t0, t1);
      if (h.excCause >= 0) break;
      h.physWrite(t2, 4, t3 ^ x[b], 0, t0, t1);
      if (h.excCause >= 0) break;
      x[d + 1] = t3 >> 31;
      x[d] = t3;
      break;
    }
    case Op.AMOAND_W: {
      const t0 = x[a];
      const t1 = x[a + 1];
      const t2 = h.amoPa(t0, t1, 4);
      if (t2 < 0) break;
      const t3 = h.physRead(t2, 4, t0, t1);
      if (h.excCause >= 0) break;
      h.physWrite(t2, 4, t3 & x[b], 0, t0, t1);
      if (h.excCause >= 0) break;
      x[d + 1] = t3 >> 31;
      x[d] = t3;
      break;
    }
    case Op.AMOOR_W: {
      const t0 = x[a];
      const t1 = x[a + 1];
      const t2 = h.amoPa(t0, t1, 4);
      if (t2 < 0) break;
      const t3 = h.physRead(t2, 4, t0, t1);
      if (h.excCause >= 0) break;
      h.physWrite(t2, 4, t3 | x[b], 0, t0, t1);
      if (h.excCause >= 0) break;
      x[d + 1] = t3 >> 31;
      x[d] = t3;
      break;
    }
    case Op.AMOMIN_W: {
      const t0 = x[a];
      const t1 = x[a + 1];
      const t2 = h.amoPa(t0, t1, 4);
      if (t2 < 0) break;
      const t3 = h.physRead(t2, 4, t0, t1);
      if (h.excCause >= 0) break;
      h.physWrite(t2, 4, t3 < x[b] ? t3 : x[b], 0, t0, t1);
      if (h.excCause >= 0) break;
      x[d + 1] = t3 >> 31;
      x[d] = t3;
      break;
    }
    case Op.AMOMAX_W: {
      const t0 = x[a];
      const t1 = x[a + 1];
      const t2 = h.amoPa(t0, t1, 4);
      if (t2 < 0) break;
      const t3 = h.physRead(t2, 4, t0, t1);
      if (h.excCause >= 0) break;
      h.physWrite(t2, 4, t3 > x[b] ? t3 : x[b], 0, t0, t1);
      if (h.excCause >= 0) break;
      x[d + 1] = t3 >> 31;
      x[d] = t3;
      break;
    }
    case Op.AMOMINU_W: {
      const t0 = x[a];
      const t1 = x[a + 1];
      const t2 = h.amoPa(t0, t1, 4);
      if (t2 < 0) break;
      const t3 = h.physRead(t2, 4, t0, t1);
      if (h.excCause >= 0) break;
      h.physWrite(t2, 4, (t3 >>> 0) < (x[b] >>> 0) ? t3 : x[b], 0, t0, t1);
      if (h.excCause >= 0) break;
      x[d + 1] = t3 >> 31;
      x[d] = t3;
      break;
    }
    case Op.AMOMAXU_W: {
      const t0 = x[a];
      const t1 = x[a + 1];
      const t2 = h.amoPa(t0, t1, 4);
      if (t2 < 0) break;
      const t3 = h.physRead(t2, 4, t0, t1);
      if (h.excCause >= 0) break;
      h.physWrite(t2, 4, (t3 >>> 0) > (x[b] >>> 0) ? t3 : x[b], 0, t0, t1);
      if (h.excCause >= 0) break;
      x[d + 1] = t3 >> 31;
      x[d] = t3;
      break;
    }
    case Op.LR_D: {
      const t0 = h.loadReserved(x[a], x[a + 1], 8);
      const t1 = h.ldHi;
      if (h.excCause >= 0) break;
      x[d + 1] = t1;
      x[d] = t0;
      break;
    }
    case Op.SC_D: {
      const t0 = h.storeConditional(x[a], x[a + 1], 8, x[b], x[b + 1]);
      if (h.excCause >= 0) break;
      x[d + 1] = 0;
      x[d] = t0;
      break;
    }
    case Op.AMOSWAP_D: {
      const t0 = x[a];
      const t1 = x[a + 1];
      const t2 = h.amoPa(t0, t1, 8);
      if (t2 < 0) break;
      const t3 = h.physRead(t2, 8, t0, t1);
      const t4 = h.ldHi;
      if (h.excCause >= 0) break;
      h.physWrite(t2, 8, x[b], x[b + 1], t0, t1);
      if (h.excCause >= 0) break;
      x[d + 1] = t4;
      x[d] = t3;
      break;
    }
    case Op.AMOADD_D: {
      const t0 = x[a];
      const t1 = x[a + 1];
      const t2 = h.amoPa(t0, t1, 8);
      if (t2 < 0) break;
      const t3 = h.physRead(t2, 8, t0, t1);
      const t4 = h.ldHi;
      if (h.excCause >= 0) break;
      const t5 = (t3 + x[b]) | 0;
      const t6 = (t4 + x[b + 1] + ((t5 >>> 0) < (t3 >>> 0) ? 1 : 0)) | 0;
      h.physWrite(t2, 8, t5, t6, t0, t1);
      if (h.excCause >= 0) break;
      x[d + 1] = t4;
      x[d] = t3;
      break;
    }
    case Op.AMOXOR_D: {
      const t0 = x[a];
      const t1 = x[a + 1];
      const t2 = h.amoPa(t0, t1, 8);
      if (t2 < 0) break;
      const t3 = h.physRead(t2, 8, t0, t1);
      const t4 = h.ldHi;
      if (h.excCause >= 0) break;
      const t5 = t3 ^ x[b];
      const t6 = t4 ^ x[b + 1];
      h.physWrite(t2, 8, t5, t6, t0, t1);
      if (h.excCause >= 0) break;
      x[d + 1] = t4;
      x[d] = t3;
      break;
    }
    case Op.AMOAND_D: {
      const t0 = x[a];
      const t1 = x[a + 1];
      const t2 = h.amoPa(t0, t1, 8);
      if (t2 < 0) break;
      const t3 = h.physRead(t2, 8, t0, t1);
      const t4 = h.ldHi;
      if (h.excCause >= 0) break;
      const t5 = t3 & x[b];
      const t6 = t4 & x[b + 1];
      h.physWrite(t2, 8, t5, t6, t0, t1);
      if (h.excCause >= 0) break;
      x[d + 1] = t4;
      x[d] = t3;
      break;
    }
    case Op.AMOOR_D: {
      const t0 = x[a];
      const t1 = x[a + 1];
      const t2 = h.amoPa(t0, t1, 8);
      if (t2 < 0) break;
      const t3 = h.physRead(t2, 8, t0, t1);
      const t4 = h.ldHi;
      if (h.excCause >= 0) break;
      const t5 = t3 | x[b];
      const t6 = t4 | x[b + 1];
      h.physWrite(t2, 8, t5, t6, t0, t1);
      if (h.excCause >= 0) break;
      x[d + 1] = t4;
      x[d] = t3;
      break;
    }
    case Op.AMOMIN_D: {
      const t0 = x[a];
      const t1 = x[a + 1];
      const t2 = h.amoPa(t0, t1, 8);
      if (t2 < 0) break;
      const t3 = h.physRead(t2, 8, t0, t1);
      const t4 = h.ldHi;
      if (h.excCause >= 0) break;
      const t5 = I64.lt(t3, t4, x[b], x[b + 1]);
      const t6 = t5 ? t3 : x[b];
      const t7 = t5 ? t4 : x[b + 1];
      h.physWrite(t2, 8, t6, t7, t0, t1);
      if (h.excCause >= 0) break;
      x[d + 1] = t4;
      x[d] = t3;
      break;
    }
    case Op.AMOMAX_D: {
      const t0 = x[a];
      const t1 = x[a + 1];
      const t2 = h.amoPa(t0, t1, 8);
      if (t2 < 0) break;
      const t3 = h.physRead(t2, 8, t0, t1);
      const t4 = h.ldHi;
      if (h.excCause >= 0) break;
      const t5 = I64.lt(x[b], x[b + 1], t3, t4);
      const t6 = t5 ? t3 : x[b];
      const t7 = t5 ? t4 : x[b + 1];
      h.physWrite(t2, 8, t6, t7, t0, t1);
      if (h.excCause >= 0) break;
      x[d + 1] = t4;
      x[d] = t3;
      break;
    }
    case Op.AMOMINU_D: {
      const t0 = x[a];
      const t1 = x[a + 1];
      const t2 = h.amoPa(t0, t1, 8);
      if (t2 < 0) break;
      const t3 = h.physRead(t2, 8, t0, t1);
      const t4 = h.ldHi;
      if (h.excCause >= 0) break;
      const t5 = I64.ltu(t3, t4, x[b], x[b + 1]);
      const t6 = t5 ? t3 : x[b];
      const t7 = t5 ? t4 : x[b + 1];
      h.physWrite(t2, 8, t6, t7, t0, t1);
      if (h.excCause >= 0) break;
      x[d + 1] = t4;
      x[d] = t3;
      break;
    }
    case Op.AMOMAXU_D: {
      const t0 = x[a];
      const t1 = x[a + 1];
      const t2 = h.amoPa(t0, t1, 8);
      if (t2 < 0) break;
      const t3 = h.physRead(t2, 8, t0, t1);
      const t4 = h.ldHi;
      if (h.excCause >= 0) break;
      const t5 = I64.ltu(x[b], x[b + 1], t3, t4);
      const t6 = t5 ? t3 : x[b];
      const t7 = t5 ? t4 : x[b + 1];
      h.physWrite(t2, 8, t6, t7, t0, t1);
      if (h.excCause >= 0) break;
      x[d + 1] = t4;
      x[d] = t3;
      break;
    }
    case Op.FLW: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = x[a];
      const t1 = (t0 + imm) | 0;
      const t2 = (x[a + 1] + (imm >> 31) + ((t1 >>> 0) < (t0 >>> 0) ? 1 : 0)) | 0;
      const t3 = h.load32(t1, t2);
      if (h.excCause >= 0) break;
      h.f[d] = t3; h.f[d + 1] = -1; h.mstatus |= 24576;
      break;
    }
    case Op.FSW: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = x[a];
      const t1 = (t0 + imm) | 0;
      const t2 = (x[a + 1] + (imm >> 31) + ((t1 >>> 0) < (t0 >>> 0) ? 1 : 0)) | 0;
      h.store32(t1, t2, h.f[b]);
      break;
    }
    case Op.FMADD_S: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.arithS(h, 8, d, a, b, ((imm >> 2) & 62), t0);
      break;
    }
    case Op.FMSUB_S: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.arithS(h, 9, d, a, b, ((imm >> 2) & 62), t0);
      break;
    }
    case Op.FNMSUB_S: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.arithS(h, 10, d, a, b, ((imm >> 2) & 62), t0);
      break;
    }
    case Op.FNMADD_S: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.arithS(h, 11, d, a, b, ((imm >> 2) & 62), t0);
      break;
    }
    case Op.FADD_S: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.arithS(h, 0, d, a, b, 0, t0);
      break;
    }
    case Op.FSUB_S: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.arithS(h, 1, d, a, b, 0, t0);
      break;
    }
    case Op.FMUL_S: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.arithS(h, 2, d, a, b, 0, t0);
      break;
    }
    case Op.FDIV_S: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.arithS(h, 3, d, a, b, 0, t0);
      break;
    }
    case Op.FSQRT_S: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.arithS(h, 4, d, a, b, 0, t0);
      break;
    }
    case Op.FSGNJ_S: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = h.f[a + 1] === -1 ? h.f[a] : 0x7fc00000;
      const t1 = h.f[b + 1] === -1 ? h.f[b] : 0x7fc00000;
      h.f[d] = (t0 & 0x7fffffff) | (t1 & -0x80000000); h.f[d + 1] = -1; h.mstatus |= 24576;
      break;
    }
    case Op.FSGNJN_S: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = h.f[a + 1] === -1 ? h.f[a] : 0x7fc00000;
      const t1 = h.f[b + 1] === -1 ? h.f[b] : 0x7fc00000;
      h.f[d] = (t0 & 0x7fffffff) | (~t1 & -0x80000000); h.f[d + 1] = -1; h.mstatus |= 24576;
      break;
    }
    case Op.FSGNJX_S: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = h.f[a + 1] === -1 ? h.f[a] : 0x7fc00000;
      const t1 = h.f[b + 1] === -1 ? h.f[b] : 0x7fc00000;
      h.f[d] = t0 ^ (t1 & -0x80000000); h.f[d + 1] = -1; h.mstatus |= 24576;
      break;
    }
    case Op.FMIN_S: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.minMax(h, false, d, a, b, false);
      break;
    }
    case Op.FMAX_S: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.minMax(h, false, d, a, b, true);
      break;
    }
    case Op.FEQ_S: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.compare(h, false, a, b, 0) ? 1 : 0;
      x[d + 1] = 0;
      x[d] = t0;
      break;
    }
    case Op.FLT_S: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.compare(h, false, a, b, 1) ? 1 : 0;
      x[d + 1] = 0;
      x[d] = t0;
      break;
    }
    case Op.FLE_S: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.compare(h, false, a, b, 2) ? 1 : 0;
      x[d + 1] = 0;
      x[d] = t0;
      break;
    }
    case Op.FCLASS_S: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.classify(h, false, a);
      x[d + 1] = 0;
      x[d] = t0;
      break;
    }
    case Op.FCVT_W_S: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.toIntX(h, false, a, 32, true, t0);
      const t1 = FP.cvt.lo;
      const t2 = FP.cvt.hi;
      x[d + 1] = t2;
      x[d] = t1;
      break;
    }
    case Op.FCVT_WU_S: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.toIntX(h, false, a, 32, false, t0);
      const t1 = FP.cvt.lo;
      const t2 = FP.cvt.hi;
      x[d + 1] = t2;
      x[d] = t1;
      break;
    }
    case Op.FCVT_L_S: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.toIntX(h, false, a, 64, true, t0);
      const t1 = FP.cvt.lo;
      const t2 = FP.cvt.hi;
      x[d + 1] = t2;
      x[d] = t1;
      break;
    }
    case Op.FCVT_LU_S: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.toIntX(h, false, a, 64, false, t0);
      const t1 = FP.cvt.lo;
      const t2 = FP.cvt.hi;
      x[d + 1] = t2;
      x[d] = t1;
      break;
    }
    case Op.FCVT_S_W: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.fromIntX(h, false, d, x[a], 0, 32, true, t0);
      break;
    }
    case Op.FCVT_S_WU: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.fromIntX(h, false, d, x[a], 0, 32, false, t0);
      break;
    }
    case Op.FCVT_S_L: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.fromIntX(h, false, d, x[a], x[a + 1], 64, true, t0);
      break;
    }
    case Op.FCVT_S_LU: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.fromIntX(h, false, d, x[a], x[a + 1], 64, false, t0);
      break;
    }
    case Op.FMV_X_W: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = h.f[a];
      x[d + 1] = t0 >> 31;
      x[d] = t0;
      break;
    }
    case Op.FMV_W_X: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      h.f[d] = x[a]; h.f[d + 1] = -1; h.mstatus |= 24576;
      break;
    }
    case Op.FLD: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = x[a];
      const t1 = (t0 + imm) | 0;
      const t2 = (x[a + 1] + (imm >> 31) + ((t1 >>> 0) < (t0 >>> 0) ? 1 : 0)) | 0;
      const t3 = h.load64(t1, t2);
      const t4 = h.ldHi;
      if (h.excCause >= 0) break;
      h.f[d] = t3; h.f[d + 1] = t4; h.mstatus |= 24576;
      break;
    }
    case Op.FSD: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = x[a];
      const t1 = (t0 + imm) | 0;
      const t2 = (x[a + 1] + (imm >> 31) + ((t1 >>> 0) < (t0 >>> 0) ? 1 : 0)) | 0;
      h.store64(t1, t2, h.f[b], h.f[b + 1]);
      break;
    }
    case Op.FMADD_D: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.arithD(h, 8, d, a, b, ((imm >> 2) & 62), t0);
      break;
    }
    case Op.FMSUB_D: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.arithD(h, 9, d, a, b, ((imm >> 2) & 62), t0);
      break;
    }
    case Op.FNMSUB_D: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.arithD(h, 10, d, a, b, ((imm >> 2) & 62), t0);
      break;
    }
    case Op.FNMADD_D: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.arithD(h, 11, d, a, b, ((imm >> 2) & 62), t0);
      break;
    }
    case Op.FADD_D: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.arithD(h, 0, d, a, b, 0, t0);
      break;
    }
    case Op.FSUB_D: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.arithD(h, 1, d, a, b, 0, t0);
      break;
    }
    case Op.FMUL_D: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.arithD(h, 2, d, a, b, 0, t0);
      break;
    }
    case Op.FDIV_D: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.arithD(h, 3, d, a, b, 0, t0);
      break;
    }
    case Op.FSQRT_D: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.arithD(h, 4, d, a, b, 0, t0);
      break;
    }
    case Op.FSGNJ_D: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = h.f[a];
      const t1 = (h.f[a + 1] & 0x7fffffff) | (h.f[b + 1] & -0x80000000);
      h.f[d] = t0; h.f[d + 1] = t1; h.mstatus |= 24576;
      break;
    }
    case Op.FSGNJN_D: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = h.f[a];
      const t1 = (h.f[a + 1] & 0x7fffffff) | (~h.f[b + 1] & -0x80000000);
      h.f[d] = t0; h.f[d + 1] = t1; h.mstatus |= 24576;
      break;
    }
    case Op.FSGNJX_D: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = h.f[a];
      const t1 = h.f[a + 1] ^ (h.f[b + 1] & -0x80000000);
      h.f[d] = t0; h.f[d + 1] = t1; h.mstatus |= 24576;
      break;
    }
    case Op.FMIN_D: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.minMax(h, true, d, a, b, false);
      break;
    }
    case Op.FMAX_D: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.minMax(h, true, d, a, b, true);
      break;
    }
    case Op.FCVT_S_D: {
      if ((h.mstatus & 24576) === 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.convertFormat(h, false, d, a, t0);
      break;
    }
    case Op.FCVT_D_S: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.convertFormat(h, true, d, a, t0);
      break;
    }
    case Op.FEQ_D: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.compare(h, true, a, b, 0) ? 1 : 0;
      x[d + 1] = 0;
      x[d] = t0;
      break;
    }
    case Op.FLT_D: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.compare(h, true, a, b, 1) ? 1 : 0;
      x[d + 1] = 0;
      x[d] = t0;
      break;
    }
    case Op.FLE_D: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.compare(h, true, a, b, 2) ? 1 : 0;
      x[d + 1] = 0;
      x[d] = t0;
      break;
    }
    case Op.FCLASS_D: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.classify(h, true, a);
      x[d + 1] = 0;
      x[d] = t0;
      break;
    }
    case Op.FCVT_W_D: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.toIntX(h, true, a, 32, true, t0);
      const t1 = FP.cvt.lo;
      const t2 = FP.cvt.hi;
      x[d + 1] = t2;
      x[d] = t1;
      break;
    }
    case Op.FCVT_WU_D: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.toIntX(h, true, a, 32, false, t0);
      const t1 = FP.cvt.lo;
      const t2 = FP.cvt.hi;
      x[d + 1] = t2;
      x[d] = t1;
      break;
    }
    case Op.FCVT_L_D: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.toIntX(h, true, a, 64, true, t0);
      const t1 = FP.cvt.lo;
      const t2 = FP.cvt.hi;
      x[d + 1] = t2;
      x[d] = t1;
      break;
    }
    case Op.FCVT_LU_D: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.toIntX(h, true, a, 64, false, t0);
      const t1 = FP.cvt.lo;
      const t2 = FP.cvt.hi;
      x[d + 1] = t2;
      x[d] = t1;
      break;
    }
    case Op.FCVT_D_W: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.fromIntX(h, true, d, x[a], 0, 32, true, t0);
      break;
    }
    case Op.FCVT_D_WU: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.fromIntX(h, true, d, x[a], 0, 32, false, t0);
      break;
    }
    case Op.FCVT_D_L: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.fromIntX(h, true, d, x[a], x[a + 1], 64, true, t0);
      break;
    }
    case Op.FCVT_D_LU: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = FP.roundingMode(h, imm & 7);
      if (t0 < 0) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      FP.fromIntX(h, true, d, x[a], x[a + 1], 64, false, t0);
      break;
    }
    case Op.FMV_X_D: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      const t0 = h.f[a];
      x[d + 1] = h.f[a + 1];
      x[d] = t0;
      break;
    }
    case Op.FMV_D_X: {
      if ((h.mstatus & 24576) === 0 || !h.hasD) {
        h.pcLo = pcLo; h.pcHi = pcHi;
        h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));
        nLo = h.pcLo; nHi = h.pcHi;
        break;
      }
      h.f[d] = x[a]; h.f[d + 1] = x[a + 1]; h.mstatus |= 24576;
      break;
    }
    case Op.ADD_UW: {
      const t0 = x[a];
      const t1 = (t0 + x[b]) | 0;
      const t2 = (0 + x[b + 1] + ((t1 >>> 0) < (t0 >>> 0) ? 1 : 0)) | 0;
      x[d + 1] = t2;
      x[d] = t1;
      break;
    }
    case Op.SH1ADD: {
      const t0 = x[a];
      const t1 = t0 << 1;
      const t2 = (x[a + 1] << 1) | (t0 >>> 31);
      const t3 = (t1 + x[b]) | 0;
      const t4 = (t2 + x[b + 1] + ((t3 >>> 0) < (t1 >>> 0) ? 1 : 0)) | 0;
      x[d + 1] = t4;
      x[d] = t3;
      break;
    }
    case Op.SH2ADD: {
      const t0 = x[a];
      const t1 = t0 << 2;
      const t2 = (x[a + 1] << 2) | (t0 >>> 30);
      const t3 = (t1 + x[b]) | 0;
      const t4 = (t2 + x[b + 1] + ((t3 >>> 0) < (t1 >>> 0) ? 1 : 0)) | 0;
      x[d + 1] = t4;
      x[d] = t3;
      break;
    }
    case Op.SH3ADD: {
      const t0 = x[a];
      const t1 = t0 << 3;
      const t2 = (x[a + 1] << 3) | (t0 >>> 29);
      const t3 = (t1 + x[b]) | 0;
      const t4 = (t2 + x[b + 1] + ((t3 >>> 0) < (t1 >>> 0) ? 1 : 0)) | 0;
      x[d + 1] = t4;
      x[d] = t3;
      break;
    }
    case Op.SH1ADD_UW: {
      const t0 = x[a];
      const t1 = t0 << 1;
      const t2 = (0 << 1) | (t0 >>> 31);
      const t3 = (t1 + x[b]) | 0;
      const t4 = (t2 + x[b + 1] + ((t3 >>> 0) < (t1 >>> 0) ? 1 : 0)) | 0;
      x[d + 1] = t4;
      x[d] = t3;
      break;
    }
    case Op.SH2ADD_UW: {
      const t0 = x[a];
      const t1 = t0 << 2;
      const t2 = (0 << 2) | (t0 >>> 30);
      const t3 = (t1 + x[b]) | 0;
      const t4 = (t2 + x[b + 1] + ((t3 >>> 0) < (t1 >>> 0) ? 1 : 0)) | 0;
      x[d + 1] = t4;
      x[d] = t3;
      break;
    }
    case Op.SH3ADD_UW: {
      const t0 = x[a];
      const t1 = t0 << 3;
      const t2 = (0 << 3) | (t0 >>> 29);
      const t3 = (t1 + x[b]) | 0;
      const t4 = (t2 + x[b + 1] + ((t3 >>> 0) < (t1 >>> 0) ? 1 : 0)) | 0;
      x[d + 1] = t4;
      x[d] = t3;
      break;
    }
    case Op.SLLI_UW: {
      I64.sll(x[a], 0, imm);
      const t0 = o[0];
      const t1 = o[1];
      x[d + 1] = t1;
      x[d] = t0;
      break;
    }
    case Op.ANDN: {
      const t0 = ~x[b];
      const t1 = ~x[b + 1];
      const t2 = x[a] & t0;
      const t3 = x[a + 1] & t1;
      x[d + 1] = t3;
      x[d] = t2;
      break;
    }
    case Op.ORN: {
      const t0 = ~x[b];
      const t1 = ~x[b + 1];
      const t2 = x[a] | t0;
      const t3 = x[a + 1] | t1;
      x[d + 1] = t3;
      x[d] = t2;
      break;
    }
    case Op.XNOR: {
      const t0 = x[a] ^ x[b];
      const t1 = x[a + 1] ^ x[b + 1];
      const t2 = ~t0;
      const t3 = ~t1;
      x[d + 1] = t3;
      x[d] = t2;
      break;
    }
    case Op.CLZ: {
      const t0 = BM.clz64(x[a], x[a + 1]);
      x[d + 1] = 0;
      x[d] = t0;
      break;
    }
    case Op.CTZ: {
      const t0 = BM.ctz64(x[a], x[a + 1]);
      x[d + 1] = 0;
      x[d] = t0;
      break;
    }
    case Op.CPOP: {
      const t0 = BM.cpop32(x[a]) + BM.cpop32(x[a + 1]);
      x[d + 1] = 0;
      x[d] = t0;
      break;
    }
    case Op.CLZW: {
      const t0 = Math.clz32(x[a]);
      x[d + 1] = 0;
      x[d] = t0;
      break;
    }
    case Op.CTZW: {
      const t0 = BM.ctzwQemu(x[a], x[a + 1]);
      x[d + 1] = 0;
      x[d] = t0;
      break;
    }
    case Op.CPOPW: {
      const t0 = BM.cpop32(x[a]);
      x[d + 1] = 0;
      x[d] = t0;
      break;
    }
    case Op.MAX: {
      const t0 = I64.lt(x[a], x[a + 1], x[b], x[b + 1]);
      const t1 = t0 ? x[b] : x[a];
      const t2 = t0 ? x[b + 1] : x[a + 1];
      x[d + 1] = t2;
      x[d] = t1;
      break;
    }
    case Op.MAXU: {
      const t0 = I64.ltu(x[a], x[a + 1], x[b], x[b + 1]);
      const t1 = t0 ? x[b] : x[a];
      const t2 = t0 ? x[b + 1] : x[a + 1];
      x[d + 1] = t2;
      x[d] = t1;
      break;
    }
    case Op.MIN: {
      const t0 = I64.lt(x[a], x[a + 1], x[b], x[b + 1]);
      const t1 = t0 ? x[a] : x[b];
      const t2 = t0 ? x[a + 1] : x[b + 1];
      x[d + 1] = t2;
      x[d] = t1;
      break;
    }
    case Op.MINU: {
      const t0 = I64.ltu(x[a], x[a + 1], x[b], x[b + 1]);
      const t1 = t0 ? x[a] : x[b];
      const t2 = t0 ? x[a + 1] : x[b + 1];
      x[d + 1] = t2;
      x[d] = t1;
      break;
    }
    case Op.SEXT_B: {
      const t0 = (x[a] << 24) >> 24;
      x[d + 1] = t0 >> 31;
      x[d] = t0;
      break;
    }
    case Op.SEXT_H: {
      const t0 = (x[a] << 16) >> 16;
      x[d + 1] = t0 >> 31;
      x[d] = t0;
      break;
    }
    case Op.ZEXT_H: {
      const t0 = x[a] & 0xffff;
      x[d + 1] = 0;
      x[d] = t0;
      break;
    }
    case Op.ROL: {
      const t0 = x[a];
      const t1 = x[a + 1];
      I64.srl(t0, t1, (64 - (x[b] & 63)) & 63);
      const t2 = o[0];
      const t3 = o[1];
      I64.sll(t0, t1, (64 - ((64 - (x[b] & 63)) & 63)) & 63);
      const t4 = o[0];
      const t5 = o[1];
      const t6 = t2 | t4;
      const t7 = t3 | t5;
      x[d + 1] = t7;
      x[d] = t6;
      break;
    }
    case Op.ROR: {
      const t0 = x[a];
      const t1 = x[a + 1];
      I64.srl(t0, t1, x[b] & 63);
      const t2 = o[0];
      const t3 = o[1];
      I64.sll(t0, t1, (64 - (x[b] & 63)) & 63);
      const t4 = o[0];
      const t5 = o[1];
      const t6 = t2 | t4;
      const t7 = t3 | t5;
      x[d + 1] = t7;
      x[d] = t6;
      break;
    }
    case Op.RORI: {
      const t0 = x[a];
      const t1 = x[a + 1];
      I64.srl(t0, t1, imm);
      const t2 = o[0];
      const t3 = o[1];
      I64.sll(t0, t1, (64 - imm) & 63);
      const t4 = o[0];
      const t5 = o[1];
      const t6 = t2 | t4;
      const t7 = t3 | t5;
      x[d + 1] = t7;
      x[d] = t6;
      break;
    }
    case Op.ROLW: {
      const t0 = (x[a] << (x[b] & 31)) | (x[a] >>> ((32 - x[b]) & 31));
      x[d + 1] = t0 >> 31;
      x[d] = t0;
      break;
    }
    case Op.RORW: {
      const t0 = (x[a] >>> (x[b] & 31)) | (x[a] << ((32 - x[b]) & 31));
      x[d + 1] = t0 >> 31;
      x[d] = t0;
      break;
    }
    case Op.RORIW: {
      const t0 = (x[a] >>> (imm & 31)) | (x[a] << ((32 - imm) & 31));
      x[d + 1] = t0 >> 31;
      x[d] = t0;
      break;
    }
    case Op.ORC_B: {
      const t0 = BM.orcb(x[a]);
      const t1 = BM.orcb(x[a + 1]);
      x[d + 1] = t1;
      x[d] = t0;
      break;
    }
    case Op.REV8: {
      const t0 = BM.rev8(x[a + 1]);
      const t1 = BM.rev8(x[a]);
      x[d + 1] = t1;
      x[d] = t0;
      break;
    }
    case Op.CLMUL: {
      BM.clmul64(x[a], x[a + 1], x[b], x[b + 1], 0);
      const t0 = o[0];
      const t1 = o[1];
      x[d + 1] = t1;
      x[d] = t0;
      break;
    }
    case Op.CLMULR: {
      BM.clmul64(x[a], x[a + 1], x[b], x[b + 1], 2);
      const t0 = o[0];
      const t1 = o[1];
      x[d + 1] = t1;
      x[d] = t0;
      break;
    }
    case Op.CLMULH: {
      BM.clmul64(x[a], x[a + 1], x[b], x[b + 1], 1);
      const t0 = o[0];
      const t1 = o[1];
      x[d + 1] = t1;
      x[d] = t0;
      break;
    }
    case Op.BCLR: {
      I64.sll(1, 0, x[b] & 63);
      const t0 = o[0];
      const t1 = o[1];
      const t2 = ~t0;
      const t3 = ~t1;
      const t4 = x[a] & t2;
      const t5 = x[a + 1] & t3;
      x[d + 1] = t5;
      x[d] = t4;
      break;
    }
    case Op.BCLRI: {
      I64.sll(1, 0, imm);
      const t0 = o[0];
      const t1 = o[1];
      const t2 = ~t0;
      const t3 = ~t1;
      const t4 = x[a] & t2;
      const t5 = x[a + 1] & t3;
      x[d + 1] = t5;
      x[d] = t4;
      break;
    }
    case Op.BEXT: {
      I64.srl(x[a], x[a + 1], x[b] & 63);
      const t0 = o[0];
      const t1 = o[1];
      const t2 = t0 & 1;
      const t3 = t1 & 0;
      x[d + 1] = t3;
      x[d] = t2;
      break;
    }
    case Op.BEXTI: {
      I64.srl(x[a], x[a + 1], imm);
      const t0 = o[0];
      const t1 = o[1];
      const t2 = t0 & 1;
      const t3 = t1 & 0;
      x[d + 1] = t3;
      x[d] = t2;
      break;
    }
    case Op.BINV: {
      I64.sll(1, 0, x[b] & 63);
      const t0 = o[0];
      const t1 = o[1];
      const t2 = x[a] ^ t0;
      const t3 = x[a + 1] ^ t1;
      x[d + 1] = t3;
      x[d] = t2;
      break;
    }
    case Op.BINVI: {
      I64.sll(1, 0, imm);
      const t0 = o[0];
      const t1 = o[1];
      const t2 = x[a] ^ t0;
      const t3 = x[a + 1] ^ t1;
      x[d + 1] = t3;
      x[d] = t2;
      break;
    }
    case Op.BSET: {
      I64.sll(1, 0, x[b] & 63);
      const t0 = o[0];
      const t1 = o[1];
      const t2 = x[a] | t0;
      const t3 = x[a + 1] | t1;
      x[d + 1] = t3;
      x[d] = t2;
      break;
    }
    case Op.BSETI: {
      I64.sll(1, 0, imm);
      const t0 = o[0];
      const t1 = o[1];
      const t2 = x[a] | t0;
      const t3 = x[a + 1] | t1;
      x[d + 1] = t3;
      x[d] = t2;
      break;
    }
    case Op.CBO_INVAL: {
      h.cbo(0, x[a], x[a + 1], 0x200f | ((a >>> 1) << 15));
      if (h.excCause >= 0) break;
      break;
    }
    case Op.CBO_CLEAN: {
      h.cbo(1, x[a], x[a + 1], 0x10200f | ((a >>> 1) << 15));
      if (h.excCause >= 0) break;
      break;
    }
    case Op.CBO_FLUSH: {
      h.cbo(2, x[a], x[a + 1], 0x20200f | ((a >>> 1) << 15));
      if (h.excCause >= 0) break;
      break;
    }
    case Op.CBO_ZERO: {
      h.cbo(4, x[a], x[a + 1], 0x40200f | ((a >>> 1) << 15));
      if (h.excCause >= 0) break;
      break;
    }
    default: { // Op.ILLEGAL and anything this XLEN lacks
      h.pcLo = pcLo; h.pcHi = pcHi;
      h.illegal(imm);
      nLo = h.pcLo; nHi = h.pcHi;
      break;
    }
    // ---- end of generated out-of-line cases ----
  }
  NEXT[0] = nLo; NEXT[1] = nHi;
}
