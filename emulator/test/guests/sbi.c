/*
 * An S-mode guest of an SBI: every extension probed, every function called, with good
 * and bad arguments, and what each call returns printed. Run under our built-in SBI
 * (--bios builtin) and under OpenSBI on QEMU (-bios fw_dynamic.bin); sbi.test.ts
 * compares the two outputs but for the lines that differ on purpose. Only the boot hart
 * prints (OpenSBI boots on whichever of harts 0 and 1 wins its lottery, so the guest names
 * them "boot" and "other"); the other hart (started, stopped and suspended through HSM)
 * leaves what it saw in memory.
 * The run ends with SRST shutdown: exit status 0.
 */
#include "lib.h"

#define EXT_BASE   0x10
#define EXT_TIME   0x54494D45
#define EXT_IPI    0x735049
#define EXT_RFENCE 0x52464E43
#define EXT_HSM    0x48534D
#define EXT_SRST   0x53525354
#define EXT_DBCN   0x4442434E
#define EXT_PMU    0x504D55
#define EXT_SUSP   0x53555350

#define SIE_SSIE (1UL << IRQ_S_SOFT)
#define SIE_STIE (1UL << IRQ_S_TIMER)

struct sbiret { long error; long value; };

static struct sbiret sbi(long eid, long fid, unsigned long a0, unsigned long a1, unsigned long a2,
                         unsigned long a3, unsigned long a4)
{
    register unsigned long r0 __asm__("a0") = a0, r1 __asm__("a1") = a1, r2 __asm__("a2") = a2;
    register unsigned long r3 __asm__("a3") = a3, r4 __asm__("a4") = a4;
    register unsigned long r6 __asm__("a6") = (unsigned long)fid, r7 __asm__("a7") = (unsigned long)eid;
    __asm__ volatile ("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r3), "r"(r4), "r"(r6), "r"(r7) : "memory");
    return (struct sbiret){ (long)r0, (long)r1 };
}
#define SBI0(e, f) sbi(e, f, 0, 0, 0, 0, 0)
#define SBI1(e, f, a) sbi(e, f, a, 0, 0, 0, 0)

/* A legacy call: one value back in a0; a1 must come back untouched. */
static long legacy(long eid, unsigned long a0, unsigned long *a1_after)
{
    register unsigned long r0 __asm__("a0") = a0, r1 __asm__("a1") = 0x5a5aUL;
    register unsigned long r7 __asm__("a7") = (unsigned long)eid;
    __asm__ volatile ("ecall" : "+r"(r0), "+r"(r1) : "r"(r7) : "memory");
    if (a1_after) *a1_after = r1;
    return (long)r0;
}

static void say(const char *what, struct sbiret r)
{
    kprintf("%s: error=%ld value=%lx\n", what, r.error, (unsigned long)r.value);
}

/* ---- interrupts, counted per hart (tp = hartid, sbi_start.S) ---- */
static volatile unsigned long ssi_count[MAX_HARTS], sti_count[MAX_HARTS];

static unsigned long hartid(void) { unsigned long t; __asm__ volatile ("mv %0, tp" : "=r"(t)); return t; }

static int on_trap(struct trap_frame *f)
{
    if (!(f->cause & CAUSE_INTERRUPT)) return 0;
    unsigned long irq = f->cause & ~CAUSE_INTERRUPT;
    if (irq == IRQ_S_SOFT) { csr_clear(sip, SIE_SSIE); ssi_count[hartid()]++; return 1; }
    if (irq == IRQ_S_TIMER) { SBI1(EXT_TIME, 0, ~0UL); sti_count[hartid()]++; return 1; }
    return 0;
}

static unsigned long now(void) { return csr_read(time); }

/*
 * Spin until *p reaches n, for at most 2 s of guest time: bounded by the clock, not by a
 * count of iterations, because on QEMU with one host thread for all harts the other hart
 * runs only when the round-robin switches to it (every 100 ms of host time at the latest).
 */
static void wait_count(volatile unsigned long *p, unsigned long n)
{
    unsigned long start = now();
    while (*p < n && now() - start < 20000000UL) {
    }
}

/* ---- hart 1: what it saw each time it entered, and what hart 0 asks of it ---- */
#define OPQ_START   0x1234
#define OPQ_IPI     0x2345
#define OPQ_SUSPEND 0x3456
#define OPQ_RESUMED 0x4567
static volatile struct { unsigned long entries, a0, a1, satp, sie_bit, ipis; long suspend_error; } h1;
/* The boot hart and the other one (harts 0 and 1). */
static unsigned long me, other;
static volatile unsigned long h1_go_stop, h1_may_suspend;
void secondary_start(void);   /* sbi_start.S */
void secondary(unsigned long id, unsigned long opaque);

void secondary(unsigned long id, unsigned long opaque)
{
    h1.a0 = id;
    h1.a1 = opaque;
    h1.satp = csr_read(satp);
    h1.sie_bit = csr_read(sstatus) & MSTATUS_SIE;
    install_s_trap();
    if (opaque == OPQ_IPI) {
        csr_set(sie, SIE_SSIE);
        csr_set(sstatus, MSTATUS_SIE);
        __sync_synchronize();
        h1.entries++;
        while (ssi_count[id] == 0) __asm__ volatile ("wfi");
        csr_clear(sstatus, MSTATUS_SIE);
        h1.ipis = ssi_count[id];
    } else if (opaque == OPQ_SUSPEND) {
        /* Non-retentive suspend: the timer wakes it at secondary_start with OPQ_RESUMED. */
        /* Suspends only once hart 0 has printed what this entry saw: the resume
           overwrites it. */
        __sync_synchronize();
        h1.entries++;
        while (!h1_may_suspend) {
        }
        h1_may_suspend = 0;
        csr_write(sie, SIE_STIE);
        SBI1(EXT_TIME, 0, now() + 20000);
        struct sbiret r = sbi(EXT_HSM, 3, 0x80000000UL, (unsigned long)secondary_start, OPQ_RESUMED, 0, 0);
        h1.suspend_error = r.error ? r.error : 99;   /* a non-retentive suspend never returns */
    } else {
        if (opaque == OPQ_RESUMED) SBI1(EXT_TIME, 0, ~0UL);
        __sync_synchronize();
        h1.entries++;
    }
    while (!h1_go_stop) {
    }
    h1_go_stop = 0;
    SBI0(EXT_HSM, 1);   /* hart_stop: does not return */
    h1.suspend_error = -100;
}
static long status1(void) { return SBI1(EXT_HSM, 2, other).value; }

/* Hart 1 started with `opaque` and back in STOPPED: what it saw. */
static void run_hart1(unsigned long opaque, const char *what)
{
    unsigned long entries = h1.entries;
    struct sbiret r = sbi(EXT_HSM, 0, other, (unsigned long)secondary_start, opaque, 0, 0);
    say(what, r);
    if (r.error) return;
    while (h1.entries == entries) {
    }
    kprintf("  other hart: a0 is its id: %d a1=%lx satp=%lx sstatus.SIE=%lu\n", h1.a0 == other, h1.a1, h1.satp, h1.sie_bit);
    if (opaque == OPQ_SUSPEND) h1_may_suspend = 1;
    if (opaque == OPQ_START) say("  hart_start again (started)", sbi(EXT_HSM, 0, other, (unsigned long)secondary_start, opaque, 0, 0));
}

static void stop_hart1(void)
{
    h1_go_stop = 1;
    unsigned long s = 0, start = now();
    while ((s = status1()) != 1 && now() - start < 20000000UL) {
    }
    kprintf("  other hart: status after hart_stop = %lu\n", s);
}

static char dbcn_text[] = "dbcn: written through console_write\n";
static char dbcn_in[16];

int main(void)
{
    install_s_trap();
    s_trap_hook = on_trap;
    me = hartid();
    other = me ^ 1;
    puts("sbi: S-mode guest\n");

    /* BASE */
    say("base.spec_version", SBI0(EXT_BASE, 0));
    say("base.impl_id", SBI0(EXT_BASE, 1));
    say("base.impl_version", SBI0(EXT_BASE, 2));
    say("base.mvendorid", SBI0(EXT_BASE, 4));
    say("base.marchid", SBI0(EXT_BASE, 5));
    say("base.mimpid", SBI0(EXT_BASE, 6));
    say("base.fid7", SBI0(EXT_BASE, 7));
    static const struct { const char *name; long eid; } exts[] = {
        { "BASE", EXT_BASE }, { "TIME", EXT_TIME }, { "IPI", EXT_IPI }, { "RFENCE", EXT_RFENCE },
        { "HSM", EXT_HSM }, { "SRST", EXT_SRST }, { "DBCN", EXT_DBCN }, { "PMU", EXT_PMU },
        { "SUSP", EXT_SUSP }, { "legacy0", 0 }, { "legacy1", 1 }, { "legacy2", 2 }, { "legacy3", 3 },
        { "legacy4", 4 }, { "legacy5", 5 }, { "legacy6", 6 }, { "legacy7", 7 }, { "legacy8", 8 },
        { "legacy9", 9 }, { "unknown", 0x12345678 },
    };
    for (unsigned i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        kprintf("probe %s: ", exts[i].name);
        say("", SBI1(EXT_BASE, 3, (unsigned long)exts[i].eid));
    }
    say("unknown extension", SBI0(0x12345678, 0));
    say("unknown fid of TIME", SBI0(EXT_TIME, 1));

    /* TIME: set_timer fires a supervisor timer interrupt, and clears it */
    csr_set(sie, SIE_STIE);
    csr_set(sstatus, MSTATUS_SIE);
    say("time.set_timer", SBI1(EXT_TIME, 0, now() + 10000));
    wait_count(&sti_count[me], 1);
    kprintf("timer interrupts = %lu\n", sti_count[me]);
    csr_clear(sstatus, MSTATUS_SIE);
    say("time.set_timer(past)", SBI1(EXT_TIME, 0, 0));
    kprintf("sip.STIP after set_timer(past) = %lu\n", (csr_read(sip) >> IRQ_S_TIMER) & 1);
    SBI1(EXT_TIME, 0, ~0UL);
    kprintf("sip.STIP after set_timer(-1) = %lu\n", (csr_read(sip) >> IRQ_S_TIMER) & 1);
    csr_clear(sie, SIE_STIE);

    /* IPI to ourselves, and with bad masks */
    csr_set(sie, SIE_SSIE);
    csr_set(sstatus, MSTATUS_SIE);
    say("ipi.send_ipi(self)", sbi(EXT_IPI, 0, 1, me, 0, 0, 0));
    wait_count(&ssi_count[me], 1);
    say("ipi.send_ipi(all, base -1)", sbi(EXT_IPI, 0, 0, ~0UL, 0, 0, 0));
    wait_count(&ssi_count[me], 2);
    kprintf("software interrupts = %lu\n", ssi_count[me]);
    say("ipi.send_ipi(base 100)", sbi(EXT_IPI, 0, 1, 100, 0, 0, 0));
    say("ipi.send_ipi(hart 9)", sbi(EXT_IPI, 0, 1UL << 9, 0, 0, 0, 0));

    /* RFENCE */
    say("rfence.fence_i", sbi(EXT_RFENCE, 0, 1, 0, 0, 0, 0));
    say("rfence.sfence_vma", sbi(EXT_RFENCE, 1, 0, ~0UL, 0, 0, 0));
    say("rfence.sfence_vma_asid", sbi(EXT_RFENCE, 2, 1, 0, 0x80200000UL, 4096, 1));
    say("rfence.hfence_gvma_vmid", sbi(EXT_RFENCE, 3, 1, 0, 0, 0, 0));
    say("rfence.hfence_vvma", sbi(EXT_RFENCE, 6, 1, 0, 0, 0, 0));
    say("rfence.fence_i(base 100)", sbi(EXT_RFENCE, 0, 1, 100, 0, 0, 0));

    /* HSM: hart 1 starts stopped */
    kprintf("other hart: status at boot = %ld\n", status1());
    say("hsm.get_status(hart 99)", SBI1(EXT_HSM, 2, 99));
    say("hsm.hart_start(hart 99)", sbi(EXT_HSM, 0, 99, (unsigned long)secondary_start, 0, 0, 0));
    say("hsm.hart_start(CLINT address)", sbi(EXT_HSM, 0, other, CLINT_BASE, 0, 0, 0));
    say("hsm.hart_start(self, running)", sbi(EXT_HSM, 0, me, (unsigned long)secondary_start, 0, 0, 0));
    say("hsm.fid9", SBI0(EXT_HSM, 9));
    run_hart1(OPQ_START, "hsm.hart_start");
    kprintf("  other hart: status = %ld\n", status1());
    stop_hart1();
    /* Started again, hart 1 takes an IPI from us. */
    run_hart1(OPQ_IPI, "hsm.hart_start(ipi)");
    say("  ipi.send_ipi(other)", sbi(EXT_IPI, 0, 1, other, 0, 0, 0));
    wait_count(&h1.ipis, 1);
    kprintf("  other hart: software interrupts = %lu\n", h1.ipis);
    stop_hart1();
    /* Non-retentive suspend on hart 1: it wakes at secondary_start with the resume value. */
    {
        /* Counted from before the start: the timer may wake it (its second entry) while
           run_hart1 is still printing what the first entry saw. */
        unsigned long entries = h1.entries;
        run_hart1(OPQ_SUSPEND, "hsm.hart_start(suspend)");
        while (h1.entries < entries + 2) {
        }
        kprintf("  other hart resumed: a0 is its id: %d a1=%lx satp=%lx sstatus.SIE=%lu suspend_error=%ld\n",
                h1.a0 == other, h1.a1, h1.satp, h1.sie_bit, h1.suspend_error);
        kprintf("  other hart: status = %ld\n", status1());
    }
    stop_hart1();
    /* Retentive suspend on hart 0: a timer interrupt (enabled in sie, SIE off) ends it. */
    csr_clear(sstatus, MSTATUS_SIE);
    csr_write(sie, SIE_STIE);
    SBI1(EXT_TIME, 0, now() + 10000);
    say("hsm.hart_suspend(retentive)", sbi(EXT_HSM, 3, 0, 0, 0, 0, 0));
    kprintf("  sip.STIP after resume = %lu\n", (csr_read(sip) >> IRQ_S_TIMER) & 1);
    SBI1(EXT_TIME, 0, ~0UL);
    csr_write(sie, 0);
    say("hsm.hart_suspend(reserved type 1)", sbi(EXT_HSM, 3, 1, 0, 0, 0, 0));
    say("hsm.hart_suspend(reserved type 0x80000001)", sbi(EXT_HSM, 3, 0x80000001UL, 0, 0, 0, 0));
    say("hsm.hart_suspend(non-retentive, CLINT)", sbi(EXT_HSM, 3, 0x80000000UL, CLINT_BASE, 0, 0, 0));

    /* DBCN (SBI 2.0) */
    say("dbcn.write", sbi(EXT_DBCN, 0, sizeof dbcn_text - 1, (unsigned long)dbcn_text, 0, 0, 0));
    say("dbcn.write_byte", SBI1(EXT_DBCN, 2, '\n'));
    say("dbcn.read", sbi(EXT_DBCN, 1, sizeof dbcn_in, (unsigned long)dbcn_in, 0, 0, 0));
    say("dbcn.write(address 0)", sbi(EXT_DBCN, 0, 4, 0, 0, 0, 0));
    say("dbcn.write(past the end of RAM)", sbi(EXT_DBCN, 0, 64, DRAM_BASE + (128UL << 20) - 16, 0, 0, 0));
    say("dbcn.write(huge length)", sbi(EXT_DBCN, 0, ~0UL, (unsigned long)dbcn_text, 0, 0, 0));
    say("dbcn.write(base_hi)", sbi(EXT_DBCN, 0, 4, (unsigned long)dbcn_text, 1, 0, 0));
    say("dbcn.read(MMIO)", sbi(EXT_DBCN, 1, 1, UART0_BASE, 0, 0, 0));
    say("dbcn.fid3", SBI0(EXT_DBCN, 3));

    /* Legacy (v0.1) */
    unsigned long a1;
    long r = legacy(1, 'L', &a1);
    kprintf("\nlegacy.putchar = %ld a1=%lx\n", r, a1);
    r = legacy(2, 0, &a1);
    kprintf("legacy.getchar = %ld a1=%lx\n", r, a1);
    kprintf("legacy.clear_ipi = %ld\n", legacy(3, 0, 0));
    unsigned long self = 1UL << me;
    unsigned long before = ssi_count[me];
    csr_write(sie, SIE_SSIE);
    csr_set(sstatus, MSTATUS_SIE);
    kprintf("legacy.send_ipi = %ld\n", legacy(4, (unsigned long)&self, 0));
    wait_count(&ssi_count[me], before + 1);
    kprintf("software interrupts = %lu\n", ssi_count[me] - before);
    kprintf("legacy.remote_fence_i = %ld\n", legacy(5, (unsigned long)&self, 0));
    kprintf("legacy.set_timer(-1) = %ld\n", legacy(0, ~0UL, 0));
    kprintf("legacy.9 = %ld\n", legacy(9, 0, 0));
    trap_expect();
    legacy(4, UNMAPPED_ADDR + 8, 0);
    print_trap("legacy.send_ipi(unmapped mask)");
    trap_disarm();
    csr_clear(sstatus, MSTATUS_SIE);

    /* SRST: bad arguments, then shutdown */
    say("srst.reset(type 3)", sbi(EXT_SRST, 0, 3, 0, 0, 0, 0));
    say("srst.reset(reason 2)", sbi(EXT_SRST, 0, 0, 2, 0, 0, 0));
    say("srst.fid1", SBI0(EXT_SRST, 1));
    puts("srst: shutdown\n");
    sbi(EXT_SRST, 0, 0, 0, 0, 0, 0);
    puts("srst: still running\n");
    return 5;
}
