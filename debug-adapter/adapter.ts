/**
 * The DAP session for debug type `osdev`: one short method per request, each turning
 * the request into machine-worker requests (machine-client.ts) and the answers back
 * into DAP. Harts are threads (id = hart + 1), all-stop. Stepping is by instruction
 * until DWARF line tables land. Never imports vscode: the extension runs this class
 * inline, the CLI and tests run it over stdio or TCP (main.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Breakpoint, DebugSession, Source, ExitedEvent, Handles, InitializedEvent, OutputEvent, Response, Scope, StackFrame,
  StoppedEvent, TerminatedEvent, Thread, Variable,
} from '@vscode/debugadapter';
import { DebugProtocol } from '@vscode/debugprotocol';
import {
  CAUSE_NAMES, CSR, DebugStop, ElfImage, expandCompressed, ImageBytes, INTERRUPT_NAMES, MAX_MEMORY_TRANSFER, parseElf,
  PRIV_LETTER, READ_LIMITS, readFileBoundedAsync, TrapFilter, WorkerEvent,
} from '../emulator';
import { parseTrapCondition } from './trap-conditions';
import { runConsoleCommand } from './console-commands';
import { findWorkerScript, MachineClient } from './machine-client';
import { LaunchConfig, unknownAttributes, validateLaunchConfig } from './launch-config';
import { CustomRequestError, CustomRequests } from './custom-handler';
import { DataBreakpoints } from './data-breakpoints';
import { BreakpointConditions, BreakpointOptions, checkOptions } from './breakpoint-conditions';
import { CustomEvents } from './custom-requests';
import { SymbolTable } from './symbols';
import { ABI_NAMES, disassembleAt, instructionLength } from './disasm';
import { CSR_GROUPS, csrByName, CsrView, fieldValue, hexValue, registerNumber, withField } from './registers';
import { evaluate, parseExpression } from './expressions';
import { LineRow, readLineTable, SourceLines } from './dwarf-line';
import { CallFrameInfo, FrameRules } from './dwarf-frame';

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
  supportsExceptionInfoRequest: true,
  supportsBreakpointLocationsRequest: true,
  supportsTerminateRequest: true,
  supportsDataBreakpoints: true,
  supportsDataBreakpointBytes: true,
  supportsConditionalBreakpoints: true,
  supportsHitConditionalBreakpoints: true,
  supportsLogPoints: true,
  supportsExceptionFilterOptions: true,
  exceptionBreakpointFilters: [
    {
      filter: 'exceptions', label: 'Exceptions', default: false, supportsCondition: true,
      description: 'Stop when any hart takes a synchronous exception (page fault, illegal instruction, ecall, ...)',
      conditionDescription: 'Causes and modes, e.g. "page fault to S", "illegal instruction", "13, 15", "ecall from U"',
    },
    {
      filter: 'interrupts', label: 'Interrupts', default: false, supportsCondition: true,
      description: 'Stop when any hart takes an interrupt (timer, software, external)',
      conditionDescription: 'Causes and modes, e.g. "timer", "supervisor external interrupt", "to M"',
    },
  ],
};

/** An ELF whose debug info the session uses, and where it was loaded. */
interface DebugImage { label: string; file: ImageBytes; elf: ElfImage; offset: bigint }

type Resume = { type: 'continue' } | { type: 'runTo'; addresses: bigint[]; reason: 'entry' | 'step' };

/** Largest disassemble request answered (instructions). */
const MAX_DISASSEMBLE = 10_000;
/** The error id of every error response: the message says what went wrong. */
const ERROR_ID = 1001;

/** The requests we serve whose `arguments` the Debug Adapter Protocol marks as required. */
const ARGUMENTS_REQUIRED = new Set([
  'launch', 'attach', 'setBreakpoints', 'setFunctionBreakpoints', 'setExceptionBreakpoints', 'setInstructionBreakpoints',
  'dataBreakpointInfo', 'setDataBreakpoints', 'continue', 'next', 'stepIn', 'stepOut', 'pause', 'stackTrace', 'scopes',
  'variables', 'setVariable', 'source', 'evaluate', 'readMemory', 'writeMemory', 'disassemble', 'exceptionInfo',
]);
/** A hart's call stack at a stop: each frame's pc and registers, and the interrupted context when the stack ends in a trap vector. */
interface Unwound {
  pcs: bigint[];
  regs: bigint[][];
  trap?: { pc: bigint; from: number; cause: bigint; vector: 'm' | 's' };
}

/** Frame ids: hart * FRAMES_PER_HART + depth + 1. */
const FRAMES_PER_HART = 1024;
/** Deepest call stack shown. */
const MAX_FRAMES = 64;

const hartOfFrame = (frameId: number) => Math.floor((frameId - 1) / FRAMES_PER_HART);
const depthOfFrame = (frameId: number) => (frameId - 1) % FRAMES_PER_HART;

type VarRef =
  /** `depth` > 0: a caller's registers as unwound (read-only). */
  | { kind: 'registers'; hart: number; depth: number }
  | { kind: 'csrs'; hart: number; group: number }
  | { kind: 'fields'; hart: number; csr: CsrView };

class RequestError extends Error {}

/**
 * A memory reference: a virtual address (through the current hart's translation), or
 * `phys:ADDR` for a physical one (what the evaluate `phys:` form and page walks give).
 */
function parseMemoryReference(ref: unknown): { address: bigint; physical: boolean } {
  if (typeof ref !== 'string') throw new RequestError('memoryReference is missing');
  const s = ref.trim();
  const physical = /^phys:/i.test(s);
  return { address: parseAddress(physical ? s.slice(5) : s, 'memoryReference'), physical };
}

function parseAddress(ref: string, what: string): bigint {
  const s = ref.trim();
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(s)) throw new RequestError(`${what} '${ref}' is not an address`);
  return BigInt(s);
}

/** A memory request's `offset`: an integer (DAP: number of bytes), or an error naming it. */
function memoryOffset(offset: number | undefined, what: string): bigint {
  if (offset === undefined) return 0n;
  if (!Number.isSafeInteger(offset)) throw new RequestError(`${what}: offset ${JSON.stringify(offset)} is not an integer`);
  return BigInt(offset);
}

/** RFC 4648 §4 base64 (padding optional); Buffer.from would skip bad characters silently. */
function decodeBase64(data: unknown, what: string): Uint8Array {
  if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 === 1 || (data.includes('=') && data.length % 4 !== 0)) {
    throw new RequestError(`${what}: data is not base64`);
  }
  return new Uint8Array(Buffer.from(data, 'base64'));
}

