/**
 * The guest's own tasks as threads: read at each stop from guest memory by an OS
 * description (os-description.ts), never changing the machine. A task running on a hart
 * is that hart's thread under the task's name; a task not running gets a thread of its
 * own whose registers are the context its last switch saved. Those threads are "task
 * harts" (numbers from TASK_HART_BASE): the parts that read a hart's registers and memory
 * (call stacks, program state, scopes) take them unchanged, because `route` answers a
 * task hart's register reads from its saved context and its memory reads through the
 * hart that stopped.
 */
import { HartState, TaskSource, WorkerRequestBody, WorkerResults } from '../emulator';
import { csrByName, registerNumber } from './registers';
import { HartRouter, MachineRequests, RequestError, SessionContext } from './session-context';
import { BUILT_IN, CONTEXT_REGISTERS, OsDescription } from './os-description';

/** Task harts are numbered from here; a thread's id is its hart's number + 1, as for harts. */
export const TASK_HART_BASE = 1000;
/** More tasks than this: the list is cut there, with a message (a corrupt list must not hang a stop). */
const MAX_TASKS = 4096;
/** Longest task name read. */
const NAME_BYTES = 64;

export interface Task {
  address: bigint;
  id: number;
  name: string;
  state: string;
  /** The hart it runs on, if any. */
  hart?: number;
  /** Its task hart (stable while the task lives at that address). */
  slot: number;
}


export class TaskThreads implements HartRouter {
  private os: OsDescription | undefined;
  private tasks: Task[] | undefined;
  private readonly slots = new Map<bigint, number>();
  private readonly contexts = new Map<number, Promise<WorkerResults['readRegisters']>>();
  /** The hart that stopped: task harts read memory through its translation. */
  private viaHart = 0;
  /** The last problem reported, so a broken list says so once, not at every stop. */
  private reported = '';

  constructor(
    private readonly ctx: SessionContext,
    private readonly evaluate: (text: string, hart: number) => Promise<bigint>,
    /** How an expression prints (an enum by its enumerator), as the Variables view shows it. */
    private readonly show: (text: string, hart: number) => Promise<string>,
    private readonly warn: (line: string) => void,
  ) {}

  /** Which OS the program is: `auto` picks a built-in description whose symbols are all there. */
  configure(setting: 'auto' | 'none' | OsDescription): string | undefined {
    this.invalidate(0);
    this.slots.clear();
    if (setting === 'none') { this.os = undefined; return undefined; }
    if (setting !== 'auto') { this.os = setting; return setting.name; }
    const symbols = this.ctx.debugInfo.symbols;
    this.os = BUILT_IN.find((d) => d.detect.every((s) => symbols.lookup(s) !== undefined));
    return this.os?.name;
  }

  get osName(): string | undefined { return this.os?.name; }

  /** The machine ran (or stopped on `hart`): the list and the contexts are read again when asked for. */
  invalidate(hart: number): void {
    this.tasks = undefined;
    this.contexts.clear();
    this.viaHart = hart;
  }

  static isTaskHart(hart: number): boolean { return hart >= TASK_HART_BASE; }

  /** The tasks as they are now (read once per stop); none without an OS description. */
  async list(harts: readonly HartState[]): Promise<Task[]> {
    if (this.os === undefined) return [];
    if (this.tasks === undefined) {
      this.tasks = await this.read(this.os, harts).catch((e: Error) => { this.report(`${this.os?.name} tasks: ${e.message}`); return []; });
    }
    return this.tasks;
  }

  /** The task behind a task hart (after `list`). */
  taskOf(hart: number): Task | undefined { return this.tasks?.find((t) => t.slot === hart); }

  /** "pid 3 sh (sleeping)", "pid 1 init (running on hart 2)". */
  static label(t: Task): string {
    return `pid ${t.id} ${t.name} (${t.hart !== undefined ? `running on hart ${t.hart}` : t.state})`;
  }

