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
/** Where a TLB's arrays sit from its base when it lives in the machine's memory (hart/wasm-area.ts). */
export const TLB_AREA = { tagLo: 0, tagHi: 4 * TLB_SIZE, ram: 8 * TLB_SIZE, bytes: 12 * TLB_SIZE } as const;

export class Tlb {
  /** lo >>> 12 of the virtual page; -1 marks an empty entry (no vpn is negative). */
  readonly tagLo: Int32Array;
  readonly tagHi: Int32Array;
  /** Physical address of the page. */
  readonly pa = new Float64Array(TLB_SIZE);
  /** Byte offset of the page in DRAM, or -1 when the page is not DRAM. */
  readonly ram: Int32Array;

  /** `at`: the TLB's place in the machine's memory (wasm-area.ts TLB_AREA), where compiled code reads it. */
  constructor(at?: { buffer: ArrayBuffer; offset: number }) {
    const view = (off: number) => (at === undefined ? new Int32Array(TLB_SIZE) : new Int32Array(at.buffer, at.offset + off, TLB_SIZE));
    this.tagLo = view(TLB_AREA.tagLo).fill(-1);
    this.tagHi = view(TLB_AREA.tagHi);
    this.ram = view(TLB_AREA.ram);
  }

  fill(lo: number, hi: number, pagePa: number, ramOffset: number): void {
    const i = (lo >>> 12) & TLB_INDEX_MASK;
    this.tagLo[i] = lo >>> 12;
    this.tagHi[i] = hi;
    this.pa[i] = pagePa;
    this.ram[i] = ramOffset;
  }

  flush(): void { this.tagLo.fill(-1); }
}
