/**
 * The instruction semantics (isa-semantics.ts) as WebAssembly: a Gen whose operations
 * emit wasm bytecode into the function being compiled instead of JavaScript source, so
 * each instruction is still written once. XLEN values are i64 locals on RV64 and i32
 * locals on RV32 (a V whose high word is the constant 0, as the JavaScript builder's).
 *
 * Values are tokens that pass through the semantics as the JavaScript builder's strings
 * do: `w64_N` is i64 local N, `w32_N` i32 local N, a number a constant. A semantics
 * that writes JavaScript of its own (a helper call, an expression in a template string)
 * hands this builder a string that is no token, and the instruction is Untranslatable:
 * the block ends before it (a block that starts with one is the JavaScript translator's).
 */
import { BitOp, BlockInsn, E, Gen, V, WordOp } from './isa-codegen';
import { Encoding } from './isa-table';
import { Bytes, OP, T, ValType, VOID } from './wasm-binary';
import { CHAIN, FPU_ACC, FPU_WORD, HART_AREA } from './wasm-area';
import { FloatEmitter } from './wasm-float';
import { CMP } from './fpu';
import { LARGEST_SAFE_S, SMALLEST_SAFE_S } from './softfloat-fast';
import { TLB_AREA, TLB_DRAM_ENTRY, TLB_SIZE } from '../mmu/tlb';

/** Thrown when an instruction cannot be compiled; the block ends before it. */
export class Untranslatable extends Error {}

/** Parameters of a page function, by local index. */
export const PARAM = { hb: 0, limit: 1, entry: 2 } as const;
/** The JavaScript functions compiled code calls, by their table and type index (wasm-blocks.ts IMPORTS is in this order). */
export const IMPORT = { load: 0, store: 1, stored: 2, illegal: 3, fpArith: 4, fpCompare: 5, fpToInt: 6, fpFromInt: 7, fpMinMax: 8, fpConvert: 9, fpClass: 10 } as const;
/** What a slow access returns: bits of its outcome (refused: not made, the hart runs ahead of its quanta). */
export const STATUS = { fault: 1, yield: 2, dropped: 4, refused: 8 } as const;

/** A block of the page module that others may continue into (wasm-blocks.ts). */
export interface Entry { readonly index: number; readonly length: number }

/**
 * The function being compiled, one per page: its body and locals, shared by the
 * instructions' builders, and the page's entries (its compiled blocks by page offset),
 * which a jump or branch to continues into without leaving wasm.
 *
 * Guest registers live in locals for the whole call: the prologue loads every register
 * the page's code uses, and every exit goes through one epilogue that stores those it
 * writes, the next pc and the count. So going from block to block costs no memory
 * traffic, and an exit is a `br` (wasm-blocks.ts lays out the labels; `level` counts
 * the constructs open where code is being emitted, so a `br` finds its label's depth).
 */
export class WasmFn {
  readonly body = new Bytes();
  readonly locals: ValType[] = [];
  /** The budget left once the blocks before the current one have run, i32 (limit at the start). */
  readonly left: number;
  /** The page's first address, i64. */
  readonly base: number;
  /** The last slow access's STATUS bits, i32: 0 but on the way out. */
  readonly st: number;
  /** The entry to run next (the dispatch loop's br_table index), i32. */
  readonly e: number;
  /** The epilogue's operands: the next pc (i64) and the budget left (i32). */
  readonly npc: number;
  readonly ret: number;
  /** 1 when the way out is a jump that may go on into another module (`chaining`), i32. */
  readonly chain: number;
  /** A chain entry's address, i32. */
  private readonly entryAt: number;
  /** Where a slow access stopped (slowExit), i32. */
  private readonly why: number;
  /** Constructs open where code is being emitted. */
  level = 0;
  /**
   * Levels of the epilogue's block, the slow exits' block (slowExit), the dispatch loop,
   * each entry's block (`blockLevel(i)`: the end of it starts entry i's code).
   */
  readonly labels = { out: 1, slow: 2, dispatch: 3 };
  /** The current block: its page offset, entry index and the level of its own loop (a jump to its start). */
  block = { off: 0, index: 0, self: 0 };

  /**
   * `chaining`: the machine's code epoch's address, when a jump out of the page's blocks
   * goes on through the chain cache (wasm-area.ts CHAIN) into the block compiled there, by a
   * tail call of type `runType` through table 0; null when blocks always return.
   */
  constructor(readonly xlen: 32 | 64, readonly hasCodeAt: number, readonly resvCountAt: number, readonly entries: ReadonlyMap<number, Entry>,
    private readonly entryCount = 0, private readonly chaining: { codeEpochAt: number; runType: number } | null = null) {
    this.left = this.local(T.i32);
    this.base = this.local(T.i64);
    this.st = this.local(T.i32);
    this.e = this.local(T.i32);
    this.npc = this.local(T.i64);
    this.ret = this.local(T.i32);
    this.chain = this.local(T.i32);
    this.entryAt = this.local(T.i32);
    this.why = this.local(T.i32);
  }
  local(t: ValType): number {
    this.locals.push(t);
    return PARAMS + this.locals.length - 1;
  }
  /** Locals free for the next instruction's values, by type, and those the current one holds. */
  private readonly free = new Map<ValType, number[]>();
  private held: [ValType, number][] = [];
  /**
   * A local for one instruction's value, used again by later instructions: a page module
   * needs as many as its largest instruction, not its sum (Liftoff, which runs a module
   * first, keeps locals in stack slots; TurboFan renames them all anyway).
   */
  temp(t: ValType): number {
    const l = this.free.get(t)?.pop() ?? this.local(t);
    this.held.push([t, l]);
    return l;
  }
  /** The instruction's code is written: its temporaries are free. */
  endInsn(): void {
    for (const [t, l] of this.held) {
      const f = this.free.get(t);
      if (f === undefined) this.free.set(t, [l]); else f.push(l);
    }
    this.held = [];
  }
  /** Level of the block whose end starts entry i's code: $b[n-1] is the outermost. */
  blockLevel(i: number): number { return this.labels.dispatch + this.entryCount - i; }

  /** Open a construct (if, block, loop) of result type `type`. */
  open(code: number, type: number): void { this.body.byte(code).byte(type); this.level++; }
  end(): void { this.body.byte(OP.end); this.level--; }
  /** Branch to the construct opened at `level`. */
  br(level: number): void { this.body.byte(OP.br).u32(this.level - level); }

  /** Register locals by register (doubled index); the registers written. */
  private readonly regLocals = new Map<number, number>();
  private readonly written = new Set<number>();
  /** The local holding register r (doubled index). */
  reg(r: number): number {
    let l = this.regLocals.get(r);
    if (l === undefined) { l = this.local(this.xlen === 64 ? T.i64 : T.i32); this.regLocals.set(r, l); }
    return l;
  }
  /** Register r (doubled index) ← the value on the stack. */
  setReg(r: number): void {
    this.body.byte(OP.localSet).u32(this.reg(r));
    this.written.add(r);
  }
  /** The code before the body: the page's base, the registers, the first entry, the budget. */
  prologue(): Bytes {
    const p = new Bytes();
    p.byte(OP.localGet).u32(PARAM.hb).byte(OP.i64Load).u32(3).u32(HART_AREA.pc)
      .byte(OP.i64Const).s32(-4096).byte(OP.i64And).byte(OP.localSet).u32(this.base);
    const [load, align] = this.xlen === 64 ? [OP.i64Load, 3] : [OP.i32Load, 2];
    for (const [r, l] of this.regLocals) {
      p.byte(OP.localGet).u32(PARAM.hb).byte(load).u32(align).u32(HART_AREA.x + 4 * r).byte(OP.localSet).u32(l);
    }
    p.byte(OP.localGet).u32(PARAM.entry).byte(OP.localSet).u32(this.e);
    p.byte(OP.localGet).u32(PARAM.limit).byte(OP.localSet).u32(this.left);
    return p;
  }
  /** After the epilogue's block: the registers written, the pc, the count. */
  epilogue(): void {
    const b = this.body;
    const [store, align] = this.xlen === 64 ? [OP.i64Store, 3] : [OP.i32Store, 2];
    for (const r of this.written) {
      b.byte(OP.localGet).u32(PARAM.hb).byte(OP.localGet).u32(this.regLocals.get(r)!).byte(store).u32(align).u32(HART_AREA.x + 4 * r);
    }
    b.byte(OP.localGet).u32(PARAM.hb).byte(OP.localGet).u32(this.npc).byte(OP.i64Store).u32(3).u32(HART_AREA.pc);
    if (this.chaining !== null) this.chainOn(this.chaining.codeEpochAt, this.chaining.runType);
    b.byte(OP.localGet).u32(this.ret);
  }

