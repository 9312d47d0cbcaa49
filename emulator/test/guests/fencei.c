/*
 * fencei: self-modifying code. Instructions are written to RAM, made
 * visible with fence.i and run; then rewritten (also by the code itself,
 * in a block that has already run) and run again. Also executes every
 * fence form, fence.tso and pause.
 */
#include "lib.h"

#define ADDI_A0(imm) (0x00000513u | ((uint32_t)(imm) << 20))   /* addi a0, zero, imm */
#define RET          0x00008067u                               /* jalr x0, 0(ra) */
#define NOP          0x00000013u
#define FENCE_I      0x0000100fu
#define SW_A1_12_A0  0x00b52623u                               /* sw a1, 12(a0) */
#define C_LI_A0(imm) ((uint16_t)(0x4501 | (((imm) & 0x1f) << 2) | (((imm) & 0x20) << 7)))
#define C_JR_RA      ((uint16_t)0x8082)

static uint32_t code[64] __attribute__((aligned(4096)));

typedef long (*fn0)(void);
typedef long (*fn2)(long, long);

static void sync_icache(void) { __asm__ volatile ("fence.i" ::: "memory"); }

int main(void)
{
    install_m_trap();
    kprintf("fencei: rv%d\n", XLEN);

    code[0] = ADDI_A0(42);
    code[1] = RET;
    sync_icache();
    check("run written code", ((fn0)code)(), 42);
    code[0] = ADDI_A0(43);
    sync_icache();
    check("run rewritten code", ((fn0)code)(), 43);
    for (int i = 0; i < 5; i++) {
        code[0] = ADDI_A0(100 + i);
        sync_icache();
        kprintf("iteration %d -> %ld\n", i, ((fn0)code)());
    }

    /* Compressed instructions written as halfwords. */
    uint16_t *h = (uint16_t *)&code[8];
    h[0] = C_LI_A0(-7);
    h[1] = C_JR_RA;
    sync_icache();
    check("run compressed code", ((fn0)h)(), (unsigned long)-7);

    /* Code that patches its own later instruction, then fence.i, in a block
       that has already executed once unpatched. */
    uint32_t *p = &code[16];
    p[0] = SW_A1_12_A0;
    p[1] = FENCE_I;
    p[2] = NOP;
    p[3] = ADDI_A0(1);
    p[4] = RET;
    sync_icache();
    check("self-patch (same insn)", ((fn2)p)((long)p, ADDI_A0(1)), 1);
    check("self-patch (new insn)", ((fn2)p)((long)p, ADDI_A0(2)), 2);
    check("self-patch again", ((fn2)p)((long)p, ADDI_A0(-3)), (unsigned long)-3);

    /* Every fence form is accepted. */
    __asm__ volatile ("fence\n\tfence rw, rw\n\tfence r, r\n\tfence w, w\n\tfence iorw, iorw\n\t"
                      "fence i, o\n\tfence.tso\n\t.word 0x0100000f /* pause */\n\tfence.i\n\t"
                      "sfence.vma\n\tsfence.vma zero, zero" ::: "memory");
    puts("fences executed\n");
    finish();
}
