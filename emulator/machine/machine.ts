/**
 * The `virt` machine: memory, harts and devices built from a MachineDescription, and
 * the deterministic scheduler. Guest time is derived from instructions executed
 * (DESIGN.md idea 2): harts run in turn for a fixed quantum; each round advances the
 * clock by one quantum; when every hart waits in WFI the clock jumps to the next
 * timer deadline.
 */
import { Bus, MemoryRegion } from '../bus/bus';
import { Hart, HartHost, HartState } from '../hart/hart';
import { runRv64 } from '../hart/exec-rv64';
import { runRv32 } from '../hart/exec-rv32';
import { translateBlock32, translateBlock64 } from '../hart/blocks';
import { BlockFn, CodePage, HOT } from '../hart/code-cache';
import { DEFAULT_ENGINE, Engine } from '../options';
import { MachineArea } from '../hart/wasm-area';
import { newWasmStats, WasmControl, WasmMemory, WasmStats, wasmTranslator } from '../hart/wasm-blocks';
import { runAhead } from '../hart/run-ahead';
import { MIP } from '../hart/csr';
import { Access } from '../mmu/translate';
import { Plic } from '../devices/plic';
import { BuildContext, BuiltDevice, ConsoleInput, DeviceWindow, PowerEvent } from '../devices/device-type';
import { Htif } from '../devices/htif';
import { VirtioDevice } from '../devices/virtio/mmio';
import { VirtioBlk } from '../devices/virtio/blk';
import { seededEntropy, VirtioRng } from '../devices/virtio/rng';
import { VirtioConsole } from '../devices/virtio/console';
import { VirtioNet, parseMac } from '../devices/virtio/net';
import { VirtioGpu } from '../devices/virtio/gpu';
import { InputKind, VirtioInput } from '../devices/virtio/input';
import type { Screen } from '../devices/screen';
import { BlockBackend, EntropySource, NET_QUEUE_FRAMES, NetBackend } from '../backends';
import { MmioDevice } from '../bus/bus';
import { DeviceGroup, DeviceSlot } from '../devices/device-view';
import { InputEvent, InputQueue } from './input-events';
import { BoardLayout, boardOf, checkPassthrough, DEVICE_TYPES, MachineDescription, placesOf, VIRT, VirtioDeviceDescription, virtioSlots } from './description';
import { PassthroughSlot } from '../devices/passthrough/slot';
import { PassthroughBackend } from '../devices/passthrough/backend';
import { Breakpoints } from '../hart/breakpoints';
import { Watch, Watchpoints } from '../hart/watchpoints';
import { CoverageCollector, RawCoverage, RawProfile, Sampler, TaskSource } from './profiler';
import { out } from '../hart/int64';
import { list, record, Saved, SnapshotError, Stateful } from '../snapshot/saved';

/** Instructions each hart runs before the next one gets its turn. */
export const QUANTUM = 1000;
/** Instructions between interrupt checks inside a quantum (CSR writes, xRET and device lines end a chunk early). */
const CHUNK = 1000;
/** Most rounds a lone hart runs ahead in one go (Machine.aheadRounds): a debugger's pause waits no longer than a step() anyway. */
const AHEAD_ROUNDS = 1000;
/**
 * Console bytes that may have entered the machine and wait for room in the UART FIFO or
 * virtio receive buffers; more waits in the input queue (bounded too: input-events.ts).
 */
const CONSOLE_BUFFER = 4096;
/** Guest wall-clock origin for the RTC: 2026-01-01T00:00:00Z, fixed so runs are reproducible. */
const RTC_EPOCH_NS = 1767225600 * 1e9;

export interface MachineBackends {
  /** Bytes the guest writes to its console (UART0). */
  consoleOut(byte: number): void;
  /** Host time in ns since the epoch, only used with `clock: 'realtime'`. */
  hostNowNs?(): number;
  /** Disk images for the `blk` devices of the description (their `drive` index). */
  drives?: readonly BlockBackend[];
  /** Links for the `net` devices of the description (their `net` index). */
  nets?: readonly NetBackend[];
  /** Entropy for virtio-rng; default: deterministic seeded bytes. */
  entropy?: EntropySource;
  /** One line per device complaint (a malformed queue, an ignored register write). */
  log?(line: string): void;
  /** Backends of the description's passthrough slots, by index (null: the slot starts empty, unplugged). */
  passthrough?: readonly ({ backend: PassthroughBackend; target?: string } | null)[];
  /** A passthrough slot changed state by itself (its backend was lost). */
  deviceChanged?(device: string, state: string): void;
}

export type StopReason =
  | { kind: 'budget' }
  | { kind: 'power'; event: PowerEvent | { kind: 'htif-exit'; code: number } }
  /** Every hart waits for an interrupt and no timer will raise one: only input can wake the guest. */
  | { kind: 'idle' }
  /** A hart reached an instruction breakpoint; its pc is that instruction, not yet executed. */
  | { kind: 'breakpoint'; hart: number }
  /** A data watchpoint was hit (`watchpoints.hit` says how); `hart` ran the access or was running when a device's DMA hit. */
  | { kind: 'watch'; hart: number }
  /** A hart traps at its trap vector over and over, nothing running in between (Hart.stuck): it can never leave. */
  | { kind: 'stuck'; hart: number };


