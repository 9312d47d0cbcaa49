/* bench-nbody: SIZE bodies under gravity, ITERS steps of double math (mul, add, div, sqrt). */
#include "bench.h"

#ifndef ITERS_FULL
#define ITERS_FULL 10000
#endif
#ifndef ITERS_SHORT
#define ITERS_SHORT 20
#endif
#ifndef SIZE_FULL
#define SIZE_FULL 32
#endif
#ifndef SIZE_SHORT
#define SIZE_SHORT 16
#endif

#define N SIZE
static double px[N], py[N], pz[N], vx[N], vy[N], vz[N], m[N];

static double sqrt_d(double v) { double r; __asm__("fsqrt.d %0,%1" : "=f"(r) : "f"(v)); return r; }

static double energy(void)
{
    double e = 0;
    for (int i = 0; i < N; i++) {
        e += 0.5 * m[i] * (vx[i] * vx[i] + vy[i] * vy[i] + vz[i] * vz[i]);
        for (int j = i + 1; j < N; j++) {
            double dx = px[i] - px[j], dy = py[i] - py[j], dz = pz[i] - pz[j];
            e -= m[i] * m[j] / sqrt_d(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}

int main(void)
{
    __asm__ volatile("csrs mstatus, %0" :: "r"(1UL << 13)); /* FS = Initial */
    kprintf("bench-nbody: rv%d, %u steps of %u bodies\n", XLEN, ITERS, N);
    uint32_t seed = 0x2545f491u;
    for (int i = 0; i < N; i++) {
        px[i] = (double)(int32_t)(xorshift32(&seed) % 2001 - 1000) / 100;
        py[i] = (double)(int32_t)(xorshift32(&seed) % 2001 - 1000) / 100;
        pz[i] = (double)(int32_t)(xorshift32(&seed) % 2001 - 1000) / 100;
        vx[i] = vy[i] = vz[i] = 0;
        m[i] = 1 + (double)(xorshift32(&seed) % 100) / 10;
    }
    const double dt = 0.001;
    for (unsigned it = 0; it < ITERS; it++) {
        for (int i = 0; i < N; i++)
            for (int j = i + 1; j < N; j++) {
                double dx = px[i] - px[j], dy = py[i] - py[j], dz = pz[i] - pz[j];
                double d2 = dx * dx + dy * dy + dz * dz + 0.01;
                double mag = dt / (d2 * sqrt_d(d2));
                vx[i] -= dx * m[j] * mag; vy[i] -= dy * m[j] * mag; vz[i] -= dz * m[j] * mag;
                vx[j] += dx * m[i] * mag; vy[j] += dy * m[i] * mag; vz[j] += dz * m[i] * mag;
            }
        for (int i = 0; i < N; i++) { px[i] += dt * vx[i]; py[i] += dt * vy[i]; pz[i] += dt * vz[i]; }
    }
    union { double d; uint64_t u; } e = { .d = energy() };
    kprintf("energy bits %llx\n", e.u);
    return 0;
}
