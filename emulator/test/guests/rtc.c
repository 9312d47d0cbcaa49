/*
 * rtc: the Goldfish RTC at 0x101000. Its time differs between runs and
 * emulators, so only properties are printed: non-zero, monotonic, settable
 * (write TIME_HIGH/TIME_LOW, read back the high word), IRQ_ENABLED
 * read-back, and an alarm that fires (ALARM_STATUS, PLIC source 11; the
 * program sleeps in wfi until it does).
 */
#include "lib.h"

#define TIME_LOW 0x00
#define TIME_HIGH 0x04
#define ALARM_LOW 0x08
#define ALARM_HIGH 0x0c
#define IRQ_ENABLED 0x10
#define CLEAR_ALARM 0x14
#define ALARM_STATUS 0x18
#define CLEAR_INTERRUPT 0x1c
#define PLIC_PENDING0 (PLIC_BASE + 0x1000UL)

static uint32_t rd(unsigned off) { return mmio_read32(RTC_BASE + off); }
static void wr(unsigned off, uint32_t v) { mmio_write32(RTC_BASE + off, v); }

/* Reading TIME_LOW latches TIME_HIGH. */
static uint64_t now(void)
{
    uint32_t lo = rd(TIME_LOW);
    return ((uint64_t)rd(TIME_HIGH) << 32) | lo;
}

int main(void)
{
    install_m_trap();
    kprintf("rtc: rv%d\n", XLEN);
    uint64_t t1 = now();
    for (volatile int i = 0; i < 10000; i++) {
    }
    uint64_t t2 = now();
    check("time is non-zero", t1 != 0, 1);
    check("time is monotonic", t2 >= t1, 1);
    uint64_t prev = t2;
    int mono = 1;
    for (int i = 0; i < 100; i++) {
        uint64_t t = now();
        if (t < prev) mono = 0;
        prev = t;
    }
    check("100 more reads monotonic", mono, 1);

    /* Set the clock: high word 0x12, low word 0. */
    wr(TIME_HIGH, 0x12);
    wr(TIME_LOW, 0);
    uint64_t t3 = now();
    check("time high after setting", (unsigned long)(t3 >> 32), 0x12);
    check("time low small after setting (< 1 s)", (uint32_t)t3 < 1000000000u, 1);

    show("IRQ_ENABLED at reset", rd(IRQ_ENABLED));
    show("ALARM_STATUS at reset", rd(ALARM_STATUS));
    wr(IRQ_ENABLED, 1);
    show("IRQ_ENABLED after 1", rd(IRQ_ENABLED));

    /* An alarm 50 ms ahead; wait in wfi for the PLIC to see it (MEIP wakes wfi
       even with mstatus.MIE clear), so an emulator may skip the idle time. */
    mmio_write32(PLIC_BASE + 4UL * RTC_IRQ, 1);             /* priority */
    mmio_write32(PLIC_BASE + 0x2000UL, 1u << RTC_IRQ);      /* context 0 enable */
    csr_write(mie, 1UL << IRQ_M_EXT);
    uint64_t when = now() + 50000000;
    wr(ALARM_HIGH, (uint32_t)(when >> 32));
    wr(ALARM_LOW, (uint32_t)when);
    uint32_t status_armed = rd(ALARM_STATUS);
    while (!(mmio_read32(PLIC_PENDING0) & (1u << RTC_IRQ))) __asm__ volatile ("wfi");
    uint32_t status_fired = rd(ALARM_STATUS);
    uint64_t t4 = now();
    uint32_t claimed = mmio_read32(PLIC_BASE + 0x200004UL);
    wr(CLEAR_INTERRUPT, 1);
    mmio_write32(PLIC_BASE + 0x200004UL, claimed);
    wr(IRQ_ENABLED, 0);
    csr_write(mie, 0);
    mmio_write32(PLIC_BASE + 0x2000UL, 0);
    show("ALARM_STATUS while armed", status_armed);
    show("ALARM_STATUS after firing", status_fired);
    check("alarm fired no earlier than set", t4 >= when, 1);
    check("PLIC claim gives the RTC", claimed, RTC_IRQ);
    finish();
}
