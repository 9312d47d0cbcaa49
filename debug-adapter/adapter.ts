/**
 * The DAP session for debug type `osdev`: one short method per request, each turning
 * the request into machine-worker requests (machine-client.ts) and the answers back
 * into DAP. Harts are threads (id = hart + 1), all-stop. The work is the parts':
 * debug-info.ts (symbols, lines, CFI, read through an injected FileAccessor),
 * breakpoints.ts (every breakpoint's id, options and hits), call-stacks.ts, stepping.ts,
 * memory.ts, disassembly.ts, scopes.ts (registers and CSRs) and evaluation.ts (expressions).
 * Never imports vscode: the extension runs this class inline, the CLI and tests run it
 * over stdio or TCP (main.ts).
 */
import * as path from './posix-path';
import {
  ContinuedEvent, DebugSession, ExitedEvent, InitializedEvent, OutputEvent, Response, StoppedEvent, TerminatedEvent, Thread,
} from '@vscode/debugadapter';
import { DebugProtocol } from '@vscode/debugprotocol';
import { DebugStop, defaultBios, ImageBytes, LaunchParams, PRIV_LETTER, WorkerEvent } from '../emulator';
import { MachineClient } from './machine-client';
import type { AdapterHost } from './adapter-host';
import type { ScreenFrame } from '../emulator';
import { LaunchConfig, unknownAttributes, validateLaunchConfig } from './launch-config';
import { CustomRequestError, CustomRequests } from './custom-handler';
import { CustomEvents } from './custom-requests';
import { DebugInfo, elfOf } from './debug-info';
import { FileAccessor, readImage } from './file-accessor';
import { readReplay } from './replay-launch';
import { BreakpointRegistry, EXCEPTION_FILTERS } from './breakpoints';
import { CallStacks } from './call-stacks';
import { DisassemblyWindow } from './disassembly';
import { Scopes } from './scopes';
import { ProgramState } from './program-state';
import { Stepping, StepRequest } from './stepping';
import { inlinedCallsStartingAt } from './dwarf-scopes';
import { MemoryAccess } from './memory';
import { RequestError, SessionState } from './session-context';
import { TaskThreads } from './task-threads';
import { LINUX, OsDescription, parseOsDescription, XV6 } from './os-description';
import { readKernelLog } from './linux-log';
import { runConsoleCommand } from './console-commands';

/** Every capability, in one place (DAP "Capabilities"). */
export const CAPABILITIES: DebugProtocol.Capabilities = {
  supportsConfigurationDoneRequest: true,
  supportsFunctionBreakpoints: true,
  supportsInstructionBreakpoints: true,
  supportsDisassembleRequest: true,
  supportsReadMemoryRequest: true,
  supportsWriteMemoryRequest: true,
  supportsSetVariable: true,
  supportsEvaluateForHovers: true,
  supportsSteppingGranularity: true,
  supportsStepBack: true,
  supportsExceptionInfoRequest: true,
  supportsBreakpointLocationsRequest: true,
  supportsTerminateRequest: true,
  supportsDataBreakpoints: true,
  supportsDataBreakpointBytes: true,
  supportsConditionalBreakpoints: true,
  supportsHitConditionalBreakpoints: true,
  supportsLogPoints: true,
  supportsExceptionFilterOptions: true,
  exceptionBreakpointFilters: EXCEPTION_FILTERS,
};

type Resume = { type: 'continue' } | { type: 'runTo'; addresses: bigint[]; reason: 'entry' | 'step' };

/** The error id of every error response: the message says what went wrong. */
const ERROR_ID = 1001;

/** The requests we serve whose `arguments` the Debug Adapter Protocol marks as required. */
const ARGUMENTS_REQUIRED = new Set([
  'launch', 'attach', 'setBreakpoints', 'setFunctionBreakpoints', 'setExceptionBreakpoints', 'setInstructionBreakpoints',
  'dataBreakpointInfo', 'setDataBreakpoints', 'continue', 'next', 'stepIn', 'stepOut', 'pause', 'stackTrace', 'scopes',
  'variables', 'setVariable', 'source', 'evaluate', 'readMemory', 'writeMemory', 'disassemble', 'exceptionInfo',
]);

