/*
 * sdtrig: the Sdtrig trigger module as a guest probes it (Debug spec 1.0 ch. 5):
 * tselect/tinfo enumeration, what tdata1 writes are legalised to, tdata2/tdata3,
 * CSRs QEMU 7.2 does not have, then mcontrol (type 2) triggers on execute, load
 * and store in M, S and U, taken as breakpoint exceptions (mepc, mtval, and
 * whether the access happened), delegated to S, on translated hot code, and two
 * at once. QEMU 7.2 quirk avoided: a tdata1 write of type 1 aborts QEMU itself
 * (ours ignores it, as QEMU does every other unsupported type).
 */
#include "lib.h"

#define CSR_TSELECT  0x7a0
#define CSR_TDATA1   0x7a1
#define CSR_TDATA2   0x7a2
#define CSR_TDATA3   0x7a3
#define CSR_TINFO    0x7a4

/* mcontrol (Debug spec 5.7.11): type in the top 4 bits, then dmode. */
#define TYPE(t)      ((unsigned long)(t) << (XLEN - 4))
#define MC_DMODE     (1UL << (XLEN - 5))
#define MC_M         (1UL << 6)
#define MC_S         (1UL << 4)
#define MC_U         (1UL << 3)
#define MC_EXEC      (1UL << 2)
#define MC_STORE     (1UL << 1)
#define MC_LOAD      (1UL << 0)
#define MC_SIZELO(n) ((unsigned long)(n) << 16)

long trig_fn(long);
long trig_illegal(long);
long trig_ebreak(long);
long trig_loop(long);
extern char trig_fn_2[], trig_fn_c[], trig_fn_4[], trig_loop_body[];

static volatile uint64_t watched[4] __attribute__((aligned(64))) = {
    0x1111111111111111ULL, 0x2222222222222222ULL, 0x3333333333333333ULL, 0x4444444444444444ULL,
};
static volatile uint32_t table[64];
static volatile uint8_t cross[8192] __attribute__((aligned(4096)));
/* A root page table mapping RAM with superpages and nothing else (Priv 1.12 4.3, 4.4). */
static unsigned long page_root[4096 / sizeof(unsigned long)] __attribute__((aligned(4096)));

#define TRY(what, ...) do { trap_expect(); __VA_ARGS__; print_trap(what); } while (0)

/* Sets trigger idx: tdata1 = ctrl (type 2 unless ctrl names a type), tdata2 = addr. */
static void arm(unsigned idx, unsigned long ctrl, unsigned long addr)
{
    csr_write(CSR_TSELECT, idx);
    csr_write(CSR_TDATA1, TYPE(2));      /* off while tdata2 changes */
    csr_write(CSR_TDATA2, addr);
    csr_write(CSR_TDATA1, (ctrl >> (XLEN - 4)) ? ctrl : TYPE(2) | ctrl);
}

static void disarm_all(void)
{
    for (unsigned i = 0; i < 2; i++) { csr_write(CSR_TSELECT, i); csr_write(CSR_TDATA1, TYPE(2)); }
}

/* "base+N" / "base-N": addresses relative to a symbol (they differ between builds). */
static void print_rel(const char *base, unsigned long v, unsigned long b)
{
    long d = (long)(v - b);
    kprintf("%s%c%ld", base, d < 0 ? '-' : '+', d < 0 ? -d : d);
}

/* Describes the last trap with mepc and mtval relative to `base` (addresses differ between builds). */
static void print_trap_at(const char *what, unsigned long base)
{
    kprintf("%s: ", what);
    if (!last_trap.count) { puts("no trap\n"); return; }
    kprintf("cause=%lu epc=", last_trap.cause);
    print_rel("base", last_trap.epc, base);
    puts(" tval=");
    if (last_trap.tval == 0) puts("0");
    else print_rel("base", last_trap.tval, base);
    kprintf(" from=%lu in=%c n=%lu\n", last_trap.from_mode, last_trap.handled_in, last_trap.count);
    trap_disarm();
}

/* ---- CSR behaviour ---- */

static void show_trigger(unsigned idx)
{
    csr_write(CSR_TSELECT, idx);
    kprintf("trigger %u: tselect=", idx);
    print_hex(csr_read(CSR_TSELECT));
    puts(" tdata1=");
    print_hex(csr_read(CSR_TDATA1));
    puts(" tdata2=");
    print_hex(csr_read(CSR_TDATA2));
    puts(" tdata3=");
    print_hex(csr_read(CSR_TDATA3));
    putc('\n');
}

