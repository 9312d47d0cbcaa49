/**
 * The one breakpoint registry: every kind a client sets (source, function, instruction,
 * data, and the exception filters) with its id, its options (condition, hit count,
 * logpoint; breakpoint-conditions.ts is their language) and its hits. It tells the
 * machine where to stop, and says what a machine stop is: which breakpoints, whether the
 * user sees it (a false condition, an unmet hit count or a logpoint runs on), in words.
 * A new kind of breakpoint goes here.
 */
import * as path from './posix-path';
import { Breakpoint } from '@vscode/debugadapter';
import { DebugProtocol } from '@vscode/debugprotocol';
import { DebugStop, TrapFilter } from '../emulator';
import { BreakpointOptions, checkOptions, given, hitConditionMet, logLine } from './breakpoint-conditions';
import { DataTargets, describeWatchStop, MAX_WATCHES, parseDataId, WatchTarget } from './data-breakpoints';
import { parseTrapCondition } from './trap-conditions';
import { parseAddress, RequestError, SessionContext } from './session-context';
import { functionLocations } from './function-entry';

/** The exception filters (DAP exceptionBreakpointFilters): trap-conditions.ts reads their conditions. */
export const EXCEPTION_FILTERS: DebugProtocol.ExceptionBreakpointsFilter[] = [
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
];

/** A breakpoint the client set. `set`: the request that set it, which the next one of its kind replaces. */
interface Entry { set: string; options: BreakpointOptions; hits: number; watch?: WatchTarget }

/** How a stop is shown: DAP's reason, its words, the breakpoints hit. */
export interface StopView { reason: string; text?: string; ids?: number[] }

type Evaluate = (text: string, hart: number) => Promise<bigint>;

export class BreakpointRegistry {
  private nextId = 1;
  private readonly entries = new Map<number, Entry>();
  /** Source breakpoints: file as the client named it → (address → id). */
  private readonly source = new Map<string, Map<bigint, number>>();
  private functions = new Map<bigint, number>();
  /** The function each function breakpoint's address was set for (an inlined copy's stop shows that function). */
  private functionNames = new Map<bigint, string>();
  private instructions = new Map<bigint, number>();
  /** Exception filters set before the machine exists. */
  private pendingTrapFilter: TrapFilter | null = null;
  private readonly dataTargets: DataTargets;

  constructor(private readonly ctx: SessionContext, private readonly evaluate: Evaluate) {
    this.dataTargets = new DataTargets(ctx, evaluate);
  }

  /** Source breakpoints from the DWARF line table: a line without code moves to the next line that has some. */
  async setSource(source: DebugProtocol.Source, list: readonly DebugProtocol.SourceBreakpoint[]): Promise<DebugProtocol.Breakpoint[]> {
    const requested = source.path ?? source.name ?? '';
    const file = this.ctx.debugInfo.sourceFile(requested);
    const set = `source ${requested}`;
    this.forget(set);
    const addresses = new Map<bigint, number>();
    const result: DebugProtocol.Breakpoint[] = [];
    for (const b of list) {
      const found = file !== undefined ? this.ctx.debugInfo.lines.breakpointAddresses(file, b.line) : undefined;
      if (found === undefined) {
        const why = file === undefined ? `no code from ${path.basename(requested)} in the program's line table` : `no code at or after line ${b.line}`;
        result.push({ ...new Breakpoint(false, b.line), message: why });
        continue;
      }
      const bad = checkOptions(b);
      if (bad !== null) { result.push({ ...new Breakpoint(false, b.line), message: bad }); continue; }
      const id = this.add(set, b);
      for (const a of found.addresses) addresses.set(a, id);
      result.push({ id, verified: true, line: found.line, source, instructionReference: `0x${found.addresses[0].toString(16)}` });
    }
    this.source.set(requested, addresses);
    await this.sync();
    return result;
  }

