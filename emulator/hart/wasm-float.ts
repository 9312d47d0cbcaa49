/**
 * softfloat-fast.ts's decision in WebAssembly: the F/D arithmetic in round-to-nearest-even
 * on normal numbers far from the exponent limits, with NX from error-free transformations
 * (TwoSum, Dekker's TwoProduct), as wasm f64 operations on the f registers in the hart's
 * area. Every value is an f64 local (an instruction's temporaries: WasmFn.temp); `ok`
 * ends 1 only where softfloat-fast.ts would answer too, so the rest goes to softfloat.ts
 * (wasm-gen.ts fpArith) and both engines give the same bits and flags.
 */
import { FOP, HI, LARGEST_SAFE_S, LO, SMALLEST_SAFE_S } from './softfloat-fast';
import { Bytes, OP, T, ValType } from './wasm-binary';

/** Where the emitter takes its locals: the function's instruction temporaries (wasm-gen.ts WasmFn.temp). */
export interface Temps { temp(t: ValType): number }

/** Dekker's splitter for doubles: 2^27 + 1. */
const SPLIT = 134217729;

export class FloatEmitter {
  constructor(private readonly fn: Temps, private readonly b: Bytes, private readonly hb: number) {}

  // ---- stack and locals ----
  private get(l: number): void { this.b.byte(OP.localGet).u32(l); }
  private set(l: number): void { this.b.byte(OP.localSet).u32(l); }
  private k(v: number): void { this.b.byte(OP.f64Const).f64(v); }
  private op(...codes: number[]): void { for (const c of codes) this.b.byte(c); }
  /** The value `push` leaves, in a new f64 local. */
  private val(push: () => void): number { push(); const l = this.fn.temp(T.f64); this.set(l); return l; }
  private bin(code: number, x: number, y: number): number { return this.val(() => { this.get(x); this.get(y); this.op(code); }); }
  private add(x: number, y: number): number { return this.bin(OP.f64Add, x, y); }
  private sub(x: number, y: number): number { return this.bin(OP.f64Sub, x, y); }
  private mul(x: number, y: number): number { return this.bin(OP.f64Mul, x, y); }
  private neg(x: number): number { return this.val(() => { this.get(x); this.op(OP.f64Neg); }); }
  /** ok ← ok & the i32 `push` leaves. */
  private need(ok: number, push: () => void): void { this.get(ok); push(); this.op(OP.i32And); this.set(ok); }

  // ---- softfloat-fast.ts's predicates and error terms ----
  /** Push: |x| within [LO, HI]. */
  private inRange(x: number, lo = LO, hi = HI): void {
    const m = this.val(() => { this.get(x); this.op(OP.f64Abs); });
    this.get(m); this.k(lo); this.op(OP.f64Ge);
    this.get(m); this.k(hi); this.op(OP.f64Le, OP.i32And);
  }
  /** Push: x is zero or in range (NaN is neither). */
  private okOperand(x: number): void { this.get(x); this.k(0); this.op(OP.f64Eq); this.inRange(x); this.op(OP.i32Or); }
  private nonzero(x: number): void { this.get(x); this.k(0); this.op(OP.f64Ne); }
  /** TwoSum's error term of s = a + b. */
  private sumError(a: number, b: number, s: number): number {
    const bb = this.sub(s, a);
    return this.add(this.sub(a, this.sub(s, bb)), this.sub(b, bb));
  }
  /** Dekker's TwoProduct error term of p = a·b. */
  private productError(a: number, b: number, p: number): number {
    const split = (v: number): [number, number] => {
      const s = this.val(() => { this.k(SPLIT); this.get(v); this.op(OP.f64Mul); });
      const h = this.sub(s, this.sub(s, v));
      return [h, this.sub(v, h)];
    };
    const [ah, al] = split(a), [bh, bl] = split(b);
    return this.add(this.add(this.add(this.sub(this.mul(ah, bh), p), this.mul(ah, bl)), this.mul(al, bh)), this.mul(al, bl));
  }
  /** Push half an ulp of a normal r, a quarter when r is a power of two (softfloat-fast.ts quarterUlpOrMore). */
  private quarterUlpOrMore(r: number): void {
    this.get(r); this.op(OP.i64ReinterpretF64); this.b.byte(OP.i64Const).s64(0, 0x7ff00000); this.op(OP.i64And);
    this.b.byte(OP.i64Const).s64(0, 54 << 20); this.b.byte(OP.i64Const).s64(0, 53 << 20);
    this.get(r); this.op(OP.i64ReinterpretF64); this.b.byte(OP.i64Const).s64(-1, 0xfffff); this.op(OP.i64And, OP.i64Eqz);
    this.op(OP.select, OP.i64Sub, OP.f64ReinterpretI64);
  }

  // ---- operands ----
  private loadD(at: number): number { return this.val(() => { this.get(this.hb); this.b.byte(OP.f64Load).u32(3).u32(at); }); }
  /** A single as a double; ok ← ok & it is NaN-boxed (else softfloat.ts reads it as the canonical NaN). */
  private loadS(at: number, ok: number): number {
    this.need(ok, () => { this.get(this.hb); this.b.byte(OP.i32Load).u32(2).u32(at + 4); this.b.byte(OP.i32Const).s32(-1); this.op(OP.i32Eq); });
    return this.val(() => { this.get(this.hb); this.b.byte(OP.f32Load).u32(2).u32(at); this.op(OP.f64PromoteF32); });
  }

