/*
 * virtio-gpu + virtio-input: a polling 2D driver (virtio 1.2 §5.7) and a keyboard
 * reader (§5.8). It finds the gpu, asks for the display info and the EDID (printing
 * its bytes), makes a resource with a scatter-listed backing, draws a known pattern,
 * sets the scanout, transfers and flushes; sends the bad requests a driver might (bad
 * ids, rectangles outside the resource, backing outside RAM, sizes that overflow) and
 * prints the answer types; switches the scanout to a second resource in another
 * format, shown through a sub-rectangle; defines and moves a cursor. Then it prints
 * the evdev configuration of every virtio-input device, reads key events from the
 * keyboard until the third key press and draws one bar per key. It prints "done" and
 * waits for a console byte before powering off, so QEMU's screendump can be taken there;
 * each 'r' first makes it wait for a display change event (§5.7.4) and print the new
 * display info and EDID.
 *
 * The test (virtio-gpu.test.ts) compares what it prints and the screen with QEMU 7.2.
 */
#include "lib.h"
#include "virtio.h"

#define ID_GPU 16
#define ID_INPUT 18
#define F_EDID 1
#define EVENT_DISPLAY 1 /* §5.7.4 events_read */

/* §5.7.6.7 command and response types */
#define GET_DISPLAY_INFO 0x100
#define RESOURCE_CREATE_2D 0x101
#define RESOURCE_UNREF 0x102
#define SET_SCANOUT 0x103
#define RESOURCE_FLUSH 0x104
#define TRANSFER_TO_HOST_2D 0x105
#define RESOURCE_ATTACH_BACKING 0x106
#define RESOURCE_DETACH_BACKING 0x107
#define GET_EDID 0x10a
#define UPDATE_CURSOR 0x300
#define MOVE_CURSOR 0x301
/* §5.7.6.8 formats */
#define B8G8R8X8 2
#define B8G8R8A8 1
#define R8G8B8X8 134

#define W 320
#define H 200
#define STRIDE (W * 4)

static struct ring ctrlq, cursorq, evq, stq;
static unsigned long gpu;
static uint16_t ctrl_seen, cursor_seen;
static uint32_t cmd[512] __attribute__((aligned(16)));
static uint8_t resp[1100] __attribute__((aligned(16)));
static uint8_t fb1[W * H * 4] __attribute__((aligned(16)));
static uint8_t fb2[W * H * 4] __attribute__((aligned(16)));
static uint8_t cur[64 * 64 * 4] __attribute__((aligned(16)));

static uint32_t resp32(unsigned i) { uint32_t v; memcpy(&v, resp + 4 * i, 4); return v; }

/* Chain [cmd | resp] on `q`, notify, poll until used; returns the used length. */
static uint32_t submit(struct ring *q, unsigned qi, uint16_t *seen, unsigned cmdlen, unsigned resplen)
{
    q->desc[0] = (struct desc){ (uintptr_t)cmd, cmdlen, resplen ? D_NEXT : 0, 1 };
    q->desc[1] = (struct desc){ (uintptr_t)resp, resplen, D_WRITE, 0 };
    q->avail_ring[q->avail_idx % QSIZE] = 0;
    __sync_synchronize();
    q->avail_idx++;
    __sync_synchronize();
    vwrite(gpu, QUEUE_NOTIFY, qi);
    for (unsigned long spins = 0; *(volatile uint16_t *)&q->used_idx == *seen; spins++) {
        if (spins > 100000000UL) { kprintf("queue %u: no answer\n", qi); exit_fail(2); }
    }
    __sync_synchronize();
    uint32_t len = q->used_ring[*seen % QSIZE].len;
    (*seen)++;
    vwrite(gpu, INTERRUPT_ACK, vread(gpu, INTERRUPT_STATUS));
    return len;
}

/* A control command of `len` bytes (header + payload already in cmd[6..]); returns the response type. */
static uint32_t ctrl(uint32_t type, unsigned len)
{
    cmd[0] = type; cmd[1] = 0; cmd[2] = cmd[3] = cmd[4] = cmd[5] = 0;
    memset(resp, 0xee, sizeof resp);
    submit(&ctrlq, 0, &ctrl_seen, len, sizeof resp);
    return resp32(0);
}