export class Machine {
  readonly bus = new Bus();
  readonly dram: MemoryRegion;
  /** The engine blocks are translated by while translation is on (setEngine). */
  private engine: Engine = DEFAULT_ENGINE;
  /** The wasm block compiler for this machine's memory, null without WebAssembly. */
  private readonly wasm: ((h: Hart, page: CodePage, slot: number) => BlockFn | undefined) | null;
  /** Modules compiled by the wasm engine and their bytes (bench, tests). */
  readonly wasmStats: WasmStats = newWasmStats();
  private readonly wasmControl: WasmControl = { ahead: false };
  /** The clock at which the running step() ends. */
  private stepEnd = 0;
  readonly rom: MemoryRegion;
  readonly harts: Hart[] = [];
  /** The console UART (console input goes to it); every UART writes to the console. */
  readonly uart: ConsoleInput;
  /** The PLIC every device line goes to. */
  readonly plic: Plic;
  /** Where the devices sit (the description's layout, or virt's). */
  readonly board: BoardLayout;
  htif: Htif | null = null;
  /** The built-in SBI when the boot installed it: its per-hart state goes into snapshots. */
  firmware: Stateful | null = null;
  /** Every built device instance with its clock hooks, mapped or not, in board order. */
  private readonly built: BuiltDevice[] = [];
  /** The instances with a round-boundary hook, picked out of `built` once. */
  private readonly ticking: BuiltDevice[];
  private readonly polling: BuiltDevice[];
  /** The guest's screen: the virtio-gpu's scanout, when the description has a gpu. */
  screen: Screen | null = null;
  /** That gpu, which host display size changes go to. */
  private display: VirtioGpu | null = null;
  /** The virtio-input devices by kind; `input` events go to them. */
  private readonly inputDevices = new Map<InputKind, VirtioInput>();
  /** The virtio console, when the description has one: console input goes to it instead of the UART. */
  private virtioConsole: VirtioConsole | null = null;
  /** Clock in instruction units; guest time in ticks is clock * timebase / rate. */
  private clock = 0;
  private readonly sliceStart: Float64Array;
  /** Console bytes that entered the machine and wait for room in the UART (or virtio console). */
  private readonly input: number[] = [];
  /** Everything from outside enters here, stamped at a round boundary (input-events.ts). */
  readonly inputs = new InputQueue();
  /** Frames from outside for each net link, entered through `inputs`, waiting for receive buffers. */
  private readonly netInbound: Uint8Array[][] = [];
  /** Every device of the board, by address: what the Devices view lists. */
  readonly devices: DeviceSlot[] = [];
  /** Passthrough slots, in description order. */
  readonly slots: PassthroughSlot[] = [];
  /** Machine events for the trace (plug, unplug, backend switch); null when tracing is off. */
  eventTrace: ((line: string) => void) | null = null;
  private power: StopReason | null = null;
  /** Scheduler position: the hart whose quantum runs next, and what is left of it. */
  private cursor = 0;
  private sliceLeft = QUANTUM;
  /** Whether any hart ran an instruction in the current round. */
  private roundAwake = false;
  /** Instruction breakpoints, shared by all harts (all-stop). */
  readonly breakpoints = new Breakpoints();
  /** The machine's code epoch (wasm-area.ts MachineArea.codeEpoch). */
  private readonly codeEpoch: Int32Array;
  /** Data watchpoints on physical addresses (all-stop). */
  readonly watchpoints = new Watchpoints();
  /** Called before each instruction when set (`--trace insn`); the loop runs one instruction at a time. */
  insnTrace: ((hart: Hart, bits: number) => void) | null = null;
  /** Sampling by retired instructions while profiling (profiler.ts); null: off, one test per chunk. */
  private sampler: Sampler | null = null;
  /** Every pc run while coverage is on; the harts then run one instruction at a time. */
  private coverage: CoverageCollector | null = null;

  private readonly run: (h: Hart, budget: number) => number;

  /**
   * Re-execution to a point of the past (snapshot/time-travel.ts): `step` returns once the
   * harts together have retired this many instructions, right after that instruction and
   * before any interrupt check that would follow it (when it ended its hart's slice: at the
   * start of the next slice that runs, where a pause leaves the machine); null: no such
   * stop (one test per chunk).
   */
  stopAtRetired: number | null = null;

  private retiredNow(): number {
    let n = 0;
    for (const h of this.harts) n += h.instret;
    return n;
  }

