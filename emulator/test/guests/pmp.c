/*
 * pmp: physical memory protection. NAPOT, NA4 and TOR regions with R/W/X
 * combinations checked from S and U (access faults with mtval), priority of
 * the lowest-numbered match, a catch-all entry, an access that matches no
 * entry (fails in S/U), M-mode ignoring unlocked entries, and the lock bit:
 * a locked entry binds M-mode too and its pmpcfg/pmpaddr (and the TOR base
 * below it) can no longer be written.
 * QEMU 7.2 has 16 entries with 4-byte granularity.
 */
#include "lib.h"


#define PMP_R 0x01
#define PMP_W 0x02
#define PMP_X 0x04
#define PMP_TOR 0x08
#define PMP_NA4 0x10
#define PMP_NAPOT 0x18
#define PMP_L 0x80

static uint8_t pages[5][4096] __attribute__((aligned(4096)));
#define PAGE_A ((unsigned long)pages[0])   /* NAPOT, R */
#define PAGE_B ((unsigned long)pages[1])   /* NA4 word at +0x100, no access */
#define PAGE_C ((unsigned long)pages[2])   /* TOR, RW */
#define PAGE_D ((unsigned long)pages[3])   /* NAPOT, X only (code) */

static unsigned long read_pmpaddr(int i)
{
    switch (i) {
    case 0: return csr_read(pmpaddr0); case 1: return csr_read(pmpaddr1);
    case 2: return csr_read(pmpaddr2); case 3: return csr_read(pmpaddr3);
    case 4: return csr_read(pmpaddr4); case 5: return csr_read(pmpaddr5);
    case 15: return csr_read(pmpaddr15);
    }
    return 0xbad;
}

static void write_pmpaddr(int i, unsigned long v)
{
    switch (i) {
    case 0: csr_write(pmpaddr0, v); break; case 1: csr_write(pmpaddr1, v); break;
    case 2: csr_write(pmpaddr2, v); break; case 3: csr_write(pmpaddr3, v); break;
    case 4: csr_write(pmpaddr4, v); break; case 5: csr_write(pmpaddr5, v); break;
    case 15: csr_write(pmpaddr15, v); break;
    }
}

/* pmpcfg CSR n holds entries n*4.. (rv32) or n*4.. with only even n (rv64). */
static unsigned long read_cfg_csr(int n)
{
    switch (n) {
    case 0: return csr_read(pmpcfg0);
#if __riscv_xlen == 32
    case 1: return csr_read(pmpcfg1);
    case 3: return csr_read(pmpcfg3);
#endif
    case 2: return csr_read(pmpcfg2);
    }
    return 0;
}

static void write_cfg_csr(int n, unsigned long v)
{
    switch (n) {
    case 0: csr_write(pmpcfg0, v); break;
#if __riscv_xlen == 32
    case 1: csr_write(pmpcfg1, v); break;
    case 3: csr_write(pmpcfg3, v); break;
#endif
    case 2: csr_write(pmpcfg2, v); break;
    }
}

static void set_cfg(int entry, uint8_t cfg)
{
    int per = XLEN / 8;
    int n = (entry / per) * (XLEN / 32);
    int shift = (entry % per) * 8;
    unsigned long v = read_cfg_csr(n);
    v = (v & ~(0xffUL << shift)) | ((unsigned long)cfg << shift);
    write_cfg_csr(n, v);
}

static unsigned long napot(unsigned long base, unsigned long size) { return (base >> 2) | ((size >> 3) - 1); }

/* ---- run in S/U ---- */
static long do_load(long a) { long v = 0x5a; __asm__ volatile ("lw %0, 0(%1)" : "+r"(v) : "r"(a) : "memory"); return v; }
static long do_store(long a) { __asm__ volatile ("sw %1, 0(%0)" :: "r"(a), "r"(0x77L) : "memory"); return 0; }
static long do_exec(long a) { return exec_at((unsigned long)a); }

static void try_mode(int mode, const char *what, long (*fn)(long), unsigned long addr, unsigned long off)
{
    trap_expect();
    long r = mode == PRV_M ? fn((long)addr) : call_in_mode(mode, fn, (long)addr);
    kprintf("%c %s +0x%lx -> ", mode == PRV_M ? 'M' : mode == PRV_S ? 'S' : 'U', what, off);
    print_hex((unsigned long)r);
    puts(": ");
    if (last_trap.count && last_trap.tval == addr) {
        /* Print the address relative to the test page so the line is layout-independent. */
        kprintf("cause=");
        print_hex(last_trap.cause);
        kprintf(" tval=addr from=%c in=%c\n", "US?M"[last_trap.from_mode], last_trap.handled_in);
        trap_disarm();
        return;
    }
    print_trap("");
}

static void region_tests(int mode)
{
    try_mode(mode, "load  A(R)", do_load, PAGE_A + 0x10, 0x10);
    try_mode(mode, "store A(R)", do_store, PAGE_A + 0x10, 0x10);
    try_mode(mode, "fetch A(R)", do_exec, PAGE_A, 0);
    try_mode(mode, "load  B NA4(-)", do_load, PAGE_B + 0x100, 0x100);
    try_mode(mode, "load  B next word", do_load, PAGE_B + 0x104, 0x104);
    try_mode(mode, "load  B word before", do_load, PAGE_B + 0xfc, 0xfc);
    try_mode(mode, "store B NA4(-)", do_store, PAGE_B + 0x100, 0x100);
    try_mode(mode, "load  C TOR(RW)", do_load, PAGE_C + 0x20, 0x20);
    try_mode(mode, "store C TOR(RW)", do_store, PAGE_C + 0x20, 0x20);
    try_mode(mode, "fetch C TOR(RW)", do_exec, PAGE_C, 0);
    try_mode(mode, "load  C TOR end-4", do_load, PAGE_C + 0xffc, 0xffc);
    try_mode(mode, "fetch D(X)", do_exec, PAGE_D, 0);
    try_mode(mode, "load  D(X)", do_load, PAGE_D, 0);
}

