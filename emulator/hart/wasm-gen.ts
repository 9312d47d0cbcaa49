/**
 * The instruction semantics (isa-semantics.ts) as WebAssembly: a Gen whose operations
 * emit wasm bytecode into the function being compiled instead of JavaScript source, so
 * each instruction is still written once. RV64 only: XLEN values are i64 locals.
 *
 * Values are tokens that pass through the semantics as the JavaScript builder's strings
 * do: `w64_N` is i64 local N, `w32_N` i32 local N, a number a constant. A semantics
 * that writes JavaScript of its own (a helper call, an expression in a template string)
 * hands this builder a string that is no token, and the instruction is Untranslatable:
 * the block ends before it (a block that starts with one is the JavaScript translator's).
 */
import { BlockInsn, E, Gen, V, WordOp } from './isa-codegen';
import { Encoding } from './isa-table';
import { Bytes, OP, T, ValType, VOID } from './wasm-binary';
import { HART_AREA } from './wasm-area';
import { TLB_AREA } from '../mmu/tlb';

/** Thrown when an instruction cannot be compiled; the block ends before it. */
export class Untranslatable extends Error {}

/** Parameters of a page function, by local index. */
export const PARAM = { hb: 0, pcLo: 1, pcHi: 2, limit: 3, entry: 4 } as const;
/** Function indexes of the imports (wasm-blocks.ts IMPORTS is in this order). */
export const IMPORT = { load: 0, store: 1, stored: 2 } as const;
/** What a slow access returns: bits of its outcome. */
export const STATUS = { fault: 1, yield: 2, dropped: 4 } as const;

/** A block of the page module that others may continue into (wasm-blocks.ts). */
export interface Entry { readonly index: number; readonly length: number }

/**
 * The function being compiled, one per page: its body and locals, shared by the
 * instructions' builders, and the page's entries (its compiled blocks by page offset),
 * which a jump or branch to continues into without leaving wasm.
 */
export class WasmFn {
  readonly body = new Bytes();
  readonly locals: ValType[] = [];
  /** Instructions run by the blocks before the current one, i32. */
  readonly c: number;
  /** The current block's start pc, i64. */
  readonly pc: number;
  /** The last slow access's STATUS bits, i32. */
  readonly st: number;
  /** The entry to run next (the dispatch loop's br_table index), i32. */
  readonly e: number;
  /** The current block: its page offset and the label depth of the dispatch loop from its top level. */
  block = { off: 0, depth: 0 };

  constructor(readonly hasCodeAt: number, readonly resvCountAt: number, readonly entries: ReadonlyMap<number, Entry>) {
    this.c = this.local(T.i32);
    this.pc = this.local(T.i64);
    this.st = this.local(T.i32);
    this.e = this.local(T.i32);
  }
  local(t: ValType): number {
    this.locals.push(t);
    return PARAMS + this.locals.length - 1;
  }

  // Within a block, registers live in locals: each is loaded from the hart's x at its first
  // use and written back at every exit if the block wrote it. The sets describe the code
  // at the point being emitted, which is straight-line but for exits (they never fall through).
  private readonly regLocals = new Map<number, number>();
  private readonly loaded = new Set<number>();
  private readonly dirty = new Set<number>();
  /** The local holding register r (doubled index), loaded here if this block has not yet. */
  reg(r: number): number {
    let l = this.regLocals.get(r);
    if (l === undefined) { l = this.local(T.i64); this.regLocals.set(r, l); }
    if (!this.loaded.has(r)) {
      this.body.byte(OP.localGet).u32(PARAM.hb).byte(OP.i64Load).u32(3).u32(HART_AREA.x + 4 * r).byte(OP.localSet).u32(l);
      this.loaded.add(r);
    }
    return l;
  }
  /** Register r (doubled index) ← the value on the stack. */
  setReg(r: number): void {
    let l = this.regLocals.get(r);
    if (l === undefined) { l = this.local(T.i64); this.regLocals.set(r, l); }
    this.body.byte(OP.localSet).u32(l);
    this.loaded.add(r);
    this.dirty.add(r);
  }
  /** A new block's code starts: nothing loaded. */
  startBlock(off: number, depth: number): void {
    this.block = { off, depth };
    this.loaded.clear();
    this.dirty.clear();
  }
  /** Store the registers this block wrote back into the hart (before leaving or continuing). */
  writeBack(): void {
    for (const r of this.dirty) {
      this.body.byte(OP.localGet).u32(PARAM.hb).byte(OP.localGet).u32(this.regLocals.get(r)!).byte(OP.i64Store).u32(3).u32(HART_AREA.x + 4 * r);
    }
  }

