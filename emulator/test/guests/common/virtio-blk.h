/*
 * A polling virtio-blk request path (virtio 1.2 §5.2.6) on one 8-entry queue, for the
 * guest programs that drive a disk (virtio-blk.c, bench-blk.c): header, optional data
 * buffer, status byte; one request in flight.
 */
#ifndef GUEST_VIRTIO_BLK_H
#define GUEST_VIRTIO_BLK_H
#include "lib.h"
#include "virtio.h"

#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define T_GET_ID 8

static struct ring blk_q;
static unsigned long blk_base;
static uint16_t blk_seen_used;
static struct { uint32_t type, reserved; uint64_t sector; } blk_hdr;
static volatile uint8_t blk_status;

/* Makes the chain at descriptor 0 available, notifies, and polls until the device has used
 * it; returns the status byte (0 OK, 1 IOERR, 2 UNSUPP). `type` is for the error line. */
static __attribute__((unused)) int blk_submit(uint32_t type)
{
    blk_q.avail_ring[blk_q.avail_idx % QSIZE] = 0;
    __sync_synchronize();
    blk_q.avail_idx++;
    __sync_synchronize();
    vwrite(blk_base, QUEUE_NOTIFY, 0);
    for (unsigned long spins = 0; *(volatile uint16_t *)&blk_q.used_idx == blk_seen_used; spins++) {
        if (spins > 100000000UL) { kprintf("request type %u: no answer\n", type); exit_fail(2); }
    }
    __sync_synchronize();
    blk_seen_used++;
    vwrite(blk_base, INTERRUPT_ACK, vread(blk_base, INTERRUPT_STATUS));
    return blk_status;
}

/* One request; returns the device's status byte (0 OK, 1 IOERR, 2 UNSUPP). */
static __attribute__((unused)) int blk_request(uint32_t type, uint64_t sector, void *data, uint32_t len, int device_writes)
{
    blk_hdr.type = type;
    blk_hdr.reserved = 0;
    blk_hdr.sector = sector;
    blk_status = 0xff;
    blk_q.desc[0] = (struct desc){ (uintptr_t)&blk_hdr, sizeof blk_hdr, D_NEXT, 1 };
    if (len) {
        blk_q.desc[1] = (struct desc){ (uintptr_t)data, len, (uint16_t)(D_NEXT | (device_writes ? D_WRITE : 0)), 2 };
    } else {
        blk_q.desc[0].next = 2;
    }
    blk_q.desc[2] = (struct desc){ (uintptr_t)&blk_status, 1, D_WRITE, 0 };
    return blk_submit(type);
}

#endif
