/*
 * uart-rx: receive from the console. Reads one line (polling LSR.DR) that
 * the test feeds on stdin, then prints it back reversed with its length and
 * a checksum. The harness passes the line (see STDIN_uart-rx in the Makefile).
 */
#include "lib.h"

int main(void)
{
    install_m_trap();
    kprintf("uart-rx: rv%d, type a line\n", XLEN);
    char line[80];
    unsigned n = 0, sum = 0;
    for (;;) {
        while (!(mmio_read8(UART0_BASE + 5) & 0x01)) {
        }
        char c = (char)mmio_read8(UART0_BASE + 0);
        if (c == '\n' || c == '\r') break;
        if (n < sizeof line - 1) line[n++] = c;
        sum = sum * 31 + (uint8_t)c;
    }
    line[n] = 0;
    kprintf("got %u bytes: %s\nreversed: ", n, line);
    for (unsigned i = n; i > 0; i--) putc(line[i - 1]);
    kprintf("\nchecksum %08x\n", sum);
    return n == 0 ? 1 : 0;
}
