/*
 * Shared by the bench-* programs: the iteration count (BENCH_FULL selects
 * the long run used by `npm run bench`; the default is the short run used by
 * the differential test) and a small deterministic PRNG.
 */
#ifndef GUEST_BENCH_H
#define GUEST_BENCH_H
#include "lib.h"

#ifdef BENCH_FULL
#define ITERS ITERS_FULL
#else
#define ITERS ITERS_SHORT
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
