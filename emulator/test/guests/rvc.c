/*
 * rvc: the C extension. rvc_ops.S runs each compressed instruction (written
 * as explicit c.* mnemonics) and stores the results, then dumps registers.
 */
#include "lib.h"

void rvc_ops(unsigned long *out);

#define S32(v) ((unsigned long)(long)(int32_t)(v))

int main(void)
{
    static unsigned long out[40];
    install_m_trap();
    kprintf("rvc: rv%d\n", XLEN);
    rvc_ops(out);
    static const char *const names[] = {
        "c.li 31", "c.li -32", "c.lui 1", "c.lui 0xfffe0", "c.addi -1", "c.addi 31", "c.slli 31",
        "c.srli 3", "c.srai 3", "c.andi 0x15", "c.add", "c.sub", "c.xor", "c.or", "c.and",
        "c.addiw -1+1", "c.addiw max+1", "c.addw", "c.subw", "c.addiw 0", "c.addi4spn 32",
        "c.sw/c.lw", "c.lwsp", "c.swsp/c.lw", "c.sd/c.ld", "c.ldsp", "c.sdsp/c.ld", "c.j",
        "c.beqz/c.bnez", "c.bnez loop", "c.jr", "c.jalr link", "c.jalr call", "c.jal link",
    };
#if __riscv_xlen == 64
    static const unsigned long expect[] = {
        31, (unsigned long)-32, 0x1000, (unsigned long)-32L << 12, 30, (unsigned long)-1,
        1UL << 31, 1UL << 28, 1UL << 28, 0x15, 22, 2, 6, 14, 8,
        0, 0xffffffff80000000UL, 0, 0xffffffff80000000UL, 0xffffffff80000000UL, 32,
        0x5a5a1234, 0x5a5a1234, (unsigned long)-3, 0x123456789abcdef0UL, 0x123456789abcdef0UL,
        (unsigned long)-5, 0, 2, 15, 7, 0, 42, 0,
    };
#else
    static const unsigned long expect[] = {
        31, (unsigned long)-32, 0x1000, (unsigned long)-32L << 12, 30, (unsigned long)-1,
        1UL << 31, 1UL << 28, S32(0xf0000000), 0x15, 22, 2, 6, 14, 8,
        15, 15, 15, 15, 15, 32,
        0x5a5a1234, 0x5a5a1234, (unsigned long)-3, 0x5a5a1234, 0x5a5a1234, (unsigned long)-3,
        0, 2, 15, 7, 0, 42, 0,
    };
#endif
    for (unsigned i = 0; i < sizeof expect / sizeof expect[0]; i++) check(names[i], out[i], expect[i]);
    finish();
}