export class OsdevDebugSession extends DebugSession {
  private client: MachineClient | null = null;
  /** The worker started at initialize, until launch takes it. */
  private warm: MachineClient | null = null;
  private config: LaunchConfig | null = null;
  private xlen: 32 | 64 = 64;
  private symbols = new SymbolTable([], 64);
  private lines = new SourceLines([]);
  /** Unwind tables of each image; the first that covers a pc answers. */
  private cfis: CallFrameInfo[] = [];
  /** Source breakpoints: file → (address → breakpoint id). */
  private sourceBps = new Map<string, Map<bigint, number>>();
  private entry = 0n;
  private configured!: Promise<void>;
  private markConfigured!: () => void;
  private readonly handles = new Handles<VarRef>();
  private instructionBps = new Map<bigint, number>();
  private functionBps = new Map<bigint, number>();
  private nextBreakpointId = 1;
  private lastStop: DebugStop | null = null;
  /** Exception filters set before the machine exists. */
  private pendingTrapFilter: TrapFilter | null = null;
  private ended = false;
  /** The client's stream has closed: no worker may start any more. */
  private gone = false;
  private readonly text = new TextDecoder('utf-8');
  private readonly custom = new CustomRequests(() => this.machine());
  private readonly conditions = new BreakpointConditions();
  private readonly sourcesSeen = new Map<string, boolean>();
  /** Unwound stacks by hart, valid until the machine runs again. */
  private readonly stacks = new Map<number, Unwound>();
  private lastResume: Resume | null = null;
  private readonly dataBps = new DataBreakpoints(() => this.machine(), () => this.symbols, () => this.xlen, (t, h) => this.evaluateText(t, h));

  constructor() {
    super();
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

  private machine(): MachineClient {
    if (this.client === null) throw new RequestError('the machine is not running (launch first)');
    return this.client;
  }

  private hartOf(threadId: number | undefined): number {
    const harts = this.config?.harts ?? 1;
    const h = (threadId ?? 1) - 1;
    if (!Number.isInteger(h) || h < 0 || h >= harts) throw new RequestError(`there is no thread ${threadId} (harts are threads 1-${harts})`);
    return h;
  }

  // ---------------------------------------------------------------- session

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = CAPABILITIES;
    this.sendResponse(response);
    // Start the worker now: its thread and modules load while the client sends launch and
    // the ELF and DWARF are read here (about half of F5 -> paused otherwise).
    const script = findWorkerScript();
    if (script !== undefined && this.warm === null && this.client === null && !this.gone) this.warm = new MachineClient(script, (e) => this.onMachineEvent(e));
  }

