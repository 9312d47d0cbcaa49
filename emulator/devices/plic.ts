/**
 * RISC-V PLIC (riscv-plic-spec 1.0.0) as QEMU's virt configures it: 96 sources,
 * priorities 0-7, two contexts per hart (M then S), level-triggered gateways.
 */
import { MmioDevice } from '../bus/bus';
import { Hart } from '../hart/hart';
import { IRQ, MIP } from '../hart/csr';
import { DeviceModel, offsets } from './regmap';
import { DeviceType, DeviceWindow, unitName } from './device-type';
import { u32 } from '../dts/query';
import { restoreFields, Saved, saveFields } from '../snapshot/saved';

/** Interrupt sources, 0 included (QEMU virt's VIRT_IRQCHIP_NUM_SOURCES). */
export const PLIC_SOURCES = 96;
const SOURCES = PLIC_SOURCES;
/** QEMU 7.2 virt's PLIC window, whatever the hart count. */
const WINDOW = 0x600000;
const PRIORITY_MASK = 7; // QEMU virt: 3 priority bits

const REGS = [
  { name: 'priority', offset: 0x0, width: 4, access: 'RW', reset: 0, count: SOURCES, stride: 4, firstIndex: 0,
    doc: 'Interrupt source priority (0 = never interrupts); source 0 does not exist' },
  { name: 'pending', offset: 0x1000, width: 4, access: 'RO', reset: 0, count: SOURCES / 32, stride: 4,
    doc: 'Pending bits, 32 sources per word' },
  { name: 'enable', offset: 0x2000, width: 4, access: 'RW', reset: 0, count: 15872, stride: 4,
    doc: 'Enable bits: context c, word w at 0x2000 + 0x80*c + 4*w (contexts: hart h M = 2h, S = 2h+1)' },
  { name: 'threshold', offset: 0x200000, width: 4, access: 'RW', reset: 0, count: 15872, stride: 0x1000,
    doc: 'Priority threshold of context c' },
  { name: 'claim', offset: 0x200004, width: 4, access: 'RW', reset: 0, count: 15872, stride: 0x1000,
    doc: 'Read: claim the highest-priority pending source of context c; write: complete it' },
] as const;

export const PLIC_MODEL: DeviceModel = {
  model: 'plic',
  compatible: ['sifive,plic-1.0.0', 'riscv,plic0'],
  doc: 'Platform-level interrupt controller: routes device interrupts to hart contexts.',
  size: WINDOW,
  registers: REGS,
};

const R = offsets(REGS);
const WORDS = SOURCES / 32;

/** What of the PLIC is machine state (snapshot/saved.ts); the harts keep their own pending bits. */
const PLIC_STATE = ['priority', 'level', 'pending', 'claimed', 'enable', 'threshold'] as const;

export class Plic implements MmioDevice {
  readonly name = 'plic';
  readonly model = PLIC_MODEL;
  private readonly priority = new Uint32Array(SOURCES);
  private readonly level = new Uint32Array(WORDS);
  private readonly pending = new Uint32Array(WORDS);
  /** Sources claimed and not yet completed: their gateway holds new requests. */
  private readonly claimed = new Uint32Array(WORDS);
  private readonly enable: Uint32Array;
  private readonly threshold: Uint32Array;
  private readonly contexts: number;
  /** The interrupt trace (machine/trace.ts): called when a line changes; null when off. */
  levelTrace: ((source: number, high: boolean) => void) | null = null;

  constructor(private readonly harts: readonly Hart[]) {
    this.contexts = harts.length * 2;
    this.enable = new Uint32Array(this.contexts * WORDS);
    this.threshold = new Uint32Array(this.contexts);
  }

  saveState(): Saved { return saveFields(this, PLIC_STATE); }
  restoreState(s: Saved): void { restoreFields(this, PLIC_STATE, s); }