  async setFunctions(list: readonly DebugProtocol.FunctionBreakpoint[]): Promise<DebugProtocol.Breakpoint[]> {
    this.forget('function');
    this.functions = new Map();
    this.functionNames = new Map();
    const result: DebugProtocol.Breakpoint[] = [];
    for (const b of list) {
      const where = functionLocations(this.ctx.debugInfo, b.name.trim());
      if (where === undefined) { result.push({ verified: false, message: `no symbol '${b.name}' in the program` }); continue; }
      const bad = checkOptions(b);
      if (bad !== null) { result.push({ verified: false, message: bad }); continue; }
      const id = this.add('function', b);
      for (const a of where.addresses) { this.functions.set(a, id); this.functionNames.set(a, b.name.trim()); }
      result.push({ id, verified: true, instructionReference: `0x${where.addresses[0].toString(16)}`, ...(where.note !== undefined ? { message: where.note } : {}) });
    }
    await this.sync();
    return result;
  }

  /** The function a function breakpoint at `address` names, if one is there. */
  functionAt(address: bigint): string | undefined { return this.functionNames.get(address); }

  async setInstructions(list: readonly DebugProtocol.InstructionBreakpoint[]): Promise<DebugProtocol.Breakpoint[]> {
    this.forget('instruction');
    this.instructions = new Map();
    const result: DebugProtocol.Breakpoint[] = [];
    for (const b of list) {
      try {
        const address = BigInt.asUintN(this.ctx.xlen, parseAddress(b.instructionReference, 'instructionReference') + BigInt(b.offset ?? 0));
        const bad = checkOptions(b);
        if (bad !== null) throw new RequestError(bad);
        const id = this.add('instruction', b);
        this.instructions.set(address, id);
        result.push({ id, verified: true, instructionReference: `0x${address.toString(16)}` });
      } catch (e) {
        result.push({ verified: false, message: (e as Error).message });
      }
    }
    await this.sync();
    return result;
  }

  /** What a data breakpoint on `args.name` would watch (data-breakpoints.ts). */
  dataInfo(args: DebugProtocol.DataBreakpointInfoArguments, hart: number): Promise<DebugProtocol.DataBreakpointInfoResponse['body']> {
    return this.dataTargets.info(args, hart);
  }

  /** Replaces every data breakpoint; the machine's watchpoints change only when it takes the new list. */
  async setData(list: readonly DebugProtocol.DataBreakpoint[]): Promise<DebugProtocol.Breakpoint[]> {
    const added: [number, Entry][] = [];
    const watches: { id: number; base: bigint; size: number; read: boolean; write: boolean }[] = [];
    const result = list.map((b): DebugProtocol.Breakpoint => {
      const options = b as BreakpointOptions;
      const bad = checkOptions(options);
      if (bad !== null) return { verified: false, message: bad };
      const t = parseDataId(b.dataId);
      if (t === undefined) return { verified: false, message: `not a data breakpoint of this debugger: ${b.dataId}` };
      if (watches.length >= MAX_WATCHES) return { verified: false, message: `at most ${MAX_WATCHES} data breakpoints` };
      const id = this.nextId++;
      added.push([id, { set: 'data', options, hits: 0, watch: t }]);
      const access = b.accessType ?? 'write';
      watches.push({ id, base: t.pa, size: t.size, read: access !== 'write', write: access !== 'read' });
      return { id, verified: true, message: `${access} of ${t.label}` };
    });
    await this.ctx.machine().request({ type: 'setWatchpoints', watches });
    this.forget('data');
    for (const [id, e] of added) this.entries.set(id, e);
    return result;
  }

  /** The exception filters with their conditions: sent now, or at launch when no machine runs yet. */
  async setExceptions(args: DebugProtocol.SetExceptionBreakpointsArguments): Promise<DebugProtocol.Breakpoint[]> {
    const known = new Set(EXCEPTION_FILTERS.map((f) => f.filter));
    const chosen = [...args.filters.map((filterId) => ({ filterId, condition: undefined as string | undefined })), ...(args.filterOptions ?? [])];
    const unknown = chosen.find((f) => !known.has(f.filterId));
    if (unknown !== undefined) throw new RequestError(`unknown exception filter '${unknown.filterId}'`);
    const filter: TrapFilter = { exceptions: null, interrupts: null };
    const result: DebugProtocol.Breakpoint[] = [];
    for (const f of chosen) {
      const kind = f.filterId === 'interrupts' ? 'interrupts' : 'exceptions';
      const match = parseTrapCondition(f.condition ?? '', kind === 'interrupts');
      if (typeof match === 'string') { result.push({ verified: false, message: match }); continue; }
      filter[kind] = match;
      result.push({ verified: true });
    }
    if (this.ctx.client !== null) await this.ctx.client.request({ type: 'setTrapFilter', filter });
    else this.pendingTrapFilter = filter;
    return result;
  }

