/*
 * soak: runs until it is stopped, for scripts/soak.mjs. Each round it echoes the
 * console input that has arrived (polling LSR.DR), writes two sectors of its disk,
 * reads them back and checks them (flushing every 16 rounds), and prints one line.
 * A mismatch or a failed request ends it with a fail code, which the soak reports.
 */
#include "lib.h"
#include "virtio-blk.h"

static uint8_t buf[1024] __attribute__((aligned(16)));
volatile unsigned soak_round; /* read by the soak's DAP client (readMemory) */

int main(void)
{
    install_m_trap();
    blk_base = virtio_find(2);
    if (!blk_base) { kprintf("soak: no disk\n"); exit_fail(1); }
    virtio_begin(blk_base, 0);
    virtio_queue(blk_base, 0, &blk_q);
    virtio_driver_ok(blk_base);
    unsigned echoed = 0;
    for (;;) {
        unsigned r = soak_round;
        while (mmio_read8(UART0_BASE + 5) & 0x01) { putc((char)mmio_read8(UART0_BASE + 0)); echoed++; }
        uint64_t sector = 2 * (r % 64);
        for (unsigned i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)(i * 7 + r);
        if (blk_request(T_OUT, sector, buf, sizeof buf, 0) != 0) { kprintf("soak: write failed\n"); exit_fail(2); }
        memset(buf, 0, sizeof buf);
        if (blk_request(T_IN, sector, buf, sizeof buf, 1) != 0) { kprintf("soak: read failed\n"); exit_fail(3); }
        for (unsigned i = 0; i < sizeof buf; i++) {
            if (buf[i] != (uint8_t)(i * 7 + r)) { kprintf("soak: sector %u byte %u differs\n", (unsigned)sector, i); exit_fail(4); }
        }
        if (r % 16 == 15 && blk_request(T_FLUSH, 0, 0, 0, 0) != 0) { kprintf("soak: flush failed\n"); exit_fail(5); }
        kprintf("soak: round %u, %u bytes echoed\n", r, echoed);
        soak_round = r + 1;
        for (volatile unsigned d = 0; d < 200000; d++) {
        }
    }
}
