/*
 * csr: the Zicsr instructions (csrrw/s/c and the immediate forms), machine
 * information registers, misa, mstatus/sstatus fields (WARL), mie/mip/
 * mideleg/medeleg/sie, trap CSRs, counters (cycle/time/instret and their
 * M-mode and rv32 high halves, mcounteren/scounteren gating), menvcfg.STCE,
 * and the illegal-instruction trap for unimplemented or read-only CSRs
 * (mtval = the instruction bits). Timer and counter values are never
 * printed, only whether they advance.
 */
#include "lib.h"

static void show_mstatus(const char *what)
{
    show(what, csr_read(mstatus));
}

static void mstatus_fields(void)
{
    static const struct { const char *name; unsigned long bit; } fields[] = {
        { "SIE", MSTATUS_SIE }, { "MIE", MSTATUS_MIE }, { "SPIE", MSTATUS_SPIE },
        { "MPIE", MSTATUS_MPIE }, { "SPP", MSTATUS_SPP }, { "MPRV", MSTATUS_MPRV },
        { "SUM", MSTATUS_SUM }, { "MXR", MSTATUS_MXR }, { "TVM", MSTATUS_TVM },
        { "TW", MSTATUS_TW }, { "TSR", MSTATUS_TSR },
    };
    show_mstatus("mstatus at reset");
    csr_write(mie, 0);   /* so setting MIE takes no interrupt */
    csr_set(mstatus, MSTATUS_MPP);   /* MPRV with MPP=U would apply U-mode (PMP) checks to M's loads */
    show_mstatus("mstatus with MPP=M");
    for (unsigned i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        unsigned long before = csr_read(mstatus);
        csr_set(mstatus, fields[i].bit);
        unsigned long set = csr_read(mstatus);
        csr_clear(mstatus, fields[i].bit);
        unsigned long cleared = csr_read(mstatus);
        kprintf("mstatus.%-4s set ", fields[i].name);
        print_hex(set);
        puts(" cleared ");
        print_hex(cleared);
        putc('\n');
        if (!(set & fields[i].bit) || (cleared & fields[i].bit) || cleared != before) check_failures++;
    }
    /* MPP: M, S and U are legal values. */
    for (unsigned long m = 0; m < 4; m++) {
        if (m == 2) continue;   /* reserved: WARL, QEMU keeps it, the spec does not say */
        csr_clear(mstatus, MSTATUS_MPP);
        csr_set(mstatus, m << 11);
        kprintf("mstatus.MPP=%lu reads ", m);
        print_hex((csr_read(mstatus) & MSTATUS_MPP) >> 11);
        putc('\n');
    }
    csr_set(mstatus, MSTATUS_MPP);
    /* sstatus is a view of mstatus: only S fields show and can be written. */
    csr_write(sstatus, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_MIE |
                       MSTATUS_MPIE | MSTATUS_TVM);
    show("sstatus after writing S fields (+MIE,MPIE,TVM)", csr_read(sstatus));
    show_mstatus("mstatus then");
    check("sstatus write leaves MIE/MPIE/TVM", csr_read(mstatus) & (MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_TVM), 0);
    csr_write(sstatus, 0);
    show("sstatus after 0", csr_read(sstatus));
    show_mstatus("mstatus then");
}

static void interrupt_regs(void)
{
    mtimecmp_write(0, ~0ULL);    /* MTIP off: mtimecmp resets to 0 on QEMU */
    csr_write(mie, 0xaaa);
    check("mie = 0xaaa", csr_read(mie), 0xaaa);
    csr_write(mie, 0);
    csr_write(mideleg, 0x222);
    check("mideleg = 0x222", csr_read(mideleg), 0x222);
    csr_write(sie, 0x222);
    check("sie (delegated)", csr_read(sie), 0x222);
    check("mie shows sie bits", csr_read(mie), 0x222);
    csr_write(mideleg, 0);
    check("sie reads 0 when nothing is delegated", csr_read(sie), 0);
    csr_write(mie, 0);
    /* M-mode can set SSIP, STIP and SEIP; MTIP/MSIP/MEIP are read-only here. */
    csr_write(mip, 0xaaa);
    check("mip after writing 0xaaa", csr_read(mip), 0x222);
    csr_write(mideleg, 0x222);
    check("sip view (delegated)", csr_read(sip), 0x222);
    csr_write(sip, 0);           /* only SSIP is writable through sip */
    check("sip after writing 0", csr_read(sip), 0x220);
    csr_write(mip, 0);
    check("mip cleared", csr_read(mip), 0);
    csr_write(mideleg, 0);
    csr_write(medeleg, 0xb3ff);
    check("medeleg = 0xb3ff", csr_read(medeleg), 0xb3ff);
    csr_write(medeleg, 0);
}

