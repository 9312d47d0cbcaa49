/* Shared guest support; see lib.h. Written for -O2 -ffreestanding -nostdlib. */
#include "lib.h"

/* ---- ns16550a: THR at +0, LSR at +5 (THRE = bit 5) ---- */
#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_THRE 0x20

void putc(char c)
{
    while ((mmio_read8(UART0_BASE + UART_LSR) & UART_LSR_THRE) == 0) {
    }
    mmio_write8(UART0_BASE + UART_THR, (uint8_t)c);
}

void puts(const char *s)
{
    while (*s) putc(*s++);
}

static void put_hex_digits(uint64_t v, int digits)
{
    for (int i = digits - 1; i >= 0; i--) putc("0123456789abcdef"[(v >> (4 * i)) & 0xf]);
}

void print_hex(unsigned long v) { put_hex_digits(v, REG_FMT_DIGITS); }
void print_hex64(uint64_t v) { put_hex_digits(v, 16); }
void print_hex32(uint32_t v) { put_hex_digits(v, 8); }

void print_dec(long v)
{
    char buf[24];
    int n = 0;
    unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
    do {
        buf[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) putc('-');
    while (n) putc(buf[--n]);
}

/* ---- a small printf: enough for hex dumps and counters ---- */
static int emit_num(uint64_t u, int neg, unsigned base, int width, char pad)
{
    char buf[24];
    int n = 0, out = 0;
    do {
        buf[n++] = "0123456789abcdef"[u % base];
        u /= base;
    } while (u);
    int len = n + (neg ? 1 : 0);
    if (neg && pad == '0') { putc('-'); out++; }
    for (; width > len; width--) { putc(pad); out++; }
    if (neg && pad != '0') { putc('-'); out++; }
    while (n) { putc(buf[--n]); out++; }
    return out;
}

int kvprintf(const char *fmt, va_list ap)
{
    int out = 0;
    for (; *fmt; fmt++) {
        if (*fmt != '%') { putc(*fmt); out++; continue; }
        fmt++;
        char pad = ' ';
        int width = 0, longs = 0, left = 0;
        if (*fmt == '-') { left = 1; fmt++; }
        if (*fmt == '0') { pad = '0'; fmt++; }
        while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l') { longs++; fmt++; }
        switch (*fmt) {
        case 'd': {
            int64_t v = longs >= 2 ? va_arg(ap, long long) : longs ? va_arg(ap, long) : va_arg(ap, int);
            out += emit_num(v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, width, pad);
            break;
        }
        case 'u':
        case 'x': {
            uint64_t v = longs >= 2 ? va_arg(ap, unsigned long long)
                       : longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
            out += emit_num(v, 0, *fmt == 'x' ? 16 : 10, width, pad);
            break;
        }
        case 'p':
            out += emit_num((unsigned long)va_arg(ap, void *), 0, 16, REG_FMT_DIGITS, '0');
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            int len = (int)strlen(s);
            if (!left)
                for (; width > len; width--) { putc(' '); out++; }
            puts(s);
            out += len;
            if (left)
                for (; width > len; width--) { putc(' '); out++; }
            break;
        }
        case 'c': putc((char)va_arg(ap, int)); out++; break;
        case '%': putc('%'); out++; break;
        case 0: return out;
        default: putc('%'); putc(*fmt); out += 2; break;
        }
    }
    return out;
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}

/* ---- exit through sifive_test: 0x5555 pass, (code << 16) | 0x3333 fail ---- */
void exit_pass(void)
{
    mmio_write32(SIFIVE_TEST, 0x5555);
    for (;;) __asm__ volatile ("wfi");
}

void exit_fail(unsigned code)
{
    mmio_write32(SIFIVE_TEST, (code << 16) | 0x3333);
    for (;;) __asm__ volatile ("wfi");
}