export class OsdevDebugSession extends DebugSession {
  /** What the parts read: the machine, the debug info, XLEN. */
  private readonly state: SessionState;
  /** The worker started at initialize, until launch takes it. */
  private warm: MachineClient | null = null;
  private config: LaunchConfig | null = null;
  private configured!: Promise<void>;
  private markConfigured!: () => void;
  private lastStop: DebugStop | null = null;
  private lastResume: Resume | null = null;
  private ended = false;
  /** The client's stream has closed: no worker may start any more. */
  private gone = false;
  private readonly text = new TextDecoder('utf-8');
  private readonly custom = new CustomRequests(() => this.state.machine(), () => this.state.debugInfo, {
    profileSources: (harts) => this.tasks.profileSources(harts),
    profileNames: (harts) => this.tasks.profileNames(harts),
  }, (file) => this.host.openTraceFile(file));
  /** A C expression's value as a number on `hart`'s top frame: conditions, log points, data breakpoints, the console. */
  private readonly evaluate = (text: string, hart: number): Promise<bigint> => this.scopes.program.evaluateScalar(text, hart);
  private readonly breakpoints: BreakpointRegistry;
  private readonly stacks: CallStacks;
  private readonly scopes: Scopes;
  private readonly disassembly: DisassemblyWindow;
  private readonly stepping: Stepping;
  private readonly memory: MemoryAccess;
  private readonly tasks: TaskThreads;

  /** How the program, firmware, initrd, `symbols` and sources are read (the host's). */
  private readonly files: FileAccessor;

  /** `host`: files, the machine worker, the working folder (node-host.ts's NODE_HOST in Node). */
  constructor(private readonly host: AdapterHost) {
    super();
    this.files = host.files;
    this.state = new SessionState(DebugInfo.empty(host.files));
    this.breakpoints = new BreakpointRegistry(this.state, this.evaluate);
    this.stacks = new CallStacks(this.state);
    this.scopes = new Scopes(this.state, this.stacks, this.evaluate, new ProgramState(this.state, this.stacks));
    this.disassembly = new DisassemblyWindow(this.state);
    this.stepping = new Stepping(this.state, this.stacks);
    this.memory = new MemoryAccess(this.state);
    this.tasks = new TaskThreads(this.state, this.evaluate,
      async (text, hart) => (await this.scopes.program.evaluate(text, hart, 0, 0)).value, (line) => this.output('console', `${line}\n`));
    this.state.router = this.tasks;
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    this.configured = new Promise((resolve) => { this.markConfigured = resolve; });
    // The client's stream closed (it went away without `disconnect`): end the machine and its
    // worker, and start none later (a launch may still be reading its files).
    this.on('close', () => { this.gone = true; void this.shutdownMachine(); });
  }

  /**
   * A request whose `arguments` the protocol requires must bring an object of them: one
   * error in words, instead of a TypeError from deep in a handler. (Custom requests check
   * their own, custom-handler.ts.)
   */
  protected override dispatchRequest(request: DebugProtocol.Request): void {
    const args: unknown = request.arguments;
    if (ARGUMENTS_REQUIRED.has(request.command) && (typeof args !== 'object' || args === null || Array.isArray(args))) {
      const response = new Response(request);
      this.sendErrorResponse(response, { id: ERROR_ID, format: `request '${String(request.command).replace(/[{}]/g, '')}' needs its arguments (an object)`, showUser: false });
      return;
    }
    super.dispatchRequest(request);
  }

  /** Runs a request body; a thrown error becomes an error response whose text the user sees. */
  private async handle<R extends DebugProtocol.Response>(response: R, body: () => Promise<void>, showUser = true): Promise<void> {
    try {
      await body();
      this.sendResponse(response);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.sendErrorResponse(response, { id: ERROR_ID, format: message.replace(/[{}]/g, ''), showUser });
    }
  }

  /** The hart a thread runs on: a task's thread is its hart's while it runs, and cannot be run on its own otherwise. */
  private hartOf(threadId: number | undefined): number {
    const harts = this.config?.harts ?? 1;
    const h = (threadId ?? 1) - 1;
    const task = this.tasks.taskOf(h);
    if (task !== undefined) {
      if (task.hart !== undefined) return task.hart;
      throw new RequestError(`pid ${task.id} ${task.name} is not running on a hart: step a hart's thread, or set a breakpoint where it resumes`);
    }
    if (!Number.isInteger(h) || h < 0 || h >= harts) throw new RequestError(`there is no thread ${threadId} (harts are threads 1-${harts})`);
    return h;
  }

