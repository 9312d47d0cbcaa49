/*
 * misaligned: loads and stores at every byte offset, including ones that
 * cross an 8-byte boundary and a 4 KiB page boundary. QEMU's virt performs
 * misaligned loads and stores to RAM in hardware (no trap); the values are
 * printed and checked against byte-wise assembly.
 */
#include "lib.h"
#include "ops.h"

static uint8_t pages[2 * 4096] __attribute__((aligned(4096)));

#define LD0(insn, p) ({ unsigned long r_; \
    __asm__ volatile (insn " %0, 0(%1)" : "=r"(r_) : "r"(p) : "memory"); r_; })
#define ST0(insn, p, v) __asm__ volatile (insn " %1, 0(%0)" :: "r"(p), "r"((unsigned long)(v)) : "memory")

static uint64_t bytes_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static unsigned long sext(uint64_t v, unsigned n)
{
    unsigned sh = 64 - 8 * n;
    return (unsigned long)((int64_t)(v << sh) >> sh);
}

static void fill(uint8_t *p, unsigned n)
{
    for (unsigned i = 0; i < n; i++) p[i] = (uint8_t)(0x81 + i * 0x13);
}

static void loads_at(const char *where, uint8_t *base)
{
    for (unsigned off = 0; off < 8; off++) {
        uint8_t *p = base + off;
        unsigned long h = LD0("lh", p), hu = LD0("lhu", p), w = LD0("lw", p);
        kprintf("%s+%u lh ", where, off);
        print_hex(h);
        puts(" lhu ");
        print_hex(hu);
        puts(" lw ");
        print_hex(w);
#if __riscv_xlen == 64
        unsigned long wu = LD0("lwu", p), d = LD0("ld", p);
        puts(" lwu ");
        print_hex(wu);
        puts(" ld ");
        print_hex(d);
        if (wu != bytes_le(p, 4) || d != bytes_le(p, 8)) { puts(" MISMATCH"); check_failures++; }
#endif
        if (h != sext(bytes_le(p, 2), 2) || hu != bytes_le(p, 2) || w != sext(bytes_le(p, 4), 4)) {
            puts(" MISMATCH");
            check_failures++;
        }
        putc('\n');
    }
}

static void stores_at(const char *where, uint8_t *base)
{
    for (unsigned off = 1; off < 8; off++) {
        uint8_t *p = base + off;
        memset(base - 8, 0, 32);
        ST0("sh", p, 0xa1b2);
        ST0("sw", p + 2, 0xc3d4e5f6);
#if __riscv_xlen == 64
        ST0("sd", p + 6, 0x0102030405060708UL);
#else
        ST0("sw", p + 6, 0x05060708UL);
        ST0("sw", p + 10, 0x01020304UL);
#endif
        kprintf("%s+%u stored:", where, off);
        for (int i = -8; i < 24; i++) kprintf("%s%02x", (i & 7) ? "" : " ", base[i]);
        if (bytes_le(p, 2) != 0xa1b2 || bytes_le(p + 2, 4) != 0xc3d4e5f6 ||
            bytes_le(p + 6, 8) != 0x0102030405060708ULL) {
            puts(" MISMATCH");
            check_failures++;
        }
        putc('\n');
    }
}

int main(void)
{
    install_m_trap();
    kprintf("misaligned: rv%d\n", XLEN);
    fill(pages, sizeof pages);
    loads_at("buf", pages + 64);
    loads_at("page-4", pages + 4096 - 4);
    stores_at("buf", pages + 128);
    fill(pages, sizeof pages);
    stores_at("page-8", pages + 4096 - 8);
    finish();
}
