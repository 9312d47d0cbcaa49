/**
 * Where the state that compiled code touches lives in the machine's one
 * WebAssembly.Memory: guest DRAM from offset 0, then this area (issue "hot guest code
 * compiled to WebAssembly"). The harts' registers, their read and write TLBs, the code
 * cache's page flags and the reservation count are views into it, so the interpreter,
 * the JavaScript blocks and the wasm blocks all read and write the same words.
 * Each offset is written here once; the views (state.ts, tlb.ts, code-cache.ts) and the
 * compiler (wasm-blocks.ts) both read it.
 */
import { TLB_AREA } from '../mmu/tlb';

/** One hart's part, from its base. */
export const HART_AREA = {
  /** HartState.x: 32 int32 pairs. */
  x: 0,
  /** The pc a wasm block leaves, as an int64. */
  pc: 256,
  /** A slow access's value (low word, high word). */
  scratch: 264,
  /** An int32 the hart changes whenever its fetch translation may have changed (HartState.flushTlb): its chain entries' age. */
  epoch: 272,
  /**
   * What F/D code may do now, written before each entry into wasm (wasm-blocks.ts; mstatus
   * and frm change only in JavaScript): bit 0 F legal (mstatus.FS not Off), bit 1 D legal
   * (and the hart has D), bits 2-4 frm (FPU_WORD).
   */
  fpu: 280,
  /** What wasm F/D code did, folded into the hart after each call: fflags bits 0-4 (NX only), FS Dirty (FPU_ACC). */
  fpAcc: 284,
  /** HartState.f: 32 float registers of 8 bytes (a single NaN-boxed: high word all ones). */
  f: 512,
  /** The read and write TLBs (Tlb: TLB_AREA). */
  tlbR: 1024,
  tlbW: 1024 + TLB_AREA.bytes,
  /** The hart's chain cache (CHAIN): where a wasm block that leaves its module finds the next one's. */
  chains: 16384,
  bytes: 32768,
} as const;

/** HART_AREA.fpu's bits and HART_AREA.fpAcc's. */
export const FPU_WORD = { f: 1, d: 2, frmShift: 2 } as const;
export const FPU_ACC = { nx: 1, dirty: 32 } as const;

/**
 * The chain cache: CHAIN.entries entries of CHAIN.bytes, indexed by (pc >> 1) mod entries,
 * each a compiled block the hart entered from JavaScript at that pc, and when (the
 * hart's epoch and the machine's code epoch then). A block leaving its module for a pc
 * found there with both epochs current goes straight on into the other module (a wasm
 * tail call through the machine's function table), as the interpreter's loop would have:
 * same pc, no breakpoint on the page (a change of them moves the code epoch), the block
 * still in place (so does any block dropped), its length within the budget.
 */
export const CHAIN = { entries: 512, bytes: 32, pc: 0, hartEpoch: 8, codeEpoch: 12, fn: 16, entry: 20, length: 24 } as const;

const WASM_PAGE = 65536;

/** The area's layout for a machine of `dramBytes` and `harts`. */
export class MachineArea {
  /** Where the area starts: DRAM's end rounded up to a wasm page. */
  readonly base: number;
  /** An int32: how many harts hold an LR reservation (a store must end others' only then). */
  readonly resvCount: number;
  /** An int32 that changes whenever a compiled block is dropped or the breakpoints change (CodeCache, Machine.breakpointsChanged). */
  readonly codeEpoch: number;
  /** One byte per DRAM page: 1 when the page holds decoded code (CodeCache.hasCode). */
  readonly hasCode: number;
  private readonly harts: number;
  /** Bytes of the whole memory: DRAM and the area. */
  readonly totalBytes: number;

  constructor(dramBytes: number, readonly hartCount: number) {
    this.base = Math.ceil(dramBytes / WASM_PAGE) * WASM_PAGE;
    this.resvCount = this.base;
    this.codeEpoch = this.base + 4;
    this.hasCode = this.base + 64;
    const pages = Math.ceil(dramBytes / 4096);
    this.harts = Math.ceil((this.hasCode + pages) / HART_AREA.bytes) * HART_AREA.bytes;
    this.totalBytes = Math.ceil((this.harts + hartCount * HART_AREA.bytes) / WASM_PAGE) * WASM_PAGE;
  }

  /** Hart `i`'s base. */
  hart(i: number): number { return this.harts + i * HART_AREA.bytes; }
}

/** An area in a buffer: where a hart or a code cache puts its views. */
export interface AreaPlace { readonly buffer: ArrayBuffer; readonly offset: number }
