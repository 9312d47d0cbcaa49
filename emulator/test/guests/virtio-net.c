/*
 * virtio-net: a polling virtio-net driver (virtio 1.2 §5.1) for both transport
 * versions. It reads the MAC and link status, posts receive buffers, sends one
 * broadcast frame and expects it back: the test gives it a link that returns
 * frames (ours: --net loopback or a UDP socket to itself; QEMU: -netdev socket
 * with udp= and localaddr= the same port). With no NIC it says so and passes.
 */
#include "lib.h"
#include "virtio.h"

#define F_MAC 5
#define F_STATUS 16
#define RXQ 0
#define TXQ 1
#define NRX 4
#define BUFSZ 1536
#define ETH_LEN 60

static struct ring rxq, txq;
static unsigned long base;
static unsigned hdr_len;
static uint8_t rxbuf[NRX][BUFSZ] __attribute__((aligned(16)));
static uint8_t txbuf[BUFSZ] __attribute__((aligned(16)));
static uint8_t mac[6];

static int wait_used(struct ring *r, uint16_t want)
{
    for (unsigned long spins = 0; *(volatile uint16_t *)&r->used_idx != want; spins++) {
        if (spins > 200000000UL) return 0;
    }
    __sync_synchronize();
    vwrite(base, INTERRUPT_ACK, vread(base, INTERRUPT_STATUS));
    return 1;
}

int main(void)
{
    install_m_trap();
    base = virtio_find(1);
    if (!base) { kprintf("virtio-net: no device\n"); return 0; }
    uint32_t version = vread(base, VERSION);
    kprintf("virtio-net at %lx, transport version %u\n", base, version);
    /* §5.1.6: the header has num_buffers with VERSION_1 (12 bytes), not in legacy (10). */
    hdr_len = version == 2 ? 12 : 10;
    uint32_t f0 = virtio_begin(base, (1u << F_MAC) | (1u << F_STATUS));
    check("MAC offered", (f0 >> F_MAC) & 1, 1);
    check("STATUS offered", (f0 >> F_STATUS) & 1, 1);
    for (int i = 0; i < 6; i++) mac[i] = mmio_read8(base + CONFIG + i);
    kprintf("mac %x:%x:%x:%x:%x:%x\n", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    show("link up", (mmio_read8(base + CONFIG + 6) & 1));
    virtio_queue(base, RXQ, &rxq);
    virtio_queue(base, TXQ, &txq);
    for (int i = 0; i < NRX; i++) {
        rxq.desc[i] = (struct desc){ (uintptr_t)rxbuf[i], BUFSZ, D_WRITE, 0 };
        rxq.avail_ring[i] = (uint16_t)i;
    }
    __sync_synchronize();
    rxq.avail_idx = NRX;
    virtio_driver_ok(base);
    vwrite(base, QUEUE_NOTIFY, RXQ);

    uint8_t *eth = txbuf + hdr_len;
    memset(txbuf, 0, hdr_len + ETH_LEN);
    memset(eth, 0xff, 6);
    memcpy(eth + 6, mac, 6);
    eth[12] = 0x88; eth[13] = 0xb5; /* IEEE local experimental ethertype */
    memcpy(eth + 14, "hello over virtio-net", 22);
    txq.desc[0] = (struct desc){ (uintptr_t)txbuf, hdr_len + ETH_LEN, 0, 0 };
    txq.avail_ring[0] = 0;
    __sync_synchronize();
    txq.avail_idx = 1;
    __sync_synchronize();
    vwrite(base, QUEUE_NOTIFY, TXQ);
    check("frame sent", wait_used(&txq, 1), 1);
    check("frame received", wait_used(&rxq, 1), 1);
    struct used_elem u = rxq.used_ring[0];
    show("buffer", u.id);
    show("frame length", u.len - hdr_len);
    uint8_t *got = rxbuf[u.id] + hdr_len;
    check("source is our MAC", memcmp(got + 6, mac, 6) == 0, 1);
    kprintf("payload: %s\n", (char *)got + 14);
    finish();
}
