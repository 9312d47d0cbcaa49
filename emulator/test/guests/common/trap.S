/*
 * Trap entry points (M and S, direct and vectored), the register dump and
 * the mode switch used by call_in_mode(). The trap frame layout matches
 * struct trap_frame in lib.h: x0..x31, epc, cause, tval, status.
 */
#include "asm.h"

#define FRAME_SIZE (36 * REGBYTES)
#define F_EPC    (32 * REGBYTES)
#define F_CAUSE  (33 * REGBYTES)
#define F_TVAL   (34 * REGBYTES)
#define F_STATUS (35 * REGBYTES)

.macro SAVE_REGS
    REG_S   x1, 1*REGBYTES(sp)
    REG_S   x3, 3*REGBYTES(sp)
    REG_S   x4, 4*REGBYTES(sp)
    REG_S   x5, 5*REGBYTES(sp)
    REG_S   x6, 6*REGBYTES(sp)
    REG_S   x7, 7*REGBYTES(sp)
    REG_S   x8, 8*REGBYTES(sp)
    REG_S   x9, 9*REGBYTES(sp)
    REG_S   x10, 10*REGBYTES(sp)
    REG_S   x11, 11*REGBYTES(sp)
    REG_S   x12, 12*REGBYTES(sp)
    REG_S   x13, 13*REGBYTES(sp)
    REG_S   x14, 14*REGBYTES(sp)
    REG_S   x15, 15*REGBYTES(sp)
    REG_S   x16, 16*REGBYTES(sp)
    REG_S   x17, 17*REGBYTES(sp)
    REG_S   x18, 18*REGBYTES(sp)
    REG_S   x19, 19*REGBYTES(sp)
    REG_S   x20, 20*REGBYTES(sp)
    REG_S   x21, 21*REGBYTES(sp)
    REG_S   x22, 22*REGBYTES(sp)
    REG_S   x23, 23*REGBYTES(sp)
    REG_S   x24, 24*REGBYTES(sp)
    REG_S   x25, 25*REGBYTES(sp)
    REG_S   x26, 26*REGBYTES(sp)
    REG_S   x27, 27*REGBYTES(sp)
    REG_S   x28, 28*REGBYTES(sp)
    REG_S   x29, 29*REGBYTES(sp)
    REG_S   x30, 30*REGBYTES(sp)
    REG_S   x31, 31*REGBYTES(sp)
    addi    t0, sp, FRAME_SIZE
    REG_S   t0, 2*REGBYTES(sp)
.endm

.macro RESTORE_REGS
    REG_L   x1, 1*REGBYTES(sp)
    REG_L   x3, 3*REGBYTES(sp)
    REG_L   x4, 4*REGBYTES(sp)
    REG_L   x5, 5*REGBYTES(sp)
    REG_L   x6, 6*REGBYTES(sp)
    REG_L   x7, 7*REGBYTES(sp)
    REG_L   x8, 8*REGBYTES(sp)
    REG_L   x9, 9*REGBYTES(sp)
    REG_L   x10, 10*REGBYTES(sp)
    REG_L   x11, 11*REGBYTES(sp)
    REG_L   x12, 12*REGBYTES(sp)
    REG_L   x13, 13*REGBYTES(sp)
    REG_L   x14, 14*REGBYTES(sp)
    REG_L   x15, 15*REGBYTES(sp)
    REG_L   x16, 16*REGBYTES(sp)
    REG_L   x17, 17*REGBYTES(sp)
    REG_L   x18, 18*REGBYTES(sp)
    REG_L   x19, 19*REGBYTES(sp)
    REG_L   x20, 20*REGBYTES(sp)
    REG_L   x21, 21*REGBYTES(sp)
    REG_L   x22, 22*REGBYTES(sp)
    REG_L   x23, 23*REGBYTES(sp)
    REG_L   x24, 24*REGBYTES(sp)
    REG_L   x25, 25*REGBYTES(sp)
    REG_L   x26, 26*REGBYTES(sp)
    REG_L   x27, 27*REGBYTES(sp)
    REG_L   x28, 28*REGBYTES(sp)
    REG_L   x29, 29*REGBYTES(sp)
    REG_L   x30, 30*REGBYTES(sp)
    REG_L   x31, 31*REGBYTES(sp)
    REG_L   x2, 2*REGBYTES(sp)
.endm

    .text
/* M-mode trap entry (mtvec direct). Runs on the trapped context's stack. */
    .globl trap_entry_m
    .align 6
trap_entry_m:
    addi    sp, sp, -FRAME_SIZE
    SAVE_REGS
    csrr    t0, mepc
    REG_S   t0, F_EPC(sp)
    csrr    t0, mcause
    REG_S   t0, F_CAUSE(sp)
    csrr    t0, mtval
    REG_S   t0, F_TVAL(sp)
    csrr    t0, mstatus
    REG_S   t0, F_STATUS(sp)
    mv      a0, sp
    call    m_trap_handler
    REG_L   t0, F_EPC(sp)
    csrw    mepc, t0
    REG_L   t0, F_STATUS(sp)
    csrw    mstatus, t0
    RESTORE_REGS
    mret