static uint32_t create(uint32_t id, uint32_t fmt, uint32_t w, uint32_t h)
{
    cmd[6] = id; cmd[7] = fmt; cmd[8] = w; cmd[9] = h;
    return ctrl(RESOURCE_CREATE_2D, 40);
}
static void rect(uint32_t x, uint32_t y, uint32_t w, uint32_t h) { cmd[6] = x; cmd[7] = y; cmd[8] = w; cmd[9] = h; }
static uint32_t scanout(uint32_t sid, uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    rect(x, y, w, h); cmd[10] = sid; cmd[11] = id;
    return ctrl(SET_SCANOUT, 48);
}
static uint32_t flush(uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    rect(x, y, w, h); cmd[10] = id; cmd[11] = 0;
    return ctrl(RESOURCE_FLUSH, 48);
}
static uint32_t transfer(uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint64_t offset)
{
    rect(x, y, w, h); cmd[10] = (uint32_t)offset; cmd[11] = (uint32_t)(offset >> 32); cmd[12] = id; cmd[13] = 0;
    return ctrl(TRANSFER_TO_HOST_2D, 56);
}
/* ATTACH_BACKING with `n` entries of (address, length) pairs. */
static uint32_t attach(uint32_t id, unsigned n, const uint64_t *addr_len)
{
    cmd[6] = id; cmd[7] = n;
    for (unsigned i = 0; i < n; i++) {
        cmd[8 + 4 * i] = (uint32_t)addr_len[2 * i];
        cmd[9 + 4 * i] = (uint32_t)(addr_len[2 * i] >> 32);
        cmd[10 + 4 * i] = (uint32_t)addr_len[2 * i + 1];
        cmd[11 + 4 * i] = 0;
    }
    return ctrl(RESOURCE_ATTACH_BACKING, 32 + 16 * n);
}
static uint32_t one(uint32_t type, uint32_t id) { cmd[6] = id; cmd[7] = 0; return ctrl(type, 32); }

static void cursor_cmd(uint32_t type, uint32_t x, uint32_t y, uint32_t id, uint32_t hx, uint32_t hy)
{
    cmd[0] = type; cmd[1] = 0; cmd[2] = cmd[3] = cmd[4] = cmd[5] = 0;
    cmd[6] = 0; cmd[7] = x; cmd[8] = y; cmd[9] = 0; cmd[10] = id; cmd[11] = hx; cmd[12] = hy; cmd[13] = 0;
    kprintf("cursor %x: used length %u\n", type, submit(&cursorq, 1, &cursor_seen, 56, 0));
}

static void report(const char *what, uint32_t type) { kprintf("%s: %x\n", what, type); }

static uint8_t console_byte(void)
{
    while (!(mmio_read8(UART0_BASE + 5) & 0x01)) {
    }
    return mmio_read8(UART0_BASE);
}

/* The EDID answer after its header: its size, every byte of the blocks it counts (32 a
 * line), then how many bytes of the rest of the 1024 are not zero. */
static void dump_edid(void)
{
    const uint8_t *e = resp + 32;
    unsigned n = (e[126] + 1u) * 128, rest = 0;
    kprintf("edid size %u, %u blocks\n", resp32(6), e[126] + 1u);
    for (unsigned i = 0; i < n && i < 1024; i++) kprintf("%02x%s", e[i], i % 32 == 31 ? "\n" : " ");
    for (unsigned i = n; i < 1024; i++) rest += e[i] != 0;
    kprintf("edid bytes after the blocks not zero: %u\n", rest);
}

/* ---- virtio-input (§5.8.5 config: select, subsel, size, reserved[5], union at 8) ---- */

static uint8_t cfg_select(unsigned long b, uint8_t sel, uint8_t sub)
{
    mmio_write8(b + CONFIG + 0, sel);
    mmio_write8(b + CONFIG + 1, sub);
    return mmio_read8(b + CONFIG + 2);
}
static uint8_t cfg_byte(unsigned long b, unsigned i) { return mmio_read8(b + CONFIG + 8 + i); }
static uint32_t cfg_word(unsigned long b, unsigned i) { return vread(b, CONFIG + 8 + 4 * i); }

