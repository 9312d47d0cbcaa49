#include "lib.h"
static long ufn(long a) { return a + 1; }
static int hook(struct trap_frame *f) { if (f->cause == 1) { kprintf("fetch fault epc=%lx tval=%lx mpp=%lx\n", f->epc, f->tval, (f->status>>11)&3); pmp_allow_all(); m_trap_hook = 0; return 1; } return 0; }
static long sload(long a) { long v = 0x1111; __asm__ volatile("lw %0, 0(%1)" : "+r"(v) : "r"(a) : "memory"); return v; }
int main(void) {
    install_m_trap(); m_trap_hook = hook;
    trap_expect();
    trap_resume_pc = 0;
    kprintf("pmpcfg0=%lx pmpaddr0=%lx\n", csr_read(pmpcfg0), csr_read(pmpaddr0));
    pmp_allow_all();
    long r = call_in_mode(PRV_S, ufn, 41);
    kprintf("S without PMP: r=%ld\n", r);
    print_trap("S no pmp");
    trap_expect();
    r = call_in_mode(PRV_U, ufn, 41);
    kprintf("U without PMP: r=%ld\n", r);
    print_trap("U no pmp");
    /* ebreak, c.ebreak, illegal */
    trap_expect(); __asm__ volatile(".option push\n.option norvc\nebreak\n.option pop"); print_trap("ebreak");
    kprintf("epc=%lx\n", last_trap.epc);
    trap_expect(); __asm__ volatile("c.ebreak"); print_trap("c.ebreak");
    kprintf("epc=%lx\n", last_trap.epc);
    trap_expect(); __asm__ volatile(".word 0x0000000b"); print_trap("custom0");
    trap_expect(); __asm__ volatile(".2byte 0x0000"); print_trap("c.unimp 0");
    trap_expect(); __asm__ volatile("unimp"); print_trap("unimp");
    trap_expect(); __asm__ volatile("csrr t0, 0x7c0" ::: "t0"); print_trap("csr 0x7c0");
    trap_expect(); __asm__ volatile("csrr t0, 0x7b0" ::: "t0"); print_trap("csr dcsr");
    trap_expect(); __asm__ volatile("csrr t0, 0x7a0" ::: "t0"); print_trap("csr tselect");
    trap_expect(); __asm__ volatile("csrr t0, 0xb1f" ::: "t0"); print_trap("mhpmcounter31");
    trap_expect(); __asm__ volatile("csrr t0, 0xb03" ::: "t0"); print_trap("mhpmcounter3");
    trap_expect(); __asm__ volatile("ecall"); print_trap("ecall M");
    unsigned long addrs[] = {0x0, 0x8, 0xff8, 0x10000, 0x100ff8, 0x101028, 0x200c000, 0x2010000, 0x10000008, 0x10000100, 0x10001200, 0x40000000, 0x50000000, 0x88000000, 0x90000000};
    for (unsigned i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
        trap_expect();
        long v = sload(addrs[i]);
        kprintf("load %lx -> %lx ", addrs[i], v);
        print_trap("");
        trap_expect();
        __asm__ volatile("sw zero, 0(%0)" :: "r"(addrs[i]) : "memory");
        print_trap("   store");
    }
    /* store to rom */
    trap_expect(); __asm__ volatile("sw zero, 0(%0)" :: "r"(0x1000) : "memory"); print_trap("store rom");
    kprintf("rom[0]=%x\n", *(volatile uint32_t*)0x1000);
    /* misaligned amo */
    static uint64_t buf[4];
    trap_expect(); __asm__ volatile("amoadd.w zero, %1, (%0)" :: "r"((char*)buf+1), "r"(1) : "memory"); print_trap("amo misaligned");
    trap_expect(); __asm__ volatile("lr.w t0, (%0)" :: "r"((char*)buf+2) : "memory", "t0"); print_trap("lr misaligned");
    trap_expect(); __asm__ volatile("sc.w t0, zero, (%0)" :: "r"((char*)buf+2) : "memory", "t0"); print_trap("sc misaligned");
    trap_expect(); __asm__ volatile("amoadd.w zero, %1, (%0)" :: "r"(0x8), "r"(1) : "memory"); print_trap("amo unmapped");
    trap_expect(); __asm__ volatile("lw t0, 1(%0)" :: "r"(0x10000000) : "memory", "t0"); print_trap("uart misaligned lw");
    trap_expect(); __asm__ volatile("lw t0, 0(%0)" :: "r"(0x10000000) : "memory", "t0"); print_trap("uart lw");
    trap_expect(); __asm__ volatile("lw t0, 4(%0)" :: "r"(0x10000000) : "memory", "t0"); print_trap("uart ld");
    trap_expect(); __asm__ volatile("lw t0, 2(%0)" :: "r"(0x1000) : "memory", "t0"); print_trap("rom lw+2");
    trap_expect(); __asm__ volatile("lw t0, 2(%0)" :: "r"(0x2000000) : "memory", "t0"); print_trap("clint lw+2");
    trap_expect(); __asm__ volatile("lw t0, 0x7fe(%0)" :: "r"(0x80000000UL + 128*1024*1024 - 4096 + 4), "r"(0) : "memory", "t0"); print_trap("ram end cross");
    return 0;
}
