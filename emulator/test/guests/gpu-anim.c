/*
 * gpu-anim: a 1024x768 virtio-gpu animation for measuring the screen path (the e2e
 * suite counts the frames the editor's panel draws a second; nothing asserts a rate).
 * Each frame fills the whole resource with a moving pattern, transfers it and flushes
 * it; after FRAMES frames it powers off.
 */
#include "lib.h"
#include "virtio.h"

#define W 1024
#define H 768
#define FRAMES 600

static struct ring ctrlq, cursorq;
static unsigned long gpu;
static uint16_t seen;
static uint32_t cmd[64] __attribute__((aligned(16)));
static uint32_t resp[16] __attribute__((aligned(16)));
static uint64_t fb[W * H / 2] __attribute__((aligned(16)));

static uint32_t ctrl(uint32_t type, unsigned len)
{
    cmd[0] = type; cmd[1] = 0; cmd[2] = cmd[3] = cmd[4] = cmd[5] = 0;
    ctrlq.desc[0] = (struct desc){ (uintptr_t)cmd, len, D_NEXT, 1 };
    ctrlq.desc[1] = (struct desc){ (uintptr_t)resp, sizeof resp, D_WRITE, 0 };
    ctrlq.avail_ring[ctrlq.avail_idx % QSIZE] = 0;
    __sync_synchronize();
    ctrlq.avail_idx++;
    __sync_synchronize();
    vwrite(gpu, QUEUE_NOTIFY, 0);
    while (*(volatile uint16_t *)&ctrlq.used_idx == seen) {
    }
    seen++;
    vwrite(gpu, INTERRUPT_ACK, vread(gpu, INTERRUPT_STATUS));
    return resp[0];
}

static void rect(uint32_t x, uint32_t y, uint32_t w, uint32_t h) { cmd[6] = x; cmd[7] = y; cmd[8] = w; cmd[9] = h; }

int main(void)
{
    install_m_trap();
    gpu = virtio_find(16);
    if (!gpu) { kprintf("gpu-anim: no gpu\n"); return 1; }
    virtio_begin(gpu, 0);
    virtio_queue(gpu, 0, &ctrlq);
    virtio_queue(gpu, 1, &cursorq);
    virtio_driver_ok(gpu);
    cmd[6] = 1; cmd[7] = 2; cmd[8] = W; cmd[9] = H;
    check("create", ctrl(0x101, 40), 0x1100);
    cmd[6] = 1; cmd[7] = 1; cmd[8] = (uint32_t)(uintptr_t)fb; cmd[9] = 0; cmd[10] = sizeof fb; cmd[11] = 0;
    check("attach", ctrl(0x106, 48), 0x1100);
    rect(0, 0, W, H); cmd[10] = 0; cmd[11] = 1;
    check("scanout", ctrl(0x103, 48), 0x1100);
    kprintf("animating %u frames\n", FRAMES);
    for (unsigned f = 0; f < FRAMES; f++) {
        /* Two pixels a store: a colour band per 16 rows, moving down a row each frame. */
        for (unsigned y = 0; y < H; y++) {
            uint64_t c = ((y + f) >> 4) * 0x0010203040ULL;
            uint64_t two = (c & 0xffffff) | ((c & 0xffffff) << 32);
            uint64_t *row = fb + y * (W / 2);
            for (unsigned x = 0; x < W / 2; x++) row[x] = two;
        }
        rect(0, 0, W, H); cmd[10] = 0; cmd[11] = 0; cmd[12] = 1; cmd[13] = 0;
        ctrl(0x105, 56);
        rect(0, 0, W, H); cmd[10] = 1; cmd[11] = 0;
        ctrl(0x104, 48);
    }
    kprintf("animated\n");
    return 0;
}