  /**
   * softfloat-fast.ts arithD: r ← f[a] op f[b] (op f[c]); ok, inexact (i32 locals) and r
   * (an f64 local) are set. Offsets are the registers' in the hart's area.
   */
  fastD(fop: number, a: number, b: number, c: number, ok: number, inexact: number, r: number): void {
    const x = this.loadD(a);
    this.okOperand(x); this.set(ok);
    const y = fop === FOP.SQRT ? x : this.loadD(b);
    if (fop !== FOP.SQRT) this.need(ok, () => this.okOperand(y));
    const rr = fop >= FOP.FMADD ? this.fma(fop, x, y, this.loadD(c), ok, inexact) : this.core(fop, x, y, inexact);
    this.need(ok, () => this.inRange(rr));
    this.get(rr); this.set(r);
  }

  /** softfloat-fast.ts arithS: the same on NaN-boxed singles, computed in doubles and rounded once more. */
  fastS(fop: number, a: number, b: number, c: number, ok: number, inexact: number, r: number): void {
    this.b.byte(OP.i32Const).s32(1); this.set(ok);
    const x = this.loadS(a, ok);
    const y = fop === FOP.SQRT ? x : this.loadS(b, ok);
    let rs: number;
    if (fop >= FOP.FMADD) {
      const z = this.loadS(c, ok);
      this.need(ok, () => { this.nonzero(x); this.nonzero(y); this.op(OP.i32And); });
      const av = (fop & 2) !== 0 ? this.neg(x) : x, cv = (fop & 1) !== 0 ? this.neg(z) : z;
      const p = this.mul(av, y); // exact: 48 bits
      const s = this.add(p, cv), e = this.sumError(p, cv, s);
      rs = this.val(() => { this.get(s); this.op(OP.f32DemoteF64, OP.f64PromoteF32); });
      // s rounded already: wrong only when s is a tie between two singles.
      const twice = this.add(s, s);
      const other = this.val(() => { this.get(twice); this.get(rs); this.op(OP.f64Sub, OP.f32DemoteF64, OP.f64PromoteF32); });
      this.need(ok, () => {
        this.nonzero(e); this.get(rs); this.get(s); this.op(OP.f64Ne, OP.i32And);
        this.get(other); this.get(rs); this.op(OP.f64Ne, OP.i32And);
        this.get(twice); this.get(rs); this.get(other); this.op(OP.f64Add, OP.f64Eq, OP.i32And, OP.i32Eqz);
      });
      this.nonzero(e); this.get(rs); this.get(s); this.op(OP.f64Ne, OP.i32Or); this.set(inexact);
    } else {
      this.need(ok, () => this.okOperand(x));
      if (fop !== FOP.SQRT) this.need(ok, () => this.okOperand(y));
      const d = this.core(fop, x, y, inexact);
      this.need(ok, () => this.inRange(d));
      rs = this.val(() => { this.get(d); this.op(OP.f32DemoteF64, OP.f64PromoteF32); });
      this.get(inexact); this.get(rs); this.get(d); this.op(OP.f64Ne, OP.i32Or); this.set(inexact);
    }
    this.need(ok, () => this.inRange(rs, SMALLEST_SAFE_S, LARGEST_SAFE_S));
    this.get(rs); this.set(r);
  }

  /** + - × ÷ √ of doubles: the result; inexact ← whether it was rounded (when in range). */
  private core(fop: number, x: number, y: number, inexact: number): number {
    let r: number;
    switch (fop) {
      case FOP.ADD: case FOP.SUB: {
        const q = fop === FOP.SUB ? this.neg(y) : y;
        r = this.add(x, q);
        this.nonzero(this.sumError(x, q, r)); this.set(inexact);
        return r;
      }
      case FOP.MUL:
        r = this.mul(x, y);
        this.nonzero(this.productError(x, y, r)); this.set(inexact);
        return r;
      case FOP.DIV: case FOP.SQRT: {
        // The quotient (root) is exact when r·y (r·r) gives x back exactly.
        r = fop === FOP.DIV ? this.bin(OP.f64Div, x, y) : this.val(() => { this.get(x); this.op(OP.f64Sqrt); });
        const by = fop === FOP.DIV ? y : r;
        const p = this.mul(r, by);
        this.get(p); this.get(x); this.op(OP.f64Ne); this.nonzero(this.productError(r, by, p)); this.op(OP.i32Or); this.set(inexact);
        return r;
      }
      default: throw new Error(`fop ${fop}`);
    }
  }

  /** softfloat-fast.ts fmaD: the double-double sum, refused where its rounding could cross a midpoint. */
  private fma(fop: number, x: number, y: number, z: number, ok: number, inexact: number): number {
    this.need(ok, () => { this.okOperand(z); this.nonzero(x); this.op(OP.i32And); this.nonzero(y); this.op(OP.i32And); });
    const av = (fop & 2) !== 0 ? this.neg(x) : x, cv = (fop & 1) !== 0 ? this.neg(z) : z;
    const ph = this.mul(av, y);
    this.need(ok, () => this.inRange(ph));
    const pl = this.productError(av, y, ph);
    // exact = ph + pl + c = sh + sl + pl = sh + t + e2 = r + e3 + e2
    const sh = this.add(ph, cv), sl = this.sumError(ph, cv, sh);
    const t = this.add(sl, pl), e2 = this.sumError(sl, pl, t);
    const r = this.add(sh, t), e3 = this.sumError(sh, t, r);
    this.need(ok, () => {
      this.nonzero(e2);
      this.get(e3); this.op(OP.f64Abs); this.get(e2); this.op(OP.f64Abs, OP.f64Add);
      this.quarterUlpOrMore(r);
      this.op(OP.f64Ge, OP.i32And, OP.i32Eqz);
    });
    this.nonzero(e2); this.nonzero(e3); this.op(OP.i32Or); this.set(inexact);
    return r;
  }
}
