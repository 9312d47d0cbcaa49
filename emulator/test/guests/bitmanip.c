/*
 * bitmanip: every Zba, Zbb, Zbc and Zbs instruction (the W and .uw forms on
 * rv64) on edge operands (0, 1, -1, sign bits, shift amounts 0/31/32/63),
 * printed for comparison with QEMU, plus pause (Zihintpause). Each
 * instruction runs first under trap_expect(): on a hart without its
 * extension (--isa / QEMU's zba=false...) it is an illegal instruction, and
 * the trap (cause, mtval = the instruction) is printed instead.
 * The C code is built without the extensions (gcc would use sh3add and the
 * like everywhere, the trap handler included, and a hart without them could
 * not run it); only the instructions under test are assembled with them.
 */
#include "lib.h"

/* One instruction assembled with the extensions on (binutils .option arch). */
#define ZB(insn) ".option push\n.option arch, +zba, +zbb, +zbc, +zbs, +zihintpause\n" insn "\n.option pop"
#define OP_RR(insn, a, b) ({ unsigned long r_; \
    __asm__ volatile (ZB(insn " %0, %1, %2") : "=r"(r_) : "r"((unsigned long)(a)), "r"((unsigned long)(b))); r_; })
#define OP_RI(insn, a, imm) ({ unsigned long r_; \
    __asm__ volatile (ZB(insn " %0, %1, %2") : "=r"(r_) : "r"((unsigned long)(a)), "i"(imm)); r_; })

#if __riscv_xlen == 64
static const unsigned long vals[] = {
    0, 1, (unsigned long)-1, 0x7fffffffffffffffUL, 0x8000000000000000UL, 0x000000007fffffffUL,
    0x0000000080000000UL, 0x0123456789abcdefUL, 0xfedcba9876543210UL, 0x00ff000000010080UL, 31, 32, 63,
};
#else
static const unsigned long vals[] = {
    0, 1, (unsigned long)-1, 0x7fffffffUL, 0x80000000UL, 0x00007fffUL, 0xffff8000UL,
    0x89abcdefUL, 0x76543210UL, 0x00ff0080UL, 31, 32, 17,
};
#endif
#define NV (sizeof vals / sizeof vals[0])

/* Runs `one` under trap_expect(); 1 when it trapped (the trap is printed). */
#define TRAPPED(name, one) ({ \
    trap_expect(); \
    (void)(one); \
    int t_ = trap_count() != 0; \
    if (t_) print_trap(name); else trap_disarm(); \
    t_; })

#define OP_R1(insn, a) ({ unsigned long r_; \
    __asm__ volatile (ZB(insn " %0, %1") : "=r"(r_) : "r"((unsigned long)(a))); r_; })

#define MATRIX_RR(insn) do { \
    if (TRAPPED(insn, OP_RR(insn, 1, 1))) break; \
    kprintf("%s:\n", insn); \
    for (unsigned i_ = 0; i_ < NV; i_++) \
        for (unsigned j_ = 0; j_ < NV; j_++) { \
            print_hex(OP_RR(insn, vals[i_], vals[j_])); \
            putc(j_ + 1 == NV ? '\n' : ' '); \
        } \
} while (0)

#define ROW_R1(insn) do { \
    if (TRAPPED(insn, OP_R1(insn, 1))) break; \
    kprintf("%s:", insn); \
    for (unsigned i_ = 0; i_ < NV; i_++) { putc(' '); print_hex(OP_R1(insn, vals[i_])); } \
    putc('\n'); \
} while (0)

#define ROW_RI(insn, imm) do { \
    if (TRAPPED(insn, OP_RI(insn, 1, imm))) break; \
    kprintf("%s %d:", insn, (int)(imm)); \
    for (unsigned i_ = 0; i_ < NV; i_++) { putc(' '); print_hex(OP_RI(insn, vals[i_], imm)); } \
    putc('\n'); \
} while (0)

#if __riscv_xlen == 64
#define SHIFTS(insn) do { ROW_RI(insn, 0); ROW_RI(insn, 1); ROW_RI(insn, 31); ROW_RI(insn, 32); ROW_RI(insn, 63); } while (0)
#else
#define SHIFTS(insn) do { ROW_RI(insn, 0); ROW_RI(insn, 1); ROW_RI(insn, 17); ROW_RI(insn, 31); } while (0)
#endif

static void zba(void)
{
    MATRIX_RR("sh1add");
    MATRIX_RR("sh2add");
    MATRIX_RR("sh3add");
#if __riscv_xlen == 64
    MATRIX_RR("add.uw");
    MATRIX_RR("sh1add.uw");
    MATRIX_RR("sh2add.uw");
    MATRIX_RR("sh3add.uw");
    SHIFTS("slli.uw");
#endif
}

static void zbb(void)
{
    MATRIX_RR("andn");
    MATRIX_RR("orn");
    MATRIX_RR("xnor");
    MATRIX_RR("max");
    MATRIX_RR("maxu");
    MATRIX_RR("min");
    MATRIX_RR("minu");
    MATRIX_RR("rol");
    MATRIX_RR("ror");
    SHIFTS("rori");
    ROW_R1("clz");
    ROW_R1("ctz");
    ROW_R1("cpop");
    ROW_R1("sext.b");
    ROW_R1("sext.h");
    ROW_R1("zext.h");
    ROW_R1("orc.b");
    ROW_R1("rev8");
#if __riscv_xlen == 64
    MATRIX_RR("rolw");
    MATRIX_RR("rorw");
    ROW_RI("roriw", 0);
    ROW_RI("roriw", 1);
    ROW_RI("roriw", 31);
    ROW_R1("clzw");
    ROW_R1("ctzw");
    ROW_R1("cpopw");
#endif
}

static void zbc(void)
{
    MATRIX_RR("clmul");
    MATRIX_RR("clmulh");
    MATRIX_RR("clmulr");
}

static void zbs(void)
{
    MATRIX_RR("bclr");
    MATRIX_RR("bext");
    MATRIX_RR("binv");
    MATRIX_RR("bset");
    SHIFTS("bclri");
    SHIFTS("bexti");
    SHIFTS("binvi");
    SHIFTS("bseti");
}

/* A loop the block translator takes (hot), mixing the new instructions. */
static unsigned long hot_loop(void)
{
    unsigned long acc = 0x0123456789abcdefUL & (unsigned long)-1;
    for (unsigned i = 0; i < 200; i++) {
        unsigned long v = vals[i % NV] ^ i;
        acc = OP_RR("sh2add", v, acc);
        acc ^= OP_RI("rori", acc, 7);
        acc = OP_RR("andn", acc, v) + OP_R1("cpop", v) + OP_R1("clz", acc);
        acc = OP_RR("clmul", acc, v | 1) ^ OP_RR("bset", acc, i);
        acc = OP_RR("max", acc, OP_R1("rev8", v)) + OP_R1("orc.b", v);
    }
    return acc;
}

int main(void)
{
    install_m_trap();
    __asm__ volatile (ZB("pause"));
    zba();
    zbb();
    zbc();
    zbs();
    /* Only meaningful with all four; otherwise its first instruction traps. */
    if (!TRAPPED("hot loop", OP_RR("sh2add", 1, 1)) && !TRAPPED("hot loop", OP_RR("clmul", 1, 1)) &&
        !TRAPPED("hot loop", OP_RR("andn", 1, 1)) && !TRAPPED("hot loop", OP_RR("bset", 1, 1))) {
        puts("hot loop: ");
        print_hex(hot_loop());
        putc('\n');
    }
    puts("done\n");
    return 0;
}
