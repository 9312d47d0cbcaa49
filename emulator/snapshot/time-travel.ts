/**
 * Going back in a debug session (issue 18): Step Back and Reverse Continue as restore to
 * an earlier snapshot and deterministic re-execution.
 *
 * The history is a chain of points, each a cheap snapshot (ram-tracker.ts) with the
 * operation that led to it from the point before: a run (the scheduler, `Machine.step`) or
 * single steps of one hart (`Machine.stepInstruction`). A snapshot is taken at every
 * debugger stop and every `PERIOD` instructions of a long run. Re-executing a point's
 * operation from the point before repeats it exactly (the machine is deterministic, outside
 * input comes from the input queue's log), and `Machine.stopAtRetired` ends it at any
 * instruction count without changing anything before that instruction.
 *
 * Going forward from a past point discards the future: the next operation starts a new
 * branch of history from here. (Refusing would leave the user stuck in the past; keeping
 * both futures would need a tree no view can show.)
 */
import type { Machine } from '../machine/machine';
import { MachineSnapshot, retired } from './machine-snapshot';
import { RamTracker } from './ram-tracker';
import { SnapshotHistory } from './history';
import { SessionInputs } from './session-inputs';
import type { StampedInput } from '../machine/input-events';

/** Instructions between snapshots during a long run. */
export const PERIOD = 10_000_000;
/**
 * Re-executing a run leg to go back, a snapshot is kept every this many instructions, at a
 * round boundary: the next step back near there re-executes at most this much.
 */
export const REFINE = 250_000;
/** How far before the target of a re-execution REFINE snapshots are left. */
export const REFINE_SPAN = 4 * REFINE;

/**
 * During a run, a rolling snapshot every this many milliseconds of running: only the
 * newest is kept (with every PERIOD one), so the first step back after a stop re-executes
 * about this long at most instead of up to PERIOD instructions. Host time, not
 * instructions: what matters is the wait, and a snapshot's cost (a few ms) stays a few
 * percent of the run however fast the guest goes. Where points fall does not change the
 * run (a run cut at a slice boundary resumes unchanged).
 */
export const RECENT_MS = 80;

/** How the machine got from the previous point to this one. */
export type Leg = { kind: 'start' } | { kind: 'run' } | { kind: 'steps'; hart: number; interrupts: boolean };

/**
 * A point of history: where it is, how it was reached, and its snapshot while the history
 * holds it (null once thinned out: the leg is still needed to re-execute through it, the
 * pages are not, and a reference here would keep them alive past the budget).
 */
interface Point { retired: number; snap: MachineSnapshot | null; leg: Leg }

/** A point of history as a replay file keeps it: where it is, and how it was reached from the one before. */
export interface LegTo { retired: number; leg: Leg }

/** Where a reverse continue stopped: at a hit (`hit` says which stop it was) or at the start of history. */
export type BackResult = { kind: 'hit'; retired: number } | { kind: 'start' } | { kind: 'none' };

export class TimeTravel {
  private readonly tracker: RamTracker;
  private readonly points: Point[] = [];
  private readonly history: SnapshotHistory;
  /** The newest point of a run while it is a rolling one (markRun): the next point of the run replaces it. */
  private rolling: Point | null = null;
  /** The session's outside input, replayed when going back (session-inputs.ts). */
  readonly inputs: SessionInputs;

  /** `recorded`: the input of a replay file this session starts from (seed its legs with `follow`). */
  constructor(private readonly m: Machine, budget?: number, recorded?: readonly StampedInput[]) {
    this.inputs = new SessionInputs(m, recorded);
    this.tracker = new RamTracker(m);
    this.history = new SnapshotHistory(budget, (gone) => {
      const p = this.points.find((q) => q.snap === gone);
      if (p !== undefined) p.snap = null;
    });
    this.mark({ kind: 'start' });
  }

  /** The earliest point history reaches. */
  get start(): number { return this.points[0].retired; }
  get now(): number { return retired(this.m); }

