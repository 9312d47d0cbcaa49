/**
 * The messages between a debugger and the machine worker (emulator/hosts/worker.ts),
 * defined once. The debug adapter's MachineClient sends `WorkerRequest`s and receives
 * `WorkerMessage`s; the worker validates what arrives (`checkRequest`) because worker
 * messages are outside data (STYLE.md). Plain data only: structured clone carries
 * bigint and Uint8Array as they are.
 *
 * Addresses and register values are unsigned bigints of the machine's XLEN.
 */

import { BLOCK_MODES, DriveOption, HostPort, NetOption, PassthroughBackendOption, PassthroughOption } from '../backends';
import { MAX_HARTS } from './description';
import { Engine, ENGINES, MAX_DISPLAY, MIN_DISPLAY } from '../options';
import { DeviceInfo, PassthroughState, RegisterValue } from '../devices/device-view';
import type { RawCoverage, RawProfile, TaskSource } from './profiler';
import type { StampedInput } from './input-events';
import type { LegTo } from '../snapshot/time-travel';
import type { SnapshotImage } from '../snapshot/snapshot-file';

/** An image file handed to the machine: the adapter reads files, the worker never does (disk images excepted: they stay open). */
export interface ImageBytes { name: string; bytes: Uint8Array }

export interface LaunchParams {
  kernel?: ImageBytes;
  bios: 'none' | 'builtin' | ImageBytes;
  initrd?: ImageBytes;
  /** A snapshot file's bytes (launch.json `restore`): the machine starts from it, after the same boot. */
  restore?: ImageBytes;
  xlen: 32 | 64;
  /** launch.json `isa`: the harts' riscv,isa string (checked by the adapter), else the default harts. */
  isa?: string;
  harts: number;
  memoryBytes: number;
  append?: string;
  /** Whether single steps may take a pending interrupt (launch attribute `stepInterrupts`). */
  stepInterrupts: boolean;
  /** launch.json `engine`: how guest code runs (default DEFAULT_ENGINE). */
  engine?: Engine;
  /** Virtio devices (launch attributes `drives`, `rng`, `console`): drives are opened by the worker, paths absolute. */
  virtio?: LaunchVirtio;
  /** Passthrough slots; the worker opens their backends (model files relative to `cwd`, Remote-Port peers). */
  passthrough?: PassthroughOption[];
  cwd?: string;
  /** UART0 on this loopback TCP port instead of the output events. */
  serialTcp?: HostPort;
  /** launch.json `gdbServer`: the GDB remote stub on this loopback port (0: any free port, named on the console). */
  gdbPort?: number;
  /** A device-tree source (absolute path) the worker builds the machine from; then xlen, harts and memoryBytes come from it. */
  machine?: string;
  /** A replay file's run (snapshot/replay-file.ts): checked against this machine, then re-executed to its end. */
  replay?: ReplayStart;
}

/** What the worker takes from a replay file besides the launch itself. */
export interface ReplayStart {
  /** The file, for messages. */
  name: string;
  board: string;
  images: SnapshotImage[];
  legs: LegTo[];
  inputs: StampedInput[];
  end: { retired: number; state: string };
  /** Passthrough slots whose Remote-Port peer the replay needs. */
  peers: string[];
}

/** Devices in slot order: drives, then net links, then rng, then the console (launch.json has no interleaving). */
export interface LaunchVirtio {
  drives: DriveOption[];
  nets: NetOption[];
  rng?: 'seeded' | 'host';
  console: 'uart' | 'virtio';
  /** Slots asked for (QEMU's virtio-mmio-bus.N); drives and nets carry theirs. */
  rngSlot?: number;
  consoleSlot?: number;
  /** A screen: virtio-gpu, keyboard and tablet after the other devices, offering this display size. */
  display?: { width: number; height: number };
}

/** A page-table walk of one virtual address, each level's PTE decoded (machine/inspect.ts walks). */
export interface WalkLevel {
  level: number;
  /** Physical address of the PTE read at this level. */
  pteAddress: bigint;
  pte: bigint;
  /** "V R W X U G A D" letters of the bits set. */
  flags: string;
  ppn: bigint;
  kind: 'pointer' | 'leaf' | 'invalid';
}

export interface PageWalk {
  mode: 'Bare' | 'Sv32' | 'Sv39' | 'Sv48';
  levels: WalkLevel[];
  /** The physical address, or null when the walk ends in a fault (see `fault`). */
  pa: bigint | null;
  fault?: string;
}

