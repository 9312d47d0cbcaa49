/**
 * virtio-input (virtio 1.2 §5.8): evdev events to the guest on eventq, LED and similar
 * events from it on statusq, and the select/subsel configuration space describing the
 * device. Two kinds, configured as QEMU 7.2's virtio-keyboard-device and
 * virtio-tablet-device answer (names, ids, event bits and axes read from QEMU by the
 * virtio-gpu guest). Events come from the machine's input queue between quanta and wait
 * here, in order, until the guest posts buffers: nothing typed is dropped (QEMU drops a
 * batch that finds the queue full; a deterministic machine keeps it instead).
 */
import { serveChains, VirtioDevice, VirtioTransport, VIRTIO_ID } from './mmio';
import { record, Saved } from '../../snapshot/saved';

export type InputKind = 'keyboard' | 'tablet';

/** §5.8.5 config selectors. */
export const INPUT_CFG = { ID_NAME: 0x01, ID_SERIAL: 0x02, ID_DEVIDS: 0x03, PROP_BITS: 0x10, EV_BITS: 0x11, ABS_INFO: 0x12 } as const;
/** Linux evdev event types and the few codes the hosts send. */
export const EV = { SYN: 0, KEY: 1, REL: 2, ABS: 3, LED: 0x11, REP: 0x14 } as const;
export const BTN = { LEFT: 0x110, RIGHT: 0x111, MIDDLE: 0x112 } as const;
export const ABS_X = 0, ABS_Y = 1, REL_WHEEL = 8;
/** The tablet's axes run 0..ABS_MAX (QEMU's INPUT_EVENT_ABS_MAX). */
export const ABS_MAX = 0x7fff;

const EVENT_BYTES = 8;
const QUEUE_SIZE = 64;
/** Events kept while the guest posts no buffers; more are dropped with a log line. */
const MAX_PENDING = 4096;
/** §5.8.5: select, subsel, size, reserved[5], then a 128-byte union. */
const CONFIG_BYTES = 8 + 128;

/** A bitmap with the given bit numbers set, as long as its highest byte. */
function bits(...set: number[]): Uint8Array {
  const b = new Uint8Array(Math.max(...set) / 8 + 1);
  for (const n of set) b[n >> 3] |= 1 << (n & 7);
  return b;
}

/** One configuration answer: (select, subsel) → bytes. */
type ConfigTable = ReadonlyMap<number, Uint8Array>;
const key = (select: number, subsel: number) => (select << 8) | subsel;

function devids(bustype: number, vendor: number, product: number, version: number): Uint8Array {
  const b = new Uint8Array(8), dv = new DataView(b.buffer);
  [bustype, vendor, product, version].forEach((v, i) => dv.setUint16(2 * i, v, true));
  return b;
}
function absinfo(min: number, max: number): Uint8Array {
  const b = new Uint8Array(20), dv = new DataView(b.buffer);
  dv.setUint32(0, min, true); dv.setUint32(4, max, true);
  return b;
}
/** QEMU's names are C strings given with their NUL (size 21 for the keyboard). */
const cstring = (s: string) => new TextEncoder().encode(`${s}\0`);
const BUS_VIRTUAL = 0x06, VENDOR = 0x0627;

/** Every key QEMU's keyboard can send (its qcode → Linux keycode table), as QEMU 7.2 reports EV_KEY. */
const KEYBOARD_KEYS = Uint8Array.from([
  0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xcf, 0x7b, 0xff, 0xff, 0xbe, 0xfe,
  0xff, 0xdf, 0x00, 0xf8, 0x78, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04,
]);
const LED_NUML = 0, LED_CAPSL = 1, LED_SCROLLL = 2;
const BTN_SIDE = 0x113, BTN_EXTRA = 0x114, BTN_GEAR_DOWN = 0x150, BTN_GEAR_UP = 0x151;

export const INPUT_CONFIG: Readonly<Record<InputKind, ConfigTable>> = {
  keyboard: new Map([
    [key(INPUT_CFG.ID_NAME, 0), cstring('QEMU Virtio Keyboard')],
    [key(INPUT_CFG.ID_DEVIDS, 0), devids(BUS_VIRTUAL, VENDOR, 0x0001, 0x0001)],
    [key(INPUT_CFG.EV_BITS, EV.KEY), KEYBOARD_KEYS],
    [key(INPUT_CFG.EV_BITS, EV.LED), bits(LED_NUML, LED_CAPSL, LED_SCROLLL)],
    [key(INPUT_CFG.EV_BITS, EV.REP), new Uint8Array(1)],
  ]),
  tablet: new Map([
    [key(INPUT_CFG.ID_NAME, 0), cstring('QEMU Virtio Tablet')],
    [key(INPUT_CFG.ID_DEVIDS, 0), devids(BUS_VIRTUAL, VENDOR, 0x0003, 0x0002)],
    [key(INPUT_CFG.EV_BITS, EV.KEY), bits(BTN.LEFT, BTN.RIGHT, BTN.MIDDLE, BTN_SIDE, BTN_EXTRA, BTN_GEAR_DOWN, BTN_GEAR_UP)],
    [key(INPUT_CFG.EV_BITS, EV.REL), bits(REL_WHEEL)],
    [key(INPUT_CFG.EV_BITS, EV.ABS), bits(ABS_X, ABS_Y)],
    [key(INPUT_CFG.ABS_INFO, ABS_X), absinfo(0, ABS_MAX)],
    [key(INPUT_CFG.ABS_INFO, ABS_Y), absinfo(0, ABS_MAX)],
  ]),
};