  constructor(readonly desc: MachineDescription, private readonly backends: MachineBackends) {
    this.board = boardOf(desc);
    // DRAM and, after it, the harts' hot state (wasm-area.ts), in one memory.
    const area = new MachineArea(desc.memoryBytes, desc.harts);
    const { buffer: memory, wasm } = allocate(area.totalBytes);
    this.codeEpoch = new Int32Array(memory, area.codeEpoch, 1);
    this.dram = new MemoryRegion('dram', this.board.dramBase, desc.memoryBytes, memory, false, area.hasCode, this.codeEpoch);
    this.rom = new MemoryRegion('rom', VIRT.bootRom.base, VIRT.bootRom.size, new ArrayBuffer(VIRT.bootRom.size), true, undefined, this.codeEpoch);
    this.bus.addRegion(this.dram);
    this.bus.addRegion(this.rom);
    this.sliceStart = new Float64Array(desc.harts);
    const host: HartHost = {
      resetVector: VIRT.bootRom.base,
      time: (h) => this.ticks(this.clock + (h.instret - this.sliceStart[h.id])),
      storeNotify: (pa, h) => this.storeNotify(pa, h),
    };
    const resvCount = new Int32Array(memory, area.resvCount, 1);
    for (let i = 0; i < desc.harts; i++) {
      this.harts.push(new Hart(i, desc.xlen, this.bus, host, desc.fpu, desc.extensions, { place: { buffer: memory, offset: area.hart(i) }, resvCount }));
    }
    this.wasm = wasm !== null ? wasmTranslator(wasm, area, desc.xlen, this.wasmStats, this.wasmControl) : null;
    if (this.wasm === null && this.engine === 'wasm') this.engine = 'js';
    this.setTranslation(true);
    this.run = desc.xlen === 64 ? runRv64 : runRv32;
    this.watchpoints.onDmaHit = () => this.yieldRunning();

    const line = (irq: number | undefined) => irq === undefined ? () => undefined : (l: boolean) => this.plic.setLevel(irq, l);
    // Every device type builds its instances where the board layout says (virt's, or a
    // DTS board's); an `always` type the layout leaves out is built unmapped.
    const placed = virtioSlots(desc.virtio ?? [], this.board.virtio.length);
    if (!placed.ok) throw new Error(`machine: ${placed.error}`); // hosts check first (checkHostFit)
    const bySlot = new Map<number, VirtioDeviceDescription>();
    (desc.virtio ?? []).forEach((d, n) => bySlot.set(placed.value[n], d));
    const ctx: BuildContext = {
      harts: this.harts, ram: this.dram,
      line,
      consoleOut: (b) => this.backends.consoleOut(b),
      // The machine stops right after the store that asked (as QEMU), not at the end of the chunk.
      power: (e) => { this.power = { kind: 'power', event: e }; this.yieldRunning(); },
      log: (line) => this.backends.log?.(line),
      ticks: () => this.ticks(this.clock),
      setTicks: (t) => { this.clock = this.clockForTicks(t); },
      nowNs: () => this.nowNs(),
      clockAtNs: (ns) => this.clockForTicks(Math.ceil((ns - RTC_EPOCH_NS) * this.board.timebaseHz / 1e9)),
      virtioDevice: (i) => { const d = bySlot.get(i); return d === undefined ? undefined : { device: this.buildVirtio(d), legacy: d.legacy }; },
      roles: {},
    };
    for (const type of DEVICE_TYPES) {
      const places = placesOf<DeviceWindow & { irq?: number }>(this.board, type);
      places.forEach((place, i) => {
        const b = type.build(place, i, ctx);
        this.built.push(b);
        if (b.group === 'hidden') this.bus.map(place.base, place.decodeSize ?? place.size, b.dev);
        else this.attach(b.group, place, b.dev, { ...(b.virtio ? { virtio: b.virtio } : {}) });
      });
      if (places.length === 0 && type.always === true) this.built.push(type.build(undefined, 0, ctx));
    }
    this.plic = ctx.roles.interrupts as Plic; // PLIC and UART are `always` built
    this.uart = ctx.roles.consoleInput as ConsoleInput;
    this.ticking = this.built.filter((d) => d.tick !== undefined);
    this.polling = this.built.filter((d) => d.poll !== undefined);
    const bad = checkPassthrough(desc);
    if (bad !== null) throw new Error(`machine: ${bad}`);
    (desc.passthrough ?? []).forEach((p, i) => {
      const slot = new PassthroughSlot(p, {
        setIrq: line(p.irq === 0 ? undefined : p.irq), ram: this.dram, now: () => this.clock,
        nowNs: () => Math.floor(this.clock * 1e9 / this.desc.instructionsPerSecond),
        log: (line) => this.backends.log?.(line), changed: (state) => this.backends.deviceChanged?.(p.name, state),
        post: (packet) => this.inputs.post({ kind: 'peer', device: p.name, packet: Array.from(packet) }),
        entered: (packet, wait) => this.inputs.entered({ kind: 'peer', device: p.name, packet: Array.from(packet), wait }, this.clock),
        replaying: () => this.inputs.isReplaying,
        peerless: () => this.inputs.isReplaying && this.inputs.peerless,
        claim: (wait) => this.inputs.claim(p.name, wait).map((b) => Uint8Array.from(b)),
      });
      this.slots.push(slot);
      this.attach('passthrough', p, slot, { passthrough: () => slot.state() });
      const b = this.backends.passthrough?.[i];
      if (b !== null && b !== undefined) slot.setBackend(b.backend, b.target);
    });
    this.devices.sort((a, b) => a.base - b.base);
  }

  /** Map a device on the bus and list it for the Devices view; `decodeSize` is what the device answers (≤ its FDT window). */
  private attach(group: DeviceGroup, place: { base: number; size: number; decodeSize?: number; irq?: number }, dev: MmioDevice,
    extra: Pick<DeviceSlot, 'virtio' | 'passthrough'> = {}): void {
    this.bus.map(place.base, place.decodeSize ?? place.size, dev);
    this.devices.push({ name: dev.name, group, base: place.base, size: place.size, ...(place.irq !== undefined ? { irq: place.irq } : {}), dev, ...extra });
  }

  /** The device by name (Devices view requests). */
  device(name: string): DeviceSlot | undefined { return this.devices.find((d) => d.name === name); }

  /** The name of the device wired to PLIC source `irq`, for the interrupt trace. */
  deviceOnIrq(irq: number): string | undefined { return this.devices.find((d) => d.irq === irq)?.name; }

