/*
 * muldiv: every M-extension instruction (and the W forms on rv64) over a
 * matrix of operands including signed extremes, division by zero
 * (quotient all ones, remainder = dividend) and signed overflow
 * (MIN / -1 = MIN, remainder 0). Spec: unprivileged ISA, M extension, table 13.1.
 */
#include "lib.h"
#include "ops.h"

#if __riscv_xlen == 64
#define SMIN 0x8000000000000000UL
#define SMAX 0x7fffffffffffffffUL
static const unsigned long vals[] = {
    0, 1, (unsigned long)-1, 2, (unsigned long)-2, 7, (unsigned long)-7, SMAX, SMIN,
    0x00000000ffffffffUL, 0xffffffff80000000UL, 0x0123456789abcdefUL,
};
#else
#define SMIN 0x80000000UL
#define SMAX 0x7fffffffUL
static const unsigned long vals[] = {
    0, 1, (unsigned long)-1, 2, (unsigned long)-2, 7, (unsigned long)-7, SMAX, SMIN,
    0x0000ffffUL, 0xffff8000UL, 0x89abcdefUL,
};
#endif
#define NV (sizeof vals / sizeof vals[0])

#define MATRIX_RR(insn) do { \
    kprintf("%s:\n", insn); \
    for (unsigned i_ = 0; i_ < NV; i_++) { \
        for (unsigned j_ = 0; j_ < NV; j_++) { \
            print_hex(OP_RR(insn, vals[i_], vals[j_])); \
            putc(j_ + 1 == NV ? '\n' : ' '); \
        } \
    } \
} while (0)

int main(void)
{
    install_m_trap();
    kprintf("muldiv: rv%d\n", XLEN);
    MATRIX_RR("mul");
    MATRIX_RR("mulh");
    MATRIX_RR("mulhsu");
    MATRIX_RR("mulhu");
    MATRIX_RR("div");
    MATRIX_RR("divu");
    MATRIX_RR("rem");
    MATRIX_RR("remu");
#if __riscv_xlen == 64
    MATRIX_RR("mulw");
    MATRIX_RR("divw");
    MATRIX_RR("divuw");
    MATRIX_RR("remw");
    MATRIX_RR("remuw");
#endif

    /* Division by zero. */
    check("div 5/0", OP_RR("div", 5, 0), (unsigned long)-1);
    check("divu 5/0", OP_RR("divu", 5, 0), (unsigned long)-1);
    check("rem 5%0", OP_RR("rem", 5, 0), 5);
    check("remu -5%0", OP_RR("remu", -5L, 0), (unsigned long)-5);
    /* Signed overflow. */
    check("div MIN/-1", OP_RR("div", SMIN, -1L), SMIN);
    check("rem MIN%-1", OP_RR("rem", SMIN, -1L), 0);
    /* Rounding toward zero, remainder takes the dividend's sign. */
    check("div -7/2", OP_RR("div", -7L, 2), (unsigned long)-3);
    check("rem -7%2", OP_RR("rem", -7L, 2), (unsigned long)-1);
    check("div 7/-2", OP_RR("div", 7, -2L), (unsigned long)-3);
    check("rem 7%-2", OP_RR("rem", 7, -2L), 1);
    /* High halves with signed extremes. */
    check("mulh MIN*MIN", OP_RR("mulh", SMIN, SMIN), SMIN >> 1);
    check("mulh MIN*-1", OP_RR("mulh", SMIN, -1L), 0);
    check("mulh -1*-1", OP_RR("mulh", -1L, -1L), 0);
    check("mulhu -1*-1", OP_RR("mulhu", -1L, -1L), (unsigned long)-2);
    check("mulhsu -1*-1", OP_RR("mulhsu", -1L, -1L), (unsigned long)-1);
    check("mulhsu MIN*-1", OP_RR("mulhsu", SMIN, -1L), SMIN);
    check("mulhsu MAX*-1", OP_RR("mulhsu", SMAX, -1L), SMAX - 1);
    check("mul MIN*-1", OP_RR("mul", SMIN, -1L), SMIN);
#if __riscv_xlen == 64
    check("mulw", OP_RR("mulw", 0x10000UL, 0x8000UL), 0xffffffff80000000UL);
    check("mulw ignores high", OP_RR("mulw", 0x1234567800000003UL, 0xfffffffe00000005UL), 15);
    check("divw 5/0", OP_RR("divw", 5, 0), (unsigned long)-1);
    check("divuw 5/0", OP_RR("divuw", 5, 0), (unsigned long)-1);
    check("remw 5%0", OP_RR("remw", 0x1234567800000005UL, 0), 5);
    check("remuw (-5)%0", OP_RR("remuw", 0xfffffffbUL, 0), (unsigned long)-5);
    check("divw MIN/-1", OP_RR("divw", 0x80000000UL, -1L), 0xffffffff80000000UL);
    check("remw MIN%-1", OP_RR("remw", 0x80000000UL, -1L), 0);
    check("divuw", OP_RR("divuw", 0xffffffffUL, 2), 0x7fffffffUL);
    check("divuw sign-extends", OP_RR("divuw", 0xffffffffUL, 1), (unsigned long)-1);
#endif
    finish();
}
