/**
 * What every instruction does, written once for RV32 and RV64 (Unpriv 20191213, Priv 1.12),
 * in the operations of isa-codegen.ts. From this table come the interpreter's cases
 * (generated into exec-rv64.ts and exec-rv32.ts by `npm run gen:isa`; a test checks they
 * are current) and, at run time, the block translator's code (blocks.ts).
 *
 * A new instruction: its encoding in isa-table.ts, its semantics here, then
 * `npm run gen:isa`. The operations it needs and the XLENs lack go in isa-codegen.ts.
 */
import { ENCODINGS, Encoding, Op } from './isa-table';
import { BitOp, BlockInsn, E, Gen, P, V, WordOp, Xlen } from './isa-codegen';
import { CMP } from './fpu';

/**
 * pure:   writes rd and nothing else (a translated write to x0 is no code at all).
 * effect: anything else the translator handles (memory, fences).
 * ends:   a jump or branch: the last instruction of a block.
 * interp: the translator leaves it to the interpreter (CSRs, traps, atomics, xRET).
 */
export type Kind = 'pure' | 'effect' | 'ends' | 'interp';

export interface Semantics { readonly kind: Kind; readonly run: (g: Gen) => void }

const SEM: Semantics[] = [];
function def(ops: Op | Op[], kind: Kind, run: (g: Gen) => void): void {
  for (const op of Array.isArray(ops) ? ops : [ops]) SEM[op] = { kind, run };
}
const pure = (op: Op, value: (g: Gen) => V) => def(op, 'pure', (g) => g.rd(value(g)));
/** A 32-bit operation on the low words, its result sign-extended (the RV64 *W forms); shifts by rs2 take its low 5 bits. */
const word = (op: Op, w: WordOp, useImm = false) => pure(op, (g) => {
  const q = useImm ? g.immWord : w === 'sll' || w === 'srl' || w === 'sra' ? g.shamt32(g.rs2.lo) : g.rs2.lo;
  return g.sext(g.word32(w, g.rs1.lo, q));
});

// ---- RV32I / RV64I (Unpriv ch. 2, 5) ----
pure(Op.LUI, (g) => g.imm);
pure(Op.AUIPC, (g) => g.pcPlusImm());
def(Op.JAL, 'ends', (g) => { const to = g.pcPlusImm(); g.rd(g.nextPc()); g.jump(to); });
def(Op.JALR, 'ends', (g) => {
  const t = g.add(g.rs1, g.imm);
  const to = g.bind(g.and(t, { lo: -2, hi: -1 })); // before rd: rd may be rs1
  g.rd(g.nextPc());
  g.jump(to);
});
def(Op.BEQ, 'ends', (g) => g.branch(g.eq(g.rs1, g.rs2)));
def(Op.BNE, 'ends', (g) => g.branch(g.ne(g.rs1, g.rs2)));
def(Op.BLT, 'ends', (g) => g.branch(g.lt(g.rs1, g.rs2)));
def(Op.BGE, 'ends', (g) => g.branch(g.not(g.lt(g.rs1, g.rs2))));
def(Op.BLTU, 'ends', (g) => g.branch(g.ltu(g.rs1, g.rs2)));
def(Op.BGEU, 'ends', (g) => g.branch(g.not(g.ltu(g.rs1, g.rs2))));

const loads: [Op, 1 | 2 | 4 | 8, boolean][] = [
  [Op.LB, 1, true], [Op.LH, 2, true], [Op.LW, 4, true], [Op.LD, 8, true], [Op.LBU, 1, false], [Op.LHU, 2, false], [Op.LWU, 4, false],
];
for (const [op, bytes, signed] of loads) def(op, 'effect', (g) => g.rd(g.load(bytes, signed, g.add(g.rs1, g.imm))));
const stores: [Op, 1 | 2 | 4 | 8][] = [[Op.SB, 1], [Op.SH, 2], [Op.SW, 4], [Op.SD, 8]];
for (const [op, bytes] of stores) def(op, 'effect', (g) => g.store(bytes, g.add(g.rs1, g.imm), g.rs2));

