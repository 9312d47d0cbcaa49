/**
 * Raw samples and pcs from the machine (emulator/machine/profiler.ts) attributed to
 * functions and lines through the debug-info service: a Chrome DevTools `.cpuprofile`
 * (what VS Code's profile viewer opens as a table and a flame graph) and lcov line
 * coverage. No I/O: the CLI reaches it through profile-main.ts, the
 * debug session through custom-handler.ts.
 */
import type { RawCoverage, RawProfile } from '../emulator';
import { DebugInfo } from './debug-info';
import { DwarfError } from './dwarf-reader';
import type { SourceFrame } from './dwarf-scopes';

/** Chrome DevTools Protocol Profiler.CallFrame (lineNumber and columnNumber 0-based). */
export interface CallFrame { functionName: string; scriptId: string; url: string; lineNumber: number; columnNumber: number }
/** Profiler.ProfileNode; positionTicks' lines are 1-based, as V8 writes them. */
export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount: number;
  children: number[];
  positionTicks?: { line: number; ticks: number }[];
}
/** Profiler.Profile: times in microseconds. */
export interface CpuProfile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

const MODE_NAMES: Record<number, string> = { 0: 'U-mode', 1: 'S-mode', 3: 'M-mode' };

/** One level of a sample's stack, outermost first: a frame's identity as the profile shows it. */
interface Level { name: string; url: string; line: number }

/**
 * The stack a sample stands for, outermost first: its mode, its task (when the OS is known), its hart, the function at the
 * pc and the functions inlined into it there (each at its declaration). A full unwind per
 * sample is left out: the profile answers "which code", the call stack's job is the
 * debugger's. `line` is the pc's own source line, for positionTicks.
 */
function stackOf(info: DebugInfo, hart: number, priv: number, pc: bigint, task: string | undefined): { levels: Level[]; line: number | undefined } {
  const levels: Level[] = [
    { name: MODE_NAMES[priv] ?? `mode ${priv}`, url: '', line: -1 },
    ...(task !== undefined ? [{ name: task, url: '', line: -1 }] : []),
    { name: `hart ${hart}`, url: '', line: -1 },
  ];
  const row = info.lines.at(pc);
  const frames = framesOr(info, pc);
  if (frames.length > 0) {
    for (const f of [...frames].reverse()) {
      const decl = info.declaredAt(f.die);
      levels.push({ name: f.name, url: decl.file ?? '', line: decl.line === undefined ? -1 : decl.line - 1 });
    }
  } else {
    // No DWARF here (assembly, a firmware without debug info): the ELF symbol, else one node for every unknown pc.
    const sym = info.symbols.at(pc);
    levels.push({ name: sym?.name ?? '(no symbol)', url: sym !== undefined ? row?.file ?? '' : '', line: -1 });
  }
  return { levels, line: row?.line };
}

/** The frames at `pc`; none where its unit's DWARF is broken (the ELF symbol names the sample then). */
function framesOr(info: DebugInfo, pc: bigint): SourceFrame[] {
  try {
    return info.sourceFrames(pc);
  } catch (e) {
    if (e instanceof DwarfError) return [];
    throw e;
  }
}

function micros(clock: number, ips: number): number { return Math.round(clock * 1e6 / ips); }

/**
 * The profile of `raw`: samples ordered by clock, then hart (deterministic whatever order
 * the harts' turns took); each time delta is the guest time between two samples at the
 * machine's nominal rate, so it comes from instruction counts, never the host clock.
 */
/** What a profile or coverage could not keep, in words; empty when it kept everything. */
export function lossNotes(profile: RawProfile | null, coverage: RawCoverage | null): string[] {
  const notes: string[] = [];
  if (profile !== null && profile.dropped > 0) notes.push(`profile: ${profile.dropped} samples past the first ${profile.samples.length} were not kept (raise the rate)`);
  if (coverage !== null && coverage.dropped > 0) notes.push(`coverage: ${coverage.dropped} runs of pcs past the first ${coverage.pcs.length} distinct ones were not counted`);
  return notes;
}

/**
 * `tasks`: task names by the address a sample's `task` holds (the tasks alive when the
 * profile stopped); a task gone by then is named by its address.
 */