  /**
   * Record the point the machine is at, reached by `leg` from the last point. Called at each
   * stop, and every PERIOD instructions while running (between `Machine.step` calls). A
   * point in the past of the last one (after a step back) discards what came after.
   */
  mark(leg: Leg): void {
    const here = retired(this.m);
    while (this.points.length > 1 && this.points[this.points.length - 1].retired > here) this.points.pop();
    this.history.dropAfter(here);
    const last = this.points[this.points.length - 1] as Point | undefined;
    if (last !== undefined && last.retired === here) return;
    const snap = this.tracker.snapshot();
    // Points whose snapshot the history thinned out stay: their legs are still needed to re-execute.
    this.points.push({ retired: here, snap, leg });
    this.history.add(snap);
  }

  /**
   * A point between slices of a run (every RECENT_MS, `rolling`, or every PERIOD instructions).
   * A rolling point that is still the newest gives way to this one: the run leg after it
   * covers both, as a run cut at a slice boundary resumes unchanged. (Its pages shared with
   * later snapshots are then counted by none: the budget is an estimate, history.ts.)
   */
  markRun(rolling: boolean): void {
    const last = this.points[this.points.length - 1];
    // A PERIOD point keeps the rolling one before it: a stop right at it still has one close behind.
    if (rolling && last === this.rolling && this.points.length > 1) {
      this.points.pop();
      this.history.dropAfter(this.points[this.points.length - 1].retired);
    }
    this.rolling = null;
    this.mark({ kind: 'run' });
    if (rolling) this.rolling = this.points[this.points.length - 1];
  }

  /**
   * Before the machine goes forward from where it is: when that is in the past (after going
   * back), the future after it is discarded and here becomes the newest point, reached by
   * the leg it lies on.
   */
  beforeForward(): void {
    const here = retired(this.m);
    const last = this.points[this.points.length - 1];
    this.inputs.forward(here >= last.retired, this.m.inputClock);
    if (here >= last.retired) return;
    let i = this.points.length - 1;
    while (i > 0 && this.points[i].retired > here) i--;
    const leg = this.points[i].retired === here ? null : this.points[i + 1].leg;
    this.points.length = i + 1;
    this.history.dropAfter(here);
    if (leg !== null) this.mark(leg);
  }

  /** Instructions retired at the newest point of history (the present, unless the machine was put back). */
  get newest(): number { return this.points[this.points.length - 1].retired; }

  /**
   * Put the machine at `target` retired instructions (≥ the start of history): restore the
   * last point at or before it and re-execute the legs after it. False when history does not
   * reach that far back.
   */
  goTo(target: number): boolean {
    if (target < this.start) return false;
    let i = this.points.length - 1;
    while (i > 0 && this.points[i].retired > target) i--;
    // The point's snapshot may have been thinned out: go back to one still held.
    while (i > 0 && this.points[i].snap === null) i--;
    this.restore(this.points[i].snap as MachineSnapshot);
    for (let k = i + 1; k < this.points.length && retired(this.m) < target; k++) {
      const added = this.replayLeg(this.points[k].leg, Math.min(target, this.points[k].retired), k);
      k += added;
    }
    return retired(this.m) === target;
  }

  /** One instruction back: the state just before the last instruction retired (by any hart). */
  stepBack(): boolean {
    const here = retired(this.m);
    return here > this.start && this.goTo(here - 1);
  }

  /** Back to the previous recorded point (the previous stop: a line step, a breakpoint). */
  backToPreviousPoint(): boolean {
    const here = retired(this.m);
    let i = this.points.length - 1;
    while (i >= 0 && this.points[i].retired >= here) i--;
    if (i < 0) return false;
    return this.goTo(this.points[i].retired);
  }

