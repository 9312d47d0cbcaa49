/*
 * cmo: Zicbom and Zicboz (cbo.clean/flush/inval/zero, CMO spec 1.0.1) and
 * Svpbmt's PTE bits. A hart without Zicbom/Zicboz (QEMU 7.2 has neither)
 * takes an illegal instruction for each cbo and skips those parts; with them
 * (ours, --isa ..._zicbom_zicboz) the program checks the results itself
 * (lib.c check(): a MISMATCH line and exit 1 on a wrong one): cbo.zero clears exactly the 64-byte
 * block, M always may, S needs menvcfg and U also senvcfg (CBIE, CBCFE,
 * CBZE), and through Sv39/Sv32 pages: cbo.zero is a store (page fault on a
 * read-only page, tval the block's address), clean/flush/inval need a load
 * or a store to be allowed (a store access fault where PMP allows neither). rv64 then loads through PTEs with PBMT bits
 * 62:61 (and other bits of 63:54), printed for comparison with QEMU with
 * svpbmt on and off. The C code is built without the extensions.
 */
#include "lib.h"

#define CMO(insn, addr) __asm__ volatile (".option push\n.option arch, +zicbom, +zicboz\n" insn " (%0)\n.option pop" :: "r"(addr) : "memory")
#define MENVCFG 0x30a
#define SENVCFG 0x10a
#define CBIE (3UL << 4)
#define CBCFE (1UL << 6)
#define CBZE (1UL << 7)


static uint8_t buf[256] __attribute__((aligned(64)));

/* The four operations on one address: 1 when each ran without a trap. */
static long cbo_all(long addr)
{
    long ok = 0;
    trap_expect(); CMO("cbo.clean", addr); ok |= trap_count() == 0 ? 1 : 0;
    trap_expect(); CMO("cbo.flush", addr); ok |= trap_count() == 0 ? 2 : 0;
    trap_expect(); CMO("cbo.inval", addr); ok |= trap_count() == 0 ? 4 : 0;
    trap_expect(); CMO("cbo.zero", addr); ok |= trap_count() == 0 ? 8 : 0;
    trap_disarm();
    return ok;
}

static void zero_block(void)
{
    memset(buf, 0xaa, sizeof buf);
    CMO("cbo.zero", buf + 64 + 13);   /* any address in the block */
    unsigned long zeros = 0, first = sizeof buf;
    for (unsigned i = 0; i < sizeof buf; i++) if (buf[i] == 0) { zeros++; if (first == sizeof buf) first = i; }
    check("cbo.zero: zero bytes", zeros, 64);
    check("cbo.zero: first zero at", first, 64);
    check("cbo.zero: bytes 63 and 128", (unsigned long)buf[63] << 8 | buf[128], 0xaaaa);
}

static long in_mode_probe(long addr) { return cbo_all(addr); }

static void envcfg(void)
{
    csr_write(MENVCFG, -1L);
    kprintf("menvcfg after writing ones: "); print_hex(csr_read(MENVCFG)); putc('\n');
    csr_write(SENVCFG, -1L);
    kprintf("senvcfg after writing ones: "); print_hex(csr_read(SENVCFG)); putc('\n');
    static const unsigned long fields[] = { 0, CBCFE, CBIE, CBZE, CBCFE | CBIE | CBZE, 1UL << 4 };
    if (cbo_all((long)buf) != 15) { csr_write(MENVCFG, 0); csr_write(SENVCFG, 0); return; }
    for (unsigned i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        csr_write(MENVCFG, fields[i]);
        csr_write(SENVCFG, 0);
        long s = call_in_mode(PRV_S, in_mode_probe, (long)buf);
        long u = call_in_mode(PRV_U, in_mode_probe, (long)buf);
        csr_write(SENVCFG, fields[i]);
        long u2 = call_in_mode(PRV_U, in_mode_probe, (long)buf);
        unsigned long f = fields[i];
        unsigned long want = ((f & CBCFE) ? 3 : 0) | ((f & CBIE) ? 4 : 0) | ((f & CBZE) ? 8 : 0);
        kprintf("envcfg %lx: ", f);
        check("S ran", s, want);
        check("  U ran, senvcfg 0", u, 0);
        check("  U ran, senvcfg same", u2, want);
    }
    csr_write(MENVCFG, 0);
    csr_write(SENVCFG, 0);
}

/* ---- paging: 4 KiB test pages at TV (Sv39 on rv64, Sv32 on rv32) ---- */
#define TV 0x40000000UL
#if __riscv_xlen == 64
#define VPN_BITS 9
#define LEVELS 3
#define SATP_MODE (8UL << 60)
#else
#define VPN_BITS 10
#define LEVELS 2
#define SATP_MODE (1UL << 31)
#endif

static uint8_t pool[8][4096] __attribute__((aligned(4096)));
static unsigned pool_used;
static uint8_t data[4096] __attribute__((aligned(4096)));

static unsigned long *alloc_page(void) { uint8_t *p = pool[pool_used++]; memset(p, 0, 4096); return (unsigned long *)p; }
static unsigned vpn(unsigned long va, int level) { return (va >> (12 + VPN_BITS * level)) & ((1u << VPN_BITS) - 1); }
static unsigned long pte_for(unsigned long pa, unsigned long flags) { return ((pa >> 12) << 10) | flags; }
static unsigned long *root;

