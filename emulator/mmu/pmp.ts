/**
 * Physical memory protection: 16 entries, OFF/TOR/NA4/NAPOT, lock bit (Priv §3.7).
 * Addresses are JS numbers: pmpaddr holds bits 55:2, so a byte address needs 56 bits,
 * and every value we compare is an integer below 2^56 ... kept exact by staying
 * below 2^53 in practice (RV64 physical space here is far smaller).
 */
import { Priv } from '../hart/csr';

export const PMP_ENTRIES = 16;
export const PmpCfg = { R: 1, W: 2, X: 4, A_SHIFT: 3, L: 0x80 } as const;
export const PmpMode = { OFF: 0, TOR: 1, NA4: 2, NAPOT: 3 } as const;
export type PmpAccess = 1 | 2 | 4; // R, W, X as in the cfg bits

export class Pmp {
  readonly cfg = new Uint8Array(PMP_ENTRIES);
  readonly addr = new Float64Array(PMP_ENTRIES);
  /** Decoded [start, end) byte range of each entry; end <= start when OFF. */
  private readonly start = new Float64Array(PMP_ENTRIES);
  private readonly end = new Float64Array(PMP_ENTRIES);
  /** Bumped on every change, so translation caches know to drop entries. */
  generation = 0;

  constructor(private readonly addrBits: number) {}

  locked(i: number): boolean { return (this.cfg[i] & PmpCfg.L) !== 0; }

  writeCfg(i: number, v: number): void {
    if (this.locked(i)) return;
    v &= 0x9f; // bits 6:5 are reserved and read as zero
    // Priv §3.7.1: R=0 W=1 is reserved; like QEMU we drop the W bit.
    if ((v & (PmpCfg.R | PmpCfg.W)) === PmpCfg.W) v &= ~PmpCfg.W;
    this.cfg[i] = v;
    this.recompute();
  }

  writeAddr(i: number, v: number): void {
    if (this.locked(i)) return;
    if (i + 1 < PMP_ENTRIES && this.locked(i + 1) && ((this.cfg[i + 1] >> PmpCfg.A_SHIFT) & 3) === PmpMode.TOR) return;
    this.addr[i] = v % 2 ** this.addrBits;
    this.recompute();
  }

  reset(): void {
    this.cfg.fill(0);
    this.addr.fill(0);
    this.recompute();
  }

  private anyActive = false;

  private recompute(): void {
    this.anyActive = false;
    for (let i = 0; i < PMP_ENTRIES; i++) {
      const a = this.addr[i];
      let s = 0, e = 0;
      switch ((this.cfg[i] >> PmpCfg.A_SHIFT) & 3) {
        case PmpMode.TOR: s = i === 0 ? 0 : this.addr[i - 1] * 4; e = a * 4; break;
        case PmpMode.NA4: s = a * 4; e = s + 4; break;
        case PmpMode.NAPOT: {
          let t = 0, v = a;
          while (v % 2 === 1 && t < this.addrBits) { t++; v = (v - 1) / 2; }
          const size = 2 ** (t + 3);
          s = Math.floor(a * 4 / size) * size;
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
