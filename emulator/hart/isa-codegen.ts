/**
 * Turns the instruction semantics (isa-semantics.ts) into JavaScript source, for one XLEN
 * and one target: the interpreter's `switch` cases (operands are the loop's variables;
 * written into exec-rv64.ts / exec-rv32.ts by scripts/gen-isa.mjs) or one instruction of
 * a translated block (operands are literals; blocks.ts, at run time).
 *
 * The semantics speak in XLEN-wide values (V: a low int32 and, on RV64, a high one; 0 on
 * RV32) and the operations below; how a value is held is this file's business, so each
 * instruction is written once for both XLENs. On RV64 every operation binds its result
 * to a fresh `const`; on RV32 results stay expressions (most instructions are one JS
 * statement), so semantics that write rd before using a computed value bind it first
 * (`bind`, as JALR does: rd may be rs1).
 */
import { Encoding } from './isa-table';
import * as I64 from './int64';
import * as FP from './fpu';
import * as BM from './bitmanip';
import { MSTATUS } from './csr';
import { TLB_DRAM_ENTRY, TLB_INDEX_MASK } from '../mmu/tlb';

/**
 * The helpers generated code calls, by the names it uses. Translated blocks receive this
 * object; the exec files import the same names (tsc rejects a case that uses one they lack).
 */
export const RUNTIME = {
  I64, FP, BM, o: I64.out, mulhu32: I64.mulhu32, div32: I64.div32, divu32: I64.divu32, rem32: I64.rem32, remu32: I64.remu32,
};

/** A JavaScript expression, or a number already known (a block's immediate). */
export type E = string | number;
/** An XLEN-wide value: low int32 word and high word (always 0 on RV32). */
export interface V { readonly lo: E; readonly hi: E }
export type Xlen = 32 | 64;
/** The 32-bit word operations of the RV64 *W forms (Gen.word32). */
export type WordOp = 'add' | 'sub' | 'sll' | 'srl' | 'sra' | 'mul' | 'div' | 'divu' | 'rem' | 'remu' | 'rol' | 'ror';
/** Zbb's operations on one register (Bitmanip 1.0.0 §2.2-2.6), each one primitive so wasm can use its own counts, extends and masks. */
export type BitOp = 'clz' | 'ctz' | 'cpop' | 'clzw' | 'ctzw' | 'cpopw' | 'sext.b' | 'sext.h' | 'zext.h' | 'orc.b' | 'rev8';

/** One instruction of a block being translated (see blocks.ts `translateBlock`). */
export interface BlockInsn {
  d: number; a: number; b: number; imm: number;
  /** Its byte offset from the block's start, and its length. */
  off: number; len: number;
  /** The expression for instructions run once this one has (what its exits return). */
  n: string;
  /** The block's start slot (a store that drops the block stops it). */
  slot: number;
  /** Code for a taken branch instead of leaving for the target (a block that loops). */
  taken?: string;
}

const ATOM = /^-?[A-Za-z_0-9]+$/;
const isAtom = (e: E): boolean => typeof e === 'number' || ATOM.test(e);
/** `e` safe as an operand of any JavaScript operator: atoms, x[...], f(...) and (...) stay as they are. */
export function P(e: E): E {
  if (isAtom(e)) return e;
  const s = e as string;
  const open = /^(x\[[^\]]+\]|[\w.]*\()/.exec(s);
  if (open !== null && (open[0].endsWith(']') ? open[0].length === s.length : closesAt(s, open[0].length - 1) === s.length - 1)) return s;
  return `(${s})`;
}
/** Index of the parenthesis closing the one at `from`. */
function closesAt(s: string, from: number): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/** The RAM views (hart loop locals, exec-rv64.ts) and index shifts of each access size. */
const RAM_VIEW: Record<number, [string, number]> = { 1: ['ram8', 0], 2: ['ram16', 1], 4: ['ram32', 2], 8: ['ram32', 2] };
/** The index of byte offset `off` in a view of elements 1 << shift bytes. */
const at_ = (off: E, shift: number): string => (shift === 0 ? `${off}` : `(${off} >>> ${shift})`);
/** TLB_DRAM_ENTRY's words as index offsets (`+ N`, empty for 0). */
const ENTRY_WORD = {
  vaLo: TLB_DRAM_ENTRY.vaLo === 0 ? '' : ` + ${TLB_DRAM_ENTRY.vaLo >> 2}`,
  vaHi: ` + ${TLB_DRAM_ENTRY.vaHi >> 2}`,
  addend: ` + ${TLB_DRAM_ENTRY.addend >> 2}`,
};

