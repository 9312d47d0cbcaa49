/*
 * Targets for sdtrig.c's execute triggers: straight-line code whose result says
 * which instructions ran (a trigger's breakpoint skips the instruction it hits).
 */
#include "asm.h"

    .text
    .option push
    .option norvc
    /* long trig_fn(long a0): a0 + 1 + 2 + 4 + 8 when nothing is skipped. */
    .globl trig_fn
    .globl trig_fn_2
    .globl trig_fn_c
    .globl trig_fn_4
    .balign 4
trig_fn:
    addi    a0, a0, 1
trig_fn_2:
    addi    a0, a0, 2
    .option rvc
trig_fn_c:
    c.addi  a0, 4
    .option norvc
trig_fn_4:
    addi    a0, a0, 8
    ret

    /* long trig_illegal(long a0): an illegal instruction, then a0 + 1. */
    .globl trig_illegal
    .balign 4
trig_illegal:
    .word   0x0000000b
    addi    a0, a0, 1
    ret

    /* long trig_ebreak(long a0): ebreak, then a0 + 1. */
    .globl trig_ebreak
    .balign 4
trig_ebreak:
    ebreak
    addi    a0, a0, 1
    ret

    /* long trig_loop(long n): a loop hot enough to be translated; returns its count of passes. */
    .globl trig_loop
    .globl trig_loop_body
    .balign 4
trig_loop:
    li      t0, 0
trig_loop_body:
    addi    t0, t0, 1
    blt     t0, a0, trig_loop_body
    mv      a0, t0
    ret
    .option pop
