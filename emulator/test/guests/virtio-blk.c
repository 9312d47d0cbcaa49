/*
 * virtio-blk: a polling virtio-blk driver (virtio 1.2 §4.2 MMIO, §5.2 block) for
 * both transport versions: 2 (modern) and 1 (legacy, QueuePFN). It finds the disk
 * by probing the eight virtio-mmio slots, then reads sector 0, writes and reads
 * back sector 2 (unless the disk is read-only), flushes, asks for the serial
 * (GET_ID), reads past the end (expects IOERR) and, on a read-only disk, tries a
 * write (expects IOERR). With no disk it says so and passes.
 *
 * The test makes the image: sector 0 starts with a line of text. With serial
 * "wait", the program parks after the flush (the SIGKILL test kills it there).
 * Nothing printed depends on the transport's extra features, so QEMU (which
 * offers more) prints the same.
 */
#include "lib.h"
#include "virtio-blk.h"

#define F_RO 5

static uint8_t buf[1024] __attribute__((aligned(16)));
#define base blk_base
#define request blk_request

static uint32_t r32(unsigned off) { return mmio_read32(base + off); }

static void print_text(const uint8_t *p, unsigned n)
{
    for (unsigned i = 0; i < n && p[i] && p[i] != '\n'; i++) putc((char)p[i]);
    putc('\n');
}

int main(void)
{
    install_m_trap();
    base = virtio_find(2);
    if (!base) { kprintf("virtio-blk: no disk\n"); return 0; }
    kprintf("virtio-blk at %lx, transport version %u\n", base, r32(VERSION));
    int ro = (virtio_begin(base, 1u << F_RO) >> F_RO) & 1;
    virtio_queue(base, 0, &blk_q);
    virtio_driver_ok(base);

    uint64_t capacity = r32(CONFIG) | ((uint64_t)r32(CONFIG + 4) << 32);
    kprintf("capacity %u sectors, read-only %d\n", (unsigned)capacity, ro);

    check("read sector 0", request(T_IN, 0, buf, 512, 1), 0);
    puts("sector 0: ");
    print_text(buf, 64);

    if (!ro) {
        for (unsigned i = 0; i < 1024; i++) buf[i] = (uint8_t)(i * 13 + 1);
        memcpy(buf, "written by the guest", 20);
        check("write sectors 2-3", request(T_OUT, 2, buf, 1024, 0), 0);
        memset(buf, 0, sizeof buf);
        check("read sectors 2-3 back", request(T_IN, 2, buf, 1024, 1), 0);
        int same = memcmp(buf, "written by the guest", 20) == 0;
        for (unsigned i = 20; i < 1024; i++) same &= buf[i] == (uint8_t)(i * 13 + 1);
        check("read back what was written", same, 1);
    } else {
        check("write on a read-only disk: IOERR", request(T_OUT, 2, buf, 512, 0), 1);
    }
    check("flush", request(T_FLUSH, 0, 0, 0, 0), 0);

    memset(buf, 0, 32);
    check("GET_ID", request(T_GET_ID, 0, buf, 20, 1), 0);
    puts("serial: ");
    print_text(buf, 20);

    check("read past the end: IOERR", request(T_IN, capacity, buf, 512, 1), 1);
    check("read straddling the end: IOERR", request(T_IN, capacity - 1, buf, 1024, 1), 1);

    memset(buf, 0, 32);
    request(T_GET_ID, 0, buf, 20, 1);
    if (memcmp(buf, "wait", 5) == 0) {
        kprintf("flushed, waiting\n");
        for (;;) asm volatile("wfi");
    }
    kprintf("virtio-blk done\n");
    finish();
}
