/**
 * What the program's DWARF says is in scope at a pc (DWARF 5 §3.3, §3.4, §3.5): the
 * function, the functions inlined into it at that pc (each a frame of its own, as gdb
 * shows them, called from the line in DW_AT_call_line), and per frame its arguments and
 * the locals of every lexical block that holds the pc, innermost block first.
 */
import { Die, DW_AT, DW_TAG, DwarfInfo } from './dwarf-dies';
import { evaluateLocation, ExprContext, expressionAt, frameBase, singleRegister } from './dwarf-expr';

export interface SourceFrame {
  /** The subprogram or inlined_subroutine DIE; names and types come through its abstract origin. */
  die: Die;
  /** The out-of-line function the code belongs to: where the frame base comes from. */
  function: Die;
  name: string;
  inlined: boolean;
  /** For an inlined frame: the line of its caller it was inlined at (DW_AT_call_file/line). */
  callLine?: number;
  callFile?: number;
}

export interface FrameVariables {
  arguments: Die[];
  locals: Die[];
  /** Both, in gdb's order: innermost block first, and in the function's own block, declaration order. */
  ordered: Die[];
}

/** Blocks nested deeper than this are not a program a compiler made. */
const MAX_NESTING = 256;

/**
 * The frames at `pc`, innermost first: inlined subroutines, then the function holding
 * them. Empty when no unit describes the pc.
 */
export function framesAt(info: DwarfInfo, pc: bigint): SourceFrame[] {
  const unit = info.unitForPc(pc);
  if (unit === undefined) return [];
  const root = unit.root();
  const fn = topFunctionAt(root, pc) ?? findDeep(root, pc);
  if (fn === undefined) return [];
  const chain: Die[] = [fn];
  let scope = fn;
  for (let depth = 0; depth < MAX_NESTING; depth++) {
    const inner = scope.children.find((c) => (c.tag === DW_TAG.lexicalBlock || c.tag === DW_TAG.inlinedSubroutine) && c.covers(pc));
    if (inner === undefined) break;
    if (inner.tag === DW_TAG.inlinedSubroutine) chain.push(inner);
    scope = inner;
  }
  return chain.reverse().map((d) => ({
    die: d, function: fn, name: d.name ?? '??', inlined: d.tag === DW_TAG.inlinedSubroutine,
    ...(d.tag === DW_TAG.inlinedSubroutine ? { callLine: d.number(DW_AT.callLine), callFile: d.number(DW_AT.callFile) } : {}),
  }));
}

/** Where an inlined copy begins, as gdb 13 takes it: the start of its first non-empty range (GCC lists empty ones for views). */
export function entryOf(d: Die): bigint | undefined {
  return d.ranges().find(([lo, hi]) => hi > lo)?.[0];
}

/**
 * How many of the innermost frames at `pc` are inlined calls that start there, which gdb
 * hides (skip_inline_frames): a stop at the first instruction of an inlined call shows the
 * caller at the call site, and a step in enters the call without running. A block starts
 * at `pc` when it is its entry or when the instruction before is not in it.
 */
export function inlinedCallsStartingAt(frames: readonly SourceFrame[], pc: bigint): number {
  let n = 0;
  while (n < frames.length && frames[n].inlined && (entryOf(frames[n].die) === pc || !frames[n].die.covers(pc - 1n))) n++;
  return n;
}

/** The unit's top-level function holding `pc`: by its ranges, sorted once per unit (a kernel unit has thousands). */
function topFunctionAt(root: Die, pc: bigint): Die | undefined {
  let index = functionRanges.get(root);
  if (index === undefined) {
    index = [];
    for (const d of root.children) if (d.tag === DW_TAG.subprogram) for (const [lo, hi] of d.ranges()) if (hi > lo) index.push({ lo, hi, fn: d });
    index.sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
    functionRanges.set(root, index);
  }
  let lo = 0, hi = index.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (index[mid].lo <= pc) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  // Functions do not overlap; a few entries back covers a function's pieces that start below another's.
  for (let i = found; i >= 0 && i > found - 8; i--) if (pc < index[i].hi) return index[i].fn;
  return undefined;
}
const functionRanges = new WeakMap<Die, { lo: bigint; hi: bigint; fn: Die }[]>();

/** A subprogram nested below the unit's top level (a C++ namespace or class): the first that holds the pc. */
function findDeep(root: Die, pc: bigint): Die | undefined {
  const queue = [...root.children];
  for (let n = 0; n < queue.length && n < 1_000_000; n++) {
    const d = queue[n];
    if (d.tag === DW_TAG.subprogram && d.covers(pc)) return d;
    if (d.tag !== DW_TAG.subprogram) queue.push(...d.children);
  }
  return undefined;
}

/**
 * The arguments of `frame` and the locals in scope at `pc`: the variables of every
 * lexical block holding the pc, innermost block first (gdb's `info locals` order),
 * stopping at inlined subroutines, which are frames of their own.
 */
