/*
 * jit-stress: the cases a block translator gets wrong, each inside a loop run
 * often enough that its blocks are translated (our default threshold is 8000
 * entries, so the slow phases run tens of thousands of passes between changes;
 * blocks.test.ts also runs every guest with a threshold of 2):
 *
 *  1. self-modifying code: a hot loop calls a function in a RAM page and every
 *     K calls rewrites it (whole words, one halfword, one byte, a 4-byte
 *     instruction replaced by two compressed ones), then fence.i; and a loop
 *     (jit-stress_asm.S) that rewrites an instruction later in its own pass
 *     and one it already ran, while it is one translated looping block.
 *  2. one physical page at two virtual addresses (S-mode, Sv39/Sv32): code run
 *     through one alias and rewritten through the other; data stored through
 *     one and loaded back through the other in a hot loop; an instruction
 *     straddling two virtual pages whose physical pages are not adjacent,
 *     rewritten through an alias of the second page.
 *  3. satp switched mid-loop between two page tables that map the same
 *     virtual data and code pages (and the second half of the straddling
 *     instruction) to different physical pages: with sfence.vma, with
 *     sfence.vma for the ASID, with two ASIDs and no fence (Priv 1.12 4.2.1
 *     allows it), and by rewriting leaf PTEs with per-address sfence.vma.
 *  4. timer interrupts every 1000 ticks while hot loops run (M-mode
 *     arithmetic, the self-rewriting loop, the S-mode satp loop): the loops'
 *     results must not change.
 *
 * Every result is also computed by a plain C model and checked, so the sums
 * prove the new code or mapping was used each time. Only results are
 * printed, never how many interrupts arrived or when: QEMU's timer follows the
 * host clock. The interrupt phases loop until at least 3 ticks were taken,
 * so "interrupts seen: yes" holds on any host.
 */
#include "lib.h"

#define PTE_RW  (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define PTE_RX  (PTE_V | PTE_R | PTE_X | PTE_A)
#define PTE_RWX (PTE_RW | PTE_X)

#if __riscv_xlen == 64
#define LEVELS 3
#define VPN_BITS 9
#define SATP_MODE (8UL << 60)          /* Sv39 */
#define SATP_ASID_SHIFT 44
#else
#define LEVELS 2
#define VPN_BITS 10
#define SATP_MODE (1UL << 31)          /* Sv32 */
#define SATP_ASID_SHIFT 22
#endif

/* ---- instruction encodings ---- */
#define ADD_A0_A1    0x00b50533u                                   /* add a0, a0, a1 */
#define SUB_A0_A1    0x40b50533u                                   /* sub a0, a0, a1 */
#define ADDI_A0(imm) (0x00050513u | (((uint32_t)(imm) & 0xfff) << 20))   /* addi a0, a0, imm */
#define ADDI_A0_HI(imm) ((uint16_t)((((uint32_t)(imm) & 0xfff) << 4) | (10 >> 1)))  /* its upper halfword */
#define XORI_A0(imm) (0x00054513u | (((uint32_t)(imm) & 0xfff) << 20))   /* xori a0, a0, imm */
#define SLLI_A0_1    0x00151513u                                   /* slli a0, a0, 1 */
#define RET          0x00008067u                                   /* jalr x0, 0(ra) */
#define C_ADDI_A0(imm) ((uint16_t)(0x0501u | (((imm) & 0x20) << 7) | (((imm) & 0x1f) << 2)))
#define C_NOP        0x0001u

typedef unsigned long (*fn1_t)(unsigned long);
typedef unsigned long (*fn2_t)(unsigned long, unsigned long);
typedef unsigned long (*self_loop_t)(unsigned long n, unsigned long mask, unsigned long scratch,
                                     unsigned long late, unsigned long head, unsigned long phase);

extern const uint32_t smc_self_start[], smc_self_head[], smc_self_late[], smc_self_end[];   /* jit-stress_asm.S */

