/*
 * profile: a run whose time split is known by construction, for the profiler and
 * line coverage (emulator/test/profile.test.ts). hot() does about 90 % of the
 * instructions, warm() the rest through mix(), which is always inlined into it;
 * never_called() is in the ELF (a volatile flag keeps it) but never runs.
 */
#include "lib.h"

#define HOT_ROUNDS  90000
#define WARM_ROUNDS 10000

static volatile int never_flag;

static inline __attribute__((always_inline)) unsigned mix(unsigned v, unsigned i)
{
    v ^= v << 7;
    v ^= v >> 9;
    return v + i;
}

/* Each round: the same few instructions as warm()'s, so the split is by rounds. */
__attribute__((noinline)) static unsigned hot(unsigned v)
{
    for (unsigned i = 0; i < HOT_ROUNDS; i++) {
        v ^= v << 7;
        v ^= v >> 9;
        v += i;
    }
    return v;
}

__attribute__((noinline)) static unsigned warm(unsigned v)
{
    for (unsigned i = 0; i < WARM_ROUNDS; i++)
        v = mix(v, i);
    return v;
}

__attribute__((noinline)) static unsigned never_called(unsigned v)
{
    for (unsigned i = 0; i < 3; i++)
        v = v * 31 + i;
    kprintf("profile: never printed %u\n", v);
    return v;
}

int main(void)
{
    unsigned v = 1;
    v = hot(v);
    v = warm(v);
    if (never_flag)
        v = never_called(v);
    kprintf("profile: rv%d, %x\n", XLEN, v);
    return 0;
}