export interface TlbEntry { tlb: 'read' | 'write' | 'fetch'; va: bigint; pa: bigint; ram: boolean }

/**
 * Which traps stop the machine: exception filters in DAP terms. For each kind, null
 * means no stop; otherwise the trap must match every given part: one of `causes`, taken
 * `to` that mode, `from` that mode (privilege numbers 0 U, 1 S, 3 M).
 */
export interface TrapMatch { causes?: number[]; to?: number; from?: number }
export interface TrapFilter {
  exceptions: TrapMatch | null;
  interrupts: TrapMatch | null;
}

/** Requests carry an `id`; the worker answers each with one `response` of the same id. */
export type WorkerRequestBody =
  | { type: 'launch'; params: LaunchParams }
  /** Run every hart until a stop; resuming first executes the instructions harts are stopped at. */
  | { type: 'continue' }
  /** Stop at the next slice boundary; answered at once, a `stopped` event with reason `pause` follows. */
  | { type: 'pause' }
  /** Execute one instruction on one hart (all-stop: the others stay). A `stopped` event follows. */
  | { type: 'stepInstruction'; hart: number }
  /**
   * Step one hart while its pc stays inside `ranges` ([start, end) pairs: the current
   * source line), up to a bound; a `stopped` event with reason `step` follows.
   */
  | { type: 'stepWhileIn'; hart: number; ranges: [bigint, bigint][] }
  /** Run until any hart reaches one of these addresses (or another stop), reported with `reason`. */
  | { type: 'runTo'; addresses: bigint[]; reason: 'entry' | 'step' }
  /**
   * Go back (machine/reverse-debug.ts): one instruction, or to the previous stop (`line`).
   * A `stopped` event with reason `step` follows; an error when history does not reach back.
   */
  | { type: 'stepBack'; hart: number; granularity: 'instruction' | 'line'; ranges?: [bigint, bigint][]; to?: number }
  /** Back to the last breakpoint, data breakpoint or trap-filter stop before now (or the start of history: reason `entry`). */
  | { type: 'reverseContinue' }
  | { type: 'setBreakpoints'; addresses: bigint[] }
  | { type: 'setTrapFilter'; filter: TrapFilter }
  /** Replace the data watchpoints (physical ranges). */
  | { type: 'setWatchpoints'; watches: { id: number; base: bigint; size: number; read: boolean; write: boolean }[] }
  /** The page-table walk of a virtual address through a hart's satp, every level decoded. */
  | { type: 'pageWalk'; hart: number; address: bigint }
  /** A hart's TLB entries. */
  | { type: 'tlb'; hart: number }
  /** Physical address of a virtual one through a hart's current translation (no side effects); null when unmapped. */
  | { type: 'translate'; hart: number; address: bigint }
  | { type: 'harts' }
  | { type: 'readRegisters'; hart: number }
  /** reg: x number, 'pc', or `f0`..`f31` (raw bits). */
  | { type: 'writeRegister'; hart: number; reg: number | 'pc' | `f${number}`; value: bigint }
  | { type: 'readCsrs'; hart: number; nums: number[] }
  | { type: 'writeCsr'; hart: number; num: number; value: bigint }
  | { type: 'readMemory'; hart: number; address: bigint; count: number; physical: boolean }
  | { type: 'writeMemory'; hart: number; address: bigint; bytes: Uint8Array; physical: boolean }
  | { type: 'input'; bytes: Uint8Array }
  /** Every device (or one) with its registers peeked: the Devices view. */
  | { type: 'devices'; device?: string }
  /** A real guest-visible write to a device register or one of its fields. */
  | { type: 'writeDevice'; device: string; register: string; field?: string; value: number }
  | { type: 'resetDevice'; device: string }
  /** Plug or unplug a passthrough slot: an input event, applied at the next round boundary. */
  | { type: 'plug'; device: string; plugged: boolean }
  /** Give a passthrough slot another backend, opened by the worker; applied between slices. */
  | { type: 'setBackend'; device: string; backend: PassthroughBackendOption }
  /** Switch the MMIO/interrupt/trap trace; lines come back as `trace` events. */
  | { type: 'trace'; mmio: boolean; traps: boolean; devices: string[] }
  | { type: 'status' }
  /**
   * Start sampling every hart each `rate` instructions (and, with `coverage`, recording
   * every pc run), or stop and hand back what was collected (machine/profiler.ts).
   */
  | { type: 'profile'; action: 'start'; rate: number; coverage: boolean; tasks?: TaskSource[] }
  | { type: 'profile'; action: 'stop' }
  /** The whole screen now (null without a display). */
  | { type: 'screen' }
  /**
   * What changed on the screen since the last answer, once something has (a long poll,
   * answered by the worker after the slice that changed it; null when a newer request
   * took its place or the guest powered off).
   */
  | { type: 'screenChanges' }
  /** Evdev events for the display's keyboard or tablet: an input event, entering at the next round boundary. */
  | { type: 'inputEvents'; device: 'keyboard' | 'tablet'; events: number[] }
  /** The host's display is now this size (the screen panel was resized): an input event, entering at the next round boundary. */
  | { type: 'screenSize'; width: number; height: number }
  /**
   * The session so far as a replay file's bytes (snapshot/replay-file.ts), paths inside
   * `folder` (the file's) relative to it; with where it ends and what it cannot repeat.
   */
  | { type: 'saveReplay'; folder: string };