static void fence_i(void) { __asm__ volatile ("fence.i" ::: "memory"); }
static void sfence_all(void) { __asm__ volatile ("sfence.vma" ::: "memory"); }
static void sfence_va(unsigned long va) { __asm__ volatile ("sfence.vma %0, zero" :: "r"(va) : "memory"); }
static void sfence_asid(unsigned long asid) { __asm__ volatile ("sfence.vma zero, %0" :: "r"(asid) : "memory"); }

static unsigned long rotl(unsigned long x, unsigned r) { return (x << r) | (x >> (XLEN - r)); }

#define NW (4096 / sizeof(unsigned long))      /* words in a page */

/* ================= 1. self-modifying code (M-mode, no translation) ================= */

/* Page 0: the patched function; page 1: the self-rewriting loop (and its scratch word). */
static uint32_t code_page[2][1024] __attribute__((aligned(4096)));

/* What the patched function computes now: f(acc, i) = (acc +/- i) + imm. */
struct version {
    int sub;
    long imm;
};

/*
 * Version v's function. It rewrites the first instruction (add/sub) and the
 * second in one of four ways in turn, each relying on the one before:
 * 0: the whole addi word; 1: the upper halfword only (the immediate, as a
 * 16-bit store 2 bytes into the instruction); 2: the top byte only (imm[11:4]);
 * 3: two compressed instructions (c.addi a0, imm; c.nop) in its place, so a
 * halfword slot that was the middle of an instruction now starts one.
 */
static void plan(unsigned v, struct version *s)
{
    s->sub = (v % 3) == 1;
    switch (v % 4) {
    case 0: s->imm = (long)((v * 37u) % 2047u) - 1023; break;
    case 1: s->imm = (long)((v * 101u) % 2047u) - 1023; break;
    case 2: {
        long u = (long)(((v * 53u) & 0xff) << 4) | (s->imm & 0xf);
        s->imm = u >= 0x800 ? u - 0x1000 : u;
        break;
    }
    default: {
        long c = (long)((v * 7u) % 63u) - 31;
        s->imm = c ? c : 17;       /* c.addi with 0 is a hint, not an add */
        break;
    }
    }
}

static void patch(unsigned v, const struct version *s)
{
    volatile uint32_t *w = code_page[0];
    w[0] = s->sub ? SUB_A0_A1 : ADD_A0_A1;
    switch (v % 4) {
    case 0: w[1] = ADDI_A0(s->imm); break;
    case 1: ((volatile uint16_t *)w)[3] = ADDI_A0_HI(s->imm); break;
    case 2: ((volatile uint8_t *)w)[7] = (uint8_t)((unsigned long)s->imm >> 4); break;
    default: w[1] = C_ADDI_A0(s->imm) | ((uint32_t)C_NOP << 16); break;
    }
    fence_i();
}

/*
 * n calls of the function, a new version at call 0 and then `every + v % spread`
 * calls after version v. model=1 computes the same without running the code.
 */
static unsigned long patched_calls(unsigned n, unsigned every, unsigned spread, int model, unsigned *versions)
{
    fn2_t f = (fn2_t)(void *)code_page[0];
    struct version s = { 0, 0 };
    unsigned v = 0, next = 0;
    unsigned long acc = 0x1234;
    code_page[0][2] = RET;
    for (unsigned i = 0; i < n; i++) {
        if (i == next) {
            plan(v, &s);
            if (!model) patch(v, &s);
            v++;
            next = i + every + v % spread;
        }
        unsigned long r = model ? (s.sub ? acc - i : acc + i) + (unsigned long)s.imm : f(acc, i);
        acc = rotl(r, 5) ^ (i * 0x9e3779b9u);
    }
    *versions = v;
    return acc;
}

static void part_patched_function(void)
{
    static const struct { const char *name; unsigned n, every, spread; } runs[] = {
        { "1a function patched every 10000 calls", 30000, 10000, 1 },
        { "1a function patched every 1-7 calls", 1200, 1, 7 },
    };
    for (unsigned r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        unsigned vg, vm;
        unsigned long got = patched_calls(runs[r].n, runs[r].every, runs[r].spread, 0, &vg);
        unsigned long want = patched_calls(runs[r].n, runs[r].every, runs[r].spread, 1, &vm);
        kprintf("%s: %u versions\n", runs[r].name, vg);
        check("  checksum", got, want);
    }
}

