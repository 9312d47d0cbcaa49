/**
 * The machine in a worker (node-worker.ts: a Node worker thread, dist/machine-worker.js;
 * web-worker.ts: a browser's Web Worker, dist/web/machine-worker.js): it runs the guest
 * in slices and, between slices, answers the debugger's requests
 * (emulator/machine/debug-protocol.ts), so `pause`, `threads` and `evaluate` are
 * answered while the guest runs. Console bytes go out as `output` events, always
 * before the `stopped` or `exited` event that follows them. With launch.json `gdbServer`
 * a gdb attaches beside the adapter (gdbTarget below): both run the one machine and both
 * hear of every stop. Node-free: the host's files, sockets and timers come through
 * worker-host.ts.
 */
import { Machine } from '../machine/machine';
import { warmUpInterpreter } from '../machine/warm-up';
import { boot, BootConfig } from '../machine/boot';
import { defaultDescription } from '../machine/description';
import { extensionsOf, floatExtOf } from '../machine/dts-cpus';
import { bootargsFor, virtioDevices } from './virtio-layout';
import { checkHostFit } from './host-fit';
import type { OpenNet } from './net';
import {
  checkRequest, LaunchParams, LaunchVirtio, ScreenFrame, WorkerEvent, WorkerMessage, WorkerRequest, WorkerResults,
} from '../machine/debug-protocol';
import {
  DebugController, hartPc, physical, readCsr, readMemory, readRegisters, RunOutcome, writeCsr, writeMemory, writeRegister,
} from '../machine/debug-surface';
import { elfAddressToNumber } from '../loaders/elf';
import { describeDevice, writeDeviceRegister } from '../devices/device-view';
import { setTrace } from '../machine/trace';
import { pageWalk, tlbEntries } from '../machine/inspect';
import { checkPassthrough } from '../machine/description';
import type { SerialPort } from './serial-tcp';
import type { ScreenFrames } from './screen-frames';
import type { MachinePort, WorkerHost } from './worker-host';
import type { StubTarget } from './gdb-stub/stub';
import type { GdbEndpoint } from './gdb-stub/server';
import type { Watch } from '../hart/watchpoints';
import { ReverseDebugger } from '../machine/reverse-debug';
import { boardHash, checkSnapshotFits, decodeSnapshotFile } from '../snapshot/snapshot-file';
import { restoreSnapshot, retired, stateHash } from '../snapshot/machine-snapshot';
import { encodeReplayFile, replayLaunchOf } from '../snapshot/replay-file';
import { SnapshotError } from '../snapshot/saved';
import { runImages } from '../snapshot/run-images';

/** Clock units per slice: a few milliseconds of guest work between looks at the message queue. */
const SLICE = 200_000;
/** Instructions one step-line request may execute before it stops anyway. */
const MAX_LINE_STEPS = 100_000;
/** Trace lines one slice may send; a guest hammering a device gets a count of the rest. */
const MAX_TRACE_LINES = 50_000;

/** Console bytes of a line of text. */
const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

export class MachineWorker {
  private machine: Machine | null = null;
  private control: DebugController | null = null;
  private stepInterrupts = false;
  private running = false;
  /** Step Back and Reverse Continue: history of this session (machine/reverse-debug.ts). */
  private reverse: ReverseDebugger | null = null;
  private idle = false;
  private pauseRequested = false;
  private scheduled = false;
  private exited = false;
  private readonly console: number[] = [];
  /** launch.json `serial`: a client that reads slowly holds the machine (serial-tcp.ts). */
  private serial: SerialPort | null = null;
  private serialWait = false;
  private traceLines: string[] = [];
  private traceDropped = 0;
  private lastStatus = { at: 0, instructions: 0 };
  /** The display's frames for the screen panel, when the machine has one. */
  private frames: ScreenFrames | null = null;
  private frameTimer: ReturnType<typeof setTimeout> | null = null;
  /** The frame being deflated for the panel, if any: power-off is reported after it went (the adapter ends the session then). */
  private encoding: Promise<void> = Promise.resolve();
  /** The `screenChanges` request waiting for the screen to change (one at a time). */
  private screenWaiter: number | null = null;
  /** The scanout size last announced with a `screen` event. */
  private screenSize = { width: 0, height: 0 };
  /** Where relative backend paths resolve (launch.json `cwd`). */
  private cwd: string;
  /** How the machine was launched: a replay file repeats it. */
  private launched: LaunchParams | null = null;
  /** Changes made to the machine from the debugger (a replay does not repeat them), for a replay file's notes. */
  private readonly changes: string[] = [];
  /** launch.json `gdbServer`: the stub, told of every stop. */
  private gdb: GdbEndpoint | null = null;
  /** Data watchpoints of the adapter and of gdb: the machine watches both lists. */
  private adapterWatches: Watch[] = [];
  private gdbWatches: Watch[] = [];

