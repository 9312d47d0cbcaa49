/*
 * Shared support for the bare-metal guest programs: console output on the
 * virt board's ns16550a, exit through sifive_test, a tiny printf, CSR access,
 * trap handling and privilege-mode switching.
 *
 * Every program runs in M-mode from 0x80000000 (QEMU: -bios none), hart 0 in
 * main(), other harts in secondary_main() (default: park in wfi).
 * main() returning 0 exits pass, non-zero n exits fail with code n.
 */
#ifndef GUEST_LIB_H
#define GUEST_LIB_H

#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>

/* ---- the virt board (QEMU 7.2 hw/riscv/virt.c memmap) ---- */
#define UART0_BASE      0x10000000UL
#define SIFIVE_TEST     0x00100000UL
#define RTC_BASE        0x00101000UL
#define CLINT_BASE      0x02000000UL
#define CLINT_MSIP(h)   (CLINT_BASE + 4UL * (h))
#define CLINT_MTIMECMP(h) (CLINT_BASE + 0x4000UL + 8UL * (h))
#define CLINT_MTIME     (CLINT_BASE + 0xbff8UL)
#define PLIC_BASE       0x0c000000UL
#define DRAM_BASE       0x80000000UL
#define UART0_IRQ       10
#define RTC_IRQ         11
/* An address no device answers on QEMU's virt (below the boot ROM at 0x1000). */
#define UNMAPPED_ADDR   0x00000000UL

#define MAX_HARTS       4

#define XLEN            (__riscv_xlen)
#if __riscv_xlen == 64
#define REG_FMT_DIGITS  16
#else
#define REG_FMT_DIGITS  8
#endif

/* ---- privilege modes and CSR fields (Priv 1.12) ---- */
#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

#define MSTATUS_SIE   (1UL << 1)
#define MSTATUS_MIE   (1UL << 3)
#define MSTATUS_SPIE  (1UL << 5)
#define MSTATUS_MPIE  (1UL << 7)
#define MSTATUS_SPP   (1UL << 8)
#define MSTATUS_MPP   (3UL << 11)
#define MSTATUS_MPRV  (1UL << 17)
#define MSTATUS_SUM   (1UL << 18)
#define MSTATUS_MXR   (1UL << 19)
#define MSTATUS_TVM   (1UL << 20)
#define MSTATUS_TW    (1UL << 21)
#define MSTATUS_TSR   (1UL << 22)

#define IRQ_S_SOFT   1
#define IRQ_M_SOFT   3
#define IRQ_S_TIMER  5
#define IRQ_M_TIMER  7
#define IRQ_S_EXT    9
#define IRQ_M_EXT    11

#define CAUSE_INTERRUPT         (1UL << (__riscv_xlen - 1))
#define CAUSE_MISALIGNED_FETCH  0
#define CAUSE_FETCH_ACCESS      1
#define CAUSE_ILLEGAL_INSN      2
#define CAUSE_BREAKPOINT        3
#define CAUSE_MISALIGNED_LOAD   4
#define CAUSE_LOAD_ACCESS       5
#define CAUSE_MISALIGNED_STORE  6
#define CAUSE_STORE_ACCESS      7
#define CAUSE_ECALL_U           8
#define CAUSE_ECALL_S           9
#define CAUSE_ECALL_M           11
#define CAUSE_FETCH_PAGE_FAULT  12
#define CAUSE_LOAD_PAGE_FAULT   13
#define CAUSE_STORE_PAGE_FAULT  15

#define STR_(x) #x
#define STR(x) STR_(x)

#define csr_read(csr) ({ unsigned long v_; \
    __asm__ volatile ("csrr %0, " STR(csr) : "=r"(v_) :: "memory"); v_; })
#define csr_write(csr, val) ({ unsigned long w_ = (unsigned long)(val); \
    __asm__ volatile ("csrw " STR(csr) ", %0" :: "r"(w_) : "memory"); })
#define csr_set(csr, val) ({ unsigned long w_ = (unsigned long)(val); \
    __asm__ volatile ("csrs " STR(csr) ", %0" :: "r"(w_) : "memory"); })
#define csr_clear(csr, val) ({ unsigned long w_ = (unsigned long)(val); \
    __asm__ volatile ("csrc " STR(csr) ", %0" :: "r"(w_) : "memory"); })
#define csr_swap(csr, val) ({ unsigned long w_ = (unsigned long)(val), v_; \
    __asm__ volatile ("csrrw %0, " STR(csr) ", %1" : "=r"(v_) : "r"(w_) : "memory"); v_; })