  reset(): void {
    this.priority.fill(0); this.level.fill(0); this.pending.fill(0); this.claimed.fill(0);
    this.enable.fill(0); this.threshold.fill(0);
    this.update();
  }

  /** Array entries worth showing in a view: the wired sources and this board's contexts, not all 15872. */
  viewIndices(reg: string): number[] | undefined {
    const ctxs = Array.from({ length: this.contexts }, (_, c) => c);
    switch (reg) {
      case 'priority': return Array.from({ length: SOURCES - 1 }, (_, i) => i + 1);
      case 'enable': return ctxs.flatMap((c) => Array.from({ length: WORDS }, (_, w) => c * 32 + w));
      case 'threshold': case 'claim': return ctxs;
      default: return undefined;
    }
  }

  /** A device's interrupt line changed. */
  setLevel(source: number, high: boolean): void {
    if (source <= 0 || source >= SOURCES) return;
    const w = source >>> 5, bit = 1 << (source & 31);
    const was = (this.level[w] & bit) !== 0;
    // A device reports its line at every register access (the UART at each byte written):
    // when neither the level nor pending changes, no hart's lines can.
    if (was === high && (!high || ((this.pending[w] | this.claimed[w]) & bit) !== 0)) return;
    if (this.levelTrace !== null && was !== high) this.levelTrace(source, high);
    if (high) this.level[w] |= bit; else this.level[w] &= ~bit;
    if (high && (this.claimed[w] & bit) === 0) this.pending[w] |= bit;
    this.update();
  }

  /** Highest-priority pending, enabled source above the context's threshold, or 0. */
  private best(ctx: number): number {
    let best = 0, bestPrio = this.threshold[ctx];
    for (let w = 0; w < WORDS; w++) {
      let bits = this.pending[w] & this.enable[ctx * WORDS + w];
      while (bits !== 0) {
        const b = 31 - Math.clz32(bits & -bits);
        bits &= bits - 1;
        const s = w * 32 + b;
        if (this.priority[s] > bestPrio) { best = s; bestPrio = this.priority[s]; }
      }
    }
    return best;
  }

  private update(): void {
    for (let h = 0; h < this.harts.length; h++) {
      const hart = this.harts[h];
      const m = this.best(2 * h) !== 0, s = this.best(2 * h + 1) !== 0;
      const before = hart.mipHw;
      hart.mipHw = (hart.mipHw & ~(MIP.MEIP | MIP.SEIP)) | (m ? MIP.MEIP : 0) | (s ? MIP.SEIP : 0);
      if (hart.mipHw !== before) { hart.yieldLoop = true; if (m || s) hart.wfi = false; }
    }
  }

  peek(offset: number): number {
    if (offset < R.pending) return this.priority[offset >>> 2] ?? 0;
    if (offset < R.enable) return this.pending[(offset - R.pending) >>> 2] ?? 0;
    if (offset < R.threshold) {
      const ctx = (offset - R.enable) >>> 7, w = ((offset - R.enable) & 0x7f) >>> 2;
      return ctx < this.contexts && w < WORDS ? this.enable[ctx * WORDS + w] : 0;
    }
    const ctx = (offset - R.threshold) >>> 12;
    if (ctx >= this.contexts) return 0;
    const reg = (offset - R.threshold) & 0xfff;
    if (reg === 0) return this.threshold[ctx];
    if (reg === 4) return this.best(ctx);
    return 0;
  }

  read(offset: number): number {
    const v = this.peek(offset);
    if (offset >= R.threshold && ((offset - R.threshold) & 0xfff) === 4 && v !== 0) {
      const w = v >>> 5, bit = 1 << (v & 31);
      this.pending[w] &= ~bit;
      this.claimed[w] |= bit;
      this.update();
    }
    return v;
  }