/**
 * The operations the semantics are written with. Interpreter code sees: h, x, d, a, b, imm,
 * pcLo/pcHi/nLo/nHi (RV64) or pc/next (RV32), n, base, and the helpers imported by the
 * exec files (the loop's own cases also tlbR, tlbW, ram8, ram16, ram32, codeFlags and
 * resvCount); block code sees what blocks.ts passes its functions.
 */
export class Gen {
  /** Statements emitted so far. */
  lines: string[] = [];
  private temps = 0;
  private depth = 0;

  /**
   * `ramInline`: an interpreter case in the loop itself, whose loads and stores test the
   * TLB's DRAM entry inline (ramHit) before calling the hart.
   */
  constructor(readonly xlen: Xlen, readonly enc: Encoding, readonly blk: BlockInsn | null, readonly ramInline = false) {}

  private get wide(): boolean { return this.xlen === 64; }

  stmt(...js: string[]): void { for (const l of js) this.lines.push('  '.repeat(this.depth) + l); }
  /** `head {` ... close(): a nested block of statements. */
  open(head: string): void { this.stmt(`${head} {`); this.depth++; }
  close(): void { this.depth--; this.stmt('}'); }

  /** Bind an expression to a fresh constant (atoms stay as they are). */
  let(e: E): E {
    if (isAtom(e)) return e;
    const t = `t${this.temps++}`;
    this.stmt(`const ${t} = ${e};`);
    return t;
  }
  bind(v: V): V { return { lo: this.let(v.lo), hi: this.let(v.hi) }; }

  // ---- operands ----
  private regIndex(field: 'd' | 'a' | 'b', hi: boolean): string {
    if (this.blk === null) return hi ? `${field} + 1` : field;
    return String(this.blk[field] + (hi ? 1 : 0));
  }
  private reg(field: 'a' | 'b'): V {
    return { lo: `x[${this.regIndex(field, false)}]`, hi: this.wide ? `x[${this.regIndex(field, true)}]` : 0 };
  }
  get rs1(): V { return this.reg('a'); }
  get rs2(): V { return this.reg('b'); }
  /** The immediate as decoded: an int32 (a shift amount, a CSR number, a sign-extended immediate). */
  get immWord(): E { return this.blk === null ? 'imm' : this.blk.imm; }
  /** The immediate sign-extended to XLEN. */
  get imm(): V { return this.sext(this.immWord); }
  /** Register numbers (for CSR instructions and mtval). */
  get rdNum(): E { return this.blk === null ? '(d >>> 1)' : this.blk.d >>> 1; }
  get rs1Num(): E { return this.blk === null ? '(a >>> 1)' : this.blk.a >>> 1; }
  get rs2Num(): E { return this.blk === null ? '(b >>> 1)' : this.blk.b >>> 1; }

  /** rd ← v. The loop (or the block's skipping of x0 writes) keeps x0 zero. */
  rd(v: V): void {
    if (this.blk !== null && this.blk.d === 0) return;
    if (!this.wide) { this.stmt(`x[${this.regIndex('d', false)}] = ${v.lo};`); return; }
    // The high word may read the low word of a source that is also rd: low word last.
    const lo = this.let(v.lo);
    this.stmt(`x[${this.regIndex('d', true)}] = ${v.hi};`);
    this.stmt(`x[${this.regIndex('d', false)}] = ${lo};`);
  }

  // ---- 32-bit words into XLEN ----
  /** A 32-bit word sign-extended to XLEN. */
  sext(w: E): V {
    if (typeof w === 'number') return { lo: w, hi: this.wide ? w >> 31 : 0 };
    if (!this.wide) return { lo: w, hi: 0 };
    const t = this.let(w);
    return { lo: t, hi: `${t} >> 31` };
  }
  /** A 32-bit word zero-extended to XLEN. */
  zext(w: E): V { return { lo: w, hi: 0 }; }

