/*
 * alu: every RV32I/RV64I register-register and register-immediate ALU
 * instruction (incl. the W forms on rv64), shifts, compares, lui and auipc.
 * Prints each result for a matrix of operands (compared with QEMU) and
 * checks a hand-computed subset.
 */
#include "lib.h"
#include "ops.h"

#if __riscv_xlen == 64
static const unsigned long vals[] = {
    0, 1, (unsigned long)-1, 0x7fffffffffffffffUL, 0x8000000000000000UL,
    0x000000007fffffffUL, 0x0000000080000000UL, 0x0123456789abcdefUL, 0xfedcba9876543210UL, 63, 33,
};
#else
static const unsigned long vals[] = {
    0, 1, (unsigned long)-1, 0x7fffffffUL, 0x80000000UL, 0x00007fffUL, 0xffff8000UL,
    0x89abcdefUL, 0x76543210UL, 31, 17,
};
#endif
#define NV (sizeof vals / sizeof vals[0])

/* One line per first operand: the results for every second operand. */
#define MATRIX_RR(insn) do { \
    kprintf("%s:\n", insn); \
    for (unsigned i_ = 0; i_ < NV; i_++) { \
        for (unsigned j_ = 0; j_ < NV; j_++) { \
            print_hex(OP_RR(insn, vals[i_], vals[j_])); \
            putc(j_ + 1 == NV ? '\n' : ' '); \
        } \
    } \
} while (0)

#define ROW_RI(insn, imm) do { \
    kprintf("%s %d:", insn, (int)(imm)); \
    for (unsigned i_ = 0; i_ < NV; i_++) { putc(' '); print_hex(OP_RI(insn, vals[i_], imm)); } \
    putc('\n'); \
} while (0)

static void rr_ops(void)
{
    MATRIX_RR("add");
    MATRIX_RR("sub");
    MATRIX_RR("sll");
    MATRIX_RR("slt");
    MATRIX_RR("sltu");
    MATRIX_RR("xor");
    MATRIX_RR("srl");
    MATRIX_RR("sra");
    MATRIX_RR("or");
    MATRIX_RR("and");
#if __riscv_xlen == 64
    MATRIX_RR("addw");
    MATRIX_RR("subw");
    MATRIX_RR("sllw");
    MATRIX_RR("srlw");
    MATRIX_RR("sraw");
#endif
}

static void ri_ops(void)
{
#define IMMS(insn) ROW_RI(insn, 0); ROW_RI(insn, 1); ROW_RI(insn, -1); ROW_RI(insn, 2047); \
    ROW_RI(insn, -2048); ROW_RI(insn, 0x555); ROW_RI(insn, -0x556)
    IMMS("addi");
    IMMS("slti");
    IMMS("sltiu");
    IMMS("xori");
    IMMS("ori");
    IMMS("andi");
#define SHAMTS(insn) ROW_RI(insn, 0); ROW_RI(insn, 1); ROW_RI(insn, 7); ROW_RI(insn, 31)
    SHAMTS("slli");
    SHAMTS("srli");
    SHAMTS("srai");
#if __riscv_xlen == 64
    ROW_RI("slli", 32); ROW_RI("slli", 63);
    ROW_RI("srli", 32); ROW_RI("srli", 63);
    ROW_RI("srai", 32); ROW_RI("srai", 63);
    IMMS("addiw");
    SHAMTS("slliw");
    SHAMTS("srliw");
    SHAMTS("sraiw");
#endif
}