  /** A worker started at initialize, else a new one. */
  private takeWarmWorker(): MachineClient {
    if (this.gone) throw new RequestError('the client has gone away');
    const warm = this.warm;
    this.warm = null;
    if (warm !== null) return warm;
    const script = findWorkerScript();
    if (script === undefined) throw new RequestError('the machine worker script (machine-worker.js) is missing from this installation');
    return new MachineClient(script, (e) => this.onMachineEvent(e));
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: DebugProtocol.LaunchRequestArguments): Promise<void> {
    await this.handle(response, async () => {
      const checked = validateLaunchConfig(args);
      if (!checked.ok) throw new RequestError(checked.error);
      for (const line of unknownAttributes(args)) this.output('console', `${line}\n`);
      const c = checked.value;
      const read = (p: string, what: string): Promise<ImageBytes> => readImage(path.resolve(c.cwd ?? process.cwd(), p), what);
      const kernel = await read(c.program, 'program');
      const elf = elfOf(kernel);
      const bios = c.bios === 'none' ? 'none' as const : await read(c.bios, 'bios');
      const initrd = c.initrd !== undefined ? await read(c.initrd, 'initrd') : undefined;
      this.xlen = c.xlen ?? elf?.xlen ?? (bios !== 'none' ? elfOf(bios)?.xlen : undefined) ?? 64;
      // Debug info: the kernel, an ELF firmware, and the `symbols` files at their offsets.
      const images: DebugImage[] = [];
      if (elf !== undefined) images.push({ label: c.program, file: kernel, elf, offset: 0n });
      const biosElf = bios !== 'none' ? elfOf(bios) : undefined;
      if (bios !== 'none' && biosElf !== undefined) images.push({ label: c.bios, file: bios, elf: biosElf, offset: 0n });
      for (const [i, extra] of c.symbols.entries()) {
        const file = await read(extra.path, `symbols[${i}]`);
        const e = elfOf(file);
        if (e === undefined) throw new RequestError(`launch attribute "symbols[${i}]": '${extra.path}' is not an ELF file`);
        images.push({ label: extra.path, file, elf: e, offset: extra.offset });
      }
      this.symbols = new SymbolTable(images, this.xlen);
      if (elf !== undefined && this.symbols.count === 0) this.output('console', `${c.program} has no symbols: debugging by address only.\n`);
      const rows: LineRow[] = [];
      this.cfis = [];
      for (const img of images) {
        const table = readLineTable(img.elf, img.file.bytes, path.dirname(img.file.name));
        for (const w of table.warnings) this.output('console', `${img.label}: ${w}\n`);
        rows.push(...table.rows.map((r) => (img.offset === 0n ? r : { ...r, address: BigInt.asUintN(this.xlen, r.address + img.offset) })));
        const cfi = new CallFrameInfo(img.elf, img.file.bytes, img.offset);
        for (const w of cfi.warnings) this.output('console', `${img.label}: ${w}\n`);
        this.cfis.push(cfi);
        if (img.file === kernel && table.rows.length === 0) this.output('console', `${c.program} has no line table (.debug_line): stepping and breakpoints work by instruction.\n`);
      }
      this.lines = new SourceLines(mapSourcePaths(rows, c.sourceFileMap));
      this.config = c;
      this.client = this.takeWarmWorker();
      const booted = await this.client.request({
        type: 'launch',
        params: {
          kernel, bios, initrd, xlen: this.xlen, harts: c.harts, memoryBytes: c.memoryBytes, append: c.append, stepInterrupts: c.stepInterrupts === 'enabled',
          virtio: {
            drives: c.drives.map((d) => ({ ...d, path: path.resolve(c.cwd ?? process.cwd(), d.path) })),
            nets: c.net.map((n) => {
              const at = (p: string) => path.resolve(c.cwd ?? process.cwd(), p);
              const moved = n.backend === 'unix' ? { ...n, path: at(n.path) } : n;
              return n.pcap !== undefined ? { ...moved, pcap: at(n.pcap) } : moved;
            }),
            rng: c.rng, console: c.guestConsole, rngSlot: c.rngSlot, consoleSlot: c.guestConsoleSlot,
          },
          passthrough: c.passthrough, cwd: c.cwd ?? process.cwd(),
          ...(c.serialTcp !== undefined ? { serialTcp: c.serialTcp } : {}),
          ...(c.machine !== undefined ? { machine: path.resolve(c.cwd ?? process.cwd(), c.machine) } : {}),
        },
      });
      this.config = { ...c, harts: booted.harts }; // a machine file decides how many harts there are
      this.entry = booted.entry;
      this.sendEvent(new InitializedEvent());
      await this.configured;
      await this.syncBreakpoints();
      if (c.stopOnEntry) await this.resume({ type: 'runTo', addresses: [this.entry], reason: 'entry' });
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

  private async shutdownMachine(): Promise<void> {
    const c = this.client;
    this.client = null;
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
      case 'stopped': void this.onStopped(e.stop); break;
      case 'exited':
        this.output('console', `\n${e.description}\n`);
        this.sendEvent(new ExitedEvent(e.code));
        void this.shutdownMachine().then(() => this.end());
        break;
      case 'fatal':
        if (this.ended || this.client === null) break;
        this.output('stderr', `${e.message}\n`);
        void this.shutdownMachine().then(() => this.end());
        break;
    }
  }

  /** Breakpoint ids a stop is at, for conditions and hitBreakpointIds. */
  private stopIds(stop: DebugStop): number[] {
    if (stop.reason === 'watch') return [stop.id];
    if (stop.reason !== 'breakpoint') return [];
    const src = [...this.sourceBps.values()].map((m) => m.get(stop.address)).find((x) => x !== undefined);
    return [src, this.functionBps.get(stop.address), this.instructionBps.get(stop.address)].filter((x): x is number => x !== undefined);
  }

  /** A stop from the machine: shown to the user, unless every breakpoint there is a false condition, an unmet hit count or a logpoint. */
  private async onStopped(stop: DebugStop): Promise<void> {
    const ids = this.stopIds(stop);
    if (ids.length > 0) {
      const show = await this.conditions.shouldStop(ids, (text) => this.evaluateText(text, stop.hart), (line) => this.output('console', `${line}\n`))
        .catch(() => true);
      if (!show && this.client !== null && this.lastResume !== null) {
        // Run on as the user asked: a step over a call with a false condition inside it is still a step.
        await this.resume(this.lastResume).catch(() => undefined);
        return;
      }
    }
    this.showStop(stop);
  }

  /** Continue or run to addresses, remembered so a stop the user does not see can resume the same way. */
  private async resume(req: Resume): Promise<void> {
    this.lastResume = req;
    await this.machine().request(req);
  }

  private showStop(stop: DebugStop): void {
    this.lastStop = stop;
    this.handles.reset();
    this.stacks.clear();
    let reason: string = stop.reason;
    let text: string | undefined;
    let ids: number[] | undefined;
    if (stop.reason === 'trap') { reason = 'exception'; text = stop.description; }
    if (stop.reason === 'watch') { reason = 'data breakpoint'; text = this.dataBps.describe(stop); ids = [stop.id]; }
    if (stop.reason === 'breakpoint') {
      const src = [...this.sourceBps.values()].some((m) => m.has(stop.address));
      reason = src ? 'breakpoint' : this.functionBps.has(stop.address) ? 'function breakpoint' : 'instruction breakpoint';
      ids = this.stopIds(stop);
    }
    const ev = new StoppedEvent(reason, stop.hart + 1, text) as DebugProtocol.StoppedEvent;
    ev.body.allThreadsStopped = true;
    if (ids !== undefined) ev.body.hitBreakpointIds = ids;
    if (text !== undefined) ev.body.description = text;
    this.sendEvent(ev);
  }

  // ---------------------------------------------------------------- breakpoints

  private async syncBreakpoints(): Promise<void> {
    if (this.client === null) return;
    if (this.pendingTrapFilter !== null) {
      await this.client.request({ type: 'setTrapFilter', filter: this.pendingTrapFilter });
      this.pendingTrapFilter = null;
    }
    const source = [...this.sourceBps.values()].flatMap((m) => [...m.keys()]);
    await this.client.request({ type: 'setBreakpoints', addresses: [...this.instructionBps.keys(), ...this.functionBps.keys(), ...source] });
  }

  protected override async setInstructionBreakpointsRequest(response: DebugProtocol.SetInstructionBreakpointsResponse, args: DebugProtocol.SetInstructionBreakpointsArguments): Promise<void> {
    await this.handle(response, async () => {
      this.instructionBps = new Map();
      const result: DebugProtocol.Breakpoint[] = [];
      for (const b of args.breakpoints) {
        try {
          const address = BigInt.asUintN(this.xlen, parseAddress(b.instructionReference, 'instructionReference') + BigInt(b.offset ?? 0));
          const bad = checkOptions(b);
          if (bad !== null) throw new RequestError(bad);
          const id = this.nextBreakpointId++;
          this.conditions.set(id, b);
          this.instructionBps.set(address, id);
          result.push({ id, verified: true, instructionReference: `0x${address.toString(16)}` });
        } catch (e) {
          result.push({ verified: false, message: (e as Error).message });
        }
      }
      await this.syncBreakpoints();
      response.body = { breakpoints: result };
    });
  }

  protected override async setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): Promise<void> {
    await this.handle(response, async () => {
      this.functionBps = new Map();
      const result: DebugProtocol.Breakpoint[] = [];
      for (const b of args.breakpoints) {
        const s = this.symbols.lookup(b.name.trim());
        if (s === undefined) { result.push({ verified: false, message: `no symbol '${b.name}' in the program` }); continue; }
        const bad = checkOptions(b);
        if (bad !== null) { result.push({ verified: false, message: bad }); continue; }
        const id = this.nextBreakpointId++;
        this.conditions.set(id, b);
        this.functionBps.set(s.address, id);
        result.push({ id, verified: true, instructionReference: `0x${s.address.toString(16)}` });
      }
      await this.syncBreakpoints();
      response.body = { breakpoints: result };
    });
  }

  /** Source breakpoints from the DWARF line table: a line without code moves to the next line that has some. */
  protected override async setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): Promise<void> {
    await this.handle(response, async () => {
      const requested = args.source.path ?? args.source.name ?? '';
      const file = this.sourceFile(requested);
      const addresses = new Map<bigint, number>();
      const result: DebugProtocol.Breakpoint[] = [];
      for (const b of args.breakpoints ?? []) {
        const found = file !== undefined ? this.lines.breakpointAddresses(file, b.line) : undefined;
        if (found === undefined) {
          const why = file === undefined ? `no code from ${path.basename(requested)} in the program's line table` : `no code at or after line ${b.line}`;
          result.push({ ...new Breakpoint(false, b.line), message: why });
          continue;
        }
        const bad = checkOptions(b);
        if (bad !== null) { result.push({ ...new Breakpoint(false, b.line), message: bad }); continue; }
        const id = this.nextBreakpointId++;
        this.conditions.set(id, b);
        for (const a of found.addresses) addresses.set(a, id);
        result.push({ id, verified: true, line: found.line, source: args.source, instructionReference: `0x${found.addresses[0].toString(16)}` });
      }
      this.sourceBps.set(requested, addresses);
      await this.syncBreakpoints();
      response.body = { breakpoints: result };
    });
  }