export type WorkerRequest = WorkerRequestBody & { id: number };

export interface HartState { id: number; priv: number; pc: bigint; wfi: boolean }

/** The result each request type answers with. */
export interface WorkerResults {
  /** `harts`: how many the machine has (a machine file decides it). */
  launch: { entry: bigint; startAddr: bigint; harts: number; replay?: ReplayOutcome };
  continue: null;
  pause: null;
  stepInstruction: null;
  stepWhileIn: null;
  runTo: null;
  stepBack: null;
  reverseContinue: null;
  setBreakpoints: null;
  setTrapFilter: null;
  setWatchpoints: null;
  translate: bigint | null;
  pageWalk: PageWalk;
  tlb: TlbEntry[];
  harts: HartState[];
  /** x0..x31 then pc, unsigned. */
  /** f (raw 64-bit values) and fcsr only on a hart with F. */
  readRegisters: { x: bigint[]; pc: bigint; priv: number; f?: bigint[]; fcsr?: number };
  writeRegister: null;
  /** null for a CSR that does not exist on this hart. */
  readCsrs: (bigint | null)[];
  writeCsr: null;
  /** `bytes` covers the readable prefix; `unreadable` bytes after it could not be read. */
  readMemory: { bytes: Uint8Array; unreadable: number };
  writeMemory: { written: number };
  input: null;
  devices: DeviceInfo[];
  writeDevice: RegisterValue;
  resetDevice: null;
  plug: PassthroughState;
  setBackend: PassthroughState;
  trace: null;
  /** `stop`: what start collected; null for what was not running. */
  profile: { profile: RawProfile | null; coverage: RawCoverage | null } | null;
  status: { running: boolean; idle: boolean; exited: boolean; guestTimeNs: number; instructions: number; ips: number };
  screen: ScreenFrame | null;
  screenChanges: ScreenFrame | null;
  inputEvents: null;
  screenSize: null;
  saveReplay: { bytes: Uint8Array; retired: number; state: string; notes: string[] };
}

/** Where a replay's re-execution ended: `state` (its hash) equals the file's when the run was the same. */
export interface ReplayOutcome { retired: number; state: string; same: boolean }

/** The cursor as a screen panel draws it; `image` (RGBA) only when it changed. */
export interface ScreenCursorState {
  x: number; y: number; hotX: number; hotY: number; visible: boolean; width: number; height: number;
  image?: Uint8Array;
}

/** What changed on the guest's screen: rectangles with their pixels as PNG (all of it when `full`). */
export interface ScreenFrame {
  /** Bumps when the scanout is set, resized or dropped (width 0: nothing shown). */
  generation: number;
  width: number;
  height: number;
  full: boolean;
  rects: { x: number; y: number; width: number; height: number; png: Uint8Array }[];
  cursor: ScreenCursorState | null;
}

export type WorkerResponse =
  | { type: 'response'; id: number; ok: true; result: unknown }
  | { type: 'response'; id: number; ok: false; error: string };

/** Why the machine stopped: one small union (DeZog's BREAK_REASON, typed). */
export type DebugStop =
  | { reason: 'entry'; hart: number }
  | { reason: 'pause'; hart: number }
  | { reason: 'step'; hart: number }
  | { reason: 'breakpoint'; hart: number; address: bigint }
  | { reason: 'trap'; hart: number; description: string; cause: number; interrupt: boolean }
  /** A data watchpoint: the access (physical address) and who made it (a hart id, or a device name for DMA). */
  | { reason: 'watch'; hart: number; id: number; address: bigint; size: number; write: boolean; by: number | string };

