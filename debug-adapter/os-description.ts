/**
 * What the debugger needs to know of an operating system to list its tasks: a small
 * declarative description, built in for xv6-riscv and Linux 6.1, or a user's own
 * `*.osdev-os.json` (media/os-description.schema.json). Every place in the guest is a C
 * expression over the kernel's own DWARF types (c-eval.ts), so no offset is written by
 * hand: `$task` stands for the task being read, as a `taskType *`; `$hart` for a hart's id.
 */

export interface StateName {
  /** The state matches when (state & mask) == value; mask: all bits. */
  value: number;
  mask?: number;
  name: string;
}

export interface OsDescription {
  /** Shown in messages ("Linux", "xv6-riscv"). */
  name: string;
  /** ELF symbols that must all be there for `os: "auto"` to pick this description. */
  detect: string[];
  /** The C type of a task (`struct proc`, `struct task_struct`). */
  taskType: string;
  /**
   * Where the tasks are: an array of them (`proc`; `present`, non-zero for a slot that
   * holds one: a member alone is read fastest), or a ring through a `struct list_head`-like
   * member (`first` task, the link `member`, as Linux's for_each_process walks init_task.tasks).
   */
  tasks: { array: string; present?: string } | { list: { first: string; member: string } };
  id: string;
  /** A char array or a char pointer. */
  taskName: string;
  /** A number (named by `stateNames`, first match) or an enum (named by its enumerator). */
  state: string;
  stateNames?: StateName[];
  /** The task a hart runs, by the hart's privilege mode ("M", "S", "U", or "any"): a pointer to a task, or 0. */
  running: Partial<Record<'M' | 'S' | 'U' | 'any', string>>;
  /** The registers a context switch saved: `pc` and `sp` at least, and any of ra, gp, tp, s0-s11. */
  context: Record<string, string>;
}

/** xv6-riscv's kernel/proc.h: proc[NPROC], cpus[NCPU], struct context saved by swtch. */
export const XV6: OsDescription = {
  name: 'xv6-riscv',
  detect: ['proc', 'cpus', 'swtch'],
  taskType: 'struct proc',
  tasks: { array: 'proc', present: '$task->state' }, // UNUSED is 0
  id: '$task->pid',
  taskName: '$task->name',
  state: '$task->state',
  running: { any: 'cpus[$hart].proc' },
  context: {
    pc: '$task->context.ra', ra: '$task->context.ra', sp: '$task->context.sp',
    ...Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`s${i}`, `$task->context.s${i}`])),
  },
};

/**
 * Linux 6.1 on RISC-V: every process is on init_task.tasks; a hart in the kernel keeps
 * its task in tp, and in sscratch while in user mode (arch/riscv/kernel/entry.S);
 * __switch_to saves ra, sp and s0-s11 in thread (struct thread_struct). The states as
 * /proc names them (fs/proc/array.c, task_state_array), highest reported bit first.
 */
export const LINUX: OsDescription = {
  name: 'Linux',
  detect: ['init_task', 'linux_banner', '__switch_to'],
  taskType: 'struct task_struct',
  tasks: { list: { first: '&init_task', member: 'tasks' } },
  id: '$task->pid',
  taskName: '$task->comm',
  state: '$task->__state | $task->exit_state',
  stateNames: [
    { value: 0x402, name: 'idle' },
    { value: 0x40, mask: 0x40, name: 'parked' },
    { value: 0x20, mask: 0x20, name: 'zombie' },
    { value: 0x10, mask: 0x10, name: 'dead' },
    { value: 0x08, mask: 0x08, name: 'tracing stop' },
    { value: 0x04, mask: 0x04, name: 'stopped' },
    { value: 0x02, mask: 0x02, name: 'disk sleep' },
    { value: 0x01, mask: 0x01, name: 'sleeping' },
    { value: 0, mask: 0x7f, name: 'running' },
  ],
  running: { S: '$tp', U: '$sscratch' },
  context: {
    pc: '$task->thread.ra', ra: '$task->thread.ra', sp: '$task->thread.sp',
    ...Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`s${i}`, `$task->thread.s[${i}]`])),
  },
};

export const BUILT_IN: readonly OsDescription[] = [LINUX, XV6];

/** Registers a context may name, by their number (x1 ra ... x27 s11). */
export const CONTEXT_REGISTERS: Readonly<Record<string, number>> = {
  ra: 1, sp: 2, gp: 3, tp: 4, s0: 8, s1: 9,
  ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`s${i + 2}`, 18 + i])),
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/** A user's description, checked: every problem named with where it is. */
export function parseOsDescription(json: unknown, source: string): { ok: true; value: OsDescription } | { ok: false; error: string } {
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => { if (!ok) problems.push(what); };
  if (!isObject(json)) return { ok: false, error: `${source}: an OS description is a JSON object` };
  const known = new Set(['$schema', 'name', 'detect', 'taskType', 'tasks', 'id', 'taskName', 'state', 'stateNames', 'running', 'context']);
  for (const k of Object.keys(json)) need(known.has(k), `unknown property "${k}"`);
  need(isText(json.name), '"name" must be a non-empty string');
  need(Array.isArray(json.detect) && json.detect.every(isText), '"detect" must be a list of symbol names');
  for (const k of ['taskType', 'id', 'taskName', 'state'] as const) need(isText(json[k]), `"${k}" must be a C expression (a non-empty string)`);
  const t = json.tasks;
  if (isObject(t) && isText(t.array)) need(t.present === undefined || isText(t.present), '"tasks.present" must be a C expression');
  else if (isObject(t) && isObject(t.list)) {
    need(isText(t.list.first), '"tasks.list.first" must be a C expression for the first task\'s address');
    need(isText(t.list.member), '"tasks.list.member" must name the task\'s list member');
  } else problems.push('"tasks" must be {"array": NAME} or {"list": {"first": EXPR, "member": NAME}}');
  if (json.stateNames !== undefined) {
    need(Array.isArray(json.stateNames) && json.stateNames.every((s) => isObject(s) && Number.isInteger(s.value) && isText(s.name)
      && (s.mask === undefined || Number.isInteger(s.mask))), '"stateNames" must be a list of {"value": N, "mask"?: N, "name": TEXT}');
  }
  const r = json.running;
  need(isObject(r) && Object.keys(r).length > 0 && Object.entries(r).every(([k, v]) => ['M', 'S', 'U', 'any'].includes(k) && isText(v)),
    '"running" must map "M", "S", "U" or "any" to a C expression for the task a hart runs');
  const c = json.context;
  if (!isObject(c)) problems.push('"context" must map registers (pc, sp, ra, s0-s11...) to C expressions');
  else {
    need(isText(c.pc) && isText(c.sp), '"context" must give at least "pc" and "sp"');
    for (const [k, v] of Object.entries(c)) need((k === 'pc' || k in CONTEXT_REGISTERS) && isText(v), `"context.${k}" must be a register (pc, ra, sp, gp, tp, s0-s11) with a C expression`);
  }
  if (problems.length > 0) return { ok: false, error: `${source}: ${problems.join('; ')}` };
  return { ok: true, value: json as unknown as OsDescription };
}
