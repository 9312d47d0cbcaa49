/**
 * A passthrough slot (issue 8): an MMIO window, a PLIC line and an optional DMA window
 * that a backend serves — a stub model or a Remote-Port peer (backend.ts). The slot
 * outlives its backends: it can be unplugged and plugged again and change backend while
 * the guest runs. Unplugged (by the user, or because the backend was lost), the line
 * drops and accesses read all-ones with writes ignored, as a removed device on a bus
 * does — or fault, when the slot is configured so.
 */
import { MemoryRegion, MmioDevice } from '../../bus/bus';
import { DeviceModel } from '../regmap';
import { PassthroughState } from '../device-view';
import { PassthroughBackend, PassthroughContext } from './backend';
import { record, Saved, SnapshotError } from '../../snapshot/saved';

/** A passthrough slot (issue 8): where it sits, its PLIC line, its DMA window. */
export interface PassthroughDescription {
  /** Node and device name, e.g. "dma0". */
  name: string;
  base: number;
  size: number;
  irq: number;
  /** The FDT compatible string the guest's driver probes for. */
  compatible: string;
  /** Guest-physical range (inside DRAM) the backend may read and write. */
  dma?: { base: number; size: number };
  /**
   * The DTS node the slot stands in for (a compatible we do not emulate). Such a slot
   * takes the node's window and line as they are: the size rules for user-placed slots
   * do not apply, and irq 0 means the node has no interrupt.
   */
  node?: string;
  /** What accesses to the slot do while it is unplugged: read all-ones, or fault. */
  unplugged: 'ones' | 'fault';
}

export interface SlotHost {
  setIrq(high: boolean): void;
  ram: MemoryRegion;
  now(): number;
  nowNs(): number;
  log(line: string): void;
  /** The slot changed state by itself (backend lost or failing). */
  changed(state: string): void;
  /** A packet the backend's device sent on its own: to the machine's input queue, back through `deliver`. */
  post(packet: Uint8Array): void;
  /** Such a packet, handled already inside the backend's `wait`-th wait: only recorded. */
  entered(packet: Uint8Array, wait: number): void;
  /** Whether the machine replays a log. */
  replaying(): boolean;
  /** Replaying: the logged packets of the backend's `wait`-th wait. */
  claim(wait: number): Uint8Array[];
  /** Whether devices' peers are left alone and the log answers for them (PassthroughContext.peerless). */
  peerless(): boolean;
}

export class PassthroughSlot implements MmioDevice {
  readonly name: string;
  readonly maxAccess = 8 as const;
  hi = 0;
  /** Set by a failed access: the bus turns it into an access fault. */
  faulted = false;
  private plugged = false;
  private lost: string | null = null;
  private backend: PassthroughBackend | null = null;
  /** Where the backend came from (model file, peer address), for the view. */
  private target: string | undefined;
  private level = false;
  private readonly generic: DeviceModel;

  constructor(readonly config: PassthroughDescription, private readonly host: SlotHost) {
    this.name = config.name;
    this.generic = { model: 'passthrough', compatible: [config.compatible], doc: 'Passthrough slot with no register model', size: config.size, registers: [] };
  }

  get model(): DeviceModel { return this.backend?.model ?? this.generic; }

  /** Give the slot a backend (closing the one before) and plug it in. */
  setBackend(b: PassthroughBackend | null, target?: string): void {
    this.backend?.close();
    this.backend = b;
    this.target = target;
    this.lost = null;
    this.setLine(false);
    if (b !== null) b.attach(this.context());
    this.plugged = b !== null;
    this.setLine(this.level);
  }

  saveState(): Saved {
    return {
      plugged: this.plugged, lost: this.lost, level: this.level, hi: this.hi,
      backend: this.backend?.kind ?? null, device: this.backend?.saveState?.() ?? null,
    };
  }

  /** The backend is the host's (it cannot be saved): it must be of the kind the snapshot had. */
  restoreState(s: Saved): void {
    const r = record(s);
    const kind = this.backend?.kind ?? null;
    if (r.backend !== kind) throw new SnapshotError(`passthrough slot '${this.name}' had backend ${String(r.backend ?? 'none')} in the snapshot, here ${kind ?? 'none'}`);
    this.plugged = r.plugged as boolean;
    this.lost = r.lost as string | null;
    this.level = r.level as boolean;
    this.hi = r.hi as number;
    if (r.device !== null) this.backend?.restoreState?.(r.device);
  }

  plug(on: boolean): void {
    if (on === this.plugged) return;
    if (on && this.backend === null) { this.host.log(`${this.name}: cannot plug a slot without a backend`); return; }
    this.plugged = on;
    this.lost = null;
    if (on) this.backend?.reset(); // a device plugged in again comes up from reset
    this.setLine(on && this.level);
    this.host.log(`${this.name}: ${on ? 'plugged' : 'unplugged'}`);
  }

