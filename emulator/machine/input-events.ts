/**
 * The machine's input event queue (DESIGN.md idea 2: the machine is deterministic).
 * Everything that reaches the guest from outside — console bytes, network frames from
 * a socket, plugging and unplugging a passthrough device, what a Remote-Port peer does
 * on its own — is posted here and enters
 * the machine only at a round boundary, stamped with the clock of that boundary. The
 * stamped events are the run's whole outside input: recorded (`--record`), they make
 * the run repeatable (`--replay`), instruction for instruction.
 */

export type InputEvent =
  | { kind: 'console'; bytes: number[] }
  /** A frame for virtio-net link `net` (its index among the machine's links). */
  | { kind: 'net'; net: number; frame: number[] }
  | { kind: 'plug'; device: string; plugged: boolean }
  /**
   * A packet a Remote-Port peer sent on its own (an interrupt, DMA, a SYNC) to passthrough
   * slot `device`. With `wait`, it came while the slot waited for its `wait`-th answer
   * and was handled there; replayed, the slot claims it at that wait (`claim`), not at
   * a round boundary.
   */
  | { kind: 'peer'; device: string; packet: number[]; wait?: number };

export interface StampedInput { at: number; event: InputEvent }

export class InputQueue {
  private live: InputEvent[] = [];
  private replaying: StampedInput[] | null = null;
  /** Replayed events that enter inside a device's wait, not at a boundary. */
  private claimable: StampedInput[] = [];
  /** Called with each event as it enters the machine (the recorder). */
  onApplied: ((e: StampedInput) => void) | null = null;
  /** Called when live input arrives: a host sleeping on an idle guest wakes up. */
  onPosted: (() => void) | null = null;

  /** An event from outside; ignored while replaying (the log is the only input then). */
  post(e: InputEvent): void {
    if (this.replaying !== null) return;
    this.live.push(e);
    this.onPosted?.();
  }

  get isReplaying(): boolean { return this.replaying !== null; }

  /** From now on, the machine's input is this log and nothing else. */
  replay(log: readonly StampedInput[]): void {
    const inWait = (s: StampedInput) => s.event.kind === 'peer' && s.event.wait !== undefined;
    this.replaying = log.filter((s) => !inWait(s)).sort((a, b) => a.at - b.at);
    this.claimable = log.filter(inWait);
    this.live = [];
  }

  /** An outside event that already entered the machine, inside a device's wait: recorded, not queued. */
  entered(e: InputEvent, clock: number): void {
    if (this.replaying === null) this.onApplied?.({ at: clock, event: e });
  }

  /** Replaying: the logged packets for slot `device`'s `wait`-th wait, in log order, taken out of the log. */
  claim(device: string, wait: number): number[][] {
    const mine = (s: StampedInput) => s.event.kind === 'peer' && s.event.device === device && s.event.wait === wait;
    const out = this.claimable.filter(mine).map((s) => (s.event as { packet: number[] }).packet);
    if (out.length > 0) this.claimable = this.claimable.filter((s) => !mine(s));
    return out;
  }

  /** The clock at which the next event wants in: now for live input, its stamp for replayed input. */
  nextAt(clock: number): number | undefined {
    if (this.replaying !== null) return this.replaying.length > 0 ? this.replaying[0].at : undefined;
    return this.live.length > 0 ? clock : undefined;
  }

  /** The events that enter at this boundary, in order. */
  takeDue(clock: number): InputEvent[] {
    let due: InputEvent[];
    if (this.replaying !== null) {
      let n = 0;
      while (n < this.replaying.length && this.replaying[n].at <= clock) n++;
      due = this.replaying.splice(0, n).map((s) => s.event);
    } else {
      due = this.live;
      this.live = [];
    }
    if (this.onApplied !== null) for (const event of due) this.onApplied({ at: clock, event });
    return due;
  }
}

const isByteArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((b) => Number.isInteger(b) && b >= 0 && b <= 255);

/** One JSON line per event: what `--record` writes. */
export function formatInput(e: StampedInput): string {
  return JSON.stringify({ at: e.at, ...e.event });
}

/** A recorded log back into events; the error names the line that is wrong. */
export function parseInputLog(text: string): { ok: true; value: StampedInput[] } | { ok: false; error: string } {
  const out: StampedInput[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    let v: unknown;
    try { v = JSON.parse(lines[i]); } catch { return { ok: false, error: `line ${i + 1}: not JSON` }; }
    const o = v as Record<string, unknown>;
    if (typeof v !== 'object' || v === null || !Number.isSafeInteger(o.at) || (o.at as number) < 0) return { ok: false, error: `line ${i + 1}: no clock stamp 'at'` };
    const at = o.at as number;
    if (o.kind === 'console' && isByteArray(o.bytes)) out.push({ at, event: { kind: 'console', bytes: o.bytes } });
    else if (o.kind === 'net' && Number.isInteger(o.net) && isByteArray(o.frame)) out.push({ at, event: { kind: 'net', net: o.net as number, frame: o.frame } });
    else if (o.kind === 'plug' && typeof o.device === 'string' && typeof o.plugged === 'boolean') out.push({ at, event: { kind: 'plug', device: o.device, plugged: o.plugged } });
    else if (o.kind === 'peer' && typeof o.device === 'string' && isByteArray(o.packet) && (o.wait === undefined || Number.isSafeInteger(o.wait))) {
      out.push({ at, event: { kind: 'peer', device: o.device, packet: o.packet, ...(o.wait !== undefined ? { wait: o.wait as number } : {}) } });
    }
    else return { ok: false, error: `line ${i + 1}: not a console, net, plug or peer event` };
  }
  return { ok: true, value: out };
}