static void tdata1_write(const char *what, unsigned long v)
{
    csr_write(CSR_TSELECT, 0);
    csr_write(CSR_TDATA1, TYPE(2));
    trap_expect();
    csr_write(CSR_TDATA1, v);
    unsigned long got = csr_read(CSR_TDATA1);
    kprintf("tdata1 <- %s: ", what);
    print_hex(got);
    puts(last_trap.count ? " (trapped)\n" : "\n");
    trap_disarm();
}

static long read_tselect(long unused) { __asm__ volatile ("csrr t0, 0x7a0" ::: "t0"); return 0; }

static void csr_probe(void)
{
    show("tselect at reset", csr_read(CSR_TSELECT));
    show("tinfo", csr_read(CSR_TINFO));
    for (unsigned i = 0; i < 3; i++) show_trigger(i);
    csr_write(CSR_TSELECT, 1);
    csr_write(CSR_TSELECT, ~0UL);
    show("tselect after writing ~0", csr_read(CSR_TSELECT));
    csr_write(CSR_TSELECT, 2);
    show("tselect after writing 2", csr_read(CSR_TSELECT));

    tdata1_write("type 2, every bit", ~0UL >> 4 | TYPE(2));
    tdata1_write("type 2, no dmode/maskmax", TYPE(2) | 0x07ffffffUL);
    tdata1_write("type 2, m|s|u|x|w|r", TYPE(2) | MC_M | MC_S | MC_U | MC_EXEC | MC_STORE | MC_LOAD);
    tdata1_write("type 2, dmode", TYPE(2) | MC_DMODE | MC_M | MC_EXEC);
    tdata1_write("type 2, action=1 timing hit select chain match=2", TYPE(2) | (1UL << 12) | (1UL << 18) |
                 (1UL << 20) | (1UL << 19) | (1UL << 11) | (2UL << 7) | MC_M | MC_LOAD);
    for (unsigned s = 0; s < 4; s++) {
        kprintf("sizelo=%u ", s);
        tdata1_write("", TYPE(2) | MC_SIZELO(s) | MC_M | MC_LOAD);
    }
#if __riscv_xlen == 64
    tdata1_write("type 2, sizehi=1 sizelo=1 (8 bytes)", TYPE(2) | (1UL << 21) | MC_SIZELO(1) | MC_M | MC_LOAD);
    tdata1_write("type 2, sizehi=3 sizelo=3", TYPE(2) | (3UL << 21) | MC_SIZELO(3) | MC_M | MC_LOAD);
#endif
    tdata1_write("type 0", 0);
    tdata1_write("type 3", TYPE(3) | 0x400 | MC_M);
    tdata1_write("type 4", TYPE(4) | MC_M);
    tdata1_write("type 5", TYPE(5) | MC_M);
    tdata1_write("type 6, every bit", ~0UL >> 4 | TYPE(6));
    tdata1_write("type 6, m|x", TYPE(6) | MC_M | MC_EXEC);
    tdata1_write("type 7", TYPE(7) | MC_M);
    tdata1_write("type 15", ~0UL);

    csr_write(CSR_TSELECT, 1);
    csr_write(CSR_TDATA2, ~0UL);
    show("tdata2 <- ~0", csr_read(CSR_TDATA2));
    csr_write(CSR_TDATA2, 0x80001234UL);
    show("tdata2 <- 0x80001234", csr_read(CSR_TDATA2));
    csr_write(CSR_TDATA3, ~0UL);
    show("tdata3 <- ~0", csr_read(CSR_TDATA3));
    csr_write(CSR_TDATA2, 0);
    csr_write(CSR_TDATA3, 0);
    show_trigger(1);

    TRY("csrw tinfo", __asm__ volatile ("csrw 0x7a4, zero"));
    TRY("csrr tcontrol 0x7a5", __asm__ volatile ("csrr t0, 0x7a5" ::: "t0"));
    TRY("csrr mcontext 0x7a8", __asm__ volatile ("csrr t0, 0x7a8" ::: "t0"));
    TRY("csrr mscontext 0x7aa", __asm__ volatile ("csrr t0, 0x7aa" ::: "t0"));
    TRY("csrr scontext 0x5a8", __asm__ volatile ("csrr t0, 0x5a8" ::: "t0"));
    TRY("csrr hcontext 0x6a8", __asm__ volatile ("csrr t0, 0x6a8" ::: "t0"));
    TRY("csrr dcsr 0x7b0", __asm__ volatile ("csrr t0, 0x7b0" ::: "t0"));
    trap_expect();
    call_in_mode(PRV_S, read_tselect, 0);
    print_trap("S csrr tselect");
    disarm_all();
}