  constructor(private readonly port: MachinePort, private readonly host: WorkerHost) {
    this.cwd = host.cwd();
    port.on('message', (m: unknown) => this.receive(m));
  }

  private post(m: WorkerMessage): void { this.port.postMessage(m); }

  private event(e: WorkerEvent): void {
    this.flushConsole();
    this.post(e);
  }

  /** One line of ours on the guest console, shown at once: a Remote-Port link may block next while it listens for its peer. */
  private say(line: string): void {
    for (const b of bytesOf(`osdev-emu: ${line}\n`)) this.console.push(b);
    this.flushConsole();
  }

  private flushConsole(): void {
    if (this.traceLines.length > 0 || this.traceDropped > 0) {
      if (this.traceDropped > 0) this.traceLines.push(`trace: ${this.traceDropped} lines dropped (more than ${MAX_TRACE_LINES} in one slice)`);
      this.post({ type: 'trace', lines: this.traceLines });
      this.traceLines = [];
      this.traceDropped = 0;
    }
    if (this.console.length === 0) return;
    this.post({ type: 'output', bytes: Uint8Array.from(this.console) });
    this.console.length = 0;
  }

  private traceLine(line: string): void {
    if (this.traceLines.length < MAX_TRACE_LINES) this.traceLines.push(line); else this.traceDropped++;
  }

  /** Guest time, instructions, and the rate since the previous status request while running. */
  private status(m: Machine): WorkerResults['status'] {
    const instructions = m.harts.reduce((n, h) => n + h.instret, 0);
    const now = performance.now();
    const dt = (now - this.lastStatus.at) / 1000;
    const ips = this.running && dt > 0 ? Math.max(0, (instructions - this.lastStatus.instructions) / dt) : 0;
    this.lastStatus = { at: now, instructions };
    return { running: this.running, idle: this.idle, exited: this.exited, guestTimeNs: m.timeNow * (1e9 / m.board.timebaseHz), instructions, ips: Math.round(ips) };
  }

  private receive(raw: unknown): void {
    const checked = checkRequest(raw);
    if (!checked.ok) {
      const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'number' ? (raw as { id: number }).id : -1;
      this.post({ type: 'response', id, ok: false, error: checked.error });
      return;
    }
    const req = checked.value;
    if (req.type === 'screenChanges') { this.parkScreenRequest(req.id); return; }
    if (req.type === 'launch') {
      this.launch(req.params).then(
        (result) => this.post(typeof result === 'string'
          ? { type: 'response', id: req.id, ok: false, error: result }
          : { type: 'response', id: req.id, ok: true, result: result.value }),
        (e: unknown) => this.post({ type: 'response', id: req.id, ok: false, error: `emulator error: ${(e as Error).message}` }));
      return;
    }
    try {
      const result = this.handle(req);
      if (typeof result === 'string') this.post({ type: 'response', id: req.id, ok: false, error: result });
      else this.post({ type: 'response', id: req.id, ok: true, result: result.value });
    } catch (e) {
      // A host bug: say so and end the session rather than run on in an unknown state.
      this.post({ type: 'response', id: req.id, ok: false, error: `emulator error: ${(e as Error).message}` });
      this.event({ type: 'fatal', message: `emulator error (a bug, please report): ${(e as Error).stack ?? String(e)}` });
      this.running = false;
    }
  }

