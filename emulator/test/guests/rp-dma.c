/*
 * rp-dma: a driver for the example Remote-Port peer (emulator/hosts/remote-port-peer.ts)
 * behind a passthrough slot. Found by its compatible string in the device tree, it
 * checks the ID register, has the peer copy a buffer by DMA (the peer writes it back
 * inverted) and takes the completion interrupt through the PLIC. Run with
 * --passthrough name=rp0,backend=remote-port:ADDR,dma=0x80000000:0x8000000,compatible=osdev-emulator,rp-example-dma
 */
#include "lib.h"

#define COMPATIBLE "osdev-emulator,rp-example-dma"
#define PEER_ID    0x52504431u   /* "RPD1" */

#define REG_ID     0x00
#define REG_CMD    0x04
#define REG_SRC    0x08
#define REG_DST    0x0c
#define REG_LEN    0x10
#define REG_STATUS 0x14          /* bit 0 DONE (W1C), bit 1 ERR */


static unsigned long dev;
static unsigned dev_irq;
static volatile unsigned irqs;
static volatile uint32_t status_at_irq;

static uint32_t rd(unsigned off) { return mmio_read32(dev + off); }
static void wr(unsigned off, uint32_t v) { mmio_write32(dev + off, v); }

static int on_irq(struct trap_frame *f)
{
    if (f->cause != (CAUSE_INTERRUPT | IRQ_M_EXT)) return 0;
    unsigned src = plic_claim_m();
    if (src == dev_irq) {
        status_at_irq = rd(REG_STATUS);
        wr(REG_STATUS, status_at_irq);   /* W1C: the peer lowers the line */
        irqs++;
    }
    plic_complete_m(src);
    return 1;
}

static char src_buf[64] = "Remote-Port DMA through a passthrough slot";
static char dst_buf[64];

int main(void)
{
    install_m_trap();
    if (!fdt_find_compatible(COMPATIBLE, &dev, &dev_irq)) { kprintf("no " COMPATIBLE " in the device tree\n"); return 1; }
    kprintf("found " COMPATIBLE " at %lx, irq %u\n", dev, dev_irq);
    uint32_t id = rd(REG_ID);
    kprintf("ID = %x\n", id);
    if (id != PEER_ID) return 2;

    m_trap_hook = on_irq;
    plic_route_m(dev_irq);

    unsigned n = strlen(src_buf);
    wr(REG_SRC, (uint32_t)(unsigned long)src_buf);
    wr(REG_DST, (uint32_t)(unsigned long)dst_buf);
    wr(REG_LEN, n);
    wr(REG_CMD, 1);
    while (irqs == 0) __asm__ volatile ("wfi");
    unsigned bad = 0;
    for (unsigned i = 0; i < n; i++) if ((uint8_t)(dst_buf[i] ^ src_buf[i]) != 0xff) bad++;
    /* Let a late de-assert show: were the line still high, the handler would run again here. */
    for (volatile int i = 0; i < 1000; i++) { }
    kprintf("interrupt %u: STATUS=%x, %u bytes copied inverted, %u wrong, handler ran %u time(s)\n", dev_irq, status_at_irq, n, bad, irqs);
    return bad == 0 && status_at_irq == 1 && irqs == 1 ? 0 : 3;
}
