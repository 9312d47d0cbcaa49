/**
 * One RISC-V hart (Priv 1.12 ch. 3-4), layered by concept: state.ts (registers, CSR
 * storage, TLBs), memory.ts (translation, loads, stores, atomics, fetch), traps.ts
 * (interrupts, traps, xRET, WFI) and here the CSR instructions, which read csr-table.ts.
 * The instruction loop lives in exec-rv64.ts and exec-rv32.ts; both call into this
 * class only off the ALU path (memory, CSRs, traps).
 */
import { BlockFn, CodePage, HOT } from './code-cache';
import { CSR_AT } from './csr-table';
import { out } from './int64';
import { HartTraps } from './traps';

export type { HartHost, HartState } from './state';

export class Hart extends HartTraps {
  /** The block translator for this XLEN, or null to interpret everything (tracing, tests of the interpreter). */
  translator: ((h: Hart, page: CodePage, slot: number) => BlockFn | undefined) | null = null;
  /** Entries into a slot before its block is translated (code-cache.ts HOT). */
  hot = HOT;

  /**
   * Execute a CSR instruction (Zicsr). Returns false when it is illegal. `write` is
   * false for CSRRS/CSRRC with rs1 = x0 (no write, so read-only CSRs are fine).
   */
  csrOp(num: number, kind: 0 | 1 | 2, srcLo: number, srcHi: number, rd: number, write: boolean): boolean {
    const d = CSR_AT[num];
    if (d === undefined || this.priv < d.priv) return false;
    if (write && d.readOnly) return false;
    if (!this.csrRead(num)) return false;
    const oldLo = out[0], oldHi = out[1];
    if (write && d.write !== undefined) {
      let nLo: number, nHi: number;
      if (kind === 0) { nLo = srcLo; nHi = srcHi; }
      else if (kind === 1) { nLo = oldLo | srcLo; nHi = oldHi | srcHi; }
      else { nLo = oldLo & ~srcLo; nHi = oldHi & ~srcHi; }
      if (!d.write(this, d, nLo & d.mask, nHi & d.maskHi)) return false;
    }
    if (rd !== 0) {
      this.x[2 * rd] = oldLo;
      this.x[2 * rd + 1] = this.xlen === 64 ? oldHi : 0;
    }
    this.yieldLoop = true;
    return true;
  }

  /** Read a CSR into out[0..1] in the current mode's terms; false if it does not exist or is not accessible. */
  csrRead(num: number): boolean {
    const d = CSR_AT[num];
    if (d === undefined || d.read === undefined || (d.xlen !== undefined && d.xlen !== this.xlen)) return false;
    return d.read(this, d);
  }
}
