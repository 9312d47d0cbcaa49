/*
 * plic: the SiFive PLIC at 0xc000000 as QEMU's virt wires it (96 sources,
 * priorities 0..7; context 0 = hart 0 M-mode, context 1 = hart 0 S-mode).
 * Register read-back, then the UART THRE interrupt (source 10) polled
 * through pending/claim/complete with mip.MEIP, threshold and priority 0
 * masking, delivery as a real M-mode external interrupt, the S-mode context
 * (mip.SEIP), priority order between the UART and the RTC alarm (11), and claims in a
 * hot (translated) loop.
 * The UART raises its line while IER.ETBEI is set and THR is empty, so
 * nothing is printed while it is enabled.
 */
#include "lib.h"

#define PRIO(src)        (PLIC_BASE + 4UL * (src))
#define PENDING(word)    (PLIC_BASE + 0x1000UL + 4UL * (word))
#define ENABLE(ctx, w)   (PLIC_BASE + 0x2000UL + 0x80UL * (ctx) + 4UL * (w))
#define THRESHOLD(ctx)   (PLIC_BASE + 0x200000UL + 0x1000UL * (ctx))
#define CLAIM(ctx)       (PLIC_BASE + 0x200004UL + 0x1000UL * (ctx))

#define UART_IER (UART0_BASE + 1)
#define UART_IIR (UART0_BASE + 2)

#define RTC_TIME_LOW   (RTC_BASE + 0x00)
#define RTC_TIME_HIGH  (RTC_BASE + 0x04)
#define RTC_ALARM_LOW  (RTC_BASE + 0x08)
#define RTC_ALARM_HIGH (RTC_BASE + 0x0c)
#define RTC_IRQ_ENABLED (RTC_BASE + 0x10)
#define RTC_CLEAR_ALARM (RTC_BASE + 0x14)
#define RTC_CLEAR_INTERRUPT (RTC_BASE + 0x1c)

static uint32_t r32(unsigned long a) { return mmio_read32(a); }
static void w32(unsigned long a, uint32_t v) { mmio_write32(a, v); }
static unsigned long meip(void) { return (csr_read(mip) >> IRQ_M_EXT) & 1; }
static unsigned long seip(void) { return (csr_read(mip) >> IRQ_S_EXT) & 1; }

static void show32(const char *what, uint32_t v) { kprintf("%s = %08x\n", what, v); }

static volatile uint32_t irq_claimed;
static volatile unsigned long irq_cause;

static int ext_irq(struct trap_frame *f)
{
    if (f->cause != (CAUSE_INTERRUPT | IRQ_M_EXT)) return 0;
    irq_cause = f->cause;
    irq_claimed = r32(CLAIM(0));
    if (irq_claimed == UART0_IRQ) mmio_write8(UART_IER, 0);
    w32(CLAIM(0), irq_claimed);
    return 1;
}

static void registers(void)
{
    show32("priority[10] at reset", r32(PRIO(10)));
    w32(PRIO(10), 5);
    show32("priority[10] after 5", r32(PRIO(10)));
    w32(PRIO(10), 7);
    show32("priority[10] after 7", r32(PRIO(10)));
    w32(PRIO(10), 0);
    show32("enable ctx0 word0 at reset", r32(ENABLE(0, 0)));
    w32(ENABLE(0, 0), 0x00000c00);
    show32("enable ctx0 word0 after 0xc00", r32(ENABLE(0, 0)));
    w32(ENABLE(0, 0), 0);
    show32("threshold ctx0 at reset", r32(THRESHOLD(0)));
    w32(THRESHOLD(0), 3);
    show32("threshold ctx0 after 3", r32(THRESHOLD(0)));
    w32(THRESHOLD(0), 0);
    show32("claim ctx0 with nothing pending", r32(CLAIM(0)));
    show32("pending word0 idle", r32(PENDING(0)));
}

static void polled(void)
{
    uint32_t v[16];
    unsigned long m[16];
    w32(PRIO(UART0_IRQ), 1);
    w32(ENABLE(0, 0), 1u << UART0_IRQ);
    w32(THRESHOLD(0), 0);
    v[0] = r32(PENDING(0)); m[0] = meip();
    mmio_write8(UART_IER, 0x02);                 /* THRE interrupt: the line goes high */
    v[1] = r32(PENDING(0)); m[1] = meip();
    v[2] = r32(CLAIM(0));                        /* claim */
    v[3] = r32(PENDING(0)); m[3] = meip();
    v[4] = r32(CLAIM(0));                        /* nothing else to claim */
    (void)mmio_read8(UART_IIR);                  /* reading IIR clears THRE pending: line low */
    v[5] = r32(PENDING(0)); m[5] = meip();
    w32(CLAIM(0), UART0_IRQ);                    /* complete */
    v[6] = r32(PENDING(0)); m[6] = meip();
    mmio_write8(UART_IER, 0x00);
    mmio_write8(UART_IER, 0x02);                 /* line high again */
    w32(THRESHOLD(0), 1);                        /* priority 1 is not above threshold 1 */
    v[7] = r32(PENDING(0)); m[7] = meip();
    v[8] = r32(CLAIM(0));
    w32(THRESHOLD(0), 0);
    m[8] = meip();
    w32(PRIO(UART0_IRQ), 0);                     /* priority 0: never interrupts */
    v[9] = r32(PENDING(0)); m[9] = meip();
    v[10] = r32(CLAIM(0));
    w32(PRIO(UART0_IRQ), 1);
    m[10] = meip();
    mmio_write8(UART_IER, 0x00);                 /* line low: pending follows the level */
    v[11] = r32(PENDING(0)); m[11] = meip();
    w32(ENABLE(0, 0), 0);

    kprintf("pending idle %08x meip %lu\n", v[0], m[0]);
    kprintf("pending with THRE irq %08x meip %lu\n", v[1], m[1]);
    kprintf("claim -> %u\n", v[2]);
    kprintf("pending after claim %08x meip %lu\n", v[3], m[3]);
    kprintf("second claim -> %u\n", v[4]);
    kprintf("pending after line low %08x meip %lu\n", v[5], m[5]);
    kprintf("pending after complete %08x meip %lu\n", v[6], m[6]);
    kprintf("threshold 1: pending %08x meip %lu claim -> %u\n", v[7], m[7], v[8]);
    kprintf("threshold 0: meip %lu\n", m[8]);
    kprintf("priority 0: pending %08x meip %lu claim -> %u\n", v[9], m[9], v[10]);
    kprintf("priority 1 again: meip %lu\n", m[10]);
    kprintf("line low: pending %08x meip %lu\n", v[11], m[11]);
    check("claimed the UART", v[2], UART0_IRQ);
}

