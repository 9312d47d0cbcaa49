/*
 * bench-mixed: a CoreMark-class mixed integer workload of our own, ITERS rounds of four
 * kernels over small data that stays in cache, each feeding the next through a CRC-16:
 *   - a linked list of SIZE nodes: search by value, reverse, and a merge sort by key;
 *   - small matrices of int16 multiplied into int32, then bit fields pulled out of them;
 *   - a state machine classifying the characters of a text (number, float, word, other);
 *   - CRC-16 (CCITT, bit by bit) over every result.
 * Branchy pointer chasing, multiplies and short loops: the mix that decides how fast a
 * kernel's own code runs.
 */
#include "bench.h"

#ifndef ITERS_FULL
#define ITERS_FULL 40000
#endif
#ifndef ITERS_SHORT
#define ITERS_SHORT 20
#endif
#ifndef SIZE_FULL
#define SIZE_FULL 64
#endif
#ifndef SIZE_SHORT
#define SIZE_SHORT 64
#endif

#define N 8 /* matrix order */

struct node {
    struct node *next;
    int16_t key;
    int16_t val;
};

/* The data the rounds write, on pages of its own: a store into a page that holds code
 * costs any translator (QEMU drops the page's translations), and this measures code speed. */
static struct {
    struct node pool[SIZE];
    int16_t ma[N * N], mb[N * N];
    int32_t mc[N * N];
    char text[256];
} d __attribute__((aligned(4096)));
#define pool d.pool
#define ma d.ma
#define mb d.mb
#define mc d.mc
#define text d.text

static uint16_t crc16(uint16_t crc, uint32_t v, int bits)
{
    for (int i = 0; i < bits; i++) {
        unsigned bit = ((v >> i) & 1) ^ (crc >> 15);
        crc = (uint16_t)(crc << 1);
        if (bit) crc ^= 0x1021;
    }
    return crc;
}

static struct node *reverse(struct node *p)
{
    struct node *out = 0;
    while (p) {
        struct node *n = p->next;
        p->next = out;
        out = p;
        p = n;
    }
    return out;
}

/* Bottom-up merge sort of a list by key (stable), as a kernel's list_sort does. */
static struct node *sort(struct node *list)
{
    for (int width = 1;; width *= 2) {
        struct node *p = list, *head = 0, **tail = &head;
        int merges = 0;
        while (p) {
            merges++;
            struct node *q = p;
            int psize = 0;
            for (int i = 0; i < width && q; i++, psize++) q = q->next;
            int qsize = width;
            while (psize > 0 || (qsize > 0 && q)) {
                struct node *e;
                if (psize == 0) { e = q; q = q->next; qsize--; }
                else if (qsize == 0 || !q || p->key <= q->key) { e = p; p = p->next; psize--; }
                else { e = q; q = q->next; qsize--; }
                *tail = e;
                tail = &e->next;
            }
            p = q;
        }
        *tail = 0;
        list = head;
        if (merges <= 1) return list;
    }
}

static uint16_t lists(uint16_t crc, uint32_t *seed)
{
    struct node *list = 0;
    for (int i = SIZE - 1; i >= 0; i--) {
        pool[i].key = (int16_t)(xorshift32(seed) & 0x3ff);
        pool[i].val = (int16_t)i;
        pool[i].next = list;
        list = &pool[i];
    }
    for (int k = 0; k < 8; k++) { /* find */
        int16_t want = (int16_t)(xorshift32(seed) & 0x3ff);
        int at = 0;
        struct node *p = list;
        while (p && p->key != want) { p = p->next; at++; }
        crc = crc16(crc, p ? (uint32_t)at : 0xffff, 16);
    }
    list = sort(reverse(list));
    for (struct node *p = list; p; p = p->next) crc = crc16(crc, (uint32_t)(p->key ^ p->val), 16);
    return crc;
}

static uint16_t matrices(uint16_t crc, uint32_t *seed)
{
    for (int i = 0; i < N * N; i++) {
        ma[i] = (int16_t)xorshift32(seed);
        mb[i] = (int16_t)(xorshift32(seed) >> 20);
    }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            int32_t s = 0;
            for (int k = 0; k < N; k++) s += ma[i * N + k] * mb[k * N + j];
            mc[i * N + j] = s;
        }
    int32_t acc = 0;
    for (int i = 0; i < N * N; i++) acc += (mc[i] >> 2) & 0xf0f ? (mc[i] >> 9) & 0x7f : -(mc[i] & 3);
    return crc16(crc, (uint32_t)acc, 32);
}

/* A scanner's states: where in a token it is. */
enum state { START, INT, POINT, FRAC, EXP, EXPSIGN, EXPDIG, WORD, BAD, NSTATES };

static uint16_t scan(uint16_t crc, uint32_t *seed)
{
    static const char alphabet[] = "0123456789.+-eE, abcxyz";
    for (unsigned i = 0; i < sizeof text - 1; i++) text[i] = alphabet[xorshift32(seed) % (sizeof alphabet - 1)];
    text[sizeof text - 1] = 0;
    unsigned counts[NSTATES] = {0};
    enum state st = START;
    for (const char *p = text;; p++) {
        char c = *p;
        int digit = c >= '0' && c <= '9';
        if (c == ',' || c == ' ' || c == 0) {
            counts[st]++;
            st = START;
            if (c == 0) break;
            continue;
        }
        switch (st) {
        case START: st = digit ? INT : (c == '+' || c == '-') ? INT : (c >= 'a' && c <= 'z') ? WORD : c == '.' ? POINT : BAD; break;
        case INT: st = digit ? INT : c == '.' ? POINT : (c == 'e' || c == 'E') ? EXP : BAD; break;
        case POINT: st = digit ? FRAC : BAD; break;
        case FRAC: st = digit ? FRAC : (c == 'e' || c == 'E') ? EXP : BAD; break;
        case EXP: st = digit ? EXPDIG : (c == '+' || c == '-') ? EXPSIGN : BAD; break;
        case EXPSIGN: case EXPDIG: st = digit ? EXPDIG : BAD; break;
        case WORD: st = (c >= 'a' && c <= 'z') || digit ? WORD : BAD; break;
        default: break;
        }
    }
    for (int s = 0; s < NSTATES; s++) crc = crc16(crc, counts[s], 16);
    return crc;
}

int main(void)
{
    kprintf("bench-mixed: rv%d, %u rounds of list, matrix, state machine and CRC over %u nodes\n", XLEN, ITERS, SIZE);
    check("crc16(0x1234)", crc16(0, 0x1234, 16), crc16(crc16(0, 0x34, 8), 0x12, 8));
    uint32_t seed = 0x2468ace1;
    uint16_t crc = 0;
    for (unsigned it = 0; it < ITERS; it++) {
        crc = lists(crc, &seed);
        crc = matrices(crc, &seed);
        crc = scan(crc, &seed);
    }
    kprintf("checksum %04x\n", crc);
    finish();
}