  // ---- XLEN arithmetic ----
  add(p: V, q: V): V {
    if (!this.wide) return { lo: `(${P(p.lo)} + ${P(q.lo)}) | 0`, hi: 0 };
    const pl = this.let(p.lo);
    const lo = this.let(`(${pl} + ${P(q.lo)}) | 0`);
    return { lo, hi: this.let(`(${P(p.hi)} + ${P(q.hi)} + ((${lo} >>> 0) < (${pl} >>> 0) ? 1 : 0)) | 0`) };
  }
  sub(p: V, q: V): V {
    if (!this.wide) return { lo: `(${P(p.lo)} - ${P(q.lo)}) | 0`, hi: 0 };
    const pl = this.let(p.lo), ql = this.let(q.lo);
    const hi = this.let(`(${P(p.hi)} - ${P(q.hi)} - ((${pl} >>> 0) < (${ql} >>> 0) ? 1 : 0)) | 0`);
    return { lo: this.let(`(${pl} - ${ql}) | 0`), hi };
  }
  private bitwise(opr: string, p: V, q: V): V {
    if (!this.wide) return { lo: `${P(p.lo)} ${opr} ${P(q.lo)}`, hi: 0 };
    const keepsHi = opr === '&' && q.hi === -1; // a mask of the low bits (JALR's & -2)
    return { lo: this.let(`${P(p.lo)} ${opr} ${P(q.lo)}`), hi: keepsHi ? p.hi : this.let(`${P(p.hi)} ${opr} ${P(q.hi)}`) };
  }
  /** Bitwise not. */
  inv(p: V): V {
    if (!this.wide) return { lo: `~${P(p.lo)}`, hi: 0 };
    return { lo: this.let(`~${P(p.lo)}`), hi: this.let(`~${P(p.hi)}`) };
  }
  and(p: V, q: V): V { return this.bitwise('&', p, q); }
  or(p: V, q: V): V { return this.bitwise('|', p, q); }
  xor(p: V, q: V): V { return this.bitwise('^', p, q); }

  /** A shift amount from a register: its low log2(XLEN) bits. */
  shamt(v: V): E { return `${P(v.lo)} & ${this.xlen - 1}`; }
  sll(p: V, sh: E): V {
    if (!this.wide) return { lo: `${P(p.lo)} << ${P(sh)}`, hi: 0 };
    if (typeof sh !== 'number') return this.pairCall(`I64.sll(${P(p.lo)}, ${P(p.hi)}, ${sh})`);
    // A known amount (a block's immediate): straight-line code.
    if (sh === 0) return p;
    if (sh >= 32) return { lo: 0, hi: this.let(`${P(p.lo)} << ${sh - 32}`) };
    const l = this.let(p.lo);
    return { lo: this.let(`${l} << ${sh}`), hi: this.let(`(${P(p.hi)} << ${sh}) | (${l} >>> ${32 - sh})`) };
  }
  srl(p: V, sh: E): V { return this.shiftRight(p, sh, false); }
  sra(p: V, sh: E): V { return this.shiftRight(p, sh, true); }
  private shiftRight(p: V, sh: E, arith: boolean): V {
    const opr = arith ? '>>' : '>>>';
    if (!this.wide) return { lo: arith ? `${P(p.lo)} >> ${P(sh)}` : `(${P(p.lo)} >>> ${P(sh)}) | 0`, hi: 0 };
    if (typeof sh !== 'number') return this.pairCall(`I64.${arith ? 'sra' : 'srl'}(${P(p.lo)}, ${P(p.hi)}, ${sh})`);
    if (sh === 0) return p;
    const h = this.let(p.hi);
    if (sh >= 32) return { lo: this.let(`${h} ${opr} ${sh - 32}`), hi: arith ? this.let(`${h} >> 31`) : 0 };
    return { lo: this.let(`(${P(p.lo)} >>> ${sh}) | (${h} << ${32 - sh})`), hi: this.let(`${h} ${opr} ${sh}`) };
  }

  /** A Zbb operation on p (BitOp); the *w counts exist on RV64 only. */
  bits(op: BitOp, p: V): V {
    const { lo, hi } = p;
    const w = !this.wide;
    switch (op) {
      case 'clz': return this.zext(w ? `Math.clz32(${lo})` : `BM.clz64(${lo}, ${hi})`);
      case 'ctz': return this.zext(w ? `BM.ctz32(${lo})` : `BM.ctz64(${lo}, ${hi})`);
      case 'cpop': return this.zext(w ? `BM.cpop32(${lo})` : `BM.cpop32(${lo}) + BM.cpop32(${hi})`);
      case 'clzw': return this.zext(`Math.clz32(${lo})`);
      // QEMU 7.2 counts ctzw's zeros over all 64 bits (32 only when all are zero): kept (docs/architecture.md).
      case 'ctzw': return this.zext(`BM.ctzwQemu(${lo}, ${hi})`);
      case 'cpopw': return this.zext(`BM.cpop32(${lo})`);
      case 'sext.b': return this.sext(`(${P(lo)} << 24) >> 24`);
      case 'sext.h': return this.sext(`(${P(lo)} << 16) >> 16`);
      case 'zext.h': return this.zext(`${P(lo)} & 0xffff`);
      case 'orc.b': return w ? this.zext(`BM.orcb(${lo})`) : { lo: this.let(`BM.orcb(${lo})`), hi: this.let(`BM.orcb(${hi})`) };
      case 'rev8': return w ? this.zext(`BM.rev8(${lo})`) : this.bind({ lo: `BM.rev8(${hi})`, hi: `BM.rev8(${lo})` });
    }
  }

