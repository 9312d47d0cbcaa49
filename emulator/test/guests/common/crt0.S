/*
 * Entry for every guest: QEMU's reset vector (and ours) jumps here in M-mode
 * with a0 = hartid and a1 = the device tree. Each hart gets a stack; hart 0
 * clears .bss, keeps a1 in boot_fdt and runs main(), the others wait for
 * that and run secondary_main().
 */
#include "asm.h"

    .section .text.init, "ax", @progbits
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      t0, early_trap
    csrw    mtvec, t0
    csrr    a0, mhartid
    li      t1, MAX_HARTS
    bgeu    a0, t1, park
    la      sp, __stack_top
    li      t0, STACK_SIZE
    mul     t0, t0, a0
    sub     sp, sp, t0
    bnez    a0, secondary

    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    REG_S   zero, 0(t0)
    addi    t0, t0, REGBYTES
    j       1b
2:  la      t0, boot_fdt
    REG_S   a1, 0(t0)               /* the boot ROM passes the device tree in a1 */
    fence   rw, rw
    la      t0, boot_done
    li      t1, 1
    sw      t1, 0(t0)
    fence   rw, rw
    call    main
    call    exit_from_main

secondary:
    la      t0, boot_done
3:  lw      t1, 0(t0)
    beqz    t1, 3b
    fence   rw, rw
    csrr    a0, mhartid
    call    secondary_main
park:
    wfi
    j       park

/* A trap before the program installs its own handler: report and fail (code 0x7f). */
    .align 2
early_trap:
    la      sp, __stack_top
    call    early_trap_report
    j       park

    .section .data
    .align 3
    .globl  boot_fdt
boot_fdt:
    .space  REGBYTES
boot_done:
    .word   0

    .section .stack, "aw", @nobits
    .align 12
    .space  STACK_SIZE * MAX_HARTS
    .globl  __stack_top
__stack_top:
