/**
 * Step Back and Reverse Continue for the debugger's worker (issue 18), on top of
 * snapshot/time-travel.ts and the DebugController's stops: the worker tells it what each
 * forward operation was and when the machine stopped; going back answers with the stop
 * the debugger shows.
 */
import type { Machine } from './machine';
import { DebugController, hartPc, RunOutcome } from './debug-surface';
import { DebugStop } from './debug-protocol';
import { Leg, LegTo, PERIOD, RECENT_MS, TimeTravel } from '../snapshot/time-travel';
import { retired } from '../snapshot/machine-snapshot';
import type { StampedInput } from './input-events';

/** Instructions a line step back goes at most (a line that ran longer stops there, as a forward line step is bounded). */
const MAX_LINE_BACK = 10_000;

export class ReverseDebugger {
  private readonly tt: TimeTravel;
  /** The operation running now, recorded as the leg to the next stop. */
  private leg: Leg = { kind: 'run' };
  private lastMark = 0;
  /** When (host ms) the last point of a run was taken (TimeTravel.markRun). */
  private lastRecentMs = performance.now();

  /** `replay`: a replay file's input and legs, this session's history from its start (see `replayTo`). */
  constructor(private readonly m: Machine, private readonly control: DebugController, budget?: number, replay?: { inputs: readonly StampedInput[]; legs: readonly LegTo[] }) {
    this.tt = new TimeTravel(m, budget, replay?.inputs);
    if (replay !== undefined) this.tt.follow(replay.legs);
    this.lastMark = retired(m);
  }

  /** A replay's run re-executed to `end` retired instructions (its history stays: Step Back works there); false when it fell short. */
  replayTo(end: number): boolean {
    const ok = this.tt.goTo(end);
    this.lastMark = retired(this.m);
    return ok;
  }

  /** Whether the machine stands at the start of history (nothing to go back to). */
  get atStart(): boolean { return retired(this.m) <= this.tt.start; }

  /** Whether the machine stands at a past point: live input cannot enter there (session-inputs.ts). */
  get inPast(): boolean { return this.tt.inputs.inPast; }

  /** What a replay file of the session up to here holds: its input and its legs. */
  recording(): { inputs: StampedInput[]; legs: LegTo[] } {
    return { inputs: this.tt.inputs.upTo(this.m.inputClock), legs: this.tt.legsToHere() };
  }

  /** A forward operation starts: a run (continue, run to) or single steps of one hart. */
  forward(leg: Leg): void {
    this.tt.beforeForward();
    this.leg = leg;
  }

  /** Between slices of a run: a snapshot every PERIOD instructions, and a rolling one every RECENT_MS of running. */
  ranSlice(): void {
    const n = retired(this.m), now = performance.now();
    if (n - this.lastMark >= PERIOD) { this.tt.markRun(false); this.lastMark = n; this.lastRecentMs = now; }
    else if (now - this.lastRecentMs >= RECENT_MS && n > this.lastMark) { this.tt.markRun(true); this.lastRecentMs = now; }
  }

  /** The machine stopped (or powered off): the stop becomes a point of history. */
  stopped(): void {
    this.lastRecentMs = performance.now();
    this.tt.mark(this.leg);
    this.lastMark = retired(this.m);
  }

  /**
   * One instruction back (`instruction`); by `line`: instruction by instruction while the
   * hart's pc stays inside `ranges` (the line it stands on), so it lands on the last
   * instruction run of the line before; without ranges (no line info), back to the previous
   * stop. With `to`: to that instruction count (a stop the debugger showed before: the
   * exact inverse of the step that left it). The stop to report, or an error message.
   */
  stepBack(hart: number, granularity: 'instruction' | 'line', ranges?: readonly [bigint, bigint][], to?: number): DebugStop | string {
    if (retired(this.m) <= this.tt.start) return 'step back: this is the start of history (the debug session\'s first stop)';
    if (to !== undefined) {
      if (to >= retired(this.m)) return `step back: ${to} instructions is not in the past`;
      return this.tt.goTo(to) ? { reason: 'step', hart } : 'step back: history does not reach that far (snapshots were thinned out beyond it)';
    }
    const h = this.m.harts[hart];
    const inside = () => { const pc = hartPc(h); return ranges?.some(([lo, hi]) => pc >= lo && pc < hi) ?? false; };
    let ok: boolean;
    if (granularity === 'instruction') ok = this.tt.stepBack();
    else if (ranges === undefined || ranges.length === 0) ok = this.tt.backToPreviousPoint();
    else {
      ok = this.tt.stepBack();
      for (let i = 0; ok && inside() && i < MAX_LINE_BACK && retired(this.m) > this.tt.start; i++) ok = this.tt.stepBack();
    }
    if (!ok) return 'step back: history does not reach that far (snapshots were thinned out beyond it)';
    return { reason: 'step', hart };
  }

  /**
   * Back to the last stop the debugger's breakpoints, data breakpoints and trap filters
   * make before now; at the start of history (reported as `entry`) when none.
   */
  reverseContinue(): DebugStop {
    const stops = new Map<number, DebugStop>();
    const r = this.tt.reverseContinue((until) => {
      const hits: number[] = [];
      this.m.stopAtRetired = until;
      try {
        for (let guard = 0; guard < 1_000_000 && retired(this.m) < until; guard++) {
          this.control.resume();
          const o: RunOutcome = this.control.run(until - retired(this.m));
          if (o.kind === 'stopped') { hits.push(retired(this.m)); stops.set(retired(this.m), o.stop); continue; }
          if (o.kind !== 'running') break;
        }
      } finally {
        this.m.stopAtRetired = null;
      }
      return hits;
    }, () => {
      const h = this.m.harts.find((x) => this.control.isBreakpoint(hartPc(x)));
      if (h !== undefined) stops.set(retired(this.m), { reason: 'breakpoint', hart: h.id, address: hartPc(h) });
      return h !== undefined;
    });
    if (r.kind === 'hit') return stops.get(r.retired) ?? { reason: 'step', hart: 0 };
    return { reason: 'entry', hart: 0 };
  }
}