  /** A net link as its device sees it: frames from outside come from `netInbound`, filled by input events. */
  private netLink(n: number, link: NetBackend): NetBackend {
    const inbound: Uint8Array[] = [];
    this.netInbound[n] = inbound;
    link.listen?.((frame) => this.inputs.post({ kind: 'net', net: n, frame: Array.from(frame) }));
    return { send: (f) => link.send(f), receive: () => inbound.shift() ?? link.receive?.() };
  }

  private buildVirtio(d: VirtioDeviceDescription): VirtioDevice {
    switch (d.kind) {
      case 'blk': {
        const drive = this.backends.drives?.[d.drive];
        if (drive === undefined) throw new Error(`machine: virtio-blk names drive ${d.drive}, which the host did not hand in`);
        return new VirtioBlk(drive, { readOnly: d.readOnly, serial: d.serial });
      }
      case 'rng': return new VirtioRng(this.backends.entropy ?? seededEntropy());
      case 'net': {
        const link = this.backends.nets?.[d.net];
        const mac = parseMac(d.mac);
        if (link === undefined || mac === undefined) throw new Error(`machine: virtio-net ${d.net} has no backend or a bad MAC '${d.mac}'`);
        return new VirtioNet(this.netLink(d.net, link), { mac });
      }
      case 'gpu': {
        const gpu = new VirtioGpu(this.dram, d.display);
        this.screen ??= gpu;
        this.display ??= gpu;
        return gpu;
      }
      case 'keyboard': case 'tablet': {
        const dev = new VirtioInput(d.kind);
        if (!this.inputDevices.has(d.kind)) this.inputDevices.set(d.kind, dev);
        return dev;
      }
      case 'console': {
        const input = this.input;
        this.virtioConsole = new VirtioConsole({ get length() { return input.length; }, take: (max) => input.splice(0, max) },
          (b) => this.backends.consoleOut(b));
        return this.virtioConsole;
      }
    }
  }

  /** Call after changing `breakpoints`: harts only look for them while there are some. */
  breakpointsChanged(): void {
    for (const h of this.harts) h.breakpoints = this.breakpoints.empty ? null : this.breakpoints;
    // Blocks chained to in wasm (wasm-area.ts CHAIN) skip the loop's look at a page's breakpoints: forget them.
    this.codeEpoch[0]++;
  }

  /** Set the data watchpoints; pages they touch leave every TLB so each access to them is checked. */
  setWatchpoints(list: Watch[]): void {
    this.watchpoints.set(list);
    const on = this.watchpoints.empty ? null : this.watchpoints;
    for (const h of this.harts) { h.watch = on; h.flushTlb(); }
    this.dram.dmaWatch = on;
  }

  /** Make the hart running now leave its loop after the current instruction (a device's access asked to stop). */
  private yieldRunning(): void {
    const h = this.harts[this.cursor] as Hart | undefined;
    if (h !== undefined) h.yieldLoop = true;
  }

  /**
   * Switch the block translator on or off (it is off while tracing instructions one by one);
   * `hot`: entries into a slot before it is translated (tests of the translator lower it).
   */
  setTranslation(on: boolean, hot = HOT): void {
    const translator = !on ? null : this.engine === 'wasm' && this.wasm !== null ? this.wasm
      : this.desc.xlen === 64 ? translateBlock64 : translateBlock32;
    for (const h of this.harts) {
      h.translator = translator;
      h.hot = hot;
    }
  }

  /**
   * Choose how guest code runs (`--engine`); returns the engine used: 'wasm' needs
   * WebAssembly (and a WebAssembly.Memory of the machine's size), and is 'js' without it.
   */
  setEngine(engine: Engine, hot = HOT): Engine {
    this.engine = engine === 'wasm' && this.wasm === null ? 'js' : engine;
    this.setTranslation(this.engine !== 'interp', hot);
    return this.engine;
  }

  /** Start sampling every hart after each `rate` of its instructions (a running profile starts again). */
  startProfile(rate: number, tasks: readonly TaskSource[] = []): void {
    this.sampler = new Sampler(rate, this.harts.length, this.desc.xlen, this.clock);
    this.taskSources = tasks;
  }
  private taskSources: readonly TaskSource[] = [];
  /** The task word taskWord read: high and low halves. */
  private readonly task = new Int32Array(2);

  /** The word hart `h` keeps its task in now (taskSources), read without side effects; 0 where none is given. */
  private taskWord(h: Hart): void {
    const t = this.task;
    t[0] = 0; t[1] = 0;
    const src = this.taskSources.find((s) => s.hart === h.id && s.priv === h.priv);
    if (src === undefined) return;
    if ('reg' in src) { t[0] = h.xlen === 64 ? h.x[2 * src.reg + 1] : 0; t[1] = h.x[2 * src.reg]; return; }
    if ('csr' in src) {
      const priv = h.priv;
      h.priv = 3; // the debugger's view: every CSR readable
      try { if (h.csrRead(src.csr)) { t[0] = h.xlen === 64 ? out[1] : 0; t[1] = out[0]; } } finally { h.priv = priv; }
      return;
    }
    const r = this.bus.regionAt(src.pa, h.xlen / 8);
    if (r === undefined) return;
    t[1] = r.dv.getInt32(src.pa - r.base, true);
    t[0] = h.xlen === 64 ? r.dv.getInt32(src.pa - r.base + 4, true) : 0;
  }

  /** Stop sampling: what was sampled, or null when no profile was running. */
  stopProfile(): RawProfile | null {
    const s = this.sampler;
    this.sampler = null;
    return s === null ? null : s.result(this.desc.instructionsPerSecond, this.clock);
  }

