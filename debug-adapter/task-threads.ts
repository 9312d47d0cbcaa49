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
import { HartRouter, littleEndian, MachineRequests, RequestError, SessionContext } from './session-context';
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


/**
 * Where a field of the task lies, for an expression that only names members
 * (`$task->pid`, `$task->__state | $task->exit_state`): read from the task's own bytes,
 * one memory read per task, instead of a C evaluation per field and task. Found once per
 * session on the first task, by the same C evaluator.
 */
interface Place { offset: number; size: number }

const MEMBER_PATH = /^\$task->[A-Za-z_]\w*(?:(?:\.|->)[A-Za-z_]\w*|\[\d+\])*$/;

class TaskLayout {
  /** By expression: its members' places (ORed), or undefined when it must be evaluated. */
  private readonly places = new Map<string, Place[] | undefined>();
  /** The bytes of a task every place lies in: [lo, hi). */
  lo = Infinity;
  hi = -Infinity;

  /** Learn `expr`'s places on the task at `sample` (a char array's too, when `name`). */
  async learn(expr: string, sample: bigint, onTask: (e: string) => string, evaluate: (t: string) => Promise<bigint>, name = false): Promise<void> {
    const parts = expr.split('|').map((p) => p.trim());
    if (!parts.every((p) => MEMBER_PATH.test(p)) || (name && parts.length > 1) || parts.some((p) => p.slice('$task->'.length).includes('->'))) { this.places.set(expr, undefined); return; }
    const found: Place[] = [];
    for (const part of parts) {
      const at = await evaluate(`(unsigned long)&(${onTask(part)})`).catch(() => undefined);
      const size = await evaluate(`sizeof(${onTask(part)})`).catch(() => undefined);
      // A name must be an array in the task (decaying to its own address), not a pointer to one elsewhere.
      const decays = name ? await evaluate(`(unsigned long)(${onTask(part)})`).catch(() => undefined) : at;
      if (at === undefined || size === undefined || decays !== at || at < sample || at - sample > 1n << 20n || size > 256n) { this.places.set(expr, undefined); return; }
      found.push({ offset: Number(at - sample), size: Number(size) });
    }
    this.places.set(expr, found);
    for (const p of found) { this.lo = Math.min(this.lo, p.offset); this.hi = Math.max(this.hi, p.offset + p.size); }
  }

  /** The expression's value from the task's bytes (read from `lo`): little-endian, ORed. */
  value(expr: string, bytes: Uint8Array): bigint | undefined {
    const places = this.places.get(expr);
    if (places === undefined) return undefined;
    let v = 0n;
    for (const p of places) {
      if (p.offset - this.lo + p.size > bytes.length) return undefined;
      v |= littleEndian(bytes.subarray(p.offset - this.lo, p.offset - this.lo + p.size));
    }
    return v;
  }