/* ---- CLINT: 64-bit registers read as two words so rv32 and rv64 agree ---- */
uint64_t mtime_read(void)
{
#if __riscv_xlen == 64
    return *(volatile uint64_t *)CLINT_MTIME;
#else
    uint32_t hi, lo;
    do {
        hi = mmio_read32(CLINT_MTIME + 4);
        lo = mmio_read32(CLINT_MTIME);
    } while (hi != mmio_read32(CLINT_MTIME + 4));
    return ((uint64_t)hi << 32) | lo;
#endif
}

void mtimecmp_write(unsigned hart, uint64_t v)
{
#if __riscv_xlen == 64
    *(volatile uint64_t *)CLINT_MTIMECMP(hart) = v;
#else
    /* Raise the high word first so no spurious match happens in between. */
    mmio_write32(CLINT_MTIMECMP(hart) + 4, 0xffffffff);
    mmio_write32(CLINT_MTIMECMP(hart), (uint32_t)v);
    mmio_write32(CLINT_MTIMECMP(hart) + 4, (uint32_t)(v >> 32));
#endif
}

/* ---- self-checking ---- */
unsigned check_failures;

void show(const char *name, unsigned long v)
{
    kprintf("%s = ", name);
    print_hex(v);
    putc('\n');
}

void show64(const char *name, uint64_t v)
{
    kprintf("%s = ", name);
    print_hex64(v);
    putc('\n');
}

void check(const char *name, unsigned long got, unsigned long expected)
{
    show(name, got);
    if (got != expected) {
        puts("  MISMATCH expected ");
        print_hex(expected);
        putc('\n');
        check_failures++;
    }
}

void check64(const char *name, uint64_t got, uint64_t expected)
{
    show64(name, got);
    if (got != expected) {
        puts("  MISMATCH expected ");
        print_hex64(expected);
        putc('\n');
        check_failures++;
    }
}

void finish(void)
{
    if (check_failures) {
        kprintf("FAIL: %u check(s) failed\n", check_failures);
        exit_fail(1);
    }
    puts("PASS\n");
    exit_pass();
}

/* ---- string helpers ---- */
void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;
    if ((((uintptr_t)dp | (uintptr_t)sp) & (sizeof(long) - 1)) == 0) {
        for (; n >= sizeof(long); n -= sizeof(long), dp += sizeof(long), sp += sizeof(long))
            *(long *)dp = *(const long *)sp;
    }
    while (n--) *dp++ = *sp++;
    return d;
}

void *memmove(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;
    if (dp <= sp || dp >= sp + n) return memcpy(d, s, n);
    while (n--) dp[n] = sp[n];
    return d;
}

void *memset(void *d, int c, size_t n)
{
    unsigned char *dp = d;
    while (n--) *dp++ = (unsigned char)c;
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y) return *x - *y;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

