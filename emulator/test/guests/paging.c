/*
 * paging: page tables built here, S- and U-mode accesses through them.
 * rv64 runs everything under Sv39 and again under Sv48; rv32 under Sv32.
 * Covers: 4 KiB pages, megapages, gigapages (rv64), aliases, hardware A/D
 * updates (QEMU sets A and D itself; PTEs are printed after each access),
 * load/store/fetch page faults with stval, R/W/X/U combinations incl. the
 * reserved W-without-R, a non-leaf PTE at the last level, misaligned
 * superpages, non-canonical addresses (rv64), SUM, MXR, MPRV, remapping
 * with sfence.vma, an unsupported satp mode (write ignored), and page faults
 * delegated to S via medeleg.
 */
#include "lib.h"

void jump_and_return_va(unsigned long va);   /* paging_asm.S */

#define PTE_AD (PTE_A | PTE_D)

#if __riscv_xlen == 64
#define VPN_BITS 9
#define SATP_MODE_SHIFT 60
#else
#define VPN_BITS 10
#define SATP_MODE_SHIFT 31
#endif

struct vm_mode {
    const char *name;
    int levels;
    unsigned long satp_mode;
};

#define NPOOL 32
static uint8_t pool[NPOOL][4096] __attribute__((aligned(4096)));
static unsigned pool_used;
static unsigned long *root;
static const struct vm_mode *cur;

/* Test area: 4 KiB pages at TV + n * 0x1000. */
#define TV 0x40000000UL
enum {
    PG_RW, PG_INVALID, PG_RO, PG_XO, PG_URW, PG_WO, PG_RX, PG_URWX, PG_NONLEAF, PG_REMAP, PG_UXO,
    PG_COUNT
};
static uint8_t *data_page[PG_COUNT];
static uint8_t *spare_page;

static unsigned long *alloc_page(void)
{
    if (pool_used >= NPOOL) {
        puts("page pool exhausted\n");
        exit_fail(2);
    }
    uint8_t *p = pool[pool_used++];
    memset(p, 0, 4096);
    return (unsigned long *)p;
}

static unsigned vpn(unsigned long va, int level)
{
    return (va >> (12 + VPN_BITS * level)) & ((1u << VPN_BITS) - 1);
}

static unsigned long pte_for(unsigned long pa, unsigned long flags) { return ((pa >> 12) << 10) | flags; }

/* The PTE slot for va at leaf_level, creating tables above it. */
static unsigned long *pte_slot(unsigned long va, int leaf_level)
{
    unsigned long *table = root;
    for (int level = cur->levels - 1; level > leaf_level; level--) {
        unsigned long *e = &table[vpn(va, level)];
        if (!(*e & PTE_V)) *e = pte_for((unsigned long)alloc_page(), PTE_V);
        table = (unsigned long *)((*e >> 10) << 12);
    }
    return &table[vpn(va, leaf_level)];
}

static void map(unsigned long va, unsigned long pa, int leaf_level, unsigned long flags)
{
    *pte_slot(va, leaf_level) = pte_for(pa, flags);
}

static void sfence(void) { __asm__ volatile ("sfence.vma" ::: "memory"); }

static void show_pte(const char *what, int page)
{
    kprintf("  pte %s = ", what);
    print_hex(*pte_slot(TV + page * 0x1000UL, 0));
    putc('\n');
}

/* ---- code run in S/U ---- */
static long s_load(long va)
{
    long v = 0x5a;
    __asm__ volatile ("lw %0, 0(%1)" : "+r"(v) : "r"(va) : "memory");
    return v;
}

static volatile unsigned long store_value;

static long s_store(long va)
{
    __asm__ volatile ("sw %1, 0(%0)" :: "r"(va), "r"(store_value) : "memory");
    return 0;
}

static long s_exec(long va) { return exec_at((unsigned long)va); }

static long s_remap(long unused)
{
    /* S rewrites a PTE (the tables are reachable through the identity map)
       and flushes just that address. */
    unsigned long va = TV + PG_REMAP * 0x1000UL;
    long before = s_load((long)va);
    *pte_slot(va, 0) = pte_for((unsigned long)spare_page, PTE_V | PTE_R | PTE_W | PTE_AD);
    __asm__ volatile ("sfence.vma %0, zero" :: "r"(va) : "memory");
    long after = s_load((long)va);
    return (after << 16) | (before & 0xffff);
}

