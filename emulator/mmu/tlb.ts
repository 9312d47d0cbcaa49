/**
 * A direct-mapped software TLB: one compare pair on the hot path (STYLE.md, TinyEMU).
 * The tag is the whole virtual page number as two int32s (lo >>> 12 and the high
 * word), so non-canonical addresses never alias. An entry is filled only when
 * translation and PMP allow the whole page for that access. For a page of DRAM the
 * entry also holds the page's offset in DRAM, so a hit needs no range check.
 */
export const TLB_SIZE = 256;
/** A virtual page number's entry: vpn & TLB_INDEX_MASK (TLB_SIZE is a power of two). */
export const TLB_INDEX_MASK = TLB_SIZE - 1;

export class Tlb {
  /** lo >>> 12 of the virtual page; -1 marks an empty entry (no vpn is negative). */
  readonly tagLo = new Int32Array(TLB_SIZE).fill(-1);
  readonly tagHi = new Int32Array(TLB_SIZE);
  /** Physical address of the page. */
  readonly pa = new Float64Array(TLB_SIZE);
  /** Byte offset of the page in DRAM, or -1 when the page is not DRAM. */
  readonly ram = new Int32Array(TLB_SIZE);

  fill(lo: number, hi: number, pagePa: number, ramOffset: number): void {
    const i = (lo >>> 12) & TLB_INDEX_MASK;
    this.tagLo[i] = lo >>> 12;
    this.tagHi[i] = hi;
    this.pa[i] = pagePa;
    this.ram[i] = ramOffset;
  }

  flush(): void { this.tagLo.fill(-1); }
}