  /** A char array's text up to its NUL. */
  text(expr: string, bytes: Uint8Array): string | undefined {
    const p = this.places.get(expr)?.[0];
    if (p === undefined || p.offset - this.lo + p.size > bytes.length) return undefined;
    const b = bytes.subarray(p.offset - this.lo, p.offset - this.lo + p.size);
    const end = b.indexOf(0);
    return new TextDecoder('utf-8').decode(b.subarray(0, end < 0 ? b.length : end));
  }
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
    this.layout = undefined;
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
    const t = os.tasks;
    const first = await this.evaluate('array' in t ? `(unsigned long)&${t.array}[0]` : `(unsigned long)(${t.list.first})`, via);
    const layout = await this.layoutFor(os, first, via);
    // Each task's bytes in one read; a field the layout does not cover is evaluated.
    const bytes = new Map<bigint, Uint8Array>();
    const field = async (expr: string, at: bigint): Promise<bigint> => {
      let b = bytes.get(at);
      if (b === undefined && layout.lo < layout.hi) {
        b = (await this.ctx.machine().request({ type: 'readMemory', hart: via, address: at + BigInt(layout.lo), count: layout.hi - layout.lo, physical: false })).bytes;
        bytes.set(at, b);
      }
      return (b === undefined ? undefined : layout.value(expr, b)) ?? this.evaluate(this.onTask(expr, at), via);
    };
    const addresses = await this.addresses(os, first, via, field);
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
      const id = Number(BigInt.asIntN(32, await field(os.id, address)));
      const state = os.stateNames === undefined ? await this.enumState(os, address, via) : this.stateName(os, await field(os.state, address));
      const b = bytes.get(address);
      const name = (b === undefined ? undefined : layout.text(os.taskName, b)) ?? await this.nameOf(os, address, via);
      let slot = this.slots.get(address);
      if (slot === undefined) { slot = nextSlot++; this.slots.set(address, slot); }
      live.add(address);
      const hart = onHart.get(address);
      tasks.push({ address, id, name, state, slot, ...(hart !== undefined ? { hart } : {}) });
    }
    for (const a of [...this.slots.keys()]) if (!live.has(a)) this.slots.delete(a);
    return tasks;
  }

  /** Where the description's fields lie in a task, learnt once on the first task (TaskLayout). */
  private async layoutFor(os: OsDescription, sample: bigint, via: number): Promise<TaskLayout> {
    if (this.layout === undefined) {
      const l = new TaskLayout();
      const on = (e: string) => this.onTask(e, sample);
      const ev = (text: string) => this.evaluate(text, via);
      await l.learn(os.id, sample, on, ev);
      if (os.stateNames !== undefined) await l.learn(os.state, sample, on, ev);
      await l.learn(os.taskName, sample, on, ev, true);
      if ('list' in os.tasks) await l.learn(this.nextOf(os.tasks.list.member), sample, on, ev);
      else if (os.tasks.present !== undefined) await l.learn(os.tasks.present, sample, on, ev);
      this.layout = l;
    }
    return this.layout;
  }
  private layout: TaskLayout | undefined;

  private nextOf(member: string): string { return `$task->${member}.next`; }

  /** The tasks' addresses, in the OS's order, bounded and without cycles. */
  private async addresses(os: OsDescription, first: bigint, via: number, field: (expr: string, at: bigint) => Promise<bigint>): Promise<bigint[]> {
    const out: bigint[] = [];
    const t = os.tasks;
    if ('array' in t) {
      const count = Number(await this.evaluate(`sizeof ${t.array} / sizeof ${t.array}[0]`, via));
      const size = await this.evaluate(`sizeof ${t.array}[0]`, via);
      for (let i = 0; i < Math.min(count, MAX_TASKS); i++) {
        const address = first + BigInt(i) * size;
        if (t.present === undefined || await field(t.present, address) !== 0n) out.push(address);
      }
      return out;
    }
    const offset = await this.evaluate(`(unsigned long)&${this.onTask(`$task->${t.list.member}`, first)} - 0x${first.toString(16)}`, via);
    const seen = new Set<bigint>();
    for (let at = first; !seen.has(at);) {
      if (out.length >= MAX_TASKS) { this.report(`${os.name} tasks: more than ${MAX_TASKS}; the list is cut there`); break; }
      seen.add(at);
      out.push(at);
      const next = BigInt.asUintN(this.ctx.xlen, await field(this.nextOf(t.list.member), at));
      if (next === 0n) { this.report(`${os.name} tasks: the list ends in a null link after pid at 0x${at.toString(16)}`); break; }
      at = BigInt.asUintN(this.ctx.xlen, next - offset);
      if (at !== first && seen.has(at)) { this.report(`${os.name} tasks: the list loops back to 0x${at.toString(16)} without reaching its start`); break; }
    }
    return out;
  }

  /** An enum state: its enumerator, as the program names it. */
  private async enumState(os: OsDescription, address: bigint, via: number): Promise<string> {
    const shown = await this.show(this.onTask(os.state, address), via);
    return /^[A-Za-z_]\w*$/.test(shown) ? shown.toLowerCase() : `state ${shown}`;
  }

  private stateName(os: OsDescription, value: bigint): string {
    const v = Number(BigInt.asUintN(32, value));
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