  /** Tells the machine every breakpoint (at launch, and after each change). */
  async sync(): Promise<void> {
    const client = this.ctx.client;
    if (client === null) return;
    if (this.pendingTrapFilter !== null) {
      await client.request({ type: 'setTrapFilter', filter: this.pendingTrapFilter });
      this.pendingTrapFilter = null;
    }
    const source = [...this.source.values()].flatMap((m) => [...m.keys()]);
    await client.request({ type: 'setBreakpoints', addresses: [...this.instructions.keys(), ...this.functions.keys(), ...source] });
  }

  /**
   * Whether the user sees a stop: not when every breakpoint there is a false condition,
   * an unmet hit count or a logpoint (which prints through `log`). A condition that
   * cannot be evaluated stops, with the reason logged.
   */
  async shouldShow(stop: DebugStop, log: (line: string) => void): Promise<boolean> {
    const ids = this.idsAt(stop);
    if (ids.length === 0) return true;
    let show = false;
    for (const id of ids) {
      const e = this.entries.get(id);
      if (e === undefined) { show = true; continue; }
      const { condition, hitCondition, logMessage } = e.options;
      if (given(condition)) {
        try {
          if (await this.evaluate(condition, stop.hart) === 0n) continue;
        } catch (err) {
          log(`breakpoint condition '${condition}' could not be evaluated: ${(err as Error).message}; stopping`);
          show = true;
          continue;
        }
      }
      e.hits++;
      if (given(hitCondition) && !hitConditionMet(hitCondition, e.hits)) continue;
      if (given(logMessage)) { log(await logLine(logMessage, (text) => this.evaluate(text, stop.hart))); continue; }
      show = true;
    }
    return show;
  }

  /** The stop as DAP shows it. */
  view(stop: DebugStop): StopView {
    switch (stop.reason) {
      case 'trap': return { reason: 'exception', text: stop.description };
      case 'watch': {
        // Not ours: a watchpoint of the gdb attached beside the session (launch.json `gdbServer`).
        const e = this.entries.get(stop.id);
        const text = describeWatchStop(e?.watch, stop);
        return e === undefined ? { reason: 'data breakpoint', text: `gdb's watchpoint: ${text}` } : { reason: 'data breakpoint', text, ids: [stop.id] };
      }
      case 'breakpoint': {
        const ids = this.idsAt(stop);
        if (ids.length === 0) return { reason: 'breakpoint', text: `gdb's breakpoint at 0x${stop.address.toString(16)}` };
        const reason = [...this.source.values()].some((m) => m.has(stop.address)) ? 'breakpoint'
          : this.functions.has(stop.address) ? 'function breakpoint' : 'instruction breakpoint';
        return { reason, ids };
      }
      default: return { reason: stop.reason };
    }
  }

  /** Breakpoint ids a stop is at: one source breakpoint, a function's, an instruction's; a watch's. */
  private idsAt(stop: DebugStop): number[] {
    if (stop.reason === 'watch') return this.entries.has(stop.id) ? [stop.id] : [];
    if (stop.reason !== 'breakpoint') return [];
    const src = [...this.source.values()].map((m) => m.get(stop.address)).find((x) => x !== undefined);
    return [src, this.functions.get(stop.address), this.instructions.get(stop.address)].filter((x): x is number => x !== undefined);
  }

  private add(set: string, options: BreakpointOptions): number {
    const id = this.nextId++;
    this.entries.set(id, { set, options, hits: 0 });
    return id;
  }

  /** Drops the breakpoints a set request is replacing. */
  private forget(set: string): void {
    for (const [id, e] of this.entries) if (e.set === set) this.entries.delete(id);
  }
}
