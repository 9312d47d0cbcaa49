/*
 * traps: synchronous exceptions from M, S and U: illegal instructions
 * (mtval = the instruction bits), ebreak and c.ebreak, ecall from each mode,
 * load/store/fetch access faults, privileged instructions and CSRs from
 * lower modes (incl. TVM/TW/TSR), delegation to S-mode via medeleg, and
 * mstatus across trap entry, mret and sret.
 * Access faults use addresses nothing answers on QEMU's virt: 0x0..0xfff
 * (below the boot ROM), 0x10000000+0x100 (past the 8-byte UART) and the
 * end of 128 MiB of RAM. (Fetching from MMIO is not tested: QEMU 7.2 reads
 * the device and executes what it returns.)
 */
#include "lib.h"

void jump_and_return(unsigned long addr);
void u_after_sret(void);

#define TRY(what, ...) do { trap_expect(); __VA_ARGS__; print_trap(what); } while (0)

/* ---- functions run in S or U by call_in_mode ---- */
static long do_ecall(long unused)
{
    register long a7 __asm__("a7") = 0;
    __asm__ volatile ("ecall" :: "r"(a7) : "memory");
    return 1;
}
static long do_ebreak(long unused) { __asm__ volatile ("ebreak" ::: "memory"); return 2; }
static long do_illegal(long unused) { __asm__ volatile (".word 0x0000000b" ::: "memory"); return 3; }
static long do_mret(long unused) { __asm__ volatile ("mret" ::: "memory"); return 4; }
static long do_sret(long unused) { __asm__ volatile ("sret" ::: "memory"); return 5; }
static long do_wfi(long unused) { __asm__ volatile ("wfi" ::: "memory"); return 6; }
static long do_read_mstatus(long unused) { __asm__ volatile ("csrr t0, mstatus" ::: "t0"); return 7; }
static long do_read_sstatus(long unused) { __asm__ volatile ("csrr t0, sstatus" ::: "t0"); return 8; }
static long do_read_satp(long unused) { __asm__ volatile ("csrr t0, satp" ::: "t0"); return 9; }
static long do_sfence(long unused) { __asm__ volatile ("sfence.vma" ::: "memory"); return 10; }
static long do_load(long a) { long v = 0x5a; __asm__ volatile ("lw %0, 0(%1)" : "+r"(v) : "r"(a) : "memory"); return v; }
static long do_store(long a) { __asm__ volatile ("sw zero, 0(%0)" :: "r"(a) : "memory"); return 11; }

static long s_sret_to_u(long unused)
{
    csr_clear(sstatus, MSTATUS_SPP);
    csr_write(sepc, (unsigned long)u_after_sret);
    __asm__ volatile ("sret" ::: "memory");
    return -1;
}

static const char *mode_letter(int m) { return m == PRV_U ? "U" : m == PRV_S ? "S" : "M"; }

static void lower(int mode, const char *name, long (*fn)(long), long arg)
{
    trap_expect();
    long r = call_in_mode(mode, fn, arg);
    kprintf("%s %s -> %ld: ", name, mode_letter(mode), r);
    print_trap("");
}
#define LOWER(name, fn, arg) lower(mode, name, fn, arg)

static void lower_mode_traps(int mode)
{
    LOWER("ecall", do_ecall, 0);
    LOWER("ebreak", do_ebreak, 0);
    LOWER("illegal .word 0xb", do_illegal, 0);
    LOWER("mret", do_mret, 0);
    if (mode == PRV_U) {
        /* Legal in S (without TSR/TW); wfi there would just sleep. */
        LOWER("sret", do_sret, 0);
        LOWER("wfi", do_wfi, 0);
    }
    LOWER("csrr mstatus", do_read_mstatus, 0);
    LOWER("csrr sstatus", do_read_sstatus, 0);
    LOWER("csrr satp", do_read_satp, 0);
    LOWER("sfence.vma", do_sfence, 0);
    LOWER("load 0x8", do_load, 0x8);
    LOWER("store 0x8", do_store, 0x8);
    LOWER("load uart+0x100", do_load, 0x10000100);
}

static volatile unsigned long status_in_handler;

static int capture_status(struct trap_frame *f)
{
    if (f->cause == CAUSE_ECALL_M) {
        status_in_handler = csr_read(mstatus);
        f->epc += 4;
        return 1;
    }
    return 0;
}

