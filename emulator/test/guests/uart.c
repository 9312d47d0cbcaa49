/*
 * uart: the ns16550a at 0x10000000 (QEMU hw/char/serial.c behaviour).
 * Reset values of every register, SCR, LCR and the DLAB divisor latch,
 * FCR/IIR FIFO bits, the THRE interrupt identification (cleared by reading
 * IIR), loopback (MCR.LOOP: THR -> RBR through the FIFO, MSR mirrors MCR),
 * the received-data interrupt identification and LSR.DR.
 * Interrupt delivery through the PLIC is in plic.c.
 */
#include "lib.h"

#define RBR 0
#define THR 0
#define DLL 0
#define IER 1
#define DLM 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

static uint8_t rd(int r) { return mmio_read8(UART0_BASE + r); }
static void wr(int r, uint8_t v) { mmio_write8(UART0_BASE + r, v); }

static void show8(const char *what, uint8_t v) { kprintf("%s = %02x\n", what, v); }

int main(void)
{
    install_m_trap();
    /* Read the reset state before printing anything. */
    uint8_t ier = rd(IER), iir = rd(IIR), lcr = rd(LCR), mcr = rd(MCR), lsr = rd(LSR), scr = rd(SCR);
    uint8_t msr = rd(MSR);
    kprintf("uart: rv%d\n", XLEN);
    show8("reset IER", ier);
    show8("reset IIR", iir);
    show8("reset LCR", lcr);
    show8("reset MCR", mcr);
    show8("reset LSR", lsr);
    show8("reset MSR", msr);
    show8("reset SCR", scr);

    wr(SCR, 0x5a);
    show8("SCR after 0x5a", rd(SCR));
    wr(SCR, 0xa5);
    show8("SCR after 0xa5", rd(SCR));

    /* Divisor latch: DLAB=1 maps DLL/DLM over RBR/IER. */
    wr(LCR, 0x83);
    uint8_t dll0 = rd(DLL), dlm0 = rd(DLM);
    wr(DLL, 0x0c);
    wr(DLM, 0x01);
    uint8_t dll = rd(DLL), dlm = rd(DLM);
    wr(DLL, dll0);
    wr(DLM, dlm0);
    wr(LCR, 0x03);
    show8("DLL at reset", dll0);
    show8("DLM at reset", dlm0);
    show8("DLL after 0x0c", dll);
    show8("DLM after 0x01", dlm);
    show8("IER with DLAB=0 (untouched by DLM write)", rd(IER));
    wr(LCR, 0x1b);
    show8("LCR after 0x1b", rd(LCR));
    wr(LCR, 0x03);
    show8("LCR after 0x03", rd(LCR));
    wr(IER, 0xff);
    show8("IER after 0xff (low 4 bits)", rd(IER));
    wr(IER, 0x00);

    /* FIFOs: FCR bit 0 sets IIR's top bits. */
    wr(FCR, 0x07);
    show8("IIR with FIFOs enabled", rd(IIR));

    /* THRE interrupt identification: pending once enabled, cleared by reading IIR. */
    wr(IER, 0x02);
    uint8_t iir1 = rd(IIR), iir2 = rd(IIR);
    wr(IER, 0x00);
    show8("IIR after IER.ETBEI=1", iir1);
    show8("IIR read again", iir2);

    /* Loopback: bytes written to THR come back in RBR; nothing reaches the console.
       First without FIFOs: QEMU's FIFO mode adds a character-timeout interrupt
       (IIR 0xcc) that depends on real time, so IIR is only read in this mode. */
    wr(FCR, 0x00);
    wr(MCR, 0x10 | 0x01 | 0x08);   /* LOOP, DTR, OUT2 */
    uint8_t msr_loop = rd(MSR);
    wr(IER, 0x01);                 /* ERBFI */
    wr(THR, 'x');
    uint8_t lsr_one = rd(LSR), iir_rx = rd(IIR);
    char one = (char)rd(RBR);
    uint8_t lsr_none = rd(LSR), iir_none = rd(IIR);
    wr(IER, 0x00);
    /* Then three bytes through the FIFO. */
    wr(FCR, 0x07);
    wr(THR, 'h');
    wr(THR, 'i');
    wr(THR, '!');
    uint8_t lsr_data = rd(LSR);
    char got[4] = { 0 };
    for (int i = 0; i < 3; i++) got[i] = (char)rd(RBR);
    uint8_t lsr_empty = rd(LSR);
    wr(MCR, mcr);
    show8("MSR in loopback with DTR|OUT2", msr_loop);
    show8("LSR with one byte looped back", lsr_one);
    show8("IIR with received data (ERBFI, no FIFO)", iir_rx);
    kprintf("looped back: %c\n", one);
    show8("LSR after reading it", lsr_none);
    show8("IIR after reading it", iir_none);
    show8("LSR with three bytes in the FIFO", lsr_data);
    kprintf("looped back: %s\n", got);
    show8("LSR after reading all", lsr_empty);
    check("loopback data", (one == 'x') + (got[0] == 'h') + (got[1] == 'i') + (got[2] == '!'), 4);
    show8("MSR after loopback", rd(MSR));
    show8("LSR at the end", rd(LSR));
    finish();
}