  /**
   * A jump out: when the chain cache holds a block at the next pc, entered at this hart's
   * epoch and the machine's code epoch as they are now, and the budget left holds its
   * length, a tail call runs it with that budget (its own epilogue returns to JavaScript,
   * or chains on); otherwise the block returns. The interpreter's loop would have run the
   * same block next: it makes the entries (wasm-blocks.ts), and every change that could make
   * it choose otherwise moves one of the epochs.
   */
  private chainOn(codeEpochAt: number, runType: number): void {
    const b = this.body;
    const at = (off: number) => b.byte(OP.localGet).u32(this.entryAt).byte(OP.i32Load).u32(2).u32(HART_AREA.chains + off);
    b.byte(OP.localGet).u32(this.chain).byte(OP.if).byte(VOID);
    b.byte(OP.localGet).u32(PARAM.hb)
      .byte(OP.localGet).u32(this.npc).byte(OP.i32WrapI64).byte(OP.i32Const).s32(1).byte(OP.i32ShrU)
      .byte(OP.i32Const).s32(CHAIN.entries - 1).byte(OP.i32And).byte(OP.i32Const).s32(Math.log2(CHAIN.bytes)).byte(OP.i32Shl)
      .byte(OP.i32Add).byte(OP.localSet).u32(this.entryAt);
    b.byte(OP.localGet).u32(this.entryAt).byte(OP.i64Load).u32(3).u32(HART_AREA.chains + CHAIN.pc).byte(OP.localGet).u32(this.npc).byte(OP.i64Eq);
    at(CHAIN.hartEpoch); b.byte(OP.localGet).u32(PARAM.hb).byte(OP.i32Load).u32(2).u32(HART_AREA.epoch).byte(OP.i32Eq).byte(OP.i32And);
    at(CHAIN.codeEpoch); b.byte(OP.i32Const).s32(0).byte(OP.i32Load).u32(2).u32(codeEpochAt).byte(OP.i32Eq).byte(OP.i32And);
    b.byte(OP.localGet).u32(this.ret); at(CHAIN.length); b.byte(OP.i32GeS).byte(OP.i32And);
    b.byte(OP.if).byte(VOID);
    b.byte(OP.localGet).u32(PARAM.hb).byte(OP.localGet).u32(this.ret); // the pc is in the hart's area already
    at(CHAIN.entry);
    at(CHAIN.fn);
    b.byte(OP.returnCallIndirect).u32(runType).u32(0);
    b.byte(OP.end).byte(OP.end);
  }

  /**
   * Leave after a slow access (or an illegal instruction) whose STATUS bits are in `st`,
   * the instruction at page offset `off`, `len` bytes long, the `k`th of its block: through
   * the code after the slow exits' block (slowExits), which makes the pc and count from
   * the bits, so each access carries one short branch instead of an exit per outcome
   * (loads and stores were 70 % of a module's bytes, and every exit is one more edge
   * into the epilogue for V8's optimizing compiler to merge all registers at).
   */
  slowExit(off: number, len: number, k: number): void {
    this.body.byte(OP.i32Const).s32(off | (len << 12) | (k << 16)).byte(OP.localSet).u32(this.why);
    this.br(this.labels.slow);
  }
  /**
   * After the slow exits' block: a fault or a refusal stops at the instruction, anything
   * else (a yield, a dropped block) after it; a refused access is not counted.
   */
  slowExits(): void {
    const b = this.body;
    const stopsAt = STATUS.fault | STATUS.refused;
    b.byte(OP.localGet).u32(this.base);
    b.byte(OP.localGet).u32(this.why).byte(OP.i32Const).s32(0xfff).byte(OP.i32And);
    b.byte(OP.i32Const).s32(0); // stopped at the instruction: + 0, else + its length
    b.byte(OP.localGet).u32(this.why).byte(OP.i32Const).s32(12).byte(OP.i32ShrU).byte(OP.i32Const).s32(15).byte(OP.i32And);
    b.byte(OP.localGet).u32(this.st).byte(OP.i32Const).s32(stopsAt).byte(OP.i32And);
    b.byte(OP.select).byte(OP.i32Add).byte(OP.i64ExtendI32U).byte(OP.i64Add);
    if (this.xlen === 32) b.byte(OP.i64Const).s64(-1, 0).byte(OP.i64And);
    b.byte(OP.localSet).u32(this.npc);
    b.byte(OP.localGet).u32(this.left);
    b.byte(OP.localGet).u32(this.why).byte(OP.i32Const).s32(16).byte(OP.i32ShrU).byte(OP.i32Sub);
    b.byte(OP.localGet).u32(this.st).byte(OP.i32Const).s32(Math.log2(STATUS.refused)).byte(OP.i32ShrU).byte(OP.i32Const).s32(1).byte(OP.i32And);
    b.byte(OP.i32Add).byte(OP.localSet).u32(this.ret);
  }

  /** A new block's code starts (inside its own loop, opened at `self`). */
  startBlock(off: number, index: number, self: number): void { this.block = { off, index, self }; this.selfJump = false; }
  /** The current block jumps to its own start (else its loop can be a plain block: see compilePage). */
  selfJump = false;
  /** Some block jumps to an earlier one, through the dispatch loop (else it can be a plain block). */
  backJump = false;

  /** Push the pc at block start + t (i64; on RV32 it wraps at 2^32, as the hart's pc does). */
  pcAt(t: number): void {
    const at = this.block.off + t;
    this.body.byte(OP.localGet).u32(this.base).byte(OP.i64Const).s64(at, at >> 31).byte(OP.i64Add);
    if (this.xlen === 32) this.body.byte(OP.i64Const).s64(-1, 0).byte(OP.i64And);
  }
  /** Leave: pc = block start + t, `k` of this block's instructions run; `chain`: a jump, which may go on in another module. */
  exitAt(t: number, k: number, chain = false): void {
    this.pcAt(t);
    this.leave(k, chain);
  }
  /** Leave for the pc on the stack, `k` of this block's instructions run (the budget left is returned). */
  leave(k: number, chain = false): void {
    const b = this.body;
    b.byte(OP.localSet).u32(this.npc);
    b.byte(OP.localGet).u32(this.left);
    if (k !== 0) b.byte(OP.i32Const).s32(k).byte(OP.i32Sub);
    b.byte(OP.localSet).u32(this.ret);
    if (chain && this.chaining !== null) b.byte(OP.i32Const).s32(1).byte(OP.localSet).u32(this.chain);
    this.br(this.labels.out);
  }

