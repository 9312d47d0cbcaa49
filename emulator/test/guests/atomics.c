/*
 * atomics: every AMO (.w, and .d on rv64) with old value and result, the
 * aq/rl orderings, lr/sc success and failure, a compare-and-swap loop, and
 * traps from misaligned or unmapped AMOs. QEMU 7.2 reports a misaligned AMO
 * as cause 4 (load misaligned) and an AMO access fault as cause 5; the spec
 * says 6/7. This program prints which class the cause falls in, not the number.
 */
#include "lib.h"
#include "ops.h"

static volatile uint64_t mem[8] __attribute__((aligned(64)));

#define AMO(insn, addr, v) ({ unsigned long old_; \
    __asm__ volatile (insn " %0, %2, (%1)" : "=r"(old_) : "r"(addr), "r"((unsigned long)(v)) : "memory"); old_; })

static const uint64_t inits[] = { 5, 0xffffffffffffffffULL, 0x80000000ULL, 0x8000000000000000ULL, 0x00000001fffffffeULL };
static const uint64_t operands[] = { 3, 1, 0x7fffffffULL, 0xffffffffffffffffULL, 0x0000000280000001ULL };
#define NI (sizeof inits / sizeof inits[0])

#define AMO_ROW(insn) do { \
    kprintf("%-12s", insn); \
    for (unsigned k_ = 0; k_ < NI; k_++) { \
        mem[0] = inits[k_]; \
        unsigned long old_ = AMO(insn, &mem[0], operands[k_]); \
        putc(' '); print_hex(old_); putc('/'); print_hex64(mem[0]); \
    } \
    putc('\n'); \
} while (0)

static unsigned long lr_w(volatile void *a)
{
    unsigned long v;
    __asm__ volatile ("lr.w %0, (%1)" : "=r"(v) : "r"(a) : "memory");
    return v;
}

static unsigned long sc_w(volatile void *a, unsigned long v)
{
    unsigned long r;
    __asm__ volatile ("sc.w %0, %2, (%1)" : "=r"(r) : "r"(a), "r"(v) : "memory");
    return r;
}

static unsigned long cas_w(volatile uint32_t *a, uint32_t expect, uint32_t desired)
{
    unsigned long prev, fail;
    __asm__ volatile ("1: lr.w.aqrl %0, (%2)\n\t"
                      "bne %0, %3, 2f\n\t"
                      "sc.w.rl %1, %4, (%2)\n\t"
                      "bnez %1, 1b\n"
                      "2:"
                      : "=&r"(prev), "=&r"(fail) : "r"(a), "r"((unsigned long)(long)(int32_t)expect), "r"(desired)
                      : "memory");
    return prev;
}

static void fault_class(const char *what)
{
    const char *cls = "none";
    unsigned long c = last_trap.cause;
    if (last_trap.count) {
        cls = (c == CAUSE_MISALIGNED_LOAD || c == CAUSE_MISALIGNED_STORE) ? "misaligned"
            : (c == CAUSE_LOAD_ACCESS || c == CAUSE_STORE_ACCESS) ? "access-fault" : "other";
    }
    kprintf("%s: trap=%s tval=", what, cls);
    print_hex(last_trap.tval);
    putc('\n');
}

