/*
 * Compressed instructions written with explicit c.* mnemonics, so each one
 * really is a 16-bit encoding. rvc_ops(out) stores one result per slot;
 * rvc.c prints and checks them. Slot numbers are in the comments.
 */
#include "asm.h"

#define OUT(n, reg) REG_S reg, (n)*REGBYTES(t6)

    .text
    .option push
    .option rvc
    .globl rvc_ops
    .align 2
rvc_ops:
    c.addi16sp sp, -64
    c.swsp  s0, 8(sp)               /* sw/sd of callee-saved regs via c.*sp */
#if __riscv_xlen == 64
    c.sdsp  ra, 0(sp)
    c.sdsp  s0, 16(sp)
    c.sdsp  s1, 24(sp)
#else
    c.swsp  ra, 0(sp)
    c.swsp  s0, 16(sp)
    c.swsp  s1, 24(sp)
#endif
    c.mv    t6, a0

    c.li    a1, 31
    OUT(0, a1)
    c.li    a2, -32
    OUT(1, a2)
    c.lui   a3, 1
    OUT(2, a3)
    c.lui   a4, 0xfffe0             /* nzimm = -32: sign-extended upper bits */
    OUT(3, a4)
    c.addi  a1, -1                  /* 30 */
    OUT(4, a1)
    c.addi  a2, 31                  /* -1 */
    OUT(5, a2)
    c.li    s0, 1
    c.slli  s0, 31
    OUT(6, s0)
    c.mv    s1, s0
    c.srli  s1, 3
    OUT(7, s1)
    c.srai  s0, 3
    OUT(8, s0)
    c.li    a5, -1
    c.andi  a5, 0x15
    OUT(9, a5)
    c.li    a0, 12
    c.li    a1, 10
    c.mv    a2, a0
    c.add   a2, a1                  /* 22 */
    OUT(10, a2)
    c.mv    a3, a0
    c.sub   a3, a1                  /* 2 */
    OUT(11, a3)
    c.mv    a4, a0
    c.xor   a4, a1                  /* 6 */
    OUT(12, a4)
    c.mv    a5, a0
    c.or    a5, a1                  /* 14 */
    OUT(13, a5)
    c.mv    s1, a0
    c.and   s1, a1                  /* 8 */
    OUT(14, s1)
#if __riscv_xlen == 64
    c.li    a0, -1
    c.addiw a0, 1                   /* 0: 32-bit add, sign-extended */
    OUT(15, a0)
    li      a1, 0x7fffffff
    c.addiw a1, 1                   /* 0xffffffff80000000 */
    OUT(16, a1)
    c.mv    a2, a1
    c.addw  a2, a1                  /* 0 */
    OUT(17, a2)
    c.li    a3, 0
    c.subw  a3, a1                  /* 0xffffffff80000000 */
    OUT(18, a3)
    c.addiw a3, 0                   /* sext.w */
    OUT(19, a3)
#else
    c.li    a0, 15
    OUT(15, a0)
    OUT(16, a0)
    OUT(17, a0)
    OUT(18, a0)
    OUT(19, a0)
#endif
    /* c.addi4spn / c.lwsp / c.lw / c.sw */
    c.addi4spn a0, sp, 32
    sub     a1, a0, sp
    OUT(20, a1)                     /* 32 */
    li      a2, 0x5a5a1234
    c.sw    a2, 4(a0)
    c.lw    a3, 4(a0)
    OUT(21, a3)
    c.lwsp  a4, 36(sp)
    OUT(22, a4)
    c.li    a5, -3
    c.swsp  a5, 40(sp)
    c.lw    s0, 8(a0)
    OUT(23, s0)
#if __riscv_xlen == 64
    li      a2, 0x123456789abcdef0
    c.sd    a2, 16(a0)
    c.ld    a3, 16(a0)
    OUT(24, a3)
    c.ldsp  a4, 48(sp)
    OUT(25, a4)
    c.li    a5, -5
    c.sdsp  a5, 56(sp)
    c.ld    s0, 24(a0)
    OUT(26, s0)
#else
    OUT(24, a3)
    OUT(25, a4)
    OUT(26, s0)
#endif
    /* Control transfer: c.j, c.beqz, c.bnez, c.jr, c.jalr (and c.jal on rv32). */
    c.li    a0, 0
    c.j     1f
    c.li    a0, 1                   /* skipped */
1:  OUT(27, a0)                     /* 0 */
    c.li    s0, 0
    c.li    a1, 0
    c.beqz  s0, 2f
    c.li    a1, 1                   /* skipped */
2:  c.bnez  s0, 3f
    c.addi  a1, 2                   /* runs */
3:  OUT(28, a1)                     /* 2 */
    /* backward c.bnez loop: 5 iterations */
    c.li    s1, 5
    c.li    a2, 0
4:  c.addi  a2, 3
    c.addi  s1, -1
    c.bnez  s1, 4b
    OUT(29, a2)                     /* 15 */
    la      a3, 5f
    c.li    a4, 7
    c.jr    a3
    c.li    a4, 8                   /* skipped */
5:  OUT(30, a4)                     /* 7 */
    la      a3, rvc_leaf
    c.jalr  a3                      /* ra = address of the next instruction */
6:  la      a5, 6b
    sub     a5, ra, a5
    OUT(31, a5)                     /* 0: link is the address after the 2-byte c.jalr */
    OUT(32, a0)                     /* rvc_leaf's value */
#if __riscv_xlen == 32
    c.jal   rvc_leaf
7:  la      a5, 7b
    sub     a5, ra, a5
    OUT(33, a5)
#else
    c.li    a5, 0
    OUT(33, a5)
#endif
    c.nop
    c.mv    a0, t6
    call    dump_regs
#if __riscv_xlen == 64
    c.ldsp  ra, 0(sp)
    c.ldsp  s0, 16(sp)
    c.ldsp  s1, 24(sp)
#else
    c.lwsp  ra, 0(sp)
    c.lwsp  s0, 16(sp)
    c.lwsp  s1, 24(sp)
#endif
    c.addi16sp sp, 64
    c.jr    ra

rvc_leaf:
    c.li    a0, 21
    c.add   a0, a0
    c.jr    ra
    .option pop