static void trap_regs(void)
{
    unsigned long base = 0x80001100UL;
    csr_write(mtvec, base);
    check("mtvec direct", csr_read(mtvec), base);
    csr_write(mtvec, base | 1);
    check("mtvec vectored", csr_read(mtvec), base | 1);
    csr_write(stvec, base + 0x40);
    check("stvec direct", csr_read(stvec), base + 0x40);
    csr_write(stvec, base | 1);
    check("stvec vectored", csr_read(stvec), base | 1);
    install_m_trap();
    csr_write(mepc, 0x80000124UL);
    check("mepc", csr_read(mepc), 0x80000124UL);
    csr_write(mepc, 0x80000122UL);
    check("mepc 2-aligned (C)", csr_read(mepc), 0x80000122UL);
    csr_write(sepc, 0x80000126UL);
    check("sepc", csr_read(sepc), 0x80000126UL);
    csr_write(mcause, CAUSE_INTERRUPT | 7);
    check("mcause", csr_read(mcause), CAUSE_INTERRUPT | 7);
    csr_write(mtval, 0x1234);
    check("mtval", csr_read(mtval), 0x1234);
    csr_write(scause, 13);
    check("scause", csr_read(scause), 13);
    csr_write(stval, 0x5678);
    check("stval", csr_read(stval), 0x5678);
    csr_write(sscratch, 0x9abc);
    check("sscratch", csr_read(sscratch), 0x9abc);
    csr_write(satp, 0);
    check("satp bare", csr_read(satp), 0);
}

static void csr_instructions(void)
{
    unsigned long old;
    csr_write(mscratch, 0x12345678UL);
    check("mscratch", csr_read(mscratch), 0x12345678UL);
    __asm__ volatile ("csrrw %0, mscratch, %1" : "=r"(old) : "r"(0xf0UL));
    check("csrrw old", old, 0x12345678UL);
    __asm__ volatile ("csrrs %0, mscratch, %1" : "=r"(old) : "r"(0x0fUL));
    check("csrrs old", old, 0xf0);
    check("csrrs result", csr_read(mscratch), 0xff);
    __asm__ volatile ("csrrc %0, mscratch, %1" : "=r"(old) : "r"(0x3cUL));
    check("csrrc old", old, 0xff);
    check("csrrc result", csr_read(mscratch), 0xc3);
    __asm__ volatile ("csrrwi %0, mscratch, 31" : "=r"(old));
    check("csrrwi old", old, 0xc3);
    __asm__ volatile ("csrrsi %0, mscratch, 0x20 >> 1" : "=r"(old));
    check("csrrsi old", old, 31);
    __asm__ volatile ("csrrci %0, mscratch, 1" : "=r"(old));
    check("csrrci old", old, 31);
    check("csrrci result", csr_read(mscratch), 30);
    csr_write(mscratch, ~0UL);
    check("mscratch all ones", csr_read(mscratch), ~0UL);
    /* csrrs/csrrc with x0 and csrrsi/csrrci with 0 do not write: legal on read-only CSRs. */
    __asm__ volatile ("csrrs %0, mvendorid, x0" : "=r"(old));
    check("csrrs mvendorid, x0", old, 0);
    __asm__ volatile ("csrrci %0, mhartid, 0" : "=r"(old));
    check("csrrci mhartid, 0", old, 0);
}

static void info_regs(void)
{
    unsigned long misa = csr_read(misa);
    show("misa", misa);
    check("misa.MXL", misa >> (XLEN - 2), XLEN == 64 ? 2 : 1);
    unsigned long ext = misa & 0x3ffffff;
    kprintf("misa extensions: ");
    for (int i = 0; i < 26; i++)
        if (ext & (1UL << i)) putc('A' + i);
    putc('\n');
    check("misa has IMACSU", ext & 0x141105, 0x141105);
    check("mvendorid", csr_read(mvendorid), 0);
    check("mhartid", csr_read(mhartid), 0);
}

static volatile unsigned long spin_sink;

static void spin(void)
{
    for (int i = 0; i < 2000; i++) spin_sink += i;
}

static void counters(void)
{
    unsigned long c1 = csr_read(cycle), i1 = csr_read(instret), t1 = csr_read(time);
    unsigned long mc1 = csr_read(mcycle), mi1 = csr_read(minstret);
    uint64_t mt1 = mtime_read();
    spin();
    unsigned long c2 = csr_read(cycle), i2 = csr_read(instret), t2 = csr_read(time);
    unsigned long mc2 = csr_read(mcycle), mi2 = csr_read(minstret);
    uint64_t mt2 = mtime_read();
    check("cycle advances", c2 > c1, 1);
    check("instret advances", i2 > i1, 1);
    check("mcycle advances", mc2 > mc1, 1);
    check("minstret advances", mi2 > mi1, 1);
    check("time advances", t2 > t1, 1);
    check("mtime advances", mt2 > mt1, 1);
    check("time follows CLINT mtime", (uint64_t)t2 >= mt1 && (uint64_t)t1 <= mt2, 1);
#if __riscv_xlen == 32
    unsigned long ch = csr_read(cycleh), th = csr_read(timeh), ih = csr_read(instreth);
    unsigned long mch = csr_read(mcycleh), mih = csr_read(minstreth);
    check("timeh matches mtime high", th, (unsigned long)(mtime_read() >> 32));
    /* QEMU's cycle count follows the host clock, so only the direction is portable. */
    check("cycleh/instreth readable and monotonic",
          csr_read(cycleh) >= ch && csr_read(instreth) >= ih && csr_read(mcycleh) >= mch && csr_read(minstreth) >= mih, 1);
#endif
    check("mhpmcounter3 reads 0", csr_read(mhpmcounter3), 0);
    check("mhpmcounter31 reads 0", csr_read(mhpmcounter31), 0);
    check("mhpmevent3 reads 0", csr_read(mhpmevent3), 0);
    /* M-mode can write mcycle/minstret; they keep counting from the value. */
    csr_write(mcycle, 0x1000);
    unsigned long w = csr_read(mcycle);
    check("mcycle written", w >= 0x1000 && w < 0x1000 + (1UL << 30), 1);
    csr_write(minstret, 0x2000);
    w = csr_read(minstret);
    check("minstret written", w >= 0x2000 && w < 0x2000 + (1UL << 30), 1);
}

