/*
 * interrupts: CLINT timer (mtimecmp) and software (msip) interrupts in
 * direct and vectored mtvec modes, wfi wake-up with mstatus.MIE clear, the
 * exact mepc when enabling MIE makes a pending interrupt fire, the order of
 * simultaneous interrupts (only pairs where QEMU 7.2 follows the spec: it
 * takes the lowest-numbered pending interrupt of a level, so SEI/SSI and
 * MTI/SSI pairs would differ from Priv 1.12 3.1.9), delegation of SSI/STI to S-mode
 * (taken in U regardless of SIE; M-level ones taken in S regardless of MIE;
 * delegated ones never taken in M), and Sstc's stimecmp.
 * Only causes and orders are printed, never times.
 */
#include "lib.h"

#define MAX_LOG 16
static volatile unsigned long log_cause[MAX_LOG];
static volatile char log_mode[MAX_LOG];
static volatile unsigned long log_slot[MAX_LOG];
static volatile unsigned nlog;
static volatile unsigned long last_mepc;

static void log_reset(void) { nlog = 0; }

static void log_print(const char *what)
{
    kprintf("%s:", what);
    for (unsigned i = 0; i < nlog; i++) {
        kprintf(" %c:", log_mode[i]);
        print_hex(log_cause[i]);
    }
    if (!nlog) puts(" none");
    putc('\n');
}

static void note(unsigned long cause, char mode)
{
    if (nlog < MAX_LOG) {
        log_cause[nlog] = cause;
        log_mode[nlog] = mode;
        log_slot[nlog] = last_vector_slot;
        nlog++;
    }
}

/* M-mode: take each interrupt, silence its source, log it. */
static int m_irq(struct trap_frame *f)
{
    if (!(f->cause & CAUSE_INTERRUPT)) return 0;
    unsigned long irq = f->cause & ~CAUSE_INTERRUPT;
    note(f->cause, 'M');
    last_mepc = f->epc;
    switch (irq) {
    case IRQ_M_TIMER: mtimecmp_write(0, ~0ULL); break;
    case IRQ_M_SOFT: mmio_write32(CLINT_MSIP(0), 0); break;
    case IRQ_S_SOFT: csr_clear(mip, 1UL << IRQ_S_SOFT); break;
    case IRQ_S_TIMER: csr_clear(mip, 1UL << IRQ_S_TIMER); break;
    case IRQ_S_EXT: csr_clear(mip, 1UL << IRQ_S_EXT); break;
    default: csr_clear(mie, 1UL << irq); break;
    }
    return 1;
}

static volatile int s_flag, sstc_on;

/* S-mode: only sie can silence STIP (M owns it unless Sstc drives it). */
static int s_irq(struct trap_frame *f)
{
    if (!(f->cause & CAUSE_INTERRUPT)) return 0;
    unsigned long irq = f->cause & ~CAUSE_INTERRUPT;
    note(f->cause, 'S');
    if (irq == IRQ_S_SOFT) csr_clear(sip, 1UL << IRQ_S_SOFT);
    else if (irq == IRQ_S_TIMER) {
        if (sstc_on) {
            csr_write(0x14d, ~0UL);                 /* stimecmp */
#if __riscv_xlen == 32
            csr_write(0x15d, ~0UL);                 /* stimecmph */
#endif
        }
        csr_clear(sie, 1UL << IRQ_S_TIMER);
    } else csr_clear(sie, 1UL << irq);
    s_flag = 1;
    return 1;
}

/*
 * Sleep until n interrupts have been logged. wfi runs with mstatus.MIE clear
 * (it still wakes on a pending enabled interrupt), then MIE is opened for an
 * instant: no interrupt can slip in between the check and the wfi.
 */
static void wait_irqs(unsigned n)
{
    csr_clear(mstatus, MSTATUS_MIE);
    while (nlog < n) {
        __asm__ volatile ("wfi");
        csr_set(mstatus, MSTATUS_MIE);
        csr_clear(mstatus, MSTATUS_MIE);
    }
}

static void timer_in(uint64_t ticks) { mtimecmp_write(0, mtime_read() + ticks); }