export function variablesAt(frame: SourceFrame, pc: bigint): FrameVariables {
  const args = frame.die.children.filter((c) => c.tag === DW_TAG.formalParameter);
  const blocks: Die[] = [frame.die];
  let scope = frame.die;
  for (let depth = 0; depth < MAX_NESTING; depth++) {
    const inner = scope.children.find((c) => c.tag === DW_TAG.lexicalBlock && c.covers(pc));
    if (inner === undefined) break;
    blocks.push(inner);
    scope = inner;
  }
  const locals: Die[] = [];
  const ordered: Die[] = [];
  for (const b of blocks.reverse()) {
    for (const c of [...b.children, ...abstractStatics(b)]) {
      const isLocal = c.tag === DW_TAG.variable && c.name !== undefined;
      if (isLocal) locals.push(c);
      if (isLocal || c.tag === DW_TAG.formalParameter) ordered.push(c);
    }
  }
  return { arguments: args, locals, ordered };
}

/**
 * Variables of an inlined function that only its abstract instance holds: GCC writes a
 * static local (`__func__`) once there, not in each inlined copy; gdb shows it in each.
 */
function abstractStatics(scope: Die): Die[] {
  if (scope.tag !== DW_TAG.inlinedSubroutine) return [];
  const abstract = scope.origin();
  if (abstract === undefined) return [];
  const concrete = new Set(scope.children.map((c) => c.origin()).filter((d): d is Die => d !== undefined));
  return abstract.children.filter((c) => c.tag === DW_TAG.variable && c.has(DW_AT.location) && !concrete.has(c));
}

/** Every named global and file-level static variable with storage, from the name index (DwarfInfo.globalVariables); each one's unit is parsed as it is reached. */
export function* globals(info: DwarfInfo): Generator<Die> {
  for (const offset of info.globalVariables().values()) {
    const d = info.dieAt(offset);
    if (d !== undefined) yield d;
  }
}

/** Call sites by return address, per unit (DWARF 5 §3.4.1; GCC's DWARF 4 DW_TAG_GNU_call_site keeps it in low_pc). */
const callSites = new WeakMap<Die, Map<bigint, Die>>();
const CALL_SITE = new Set<number>([DW_TAG.callSite, DW_TAG.GNUcallSite]);
const CALL_SITE_PARAMETER = new Set<number>([0x49, 0x410a]);
const CALL_VALUE = [0x7e, 0x2111]; // DW_AT_call_value, DW_AT_GNU_call_site_value

function callSiteAt(info: DwarfInfo, returnPc: bigint): Die | undefined {
  // The call sites of the function that holds the call: its subtree only, not its whole unit.
  const fn = framesAt(info, returnPc - 1n).at(-1)?.function;
  if (fn === undefined) return undefined;
  let sites = callSites.get(fn);
  if (sites === undefined) {
    sites = new Map();
    const queue = [...fn.children];
    for (let n = 0; n < queue.length && n < 1_000_000; n++) {
      const d = queue[n];
      if (CALL_SITE.has(d.tag)) {
        const ret = d.attr(0x7d) ?? d.attr(DW_AT.lowPc); // DW_AT_call_return_pc
        if (ret?.k === 'addr') sites.set(ret.v, d);
      } else if (d.tag !== DW_TAG.subprogram) queue.push(...d.children);
    }
    callSites.set(fn, sites);
  }
  return sites.get(returnPc);
}

/** A frame gdb rebuilds from tail calls: a function that ended in a jump to the next, and where that jump returns to. */
export interface TailFrame { fn: Die; pc: bigint }

/** Tail-call chains longer than this, or more of them than MAX_TAIL_PATHS, are not followed. */
const MAX_TAIL_DEPTH = 8;
const MAX_TAIL_PATHS = 16;

/**
 * The functions that ended in tail calls between a caller and its callee, innermost
 * first, as gdb rebuilds them (DWARF 5 §3.4.2, DW_AT_call_tail_call): the caller's call
 * site at `returnPc` called a function other than `callee`, which can only have reached
 * the callee through tail calls; the chains of tail-call sites from it to the callee,
 * followed through `definition` (a call's origin may be a declaration), give the frames.
 * When several chains fit, only the ends they share are shown (gdb's rule).
 */