/* The loop of jit-stress_asm.S copied into code_page[1]; its scratch word is in the same page. */
static unsigned long self_loop_run(unsigned long n, unsigned long mask, unsigned long phase)
{
    volatile uint32_t *dst = code_page[1];
    unsigned words = (unsigned)(smc_self_end - smc_self_start);
    for (unsigned k = 0; k < words; k++) dst[k] = smc_self_start[k];
    fence_i();
    unsigned long base = (unsigned long)code_page[1];
    self_loop_t loop = (self_loop_t)(void *)code_page[1];
    return loop(n, mask, base + 0x800,
                base + 4 * (unsigned long)(smc_self_late - smc_self_start),
                base + 4 * (unsigned long)(smc_self_head - smc_self_start), phase);
}

static unsigned long self_loop_model(unsigned long n, unsigned long mask, unsigned long phase)
{
    unsigned long acc = 0, head = 0, late = 0;
    for (unsigned long i = 0; i < n; i++) {
        acc += head;
        if ((i & mask) == 0) late = (5 * i) & 0x7ff;
        if (((i ^ phase) & mask) == 0) head = (3 * i + 1) & 0x3ff;
        acc += late;
        acc ^= acc << 3;
        acc += i;
    }
    return acc;
}

static const struct { const char *name; unsigned long n, mask, phase; } self_runs[] = {
    { "1b loop rewrites itself every pass", 500, 0, 0 },
    { "1b loop rewrites itself every 8 passes", 1600, 7, 3 },
    { "1b loop rewrites itself every 8192 passes", 40000, 0x3fff, 0x2000 },
};

static void part_self_loop(void)
{
    for (unsigned r = 0; r < sizeof self_runs / sizeof self_runs[0]; r++) {
        unsigned long got = self_loop_run(self_runs[r].n, self_runs[r].mask, self_runs[r].phase);
        kprintf("%s (%lu passes)\n", self_runs[r].name, self_runs[r].n);
        check("  checksum", got, self_loop_model(self_runs[r].n, self_runs[r].mask, self_runs[r].phase));
    }
}

/* ================= page tables for parts 2 and 3 ================= */

/* Test area: 4 KiB pages at TV + n * 0x1000. */
#define TV       0x40000000UL
#define CODE_A   (TV + 0x0000)     /* -> P_CODE, RWX: code runs here */
#define CODE_B   (TV + 0x1000)     /* -> P_CODE, RW: and is rewritten here */
#define DATA_A   (TV + 0x2000)     /* -> P_DATA */
#define DATA_B   (TV + 0x3000)     /* -> P_DATA */
#define SWAP_D   (TV + 0x4000)     /* -> P_D1 in table 0, P_D2 in table 1 */
#define SWAP_C   (TV + 0x5000)     /* -> P_C1 / P_C2, RX */
#define STRAD    (TV + 0x6000)     /* -> P_S1, RX: ends with the first half of an instruction */
#define STRAD2   (TV + 0x7000)     /* -> P_S2 / P_S3, RX: its second half */
#define STRAD_W  (TV + 0x8000)     /* -> P_S2, RW */

#define FN_OFF    0x100            /* the function in P_CODE */
#define SWAPC_OFF 0x80             /* the functions in P_C1 and P_C2 */
#define STRAD_FN  (STRAD + 0xffc)  /* c.addi a0, 1; addi a0, a0, imm (straddling); ret */

/* P_S1 comes after P_S2 and P_S3 so that the page after it is neither: the
   straddling instruction must be fetched from two unrelated physical pages. */
enum { P_CODE, P_DATA, P_D1, P_D2, P_C1, P_C2, P_S2, P_S3, P_S1, P_AFTER_S1, NPHYS };
static uint8_t phys[NPHYS][4096] __attribute__((aligned(4096)));

