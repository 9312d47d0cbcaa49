/*
 * Program state for the debugger's DWARF tests: globals of every kind of C type a kernel
 * uses, functions with arguments, locals in nested blocks and an inlined helper. The
 * tests build it at -O0, -Og and -O2 for rv64 and rv32 and hold what our DWARF reader
 * says about it against gdb-multiarch. Runs on the virt board (common/crt0.S, link.ld).
 */
#include "lib.h"

enum procstate { UNUSED, USED, SLEEPING, RUNNABLE, RUNNING, ZOMBIE };

struct context { unsigned long ra, sp; unsigned long s[12]; };

struct proc {
	enum procstate state;
	int pid;
	char name[16];
	struct proc *parent;
	struct context ctx;
	struct { int a; short b; } inner;
	unsigned flags : 3;
	unsigned ready : 1;
	int (*handler)(int, char *);
};

union word { uint32_t w; uint8_t b[4]; };

typedef struct proc proc_t;
typedef int (*handler_t)(int);
typedef const char *cstr_t;

struct proc procs[4];
proc_t *current = &procs[1];
struct proc *runqueue[8];
int matrix[2][3] = { { 1, 2, 3 }, { 4, 5, 6 } };
int (*row)[3] = matrix;
char banner[16] = "state";
const char *greeting = "hello";
char *const fixed = banner;
const char *const both = "both";
cstr_t named = "named";
void *opaque = &procs[0];
int **indirect;
volatile uint32_t *mmio = (volatile uint32_t *)0x10000000UL;
union word word = { .w = 0x11223344 };
enum procstate last_state = RUNNABLE;
enum irqflags { IRQ_TIMER = 1, IRQ_SOFT = 2, IRQ_EXT = 4 } pending = IRQ_TIMER | IRQ_EXT, stray = 9, none;
handler_t on_tick;
void (*on_idle)(void);
int (*printer)(const char *, ...) = kprintf;
struct { int x, y; } point = { 3, -4 };
/* Bit-fields away from bit 0 of their storage unit (DWARF 4 counts them from the other end). */
struct bits { unsigned lo : 3; unsigned mid : 5; int neg : 6; unsigned char top : 2; } bits = { 5, 17, -9, 2 };
_Bool ready = 1;
signed char sc = -5;
unsigned char uc = 250;
short sh = -300;
unsigned short ush = 60000;
long lg = -1234567;
unsigned long ulg = 0xdeadbeefUL;
long long ll = -5000000000LL;
unsigned long long ull = 0x123456789abcdef0ULL;
uint8_t u8 = 7;
uint16_t u16 = 0xbeef;
uint64_t u64 = 0xfeedfacecafebeefULL;

static int step(int x, char *tag)
{
	return x + tag[0];
}

static inline __attribute__((always_inline)) int scaled(int v, int by)
{
	int product = v * by;
	return product + 1;
}

__attribute__((noinline)) int schedule(struct proc *p, int budget)
{
	int ran = 0;
	for (int i = 0; i < budget; i++) {
		int slice = scaled(i, p->pid);
		if (slice > 3) {
			unsigned long mark = (unsigned long)slice << 2;
			ran += (int)mark;
		}
		p->state = i & 1 ? RUNNING : RUNNABLE;
	}
	p->ctx.ra = (unsigned long)ran;
	return ran;
}

int main(void)
{
	for (int i = 0; i < 4; i++) {
		procs[i].pid = i + 1;
		procs[i].state = USED;
		procs[i].parent = i > 0 ? &procs[i - 1] : 0;
		procs[i].handler = step;
		procs[i].flags = (unsigned)i;
		procs[i].ready = (unsigned)(i & 1);
		memcpy(procs[i].name, "proc", 5);
		procs[i].name[4] = (char)('0' + i);
		runqueue[i] = &procs[i];
	}
	int total = schedule(current, 5);
	kprintf("total %d state %d\n", total, (int)current->state);
	return total == 0;
}
