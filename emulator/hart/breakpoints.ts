/**
 * Instruction breakpoints by virtual address, grouped by virtual page so the
 * interpreter looks them up once per page change and never per instruction when
 * a page has none (DESIGN.md idea 5). Translated blocks do not run in a page that
 * holds a breakpoint.
 */
export class Breakpoints {
  private readonly pages = new Map<number, Set<number>>();

  /** Page key: the whole virtual page number, exact as a double. */
  private static key(lo: number, hi: number): number { return hi * 1048576 + (lo >>> 12); }

  add(lo: number, hi: number): void {
    const k = Breakpoints.key(lo, hi);
    let s = this.pages.get(k);
    if (s === undefined) { s = new Set(); this.pages.set(k, s); }
    s.add(lo & 0xfff);
  }

  remove(lo: number, hi: number): void {
    const k = Breakpoints.key(lo, hi);
    const s = this.pages.get(k);
    if (s === undefined) return;
    s.delete(lo & 0xfff);
    if (s.size === 0) this.pages.delete(k);
  }

  clear(): void { this.pages.clear(); }

  get empty(): boolean { return this.pages.size === 0; }

  has(lo: number, hi: number): boolean { return this.pages.get(Breakpoints.key(lo, hi))?.has(lo & 0xfff) ?? false; }

  /** Offsets within the page of (lo, hi) that hold breakpoints, or undefined. */
  pageOffsets(lo: number, hi: number): Set<number> | undefined { return this.pages.get(Breakpoints.key(lo, hi)); }
}