static unsigned long *pte_slot(unsigned long va, int leaf_level)
{
    unsigned long *table = root;
    for (int level = LEVELS - 1; level > leaf_level; level--) {
        unsigned long *e = &table[vpn(va, level)];
        if (!(*e & PTE_V)) *e = pte_for((unsigned long)alloc_page(), PTE_V);
        table = (unsigned long *)((*e >> 10) << 12);
    }
    return &table[vpn(va, leaf_level)];
}

static void build(void)
{
    root = alloc_page();
    unsigned long rwx = PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D;
#if __riscv_xlen == 64
    *pte_slot(0x80000000UL, 2) = pte_for(0x80000000UL, rwx);              /* RAM, identity gigapage */
    *pte_slot(0x00000000UL, 2) = pte_for(0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D); /* devices */
#else
    for (unsigned long a = 0x80000000UL; a < 0x81000000UL; a += 0x400000UL) *pte_slot(a, 1) = pte_for(a, rwx);
    *pte_slot(0x10000000UL, 1) = pte_for(0x10000000UL, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
#endif
    *pte_slot(TV, 0) = pte_for((unsigned long)data, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
    *pte_slot(TV + 0x1000, 0) = pte_for((unsigned long)data, PTE_V | PTE_R | PTE_A);        /* read-only */
    *pte_slot(TV + 0x2000, 0) = 0;                                                          /* invalid */
    *pte_slot(TV + 0x3000, 0) = pte_for((unsigned long)data, PTE_V | PTE_X | PTE_A);        /* execute-only */
    csr_write(satp, SATP_MODE | ((unsigned long)root >> 12));
    __asm__ volatile ("sfence.vma" ::: "memory");
}

static long s_cbo(long addr) { return cbo_all(addr); }

static void paged(void)
{
    static const char *const names[] = { "read-write", "read-only", "invalid", "execute-only" };
    csr_write(MENVCFG, CBCFE | CBIE | CBZE);
    for (unsigned p = 0; p < 4; p++) {
        memset(data, 0x55, sizeof data);
        unsigned long va = TV + p * 0x1000UL + 0x47;
        long ran = call_in_mode(PRV_S, s_cbo, (long)va);
        kprintf("S %s page: ran %lx, last ", names[p], (unsigned long)ran);
        print_trap("");
        check("  bytes cleared", (unsigned long)(data[0x40] == 0 && data[0x7f] == 0 && data[0x3f] == 0x55 && data[0x80] == 0x55), p == 0);
    }
    csr_write(MENVCFG, 0);
}

/* PMP denying S the page `data` (paging off): each operation is a store access fault. */
static void pmp_denied(void)
{
    csr_write(MENVCFG, CBCFE | CBIE | CBZE);
    csr_write(pmpaddr0, ((unsigned long)data >> 2) | 0x1ff);   /* NAPOT 4 KiB, no permissions */
    csr_write(pmpaddr1, ~0UL);
    csr_write(pmpcfg0, 0x18 | (0x1fUL << 8));                  /* entry 1: NAPOT, R|W|X, the rest */
    long ran = call_in_mode(PRV_S, s_cbo, (long)data + 0x85);
    kprintf("S PMP-denied page: ran %lx, last ", (unsigned long)ran);
    print_trap("");
    pmp_allow_all();
    csr_write(MENVCFG, 0);
}

#if __riscv_xlen == 64
static long s_load(long va) { return *(volatile long *)va; }

/* Loads in S through a PTE with high bits set (leaf, or the pointer above it). */
static void pbmt(void)
{
    static const unsigned long bits[] = { 1UL << 61, 2UL << 61, 3UL << 61, 1UL << 60, 1UL << 54, 1UL << 63 };
    *(volatile long *)data = 0x1234;
    for (unsigned i = 0; i < sizeof bits / sizeof bits[0]; i++) {
        for (int pointer = 0; pointer < 2; pointer++) {
            unsigned long *leaf = pte_slot(TV, 0), *up = pte_slot(TV, 1);
            unsigned long leaf0 = *leaf, up0 = *up;
            if (pointer) *up |= bits[i]; else *leaf |= bits[i];
            __asm__ volatile ("sfence.vma" ::: "memory");
            trap_expect();
            long v = call_in_mode(PRV_S, s_load, (long)TV);
            kprintf("%s pte | ", pointer ? "pointer" : "leaf");
            print_hex(bits[i]);
            puts(": ");
            print_hex((unsigned long)v);
            puts(", ");
            print_trap("");
            *leaf = leaf0; *up = up0;
            __asm__ volatile ("sfence.vma" ::: "memory");
        }
    }
}
#endif

int main(void)
{
    install_m_trap();
    pmp_allow_all();
    kprintf("M: cbo ran %lx; ", (unsigned long)cbo_all((long)buf));
    trap_expect();
    CMO("cbo.zero", buf);
    print_trap("cbo.zero");
    int has_cbo = cbo_all((long)buf) == 15;
    envcfg();
    if (has_cbo) {
        zero_block();
        pmp_denied();
    }
    build();
    if (has_cbo) paged();
#if __riscv_xlen == 64
    pbmt();
#endif
    csr_write(satp, 0);
    __asm__ volatile ("sfence.vma" ::: "memory");
    finish();
    return 0;
}
