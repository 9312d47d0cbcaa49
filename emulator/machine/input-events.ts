/**
 * The machine's input event queue (DESIGN.md idea 2: the machine is deterministic).
 * Everything that reaches the guest from outside — console bytes, network frames from
 * a socket, plugging and unplugging a passthrough device, what a Remote-Port peer does
 * on its own — is posted here and enters
 * the machine only at a round boundary, stamped with the clock of that boundary. The
 * stamped events are the run's whole outside input: recorded (`--record`), they make
 * the run repeatable (`--replay`), instruction for instruction.
 */

import { record, restoreFields, Saved, saveFields } from '../snapshot/saved';
import { MAX_DISPLAY, MIN_DISPLAY } from '../devices/virtio/gpu';

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
  | { kind: 'peer'; device: string; packet: number[]; wait?: number }
  /** Evdev events for a virtio-input device, [type, code, value] after one another, a batch ending in SYN. */
  | { kind: 'input'; device: 'keyboard' | 'tablet'; events: number[] }
  /** The host's display (the screen panel) changed size: virtio-gpu tells the guest (a display event, §5.7.4). */
  | { kind: 'display'; width: number; height: number };

export interface StampedInput { at: number; event: InputEvent }

/**
 * Console bytes posted and not yet entered, above which `post` asks the host to stop
 * reading (it pauses the stream: backpressure, as a UART's flow control would); it
 * reads again when `onConsoleRoom` says half of it has entered.
 */
export const CONSOLE_BACKLOG = 64 * 1024;

export class InputQueue {
  /** Live console bytes as posted, from `consoleHead`/`consoleOffset` on: their own lane, so other events never wait behind them. */
  private console: number[][] = [];
  private consoleHead = 0;
  private consoleOffset = 0;
  /** Live events other than console bytes. */
  private others: InputEvent[] = [];
  private replaying: StampedInput[] | null = null;
  /** Replayed events that enter inside a device's wait, not at a boundary. */
  private claimable: StampedInput[] = [];
  /** Live console bytes waiting. */
  private backlog = 0;
  /** Whether `post` has told the host to stop reading and `onConsoleRoom` has not yet said to go on. */
  private held = false;
  /**
   * While replaying: Remote-Port peers are not asked, the log answers for them (going back
   * in a debug session, whose peers stay in the present; a replay file run without peers).
   */
  peerless = false;
  /** Called with each event as it enters the machine (the recorder). */
  onApplied: ((e: StampedInput) => void) | null = null;
  /** Called when live input arrives: a host sleeping on an idle guest wakes up. */
  onPosted: (() => void) | null = null;
  /** Called once the console backlog has drained to half after `post` returned false: the host reads again. */
  onConsoleRoom: (() => void) | null = null;

  /**
   * An event from outside; ignored while replaying (the log is the only input then).
   * False when the console backlog is full: the host should stop reading console input
   * until `onConsoleRoom` (what it posts meanwhile is still kept).
   */
  post(e: InputEvent): boolean {
    if (this.replaying !== null) return true;
    if (e.kind !== 'console') this.others.push(e);
    else if (e.bytes.length > 0) {
      this.console.push(e.bytes);
      this.backlog += e.bytes.length;
      if (this.backlog >= CONSOLE_BACKLOG) this.held = true;
    }
    this.onPosted?.();
    return !this.held;
  }

  /**
   * What waits to enter (snapshots): the live lanes and, when replaying, the rest of the
   * log. The host's hooks are not state.
   */
  saveState(): Saved {
    const json = JSON.stringify({ console: this.console.slice(this.consoleHead), others: this.others, replaying: this.replaying, claimable: this.claimable });
    return { ...saveFields(this, ['consoleOffset', 'backlog', 'held']), json };
  }

  restoreState(s: Saved): void {
    const r = record(s);
    restoreFields(this, ['consoleOffset', 'backlog', 'held'], r);
    const v = JSON.parse(r.json as string) as { console: number[][]; others: InputEvent[]; replaying: StampedInput[] | null; claimable: StampedInput[] };
    this.console = v.console;
    this.consoleHead = 0;
    this.others = v.others;
    this.replaying = v.replaying;
    this.claimable = v.claimable;
  }

  /** Whether console input waits beyond the backlog limit (a host that cannot pause refuses more). */
  get consoleFull(): boolean { return this.backlog >= CONSOLE_BACKLOG; }

  get isReplaying(): boolean { return this.replaying !== null; }

