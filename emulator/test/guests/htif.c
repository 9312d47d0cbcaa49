/*
 * htif (our emulator only: QEMU's virt has no HTIF). Prints through the
 * Spike/HTIF console (device 1, command 1: tohost = 1<<56 | 1<<48 | byte)
 * and exits through tohost = (code << 1) | 1. The emulator finds the
 * mailboxes by the ELF symbols tohost/fromhost (section .tohost).
 * Protocol as Spike: the host clears tohost once it has taken a command
 * and may answer in fromhost, which the guest clears. On rv32 the low word
 * is written first and the write of the high word (tohost + 4) completes
 * the command, as in riscv-tests and QEMU's spike machine.
 * Nothing is written to the UART; stdout must equal htif.expected (checked
 * against `qemu-system-riscv{64,32} -machine spike -bios none -kernel htif.elf`).
 */
#include "lib.h"

volatile uint64_t tohost __attribute__((section(".tohost"), aligned(64)));
volatile uint64_t fromhost __attribute__((section(".tohost"), aligned(64)));

static void htif_write(uint64_t v)
{
#if __riscv_xlen == 64
    tohost = v;
#else
    volatile uint32_t *t = (volatile uint32_t *)&tohost;
    t[0] = (uint32_t)v;
    t[1] = (uint32_t)(v >> 32);
#endif
}

static void htif_wait(void)
{
    /* Bounded, in case a host only looks at tohost from time to time. */
    for (unsigned long spins = 0; tohost != 0 && spins < 1000000; spins++) {
    }
    if (fromhost) fromhost = 0;
}

static void htif_putc(char c)
{
    htif_write((1ULL << 56) | (1ULL << 48) | (uint8_t)c);
    htif_wait();
}

static void htif_puts(const char *s)
{
    while (*s) htif_putc(*s++);
}

__attribute__((noreturn)) static void htif_exit(unsigned code)
{
    htif_write(((uint64_t)code << 1) | 1);
    for (;;) {
    }
}

int main(void)
{
    htif_puts("htif: hello through tohost\n");
    unsigned long sum = 0;
    for (int i = 1; i <= 100; i++) sum += (unsigned long)i * i;
    htif_puts(sum == 338350 ? "htif: sum of squares 1..100 = 338350\n" : "htif: wrong sum\n");
    htif_puts("htif: PASS\n");
    htif_exit(sum == 338350 ? 0 : 1);
}
