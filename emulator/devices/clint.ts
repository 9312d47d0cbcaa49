/**
 * SiFive CLINT (core-local interruptor): software interrupts (msip), per-hart timer
 * compare (mtimecmp) and the shared mtime counter at the board's timebase.
 * MTIP is computed from guest time when interrupts are checked (Hart.mip).
 */
import { MmioDevice } from '../bus/bus';
import { Hart } from '../hart/hart';
import { IRQ, MIP } from '../hart/csr';
import { DeviceModel, offsets } from './regmap';
import { DeviceType, DeviceWindow, unitName } from './device-type';

const REGS = [
  { name: 'msip', offset: 0x0, width: 4, access: 'RW', reset: 0, count: 4095, stride: 4,
    doc: 'Machine software interrupt pending, one per hart', fields: [{ name: 'MSIP', bits: [0, 0] }] },
  { name: 'mtimecmp', offset: 0x4000, width: 8, access: 'RW', reset: 0, count: 4095, stride: 8,
    doc: 'Machine timer compare, one per hart: MTIP while mtime >= mtimecmp' },
  { name: 'mtime', offset: 0xbff8, width: 8, access: 'RW', reset: 0, doc: 'Machine time, in timebase ticks (10 MHz)' },
] as const;

export const CLINT_MODEL: DeviceModel = {
  model: 'clint',
  compatible: ['sifive,clint0', 'riscv,clint0'],
  doc: 'Core-local interruptor: msip, mtimecmp and mtime.',
  size: 0x10000,
  registers: REGS,
};

const R = offsets(REGS);

export class Clint implements MmioDevice {
  readonly name = 'clint';
  readonly model = CLINT_MODEL;
  readonly maxAccess = 8 as const;
  hi = 0;

  /** `now()` is guest time in ticks; `setTime` moves it (writes to mtime). */
  constructor(private readonly harts: readonly Hart[], private readonly now: () => number,
    private readonly setTime: (ticks: number) => void) {}

  reset(): void {
    for (const h of this.harts) { h.mipHw &= ~MIP.MSIP; h.mtimecmp = 0; }
  }

  private split(v: number, offset: number, size: number): number {
    // 64-bit registers: low word at +0, high at +4; an 8-byte read returns both.
    const lo = (v % 4294967296) | 0, hi = Math.floor(v / 4294967296) | 0;
    if (size === 8) { this.hi = hi; return lo; }
    return (offset & 4) === 0 ? lo : hi;
  }

  /** One msip and one mtimecmp per hart in a view, not 4095. */
  viewIndices(reg: string): number[] | undefined {
    return reg === 'mtime' ? undefined : this.harts.map((h) => h.id);
  }

  peek(offset: number, size: number): number {
    if (offset < R.mtimecmp) {
      const h = this.harts[offset >>> 2];
      return h !== undefined && (offset & 3) === 0 ? ((h.mipHw & MIP.MSIP) !== 0 ? 1 : 0) : 0;
    }
    if (offset >= R.mtime) return this.split(this.now(), offset - R.mtime, size);
    const h = this.harts[(offset - R.mtimecmp) >>> 3];
    return h === undefined ? 0 : this.split(h.mtimecmp, offset, size);
  }

  read(offset: number, size: number): number { return this.peek(offset, size); }

  write(offset: number, size: number, value: number, hi: number): void {
    if (offset < R.mtimecmp) {
      const h = this.harts[offset >>> 2];
      if (h === undefined || (offset & 3) !== 0) return;
      if ((value & 1) !== 0) { h.mipHw |= MIP.MSIP; h.wfi = false; } else h.mipHw &= ~MIP.MSIP;
      h.yieldLoop = true;
      return;
    }
    if (offset >= R.mtime) {
      this.setTime(this.merge(this.now(), offset - R.mtime, size, value, hi));
      return;
    }
    const h = this.harts[(offset - R.mtimecmp) >>> 3];
    if (h === undefined) return;
    h.mtimecmp = this.merge(h.mtimecmp, offset, size, value, hi);
  }

  private merge(old: number, offset: number, size: number, value: number, hi: number): number {
    const oLo = old % 4294967296, oHi = Math.floor(old / 4294967296);
    if (size === 8) return (hi >>> 0) * 4294967296 + (value >>> 0);
    return (offset & 4) === 0 ? oHi * 4294967296 + (value >>> 0) : (value >>> 0) * 4294967296 + oLo;
  }
}

/** The hart-local interrupts the CLINT drives, per hart: MSIP and MTIP (privileged spec §3.1.9). */
const LINES = [IRQ.MSI, IRQ.MTI] as const;

/** The CLINT: built even when the board maps none (hart reset goes through it). */
export const CLINT: DeviceType<DeviceWindow, 'clint', false> = {
  key: 'clint', many: false, model: CLINT_MODEL, decodeSize: 0xc000, always: true,
  name: () => 'clint',
  build(_place, _i, ctx) {
    const clint = new Clint(ctx.harts, () => ctx.ticks(), (t) => ctx.setTicks(t));
    return { dev: clint, group: 'emulated', reset: () => clint.reset() };
  },
  fdt: {
    socLast: true,
    soc(places, { fdt, hartIds, intc }) {
      for (const p of places) {
        fdt.beginNode(unitName('clint', p.base))
          .propU32Array('interrupts-extended', hartIds.flatMap((h) => [intc(h), LINES[0], intc(h), LINES[1]]))
          .propU64Cells('reg', [p.base, p.size])
          .propStringList('compatible', ['sifive,clint0', 'riscv,clint0'])
          .endNode();
      }
    },
  },
  dts: {
    early: true, label: 'CLINT',
    place(n, ctx) {
      const wiring = ctx.hartWiring(n, LINES);
      if (wiring !== null) return { ok: false, error: wiring };
      return ctx.window(n, 'CLINT', CLINT.decodeSize);
    },
  },
};