  /**
   * Continue at block start + t after `k` instructions: into the entry there when the page
   * has one and the budget holds all of it (as the interpreter's loop would run it), else
   * leave. The current block's own start is its loop's top; a later entry the end of its
   * block; an earlier one goes round the dispatch loop.
   */
  goTo(t: number, k: number): void {
    const to = this.entries.get(this.block.off + t);
    if (to === undefined || this.block.off + t >= 4096 || this.block.off + t < 0) { this.exitAt(t, k, true); return; }
    const b = this.body;
    b.byte(OP.localGet).u32(this.left).byte(OP.i32Const).s32(k).byte(OP.i32Sub).byte(OP.localTee).u32(this.left);
    b.byte(OP.i32Const).s32(to.length).byte(OP.i32GeS);
    this.open(OP.if, VOID);
    if (to.index === this.block.index) { this.br(this.block.self); this.selfJump = true; }
    else if (to.index > this.block.index) this.br(this.blockLevel(to.index));
    else {
      b.byte(OP.i32Const).s32(to.index).byte(OP.localSet).u32(this.e);
      this.br(this.labels.dispatch);
      this.backJump = true;
    }
    this.end();
    this.exitAt(t, 0);
  }
}

/** Parameters before the locals: hb, limit, entry (the pc is read from the hart's area). */
export const PARAMS = 3;

/** A token's type and local. */
interface Token { readonly bits: 32 | 64; readonly index: number }
/** Every token made so far, by its text: a module's compile names the same few locals again and again. */
const TOKENS = new Map<string, Token>();
const TOKEN_NAMES: Record<32 | 64, string[]> = { 32: [], 64: [] };
/** The token of local `index` of type `bits`: `w64_N` or `w32_N`, the same string each time. */
function tokenOf(bits: 32 | 64, index: number): string {
  let name = TOKEN_NAMES[bits][index];
  if (name === undefined) {
    name = `w${bits}_${index}`;
    TOKEN_NAMES[bits][index] = name;
    TOKENS.set(name, { bits, index });
  }
  return name;
}
const MIN_HI = -0x80000000;

export class WasmGen extends Gen {
  private readonly b: Bytes;
  private loadStatus = false;

  /** RV32: XLEN values are i32 tokens, their high word the constant 0. */
  private readonly narrow: boolean;

  /** `k`: instructions the block has run once this one has. */
  constructor(enc: Encoding, private readonly insn: BlockInsn, private readonly fn: WasmFn, private readonly k: number) {
    super(fn.xlen, enc, insn);
    this.b = fn.body;
    this.narrow = fn.xlen === 32;
  }

  // ---- emitting ----
  private op(...codes: number[]): void { for (const c of codes) this.b.byte(c); }
  private get_(i: number): void { this.b.byte(OP.localGet).u32(i); }
  private set_(i: number): void { this.b.byte(OP.localSet).u32(i); }
  /** Pop the value on the stack into a fresh local; its token. */
  private keep(t: ValType): string {
    const i = this.fn.temp(t);
    this.set_(i);
    return tokenOf(t === T.i64 ? 64 : 32, i);
  }
  private keep64(): V { const t = this.keep(T.i64); return { lo: t, hi: t }; }
  /** RV32: the i32 on the stack as an XLEN value. */
  private keepX32(): V { return { lo: this.keep(T.i32), hi: 0 }; }
  /** RV32: p and q's words through a binary i32 operation. */
  private bin32(code: number, p: V, q: V): V { this.push32(p.lo); this.push32(q.lo); this.op(code); return this.keepX32(); }
  private cmp32(code: number, p: V, q: V): string { this.push32(p.lo); this.push32(q.lo); this.op(code); return this.keep(T.i32); }
  /** RV32: an address as an i64 (zero-extended), for the TLB's compare. */
  private address(at: V): V {
    if (!this.narrow) return this.bind64(at);
    this.push32(at.lo); this.op(OP.i64ExtendI32U);
    return this.keep64();
  }
  /** A memory access's memarg: alignment exponent and offset. */
  private mem(code: number, align: number, offset: number): void { this.b.byte(code).u32(align).u32(offset); }
  private i32c(v: number): void { this.b.byte(OP.i32Const).s32(v); }
  private i64c(lo: number, hi: number): void { this.b.byte(OP.i64Const).s64(lo, hi); }

  private token(e: E): Token {
    const t = typeof e === 'string' ? TOKENS.get(e) : undefined;
    if (t === undefined) throw new Untranslatable(`not a wasm value: ${String(e)}`);
    return t;
  }
  /** Push an XLEN value (i64). */
  private push64(v: V): void {
    if (typeof v.lo === 'number' && typeof v.hi === 'number') { this.i64c(v.lo, v.hi); return; }
    const t = this.token(v.lo);
    if (t.bits !== 64 || v.hi !== v.lo) throw new Untranslatable('a value made of two words');
    this.get_(t.index);
  }
  /** Push a 32-bit word (an i64 value's low word). */
  private push32(e: E): void {
    if (typeof e === 'number') { this.i32c(e); return; }
    const t = this.token(e);
    this.get_(t.index);
    if (t.bits === 64) this.op(OP.i32WrapI64);
  }
  private bin64(code: number, p: V, q: V): V { this.push64(p); this.push64(q); this.op(code); return this.keep64(); }
  private cmp64(code: number, p: V, q: V): string { this.push64(p); this.push64(q); this.op(code); return this.keep(T.i32); }
  /** Push a shift amount as i64 (wasm takes it modulo 64, as RV64 does). */
  private pushShift(sh: E): void {
    if (typeof sh === 'number') { this.i64c(sh, 0); return; }
    const t = this.token(sh);
    this.get_(t.index);
    if (t.bits === 32) this.op(OP.i64ExtendI32U);
  }

  // ---- what the JavaScript builder writes as statements: not here ----
  override stmt(): void { throw new Untranslatable('a statement'); }
  override open(): void { throw new Untranslatable('a statement'); }
  override close(): void { throw new Untranslatable('a statement'); }
  override pairCall(): V { throw new Untranslatable('a helper call'); }
  override hartLoad(): V { throw new Untranslatable('a hart call'); }
  override faultStop(): void { throw new Untranslatable('a hart call'); }
  override leaveIf(): void { throw new Untranslatable('an interpreter exit'); }
  override pcToHart(): void { throw new Untranslatable('the hart pc'); }
  override nextToHart(): void { throw new Untranslatable('the hart pc'); }
  override pcFromHart(): void { throw new Untranslatable('the hart pc'); }

  override let(e: E): E { if (typeof e !== 'number') this.token(e); return e; }
  override bind(v: V): V { this.let(v.lo); this.let(v.hi); return v; }

  // ---- operands ----
  /** Register r (doubled index) as a token: its local, loaded from the hart on first use in the block. */
  private xreg(r: number): V {
    if (r === 0) return { lo: 0, hi: 0 };
    if (this.narrow) return { lo: tokenOf(32, this.fn.reg(r)), hi: 0 };
    const t = tokenOf(64, this.fn.reg(r));
    return { lo: t, hi: t };
  }
  override get rs1(): V { return this.xreg(this.insn.a); }
  override get rs2(): V { return this.xreg(this.insn.b); }
  override rd(v: V): void {
    if (this.insn.d === 0) return;
    if (this.narrow) this.push32(v.lo); else this.push64(v);
    this.fn.setReg(this.insn.d);
  }

  override sext(w: E): V {
    if (this.narrow) return this.word(w);
    if (typeof w === 'number') return { lo: w, hi: w >> 31 };
    const t = this.token(w);
    this.get_(t.index);
    this.op(t.bits === 64 ? OP.i64Extend32S : OP.i64ExtendI32S);
    return this.keep64();
  }
  /** RV32: a word is already XLEN wide. */
  private word(w: E): V {
    if (typeof w !== 'number' && this.token(w).bits !== 32) throw new Untranslatable('an i64 as an RV32 value');
    return { lo: w, hi: 0 };
  }
  override zext(w: E): V {
    if (this.narrow) return this.word(w);
    if (typeof w === 'number') return { lo: w, hi: 0 };
    const t = this.token(w);
    this.get_(t.index);
    if (t.bits === 64) { this.i64c(-1, 0); this.op(OP.i64And); } else this.op(OP.i64ExtendI32U);
    return this.keep64();
  }