  /** From now on, the machine's input is this log and nothing else. */
  replay(log: readonly StampedInput[]): void {
    const inWait = (s: StampedInput) => s.event.kind === 'peer' && s.event.wait !== undefined;
    this.replaying = log.filter((s) => !inWait(s)).sort((a, b) => a.at - b.at);
    this.claimable = log.filter(inWait);
    this.console = [];
    this.consoleHead = this.consoleOffset = this.backlog = 0;
    this.others = [];
  }

  /**
   * Live input again, with nothing waiting: going forward from a past point of a debug
   * session's history (snapshot/session-inputs.ts), whose future input is dropped.
   */
  live(): void {
    this.replaying = null;
    this.claimable = [];
    this.console = [];
    this.consoleHead = this.consoleOffset = this.backlog = 0;
    this.others = [];
    if (this.held) { this.held = false; this.onConsoleRoom?.(); }
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

  /**
   * The clock at which the next event wants in: now for live input that can enter (console
   * bytes only while the machine has `consoleRoom` for them), its stamp for replayed input.
   */
  nextAt(clock: number, consoleRoom = Infinity): number | undefined {
    if (this.replaying !== null) return this.replaying.length > 0 ? this.replaying[0].at : undefined;
    return this.others.length > 0 || (this.backlog > 0 && consoleRoom > 0) ? clock : undefined;
  }

  /**
   * The events that enter at this boundary, in order. Live console bytes enter only up to
   * `consoleRoom` (the machine's buffer is bounded), as one event; the rest waits. What
   * entered is what is recorded, so a replay (which takes the log as it is) repeats the run.
   */
  takeDue(clock: number, consoleRoom = Infinity): InputEvent[] {
    let due: InputEvent[];
    if (this.replaying !== null) {
      let n = 0;
      while (n < this.replaying.length && this.replaying[n].at <= clock) n++;
      due = this.replaying.splice(0, n).map((s) => s.event);
    } else {
      if (this.others.length === 0 && (this.backlog === 0 || consoleRoom <= 0)) return [];
      due = this.others;
      this.others = [];
      if (this.backlog > 0 && consoleRoom > 0) due.push({ kind: 'console', bytes: this.takeConsole(consoleRoom) });
    }
    if (this.onApplied !== null) for (const event of due) this.onApplied({ at: clock, event });
    return due;
  }

  /** Up to `max` waiting console bytes, oldest first. */
  private takeConsole(max: number): number[] {
    const out: number[] = [];
    while (out.length < max && this.consoleHead < this.console.length) {
      const chunk = this.console[this.consoleHead];
      const end = Math.min(chunk.length, this.consoleOffset + (max - out.length));
      for (let i = this.consoleOffset; i < end; i++) out.push(chunk[i]);
      if (end === chunk.length) { this.consoleHead++; this.consoleOffset = 0; } else this.consoleOffset = end;
    }
    if (this.consoleHead === this.console.length || this.consoleHead >= 1024) {
      this.console = this.console.slice(this.consoleHead);
      this.consoleHead = 0;
    }
    this.backlog -= out.length;
    if (this.held && this.backlog <= CONSOLE_BACKLOG / 2) {
      this.held = false;
      this.onConsoleRoom?.();
    }
    return out;
  }
}

const isByteArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((b) => Number.isInteger(b) && b >= 0 && b <= 255);

/** Evdev triples: type and code are 16-bit, the value a 32-bit integer either signed or not. */
const isEventList = (v: unknown): v is number[] => Array.isArray(v) && v.length % 3 === 0 &&
  v.every((n, i) => Number.isInteger(n) && (i % 3 === 2 ? n >= -0x8000_0000 && n <= 0xffff_ffff : n >= 0 && n <= 0xffff));

/** A display side virtio-gpu can offer. */
export const isSide = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= MIN_DISPLAY && (v as number) <= MAX_DISPLAY;

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
    else if (o.kind === 'input' && (o.device === 'keyboard' || o.device === 'tablet') && isEventList(o.events)) {
      out.push({ at, event: { kind: 'input', device: o.device, events: o.events } });
    }
    else if (o.kind === 'display' && isSide(o.width) && isSide(o.height)) out.push({ at, event: { kind: 'display', width: o.width, height: o.height } });
    else return { ok: false, error: `line ${i + 1}: not a console, net, plug, peer, input or display event` };
  }
  return { ok: true, value: out };
}
