/*
 * virtio-console: a polling virtio-console driver (virtio 1.2 §5.3, one port, no
 * MULTIPORT). It writes a line through transmitq0, then reads a line from
 * receiveq0 and prints it back (reversed) through the UART. Our emulator runs it
 * with --console virtio and the line on stdin; with no console device it says so
 * and passes (so QEMU, which has none here, prints the same).
 */
#include "lib.h"
#include "virtio.h"

#define RXQ 0
#define TXQ 1

static struct ring rxq, txq;
static unsigned long base;
static uint8_t rxbuf[QSIZE][16] __attribute__((aligned(16)));
static char txbuf[64] __attribute__((aligned(16)));

static void vc_write(const char *s)
{
    static uint16_t sent;
    unsigned n = strlen(s);
    memcpy(txbuf, s, n);
    txq.desc[0] = (struct desc){ (uintptr_t)txbuf, n, 0, 0 };
    txq.avail_ring[txq.avail_idx % QSIZE] = 0;
    __sync_synchronize();
    txq.avail_idx++;
    __sync_synchronize();
    vwrite(base, QUEUE_NOTIFY, TXQ);
    sent++;
    while (*(volatile uint16_t *)&txq.used_idx != sent) {
    }
}

int main(void)
{
    install_m_trap();
    base = virtio_find(3);
    if (!base) { kprintf("virtio-console: no device\n"); return 0; }
    virtio_begin(base, 0);
    virtio_queue(base, RXQ, &rxq);
    virtio_queue(base, TXQ, &txq);
    /* Small receive buffers, so a line takes several of them. */
    for (int i = 0; i < QSIZE; i++) {
        rxq.desc[i] = (struct desc){ (uintptr_t)rxbuf[i], sizeof rxbuf[i], D_WRITE, 0 };
        rxq.avail_ring[i] = (uint16_t)i;
    }
    __sync_synchronize();
    rxq.avail_idx = QSIZE;
    virtio_driver_ok(base);
    vwrite(base, QUEUE_NOTIFY, RXQ);
    vc_write("hello through virtio-console\n");

    char line[80];
    unsigned n = 0;
    uint16_t seen = 0;
    for (int done = 0; !done;) {
        while (*(volatile uint16_t *)&rxq.used_idx == seen) {
        }
        __sync_synchronize();
        struct used_elem u = rxq.used_ring[seen % QSIZE];
        for (unsigned i = 0; i < u.len && !done; i++) {
            char c = (char)rxbuf[u.id][i];
            if (c == '\n' || c == '\r') done = 1;
            else if (n < sizeof line - 1) line[n++] = c;
        }
        seen++;
        /* Give the buffer back. */
        rxq.avail_ring[rxq.avail_idx % QSIZE] = (uint16_t)u.id;
        __sync_synchronize();
        rxq.avail_idx++;
        vwrite(base, QUEUE_NOTIFY, RXQ);
        vwrite(base, INTERRUPT_ACK, vread(base, INTERRUPT_STATUS));
    }
    line[n] = 0;
    kprintf("virtio-console got %u bytes: %s\nreversed: ", n, line);
    for (unsigned i = n; i > 0; i--) putc(line[i - 1]);
    putc('\n');
    finish();
}
