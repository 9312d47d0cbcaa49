/* bench-qsort: quicksort (median of three, insertion sort for small runs) of N pseudo-random ints, ITERS times. */
#include "bench.h"

#ifndef ITERS_FULL
#define ITERS_FULL 160
#endif
#ifndef ITERS_SHORT
#define ITERS_SHORT 1
#endif

#ifndef SIZE_FULL
#define SIZE_FULL 100000
#endif
#ifndef SIZE_SHORT
#define SIZE_SHORT 20000
#endif
#define N SIZE
static int32_t a[N];

static void insertion(int32_t *v, long lo, long hi)
{
    for (long i = lo + 1; i <= hi; i++) {
        int32_t x = v[i];
        long j = i - 1;
        while (j >= lo && v[j] > x) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = x;
    }
}

static void swap(int32_t *x, int32_t *y) { int32_t t = *x; *x = *y; *y = t; }

static void quicksort(int32_t *v, long lo, long hi)
{
    while (hi - lo > 16) {
        long mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo]) swap(&v[mid], &v[lo]);
        if (v[hi] < v[lo]) swap(&v[hi], &v[lo]);
        if (v[hi] < v[mid]) swap(&v[hi], &v[mid]);
        int32_t pivot = v[mid];
        long i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) swap(&v[i++], &v[j--]);
        }
        /* Recurse into the smaller half to bound the stack. */
        if (j - lo < hi - i) {
            quicksort(v, lo, j);
            lo = i;
        } else {
            quicksort(v, i, hi);
            hi = j;
        }
    }
    insertion(v, lo, hi);
}

int main(void)
{
    kprintf("bench-qsort: rv%d, %u sorts of %u ints\n", XLEN, ITERS, N);
    uint32_t seed = 0x9e3779b9u, sum = 0;
    unsigned unsorted = 0;
    for (unsigned it = 0; it < ITERS; it++) {
        for (long i = 0; i < N; i++) a[i] = (int32_t)xorshift32(&seed);
        quicksort(a, 0, N - 1);
        for (long i = 1; i < N; i++)
            if (a[i - 1] > a[i]) unsorted++;
        for (long i = 0; i < N; i += 97) sum = sum * 31 + (uint32_t)a[i];
    }
    check("out-of-order pairs", unsorted, 0);
    kprintf("checksum %08x\n", sum);
    finish();
}