  /** A result, or an error message for the response. */
  private handle(req: Exclude<WorkerRequest, { type: 'launch' | 'screenChanges' }>): { value: WorkerResults[keyof WorkerResults] } | string {
    const past = this.reverse?.inPast === true && (req.type === 'input' || req.type === 'plug' || req.type === 'inputEvents');
    if (past) return `${req.type}: the machine stands at a past point of its history (after Step Back or Reverse Continue); outside input enters when it goes forward again`;
    if (req.type === 'input') {
      // The client cannot be paused: beyond the backlog, console input is refused until the guest reads.
      if (this.machine?.inputs.consoleFull === true) return 'console input is full: the guest has left 64 KiB unread; try again later';
      this.machine?.pushInput(req.bytes); // inputs.onPosted wakes an idle guest
      return { value: null };
    }
    const m = this.machine, c = this.control;
    if (m === null || c === null) return `${req.type}: the machine has not been launched`;
    const hartOf = (id: number) => (id < m.harts.length ? m.harts[id] : undefined);
    switch (req.type) {
      case 'continue':
        if (this.exited) return 'continue: the guest has powered off';
        this.resumeRun(c);
        return { value: null };
      case 'pause':
        if (this.running) this.pauseRequested = true;
        if (this.idle) this.wake();
        return { value: null };
      case 'stepInstruction': {
        if (hartOf(req.hart) === undefined) return `stepInstruction: no hart ${req.hart}`;
        if (this.running) return 'stepInstruction: the machine is running';
        this.reverse?.forward({ kind: 'steps', hart: req.hart, interrupts: this.stepInterrupts });
        const o = c.stepInstruction(req.hart, this.stepInterrupts);
        // Respond first, then report where the step ended.
        this.host.soon(() => this.report(o.kind === 'running' || o.kind === 'idle' ? { kind: 'stopped', stop: { reason: 'step', hart: req.hart } } : o));
        return { value: null };
      }
      case 'stepWhileIn': {
        if (hartOf(req.hart) === undefined) return `stepWhileIn: no hart ${req.hart}`;
        if (this.running) return 'stepWhileIn: the machine is running';
        this.reverse?.forward({ kind: 'steps', hart: req.hart, interrupts: this.stepInterrupts });
        const h = m.harts[req.hart];
        const inside = () => { const pc = hartPc(h); return req.ranges.some(([lo, hi]) => pc >= lo && pc < hi); };
        let o: RunOutcome = { kind: 'running' };
        // Bounded: a line that loops forever ends the step where it is, never hangs the worker.
        for (let i = 0; i < MAX_LINE_STEPS; i++) {
          o = c.stepInstruction(req.hart, this.stepInterrupts);
          if (o.kind === 'exited' || (o.kind === 'stopped' && o.stop.reason !== 'step') || !inside()) break;
        }
        this.host.soon(() => this.report(o.kind === 'stopped' || o.kind === 'exited' ? o : { kind: 'stopped', stop: { reason: 'step', hart: req.hart } }));
        return { value: null };
      }
      case 'runTo':
        if (this.exited) return 'runTo: the guest has powered off';
        this.reverse?.forward({ kind: 'run' });
        c.setTemporary(req.addresses, req.reason);
        c.resume();
        this.running = true;
        this.wake();
        return { value: null };
      case 'stepBack': case 'reverseContinue': {
        if (this.running) return `${req.type}: the machine is running`;
        const r = this.reverse;
        if (r === null) return `${req.type}: no history`;
        const stop = req.type === 'stepBack' ? r.stepBack(req.hart, req.granularity, req.ranges, req.to) : r.reverseContinue();
        if (typeof stop === 'string') return stop;
        // Back in the past the guest runs again: it has not powered off there.
        this.exited = false;
        setImmediate(() => { this.event({ type: 'stopped', stop }); this.gdb?.stopped(stop); });
        return { value: null };
      }
      case 'setBreakpoints': c.setBreakpoints(req.addresses); return { value: null };
      case 'setTrapFilter': c.setTrapFilter(req.filter); return { value: null };
      case 'setWatchpoints':
        this.adapterWatches = req.watches.map((w) => ({ ...w, base: Number(w.base) }));
        this.syncWatches();
        return { value: null };
      case 'harts':
        return { value: m.harts.map((h) => ({ id: h.id, priv: h.priv, pc: hartPc(h), wfi: h.wfi })) };
      case 'devices': {
        const list = req.device === undefined ? m.devices : m.devices.filter((d) => d.name === req.device);
        if (req.device !== undefined && list.length === 0) return `devices: no device '${req.device}'`;
        return { value: list.map(describeDevice) };
      }
      case 'writeDevice': {
        this.changed('device register', m);
        const d = m.device(req.device);
        if (d === undefined) return `writeDevice: no device '${req.device}'`;
        const r = writeDeviceRegister(d, (pa, size, lo, hi) => m.bus.write(pa, size, lo, hi), req.register, req.field, req.value);
        this.flushConsole(); // the write may have printed (uart0.THR) or traced
        return typeof r === 'string' ? `writeDevice: ${r}` : { value: r };
      }
      case 'resetDevice': {
        this.changed('device reset', m);
        const d = m.device(req.device);
        if (d === undefined) return `resetDevice: no device '${req.device}'`;
        if (d.dev.reset === undefined) return `resetDevice: ${req.device} has no reset`;
        d.dev.reset();
        return { value: null };
      }
      case 'plug': {
        const d = m.device(req.device);
        if (d?.passthrough === undefined) return `plug: '${req.device}' is not a passthrough slot`;
        m.inputs.post({ kind: 'plug', device: req.device, plugged: req.plugged });
        // The event enters at the next round boundary: say so; `deviceState` follows when it has.
        const now = d.passthrough();
        const target = req.plugged ? 'plugged' : 'unplugged';
        return { value: now.state === target ? now : { ...now, state: `${req.plugged ? 'plugging in' : 'unplugging'} (when the guest next runs a quantum)` } };
      }
      case 'setBackend': {
        this.changed('passthrough backend', m);
        const i = m.slots.findIndex((x) => x.name === req.device);
        if (i < 0) return `setBackend: '${req.device}' is not a passthrough slot`;
        const opened = this.host.openBackend(req.backend, this.cwd, i, (line) => this.say(`${req.device}: ${line}`));
        if (!opened.ok) return `setBackend: ${opened.error}`;
        const slot = m.slots[i];
        slot.setBackend(opened.value?.backend ?? null, opened.value?.target);
        m.eventTrace?.(`event ${slot.name} backend ${opened.value?.backend.kind ?? 'none'}${opened.value !== null ? ` (${opened.value.target})` : ''}`);
        this.flushConsole();
        return { value: slot.state() };
      }
      case 'trace':
        setTrace(m, { mmio: req.mmio, traps: req.traps, devices: req.devices }, (line) => this.traceLine(line));
        return { value: null };
      case 'status': return { value: this.status(m) };
      case 'saveReplay': return this.saveReplay(m, req.folder);
      case 'profile':
        if (req.action === 'stop') return { value: { profile: m.stopProfile(), coverage: m.stopCoverage() } };
        m.startProfile(req.rate, req.tasks);
        if (req.coverage) m.startCoverage();
        else m.stopCoverage();
        return { value: null };
      case 'screen': return { value: this.frames === null ? null : this.frames.encodeNow(this.frames.whole()) };
      case 'inputEvents':
        if (!m.hasInput(req.device)) return `inputEvents: the machine has no virtio ${req.device} (launch with "display")`;
        m.postInputEvents(req.device, req.events); // inputs.onPosted wakes an idle guest
        return { value: null };
      case 'screenSize':
        if (m.screen === null) return 'screenSize: the machine has no display (launch with "display")';
        m.resizeDisplay(req.width, req.height);
        return { value: null };
      default: break;
    }
    const h = hartOf(req.hart);
    if (h === undefined) return `${req.type}: no hart ${req.hart} (the machine has ${m.harts.length})`;
    switch (req.type) {
      case 'readRegisters': return { value: readRegisters(h) };
      case 'writeRegister': this.changed('register', m); writeRegister(h, req.reg, req.value); return { value: null };
      case 'readCsrs': return { value: req.nums.map((n) => readCsr(h, n)) };
      case 'writeCsr': this.changed('CSR', m);
        return writeCsr(h, req.num, req.value) ? { value: null } : `writeCsr: CSR 0x${req.num.toString(16)} does not exist or is read-only`;
      case 'readMemory': return { value: readMemory(m, h, req.address, req.count, req.physical) };
      case 'pageWalk': return { value: pageWalk(h, m.bus, req.address) };
      case 'tlb': return { value: tlbEntries(h) };
      case 'translate': { const pa = physical(m, h, req.address, false, 0); return { value: pa < 0 ? null : BigInt(pa) }; }
      case 'writeMemory': this.changed('memory', m); return { value: { written: writeMemory(m, h, req.address, req.bytes, req.physical) } };
    }
  }