  /**
   * A request as the machine answers it for a task hart: registers from the saved
   * context, memory and translation through the hart that stopped; nothing that would
   * change the machine through a task.
   */
  async route<K extends WorkerRequestBody['type']>(client: MachineRequests, body: Extract<WorkerRequestBody, { type: K }>): Promise<WorkerResults[K]> {
    const hart = (body as { hart?: number }).hart;
    if (hart === undefined || !TaskThreads.isTaskHart(hart)) return client.request(body);
    const task = this.taskOf(hart);
    if (task === undefined) throw new RequestError(`task thread ${hart + 1} is gone (the task list changed)`);
    if (task.hart !== undefined) return client.request({ ...body, hart: task.hart } as typeof body);
    switch (body.type) {
      case 'readRegisters': return this.context(client, task) as Promise<WorkerResults[K]>;
      case 'readCsrs': return (body as { nums: number[] }).nums.map(() => null) as WorkerResults[K];
      case 'readMemory': case 'translate': case 'pageWalk': case 'tlb':
        return client.request({ ...body, hart: this.viaHart } as typeof body);
      default:
        throw new RequestError(`pid ${task.id} ${task.name} is not running: its registers are the context it saved; write them in memory, or step a hart`);
    }
  }

  private context(client: MachineRequests, task: Task): Promise<WorkerResults['readRegisters']> {
    let c = this.contexts.get(task.slot);
    if (c === undefined) {
      c = this.readContext(client, task);
      this.contexts.set(task.slot, c);
    }
    return c;
  }

  private async readContext(client: MachineRequests, task: Task): Promise<WorkerResults['readRegisters']> {
    const os = this.os!;
    const x: bigint[] = new Array<bigint>(32).fill(0n);
    let pc = 0n;
    for (const [reg, expr] of Object.entries(os.context)) {
      const v = await this.evaluate(this.onTask(expr, task.address), this.viaHart)
        .catch((e: Error) => { throw new RequestError(`${os.name}: the saved ${reg} of pid ${task.id} (${expr}): ${e.message}`); });
      if (reg === 'pc') pc = v; else x[CONTEXT_REGISTERS[reg]] = BigInt.asUintN(this.ctx.xlen, v);
    }
    const { priv } = await client.request({ type: 'readRegisters', hart: this.viaHart });
    return { x, pc: BigInt.asUintN(this.ctx.xlen, pc), priv };
  }

  /** `$task` as the task at `address`. */
  private onTask(expr: string, address: bigint): string {
    return expr.replace(/\$task\b/g, `((${this.os!.taskType} *)0x${address.toString(16)})`);
  }

  private async read(os: OsDescription, harts: readonly HartState[]): Promise<Task[]> {
    const via = this.viaHart;
    const addresses = await this.addresses(os, via);
    // Which task each hart runs, by its privilege mode.
    const onHart = new Map<bigint, number>();
    for (const h of harts) {
      const expr = os.running[(['U', 'S', 'M', 'M'] as const)[h.priv] ?? 'M'] ?? os.running.any;
      if (expr === undefined) continue;
      const at = await this.evaluate(expr.replace(/\$hart\b/g, String(h.id)), h.id).catch(() => 0n);
      if (at !== 0n && !onHart.has(at)) onHart.set(at, h.id);
    }
    const tasks: Task[] = [];
    let nextSlot = Math.max(TASK_HART_BASE, ...this.slots.values()) + 1;
    const live = new Set<bigint>();
    for (const address of addresses) {
      const id = Number(BigInt.asIntN(32, await this.evaluate(this.onTask(os.id, address), via)));
      const state = await this.stateOf(os, address, via);
      const name = await this.nameOf(os, address, via);
      let slot = this.slots.get(address);
      if (slot === undefined) { slot = nextSlot++; this.slots.set(address, slot); }
      live.add(address);
      const hart = onHart.get(address);
      tasks.push({ address, id, name, state, slot, ...(hart !== undefined ? { hart } : {}) });
    }
    for (const a of [...this.slots.keys()]) if (!live.has(a)) this.slots.delete(a);
    return tasks;
  }

