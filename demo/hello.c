/*
 * hello: a tiny bare-metal "kernel" for the virt board, the emulator's demo.
 * It greets from hart 0, decodes misa, looks at the device tree the boot ROM
 * handed over, takes a few timer interrupts and powers the machine off.
 * Build: make -C demo (uses the guest support code in emulator/test/guests/common).
 * Run:   npm run demo   or   qemu-system-riscv64 -machine virt -bios none -nographic -kernel demo/hello.elf
 */
#include "lib.h"

#define TICKS 3
#define TICK_INTERVAL 100000   /* mtime runs at 10 MHz: 10 ms */

static volatile unsigned ticks;

static int on_timer(struct trap_frame *f)
{
    if (f->cause != (CAUSE_INTERRUPT | IRQ_M_TIMER)) return 0;
    ticks++;
    mtimecmp_write(0, ticks < TICKS ? mtime_read() + TICK_INTERVAL : ~0ULL);
    return 1;
}

static uint32_t be32(const void *p)
{
    const uint8_t *b = p;
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

static void show_isa(void)
{
    unsigned long misa = csr_read(misa);
    unsigned mxl = (unsigned)(misa >> (XLEN - 2));
    kprintf("  ISA      rv%u", mxl == 1 ? 32 : mxl == 2 ? 64 : 128);
    /* Canonical order first (ISA manual, naming chapter), then the rest; S and U are modes. */
    static const char order[] = "iemafdqcbkjtpvhglnorswxyzu";
    for (const char *c = order; *c; c++)
        if (((misa >> (*c - 'a')) & 1) && *c != 's' && *c != 'u') putc(*c);
    kprintf("  (misa %p)\n", (void *)misa);
    kprintf("  modes    M%s%s\n", (misa >> 18) & 1 ? " S" : "", (misa >> 20) & 1 ? " U" : "");
}

static void show_fdt(void)
{
    const void *fdt = (const void *)boot_fdt;
    if (boot_fdt && be32(fdt) == 0xd00dfeed)
        kprintf("  FDT      at %p, %u bytes, version %u\n", fdt, be32((const uint8_t *)fdt + 4),
                be32((const uint8_t *)fdt + 20));
    else
        kprintf("  FDT      none (a1 = %p)\n", fdt);
}

int main(void)
{
    extern char _start[], _end[];
    puts("\n");
    puts("   +-----------------------------------------+\n");
    puts("   |  Hello from a RISC-V kernel on 'virt'!  |\n");
    puts("   +-----------------------------------------+\n\n");
    kprintf("  hart     %lu of this machine (mhartid)\n", csr_read(mhartid));
    show_isa();
    kprintf("  kernel   %p..%p (%lu KiB)\n", (void *)_start, (void *)_end,
            ((unsigned long)(_end - _start) + 1023) / 1024);
    show_fdt();

    install_m_trap();
    m_trap_hook = on_timer;
    kprintf("\n  Waiting for %d timer interrupts, %d ms apart:\n", TICKS, TICK_INTERVAL / 10000);
    mtimecmp_write(0, mtime_read() + TICK_INTERVAL);
    csr_write(mie, 1UL << IRQ_M_TIMER);
    unsigned seen = 0;
    while (seen < TICKS) {
        /* wfi with MIE clear, then open MIE briefly: no lost wake-ups. */
        __asm__ volatile ("wfi");
        csr_set(mstatus, MSTATUS_MIE);
        csr_clear(mstatus, MSTATUS_MIE);
        while (seen < ticks) kprintf("    tick %u\n", ++seen);
    }
    csr_write(mie, 0);
    puts("\n  All done. Powering off (sifive_test 0x5555). Bye!\n");
    exit_pass();
}