int main(void)
{
    install_m_trap();
    kprintf("atomics: rv%d\n", XLEN);
    kprintf("%-12s initial/operand pairs:", "");
    for (unsigned k = 0; k < NI; k++) {
        putc(' ');
        print_hex64(inits[k]);
        putc('/');
        print_hex64(operands[k]);
    }
    putc('\n');
    AMO_ROW("amoswap.w");
    AMO_ROW("amoadd.w");
    AMO_ROW("amoxor.w");
    AMO_ROW("amoand.w");
    AMO_ROW("amoor.w");
    AMO_ROW("amomin.w");
    AMO_ROW("amomax.w");
    AMO_ROW("amominu.w");
    AMO_ROW("amomaxu.w");
    AMO_ROW("amoadd.w.aq");
    AMO_ROW("amoadd.w.rl");
    AMO_ROW("amoadd.w.aqrl");
#if __riscv_xlen == 64
    AMO_ROW("amoswap.d");
    AMO_ROW("amoadd.d");
    AMO_ROW("amoxor.d");
    AMO_ROW("amoand.d");
    AMO_ROW("amoor.d");
    AMO_ROW("amomin.d");
    AMO_ROW("amomax.d");
    AMO_ROW("amominu.d");
    AMO_ROW("amomaxu.d");
    AMO_ROW("amoswap.d.aqrl");
#endif

    mem[0] = 0x00000000fffffff0ULL;
    check("amoadd.w old (sign-extended)", AMO("amoadd.w", &mem[0], 0x20), (unsigned long)-16L);
    check64("amoadd.w wraps in 32 bits", mem[0], 0x0000000000000010ULL);
    mem[0] = 0x1111111180000000ULL;
    check("amomin.w signed", AMO("amomin.w", &mem[0], 1), (unsigned long)(long)(int32_t)0x80000000);
    check64("amomin.w keeps min, upper word untouched", mem[0], 0x1111111180000000ULL);
    check("amomaxu.w", AMO("amomaxu.w", &mem[0], 1), (unsigned long)(long)(int32_t)0x80000000);
    check64("amomaxu.w result", mem[0], 0x1111111180000000ULL);
    /* rd = x0: the memory update still happens. */
    mem[1] = 7;
    __asm__ volatile ("amoadd.w x0, %1, (%0)" :: "r"(&mem[1]), "r"(5L) : "memory");
    check64("amoadd.w rd=x0", mem[1], 12);

    /* lr/sc */
    volatile uint32_t *w = (volatile uint32_t *)&mem[2];
    *w = 100;
    unsigned long v = lr_w(w);
    unsigned long r = sc_w(w, v + 1);
    check("lr.w value", v, 100);
    check("sc.w after lr.w succeeds (0)", r, 0);
    check("sc.w stored", *w, 101);
    r = sc_w(w, 555);
    show("sc.w without reservation (nonzero)", r);
    check("sc.w failed, memory unchanged", *w, 101);
    if (r == 0) check_failures++;
    v = lr_w(w);
    r = sc_w((volatile uint32_t *)&mem[3], 9);
    show("sc.w to another address than lr.w", r);
    check("  other address unchanged", mem[3], 0);
    r = sc_w(w, 9);
    show("sc.w after a failed sc", r);
    check("  memory unchanged", *w, 101);
#if __riscv_xlen == 64
    unsigned long dv, dr;
    mem[4] = 0x0123456789abcdefULL;
    __asm__ volatile ("lr.d %0, (%2)\n\taddi %0, %0, 1\n\tsc.d %1, %0, (%2)" : "=&r"(dv), "=&r"(dr) : "r"(&mem[4]) : "memory");
    check("sc.d after lr.d", dr, 0);
    check64("sc.d stored", mem[4], 0x0123456789abcdf0ULL);
    __asm__ volatile ("sc.d %0, %1, (%2)" : "=&r"(dr) : "r"(1L), "r"(&mem[4]) : "memory");
    show("sc.d without reservation", dr);
#endif
    volatile uint32_t *cw = (volatile uint32_t *)&mem[5];
    *cw = 10;
    check("cas 10->20 returns old", cas_w(cw, 10, 20), 10);
    check("cas 10->30 fails, returns current", cas_w(cw, 10, 30), 20);
    check("cas result", *cw, 20);
    /* A loop of lr/sc increments. */
    *cw = 0;
    for (int i = 0; i < 1000; i++) {
        unsigned long o, f;
        do {
            __asm__ volatile ("lr.w %0, (%2)\n\taddi %0, %0, 1\n\tsc.w %1, %0, (%2)"
                              : "=&r"(o), "=&r"(f) : "r"(cw) : "memory");
        } while (f);
    }
    check("lr/sc increments", *cw, 1000);

    /* Traps. */
    trap_expect();
    AMO("amoadd.w", (volatile char *)&mem[6] + 2, 1);
    fault_class("misaligned amoadd.w");
    trap_expect();
    lr_w((volatile char *)&mem[6] + 1);
    fault_class("misaligned lr.w");
#if __riscv_xlen == 64
    trap_expect();
    AMO("amoswap.d", (volatile char *)&mem[6] + 4, 1);
    fault_class("misaligned amoswap.d");
#endif
    trap_expect();
    AMO("amoor.w", UNMAPPED_ADDR + 0x10, 1);
    fault_class("amoor.w to unmapped");
    finish();
}