int main(void)
{
    install_m_trap();
    csr_set(mstatus, MSTATUS_MPP);
    kprintf("pmp: rv%d\n", XLEN);
    for (int p = 0; p < 5; p++)
        for (int k = 0; k < 4096; k += 4) *(uint32_t *)&pages[p][k] = 0x1000000u * (p + 1) + k;
    uint32_t *code = (uint32_t *)PAGE_D;
    code[0] = 0x04200513u;   /* li a0, 0x42 */
    code[1] = 0x00008067u;   /* ret */
    code = (uint32_t *)PAGE_C;
    code[0] = 0x04300513u;
    code[1] = 0x00008067u;
    code = (uint32_t *)PAGE_A;
    code[0] = 0x04400513u;
    code[1] = 0x00008067u;
    __asm__ volatile ("fence.i" ::: "memory");

    write_pmpaddr(0, napot(PAGE_A, 4096));
    write_pmpaddr(1, (PAGE_B + 0x100) >> 2);
    write_pmpaddr(2, PAGE_C >> 2);
    write_pmpaddr(3, (PAGE_C + 4096) >> 2);
    write_pmpaddr(4, napot(PAGE_D, 4096));
    write_pmpaddr(15, ~0UL);
    set_cfg(0, PMP_NAPOT | PMP_R);
    set_cfg(1, PMP_NA4);
    set_cfg(2, 0);
    set_cfg(3, PMP_TOR | PMP_R | PMP_W);
    set_cfg(4, PMP_NAPOT | PMP_X);
    set_cfg(15, PMP_NAPOT | PMP_R | PMP_W | PMP_X);
    show("pmpcfg0", read_cfg_csr(0));
#if __riscv_xlen == 32
    show("pmpcfg1", read_cfg_csr(1));
    show("pmpcfg3", read_cfg_csr(3));
#else
    show("pmpcfg2", read_cfg_csr(2));
#endif
    check("pmpaddr0 (NAPOT 4K) - base>>2", read_pmpaddr(0) - (PAGE_A >> 2), 0x1ff);
    check("pmpaddr1 (NA4) - base>>2", read_pmpaddr(1) - (PAGE_B >> 2), 0x40);
    /* (pmpaddr15 = ~0 reads back all 64 bits on QEMU 7.2; the spec keeps bits 55:2 on rv64.) */

    region_tests(PRV_S);
    region_tests(PRV_U);
    /* M ignores unlocked entries. */
    try_mode(PRV_M, "store A(R) unlocked", do_store, PAGE_A + 0x10, 0x10);
    try_mode(PRV_M, "load  B NA4(-) unlocked", do_load, PAGE_B + 0x100, 0x100);

    /* Replace the catch-all by RAM only: a device access matches no entry. */
    write_pmpaddr(15, napot(0x80000000UL, 0x08000000UL));
    try_mode(PRV_S, "load CLINT msip0 (no entry)", do_load, CLINT_MSIP(0), CLINT_MSIP(0));
    try_mode(PRV_S, "load RAM page E (catch-all RAM)", do_load, (unsigned long)pages[4] + 8, 8);
    try_mode(PRV_M, "load CLINT msip0 (no entry)", do_load, CLINT_MSIP(0), CLINT_MSIP(0));

    /* Lock entry 0 (R only) and entry 3 (TOR RW): they now bind M too. */
    set_cfg(0, PMP_L | PMP_NAPOT | PMP_R);
    set_cfg(3, PMP_L | PMP_TOR | PMP_R | PMP_W);
    show("pmpcfg0 with locks", read_cfg_csr(0));
    try_mode(PRV_M, "store A(R) locked", do_store, PAGE_A + 0x10, 0x10);
    try_mode(PRV_M, "load  A(R) locked", do_load, PAGE_A + 0x10, 0x10);
    try_mode(PRV_M, "fetch A(R) locked", do_exec, PAGE_A, 0);
    try_mode(PRV_M, "store C TOR(RW) locked", do_store, PAGE_C + 0x20, 0x20);
    try_mode(PRV_M, "fetch C TOR(RW) locked", do_exec, PAGE_C, 0);
    /* Locked: writes to the entry's cfg and address, and the TOR base, are ignored. */
    unsigned long a0 = read_pmpaddr(0), a2 = read_pmpaddr(2), a3 = read_pmpaddr(3);
    set_cfg(0, PMP_NAPOT | PMP_R | PMP_W | PMP_X);
    write_pmpaddr(0, 0);
    write_pmpaddr(2, 0);
    write_pmpaddr(3, 0);
    set_cfg(1, PMP_NA4 | PMP_R);   /* an unlocked neighbour in the same pmpcfg still changes */
    show("pmpcfg0 after trying to unlock", read_cfg_csr(0));
    check("pmpaddr0 unchanged", read_pmpaddr(0) - a0, 0);
    check("pmpaddr2 (TOR base of locked entry 3) unchanged", read_pmpaddr(2) - a2, 0);
    check("pmpaddr3 unchanged", read_pmpaddr(3) - a3, 0);
    try_mode(PRV_M, "store A(R) still locked", do_store, PAGE_A + 0x10, 0x10);
    try_mode(PRV_S, "load  B NA4(R) now", do_load, PAGE_B + 0x100, 0x100);
    finish();
}
