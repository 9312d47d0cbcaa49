/* bench-crc32: table-driven CRC-32 (IEEE, reflected) over a SIZE-byte (64 KiB) buffer, ITERS passes. */
#include "bench.h"

#ifndef ITERS_FULL
#define ITERS_FULL 5000
#endif
#ifndef ITERS_SHORT
#define ITERS_SHORT 4
#endif

#ifndef SIZE_FULL
#define SIZE_FULL (64 * 1024)
#endif
#ifndef SIZE_SHORT
#define SIZE_SHORT (64 * 1024)
#endif
#define LEN SIZE
static uint8_t buf[LEN];
static uint32_t table[256];

static uint32_t crc32(uint32_t crc, const uint8_t *p, unsigned n)
{
    crc = ~crc;
    while (n--) crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

int main(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    uint32_t s = 0x12345678;
    for (unsigned i = 0; i < LEN; i++) buf[i] = (uint8_t)xorshift32(&s);
    kprintf("bench-crc32: rv%d, %u passes over %u bytes\n", XLEN, ITERS, LEN);
    check("crc32(\"123456789\")", crc32(0, (const uint8_t *)"123456789", 9), 0xcbf43926);
    uint32_t crc = 0;
    for (unsigned it = 0; it < ITERS; it++) {
        buf[it % LEN] ^= (uint8_t)it;
        crc = crc32(crc, buf, LEN);
    }
    kprintf("checksum %08x\n", crc);
    finish();
}
