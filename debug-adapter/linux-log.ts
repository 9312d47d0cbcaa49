/**
 * Linux's kernel log (the Debug Console's `dmesg`), read from the lockless ring buffer
 * that printk writes since 5.10 (kernel/printk/printk_ringbuffer.h): a ring of
 * descriptors, each with its state in the top two bits of state_var and the logical
 * positions of its text in the data ring, where an ID word precedes the text. Offsets
 * come from the kernel's own DWARF through C expressions; the rings are read in three
 * blocks. Records are walked from the tail id to the head id, as the kernel reads them.
 */

/** Descriptor states (printk_ringbuffer.h, enum desc_state): only these hold a finished record. */
const COMMITTED = 1n;
const FINALIZED = 2n;
/**
 * Bigger rings than these are not a kernel's log, and would have the adapter read hundreds
 * of MB on the guest's word: CONFIG_LOG_BUF_SHIFT is 12-25 (init/Kconfig), and the
 * descriptor ring has 2^(shift - PRB_AVGBITS 5) entries (printk.c, _DEFINE_PRINTKRB).
 */
const MAX_DATA_BITS = 25;
const MAX_COUNT_BITS = 20;

const le = (b: Uint8Array, at: number, size: number): bigint => {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[at + i] ?? 0);
  return v;
};

/**
 * The log's lines as dmesg prints them ("[    1.234567] text"), oldest first. `evaluate`
 * is a C expression on the stopped hart; `read` reads guest memory (virtual).
 */
export async function readKernelLog(hasRingBuffer: boolean, evaluate: (text: string) => Promise<bigint>,
  read: (address: bigint, count: number) => Promise<Uint8Array>): Promise<string[]> {
  if (!hasRingBuffer) throw new Error('dmesg reads Linux\'s printk ring buffer (the symbol prb), which this program does not have');
  const n = async (text: string) => Number(await evaluate(text));
  const wordBytes = await n('sizeof(long)');
  const countBits = await n('prb->desc_ring.count_bits');
  const dataBits = await n('prb->text_data_ring.size_bits');
  if (countBits > MAX_COUNT_BITS || dataBits > MAX_DATA_BITS) throw new Error(`the printk ring buffer's sizes (2^${countBits} records, 2^${dataBits} bytes) are not a kernel's: is prb intact?`);
  const descs = await evaluate('(unsigned long)prb->desc_ring.descs');
  const infos = await evaluate('(unsigned long)prb->desc_ring.infos');
  const data = await evaluate('(unsigned long)prb->text_data_ring.data');
  const descSize = await n('sizeof(prb->desc_ring.descs[0])');
  const infoSize = await n('sizeof(prb->desc_ring.infos[0])');
  const at = (member: string, base: string) => n(`(unsigned long)&${base}[0].${member} - (unsigned long)${base}`);
  const lposAt = await at('text_blk_lpos', 'prb->desc_ring.descs');
  const tsAt = await at('ts_nsec', 'prb->desc_ring.infos');
  const lenAt = await at('text_len', 'prb->desc_ring.infos');
  const tailId = await evaluate('prb->desc_ring.tail_id.counter');
  const headId = await evaluate('prb->desc_ring.head_id.counter');

  const count = 1 << countBits, dataSize = 1 << dataBits;
  const [descBytes, infoBytes, text] = await Promise.all([read(descs, count * descSize), read(infos, count * infoSize), read(data, dataSize)]);
  const bits = BigInt(wordBytes * 8);
  const flagsShift = bits - 2n;
  const idMask = (1n << flagsShift) - 1n;
  const decoder = new TextDecoder('utf-8');
  const lines: string[] = [];
  let id = BigInt.asUintN(Number(bits), tailId) & idMask;
  const head = BigInt.asUintN(Number(bits), headId) & idMask;
  for (let seen = 0; seen <= count; seen++) {
    const i = Number(id % BigInt(count));
    const stateVar = le(descBytes, i * descSize, wordBytes);
    const state = (stateVar >> flagsShift) & 3n;
    if (state === COMMITTED || state === FINALIZED) {
      const begin = Number(le(descBytes, i * descSize + lposAt, wordBytes) % BigInt(dataSize));
      const next = Number(le(descBytes, i * descSize + lposAt + wordBytes, wordBytes) % BigInt(dataSize));
      const len = Number(le(infoBytes, i * infoSize + lenAt, 2));
      // An odd begin marks a record without text; a block that wrapped starts again at 0.
      const start = (begin & 1) === 1 ? -1 : (begin > next ? 0 : begin) + wordBytes;
      const body = start < 0 ? '' : decoder.decode(text.subarray(start, Math.min(start + len, text.length)));
      const ns = le(infoBytes, i * infoSize + tsAt, 8);
      const stamp = `[${String(ns / 1_000_000_000n).padStart(5)}.${String((ns % 1_000_000_000n) / 1000n).padStart(6, '0')}]`;
      for (const part of body.split('\n')) lines.push(`${stamp} ${part}`);
    }
    if (id === head) break;
    id = (id + 1n) & idMask;
  }
  return lines;
}