  /** An XLEN operation: `c64` on i64 values (RV64), `c32` on i32 ones (RV32). */
  private binX(c64: number, c32: number, p: V, q: V): V { return this.narrow ? this.bin32(c32, p, q) : this.bin64(c64, p, q); }
  override add(p: V, q: V): V { return this.binX(OP.i64Add, OP.i32Add, p, q); }
  override sub(p: V, q: V): V { return this.binX(OP.i64Sub, OP.i32Sub, p, q); }
  override and(p: V, q: V): V { return this.binX(OP.i64And, OP.i32And, p, q); }
  override or(p: V, q: V): V { return this.binX(OP.i64Or, OP.i32Or, p, q); }
  override xor(p: V, q: V): V { return this.binX(OP.i64Xor, OP.i32Xor, p, q); }
  override inv(p: V): V { return this.binX(OP.i64Xor, OP.i32Xor, p, { lo: -1, hi: this.narrow ? 0 : -1 }); }
  override shamt(v: V): E { return v.lo; } // wasm takes shift amounts modulo the width, as RISC-V does
  private shift(c64: number, c32: number, p: V, sh: E): V {
    if (this.narrow) { this.push32(p.lo); this.push32(sh); this.op(c32); return this.keepX32(); }
    this.push64(p); this.pushShift(sh); this.op(c64); return this.keep64();
  }
  override sll(p: V, sh: E): V { return this.shift(OP.i64Shl, OP.i32Shl, p, sh); }
  override srl(p: V, sh: E): V { return this.shift(OP.i64ShrU, OP.i32ShrU, p, sh); }
  override sra(p: V, sh: E): V { return this.shift(OP.i64ShrS, OP.i32ShrS, p, sh); }
  override rotr(p: V, sh: E): V { return this.shift(OP.i64Rotr, OP.i32Rotr, p, sh); }
  override rotl(p: V, sh: E): V { return this.shift(OP.i64Rotl, OP.i32Rotl, p, sh); }
  override mul(p: V, q: V): V { return this.binX(OP.i64Mul, OP.i32Mul, p, q); }

  /** 64 steps, one bit of q each: no branch, each step's terms masked by that bit. */
  override clmul(which: 0 | 1 | 2, p: V, q: V): V {
    if (this.narrow) {
      // Two words' product has 63 bits: the low i64 of the words zero-extended holds it all.
      const wide = (v: V): V => { this.push32(v.lo); this.op(OP.i64ExtendI32U); return this.keep64(); };
      const product = this.clmulWide(wide(p), wide(q)).lo;
      this.get_(product);
      if (which !== 0) { this.i64c(which === 1 ? 32 : 31, 0); this.op(OP.i64ShrU); }
      this.op(OP.i32WrapI64);
      return this.keepX32();
    }
    const { lo, hi } = this.clmulWide(this.bind64(p), this.bind64(q));
    const token = (l: number): V => ({ lo: tokenOf(64, l), hi: tokenOf(64, l) });
    if (which === 0) return token(lo);
    if (which === 1) return token(hi);
    return this.or(this.sll(token(hi), 1), this.srl(token(lo), 63));
  }
  /** The 128-bit carry-less product of two i64 values, as the locals of its low and high halves. */
  private clmulWide(a: V, b: V): { lo: number; hi: number } {
    const lo = this.fn.temp(T.i64), hi = this.fn.temp(T.i64), i = this.fn.temp(T.i64), m = this.fn.temp(T.i64);
    for (const l of [lo, hi, i]) { this.i64c(0, 0); this.set_(l); }
    this.fn.open(OP.loop, VOID);
    // m: all ones when bit i of q is set.
    this.i64c(0, 0); this.push64(b); this.get_(i); this.op(OP.i64ShrU); this.i64c(1, 0); this.op(OP.i64And, OP.i64Sub); this.set_(m);
    // lo ^= (p << i) & m
    this.get_(lo); this.push64(a); this.get_(i); this.op(OP.i64Shl); this.get_(m); this.op(OP.i64And, OP.i64Xor); this.set_(lo);
    // hi ^= (i == 0 ? 0 : p >>> (64 - i)) & m (wasm shifts by 64 - 0 mod 64 = 0: hence the select)
    this.get_(hi); this.i64c(0, 0); this.push64(a); this.i64c(64, 0); this.get_(i); this.op(OP.i64Sub, OP.i64ShrU);
    this.get_(i); this.op(OP.i64Eqz, OP.select); this.get_(m); this.op(OP.i64And, OP.i64Xor); this.set_(hi);
    this.get_(i); this.i64c(1, 0); this.op(OP.i64Add); this.b.byte(OP.localTee).u32(i); this.i64c(64, 0); this.op(OP.i64LtU);
    this.b.byte(OP.brIf).u32(0);
    this.fn.end();
    return { lo, hi };
  }

  override bits(op: BitOp, p: V): V {
    /** A constant whose every word is `w` (one word on RV32). */
    const k = (w: number): V => ({ lo: w, hi: this.narrow ? 0 : w });
    switch (op) {
      case 'zext.h': return this.and(p, { lo: 0xffff, hi: 0 });
      case 'orc.b': {
        // Fold each byte's bits into its bit 0, then spread that over the byte (0 or 1 times 0xff: no carries).
        let t = p;
        for (const [sh, mask] of [[4, 0x0f0f0f0f], [2, 0x33333333], [1, 0x55555555]] as const) t = this.or(t, this.and(this.srl(t, sh), k(mask)));
        return this.mul(this.and(t, k(0x01010101)), { lo: 0xff, hi: 0 });
      }
      case 'rev8': {
        // Swap neighbouring bytes, then (RV64) neighbouring halfwords, then the two halves.
        let t = p;
        const steps = this.narrow ? [[8, 0x00ff00ff]] as const : [[8, 0x00ff00ff], [16, 0x0000ffff]] as const;
        for (const [sh, mask] of steps) t = this.or(this.and(this.srl(t, sh), k(mask)), this.sll(this.and(t, k(mask)), sh));
        return this.rotl(t, this.xlen / 2);
      }
      default: return this.narrow ? this.count32(op, p) : this.count64(op, p);
    }
  }
  /** Zbb's counts and sign extensions on RV64: wasm's own i64 (and, for the W forms, i32) operations. */
  private count64(op: BitOp, p: V): V {
    const unary = (...codes: number[]): V => { this.push64(p); this.op(...codes); return this.keep64(); };
    const word = (code: number): V => { this.push32(p.lo); this.op(code, OP.i64ExtendI32U); return this.keep64(); };
    switch (op) {
      case 'clz': return unary(OP.i64Clz);
      case 'ctz': return unary(OP.i64Ctz);
      case 'cpop': return unary(OP.i64Popcnt);
      case 'clzw': return word(OP.i32Clz);
      case 'cpopw': return word(OP.i32Popcnt);
      case 'ctzw': // as QEMU 7.2 (isa-codegen.ts): the whole register's trailing zeros, 32 when it is zero
        this.i64c(32, 0); this.push64(p); this.op(OP.i64Ctz); this.push64(p); this.op(OP.i64Eqz, OP.select);
        return this.keep64();
      case 'sext.b': return unary(OP.i64Extend8S);
      case 'sext.h': return unary(OP.i64Extend16S);
      default: throw new Untranslatable(`bits ${op}`);
    }
  }
  /** The same on RV32's words (the W forms are RV64's). */
  private count32(op: BitOp, p: V): V {
    const unary = (code: number): V => { this.push32(p.lo); this.op(code); return this.keepX32(); };
    switch (op) {
      case 'clz': return unary(OP.i32Clz);
      case 'ctz': return unary(OP.i32Ctz);
      case 'cpop': return unary(OP.i32Popcnt);
      case 'sext.b': return unary(OP.i32Extend8S);
      case 'sext.h': return unary(OP.i32Extend16S);
      default: throw new Untranslatable(`${op} is RV64's`);
    }
  }