#define RUN(mode, what, fn, arg) do { \
    trap_expect(); \
    long r_ = call_in_mode(mode, fn, (long)(arg)); \
    kprintf("%s %s -> ", (mode) == PRV_U ? "U" : "S", what); \
    print_hex((unsigned long)r_); \
    puts(": "); \
    print_trap(""); \
} while (0)

static void put_code(uint8_t *page, uint32_t imm)
{
    uint32_t *c = (uint32_t *)page;
    c[0] = 0x00000513u | (imm << 20);   /* li a0, imm */
    c[1] = 0x00008067u;                  /* ret */
    __asm__ volatile ("fence.i" ::: "memory");
}

static void build(const struct vm_mode *m, int user_ram)
{
    cur = m;
    pool_used = 0;
    root = alloc_page();
    unsigned long ram_flags = PTE_V | PTE_R | PTE_W | PTE_X | PTE_AD | (user_ram ? PTE_U : 0);
#if __riscv_xlen == 64
    map(0x80000000UL, 0x80000000UL, 2, ram_flags);            /* gigapage: RAM, identity */
    map(0x00000000UL, 0x00000000UL, 2, PTE_V | PTE_R | PTE_W | PTE_AD);   /* devices */
    map(0x100000000UL, 0x80000000UL, 2, PTE_V | PTE_R | PTE_AD);          /* gigapage alias of RAM */
    map(TV + 0x200000UL, 0x80400000UL, 1, PTE_V | PTE_R | PTE_AD);        /* megapage */
    map(TV + 0x400000UL, 0x80401000UL, 1, PTE_V | PTE_R | PTE_AD);        /* misaligned megapage */
    if (m->levels == 4) map(0x0000008000000000UL, 0x80400000UL, 1, PTE_V | PTE_R | PTE_AD);  /* above 39 bits */
#else
    for (unsigned long a = 0x80000000UL; a < 0x81000000UL; a += 0x400000UL) map(a, a, 1, ram_flags);
    map(0x10000000UL, 0x10000000UL, 1, PTE_V | PTE_R | PTE_W | PTE_AD);
    map(0xc0000000UL, 0x80000000UL, 1, PTE_V | PTE_R | PTE_AD);            /* megapage alias of RAM */
    map(TV + 0x400000UL, 0x80800000UL, 1, PTE_V | PTE_R | PTE_AD);         /* megapage */
    map(TV + 0x800000UL, 0x80801000UL, 1, PTE_V | PTE_R | PTE_AD);         /* misaligned megapage */
#endif
    static const unsigned long flags[PG_COUNT] = {
        [PG_RW] = PTE_V | PTE_R | PTE_W,             /* A and D clear: hardware sets them */
        [PG_INVALID] = 0,
        [PG_RO] = PTE_V | PTE_R,
        [PG_XO] = PTE_V | PTE_X | PTE_A,
        [PG_URW] = PTE_V | PTE_R | PTE_W | PTE_U | PTE_AD,
        [PG_WO] = PTE_V | PTE_W | PTE_AD,            /* reserved encoding */
        [PG_RX] = PTE_V | PTE_R | PTE_X | PTE_A,
        [PG_URWX] = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_AD,
        [PG_NONLEAF] = PTE_V,                        /* pointer PTE at the last level */
        [PG_REMAP] = PTE_V | PTE_R | PTE_W | PTE_AD,
        [PG_UXO] = PTE_V | PTE_X | PTE_U | PTE_A,
    };
    for (int i = 0; i < PG_COUNT; i++) {
        if (!data_page[i]) continue;
        map(TV + i * 0x1000UL, (unsigned long)data_page[i], 0, flags[i]);
    }
    csr_write(satp, (m->satp_mode << SATP_MODE_SHIFT) | ((unsigned long)root >> 12));
    sfence();
}

