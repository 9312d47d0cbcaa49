/**
 * Decoded and translated instructions, cached per physical page of a memory region
 * (DESIGN.md: "Decode once", "Translate only hot code"). A store into a page that holds
 * code forgets only what it overlaps, so self-modifying code and data sharing a page
 * with code stay correct and cheap.
 */
export const PAGE_SLOTS = 2048; // 4 KiB / 2 bytes
/**
 * Longest translated block, in instructions. A block runs only when its own length
 * (`CodePage.lengths`) is left in the budget, so budgets are exact with or without blocks.
 */
export const MAX_BLOCK = 64;
/**
 * Jumps into an untranslated slot before it is translated (Hart.hot; tests lower it). A block
 * costs its compile: a JavaScript block is parsed and runs in V8's bytecode interpreter
 * until optimized; a wasm page module costs our generator, V8's Liftoff (~0.45 ms a KiB, on
 * this thread) and TurboFan (3-5 ms a KiB, on another) and is compiled again at each join,
 * at ~76 bytes a guest instruction. Boot code runs most blocks a few thousand times, so
 * translating early costs more than it saves: a Linux boot took 11 s of CPU at 16 and 3.3 s
 * at 8000; from 8000 to 32000 (2026-12-07, CPU seconds of the whole process, medians of
 * 5-9, with EAGER_SHIFT below) Linux to init 2.37 -> 2.06 (1 hart), OpenSBI to its banner
 * 1.09 -> 0.87, 4 harts and benchmark loops (millions of passes) within noise; 65000 was
 * slower for Linux again. At most 65535 (heat's counters).
 */
export const HOT = 32000;
/**
 * On a page where a run ahead of the quanta (run-ahead.ts) stopped for want of a block
 * (CodePage.eager), slots are translated after Hart.hot >> EAGER_SHIFT (1000) entries: the
 * hart was in a long stretch of its own work there, so the page's code is worth compiling
 * (bench-mixed: 445 slots each cut a run ahead short until their 8000th entry, 28 % of the
 * run left to the round-by-round loop). OpenSBI runs ahead too, and pays for compiling
 * early: at 500, 2000 and 1000 entries bench-mixed took 2.15, 2.25 and 2.15 s of CPU,
 * OpenSBI to its banner 1.07, 0.80 and 0.87 s. Linux seldom runs ahead, so it keeps HOT.
 */
export const EAGER_SHIFT = 5;

/**
 * A translated block: runs from its first instruction, at the hart's pc (h.pcLo, h.pcHi),
 * returns how many it executed and leaves the next pc in the hart. A block that branches
 * back to its own start loops while at least one more whole pass fits in `limit`
 * instructions. The pc is not an argument: a call boxes an int32 argument outside V8's
 * small integers, as every address from 0x80000000 up is (the interpreter allocated 27 MB
 * in a Linux boot that way, 18 MB since).
 */
export type BlockFn = ((h: unknown, x: Int32Array, page: CodePage, limit: number) => number) & {
  /** A wasm block: it may run ahead of the quanta (hart/run-ahead.ts), refusing any access but to RAM. */
  ahead?: boolean;
};

/**
 * The blocks of every page that has none yet, shared and never written: most pages of
 * code never get a block, and a page's own array is 16 KiB of heap (a Linux boot made
 * 7 MB of them, which every scavenge copied). The same kind of array as a page's own, so
 * the interpreter's read of it stays monomorphic (its loops start from it too).
 */
export const NO_BLOCKS: (BlockFn | undefined)[] = new Array<BlockFn | undefined>(PAGE_SLOTS).fill(undefined);

export class CodePage {
  /**
   * For halfword slot s, words[2s] is the packed instruction (decode.ts `pack`;
   * 0 = not decoded) and words[2s+1] its immediate: two adjacent loads per instruction.
   */
  readonly words = new Int32Array(2 * PAGE_SLOTS);
  /**
   * Translated blocks by start slot (NO_BLOCKS until the first is added: a holder of the
   * array reads it again after translating); cleared in place so holders of it see that.
   */
  blocks: (BlockFn | undefined)[] = NO_BLOCKS;
  /** Instructions in the block starting at each slot (a looping block's one pass); 0 where none starts. */
  readonly lengths = new Uint8Array(PAGE_SLOTS);
  /** Times each slot was entered by a jump while untranslated. */
  readonly heat = new Uint16Array(PAGE_SLOTS);
  /** [start, end) slot range of each translated block, for invalidation. */
  private readonly ranges: number[] = [];
  /**
   * The page's blocks continue into each other (one wasm module per page, wasm-blocks.ts):
   * a store that drops one drops them all, since the others may run its old code.
   */
  linked = false;
  /** A run ahead of the quanta stopped here for want of a block: translate sooner (EAGER_SHIFT). */
  eager = false;