pure(Op.ADDI, (g) => g.add(g.rs1, g.imm));
pure(Op.SLTI, (g) => g.bool(g.lt(g.rs1, g.imm)));
pure(Op.SLTIU, (g) => g.bool(g.ltu(g.rs1, g.imm)));
pure(Op.XORI, (g) => g.xor(g.rs1, g.imm));
pure(Op.ORI, (g) => g.or(g.rs1, g.imm));
pure(Op.ANDI, (g) => g.and(g.rs1, g.imm));
pure(Op.SLLI, (g) => g.sll(g.rs1, g.immWord));
pure(Op.SRLI, (g) => g.srl(g.rs1, g.immWord));
pure(Op.SRAI, (g) => g.sra(g.rs1, g.immWord));
pure(Op.ADD, (g) => g.add(g.rs1, g.rs2));
pure(Op.SUB, (g) => g.sub(g.rs1, g.rs2));
pure(Op.SLL, (g) => g.sll(g.rs1, g.shamt(g.rs2)));
pure(Op.SLT, (g) => g.bool(g.lt(g.rs1, g.rs2)));
pure(Op.SLTU, (g) => g.bool(g.ltu(g.rs1, g.rs2)));
pure(Op.XOR, (g) => g.xor(g.rs1, g.rs2));
pure(Op.SRL, (g) => g.srl(g.rs1, g.shamt(g.rs2)));
pure(Op.SRA, (g) => g.sra(g.rs1, g.shamt(g.rs2)));
pure(Op.OR, (g) => g.or(g.rs1, g.rs2));
pure(Op.AND, (g) => g.and(g.rs1, g.rs2));

word(Op.ADDIW, 'add', true);
word(Op.SLLIW, 'sll', true);
word(Op.SRLIW, 'srl', true);
word(Op.SRAIW, 'sra', true);
word(Op.ADDW, 'add');
word(Op.SUBW, 'sub');
word(Op.SLLW, 'sll');
word(Op.SRLW, 'srl');
word(Op.SRAW, 'sra');

// One in-order hart at a time; the code cache tracks stores exactly (no fence.i flush).
def([Op.FENCE, Op.FENCE_I], 'effect', () => undefined);

// ---- M (Unpriv ch. 7) ----
pure(Op.MUL, (g) => g.mul(g.rs1, g.rs2));
pure(Op.MULH, (g) => g.mulh(g.rs1, g.rs2, true, true));
pure(Op.MULHSU, (g) => g.mulh(g.rs1, g.rs2, true, false));
pure(Op.MULHU, (g) => g.mulh(g.rs1, g.rs2, false, false));
pure(Op.DIV, (g) => g.divide('div', g.rs1, g.rs2));
pure(Op.DIVU, (g) => g.divide('divu', g.rs1, g.rs2));
pure(Op.REM, (g) => g.divide('rem', g.rs1, g.rs2));
pure(Op.REMU, (g) => g.divide('remu', g.rs1, g.rs2));
word(Op.MULW, 'mul');
word(Op.DIVW, 'div');
word(Op.DIVUW, 'divu');
word(Op.REMW, 'rem');
word(Op.REMUW, 'remu');