  /** High 64 bits of the 128-bit product: four 32x32 partial products, then the signed corrections. */
  override mulh(p: V, q: V, pSigned: boolean, qSigned: boolean): V {
    if (this.narrow) { // the 64-bit product of the extended words, its high word
      this.push32(p.lo); this.op(pSigned ? OP.i64ExtendI32S : OP.i64ExtendI32U);
      this.push32(q.lo); this.op(qSigned ? OP.i64ExtendI32S : OP.i64ExtendI32U);
      this.op(OP.i64Mul); this.i64c(32, 0); this.op(OP.i64ShrU, OP.i32WrapI64);
      return this.keepX32();
    }
    const a = this.bind64(p), b = this.bind64(q);
    const lo32 = (v: V) => { this.push64(v); this.i64c(-1, 0); this.op(OP.i64And); return this.keep64(); };
    const hi32 = (v: V) => this.shift(OP.i64ShrU, OP.i32ShrU, v, 32);
    const al = lo32(a), ah = hi32(a), bl = lo32(b), bh = hi32(b);
    const p0 = this.mul(al, bl), p1 = this.mul(al, bh), p2 = this.mul(ah, bl), p3 = this.mul(ah, bh);
    const mid = this.add(this.add(hi32(p0), lo32(p1)), lo32(p2));
    let hi = this.add(this.add(this.add(p3, hi32(p1)), hi32(p2)), hi32(mid));
    // As signed: subtract the other factor for each negative signed factor (mod 2^64).
    const correct = (neg: V, other: V) => {
      this.push64(other); this.i64c(0, 0); this.push64(neg); this.i64c(0, 0); this.op(OP.i64LtS, OP.select);
      hi = this.sub(hi, this.keep64());
    };
    if (pSigned) correct(a, b);
    if (qSigned) correct(b, a);
    return hi;
  }
  private bind64(v: V): V { if (typeof v.lo === 'number') { this.push64(v); return this.keep64(); } return v; }

  /** Unpriv §7.2: x/0 is all ones (rem: x), MIN/-1 overflows to MIN (rem: 0); wasm would trap on both. */
  override divide(name: 'div' | 'divu' | 'rem' | 'remu', p: V, q: V): V {
    if (this.narrow) return { lo: this.word32(name, p.lo, q.lo), hi: 0 };
    const a = this.bind64(p), b = this.bind64(q);
    this.push64(b); this.op(OP.i64Eqz);
    this.fn.open(OP.if, T.i64);
    if (name === 'div' || name === 'divu') this.i64c(-1, -1); else this.push64(a);
    this.op(OP.else);
    if (name === 'div') {
      this.push64(a); this.i64c(0, MIN_HI); this.op(OP.i64Eq);
      this.push64(b); this.i64c(-1, -1); this.op(OP.i64Eq, OP.i32And);
      this.fn.open(OP.if, T.i64);
      this.i64c(0, MIN_HI);
      this.op(OP.else);
      this.push64(a); this.push64(b); this.op(OP.i64DivS);
      this.fn.end();
    } else {
      this.push64(a); this.push64(b);
      this.op(name === 'divu' ? OP.i64DivU : name === 'rem' ? OP.i64RemS : OP.i64RemU); // rem_s of MIN by -1 is 0 in wasm
    }
    this.fn.end();
    return this.keep64();
  }

  override word32(op: WordOp, p: E, q: E): E {
    const simple: Partial<Record<WordOp, number>> = { add: OP.i32Add, sub: OP.i32Sub, sll: OP.i32Shl, srl: OP.i32ShrU, sra: OP.i32ShrS,
      mul: OP.i32Mul, rol: OP.i32Rotl, ror: OP.i32Rotr };
    const code = simple[op];
    if (code !== undefined) { this.push32(p); this.push32(q); this.op(code); return this.keep(T.i32); }
    // Division on words, with §7.2's corner cases.
    const a = this.keep32(p), b = this.keep32(q);
    this.push32(b); this.op(OP.i32Eqz);
    this.fn.open(OP.if, T.i32);
    if (op === 'div' || op === 'divu') this.i32c(-1); else this.push32(a);
    this.op(OP.else);
    if (op === 'div') {
      this.push32(a); this.i32c(MIN_HI); this.op(OP.i32Eq);
      this.push32(b); this.i32c(-1); this.op(OP.i32Eq, OP.i32And);
      this.fn.open(OP.if, T.i32);
      this.i32c(MIN_HI);
      this.op(OP.else);
      this.push32(a); this.push32(b); this.op(OP.i32DivS);
      this.fn.end();
    } else {
      this.push32(a); this.push32(b);
      this.op(op === 'divu' ? OP.i32DivU : op === 'rem' ? OP.i32RemS : OP.i32RemU);
    }
    this.fn.end();
    return this.keep(T.i32);
  }
  private keep32(e: E): E { if (typeof e === 'number') return e; this.push32(e); return this.keep(T.i32); }
  override shamt32(q: E): E { return q; } // wasm's i32 shifts take the amount modulo 32

  // ---- comparisons: i32 0/1 values ----
  private cmpX(c64: number, c32: number, p: V, q: V): string { return this.narrow ? this.cmp32(c32, p, q) : this.cmp64(c64, p, q); }
  override eq(p: V, q: V): string { return this.cmpX(OP.i64Eq, OP.i32Eq, p, q); }
  override ne(p: V, q: V): string { return this.cmpX(OP.i64Ne, OP.i32Ne, p, q); }
  override lt(p: V, q: V): string { return this.cmpX(OP.i64LtS, OP.i32LtS, p, q); }
  override ltu(p: V, q: V): string { return this.cmpX(OP.i64LtU, OP.i32LtU, p, q); }
  override not(cond: string): string { this.push32(cond); this.op(OP.i32Eqz); return this.keep(T.i32); }
  override bool(cond: string): V {
    if (this.narrow) return this.word(cond);
    this.push32(cond); this.op(OP.i64ExtendI32U); return this.keep64();
  }
  override select(cond: string, p: V, q: V): V {
    if (this.narrow) { this.push32(p.lo); this.push32(q.lo); this.push32(cond); this.op(OP.select); return this.keepX32(); }
    this.push64(p); this.push64(q); this.push32(cond); this.op(OP.select);
    return this.keep64();
  }

  // ---- memory: the TLB check inline, RAM hits never leave wasm ----
  /**
   * Leaves on the stack 1 when address `at` hits the TLB at `tlb` with an aligned access
   * of `bytes` to DRAM (one compare: TLB_DRAM_ENTRY), and sets `ix` to its entry's address.
   */
  private tlbHit(tlb: number, at: V, bytes: number, ix: number): void {
    this.get_(PARAM.hb);
    this.push32(at.lo); this.i32c(8); this.op(OP.i32ShrU); this.i32c((TLB_SIZE - 1) * TLB_DRAM_ENTRY.bytes); this.op(OP.i32And);
    this.op(OP.i32Add);
    this.b.byte(OP.localTee).u32(ix);
    this.mem(OP.i64Load, 3, tlb + TLB_AREA.dram + TLB_DRAM_ENTRY.vaLo);
    this.push64(at); this.i64c(-4096 | (bytes - 1), -1); this.op(OP.i64And, OP.i64Eq);
  }
  /** The DRAM address a hit `at` reaches through entry `ix`. */
  private ramAddress(tlb: number, at: V, ix: number): void {
    this.push32(at.lo); this.get_(ix); this.mem(OP.i32Load, 2, tlb + TLB_AREA.dram + TLB_DRAM_ENTRY.addend); this.op(OP.i32Add);
  }
  /** Call JavaScript function `i` (IMPORT), its arguments pushed: through the table, where the bridge module put it (wasm-binary.ts bridgeBytes). */
  private callJs(i: number): void {
    this.b.byte(OP.i32Const).s32(i).byte(OP.callIndirect).u32(i).u32(0);
  }
  /** The address as the two words the hart's accesses take. */
  private pushWords(at: V): void {
    this.push32(at.lo);
    this.push64(at); this.i64c(32, 0); this.op(OP.i64ShrU, OP.i32WrapI64);
  }

