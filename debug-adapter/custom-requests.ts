/**
 * The adapter's custom DAP requests and events (issue 8), typed and documented once.
 * VS Code's Devices view, guest console terminal and status bar use them through
 * `session.customRequest(name, args)` / `onDidReceiveDebugSessionCustomEvent`; any other
 * DAP client can too. Request and event names start with `osdev/`.
 *
 * Register and field values are numbers when they fit 32 bits; wider registers (CLINT
 * mtime) come as hex strings, so JSON never rounds them.
 */

// The device types are the machine's (emulator/devices/device-view.ts), passed through as they are.
import type { DeviceInfo, PassthroughState, RegisterValue } from '../emulator';
import type { CpuProfile } from './profile-writer';
export type { CpuProfile } from './profile-writer';
export type { DeviceGroup, DeviceInfo, FieldValue, PassthroughState, RegisterValue, VirtioQueueState, VirtioState } from '../emulator';

/** The custom requests: name → [arguments, response body]. */
export interface CustomRequests {
  /** Every device with its registers peeked (no side effects). Works while running. */
  'osdev/devices': [{ device?: string }, { devices: DeviceInfo[] }];
  /**
   * A real guest-visible write (with its side effects) to a register or one field of it
   * (read-modify-write of the register, peeked). Returns the register after the write.
   */
  'osdev/writeDeviceRegister': [{ device: string; register: string; field?: string; value: number }, { register: RegisterValue }];
  'osdev/resetDevice': [{ device: string }, Record<string, never>];
  /**
   * Plug or unplug a passthrough slot; an input event, so it takes effect at the next round
   * boundary (at once while running, when continued while paused). The answer is the
   * state pending then ("unplugging (...)"); `osdev/devicesChanged` follows when applied.
   */
  'osdev/plug': [{ device: string; plugged: boolean }, { state: PassthroughState }];
  /** Give a passthrough slot another backend (`stub` with a model file, `remote-port` with an address). */
  'osdev/setBackend': [{ device: string; backend: 'stub'; model: string } | { device: string; backend: 'remote-port'; address: string } |
    { device: string; backend: 'none' }, { state: PassthroughState }];
  /** Switch the MMIO/interrupt/trap trace; `devices` filters by name; `file` also appends it to a file. */
  'osdev/trace': [{ mmio: boolean; traps: boolean; devices?: string[]; file?: string }, Record<string, never>];
  /** Bytes typed by the user for the guest console (UTF-8 text); they enter in order, none dropped. */
  'osdev/consoleInput': [{ text: string }, Record<string, never>];
  /** Guest time and speed now. */
  'osdev/status': [Record<string, never>, MachineStatus];
  /**
   * Start profiling: every hart sampled each `rate` instructions (default 10 000), with
   * `coverage` every pc run too (the harts then run one instruction at a time). Stop hands
   * back the .cpuprofile and the lcov text, named through the program's DWARF (`notes`:
   * what was too much to keep); the client writes them where it wants.
   */
  'osdev/profile': [{ action: 'start'; rate?: number; coverage?: boolean } | { action: 'stop' },
    { profile?: CpuProfile; lcov?: string; notes?: string[] }];
  /** The whole screen now (`frame` null without a display). */
  'osdev/screen': [Record<string, never>, { frame: ScreenFrameJson | null }];
  /**
   * What changed on the screen since the last answer (the whole screen after a new or
   * resized scanout), answered once something has: a long poll, at most 33 answers a
   * second. Ask again after drawing; a slow client gets fewer, larger frames and never
   * holds the guest back. `frame` is null when a newer request took this one's place or
   * the guest powered off.
   */
  'osdev/screenChanges': [Record<string, never>, { frame: ScreenFrameJson | null }];
  /**
   * Evdev events for the display's keyboard or tablet ([type, code, value] one after another,
   * a batch ending in SYN, at most 256): input events, so `--record/--replay` repeat them.
   */
  'osdev/inputEvents': [{ device: 'keyboard' | 'tablet'; events: number[] }, Record<string, never>];
  /**
   * The client's display is now `width` x `height` (the screen panel was resized, or the
   * user asked for a size): an input event, after which virtio-gpu offers that size and
   * tells the guest, as QEMU when its window is resized. Each side 16 to 8192.
   */
  'osdev/screenSize': [{ width: number; height: number }, Record<string, never>];
  /**
   * The session from its start to where the machine stands, as a replay file (base64 in
   * `data`; the client writes it, named `*.osdev-replay`, into `folder`, which the paths
   * inside it are relative to). `instructions` and `state` (a hash of the machine there)
   * are what a replay reaches; `notes`: what it cannot repeat. Only while stopped.
   */
  'osdev/saveReplay': [{ folder: string }, { data: string; instructions: number; state: string; notes: string[] }];
}

/** A screen frame (the worker's ScreenFrame) for JSON: each rectangle a base64 PNG, the cursor image base64 RGBA. */
export interface ScreenFrameJson {
  generation: number;
  width: number;
  height: number;
  /** The whole screen (a new or resized scanout, or asked for), else only what changed. */
  full: boolean;
  rects: { x: number; y: number; width: number; height: number; png: string }[];
  cursor: { x: number; y: number; hotX: number; hotY: number; visible: boolean; width: number; height: number; image?: string } | null;
}

export interface MachineStatus {
  state: 'running' | 'paused' | 'idle' | 'exited';
  /** Guest time in ns (deterministic: derived from instructions). */
  guestTimeNs: number;
  /** Instructions retired by all harts. */
  instructions: number;
  /** Instructions per host second, measured over the last second of running. */
  ips: number;
}

/** The custom events: name → body. */
export interface CustomEvents {
  /** Guest console output (decoded as UTF-8 by the adapter); sent when `console` is `terminal`. */
  'osdev/console': { text: string };
  /** Trace lines ("uart0.IER <- 0x01 (ERBFI=1)", "trap: ..."), batched. */
  'osdev/trace': { lines: string[] };
  /** A passthrough slot or device changed state (plug, unplug, backend lost). */
  'osdev/devicesChanged': { device: string; state: string };
  /** The scanout's size changed (0 × 0: the guest shows nothing); a panel opens on it and asks for `osdev/screenChanges`. */
  'osdev/screen': { width: number; height: number };
}

export type CustomRequestName = keyof CustomRequests;
export type CustomRequestArgs<N extends CustomRequestName> = CustomRequests[N][0];
export type CustomRequestResult<N extends CustomRequestName> = CustomRequests[N][1];
