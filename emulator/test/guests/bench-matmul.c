/* bench-matmul: N x N int32 matrix multiply, ITERS times. */
#include "bench.h"

#ifndef ITERS_FULL
#define ITERS_FULL 1000
#endif
#ifndef ITERS_SHORT
#define ITERS_SHORT 2
#endif
#ifndef SIZE_FULL
#define SIZE_FULL 96
#endif
#ifndef SIZE_SHORT
#define SIZE_SHORT 48
#endif

#define N SIZE
static int32_t A[N][N], B[N][N], C[N][N];

int main(void)
{
    kprintf("bench-matmul: rv%d, %u multiplies of %ux%u\n", XLEN, ITERS, N, N);
    uint32_t seed = 0x2545f491u;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            A[i][j] = (int32_t)(xorshift32(&seed) % 201) - 100;
            B[i][j] = (int32_t)(xorshift32(&seed) % 201) - 100;
        }
    uint32_t sum = 0;
    for (unsigned it = 0; it < ITERS; it++) {
        A[it % N][(it * 7) % N] += 1;
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                int32_t acc = 0;
                for (int k = 0; k < N; k++) acc += A[i][k] * B[k][j];
                C[i][j] = acc;
            }
        for (int i = 0; i < N; i++) sum = sum * 33 + (uint32_t)C[i][(i + it) % N];
    }
    kprintf("checksum %08x\n", sum);
    finish();
}