/* ---- MMIO ---- */
static inline void mmio_write8(unsigned long a, uint8_t v) { *(volatile uint8_t *)a = v; }
static inline void mmio_write32(unsigned long a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint8_t mmio_read8(unsigned long a) { return *(volatile uint8_t *)a; }
static inline uint32_t mmio_read32(unsigned long a) { return *(volatile uint32_t *)a; }
uint64_t mtime_read(void);
void mtimecmp_write(unsigned hart, uint64_t v);

/* ---- console and exit ---- */
void putc(char c);
void puts(const char *s);              /* no newline added */
void print_hex(unsigned long v);       /* XLEN/4 digits, no prefix */
void print_hex64(uint64_t v);          /* 16 digits */
void print_hex32(uint32_t v);          /* 8 digits */
void print_dec(long v);
int kprintf(const char *fmt, ...);     /* %s %c %d %u %x %lx %llx %ld %lu %lld %llu %p %%, width, flags 0 and - (%s only) */
int kvprintf(const char *fmt, va_list ap);
void dump_regs(void);                  /* prints x1..x31 as they were at the call */
__attribute__((noreturn)) void exit_pass(void);
__attribute__((noreturn)) void exit_fail(unsigned code);

/* ---- self-checking ---- */
extern unsigned check_failures;
/* Prints "name = value" (XLEN hex), and "  MISMATCH expected ..." when it differs. */
void check(const char *name, unsigned long got, unsigned long expected);
void check64(const char *name, uint64_t got, uint64_t expected);
/* Prints the value only (for results checked by comparison with QEMU). */
void show(const char *name, unsigned long v);
void show64(const char *name, uint64_t v);
/* Exit pass when no check failed, else fail with code 1 (prints a summary). */
__attribute__((noreturn)) void finish(void);

/* ---- string helpers gcc may call even when freestanding ---- */
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/* ---- traps ---- */
struct trap_frame {
    unsigned long regs[32];   /* x0..x31 as they were at the trap (regs[0] unused) */
    unsigned long epc;        /* mepc/sepc; written back on return */
    unsigned long cause;
    unsigned long tval;
    unsigned long status;     /* mstatus/sstatus; written back on return */
};

/* What the last expected trap looked like. */
struct trap_record {
    unsigned long count;      /* traps recorded since trap_expect() */
    unsigned long cause;
    unsigned long tval;
    unsigned long epc;
    unsigned long from_mode;  /* MPP (or SPP) at the trap */
    char handled_in;          /* 'M' or 'S' */
};
extern volatile struct trap_record last_trap;

/*
 * A hook sees every trap first; it returns 1 when it handled the trap.
 * Otherwise: an ecall that ends call_in_mode() returns to its caller; an
 * expected trap (trap_expect()) is recorded and the trapping instruction
 * skipped (or execution resumes at trap_resume_pc when non-zero); anything
 * else is printed and the program fails with code 0x7e.
 */
typedef int (*trap_hook_fn)(struct trap_frame *f);
extern trap_hook_fn m_trap_hook, s_trap_hook;
extern volatile unsigned long trap_resume_pc;
/* Call the code at va; if fetching there faults, return va instead (trap.S). */
long exec_at(unsigned long va);
extern volatile unsigned long last_vector_slot;    /* set by vectored entry */

void trap_entry_m(void);       /* asm entry points */
void trap_entry_s(void);
void trap_vector_table_m(void);
void install_m_trap(void);             /* mtvec = trap_entry_m, direct */
void install_m_trap_vectored(void);    /* mtvec = vector table | 1 */
void install_s_trap(void);             /* stvec = trap_entry_s, direct */
void trap_expect(void);                /* clears last_trap and trap_resume_pc, arms recording */
void trap_disarm(void);                /* unexpected traps fail again (print_trap also disarms) */
/* Prints "<what>: cause=... tval=... from=X in=Y n=N" (or "no trap") for the last trap. */
void print_trap(const char *what);
unsigned long trap_count(void);

/*
 * Runs fn(arg) in mode PRV_U or PRV_S (mret to it) on a separate stack, and
 * returns its result when it ecalls back. Needs install_m_trap() (the lower
 * mode's ecall lands in M unless delegated; a delegated ecall is handled in
 * trap_entry_s which forwards it to M with its own ecall).
 * PMP must allow the lower mode to reach RAM: see pmp_allow_all().
 */
long call_in_mode(int mode, long (*fn)(long), long arg);
void pmp_allow_all(void);      /* pmpaddr0 = ~0, pmpcfg0 = NAPOT|RWX */

/* The device tree address the boot ROM passed in a1 (hart 0). */
extern unsigned long boot_fdt;
/* Finds the node whose compatible is this string in boot_fdt: its first reg
 * (2 address + 2 size cells, as in /soc) and interrupts. 1 when found. */
int fdt_find_compatible(const char *compatible, unsigned long *base, unsigned *irq);

/* Hart 0's M-mode PLIC context (context 0): route source `irq` to it at priority 1 and
 * enable machine external interrupts; claim and complete from a trap hook. */
void plic_route_m(unsigned irq);
unsigned plic_claim_m(void);
void plic_complete_m(unsigned irq);

/* ---- secondary harts ---- */
void secondary_main(unsigned long hartid);   /* weak; default parks in wfi */
int main(void);

/* A trap-safe instruction length: 2 for compressed, else 4. */
static inline unsigned insn_len(uint16_t first_half) { return (first_half & 3) == 3 ? 4 : 2; }

/* Page-table entry bits (Priv 1.12 §4.3.1, the same for Sv32/Sv39/Sv48). */
#define PTE_V 0x001UL
#define PTE_R 0x002UL
#define PTE_W 0x004UL
#define PTE_X 0x008UL
#define PTE_U 0x010UL
#define PTE_G 0x020UL
#define PTE_A 0x040UL
#define PTE_D 0x080UL

#endif
