/*
 * Entry of the S-mode guest `sbi`, which an SBI enters as OpenSBI's fw_dynamic enters a
 * kernel: S-mode, a0 = hartid, a1 = the device tree (hart 0) or hart_start's opaque
 * value (other harts). Linked at 0x80200000, behind OpenSBI (see the Makefile).
 * tp holds the hartid; each hart gets its own stack.
 */
#include "asm.h"

    .section .text.init, "ax", @progbits
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    mv      tp, a0
    la      sp, __stack_top
    li      t0, STACK_SIZE
    mul     t0, t0, a0
    sub     sp, sp, t0
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    REG_S   zero, 0(t0)
    addi    t0, t0, REGBYTES
    j       1b
2:  la      t0, boot_fdt
    REG_S   a1, 0(t0)
    call    main
    call    exit_from_main

/* Where hart_start (and a non-retentive hart_suspend) sends the other harts. */
    .globl secondary_start
    .align 2
secondary_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    mv      tp, a0
    la      sp, __stack_top
    li      t0, STACK_SIZE
    mul     t0, t0, a0
    sub     sp, sp, t0
    call    secondary
1:  wfi
    j       1b

    .section .data
    .align 3
    .globl  boot_fdt
boot_fdt:
    .space  REGBYTES

    .section .stack, "aw", @nobits
    .align 12
    .space  STACK_SIZE * MAX_HARTS
    .globl  __stack_top
__stack_top:
