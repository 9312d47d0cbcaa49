/**
 * Berkeley HTIF as Spike exposes it: a `tohost`/`fromhost` pair of 64-bit words in
 * RAM, found through the ELF's symbols. Device 0 command 0 with bit 0 set is exit
 * (code = value >> 1); device 1 command 1 is console putchar. Polled between quanta.
 * An RV32 guest writes tohost as two words, so there a command is taken only once
 * the same value was seen on two polls in a row.
 */
import { MemoryRegion } from '../bus/bus';
import { restoreFields, Saved, saveFields } from '../snapshot/saved';

export class Htif {
  private lastLo = 0;
  private lastHi = 0;

  constructor(private readonly ram: MemoryRegion, private readonly xlen: 32 | 64, private readonly tohost: number, private readonly fromhost: number | undefined,
    private readonly putchar: (byte: number) => void, private readonly exit: (code: number) => void) {}

  saveState(): Saved { return saveFields(this, ['lastLo', 'lastHi']); }
  restoreState(s: Saved): void { restoreFields(this, ['lastLo', 'lastHi'], s); }

  static usable(ram: MemoryRegion, tohost: number): boolean { return ram.contains(tohost, 8); }

  poll(): void {
    const off = this.tohost - this.ram.base;
    const lo = this.ram.dv.getUint32(off, true), hi = this.ram.dv.getUint32(off + 4, true);
    if (lo === 0 && hi === 0) return;
    if (this.xlen === 32 && (lo !== this.lastLo || hi !== this.lastHi)) {
      this.lastLo = lo; this.lastHi = hi;
      return;
    }
    this.lastLo = this.lastHi = 0;
    const device = hi >>> 24, cmd = (hi >>> 16) & 0xff;
    this.ram.dv.setUint32(off, 0, true);
    this.ram.dv.setUint32(off + 4, 0, true);
    this.ram.markDirty(off, 8);
    if (device === 0 && cmd === 0 && (lo & 1) !== 0) {
      this.exit(((hi & 0xffff) * 4294967296 + lo) / 2 >>> 0);
      return;
    }
    if (device === 1 && cmd === 1) {
      this.putchar(lo & 0xff);
      if (this.fromhost !== undefined && this.ram.contains(this.fromhost, 8)) {
        // Acknowledge: fromhost = device/command with payload 0, as Spike does.
        const f = this.fromhost - this.ram.base;
        this.ram.markDirty(f, 8);
        this.ram.dv.setUint32(f, 0, true);
        this.ram.dv.setUint32(f + 4, (device << 24) | (cmd << 16), true);
      }
    }
  }
}