#define NPT 12
static uint8_t pt_pool[NPT][4096] __attribute__((aligned(4096)));
static unsigned pt_used;

static unsigned long *pt_alloc(void)
{
    if (pt_used >= NPT) {
        puts("page-table pool exhausted\n");
        exit_fail(2);
    }
    unsigned long *p = (unsigned long *)pt_pool[pt_used++];
    memset(p, 0, 4096);
    return p;
}

static unsigned long pte_for(unsigned long pa, unsigned long flags) { return ((pa >> 12) << 10) | flags; }

/* The PTE slot for va at leaf_level, creating the tables above it. */
static unsigned long *pte_slot(unsigned long *root, unsigned long va, int leaf_level)
{
    unsigned long *table = root;
    for (int level = LEVELS - 1; level > leaf_level; level--) {
        unsigned long *e = &table[(va >> (12 + VPN_BITS * level)) & ((1UL << VPN_BITS) - 1)];
        if (!(*e & PTE_V)) *e = pte_for((unsigned long)pt_alloc(), PTE_V);
        table = (unsigned long *)((*e >> 10) << 12);
    }
    return &table[(va >> (12 + VPN_BITS * leaf_level)) & ((1UL << VPN_BITS) - 1)];
}

static void map(unsigned long *root, unsigned long va, unsigned long pa, int level, unsigned long flags)
{
    *pte_slot(root, va, level) = pte_for(pa, flags);
}

/* The pages that differ between table 0 and table 1. */
static unsigned long swap_pa(int sel, int which)
{
    static const int pages[3][2] = { { P_D1, P_D2 }, { P_C1, P_C2 }, { P_S2, P_S3 } };
    return (unsigned long)phys[pages[which][sel]];
}
static const unsigned long swap_va[3] = { SWAP_D, SWAP_C, STRAD2 };
static const unsigned long swap_flags[3] = { PTE_RW, PTE_RX, PTE_RX };

/* Table `sel`: RAM identity-mapped (S runs the program from it), the test area as above. */
static unsigned long *build_table(int sel)
{
    unsigned long *root = pt_alloc();
#if __riscv_xlen == 64
    map(root, DRAM_BASE, DRAM_BASE, 2, PTE_RWX);                      /* gigapage */
#else
    for (unsigned long a = DRAM_BASE; a < DRAM_BASE + 0x1000000UL; a += 0x400000UL)
        map(root, a, a, 1, PTE_RWX);                                   /* megapages */
#endif
    map(root, CODE_A, (unsigned long)phys[P_CODE], 0, PTE_RWX);
    map(root, CODE_B, (unsigned long)phys[P_CODE], 0, PTE_RW);
    map(root, DATA_A, (unsigned long)phys[P_DATA], 0, PTE_RW);
    map(root, DATA_B, (unsigned long)phys[P_DATA], 0, PTE_RW);
    map(root, STRAD, (unsigned long)phys[P_S1], 0, PTE_RX);
    map(root, STRAD_W, (unsigned long)phys[P_S2], 0, PTE_RW);
    for (int k = 0; k < 3; k++) map(root, swap_va[k], swap_pa(sel, k), 0, swap_flags[k]);
    return root;
}

static unsigned long *table[2];
static unsigned long satp_of(int sel, unsigned long asid)
{
    return SATP_MODE | (asid << SATP_ASID_SHIFT) | ((unsigned long)table[sel] >> 12);
}

