/**
 * Goldfish RTC (Android emulator "goldfish" RTC, as in QEMU's hw/rtc/goldfish_rtc.c):
 * nanoseconds since the epoch, an alarm and its interrupt. Time is guest time plus a
 * fixed start, so runs stay reproducible; `--clock realtime` hands in the host's.
 */
import { MmioDevice } from '../bus/bus';
import { DeviceModel, offsets } from './regmap';
import { DeviceType, IrqWindow, unitName } from './device-type';
import { restoreFields, Saved, saveFields } from '../snapshot/saved';

const REGS = [
  { name: 'TIME_LOW', offset: 0x00, width: 4, access: 'RW', reset: 0, doc: 'Time in ns, low word; reading it latches TIME_HIGH, writing sets the low word of the time' },
  { name: 'TIME_HIGH', offset: 0x04, width: 4, access: 'RW', reset: 0, doc: 'Time in ns, high word as latched by TIME_LOW; writing sets the high word of the time' },
  { name: 'ALARM_LOW', offset: 0x08, width: 4, access: 'RW', reset: 0, doc: 'Alarm time, low word; writing it arms the alarm' },
  { name: 'ALARM_HIGH', offset: 0x0c, width: 4, access: 'RW', reset: 0, doc: 'Alarm time, high word' },
  { name: 'IRQ_ENABLED', offset: 0x10, width: 4, access: 'RW', reset: 0, doc: 'Alarm interrupt enable', fields: [{ name: 'ENABLE', bits: [0, 0] }] },
  { name: 'CLEAR_ALARM', offset: 0x14, width: 4, access: 'WO', reset: 0, doc: 'Write: disarm the alarm' },
  { name: 'ALARM_STATUS', offset: 0x18, width: 4, access: 'RO', reset: 0, doc: '1 while an alarm is armed', fields: [{ name: 'ARMED', bits: [0, 0] }] },
  { name: 'CLEAR_INTERRUPT', offset: 0x1c, width: 4, access: 'WO', reset: 0, doc: 'Write: clear the alarm interrupt' },
] as const;

export const RTC_MODEL: DeviceModel = {
  model: 'goldfish-rtc',
  compatible: ['google,goldfish-rtc'],
  doc: 'Real-time clock: nanoseconds since 1970 and one alarm.',
  size: 0x1000,
  registers: REGS,
};

const R = offsets(REGS);

/** What of this device is machine state (snapshot/saved.ts). */
const RTC_STATE = ['latchedHigh', 'alarm', 'armed', 'irqEnabled', 'irqPending', 'offsetNs'] as const;

export class GoldfishRtc implements MmioDevice {
  readonly name = 'rtc';
  readonly model = RTC_MODEL;
  private latchedHigh = 0;
  private alarm = 0;
  private armed = false;
  private irqEnabled = false;
  private irqPending = false;
  /** Added to the clock by guest writes to TIME_LOW/TIME_HIGH. */
  private offsetNs = 0;

  /** `nowNs()` is the current time in nanoseconds since the epoch. */
  constructor(private readonly clockNs: () => number, private readonly irq: (level: boolean) => void) {}

  private nowNs(): number { return this.clockNs() + this.offsetNs; }

  saveState(): Saved { return saveFields(this, RTC_STATE); }
  restoreState(s: Saved): void { restoreFields(this, RTC_STATE, s); }

  reset(): void {
    this.latchedHigh = this.alarm = 0;
    this.armed = this.irqEnabled = this.irqPending = false;
    this.offsetNs = 0;
    this.irq(false);
  }

  /** Called by the machine between quanta: fire a due alarm. */
  tick(): void {
    if (this.armed && this.nowNs() >= this.alarm) {
      this.armed = false;
      this.irqPending = true;
      this.irq(this.irqEnabled);
    }
  }

  /** Next alarm time in ns, or undefined: lets an idle machine skip ahead to it. */
  nextDeadlineNs(): number | undefined { return this.armed && this.irqEnabled ? this.alarm : undefined; }

  peek(offset: number): number {
    const t = this.nowNs();
    switch (offset) {
      case R.TIME_LOW: return (t % 4294967296) | 0;
      case R.TIME_HIGH: return this.latchedHigh;
      case R.ALARM_LOW: return (this.alarm % 4294967296) | 0;
      case R.ALARM_HIGH: return Math.floor(this.alarm / 4294967296) | 0;
      case R.IRQ_ENABLED: return this.irqEnabled ? 1 : 0;
      case R.ALARM_STATUS: return this.armed ? 1 : 0;
      default: return 0;
    }
  }

  read(offset: number): number {
    if (offset === R.TIME_LOW) this.latchedHigh = Math.floor(this.nowNs() / 4294967296) | 0;
    return this.peek(offset);
  }

  write(offset: number, _size: number, value: number): void {
    switch (offset) {
      case R.TIME_LOW: case R.TIME_HIGH: {
        // Setting the time replaces one 32-bit half of the current count (QEMU does the same).
        const now = this.nowNs();
        const lo = now % 4294967296, hi = Math.floor(now / 4294967296);
        const next = offset === R.TIME_LOW ? hi * 4294967296 + (value >>> 0) : (value >>> 0) * 4294967296 + lo;
        this.offsetNs += next - now;
        break;
      }
      case R.ALARM_LOW: this.alarm = Math.floor(this.alarm / 4294967296) * 4294967296 + (value >>> 0); this.armed = true; this.tick(); break;
      case R.ALARM_HIGH: this.alarm = (value >>> 0) * 4294967296 + (this.alarm % 4294967296); break;
      case R.IRQ_ENABLED: this.irqEnabled = (value & 1) !== 0; this.irq(this.irqEnabled && this.irqPending); break;
      case R.CLEAR_ALARM: this.armed = false; break;
      case R.CLEAR_INTERRUPT: this.irqPending = false; this.irq(false); break;
      default: break;
    }
  }
}

/** The goldfish RTC: its alarm is a timer deadline (a guest in WFI skips to it). */
export const RTC: DeviceType<IrqWindow, 'rtc', false> = {
  key: 'rtc', many: false, model: RTC_MODEL, decodeSize: 0x24,
  name: () => 'rtc',
  build(place, _i, ctx) {
    const rtc = new GoldfishRtc(() => ctx.nowNs(), ctx.line(place?.irq));
    return {
      dev: rtc, group: 'emulated', tick: () => rtc.tick(), reset: () => rtc.reset(),
      nextDeadline: () => { const ns = rtc.nextDeadlineNs(); return ns === undefined ? undefined : ctx.clockAtNs(ns); },
    };
  },
  fdt: {
    soc(places, { fdt, irq }) {
      for (const p of places) {
        fdt.beginNode(unitName('rtc', p.base));
        irq(p.irq);
        fdt.propU64Cells('reg', [p.base, p.size]).propString('compatible', 'google,goldfish-rtc').endNode();
      }
    },
  },
  dts: { place: (n, ctx) => ctx.placed(n, 'goldfish RTC', RTC.decodeSize) },
};