/* S-mode trap entry (stvec direct). */
    .globl trap_entry_s
    .align 6
trap_entry_s:
    addi    sp, sp, -FRAME_SIZE
    SAVE_REGS
    csrr    t0, sepc
    REG_S   t0, F_EPC(sp)
    csrr    t0, scause
    REG_S   t0, F_CAUSE(sp)
    csrr    t0, stval
    REG_S   t0, F_TVAL(sp)
    csrr    t0, sstatus
    REG_S   t0, F_STATUS(sp)
    mv      a0, sp
    call    s_trap_handler
    REG_L   t0, F_EPC(sp)
    csrw    sepc, t0
    REG_L   t0, F_STATUS(sp)
    csrw    sstatus, t0
    RESTORE_REGS
    sret

/*
 * Vectored mtvec: slot N (at base + 4*N) is taken for interrupt cause N,
 * slot 0 for every exception. Each stub notes its slot in last_vector_slot.
 */
    .globl trap_vector_table_m
    .align 8
trap_vector_table_m:
    .option push
    .option norvc
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    j       vec_stub_\n
    .endr
    .option pop

    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
vec_stub_\n:
    addi    sp, sp, -2*REGBYTES
    REG_S   t0, 0(sp)
    li      t0, \n
    j       vec_common
    .endr
vec_common:
    REG_S   t1, REGBYTES(sp)
    la      t1, last_vector_slot
    REG_S   t0, 0(t1)
    REG_L   t1, REGBYTES(sp)
    REG_L   t0, 0(sp)
    addi    sp, sp, 2*REGBYTES
    j       trap_entry_m

/* void dump_regs(void): print x1..x31 as they were at the call. */
    .globl dump_regs
dump_regs:
    addi    sp, sp, -2*REGBYTES
    REG_S   ra, 0(sp)
    REG_S   t0, REGBYTES(sp)
    la      t0, dump_area
    REG_S   x1, 1*REGBYTES(t0)
    REG_S   x3, 3*REGBYTES(t0)
    REG_S   x4, 4*REGBYTES(t0)
    REG_L   x1, REGBYTES(sp)
    REG_S   x1, 5*REGBYTES(t0)      /* the caller's t0 */
    REG_L   x1, 0(sp)
    REG_S   x6, 6*REGBYTES(t0)
    REG_S   x7, 7*REGBYTES(t0)
    REG_S   x8, 8*REGBYTES(t0)
    REG_S   x9, 9*REGBYTES(t0)
    REG_S   x10, 10*REGBYTES(t0)
    REG_S   x11, 11*REGBYTES(t0)
    REG_S   x12, 12*REGBYTES(t0)
    REG_S   x13, 13*REGBYTES(t0)
    REG_S   x14, 14*REGBYTES(t0)
    REG_S   x15, 15*REGBYTES(t0)
    REG_S   x16, 16*REGBYTES(t0)
    REG_S   x17, 17*REGBYTES(t0)
    REG_S   x18, 18*REGBYTES(t0)
    REG_S   x19, 19*REGBYTES(t0)
    REG_S   x20, 20*REGBYTES(t0)
    REG_S   x21, 21*REGBYTES(t0)
    REG_S   x22, 22*REGBYTES(t0)
    REG_S   x23, 23*REGBYTES(t0)
    REG_S   x24, 24*REGBYTES(t0)
    REG_S   x25, 25*REGBYTES(t0)
    REG_S   x26, 26*REGBYTES(t0)
    REG_S   x27, 27*REGBYTES(t0)
    REG_S   x28, 28*REGBYTES(t0)
    REG_S   x29, 29*REGBYTES(t0)
    REG_S   x30, 30*REGBYTES(t0)
    REG_S   x31, 31*REGBYTES(t0)
    addi    t1, sp, 2*REGBYTES
    REG_S   t1, 2*REGBYTES(t0)      /* the caller's sp */
    /* Save every caller-saved register we are about to clobber, so the
       caller sees all registers unchanged (handy in hand-written asm). */
    addi    sp, sp, -16*REGBYTES
    REG_S   t1, 0*REGBYTES(sp)
    REG_S   t2, 1*REGBYTES(sp)
    REG_S   a0, 2*REGBYTES(sp)
    REG_S   a1, 3*REGBYTES(sp)
    REG_S   a2, 4*REGBYTES(sp)
    REG_S   a3, 5*REGBYTES(sp)
    REG_S   a4, 6*REGBYTES(sp)
    REG_S   a5, 7*REGBYTES(sp)
    REG_S   a6, 8*REGBYTES(sp)
    REG_S   a7, 9*REGBYTES(sp)
    REG_S   t3, 10*REGBYTES(sp)
    REG_S   t4, 11*REGBYTES(sp)
    REG_S   t5, 12*REGBYTES(sp)
    REG_S   t6, 13*REGBYTES(sp)
    mv      a0, t0
    call    dump_regs_print
    REG_L   t1, 0*REGBYTES(sp)
    REG_L   t2, 1*REGBYTES(sp)
    REG_L   a0, 2*REGBYTES(sp)
    REG_L   a1, 3*REGBYTES(sp)
    REG_L   a2, 4*REGBYTES(sp)
    REG_L   a3, 5*REGBYTES(sp)
    REG_L   a4, 6*REGBYTES(sp)
    REG_L   a5, 7*REGBYTES(sp)
    REG_L   a6, 8*REGBYTES(sp)
    REG_L   a7, 9*REGBYTES(sp)
    REG_L   t3, 10*REGBYTES(sp)
    REG_L   t4, 11*REGBYTES(sp)
    REG_L   t5, 12*REGBYTES(sp)
    REG_L   t6, 13*REGBYTES(sp)
    addi    sp, sp, 16*REGBYTES
    REG_L   ra, 0(sp)
    REG_L   t0, REGBYTES(sp)
    addi    sp, sp, 2*REGBYTES
    ret