static long read_cycle(long unused) { return (long)csr_read(cycle); }
static long read_time(long unused) { return (long)csr_read(time); }
static long read_instret(long unused) { return (long)csr_read(instret); }

static void counter_gating(void)
{
    static const struct { const char *name; long (*fn)(long); } ctrs[] = {
        { "cycle", read_cycle }, { "time", read_time }, { "instret", read_instret },
    };
    pmp_allow_all();
    static const struct { unsigned long m, s; int mode; } cases[] = {
        { 0, 0, PRV_S }, { 7, 0, PRV_S }, { 7, 0, PRV_U }, { 7, 7, PRV_U }, { 0, 7, PRV_U }, { 5, 7, PRV_U },
    };
    for (unsigned c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        csr_write(mcounteren, cases[c].m);
        csr_write(scounteren, cases[c].s);
        for (unsigned k = 0; k < 3; k++) {
            trap_expect();
            call_in_mode(cases[c].mode, ctrs[k].fn, 0);
            kprintf("mcounteren=%lu scounteren=%lu %s from %c: ", cases[c].m, cases[c].s, ctrs[k].name,
                    cases[c].mode == PRV_S ? 'S' : 'U');
            print_trap("");
        }
    }
    csr_write(mcounteren, 0);
    csr_write(scounteren, 0);
}

static void illegal_csrs(void)
{
    /* Fixed registers so the instruction bits (mtval) are fixed too. */
    trap_expect();
    __asm__ volatile ("csrr t0, 0x7c0" ::: "t0");     /* custom M-mode CSR: not implemented */
    print_trap("csrr 0x7c0 (unimplemented)");
    trap_expect();
    __asm__ volatile ("csrw 0x7c0, t0" ::: "t0");
    print_trap("csrw 0x7c0 (unimplemented)");
    trap_expect();
    __asm__ volatile ("csrr t1, 0x5c0" ::: "t1");     /* custom S-mode CSR */
    print_trap("csrr 0x5c0 (unimplemented)");
    trap_expect();
    __asm__ volatile ("csrw mvendorid, t0" ::: "t0"); /* read-only (0xf11) */
    print_trap("csrw mvendorid (read-only)");
    trap_expect();
    __asm__ volatile ("csrrsi t0, mhartid, 1" ::: "t0");
    print_trap("csrrsi mhartid, 1 (read-only)");
    trap_expect();
    __asm__ volatile ("csrw cycle, t0" ::: "t0");     /* user counters are read-only */
    print_trap("csrw cycle (read-only)");
    /* rs1 != x0 is a write even when the value is 0 (Zicsr 9.1); QEMU 7.2 instead looks
       at the value, so use a non-zero one. */
    trap_expect();
    __asm__ volatile ("li t1, 1\n\tcsrrs t0, time, t1" ::: "t0", "t1");
    print_trap("csrrs time, t1=1 (write to read-only)");
}

static void envcfg(void)
{
#if __riscv_xlen == 64
    csr_write(0x30a, 1UL << 63);                       /* menvcfg.STCE */
    check("menvcfg.STCE", csr_read(0x30a) >> 63, 1);
    csr_write(0x30a, 0);
    check("menvcfg.STCE cleared", csr_read(0x30a) >> 63, 0);
#else
    csr_write(0x31a, 1UL << 31);                       /* menvcfgh.STCE */
    check("menvcfgh.STCE", csr_read(0x31a) >> 31, 1);
    csr_write(0x31a, 0);
    check("menvcfgh.STCE cleared", csr_read(0x31a) >> 31, 0);
#endif
}

int main(void)
{
    install_m_trap();
    kprintf("csr: rv%d\n", XLEN);
    info_regs();
    csr_instructions();
    mstatus_fields();
    interrupt_regs();
    trap_regs();
    counters();
    counter_gating();
    illegal_csrs();
    envcfg();
    finish();
}