static void init_pages(void)
{
    /* P_CODE: a function that adds an immediate (rewritten through CODE_B). */
    uint32_t *c = (uint32_t *)(phys[P_CODE] + FN_OFF);
    c[0] = ADDI_A0(5);
    c[1] = RET;
    /* P_C1 and P_C2: two functions at the same offset. */
    uint32_t *c1 = (uint32_t *)(phys[P_C1] + SWAPC_OFF), *c2 = (uint32_t *)(phys[P_C2] + SWAPC_OFF);
    c1[0] = SLLI_A0_1; c1[1] = XORI_A0(0x15a); c1[2] = RET;
    c2[0] = ADDI_A0(-77); c2[1] = XORI_A0(0x6b3); c2[2] = RET;
    /* P_D1 and P_D2: two patterns. */
    for (unsigned k = 0; k < NW; k++) {
        ((unsigned long *)phys[P_D1])[k] = 0x1000 + k * 0x10001u;
        ((unsigned long *)phys[P_D2])[k] = 0x5000000 - k * 0x3003u;
    }
    /* The straddling function: P_S1 ends with c.addi a0, 1 and the low half of addi a0, a0, imm. */
    *(uint16_t *)(phys[P_S1] + 0xffc) = C_ADDI_A0(1);
    *(uint16_t *)(phys[P_S1] + 0xffe) = (uint16_t)ADDI_A0(0);
    /* Its high half and a ret in P_S2 (rewritten later) and P_S3, and a decoy in the page after P_S1. */
    *(uint16_t *)(phys[P_S2] + 0) = ADDI_A0_HI(0);
    *(uint16_t *)(phys[P_S3] + 0) = ADDI_A0_HI(-0x2aa);
    *(uint16_t *)(phys[P_AFTER_S1] + 0) = ADDI_A0_HI(0x7ff);
    *(uint32_t *)(phys[P_S2] + 2) = RET;
    *(uint32_t *)(phys[P_S3] + 2) = RET;
    *(uint32_t *)(phys[P_AFTER_S1] + 2) = RET;
    fence_i();
    table[0] = build_table(0);
    table[1] = build_table(1);
}

/* ================= 2. two virtual addresses, one physical page (S-mode) ================= */

static volatile unsigned long once_before, once_after;

static long s_alias_once(long unused)
{
    fn1_t g = (fn1_t)(CODE_A + FN_OFF);
    once_before = g(1000);
    *(volatile uint32_t *)(CODE_B + FN_OFF) = ADDI_A0(77);
    fence_i();
    once_after = g(1000);
    return 0;
}

/* Hot loop parameters, set by M before each S-mode run. */
static volatile unsigned long p_n, p_every;

static unsigned long alias_imm(unsigned long v) { return (v * 29) % 2000; }

static long s_code_alias(long unused)
{
    fn1_t g = (fn1_t)(CODE_A + FN_OFF);
    volatile uint32_t *w = (volatile uint32_t *)(CODE_B + FN_OFF);
    unsigned long acc = 0, v = 0, next = 0;
    for (unsigned long i = 0; i < p_n; i++) {
        if (i == next) {
            *w = ADDI_A0(alias_imm(v) - 1000);
            fence_i();
            v++;
            next += p_every;
        }
        acc = rotl(acc, 3) ^ g(i);
    }
    return (long)acc;
}

static unsigned long code_alias_model(unsigned long n, unsigned long every)
{
    unsigned long acc = 0, v = 0, next = 0, imm = 0;
    for (unsigned long i = 0; i < n; i++) {
        if (i == next) { imm = alias_imm(v) - 1000; v++; next += every; }
        acc = rotl(acc, 3) ^ (i + imm);
    }
    return acc;
}

/* Stores through one alias, loads through the other, in a loop; the model runs on `shadow`. */
static unsigned long data_alias(volatile unsigned long *a, volatile unsigned long *b, unsigned long n)
{
    unsigned long acc = 0;
    for (unsigned long i = 0; i < n; i++) {
        unsigned long k = (i * 7) & (NW - 1), k1 = (k + 1) & (NW - 1);
        unsigned long x = a[k];
        b[k] = x * 5 + i;
        unsigned long y = a[k];
        b[k1] ^= y;
        acc += y ^ a[k1];
    }
    return acc;
}

static long s_data_alias(long n) { return (long)data_alias((unsigned long *)DATA_A, (unsigned long *)DATA_B, n); }

static unsigned long strad_imm(unsigned long v) { return (v * 131) % 4000; }