  /** Start recording every pc that runs (translation is off meanwhile). */
  startCoverage(): void {
    this.coverage = new CoverageCollector(this.desc.xlen);
    this.setTranslation(false);
  }

  stopCoverage(): RawCoverage | null {
    const c = this.coverage;
    this.coverage = null;
    if (this.insnTrace === null) this.setTranslation(true);
    return c === null ? null : c.result();
  }

  /** One line for the host's log (the console, stderr): something the machine did on its own. */
  log(line: string): void { this.backends.log?.(line); }

  /** Guest time in timebase ticks for a clock value. */
  private ticks(clock: number): number {
    return Math.floor(clock * this.board.timebaseHz / this.desc.instructionsPerSecond);
  }

  private clockForTicks(t: number): number {
    return Math.ceil(t * this.desc.instructionsPerSecond / this.board.timebaseHz);
  }

  /** The clock in instruction units, as input events are stamped with it (input-events.ts). */
  get inputClock(): number { return this.clock; }

  /** Guest time now, in ticks (the clock of the last round boundary). */
  get time(): number { return this.ticks(this.clock); }

  /** Guest time as hart 0 sees it now, mid-round progress included (what a debugger shows at a stop). */
  get timeNow(): number {
    const h = this.harts[0];
    return this.ticks(this.clock + Math.max(0, h.instret - this.sliceStart[h.id]));
  }

  /** Move guest time forward to `ticks` (never back): `--clock realtime` keeps pace with the host this way. */
  advanceTimeTo(ticks: number): void {
    if (ticks > this.time) this.clock = this.clockForTicks(ticks);
  }

  private nowNs(): number {
    if (this.backends.hostNowNs !== undefined) return this.backends.hostNowNs();
    return RTC_EPOCH_NS + Math.floor(this.clock * 1e9 / this.desc.instructionsPerSecond);
  }

  private storeNotify(pa: number, from: HartState): void {
    if (this.harts.length === 1) return;
    const granule = pa - (pa % 8);
    for (const h of this.harts) if (h !== from && h.resvAddr === granule) h.resvAddr = -1;
  }

  /**
   * Host input for the console: enters at a round boundary while the machine's console
   * buffer has room, then the UART as its FIFO has room. False: the backlog is full, stop
   * reading until `inputs.onConsoleRoom` (input-events.ts).
   */
  pushInput(bytes: Iterable<number>): boolean {
    return this.inputs.post({ kind: 'console', bytes: Array.from(bytes, (b) => b & 0xff) });
  }

  /**
   * Evdev events for the virtio keyboard or tablet (input.ts keyEvents, pointerEvents):
   * they enter at a round boundary, as all outside input, so `--record/--replay` repeat them.
   */
  postInputEvents(device: InputKind, events: number[]): void {
    this.inputs.post({ kind: 'input', device, events });
  }

  /**
   * The host's display (the screen panel) is now `width` x `height`: an input event, so
   * `--record/--replay` repeat it; entering, virtio-gpu tells the guest (gpu.ts resizeDisplay).
   */
  resizeDisplay(width: number, height: number): void {
    this.inputs.post({ kind: 'display', width, height });
  }

  /** Whether the machine has a virtio device of this input kind. */
  hasInput(device: InputKind): boolean { return this.inputDevices.has(device); }

  /** Room in the machine's console buffer (the bytes that entered and wait for the UART or virtio console). */
  private consoleRoom(): number { return Math.max(0, CONSOLE_BUFFER - this.input.length); }

  /** Outside input due at this boundary enters the machine. */
  private applyInputs(): void {
    for (const e of this.inputs.takeDue(this.clock, this.consoleRoom())) this.applyInput(e);
  }

  private applyInput(e: InputEvent): void {
    switch (e.kind) {
      case 'console': for (const b of e.bytes) this.input.push(b); break;
      case 'net': {
        const q = this.netInbound[e.net];
        if (q === undefined) { this.backends.log?.(`input: no net link ${e.net} for a frame`); break; }
        q.push(Uint8Array.from(e.frame));
        if (q.length > NET_QUEUE_FRAMES) q.shift(); // a link's queue is bounded, as a real NIC's
        break;
      }
      case 'peer': {
        const slot = this.slots.find((x) => x.name === e.device);
        if (slot === undefined) { this.backends.log?.(`input: no passthrough slot '${e.device}' for a peer packet`); break; }
        slot.deliver(Uint8Array.from(e.packet));
        break;
      }
      case 'input': {
        const dev = this.inputDevices.get(e.device);
        if (dev === undefined) { this.backends.log?.(`input: no virtio ${e.device} for ${e.events.length / 3} events`); break; }
        dev.push(e.events);
        break;
      }
      case 'display':
        if (this.display === null) this.backends.log?.(`input: no display to resize to ${e.width}x${e.height}`);
        else if (this.display.resizeDisplay(e.width, e.height)) this.eventTrace?.(`event display ${e.width}x${e.height} (input at clock ${this.clock})`);
        break;
      case 'plug': {
        const slot = this.slots.find((x) => x.name === e.device);
        if (slot === undefined) { this.backends.log?.(`input: no passthrough slot '${e.device}' to ${e.plugged ? 'plug' : 'unplug'}`); break; }
        slot.plug(e.plugged);
        this.eventTrace?.(`event ${slot.name} ${slot.state().state} (input at clock ${this.clock})`);
        this.backends.deviceChanged?.(slot.name, slot.state().state);
        break;
      }
    }
  }