// ---- A (Unpriv ch. 8): interpreted, aligned, through the hart's reservation and AMO helpers ----
for (const [lr, sc, bytes] of [[Op.LR_W, Op.SC_W, 4], [Op.LR_D, Op.SC_D, 8]] as const) {
  def(lr, 'interp', (g) => g.rd(g.hartLoad(`h.loadReserved(${g.rs1.lo}, ${g.rs1.hi}, ${bytes})`)));
  def(sc, 'interp', (g) => {
    const r = g.let(`h.storeConditional(${g.rs1.lo}, ${g.rs1.hi}, ${bytes}, ${g.rs2.lo}, ${g.rs2.hi})`);
    g.faultStop();
    g.rd(g.zext(r));
  });
}
/** An AMO: old ← memory; memory ← f(old, rs2); rd ← old. */
function amo(op: Op, bytes: 4 | 8, f: (g: Gen, old: V, s: V) => V): void {
  def(op, 'interp', (g) => {
    const at = g.bind(g.rs1);
    const pa = g.let(`h.amoPa(${at.lo}, ${at.hi}, ${bytes})`);
    g.leaveIf(`${pa} < 0`);
    const old = bytes === 8 ? g.hartLoad(`h.physRead(${pa}, 8, ${at.lo}, ${at.hi})`) : g.sext(g.let(`h.physRead(${pa}, 4, ${at.lo}, ${at.hi})`));
    if (bytes === 4) g.faultStop();
    const v = f(g, old, g.rs2);
    g.stmt(`h.physWrite(${pa}, ${bytes}, ${v.lo}, ${bytes === 8 ? v.hi : 0}, ${at.lo}, ${at.hi});`);
    g.faultStop();
    g.rd(old);
  });
}
/** AMO*.W computes on the low words (the sign extension of old does not matter). */
const amoW = (op: Op, f: (o: E, s: E) => string) => amo(op, 4, (g, o, s) => g.zext(f(P(o.lo), P(s.lo))));
amoW(Op.AMOSWAP_W, (_o, s) => `${s}`);
amoW(Op.AMOADD_W, (o, s) => `(${o} + ${s}) | 0`);
amoW(Op.AMOXOR_W, (o, s) => `${o} ^ ${s}`);
amoW(Op.AMOAND_W, (o, s) => `${o} & ${s}`);
amoW(Op.AMOOR_W, (o, s) => `${o} | ${s}`);
amoW(Op.AMOMIN_W, (o, s) => `${o} < ${s} ? ${o} : ${s}`);
amoW(Op.AMOMAX_W, (o, s) => `${o} > ${s} ? ${o} : ${s}`);
amoW(Op.AMOMINU_W, (o, s) => `(${o} >>> 0) < (${s} >>> 0) ? ${o} : ${s}`);
amoW(Op.AMOMAXU_W, (o, s) => `(${o} >>> 0) > (${s} >>> 0) ? ${o} : ${s}`);
amo(Op.AMOSWAP_D, 8, (_g, _o, s) => s);
amo(Op.AMOADD_D, 8, (g, o, s) => g.add(o, s));
amo(Op.AMOXOR_D, 8, (g, o, s) => g.xor(o, s));
amo(Op.AMOAND_D, 8, (g, o, s) => g.and(o, s));
amo(Op.AMOOR_D, 8, (g, o, s) => g.or(o, s));
amo(Op.AMOMIN_D, 8, (g, o, s) => g.select(g.lt(o, s), o, s));
amo(Op.AMOMAX_D, 8, (g, o, s) => g.select(g.lt(s, o), o, s));
amo(Op.AMOMINU_D, 8, (g, o, s) => g.select(g.ltu(o, s), o, s));
amo(Op.AMOMAXU_D, 8, (g, o, s) => g.select(g.ltu(s, o), o, s));

// ---- Zicsr (Unpriv ch. 9); the CSRs themselves are the hart's ----
const csrOps: [Op, 0 | 1 | 2, boolean][] = [
  [Op.CSRRW, 0, false], [Op.CSRRS, 1, false], [Op.CSRRC, 2, false], [Op.CSRRWI, 0, true], [Op.CSRRSI, 1, true], [Op.CSRRCI, 2, true],
];
for (const [op, kind, immForm] of csrOps) {
  def(op, 'interp', (g) => {
    const src = immForm ? g.zext(g.rs1Num) : g.rs1;
    // CSRRS/CSRRC with rs1 = x0 (or uimm 0) read without writing (§9.1).
    const writes = kind === 0 ? 'true' : `${g.rs1Num} !== 0`;
    g.stmt('h.instret = base + n;');
    g.pcToHart();
    g.open(`if (!h.csrOp(${g.immWord}, ${kind}, ${src.lo}, ${src.hi}, ${g.rdNum}, ${writes}))`);
    g.stmt(`h.illegal(${g.insnBits()});`);
    g.pcFromHart();
    g.close();
  });
}

// ---- Traps and the privileged instructions (Priv ch. 3) ----
def(Op.ECALL, 'interp', (g) => {
  g.pcToHart();
  g.stmt('h.trap(h.priv === Priv.U ? Cause.EcallFromU : h.priv === Priv.S ? Cause.EcallFromS : Cause.EcallFromM, false, 0, 0);');
  g.pcFromHart();
});
def(Op.EBREAK, 'interp', (g) => {
  g.pcToHart();
  g.stmt('h.trap(Cause.Breakpoint, false, 0, 0); // QEMU 7.2 leaves tval 0 (Priv §3.1.16 allows either)');
  g.pcFromHart();
});
/** xRET continues where the hart says; WFI and SFENCE.VMA at the next instruction. All yield. */
const privileged: [Op, string, boolean][] = [[Op.MRET, 'h.mret()', false], [Op.SRET, 'h.sret()', false],
  [Op.WFI, 'h.wfiInsn()', true], [Op.SFENCE_VMA, 'h.sfenceVma()', true]];