  /** Launch; async only because opening a network link is. */
  private async launch(p: LaunchParams): Promise<{ value: WorkerResults['launch'] } | string> {
    if (this.machine !== null) return 'launch: the machine is already launched';
    const v: LaunchVirtio = p.virtio ?? { drives: [], nets: [], console: 'uart' };
    const order = [...v.drives.map(() => 'drive' as const), ...v.nets.map(() => 'net' as const),
      ...(v.rng !== undefined ? ['rng' as const] : []), ...(v.console === 'virtio' ? ['console' as const] : []),
      ...(v.display !== undefined ? ['display' as const] : [])];
    const drives = await this.host.openDrives(v.drives);
    if (!drives.ok) return drives.error;
    for (const w of drives.warnings) for (const b of bytesOf(`osdev-emu: ${w}\n`)) this.console.push(b);
    const nets: OpenNet[] = [];
    for (const n of v.nets) {
      const r = await this.host.openNet(n);
      if (!r.ok) {
        for (const d of drives.value) d.close();
        for (const o of nets) o.close();
        return r.error;
      }
      nets.push(r.value);
    }
    this.cwd = p.cwd ?? this.host.cwd();
    const closeAll = () => { for (const d of drives.value) d.close(); for (const o of nets) o.close(); };
    const slots = this.host.openPassthrough(p.passthrough ?? [], this.cwd, (line) => this.say(line));
    if (!slots.ok) { closeAll(); return slots.error; }
    const host = { bootargs: bootargsFor(p.append, v.console), virtio: virtioDevices({ drives: v.drives, nets: v.nets, virtioOrder: order, rngSlot: v.rngSlot, consoleSlot: v.consoleSlot, display: v.display }) };
    const isa = p.isa === undefined ? {} : { fpu: floatExtOf(p.isa), extensions: extensionsOf(p.isa) };
    let desc = defaultDescription({ xlen: p.xlen, ...isa, harts: p.harts, memoryBytes: p.memoryBytes, ...host, passthrough: slots.value.descriptions });
    if (p.machine !== undefined) {
      // launch.json `machine`: the file gives harts, memory and devices; its warnings go to the console.
      const loaded = this.host.loadMachineFile(p.machine, { ...host, instructionsPerSecond: desc.instructionsPerSecond });
      const misfit = loaded.ok ? checkHostFit(loaded.desc) : loaded.error;
      const xlenClash = loaded.ok && loaded.desc.xlen !== p.xlen ? `the harts of ${p.machine} are rv${loaded.desc.xlen} (riscv,isa), the program is ${p.xlen}-bit` : null;
      if (!loaded.ok || misfit !== null || xlenClash !== null) { closeAll(); slots.value.close(); return `launch attribute "machine": ${misfit ?? xlenClash}`; }
      for (const line of loaded.lines) for (const b of bytesOf(`osdev-emu: ${line}\n`)) this.console.push(b);
      desc = loaded.desc;
    }
    const bad = (p.machine === undefined ? checkHostFit(desc) : null) ?? checkPassthrough(desc);
    if (bad !== null) { closeAll(); slots.value.close(); return bad; }
    let serial: SerialPort | undefined;
    if (p.serialTcp !== undefined) {
      try { serial = await this.host.serveSerial(p.serialTcp); } catch (e) { closeAll(); slots.value.close(); return `serial: ${(e as Error).message.replace(/^--serial: /, '')}`; }
    }
    warmUpInterpreter(desc.xlen);
    const machine = new Machine(desc, {
      consoleOut: serial !== undefined ? (b) => serial.write(b) : (b) => { this.console.push(b); },
      passthrough: slots.value.backends,
      deviceChanged: (device, state) => { this.flushConsole(); this.post({ type: 'deviceState', device, state }); },
      drives: drives.value.map((d) => d.backend),
      nets: nets.map((n) => n.backend),
      entropy: v.rng === 'host' ? this.host.hostEntropy() : undefined,
      log: (line) => { for (const b of bytesOf(`osdev-emu: ${line}\n`)) this.console.push(b); },
    });
    serial?.onInput((bytes) => machine.pushInput(bytes));
    machine.inputs.onConsoleRoom = () => serial?.resumeInput();
    machine.inputs.onPosted = () => { if (this.idle) this.wake(); };
    this.serial = serial ?? null;
    const cfg: BootConfig = { kernel: p.kernel, bios: p.bios, initrd: p.initrd };
    const booted = boot(machine, cfg);
    if (!booted.ok) return booted.error;
    this.machine = machine;
    if (machine.screen !== null) {
      const frames = this.host.screenFrames(machine.screen);
      if (typeof frames === 'string') return `launch attribute "display": ${frames}`;
      this.frames = frames;
    }
    this.stepInterrupts = p.stepInterrupts;
    if (p.engine !== undefined) {
      // Said on the console, so a bug report shows which engine ran (and when wasm fell back to js).
      const used = machine.setEngine(p.engine);
      for (const b of bytesOf(`osdev-emu: engine ${used}${used !== p.engine ? ` (${p.engine} needs WebAssembly, which this host lacks)` : ''}\n`)) this.console.push(b);
    }
    this.control = new DebugController(machine, () => {
      const again = boot(machine, cfg);
      return again.ok ? null : again.error;
    });
    if (p.restore !== undefined) {
      // After the same boot (closures such as the SBI's hook exist), the file's state replaces it all.
      try {
        const { header, snapshot } = decodeSnapshotFile(p.restore.bytes, p.restore.name);
        const images = runImages(p.kernel, p.bios, p.initrd, p.virtio?.drives ?? [], (path) => this.host.hashDrive(path));
        const misfit = checkSnapshotFits(header, boardHash(machine.desc), images);
        if (misfit !== null) return `restore ${p.restore.name}: ${misfit}`;
        restoreSnapshot(machine, snapshot);
        const peers = header.peers.map((peer) => `restore: passthrough slot '${peer}' is served by a Remote-Port peer: it must be at the point the snapshot was taken`);
        if (peers.length > 0) this.event({ type: 'trace', lines: peers });
      } catch (e) {
        if (e instanceof SnapshotError) return e.message;
        throw e;
      }
    }
    this.launched = p;
    let replay: WorkerResults['launch']['replay'];
    if (p.replay !== undefined) {
      // The same board and images as the recorded session, then its run again, leg by leg, with its input.
      const r = p.replay;
      const images = runImages(p.kernel, p.bios, p.initrd, p.virtio?.drives ?? [], (path) => this.host.hashDrive(path));
      const misfit = checkSnapshotFits(r, boardHash(machine.desc), images, 'the replay was recorded');
      if (misfit !== null) return `replay ${r.name}: ${misfit}`;
      const peers = r.peers.map((peer) => `replay: passthrough slot '${peer}' was served by a Remote-Port peer: its recorded answers stand in for it (no peer is asked); going on past the replay's end, the slot has none`);
      if (peers.length > 0) this.event({ type: 'trace', lines: peers });
      this.reverse = new ReverseDebugger(machine, this.control, undefined, { inputs: r.inputs, legs: r.legs });
      this.reverse.replayTo(r.end.retired);
      this.flushConsole(); // what the run printed comes before the launch's answer
      const state = stateHash(machine, false);
      replay = { retired: retired(machine), state, same: retired(machine) === r.end.retired && state === r.end.state };
    } else this.reverse = new ReverseDebugger(machine, this.control);
    if (p.gdbPort !== undefined) {
      try {
        this.gdb = await this.host.serveGdb(p.gdbPort, machine, this.gdbTarget(this.control));
      } catch (e) {
        return `launch attribute "gdbServer": ${(e as Error).message.replace(/^--gdb: /, '')}`;
      }
      this.say(`gdb server on 127.0.0.1:${this.gdb.port}: in gdb, target remote 127.0.0.1:${this.gdb.port}`);
    }
    const entry = BigInt.asUintN(p.xlen, BigInt(booted.value.kernelEntry !== 0 ? booted.value.kernelEntry : booted.value.startAddr));
    const elfEntry = booted.value.kernelElf !== undefined ? elfAddressToNumber(BigInt(booted.value.kernelElf.entry), p.xlen) : undefined;
    return {
      value: {
        entry: elfEntry !== undefined ? BigInt.asUintN(p.xlen, BigInt(elfEntry)) : entry,
        startAddr: BigInt.asUintN(p.xlen, BigInt(booted.value.startAddr)),
        harts: machine.harts.length,
        ...(replay !== undefined ? { replay } : {}),
      },
    };
  }