static void fill_pages(void)
{
    static uint8_t pages[PG_COUNT + 1][4096] __attribute__((aligned(4096)));
    for (int i = 0; i < PG_COUNT; i++) {
        data_page[i] = pages[i];
        for (int k = 0; k < 4096; k += 4) *(uint32_t *)&pages[i][k] = 0x11110000u * (i + 1) + k;
    }
    spare_page = pages[PG_COUNT];
    *(uint32_t *)spare_page = 0xabcd;
    put_code(data_page[PG_XO], 0x33);
    put_code(data_page[PG_RX], 0x44);
    put_code(data_page[PG_URWX], 0x55);
    put_code(data_page[PG_UXO], 0x66);
#if __riscv_xlen == 64
    *(volatile uint32_t *)(0x80400000UL + 0x1230) = 0x1a2b3c4d;
#else
    *(volatile uint32_t *)(0x80800000UL + 0x1230) = 0x1a2b3c4d;
#endif
}

static unsigned long va_of(int page) { return TV + page * 0x1000UL; }

static volatile uint32_t alias_probe = 0x600dcafe;

static void s_mode_tests(void)
{
    RUN(PRV_S, "load RW page (A=D=0)", s_load, va_of(PG_RW));
    show_pte("RW after load", PG_RW);
    store_value = 0x77777777;
    RUN(PRV_S, "store RW page", s_store, va_of(PG_RW) + 8);
    show_pte("RW after store", PG_RW);
    check("  stored through the mapping", *(uint32_t *)(data_page[PG_RW] + 8), 0x77777777);
    RUN(PRV_S, "load invalid page", s_load, va_of(PG_INVALID) + 0x10);
    RUN(PRV_S, "store invalid page", s_store, va_of(PG_INVALID) + 0x14);
    RUN(PRV_S, "fetch invalid page", s_exec, va_of(PG_INVALID) + 0x20);
    RUN(PRV_S, "load read-only page", s_load, va_of(PG_RO) + 4);
    show_pte("RO after load", PG_RO);
    RUN(PRV_S, "store read-only page", s_store, va_of(PG_RO) + 4);
    show_pte("RO after faulting store", PG_RO);
    RUN(PRV_S, "load execute-only page", s_load, va_of(PG_XO));
    RUN(PRV_S, "fetch execute-only page", s_exec, va_of(PG_XO));
    csr_set(mstatus, MSTATUS_MXR);
    RUN(PRV_S, "load execute-only page with MXR", s_load, va_of(PG_XO));
    csr_clear(mstatus, MSTATUS_MXR);
    RUN(PRV_S, "fetch RX page", s_exec, va_of(PG_RX));
    RUN(PRV_S, "load U page (SUM=0)", s_load, va_of(PG_URW));
    csr_set(mstatus, MSTATUS_SUM);
    RUN(PRV_S, "load U page (SUM=1)", s_load, va_of(PG_URW));
    RUN(PRV_S, "fetch U page (SUM=1)", s_exec, va_of(PG_URWX));
    csr_clear(mstatus, MSTATUS_SUM);
    RUN(PRV_S, "load W-only page (reserved)", s_load, va_of(PG_WO));
    RUN(PRV_S, "store W-only page (reserved)", s_store, va_of(PG_WO));
    RUN(PRV_S, "load via non-leaf last-level PTE", s_load, va_of(PG_NONLEAF));
#if __riscv_xlen == 64
    RUN(PRV_S, "load megapage", s_load, TV + 0x200000UL + 0x1230);
    RUN(PRV_S, "load misaligned megapage", s_load, TV + 0x400000UL + 0x1230);
    RUN(PRV_S, "load gigapage alias", s_load, 0x100000000UL + ((unsigned long)&alias_probe - 0x80000000UL));
    RUN(PRV_S, "store read-only gigapage alias", s_store, 0x100000000UL + ((unsigned long)&alias_probe - 0x80000000UL));
    if (cur->levels == 3) {
        RUN(PRV_S, "load non-canonical 0x0000008000000000", s_load, 0x0000008000000000UL);
        RUN(PRV_S, "load non-canonical 0xffffffc000000000 (canonical, unmapped)", s_load, 0xffffffc000000000UL);
    } else {
        RUN(PRV_S, "load 0x0000008000001230 (Sv48 only)", s_load, 0x0000008000001230UL);
        RUN(PRV_S, "load non-canonical 0x0000800000000000", s_load, 0x0000800000000000UL);
    }
#else
    RUN(PRV_S, "load megapage", s_load, TV + 0x400000UL + 0x1230);
    RUN(PRV_S, "load misaligned megapage", s_load, TV + 0x800000UL + 0x1230);
    RUN(PRV_S, "load megapage alias", s_load, 0xc0000000UL + ((unsigned long)&alias_probe - 0x80000000UL));
    RUN(PRV_S, "store read-only megapage alias", s_store, 0xc0000000UL + ((unsigned long)&alias_probe - 0x80000000UL));
#endif
    RUN(PRV_S, "remap and sfence.vma (after<<16 | before)", s_remap, 0);

    /* MPRV: M-mode loads translated as S (MPP=S); fetches are not affected. */
    unsigned long v = 0;
    csr_clear(mstatus, MSTATUS_MPP);
    csr_set(mstatus, (unsigned long)PRV_S << 11);
    __asm__ volatile ("li t0, %2\n\t"
                      "csrs mstatus, t0\n\t"
                      "lw %0, 0(%1)\n\t"
                      "csrc mstatus, t0"
                      : "=&r"(v) : "r"(va_of(PG_RO) + 4), "i"(MSTATUS_MPRV) : "t0", "memory");
    csr_set(mstatus, MSTATUS_MPP);
    show("M with MPRV=1 MPP=S loads RO page", v);
}

