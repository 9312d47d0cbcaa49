/**
 * Physical memory protection: 16 entries, OFF/TOR/NA4/NAPOT, lock bit (Priv §3.7).
 * pmpaddr holds address bits 55:2 (54 bits on RV64), more than a double holds
 * exactly, so each is kept as an int32 pair; the decoded byte ranges are doubles,
 * exact for every address below 2^53, which covers all the RAM and MMIO we model.
 */
import { Priv } from '../hart/csr';
import { restoreFields, Saved, saveFields } from '../snapshot/saved';


export const PMP_ENTRIES = 16;

/** Count of trailing zero bits of an int32 (32 for 0). */
function ctz(v: number): number { return v === 0 ? 32 : 31 - Math.clz32(v & -v); }
export const PmpCfg = { R: 1, W: 2, X: 4, A_SHIFT: 3, L: 0x80 } as const;
export const PmpMode = { OFF: 0, TOR: 1, NA4: 2, NAPOT: 3 } as const;
export type PmpAccess = 1 | 2 | 4; // R, W, X as in the cfg bits

export class Pmp {
  readonly cfg = new Uint8Array(PMP_ENTRIES);
  /** pmpaddr as written: low word and high word (bits 53:32, RV64 only). */
  readonly addrLo = new Int32Array(PMP_ENTRIES);
  readonly addrHi = new Int32Array(PMP_ENTRIES);
  /** Decoded [start, end) byte range of each entry; end <= start when OFF. */
  private readonly start = new Float64Array(PMP_ENTRIES);
  private readonly end = new Float64Array(PMP_ENTRIES);
  /** Bumped on every change, so translation caches know to drop entries. */
  generation = 0;

  constructor(private readonly xlen: 32 | 64) {}

  locked(i: number): boolean { return (this.cfg[i] & PmpCfg.L) !== 0; }

  writeCfg(i: number, v: number): void {
    if (this.locked(i)) return;
    v &= 0x9f; // bits 6:5 are reserved and read as zero
    // Priv §3.7.1: R=0 W=1 is reserved; like QEMU we drop the W bit.
    if ((v & (PmpCfg.R | PmpCfg.W)) === PmpCfg.W) v &= ~PmpCfg.W;
    this.cfg[i] = v;
    this.recompute();
  }

  writeAddr(i: number, lo: number, hi: number): void {
    if (this.locked(i)) return;
    if (i + 1 < PMP_ENTRIES && this.locked(i + 1) && ((this.cfg[i + 1] >> PmpCfg.A_SHIFT) & 3) === PmpMode.TOR) return;
    this.addrLo[i] = lo;
    this.addrHi[i] = this.xlen === 64 ? hi & 0x3fffff : 0;
    this.recompute();
  }

  /** pmpaddr[i] * 4: the byte address it names. */
  private byteAddr(i: number): number {
    return (this.addrHi[i] * 4294967296 + (this.addrLo[i] >>> 0)) * 4;
  }

  saveState(): Saved { return saveFields(this, ['cfg', 'addrLo', 'addrHi']); }

  /** The decoded ranges follow from cfg and addr; generation moves so cached translations go. */
  restoreState(s: Saved): void {
    restoreFields(this, ['cfg', 'addrLo', 'addrHi'], s);
    this.recompute();
  }

  reset(): void {
    this.cfg.fill(0);
    this.addrLo.fill(0);
    this.addrHi.fill(0);
    this.recompute();
  }

  private anyActive = false;

  private recompute(): void {
    this.anyActive = false;
    for (let i = 0; i < PMP_ENTRIES; i++) {
      let s = 0, e = 0;
      switch ((this.cfg[i] >> PmpCfg.A_SHIFT) & 3) {
        case PmpMode.TOR: s = i === 0 ? 0 : this.byteAddr(i - 1); e = this.byteAddr(i); break;
        case PmpMode.NA4: s = this.byteAddr(i); e = s + 4; break;
        case PmpMode.NAPOT: {
          // Trailing ones give the size: 2^(t+3) bytes (Priv Table 3.9).
          const lo = this.addrLo[i], hi = this.addrHi[i];
          const t = lo === -1 ? 32 + ctz(~hi) : ctz(~lo);
          const size = 2 ** (t + 3);
          const baseLo = t >= 32 ? 0 : lo & ~((2 ** (t + 1) - 1) | 0);
          const baseHi = t >= 32 ? hi & ~((2 ** (t - 31) - 1) | 0) : hi;
          s = (baseHi * 4294967296 + (baseLo >>> 0)) * 4;
          e = s + size;
          break;
        }
        default: break;
      }
      this.start[i] = s;
      this.end[i] = e;
      if (e > s) this.anyActive = true;
    }
    this.generation++;
  }

  /** Priv §3.7.1: the lowest-numbered entry that matches any byte decides; a partial match fails. */
  check(pa: number, size: number, access: PmpAccess, priv: number): boolean {
    if (!this.anyActive) return true; // as the end below, without looking at 16 empty entries (five checks per page walk)
    const last = pa + size;
    for (let i = 0; i < PMP_ENTRIES; i++) {
      const s = this.start[i], e = this.end[i];
      if (e <= s || last <= s || pa >= e) continue;
      if (pa < s || last > e) return false;
      if (priv === Priv.M && !this.locked(i)) return true;
      return (this.cfg[i] & access) !== 0;
    }
    // No entry matches: M-mode succeeds; S and U fail, unless no entry is active at all
    // (QEMU 7.2 then lets every mode through, and kernels rely on it).
    return priv === Priv.M || !this.anyActive;
  }
}