  /** Zbc's carry-less product of p and q: its low XLEN bits (0, clmul), high (1, clmulh) or bits 2·XLEN-2:XLEN-1 (2, clmulr). */
  clmul(which: 0 | 1 | 2, p: V, q: V): V {
    return this.wide ? this.pairCall(`BM.clmul64(${p.lo}, ${p.hi}, ${q.lo}, ${q.hi}, ${which})`) : this.zext(`BM.clmul32(${p.lo}, ${q.lo}, ${which})`);
  }

  /** p rotated right by sh (0 to XLEN-1): two shifts, straight-line code for a known amount. */
  rotr(p: V, sh: E): V {
    const v = this.bind(p);
    const back = typeof sh === 'number' ? (this.xlen - sh) & (this.xlen - 1) : `(${this.xlen} - ${P(sh)}) & ${this.xlen - 1}`;
    return this.or(this.srl(v, sh), this.sll(v, back));
  }
  rotl(p: V, sh: E): V {
    return this.rotr(p, typeof sh === 'number' ? (this.xlen - sh) & (this.xlen - 1) : `(${this.xlen} - ${P(sh)}) & ${this.xlen - 1}`);
  }

  /** A 32-bit operation on two words (int32 result; the RV64 *W forms, Unpriv §5.2, §7.1-7.2). */
  word32(op: WordOp, p: E, q: E): E {
    switch (op) {
      case 'add': return `(${P(p)} + ${P(q)}) | 0`;
      case 'sub': return `(${P(p)} - ${P(q)}) | 0`;
      case 'sll': return `${P(p)} << ${P(q)}`;
      case 'srl': return `(${P(p)} >>> ${P(q)}) | 0`;
      case 'sra': return `${P(p)} >> ${P(q)}`;
      case 'mul': return `Math.imul(${p}, ${q})`;
      case 'rol': return `(${P(p)} << (${P(q)} & 31)) | (${P(p)} >>> ((32 - ${P(q)}) & 31))`;
      case 'ror': return `(${P(p)} >>> (${P(q)} & 31)) | (${P(p)} << ((32 - ${P(q)}) & 31))`;
      default: return `${op}32(${p}, ${q})`;
    }
  }
  /** A word shift amount from a register: its low 5 bits. */
  shamt32(q: E): E { return `${P(q)} & 31`; }

  mul(p: V, q: V): V {
    return this.wide ? this.pairCall(`I64.mul(${P(p.lo)}, ${P(p.hi)}, ${P(q.lo)}, ${P(q.hi)})`) : { lo: `Math.imul(${P(p.lo)}, ${P(q.lo)})`, hi: 0 };
  }
  /** High XLEN bits of the product, each factor signed or not. */
  mulh(p: V, q: V, pSigned: boolean, qSigned: boolean): V {
    if (this.wide) return this.pairCall(`I64.mulh(${P(p.lo)}, ${P(p.hi)}, ${P(q.lo)}, ${P(q.hi)}, ${pSigned}, ${qSigned})`);
    const pl = this.let(p.lo), ql = this.let(q.lo);
    if (!pSigned && !qSigned) return { lo: this.let(`mulhu32(${pl}, ${ql})`), hi: 0 };
    // The unsigned high word, corrected for each negative signed factor.
    const t = `t${this.temps++}`;
    this.stmt(`let ${t} = mulhu32(${pl}, ${ql});`);
    if (pSigned) this.stmt(`if (${pl} < 0) ${t} = (${t} - ${ql}) | 0;`);
    if (qSigned) this.stmt(`if (${ql} < 0) ${t} = (${t} - ${pl}) | 0;`);
    return { lo: t, hi: 0 };
  }
  /** DIV, DIVU, REM, REMU: I64.<name> on RV64, <name>32 on RV32 (Unpriv §13.2 corner cases in both). */
  divide(name: 'div' | 'divu' | 'rem' | 'remu', p: V, q: V): V {
    return this.wide ? this.pairCall(`I64.${name}(${P(p.lo)}, ${P(p.hi)}, ${P(q.lo)}, ${P(q.hi)})`) : { lo: `${name}32(${P(p.lo)}, ${P(q.lo)})`, hi: 0 };
  }
  /** A call leaving an int32 pair in o (I64.out). */
  pairCall(call: string): V {
    this.stmt(`${call};`);
    return { lo: this.let('o[0]'), hi: this.let('o[1]') };
  }