static void dump_input(unsigned long b)
{
    uint8_t n = cfg_select(b, 1, 0);
    kprintf("input at %lx: name (%u) '", b, n);
    for (unsigned i = 0; i < n && cfg_byte(b, i); i++) putc((char)cfg_byte(b, i));
    kprintf("'\n");
    kprintf("  serial size %u\n", cfg_select(b, 2, 0));
    n = cfg_select(b, 3, 0);
    uint32_t a = cfg_word(b, 0), c = cfg_word(b, 1);
    kprintf("  devids (%u) bus %x vendor %x product %x version %x\n", n, a & 0xffff, a >> 16, c & 0xffff, c >> 16);
    for (unsigned sel = 0x10; sel <= 0x11; sel++) {
        for (unsigned sub = 0; sub < (sel == 0x10 ? 1 : 0x20); sub++) {
            n = cfg_select(b, (uint8_t)sel, (uint8_t)sub);
            if (n == 0) continue;
            kprintf("  %s %x (%u):", sel == 0x10 ? "props" : "ev", sub, n);
            for (unsigned i = 0; i < n; i++) kprintf(" %x", cfg_byte(b, i));
            kprintf("\n");
        }
    }
    for (unsigned sub = 0; sub < 0x40; sub++) {
        n = cfg_select(b, 0x12, (uint8_t)sub);
        if (n == 0) continue;
        kprintf("  abs %x (%u): min %d max %d fuzz %d flat %d res %d\n", sub, n,
                (int)cfg_word(b, 0), (int)cfg_word(b, 1), (int)cfg_word(b, 2), (int)cfg_word(b, 3), (int)cfg_word(b, 4));
    }
}

static struct { uint16_t type, code; uint32_t value; } events[QSIZE], status_ev __attribute__((aligned(16)));

static void post_event(unsigned i)
{
    evq.desc[i] = (struct desc){ (uintptr_t)&events[i], 8, D_WRITE, 0 };
    evq.avail_ring[evq.avail_idx % QSIZE] = (uint16_t)i;
    __sync_synchronize();
    evq.avail_idx++;
}