  /** Lines of a file where a breakpoint can go: those with a statement in the line table. */
  protected override breakpointLocationsRequest(response: DebugProtocol.BreakpointLocationsResponse, args: DebugProtocol.BreakpointLocationsArguments): void {
    const file = this.sourceFile(args.source.path ?? args.source.name ?? '');
    const last = args.endLine ?? args.line;
    const lines = file === undefined ? [] : [...new Set(this.lines.rows
      .filter((r) => r.file === file && r.isStmt && !r.endSequence && r.line >= args.line && r.line <= last)
      .map((r) => r.line))].sort((a, b) => a - b);
    response.body = { breakpoints: lines.map((line) => ({ line })) };
    this.sendResponse(response);
  }

  /** The line table's name for a client's path: the same path, else the only file with that name. */
  private sourceFile(requested: string): string | undefined {
    const files = this.lines.files();
    const normal = path.normalize(requested);
    if (files.has(normal)) return normal;
    const same = [...files].filter((f) => path.basename(f) === path.basename(normal));
    return same.length === 1 ? same[0] : undefined;
  }

  protected override async dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): Promise<void> {
    await this.handle(response, async () => {
      response.body = await this.dataBps.info(args, this.lastStop?.hart ?? 0);
    });
  }

  protected override async setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): Promise<void> {
    await this.handle(response, async () => {
      const usable = args.breakpoints.map((b) => ({ b, bad: checkOptions(b as BreakpointOptions) }));
      const set = await this.dataBps.set(usable.filter((u) => u.bad === null).map((u) => u.b), () => this.nextBreakpointId++);
      let next = 0;
      response.body = {
        breakpoints: usable.map((u) => {
          if (u.bad !== null) return { verified: false, message: u.bad };
          const r = set[next++];
          if (r.id !== undefined) this.conditions.set(r.id, u.b as BreakpointOptions);
          return r;
        }),
      };
    });
  }

  protected override async setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): Promise<void> {
    await this.handle(response, async () => {
      const known = new Set(CAPABILITIES.exceptionBreakpointFilters?.map((f) => f.filter));
      const chosen = [...args.filters.map((filterId) => ({ filterId, condition: undefined as string | undefined })), ...(args.filterOptions ?? [])];
      const unknown = chosen.find((f) => !known.has(f.filterId));
      if (unknown !== undefined) throw new RequestError(`unknown exception filter '${unknown.filterId}'`);
      const filter: TrapFilter = { exceptions: null, interrupts: null };
      const breakpoints: DebugProtocol.Breakpoint[] = [];
      for (const f of chosen) {
        const kind = f.filterId === 'interrupts' ? 'interrupts' : 'exceptions';
        const match = parseTrapCondition(f.condition ?? '', kind === 'interrupts');
        if (typeof match === 'string') { breakpoints.push({ verified: false, message: match }); continue; }
        filter[kind] = match;
        breakpoints.push({ verified: true });
      }
      if (this.client !== null) await this.client.request({ type: 'setTrapFilter', filter });
      else this.pendingTrapFilter = filter;
      response.body = { breakpoints };
    });
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
    await this.handle(response, async () => { await this.machine().request({ type: 'pause' }); });
  }

  /** Step into: one instruction, or (granularity line/statement, with a line table) until the pc leaves the current line. */
  protected override async stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): Promise<void> {
    await this.handle(response, async () => {
      const hart = this.hartOf(args.threadId);
      const ranges = args.granularity === 'instruction' ? [] : this.lines.lineRanges((await this.machine().request({ type: 'readRegisters', hart })).pc);
      if (ranges.length > 0) await this.machine().request({ type: 'stepWhileIn', hart, ranges });
      else await this.machine().request({ type: 'stepInstruction', hart });
    });
  }

  /**
   * Step over. By instruction: a call (jal/jalr linking ra or t0) runs to the instruction
   * after it, anything else is one step. By line: run to the next statement of the current
   * function or to its return address (by CFI), so calls run through at full speed.
   */
  protected override async nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): Promise<void> {
    await this.handle(response, async () => {
      const hart = this.hartOf(args.threadId);
      const { pc, x } = await this.machine().request({ type: 'readRegisters', hart });
      const fn = this.symbols.at(pc);
      if (args.granularity !== 'instruction' && fn !== undefined && fn.size > 0n && this.lines.at(pc) !== undefined) {
        const here = new Set(this.lines.lineRanges(pc).map(([lo]) => lo));
        // Later pieces of the current line are not a new line; a jump back to its start (a loop) is.
        const targets = this.lines.statementStarts(fn.address, fn.address + fn.size).filter((a) => a !== pc && !(here.has(a) && a > pc));
        const caller = (await this.unwind(hart)).pcs[1] ?? x[1];
        await this.resume({ type: 'runTo', addresses: [...targets, caller], reason: 'step' });
        return;
      }
      const mem = await this.machine().request({ type: 'readMemory', hart, address: pc, count: 4, physical: false });
      const d = disassembleAt(mem.bytes, 0, pc, this.xlen);
      if (d !== undefined && isCall(d.bits, d.length, this.xlen)) {
        await this.resume({ type: 'runTo', addresses: [BigInt.asUintN(this.xlen, pc + BigInt(d.length))], reason: 'step' });
      } else {
        await this.machine().request({ type: 'stepInstruction', hart });
      }
    });
  }

  /** Step out: run to the caller's return address, found by CFI unwinding (ra when there is no CFI). */
  protected override async stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): Promise<void> {
    await this.handle(response, async () => {
      const hart = this.hartOf(args.threadId);
      const { pcs } = await this.unwind(hart);
      const target = pcs.length > 1 ? pcs[1] : (await this.machine().request({ type: 'readRegisters', hart })).x[1];
      await this.resume({ type: 'runTo', addresses: [target], reason: 'step' });
    });
  }

  // ---------------------------------------------------------------- state

  protected override async threadsRequest(response: DebugProtocol.ThreadsResponse): Promise<void> {
    await this.handle(response, async () => {
      if (this.client === null) { response.body = { threads: [] }; return; }
      const harts = await this.client.request({ type: 'harts' });
      response.body = { threads: harts.map((h) => new Thread(h.id + 1, `hart ${h.id} (${PRIV_LETTER[h.priv]}-mode)`)) };
    });
  }

  protected override async stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): Promise<void> {
    await this.handle(response, async () => {
      const hart = this.hartOf(args.threadId);
      const u = await this.unwound(hart);
      const frames = u.pcs.map((pc, depth) => this.frame(hart, depth, pc));
      if (u.trap !== undefined) frames.push(this.trapFrame(hart, u.pcs.length, u.trap));
      const from = args.startFrame ?? 0;
      const levels = args.levels !== undefined && args.levels > 0 ? args.levels : frames.length;
      response.body = { stackFrames: frames.slice(from, from + levels), totalFrames: frames.length };
    });
  }

  /** The frame at `depth`; callers' lines are those of their call instruction (return address - 1). */
  private frame(hart: number, depth: number, pc: bigint, exact = depth === 0): DebugProtocol.StackFrame {
    const lookup = exact ? pc : pc - 1n;
    const row = this.lines.at(lookup);
    // With a source line, the function's name says enough; without, the offset places the pc.
    const name = (row !== undefined ? this.symbols.at(lookup)?.name : this.symbols.label(pc)) ?? `0x${pc.toString(16)}`;
    const frame = new StackFrame(hart * FRAMES_PER_HART + depth + 1, name) as DebugProtocol.StackFrame;
    frame.instructionPointerReference = `0x${pc.toString(16)}`;
    frame.presentationHint = 'normal';
    if (row !== undefined) {
      frame.source = new Source(path.basename(row.file), row.file);
      frame.line = row.line;
      frame.column = this.lines.displayColumn(row);
    }
    return frame;
  }

  /** Where the trap the handler serves came from: xepc (the instruction itself), in the interrupted mode. */
  private trapFrame(hart: number, depth: number, t: NonNullable<Unwound['trap']>): DebugProtocol.StackFrame {
    const frame = this.frame(hart, depth, t.pc, true);
    const interrupt = t.cause >> BigInt(this.xlen - 1) === 1n;
    const code = Number(t.cause & ((1n << BigInt(this.xlen - 1)) - 1n));
    const what = (interrupt ? INTERRUPT_NAMES[code] : CAUSE_NAMES[code]) ?? `cause ${code}`;
    frame.name = `${frame.name} [${what} from ${PRIV_LETTER[t.from]}-mode]`;
    frame.presentationHint = 'label';
    return frame;
  }

  /** The hart's stack, unwound once per stop (the Variables view asks for callers' registers). */
  private async unwound(hart: number): Promise<Unwound> {
    let u = this.stacks.get(hart);
    if (u === undefined) {
      u = await this.unwind(hart);
      this.stacks.set(hart, u);
    }
    return u;
  }

  /**
   * Return addresses by .debug_frame CFI (DWARF 5 §6.4): the pc, then each caller's
   * pc, while rules cover the pc and the saved registers are readable. A stack that
   * ends in the function mtvec or stvec points at was entered by a trap: the
   * interrupted pc (xepc) and mode (xPP) make one more frame.
   */
  private async unwind(hart: number): Promise<Unwound> {
    const m = this.machine();
    const regs = await m.request({ type: 'readRegisters', hart });
    let x = [...regs.x];
    let pc = regs.pc;
    const pcs = [pc];
    const all = [[...x, pc]];
    const bytes = this.xlen / 8;
    while (pcs.length < MAX_FRAMES) {
      const at = pcs.length === 1 ? pc : pc - 1n;
      const rules = this.cfis.reduce<FrameRules | undefined>((found, cfi) => found ?? cfi.rulesAt(at), undefined);
      if (rules === undefined || rules.undefinedRegs.has(rules.returnRegister) || rules.cfaRegister >= 32) break;
      const cfa = BigInt.asUintN(this.xlen, x[rules.cfaRegister] + BigInt(rules.cfaOffset));
      const caller = [...x];
      let readable = true;
      for (const [reg, offset] of rules.saved) {
        if (reg >= 32) continue;
        const at = BigInt.asUintN(this.xlen, cfa + BigInt(offset));
        const r = await m.request({ type: 'readMemory', hart, address: at, count: bytes, physical: false });
        if (r.unreadable > 0) { readable = false; break; }
        caller[reg] = r.bytes.reduceRight((v, b) => (v << 8n) | BigInt(b), 0n);
      }
      if (!readable) break;
      caller[2] = cfa;
      const ret = rules.returnRegister < 32 ? caller[rules.returnRegister] : 0n;
      if (ret === 0n || (ret === pc && cfa === x[2])) break;
      x = caller;
      pc = ret;
      pcs.push(pc);
      all.push([...x, pc]);
    }
    return { pcs, regs: all, trap: await this.trapOrigin(hart, pc) };
  }

  /** When `pc` lies in the trap vector's function: the trap's origin from mepc/mstatus.MPP or sepc/sstatus.SPP. */
  private async trapOrigin(hart: number, pc: bigint): Promise<Unwound['trap']> {
    const [mtvec, stvec, mepc, sepc, mstatus, mcause, scause] = await this.machine().request({ type: 'readCsrs', hart,
      nums: [CSR.mtvec, CSR.stvec, CSR.mepc, CSR.sepc, CSR.mstatus, CSR.mcause, CSR.scause] });
    const fn = this.symbols.at(pc);
    const inVector = (tvec: bigint | null) => {
      if (tvec === null) return false;
      const base = tvec & ~3n;
      const entry = this.symbols.at(base);
      return base === pc || (fn !== undefined && entry !== undefined && entry.name === fn.name && entry.address === fn.address);
    };
    if (inVector(mtvec) && mepc !== null && mstatus !== null && mcause !== null) {
      return { pc: mepc, from: Number((mstatus >> 11n) & 3n), cause: mcause, vector: 'm' };
    }
    if (inVector(stvec) && sepc !== null && mstatus !== null && scause !== null) {
      return { pc: sepc, from: Number((mstatus >> 8n) & 1n), cause: scause, vector: 's' };
    }
    return undefined;
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const hart = hartOfFrame(args.frameId);
    const depth = depthOfFrame(args.frameId);
    response.body = {
      scopes: [
        { ...new Scope(depth === 0 ? 'Registers' : 'Registers (as unwound)', this.handles.create({ kind: 'registers', hart, depth }), false), presentationHint: 'registers' },
        ...CSR_GROUPS.map((g, group) => new Scope(g.name, this.handles.create({ kind: 'csrs', hart, group }), true)),
      ],
    };
    this.sendResponse(response);
  }

  protected override async variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): Promise<void> {
    await this.handle(response, async () => {
      const ref = this.handles.get(args.variablesReference);
      if (ref === undefined) throw new RequestError('these variables are gone (the machine ran since)');
      response.body = { variables: await this.variables(ref) };
    });
  }

  private async variables(ref: VarRef): Promise<DebugProtocol.Variable[]> {
    const m = this.machine();
    if (ref.kind === 'registers' && ref.depth > 0) return this.callerRegisters(ref.hart, ref.depth);
    if (ref.kind === 'registers') {
      const r = await m.request({ type: 'readRegisters', hart: ref.hart });
      return [
        { name: 'pc', value: hexValue(r.pc, this.xlen), evaluateName: '$pc', variablesReference: 0, memoryReference: `0x${r.pc.toString(16)}` },
        { name: 'priv', value: `${PRIV_LETTER[r.priv]}-mode`, evaluateName: '$priv', variablesReference: 0 },
        ...r.x.map((v, i) => ({
          name: ABI_NAMES[i], value: hexValue(v, this.xlen), evaluateName: `$${ABI_NAMES[i]}`,
          variablesReference: 0, memoryReference: `0x${v.toString(16)}`,
        })),
      ];
    }
    if (ref.kind === 'csrs') {
      const views = CSR_GROUPS[ref.group].csrs(this.xlen);
      const values = await m.request({ type: 'readCsrs', hart: ref.hart, nums: views.map((v) => v.num) });
      return views.flatMap((view, i) => {
        const v = values[i];
        if (v === null) return [];
        const fields = view.fields(this.xlen);
        const text = hexValue(v, this.xlen) + (view.describe !== undefined ? ` (${view.describe(v, this.xlen)})` : '');
        return [new Variable(view.name, text, fields.length > 0 ? this.handles.create({ kind: 'fields', hart: ref.hart, csr: view }) : 0)];
      }).map((v) => ({ ...v, evaluateName: `$${v.name}` }));
    }
    const [v] = await m.request({ type: 'readCsrs', hart: ref.hart, nums: [ref.csr.num] });
    if (v === null) return [];
    return ref.csr.fields(this.xlen).map((f) => {
      const x = fieldValue(v, f);
      const name = f.names?.[x];
      return { name: f.name, value: name !== undefined ? `${x} (${name})` : f.hi - f.lo > 3 ? `0x${x.toString(16)}` : String(x), variablesReference: 0 };
    });
  }

  /**
   * A caller's registers: what CFI restores (ra, sp, saved s-registers), the rest as the
   * callee left them, which is all a debugger can know. The frame of a trap's origin has
   * only its pc and mode.
   */
  private async callerRegisters(hart: number, depth: number): Promise<DebugProtocol.Variable[]> {
    const u = await this.unwound(hart);
    if (depth >= u.pcs.length) {
      const t = u.trap;
      if (t === undefined) return [];
      return [
        { name: 'pc', value: hexValue(t.pc, this.xlen), variablesReference: 0, memoryReference: `0x${t.pc.toString(16)}` },
        { name: 'priv', value: `${PRIV_LETTER[t.from]}-mode`, variablesReference: 0 },
        { name: 'registers', value: `saved by the trap handler (${t.vector === 'm' ? 'mscratch/stack' : 'sscratch/stack'}), not known to the debugger`, variablesReference: 0 },
      ];
    }
    const r = u.regs[depth];
    return [
      { name: 'pc', value: hexValue(r[32], this.xlen), variablesReference: 0, memoryReference: `0x${r[32].toString(16)}` },
      ...r.slice(0, 32).map((v, i) => ({ name: ABI_NAMES[i], value: hexValue(v, this.xlen), variablesReference: 0, memoryReference: `0x${v.toString(16)}` })),
    ];
  }

  protected override async setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): Promise<void> {
    await this.handle(response, async () => {
      const ref = this.handles.get(args.variablesReference);
      if (ref === undefined) throw new RequestError('these variables are gone (the machine ran since)');
      if (ref.kind === 'registers' && ref.depth > 0) throw new RequestError('a caller\'s registers are what unwinding found; set them in the top frame');
      const value = await this.evaluateText(args.value, ref.hart);
      const m = this.machine();
      if (ref.kind === 'registers') {
        const reg = args.name === 'pc' ? 'pc' : registerNumber(args.name);
        if (reg === undefined) throw new RequestError(`${args.name} cannot be set`);
        await m.request({ type: 'writeRegister', hart: ref.hart, reg, value: BigInt.asUintN(this.xlen, value) });
      } else if (ref.kind === 'csrs') {
        const view = csrByName(args.name, this.xlen);
        if (view === undefined) throw new RequestError(`${args.name} is not a CSR`);
        await m.request({ type: 'writeCsr', hart: ref.hart, num: view.num, value: BigInt.asUintN(this.xlen, value) });
      } else {
        const f = ref.csr.fields(this.xlen).find((x) => x.name === args.name);
        if (f === undefined) throw new RequestError(`${ref.csr.name} has no field ${args.name}`);
        const [old] = await m.request({ type: 'readCsrs', hart: ref.hart, nums: [ref.csr.num] });
        await m.request({ type: 'writeCsr', hart: ref.hart, num: ref.csr.num, value: withField(old ?? 0n, f, value) });
      }
      const after = await this.variables(ref);
      response.body = { value: after.find((v) => v.name === args.name)?.value ?? args.value };
    });
  }

  // ---------------------------------------------------------------- expressions

  private async evaluateText(text: string, hart: number): Promise<bigint> {
    const parsed = parseExpression(text);
    if (!parsed.ok) throw new RequestError(`syntax error: ${parsed.error}`);
    const m = this.machine();
    const load = async (address: bigint, bytes: 1 | 2 | 4 | 8): Promise<bigint> => {
      const r = await m.request({ type: 'readMemory', hart, address: BigInt.asUintN(this.xlen, address), count: bytes, physical: false });
      if (r.bytes.length < bytes) throw new Error('not RAM mapped for this hart');
      return r.bytes.reduceRight((v, b) => (v << 8n) | BigInt(b), 0n);
    };
    const r = await evaluate(parsed.value, {
      wordBytes: this.xlen / 8 as 4 | 8,
      load,
      address: async (name) => this.symbols.addressOf(name),
      value: async (name) => {
        const bare = name.startsWith('$') ? name.slice(1) : name;
        if (!name.startsWith('$')) {
          const sym = this.symbols.lookup(name);
          if (sym !== undefined) {
            const at = BigInt.asUintN(this.xlen, sym.address);
            // C's meaning: a scalar object is its contents; functions, arrays and structs are their address.
            const size = Number(sym.size);
            return !sym.isFunction && (size === 1 || size === 2 || size === 4 || size === 8) ? load(at, size) : at;
          }
        }
        if (bare === 'pc' || bare === 'priv' || registerNumber(bare) !== undefined) {
          const regs = await m.request({ type: 'readRegisters', hart });
          return bare === 'pc' ? regs.pc : bare === 'priv' ? BigInt(regs.priv) : regs.x[registerNumber(bare) as number];
        }
        const view = csrByName(bare, this.xlen);
        if (view !== undefined) return (await m.request({ type: 'readCsrs', hart, nums: [view.num] }))[0] ?? undefined;
        return this.deviceRegister(name);
      },
    });
    if (!r.ok) throw new RequestError(r.error);
    return r.value;
  }

  /** `uart0.LSR`, `plic.claim[1]`: a device register's value, peeked without side effects. */
  private async deviceRegister(name: string): Promise<bigint | undefined> {
    const dot = name.indexOf('.');
    if (dot <= 0) return undefined;
    const devices = await this.machine().request({ type: 'devices', device: name.slice(0, dot) }).catch(() => []);
    const reg = devices[0]?.registers.find((x) => x.name === name.slice(dot + 1));
    if (reg === undefined) return undefined;
    if (reg.value === null) throw new RequestError(`${name} is write-only (it has no value to read)`);
    return BigInt(reg.value);
  }

  protected override async evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): Promise<void> {
    await this.handle(response, async () => {
      const hart = args.frameId !== undefined ? hartOfFrame(args.frameId) : (this.lastStop?.hart ?? 0);
      if (args.context === 'repl') {
        const out = await runConsoleCommand(args.expression, {
          machine: this.machine(), hart, xlen: this.xlen, symbols: this.symbols, evaluate: (t) => this.evaluateText(t, hart),
        }).catch((e: Error) => { throw new RequestError(e.message); });
        if (out !== undefined) { response.body = { result: out, variablesReference: 0 }; return; }
      }
      const v = await this.evaluateText(args.expression, hart);
      const signed = BigInt.asIntN(64, v);
      response.body = {
        result: `0x${v.toString(16)} (${signed < 0n ? `${v} / ${signed}` : v})`,
        variablesReference: 0,
        memoryReference: `0x${v.toString(16)}`,
      };
    }, false); // VS Code shows a failed evaluate where it was asked (hover hidden, watch and REPL in red): never a toast
  }

  // ---------------------------------------------------------------- memory and disassembly

  protected override async readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): Promise<void> {
    await this.handle(response, async () => {
      if (typeof args !== 'object' || args === null) throw new RequestError('readMemory: no arguments');
      if (!Number.isInteger(args.count) || args.count < 0 || args.count > MAX_MEMORY_TRANSFER) {
        throw new RequestError(`readMemory: count ${args.count} is out of range (at most ${MAX_MEMORY_TRANSFER} bytes per request)`);
      }
      const ref = parseMemoryReference(args.memoryReference);
      const address = BigInt.asUintN(ref.physical ? 64 : this.xlen, ref.address + memoryOffset(args.offset, 'readMemory'));
      const hart = this.lastStop?.hart ?? 0;
      const r = await this.machine().request({ type: 'readMemory', hart, address, count: args.count, physical: ref.physical });
      response.body = { address: `${ref.physical ? 'phys:' : ''}0x${address.toString(16)}`, data: Buffer.from(r.bytes).toString('base64'), unreadableBytes: r.unreadable };
    });
  }

  protected override async writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, args: DebugProtocol.WriteMemoryArguments): Promise<void> {
    await this.handle(response, async () => {
      if (typeof args !== 'object' || args === null) throw new RequestError('writeMemory: no arguments');
      const bytes = decodeBase64(args.data, 'writeMemory');
      if (bytes.length > MAX_MEMORY_TRANSFER) throw new RequestError(`writeMemory: ${bytes.length} bytes is more than ${MAX_MEMORY_TRANSFER} per request`);
      const ref = parseMemoryReference(args.memoryReference);
      const address = BigInt.asUintN(ref.physical ? 64 : this.xlen, ref.address + memoryOffset(args.offset, 'writeMemory'));
      const hart = this.lastStop?.hart ?? 0;
      const r = await this.machine().request({ type: 'writeMemory', hart, address, bytes, physical: ref.physical });
      if (r.written < bytes.length && args.allowPartial !== true) {
        throw new RequestError(`writeMemory: only ${r.written} of ${bytes.length} bytes at 0x${address.toString(16)} are writable RAM`);
      }
      response.body = { bytesWritten: r.written };
    });
  }

  protected override async disassembleRequest(response: DebugProtocol.DisassembleResponse, args: DebugProtocol.DisassembleArguments): Promise<void> {
    await this.handle(response, async () => {
      const count = args.instructionCount;
      if (!Number.isInteger(count) || count < 0 || count > MAX_DISASSEMBLE) {
        throw new RequestError(`disassemble: instructionCount ${count} is out of range (at most ${MAX_DISASSEMBLE})`);
      }
      const base = BigInt.asUintN(this.xlen, parseAddress(args.memoryReference, 'memoryReference') + BigInt(args.offset ?? 0));
      // Rows before the reference are counted back from it (VS Code scrolls up with -50..-1
      // and with ranges that end well before it); bounded like every request.
      const before = Math.min(MAX_DISASSEMBLE, Math.max(0, -(args.instructionOffset ?? 0)));
      const skip = Math.max(0, args.instructionOffset ?? 0);
      const back = (await this.instructionsBefore(base, before)).slice(0, Math.min(before, count));
      const forward = await this.instructionsFrom(base, count - back.length + skip);
      response.body = { instructions: [...back, ...forward.slice(skip)].slice(0, count) };
    }, false); // asked by VS Code's Disassembly view, not the user: it says "not available" itself, a toast would only pile up
  }

  private async readCode(address: bigint, count: number): Promise<Uint8Array> {
    const hart = this.lastStop?.hart ?? 0;
    return (await this.machine().request({ type: 'readMemory', hart, address, count, physical: false })).bytes;
  }

  private async instructionsFrom(start: bigint, n: number): Promise<DebugProtocol.DisassembledInstruction[]> {
    const bytes = n > 0 ? await this.readCode(start, 4 * n) : new Uint8Array(0);
    const out: DebugProtocol.DisassembledInstruction[] = [];
    let at = 0;
    while (out.length < n) {
      const address = BigInt.asUintN(this.xlen, start + BigInt(at));
      const d = disassembleAt(bytes, at, address, this.xlen, this.symbols);
      if (d === undefined) {
        out.push({ address: `0x${address.toString(16)}`, instruction: '??', presentationHint: 'invalid' });
        at += 4;
        continue;
      }
      out.push(this.instruction(address, d.bits, d.length, `${d.mnemonic.padEnd(8)} ${d.operands}`.trimEnd()));
      at += d.length;
    }
    return out;
  }

  /**
   * The n instructions that end right before `end`. Instructions have two lengths, so
   * decoding starts at several points back and keeps the first that lands on `end`.
   */
  private async instructionsBefore(end: bigint, n: number): Promise<DebugProtocol.DisassembledInstruction[]> {
    if (n === 0) return [];
    const span = BigInt(4 * n);
    let start = end >= span ? end - span : 0n;
    // readMemory returns the readable prefix: when the window starts in unmapped memory,
    // start at the next page until the rest up to `end` reads (pages map whole).
    let bytes = await this.readCode(start, Number(end - start));
    while (bytes.length < Number(end - start) && start < end) {
      start = (start / 4096n + 1n) * 4096n;
      if (start >= end) { bytes = new Uint8Array(0); start = end; break; }
      bytes = await this.readCode(start, Number(end - start));
    }
    for (let s = 0; s <= bytes.length; s += 2) {
      const list: { address: bigint; at: number; length: number }[] = [];
      let at = s;
      while (at + 2 <= bytes.length) {
        const len = instructionLength(bytes[at] | (bytes[at + 1] << 8));
        list.push({ address: start + BigInt(at), at, length: len });
        at += len;
      }
      if (at !== bytes.length) continue;
      const tail = list.slice(-n);
      const result = tail.map((i) => {
        const d = disassembleAt(bytes, i.at, i.address, this.xlen, this.symbols);
        return d === undefined ? { address: `0x${i.address.toString(16)}`, instruction: '??', presentationHint: 'invalid' as const }
          : this.instruction(i.address, d.bits, d.length, `${d.mnemonic.padEnd(8)} ${d.operands}`.trimEnd());
      });
      // What could not be read or decoded below: '??' rows, ascending, 2 bytes apart.
      const pad: DebugProtocol.DisassembledInstruction[] = [];
      const lowest = tail.length > 0 ? tail[0].address : end;
      for (let k = n - result.length; k > 0; k--) {
        pad.push({ address: `0x${BigInt.asUintN(this.xlen, lowest - BigInt(2 * k)).toString(16)}`, instruction: '??', presentationHint: 'invalid' });
      }
      return [...pad, ...result];
    }
    return Array.from({ length: n }, (_, k) => ({
      address: `0x${BigInt.asUintN(this.xlen, end - BigInt(2 * (n - k))).toString(16)}`, instruction: '??', presentationHint: 'invalid' as const,
    }));
  }

  /** Whether a source file exists, asked once per file: VS Code's Disassembly view misdraws rows whose source it cannot open. */
  private sourceExists(file: string): boolean {
    let known = this.sourcesSeen.get(file);
    if (known === undefined) {
      known = fs.existsSync(file);
      this.sourcesSeen.set(file, known);
    }
    return known;
  }

  private instruction(address: bigint, bits: number, length: number, text: string): DebugProtocol.DisassembledInstruction {
    const label = this.symbols.startsAt(address);
    const row = this.lines.at(address);
    return {
      address: `0x${address.toString(16)}`,
      instructionBytes: (bits >>> 0).toString(16).padStart(length * 2, '0'),
      instruction: text,
      ...(label !== undefined ? { symbol: label.name } : {}),
      ...(row !== undefined && this.sourceExists(row.file) ? { location: new Source(path.basename(row.file), row.file), line: row.line } : {}),
    };
  }
}