for (const [op, call, continues] of privileged) {
  def(op, 'interp', (g) => {
    if (continues) g.nextToHart(); else g.pcToHart();
    g.open(`if (!${call})`);
    if (continues) g.pcToHart(); // an illegal one traps at itself
    g.stmt(`h.illegal(${g.insnBits()});`);
    g.close();
    g.pcFromHart();
    g.stmt('h.yieldLoop = true;');
  });
}
// Op.ILLEGAL and anything this XLEN lacks: mtval is the instruction's bits (the decoder's imm).
def(Op.ILLEGAL, 'interp', (g) => { g.pcToHart(); g.stmt(`h.illegal(${g.immWord});`); g.pcFromHart(); });

// ---- F and D (Unpriv ch. 11, 12): the arithmetic is softfloat.ts, the register file fpu.ts ----
// g.fd/fa/fb/frs3 are doubled register indexes (a pair per register) into h.f or x.
for (const t of ['S', 'D'] as const) {
  const o = (s: Op, d: Op) => (t === 'S' ? s : d);
  const bytes = t === 'S' ? 4 : 8;

  def(o(Op.FLW, Op.FLD), 'effect', (g) => {
    g.fpBegin();
    g.fSet(g.fd, g.load(bytes, false, g.add(g.rs1, g.imm)), t === 'S');
  });
  def(o(Op.FSW, Op.FSD), 'effect', (g) => { g.fpBegin(); g.store(bytes, g.add(g.rs1, g.imm), g.fGet(g.fb)); });

  /** Arithmetic (softfloat-fast.ts FOP numbers): a host-double fast path in fpu.ts, else softfloat.ts. */
  const arith: [Op, number][] = [[o(Op.FADD_S, Op.FADD_D), 0], [o(Op.FSUB_S, Op.FSUB_D), 1], [o(Op.FMUL_S, Op.FMUL_D), 2],
    [o(Op.FDIV_S, Op.FDIV_D), 3], [o(Op.FSQRT_S, Op.FSQRT_D), 4],
    // fmsub negates the addend, fnmsub the product, fnmadd both (QEMU 7.2's float_muladd flags).
    [o(Op.FMADD_S, Op.FMADD_D), 8], [o(Op.FMSUB_S, Op.FMSUB_D), 9], [o(Op.FNMSUB_S, Op.FNMSUB_D), 10], [o(Op.FNMADD_S, Op.FNMADD_D), 11]];
  for (const [op, fop] of arith) {
    def(op, 'effect', (g) => g.fpArith(t, fop, g.fpBegin()));
  }
  def(o(Op.FMIN_S, Op.FMIN_D), 'effect', (g) => { g.fpBegin(); g.fMinMax(t === 'D', false); });
  def(o(Op.FMAX_S, Op.FMAX_D), 'effect', (g) => { g.fpBegin(); g.fMinMax(t === 'D', true); });

  // Sign injection: bit operations on the (unboxed) operands; no flags.
  for (const [op, kind] of [[o(Op.FSGNJ_S, Op.FSGNJ_D), 'j'], [o(Op.FSGNJN_S, Op.FSGNJN_D), 'n'], [o(Op.FSGNJX_S, Op.FSGNJX_D), 'x']] as const) {
    def(op, 'effect', (g) => { g.fpBegin(); g.fSignInject(kind, t === 'S'); });
  }

  const dbl = t === 'D';
  // Compares and conversions: the host where it decides, else softfloat.ts (fpu.ts).
  for (const [op, kind] of [[o(Op.FEQ_S, Op.FEQ_D), CMP.eq], [o(Op.FLT_S, Op.FLT_D), CMP.lt], [o(Op.FLE_S, Op.FLE_D), CMP.le]] as const) {
    def(op, 'effect', (g) => { g.fpBegin(); g.rd(g.bool(g.fCompare(dbl, kind))); });
  }
  def(o(Op.FCLASS_S, Op.FCLASS_D), 'effect', (g) => { g.fpBegin(); g.rd(g.zext(g.fClass(t === 'D'))); });
  // Conversions (Unpriv §11.7; 32-bit results are sign-extended on RV64, fcvt.wu's too).
  const toInt = (op: Op, bits: 32 | 64, signed: boolean) => def(op, 'effect', (g) => g.rd(g.fToInt(dbl, bits, signed, g.fpBegin())));
  toInt(o(Op.FCVT_W_S, Op.FCVT_W_D), 32, true);
  toInt(o(Op.FCVT_WU_S, Op.FCVT_WU_D), 32, false);
  toInt(o(Op.FCVT_L_S, Op.FCVT_L_D), 64, true);
  toInt(o(Op.FCVT_LU_S, Op.FCVT_LU_D), 64, false);
  const fromInt = (op: Op, bits: 32 | 64, signed: boolean) => def(op, 'effect', (g) => g.fFromInt(dbl, bits, signed, g.fpBegin()));
  fromInt(o(Op.FCVT_S_W, Op.FCVT_D_W), 32, true);
  fromInt(o(Op.FCVT_S_WU, Op.FCVT_D_WU), 32, false);
  fromInt(o(Op.FCVT_S_L, Op.FCVT_D_L), 64, true);
  fromInt(o(Op.FCVT_S_LU, Op.FCVT_D_LU), 64, false);
}
def(Op.FCVT_S_D, 'effect', (g) => g.fConvert(false, g.fpBegin()));
def(Op.FCVT_D_S, 'effect', (g) => g.fConvert(true, g.fpBegin()));
// Moves copy bits: fmv.x.w takes the low word as it is, boxed or not (Unpriv §11.8).
def(Op.FMV_X_W, 'effect', (g) => { g.fpBegin(); g.rd(g.sext(g.fGet(g.fa).lo)); });
def(Op.FMV_X_D, 'effect', (g) => { g.fpBegin(); g.rd(g.fGet(g.fa)); });
def(Op.FMV_W_X, 'effect', (g) => { g.fpBegin(); g.fSet(g.fd, g.rs1, true); });
def(Op.FMV_D_X, 'effect', (g) => { g.fpBegin(); g.fSet(g.fd, g.rs1, false); });

