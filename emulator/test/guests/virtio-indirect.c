/*
 * virtio-indirect: virtio-blk requests through indirect descriptor tables (virtio 1.2
 * §2.7.5.3) placed 8 bytes past a 16-byte boundary, as Linux's kmalloc'd tables can be:
 * the spec asks no alignment of them. Each request is one ring descriptor with
 * VIRTQ_DESC_F_INDIRECT pointing at its table (header, data in one or two pieces,
 * status). It reads sector 0, writes sectors 2-3 from two pieces, reads them back in
 * one, and asks for the serial (GET_ID). With no disk it says so and passes.
 */
#include "lib.h"
#include "virtio-blk.h"

#define F_INDIRECT_DESC 28
#define D_INDIRECT 4

static uint8_t tables[2048] __attribute__((aligned(16)));
static uint8_t data[1024] __attribute__((aligned(16)));
static unsigned next_table = 8; /* an 8-byte, not 16-byte, boundary */

/* One request through an indirect table of `n` data pieces; returns the status byte. */
static int indirect_request(uint32_t type, uint64_t sector, uint8_t *buf, uint32_t len, unsigned pieces, int device_writes)
{
    struct desc *t = (struct desc *)(tables + next_table);
    unsigned n = 0;
    blk_hdr.type = type;
    blk_hdr.reserved = 0;
    blk_hdr.sector = sector;
    blk_status = 0xff;
    t[n] = (struct desc){ (uintptr_t)&blk_hdr, sizeof blk_hdr, D_NEXT, (uint16_t)(n + 1) };
    n++;
    for (unsigned p = 0; p < pieces; p++, n++) {
        uint32_t part = len / pieces;
        t[n] = (struct desc){ (uintptr_t)(buf + p * part), part, (uint16_t)(D_NEXT | (device_writes ? D_WRITE : 0)), (uint16_t)(n + 1) };
    }
    t[n] = (struct desc){ (uintptr_t)&blk_status, 1, D_WRITE, 0 };
    n++;
    kprintf("table at +%u (address mod 16 = %u), %u entries\n", next_table, (unsigned)((uintptr_t)t % 16), n);
    next_table += 16 * n + 8; /* the next table starts 8 bytes past a 16-byte boundary again */
    if (next_table % 16 != 8) next_table += 8;

    blk_q.desc[0] = (struct desc){ (uintptr_t)t, 16 * n, D_INDIRECT, 0 };
    int status = blk_submit(type);
    check("no DEVICE_NEEDS_RESET", vread(blk_base, STATUS) & 0x40, 0);
    return status;
}

int main(void)
{
    install_m_trap();
    blk_base = virtio_find(2);
    if (!blk_base) { kprintf("virtio-indirect: no disk\n"); return 0; }
    uint32_t f0 = virtio_begin(blk_base, 1u << F_INDIRECT_DESC);
    check("INDIRECT_DESC offered", (f0 >> F_INDIRECT_DESC) & 1, 1);
    virtio_queue(blk_base, 0, &blk_q);
    virtio_driver_ok(blk_base);

    check("read sector 0", indirect_request(T_IN, 0, data, 512, 1, 1), 0);
    puts("its first line: ");
    for (unsigned i = 0; i < 64 && data[i] && data[i] != '\n'; i++) putc((char)data[i]);
    putc('\n');

    for (unsigned i = 0; i < 1024; i++) data[i] = (uint8_t)(i * 29 + 3);
    check("write sectors 2-3 from two pieces", indirect_request(T_OUT, 2, data, 1024, 2, 0), 0);
    memset(data, 0, sizeof data);
    check("read sectors 2-3 back in one piece", indirect_request(T_IN, 2, data, 1024, 1, 1), 0);
    int same = 1;
    for (unsigned i = 0; i < 1024; i++) same &= data[i] == (uint8_t)(i * 29 + 3);
    check("read back what was written", same, 1);

    memset(data, 0, 32);
    check("GET_ID", indirect_request(T_GET_ID, 0, data, 20, 1, 1), 0);
    puts("serial: ");
    for (unsigned i = 0; i < 20 && data[i]; i++) putc((char)data[i]);
    putc('\n');
    kprintf("virtio-indirect done\n");
    finish();
}