export type WorkerEvent =
  | { type: 'stopped'; stop: DebugStop }
  /** The attached gdb (launch.json `gdbServer`) resumed the machine. */
  | { type: 'continued' }
  | { type: 'output'; bytes: Uint8Array }
  /** Guest power-off: `code` is the exit status (0 pass, n fail with n). */
  | { type: 'exited'; code: number; description: string }
  /** Trace lines, batched (sent before the stop that follows them). */
  | { type: 'trace'; lines: string[] }
  /** A passthrough slot changed state by itself (backend lost) or by a plug event. */
  | { type: 'deviceState'; device: string; state: string }
  /** The scanout's size changed (0 × 0: nothing shown); a panel opens on it and asks for `screenChanges`. */
  | { type: 'screen'; width: number; height: number }
  /** A host bug inside the worker: the session cannot go on. */
  | { type: 'fatal'; message: string };

export type WorkerMessage = WorkerResponse | WorkerEvent;

/** Upper bound of one readMemory/writeMemory through the worker. */
export const MAX_MEMORY_TRANSFER = 1 << 20;

// ---------------------------------------------------------------- validation

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const isAddr = (v: unknown): v is bigint => typeof v === 'bigint' && v >= 0n && v < 1n << 64n;
const isBackend = (v: unknown): v is PassthroughBackendOption => isObj(v) &&
  (v.kind === 'none' || (v.kind === 'stub' && typeof v.model === 'string') || (v.kind === 'remote-port' && typeof v.address === 'string'));
const isPriv = (v: unknown) => v === undefined || v === 0 || v === 1 || v === 3;
const isTrapMatch = (v: unknown) => v === null || (isObj(v) && isPriv(v.to) && isPriv(v.from) &&
  (v.causes === undefined || (Array.isArray(v.causes) && v.causes.every((c) => isInt(c, 0, 63)))));
const isImage = (v: unknown): v is ImageBytes => isObj(v) && typeof v.name === 'string' && v.bytes instanceof Uint8Array;

