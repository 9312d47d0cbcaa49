/**
 * A PassthroughContext for tests: a DMA window over its own memory, an interrupt line
 * that records its changes with the clock, a clock the test moves, a log.
 */
import { PassthroughContext } from './backend';

export class FakeSlotContext implements PassthroughContext {
  irq = false;
  /** [clock, level] at each setIrq. */
  irqChanges: [number, boolean][] = [];
  logs: string[] = [];
  clock = 0;
  readonly mem: Uint8Array;
  /** What the backend posted to the input queue, oldest first. */
  posted: Uint8Array[] = [];
  windowBase = 0x4000000;

  constructor(readonly window: { base: number; size: number }) { this.mem = new Uint8Array(window.size); }

  setIrq(high: boolean): void { this.irq = high; this.irqChanges.push([this.clock, high]); }
  private inside(addr: number, len: number): boolean { return addr >= this.window.base && addr + len <= this.window.base + this.window.size; }
  dmaRead(addr: number, len: number): Uint8Array | null {
    return this.inside(addr, len) ? this.mem.slice(addr - this.window.base, addr - this.window.base + len) : null;
  }
  dmaWrite(addr: number, bytes: Uint8Array): boolean {
    if (!this.inside(addr, bytes.length)) return false;
    this.mem.set(bytes, addr - this.window.base);
    return true;
  }
  now(): number { return this.clock; }
  nowNs(): number { return this.clock * 10; }
  log(line: string): void { this.logs.push(line); }
  post(packet: Uint8Array): void { this.posted.push(packet); }
  /** [wait, packet] for each packet recorded as handled inside a wait. */
  enteredInWait: [number, Uint8Array][] = [];
  entered(packet: Uint8Array, wait: number): void { this.enteredInWait.push([wait, packet]); }
  /** Set to replay: the packets each wait claims. */
  replayLog: Map<number, Uint8Array[]> | null = null;
  get replaying(): boolean { return this.replayLog !== null; }
  /** Set with replayLog: replay without the peer. */
  peerless = false;
  claim(wait: number): Uint8Array[] { const l = this.replayLog?.get(wait) ?? []; this.replayLog?.delete(wait); return l; }
}