static void u_mode_tests(void)
{
    RUN(PRV_U, "load U page", s_load, va_of(PG_URW));
    store_value = 0x12345678;
    RUN(PRV_U, "store U page", s_store, va_of(PG_URW) + 4);
    RUN(PRV_U, "fetch U page", s_exec, va_of(PG_URWX));
    RUN(PRV_U, "fetch U execute-only page", s_exec, va_of(PG_UXO));
    RUN(PRV_U, "load U execute-only page", s_load, va_of(PG_UXO));
    csr_set(mstatus, MSTATUS_MXR);
    RUN(PRV_U, "load U execute-only page with MXR", s_load, va_of(PG_UXO));
    csr_clear(mstatus, MSTATUS_MXR);
    RUN(PRV_U, "load S page", s_load, va_of(PG_RW));
    RUN(PRV_U, "fetch S page", s_exec, va_of(PG_RX));
    csr_set(mstatus, MSTATUS_SUM);
    RUN(PRV_U, "load S page (SUM=1 does not apply to U)", s_load, va_of(PG_RW));
    csr_clear(mstatus, MSTATUS_SUM);
}

static void run_mode(const struct vm_mode *m)
{
    kprintf("== %s ==\n", m->name);
    build(m, 0);
    unsigned long satp_v = csr_read(satp);
    show("satp", satp_v);
    s_mode_tests();

    /* Page faults delegated to S. */
    install_s_trap();
    csr_write(medeleg, (1UL << CAUSE_FETCH_PAGE_FAULT) | (1UL << CAUSE_LOAD_PAGE_FAULT) |
                       (1UL << CAUSE_STORE_PAGE_FAULT));
    RUN(PRV_S, "delegated: load invalid page", s_load, va_of(PG_INVALID) + 0x18);
    RUN(PRV_S, "delegated: store read-only page", s_store, va_of(PG_RO) + 0x1c);
    RUN(PRV_S, "delegated: fetch invalid page", s_exec, va_of(PG_INVALID) + 0x24);
    csr_write(medeleg, 0);

    /* U-mode: the RAM mapping gets U so U can run the test code. */
    build(m, 1);
    u_mode_tests();
    csr_write(satp, 0);
    sfence();
}

int main(void)
{
    install_m_trap();
    pmp_allow_all();
    csr_set(mstatus, MSTATUS_MPP);
    kprintf("paging: rv%d\n", XLEN);
    fill_pages();
#if __riscv_xlen == 64
    static const struct vm_mode sv39 = { "Sv39", 3, 8 }, sv48 = { "Sv48", 4, 9 };
    run_mode(&sv39);
    run_mode(&sv48);
    /* An unsupported MODE (11, reserved for Sv64): the whole write is ignored. */
    csr_write(satp, (8UL << 60) | 0x12345);
    csr_write(satp, (11UL << 60) | 0x54321);
    show("satp after writing MODE=11", csr_read(satp));
    csr_write(satp, 0);
#else
    static const struct vm_mode sv32 = { "Sv32", 2, 1 };
    run_mode(&sv32);
#endif
    finish();
}