int main(void)
{
    install_m_trap();
    gpu = virtio_find(ID_GPU);
    if (!gpu) { kprintf("virtio-gpu: none\n"); return 0; }
    kprintf("virtio-gpu at %lx\n", gpu);
    uint32_t f = virtio_begin(gpu, 1u << F_EDID);
    kprintf("EDID feature %u, scanouts %u, capsets %u\n", (f >> F_EDID) & 1, vread(gpu, CONFIG + 8), vread(gpu, CONFIG + 12));
    virtio_queue(gpu, 0, &ctrlq);
    virtio_queue(gpu, 1, &cursorq);
    virtio_driver_ok(gpu);

    report("display info", ctrl(GET_DISPLAY_INFO, 24));
    kprintf("scanout 0: %u,%u %ux%u enabled %u\n", resp32(6), resp32(7), resp32(8), resp32(9), resp32(10));
    cmd[6] = 0; cmd[7] = 0;
    report("edid", ctrl(GET_EDID, 32));
    static const uint8_t magic[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
    const uint8_t *e = resp + 32, *dtd = e + 54;
    kprintf("edid header %s, first mode %ux%u\n", memcmp(e, magic, 8) == 0 ? "ok" : "bad",
            dtd[2] | ((dtd[4] & 0xf0) << 4), dtd[5] | ((dtd[7] & 0xf0) << 4));
    dump_edid();

    /* Resource 1: B8G8R8X8, backed by two pieces of fb1. */
    for (unsigned y = 0; y < H; y++)
        for (unsigned x = 0; x < W; x++) {
            uint8_t *p = fb1 + y * STRIDE + x * 4;
            p[0] = (uint8_t)x; p[1] = (uint8_t)y; p[2] = (uint8_t)((x * y) >> 4); p[3] = 0x55;
        }
    report("create 1", create(1, B8G8R8X8, W, H));
    uint64_t back1[] = { (uintptr_t)fb1, 100000, (uintptr_t)fb1 + 100000, sizeof fb1 - 100000 };
    report("attach 1", attach(1, 2, back1));
    report("transfer 1", transfer(1, 0, 0, W, H, 0));
    report("scanout 1", scanout(0, 1, 0, 0, W, H));
    report("flush 1", flush(1, 0, 0, W, H));

    /* What a driver must not do. */
    report("create id 0", create(0, B8G8R8X8, 16, 16));
    report("create existing", create(1, B8G8R8X8, 16, 16));
    report("create bad format", create(5, 999, 16, 16));
    report("create 8192x8192 (256 MiB)", create(5, B8G8R8X8, 8192, 8192));
    report("attach unknown", attach(9, 2, back1));
    report("attach again", attach(1, 2, back1));
    uint64_t outside[] = { 0x100000000ULL, 0x10000 };
    report("create 4", create(4, B8G8R8X8, 64, 64));
    report("attach outside RAM", attach(4, 1, outside));
    uint64_t empty[] = { (uintptr_t)fb1, 4096, (uintptr_t)fb1 + 4096, 0 };
    report("attach empty entry", attach(4, 2, empty));
    cmd[6] = 4; cmd[7] = 20000;
    report("attach 20000 entries", ctrl(RESOURCE_ATTACH_BACKING, 32));
    report("transfer no backing", transfer(4, 0, 0, 64, 64, 0));
    report("transfer outside", transfer(1, 300, 0, 21, 10, 0));
    report("transfer huge", transfer(1, 1, 1, 0xffffffff, 2, 0));
    report("transfer unknown", transfer(9, 0, 0, 1, 1, 0));
    report("scanout id 5", scanout(5, 1, 0, 0, W, H));
    report("scanout 8x8", scanout(0, 1, 0, 0, 8, 8));
    report("scanout outside", scanout(0, 1, 10, 0, W, H));
    report("scanout unknown", scanout(0, 9, 0, 0, W, H));
    report("scanout no backing", scanout(0, 4, 0, 0, 64, 64));
    report("flush outside", flush(1, 0, 0, W + 1, H));
    report("flush unknown", flush(9, 0, 0, 1, 1));
    report("detach no backing", one(RESOURCE_DETACH_BACKING, 4));
    report("detach unknown", one(RESOURCE_DETACH_BACKING, 9));
    report("unref 4", one(RESOURCE_UNREF, 4));
    report("unref 4 again", one(RESOURCE_UNREF, 4));
    report("unknown command", ctrl(0x1ff, 24));

    /* Resource 2: R8G8B8X8 in three pieces, only a part transferred, shown through a sub-rectangle. */
    for (unsigned y = 0; y < H; y++)
        for (unsigned x = 0; x < W; x++) {
            uint8_t *p = fb2 + y * STRIDE + x * 4;
            p[0] = (uint8_t)(x * 3); p[1] = (uint8_t)(255 - y); p[2] = 0x80; p[3] = 0;
        }
    report("create 2", create(2, R8G8B8X8, W, H));
    uint64_t back2[] = { (uintptr_t)fb2, 4096, (uintptr_t)fb2 + 4096, 6000, (uintptr_t)fb2 + 10096, sizeof fb2 - 10096 };
    report("attach 2", attach(2, 3, back2));
    report("transfer 2 part", transfer(2, 32, 16, 128, 64, 16 * STRIDE + 32 * 4));
    report("scanout 2", scanout(0, 2, 16, 8, 256, 160));
    report("flush 2", flush(2, 0, 0, W, H));
    report("detach 1", one(RESOURCE_DETACH_BACKING, 1));
    report("unref 1", one(RESOURCE_UNREF, 1));

    /* Cursor: a 64x64 B8G8R8A8 resource. */
    for (unsigned i = 0; i < 64 * 64; i++) { cur[4 * i] = (uint8_t)i; cur[4 * i + 1] = 0x40; cur[4 * i + 2] = 0xc0; cur[4 * i + 3] = 0xff; }
    report("create 3", create(3, B8G8R8A8, 64, 64));
    uint64_t back3[] = { (uintptr_t)cur, sizeof cur };
    report("attach 3", attach(3, 1, back3));
    report("transfer 3", transfer(3, 0, 0, 64, 64, 0));
    cursor_cmd(UPDATE_CURSOR, 100, 50, 3, 1, 2);
    cursor_cmd(MOVE_CURSOR, 120, 60, 0, 0, 0);

    /* virtio-input: every device's configuration, then the keyboard (the highest slot). */
    unsigned long kbd = 0;
    for (int slot = VIRTIO_SLOTS - 1; slot >= 0; slot--) {
        unsigned long b = VIRTIO_BASE + slot * VIRTIO_STRIDE;
        if (vread(b, MAGIC) != 0x74726976 || vread(b, DEVICE_ID) != ID_INPUT) continue;
        dump_input(b);
        if (!kbd) kbd = b;
    }
    if (!kbd) { kprintf("no keyboard\n"); return 1; }
    virtio_begin(kbd, 0);
    virtio_queue(kbd, 0, &evq);
    virtio_queue(kbd, 1, &stq);
    virtio_driver_ok(kbd);
    for (unsigned i = 0; i < QSIZE; i++) post_event(i);
    vwrite(kbd, QUEUE_NOTIFY, 0);
    /* Caps Lock's LED on through the status queue (§5.8.6.2): the device takes it. */
    status_ev.type = 0x11; status_ev.code = 1; status_ev.value = 1;
    stq.desc[0] = (struct desc){ (uintptr_t)&status_ev, 8, 0, 0 };
    stq.avail_ring[0] = 0;
    __sync_synchronize();
    stq.avail_idx = 1;
    vwrite(kbd, QUEUE_NOTIFY, 1);
    while (*(volatile uint16_t *)&stq.used_idx == 0) {
    }
    kprintf("status event taken\n");
    kprintf("keyboard ready\n");

    uint16_t seen = 0;
    unsigned presses = 0, codes[3];
    while (presses < 3) {
        if (*(volatile uint16_t *)&evq.used_idx == seen) continue;
        __sync_synchronize();
        unsigned i = evq.used_ring[seen % QSIZE].id;
        seen++;
        kprintf("event %u %u %u\n", events[i].type, events[i].code, events[i].value);
        if (events[i].type == 1 && events[i].value == 1) codes[presses++] = events[i].code;
        post_event(i);
        vwrite(kbd, QUEUE_NOTIFY, 0);
    }
    vwrite(kbd, INTERRUPT_ACK, vread(kbd, INTERRUPT_STATUS));

    /* One bar per key, its length the key code; only those rows go to the host. */
    for (unsigned k = 0; k < 3; k++)
        for (unsigned y = 100 + k * 10; y < 108 + k * 10; y++)
            for (unsigned x = 20; x < 20 + codes[k] * 4 && x < W; x++) {
                uint8_t *p = fb2 + y * STRIDE + x * 4;
                p[0] = (uint8_t)(codes[k] * 8); p[1] = 0xff; p[2] = (uint8_t)(k * 80);
            }
    report("transfer bars", transfer(2, 16, 100, 288, 30, 100 * STRIDE + 16 * 4));
    report("flush bars", flush(2, 16, 100, 288, 30));
    kprintf("done\n");
    /* Each 'r' on the console: wait for the host to resize the display, then read the new size. */
    while (console_byte() == 'r') {
        kprintf("waiting for a display change (interrupt status %x)\n", vread(gpu, INTERRUPT_STATUS));
        while (!(vread(gpu, CONFIG) & EVENT_DISPLAY)) {
        }
        kprintf("events_read %x, interrupt status %x\n", vread(gpu, CONFIG), vread(gpu, INTERRUPT_STATUS));
        vwrite(gpu, CONFIG + 4, EVENT_DISPLAY); /* events_clear */
        kprintf("after events_clear: events_read %x\n", vread(gpu, CONFIG));
        vwrite(gpu, INTERRUPT_ACK, vread(gpu, INTERRUPT_STATUS));
        report("display info", ctrl(GET_DISPLAY_INFO, 24));
        kprintf("scanout 0: %u,%u %ux%u enabled %u\n", resp32(6), resp32(7), resp32(8), resp32(9), resp32(10));
        cmd[6] = 0; cmd[7] = 0;
        report("edid", ctrl(GET_EDID, 32));
        dump_edid();
        kprintf("resized\n");
    }
    finish();
}