  private feedInput(): void {
    if (this.virtioConsole !== null) { this.virtioConsole.poll(); return; }
    while (this.input.length > 0 && this.uart.canReceive() > 0) this.uart.receive(this.input.shift() as number);
  }

  /** Copy bytes into guest physical memory (loaders); false when the range is not all RAM/ROM. */
  writePhys(pa: number, bytes: Uint8Array): boolean {
    const r = this.bus.regionAt(pa, Math.max(1, bytes.length));
    if (r === undefined) return false;
    r.u8.set(bytes, pa - r.base);
    r.code.clear();
    r.markDirty(pa - r.base, bytes.length);
    return true;
  }

  /** A power event from outside the devices (the built-in SBI's SRST and legacy shutdown), taken as a device's. */
  signalPower(e: PowerEvent): void { this.power = { kind: 'power', event: e }; }

  attachHtif(tohost: number, fromhost: number | undefined): boolean {
    if (!Htif.usable(this.dram, tohost)) return false;
    this.htif = new Htif(this.dram, this.desc.xlen, tohost, fromhost, (b) => this.backends.consoleOut(b),
      (code) => { this.power = { kind: 'power', event: { kind: 'htif-exit', code } }; });
    return true;
  }

  /**
   * Run until `maxInstructions` more instructions of clock have passed, power-off,
   * idleness or a breakpoint. A round interrupted by a breakpoint resumes where it
   * stopped, so a run with breakpoints interleaves harts exactly as one without.
   */
  step(maxInstructions: number): StopReason {
    const end = this.clock + maxInstructions;
    this.stepEnd = end;
    while (this.clock < end) {
      while (this.cursor < this.harts.length) {
        const h = this.harts[this.cursor];
        // At the count: stop before the next hart that would run. Harts asleep and the round
        // boundary go by first, as the uninterrupted run passes them before its next
        // instruction, so a cut at a slice's end is the state a pause there leaves.
        if (this.stopAtRetired !== null && this.retiredNow() >= this.stopAtRetired && !(h.wfi && !h.wakeable())) return { kind: 'budget' };
        if (this.sliceLeft === QUANTUM) this.sliceStart[h.id] = h.instret;
        this.runSlice(h);
        if (this.power !== null) return this.takePower();
        if (this.stopAtRetired !== null && this.retiredNow() >= this.stopAtRetired && this.sliceLeft > 0) return { kind: 'budget' };
        if (h.stuck) { h.stuck = false; return { kind: 'stuck', hart: h.id }; }
        if (h.hitBreakpoint || this.watchpoints.hit !== null) {
          h.hitBreakpoint = false;
          h.skipBreakpoint = true; // resuming executes the instruction at the breakpoint
          return { kind: this.watchpoints.hit !== null ? 'watch' : 'breakpoint', hart: h.id };
        }
        this.cursor++;
        this.sliceLeft = QUANTUM;
      }
      this.cursor = 0;
      const stop = this.endRound();
      if (stop !== null) return stop;
    }
    return { kind: 'budget' };
  }

  /** The boundary after every hart's slice: the clock moves on, devices tick, input enters. */
  private endRound(): StopReason | null {
    if (!this.roundAwake) {
      const next = this.nextDeadline();
      if (next === undefined) return { kind: 'idle' };
      this.clock = Math.max(this.clock + QUANTUM, next);
    } else {
      this.clock += QUANTUM;
    }
    this.roundAwake = false;
    for (const d of this.ticking) d.tick?.();
    this.htif?.poll();
    // What a Remote-Port peer sent on its own is posted now, to enter with the other inputs.
    for (const slot of this.slots) slot.poll();
    this.applyInputs();
    this.feedInput();
    for (const d of this.polling) d.poll?.();
    for (const slot of this.slots) slot.tick();
    if (this.power !== null) return this.takePower();
    if (this.watchpoints.hit !== null) return { kind: 'watch', hart: 0 }; // device DMA between quanta
    return null;
  }

  /**
   * Rounds a lone hart at a round's start may run ahead (hart/run-ahead.ts): boundaries
   * that can change nothing it does. Between rounds a device may raise an interrupt or
   * change memory, so: no device that works between rounds but on a deadline (htif,
   * passthrough slots and polled devices rule it out), no console byte or input event
   * waiting, and the span ends before the first timer or device deadline and the step's
   * end. Profiling, coverage, tracing and a stop at a count want every round.
   */
  private aheadRounds(h: Hart): number {
    if (this.harts.length !== 1 || this.engine !== 'wasm' || this.sliceLeft !== QUANTUM || this.sampler !== null || this.coverage !== null
      || this.insnTrace !== null || this.stopAtRetired !== null || this.htif !== null || this.slots.length > 0 || this.polling.length > 0
      || this.input.length > 0 || h.skipBreakpoint || this.watchpoints.hit !== null || this.power !== null) return 0;
    const until = Math.min(this.nextDeadline() ?? Infinity, this.stepEnd);
    return Math.min(AHEAD_ROUNDS, Math.floor((until - this.clock) / QUANTUM));
  }