  // ---- comparisons: JavaScript boolean expressions ----
  eq(p: V, q: V): string { return this.wide ? `${P(p.lo)} === ${P(q.lo)} && ${P(p.hi)} === ${P(q.hi)}` : `${P(p.lo)} === ${P(q.lo)}`; }
  ne(p: V, q: V): string { return this.wide ? `${P(p.lo)} !== ${P(q.lo)} || ${P(p.hi)} !== ${P(q.hi)}` : `${P(p.lo)} !== ${P(q.lo)}`; }
  lt(p: V, q: V): string { return this.wide ? `I64.lt(${P(p.lo)}, ${P(p.hi)}, ${P(q.lo)}, ${P(q.hi)})` : `${P(p.lo)} < ${P(q.lo)}`; }
  ltu(p: V, q: V): string {
    return this.wide ? `I64.ltu(${P(p.lo)}, ${P(p.hi)}, ${P(q.lo)}, ${P(q.hi)})` : `(${P(p.lo)} >>> 0) < (${P(q.lo)} >>> 0)`;
  }
  not(cond: string): string { return `!${P(cond)}`; }
  /** 1 or 0. */
  bool(cond: string): V { return { lo: this.let(`${P(cond)} ? 1 : 0`), hi: 0 }; }
  select(cond: string, p: V, q: V): V {
    const c = this.let(cond);
    return { lo: this.let(`${c} ? ${P(p.lo)} : ${P(q.lo)}`), hi: this.wide ? this.let(`${c} ? ${P(p.hi)} : ${P(q.hi)}`) : 0 };
  }