  state(): PassthroughState {
    const st = this.plugged ? 'plugged' : this.lost !== null ? `unplugged (${this.lost})` : 'unplugged';
    return {
      state: st, backend: this.backend?.kind ?? 'none', ...(this.target !== undefined ? { target: this.target } : {}),
      ...(this.config.dma !== undefined ? { dma: { base: `0x${this.config.dma.base.toString(16)}`, size: this.config.dma.size } } : {}),
    };
  }

  private context(): PassthroughContext {
    const host = this.host, ram = host.ram, dma = this.config.dma;
    const inside = (addr: number, len: number) => dma !== undefined && len >= 0 && addr >= dma.base && addr + len <= dma.base + dma.size &&
      addr >= ram.base && addr + len <= ram.base + ram.size;
    return {
      setIrq: (high) => { this.level = high; if (this.plugged) this.setLine(high); },
      dmaRead: (addr, len) => {
        if (!inside(addr, len)) return null;
        ram.dmaTouched(addr - ram.base, len, false, this.name);
        return ram.u8.slice(addr - ram.base, addr - ram.base + len);
      },
      dmaWrite: (addr, bytes) => {
        if (!inside(addr, bytes.length)) return false;
        ram.u8.set(bytes, addr - ram.base);
        ram.dmaTouched(addr - ram.base, bytes.length, true, this.name);
        return true;
      },
      now: () => this.host.now(),
      nowNs: () => this.host.nowNs(),
      log: (line) => this.host.log(`${this.name}: ${line}`),
      windowBase: this.config.base,
      post: (packet) => this.host.post(packet),
      entered: (packet, wait) => this.host.entered(packet, wait),
      get replaying() { return host.replaying(); },
      get peerless() { return host.peerless(); },
      claim: (wait) => this.host.claim(wait),
    };
  }

  private setLine(high: boolean): void { this.host.setIrq(high); }

  /** After each backend call: a backend that failed unplugs the slot, and the guest sees an unplug. True when that happened now. */
  private checkBackend(): boolean {
    const why = this.backend?.failure ?? null;
    if (why === null || !this.plugged) return false;
    this.plugged = false;
    this.lost = why;
    this.setLine(false);
    this.host.log(`${this.name}: ${why}; unplugged`);
    this.host.changed(this.state().state);
    return true;
  }

  private absent(size: number): number {
    if (this.config.unplugged === 'fault') { this.faulted = true; return 0; }
    this.hi = -1;
    return size >= 4 ? -1 : (1 << (size * 8)) - 1;
  }

  peek(offset: number, size: number): number {
    if (!this.plugged || this.backend === null) return this.config.unplugged === 'ones' ? (size >= 4 ? -1 : (1 << (size * 8)) - 1) : 0;
    return this.backend.peek(offset, size) ?? 0;
  }

  read(offset: number, size: number): number {
    if (!this.plugged || this.backend === null) return this.absent(size);
    const v = this.backend.read(offset, size);
    this.hi = this.backend.hi;
    // A backend lost during this very access: the guest sees the unplug now.
    if (this.checkBackend()) return this.absent(size);
    if (v === null) { this.faulted = true; return 0; }
    return v;
  }

  write(offset: number, size: number, lo: number, hi: number): void {
    if (!this.plugged || this.backend === null) { if (this.config.unplugged === 'fault') this.faulted = true; return; }
    const ok = this.backend.write(offset, size, lo, hi);
    if (this.checkBackend()) { if (this.config.unplugged === 'fault') this.faulted = true; return; }
    if (!ok) this.faulted = true;
  }

  /** Between quanta: timed behaviour and the peer's messages. */
  tick(): void {
    if (!this.plugged || this.backend === null) return;
    this.backend.tick();
    this.checkBackend();
  }

  /** Before the round's inputs enter: the backend posts what its device did on its own. */
  poll(): void {
    if (!this.plugged || this.backend?.poll === undefined) return;
    this.backend.poll();
    this.checkBackend();
  }

  /** A posted packet enters the machine (input-events.ts); a slot unplugged meanwhile takes nothing. */
  deliver(packet: Uint8Array): void {
    if (!this.plugged || this.backend?.deliver === undefined) return;
    this.backend.deliver(packet);
    this.checkBackend();
  }

  /** When the backend next needs a tick (a pending trigger, a sync with the peer). */
  nextDeadline(): number | undefined {
    return this.plugged ? this.backend?.nextDeadline() : undefined;
  }

  reset(): void {
    this.backend?.reset();
  }

  close(): void { this.backend?.close(); this.backend = null; }
}