  /**
   * Run ahead for `rounds` (at least 2) from a round's start; then pass the boundaries the
   * hart ran through, each with its own clock, as the round-by-round run would have. A span
   * that ends on a boundary leaves that one to step(). False when nothing ran.
   */
  private runAheadRounds(h: Hart, rounds: number): boolean {
    this.wasmControl.ahead = true;
    let n: number;
    try { n = runAhead(h, rounds * QUANTUM); } finally { this.wasmControl.ahead = false; }
    if (n === 0) return false;
    this.wasmStats.ahead += n;
    const whole = Math.floor(n / QUANTUM), rest = n - whole * QUANTUM;
    const passed = rest > 0 ? whole : whole - 1;
    for (let i = 0; i < passed; i++) {
      this.endRound();
      this.roundAwake = true;
      this.sliceStart[h.id] += QUANTUM;
    }
    this.sliceLeft = rest > 0 ? QUANTUM - rest : 0;
    return true;
  }

  /**
   * Execute one instruction on one hart while the others stay stopped (all-stop
   * stepping). Pending interrupts are taken first only when `interrupts` is true;
   * guest time advances by the instruction.
   */
  stepInstruction(hartId: number, interrupts: boolean): StopReason {
    const h = this.harts[hartId];
    if (h.wfi && !h.wakeable()) return { kind: 'idle' };
    h.wfi = false;
    if (interrupts) {
      const irq = h.pendingInterrupt();
      if (irq >= 0) { h.trap(irq, true, 0, 0); return { kind: 'budget' }; }
    }
    h.skipBreakpoint = true;
    this.coverage?.hit(h.pcHi, h.pcLo);
    const n = this.run(h, 1);
    this.clock += n;
    this.sliceStart[h.id] += n;
    const s = this.sampler;
    if (s !== null && (s.left[h.id] -= n) <= 0) { this.taskWord(h); s.take(h.id, h.priv, h.pcHi, h.pcLo, this.clock, this.task[0], this.task[1]); }
    if (this.power !== null) return this.takePower();
    return { kind: 'budget' };
  }

  private takePower(): StopReason {
    const p = this.power as StopReason;
    this.power = null;
    return p;
  }

  /** The rest of one hart's quantum (this.sliceLeft); it ends early in WFI, on a breakpoint or power-off. */
  private runSlice(h: Hart): void {
    while (this.sliceLeft > 0) {
      const target = this.stopAtRetired === null ? Infinity : this.stopAtRetired - this.retiredNow();
      if (target <= 0) return;
      if (h.wfi) {
        if (!h.wakeable()) return;
        h.wfi = false;
      }
      this.roundAwake = true;
      const irq = h.pendingInterrupt();
      if (irq >= 0) h.trap(irq, true, 0, 0);
      if (h.hitBreakpoint) return; // a debugger's trap stop (onTrap) lands on the handler's first instruction
      const ahead = this.aheadRounds(h);
      if (ahead >= 2 && this.runAheadRounds(h, ahead)) {
        if (this.power !== null || h.stuck || this.watchpoints.hit !== null) return;
        continue;
      }
      // A due sample ends the chunk early, as an interrupt check does: never a test per instruction.
      const s = this.sampler;
      const budget = Math.min(s === null ? Math.min(this.sliceLeft, CHUNK) : Math.min(this.sliceLeft, CHUNK, s.left[h.id]), target);
      const n = this.insnTrace !== null ? this.traceOne(h) : this.coverage !== null ? this.coverChunk(h, budget) : this.run(h, budget);
      this.sliceLeft -= n;
      if (s !== null && (s.left[h.id] -= n) <= 0) { this.taskWord(h); s.take(h.id, h.priv, h.pcHi, h.pcLo, this.clock + QUANTUM - this.sliceLeft, this.task[0], this.task[1]); }
      if (this.power !== null || h.hitBreakpoint || h.stuck || this.watchpoints.hit !== null) return;
    }
  }

  /**
   * `budget` instructions one at a time, each pc counted, stopping where run(h, budget)
   * would (it leaves only on a yield or a breakpoint; every trap that ends it early
   * yields): interrupts are still taken between chunks only, so a run with coverage
   * retires the same instructions as one without.
   */
  private coverChunk(h: Hart, budget: number): number {
    const cov = this.coverage as CoverageCollector;
    let n = 0;
    while (n < budget) {
      cov.hit(h.pcHi, h.pcLo);
      n += this.run(h, 1);
      if (h.yieldLoop || h.hitBreakpoint) break;
    }
    return n;
  }

  private traceOne(h: Hart): number {
    this.coverage?.hit(h.pcHi, h.pcLo);
    const trace = this.insnTrace as (hart: Hart, bits: number) => void;
    const bits = this.peekInstruction(h);
    // A fetch that faults or an execute trigger that fires runs no instruction: QEMU logs none either.
    if (bits >= 0 && !h.triggers.execHit(h.pcLo, h.pcHi, h.priv)) trace(h, bits);
    return this.run(h, 1);
  }

  /** The instruction bits at the hart's pc, read without side effects; -1 when fetching there faults. */
  peekInstruction(h: Hart): number {
    const pa = h.peekTranslate(h.pcLo, h.pcHi, Access.Fetch);
    if (pa < 0) return -1;
    const low = this.bus.regionAt(pa, 2);
    if (low === undefined) return -1;
    const half = low.dv.getUint16(pa - low.base, true);
    if ((half & 3) !== 3) return half;
    const hiPa = h.peekTranslate((h.pcLo + 2) | 0, h.pcHi, Access.Fetch);
    const r = hiPa < 0 ? undefined : this.bus.regionAt(hiPa, 2);
    return r === undefined ? -1 : (half | (r.dv.getUint16(hiPa - r.base, true) << 16)) >>> 0;
  }

