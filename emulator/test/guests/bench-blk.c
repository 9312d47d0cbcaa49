/*
 * bench-blk: 4 KiB virtio-blk requests, one at a time, for `npm run bench`. The disk's
 * serial (GET_ID) names the pattern: seq-read, seq-write, rand-read or rand-write;
 * TOTAL bytes move in all. The host times the whole run on osdev-emu and on QEMU.
 */
#include "lib.h"
#include "virtio-blk.h"
#include "bench.h"

#define BLOCK 4096
#define TOTAL (64u * 1024 * 1024)

static uint8_t buf[BLOCK] __attribute__((aligned(4096)));

int main(void)
{
    install_m_trap();
    blk_base = virtio_find(2);
    if (!blk_base) { kprintf("bench-blk: no disk\n"); return 0; }
    virtio_begin(blk_base, 0);
    virtio_queue(blk_base, 0, &blk_q);
    virtio_driver_ok(blk_base);
    uint64_t blocks = (vread(blk_base, CONFIG) | ((uint64_t)vread(blk_base, CONFIG + 4) << 32)) / (BLOCK / 512);
    char serial[24] = { 0 };
    check("GET_ID", blk_request(T_GET_ID, 0, serial, 20, 1), 0);
    int write = serial[0] && (memcmp(serial + 4, "write", 5) == 0 || memcmp(serial + 5, "write", 5) == 0);
    int random = memcmp(serial, "rand", 4) == 0;
    uint32_t seed = 12345;
    for (unsigned i = 0; i < BLOCK; i++) buf[i] = (uint8_t)i;
    for (uint32_t n = 0; n < TOTAL / BLOCK; n++) {
        uint64_t block = random ? xorshift32(&seed) % blocks : n % blocks;
        if (blk_request(write ? T_OUT : T_IN, block * (BLOCK / 512), buf, BLOCK, !write) != 0) {
            kprintf("bench-blk: request %u failed\n", n);
            exit_fail(1);
        }
    }
    kprintf("bench-blk %s: %u MiB done\n", serial, TOTAL >> 20);
    return 0;
}