// ---- Zba, Zbb, Zbc, Zbs (Bitmanip 1.0.0 ch. 2): pure, so translated like the base integer ones ----
/** rs1's low word zero-extended (the .uw forms). */
const uw = (g: Gen): V => g.zext(g.rs1.lo);
pure(Op.ADD_UW, (g) => g.add(uw(g), g.rs2));
for (const [op, opUw, n] of [[Op.SH1ADD, Op.SH1ADD_UW, 1], [Op.SH2ADD, Op.SH2ADD_UW, 2], [Op.SH3ADD, Op.SH3ADD_UW, 3]] as const) {
  pure(op, (g) => g.add(g.sll(g.rs1, n), g.rs2));
  pure(opUw, (g) => g.add(g.sll(uw(g), n), g.rs2));
}
pure(Op.SLLI_UW, (g) => g.sll(uw(g), g.immWord));

pure(Op.ANDN, (g) => g.and(g.rs1, g.inv(g.rs2)));
pure(Op.ORN, (g) => g.or(g.rs1, g.inv(g.rs2)));
pure(Op.XNOR, (g) => g.inv(g.xor(g.rs1, g.rs2)));
const bitOps: [Op, BitOp][] = [[Op.CLZ, 'clz'], [Op.CTZ, 'ctz'], [Op.CPOP, 'cpop'], [Op.CLZW, 'clzw'], [Op.CTZW, 'ctzw'],
  [Op.CPOPW, 'cpopw'], [Op.SEXT_B, 'sext.b'], [Op.SEXT_H, 'sext.h'], [Op.ZEXT_H, 'zext.h'], [Op.ORC_B, 'orc.b'], [Op.REV8, 'rev8']];