  /** launch.json `os`: a built-in description, none, or the user's file (checked). */
  private async osDescription(setting: string, at: (p: string) => string): Promise<'auto' | 'none' | OsDescription> {
    const named: Record<string, 'auto' | 'none' | OsDescription> = { auto: 'auto', none: 'none', linux: LINUX, xv6: XV6, 'xv6-riscv': XV6 };
    if (named[setting.toLowerCase()] !== undefined) return named[setting.toLowerCase()];
    const file = await this.files.readFile(at(setting));
    if (!file.ok) throw new RequestError(`launch attribute "os": ${file.error}`);
    let json: unknown;
    try { json = JSON.parse(new TextDecoder('utf-8').decode(file.bytes)); } catch (e) {
      throw new RequestError(`launch attribute "os": ${setting} is not JSON (${(e as Error).message})`);
    }
    const parsed = parseOsDescription(json, setting);
    if (!parsed.ok) throw new RequestError(`launch attribute "os": ${parsed.error}`);
    return parsed.value;
  }

  /** The Debug Console's `ps`. */
  private async taskTable(): Promise<string> {
    if (this.tasks.osName === undefined) return 'no OS description: launch.json "os" names one (auto-detected: xv6-riscv, Linux)';
    const tasks = await this.tasks.list(await this.state.machine().request({ type: 'harts' }));
    const rows = tasks.map((t) => `${String(t.id).padStart(5)}  ${t.state.padEnd(12)} ${(t.hart !== undefined ? String(t.hart) : '-').padStart(4)}  ${t.name}`);
    return [`${this.tasks.osName}: ${tasks.length} tasks`, `  PID  STATE        HART  NAME`, ...rows].join('\n');
  }

  /** The Debug Console's `dmesg`. */
  private async kernelLog(): Promise<string> {
    const hart = this.currentHart;
    const lines = await readKernelLog(this.state.debugInfo.symbols.lookup('prb') !== undefined,
      (t) => this.evaluate(t, hart),
      async (address, count) => (await this.state.machine().request({ type: 'readMemory', hart, address, count, physical: false })).bytes);
    return lines.join('\n');
  }

  /** The hart, or the task hart (task-threads.ts), whose stack a thread shows. */
  private async threadHart(threadId: number | undefined): Promise<number> {
    const h = (threadId ?? 1) - 1;
    if (TaskThreads.isTaskHart(h) && this.state.client !== null) {
      await this.tasks.list(await this.state.client.request({ type: 'harts' }));
      if (this.tasks.taskOf(h) !== undefined) return h;
    }
    return this.hartOf(threadId);
  }

  /** The hart the user last saw stop, for requests that name none. */
  private get currentHart(): number { return this.lastStop?.hart ?? 0; }

