/*
 * fw-cfg: QEMU's firmware configuration device at 0x10100000 (QEMU
 * docs/specs/fw_cfg.txt): the selector at +8 (16-bit, big-endian), the data
 * register at +0 (a byte stream; wider reads give the next bytes in memory
 * order), the DMA address at +0x10 (big-endian; reads give "QEMU CFG").
 * Prints the signature (key 0x0000) read bytewise, wide and by DMA, the
 * feature id (key 0x0001, little-endian) and the file directory (key 0x0019:
 * a big-endian count, then 64-byte entries).
 */
#include "lib.h"

#define FW_CFG_BASE 0x10100000UL
#define FW_DATA (FW_CFG_BASE + 0x0)
#define FW_SELECTOR (FW_CFG_BASE + 0x8)
#define FW_DMA (FW_CFG_BASE + 0x10)

#define KEY_SIGNATURE 0x0000
#define KEY_ID 0x0001
#define KEY_NB_CPUS 0x0005
#define KEY_FILE_DIR 0x0019

#define DMA_CTL_ERROR 0x01
#define DMA_CTL_READ 0x02
#define DMA_CTL_SKIP 0x04
#define DMA_CTL_SELECT 0x08
#define DMA_CTL_WRITE 0x10

static uint16_t be16(uint16_t v) { return (uint16_t)((v >> 8) | (v << 8)); }
static uint32_t be32(uint32_t v) { return __builtin_bswap32(v); }

static void select_key(uint16_t key) { *(volatile uint16_t *)FW_SELECTOR = be16(key); }
static uint8_t data8(void) { return *(volatile uint8_t *)FW_DATA; }

static uint32_t data_be32(void)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v = (v << 8) | data8();
    return v;
}

/* The DMA descriptor: all fields big-endian (fw_cfg.txt "FWCfgDmaAccess"). */
struct dma_access {
    uint32_t control;
    uint32_t length;
    uint64_t address;
} __attribute__((aligned(16)));

static volatile struct dma_access dma;
static char buf[16];

static uint32_t dma_run(uint32_t control, uint32_t length, void *to)
{
    dma.control = be32(control);
    dma.length = be32(length);
    uint64_t a = (uint64_t)(unsigned long)to;
    dma.address = ((uint64_t)be32((uint32_t)a) << 32) | be32((uint32_t)(a >> 32));
    uint64_t d = (uint64_t)(unsigned long)&dma;
    /* High half first: the write to the low half at +0x14 starts the transfer. */
    mmio_write32(FW_DMA, be32((uint32_t)(d >> 32)));
    mmio_write32(FW_DMA + 4, be32((uint32_t)d));
    return be32(dma.control);
}

int main(void)
{
    kprintf("fw-cfg: rv%d\n", XLEN);

    select_key(KEY_SIGNATURE);
    char sig[5];
    for (int i = 0; i < 4; i++) sig[i] = (char)data8();
    sig[4] = 0;
    kprintf("signature bytewise: %s\n", sig);
    kprintf("past the end: %x\n", data8());

    select_key(KEY_SIGNATURE);
    uint32_t wide = mmio_read32(FW_DATA);
    kprintf("signature as one 32-bit read: %x\n", wide);

    select_key(KEY_ID);
    uint32_t id = 0;
    for (int i = 0; i < 4; i++) id |= (uint32_t)data8() << (8 * i);
    kprintf("id: %x (traditional %d, dma %d)\n", id, id & 1, (id >> 1) & 1);

    select_key(KEY_NB_CPUS);
    kprintf("harts: %u\n", data8() | (data8() << 8));

    kprintf("dma register: %x %x\n", be32(mmio_read32(FW_DMA)), be32(mmio_read32(FW_DMA + 4)));

    select_key(KEY_FILE_DIR);
    uint32_t count = data_be32();
    kprintf("files: %u\n", count);
    uint16_t sels[32];
    uint32_t sizes[32];
    for (uint32_t f = 0; f < count && f < 32; f++) {
        sizes[f] = data_be32();
        sels[f] = (uint16_t)((data8() << 8) | data8());
        data8();
        data8();
        char name[57];
        for (int i = 0; i < 56; i++) name[i] = (char)data8();
        name[56] = 0;
        kprintf("  %x %u %s\n", sels[f], sizes[f], name);
    }
    for (uint32_t f = 0; f < count && f < 32; f++) {
        select_key(sels[f]);
        kprintf("  file %x:", sels[f]);
        for (uint32_t i = 0; i < sizes[f] && i < 16; i++) kprintf(" %x", data8());
        kprintf("\n");
    }

    memset(buf, 0, sizeof buf);
    uint32_t ctl = dma_run((KEY_SIGNATURE << 16) | DMA_CTL_SELECT | DMA_CTL_READ, 4, buf);
    kprintf("dma read of the signature: control %x, %s\n", ctl, buf);
    memset(buf, 0x55, sizeof buf);
    ctl = dma_run((KEY_SIGNATURE << 16) | DMA_CTL_SELECT | DMA_CTL_SKIP, 1, buf);
    ctl |= dma_run(DMA_CTL_READ, 5, buf);
    kprintf("dma skip 1 then read 5: control %x, bytes %x %x %x %x %x %x\n", ctl, buf[0], buf[1], buf[2], buf[3], buf[4], buf[5]);
    ctl = dma_run((KEY_SIGNATURE << 16) | DMA_CTL_SELECT | DMA_CTL_WRITE, 4, buf);
    kprintf("dma write to a read-only item: control %x\n", ctl);
    ctl = dma_run((0x7fff << 16) | DMA_CTL_SELECT | DMA_CTL_READ, 4, buf);
    kprintf("dma read of a missing key: control %x, bytes %x %x\n", ctl, buf[0], buf[3]);
    ctl = dma_run(0x40, 1, buf);
    kprintf("dma with an unknown control bit: control %x\n", ctl);

    /* Accesses QEMU's regions refuse are access faults. */
    install_m_trap();
    trap_expect();
    (void)*(volatile uint16_t *)FW_SELECTOR;
    print_trap("selector read");
    trap_expect();
    *(volatile uint32_t *)FW_SELECTOR = 0;
    print_trap("selector 32-bit write");
    trap_expect();
    (void)*(volatile uint8_t *)(FW_DATA + 1);
    print_trap("data read at +1");
    trap_expect();
    *(volatile uint16_t *)FW_DMA = 0;
    print_trap("dma 16-bit write");
    trap_expect();
    (void)mmio_read32(FW_CFG_BASE + 0xc);
    print_trap("read at +0xc");
    trap_expect();
    kprintf("dma 8-bit read: %x\n", *(volatile uint8_t *)(FW_DMA + 3));
    print_trap("dma 8-bit read");
    trap_expect();
    *(volatile uint8_t *)FW_DATA = 0x12;
    print_trap("data write");

    return 0;
}
