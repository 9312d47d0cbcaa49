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

#define ENABLE(ctx, w)   (PLIC_BASE + 0x2000UL + 0x80UL * (ctx) + 4UL * (w))
#define CLAIM(ctx)       (PLIC_BASE + 0x200004UL + 0x1000UL * (ctx))

/* ---- the device tree (devicetree spec 0.4 §5): just enough to find one node ---- */
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9

static uint32_t be32(const void *p)
{
    const uint8_t *b = p;
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}

/* Finds the node with this compatible: its first reg (2 address + 2 size cells, as in /soc) and interrupts. */
static int fdt_find(const char *compatible, unsigned long *base, unsigned *irq)
{
    const uint8_t *fdt = (const uint8_t *)boot_fdt;
    if (be32(fdt) != 0xd00dfeed) return 0;
    const uint8_t *p = fdt + be32(fdt + 8);
    const char *strings = (const char *)fdt + be32(fdt + 12);
    unsigned long reg = 0;
    unsigned intr = 0;
    int match = 0;
    for (;;) {
        uint32_t token = be32(p);
        p += 4;
        if (token == FDT_BEGIN_NODE) {
            while (*p) p++;
            p = (const uint8_t *)(((unsigned long)p + 4) & ~3UL);
            match = 0; reg = 0; intr = 0;
        } else if (token == FDT_PROP) {
            uint32_t len = be32(p), name = be32(p + 4);
            const uint8_t *v = p + 8;
            const char *pn = strings + name;
            if (streq(pn, "compatible") && streq((const char *)v, compatible)) match = 1;
            if (streq(pn, "reg") && len >= 8) reg = ((unsigned long)be32(v) << 16 << 16) | be32(v + 4);
            if (streq(pn, "interrupts") && len >= 4) intr = be32(v);
            p = (const uint8_t *)(((unsigned long)v + len + 3) & ~3UL);
        } else if (token == FDT_END_NODE) {
            if (match) { *base = reg; *irq = intr; return 1; }
        } else if (token == FDT_NOP) {
            continue;
        } else {
            return 0;
        }
    }
}

static unsigned long dev;
static unsigned dev_irq;
static volatile unsigned irqs;

static uint32_t rd(unsigned off) { return mmio_read32(dev + off); }
static void wr(unsigned off, uint32_t v) { mmio_write32(dev + off, v); }

static int on_irq(struct trap_frame *f)
{
    if (f->cause != (CAUSE_INTERRUPT | IRQ_M_EXT)) return 0;
    uint32_t src = mmio_read32(CLAIM(0));
    if (src == dev_irq) {
        wr(REG_STATUS, 1);   /* W1C: DONE drops, and the line with it */
        irqs++;
    }
    mmio_write32(CLAIM(0), src);
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
    if (!fdt_find(COMPATIBLE, &dev, &dev_irq)) { kprintf("no " COMPATIBLE " in the device tree\n"); return 1; }
    kprintf("found " COMPATIBLE " at %lx, irq %u\n", dev, dev_irq);
    uint32_t id = rd(REG_ID);
    kprintf("ID = %x\n", id);
    if (id != STUB_ID) return 2;
    uint32_t d1 = rd(REG_DATA), d2 = rd(REG_DATA), d3 = rd(REG_DATA), d4 = rd(REG_DATA);
    kprintf("DATA reads %u %u %u %u\n", d1, d2, d3, d4);

    mmio_write32(PLIC_BASE + 4UL * dev_irq, 1);
    mmio_write32(ENABLE(0, dev_irq / 32), 1u << (dev_irq % 32));
    m_trap_hook = on_irq;
    csr_set(mie, 1UL << IRQ_M_EXT);
    csr_set(mstatus, MSTATUS_MIE);
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