static void direct_timer(void)
{
    log_reset();
    install_m_trap();
    timer_in(10000);   /* 1 ms at 10 MHz */
    csr_write(mie, 1UL << IRQ_M_TIMER);
    wait_irqs(1);
    log_print("direct timer");
}

static void wfi_wakeup_then_enable(void)
{
    log_reset();
    timer_in(5000);
    csr_write(mie, 1UL << IRQ_M_TIMER);
    /* MIE clear: wfi still wakes on a pending enabled interrupt, without a trap. */
    while (!(csr_read(mip) & (1UL << IRQ_M_TIMER))) __asm__ volatile ("wfi");
    check("wfi woke, MTIP pending, no trap taken", nlog, 0);
    unsigned long expect;
    __asm__ volatile ("csrsi mstatus, 8\n"
                      "1:\tla %0, 1b" : "=r"(expect) :: "memory");
    csr_clear(mstatus, MSTATUS_MIE);
    log_print("after enabling MIE");
    check("mepc = instruction after csrsi", last_mepc - expect, 0);
}

static void vectored(void)
{
    install_m_trap_vectored();
    log_reset();
    csr_write(mie, (1UL << IRQ_M_TIMER) | (1UL << IRQ_M_SOFT));
    timer_in(2000);
    wait_irqs(1);
    mmio_write32(CLINT_MSIP(0), 1);
    wait_irqs(2);
    log_print("vectored timer, then msip");
    check("timer via slot 7", log_slot[0], 7);
    check("software via slot 3", log_slot[1], 3);
    trap_expect();
    last_vector_slot = 99;
    __asm__ volatile ("ecall");
    print_trap("ecall in vectored mode");
    check("exception via slot 0", last_vector_slot, 0);
    install_m_trap();
}

static void priorities(void)
{
    log_reset();
    csr_write(mie, 0);
    mmio_write32(CLINT_MSIP(0), 1);
    mtimecmp_write(0, 0);
    csr_write(mie, (1UL << IRQ_M_SOFT) | (1UL << IRQ_M_TIMER));
    show("mip with MSIP and MTIP pending", csr_read(mip));
    csr_set(mstatus, MSTATUS_MIE);
    __asm__ volatile ("nop");
    csr_clear(mstatus, MSTATUS_MIE);
    log_print("order: MSI before MTI");

    log_reset();
    csr_write(mie, 0);
    csr_set(mip, (1UL << IRQ_S_SOFT) | (1UL << IRQ_S_TIMER));
    csr_write(mie, (1UL << IRQ_S_SOFT) | (1UL << IRQ_S_TIMER));
    show("mip with SSIP and STIP pending", csr_read(mip));
    csr_set(mstatus, MSTATUS_MIE);
    __asm__ volatile ("nop");
    csr_clear(mstatus, MSTATUS_MIE);
    log_print("order (not delegated): SSI before STI");
    csr_write(mie, 0);
}

static long s_enable_ssi(long unused)
{
    csr_set(sie, 1UL << IRQ_S_SOFT);
    csr_set(sstatus, MSTATUS_SIE);
    while (!s_flag) {
    }
    csr_clear(sstatus, MSTATUS_SIE);
    return 1;
}

static long s_enable_sti(long unused)
{
    csr_set(sie, 1UL << IRQ_S_TIMER);
    csr_set(sstatus, MSTATUS_SIE);
    while (!s_flag) {
    }
    csr_clear(sstatus, MSTATUS_SIE);
    return 2;
}

static long u_spin(long unused)
{
    while (!s_flag) {
    }
    return 3;
}

static long s_spin_briefly(long unused)
{
    for (volatile int i = 0; i < 100; i++) {
    }
    return 4;
}

static long s_sstc(long unused)
{
    unsigned long now = csr_read(time);
#if __riscv_xlen == 64
    csr_write(0x14d, now + 3000);
#else
    csr_write(0x15d, ~0UL);
    csr_write(0x14d, now + 3000);
    csr_write(0x15d, now + 3000 < now ? csr_read(timeh) + 1 : csr_read(timeh));
#endif
    csr_set(sie, 1UL << IRQ_S_TIMER);
    while (!s_flag) {          /* as wait_irqs(), with sstatus.SIE */
        __asm__ volatile ("wfi");
        csr_set(sstatus, MSTATUS_SIE);
        csr_clear(sstatus, MSTATUS_SIE);
    }
    return 5;
}