static long s_straddle(long unused)
{
    fn1_t f = (fn1_t)STRAD_FN;
    volatile uint16_t *hi = (volatile uint16_t *)STRAD_W;
    unsigned long acc = 0, v = 0, next = 0;
    for (unsigned long i = 0; i < p_n; i++) {
        if (i == next) {
            *hi = ADDI_A0_HI(strad_imm(v) - 2000);
            fence_i();
            v++;
            next += p_every;
        }
        acc = rotl(acc, 7) + f(i);
    }
    return (long)acc;
}

static unsigned long straddle_model(unsigned long n, unsigned long every)
{
    unsigned long acc = 0, v = 0, next = 0, imm = 0;
    for (unsigned long i = 0; i < n; i++) {
        if (i == next) { imm = strad_imm(v) - 2000; v++; next += every; }
        acc = rotl(acc, 7) + (i + 1 + imm);
    }
    return acc;
}

static void part_aliases(void)
{
    csr_write(satp, satp_of(0, 0));
    sfence_all();

    call_in_mode(PRV_S, s_alias_once, 0);
    puts("2a code run via A, rewritten via B, run via A again\n");
    check("  before", once_before, 1005);
    check("  after", once_after, 1077);

    static const struct { const char *name; unsigned long n, every; } code_runs[] = {
        { "2a code rewritten through its alias every 10000 calls", 30000, 10000 },
        { "2a code rewritten through its alias every 3 calls", 600, 3 },
    };
    for (unsigned r = 0; r < sizeof code_runs / sizeof code_runs[0]; r++) {
        p_n = code_runs[r].n;
        p_every = code_runs[r].every;
        unsigned long got = (unsigned long)call_in_mode(PRV_S, s_code_alias, 0);
        kprintf("%s\n", code_runs[r].name);
        check("  checksum", got, code_alias_model(code_runs[r].n, code_runs[r].every));
    }

    /* The data page starts with a pattern; the model runs on a copy. */
    static unsigned long shadow[NW];
    for (unsigned k = 0; k < NW; k++) shadow[k] = ((unsigned long *)phys[P_DATA])[k] = k * 0x01010101u + 7;
    unsigned long got = (unsigned long)call_in_mode(PRV_S, s_data_alias, 20000);
    unsigned long want = data_alias(shadow, shadow, 20000);
    puts("2b stored via B, loaded via A, 20000 passes\n");
    check("  checksum", got, want);
    check("  page matches the model", memcmp(phys[P_DATA], shadow, 4096) == 0, 1);

    static const struct { const char *name; unsigned long n, every; } strad_runs[] = {
        { "2c straddling instruction, second half rewritten through an alias every 10000 calls", 30000, 10000 },
        { "2c straddling instruction, second half rewritten through an alias every 2 calls", 600, 2 },
    };
    for (unsigned r = 0; r < sizeof strad_runs / sizeof strad_runs[0]; r++) {
        p_n = strad_runs[r].n;
        p_every = strad_runs[r].every;
        unsigned long got2 = (unsigned long)call_in_mode(PRV_S, s_straddle, 0);
        kprintf("%s\n", strad_runs[r].name);
        check("  checksum", got2, straddle_model(strad_runs[r].n, strad_runs[r].every));
    }
    csr_write(satp, 0);
    sfence_all();
}

/* ================= 3. satp / PTE changes mid-loop (S-mode) ================= */

enum { SW_FENCE, SW_FENCE_ASID, SW_TWO_ASIDS, SW_REWRITE_PTES };

static volatile struct {
    unsigned long satp[2];
    unsigned long n, every;                 /* every: a power of two */
    int how;
    unsigned long *pte[3];                  /* table 0's PTEs of swap_va[] */
    unsigned long pte_val[2][3];            /* their values in table 0 and table 1 */
} sw;

#define S2_IMM 0x155
#define S3_IMM (-0x2aa)