  /**
   * Reverse Continue: the last instruction count before now at which `hit()` (breakpoint,
   * data breakpoint, trap filter: whatever the debugger stops on) was true, found by running
   * each leg again from its snapshot, latest leg first, remembering the last hit; the machine
   * is left there. Without a hit, at the start of history. `runLeg` runs the machine forward
   * up to a count with the debugger's stops armed and returns the count of each stop;
   * `stopsHere` says whether the debugger stops where the machine stands (a breakpoint at a
   * pc): a hit exactly at a point where a search window starts, which no run finds, since
   * a run resumed there steps over the breakpoint it stands on.
   */
  reverseContinue(runLeg: (until: number) => number[], stopsHere: () => boolean = () => false): BackResult {
    const here = retired(this.m);
    if (here <= this.start) return { kind: 'none' };
    let end = here;
    for (let i = this.points.length - 1; i >= 0; i--) {
      const from = this.points[i].retired;
      if (from >= end) continue;
      const snap = this.points[i].snap;
      if (snap === null) continue;
      this.restore(snap);
      const atStart = from < here && stopsHere();
      // The legs after point i up to `end`, re-executed with stops armed.
      const hits: number[] = [];
      for (let k = i + 1; k < this.points.length && retired(this.m) < end; k++) {
        const until = Math.min(end, this.points[k].retired);
        if (this.points[k].leg.kind === 'run') hits.push(...runLeg(until).filter((n) => n < end));
        else this.replayLeg(this.points[k].leg, until);
      }
      const last = hits.length > 0 ? Math.max(...hits) : atStart ? from : undefined;
      if (last !== undefined && this.goTo(last)) return { kind: 'hit', retired: last };
      end = from;
    }
    this.goTo(this.start);
    return { kind: 'start' };
  }

  private restore(s: MachineSnapshot): void {
    this.inputs.beforeRestore();
    this.tracker.restore(s);
    this.inputs.afterRestore(this.m.inputClock);
  }

  /**
   * How the machine got from the start of history to where it stands now, leg by leg (a
   * replay file): the points up to here, and the part of the leg here lies on.
   */
  legsToHere(): LegTo[] {
    const here = retired(this.m);
    const out: LegTo[] = [];
    for (let k = 1; k < this.points.length && this.points[k - 1].retired < here; k++) {
      out.push({ retired: Math.min(here, this.points[k].retired), leg: this.points[k].leg });
    }
    return out;
  }

  /**
   * A replay file's legs as this history's (it starts at the file's start): points without
   * snapshots, re-executed by the next goTo, which leaves snapshots along the way.
   */
  follow(legs: readonly LegTo[]): void {
    for (const l of legs) if (l.retired > this.newest) this.points.push({ retired: l.retired, snap: null, leg: l.leg });
  }

  /**
   * Repeat a leg up to `until` retired instructions, no debugger stops armed. With `at` (the
   * index of the point the leg leads to), a run leg leaves a point every REFINE instructions
   * at round boundaries — a round boundary is where a run may be cut and resumed without
   * changing it — inserted before `at`; returns how many were inserted.
   */
  private replayLeg(leg: Leg, until: number, at?: number): number {
    const m = this.m;
    if (leg.kind === 'steps') {
      for (let guard = 0; retired(m) < until && guard < 10_000_000; guard++) {
        const r = m.stepInstruction(leg.hart, leg.interrupts);
        m.harts[leg.hart].hitBreakpoint = false;
        if (r.kind !== 'budget') break;
      }
      return 0;
    }
    let inserted = 0;
    let lastKept = retired(m);
    const saved = { harts: m.harts.map((h) => [h.breakpoints, h.watch, h.onTrap] as const), dma: m.dram.dmaWatch };
    for (const h of m.harts) { h.breakpoints = null; h.watch = null; h.onTrap = null; h.flushTlb(); }
    m.dram.dmaWatch = null;
    m.stopAtRetired = until;
    try {
      for (let guard = 0; retired(m) < until && guard < 1_000_000; guard++) {
        const r = m.step(at === undefined ? Math.max(1, until - retired(m)) : Math.max(1, Math.min(until - retired(m), REFINE)));
        if (r.kind !== 'budget') break;
        const n = retired(m);
        // step returned at a round boundary unless it stopped at `until` itself.
        // Only near the target: the next step backs go there, and a snapshot each REFINE all the way would cost the first one more than its re-execution.
        if (at !== undefined && n < until && n - lastKept >= REFINE && until - n <= REFINE_SPAN) {
          const snap = this.tracker.snapshot();
          // The point first: the history may thin this very snapshot out, and then the point lets it go.
          this.points.splice(at + inserted, 0, { retired: n, snap, leg: { kind: 'run' } });
          this.history.insert(snap);
          inserted++;
          lastKept = n;
        }
      }
    } finally {
      m.stopAtRetired = null;
      m.harts.forEach((h, i) => { [h.breakpoints, h.watch, h.onTrap] = saved.harts[i]; h.flushTlb(); });
      m.dram.dmaWatch = saved.dma;
    }
    return inserted;
  }
}
