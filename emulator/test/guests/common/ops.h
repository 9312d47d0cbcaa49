/*
 * Macros that run exactly one named instruction on register operands, so the
 * compiler cannot fold or substitute it. Results are XLEN-wide.
 */
#ifndef GUEST_OPS_H
#define GUEST_OPS_H

#define OP_RR(insn, a, b) ({ unsigned long r_; \
    __asm__ volatile (insn " %0, %1, %2" : "=r"(r_) : "r"((unsigned long)(a)), "r"((unsigned long)(b))); r_; })
#define OP_RI(insn, a, imm) ({ unsigned long r_; \
    __asm__ volatile (insn " %0, %1, %2" : "=r"(r_) : "r"((unsigned long)(a)), "i"(imm)); r_; })
#define OP_I(insn, imm) ({ unsigned long r_; \
    __asm__ volatile (insn " %0, %1" : "=r"(r_) : "i"(imm)); r_; })

#if __riscv_xlen == 64
#define LREG "ld"
#define SREG "sd"
#else
#define LREG "lw"
#define SREG "sw"
#endif

#endif