  /** A change from the debugger: the first few are named in a replay file's notes. */
  private changed(what: string, m: Machine): void {
    if (this.changes.length < 8) this.changes.push(`the debugger changed a ${what} at ${retired(m)} instructions: a replay does not repeat that change, and may go another way from there`);
  }

  /** The session from its start to where the machine stands, as a replay file (snapshot/replay-file.ts). */
  private saveReplay(m: Machine, folder: string): { value: WorkerResults['saveReplay'] } | string {
    const p = this.launched, r = this.reverse;
    if (p === null || r === null) return 'saveReplay: the machine has not been launched';
    if (this.running) return 'saveReplay: the machine is running; pause it first';
    const drives = p.virtio?.drives ?? [];
    const images = runImages(p.kernel, p.bios, p.initrd, drives, (path) => this.host.hashDrive(path));
    const notes = [...this.changes, ...drives.flatMap((d, i) => d.mode === 'writeback'
      ? [`drive ${i} (${d.path}) is written in place: a replay finds it as it is then, which its hash check refuses once the guest wrote it`] : [])];
    const peers = m.slots.filter((x) => x.state().backend === 'remote-port').map((x) => x.name);
    const { inputs, legs } = r.recording();
    const n = retired(m);
    const state = stateHash(m, false);
    const bytes = encodeReplayFile({
      launch: replayLaunchOf(p), board: boardHash(m.desc), images, legs, end: { retired: n, state }, peers, notes,
      inputs, restore: p.restore?.bytes ?? null,
    }, folder);
    return { value: { bytes, retired: n, state, notes } };
  }

