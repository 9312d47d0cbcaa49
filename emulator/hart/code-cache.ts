/**
 * Decoded instructions, cached per physical page of a memory region (DESIGN.md:
 * "Decode once"). A page holds one slot per halfword; slot op 0 (Op.UNDECODED)
 * means "decode me". A store into a page that holds code clears only the slots
 * it overlaps, so self-modifying code and data sharing a page with code stay correct.
 */
export const PAGE_SLOTS = 2048; // 4 KiB / 2 bytes

/**
 * A page's decoded instructions: for halfword slot s, words[2s] is the packed
 * instruction (see decode.ts `pack`; 0 = not decoded) and words[2s+1] its immediate.
 * One array, two adjacent loads per instruction.
 */
export type CodePage = Int32Array;

export class CodeCache {
  private readonly pages: (CodePage | undefined)[];
  /** 1 where pages[i] exists: the store path tests this byte, nothing more. */
  readonly hasCode: Uint8Array;

  constructor(bytes: number) {
    const n = Math.ceil(bytes / 4096);
    this.pages = new Array<CodePage | undefined>(n).fill(undefined);
    this.hasCode = new Uint8Array(n);
  }

  page(index: number): CodePage {
    let p = this.pages[index];
    if (p === undefined) {
      p = new Int32Array(2 * PAGE_SLOTS);
      this.pages[index] = p;
      this.hasCode[index] = 1;
    }
    return p;
  }

  /** Forget decodes overlapping bytes [off, off+len) (a 4-byte instruction may start 2 bytes before). */
  invalidate(off: number, len: number): void {
    const first = Math.max(0, off - 2) >>> 1;
    const last = (off + len - 1) >>> 1;
    for (let s = first; s <= last; s++) {
      const p = this.pages[s >>> 11];
      if (p !== undefined) p[2 * (s & (PAGE_SLOTS - 1))] = 0;
    }
  }

  clear(): void {
    this.pages.fill(undefined);
    this.hasCode.fill(0);
  }
}
