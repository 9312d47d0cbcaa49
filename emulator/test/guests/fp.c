/*
 * F and D (Unpriv ch. 11-12) beside QEMU 7.2's softfloat: every instruction over operand
 * classes (+-0, subnormals, +-inf, quiet and signalling NaNs, boundaries, halfway cases,
 * seeded random bits) in every rounding mode and the dynamic one. Results and fflags of a
 * group (one instruction, one rounding mode) are folded into one hash line; build with
 * -DFP_VERBOSE to print every result instead (to find a difference).
 * Also: mstatus.FS Off makes every FP instruction and FP CSR illegal, which instructions
 * make FS Dirty (and SD), NaN boxing of singles, reserved rounding modes, fcsr fields.
 */
#include "lib.h"

typedef uint64_t u64;
typedef uint32_t u32;

#define MSTATUS_FS (3UL << 13)
#define FS_OF(s) (((s) >> 13) & 3)

static inline double D(u64 b) { union { u64 u; double d; } x = { .u = b }; return x.d; }
static inline u64 BD(double d) { union { u64 u; double d; } x = { .d = d }; return x.u; }
static inline float S(u64 b) { union { u32 u; float f; } x = { .u = (u32)b }; return x.f; }
static inline u64 BS(float f) { union { u32 u; float f; } x = { .f = f }; return x.u; }

static inline void clear_flags(void) { __asm__ volatile("csrw fflags, zero"); }
static inline unsigned long flags(void) { unsigned long f; __asm__ volatile("frflags %0" : "=r"(f)); return f; }

/* One switch per rounding mode: the mode is part of the instruction. */
#define SW(rm, M, ...) switch (rm) { \
    case 0: M(__VA_ARGS__, "rne"); break; case 1: M(__VA_ARGS__, "rtz"); break; \
    case 2: M(__VA_ARGS__, "rdn"); break; case 3: M(__VA_ARGS__, "rup"); break; \
    case 4: M(__VA_ARGS__, "rmm"); break; default: M(__VA_ARGS__, "dyn"); break; }

#define A_FF(insn, R) __asm__ volatile(insn " %0,%1,%2," R : "=f"(r) : "f"(x), "f"(y))
#define A_F(insn, R) __asm__ volatile(insn " %0,%1," R : "=f"(r) : "f"(x))
#define A_FFF(insn, R) __asm__ volatile(insn " %0,%1,%2,%3," R : "=f"(r) : "f"(x), "f"(y), "f"(z))
#define A_XF(insn, R) __asm__ volatile(insn " %0,%1," R : "=r"(r) : "f"(x))
#define A_FX(insn, R) __asm__ volatile(insn " %0,%1," R : "=f"(r) : "r"(x))

/* Each wrapper takes and returns raw bits (singles in the low 32). */
#define FF_RM(name, insn, T, U, B) static u64 name(u64 a, u64 b, u64 c, int rm) { \
    T x = U(a), y = U(b), r; (void)c; SW(rm, A_FF, insn); return B(r); }
#define F_RM(name, insn, TR, TA, U, B) static u64 name(u64 a, u64 b, u64 c, int rm) { \
    TA x = U(a); TR r; (void)b; (void)c; SW(rm, A_F, insn); return B(r); }
#define FFF_RM(name, insn, T, U, B) static u64 name(u64 a, u64 b, u64 c, int rm) { \
    T x = U(a), y = U(b), z = U(c), r; SW(rm, A_FFF, insn); return B(r); }
#define FF(name, insn, T, U, B) static u64 name(u64 a, u64 b, u64 c, int rm) { \
    T x = U(a), y = U(b), r; (void)c; (void)rm; \
    __asm__ volatile(insn " %0,%1,%2" : "=f"(r) : "f"(x), "f"(y)); return B(r); }
#define XFF(name, insn, T, U) static u64 name(u64 a, u64 b, u64 c, int rm) { \
    T x = U(a), y = U(b); unsigned long r; (void)c; (void)rm; \
    __asm__ volatile(insn " %0,%1,%2" : "=r"(r) : "f"(x), "f"(y)); return r; }