int main(void)
{
    install_m_trap();
    pmp_allow_all();
    csr_set(mstatus, MSTATUS_MPP);
    kprintf("traps: rv%d\n", XLEN);

    /* ---- M-mode ---- */
    TRY("illegal custom-0 .word 0x0000000b", __asm__ volatile (".word 0x0000000b"));
    TRY("illegal OP-V .word 0x00000057 (no V)", __asm__ volatile (".word 0x00000057"));
    TRY("illegal add funct7=2 .word 0x04000033", __asm__ volatile (".word 0x04000033"));
    TRY("illegal 16-bit 0x0000", __asm__ volatile (".2byte 0x0000"));
    TRY("illegal c.jr x0 0x8002", __asm__ volatile (".2byte 0x8002"));
    TRY("illegal c.addi16sp imm=0 0x6101", __asm__ volatile (".2byte 0x6101"));
#if __riscv_xlen == 32
    TRY("illegal addw on rv32 .word 0x0000003b", __asm__ volatile (".word 0x0000003b"));
    TRY("illegal slli shamt=32 on rv32 .word 0x02001013", __asm__ volatile (".word 0x02001013"));
#endif
    TRY("ebreak", __asm__ volatile (".option push\n\t.option norvc\n\tebreak\n\t.option pop"));
    TRY("c.ebreak", __asm__ volatile ("c.ebreak"));
    TRY("ecall from M", __asm__ volatile ("ecall"));
    TRY("load from 0x0", __asm__ volatile ("lw t0, 0(zero)" ::: "t0"));
    TRY("load from 0xff8", __asm__ volatile ("li t1, 0xff8\n\tlb t0, 0(t1)" ::: "t0", "t1"));
    TRY("store to 0x10", __asm__ volatile ("li t1, 0x10\n\tsh zero, 0(t1)" ::: "t1"));
    TRY("load from uart+0x100", __asm__ volatile ("li t1, 0x10000100\n\tlw t0, 0(t1)" ::: "t0", "t1"));
#if __riscv_xlen == 64
    TRY("ld from 0x100000000 (above RAM)", __asm__ volatile ("li t1, 0x100000000\n\tld t0, 0(t1)" ::: "t0", "t1"));
#endif
    TRY("fetch from 0x100", jump_and_return(0x100));
    TRY("fetch from 0x88000000 (past RAM)", jump_and_return(0x88000000UL));

    /* mstatus across a trap from M and mret: MPIE <- MIE, MIE <- 0, MPP <- M;
       mret restores MIE and sets MPP to U (Priv 1.12 3.3.2). */
    csr_write(mie, 0);
    csr_set(mstatus, MSTATUS_MIE);
    m_trap_hook = capture_status;
    __asm__ volatile ("ecall" ::: "memory");
    m_trap_hook = 0;
    unsigned long after = csr_read(mstatus);
    csr_clear(mstatus, MSTATUS_MIE);
    check("in handler: MIE", (status_in_handler & MSTATUS_MIE) != 0, 0);
    check("in handler: MPIE", (status_in_handler & MSTATUS_MPIE) != 0, 1);
    check("in handler: MPP", (status_in_handler & MSTATUS_MPP) >> 11, PRV_M);
    check("after mret: MIE", (after & MSTATUS_MIE) != 0, 1);
    check("after mret: MPIE", (after & MSTATUS_MPIE) != 0, 1);
    check("after mret: MPP", (after & MSTATUS_MPP) >> 11, PRV_U);
    csr_set(mstatus, MSTATUS_MPP);

    /* ---- S and U, handled in M ---- */
    lower_mode_traps(PRV_S);
    lower_mode_traps(PRV_U);
    check("mstatus.MPP after return to M", (csr_read(mstatus) & MSTATUS_MPP) >> 11, PRV_U);

    /* TVM, TW, TSR trap the S-mode forms. */
    csr_set(mstatus, MSTATUS_TVM);
    {
        int mode = PRV_S;
        LOWER("TVM=1 csrr satp", do_read_satp, 0);
        LOWER("TVM=1 sfence.vma", do_sfence, 0);
    }
    csr_clear(mstatus, MSTATUS_TVM);
    csr_set(mstatus, MSTATUS_TW);
    {
        int mode = PRV_S;
        LOWER("TW=1 wfi", do_wfi, 0);
    }
    csr_clear(mstatus, MSTATUS_TW);
    csr_set(mstatus, MSTATUS_TSR);
    {
        int mode = PRV_S;
        LOWER("TSR=1 sret", do_sret, 0);
    }
    csr_clear(mstatus, MSTATUS_TSR);

    /* ---- delegation to S ---- */
    install_s_trap();
    csr_write(medeleg, (1UL << CAUSE_ECALL_U) | (1UL << CAUSE_BREAKPOINT) | (1UL << CAUSE_ILLEGAL_INSN) |
                       (1UL << CAUSE_LOAD_ACCESS) | (1UL << CAUSE_STORE_ACCESS));
    show("medeleg", csr_read(medeleg));
    lower_mode_traps(PRV_U);
    lower_mode_traps(PRV_S);
    TRY("M-mode illegal is never delegated", __asm__ volatile (".word 0x0000000b"));

    /* sret from S into U. */
    trap_expect();
    long r = call_in_mode(PRV_S, s_sret_to_u, 0);
    kprintf("sret S->U -> %lx: ", r);
    print_trap("");
    csr_write(medeleg, 0);
    finish();
}