static void upper_ops(void)
{
    show("lui 0x00000", OP_I("lui", 0));
    show("lui 0x00001", OP_I("lui", 1));
    show("lui 0x7ffff", OP_I("lui", 0x7ffff));
    show("lui 0x80000", OP_I("lui", 0x80000));
    show("lui 0xfffff", OP_I("lui", 0xfffff));
    /* auipc: print the offset from the instruction's own address. */
    unsigned long a, b, c;
    __asm__ volatile ("1: auipc %0, 0\n la %1, 1b\n" : "=r"(a), "=r"(b));
    show("auipc 0 - pc", a - b);
    __asm__ volatile ("1: auipc %0, 0x12345\n la %1, 1b\n" : "=r"(a), "=r"(b));
    show("auipc 0x12345 - pc", a - b);
    __asm__ volatile ("1: auipc %0, 0xfffff\n la %1, 1b\n" : "=r"(a), "=r"(b));
    show("auipc 0xfffff - pc", a - b);
    __asm__ volatile ("1: auipc %0, 0x80000\n la %1, 1b\n sub %2, %0, %1\n" : "=r"(a), "=r"(b), "=r"(c));
    show("auipc 0x80000 - pc", c);
    check("auipc pc", b & 0xff000000UL, 0x80000000UL);
}

static void x0_writes(void)
{
    unsigned long r;
    /* Writes to x0 are discarded; reads of x0 give 0. */
    __asm__ volatile ("addi x0, x0, 5\n add %0, x0, x0\n lui x0, 0x12345\n or %0, %0, x0" : "=r"(r));
    check("x0 after writes", r, 0);
}

static void checks(void)
{
    check("add -1+1", OP_RR("add", -1L, 1), 0);
    check("sub 0-1", OP_RR("sub", 0, 1), (unsigned long)-1);
    check("slt -1<1", OP_RR("slt", -1L, 1), 1);
    check("sltu -1<1", OP_RR("sltu", -1L, 1), 0);
    check("sltiu x<-1", OP_RI("sltiu", 5, -1), 1);
    check("slti 5<-1", OP_RI("slti", 5, -1), 0);
    check("xori -1", OP_RI("xori", 0x0f0fUL, -1), ~0x0f0fUL);
    check("andi -2048", OP_RI("andi", (unsigned long)-1, -2048), (unsigned long)-2048);
    check("srai", OP_RI("srai", 1UL << (XLEN - 1), XLEN - 1), (unsigned long)-1);
    check("srli", OP_RI("srli", 1UL << (XLEN - 1), XLEN - 1), 1);
    check("sll by xlen+1 (masked)", OP_RR("sll", 1, XLEN + 1), 2);
    check("sra by -1 (masked)", OP_RR("sra", 1UL << (XLEN - 1), -1L), (unsigned long)-1);
    check("lui 0x80000", OP_I("lui", 0x80000), (unsigned long)(long)(int)0x80000000);
#if __riscv_xlen == 64
    check("addw overflow", OP_RR("addw", 0x7fffffffUL, 1), 0xffffffff80000000UL);
    check("addw ignores high", OP_RR("addw", 0x1234567800000001UL, 0x1), 2);
    check("subw", OP_RR("subw", 0, 1), (unsigned long)-1);
    check("sllw 31", OP_RR("sllw", 1, 31), 0xffffffff80000000UL);
    check("sllw masks 5 bits", OP_RR("sllw", 1, 33), 2);
    check("srlw", OP_RR("srlw", 0xffffffff80000000UL, 31), 1);
    check("sraw", OP_RR("sraw", 0x0000000080000000UL, 31), (unsigned long)-1);
    check("addiw -1", OP_RI("addiw", 0xffffffffUL, 1), 0);
    check("sext.w", OP_RI("addiw", 0x00000000deadbeefUL, 0), 0xffffffffdeadbeefUL);
    check("slliw 31", OP_RI("slliw", 3, 31), 0xffffffff80000000UL);
    check("srliw 0 (sign-extends)", OP_RI("srliw", 0x80000000UL, 0), 0xffffffff80000000UL);
    check("sraiw 4", OP_RI("sraiw", 0x80000000UL, 4), 0xfffffffff8000000UL);
#endif
}

int main(void)
{
    install_m_trap();
    kprintf("alu: rv%d\n", XLEN);
    rr_ops();
    ri_ops();
    upper_ops();
    x0_writes();
    checks();
    finish();
}
