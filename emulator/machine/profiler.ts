/**
 * What a profile or coverage run collects in the machine: raw pcs, no names. Attribution
 * to functions and lines is DWARF's business and lives in debug-adapter/profile-writer.ts
 * (docs/architecture.md, "Profiling and coverage"); these types are the contract between
 * the two, in the CLI's pipe to the adapter and in the worker's answers alike.
 */

/**
 * One sample: the hart, its privilege mode (0 U, 1 S, 3 M) and pc, and when (machine
 * clock, in instructions); `task`, the word the hart keeps its task in (hex), when the
 * profile was given where that is and it is not 0.
 */
export interface RawSample { hart: number; priv: number; pc: string; clock: number; task?: string }

/**
 * Where a hart keeps the task it runs, in one privilege mode: an integer register (Linux's
 * tp in S-mode), a CSR (sscratch in U-mode) or a word of RAM at a physical address
 * (xv6's cpus[hart].proc). The debugger works these out from an OS description.
 */
export type TaskSource = { hart: number; priv: number } & ({ reg: number } | { csr: number } | { pa: number });

export interface RawProfile {
  /** Instructions each hart retires between two of its samples. */
  rate: number;
  /** Guest instructions per second of guest time: clock units become microseconds with it. */
  instructionsPerSecond: number;
  xlen: 32 | 64;
  /** In the order taken; the writer orders them by clock, then hart. */
  samples: RawSample[];
  /** Clock (instructions) when sampling started and stopped. */
  startClock: number;
  endClock: number;
  /** Samples not kept, past MAX_SAMPLES. */
  dropped: number;
}

/** Every pc that ran, as hex, with how many times it ran; `dropped`: runs of pcs past MAX_PCS, not kept. */
export interface RawCoverage { xlen: 32 | 64; pcs: [string, number][]; dropped: number }

export const DEFAULT_PROFILE_RATE = 10_000;

/** Samples beyond this are counted, not kept (4 M samples is 40 G instructions at the default rate, 160 MB kept). */
const MAX_SAMPLES = 4_000_000;
const FIELDS = 7;
/** Distinct pcs coverage keeps (a guest writing code all over RAM must not take the host's memory): a kernel has a few hundred thousand. */
const MAX_PCS = 4_000_000;

function pcHex(hi: number, lo: number, xlen: 32 | 64): string {
  const low = (lo >>> 0).toString(16);
  return xlen === 32 || hi === 0 ? low : (hi >>> 0).toString(16) + low.padStart(8, '0');
}

/**
 * Sampling by retired instructions: each hart is sampled after every `rate` of its own
 * instructions, wherever the scheduler's turns fall, so a run gives the same samples
 * whether its code was translated or interpreted and however it was sliced. The machine
 * cuts each run of the interpreter loop at `left[hart]` and subtracts what ran (the loop
 * stops at the sample point as it stops for its chunk: no check per instruction), then
 * calls `take` when it reaches 0. The sample is the pc the hart will execute next.
 */
export class Sampler {
  /** Instructions each hart has still to retire before its next sample: the machine counts them down. */
  readonly left: Float64Array;
  /** Samples as numbers, FIELDS each (hart, priv, pc high, pc low, clock, task high, task low): no object or string per sample on the hot path. */
  private data = new Float64Array(FIELDS * 1024);
  private count = 0;
  dropped = 0;

  constructor(readonly rate: number, harts: number, private readonly xlen: 32 | 64, readonly startClock: number,
    private readonly maxSamples = MAX_SAMPLES) {
    if (!Number.isInteger(rate) || rate < 1) throw new Error(`profile rate must be a positive integer (got ${rate})`);
    this.left = new Float64Array(harts).fill(rate);
  }

  /** Hart `id`'s count reached 0: record where it is (and its task word), and count the next `rate`. */
  take(id: number, priv: number, pcHi: number, pcLo: number, clock: number, taskHi = 0, taskLo = 0): void {
    // The loop never runs past its budget; a loop is here for a caller that did (one step of several).
    while (this.left[id] <= 0) {
      this.record(id, priv, pcHi, pcLo, clock, taskHi, taskLo);
      this.left[id] += this.rate;
    }
  }

  private record(id: number, priv: number, pcHi: number, pcLo: number, clock: number, taskHi: number, taskLo: number): void {
    if (this.count >= this.maxSamples) { this.dropped++; return; }
    if (FIELDS * (this.count + 1) > this.data.length) {
      const more = new Float64Array(this.data.length * 2);
      more.set(this.data);
      this.data = more;
    }
    const d = this.data, i = FIELDS * this.count++;
    d[i] = id; d[i + 1] = priv; d[i + 2] = pcHi; d[i + 3] = pcLo; d[i + 4] = clock; d[i + 5] = taskHi; d[i + 6] = taskLo;
  }

  result(instructionsPerSecond: number, endClock: number): RawProfile {
    const samples: RawSample[] = [];
    const d = this.data;
    for (let i = 0; i < FIELDS * this.count; i += FIELDS) {
      const task = d[i + 5] !== 0 || d[i + 6] !== 0 ? { task: pcHex(d[i + 5], d[i + 6], this.xlen) } : {};
      samples.push({ hart: d[i], priv: d[i + 1], pc: pcHex(d[i + 2], d[i + 3], this.xlen), clock: d[i + 4], ...task });
    }
    return { rate: this.rate, instructionsPerSecond, xlen: this.xlen, samples, startClock: this.startClock, endClock, dropped: this.dropped };
  }
}

/**
 * Line coverage wants every pc that ran. The machine runs one instruction at a time
 * while it is on (the instruction trace's path, translation off), so the count is exact
 * per instruction; the cost is measured in `npm run bench`.
 */
export class CoverageCollector {
  /** pc high word → pc low word → times it ran. */
  private readonly hits = new Map<number, Map<number, number>>();
  private size = 0;
  private dropped = 0;

  constructor(private readonly xlen: 32 | 64, private readonly maxPcs = MAX_PCS) {}

  hit(hi: number, lo: number): void {
    let page = this.hits.get(hi);
    if (page === undefined) { page = new Map(); this.hits.set(hi, page); }
    const n = page.get(lo);
    if (n !== undefined) page.set(lo, n + 1);
    else if (this.size < this.maxPcs) { page.set(lo, 1); this.size++; }
    else this.dropped++;
  }

  result(): RawCoverage {
    const pcs: [string, number][] = [];
    for (const [hi, page] of this.hits) for (const [lo, n] of page) pcs.push([pcHex(hi, lo, this.xlen), n]);
    return { xlen: this.xlen, pcs, dropped: this.dropped };
  }
}
