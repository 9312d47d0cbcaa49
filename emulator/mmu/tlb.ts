/**
 * A direct-mapped software TLB: one compare on the hot path (STYLE.md, TinyEMU).
 * The tag is the whole virtual page number as a double: hi * 2^20 + (lo >>> 12) is
 * exact for every 64-bit address, so non-canonical addresses never alias. An entry
 * is filled only when translation and PMP allow the whole page for that access.
 */
export const TLB_SIZE = 256;

export class Tlb {
  readonly tag = new Float64Array(TLB_SIZE).fill(NaN);
  /** Physical address of the page. */
  readonly pa = new Float64Array(TLB_SIZE);

  fill(lo: number, hi: number, pagePa: number): void {
    const i = (lo >>> 12) & (TLB_SIZE - 1);
    this.tag[i] = hi * 1048576 + (lo >>> 12);
    this.pa[i] = pagePa;
  }

  flush(): void { this.tag.fill(NaN); }
}