/*
 * long call_in_mode_asm(int mode, long (*fn)(long), long arg, unsigned long stack_top)
 * Saves the callee-saved state, mrets to lower_trampoline in `mode`, which
 * calls fn(arg) on stack_top and ecalls back with a7 = CALL_RETURN_MAGIC;
 * m_trap_handler then calls call_in_mode_return(result).
 */
    .globl call_in_mode_asm
call_in_mode_asm:
    csrr    t0, mhartid
    li      t1, 14*REGBYTES
    mul     t0, t0, t1
    la      t1, m_context
    add     t1, t1, t0
    REG_S   ra, 0*REGBYTES(t1)
    REG_S   sp, 1*REGBYTES(t1)
    REG_S   s0, 2*REGBYTES(t1)
    REG_S   s1, 3*REGBYTES(t1)
    REG_S   s2, 4*REGBYTES(t1)
    REG_S   s3, 5*REGBYTES(t1)
    REG_S   s4, 6*REGBYTES(t1)
    REG_S   s5, 7*REGBYTES(t1)
    REG_S   s6, 8*REGBYTES(t1)
    REG_S   s7, 9*REGBYTES(t1)
    REG_S   s8, 10*REGBYTES(t1)
    REG_S   s9, 11*REGBYTES(t1)
    REG_S   s10, 12*REGBYTES(t1)
    REG_S   s11, 13*REGBYTES(t1)
    /* mstatus.MPP = mode */
    li      t0, 3 << 11
    csrc    mstatus, t0
    andi    a0, a0, 3
    slli    a0, a0, 11
    csrs    mstatus, a0
    la      t0, lower_trampoline
    csrw    mepc, t0
    mv      sp, a3
    mv      a0, a1
    mv      a1, a2
    mret

lower_trampoline:
    mv      t0, a0
    mv      a0, a1
    jalr    t0
    li      a7, 0xca11ba5e
    ecall
1:  j       1b

/* void call_in_mode_return(long result): back in M, resume call_in_mode_asm's caller. */
    .globl call_in_mode_return
call_in_mode_return:
    csrr    t0, mhartid
    li      t1, 14*REGBYTES
    mul     t0, t0, t1
    la      t1, m_context
    add     t1, t1, t0
    REG_L   ra, 0*REGBYTES(t1)
    REG_L   sp, 1*REGBYTES(t1)
    REG_L   s0, 2*REGBYTES(t1)
    REG_L   s1, 3*REGBYTES(t1)
    REG_L   s2, 4*REGBYTES(t1)
    REG_L   s3, 5*REGBYTES(t1)
    REG_L   s4, 6*REGBYTES(t1)
    REG_L   s5, 7*REGBYTES(t1)
    REG_L   s6, 8*REGBYTES(t1)
    REG_L   s7, 9*REGBYTES(t1)
    REG_L   s8, 10*REGBYTES(t1)
    REG_L   s9, 11*REGBYTES(t1)
    REG_L   s10, 12*REGBYTES(t1)
    REG_L   s11, 13*REGBYTES(t1)
    ret

/* long exec_at(unsigned long va): call the code at va (which returns a value
   in a0); an instruction fault there resumes at our return address with
   a0 = va, via trap_resume_pc. For the paging and PMP programs. */
    .globl exec_at
exec_at:
    la      t0, trap_resume_pc
    REG_S   ra, 0(t0)
    jr      a0

    .bss
    .align 3
m_context:
    .space  14 * REGBYTES * MAX_HARTS
dump_area:
    .space  32 * REGBYTES
