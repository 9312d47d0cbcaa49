/*
 * branches: beq/bne/blt/bge/bltu/bgeu over an operand matrix (taken = 1),
 * forward and backward branches, jal/jalr link values, jalr clearing bit 0
 * of the target, jalr with rd == rs1, and a recursive call chain.
 */
#include "lib.h"
#include "ops.h"

static const unsigned long vals[] = {
    0, 1, (unsigned long)-1, 2, (unsigned long)-2, 1UL << (XLEN - 1), (1UL << (XLEN - 1)) - 1, 0x80000000UL,
};
#define NV (sizeof vals / sizeof vals[0])

#define BR(insn, a, b) ({ unsigned long t_; \
    __asm__ volatile ("li %0, 1\n\t" insn " %1, %2, 1f\n\tli %0, 0\n1:" \
                      : "=&r"(t_) : "r"((unsigned long)(a)), "r"((unsigned long)(b))); t_; })

#define BR_MATRIX(insn) do { \
    kprintf("%-6s", insn); \
    for (unsigned i_ = 0; i_ < NV; i_++) { \
        putc(' '); \
        for (unsigned j_ = 0; j_ < NV; j_++) putc('0' + (char)BR(insn, vals[i_], vals[j_])); \
    } \
    putc('\n'); \
} while (0)

static unsigned fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(void)
{
    install_m_trap();
    kprintf("branches: rv%d\n", XLEN);
    BR_MATRIX("beq");
    BR_MATRIX("bne");
    BR_MATRIX("blt");
    BR_MATRIX("bge");
    BR_MATRIX("bltu");
    BR_MATRIX("bgeu");

    check("beq taken", BR("beq", 5, 5), 1);
    check("bne not taken", BR("bne", 5, 5), 0);
    check("blt -1<0", BR("blt", -1L, 0), 1);
    check("bltu -1<0", BR("bltu", -1L, 0), 0);
    check("bge MIN>=MIN", BR("bge", 1UL << (XLEN - 1), 1UL << (XLEN - 1)), 1);
    check("bgeu -1>=0", BR("bgeu", -1L, 0), 1);

    /* Backward branch: a counted loop. */
    unsigned long n;
    __asm__ volatile ("li %0, 0\n\tli t0, 100\n1:\taddi %0, %0, 3\n\taddi t0, t0, -1\n\tbnez t0, 1b"
                      : "=&r"(n) :: "t0");
    check("loop 100x3", n, 300);

    /* jal: link = address of the next instruction; the target is skipped to. */
    unsigned long link, here, skipped;
    __asm__ volatile (".option push\n\t.option norvc\n\t"
                      "li %2, 0\n\t"
                      "1: jal %0, 2f\n\t"
                      "li %2, 1\n"
                      "2:\tla %1, 1b\n\t"
                      ".option pop"
                      : "=&r"(link), "=&r"(here), "=&r"(skipped));
    check("jal link - pc", link - here, 4);
    check("jal skipped", skipped, 0);

    /* jalr clears bit 0 of the target. */
    unsigned long target, got;
    __asm__ volatile (".option push\n\t.option norvc\n\t"
                      "la %1, 3f\n\t"
                      "addi %1, %1, 1\n\t"
                      "li %2, 0\n\t"
                      "1: jalr %0, 0(%1)\n\t"
                      "li %2, 99\n"
                      "3:\tla %1, 1b\n\t"
                      "sub %0, %0, %1\n\t"
                      ".option pop"
                      : "=&r"(link), "=&r"(target), "=&r"(got));
    check("jalr odd target link - pc", link, 4);
    check("jalr odd target skipped", got, 0);

    /* jalr with a negative offset and rd == rs1: the old rs1 forms the target. */
    __asm__ volatile (".option push\n\t.option norvc\n\t"
                      "la %0, 4f\n\t"
                      "addi %0, %0, 16\n\t"
                      "li %1, 0\n\t"
                      "1: jalr %0, -16(%0)\n\t"
                      "li %1, 77\n"
                      "4:\tla t0, 1b\n\t"
                      "sub %0, %0, t0\n\t"
                      ".option pop"
                      : "=&r"(link), "=&r"(got) :: "t0");
    check("jalr rd==rs1 link - pc", link, 4);
    check("jalr rd==rs1 skipped", got, 0);

    /* jalr x0 (plain jump through a register) leaves no link. */
    __asm__ volatile ("la t0, 5f\n\tli %0, 1\n\tjr t0\n\tli %0, 2\n5:" : "=&r"(got) :: "t0");
    check("jr", got, 1);

    volatile unsigned k = 20;
    check("fib(20)", fib(k), 6765);
    finish();
}