/* ---- accesses, run in any mode ---- */
static long ld_w(long a) { long v = 0x5a; __asm__ volatile ("lw %0, 0(%1)" : "+r"(v) : "r"(a) : "memory"); return v; }
static long ld_b(long a) { long v = 0x5a; __asm__ volatile ("lbu %0, 0(%1)" : "+r"(v) : "r"(a) : "memory"); return v; }
static long ld_h(long a) { long v = 0x5a; __asm__ volatile ("lhu %0, 0(%1)" : "+r"(v) : "r"(a) : "memory"); return v; }
#if __riscv_xlen == 64
static long ld_d(long a) { long v = 0x5a; __asm__ volatile ("ld %0, 0(%1)" : "+r"(v) : "r"(a) : "memory"); return v; }
#endif
static long st_w(long a) { __asm__ volatile ("sw zero, 0(%0)" :: "r"(a) : "memory"); return 0; }
static long st_b(long a) { __asm__ volatile ("sb zero, 0(%0)" :: "r"(a) : "memory"); return 0; }
static long amo_add(long a) { long v = 0x5a; __asm__ volatile ("amoadd.w %0, zero, (%1)" : "+r"(v) : "r"(a) : "memory"); return v; }
static long lr_w(long a) { long v = 0x5a; __asm__ volatile ("lr.w %0, (%1)" : "+r"(v) : "r"(a) : "memory"); return v; }
static long lr_sc_w(long a)
{
    long v = 0x5a;
    __asm__ volatile ("lr.w t0, (%1)\n\tsc.w %0, zero, (%1)" : "+r"(v) : "r"(a) : "t0", "memory");
    return v;
}

typedef long (*access_fn)(long);

static void reset_watched(void)
{
    watched[0] = 0x1111111111111111ULL; watched[1] = 0x2222222222222222ULL;
    watched[2] = 0x3333333333333333ULL; watched[3] = 0x4444444444444444ULL;
}

/* One access in `mode` (PRV_M: directly) with trigger 0 set to ctrl at addr. */
static void data_case(const char *what, int mode, unsigned long ctrl, unsigned long taddr, access_fn fn, unsigned long addr)
{
    reset_watched();
    arm(0, ctrl, taddr);
    trap_expect();
    long r = mode == PRV_M ? fn((long)addr) : call_in_mode(mode, fn, (long)addr);
    disarm_all();
    kprintf("%s -> %lx, watched[0]=", what, r);
    print_hex64(watched[0]);
    puts(": ");
    print_trap_at("", (unsigned long)watched);
}

