/**
 * Running ahead of the quanta: a lone hart's compiled wasm blocks run for many quanta in
 * one go, where the machine has shown that the round boundaries in between could not
 * change what the hart does (Machine.runSlice: no timer due, no input, no device that
 * works between rounds but the deadline-bound ones). What could: an interrupt taken at a
 * boundary, which needs a device or the hart's own CSR write, trap or MMIO access. So
 * only wasm blocks run here, and they refuse every access that is not a TLB hit on RAM
 * (WasmControl.ahead): such an instruction is left, not counted, for the ordinary loop.
 * CSR instructions, traps and xRET are never in a wasm block. The machine then passes the
 * round boundaries the hart ran through, in order, with the clock each had.
 */
import type { Hart } from './hart';

/** Run `h`'s wasm blocks for up to `budget` instructions from its pc; how many ran (0 where none may). */
export function runAhead(h: Hart, budget: number): number {
  const base = h.instret;
  let n = 0;
  h.yieldLoop = false;
  while (n < budget) {
    const pcLo = h.pcLo, pcHi = h.pcHi;
    const page = h.fetchPage(pcLo, pcHi);
    // A fetch fault is the ordinary loop's to take: leave no trace of this attempt.
    if (page === null) { h.excCause = -1; h.yieldLoop = false; break; }
    // Breakpoints and execute triggers are checked instruction by instruction: the ordinary loop's.
    if (h.breakpoints?.pageOffsets(pcLo, pcHi) !== undefined) break;
    if (h.triggers.exec !== null && h.triggers.execOffsets(pcLo, pcHi, h.priv) !== undefined) break;
    const slot = (pcLo & 0xfff) >>> 1;
    const blk = page.blocks[slot];
    if (blk === undefined) { page.eager = true; break; }
    if (blk.ahead !== true || budget - n < page.lengths[slot]) break;
    const k = blk(h, h.x, page, budget - n);
    n += k;
    if (h.excCause >= 0) { h.raiseException(); break; }
    if (k === 0 || h.yieldLoop) break;
  }
  h.instret = base + n;
  return n;
}