static void delivered(void)
{
    m_trap_hook = ext_irq;
    w32(PRIO(UART0_IRQ), 2);
    w32(ENABLE(0, 0), 1u << UART0_IRQ);
    csr_write(mie, 1UL << IRQ_M_EXT);
    mmio_write8(UART_IER, 0x02);
    csr_set(mstatus, MSTATUS_MIE);
    __asm__ volatile ("nop");
    csr_clear(mstatus, MSTATUS_MIE);
    csr_write(mie, 0);
    w32(ENABLE(0, 0), 0);
    m_trap_hook = 0;
    show("external interrupt cause", irq_cause);
    check("claimed in the handler", irq_claimed, UART0_IRQ);
}

static void s_context(void)
{
    uint32_t v[4];
    unsigned long s[4];
    w32(PRIO(UART0_IRQ), 1);
    w32(ENABLE(1, 0), 1u << UART0_IRQ);
    w32(THRESHOLD(1), 0);
    mmio_write8(UART_IER, 0x02);
    s[0] = seip();
    v[0] = r32(CLAIM(0));                  /* context 0 has it disabled */
    v[1] = r32(CLAIM(1));
    s[1] = seip();
    mmio_write8(UART_IER, 0x00);
    w32(CLAIM(1), UART0_IRQ);
    s[2] = seip();
    w32(ENABLE(1, 0), 0);
    kprintf("S context: seip %lu, claim ctx0 -> %u, claim ctx1 -> %u, seip after claim %lu, after complete %lu\n",
            s[0], v[0], v[1], s[1], s[2]);
}

static void two_sources(void)
{
    /* The RTC alarm (source 11) fires at once when set in the past. */
    uint32_t lo = r32(RTC_TIME_LOW), hi = r32(RTC_TIME_HIGH);
    w32(RTC_IRQ_ENABLED, 1);
    w32(RTC_ALARM_HIGH, hi);
    w32(RTC_ALARM_LOW, lo);
    w32(PRIO(UART0_IRQ), 2);
    w32(PRIO(RTC_IRQ), 3);
    w32(ENABLE(0, 0), (1u << UART0_IRQ) | (1u << RTC_IRQ));
    mmio_write8(UART_IER, 0x02);
    uint32_t pend = r32(PENDING(0));
    uint32_t c1 = r32(CLAIM(0));
    uint32_t c2 = r32(CLAIM(0));
    uint32_t c3 = r32(CLAIM(0));
    mmio_write8(UART_IER, 0x00);
    w32(RTC_CLEAR_INTERRUPT, 1);
    w32(RTC_IRQ_ENABLED, 0);
    w32(CLAIM(0), c1);
    w32(CLAIM(0), c2);
    uint32_t after = r32(PENDING(0));
    w32(ENABLE(0, 0), 0);
    kprintf("UART prio 2 + RTC prio 3: pending %08x, claims %u %u %u, pending after %08x\n",
            pend, c1, c2, c3, after);
}

/* A claim whose destination held -1 just before: a load whose value is lost shows as -1. */
static uint32_t claim_into_fresh(unsigned long a)
{
    uint32_t v;
    __asm__ volatile("li %0, -1\n\tlw %0, 0(%1)" : "=&r"(v) : "r"(a) : "memory");
    return v;
}

/*
 * Claim and complete in a hot loop, which runs translated: each claim lowers MEIP, so the
 * hart leaves its loop right after the load, and the load's value must still be there.
 */
static void hot_claims(void)
{
    unsigned long lost = 0, other = 0;
    w32(PRIO(UART0_IRQ), 1);
    w32(ENABLE(0, 0), 1u << UART0_IRQ);
    for (int i = 0; i < 2000; i++) {
        /* QEMU 7.2's PLIC pends a source when its line rises, not while it stays high after
           a complete: the line goes low and high again each time. */
        mmio_write8(UART_IER, 0x00);
        mmio_write8(UART_IER, 0x02);
        uint32_t c = claim_into_fresh(CLAIM(0));
        if (c == 0xffffffffu) lost++;
        else if (c != UART0_IRQ) other++;
        w32(CLAIM(0), UART0_IRQ);
    }
    mmio_write8(UART_IER, 0x00);
    w32(ENABLE(0, 0), 0);
    w32(PRIO(UART0_IRQ), 0);
    kprintf("2000 claims in a loop: %lu lost, %lu not the UART\n", lost, other);
    check("claims lost in a hot loop", lost, 0);
}

int main(void)
{
    install_m_trap();
    kprintf("plic: rv%d\n", XLEN);
    registers();
    polled();
    delivered();
    s_context();
    two_sources();
    hot_claims();
    finish();
}