for (const [op, bitOp] of bitOps) pure(op, (g) => g.bits(bitOp, g.rs1));
pure(Op.MAX, (g) => g.select(g.lt(g.rs1, g.rs2), g.rs2, g.rs1));
pure(Op.MAXU, (g) => g.select(g.ltu(g.rs1, g.rs2), g.rs2, g.rs1));
pure(Op.MIN, (g) => g.select(g.lt(g.rs1, g.rs2), g.rs1, g.rs2));
pure(Op.MINU, (g) => g.select(g.ltu(g.rs1, g.rs2), g.rs1, g.rs2));
pure(Op.ROL, (g) => g.rotl(g.rs1, g.shamt(g.rs2)));
pure(Op.ROR, (g) => g.rotr(g.rs1, g.shamt(g.rs2)));
pure(Op.RORI, (g) => g.rotr(g.rs1, g.immWord));
word(Op.ROLW, 'rol');
word(Op.RORW, 'ror');
word(Op.RORIW, 'ror', true);
for (const [op, which] of [[Op.CLMUL, 0], [Op.CLMULH, 1], [Op.CLMULR, 2]] as const) {
  pure(op, (g) => g.clmul(which, g.rs1, g.rs2));
}
/** Zbs: the bit rs2 (or the immediate) names, modulo XLEN. */
const single = (g: Gen, imm: boolean): V => g.sll({ lo: 1, hi: 0 }, imm ? g.immWord : g.shamt(g.rs2));
for (const imm of [false, true]) {
  pure(imm ? Op.BSETI : Op.BSET, (g) => g.or(g.rs1, single(g, imm)));
  pure(imm ? Op.BCLRI : Op.BCLR, (g) => g.and(g.rs1, g.inv(single(g, imm))));
  pure(imm ? Op.BINVI : Op.BINV, (g) => g.xor(g.rs1, single(g, imm)));
  pure(imm ? Op.BEXTI : Op.BEXT, (g) => g.and(g.srl(g.rs1, imm ? g.immWord : g.shamt(g.rs2)), { lo: 1, hi: 0 }));
}

// ---- Zicbom, Zicboz (CMO spec 1.0.1): the hart checks menvcfg/senvcfg and the block's translation ----
for (const [op, kind] of [[Op.CBO_INVAL, 0], [Op.CBO_CLEAN, 1], [Op.CBO_FLUSH, 2], [Op.CBO_ZERO, 4]] as const) {
  def(op, 'interp', (g) => {
    g.stmt(`h.cbo(${kind}, ${g.rs1.lo}, ${g.rs1.hi}, ${g.insnBits()});`);
    g.faultStop();
  });
}

// ---- Producers ----

/** The encoding the producers hand a builder for `op` on this XLEN (undefined when it has none). */
export function encodingOf(xlen: Xlen, op: number): Encoding | undefined { return ENCODING_OF[xlen][op]; }

/** The semantics of `op` (undefined for UNDECODED). */
export function semanticsOf(op: number): Semantics | undefined { return SEM[op]; }

const ILLEGAL_ENC: Encoding = { op: Op.ILLEGAL, name: 'illegal', mask: 0, match: 0, format: 'NONE', ext: 'I', xlens: [32, 64] };

/** Each op of this XLEN once, with its first encoding (the SLLI of RV32 and of RV64 share one op). */
function opsOf(xlen: Xlen): Encoding[] {
  const byOp = new Map<number, Encoding>();
  for (const e of ENCODINGS) if (e.xlens.includes(xlen) && !byOp.has(e.op)) byOp.set(e.op, e);
  return [...byOp.values()];
}
/** Encodings by op, per XLEN, for the translator. */
const ENCODING_OF = { 32: [] as Encoding[], 64: [] as Encoding[] };
for (const xlen of [32, 64] as const) for (const e of opsOf(xlen)) ENCODING_OF[xlen][e.op] = e;

/**
 * JS for one instruction of a translated block, or null when the block must end before
 * it (the translator leaves it to the interpreter).
 */
export function emitBlockInsn(xlen: Xlen, op: number, insn: BlockInsn): string | null {
  const sem = SEM[op];
  const enc = ENCODING_OF[xlen][op];
  if (sem === undefined || enc === undefined || sem.kind === 'interp') return null;
  if (sem.kind === 'pure' && insn.d === 0) return ''; // a pure write to x0 does nothing
  const g = new Gen(xlen, enc, insn);
  sem.run(g);
  g.endBlockInsn();
  return g.lines.length === 0 ? '' : `{ ${g.lines.join(' ')} }`;
}

/**
 * Ops the interpreter runs out of its loop, in a function of their own (coldRv64/coldRv32):
 * system, CSR, atomics, cache-block, F/D and bit-manipulation instructions. V8 optimizes the loop for the cases
 * it has seen run; the first run of another case throws that code away, and the loop runs
 * unoptimized until it is compiled again (hundreds of milliseconds for the whole loop). A
 * booting kernel meets new cases for seconds. Out of line, these cost a recompile of a small
 * function, and the loop that runs the ALU, loads, stores and branches stays compiled.
 */