  private resumeRun(c: DebugController): void {
    this.reverse?.forward({ kind: 'run' });
    c.resume();
    this.running = true;
    this.wake();
  }

  private syncWatches(): void {
    this.machine?.setWatchpoints([...this.adapterWatches, ...this.gdbWatches]);
  }

  /**
   * launch.json `gdbServer`: gdb's run control, the adapter's own requests underneath.
   * Its continue is told to the adapter (`continued`); every stop, whoever caused it, goes
   * to both (report). What gdb cannot be told unasked (all-stop protocol): that the
   * adapter resumed; it learns at the next stop if it is waiting for one.
   */
  private gdbTarget(c: DebugController): StubTarget {
    const target: StubTarget = {
      running: () => this.running,
      resume: () => {
        if (this.running || this.exited) return;
        this.resumeRun(c);
        this.post({ type: 'continued' });
      },
      stop: () => { if (this.running) this.report({ kind: 'stopped', stop: { reason: 'pause', hart: 0 } }); },
      step: (hart) => {
        target.stop();
        this.reverse?.forward({ kind: 'steps', hart, interrupts: false });
        const o = c.stepInstruction(hart, false);
        this.report(o.kind === 'running' || o.kind === 'idle' ? { kind: 'stopped', stop: { reason: 'step', hart } } : o);
      },
      setBreakpoints: (addresses) => c.setBreakpoints(addresses, 'gdb'),
      setWatchpoints: (watches) => { this.gdbWatches = watches; this.syncWatches(); },
      released: () => this.say('gdb detached: its breakpoints and watchpoints are gone, the machine stays as it is'),
      // As QEMU quits on gdb's kill, the session ends.
      kill: () => this.report({ kind: 'exited', code: 0, description: 'gdb killed the machine' }),
      flush: () => this.flushConsole(),
      log: (line) => this.say(line),
      changed: (what) => { if (this.machine !== null) this.changed(`${what} (from gdb)`, this.machine); },
      // As the adapter's Step Back (by instruction) and Reverse Continue: both clients see the stop.
      goBack: (how, hart) => {
        const r = this.reverse;
        if (r === null) return 'no history';
        if (how === 'step' && r.atStart) return 'start';
        const stop = how === 'step' ? r.stepBack(hart, 'instruction') : r.reverseContinue();
        if (typeof stop === 'string') return stop;
        this.exited = false;
        this.flushConsole();
        this.event({ type: 'stopped', stop });
        this.gdb?.stopped(stop);
        return null;
      },
    };
    return target;
  }