  /** The clock value at which the earliest enabled timer fires, if any. */
  private nextDeadline(): number | undefined {
    let best = Infinity;
    for (const h of this.harts) {
      if ((h.mie & MIP.MTIP) !== 0) best = Math.min(best, h.mtimecmp);
      const stime = h.stimecmpTicks();
      if ((h.mie & MIP.STIP) !== 0 && stime !== undefined) best = Math.min(best, stime);
    }
    // Pending console input wakes the guest only if it can enter now: with the UART's
    // FIFO full, a sleeping guest stays idle until it reads (no busy rounds).
    if (this.input.length > 0 && (this.virtioConsole !== null ? this.virtioConsole.canReceive() : this.uart.canReceive() > 0)) return this.clock;
    let next = best === Infinity ? Infinity : this.clockForTicks(best);
    for (const d of this.built) next = Math.min(next, d.nextDeadline?.() ?? Infinity);
    next = Math.min(next, this.inputs.nextAt(this.clock, this.consoleRoom()) ?? Infinity);
    for (const slot of this.slots) next = Math.min(next, slot.nextDeadline() ?? Infinity);
    return next === Infinity ? undefined : next;
  }

  /**
   * Everything of the machine but RAM and the boot ROM (snapshot/machine-snapshot.ts saves
   * those): the scheduler's place, the clock, waiting input, every hart, device and slot.
   * Devices are saved in board order, so a snapshot fits only a machine built from the
   * same description (the snapshot's header checks that first).
   */
  saveState(): Saved {
    return {
      clock: this.clock, sliceStart: this.sliceStart.slice(), cursor: this.cursor, sliceLeft: this.sliceLeft, roundAwake: this.roundAwake,
      power: this.power === null ? null : JSON.stringify(this.power),
      input: this.input.slice(), netInbound: this.netInbound.map((q) => q.map((f) => f.slice())),
      inputs: this.inputs.saveState(),
      harts: this.harts.map((h) => h.saveState()),
      devices: this.built.map((d) => d.dev.saveState?.() ?? null),
      slots: this.slots.map((s) => s.saveState()),
      htif: this.htif?.saveState() ?? null,
      firmware: this.firmware?.saveState() ?? null,
    };
  }

  /** Take back what saveState gave (RAM apart); translated code is the caller's to drop, as it follows RAM. */
  restoreState(s: Saved): void {
    const r = record(s);
    const harts = list(r.harts), devices = list(r.devices), slots = list(r.slots);
    if (harts.length !== this.harts.length || devices.length !== this.built.length || slots.length !== this.slots.length) {
      throw new SnapshotError(`the snapshot is of a machine with ${harts.length} harts, ${devices.length} devices and ${slots.length} passthrough slots; `
        + `this one has ${this.harts.length}, ${this.built.length} and ${this.slots.length}`);
    }
    if ((r.htif === null) !== (this.htif === null) || (r.firmware === null) !== (this.firmware === null)) {
      throw new SnapshotError('the snapshot was taken with another firmware or kernel (HTIF or built-in SBI differ)');
    }
    this.clock = r.clock as number;
    this.sliceStart.set(r.sliceStart as Float64Array);
    this.cursor = r.cursor as number;
    this.sliceLeft = r.sliceLeft as number;
    this.roundAwake = r.roundAwake as boolean;
    this.power = r.power === null ? null : JSON.parse(r.power as string) as StopReason;
    this.input.length = 0;
    for (const b of r.input as number[]) this.input.push(b);
    list(r.netInbound).forEach((q, i) => {
      const mine = this.netInbound[i];
      if (mine === undefined) return;
      mine.length = 0;
      for (const f of q as Uint8Array[]) mine.push(f.slice());
    });
    this.inputs.restoreState(r.inputs);
    this.harts.forEach((h, i) => h.restoreState(harts[i]));
    this.built.forEach((d, i) => { if (devices[i] !== null) d.dev.restoreState?.(devices[i]); });
    this.slots.forEach((sl, i) => sl.restoreState(slots[i]));
    if (r.htif !== null) this.htif?.restoreState(r.htif);
    if (r.firmware !== null) this.firmware?.restoreState(r.firmware);
  }

  /** Put every hart and device back to its reset state (RAM keeps its contents, as on QEMU). */
  resetDevices(): void {
    for (const h of this.harts) h.reset();
    this.cursor = 0;
    this.sliceLeft = QUANTUM;
    this.breakpointsChanged();
    for (const d of this.built) d.reset?.();
    for (const slot of this.slots) slot.reset();
  }

  /** Release what passthrough backends hold on the host (sockets); the machine is not run again. */
  close(): void {
    for (const slot of this.slots) slot.close();
  }
}

/**
 * Guest RAM lives in a WebAssembly.Memory from the start (DESIGN.md "The road to
 * speed"), created at its final size so no view is ever detached.
 */
interface WasmGlobal { Memory: new (d: { initial: number; maximum: number }) => WasmMemory }

function allocate(bytes: number): { buffer: ArrayBuffer; wasm: WasmMemory | null } {
  const pages = Math.ceil(bytes / 65536);
  const api = (globalThis as { WebAssembly?: WasmGlobal }).WebAssembly;
  try {
    if (api !== undefined) {
      const wasm = new api.Memory({ initial: pages, maximum: pages });
      return { buffer: wasm.buffer, wasm };
    }
  } catch {
    // Hosts without wasm memory of this size fall back to a plain buffer (and no wasm engine).
  }
  return { buffer: new ArrayBuffer(bytes), wasm: null };
}