  /** Leave: pc = block start + t; return the instructions run, `k` of this block's included. */
  exitAt(t: number, k: number): void {
    const b = this.body;
    this.writeBack();
    b.byte(OP.localGet).u32(PARAM.hb);
    b.byte(OP.localGet).u32(this.pc).byte(OP.i64Const).s64(t, t >> 31).byte(OP.i64Add);
    b.byte(OP.i64Store).u32(3).u32(HART_AREA.pc);
    b.byte(OP.localGet).u32(this.c).byte(OP.i32Const).s32(k).byte(OP.i32Add).byte(OP.return);
  }

  /**
   * Continue at block start + t after `k` instructions: into the entry there when the page
   * has one and the budget holds all of it (as the interpreter's loop would run it), else
   * leave. `nested`: the `if`s this code sits in.
   */
  goTo(t: number, k: number, nested: number): void {
    const to = this.entries.get(this.block.off + t);
    if (to === undefined || this.block.off + t >= 4096 || this.block.off + t < 0) { this.exitAt(t, k); return; }
    const b = this.body;
    this.writeBack();
    b.byte(OP.localGet).u32(this.c).byte(OP.i32Const).s32(k).byte(OP.i32Add).byte(OP.localSet).u32(this.c);
    b.byte(OP.localGet).u32(PARAM.limit).byte(OP.localGet).u32(this.c).byte(OP.i32Sub).byte(OP.i32Const).s32(to.length).byte(OP.i32GeS);
    b.byte(OP.if).byte(VOID);
    b.byte(OP.i32Const).s32(to.index).byte(OP.localSet).u32(this.e);
    b.byte(OP.br).u32(this.block.depth + nested + 1);
    b.byte(OP.end);
    this.exitAt(t, 0);
  }
}

/** Parameters before the locals: hb, pcLo, pcHi, limit, entry. */
export const PARAMS = 5;

const TOKEN = /^w(32|64)_(\d+)$/;
const MIN_HI = -0x80000000;

export class WasmGen extends Gen {
  private readonly b: Bytes;
  private loadStatus = false;

  /** `k`: instructions the block has run once this one has. */
  constructor(enc: Encoding, private readonly insn: BlockInsn, private readonly fn: WasmFn, private readonly k: number) {
    super(64, enc, insn);
    this.b = fn.body;
  }

  // ---- emitting ----
  private op(...codes: number[]): void { for (const c of codes) this.b.byte(c); }
  private get_(i: number): void { this.b.byte(OP.localGet).u32(i); }
  private set_(i: number): void { this.b.byte(OP.localSet).u32(i); }
  /** Pop the value on the stack into a fresh local; its token. */
  private keep(t: ValType): string {
    const i = this.fn.local(t);
    this.set_(i);
    return `w${t === T.i64 ? 64 : 32}_${i}`;
  }
  private keep64(): V { const t = this.keep(T.i64); return { lo: t, hi: t }; }
  /** A memory access's memarg: alignment exponent and offset. */
  private mem(code: number, align: number, offset: number): void { this.b.byte(code).u32(align).u32(offset); }
  private i32c(v: number): void { this.b.byte(OP.i32Const).s32(v); }
  private i64c(lo: number, hi: number): void { this.b.byte(OP.i64Const).s64(lo, hi); }