export function buildCpuProfile(info: DebugInfo, raw: RawProfile, tasks?: ReadonlyMap<string, string>): CpuProfile {
  const nodes: ProfileNode[] = [{ id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, hitCount: 0, children: [] }];
  const childIndex = new Map<string, number>();
  const scripts = new Map<string, string>();
  const ticks = new Map<number, Map<number, number>>();
  const scriptId = (url: string) => {
    let id = scripts.get(url);
    if (id === undefined) { id = String(scripts.size + 1); scripts.set(url, id); }
    return url === '' ? '0' : id;
  };
  const child = (parent: number, l: Level): number => {
    const key = `${parent}\u0000${l.name}\u0000${l.url}\u0000${l.line}`;
    let id = childIndex.get(key);
    if (id === undefined) {
      id = nodes.length + 1;
      nodes.push({ id, callFrame: { functionName: l.name, scriptId: scriptId(l.url), url: l.url, lineNumber: l.line, columnNumber: l.line < 0 ? -1 : 0 }, hitCount: 0, children: [] });
      nodes[parent - 1].children.push(id);
      childIndex.set(key, id);
    }
    return id;
  };
  const ordered = [...raw.samples].sort((a, b) => a.clock - b.clock || a.hart - b.hart);
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  const startTime = micros(raw.startClock, raw.instructionsPerSecond);
  let last = startTime;
  const leafByPc = new Map<string, { leaf: number; line: number | undefined }>();
  for (const s of ordered) {
    const task = s.task === undefined || tasks === undefined ? undefined : tasks.get(s.task) ?? `task 0x${s.task}`;
    const key = `${s.hart}:${s.priv}:${s.pc}:${task ?? ''}`;
    let at = leafByPc.get(key);
    if (at === undefined) {
      const { levels, line } = stackOf(info, s.hart, s.priv, BigInt(`0x${s.pc}`), task);
      let id = 1;
      for (const l of levels) id = child(id, l);
      at = { leaf: id, line };
      leafByPc.set(key, at);
    }
    nodes[at.leaf - 1].hitCount++;
    if (at.line !== undefined) {
      let lines = ticks.get(at.leaf);
      if (lines === undefined) { lines = new Map(); ticks.set(at.leaf, lines); }
      lines.set(at.line, (lines.get(at.line) ?? 0) + 1);
    }
    const t = micros(s.clock, raw.instructionsPerSecond);
    samples.push(at.leaf);
    timeDeltas.push(t - last);
    last = t;
  }
  for (const [id, lines] of ticks) {
    nodes[id - 1].positionTicks = [...lines].sort((a, b) => a[0] - b[0]).map(([line, n]) => ({ line, ticks: n }));
  }
  return { nodes, startTime, endTime: Math.max(last, micros(raw.endClock, raw.instructionsPerSecond)), samples, timeDeltas };
}

/**
 * lcov of `raw`: for every source file of the line table, each line holding a statement
 * (DA:line,0 when none of its code ran), and each line that ran with how many times its
 * most-run instruction ran (gcov's count for a line of straight code). Lines are found
 * as the debugger finds them (dwarf-line.ts `at`), files sorted, lines ascending.
 */
export function buildLcov(info: DebugInfo, raw: RawCoverage): string {
  const byFile = new Map<string, Map<number, number>>();
  const lineMap = (file: string) => {
    let m = byFile.get(file);
    if (m === undefined) { m = new Map(); byFile.set(file, m); }
    return m;
  };
  for (const r of info.lines.rows) {
    if (r.isStmt && !r.endSequence && r.line > 0) {
      const m = lineMap(r.file);
      if (!m.has(r.line)) m.set(r.line, 0);
    }
  }
  for (const [pcText, n] of raw.pcs) {
    const row = info.lines.at(BigInt(`0x${pcText}`));
    if (row === undefined || row.line <= 0) continue;
    const m = lineMap(row.file);
    m.set(row.line, Math.max(m.get(row.line) ?? 0, n));
  }
  const out: string[] = [];
  for (const file of [...byFile.keys()].sort()) {
    const lines = [...(byFile.get(file) as Map<number, number>)].sort((a, b) => a[0] - b[0]);
    out.push('TN:', `SF:${file}`);
    for (const [line, n] of lines) out.push(`DA:${line},${n}`);
    out.push(`LH:${lines.filter(([, n]) => n > 0).length}`, `LF:${lines.length}`, 'end_of_record');
  }
  return `${out.join('\n')}\n`;
}