static void data_triggers(void)
{
    unsigned long w = (unsigned long)watched;
    unsigned long m = MC_M;
    data_case("M lw, load trigger", PRV_M, m | MC_LOAD, w, ld_w, w);
    data_case("M sw, load trigger", PRV_M, m | MC_LOAD, w, st_w, w);
    data_case("M sw, store trigger", PRV_M, m | MC_STORE, w, st_w, w);
    data_case("M lw, store trigger", PRV_M, m | MC_STORE, w, ld_w, w);
    data_case("M lw, store|load trigger", PRV_M, m | MC_STORE | MC_LOAD, w, ld_w, w);
    data_case("M lw, exec trigger", PRV_M, m | MC_EXEC, w, ld_w, w);
    data_case("M lw, load trigger for S|U only", PRV_M, MC_S | MC_U | MC_LOAD, w, ld_w, w);
    data_case("M lw +4, load trigger any size", PRV_M, m | MC_LOAD, w, ld_w, w + 4);
    data_case("M lbu +7, load trigger any size", PRV_M, m | MC_LOAD, w, ld_b, w + 7);
    data_case("M lbu +8, load trigger any size", PRV_M, m | MC_LOAD, w, ld_b, w + 8);
    data_case("M lw -2, load trigger any size", PRV_M, m | MC_LOAD, w, ld_w, w - 2);
    data_case("M lw -4, load trigger any size", PRV_M, m | MC_LOAD, w, ld_w, w - 4);
    data_case("M lw +4, trigger at +2 any size", PRV_M, m | MC_LOAD, w + 2, ld_w, w + 4);
    data_case("M lbu +1, load trigger size 1", PRV_M, m | MC_LOAD | MC_SIZELO(1), w, ld_b, w + 1);
    data_case("M lhu -1, load trigger size 1", PRV_M, m | MC_LOAD | MC_SIZELO(1), w, ld_h, w - 1);
    data_case("M lbu +1, load trigger size 2", PRV_M, m | MC_LOAD | MC_SIZELO(2), w, ld_b, w + 1);
    data_case("M lbu +2, load trigger size 2", PRV_M, m | MC_LOAD | MC_SIZELO(2), w, ld_b, w + 2);
    data_case("M lbu +2, load trigger size 4", PRV_M, m | MC_LOAD | MC_SIZELO(3), w, ld_b, w + 2);
    data_case("M lbu +3, load trigger size 4", PRV_M, m | MC_LOAD | MC_SIZELO(3), w, ld_b, w + 3);
    data_case("M lbu +4, load trigger size 4", PRV_M, m | MC_LOAD | MC_SIZELO(3), w, ld_b, w + 4);
#if __riscv_xlen == 64
    data_case("M lbu +4, load trigger size 8", PRV_M, m | MC_LOAD | (1UL << 21) | MC_SIZELO(1), w, ld_b, w + 4);
    data_case("M lbu +5, load trigger size 8", PRV_M, m | MC_LOAD | (1UL << 21) | MC_SIZELO(1), w, ld_b, w + 5);
    data_case("M lbu +7, load trigger size 8", PRV_M, m | MC_LOAD | (1UL << 21) | MC_SIZELO(1), w, ld_b, w + 7);
#endif
    data_case("M sb +1, store trigger at +1", PRV_M, m | MC_STORE, w + 1, st_b, w + 1);
    data_case("M amoadd.w, load trigger", PRV_M, m | MC_LOAD, w, amo_add, w);
    data_case("M amoadd.w, store trigger", PRV_M, m | MC_STORE, w, amo_add, w);
    data_case("M lr.w, load trigger", PRV_M, m | MC_LOAD, w, lr_w, w);
    data_case("M lr.w, store trigger", PRV_M, m | MC_STORE, w, lr_w, w);
    data_case("M lr.w+sc.w, store trigger", PRV_M, m | MC_STORE, w, lr_sc_w, w);
    data_case("M lr.w+sc.w, load trigger", PRV_M, m | MC_LOAD, w, lr_sc_w, w);
    data_case("M lr.w misaligned, load trigger", PRV_M, m | MC_LOAD, w, lr_w, w + 2);
    data_case("M lbu uart LSR, load trigger", PRV_M, m | MC_LOAD, UART0_BASE + 5, ld_b, UART0_BASE + 5);
    data_case("M lw 0x0 (unmapped), load trigger", PRV_M, m | MC_LOAD, 0, ld_w, 0);

    {
        /* Misaligned accesses, as QEMU 7.2's softmmu checks them: a load as its two aligned
           halves, a store within a page from the page's start, a store across pages exactly. */
        unsigned long p = (unsigned long)cross + 4096;
        data_case("M lw across a page, 1-byte trigger on its last byte", PRV_M, m | MC_LOAD | MC_SIZELO(1), p + 1, ld_w, p - 2);
        data_case("M lw across a page, 1-byte trigger after it", PRV_M, m | MC_LOAD | MC_SIZELO(1), p + 2, ld_w, p - 2);
        data_case("M lw across a page, 1-byte trigger before it", PRV_M, m | MC_LOAD | MC_SIZELO(1), p - 4, ld_w, p - 2);
        data_case("M lw across a page, 1-byte trigger on its first byte", PRV_M, m | MC_LOAD | MC_SIZELO(1), p - 2, ld_w, p - 2);
        data_case("M sw across a page, 1-byte trigger after it", PRV_M, m | MC_STORE | MC_SIZELO(1), p + 3, st_w, p - 2);
        data_case("M lw within a page, misaligned, 1-byte trigger after it", PRV_M, m | MC_LOAD | MC_SIZELO(1), p + 6, ld_w, p + 2);
        data_case("M lw within a page, misaligned, 1-byte trigger before it", PRV_M, m | MC_LOAD | MC_SIZELO(1), p + 1, ld_w, p + 2);
        data_case("M lw within a page, misaligned, 1-byte trigger 2 before it", PRV_M, m | MC_LOAD | MC_SIZELO(1), p, ld_w, p + 2);
        data_case("M lhu within a page, misaligned, 1-byte trigger 2 after it", PRV_M, m | MC_LOAD | MC_SIZELO(1), p + 0x13, ld_h, p + 0x11);
        data_case("M sw within a page, misaligned, 1-byte trigger at the page start", PRV_M, m | MC_STORE | MC_SIZELO(1), p, st_w, p + 0x12);
        data_case("M sw within a page, misaligned, 1-byte trigger after it", PRV_M, m | MC_STORE | MC_SIZELO(1), p + 0x16, st_w, p + 0x12);
        data_case("M sw within a page, misaligned, 1-byte trigger on it", PRV_M, m | MC_STORE | MC_SIZELO(1), p + 0x15, st_w, p + 0x12);
#if __riscv_xlen == 64
        data_case("M ld across a page, 1-byte trigger after it", PRV_M, m | MC_LOAD | MC_SIZELO(1), p + 5, ld_d, p - 6);
#endif
        data_case("M sw across a page, 1-byte trigger before it", PRV_M, m | MC_STORE | MC_SIZELO(1), p - 3, st_w, p - 2);
        data_case("M sw across a page, 1-byte trigger on it", PRV_M, m | MC_STORE | MC_SIZELO(1), p + 1, st_w, p - 2);
    }
    /* mcontrol6 (type 6): its own size field (bits 19:16), otherwise the same. */
    data_case("M lw +4, type 6 load trigger any size", PRV_M, TYPE(6) | m | MC_LOAD, w, ld_w, w + 4);
    data_case("M lbu +7, type 6 load trigger any size", PRV_M, TYPE(6) | m | MC_LOAD, w, ld_b, w + 7);
    data_case("M lbu +2, type 6 load trigger size 4", PRV_M, TYPE(6) | m | MC_LOAD | MC_SIZELO(3), w, ld_b, w + 2);
    data_case("M lbu +3, type 6 load trigger size 4", PRV_M, TYPE(6) | m | MC_LOAD | MC_SIZELO(3), w, ld_b, w + 3);
    data_case("M lbu +4, type 6 load trigger size 8", PRV_M, TYPE(6) | m | MC_LOAD | MC_SIZELO(5), w, ld_b, w + 4);
    data_case("M lbu +5, type 6 load trigger size 8", PRV_M, TYPE(6) | m | MC_LOAD | MC_SIZELO(5), w, ld_b, w + 5);
    data_case("U sw, type 6 store trigger for U", PRV_U, TYPE(6) | MC_U | MC_STORE, w, st_w, w);
    data_case("S lw, load trigger for S", PRV_S, MC_S | MC_LOAD, w, ld_w, w);
    data_case("S lw, load trigger for M|U", PRV_S, MC_M | MC_U | MC_LOAD, w, ld_w, w);
    data_case("U sw, store trigger for U", PRV_U, MC_U | MC_STORE, w, st_w, w);
    data_case("U sw, store trigger for M|S", PRV_U, MC_M | MC_S | MC_STORE, w, st_w, w);

    /* The trigger comes before a PMP fault (Priv 1.12 Table 3.7). */
    {
        unsigned long d = (unsigned long)cross + 64;
        csr_write(pmpaddr0, (d >> 2) | 7);        /* NAPOT 64 bytes: no access */
        csr_write(pmpaddr1, ~0UL);
        csr_write(pmpcfg0, (0x1fUL << 8) | 0x18); /* entry 1: NAPOT RWX everywhere else */
        data_case("U lw, PMP denies, load trigger for U", PRV_U, MC_U | MC_LOAD, d, ld_w, d);
        pmp_allow_all();
    }

    /* And before a page fault: S loads from an unmapped page with paging on. */
    {
#if __riscv_xlen == 64
        page_root[2] = ((DRAM_BASE >> 12) << 10) | 0xcf;           /* 1 GiB at 0x80000000: V R W X A D */
        unsigned long satp = (8UL << 60) | ((unsigned long)page_root >> 12);
#else
        for (unsigned long i = 0; i < 4; i++)                        /* 16 MiB at 0x80000000 */
            page_root[0x200 + i] = (((DRAM_BASE >> 12) + i * 1024) << 10) | 0xcf;
        unsigned long satp = (1UL << 31) | ((unsigned long)page_root >> 12);
#endif
        csr_write(satp, satp);
        __asm__ volatile ("sfence.vma" ::: "memory");
        data_case("S lw unmapped 0x40000000, load trigger for S", PRV_S, MC_S | MC_LOAD, 0x40000000UL, ld_w, 0x40000000UL);
        data_case("S lw unmapped 0x40000000, no trigger", PRV_S, MC_S, 0x40000000UL, ld_w, 0x40000000UL);
        csr_write(satp, 0);
        __asm__ volatile ("sfence.vma" ::: "memory");
    }

    /* MPRV: loads made for U from M; QEMU 7.2 matches the hart's mode (M), not the access's. */
    reset_watched();
    arm(0, MC_U | MC_LOAD, w);
    trap_expect();
    unsigned long saved = csr_read(mstatus);
    csr_clear(mstatus, MSTATUS_MPP);
    csr_set(mstatus, MSTATUS_MPRV);
    long r = ld_w((long)w);
    csr_write(mstatus, saved);
    disarm_all();
    kprintf("M+MPRV(U) lw, load trigger for U -> %lx: ", r);
    print_trap_at("", w);

    /* Delegated to S. */
    install_s_trap();
    csr_write(medeleg, 1UL << CAUSE_BREAKPOINT);
    data_case("U lw, load trigger for U, medeleg", PRV_U, MC_U | MC_LOAD, w, ld_w, w);
    data_case("M lw, load trigger for M, medeleg", PRV_M, MC_M | MC_LOAD, w, ld_w, w);
    csr_write(medeleg, 0);
}

