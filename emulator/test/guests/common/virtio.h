/*
 * virtio-mmio for the guest drivers (virtio 1.2 §4.2.2 register offsets, §2.1 status
 * bits, §2.7 split-queue layout), shared by virtio-blk.c and virtio-net.c.
 */
#ifndef VIRTIO_H
#define VIRTIO_H
#include "lib.h"

#define VIRTIO_SLOTS 8
#define VIRTIO_BASE 0x10001000UL
#define VIRTIO_STRIDE 0x1000UL
/* §4.2.2 register offsets */
#define MAGIC 0x000
#define VERSION 0x004
#define DEVICE_ID 0x008
#define DEVICE_FEATURES 0x010
#define DEVICE_FEATURES_SEL 0x014
#define DRIVER_FEATURES 0x020
#define DRIVER_FEATURES_SEL 0x024
#define GUEST_PAGE_SIZE 0x028
#define QUEUE_SEL 0x030
#define QUEUE_NUM_MAX 0x034
#define QUEUE_NUM 0x038
#define QUEUE_ALIGN 0x03c
#define QUEUE_PFN 0x040
#define QUEUE_READY 0x044
#define QUEUE_NOTIFY 0x050
#define INTERRUPT_STATUS 0x060
#define INTERRUPT_ACK 0x064
#define STATUS 0x070
#define QUEUE_DESC_LOW 0x080
#define QUEUE_DESC_HIGH 0x084
#define QUEUE_DRIVER_LOW 0x090
#define QUEUE_DRIVER_HIGH 0x094
#define QUEUE_DEVICE_LOW 0x0a0
#define QUEUE_DEVICE_HIGH 0x0a4
#define CONFIG 0x100

#define S_ACK 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define F_VERSION_1 32

#define QSIZE 8
#define D_NEXT 1
#define D_WRITE 2

struct desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct used_elem { uint32_t id, len; };
/* Legacy layout with QueueAlign 4096: descriptors and avail ring in page 0, used ring in page 1. */
struct ring {
    struct desc desc[QSIZE];
    uint16_t avail_flags, avail_idx, avail_ring[QSIZE], used_event;
    uint8_t pad[4096 - QSIZE * 16 - 6 - 2 * QSIZE];
    uint16_t used_flags, used_idx;
    struct used_elem used_ring[QSIZE];
    uint16_t avail_event;
} __attribute__((aligned(4096)));

static inline uint32_t vread(unsigned long base, unsigned off) { return mmio_read32(base + off); }
static inline void vwrite(unsigned long base, unsigned off, uint32_t v) { mmio_write32(base + off, v); }

/* The device with this ID in the highest slot (QEMU fills slots from the top), or 0. */
static inline unsigned long virtio_find(uint32_t id)
{
    for (int slot = VIRTIO_SLOTS - 1; slot >= 0; slot--) {
        unsigned long b = VIRTIO_BASE + slot * VIRTIO_STRIDE;
        if (mmio_read32(b + MAGIC) == 0x74726976 && mmio_read32(b + DEVICE_ID) == id) return b;
    }
    return 0;
}

/* §3.1.1 steps 1-6: reset, ACKNOWLEDGE, DRIVER, features (page 0 as `accept`, plus
 * VERSION_1 on a modern transport), FEATURES_OK. Returns the device's page-0 features. */
static inline uint32_t virtio_begin(unsigned long base, uint32_t accept)
{
    uint32_t version = vread(base, VERSION);
    vwrite(base, STATUS, 0);
    vwrite(base, STATUS, S_ACK);
    vwrite(base, STATUS, S_ACK | S_DRIVER);
    vwrite(base, DEVICE_FEATURES_SEL, 0);
    uint32_t f0 = vread(base, DEVICE_FEATURES);
    vwrite(base, DRIVER_FEATURES_SEL, 0);
    vwrite(base, DRIVER_FEATURES, f0 & accept);
    if (version == 2) {
        vwrite(base, DEVICE_FEATURES_SEL, 1);
        check("VERSION_1 offered", (vread(base, DEVICE_FEATURES) >> (F_VERSION_1 - 32)) & 1, 1);
        vwrite(base, DRIVER_FEATURES_SEL, 1);
        vwrite(base, DRIVER_FEATURES, 1u << (F_VERSION_1 - 32));
        vwrite(base, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
        check("FEATURES_OK accepted", vread(base, STATUS) & S_FEATURES_OK, S_FEATURES_OK);
    } else {
        vwrite(base, GUEST_PAGE_SIZE, 4096);
    }
    return f0;
}

/* Queue `idx` in ring `r`: modern addresses + QueueReady, or legacy QueuePFN. */
static inline void virtio_queue(unsigned long base, unsigned idx, struct ring *r)
{
    vwrite(base, QUEUE_SEL, idx);
    check("queue large enough", vread(base, QUEUE_NUM_MAX) >= QSIZE, 1);
    vwrite(base, QUEUE_NUM, QSIZE);
    if (vread(base, VERSION) == 2) {
        vwrite(base, QUEUE_DESC_LOW, (uint32_t)(uintptr_t)r->desc);
        vwrite(base, QUEUE_DESC_HIGH, 0);
        vwrite(base, QUEUE_DRIVER_LOW, (uint32_t)(uintptr_t)&r->avail_flags);
        vwrite(base, QUEUE_DRIVER_HIGH, 0);
        vwrite(base, QUEUE_DEVICE_LOW, (uint32_t)(uintptr_t)&r->used_flags);
        vwrite(base, QUEUE_DEVICE_HIGH, 0);
        vwrite(base, QUEUE_READY, 1);
    } else {
        vwrite(base, QUEUE_ALIGN, 4096);
        vwrite(base, QUEUE_PFN, (uint32_t)((uintptr_t)r >> 12));
    }
}

static inline void virtio_driver_ok(unsigned long base)
{
    vwrite(base, STATUS, vread(base, STATUS) | S_DRIVER_OK);
    check("DRIVER_OK, no DEVICE_NEEDS_RESET", vread(base, STATUS) & 0x44, S_DRIVER_OK);
}

#endif