  private wake(): void {
    this.idle = false;
    if (this.scheduled) return;
    this.scheduled = true;
    this.host.soon(() => { this.scheduled = false; this.loop(); });
  }

  /** One slice, then yield to the message queue. */
  private loop(): void {
    const c = this.control;
    if (!this.running || c === null) return;
    if (this.pauseRequested) {
      this.pauseRequested = false;
      this.report({ kind: 'stopped', stop: { reason: 'pause', hart: 0 } });
      return;
    }
    if (this.serial?.blocked === true) {
      // Like idle: a pause request still wakes the loop, which stops above.
      this.idle = true;
      if (!this.serialWait) {
        this.serialWait = true;
        void this.serial.writable().then(() => { this.serialWait = false; if (this.idle) this.wake(); });
      }
      return;
    }
    let o: RunOutcome;
    try {
      o = c.run(SLICE);
    } catch (e) {
      this.running = false;
      this.event({ type: 'fatal', message: `emulator error (a bug, please report): ${(e as Error).stack ?? String(e)}` });
      return;
    }
    this.flushConsole();
    this.sendScreen();
    this.reverse?.ranSlice();
    if (o.kind === 'running') { this.wake(); return; }
    if (o.kind === 'idle') { this.idle = true; return; } // input or pause wakes it
    this.report(o);
  }