  // ---------------------------------------------------------------- session

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = CAPABILITIES;
    this.sendResponse(response);
    // Start the worker now: its thread and modules load while the client sends launch and
    // the ELF and DWARF are read here (about half of F5 -> paused otherwise).
    if (this.warm !== null || this.state.client !== null || this.gone) return;
    const worker = this.host.startMachine();
    if (typeof worker !== 'string') this.warm = new MachineClient(worker, (e) => this.onMachineEvent(e));
  }

  /** A worker started at initialize, else a new one. */
  private takeWarmWorker(): MachineClient {
    if (this.gone) throw new RequestError('the client has gone away');
    const warm = this.warm;
    this.warm = null;
    if (warm !== null) return warm;
    const worker = this.host.startMachine();
    if (typeof worker === 'string') throw new RequestError(worker);
    return new MachineClient(worker, (e) => this.onMachineEvent(e));
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: DebugProtocol.LaunchRequestArguments): Promise<void> {
    await this.handle(response, async () => {
      const checked = validateLaunchConfig(args);
      if (!checked.ok) throw new RequestError(checked.error);
      for (const line of unknownAttributes(args)) this.output('console', `${line}\n`);
      let c = checked.value;
      const at = (p: string) => path.resolve(c.cwd ?? this.host.cwd(), p);
      // A replay file names the program, images and machine; otherwise the attributes do.
      const replay = c.replay !== undefined ? await readReplay(this.files, at(c.replay)) : undefined;
      if (replay !== undefined) c = { ...c, program: replay.kernel.name };
      const kernel = replay?.kernel ?? await readImage(this.files, at(c.program), 'program');
      const elf = elfOf(kernel);
      const bios = replay !== undefined ? replay.params.bios
        : c.bios === undefined ? defaultBios(kernel.bytes) : c.bios === 'none' || c.bios === 'builtin' ? c.bios : await readImage(this.files, at(c.bios), 'bios');
      const initrd = replay !== undefined ? replay.params.initrd : c.initrd !== undefined ? await readImage(this.files, at(c.initrd), 'initrd') : undefined;
      const biosElf = typeof bios !== 'string' ? elfOf(bios) : undefined;
      this.state.xlen = replay?.params.xlen ?? c.xlen ?? elf?.xlen ?? biosElf?.xlen ?? 64;
      // Debug info: the kernel, an ELF firmware, and the `symbols` files at their offsets.
      const { info, messages } = await DebugInfo.load(this.files, {
        program: elf !== undefined ? { label: c.program, file: kernel, elf, offset: 0n } : undefined,
        firmware: typeof bios !== 'string' && biosElf !== undefined ? { label: c.bios ?? bios.name, file: bios, elf: biosElf, offset: 0n } : undefined,
        extra: c.symbols.map((s) => ({ path: at(s.path), label: s.path, offset: s.offset })),
        xlen: this.state.xlen,
        sourceFileMap: c.sourceFileMap,
      });
      for (const line of messages) this.output('console', `${line}\n`);
      this.state.debugInfo = info;
      const os = this.tasks.configure(await this.osDescription(c.os, at));
      if (os !== undefined) this.output('console', `${os}: its tasks are shown as threads at each stop ("os" in launch.json: "none" to show harts only)\n`);
      this.config = c;
      this.state.client = this.takeWarmWorker();
      const restore = c.restore !== undefined ? await readImage(this.files, at(c.restore), 'restore') : undefined;
      const params = replay?.params ?? workerLaunchParams(c, kernel, bios, initrd, this.state.xlen, this.host.cwd());
      const booted = await this.state.client.request({ type: 'launch', params: restore !== undefined ? { ...params, restore } : params });
      this.config = { ...c, harts: booted.harts, stepInterrupts: params.stepInterrupts ? 'enabled' : 'masked' }; // a machine file decides how many harts there are
      if (booted.replay !== undefined) {
        const r = booted.replay;
        this.output('console', r.same ? `replay ${c.replay ?? ''}: the recorded run repeated to ${r.retired} instructions, the machine as it was saved (state ${r.state})\n`
          : `replay ${c.replay ?? ''}: the run went another way: ${r.retired} instructions, state ${r.state}, not what the file recorded\n`);
      }
      this.sendEvent(new InitializedEvent());
      await this.configured;
      await this.breakpoints.sync();
      // From a snapshot, or at a replay's end: stop where it is (a breakpoint at the pc, hit before anything runs).
      if (restore !== undefined || replay !== undefined) await this.resume({ type: 'runTo', addresses: [(await this.state.machine().request({ type: 'readRegisters', hart: 0 })).pc], reason: 'entry' });
      else if (c.stopOnEntry) await this.resume({ type: 'runTo', addresses: [booted.entry], reason: 'entry' });
      else await this.resume({ type: 'continue' });
    });
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.markConfigured();
    this.sendResponse(response);
  }

  protected override async disconnectRequest(response: DebugProtocol.DisconnectResponse): Promise<void> {
    await this.shutdownMachine();
    this.sendResponse(response);
  }

  protected override async terminateRequest(response: DebugProtocol.TerminateResponse): Promise<void> {
    await this.shutdownMachine();
    this.sendResponse(response);
    this.end();
  }

  /**
   * `osdev/screenChanges` for a client in this process (the extension's screen panel, the
   * adapter running inline): the same long poll, its PNGs as bytes as the worker sends
   * them, with no base64 or JSON on the way (custom-handler.ts frameJson).
   * Null when the guest powered off or the machine is gone.
   */
  async screenChanges(): Promise<ScreenFrame | null> {
    try { return await this.state.machine().request({ type: 'screenChanges' }); } catch { return null; }
  }

  private async shutdownMachine(): Promise<void> {
    const c = this.state.client;
    this.state.client = null;
    const warm = this.warm;
    this.warm = null;
    if (warm !== null) await warm.terminate();
    this.custom.closeTraceFile();
    if (c !== null) await c.terminate();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.sendEvent(new TerminatedEvent());
  }

  private output(category: 'console' | 'stdout' | 'stderr', text: string): void {
    this.sendEvent(new OutputEvent(text, category));
  }

  private customEvent<N extends keyof CustomEvents>(name: N, body: CustomEvents[N]): void {
    this.sendEvent({ seq: 0, type: 'event', event: name, body } as DebugProtocol.Event);
  }

  /** `osdev/...` requests (custom-requests.ts): the Devices view, trace, console terminal, status bar. */
  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    if (!CustomRequests.handles(command)) { super.customRequest(command, response, args); return; }
    void this.handle(response, async () => {
      try {
        response.body = await this.custom.handle(command, args);
      } catch (e) {
        throw e instanceof CustomRequestError ? new RequestError(`${command}: ${e.message}`) : e;
      }
    }, false); // the extension's views decide what to show of a failed osdev/* request
  }

  private onMachineEvent(e: WorkerEvent): void {
    switch (e.type) {
      case 'output': {
        const text = this.text.decode(e.bytes, { stream: true });
        if (this.config?.console === 'terminal') this.customEvent('osdev/console', { text });
        else this.output('stdout', text);
        break;
      }
      case 'trace':
        this.custom.traceLines(e.lines);
        this.customEvent('osdev/trace', { lines: e.lines });
        break;
      case 'deviceState': this.customEvent('osdev/devicesChanged', { device: e.device, state: e.state }); break;
      case 'screen': this.customEvent('osdev/screen', { width: e.width, height: e.height }); break;
      case 'stopped': {
        const stop = e.stop;
        this.inOrder(() => this.onStopped(stop));
        break;
      }
      case 'continued':
        // gdb (launch.json `gdbServer`) resumed the machine: a stop VS Code is not to show runs on as gdb's continue.
        this.inOrder(async () => {
          this.lastResume = { type: 'continue' };
          this.sendEvent(new ContinuedEvent(1, true));
        });
        break;
      case 'exited':
        this.output('console', `\n${e.description}\n`);
        this.sendEvent(new ExitedEvent(e.code));
        void this.shutdownMachine().then(() => this.end());
        break;
      case 'fatal':
        if (this.ended || this.state.client === null) break;
        this.output('stderr', `${e.message}\n`);
        void this.shutdownMachine().then(() => this.end());
        break;
    }
  }

  /**
   * Stops and gdb's resumes reach VS Code in the order the machine sent them: a stop asks
   * the worker about conditions and inlined calls before it is shown, and gdb's next
   * continue (and the stop after it) must not overtake it.
   */
  private shownUpTo: Promise<void> = Promise.resolve();
  private inOrder(show: () => Promise<void>): void {
    this.shownUpTo = this.shownUpTo.then(show).catch(() => undefined);
  }

  /** A stop from the machine: shown to the user, unless the breakpoints there say to run on (breakpoints.ts). */
  private async onStopped(stop: DebugStop): Promise<void> {
    // The machine ran: what was read before is stale, for the breakpoints' conditions too.
    this.scopes.reset();
    this.stacks.clear();
    this.tasks.invalidate(stop.hart);
    const waiter = this.stepWaiter;
    if (waiter !== null && stop.reason === 'step') { this.stepWaiter = null; waiter(true); return; }
    const show = await this.breakpoints.shouldShow(stop, (line) => this.output('console', `${line}\n`)).catch(() => true);
    // A breakpoint not to be shown inside a line step's single steps: the step goes on from there.
    if (!show && waiter !== null && this.lastResume === null) { this.stepWaiter = null; waiter(true); return; }
    if (!show && this.state.client !== null && this.lastResume !== null) {
      // Run on as the user asked: a step over a call with a false condition inside it is still a step.
      await this.resume(this.lastResume).catch(() => undefined);
      return;
    }
    // Something else ended a line step: shown as it is, and the step is over.
    if (waiter !== null) { this.stepWaiter = null; waiter(false); }
    await this.hideInlinedCalls(stop).catch(() => undefined);
    this.showStop(stop);
  }

  /**
   * gdb's skip_inline_frames: a stop at the first instruction of inlined calls shows the
   * caller at the call site, except a user breakpoint's stop, which shows the function
   * it was set on (a line or an address: the innermost).
   */
  private async hideInlinedCalls(stop: DebugStop): Promise<void> {
    const pc = stop.reason === 'breakpoint' ? stop.address : (await this.state.machine().request({ type: 'readRegisters', hart: stop.hart })).pc;
    const frames = this.state.debugInfo.sourceFrames(pc);
    let hide = inlinedCallsStartingAt(frames, pc);
    if (stop.reason === 'breakpoint') {
      const named = this.breakpoints.functionAt(pc);
      const at = named === undefined ? -1 : frames.findIndex((f) => f.name === named);
      hide = Math.min(hide, Math.max(at, 0));
    }
    this.stacks.hideInlined(stop.hart, hide);
  }

  /** Instruction counts of the stops shown so far, oldest first: where a Step Back by line returns to. */
  private shownAt: number[] = [];

  private showStop(stop: DebugStop): void {
    this.lastStop = stop;
    void this.state.machine().request({ type: 'status' }).then((s) => {
      if (this.shownAt.length === 0 || this.shownAt[this.shownAt.length - 1] < s.instructions) this.shownAt.push(s.instructions);
      else this.shownAt = [...this.shownAt.filter((n) => n < s.instructions), s.instructions];
      if (this.shownAt.length > 10_000) this.shownAt.shift();
    }, () => undefined);
    const view = this.breakpoints.view(stop);
    const ev = new StoppedEvent(view.reason, stop.hart + 1, view.text) as DebugProtocol.StoppedEvent;
    ev.body.allThreadsStopped = true;
    if (view.ids !== undefined) ev.body.hitBreakpointIds = view.ids;
    if (view.text !== undefined) ev.body.description = view.text;
    this.sendEvent(ev);
  }

  /** Continue or run to addresses, remembered so a stop the user does not see can resume the same way. */
  private async resume(req: Resume): Promise<void> {
    this.lastResume = req;
    await this.state.machine().request(req);
  }

  // ---------------------------------------------------------------- breakpoints (breakpoints.ts)

  protected override async setInstructionBreakpointsRequest(response: DebugProtocol.SetInstructionBreakpointsResponse, args: DebugProtocol.SetInstructionBreakpointsArguments): Promise<void> {
    await this.handle(response, async () => { response.body = { breakpoints: await this.breakpoints.setInstructions(args.breakpoints) }; });
  }

  protected override async setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): Promise<void> {
    await this.handle(response, async () => { response.body = { breakpoints: await this.breakpoints.setFunctions(args.breakpoints) }; });
  }

  protected override async setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): Promise<void> {
    await this.handle(response, async () => { response.body = { breakpoints: await this.breakpoints.setSource(args.source, args.breakpoints ?? []) }; });
  }

  /** Lines of a file where a breakpoint can go: those with a statement in the line table. */
  protected override breakpointLocationsRequest(response: DebugProtocol.BreakpointLocationsResponse, args: DebugProtocol.BreakpointLocationsArguments): void {
    const info = this.state.debugInfo;
    const file = info.sourceFile(args.source.path ?? args.source.name ?? '');
    const lines = file === undefined ? [] : info.breakpointLines(file, args.line, args.endLine ?? args.line);
    response.body = { breakpoints: lines.map((line) => ({ line })) };
    this.sendResponse(response);
  }

  protected override async dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): Promise<void> {
    await this.handle(response, async () => { response.body = await this.breakpoints.dataInfo(args, this.currentHart); });
  }

  protected override async setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): Promise<void> {
    await this.handle(response, async () => { response.body = { breakpoints: await this.breakpoints.setData(args.breakpoints) }; });
  }

  protected override async setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): Promise<void> {
    await this.handle(response, async () => { response.body = { breakpoints: await this.breakpoints.setExceptions(args) }; });
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    const s = this.lastStop;
    const description = s?.reason === 'trap' ? s.description : 'no trap';
    response.body = { exceptionId: s?.reason === 'trap' ? `${s.interrupt ? 'interrupt' : 'exception'} ${s.cause}` : 'none', description, breakMode: 'always' };
    this.sendResponse(response);
  }

  // ---------------------------------------------------------------- run control

  protected override async continueRequest(response: DebugProtocol.ContinueResponse): Promise<void> {
    await this.handle(response, async () => {
      await this.resume({ type: 'continue' });
      response.body = { allThreadsContinued: true };
    });
  }

  protected override async pauseRequest(response: DebugProtocol.PauseResponse): Promise<void> {
    await this.handle(response, async () => {
      // A line step between its primitives is not running: it ends at its next stop, shown as a pause.
      if (this.lineStep !== null) this.lineStep.paused = true;
      await this.state.machine().request({ type: 'pause' });
    });
  }

  protected override async stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): Promise<void> {
    await this.handle(response, async () => {
      const hart = this.hartOf(args.threadId);
      await this.step(hart, await this.stepping.into(hart, args.granularity), 'into');
    });
  }

  protected override async nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): Promise<void> {
    await this.handle(response, async () => {
      const hart = this.hartOf(args.threadId);
      await this.step(hart, await this.stepping.over(hart, args.granularity), 'over');
    });
  }

  /**
   * Step Back (issue 18): the machine goes back by restoring a snapshot and running again
   * to the point (emulator machine/reverse-debug.ts). By instruction: one instruction; by
   * line: back out of the current line onto the last instruction run of the line before.
   * Conditions and hit counts are not evaluated going back: every stop is shown.
   */
  protected override async stepBackRequest(response: DebugProtocol.StepBackResponse, args: DebugProtocol.StepBackArguments): Promise<void> {
    await this.handle(response, async () => {
      const hart = this.hartOf(args.threadId);
      const instruction = args.granularity === 'instruction';
      const pc = instruction ? 0n : (await this.state.machine().request({ type: 'readRegisters', hart })).pc;
      const here = instruction ? undefined : this.state.debugInfo.lines.line(pc);
      // By line: back to the stop shown before this one (the inverse of the step that left
      // it), found by its instruction count; else out of the current line instruction by instruction.
      const now = instruction ? 0 : (await this.state.machine().request({ type: 'status' })).instructions;
      const to = instruction ? undefined : this.shownAt.filter((n) => n < now).pop();
      this.shownAt = this.shownAt.filter((n) => n < now);
      this.lastResume = null;
      await this.state.machine().request({
        type: 'stepBack', hart, granularity: instruction ? 'instruction' : 'line',
        ...(to !== undefined ? { to } : here !== undefined ? { ranges: [[here.start, here.end]] as [bigint, bigint][] } : {}),
      });
    });
  }

  /** Reverse Continue: back to the last breakpoint, data breakpoint or trap-filter stop before now, or the start of history. */
  protected override async reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): Promise<void> {
    await this.handle(response, async () => {
      this.lastResume = null;
      await this.state.machine().request({ type: 'reverseContinue' });
    });
  }

  protected override async stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): Promise<void> {
    await this.handle(response, async () => {
      const hart = this.hartOf(args.threadId);
      await this.step(hart, await this.stepping.out(hart), 'outInline');
    });
  }

  /**
   * A step stepping.ts chose: a run to addresses is a resume (remembered), single steps go
   * as they are; a line step runs on after the response, one primitive at a time, each
   * stop handed to it (stepWaiter) until it ends and its stop is shown.
   */
  private async step(hart: number, req: StepRequest | 'line', kind: 'into' | 'over' | 'outInline'): Promise<void> {
    if (req === 'line') {
      const step = { paused: false };
      let cut = false; // ended by a pause between primitives: no stop was shown yet
      this.lineStep = step;
      void this.stepping.line(hart, kind, (r) => {
        if (!step.paused) return this.runStepPrimitive(r);
        cut = true;
        return Promise.resolve(false);
      })
        .then((ended) => {
          if (ended) this.showStop({ reason: 'step', hart });
          else if (cut) this.showStop({ reason: 'pause', hart });
        })
        .catch((e: unknown) => {
          this.output('stderr', `step: ${e instanceof Error ? e.message : String(e)}\n`);
          this.showStop({ reason: 'step', hart });
        })
        .finally(() => { if (this.lineStep === step) this.lineStep = null; });
    } else if (req.type === 'runTo') await this.resume(req);
    else await this.state.machine().request(req);
  }

  /** One primitive of a line step; resolves at its stop (true: a step's stop; false: another, already shown). */
  private runStepPrimitive(req: StepRequest): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.stepWaiter = resolve;
      if (req.type !== 'runTo') this.lastResume = null;
      const sent = req.type === 'runTo' ? this.resume(req) : this.state.machine().request(req);
      sent.catch((e: unknown) => { this.stepWaiter = null; reject(e); });
    });
  }

  /** The line step waiting for the machine's next stop (adapter.step). */
  private stepWaiter: ((asStep: boolean) => void) | null = null;
  /** The line step under way, if one is: a pause ends it. */
  private lineStep: { paused: boolean } | null = null;

  // ---------------------------------------------------------------- state

  protected override async threadsRequest(response: DebugProtocol.ThreadsResponse): Promise<void> {
    await this.handle(response, async () => {
      if (this.state.client === null) { response.body = { threads: [] }; return; }
      const harts = await this.state.client.request({ type: 'harts' });
      const tasks = await this.tasks.list(harts);
      response.body = { threads: [
        ...harts.map((h) => new Thread(h.id + 1, `hart ${h.id} (${PRIV_LETTER[h.priv]}-mode)`)),
        ...tasks.map((t) => new Thread(t.slot + 1, TaskThreads.label(t))),
      ] };
    });
  }

  protected override async stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): Promise<void> {
    await this.handle(response, async () => {
      const frames = await this.stacks.frames(await this.threadHart(args.threadId));
      const from = args.startFrame ?? 0;
      const levels = args.levels !== undefined && args.levels > 0 ? args.levels : frames.length;
      response.body = { stackFrames: frames.slice(from, from + levels), totalFrames: frames.length };
    });
  }

  protected override async scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): Promise<void> {
    await this.handle(response, async () => { response.body = { scopes: await this.scopes.scopes(args.frameId) }; });
  }

  protected override async variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): Promise<void> {
    await this.handle(response, async () => { response.body = { variables: await this.scopes.variables(args.variablesReference, args.start, args.count) }; });
  }

  protected override async setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): Promise<void> {
    await this.handle(response, async () => {
      response.body = { value: await this.scopes.setVariable(args.variablesReference, args.name, args.value) };
      this.tasks.invalidate(this.currentHart);
    });
  }

  protected override async evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): Promise<void> {
    await this.handle(response, async () => {
      const place = args.frameId !== undefined && this.state.client !== null ? await this.stacks.place(args.frameId) : undefined;
      if (place?.tail === true) throw new RequestError('this frame was rebuilt from a tail call: it has no registers or values of its own (pick the frame below or above it)');
      const hart = place?.hart ?? this.currentHart;
      if (args.context === 'repl') {
        const out = await runConsoleCommand(args.expression, {
          machine: this.state.machine(), hart, xlen: this.state.xlen, symbols: this.state.debugInfo.symbols, evaluate: (t) => this.evaluate(t, hart),
          tasks: () => this.taskTable(), kernelLog: () => this.kernelLog(),
        }).catch((e: Error) => { throw new RequestError(e.message); });
        if (out !== undefined) { response.body = { result: out, variablesReference: 0 }; return; }
      }
      const v = this.scopes.variable(await this.scopes.program.evaluate(args.expression, hart, place?.depth ?? 0, place?.inline ?? 0));
      response.body = { result: v.value, type: v.type, variablesReference: v.variablesReference,
        ...(v.memoryReference !== undefined ? { memoryReference: v.memoryReference } : {}),
        ...(v.indexedVariables !== undefined ? { indexedVariables: v.indexedVariables } : {}) };
    }, false); // VS Code shows a failed evaluate where it was asked (hover hidden, watch and REPL in red): never a toast
  }

  // ---------------------------------------------------------------- memory and disassembly

  protected override async readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): Promise<void> {
    await this.handle(response, async () => { response.body = await this.memory.read(args, this.currentHart); });
  }

  protected override async writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, args: DebugProtocol.WriteMemoryArguments): Promise<void> {
    await this.handle(response, async () => {
      response.body = await this.memory.write(args, this.currentHart);
      this.scopes.program.reset(); // C values read before the write are stale
      this.tasks.invalidate(this.currentHart); // and the task list, which is read from memory
    });
  }

  protected override async disassembleRequest(response: DebugProtocol.DisassembleResponse, args: DebugProtocol.DisassembleArguments): Promise<void> {
    await this.handle(response, async () => {
      response.body = { instructions: await this.disassembly.rows(args, this.currentHart) };
    }, false); // asked by VS Code's Disassembly view, not the user: it says "not available" itself, a toast would only pile up
  }
}