  // ---- memory ----
  /** A load of `bytes` at address `at`, sign- or zero-extended to XLEN. Stops at a fault. */
  load(bytes: 1 | 2 | 4 | 8, signed: boolean, at: V): V {
    let v: E, vh: E = 0;
    if (this.blk === null && this.ramInline) {
      const a = this.bind(at);
      v = `t${this.temps++}`;
      if (bytes === 8) vh = `t${this.temps++}`;
      this.stmt(`let ${v} = 0${bytes === 8 ? `, ${vh} = 0` : ''};`);
      const off = this.ramHit('tlbR', bytes, a);
      const [view, shift] = RAM_VIEW[bytes];
      this.stmt(`if (${off} >= 0) { ${v} = ${view}[${at_(off, shift)}];${bytes === 8 ? ` ${vh} = ${view}[${at_(off, shift)} + 1];` : ''} }`);
      this.stmt(`else { ${v} = h.load${bytes * 8}(${a.lo}, ${a.hi});${bytes === 8 ? ` ${vh} = h.ldHi;` : ''} if (h.excCause >= 0) break; }`);
    } else {
      v = this.let(`h.load${bytes * 8}(${at.lo}, ${at.hi})`);
      vh = bytes === 8 ? this.let('h.ldHi') : 0;
      this.afterAccess(false);
    }
    if (bytes === 8) return { lo: v, hi: vh };
    if (!signed) return this.zext(v);
    return this.sext(bytes === 4 ? v : `(${v} << ${32 - 8 * bytes}) >> ${32 - 8 * bytes}`);
  }
  store(bytes: 1 | 2 | 4 | 8, at: V, v: V): void {
    /** The hart's store call for address `a` and value `w`. */
    const call = (a: V, w: V) => `h.store${bytes * 8}(${a.lo}, ${a.hi}, ${bytes === 8 ? `${w.lo}, ${w.hi}` : bytes === 4 ? `${w.lo}` : `${P(w.lo)} & ${bytes === 1 ? '0xff' : '0xffff'}`});`;
    if (this.blk === null && this.ramInline) {
      const a = this.bind(at), w = bytes === 8 ? this.bind(v) : { lo: this.let(v.lo), hi: 0 };
      const off = this.ramHit('tlbW', bytes, a);
      const [view, shift] = RAM_VIEW[bytes];
      // memory.ts `stored`: decoded code there is dropped; other harts' reservations end (only when some hart holds one).
      this.stmt(`if (${off} >= 0) { ${view}[${at_(off, shift)}] = ${w.lo};${bytes === 8 ? ` ${view}[${at_(off, shift)} + 1] = ${w.hi};` : ''}` +
        ` if (codeFlags[${off} >>> 12] !== 0 || resvCount[0] !== 0) h.stored(${off}, ${bytes}); }`);
      this.stmt(`else ${call(a, w)}`);
      return;
    }
    this.stmt(call(at, v));
    this.afterAccess(true);
  }
  /**
   * The DRAM offset of an access at `a` when `tlb`'s entry for its page is DRAM and the
   * access is aligned (TLB_DRAM_ENTRY: one compare checks the page, the alignment and
   * DRAM, as compiled code does), else -1: an int32 constant's name.
   */
  private ramHit(tlb: 'tlbR' | 'tlbW', bytes: number, a: V): E {
    const e = this.let(`((${P(a.lo)} >>> 12) & ${TLB_INDEX_MASK}) * ${TLB_DRAM_ENTRY.bytes >> 2}`);
    return this.let(`${tlb}[${e}${ENTRY_WORD.vaLo}] === (${P(a.lo)} & ${~0xfff | (bytes - 1)}) && ${tlb}[${e}${ENTRY_WORD.vaHi}] === ${a.hi}` +
      ` ? (${P(a.lo)} + ${tlb}[${e}${ENTRY_WORD.addend}]) | 0 : -1`); // DRAM is at most 2 GiB (MAX_MEMORY_BYTES)
  }
  /** A hart call returning a value (the high word in h.ldHi on RV64); stops at a fault. */
  hartLoad(call: string): V {
    const v = this.let(call);
    const vh = this.wide ? this.let('h.ldHi') : 0;
    this.faultStop();
    return { lo: v, hi: vh };
  }
  /** Interpreter: leave the instruction when the access faulted (the loop raises it). */
  faultStop(): void { this.leaveIf('h.excCause >= 0'); }
  /** Interpreter: leave the instruction here when `cond` holds. */
  leaveIf(cond: string): void {
    if (this.blk !== null) throw new Error('leaveIf is for instructions the translator leaves to the interpreter');
    this.stmt(`if (${cond}) break;`);
  }
  private afterAccess(isStore: boolean): void {
    const b = this.blk;
    if (b === null) { if (!isStore) this.faultStop(); return; }
    // A fault stops at this instruction; anything else that makes the interpreter leave its
    // loop (a device raising an interrupt line) stops after it, so translated and
    // interpreted runs take interrupts at the same instruction. A load stops only once its
    // value is written (endBlockInsn): a PLIC claim read lowers a line, and its value counts.
    const here = this.wide ? `h.pcLo = (pcLo + ${b.off}) | 0; h.pcHi = pcHi;` : `h.pcLo = (pcLo + ${b.off}) | 0;`;
    if (isStore) this.stmt(`if (h.yieldLoop) { if (h.excCause >= 0) { ${here} } else { ${this.setPcAt(b.off + b.len)} } return ${b.n}; }`);
    else {
      this.stmt(`if (h.yieldLoop && h.excCause >= 0) { ${here} return ${b.n}; }`);
      this.yieldAfter = true;
    }
    // A store that dropped this very block (self-modifying code) stops after itself.
    if (isStore) this.stmt(`if (pg.blocks[${b.slot}] !== block) { ${this.setPcAt(b.off + b.len)} return ${b.n}; }`);
  }
  private yieldAfter = false;
  /** Block: the end of an instruction whose load left the loop's yield for after its result. */
  endBlockInsn(): void {
    const b = this.blk;
    if (b !== null && this.yieldAfter) this.stmt(`if (h.yieldLoop) { ${this.setPcAt(b.off + b.len)} return ${b.n}; }`);
  }