static void delegation(void)
{
    pmp_allow_all();
    install_s_trap();
    s_trap_hook = s_irq;
    csr_write(mideleg, (1UL << IRQ_S_SOFT) | (1UL << IRQ_S_TIMER) | (1UL << IRQ_S_EXT));

    /* Delegated interrupts are never taken in M. */
    log_reset();
    csr_write(mie, 1UL << IRQ_S_SOFT);
    csr_set(mip, 1UL << IRQ_S_SOFT);
    csr_set(mstatus, MSTATUS_MIE);
    __asm__ volatile ("nop");
    csr_clear(mstatus, MSTATUS_MIE);
    log_print("delegated SSI pending in M");

    /* SSI taken in S once S enables it. */
    s_flag = 0;
    log_reset();
    long r = call_in_mode(PRV_S, s_enable_ssi, 0);
    kprintf("S enables SSIE+SIE -> %ld\n", r);
    log_print("  taken");

    /* STI (set by M in mip) taken in S. */
    s_flag = 0;
    log_reset();
    csr_write(mie, 0);
    csr_set(mip, 1UL << IRQ_S_TIMER);
    r = call_in_mode(PRV_S, s_enable_sti, 0);
    csr_clear(mip, 1UL << IRQ_S_TIMER);
    kprintf("S enables STIE+SIE with STIP set -> %ld\n", r);
    log_print("  taken");

    /* In U, S-level interrupts are taken even with sstatus.SIE clear. */
    s_flag = 0;
    log_reset();
    csr_clear(sstatus, MSTATUS_SIE);
    csr_write(mie, 1UL << IRQ_S_SOFT);
    csr_set(mip, 1UL << IRQ_S_SOFT);
    r = call_in_mode(PRV_U, u_spin, 0);
    kprintf("U with SSIP pending, SIE=0 -> %ld\n", r);
    log_print("  taken");

    /* In S, M-level interrupts are taken even with mstatus.MIE clear. */
    log_reset();
    csr_write(mie, 1UL << IRQ_M_SOFT);
    mmio_write32(CLINT_MSIP(0), 1);
    r = call_in_mode(PRV_S, s_spin_briefly, 0);
    kprintf("S with MSIP pending, MIE=0 -> %ld\n", r);
    log_print("  taken");
    csr_write(mie, 0);
}

static void sstc(void)
{
#if __riscv_xlen == 64
    csr_set(0x30a, 1UL << 63);     /* menvcfg.STCE */
#else
    csr_set(0x31a, 1UL << 31);     /* menvcfgh.STCE */
#endif
    csr_write(mcounteren, 2);      /* TM: S may read time and use stimecmp */
    sstc_on = 1;
    csr_write(0x14d, 0);
#if __riscv_xlen == 32
    csr_write(0x15d, 0);
#endif
    check("STIP follows stimecmp=0", (csr_read(mip) >> IRQ_S_TIMER) & 1, 1);
#if __riscv_xlen == 32
    csr_write(0x15d, ~0UL);
#endif
    csr_write(0x14d, ~0UL);
    check("STIP clear with stimecmp=max", (csr_read(mip) >> IRQ_S_TIMER) & 1, 0);
    s_flag = 0;
    log_reset();
    csr_write(mie, 0);
    long r = call_in_mode(PRV_S, s_sstc, 0);
    kprintf("S arms stimecmp and waits -> %ld\n", r);
    log_print("  taken");
    csr_write(mcounteren, 0);
    sstc_on = 0;
#if __riscv_xlen == 64
    csr_clear(0x30a, 1UL << 63);
#else
    csr_clear(0x31a, 1UL << 31);
#endif
}

int main(void)
{
    install_m_trap();
    m_trap_hook = m_irq;
    mtimecmp_write(0, ~0ULL);
    kprintf("interrupts: rv%d\n", XLEN);
    direct_timer();
    wfi_wakeup_then_enable();
    vectored();
    priorities();
    delegation();
    sstc();
    finish();
}