  override load(bytes: 1 | 2 | 4 | 8, signed: boolean, addr: V): V {
    if (this.narrow && bytes === 8) throw new Untranslatable('an RV32 doubleword load');
    const at = this.address(addr), ix = this.fn.temp(T.i32), tlb = HART_AREA.tlbR;
    const align = bytes === 8 ? 3 : bytes === 4 ? 2 : bytes === 2 ? 1 : 0;
    const load = this.narrow ? (bytes === 4 ? OP.i32Load : bytes === 2 ? (signed ? OP.i32Load16S : OP.i32Load16U) : (signed ? OP.i32Load8S : OP.i32Load8U))
      : bytes === 8 ? OP.i64Load : bytes === 4 ? (signed ? OP.i64Load32S : OP.i64Load32U)
        : bytes === 2 ? (signed ? OP.i64Load16S : OP.i64Load16U) : (signed ? OP.i64Load8S : OP.i64Load8U);
    this.tlbHit(tlb, at, bytes, ix);
    this.fn.open(OP.if, this.narrow ? T.i32 : T.i64);
    this.ramAddress(tlb, at, ix);
    this.mem(load, align, 0);
    this.op(OP.else);
    // The hart's own load (memory.ts): its value lands in the scratch words, its outcome in st.
    // A fault stops at this instruction (counted, as the interpreter counts it).
    this.i32c(bytes); this.pushWords(at); this.callJs(IMPORT.load);
    this.b.byte(OP.localTee).u32(this.fn.st); this.i32c(STATUS.fault | STATUS.refused); this.op(OP.i32And);
    this.fn.open(OP.if, VOID);
    this.slowExit();
    this.fn.end();
    this.get_(PARAM.hb); this.mem(load, align, HART_AREA.scratch);
    this.fn.end();
    const v = this.narrow ? this.keepX32() : this.keep64();
    this.loadStatus = true;
    return v;
  }

  override store(bytes: 1 | 2 | 4 | 8, addr: V, v: V): void {
    if (this.narrow && bytes === 8) throw new Untranslatable('an RV32 doubleword store');
    const at = this.address(addr), ix = this.fn.temp(T.i32), ram = this.fn.temp(T.i32), tlb = HART_AREA.tlbW;
    const align = bytes === 8 ? 3 : bytes === 4 ? 2 : bytes === 2 ? 1 : 0;
    const store = this.narrow ? (bytes === 4 ? OP.i32Store : bytes === 2 ? OP.i32Store16 : OP.i32Store8)
      : bytes === 8 ? OP.i64Store : bytes === 4 ? OP.i64Store32 : bytes === 2 ? OP.i64Store16 : OP.i64Store8;
    const val = this.narrow ? v : this.bind64(v);
    const pushVal = (): void => { if (this.narrow) this.push32(val.lo); else this.push64(val); };
    this.tlbHit(tlb, at, bytes, ix);
    this.fn.open(OP.if, VOID);
    this.ramAddress(tlb, at, ix);
    this.b.byte(OP.localTee).u32(ram);
    pushVal();
    this.mem(store, align, 0);
    // A page holding code, or a reservation anywhere: the hart's bookkeeping (memory.ts
    // `stored`); a store that dropped this very block stops after it.
    this.get_(ram); this.i32c(12); this.op(OP.i32ShrU); this.mem(OP.i32Load8U, 0, this.fn.hasCodeAt);
    this.i32c(0); this.mem(OP.i32Load, 2, this.fn.resvCountAt);
    this.op(OP.i32Or);
    this.fn.open(OP.if, VOID);
    this.get_(ram); this.i32c(bytes); this.callJs(IMPORT.stored);
    this.b.byte(OP.localTee).u32(this.fn.st);
    this.fn.open(OP.if, VOID);
    this.slowExit();
    this.fn.end();
    this.fn.end();
    this.op(OP.else);
    // The hart's own store: a fault stops at this instruction; a yield or a dropped block after it.
    this.i32c(bytes); this.pushWords(at);
    if (this.narrow) { this.push32(val.lo); this.i32c(0); } else {
      this.push64(val); this.op(OP.i32WrapI64);
      this.push64(val); this.i64c(32, 0); this.op(OP.i64ShrU, OP.i32WrapI64);
    }
    this.callJs(IMPORT.store); this.b.byte(OP.localTee).u32(this.fn.st);
    this.fn.open(OP.if, VOID);
    this.slowExit();
    this.fn.end();
    this.fn.end();
  }

  /** Leave by the slow exits (WasmFn.slowExit) from this instruction. */
  private slowExit(): void { this.fn.slowExit(this.fn.block.off + this.insn.off, this.insn.len, this.k); }

  /** After the instruction: a load that made the hart yield stops here, once its value is written. */
  override endBlockInsn(): void {
    if (!this.loadStatus) return;
    this.get_(this.fn.st);
    this.fn.open(OP.if, VOID);
    this.slowExit();
    this.fn.end();
  }

  // ---- F and D: registers in the hart's area, the arithmetic's common case inline ----
  /** Push HART_AREA.fpu (what F/D code may do now: FPU_WORD). */
  private fpuWord(): void { this.get_(PARAM.hb); this.mem(OP.i32Load, 2, HART_AREA.fpu); }
  /** FS Off (or D absent): illegal, as the JavaScript builder's fpBegin. A reserved static rm is left to the interpreter. */
  override fpBegin(): E {
    this.fpuWord(); this.i32c(this.enc.ext === 'D' ? FPU_WORD.d : FPU_WORD.f); this.op(OP.i32And, OP.i32Eqz);
    this.fn.open(OP.if, VOID);
    this.illegal();
    this.fn.end();
    if (this.enc.rm !== true) return 0;
    const field = this.insn.imm & 7;
    if (field !== 7) {
      if (field > 4) throw new Untranslatable('a reserved rounding mode');
      return field;
    }
    // Dynamic: frm, illegal when it holds a reserved mode (Unpriv §11.2).
    this.fpuWord(); this.i32c(FPU_WORD.frmShift); this.op(OP.i32ShrU); this.i32c(7); this.op(OP.i32And);
    const rm = this.keep(T.i32);
    this.push32(rm); this.i32c(4); this.op(OP.i32GtU);
    this.fn.open(OP.if, VOID);
    this.illegal();
    this.fn.end();
    return rm;
  }
  /** Raise an illegal instruction at this one (its bits are mtval) and stop, counted, as a faulting access does. */
  private illegal(): void {
    this.fn.pcAt(this.insn.off); this.op(OP.i32WrapI64);
    this.fn.pcAt(this.insn.off); this.i64c(32, 0); this.op(OP.i64ShrU, OP.i32WrapI64);
    this.callJs(IMPORT.illegal);
    this.set_(this.fn.st);
    this.slowExit();
  }
  /** Offset of f register word i (doubled index) in the hart's area. */
  private fAt(i: E): number { return HART_AREA.f + 4 * Number(i); }
  override fGet(i: E): V {
    const at = this.fAt(i);
    if (this.narrow) { // only a single's word is ever an RV32 value (fsd is not compiled there)
      this.get_(PARAM.hb); this.mem(OP.i32Load, 2, at);
      const lo = this.keep(T.i32);
      this.get_(PARAM.hb); this.mem(OP.i32Load, 2, at + 4);
      return { lo, hi: this.keep(T.i32) };
    }
    this.get_(PARAM.hb); this.mem(OP.i64Load, 3, at);
    return this.keep64();
  }
  override fSet(i: E, v: V, single: boolean): void {
    const at = this.fAt(i);
    if (this.narrow) {
      if (!single) throw new Untranslatable('an RV32 double from two words');
      this.get_(PARAM.hb); this.push32(v.lo); this.mem(OP.i32Store, 2, at);
      this.get_(PARAM.hb); this.i32c(-1); this.mem(OP.i32Store, 2, at + 4);
    } else {
      this.get_(PARAM.hb); this.push64(v);
      if (single) { this.i64c(0, -1); this.op(OP.i64Or); } // the NaN box: high word all ones
      this.mem(OP.i64Store, 3, at);
    }
    this.accrue(null);
  }
  /** fpAcc |= FS Dirty (unless only an x register was written: `dirty` false), and NX when the i32 local `inexact` (0 or 1) is 1. */
  private accrue(inexact: number | null, dirty = true): void {
    this.get_(PARAM.hb);
    this.get_(PARAM.hb); this.mem(OP.i32Load, 2, HART_AREA.fpAcc);
    if (dirty) { this.i32c(FPU_ACC.dirty); this.op(OP.i32Or); }
    if (inexact !== null) { this.get_(inexact); this.op(OP.i32Or); } // FPU_ACC.nx is 1
    this.mem(OP.i32Store, 2, HART_AREA.fpAcc);
  }

