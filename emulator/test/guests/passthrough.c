/*
 * passthrough: a driver for the stub device in stub-dev.osdev-model.json, found the
 * way a kernel finds it: by its compatible string in the device tree the boot ROM
 * passed in a1. It reads the ID register and a read sequence, starts an operation
 * and takes its interrupt through the PLIC, then waits for the host to unplug the
 * device (reads turn to all-ones), plug it again (it comes back from reset) and runs
 * a second operation. Run with --passthrough name=stub0,backend=stub:stub-dev.osdev-model.json.
 */
#include "lib.h"

#define COMPATIBLE "osdev,test-stub"
#define STUB_ID    0x53545542u   /* "STUB" */

#define REG_ID     0x00
#define REG_CTRL   0x04          /* bit 0 IE */
#define REG_CMD    0x08          /* bit 0 START */
#define REG_STATUS 0x0c          /* bit 0 DONE, write 1 to clear */
#define REG_DATA   0x10          /* reads 1, 2, 3, 3, ... */


static unsigned long dev;
static unsigned dev_irq;
static volatile unsigned irqs;

static uint32_t rd(unsigned off) { return mmio_read32(dev + off); }
static void wr(unsigned off, uint32_t v) { mmio_write32(dev + off, v); }

static int on_irq(struct trap_frame *f)
{
    if (f->cause != (CAUSE_INTERRUPT | IRQ_M_EXT)) return 0;
    unsigned src = plic_claim_m();
    if (src == dev_irq) {
        wr(REG_STATUS, 1);   /* W1C: DONE drops, and the line with it */
        irqs++;
    }
    plic_complete_m(src);
    return 1;
}

static void operation(unsigned n)
{
    unsigned before = irqs;
    wr(REG_CTRL, 1);
    wr(REG_CMD, 1);
    while (irqs == before) __asm__ volatile ("wfi");
    kprintf("operation %u done: interrupt %u taken, STATUS=%x\n", n, dev_irq, rd(REG_STATUS));
}

int main(void)
{
    install_m_trap();
    if (!fdt_find_compatible(COMPATIBLE, &dev, &dev_irq)) { kprintf("no " COMPATIBLE " in the device tree\n"); return 1; }
    kprintf("found " COMPATIBLE " at %lx, irq %u\n", dev, dev_irq);
    uint32_t id = rd(REG_ID);
    kprintf("ID = %x\n", id);
    if (id != STUB_ID) return 2;
    uint32_t d1 = rd(REG_DATA), d2 = rd(REG_DATA), d3 = rd(REG_DATA), d4 = rd(REG_DATA);
    kprintf("DATA reads %u %u %u %u\n", d1, d2, d3, d4);

    m_trap_hook = on_irq;
    plic_route_m(dev_irq);
    operation(1);

    kprintf("waiting for unplug\n");
    while (rd(REG_ID) == STUB_ID) {
    }
    kprintf("unplugged: ID reads %x\n", rd(REG_ID));
    while (rd(REG_ID) != STUB_ID) {
    }
    kprintf("plugged again: CTRL=%x after reset\n", rd(REG_CTRL));
    operation(2);
    return 0;
}