static long s_satp_loop(long unused)
{
    fn1_t swapc = (fn1_t)(SWAP_C + SWAPC_OFF), strad = (fn1_t)STRAD_FN;
    volatile unsigned long *d = (volatile unsigned long *)SWAP_D;
    unsigned long acc = 0, n = sw.n, every = sw.every;
    int how = sw.how;
    sfence_all();          /* the tables were built (or PTEs restored) since the last fence */
    for (unsigned long i = 0; i < n; i++) {
        if ((i & (every - 1)) == 0) {
            int sel = (int)((i / every) & 1);
            switch (how) {
            case SW_FENCE:
                csr_write(satp, sw.satp[sel]);
                sfence_all();
                break;
            case SW_FENCE_ASID:
                csr_write(satp, sw.satp[sel]);
                sfence_asid(0);
                break;
            case SW_TWO_ASIDS:     /* each ASID's tables unchanged since the fence above */
                csr_write(satp, sw.satp[sel]);
                break;
            default:
                for (int k = 0; k < 3; k++) *sw.pte[k] = sw.pte_val[sel][k];
                for (int k = 0; k < 3; k++) sfence_va(swap_va[k]);
                break;
            }
        }
        acc = acc * 31 + d[(i * 3) & (NW - 1)];
        acc ^= swapc(i);
        acc += strad(i);
    }
    return (long)acc;
}

static unsigned long satp_model(unsigned long n, unsigned long every)
{
    const unsigned long *d1 = (const unsigned long *)phys[P_D1], *d2 = (const unsigned long *)phys[P_D2];
    unsigned long acc = 0;
    for (unsigned long i = 0; i < n; i++) {
        int sel = (int)((i / every) & 1);
        unsigned long k = (i * 3) & (NW - 1);
        acc = acc * 31 + (sel ? d2[k] : d1[k]);
        acc ^= sel ? ((i - 77) ^ 0x6b3) : ((i << 1) ^ 0x15a);
        acc += i + 1 + (unsigned long)(sel ? (long)S3_IMM : (long)S2_IMM);
    }
    return acc;
}

static const char *const how_name[] = {
    "satp switched, sfence.vma",
    "satp switched, sfence.vma zero, asid",
    "satp switched between two ASIDs, no fence",
    "leaf PTEs rewritten, sfence.vma per address",
};

/* Set sw for a run of `how` with table 0 in satp. */
static void satp_setup(int how, unsigned long n, unsigned long every)
{
    unsigned long asid0 = how == SW_TWO_ASIDS ? 1 : 0, asid1 = how == SW_TWO_ASIDS ? 2 : 0;
    sw.satp[0] = satp_of(0, asid0);
    sw.satp[1] = satp_of(1, asid1);
    sw.n = n;
    sw.every = every;
    sw.how = how;
    for (int k = 0; k < 3; k++) {
        sw.pte[k] = pte_slot(table[0], swap_va[k], 0);
        sw.pte_val[0][k] = pte_for(swap_pa(0, k), swap_flags[k]);
        sw.pte_val[1][k] = pte_for(swap_pa(1, k), swap_flags[k]);
        *sw.pte[k] = sw.pte_val[0][k];
    }
    csr_write(satp, sw.satp[0]);
    sfence_all();
}

static void satp_done(void)
{
    for (int k = 0; k < 3; k++) *sw.pte[k] = sw.pte_val[0][k];
    csr_write(satp, 0);
    sfence_all();
}

static void part_satp(void)
{
    *(volatile uint16_t *)phys[P_S2] = ADDI_A0_HI(S2_IMM);
    fence_i();
    for (int how = SW_FENCE; how <= SW_REWRITE_PTES; how++) {
        satp_setup(how, 20000, 64);
        unsigned long got = (unsigned long)call_in_mode(PRV_S, s_satp_loop, 0);
        satp_done();
        kprintf("3 %s every 64 passes, 20000 passes\n", how_name[how]);
        check("  checksum", got, satp_model(20000, 64));
    }
}

/* ================= 4. timer interrupts inside hot loops ================= */

#define TICK_PERIOD 1000           /* mtime ticks: 100 us on QEMU's 10 MHz timebase */
static volatile unsigned long ticks;

