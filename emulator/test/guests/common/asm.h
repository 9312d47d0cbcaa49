/* XLEN-neutral assembly helpers for the guest programs. */
#ifndef GUEST_ASM_H
#define GUEST_ASM_H
#if __riscv_xlen == 64
#define REG_S sd
#define REG_L ld
#define REGBYTES 8
#else
#define REG_S sw
#define REG_L lw
#define REGBYTES 4
#endif
#define MAX_HARTS 4
#define STACK_SIZE 16384
#endif