/** Validates a message that claims to be a WorkerRequest; the error names the bad field. */
export function checkRequest(m: unknown): Checked<WorkerRequest> {
  if (!isObj(m)) return { ok: false, error: 'request is not an object' };
  if (!isInt(m.id, 0, Number.MAX_SAFE_INTEGER)) return { ok: false, error: 'request.id is not a whole number' };
  const bad = (field: string): Checked<WorkerRequest> => ({ ok: false, error: `${String(m.type)}: bad ${field}` });
  const hartOk = isInt(m.hart, 0, MAX_HARTS - 1);
  switch (m.type) {
    case 'launch': {
      const p = m.params;
      if (!isObj(p)) return bad('params');
      if (p.kernel !== undefined && !isImage(p.kernel)) return bad('params.kernel');
      if (p.bios !== 'none' && p.bios !== 'builtin' && !isImage(p.bios)) return bad('params.bios');
      if (p.initrd !== undefined && !isImage(p.initrd)) return bad('params.initrd');
      if (p.restore !== undefined && !isImage(p.restore)) return bad('params.restore');
      if (p.xlen !== 32 && p.xlen !== 64) return bad('params.xlen');
      if (!isInt(p.harts, 1, MAX_HARTS)) return bad('params.harts');
      if (!isInt(p.memoryBytes, 4096, Number.MAX_SAFE_INTEGER)) return bad('params.memoryBytes');
      if (p.append !== undefined && typeof p.append !== 'string') return bad('params.append');
      if (typeof p.stepInterrupts !== 'boolean') return bad('params.stepInterrupts');
      if (p.engine !== undefined && !(ENGINES as readonly unknown[]).includes(p.engine)) return bad('params.engine');
      if (p.virtio !== undefined) {
        const v = p.virtio;
        if (!isObj(v) || !Array.isArray(v.drives) || (v.console !== 'uart' && v.console !== 'virtio')) return bad('params.virtio');
        if (v.rng !== undefined && v.rng !== 'seeded' && v.rng !== 'host') return bad('params.virtio.rng');
        const slotOk = (n: unknown) => n === undefined || isInt(n, 0, 9999);
        if (!slotOk(v.rngSlot) || !slotOk(v.consoleSlot)) return bad('params.virtio slots');
        if (v.display !== undefined && !(isObj(v.display) && isInt(v.display.width, MIN_DISPLAY, MAX_DISPLAY) && isInt(v.display.height, MIN_DISPLAY, MAX_DISPLAY))) return bad('params.virtio.display');
        const driveOk = (d: unknown) => isObj(d) && typeof d.path === 'string' && (BLOCK_MODES as readonly unknown[]).includes(d.mode) &&
          typeof d.legacy === 'boolean' && (d.serial === undefined || typeof d.serial === 'string') && slotOk(d.slot);
        if (!v.drives.every(driveOk)) return bad('params.virtio.drives');
        const netOk = (n: unknown) => isObj(n) && (n.backend === 'loopback' || (n.backend === 'socket' && isObj(n.remote) && isObj(n.local)) ||
          (n.backend === 'unix' && typeof n.path === 'string' && typeof n.listen === 'boolean')) &&
          typeof n.legacy === 'boolean' && slotOk(n.slot);
        if (!Array.isArray(v.nets) || !v.nets.every(netOk)) return bad('params.virtio.nets');
      }
      if (p.passthrough !== undefined && (!Array.isArray(p.passthrough) ||
        !p.passthrough.every((x) => isObj(x) && typeof x.name === 'string' && isInt(x.size, 1, 2 ** 32) && isBackend(x.backend)))) return bad('params.passthrough');
      if (p.cwd !== undefined && typeof p.cwd !== 'string') return bad('params.cwd');
      if (p.serialTcp !== undefined && !(isObj(p.serialTcp) && typeof p.serialTcp.host === 'string' && isInt(p.serialTcp.port, 1, 65535))) return bad('params.serialTcp');
      if (p.gdbPort !== undefined && !isInt(p.gdbPort, 0, 65535)) return bad('params.gdbPort');
      if (p.machine !== undefined && typeof p.machine !== 'string') return bad('params.machine');
      if (p.replay !== undefined) {
        const r = p.replay;
        if (!isObj(r) || typeof r.name !== 'string' || typeof r.board !== 'string' || !Array.isArray(r.images) || !Array.isArray(r.legs) ||
          !Array.isArray(r.inputs) || !isObj(r.end) || !isInt(r.end.retired, 0, Number.MAX_SAFE_INTEGER) || typeof r.end.state !== 'string' ||
          !Array.isArray(r.peers) || !r.peers.every((x) => typeof x === 'string')) return bad('params.replay');
      }
      break;
    }
    case 'continue': case 'pause': case 'harts': case 'reverseContinue': break;
    case 'stepBack':
      if (!hartOk) return bad('hart');
      if (m.granularity !== 'instruction' && m.granularity !== 'line') return bad('granularity');
      if (m.ranges !== undefined && (!Array.isArray(m.ranges) || m.ranges.length > 10_000 ||
        !m.ranges.every((r) => Array.isArray(r) && r.length === 2 && isAddr(r[0]) && isAddr(r[1])))) return bad('ranges');
      if (m.to !== undefined && !isInt(m.to, 0, Number.MAX_SAFE_INTEGER)) return bad('to');
      break;
    case 'stepInstruction': case 'readRegisters': if (!hartOk) return bad('hart'); break;
    case 'stepWhileIn':
      if (!hartOk) return bad('hart');
      if (!Array.isArray(m.ranges) || m.ranges.length > 10_000 ||
        !m.ranges.every((r) => Array.isArray(r) && r.length === 2 && isAddr(r[0]) && isAddr(r[1]))) return bad('ranges');
      break;
    case 'runTo': case 'setBreakpoints':
      if (!Array.isArray(m.addresses) || !m.addresses.every(isAddr)) return bad('addresses');
      if (m.type === 'runTo' && m.reason !== 'entry' && m.reason !== 'step') return bad('reason');
      break;
    case 'setWatchpoints':
      if (!Array.isArray(m.watches) || m.watches.length > 64 || !m.watches.every((w) => isObj(w) && isInt(w.id, 0, 2 ** 31) &&
        isAddr(w.base) && isInt(w.size, 1, 1 << 20) && typeof w.read === 'boolean' && typeof w.write === 'boolean')) return bad('watches (at most 64)');
      break;
    case 'tlb':
      if (!hartOk) return bad('hart');
      break;
    case 'translate': case 'pageWalk':
      if (!hartOk) return bad('hart');
      if (!isAddr(m.address)) return bad('address');
      break;
    case 'setTrapFilter':
      if (!isObj(m.filter) || !isTrapMatch(m.filter.exceptions) || !isTrapMatch(m.filter.interrupts)) return bad('filter');
      break;
    case 'writeRegister':
      if (!hartOk) return bad('hart');
      if (m.reg !== 'pc' && !isInt(m.reg, 0, 31) && !(typeof m.reg === 'string' && /^f([0-9]|[12][0-9]|3[01])$/.test(m.reg))) return bad('reg');
      if (!isAddr(m.value)) return bad('value');
      break;
    case 'readCsrs':
      if (!hartOk) return bad('hart');
      if (!Array.isArray(m.nums) || !m.nums.every((n) => isInt(n, 0, 0xfff))) return bad('nums');
      break;
    case 'writeCsr':
      if (!hartOk) return bad('hart');
      if (!isInt(m.num, 0, 0xfff)) return bad('num');
      if (!isAddr(m.value)) return bad('value');
      break;
    case 'readMemory':
      if (!hartOk) return bad('hart');
      if (!isAddr(m.address)) return bad('address');
      if (!isInt(m.count, 0, MAX_MEMORY_TRANSFER)) return bad(`count (at most ${MAX_MEMORY_TRANSFER})`);
      if (typeof m.physical !== 'boolean') return bad('physical');
      break;
    case 'writeMemory':
      if (!hartOk) return bad('hart');
      if (!isAddr(m.address)) return bad('address');
      if (!(m.bytes instanceof Uint8Array) || m.bytes.length > MAX_MEMORY_TRANSFER) return bad('bytes');
      if (typeof m.physical !== 'boolean') return bad('physical');
      break;
    case 'input':
      if (!(m.bytes instanceof Uint8Array)) return bad('bytes');
      break;
    case 'devices':
      if (m.device !== undefined && typeof m.device !== 'string') return bad('device');
      break;
    case 'writeDevice':
      if (typeof m.device !== 'string') return bad('device');
      if (typeof m.register !== 'string') return bad('register');
      if (m.field !== undefined && typeof m.field !== 'string') return bad('field');
      if (!isInt(m.value, 0, Number.MAX_SAFE_INTEGER)) return bad('value');
      break;
    case 'resetDevice':
      if (typeof m.device !== 'string') return bad('device');
      break;
    case 'plug':
      if (typeof m.device !== 'string') return bad('device');
      if (typeof m.plugged !== 'boolean') return bad('plugged');
      break;
    case 'setBackend':
      if (typeof m.device !== 'string') return bad('device');
      if (!isBackend(m.backend)) return bad('backend');
      break;
    case 'trace':
      if (typeof m.mmio !== 'boolean' || typeof m.traps !== 'boolean') return bad('mmio/traps');
      if (!Array.isArray(m.devices) || !m.devices.every((d) => typeof d === 'string')) return bad('devices');
      break;
    case 'profile':
      if (m.action === 'start') {
        if (!isInt(m.rate, 1, 1e12)) return bad('rate');
        if (typeof m.coverage !== 'boolean') return bad('coverage');
        if (m.tasks !== undefined && !(Array.isArray(m.tasks) && m.tasks.length <= 4 * 64 && m.tasks.every((t) => typeof t === 'object' && t !== null
          && isInt(t.hart, 0, MAX_HARTS - 1) && [0, 1, 3].includes(t.priv as number)
          && (isInt(t.reg, 1, 31) || isInt(t.csr, 0, 0xfff) || isInt(t.pa, 0, Number.MAX_SAFE_INTEGER))))) return bad('tasks');
      } else if (m.action !== 'stop') return bad('action');
      break;
    case 'status': case 'screen': case 'screenChanges': break;
    case 'saveReplay': if (typeof m.folder !== 'string') return bad('folder'); break;
    case 'inputEvents':
      if (m.device !== 'keyboard' && m.device !== 'tablet') return bad('device');
      if (!Array.isArray(m.events) || m.events.length % 3 !== 0 || m.events.length > 3 * 256 ||
        !m.events.every((n, i) => isInt(n, i % 3 === 2 ? -0x8000_0000 : 0, i % 3 === 2 ? 0xffff_ffff : 0xffff))) return bad('events (at most 256 [type, code, value] triples)');
      break;
    case 'screenSize':
      if (!isInt(m.width, MIN_DISPLAY, MAX_DISPLAY)) return bad(`width (${MIN_DISPLAY} to ${MAX_DISPLAY})`);
      if (!isInt(m.height, MIN_DISPLAY, MAX_DISPLAY)) return bad(`height (${MIN_DISPLAY} to ${MAX_DISPLAY})`);
      break;
    default:
      return { ok: false, error: `unknown request type '${String(m.type)}'` };
  }
  return { ok: true, value: m as unknown as WorkerRequest };
}