  write(offset: number, _size: number, value: number): void {
    if (offset < R.pending) {
      const s = offset >>> 2;
      if (s > 0 && s < SOURCES) this.priority[s] = value & PRIORITY_MASK;
    } else if (offset < R.enable) {
      return; // pending is read-only
    } else if (offset < R.threshold) {
      const ctx = (offset - R.enable) >>> 7, w = ((offset - R.enable) & 0x7f) >>> 2;
      if (ctx < this.contexts && w < WORDS) this.enable[ctx * WORDS + w] = w === 0 ? value & ~1 : value;
    } else {
      const ctx = (offset - R.threshold) >>> 12;
      if (ctx >= this.contexts) return;
      const reg = (offset - R.threshold) & 0xfff;
      if (reg === 0) this.threshold[ctx] = value & PRIORITY_MASK;
      else if (reg === 4) this.complete(value >>> 0);
    }
    this.update();
  }

  /** Completion: the gateway forwards the source again if its line is still high. */
  private complete(source: number): void {
    if (source <= 0 || source >= SOURCES) return;
    const w = source >>> 5, bit = 1 << (source & 31);
    this.claimed[w] &= ~bit;
    if ((this.level[w] & bit) !== 0) this.pending[w] |= bit;
  }
}

/** A PLIC's place; `sources` is riscv,ndev as the DTS says (QEMU 7.2's virt writes its source count, 96). */
export type PlicPlace = DeviceWindow & { sources: number };
/** The hart-local interrupts the PLIC drives, per hart: M then S external (its contexts 2h, 2h+1). */
const LINES = [IRQ.MEI, IRQ.SEI] as const;
/** Context registers start here, 0x1000 per context, two contexts per hart (riscv-plic-spec 1.0.0 §3). */
const CONTEXTS = 0x200000;

/** The PLIC: every device line goes to it; built even when the board maps none (the harts are wired to it). */
export const PLIC: DeviceType<PlicPlace, 'plic', false> = {
  key: 'plic', many: false, model: PLIC_MODEL, decodeSize: WINDOW, always: true, phandle: 1,
  name: () => 'plic',
  build(_place, _i, ctx) {
    const plic = new Plic(ctx.harts);
    ctx.roles.interrupts ??= plic;
    return { dev: plic, group: 'emulated', reset: () => plic.reset() };
  },
  fdt: {
    socLast: true,
    // Written even for a layout without a PLIC (at virt's place): phandles stay QEMU's.
    always: true,
    soc(places, { fdt, hartIds, intc, phandle }) {
      for (const p of places) {
        fdt.beginNode(unitName('plic', p.base))
          .propU32('phandle', phandle(PLIC))
          .propU32('riscv,ndev', p.sources)
          .propU64Cells('reg', [p.base, p.size])
          .propU32Array('interrupts-extended', hartIds.flatMap((h) => [intc(h), LINES[0], intc(h), LINES[1]]))
          .propEmpty('interrupt-controller')
          .propStringList('compatible', ['sifive,plic-1.0.0', 'riscv,plic0'])
          .propU32('#address-cells', 0)
          .propU32('#interrupt-cells', 1)
          .endNode();
      }
    },
  },
  dts: {
    early: true, label: 'PLIC',
    place(n, ctx) {
      if (u32(n, '#interrupt-cells') !== 1) return { ok: false, error: `${n.path}: #interrupt-cells must be 1 (a PLIC source number)` };
      const ndev = u32(n, 'riscv,ndev');
      if (ndev === undefined || ndev < 1 || ndev > SOURCES) return { ok: false, error: `${n.path}: riscv,ndev ${ndev ?? '(missing)'} must be 1 to ${SOURCES}` };
      const wiring = ctx.hartWiring(n, LINES);
      if (wiring !== null) return { ok: false, error: wiring };
      const w = ctx.window(n, 'PLIC', CONTEXTS + 0x1000 * 2 * ctx.harts);
      if (!w.ok) return w;
      ctx.setInterruptParent(n, Math.min(ndev, SOURCES - 1)); // source 0 does not exist
      return { ok: true, value: { ...w.value, sources: ndev } };
    },
  },
};