  private token(e: E): { bits: 32 | 64; index: number } {
    const m = typeof e === 'string' ? TOKEN.exec(e) : null;
    if (m === null) throw new Untranslatable(`not a wasm value: ${String(e)}`);
    return { bits: m[1] === '64' ? 64 : 32, index: Number(m[2]) };
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
  override fpBegin(): E { throw new Untranslatable('F and D'); }
  override pcToHart(): void { throw new Untranslatable('the hart pc'); }
  override nextToHart(): void { throw new Untranslatable('the hart pc'); }
  override pcFromHart(): void { throw new Untranslatable('the hart pc'); }

  override let(e: E): E { if (typeof e !== 'number') this.token(e); return e; }
  override bind(v: V): V { this.let(v.lo); this.let(v.hi); return v; }

  // ---- operands ----
  /** Register r (doubled index) as a token: its local, loaded from the hart on first use in the block. */
  private xreg(r: number): V {
    if (r === 0) return { lo: 0, hi: 0 };
    const t = `w64_${this.fn.reg(r)}`;
    return { lo: t, hi: t };
  }
  override get rs1(): V { return this.xreg(this.insn.a); }
  override get rs2(): V { return this.xreg(this.insn.b); }
  override rd(v: V): void {
    if (this.insn.d === 0) return;
    this.push64(v);
    this.fn.setReg(this.insn.d);
  }

  override sext(w: E): V {
    if (typeof w === 'number') return { lo: w, hi: w >> 31 };
    const t = this.token(w);
    this.get_(t.index);
    this.op(t.bits === 64 ? OP.i64Extend32S : OP.i64ExtendI32S);
    return this.keep64();
  }
  override zext(w: E): V {
    if (typeof w === 'number') return { lo: w, hi: 0 };
    const t = this.token(w);
    this.get_(t.index);
    if (t.bits === 64) { this.i64c(-1, 0); this.op(OP.i64And); } else this.op(OP.i64ExtendI32U);
    return this.keep64();
  }

  override add(p: V, q: V): V { return this.bin64(OP.i64Add, p, q); }
  override sub(p: V, q: V): V { return this.bin64(OP.i64Sub, p, q); }
  override and(p: V, q: V): V { return this.bin64(OP.i64And, p, q); }
  override or(p: V, q: V): V { return this.bin64(OP.i64Or, p, q); }
  override xor(p: V, q: V): V { return this.bin64(OP.i64Xor, p, q); }
  override inv(p: V): V { return this.bin64(OP.i64Xor, p, { lo: -1, hi: -1 }); }
  override shamt(v: V): E { return v.lo; }
  private shift(code: number, p: V, sh: E): V { this.push64(p); this.pushShift(sh); this.op(code); return this.keep64(); }
  override sll(p: V, sh: E): V { return this.shift(OP.i64Shl, p, sh); }
  override srl(p: V, sh: E): V { return this.shift(OP.i64ShrU, p, sh); }
  override sra(p: V, sh: E): V { return this.shift(OP.i64ShrS, p, sh); }
  override rotr(p: V, sh: E): V { return this.shift(OP.i64Rotr, p, sh); }
  override rotl(p: V, sh: E): V { return this.shift(OP.i64Rotl, p, sh); }
  override mul(p: V, q: V): V { return this.bin64(OP.i64Mul, p, q); }

  /** High 64 bits of the 128-bit product: four 32x32 partial products, then the signed corrections. */
  override mulh(p: V, q: V, pSigned: boolean, qSigned: boolean): V {
    const a = this.bind64(p), b = this.bind64(q);
    const lo32 = (v: V) => { this.push64(v); this.i64c(-1, 0); this.op(OP.i64And); return this.keep64(); };
    const hi32 = (v: V) => this.shift(OP.i64ShrU, v, 32);
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
    const a = this.bind64(p), b = this.bind64(q);
    this.push64(b); this.op(OP.i64Eqz);
    this.b.byte(OP.if).byte(T.i64);
    if (name === 'div' || name === 'divu') this.i64c(-1, -1); else this.push64(a);
    this.op(OP.else);
    if (name === 'div') {
      this.push64(a); this.i64c(0, MIN_HI); this.op(OP.i64Eq);
      this.push64(b); this.i64c(-1, -1); this.op(OP.i64Eq, OP.i32And);
      this.b.byte(OP.if).byte(T.i64);
      this.i64c(0, MIN_HI);
      this.op(OP.else);
      this.push64(a); this.push64(b); this.op(OP.i64DivS);
      this.op(OP.end);
    } else {
      this.push64(a); this.push64(b);
      this.op(name === 'divu' ? OP.i64DivU : name === 'rem' ? OP.i64RemS : OP.i64RemU); // rem_s of MIN by -1 is 0 in wasm
    }
    this.op(OP.end);
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
    this.b.byte(OP.if).byte(T.i32);
    if (op === 'div' || op === 'divu') this.i32c(-1); else this.push32(a);
    this.op(OP.else);
    if (op === 'div') {
      this.push32(a); this.i32c(MIN_HI); this.op(OP.i32Eq);
      this.push32(b); this.i32c(-1); this.op(OP.i32Eq, OP.i32And);
      this.b.byte(OP.if).byte(T.i32);
      this.i32c(MIN_HI);
      this.op(OP.else);
      this.push32(a); this.push32(b); this.op(OP.i32DivS);
      this.op(OP.end);
    } else {
      this.push32(a); this.push32(b);
      this.op(op === 'divu' ? OP.i32DivU : op === 'rem' ? OP.i32RemS : OP.i32RemU);
    }
    this.op(OP.end);
    return this.keep(T.i32);
  }
  private keep32(e: E): E { if (typeof e === 'number') return e; this.push32(e); return this.keep(T.i32); }
  override shamt32(q: E): E { return q; } // wasm's i32 shifts take the amount modulo 32

  // ---- comparisons: i32 0/1 values ----
  override eq(p: V, q: V): string { return this.cmp64(OP.i64Eq, p, q); }
  override ne(p: V, q: V): string { return this.cmp64(OP.i64Ne, p, q); }
  override lt(p: V, q: V): string { return this.cmp64(OP.i64LtS, p, q); }
  override ltu(p: V, q: V): string { return this.cmp64(OP.i64LtU, p, q); }
  override not(cond: string): string { this.push32(cond); this.op(OP.i32Eqz); return this.keep(T.i32); }
  override bool(cond: string): V { this.push32(cond); this.op(OP.i64ExtendI32U); return this.keep64(); }
  override select(cond: string, p: V, q: V): V {
    this.push64(p); this.push64(q); this.push32(cond); this.op(OP.select);
    return this.keep64();
  }

  // ---- memory: the TLB check inline, RAM hits never leave wasm ----
  /**
   * Leaves on the stack 1 when `lo`/`hi` (i32 locals) hit the TLB at `tlb` with an
   * aligned access of `bytes` to DRAM, and sets `ram` to the DRAM address.
   */
  private tlbHit(tlb: number, lo: number, hi: number, bytes: number, ram: number): void {
    const ix = this.fn.local(T.i32);
    this.get_(PARAM.hb);
    this.get_(lo); this.i32c(12); this.op(OP.i32ShrU); this.i32c(255); this.op(OP.i32And); this.i32c(2); this.op(OP.i32Shl);
    this.op(OP.i32Add);
    this.b.byte(OP.localTee).u32(ix);
    this.mem(OP.i32Load, 2, tlb + TLB_AREA.tagLo);
    this.get_(lo); this.i32c(12); this.op(OP.i32ShrU, OP.i32Eq);
    this.get_(ix); this.mem(OP.i32Load, 2, tlb + TLB_AREA.tagHi);
    this.get_(hi); this.op(OP.i32Eq, OP.i32And);
    if (bytes > 1) { this.get_(lo); this.i32c(bytes - 1); this.op(OP.i32And, OP.i32Eqz, OP.i32And); }
    this.get_(ix); this.mem(OP.i32Load, 2, tlb + TLB_AREA.ram);
    this.b.byte(OP.localTee).u32(ram);
    this.i32c(0); this.op(OP.i32GeS, OP.i32And);
  }
  /** The address as two i32 locals. */
  private split(at: V): [number, number] {
    const lo = this.fn.local(T.i32), hi = this.fn.local(T.i32);
    this.push64(at); this.op(OP.i32WrapI64); this.set_(lo);
    this.push64(at); this.i64c(32, 0); this.op(OP.i64ShrU, OP.i32WrapI64); this.set_(hi);
    return [lo, hi];
  }
  /** DRAM address of the page hit (ram) plus the page offset of lo. */
  private ramAddress(ram: number, lo: number): void {
    this.get_(ram); this.get_(lo); this.i32c(0xfff); this.op(OP.i32And, OP.i32Add);
  }

  override load(bytes: 1 | 2 | 4 | 8, signed: boolean, at: V): V {
    const [lo, hi] = this.split(at);
    const ram = this.fn.local(T.i32);
    const align = bytes === 8 ? 3 : bytes === 4 ? 2 : bytes === 2 ? 1 : 0;
    const load = bytes === 8 ? OP.i64Load : bytes === 4 ? (signed ? OP.i64Load32S : OP.i64Load32U)
      : bytes === 2 ? (signed ? OP.i64Load16S : OP.i64Load16U) : (signed ? OP.i64Load8S : OP.i64Load8U);
    this.i32c(0); this.set_(this.fn.st);
    this.tlbHit(HART_AREA.tlbR, lo, hi, bytes, ram);
    this.b.byte(OP.if).byte(T.i64);
    this.ramAddress(ram, lo);
    this.mem(load, align, 0);
    this.op(OP.else);
    // The hart's own load (memory.ts): its value lands in the scratch words, its outcome in st.
    this.i32c(bytes); this.get_(lo); this.get_(hi); this.b.byte(OP.call).u32(IMPORT.load); this.set_(this.fn.st);
    this.get_(PARAM.hb); this.mem(load, align, HART_AREA.scratch);
    this.op(OP.end);
    const v = this.keep64();
    // A fault stops at this instruction (counted, as the interpreter counts it).
    this.get_(this.fn.st); this.i32c(STATUS.fault); this.op(OP.i32And);
    this.b.byte(OP.if).byte(VOID);
    this.exitAt(this.insn.off);
    this.op(OP.end);
    this.loadStatus = true;
    return v;
  }

  override store(bytes: 1 | 2 | 4 | 8, at: V, v: V): void {
    const [lo, hi] = this.split(at);
    const ram = this.fn.local(T.i32);
    const align = bytes === 8 ? 3 : bytes === 4 ? 2 : bytes === 2 ? 1 : 0;
    const store = bytes === 8 ? OP.i64Store : bytes === 4 ? OP.i64Store32 : bytes === 2 ? OP.i64Store16 : OP.i64Store8;
    const val = this.bind64(v);
    this.i32c(0); this.set_(this.fn.st);
    this.tlbHit(HART_AREA.tlbW, lo, hi, bytes, ram);
    this.b.byte(OP.if).byte(VOID);
    this.ramAddress(ram, lo);
    this.b.byte(OP.localTee).u32(ram);
    this.push64(val);
    this.mem(store, align, 0);
    // A page holding code, or a reservation anywhere: the hart's bookkeeping (memory.ts `stored`).
    this.get_(ram); this.i32c(12); this.op(OP.i32ShrU); this.mem(OP.i32Load8U, 0, this.fn.hasCodeAt);
    this.i32c(0); this.mem(OP.i32Load, 2, this.fn.resvCountAt);
    this.op(OP.i32Or);
    this.b.byte(OP.if).byte(VOID);
    this.get_(ram); this.i32c(bytes); this.b.byte(OP.call).u32(IMPORT.stored); this.set_(this.fn.st);
    this.op(OP.end);
    this.op(OP.else);
    this.i32c(bytes); this.get_(lo); this.get_(hi);
    this.push64(val); this.op(OP.i32WrapI64);
    this.push64(val); this.i64c(32, 0); this.op(OP.i64ShrU, OP.i32WrapI64);
    this.b.byte(OP.call).u32(IMPORT.store); this.set_(this.fn.st);
    this.op(OP.end);
    // A fault stops at this instruction; a yield, or a store that dropped this very block, after it.
    this.get_(this.fn.st); this.i32c(STATUS.fault); this.op(OP.i32And);
    this.b.byte(OP.if).byte(VOID);
    this.exitAt(this.insn.off);
    this.op(OP.else);
    this.get_(this.fn.st);
    this.b.byte(OP.if).byte(VOID);
    this.exitAt(this.insn.off + this.insn.len);
    this.op(OP.end, OP.end);
  }

  /** After the instruction: a load that made the hart yield stops here, once its value is written. */
  override endBlockInsn(): void {
    if (!this.loadStatus) return;
    this.get_(this.fn.st);
    this.b.byte(OP.if).byte(VOID);
    this.exitAt(this.insn.off + this.insn.len);
    this.op(OP.end);
  }

  // ---- control ----
  private exitAt(t: number): void { this.fn.exitAt(t, this.k); }
  /** pc values whose offset from the block start is known: a jump to one may continue in wasm. */
  private readonly known = new Map<string, number>();
  private pcPlus(t: number): V {
    this.get_(this.fn.pc); this.i64c(t, t >> 31); this.op(OP.i64Add);
    const v = this.keep64();
    this.known.set(v.lo as string, t);
    return v;
  }
  override nextPc(): V { return this.pcPlus(this.insn.off + this.insn.len); }
  override pcPlusImm(): V { return this.pcPlus(this.insn.off + this.insn.imm); }
  override jump(to: V): void { this.jumpIn(to, 0); }
  private jumpIn(to: V, nested: number): void {
    const t = typeof to.lo === 'string' ? this.known.get(to.lo) : undefined;
    if (t !== undefined) { this.fn.goTo(t, this.k, nested); return; }
    this.fn.writeBack();
    this.get_(PARAM.hb); this.push64(to); this.mem(OP.i64Store, 3, HART_AREA.pc);
    this.get_(this.fn.c); this.i32c(this.k); this.op(OP.i32Add, OP.return);
  }
  override branch(cond: string): void {
    this.push32(cond);
    this.b.byte(OP.if).byte(VOID);
    this.jumpIn(this.pcPlusImm(), 1);
    this.op(OP.end);
    this.jump(this.nextPc());
  }
}