const EVENTQ = 0, STATUSQ = 1;

export class VirtioInput implements VirtioDevice {
  readonly deviceId = VIRTIO_ID.input;
  readonly features = [0, 0] as const;
  readonly queueMaxSizes = [QUEUE_SIZE, QUEUE_SIZE];
  private readonly cfg = new Uint8Array(CONFIG_BYTES);
  private t: VirtioTransport | null = null;
  /** Events waiting for eventq buffers, 3 numbers each (type, code, value). */
  private pending: number[] = [];
  /** Status events the guest sent (LEDs), last first out; the host may show them. */
  readonly status: [number, number, number][] = [];

  constructor(readonly kind: InputKind) {}

  config(): Uint8Array { return this.cfg; }

  /** §5.8.5: the driver writes select and subsel; the device answers size and the union. */
  writeConfig(offset: number, bytes: Uint8Array): void {
    const before = [this.cfg[0], this.cfg[1]];
    for (let i = 0; i < bytes.length; i++) if (offset + i < 2) this.cfg[offset + i] = bytes[i];
    if (this.cfg[0] === before[0] && this.cfg[1] === before[1]) return;
    const answer = INPUT_CONFIG[this.kind].get(key(this.cfg[0], this.cfg[1]));
    this.cfg.fill(0, 2);
    if (answer !== undefined) { this.cfg[2] = answer.length; this.cfg.set(answer, 8); }
    // QEMU signals a configuration change whenever the selection changes.
    this.t?.configChanged();
  }

  activate(t: VirtioTransport): string | null { this.t = t; this.poll(); return null; }

  reset(): void { this.t = null; this.cfg.fill(0); }

  saveState(): Saved {
    return { cfg: this.cfg.slice(), pending: this.pending.slice(), status: this.status.map((e) => [...e]) };
  }
  restoreState(s: Saved, t: VirtioTransport | null): void {
    this.t = t;
    const r = record(s);
    this.cfg.set(r.cfg as Uint8Array);
    this.pending = (r.pending as number[]).slice();
    this.status.length = 0;
    for (const e of r.status as [number, number, number][]) this.status.push([e[0], e[1], e[2]]);
  }

  /** Events from the host (the machine's input queue): [type, code, value] triples, a batch ending in SYN. */
  push(events: readonly number[]): void {
    if (this.pending.length + events.length > MAX_PENDING * 3) {
      this.t?.log(`${events.length / 3} input events dropped: ${MAX_PENDING} already wait for the guest`);
      return;
    }
    for (const v of events) this.pending.push(v);
  }

  get waiting(): number { return this.pending.length / 3; }

  notify(q: number): void {
    const t = this.t;
    if (t === null) return;
    if (q === EVENTQ) this.poll();
    else if (q === STATUSQ) {
      serveChains(t, STATUSQ, (chain) => {
        const ev = new Uint8Array(EVENT_BYTES);
        if (chain.read(0, ev)) {
          const dv = new DataView(ev.buffer);
          this.status.unshift([dv.getUint16(0, true), dv.getUint16(2, true), dv.getUint32(4, true)]);
          this.status.length = Math.min(this.status.length, 16);
        } else t.log(`status event of ${chain.readableLen} bytes is shorter than ${EVENT_BYTES}: ignored`);
        return 0;
      });
    }
  }

  /** Move waiting events into posted eventq buffers, one event each (§5.8.6.1). */
  poll(): void {
    const t = this.t;
    if (t === null || this.pending.length === 0 || !t.queue(EVENTQ).ready) return;
    let i = 0;
    serveChains(t, EVENTQ, (chain) => {
      const ev = new Uint8Array(EVENT_BYTES), dv = new DataView(ev.buffer);
      dv.setUint16(0, this.pending[i], true); dv.setUint16(2, this.pending[i + 1], true); dv.setUint32(4, this.pending[i + 2] >>> 0, true);
      i += 3;
      if (chain.writableLen < EVENT_BYTES) { t.log(`event buffer of ${chain.writableLen} bytes is shorter than ${EVENT_BYTES}: event dropped`); return 0; }
      chain.write(0, ev);
      return chain.written;
    }, () => i < this.pending.length);
    this.pending = this.pending.slice(i);
  }
}

/** A key press or release, as QEMU's keyboard sends it: the key event, then SYN. */
export function keyEvents(code: number, down: boolean): number[] {
  return [EV.KEY, code, down ? 1 : 0, EV.SYN, 0, 0];
}

/** The tablet at (x, y) in 0..ABS_MAX, with buttons changed as given, then SYN. */
export function pointerEvents(x: number, y: number, buttons: readonly { code: number; down: boolean }[] = []): number[] {
  const clamp = (v: number) => Math.max(0, Math.min(ABS_MAX, Math.round(v)));
  const out = [EV.ABS, ABS_X, clamp(x), EV.ABS, ABS_Y, clamp(y)];
  for (const b of buttons) out.push(EV.KEY, b.code, b.down ? 1 : 0);
  out.push(EV.SYN, 0, 0);
  return out;
}
