/**
 * What sits behind a passthrough slot (issue 8). A slot (slot.ts) is an MMIO window,
 * a PLIC line and an optional DMA window; its backend answers the guest's accesses.
 * Two backends exist: `stub` (a register model with behaviour, stub.ts) and
 * `remote-port` (another process over the Remote-Port protocol, remote-port.ts).
 * A slot can change backend, or lose it, while the guest runs.
 */
import { DeviceModel } from '../regmap';
import { Saved } from '../../snapshot/saved';

/** What the slot lends its backend: its interrupt line, DMA inside the window, guest time, a log. */
export interface PassthroughContext {
  /** Drive the slot's PLIC line (level). */
  setIrq(high: boolean): void;
  /** Bytes at guest-physical `addr` when [addr, addr+len) lies inside the slot's DMA window; null otherwise. */
  dmaRead(addr: number, len: number): Uint8Array | null;
  /** Write inside the DMA window; false (nothing written) when any byte falls outside it. */
  dmaWrite(addr: number, bytes: Uint8Array): boolean;
  /** Guest time in instructions of clock (the machine's deterministic clock). */
  now(): number;
  /** Guest time in nanoseconds (Remote-Port timestamps). */
  nowNs(): number;
  /** One log line (shown in the console and the trace), prefixed with the slot's name by the slot. */
  log(line: string): void;
  /** Guest-physical address of the slot's MMIO window (Remote-Port's absolute addresses). */
  readonly windowBase: number;
  /**
   * Something the device did on its own, from outside the machine (a Remote-Port peer's
   * packet): it goes to the machine's input queue, is stamped and recorded there, and
   * comes back through `deliver` at a round boundary (or from the log when replaying).
   */
  post(packet: Uint8Array): void;
  /** A packet the device sent on its own that was handled inside the backend's `wait`-th wait for an answer: recorded, as it entered already. */
  entered(packet: Uint8Array, wait: number): void;
  /** Whether the run replays a recorded log: the machine's outside input comes from it, not from the device. */
  readonly replaying: boolean;
  /** Replaying: the logged packets that were handled inside the backend's `wait`-th wait, in order. */
  claim(wait: number): Uint8Array[];
  /**
   * Replaying without the device's peer: nothing is sent to it or read from it; what it
   * did and answered comes from the log (going back in a debug session; a replay file).
   */
  readonly peerless: boolean;
}

export interface PassthroughBackend {
  /** 'stub' or 'remote-port': shown in the Devices view. */
  readonly kind: 'stub' | 'remote-port';
  /** Register map, when the backend has one (a stub always; remote-port when a model file is given). */
  readonly model?: DeviceModel;
  /** Called once when the backend is put behind a slot (plug or backend switch). */
  attach(ctx: PassthroughContext): void;
  /**
   * A guest read of 1, 2, 4 or 8 bytes (8: low word returned, high word in `hi`).
   * May block the machine thread (remote-port waits for its peer's reply).
   * null: the access fails (bus error / decode error), the guest takes an access fault.
   */
  read(offset: number, size: number): number | null;
  hi: number;
  /** A guest write; false: the access fails. */
  write(offset: number, size: number, lo: number, hi: number): boolean;
  /** The register value without side effects, for the Devices view; undefined when it cannot be known (remote-port). */
  peek(offset: number, size: number): number | undefined;
  /** Called between quanta with the clock: timed behaviour, peer synchronisation and interrupts enter here. */
  tick(): void;
  /**
   * The clock (PassthroughContext.now units) at which `tick` has something to do, if
   * any: a machine whose harts all wait in WFI skips ahead to it instead of stopping.
   */
  nextDeadline(): number | undefined;
  /** Called at each round boundary before inputs enter: post (PassthroughContext.post) what the device did on its own. */
  poll?(): void;
  /** A packet `post`ed earlier (or replayed from a log) now enters the machine. */
  deliver?(packet: Uint8Array): void;
  /** Device reset (the Devices view's "reset device", machine reset). */
  reset(): void;
  /** The backend's side of the device as a snapshot keeps it (a Remote-Port peer's own state cannot be: only our counters). */
  saveState?(): Saved;
  restoreState?(s: Saved): void;
  /** Release host resources (sockets); the backend is not used again. */
  close(): void;
  /**
   * Set when the backend failed and can serve no more ("backend lost: peer closed the
   * connection", "backend error: oversized packet"); the slot then unplugs itself.
   */
  readonly failure: string | null;
}