static int timer_hook(struct trap_frame *f)
{
    if (f->cause != (CAUSE_INTERRUPT | IRQ_M_TIMER)) return 0;
    ticks++;
    mtimecmp_write(0, mtime_read() + TICK_PERIOD);
    return 1;
}

static void timer_start(void)
{
    ticks = 0;
    mtimecmp_write(0, mtime_read() + TICK_PERIOD);
    csr_write(mie, 1UL << IRQ_M_TIMER);
}

static void timer_stop(void)
{
    csr_clear(mstatus, MSTATUS_MIE);
    csr_write(mie, 0);
    mtimecmp_write(0, ~0ULL);
}

static unsigned long mix_table[64];

/* Arithmetic with loads and stores: one hot loop. */
static unsigned long mix_loop(unsigned long n, unsigned long seed)
{
    unsigned long a = seed, b = ~seed;
    memset(mix_table, 0, sizeof mix_table);
    for (unsigned long i = 0; i < n; i++) {
        a = a * (unsigned long)6364136223846793005ULL + i;
        b ^= a >> 7;
        mix_table[i & 63] += b;
        a ^= mix_table[(i * 5) & 63];
    }
    return a ^ b;
}

static volatile unsigned long s_first, s_same;

/* Runs the part-3 loop until at least 3 ticks were taken (from S, into M), each run the same. */
static long s_satp_until_ticks(long unused)
{
    unsigned long first = (unsigned long)s_satp_loop(0), same = 1;
    do {
        if ((unsigned long)s_satp_loop(0) != first) same = 0;
    } while (ticks < 3);
    s_first = first;
    s_same = same;
    return 0;
}

static void report_irq_run(const char *what, unsigned long first, int same, unsigned long want)
{
    kprintf("4 %s\n", what);
    check("  checksum", first, want);
    check("  every run the same", same, 1);
    kprintf("  interrupts seen: %s\n", ticks >= 3 ? "yes" : "no");
}

static void part_interrupts(void)
{
    m_trap_hook = timer_hook;

    /* M-mode arithmetic loop, MIE set. */
    unsigned long want = mix_loop(20000, 0x2545f491);
    timer_start();
    csr_set(mstatus, MSTATUS_MIE);
    unsigned long first = mix_loop(20000, 0x2545f491);
    int same = 1;
    do {
        if (mix_loop(20000, 0x2545f491) != first) same = 0;
    } while (ticks < 3);
    timer_stop();
    report_irq_run("arithmetic loop, 20000 passes, timer every 1000 ticks", first, same, want);

    /* The self-rewriting loop. */
    want = self_loop_model(3000, 31, 16);
    timer_start();
    csr_set(mstatus, MSTATUS_MIE);
    first = self_loop_run(3000, 31, 16);
    same = 1;
    do {
        if (self_loop_run(3000, 31, 16) != first) same = 0;
    } while (ticks < 3);
    timer_stop();
    report_irq_run("self-rewriting loop (every 32 passes), 3000 passes, timer every 1000 ticks", first, same, want);

    /* The satp loop in S-mode: M-level interrupts are taken in S whatever mstatus.MIE. */
    *(volatile uint16_t *)phys[P_S2] = ADDI_A0_HI(S2_IMM);
    fence_i();
    satp_setup(SW_FENCE, 4000, 32);
    timer_start();
    call_in_mode(PRV_S, s_satp_until_ticks, 0);
    timer_stop();
    satp_done();
    report_irq_run("satp loop in S-mode, 4000 passes, timer every 1000 ticks", s_first, (int)s_same,
                   satp_model(4000, 32));

    m_trap_hook = 0;
}

int main(void)
{
    install_m_trap();
    pmp_allow_all();
    mtimecmp_write(0, ~0ULL);
    kprintf("jit-stress: rv%d\n", XLEN);
    part_patched_function();
    part_self_loop();
    init_pages();
    part_aliases();
    part_satp();
    part_interrupts();
    finish();
}