/* ---- execute triggers ---- */

static void exec_case(const char *what, int mode, unsigned long ctrl, void *target, access_fn fn)
{
    arm(0, ctrl, (unsigned long)target);
    trap_expect();
    long r = mode == PRV_M ? fn(0) : call_in_mode(mode, fn, 0);
    disarm_all();
    kprintf("%s -> %ld: ", what, r);
    print_trap_at("", (unsigned long)fn);
}

static void exec_triggers(void)
{
    exec_case("M trig_fn", PRV_M, MC_M | MC_EXEC, trig_fn, trig_fn);
    exec_case("M trig_fn_2", PRV_M, MC_M | MC_EXEC, trig_fn_2, trig_fn);
    exec_case("M trig_fn_2+2 (mid-instruction)", PRV_M, MC_M | MC_EXEC, trig_fn_2 + 2, trig_fn);
    exec_case("M trig_fn_c (compressed)", PRV_M, MC_M | MC_EXEC, trig_fn_c, trig_fn);
    exec_case("M trig_fn_4", PRV_M, MC_M | MC_EXEC, trig_fn_4, trig_fn);
    exec_case("M trig_fn_2, load|store only", PRV_M, MC_M | MC_LOAD | MC_STORE, trig_fn_2, trig_fn);
    exec_case("M trig_fn_2, no mode bits", PRV_M, MC_EXEC, trig_fn_2, trig_fn);
    exec_case("M trig_fn_2, S|U only", PRV_M, MC_S | MC_U | MC_EXEC, trig_fn_2, trig_fn);
    exec_case("M illegal instruction", PRV_M, MC_M | MC_EXEC, trig_illegal, trig_illegal);
    exec_case("M ebreak", PRV_M, MC_M | MC_EXEC, trig_ebreak, trig_ebreak);
    exec_case("M trig_fn_2, type 6", PRV_M, TYPE(6) | MC_M | MC_EXEC, trig_fn_2, trig_fn);
    /* The breakpoint comes before the fetch: no access fault (Priv 1.12 Table 3.7). */
    arm(0, MC_M | MC_EXEC, 0x100);
    trap_expect();
    exec_at(0x100);
    print_trap("M fetch from 0x100 (nothing there), exec trigger on it");
    arm(0, MC_M | MC_EXEC, 0x88000000UL);
    trap_expect();
    exec_at(0x88000000UL);
    print_trap("M fetch past RAM, exec trigger on it");
    disarm_all();
    exec_case("S trig_fn_2", PRV_S, MC_S | MC_EXEC, trig_fn_2, trig_fn);
    exec_case("S trig_fn_2, M|U only", PRV_S, MC_M | MC_U | MC_EXEC, trig_fn_2, trig_fn);
    exec_case("U trig_fn_c", PRV_U, MC_U | MC_EXEC, trig_fn_c, trig_fn);
    exec_case("U trig_fn (first instruction after mret)", PRV_U, MC_U | MC_EXEC, trig_fn, trig_fn);
    exec_case("U trig_fn_2, M|S only", PRV_U, MC_M | MC_S | MC_EXEC, trig_fn_2, trig_fn);
    install_s_trap();
    csr_write(medeleg, 1UL << CAUSE_BREAKPOINT);
    exec_case("U trig_fn_4, medeleg", PRV_U, MC_U | MC_EXEC, trig_fn_4, trig_fn);
    exec_case("S trig_fn_4, medeleg", PRV_S, MC_S | MC_EXEC, trig_fn_4, trig_fn);
    csr_write(medeleg, 0);
}

