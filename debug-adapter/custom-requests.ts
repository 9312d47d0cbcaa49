/**
 * The adapter's custom DAP requests and events (issue 8), typed and documented once.
 * VS Code's Devices view, guest console terminal and status bar use them through
 * `session.customRequest(name, args)` / `onDidReceiveDebugSessionCustomEvent`; any other
 * DAP client can too. Request and event names start with `osdev/`.
 *
 * Register and field values are numbers when they fit 32 bits; wider registers (CLINT
 * mtime) come as hex strings, so JSON never rounds them.
 */

export type DeviceGroup = 'emulated' | 'virtio' | 'passthrough';

export interface FieldValue {
  name: string;
  /** Inclusive bit range [high, low]. */
  bits: [number, number];
  value: number;
  /** Enum name of the value, when the map names it. */
  text?: string;
  doc?: string;
}

export interface RegisterValue {
  /** NAME or NAME[i] for arrays. */
  name: string;
  /** Offset in the device window. */
  offset: number;
  width: number;
  access: string;
  /** Current value read without side effects; null for write-only registers or when unknown (remote peer). */
  value: number | string | null;
  doc: string;
  fields: FieldValue[];
}

export interface VirtioQueueState {
  index: number;
  size: number;
  maxSize: number;
  ready: boolean;
  /** Guest-physical addresses of the rings, hex. */
  desc: string; avail: string; used: string;
  /** avail.idx as the guest last wrote it, the device's next avail position, used.idx. */
  availIdx: number | null; lastAvail: number; usedIdx: number;
}

export interface VirtioState {
  deviceType: string;
  /** Status register decoded: "ACKNOWLEDGE DRIVER FEATURES_OK DRIVER_OK". */
  status: string;
  /** Negotiated feature bit names (numbers for bits without a name). */
  features: string[];
  queues: VirtioQueueState[];
}

export interface PassthroughState {
  /** 'plugged', 'unplugged', 'unplugged (backend lost)', 'backend error: ...'. */
  state: string;
  backend: 'stub' | 'remote-port' | 'none';
  /** The backend's address (remote-port) or model file (stub). */
  target?: string;
  dma?: { base: string; size: number };
}

export interface DeviceInfo {
  name: string;
  group: DeviceGroup;
  model: string;
  compatible: string[];
  /** Physical base address, hex. */
  base: string;
  size: number;
  irq?: number;
  registers: RegisterValue[];
  virtio?: VirtioState;
  passthrough?: PassthroughState;
}

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
  /** Plug or unplug a passthrough slot; recorded as an input event. */
  'osdev/plug': [{ device: string; plugged: boolean }, { state: PassthroughState }];
  /** Give a passthrough slot another backend (`stub` with a model file, `remote-port` with an address). */
  'osdev/setBackend': [{ device: string; backend: 'stub'; model: string } | { device: string; backend: 'remote-port'; address: string }, { state: PassthroughState }];
  /** Switch the MMIO/interrupt/trap trace; `devices` filters by name; `file` also appends it to a file. */
  'osdev/trace': [{ mmio: boolean; traps: boolean; devices?: string[]; file?: string }, Record<string, never>];
  /** Bytes typed by the user for the guest console (UTF-8 text); they enter in order, none dropped. */
  'osdev/consoleInput': [{ text: string }, Record<string, never>];
  /** Guest time and speed now. */
  'osdev/status': [Record<string, never>, MachineStatus];
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
}

export type CustomRequestName = keyof CustomRequests;
export type CustomRequestArgs<N extends CustomRequestName> = CustomRequests[N][0];
export type CustomRequestResult<N extends CustomRequestName> = CustomRequests[N][1];
