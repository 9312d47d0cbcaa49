/*
 * fdt-uart: a guest that knows no device address. It finds its UART and the sifive,test
 * power-off device in the device tree the boot ROM passed in a1, by compatible string
 * (as a kernel does), says where they are through that UART and powers off through the
 * test device. Run on boards built from a DTS (emulator/machine/machine-from-dts.test.ts),
 * whose devices are not at virt's addresses, so lib.c's putc and exit cannot be used.
 */
#include "lib.h"

#define LSR      5
#define LSR_THRE 0x20

static unsigned long uart;

static void out(char c)
{
    while ((mmio_read8(uart + LSR) & LSR_THRE) == 0) {
    }
    mmio_write8(uart, (uint8_t)c);
}

static void say(const char *s)
{
    while (*s) out(*s++);
}

static void hex(unsigned long v)
{
    say("0x");
    for (int shift = 28; shift >= 0; shift -= 4) out("0123456789abcdef"[(v >> shift) & 15]);
}

static void halt(void)
{
    for (;;) __asm__ volatile ("wfi");
}

int main(void)
{
    unsigned long test;
    unsigned irq, test_irq;
    if (!fdt_find_compatible("ns16550a", &uart, &irq)) halt();   /* nowhere to say it */
    say("uart at ");
    hex(uart);
    say(" irq ");
    hex(irq);
    say("\n");
    if (!fdt_find_compatible("sifive,test0", &test, &test_irq)) {
        say("no sifive,test0 in the device tree\n");
        halt();
    }
    say("test at ");
    hex(test);
    say("\n");
    mmio_write32(test, 0x5555);
    halt();
    return 0;
}