/* ---- register dump (dump_regs in trap.S saves the registers here) ---- */
static const char *const abi_names[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
    "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

void dump_regs_print(const unsigned long *saved)
{
    for (int i = 1; i < 32; i++) {
        kprintf("x%02d/%-4s=", i, abi_names[i]);
        print_hex(saved[i]);
        putc((i % 4 == 3) ? '\n' : ' ');
    }
    putc('\n');
}

/* ---- traps ---- */
volatile struct trap_record last_trap;
trap_hook_fn m_trap_hook, s_trap_hook;
volatile unsigned long trap_resume_pc;
volatile unsigned long last_vector_slot;
static volatile int trap_armed;

#define CALL_RETURN_MAGIC 0xca11ba5eUL

void install_m_trap(void) { csr_write(mtvec, (unsigned long)trap_entry_m); }
void install_m_trap_vectored(void) { csr_write(mtvec, (unsigned long)trap_vector_table_m | 1); }
void install_s_trap(void) { csr_write(stvec, (unsigned long)trap_entry_s); }

void trap_expect(void)
{
    last_trap.count = 0;
    last_trap.cause = last_trap.tval = last_trap.epc = last_trap.from_mode = 0;
    last_trap.handled_in = '-';
    trap_resume_pc = 0;
    trap_armed = 1;
}

unsigned long trap_count(void) { return last_trap.count; }

void trap_disarm(void) { trap_armed = 0; }

static const char *mode_name(unsigned long m)
{
    return m == PRV_M ? "M" : m == PRV_S ? "S" : m == PRV_U ? "U" : "?";
}

void print_trap(const char *what)
{
    trap_armed = 0;
    if (*what) kprintf("%s: ", what);
    if (!last_trap.count) {
        puts("no trap\n");
        return;
    }
    puts("cause=");
    print_hex(last_trap.cause);
    puts(" tval=");
    print_hex(last_trap.tval);
    kprintf(" from=%s in=%c n=%lu\n", mode_name(last_trap.from_mode), last_trap.handled_in,
            last_trap.count);
}

static void skip_or_resume(struct trap_frame *f)
{
    if (trap_resume_pc) {
        f->epc = trap_resume_pc;
        trap_resume_pc = 0;
    } else {
        f->epc += insn_len(*(volatile uint16_t *)f->epc);
    }
}

static void unexpected(struct trap_frame *f, char in)
{
    kprintf("UNEXPECTED TRAP in %c: cause=", in);
    print_hex(f->cause);
    puts(" epc=");
    print_hex(f->epc);
    puts(" tval=");
    print_hex(f->tval);
    putc('\n');
    exit_fail(0x7e);
}

void call_in_mode_return(long result);   /* trap.S */

void m_trap_handler(struct trap_frame *f)
{
    if (m_trap_hook && m_trap_hook(f)) return;
    unsigned long mpp = (f->status & MSTATUS_MPP) >> 11;
    if ((f->cause == CAUSE_ECALL_U || f->cause == CAUSE_ECALL_S) && f->regs[17] == CALL_RETURN_MAGIC) {
        call_in_mode_return((long)f->regs[10]);
    }
    if (trap_armed && !(f->cause & CAUSE_INTERRUPT)) {
        last_trap.count++;
        last_trap.cause = f->cause;
        last_trap.tval = f->tval;
        last_trap.epc = f->epc;
        last_trap.from_mode = mpp;
        last_trap.handled_in = 'M';
        skip_or_resume(f);
        return;
    }
    unexpected(f, 'M');
}

void s_trap_handler(struct trap_frame *f)
{
    if (s_trap_hook && s_trap_hook(f)) return;
    unsigned long spp = (f->status & MSTATUS_SPP) ? PRV_S : PRV_U;
    if (f->cause == CAUSE_ECALL_U && f->regs[17] == CALL_RETURN_MAGIC) {
        /* Forward to M, which ends call_in_mode(). */
        register long a0 __asm__("a0") = (long)f->regs[10];
        register unsigned long a7 __asm__("a7") = CALL_RETURN_MAGIC;
        __asm__ volatile ("ecall" :: "r"(a0), "r"(a7) : "memory");
    }
    if (trap_armed && !(f->cause & CAUSE_INTERRUPT)) {
        last_trap.count++;
        last_trap.cause = f->cause;
        last_trap.tval = f->tval;
        last_trap.epc = f->epc;
        last_trap.from_mode = spp;
        last_trap.handled_in = 'S';
        skip_or_resume(f);
        return;
    }
    unexpected(f, 'S');
}

long call_in_mode_asm(int mode, long (*fn)(long), long arg, unsigned long stack_top);  /* trap.S */

/* In .stack (link.ld): not part of .bss, so crt0 does not spend time zeroing it. */
static unsigned char lower_stack[MAX_HARTS][8192] __attribute__((section(".stack.lower"), aligned(4096)));

long call_in_mode(int mode, long (*fn)(long), long arg)
{
    unsigned long hart = csr_read(mhartid);
    unsigned long mie_was = csr_read(mstatus) & MSTATUS_MIE;
    csr_clear(mstatus, MSTATUS_MIE);
    long r = call_in_mode_asm(mode, fn, arg, (unsigned long)lower_stack[hart] + sizeof lower_stack[0]);
    csr_set(mstatus, mie_was);
    return r;
}

void pmp_allow_all(void)
{
    csr_write(pmpaddr0, ~0UL);
    csr_write(pmpcfg0, 0x1f);   /* A=NAPOT, R|W|X */
}

__attribute__((weak)) void secondary_main(unsigned long hartid)
{
    (void)hartid;
    for (;;) __asm__ volatile ("wfi");
}

/* crt0.S: main() returned. */
__attribute__((noreturn)) void exit_from_main(int rc)
{
    if (rc == 0) exit_pass();
    exit_fail((unsigned)rc);
}

/* crt0.S: a trap arrived before the program installed a handler. */
__attribute__((noreturn)) void early_trap_report(void)
{
    puts("EARLY TRAP: mcause=");
    print_hex(csr_read(mcause));
    puts(" mepc=");
    print_hex(csr_read(mepc));
    puts(" mtval=");
    print_hex(csr_read(mtval));
    putc('\n');
    exit_fail(0x7f);
}

/* ---- the device tree (devicetree spec 0.4 §5): just enough to find one node ---- */
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9

static uint32_t fdt_be32(const void *p)
{
    const uint8_t *b = p;
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

static int fdt_streq(const char *a, const char *b)
{
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}

int fdt_find_compatible(const char *compatible, unsigned long *base, unsigned *irq)
{
    const uint8_t *fdt = (const uint8_t *)boot_fdt;
    if (fdt_be32(fdt) != 0xd00dfeed) return 0;
    const uint8_t *p = fdt + fdt_be32(fdt + 8);
    const char *strings = (const char *)fdt + fdt_be32(fdt + 12);
    unsigned long reg = 0;
    unsigned intr = 0;
    int match = 0;
    for (;;) {
        uint32_t token = fdt_be32(p);
        p += 4;
        if (token == FDT_BEGIN_NODE) {
            while (*p) p++;
            p = (const uint8_t *)(((unsigned long)p + 4) & ~3UL);
            match = 0; reg = 0; intr = 0;
        } else if (token == FDT_PROP) {
            uint32_t len = fdt_be32(p), name = fdt_be32(p + 4);
            const uint8_t *v = p + 8;
            const char *pn = strings + name;
            if (fdt_streq(pn, "compatible") && fdt_streq((const char *)v, compatible)) match = 1;
            if (fdt_streq(pn, "reg") && len >= 8) reg = ((unsigned long)fdt_be32(v) << 16 << 16) | fdt_be32(v + 4);
            if (fdt_streq(pn, "interrupts") && len >= 4) intr = fdt_be32(v);
            p = (const uint8_t *)(((unsigned long)v + len + 3) & ~3UL);
        } else if (token == FDT_END_NODE) {
            if (match) { *base = reg; *irq = intr; return 1; }
        } else if (token == FDT_NOP) {
            continue;
        } else {
            return 0;
        }
    }
}

/* riscv-plic-spec 1.0.0: priority at 4*src, enables at 0x2000 + 0x80*ctx, claim at 0x200004 + 0x1000*ctx. */
void plic_route_m(unsigned irq)
{
    mmio_write32(PLIC_BASE + 4UL * irq, 1);
    mmio_write32(PLIC_BASE + 0x2000UL + 4UL * (irq / 32), mmio_read32(PLIC_BASE + 0x2000UL + 4UL * (irq / 32)) | (1u << (irq % 32)));
    csr_set(mie, 1UL << IRQ_M_EXT);
    csr_set(mstatus, MSTATUS_MIE);
}

unsigned plic_claim_m(void) { return mmio_read32(PLIC_BASE + 0x200004UL); }
void plic_complete_m(unsigned irq) { mmio_write32(PLIC_BASE + 0x200004UL, irq); }
