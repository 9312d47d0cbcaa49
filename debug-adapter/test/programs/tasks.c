/*
 * tasks: a round-robin kernel in miniature, laid out as xv6-riscv lays out its processes
 * (struct proc proc[NPROC], struct cpu cpus[NCPU], struct context saved by swtch), for
 * the debugger's tasks-as-threads tests. Two harts, five tasks pinned to them so that
 * QEMU and ours reach the same state: when init calls checkpoint(), two tasks sleep at
 * different depths, one has yielded, init runs on hart 0 and the spinner on hart 1.
 */
#include "lib.h"

#define NPROC 8
#define NCPU 2
#define KSTACK 2048

/* The registers swtch saves: the callee-saved ones, as in xv6's kernel/proc.h. */
struct context {
  unsigned long ra;
  unsigned long sp;
  unsigned long s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;
};

enum procstate { UNUSED, USED, SLEEPING, RUNNABLE, RUNNING, ZOMBIE };

struct proc {
  enum procstate state;
  void *chan;
  int pid;
  int hart; /* the hart that runs it (xv6 lets any take it; pinned here to be deterministic) */
  struct context context;
  char name[16];
};

struct cpu {
  struct proc *proc;
  struct context context;
};

struct cpu cpus[NCPU];
struct proc proc[NPROC];
static unsigned char kstacks[NPROC][KSTACK] __attribute__((aligned(16)));

volatile int spinner_ready;
volatile int release;
static int chan_a, chan_b;

void swtch(struct context *old, struct context *new);
void task_trampoline(void);

/* Saves the callee-saved registers in old, loads them from new, and returns into new's ra. */
#if __riscv_xlen == 64
#define SR "sd"
#define LR "ld"
#define W "8"
#else
#define SR "sw"
#define LR "lw"
#define W "4"
#endif
__asm__(
    "  .text\n"
    "  .globl swtch\n"
    "swtch:\n"
    "  " SR " ra, 0*" W "(a0)\n  " SR " sp, 1*" W "(a0)\n"
    "  " SR " s0, 2*" W "(a0)\n  " SR " s1, 3*" W "(a0)\n  " SR " s2, 4*" W "(a0)\n  " SR " s3, 5*" W "(a0)\n"
    "  " SR " s4, 6*" W "(a0)\n  " SR " s5, 7*" W "(a0)\n  " SR " s6, 8*" W "(a0)\n  " SR " s7, 9*" W "(a0)\n"
    "  " SR " s8, 10*" W "(a0)\n  " SR " s9, 11*" W "(a0)\n  " SR " s10, 12*" W "(a0)\n  " SR " s11, 13*" W "(a0)\n"
    "  " LR " ra, 0*" W "(a1)\n  " LR " sp, 1*" W "(a1)\n"
    "  " LR " s0, 2*" W "(a1)\n  " LR " s1, 3*" W "(a1)\n  " LR " s2, 4*" W "(a1)\n  " LR " s3, 5*" W "(a1)\n"
    "  " LR " s4, 6*" W "(a1)\n  " LR " s5, 7*" W "(a1)\n  " LR " s6, 8*" W "(a1)\n  " LR " s7, 9*" W "(a1)\n"
    "  " LR " s8, 10*" W "(a1)\n  " LR " s9, 11*" W "(a1)\n  " LR " s10, 12*" W "(a1)\n  " LR " s11, 13*" W "(a1)\n"
    "  ret\n"
    /* A new task's first return lands here: ra = 0 ends every unwinder's walk at task_start. */
    "  .globl task_trampoline\n"
    "task_trampoline:\n"
    "  li ra, 0\n"
    "  j task_start\n");

static struct cpu *mycpu(void) { return &cpus[csr_read(mhartid)]; }

/* Back to this hart's scheduler; returns when the scheduler picks the task again. */
__attribute__((noinline)) void sched(void) {
  struct cpu *c = mycpu();
  swtch(&c->proc->context, &c->context);
}

__attribute__((noinline)) void yield(void) {
  mycpu()->proc->state = RUNNABLE;
  sched();
}

__attribute__((noinline)) void sleep(void *chan) {
  struct proc *p = mycpu()->proc;
  p->chan = chan;
  p->state = SLEEPING;
  sched();
  p->chan = 0;
}

__attribute__((noinline)) void wakeup(void *chan) {
  for (struct proc *p = proc; p < &proc[NPROC]; p++)
    if (p->state == SLEEPING && p->chan == chan) p->state = RUNNABLE;
}

/* Where the tests stop: every task has reached its place. */
__attribute__((noinline)) void checkpoint(void) { __asm__ volatile("" ::: "memory"); }

__attribute__((noinline)) static void wait_deeper(void *chan, int depth) {
  if (depth > 0) wait_deeper(chan, depth - 1);
  else sleep(chan);
}

static void sleeper_a(void) { sleep(&chan_a); }
static void sleeper_b(void) { wait_deeper(&chan_b, 2); }
static void yielder(void) { yield(); }

static void spinner(void) {
  spinner_ready = 1;
  while (!release) {}
}

static void init(void) {
  while (!spinner_ready) {}
  checkpoint();
  kprintf("tasks: rv%d, checkpoint passed\n", XLEN);
  exit_pass();
}

/* What a task runs, by pid; a task that returns is a zombie until the end. */
__attribute__((noinline)) void task_start(void) {
  struct proc *p = mycpu()->proc;
  switch (p->pid) {
  case 1: init(); break;
  case 2: sleeper_a(); break;
  case 3: sleeper_b(); break;
  case 4: spinner(); break;
  case 5: yielder(); break;
  }
  p->state = ZOMBIE;
  sched();
}

static void spawn(int slot, int pid, int hart, const char *name) {
  struct proc *p = &proc[slot];
  p->pid = pid;
  p->hart = hart;
  p->state = RUNNABLE;
  p->context.ra = (unsigned long)task_trampoline;
  p->context.sp = (unsigned long)&kstacks[slot][KSTACK];
  for (int i = 0; name[i] != 0 && i < 15; i++) p->name[i] = name[i];
}

/* Each hart runs its own tasks in array order, forever. */
__attribute__((noreturn)) static void scheduler(int hart) {
  struct cpu *c = &cpus[hart];
  for (;;) {
    for (struct proc *p = proc; p < &proc[NPROC]; p++) {
      if (p->state != RUNNABLE || p->hart != hart) continue;
      p->state = RUNNING;
      c->proc = p;
      swtch(&c->context, &p->context);
      c->proc = 0;
    }
  }
}

static volatile int tasks_made;

int main(void) {
  spawn(0, 2, 0, "sleeper-a");
  spawn(1, 3, 0, "sleeper-b");
  spawn(2, 5, 0, "yielder");
  spawn(3, 1, 0, "init");
  spawn(4, 4, 1, "spinner");
  tasks_made = 1;
  scheduler(0);
}

void secondary_main(unsigned long hartid) {
  if (hartid != 1) return;
  while (!tasks_made) {}
  scheduler(1);
}