  /** A NaN-boxed single's bits (i32), the canonical NaN for anything else (Unpriv §12.2), into a local. */
  private unboxed(at: number): string {
    this.get_(PARAM.hb); this.mem(OP.i32Load, 2, at);
    this.i32c(0x7fc00000);
    this.get_(PARAM.hb); this.mem(OP.i32Load, 2, at + 4); this.i32c(-1); this.op(OP.i32Eq, OP.select);
    return this.keep(T.i32);
  }
  override fSignInject(kind: 'j' | 'n' | 'x', single: boolean): void {
    const d = this.fAt(this.fd), a = this.fAt(this.fa), b = this.fAt(this.fb);
    // p's magnitude with q's sign (j), its inverse (n), or p's sign flipped by q's (x), on i32 or i64 bits.
    const [and, or, xor, sign] = single ? [OP.i32And, OP.i32Or, OP.i32Xor, () => this.i32c(MIN_HI)]
      : [OP.i64And, OP.i64Or, OP.i64Xor, () => this.i64c(0, MIN_HI)];
    const magnitude = () => (single ? this.i32c(0x7fffffff) : this.i64c(-1, 0x7fffffff));
    const p = single ? this.unboxed(a) : (this.get_(PARAM.hb), this.mem(OP.i64Load, 3, a), this.keep(T.i64));
    const q = single ? this.unboxed(b) : (this.get_(PARAM.hb), this.mem(OP.i64Load, 3, b), this.keep(T.i64));
    this.get_(PARAM.hb);
    if (kind === 'x') { this.push32or64(p); this.push32or64(q); sign(); this.op(and, xor); } else {
      this.push32or64(p); magnitude(); this.op(and);
      this.push32or64(q);
      if (kind === 'n') { if (single) this.i32c(-1); else this.i64c(-1, -1); this.op(xor); }
      sign(); this.op(and, or);
    }
    if (single) {
      this.mem(OP.i32Store, 2, d);
      this.get_(PARAM.hb); this.i32c(-1); this.mem(OP.i32Store, 2, d + 4);
    } else this.mem(OP.i64Store, 3, d);
    this.accrue(null);
  }
  private push32or64(token: string): void { this.get_(this.token(token).index); }
  /** Both operands ordered: the host's comparison; a NaN: fpu.ts (its flags). */
  override fCompare(dbl: boolean, kind: number): string {
    const a = this.fAt(this.fa), b = this.fAt(this.fb);
    const x = this.fNumber(dbl, a), y = this.fNumber(dbl, b);
    this.get_(x); this.get_(x); this.op(OP.f64Eq); this.get_(y); this.get_(y); this.op(OP.f64Eq, OP.i32And);
    this.fn.open(OP.if, T.i32);
    this.get_(x); this.get_(y); this.op(kind === CMP.eq ? OP.f64Eq : kind === CMP.lt ? OP.f64Lt : OP.f64Le);
    this.op(OP.else);
    this.i32c(dbl ? 1 : 0); this.i32c(kind); this.fIndex(a); this.fIndex(b);
    this.callJs(IMPORT.fpCompare);
    this.fn.end();
    return this.keep(T.i32);
  }

