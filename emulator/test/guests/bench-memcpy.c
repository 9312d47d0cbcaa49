/* bench-memcpy: copies between two buffers of SIZE bytes (1 MiB), aligned and then misaligned (dst+1 <- src+3), ITERS rounds. */
#include "bench.h"

#ifndef ITERS_FULL
#define ITERS_FULL 200
#endif
#ifndef ITERS_SHORT
#define ITERS_SHORT 2
#endif

#ifndef SIZE_FULL
#define SIZE_FULL (1024 * 1024)
#endif
#ifndef SIZE_SHORT
#define SIZE_SHORT (128 * 1024)
#endif
#define LEN SIZE
static uint8_t src[LEN + 16] __attribute__((aligned(64)));
static uint8_t dst[LEN + 16] __attribute__((aligned(64)));

int main(void)
{
    kprintf("bench-memcpy: rv%d, %u rounds of 2 x %u bytes\n", XLEN, ITERS, LEN);
    uint32_t seed = 0xdeadbeefu;
    for (unsigned i = 0; i < LEN + 16; i += 4) *(uint32_t *)&src[i] = xorshift32(&seed);
    uint32_t sum = 0;
    for (unsigned it = 0; it < ITERS; it++) {
        src[(it * 4099) % LEN] ^= (uint8_t)(it + 1);
        memcpy(dst, src, LEN);
        sum = sum * 31 + dst[(it * 65537) % LEN];
        memcpy(dst + 1, src + 3, LEN / 4);   /* unaligned: byte loop */
        sum = sum * 31 + dst[(it * 257) % (LEN / 4) + 1];
    }
    check("copy matches", memcmp(dst + LEN / 4 + 1, src + LEN / 4 + 1, LEN - LEN / 4 - 1), 0);
    kprintf("checksum %08x\n", sum);
    finish();
}