#define XF(name, insn, T, U) static u64 name(u64 a, u64 b, u64 c, int rm) { \
    T x = U(a); unsigned long r; (void)b; (void)c; (void)rm; \
    __asm__ volatile(insn " %0,%1" : "=r"(r) : "f"(x)); return r; }
#define XF_RM(name, insn, T, U) static u64 name(u64 a, u64 b, u64 c, int rm) { \
    T x = U(a); unsigned long r; (void)b; (void)c; SW(rm, A_XF, insn); return r; }
#define FX_RM(name, insn, T, B) static u64 name(u64 a, u64 b, u64 c, int rm) { \
    unsigned long x = (unsigned long)a; T r; (void)b; (void)c; SW(rm, A_FX, insn); return B(r); }

#define ARITH(t, T, U, B) \
    FF_RM(fadd_##t, "fadd." #t, T, U, B) FF_RM(fsub_##t, "fsub." #t, T, U, B) \
    FF_RM(fmul_##t, "fmul." #t, T, U, B) FF_RM(fdiv_##t, "fdiv." #t, T, U, B) \
    F_RM(fsqrt_##t, "fsqrt." #t, T, T, U, B) \
    FFF_RM(fmadd_##t, "fmadd." #t, T, U, B) FFF_RM(fmsub_##t, "fmsub." #t, T, U, B) \
    FFF_RM(fnmsub_##t, "fnmsub." #t, T, U, B) FFF_RM(fnmadd_##t, "fnmadd." #t, T, U, B) \
    FF(fsgnj_##t, "fsgnj." #t, T, U, B) FF(fsgnjn_##t, "fsgnjn." #t, T, U, B) FF(fsgnjx_##t, "fsgnjx." #t, T, U, B) \
    FF(fmin_##t, "fmin." #t, T, U, B) FF(fmax_##t, "fmax." #t, T, U, B) \
    XFF(feq_##t, "feq." #t, T, U) XFF(flt_##t, "flt." #t, T, U) XFF(fle_##t, "fle." #t, T, U) \
    XF(fclass_##t, "fclass." #t, T, U) \
    XF_RM(fcvt_w_##t, "fcvt.w." #t, T, U) XF_RM(fcvt_wu_##t, "fcvt.wu." #t, T, U)

ARITH(s, float, S, BS)
ARITH(d, double, D, BD)
F_RM(fcvt_s_d, "fcvt.s.d", float, double, D, BS)
FX_RM(fcvt_s_w, "fcvt.s.w", float, BS) FX_RM(fcvt_s_wu, "fcvt.s.wu", float, BS)
XF(fmv_x_w, "fmv.x.w", float, S)
#if __riscv_xlen == 64
XF_RM(fcvt_l_s, "fcvt.l.s", float, S) XF_RM(fcvt_lu_s, "fcvt.lu.s", float, S)
XF_RM(fcvt_l_d, "fcvt.l.d", double, D) XF_RM(fcvt_lu_d, "fcvt.lu.d", double, D)
FX_RM(fcvt_s_l, "fcvt.s.l", float, BS) FX_RM(fcvt_s_lu, "fcvt.s.lu", float, BS)
FX_RM(fcvt_d_l, "fcvt.d.l", double, BD) FX_RM(fcvt_d_lu, "fcvt.d.lu", double, BD)
XF(fmv_x_d, "fmv.x.d", double, D)
#endif
/* fcvt.d.s and fcvt.d.w(u) are exact: the assembler takes no rounding mode for them. */
static u64 fcvt_d_s(u64 a, u64 b, u64 c, int rm) { float x = S(a); double r; (void)b; (void)c; (void)rm;
    __asm__ volatile("fcvt.d.s %0,%1" : "=f"(r) : "f"(x)); return BD(r); }
static u64 fcvt_d_w(u64 a, u64 b, u64 c, int rm) { unsigned long x = (unsigned long)a; double r; (void)b; (void)c; (void)rm;
    __asm__ volatile("fcvt.d.w %0,%1" : "=f"(r) : "r"(x)); return BD(r); }
static u64 fcvt_d_wu(u64 a, u64 b, u64 c, int rm) { unsigned long x = (unsigned long)a; double r; (void)b; (void)c; (void)rm;
    __asm__ volatile("fcvt.d.wu %0,%1" : "=f"(r) : "r"(x)); return BD(r); }

/* ---- operands ---- */

static const u64 SPECIAL_D[] = {
    0, 0x8000000000000000ULL, 0x3ff0000000000000ULL, 0xbff0000000000000ULL,
    0x7ff0000000000000ULL, 0xfff0000000000000ULL, 0x7ff8000000000000ULL, 0xfff8000000000123ULL,
    0x7ff4000000000000ULL, 0x7ff0000000000001ULL, 0x0000000000000001ULL, 0x800fffffffffffffULL,
    0x0010000000000000ULL, 0x7fefffffffffffffULL, 0xffefffffffffffffULL, 0x3ff8000000000000ULL,
    0x4004000000000000ULL, 0xc004000000000000ULL, 0x3fe0000000000000ULL, 0x3ff0000000000001ULL,
    0x3ca0000000000000ULL, 0xbca0000000000000ULL, 0x41dfffffffc00000ULL, 0xc1e0000000000000ULL,
    0x41f0000000000000ULL, 0x43e0000000000000ULL, 0xc3e0000000000000ULL, 0x0008000000000000ULL,
    0x47efffffe0000000ULL, 0x3810000000000000ULL, 0x36a0000000000000ULL, 0x4330000000000001ULL,
};
static const u64 SPECIAL_S[] = {
    0, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00123,
    0x7fa00000, 0x7f800001, 0x00000001, 0x807fffff, 0x00800000, 0x7f7fffff, 0xff7fffff, 0x3fc00000,
    0x40200000, 0xc0200000, 0x3f000000, 0x3f800001, 0x33800000, 0xb3800000, 0x4effffff, 0xcf000000,
    0x4f800000, 0x5f000000, 0xdf000000, 0x00400000, 0x4b000001, 0x00ffffff, 0x34000000, 0x80000001,
};
static const u64 SPECIAL_I[] = {
    0, 1, (u64)-1, 0x7fffffff, 0x80000000, 0xffffffff, 0xffffffff80000000ULL, 0x20000000000001ULL,
    0x7fffffffffffffffULL, 0x8000000000000000ULL, 0x1000001, 0x80000001, 0xfffffffffffffffeULL, 0x7ffffffffffffe00ULL,
};
#define N_SPECIAL 32
#define N_SPECIAL_I (sizeof SPECIAL_I / sizeof SPECIAL_I[0])
#define N_RANDOM 96

static u64 rng_state = 0x9e3779b97f4a7c15ULL;
static u64 rnd(void) { u64 x = rng_state; x ^= x << 13; x ^= x >> 7; x ^= x << 17; return rng_state = x; }

/* Random bits shaped into classes: near 1 (mid exponents), tiny (subnormal results), wide. */
static u64 random_d(void)
{
    u64 v = rnd();
    switch (v & 3) {
    case 0: return (v & 0x800fffffffffffffULL) | ((u64)(0x3ff - 40 + (v >> 52) % 80) << 52);
    case 1: return (v & 0x800fffffffffffffULL) | ((u64)((v >> 54) % 60) << 52);
    default: return v;
    }
}
static u64 random_s(void)
{
    u64 v = rnd();
    switch (v & 3) {
    case 0: return (v & 0x807fffff) | ((u64)(127 - 20 + (v >> 40) % 40) << 23);
    case 1: return (v & 0x807fffff) | ((u64)((v >> 50) % 30) << 23);
    default: return v & 0xffffffff;
    }
}

static u64 RAND_D[N_RANDOM], RAND_S[N_RANDOM], RAND_I[N_RANDOM];

typedef u64 (*op_fn)(u64, u64, u64, int);
enum kind { K1, K2, K3, KI };   /* operands: one float, two, three, one integer */

static u64 hash;
static void mix(u64 v) { hash ^= v; hash *= 0x100000001b3ULL; hash ^= hash >> 29; }

static void one(const char *name, op_fn f, int rm, u64 a, u64 b, u64 c)
{
    clear_flags();
    u64 r = f(a, b, c, rm);
    unsigned long fl = flags();
    mix(r);
    mix(fl);
#ifdef FP_VERBOSE
    kprintf("%s %d %llx %llx %llx -> %llx %lx\n", name, rm, a, b, c, r, fl);
#else
    (void)name;
#endif
}

static void group(const char *name, op_fn f, enum kind k, int single, int has_rm)
{
    const u64 *sp = k == KI ? SPECIAL_I : single ? SPECIAL_S : SPECIAL_D;
    const u64 *rp = k == KI ? RAND_I : single ? RAND_S : RAND_D;
    unsigned ns = k == KI ? N_SPECIAL_I : N_SPECIAL;
    static const int RMS[] = { 0, 1, 2, 3, 4, 7 };
    for (unsigned m = 0; m < (has_rm ? 6u : 1u); m++) {
        int rm = has_rm ? RMS[m] : 7;
        /* dyn reads frm: a different mode for each pass over the same group */
        __asm__ volatile("fsrm %0" :: "r"((unsigned long)(m == 5 ? 3 : 0)));
        hash = 0xcbf29ce484222325ULL;
        for (unsigned i = 0; i < ns; i++) {
            if (k == K1 || k == KI) { one(name, f, rm, sp[i], 0, 0); continue; }
            for (unsigned j = 0; j < ns; j++) {
                if (k == K2) { one(name, f, rm, sp[i], sp[j], 0); continue; }
                for (unsigned l = 0; l < ns; l += 4) one(name, f, rm, sp[i], sp[j], sp[(l + i) % ns]);
            }
        }
        for (unsigned i = 0; i < N_RANDOM; i++) {
            one(name, f, rm, rp[i], rp[(i * 7 + 1) % N_RANDOM], rp[(i * 13 + 5) % N_RANDOM]);
            if (k == K2 || k == K3) {   /* near-equal magnitudes: cancellation, and exact halves */
                one(name, f, rm, rp[i], rp[i] ^ 1, rp[i] ^ 3);
                one(name, f, rm, rp[i], sp[i % ns], rp[(i + 1) % N_RANDOM]);
            }
        }
        kprintf("%s rm=%d: %llx\n", name, rm, hash);
    }
}

/* ---- machine state ---- */

static unsigned long fs(void) { return FS_OF(csr_read(mstatus)); }
static unsigned long sd(void) { return csr_read(mstatus) >> (XLEN - 1); }
static void set_fs(unsigned long v) { csr_clear(mstatus, MSTATUS_FS); csr_set(mstatus, v << 13); }

static volatile u64 mem64_[2];
static volatile u32 mem32_[2];
#define mem64 mem64_[0]
#define mem32 mem32_[0]

static void fs_off_is_illegal(void)
{
    set_fs(0);
    kprintf("FS at start of the test: %lu\n", fs());
#define ILLEGAL(what, ...) do { trap_expect(); __asm__ volatile(__VA_ARGS__); print_trap(what); } while (0)
    ILLEGAL("fadd.d", "fadd.d ft0,ft1,ft2");
    ILLEGAL("fmadd.s", "fmadd.s ft0,ft1,ft2,ft3");
    ILLEGAL("fsgnj.d", "fsgnj.d ft0,ft1,ft2");
    ILLEGAL("fmv.x.w", "fmv.x.w t0,ft0" ::: "t0");
    ILLEGAL("fmv.w.x", "fmv.w.x ft0,zero");
    ILLEGAL("feq.d", "feq.d t0,ft0,ft1" ::: "t0");
    ILLEGAL("fcvt.d.w", "fcvt.d.w ft0,zero");
    ILLEGAL("flw", "flw ft0,0(%0)" :: "r"(&mem32));
    ILLEGAL("fsd", "fsd ft0,0(%0)" :: "r"(&mem64));
    ILLEGAL("c.fld", "mv a5,%0\n c.fld fa0,0(a5)" :: "r"(&mem64) : "a5");
    ILLEGAL("c.fsdsp", "c.fsdsp fa0,0(sp)");
    ILLEGAL("frflags", "frflags t0" ::: "t0");
    ILLEGAL("fsrm", "fsrm zero");
    ILLEGAL("csrr fcsr", "csrr t0, fcsr" ::: "t0");
    kprintf("FS still %lu, SD %lu\n", fs(), sd());
}

/* FS turned Off under code run often enough to be translated: still illegal, at that instruction. */
static void hot_fs_off(void)
{
    unsigned long traps = 0;
    set_fs(1);
    for (int i = 0; i < 64; i++) {
        if (i == 40) set_fs(0);
        trap_expect();
        __asm__ volatile("fadd.d ft0,ft1,ft2\n fsd ft0,0(%0)\n fmv.x.w t0,ft0" :: "r"(&mem64) : "t0", "memory");
        traps += trap_count();
    }
    print_trap("last hot fmv.x.w with FS Off");
    kprintf("hot FP code with FS Off from iteration 40: %lu traps\n", traps);
    set_fs(1);
}

static void dirty_tracking(void)
{
    static const char *const names[] = { "Off", "Initial", "Clean", "Dirty" };
#define AFTER(from, what, ...) do { set_fs(from); __asm__ volatile(__VA_ARGS__); \
        kprintf("%-28s FS %s -> %s SD=%lu\n", what, names[from], names[fs()], sd()); } while (0)
    AFTER(1, "fmv.x.w (reads f)", "fmv.x.w t0,ft0" ::: "t0");
    AFTER(1, "feq.d (writes x)", "feq.d t0,ft0,ft1" ::: "t0");
    AFTER(2, "fcvt.w.d (writes x)", "fcvt.w.d t0,ft0" ::: "t0");
    AFTER(2, "fclass.s", "fclass.s t0,ft0" ::: "t0");
    AFTER(2, "fsd (stores)", "fsd ft0,0(%0)" :: "r"(&mem64));
    AFTER(2, "frflags", "frflags t0" ::: "t0");
    AFTER(2, "csrrs fflags,zero", "csrrs t0, fflags, zero" ::: "t0");
    AFTER(2, "csrs fflags,zero", "csrs fflags, zero");
    AFTER(2, "fsflags (writes fflags)", "fsflags zero");
    AFTER(1, "fsrmi", "fsrmi 0");
    AFTER(2, "fscsr", "fscsr zero");
    AFTER(2, "fmv.w.x", "fmv.w.x ft3,zero");
    AFTER(1, "fadd.s", "fadd.s ft3,ft0,ft1");
    AFTER(2, "fld", "fld ft3,0(%0)" :: "r"(&mem64));
    AFTER(2, "fsgnj.d", "fsgnj.d ft3,ft0,ft0");
    AFTER(3, "nothing", "nop");
    set_fs(3);
    kprintf("sstatus FS=%lu SD=%lu\n", FS_OF(csr_read(sstatus)), csr_read(sstatus) >> (XLEN - 1));
    set_fs(2);
    kprintf("sstatus FS=%lu SD=%lu\n", FS_OF(csr_read(sstatus)), csr_read(sstatus) >> (XLEN - 1));
    set_fs(3);
}

static void fcsr_fields(void)
{
    unsigned long v;
    __asm__ volatile("fscsr %0" :: "r"(~0UL));
    __asm__ volatile("frcsr %0" : "=r"(v)); show("fcsr after writing ~0", v);
    __asm__ volatile("frrm %0" : "=r"(v)); show("frm", v);
    __asm__ volatile("frflags %0" : "=r"(v)); show("fflags", v);
    __asm__ volatile("fsrm %0, %1" : "=r"(v) : "r"(2UL)); show("fsrm returned old frm", v);
    __asm__ volatile("fsflagsi %0, 5" : "=r"(v)); show("fsflagsi returned old fflags", v);
    __asm__ volatile("frcsr %0" : "=r"(v)); show("fcsr", v);
    __asm__ volatile("csrrci %0, fcsr, 4" : "=r"(v)); show("csrrci fcsr old", v);
    __asm__ volatile("frcsr %0" : "=r"(v)); show("fcsr", v);
    __asm__ volatile("fscsr zero");
}

static void reserved_rounding_modes(void)
{
    /* rm 5 and 6 in the instruction (fadd.d ft0,ft1,ft2 with funct3 5, 6). */
    ILLEGAL("fadd.d rm=5", ".insn r 0x53, 5, 1, ft0, ft1, ft2");
    ILLEGAL("fadd.d rm=6", ".insn r 0x53, 6, 1, ft0, ft1, ft2");
    /* frm 5-7 with dyn: illegal for anything that takes a rounding mode, even an exact one. */
    for (unsigned long m = 5; m <= 7; m++) {
        __asm__ volatile("fsrm %0" :: "r"(m));
        unsigned long got;
        __asm__ volatile("frrm %0" : "=r"(got));
        kprintf("frm=%lu reads %lu\n", m, got);
        ILLEGAL("fadd.s dyn", "fadd.s ft0,ft1,ft2,dyn");
        /* The assembler takes no rounding mode for these exact conversions: their words by hand. */
        ILLEGAL("fcvt.d.w dyn", ".word 0xd2007053"); /* fcvt.d.w ft0,zero,dyn */
        ILLEGAL("fcvt.d.s dyn", ".word 0x4200f053"); /* fcvt.d.s ft0,ft1,dyn */
        ILLEGAL("fsgnj.s (no rm)", "fsgnj.s ft0,ft1,ft2");
        ILLEGAL("fmadd.d dyn", "fmadd.d ft0,ft1,ft2,ft3,dyn");
        ILLEGAL("fcvt.d.w rne", "fcvt.d.w ft0,zero");
    }
    __asm__ volatile("fsrm zero");
}

static void nan_boxing(void)
{
    u64 v;
    /* A double in f0 (not a boxed single): single operations read the canonical NaN. */
    mem64 = 0x3ff0000012345678ULL;
    __asm__ volatile("fld ft0,0(%0)" :: "r"(&mem64));
    clear_flags();
    float r;
    __asm__ volatile("fadd.s %0,ft0,ft0" : "=f"(r)); show64("fadd.s of an unboxed value", BS(r)); show("flags", flags());
    __asm__ volatile("fsgnj.s %0,ft0,ft0" : "=f"(r)); show64("fsgnj.s", BS(r));
    __asm__ volatile("fsgnjn.s ft4,ft0,ft0");
    __asm__ volatile("fsd ft4,0(%0)" :: "r"(&mem64)); show64("fsgnjn.s (64 bits)", mem64);
    __asm__ volatile("fclass.s %0,ft0" : "=r"(v)); show("fclass.s", v);
    __asm__ volatile("fmv.x.w %0,ft0" : "=r"(v)); show("fmv.x.w (raw low word)", v);
    __asm__ volatile("fsw ft0,0(%0)" :: "r"(&mem32)); show("fsw (raw low word)", mem32);
    double dr;
    __asm__ volatile("fcvt.d.s %0,ft0" : "=f"(dr)); show64("fcvt.d.s", BD(dr));
    __asm__ volatile("feq.s %0,ft0,ft0" : "=r"(v)); show("feq.s", v);
    /* Singles written by any means are boxed: flw, fmv.w.x, arithmetic, fcvt. */
    mem32 = 0x40490fdb;
    __asm__ volatile("flw ft5,0(%0)\n fsd ft5,0(%1)" :: "r"(&mem32), "r"(&mem64)); show64("flw then fsd", mem64);
    __asm__ volatile("fmv.w.x ft5,%0\n fsd ft5,0(%1)" :: "r"(0x12345678UL), "r"(&mem64)); show64("fmv.w.x", mem64);
    __asm__ volatile("fcvt.s.w ft5,%0\n fsd ft5,0(%1)" :: "r"(-3L), "r"(&mem64)); show64("fcvt.s.w", mem64);
    __asm__ volatile("fmin.s ft5,ft0,ft5\n fsd ft5,0(%0)" :: "r"(&mem64)); show64("fmin.s(unboxed, -3)", mem64);
#if __riscv_xlen == 64
    __asm__ volatile("fmv.d.x ft6,%0\n fmv.x.d %1,ft6" : "=r"(v) : "r"(0xffffffff7fc00001UL)); show("fmv.d.x/fmv.x.d", v);
    __asm__ volatile("fmv.x.w %0,ft6" : "=r"(v)); show("fmv.x.w sign-extends", v);
#endif
    /* Compressed loads and stores. */
    mem64 = 0xc00921fb54442d18ULL;
    __asm__ volatile("mv a5,%1\n c.fld fa1,0(a5)\n addi sp,sp,-16\n c.fsdsp fa1,8(sp)\n c.fldsp fa2,8(sp)\n addi sp,sp,16\n"
                     " c.fsd fa2,8(a5)\n fmv.d %0,fa2" : "=f"(dr) : "r"(&mem64) : "a5", "fa1", "fa2", "memory");
    show64("c.fld/c.fsdsp/c.fldsp", BD(dr));
    show64("c.fsd", (&mem64)[1]);
#if __riscv_xlen == 32
    mem32 = 0xc0490fdb;
    __asm__ volatile("mv a5,%0\n c.flw fa1,0(a5)\n addi sp,sp,-16\n c.fswsp fa1,4(sp)\n c.flwsp fa2,4(sp)\n addi sp,sp,16\n c.fsw fa2,4(a5)" :: "r"(&mem32) : "a5", "fa1", "fa2", "memory");
    show("c.flw/c.fswsp/c.flwsp/c.fsw", (&mem32)[1]);
#endif
}

/*
 * Conversions in a loop run often enough to be compiled, at the edges of the host's exact
 * cases: 32-bit results sign-extended (fcvt.wu of 3e9 too), magnitudes at 2^53 and 2^24,
 * NX, out of range. One hash of results and flags per operation.
 */
static void hot_conversions(void)
{
    static const u64 dv[] = { 0x41e65a0bc0000000ULL /* 3e9 */, 0x41efffffffff0000ULL /* 4294967295.5 */,
        0xc004000000000000ULL /* -2.5 */, 0x41dfffffffff0000ULL /* 2147483647.75 */, 0xc1e0000000100000ULL /* -2147483648.5 */,
        0x433fffffffffffffULL /* 2^53 - 1 */, 0x43e158e460913d00ULL /* 1e19 */, 0xbfe8000000000000ULL /* -0.75 */ };
    static const u64 sv[] = { 0x4f32d05e /* 3e9 */, 0x4f7fffff, 0xc0200000 /* -2.5 */, 0x4effffff, 0xcf000000 /* -2^31 */,
        0x5a000000, 0x5f0ac723 /* 1e19 */, 0xbf400000 /* -0.75 */ };
    static const u64 iv[] = { (1ULL << 53) + 1, (1ULL << 53) - 1, -(1ULL << 53), (1ULL << 24) + 1, 1ULL << 24,
        0xfffffffffffffffeULL, 0x80000001ULL, 0xffffffff80000000ULL };
    static const struct { const char *name; op_fn f; int rm; const u64 *in; } ops[] = {
        { "fcvt.w.d rtz", fcvt_w_d, 1, dv }, { "fcvt.wu.d rtz", fcvt_wu_d, 1, dv }, { "fcvt.w.d rne", fcvt_w_d, 0, dv },
        { "fcvt.w.s rtz", fcvt_w_s, 1, sv }, { "fcvt.wu.s rtz", fcvt_wu_s, 1, sv },
        { "fcvt.d.w", fcvt_d_w, 0, iv }, { "fcvt.d.wu", fcvt_d_wu, 0, iv }, { "fcvt.s.w", fcvt_s_w, 0, iv }, { "fcvt.s.wu", fcvt_s_wu, 0, iv },
#if __riscv_xlen == 64
        { "fcvt.l.d rtz", fcvt_l_d, 1, dv }, { "fcvt.lu.d rtz", fcvt_lu_d, 1, dv }, { "fcvt.l.s rtz", fcvt_l_s, 1, sv },
        { "fcvt.d.l", fcvt_d_l, 0, iv }, { "fcvt.d.lu", fcvt_d_lu, 0, iv }, { "fcvt.s.l", fcvt_s_l, 0, iv }, { "fcvt.s.lu", fcvt_s_lu, 0, iv },
#endif
    };
    for (unsigned k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        hash = 0;
        for (int pass = 0; pass < 20; pass++)
            for (unsigned i = 0; i < 8; i++) {
                clear_flags();
                mix(ops[k].f(ops[k].in[i], 0, 0, ops[k].rm));
                mix(flags());
            }
        kprintf("hot %s: %llx\n", ops[k].name, (unsigned long long)hash);
    }
}

int main(void)
{
    install_m_trap();
    show("misa", csr_read(misa));
    fs_off_is_illegal();
    hot_fs_off();
    dirty_tracking();
    fcsr_fields();
    reserved_rounding_modes();
    nan_boxing();
    hot_conversions();

    for (unsigned i = 0; i < N_RANDOM; i++) { RAND_D[i] = random_d(); RAND_S[i] = random_s(); RAND_I[i] = rnd() >> (i % 64); }
#define G(f, k, s, rm) group(#f, f, k, s, rm)
    G(fadd_s, K2, 1, 1); G(fsub_s, K2, 1, 1); G(fmul_s, K2, 1, 1); G(fdiv_s, K2, 1, 1); G(fsqrt_s, K1, 1, 1);
    G(fmadd_s, K3, 1, 1); G(fmsub_s, K3, 1, 1); G(fnmsub_s, K3, 1, 1); G(fnmadd_s, K3, 1, 1);
    G(fsgnj_s, K2, 1, 0); G(fsgnjn_s, K2, 1, 0); G(fsgnjx_s, K2, 1, 0); G(fmin_s, K2, 1, 0); G(fmax_s, K2, 1, 0);
    G(feq_s, K2, 1, 0); G(flt_s, K2, 1, 0); G(fle_s, K2, 1, 0); G(fclass_s, K1, 1, 0); G(fmv_x_w, K1, 1, 0);
    G(fcvt_w_s, K1, 1, 1); G(fcvt_wu_s, K1, 1, 1); G(fcvt_s_w, KI, 1, 1); G(fcvt_s_wu, KI, 1, 1);
    G(fadd_d, K2, 0, 1); G(fsub_d, K2, 0, 1); G(fmul_d, K2, 0, 1); G(fdiv_d, K2, 0, 1); G(fsqrt_d, K1, 0, 1);
    G(fmadd_d, K3, 0, 1); G(fmsub_d, K3, 0, 1); G(fnmsub_d, K3, 0, 1); G(fnmadd_d, K3, 0, 1);
    G(fsgnj_d, K2, 0, 0); G(fsgnjn_d, K2, 0, 0); G(fsgnjx_d, K2, 0, 0); G(fmin_d, K2, 0, 0); G(fmax_d, K2, 0, 0);
    G(feq_d, K2, 0, 0); G(flt_d, K2, 0, 0); G(fle_d, K2, 0, 0); G(fclass_d, K1, 0, 0);
    G(fcvt_w_d, K1, 0, 1); G(fcvt_wu_d, K1, 0, 1); G(fcvt_d_w, KI, 0, 0); G(fcvt_d_wu, KI, 0, 0);
    G(fcvt_s_d, K1, 0, 1); G(fcvt_d_s, K1, 1, 0);
#if __riscv_xlen == 64
    G(fcvt_l_s, K1, 1, 1); G(fcvt_lu_s, K1, 1, 1); G(fcvt_s_l, KI, 1, 1); G(fcvt_s_lu, KI, 1, 1);
    G(fcvt_l_d, K1, 0, 1); G(fcvt_lu_d, K1, 0, 1); G(fcvt_d_l, KI, 0, 1); G(fcvt_d_lu, KI, 0, 1);
    G(fmv_x_d, K1, 0, 0);
#endif
    finish();
}
