/*
 * jit-stress: a loop that rewrites its own instructions, as a template that
 * jit-stress.c copies into a code page before each run. Written in assembly
 * so the whole pass is one straight run ending in a branch back to its first
 * instruction: the shape a block translator turns into a single looping
 * block, which the loop's own stores then have to drop while it runs.
 *
 * unsigned long smc_self_loop(unsigned long n, unsigned long mask,
 *                             unsigned long scratch, unsigned long late_site,
 *                             unsigned long head_site, unsigned long phase)
 *
 * Pass i (0 <= i < n), acc in t0:
 *   head: addi t0, t0, H       H: what an earlier pass wrote here
 *         store "addi t0, t0, L(i)" to late_site if (i & mask) == 0, else to scratch
 *         store "addi t0, t0, H(i)" to head_site if ((i ^ phase) & mask) == 0, else to scratch
 *         fence.i
 *   late: addi t0, t0, L       L: written a few instructions ago when this pass patched it
 *         t0 ^= t0 << 3; t0 += i
 * with L(i) = (5 i) & 0x7ff and H(i) = (3 i + 1) & 0x3ff. The store target is
 * picked without a branch (scratch is a word of the same page that holds no
 * code), so the pass stays one block whether or not it patches. The head
 * patch lands in code this pass already ran: it shows in the next pass.
 * Only relative branches: the copy runs anywhere.
 */
#include "asm.h"

    .section .text.smc_template, "ax", @progbits
    .option push
    .option norvc
    .option norelax
    .balign 4
    .globl smc_self_start, smc_self_head, smc_self_late, smc_self_end
smc_self_start:
    li      t0, 0                   /* acc */
    li      t1, 0                   /* i */
    li      a6, 0x00028293          /* addi t0, t0, 0 */
    sub     a7, a3, a2              /* late_site - scratch */
    sub     t6, a4, a2              /* head_site - scratch */
smc_self_head:
    addi    t0, t0, 0               /* rewritten: H */
    and     t2, t1, a1
    seqz    t2, t2
    neg     t2, t2                  /* all ones on a pass that patches late */
    and     t2, t2, a7
    add     t2, t2, a2              /* late_site or scratch */
    slli    t3, t1, 2
    add     t3, t3, t1
    andi    t3, t3, 0x7ff
    slli    t3, t3, 20
    or      t3, t3, a6              /* addi t0, t0, L(i) */
    sw      t3, 0(t2)
    xor     t4, t1, a5
    and     t4, t4, a1
    seqz    t4, t4
    neg     t4, t4                  /* all ones on a pass that patches head */
    and     t4, t4, t6
    add     t4, t4, a2              /* head_site or scratch */
    slli    t5, t1, 1
    add     t5, t5, t1
    addi    t5, t5, 1
    andi    t5, t5, 0x3ff
    slli    t5, t5, 20
    or      t5, t5, a6              /* addi t0, t0, H(i) */
    sw      t5, 0(t4)
    fence.i
smc_self_late:
    addi    t0, t0, 0               /* rewritten: L */
    slli    t5, t0, 3
    xor     t0, t0, t5
    add     t0, t0, t1
    addi    t1, t1, 1
    bne     t1, a0, smc_self_head
    mv      a0, t0
    ret
    .balign 4
smc_self_end:
    .option pop