  /** f[i] as a double: a single promoted, NaN when it is not NaN-boxed (softfloat.ts then reads the canonical NaN). */
  private fNumber(dbl: boolean, at: number): number {
    const l = this.fn.temp(T.f64);
    if (dbl) { this.get_(PARAM.hb); this.mem(OP.f64Load, 3, at); } else {
      this.get_(PARAM.hb); this.mem(OP.f32Load, 2, at); this.op(OP.f64PromoteF32);
      this.b.byte(OP.f64Const).f64(NaN);
      this.get_(PARAM.hb); this.mem(OP.i32Load, 2, at + 4); this.i32c(-1); this.op(OP.i32Eq, OP.select);
    }
    this.set_(l);
    return l;
  }
  /** f[d] ← the f64 on the stack: a double, or a single's value (exact as one) NaN-boxed; FS Dirty, NX when `inexact`. */
  private fStore(dbl: boolean, d: number, inexact: number | null): void {
    if (dbl) this.mem(OP.f64Store, 3, d); else {
      this.op(OP.f32DemoteF64); this.mem(OP.f32Store, 2, d);
      this.get_(PARAM.hb); this.i32c(-1); this.mem(OP.i32Store, 2, d + 4);
    }
    this.accrue(inexact);
  }
  /** An f register's index as fpu.ts takes it (doubled). */
  private fIndex(at: number): void { this.i32c((at - HART_AREA.f) >> 2); }
  /** fpu.ts minMax's host case (both ordered: wasm's min/max order -0 below +0 too); a NaN through the import. */
  override fMinMax(dbl: boolean, max: boolean): void {
    const d = this.fAt(this.fd), a = this.fAt(this.fa), b = this.fAt(this.fb);
    const x = this.fNumber(dbl, a), y = this.fNumber(dbl, b);
    this.get_(x); this.get_(x); this.op(OP.f64Eq); this.get_(y); this.get_(y); this.op(OP.f64Eq, OP.i32And);
    this.fn.open(OP.if, VOID);
    this.get_(PARAM.hb); this.get_(x); this.get_(y); this.op(max ? OP.f64Max : OP.f64Min);
    this.fStore(dbl, d, null);
    this.op(OP.else);
    this.i32c(dbl ? 1 : 0); this.fIndex(d); this.fIndex(a); this.fIndex(b); this.i32c(max ? 1 : 0);
    this.callJs(IMPORT.fpMinMax);
    this.fn.end();
  }
  /** fpu.ts convertFormat's host cases (a number promoted; RNE demotion of a zero or into the safe range); the rest through the import. */
  override fConvert(toDouble: boolean, rm: E): void {
    const d = this.fAt(this.fd), a = this.fAt(this.fa);
    const slow = (): void => {
      this.i32c(toDouble ? 1 : 0); this.fIndex(d); this.fIndex(a); this.push32(rm);
      this.callJs(IMPORT.fpConvert);
    };
    if (!toDouble && typeof rm === 'number' && rm !== 0) { slow(); return; }
    const v = this.fNumber(!toDouble, a);
    const ok = this.fn.temp(T.i32), r = this.fn.temp(T.f64), inexact = this.fn.temp(T.i32);
    if (toDouble) { this.get_(v); this.get_(v); this.op(OP.f64Eq); this.set_(ok); } else {
      this.get_(v); this.op(OP.f32DemoteF64, OP.f64PromoteF32); this.set_(r);
      const m = this.fn.temp(T.f64);
      this.get_(r); this.op(OP.f64Abs); this.set_(m);
      this.get_(m); this.b.byte(OP.f64Const).f64(SMALLEST_SAFE_S); this.op(OP.f64Ge);
      this.get_(m); this.b.byte(OP.f64Const).f64(LARGEST_SAFE_S); this.op(OP.f64Le, OP.i32And);
      this.get_(v); this.b.byte(OP.f64Const).f64(0); this.op(OP.f64Eq, OP.i32Or);
      if (typeof rm === 'string') { this.push32(rm); this.op(OP.i32Eqz, OP.i32And); }
      this.set_(ok);
      this.get_(r); this.get_(v); this.op(OP.f64Ne); this.set_(inexact);
    }
    this.get_(ok);
    this.fn.open(OP.if, VOID);
    this.get_(PARAM.hb); this.get_(toDouble ? v : r);
    this.fStore(toDouble, d, toDouble ? null : inexact);
    this.op(OP.else);
    slow();
    this.fn.end();
  }
  /** fclass through the import (fpu.ts classify): rare enough not to need a wasm form of its own. */
  override fClass(dbl: boolean): E {
    this.i32c(dbl ? 1 : 0); this.fIndex(this.fAt(this.fa));
    this.callJs(IMPORT.fpClass);
    return this.keep(T.i32);
  }
  /** fpu.ts toIntX's host case (RTZ, in range, under 2^53) as wasm; the rest through the import, its value in the scratch words. */
  override fToInt(dbl: boolean, bits: 32 | 64, signed: boolean, rm: E): V {
    const a = this.fAt(this.fa);
    const x = this.fNumber(dbl, a);
    const rtz = 1; // SF.RM.RTZ
    const type = this.narrow ? T.i32 : T.i64;
    const slow = (): void => {
      this.i32c(dbl ? 1 : 0); this.fIndex(a); this.i32c(bits); this.i32c(signed ? 1 : 0); this.push32(rm);
      this.callJs(IMPORT.fpToInt);
      this.get_(PARAM.hb); this.mem(this.narrow ? OP.i32Load : OP.i64Load, this.narrow ? 2 : 3, HART_AREA.scratch);
    };
    if (typeof rm === 'number' && rm !== rtz) { slow(); return this.narrow ? this.keepX32() : this.keep64(); }
    const k = (v: number) => this.b.byte(OP.f64Const).f64(v);
    this.get_(x); k(signed ? -(2 ** (bits - 1)) - 1 : -1); this.op(OP.f64Gt);
    this.get_(x); k(signed ? 2 ** (bits - 1) : 2 ** bits); this.op(OP.f64Lt, OP.i32And);
    this.get_(x); this.op(OP.f64Abs); k(2 ** 53); this.op(OP.f64Lt, OP.i32And);
    if (typeof rm === 'string') { this.push32(rm); this.i32c(rtz); this.op(OP.i32Eq, OP.i32And); }
    this.fn.open(OP.if, type);
    const t = this.fn.temp(T.f64), inexact = this.fn.temp(T.i32);
    this.get_(x); this.op(OP.f64Trunc); this.b.byte(OP.localTee).u32(t);
    this.get_(x); this.op(OP.f64Ne); this.set_(inexact);
    this.accrue(inexact, false);
    this.get_(t); this.op(OP.i64TruncF64S);
    if (this.narrow) this.op(OP.i32WrapI64); else if (bits === 32) this.op(OP.i64Extend32S); // 32-bit results sign-extended
    this.op(OP.else);
    slow();
    this.fn.end();
    return this.narrow ? this.keepX32() : this.keep64();
  }
  /** fpu.ts fromIntX's exact case (the value fits the significand) as wasm; the rest through the import. */
  override fFromInt(dbl: boolean, bits: 32 | 64, signed: boolean, rm: E): void {
    const d = this.fAt(this.fd);
    const src = this.rs1;
    // The integer as an i64.
    if (this.narrow) { this.push32(src.lo); this.op(signed ? OP.i64ExtendI32S : OP.i64ExtendI32U); } else {
      this.push64(src);
      if (bits === 32) { if (signed) this.op(OP.i64Extend32S); else { this.i64c(-1, 0); this.op(OP.i64And); } }
    }
    const v = this.keep(T.i64);
    const limit = dbl ? 2 ** 53 : 2 ** 24;
    const get = () => this.get_(this.token(v).index);
    const k64 = (n: number) => this.i64c((n >>> 0) | 0, Math.floor(n / 2 ** 32)); // an integer within ±2^53 as its two words
    if (signed) {
      get(); k64(-limit); this.op(OP.i64GeS);
      get(); k64(limit); this.op(OP.i64LeS, OP.i32And);
    } else { get(); k64(limit); this.op(OP.i64LeU); }
    this.fn.open(OP.if, VOID);
    this.get_(PARAM.hb); get(); this.op(OP.f64ConvertI64S);
    this.fStore(dbl, d, null);
    this.op(OP.else);
    this.i32c(dbl ? 1 : 0); this.fIndex(d);
    get(); this.op(OP.i32WrapI64); get(); this.i64c(32, 0); this.op(OP.i64ShrU, OP.i32WrapI64);
    this.i32c(bits); this.i32c(signed ? 1 : 0); this.push32(rm);
    this.callJs(IMPORT.fpFromInt);
    this.fn.end();
  }

  /**
   * The arithmetic as softfloat-fast.ts decides it (round to nearest even on normal numbers
   * far from the exponent limits, NX by error-free transformations): written in wasm's own
   * f64 operations; any other case calls fpu.ts (IMPORT.fpArith), which settles it by
   * softfloat.ts. softfloat-fast.test.ts holds the reasoning's tests; blocks.test.ts runs
   * this against the interpreter.
   */
  override fpArith(t: 'S' | 'D', fop: number, rm: E): void {
    const d = this.fAt(this.fd), a = this.fAt(this.fa), b = this.fAt(this.fb), c = this.fAt(this.frs3);
    const slow = (): void => {
      this.i32c(t === 'D' ? 1 : 0); this.i32c(fop);
      for (const at of [d, a, b, c]) this.fIndex(at);
      this.push32(rm);
      this.callJs(IMPORT.fpArith);
    };
    if (rm !== 0 && typeof rm === 'number') { slow(); return; } // only round-to-nearest-even is the host's
    const f = new FloatEmitter(this.fn, this.b, PARAM.hb);
    const ok = this.fn.temp(T.i32), inexact = this.fn.temp(T.i32), r = this.fn.temp(T.f64);
    if (t === 'D') f.fastD(fop, a, b, c, ok, inexact, r); else f.fastS(fop, a, b, c, ok, inexact, r);
    if (typeof rm === 'string') { this.get_(ok); this.push32(rm); this.op(OP.i32Eqz, OP.i32And); this.set_(ok); }
    this.get_(ok);
    this.fn.open(OP.if, VOID);
    this.get_(PARAM.hb); this.get_(r);
    this.fStore(t === 'D', d, inexact);
    this.op(OP.else);
    slow();
    this.fn.end();
  }

  // ---- control ----
  private exitAt(t: number): void { this.fn.exitAt(t, this.k); }
  /** pc values whose offset from the block start is known: a jump to one may continue in wasm. */
  private readonly known = new Map<string, number>();
  private pcPlus(t: number): V {
    this.fn.pcAt(t);
    if (this.narrow) this.op(OP.i32WrapI64);
    const v = this.narrow ? this.keepX32() : this.keep64();
    this.known.set(v.lo as string, t);
    return v;
  }
  override nextPc(): V { return this.pcPlus(this.insn.off + this.insn.len); }
  override pcPlusImm(): V { return this.pcPlus(this.insn.off + this.insn.imm); }
  override jump(to: V): void {
    const t = typeof to.lo === 'string' ? this.known.get(to.lo) : undefined;
    if (t !== undefined) { this.fn.goTo(t, this.k); return; }
    if (this.narrow) { this.push32(to.lo); this.op(OP.i64ExtendI32U); } else this.push64(to);
    this.fn.leave(this.k, true);
  }
  override branch(cond: string): void {
    this.push32(cond);
    this.fn.open(OP.if, VOID);
    this.jump(this.pcPlusImm());
    this.fn.end();
    this.jump(this.nextPc());
  }
}