/** The worker's launch: images read, paths resolved against `cwd`. */
function workerLaunchParams(c: LaunchConfig, kernel: ImageBytes, bios: 'none' | 'builtin' | ImageBytes, initrd: ImageBytes | undefined, xlen: 32 | 64, hostCwd: string): LaunchParams {
  const cwd = c.cwd ?? hostCwd;
  const at = (p: string) => path.resolve(cwd, p);
  return {
    kernel, bios, initrd, xlen, ...(c.isa !== undefined ? { isa: c.isa } : {}), harts: c.harts, memoryBytes: c.memoryBytes, append: c.append, stepInterrupts: c.stepInterrupts === 'enabled',
    ...(c.engine !== undefined ? { engine: c.engine } : {}),
    virtio: {
      drives: c.drives.map((d) => ({ ...d, path: at(d.path) })),
      nets: c.net.map((n) => {
        const moved = n.backend === 'unix' ? { ...n, path: at(n.path) } : n;
        return n.pcap !== undefined ? { ...moved, pcap: at(n.pcap) } : moved;
      }),
      rng: c.rng, console: c.guestConsole, rngSlot: c.rngSlot, consoleSlot: c.guestConsoleSlot,
      ...(c.display !== undefined ? { display: c.display } : {}),
    },
    passthrough: c.passthrough, cwd,
    ...(c.serialTcp !== undefined ? { serialTcp: c.serialTcp } : {}),
    ...(c.gdbServer !== undefined ? { gdbPort: c.gdbServer } : {}),
    ...(c.machine !== undefined ? { machine: at(c.machine) } : {}),
  };
}
