/*
 * loadstore: every load and store width (lb lh lw ld lbu lhu lwu / sb sh sw sd)
 * at aligned offsets, sign and zero extension, positive and negative
 * immediate offsets, a load into x0, and byte order (little-endian).
 */
#include "lib.h"
#include "ops.h"

static uint8_t buf[64] __attribute__((aligned(16)));

#define LD(insn, base, off) ({ unsigned long r_; \
    __asm__ volatile (insn " %0, %2(%1)" : "=r"(r_) : "r"(base), "i"(off) : "memory"); r_; })
#define ST(insn, base, off, v) \
    __asm__ volatile (insn " %1, %2(%0)" :: "r"(base), "r"((unsigned long)(v)), "i"(off) : "memory")

static void fill(void)
{
    for (unsigned i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)(0x70 + i * 0x11);
}

static void dump_buf(const char *what)
{
    kprintf("%s:", what);
    for (unsigned i = 0; i < 32; i++) kprintf("%s%02x", (i % 8) ? "" : " ", buf[i]);
    putc('\n');
}

#define LROW(insn, step) do { \
    kprintf("%-4s", insn); \
    for (unsigned o_ = 0; o_ < 16; o_ += (step)) { putc(' '); print_hex(load_at(insn, o_)); } \
    putc('\n'); \
} while (0)

/* One instance per (insn, offset): immediates must be constants. */
static unsigned long load_at(const char *insn, unsigned off)
{
    uint8_t *b = buf;
#define CASE(name) \
    if (!memcmp(insn, #name, sizeof #name)) { \
        switch (off) { \
        case 0: return LD(#name, b, 0); case 1: return LD(#name, b, 1); \
        case 2: return LD(#name, b, 2); case 3: return LD(#name, b, 3); \
        case 4: return LD(#name, b, 4); case 5: return LD(#name, b, 5); \
        case 6: return LD(#name, b, 6); case 7: return LD(#name, b, 7); \
        case 8: return LD(#name, b, 8); case 9: return LD(#name, b, 9); \
        case 10: return LD(#name, b, 10); case 11: return LD(#name, b, 11); \
        case 12: return LD(#name, b, 12); case 13: return LD(#name, b, 13); \
        case 14: return LD(#name, b, 14); case 15: return LD(#name, b, 15); \
        } \
    }
    CASE(lb) CASE(lbu) CASE(lh) CASE(lhu) CASE(lw)
#if __riscv_xlen == 64
    CASE(lwu) CASE(ld)
#endif
#undef CASE
    return 0xbad;
}

int main(void)
{
    install_m_trap();
    kprintf("loadstore: rv%d\n", XLEN);
    fill();
    dump_buf("initial");
    LROW("lb", 1);
    LROW("lbu", 1);
    LROW("lh", 2);
    LROW("lhu", 2);
    LROW("lw", 4);
#if __riscv_xlen == 64
    LROW("lwu", 4);
    LROW("ld", 8);
#endif

    uint8_t *b = buf;
    check("lb 0x81 sign", LD("lb", b, 1), (unsigned long)(long)(int8_t)0x81);
    check("lbu 0x81", LD("lbu", b, 1), 0x81);
    check("lh 0xa392 sign", LD("lh", b, 2), (unsigned long)(long)(int16_t)0xa392);
    check("lhu", LD("lhu", b, 2), 0xa392);
    check("lw", LD("lw", b, 4), (unsigned long)(long)(int32_t)0xe7d6c5b4);
#if __riscv_xlen == 64
    check("lwu", LD("lwu", b, 4), 0xe7d6c5b4UL);
    check("ld", LD("ld", b, 8), 0x6f5e4d3c2b1a09f8UL);
#endif
    /* Negative offsets. */
    uint8_t *mid = buf + 16;
    check("lbu -16", LD("lbu", mid, -16), 0x70);
    check("lhu -14", LD("lhu", mid, -14), 0xa392);

    /* A load into x0 is still performed and discarded. */
    unsigned long z;
    __asm__ volatile ("lw x0, 0(%1)\n\tmv %0, x0" : "=r"(z) : "r"(b) : "memory");
    check("load into x0", z, 0);

    /* Stores: each width writes only its bytes. */
    memset(buf, 0, sizeof buf);
    ST("sb", b, 0, 0x1234567890abcdefULL);
    ST("sh", b, 2, 0x1234567890abcdefULL);
    ST("sw", b, 4, 0x1234567890abcdefULL);
#if __riscv_xlen == 64
    ST("sd", b, 8, 0x1122334455667788ULL);
#else
    ST("sw", b, 8, 0x55667788UL);
    ST("sw", b, 12, 0x11223344UL);
#endif
    ST("sb", mid, -1, 0xaa);
    ST("sh", mid, 2, 0xbbcc);
    dump_buf("stored");
    check("sb", buf[0], 0xef);
    check("sh", *(uint16_t *)&buf[2], 0xcdef);
    check("sw", *(uint32_t *)&buf[4], 0x90abcdef);
    check("sb -1", buf[15], 0xaa);
    check("sd/sw low word", *(uint32_t *)&buf[8], 0x55667788);
    check("sb -1 over sd/sw high", *(uint32_t *)&buf[12], 0xaa223344);

    /* Little-endian: a word's low byte is at the lowest address. */
    *(volatile uint32_t *)buf = 0x04030201;
    check("byte order", buf[0] | (buf[3] << 8), 0x0401);
    finish();
}
