/*
 * amo-smp (run with 2 harts): hart 0 and hart 1 each add N to one shared
 * counter with amoadd.w and to another with lr.w/sc.w loops; the totals
 * must be exactly 2N. Then hart 0 wakes hart 1 from wfi with a CLINT
 * software interrupt (msip) and hart 1 acknowledges.
 */
#include "lib.h"

#define N 20000

static volatile uint32_t amo_counter, lrsc_counter;
static volatile uint32_t arrived, done, hart1_id, hart1_woke, go_sleep;

static void amo_add(volatile uint32_t *p, uint32_t v)
{
    __asm__ volatile ("amoadd.w zero, %1, (%0)" :: "r"(p), "r"(v) : "memory");
}

static void lrsc_add(volatile uint32_t *p, uint32_t v)
{
    unsigned long t, fail;
    do {
        __asm__ volatile ("lr.w %0, (%2)\n\tadd %0, %0, %3\n\tsc.w %1, %0, (%2)"
                          : "=&r"(t), "=&r"(fail) : "r"(p), "r"((unsigned long)v) : "memory");
    } while (fail);
}

static void work(void)
{
    amo_add(&arrived, 1);
    while (arrived < 2) {
    }
    for (int i = 0; i < N; i++) {
        amo_add(&amo_counter, 1);
        lrsc_add(&lrsc_counter, 1);
    }
}

void secondary_main(unsigned long hartid)
{
    if (hartid != 1) {
        for (;;) __asm__ volatile ("wfi");
    }
    hart1_id = (uint32_t)csr_read(mhartid);
    work();
    amo_add(&done, 1);
    /* Sleep until hart 0's IPI: MSIE enabled, mstatus.MIE clear, so wfi wakes without a trap. */
    csr_set(mie, 1UL << IRQ_M_SOFT);
    while (!go_sleep) {
    }
    while (!(csr_read(mip) & (1UL << IRQ_M_SOFT))) __asm__ volatile ("wfi");
    mmio_write32(CLINT_MSIP(1), 0);
    while (csr_read(mip) & (1UL << IRQ_M_SOFT)) {
    }
    hart1_woke = 1;
    for (;;) __asm__ volatile ("wfi");
}

int main(void)
{
    install_m_trap();
    kprintf("amo-smp: rv%d, 2 harts, N=%d\n", XLEN, N);
    work();
    while (done < 1) {
    }
    check("hart 1 mhartid", hart1_id, 1);
    check("amoadd.w total", amo_counter, 2 * N);
    check("lr/sc total", lrsc_counter, 2 * N);
    go_sleep = 1;
    mmio_write32(CLINT_MSIP(1), 1);
    while (!hart1_woke) {
    }
    check("hart 1 woken by msip and cleared it", mmio_read32(CLINT_MSIP(1)), 0);
    finish();
}