  // ---- control ----
  /** The address of the next instruction. */
  nextPc(): V {
    if (this.blk !== null) return this.pcAt(this.blk.off + this.blk.len);
    return this.wide ? { lo: 'nLo', hi: 'nHi' } : { lo: 'next', hi: 0 };
  }
  /** pc + the immediate. */
  pcPlusImm(): V {
    if (this.blk !== null) return this.pcAt(this.blk.off + this.blk.imm);
    return this.add(this.wide ? { lo: 'pcLo', hi: 'pcHi' } : { lo: 'pc', hi: 0 }, this.imm);
  }
  /** Continue at `to`; in a block this leaves the block. */
  jump(to: V): void {
    const b = this.blk;
    if (b === null) { this.stmt(this.wide ? `nLo = ${to.lo}; nHi = ${to.hi};` : `next = ${to.lo};`); return; }
    this.stmt(this.wide ? `h.pcLo = ${to.lo}; h.pcHi = ${to.hi}; return ${b.n};` : `h.pcLo = ${to.lo}; return ${b.n};`);
  }
  /** Jump to pc + imm when `cond` holds; a block leaves either way. */
  branch(cond: string): void {
    const b = this.blk;
    this.open(`if (${cond})`);
    if (b !== null && b.taken !== undefined) this.stmt(b.taken);
    else this.jump(this.pcPlusImm());
    this.close();
    if (b !== null) this.jump(this.nextPc());
  }
  /** Block: the pc of byte offset t from the block's start (may carry into the high word). */
  private pcAt(t: number): V {
    if (!this.wide) return { lo: `(pcLo + ${t}) | 0`, hi: 0 };
    const s = this.let(`(pcLo >>> 0) + ${t}`);
    return { lo: this.let(`${s} | 0`), hi: this.let(`(pcHi + Math.floor(${s} / 4294967296)) | 0`) };
  }
  private setPcAt(t: number): string {
    return this.wide ? `setPc(h, pcLo, pcHi, ${t});` : `h.pcLo = (pcLo + ${t}) | 0;`;
  }

  // ---- F and D ----
  /** Register indexes (doubled, as code) of rd, rs1, rs2 and rs3 (which sits in the immediate above rm). */
  get fd(): string { return this.regIndex('d', false); }
  get fa(): string { return this.regIndex('a', false); }
  get fb(): string { return this.regIndex('b', false); }
  get frs3(): E { return this.blk === null ? '((imm >> 2) & 62)' : ((this.blk.imm >> 3) & 31) * 2; }
  /** The low (or high) word of the f register at doubled index i. */
  f(i: E, hi = false): string { return hi ? `h.f[${i} + 1]` : `h.f[${i}]`; }
  /** The f register at doubled index i as a 64-bit value (a single's high word is its NaN box). */
  fGet(i: E): V { return { lo: this.f(i), hi: this.f(i, true) }; }
  /** f[i] ← v: a single (`single`: v's low word, NaN-boxed) or a double; FS becomes Dirty (QEMU 7.2 marks f writes only). */
  fSet(i: E, v: V, single: boolean): void {
    this.stmt(`${this.f(i)} = ${v.lo}; ${this.f(i, true)} = ${single ? -1 : v.hi}; h.mstatus |= ${MSTATUS.FS};`);
  }
  /** fsgnj (`j`), fsgnjn (`n`), fsgnjx (`x`): f[rd] ← f[rs1] with a sign from f[rs2]'s; singles unboxed first. */
  fSignInject(kind: 'j' | 'n' | 'x', single: boolean): void {
    const sign = (p: E, q: E) => (kind === 'j' ? `(${p} & 0x7fffffff) | (${q} & -0x80000000)`
      : kind === 'n' ? `(${p} & 0x7fffffff) | (~${q} & -0x80000000)` : `${p} ^ (${q} & -0x80000000)`);
    if (single) {
      const unboxed = (i: E) => this.let(`${this.f(i, true)} === -1 ? ${this.f(i)} : 0x7fc00000`);
      const p = unboxed(this.fa), q = unboxed(this.fb);
      this.fSet(this.fd, { lo: sign(p, q), hi: -1 }, true);
    } else {
      const lo = this.let(this.f(this.fa)), hi = this.let(sign(this.f(this.fa, true), this.f(this.fb, true)));
      this.fSet(this.fd, { lo, hi }, false);
    }
  }
  /** feq, flt, fle (CMP) of f[rs1] and f[rs2]: 1 or 0, an int32 condition; a NaN's flags accrue (fpu.ts compare). */
  fCompare(dbl: boolean, kind: number): string { return `FP.compare(h, ${dbl}, ${this.fa}, ${this.fb}, ${kind})`; }
  /** fclass's mask (fpu.ts classify), an int32. */
  fClass(dbl: boolean): E { return this.let(`FP.classify(h, ${dbl}, ${this.fa})`); }
  /** fmin/fmax (fpu.ts minMax). */
  fMinMax(dbl: boolean, max: boolean): void { this.stmt(`FP.minMax(h, ${dbl}, ${this.fd}, ${this.fa}, ${this.fb}, ${max});`); }
  /** fcvt.d.s (`toDouble`) or fcvt.s.d (fpu.ts convertFormat). */
  fConvert(toDouble: boolean, rm: E): void { this.stmt(`FP.convertFormat(h, ${toDouble}, ${this.fd}, ${this.fa}, ${rm});`); }
  /** fcvt to an integer of `bits` (fpu.ts toIntX): the XLEN value for rd. */
  fToInt(dbl: boolean, bits: 32 | 64, signed: boolean, rm: E): V {
    this.stmt(`FP.toIntX(h, ${dbl}, ${this.fa}, ${bits}, ${signed}, ${rm});`);
    return { lo: this.let('FP.cvt.lo'), hi: this.wide ? this.let('FP.cvt.hi') : 0 };
  }
  /** fcvt from rs1 as an integer of `bits` (fpu.ts fromIntX). */
  fFromInt(dbl: boolean, bits: 32 | 64, signed: boolean, rm: E): void {
    const x = this.rs1;
    this.stmt(`FP.fromIntX(h, ${dbl}, ${this.fd}, ${x.lo}, ${bits === 64 ? x.hi : 0}, ${bits}, ${signed}, ${rm});`);
  }
  /**
   * f[rd] ← op(f[rs1], f[rs2], f[rs3]) for the arithmetic of format `t` (softfloat-fast.ts
   * FOP), rounding mode `rm` (fpBegin's): fpu.ts's host-double fast path, else softfloat.ts.
   */
  fpArith(t: 'S' | 'D', fop: number, rm: E): void {
    this.stmt(`FP.arith${t}(h, ${fop}, ${this.fd}, ${this.fa}, ${this.fb}, ${fop >= 8 ? this.frs3 : 0}, ${rm});`);
  }
  /**
   * Opens an F/D instruction: illegal when mstatus.FS is Off (as QEMU 7.2: every F/D
   * instruction) or, for an encoding with a rounding mode, when the mode is reserved.
   * Returns the rounding mode (fpu.ts clears and accrues softfloat.ts's flags itself).
   */
  fpBegin(): E {
    // Without F, FS stays Off; D instructions need D too.
    this.illegalIf(`(h.mstatus & ${MSTATUS.FS}) === 0${this.enc.ext === 'D' ? ' || !h.hasD' : ''}`);
    let rm: E = 0;
    if (this.enc.rm === true) {
      rm = this.let(`FP.roundingMode(h, ${this.blk === null ? 'imm & 7' : this.blk.imm & 7})`);
      this.illegalIf(`${rm} < 0`);
    }
    return rm;
  }
  /** Raise an illegal instruction here and leave (its bits are fetched again for mtval). */
  private illegalIf(cond: string): void {
    this.open(`if (${cond})`);
    const b = this.blk;
    if (b !== null) { // as a faulting access: the loop raises it at this instruction
      this.stmt(this.setPcAt(b.off), 'h.illegalAt(h.pcLo, h.pcHi);', `return ${b.n};`);
      this.close();
      return;
    }
    this.pcToHart();
    this.stmt('h.illegal(h.insnBitsAt(h.pcLo, h.pcHi));');
    this.pcFromHart();
    this.stmt('break;');
    this.close();
  }

