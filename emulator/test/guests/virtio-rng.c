/*
 * virtio-rng: a polling virtio-rng driver (virtio 1.2 §5.4): two requests of 32
 * bytes, the second split over two descriptors. Prints only properties (how many
 * bytes, not all zero, the two answers differ), never the bytes, so QEMU's host
 * entropy and our seeded bytes print the same. With no device it says so and passes.
 */
#include "lib.h"
#include "virtio.h"

static struct ring q;
static unsigned long base;
static uint8_t a[32], b[32] __attribute__((aligned(16)));

static uint32_t request(uint16_t head, uint16_t want)
{
    q.avail_ring[q.avail_idx % QSIZE] = head;
    __sync_synchronize();
    q.avail_idx++;
    __sync_synchronize();
    vwrite(base, QUEUE_NOTIFY, 0);
    while (*(volatile uint16_t *)&q.used_idx != want) {
    }
    __sync_synchronize();
    vwrite(base, INTERRUPT_ACK, vread(base, INTERRUPT_STATUS));
    return q.used_ring[(want - 1) % QSIZE].len;
}

static int nonzero(const uint8_t *p, unsigned n)
{
    for (unsigned i = 0; i < n; i++) if (p[i]) return 1;
    return 0;
}

int main(void)
{
    install_m_trap();
    base = virtio_find(4);
    if (!base) { kprintf("virtio-rng: no device\n"); return 0; }
    kprintf("virtio-rng at %lx, transport version %u\n", base, vread(base, VERSION));
    virtio_begin(base, 0);
    virtio_queue(base, 0, &q);
    virtio_driver_ok(base);
    q.desc[0] = (struct desc){ (uintptr_t)a, sizeof a, D_WRITE, 0 };
    check("first request filled", request(0, 1), sizeof a);
    q.desc[1] = (struct desc){ (uintptr_t)b, 16, D_WRITE | D_NEXT, 2 };
    q.desc[2] = (struct desc){ (uintptr_t)b + 16, 16, D_WRITE, 0 };
    check("second request (two descriptors) filled", request(1, 2), sizeof b);
    check("bytes not all zero", nonzero(a, sizeof a) && nonzero(b, sizeof b), 1);
    check("two answers differ", memcmp(a, b, sizeof a) != 0, 1);
    finish();
}
