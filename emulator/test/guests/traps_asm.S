/* Helpers for traps.c. */
#include "asm.h"

    .text
/* void jump_and_return(unsigned long addr): jump to addr; an instruction access
   fault there resumes at our return address (trap_resume_pc). */
    .globl jump_and_return
jump_and_return:
    la      t0, trap_resume_pc
    REG_S   ra, 0(t0)
    jr      a0

/* U-mode code entered by sret from S (see s_sret_to_u): one plain ecall,
   then the ecall that ends call_in_mode() with a0 = 0x77. */
    .globl u_after_sret
u_after_sret:
    li      a7, 0
    ecall
    li      a0, 0x77
    li      a7, 0xca11ba5e
    ecall
1:  j       1b