  /** `epoch`: the machine's code epoch (wasm-area.ts), moved whenever a block is dropped. */
  constructor(private readonly epoch: Int32Array = new Int32Array(1)) {}

  addBlock(start: number, end: number, fn: BlockFn, length: number): void {
    if (this.blocks === NO_BLOCKS) this.blocks = new Array<BlockFn | undefined>(PAGE_SLOTS).fill(undefined);
    this.blocks[start] = fn;
    this.lengths[start] = Math.max(1, length);
    this.ranges.push(start, end);
  }

  /** Forget the block starting at `slot` (its decodes stay). */
  dropBlock(slot: number): void {
    const r = this.ranges;
    for (let i = 0; i < r.length; i += 2) {
      if (r[i] !== slot) continue;
      this.blocks[slot] = undefined;
      this.lengths[slot] = 0;
      this.epoch[0]++;
      r[i] = r[r.length - 2]; r[i + 1] = r[r.length - 1];
      r.length -= 2;
      return;
    }
  }

  /** Forget every block (their decodes stay). */
  dropBlocks(): void {
    const r = this.ranges;
    if (r.length > 0) this.epoch[0]++;
    for (let i = 0; i < r.length; i += 2) { this.blocks[r[i]] = undefined; this.lengths[r[i]] = 0; this.heat[r[i]] = 0; }
    r.length = 0;
    this.linked = false;
  }

  /** Forget decodes and blocks overlapping slots [first, last]. */
  invalidate(first: number, last: number): void {
    for (let s = first; s <= last; s++) this.words[2 * s] = 0;
    const r = this.ranges;
    for (let i = 0; i < r.length; i += 2) {
      if (r[i] <= last && r[i + 1] > first) {
        if (this.linked) { this.dropBlocks(); return; }
        this.blocks[r[i]] = undefined;
        this.lengths[r[i]] = 0;
        this.epoch[0]++;
        this.heat[r[i]] = 0;
        r[i] = r[r.length - 2]; r[i + 1] = r[r.length - 1];
        r.length -= 2;
        i -= 2;
      }
    }
  }
}

export class CodeCache {
  private readonly pages: (CodePage | undefined)[];
  /** 1 where pages[i] exists: the store path tests this byte, nothing more. */
  readonly hasCode: Uint8Array;

  /**
   * `flagsAt`: where hasCode lives in the machine's memory (wasm-area.ts), for compiled stores;
   * `epoch`: the machine's code epoch there, which every block dropped moves.
   */
  constructor(bytes: number, flagsAt?: { buffer: ArrayBuffer; offset: number }, private readonly epoch: Int32Array = new Int32Array(1)) {
    const n = Math.ceil(bytes / 4096);
    this.pages = new Array<CodePage | undefined>(n).fill(undefined);
    this.hasCode = flagsAt === undefined ? new Uint8Array(n) : new Uint8Array(flagsAt.buffer, flagsAt.offset, n);
  }

  page(index: number): CodePage {
    let p = this.pages[index];
    if (p === undefined) {
      p = new CodePage(this.epoch);
      this.pages[index] = p;
      this.hasCode[index] = 1;
    }
    return p;
  }

  /** Forget decodes overlapping bytes [off, off+len) (a 4-byte instruction may start 2 bytes before). */
  invalidate(off: number, len: number): void {
    const first = Math.max(0, off - 2) >>> 1;
    const last = (off + len - 1) >>> 1;
    for (let pi = first >>> 11; pi <= last >>> 11; pi++) {
      const p = this.pages[pi];
      if (p === undefined) continue;
      const base = pi * PAGE_SLOTS;
      p.invalidate(Math.max(first, base) - base, Math.min(last, base + PAGE_SLOTS - 1) - base);
    }
  }

  /** Forget all of one page's code (its bytes were replaced: a snapshot restored it). */
  forgetPage(index: number): void {
    if (this.pages[index] !== undefined) this.epoch[0]++;
    this.pages[index] = undefined;
    this.hasCode[index] = 0;
  }

  clear(): void {
    this.epoch[0]++;
    this.pages.fill(undefined);
    this.hasCode.fill(0);
  }
}
