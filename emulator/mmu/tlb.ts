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
export const TLB_AREA = { tagLo: 0, tagHi: 4 * TLB_SIZE, ram: 8 * TLB_SIZE, dram: 12 * TLB_SIZE, bytes: 28 * TLB_SIZE } as const;
/**
 * The DRAM entries again as compiled code reads them (wasm-gen.ts), 16 bytes each at
 * `dram + 16 * index`: the page's virtual address as an int64 (lo & ~0xfff, hi) and the
 * int32 that added to an address's low word gives its DRAM offset. An entry that is
 * not DRAM, or empty, has the low word -1: no address masked to its page and its
 * alignment bits equals it, so one 64-bit compare checks the page, the alignment and
 * that it is DRAM.
 */
export const TLB_DRAM_ENTRY = { vaLo: 0, vaHi: 4, addend: 8, bytes: 16 } as const;

export class Tlb {
  /** lo >>> 12 of the virtual page; -1 marks an empty entry (no vpn is negative). */
  readonly tagLo: Int32Array;
  readonly tagHi: Int32Array;
  /** Physical address of the page. */
  readonly pa = new Float64Array(TLB_SIZE);
  /** Byte offset of the page in DRAM, or -1 when the page is not DRAM. */
  readonly ram: Int32Array;
  /** TLB_DRAM_ENTRY words, 4 per entry. */
  readonly dram: Int32Array;

  /** `at`: the TLB's place in the machine's memory (wasm-area.ts TLB_AREA), where compiled code reads it. */
  constructor(at?: { buffer: ArrayBuffer; offset: number }) {
    const view = (off: number, n = TLB_SIZE) => (at === undefined ? new Int32Array(n) : new Int32Array(at.buffer, at.offset + off, n));
    this.tagLo = view(TLB_AREA.tagLo).fill(-1);
    this.tagHi = view(TLB_AREA.tagHi);
    this.ram = view(TLB_AREA.ram);
    this.dram = view(TLB_AREA.dram, 4 * TLB_SIZE).fill(-1);
  }

  fill(lo: number, hi: number, pagePa: number, ramOffset: number): void {
    const i = (lo >>> 12) & TLB_INDEX_MASK;
    this.tagLo[i] = lo >>> 12;
    this.tagHi[i] = hi;
    this.pa[i] = pagePa;
    this.ram[i] = ramOffset;
    const d = 4 * i;
    this.dram[d] = ramOffset < 0 ? -1 : lo & ~0xfff;
    this.dram[d + 1] = hi;
    this.dram[d + 2] = (ramOffset - (lo & ~0xfff)) | 0;
  }

  flush(): void {
    this.tagLo.fill(-1);
    for (let d = TLB_DRAM_ENTRY.vaLo; d < this.dram.length; d += 4) this.dram[d] = -1;
  }
}