/** Whether an instruction is a call: jal/jalr linking ra or t0 (the psABI's link registers). */
function isCall(bits: number, length: number, xlen: 32 | 64): boolean {
  const word = length === 2 ? expandCompressed(bits, xlen) : bits;
  const opcode = word & 0x7f, rd = (word >>> 7) & 31;
  return (opcode === 0x6f || opcode === 0x67) && (rd === 1 || rd === 5);
}

/** An image file, read off the event loop and bounded (other sessions go on meanwhile; a FIFO or /dev/zero is refused). */
async function readImage(file: string, what: string): Promise<ImageBytes> {
  const r = await readFileBoundedAsync(file, READ_LIMITS.image);
  if (!r.ok) throw new RequestError(`launch attribute "${what}": cannot read '${file}': ${r.error}`);
  return { name: file, bytes: r.bytes };
}

/** Rows with their file paths moved by `sourceFileMap` (the longest matching prefix wins). */
function mapSourcePaths(rows: LineRow[], map: Record<string, string>): LineRow[] {
  const prefixes = Object.keys(map).sort((a, b) => b.length - a.length);
  if (prefixes.length === 0) return rows;
  const moved = new Map<string, string>();
  const move = (file: string) => {
    let m = moved.get(file);
    if (m === undefined) {
      const p = prefixes.find((x) => file === x || file.startsWith(x.endsWith('/') ? x : `${x}/`));
      m = p === undefined ? file : path.join(map[p], file.slice(p.length));
      moved.set(file, m);
    }
    return m;
  };
  return rows.map((r) => ({ ...r, file: move(r.file) }));
}

/** The parsed ELF, undefined for a raw image; a broken ELF is an error naming the file. */
function elfOf(img: ImageBytes): ElfImage | undefined {
  const b = img.bytes;
  if (b.length < 4 || b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) return undefined;
  const r = parseElf(b);
  if (!r.ok) throw new RequestError(`${img.name}: ${r.error}`);
  return r.value;
}
