/*
 * Shared by the bench-* programs: the iteration count and problem size
 * (BENCH_FULL selects the long run used by `npm run bench`, ~1.5-2 s on
 * QEMU; the default is the short run, a few million instructions, used by
 * the differential test) and a small deterministic PRNG.
 * Each program defines ITERS_FULL/ITERS_SHORT and SIZE_FULL/SIZE_SHORT
 * (overridable with -D).
 */
#ifndef GUEST_BENCH_H
#define GUEST_BENCH_H
#include "lib.h"

#ifdef BENCH_FULL
#define ITERS ITERS_FULL
#define SIZE SIZE_FULL
#else
#define ITERS ITERS_SHORT
#define SIZE SIZE_SHORT
#endif

static inline uint32_t xorshift32(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

#endif