export function runsOutOfLine(op: number): boolean {
  const sem = SEM[op];
  return sem === undefined || sem.kind === 'interp' || op === Op.ILLEGAL || OUT_OF_LINE_EXTS.includes(ENCODING_OF[64][op]?.ext ?? ENCODING_OF[32][op]?.ext ?? '');
}
/**
 * F/D, and the bit-manipulation extensions, which kernels built for rv64gc (Debian's Linux,
 * OpenSBI, xv6) never use: in the loop they made it a quarter bigger, and V8 takes longer to
 * compile it at every boot's start (blocks hold them inline all the same).
 */
const OUT_OF_LINE_EXTS = ['F', 'D', 'Zba', 'Zbb', 'Zbc', 'Zbs'];

/**
 * 1 for the ops no block holds (`interp`, and whatever has no semantics). The interpreter
 * treats the instruction after one as a block boundary, as it does a jump target: blocks
 * stop before such an op, so the code after it would otherwise never be entered as a
 * block and stay interpreted however hot (Linux's spinlock after its amoadd.w ran
 * interpreted 45 000 times in a boot).
 */
export const BLOCK_STOPS = new Uint8Array(256);
for (let op = 0; op < BLOCK_STOPS.length; op++) BLOCK_STOPS[op] = SEM[op] === undefined || SEM[op].kind === 'interp' ? 1 : 0;

/** How the loop hands an out-of-line op to the cold function, per XLEN (the next pc comes back; after an op no block holds, a block may start). */
const TO_COLD: Record<Xlen, string[]> = {
  64: ['coldRv64(h, x, op, d, a, b, imm, pcLo, pcHi, nLo, nHi, base, n);', 'nLo = NEXT[0]; nHi = NEXT[1];', 'if (BLOCK_STOPS[op] !== 0) entry = true;'],
  32: ['next = coldRv32(h, x, op, d, a, b, imm, pc, next, base, n);', 'if (BLOCK_STOPS[op] !== 0) entry = true;'],
};

/** The switch cases for this XLEN: the loop's own ('hot'), or the cold function's, as they stand in exec-rv64.ts / exec-rv32.ts. */
export function interpreterCases(xlen: Xlen, part: 'hot' | 'cold', indent = '      '): string {
  const out: string[] = [];
  const block = (label: string, lines: string[]) => out.push(`${indent}${label}`, ...lines.map((l) => `${indent}  ${l}`), `${indent}  break;`, `${indent}}`);
  const emit = (label: string, op: number) => block(label, interpreterCase(xlen, op, part === 'hot'));
  for (const enc of opsOf(xlen)) {
    if (runsOutOfLine(enc.op) === (part === 'cold')) emit(`case Op.${enc.name.toUpperCase().replace(/\./g, '_')}: {`, enc.op);
  }
  if (part === 'hot') block('default: { // out of line (runsOutOfLine)', TO_COLD[xlen]);
  else emit('default: { // Op.ILLEGAL and anything this XLEN lacks', Op.ILLEGAL);
  return out.join('\n');
}

/** The statements of one interpreter case (a `break` leaves the instruction early); `ramInline`: Gen's. */
export function interpreterCase(xlen: Xlen, op: number, ramInline = false): string[] {
  const g = new Gen(xlen, op === Op.ILLEGAL ? ILLEGAL_ENC : ENCODING_OF[xlen][op], null, ramInline);
  SEM[op].run(g);
  return g.lines;
}

/** The interpreter file of each XLEN, and the lines around its generated cases. */
export const INTERPRETER_FILE = { 64: 'emulator/hart/exec-rv64.ts', 32: 'emulator/hart/exec-rv32.ts' } as const;
const MARKERS = {
  hot: ['      // ---- generated by `npm run gen:isa` from isa-semantics.ts: do not edit ----\n', '      // ---- end of generated cases ----\n'],
  cold: ['    // ---- generated by `npm run gen:isa` from isa-semantics.ts (out of line): do not edit ----\n', '    // ---- end of generated out-of-line cases ----\n'],
} as const;

/** `source` (an interpreter file's text) with its generated cases made current; undefined without the markers. */
export function withCurrentCases(source: string, xlen: Xlen): string | undefined {
  let text = source;
  for (const part of ['hot', 'cold'] as const) {
    const [begin, end] = MARKERS[part];
    const i = text.indexOf(begin), j = text.indexOf(end);
    if (i < 0 || j < i) return undefined;
    const indent = part === 'hot' ? '      ' : '    ';
    text = text.slice(0, i + begin.length) + interpreterCases(xlen, part, indent) + '\n' + text.slice(j);
  }
  return text;
}