  // ---- the hart's own state (interpreter only) ----
  /** h.pc ← this instruction's pc (before a trap or a CSR access). */
  pcToHart(): void { this.stmt(this.wide ? 'h.pcLo = pcLo; h.pcHi = pcHi;' : 'h.pcLo = pc;'); }
  /** h.pc ← the next instruction's pc. */
  nextToHart(): void { this.stmt(this.wide ? 'h.pcLo = nLo; h.pcHi = nHi;' : 'h.pcLo = next;'); }
  /** Continue wherever the hart's pc now points (after a trap or xRET). */
  pcFromHart(): void { this.stmt(this.wide ? 'nLo = h.pcLo; nHi = h.pcHi;' : 'next = h.pcLo;'); }
  /** This instruction's bits, rebuilt from its fields (mtval of an illegal CSR or system instruction). */
  insnBits(): string {
    const match = `0x${(this.enc.match >>> 0).toString(16)}`;
    switch (this.enc.format) {
      case 'CSR': case 'CSRI': return `${match} | (${this.immWord} << 20) | (${this.rs1Num} << 15) | (${this.rdNum} << 7)`;
      case 'SFENCE': return `${match} | (${this.rs2Num} << 20) | (${this.rs1Num} << 15)`;
      case 'CBO': return `${match} | (${this.rs1Num} << 15)`;
      default: return match; // the other fields are part of the match
    }
  }
}
