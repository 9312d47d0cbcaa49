/* Helpers for pmp.c. */
#include "asm.h"

    .text
/* long exec_at(unsigned long va): call the code at va (which returns a value
   in a0); an instruction fault there resumes at our return address with
   a0 = va, via trap_resume_pc. */
    .globl exec_at
exec_at:
    la      t0, trap_resume_pc
    REG_S   ra, 0(t0)
    jr      a0