export function tailCallers(info: DwarfInfo, returnPc: bigint, callee: Die, definition: (d: Die) => Die | undefined): TailFrame[] {
  const site = callSiteAt(info, returnPc);
  const origin = site?.ref(0x7f) ?? site?.ref(DW_AT.abstractOrigin);
  const target = origin === undefined ? undefined : definition(origin);
  if (target === undefined || target === callee) return [];
  const paths: TailFrame[][] = [];
  const walk = (fn: Die, path: TailFrame[]): void => {
    if (paths.length >= MAX_TAIL_PATHS || path.length >= MAX_TAIL_DEPTH) return;
    for (const s of tailSitesOf(fn)) {
      const next = (s.ref(0x7f) ?? s.ref(DW_AT.abstractOrigin));
      const def = next === undefined ? undefined : definition(next);
      const ret = s.attr(0x7d) ?? s.attr(DW_AT.lowPc);
      if (def === undefined || ret?.k !== 'addr' || path.some((f) => f.fn === def)) continue;
      const step = [...path, { fn, pc: ret.v }];
      if (def === callee) paths.push(step); else walk(def, step);
    }
  };
  walk(target, []);
  if (paths.length === 0) return [];
  // What every chain shares: from the caller's side and from the callee's.
  const shared = (a: TailFrame[], b: TailFrame[]) => { let n = 0; while (n < a.length && n < b.length && a[n].fn === b[n].fn && a[n].pc === b[n].pc) n++; return n; };
  const first = paths[0];
  const prefix = Math.min(...paths.map((p) => shared(first, p)));
  const reversed = paths.map((p) => [...p].reverse());
  const suffix = Math.min(...reversed.map((p) => shared(reversed[0], p)));
  const frames = prefix === first.length ? first : [...first.slice(0, prefix), ...first.slice(first.length - Math.min(suffix, first.length - prefix))];
  return frames.reverse();
}

/** A function's call sites that are tail calls (DW_AT_call_tail_call; GCC's DWARF 4 GNU_tail_call). */
function tailSitesOf(fn: Die): Die[] {
  let found = tailSites.get(fn);
  if (found === undefined) {
    found = [];
    const queue = [...fn.children];
    for (let n = 0; n < queue.length && n < 100_000; n++) {
      const d = queue[n];
      if (CALL_SITE.has(d.tag) && (d.flag(0x82) || d.flag(0x2115))) found.push(d);
      if (d.tag !== DW_TAG.subprogram) queue.push(...d.children);
    }
    tailSites.set(fn, found);
  }
  return found;
}
const tailSites = new WeakMap<Die, Die[]>();

/** The caller's side of a frame: its registers and memory, and the pc the call returns to. */
export interface CallerContext {
  ctx: ExprContext;
  returnPc: bigint;
  /** The function whose entry values are asked for: a call site that called another is no witness. */
  callee?: Die;
}

/**
 * The value register `reg` held when the current function was entered, as the caller's
 * call site describes it (DW_TAG_call_site_parameter, DW_AT_call_value evaluated in the
 * caller's frame): what gdb shows as `param@entry`.
 */
export function entryRegisterValue(info: DwarfInfo, reg: number, caller: CallerContext): bigint | undefined {
  const site = callSiteAt(info, caller.returnPc);
  if (site === undefined) return undefined;
  // The call went to another function, which ended in a tail call to this one
  // (DW_AT_call_origin, DWARF 5 §3.4.1): its parameters are not this function's.
  const target = site.ref(0x7f) ?? site.ref(DW_AT.abstractOrigin);
  if (caller.callee !== undefined && target?.name !== undefined && target.name !== caller.callee.name) return undefined;
  const param = site.children.find((c) => {
    if (!CALL_SITE_PARAMETER.has(c.tag)) return false;
    const loc = c.attr(DW_AT.location);
    return loc?.k === 'bytes' && singleRegister(loc.v) === reg;
  });
  const valueAttr = param === undefined ? undefined : CALL_VALUE.map((a) => param.attr(a)).find((v) => v !== undefined);
  if (valueAttr?.k !== 'bytes') return undefined;
  const callerFrame = framesAt(info, caller.returnPc - 1n)[0];
  const ctx: ExprContext = callerFrame === undefined ? caller.ctx
    : { ...caller.ctx, frameBase: () => frameBase(callerFrame.function, caller.returnPc - 1n, caller.ctx) };
  try {
    const loc = evaluateLocation(valueAttr.v, site.unit, ctx);
    if (loc.kind === 'memory') return loc.address; // a value expression leaves its value on the stack
    if (loc.kind === 'value') return loc.value;
    if (loc.kind === 'register') return caller.ctx.reg(loc.reg);
  } catch {
    return undefined;
  }
  return undefined;
}

/** The register a parameter arrives in: its location at the function's first instruction, when that is a register. */
export function entryRegister(param: Die, fn: Die): number | undefined {
  const ranges = fn.ranges();
  if (ranges.length === 0) return undefined;
  const entry = ranges.reduce((lo, r) => (r[0] < lo ? r[0] : lo), ranges[0][0]);
  const holder = param.inherited(DW_AT.location);
  if (holder === undefined) return undefined;
  try {
    const expr = expressionAt(holder, DW_AT.location, entry);
    return expr === undefined ? undefined : singleRegister(expr);
  } catch {
    return undefined;
  }
}