/* ---- triggers on hot (translated) code: the hook counts hits, disarms after `limit`, resumes ---- */
static volatile unsigned long hook_hits, hook_limit, hook_epc, hook_tval;

static int count_and_disarm(struct trap_frame *f)
{
    if (f->cause != CAUSE_BREAKPOINT) return 0;
    hook_hits++;
    hook_epc = f->epc;
    hook_tval = f->tval;
    if (hook_hits >= hook_limit) disarm_all();
    return 1;   /* resume at the same instruction */
}

static long sum_table(long n)
{
    long s = 0;
    for (long i = 0; i < n; i++) s += table[i];
    return s;
}

static void hot_triggers(void)
{
    for (unsigned i = 0; i < 64; i++) table[i] = i;
    for (int i = 0; i < 50; i++) { trig_loop(100); sum_table(64); }
    m_trap_hook = count_and_disarm;

    hook_hits = 0; hook_limit = 3;
    arm(0, MC_M | MC_EXEC, (unsigned long)trig_loop_body);
    long r = trig_loop(100);
    kprintf("hot loop, exec trigger on its body: passes=%ld hits=%lu epc=", r, hook_hits);
    print_rel("body", hook_epc, (unsigned long)trig_loop_body);
    puts(" tval=");
    print_hex(hook_tval);
    putc('\n');

    hook_hits = 0; hook_limit = 1;
    arm(0, MC_M | MC_LOAD, (unsigned long)&table[37]);
    r = sum_table(64);
    kprintf("hot loads, load trigger on table[37]: sum=%ld hits=%lu tval=", r, hook_hits);
    print_hex(hook_tval);
    putc('\n');

    m_trap_hook = 0;
    arm(0, MC_M | MC_EXEC, (unsigned long)trig_fn_2);
    arm(1, MC_M | MC_EXEC, (unsigned long)trig_fn_4);
    trap_expect();
    r = trig_fn(0);
    kprintf("two execute triggers -> %ld: ", r);
    print_trap_at("", (unsigned long)trig_fn);
    arm(0, MC_U | MC_EXEC, (unsigned long)trig_fn_2);
    arm(1, MC_M | MC_EXEC, (unsigned long)trig_fn_4);
    trap_expect();
    r = trig_fn(0);
    kprintf("execute triggers for U and for M, run in M -> %ld: ", r);
    print_trap_at("", (unsigned long)trig_fn);
    arm(0, MC_U | MC_LOAD | MC_SIZELO(2), (unsigned long)watched);
    arm(1, MC_M | MC_LOAD | MC_SIZELO(1), (unsigned long)watched);
    trap_expect();
    r = ld_b((long)watched + 1);
    kprintf("load triggers on 2 bytes for U and 1 byte for M, lbu +1 in M -> %lx: ", r);
    print_trap_at("", (unsigned long)watched);
    arm(0, MC_M | MC_EXEC, (unsigned long)trig_fn_c);
    arm(1, MC_M | MC_LOAD, (unsigned long)watched);
    trap_expect();
    r = trig_fn(0) + ld_w((long)watched);
    kprintf("execute and load triggers -> %ld: ", r);
    print_trap_at("", (unsigned long)trig_fn);
    disarm_all();
    r = trig_loop(100);
    kprintf("after disarming: passes=%ld\n", r);
}

int main(void)
{
    install_m_trap();
    pmp_allow_all();
    csr_set(mstatus, MSTATUS_MPP);
    kprintf("sdtrig: rv%d\n", XLEN);
    csr_probe();
    exec_triggers();
    data_triggers();
    hot_triggers();
    finish();
}