  /**
   * A panel asks for the screen's next changes: answered at once when there are some, else
   * when a slice makes some (a long poll: the panel asks again only after drawing, so a
   * slow panel gets fewer, larger frames and never holds the machine back). A newer
   * request answers an older one with null.
   */
  private parkScreenRequest(id: number): void {
    if (this.frames === null) { this.post({ type: 'response', id, ok: false, error: 'screenChanges: the machine has no display' }); return; }
    if (this.screenWaiter !== null) this.post({ type: 'response', id: this.screenWaiter, ok: true, result: null });
    this.screenWaiter = id;
    if (this.exited) { this.answerScreen(null); return; }
    this.sendScreen();
  }

  private answerScreen(frame: ScreenFrame | null): void {
    if (this.screenWaiter === null) return;
    this.post({ type: 'response', id: this.screenWaiter, ok: true, result: frame });
    this.screenWaiter = null;
  }

  /**
   * After a slice: a `screen` event when the scanout's size changed (a panel opens on it),
   * and the changes to a waiting panel, at most one every 30 ms (screen-frames.ts); a change
   * held back goes when its time comes.
   */
  private sendScreen(now = performance.now()): void {
    const screen = this.machine?.screen;
    if (this.frames === null || screen === null || screen === undefined) return;
    if (screen.width !== this.screenSize.width || screen.height !== this.screenSize.height) {
      this.screenSize = { width: screen.width, height: screen.height };
      this.post({ type: 'screen', ...this.screenSize });
    }
    if (this.screenWaiter === null) return;
    const { frame, waitMs } = this.frames.next(now);
    if (frame !== null) {
      // Deflated on the thread pool while the guest runs on; the request is answered when it is done.
      const id = this.screenWaiter;
      this.screenWaiter = null;
      this.encoding = this.frames.encode(frame).then((f) => this.post({ type: 'response', id, ok: true, result: f }),
        (e: Error) => this.post({ type: 'response', id, ok: false, error: `screenChanges: ${e.message}` }));
    }
    else if (waitMs > 0 && this.frameTimer === null) {
      this.frameTimer = setTimeout(() => { this.frameTimer = null; this.sendScreen(); }, waitMs);
      (this.frameTimer as { unref?: () => void }).unref?.(); // Node: a pending frame does not keep the thread alive
    }
  }

  private report(o: RunOutcome): void {
    this.sendScreen(Infinity);
    if (o.kind === 'stopped' || o.kind === 'exited') this.reverse?.stopped();
    if (o.kind === 'stopped') {
      this.running = false;
      this.pauseRequested = false;
      this.event({ type: 'stopped', stop: o.stop });
      this.gdb?.stopped(o.stop);
    } else if (o.kind === 'exited') {
      this.running = false;
      this.exited = true;
      this.gdb?.exited(o.code);
      void this.encoding.then(() => {
        this.answerScreen(null);
        this.event({ type: 'exited', code: o.code, description: o.description });
      });
    }
  }
}