  /** The tasks' addresses, in the OS's order, bounded and without cycles. */
  private async addresses(os: OsDescription, via: number): Promise<bigint[]> {
    const out: bigint[] = [];
    const t = os.tasks;
    if ('array' in t) {
      const count = Number(await this.evaluate(`sizeof(${t.array}) / sizeof(${t.array}[0])`, via));
      const base = await this.evaluate(`(unsigned long)&${t.array}[0]`, via);
      const size = await this.evaluate(`sizeof(${t.array}[0])`, via);
      for (let i = 0; i < Math.min(count, MAX_TASKS); i++) {
        const address = base + BigInt(i) * size;
        if (t.present === undefined || await this.evaluate(this.onTask(t.present, address), via) !== 0n) out.push(address);
      }
      return out;
    }
    const first = await this.evaluate(`(unsigned long)(${t.list.first})`, via);
    const offset = await this.evaluate(`(unsigned long)&${this.onTask(`$task->${t.list.member}`, first)} - 0x${first.toString(16)}`, via);
    const seen = new Set<bigint>();
    for (let at = first; !seen.has(at);) {
      if (out.length >= MAX_TASKS) { this.report(`${os.name} tasks: more than ${MAX_TASKS}; the list is cut there`); break; }
      seen.add(at);
      out.push(at);
      const next = await this.evaluate(`(unsigned long)${this.onTask(`$task->${t.list.member}.next`, at)}`, via);
      if (next === 0n) { this.report(`${os.name} tasks: the list ends in a null link after pid at 0x${at.toString(16)}`); break; }
      at = BigInt.asUintN(this.ctx.xlen, next - offset);
      if (at !== first && seen.has(at)) { this.report(`${os.name} tasks: the list loops back to 0x${at.toString(16)} without reaching its start`); break; }
    }
    return out;
  }

  private async stateOf(os: OsDescription, address: bigint, via: number): Promise<string> {
    const text = this.onTask(os.state, address);
    if (os.stateNames === undefined) {
      // An enum: its enumerator, as the program names it.
      const shown = await this.show(text, via);
      return /^[A-Za-z_]\w*$/.test(shown) ? shown.toLowerCase() : `state ${shown}`;
    }
    const v = Number(BigInt.asUintN(32, await this.evaluate(text, via)));
    const hit = os.stateNames?.find((s) => ((v & (s.mask ?? 0xffffffff)) >>> 0) === s.value);
    return hit?.name ?? `state 0x${v.toString(16)}`;
  }

  private async nameOf(os: OsDescription, address: bigint, via: number): Promise<string> {
    const at = await this.evaluate(`(unsigned long)(${this.onTask(os.taskName, address)})`, via);
    const r = await this.ctx.machine().request({ type: 'readMemory', hart: via, address: at, count: NAME_BYTES, physical: false });
    const end = r.bytes.indexOf(0);
    return new TextDecoder('utf-8').decode(r.bytes.subarray(0, end < 0 ? r.bytes.length : end));
  }

  /**
   * For a profile: where each hart keeps its task in each mode, as the machine can read it
   * at every sample without the debugger (os `running`): a register or CSR named alone
   * (`$tp`, `$sscratch`), else the expression's address, translated now (`cpus[$hart].proc`).
   */
  async profileSources(harts: readonly HartState[]): Promise<TaskSource[]> {
    const os = this.os;
    if (os === undefined) return [];
    const out: TaskSource[] = [];
    for (const h of harts) {
      for (const priv of [0, 1, 3]) {
        const expr = os.running[(['U', 'S', '', 'M'] as const)[priv] as 'U' | 'S' | 'M'] ?? os.running.any;
        if (expr === undefined) continue;
        const alone = /^\$(\w+)$/.exec(expr.trim())?.[1];
        const reg = alone === undefined ? undefined : registerNumber(alone);
        const csr = alone === undefined ? undefined : csrByName(alone, this.ctx.xlen);
        if (reg !== undefined && reg > 0) { out.push({ hart: h.id, priv, reg }); continue; }
        if (csr !== undefined) { out.push({ hart: h.id, priv, csr: csr.num }); continue; }
        const at = await this.evaluate(`(unsigned long)&(${expr.replace(/\$hart\b/g, String(h.id))})`, h.id).catch(() => undefined);
        const pa = at === undefined ? null : await this.ctx.machine().request({ type: 'translate', hart: h.id, address: at }).catch(() => null);
        if (pa !== null && pa <= BigInt(Number.MAX_SAFE_INTEGER)) out.push({ hart: h.id, priv, pa: Number(pa) });
      }
    }
    return out;
  }

  /** For a profile: each task now, by its address in hex (a sample's `task`), as its thread is named ("pid 3 sh"). */
  async profileNames(harts: readonly HartState[]): Promise<Map<string, string>> {
    this.tasks = undefined; // read afresh: the guest may have run since the last stop
    return new Map((await this.list(harts)).map((t) => [t.address.toString(16), `pid ${t.id} ${t.name}`]));
  }

  private report(line: string): void {
    if (line === this.reported) return;
    this.reported = line;
    this.warn(line);
  }
}
