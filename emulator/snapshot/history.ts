/**
 * A run's history of snapshots for going back (the debugger's Step Back and Reverse
 * Continue): ordered by instructions retired, within a memory budget. Over budget, the
 * snapshot whose neighbours are closest together goes (never the first): history thins
 * out evenly, so going back anywhere costs at most about twice as much re-execution as
 * before. The budget counts each snapshot's own pages (shared pages counted once, at the
 * snapshot that copied them), an estimate: a page dropped with one snapshot may live on in
 * the next that shares it.
 */
import { MachineSnapshot } from './machine-snapshot';

/** Bytes of snapshot pages a history keeps at most by default. */
export const DEFAULT_HISTORY_BUDGET = 512 * 1024 * 1024;

export class SnapshotHistory {
  private readonly list: MachineSnapshot[] = [];
  private bytes = 0;

  /** `dropped` hears of each snapshot thinned out, so that nothing else keeps its pages alive. */
  constructor(readonly budget = DEFAULT_HISTORY_BUDGET, private readonly dropped: (s: MachineSnapshot) => void = () => undefined) {}

  get snapshots(): readonly MachineSnapshot[] { return this.list; }
  get heldBytes(): number { return this.bytes; }

  add(s: MachineSnapshot): void {
    // A snapshot at a point already held replaces nothing: the older one is as good.
    if (this.list.length > 0 && this.list[this.list.length - 1].retired >= s.retired) return;
    this.list.push(s);
    this.bytes += s.ownBytes;
    while (this.bytes > this.budget && this.list.length > 2) this.thin();
  }

  /** A snapshot between two held ones (taken while re-executing history), in order. */
  insert(s: MachineSnapshot): void {
    let i = this.list.length;
    while (i > 0 && this.list[i - 1].retired > s.retired) i--;
    if (i > 0 && this.list[i - 1].retired === s.retired) return;
    this.list.splice(i, 0, s);
    this.bytes += s.ownBytes;
    while (this.bytes > this.budget && this.list.length > 2) this.thin();
  }

  /** The latest snapshot at or before `retired` instructions (the first one when none is). */
  before(retired: number): MachineSnapshot | undefined {
    let best: MachineSnapshot | undefined;
    for (const s of this.list) { if (s.retired <= retired) best = s; else break; }
    return best ?? this.list[0];
  }

  /** Forget every snapshot after `retired` (the future that forward execution from a past point discards). */
  dropAfter(retired: number): void {
    while (this.list.length > 1 && this.list[this.list.length - 1].retired > retired) {
      this.bytes -= (this.list.pop() as MachineSnapshot).ownBytes;
    }
  }

  private thin(): void {
    let at = 1, gap = Infinity;
    for (let i = 1; i < this.list.length - 1; i++) {
      const g = this.list[i + 1].retired - this.list[i - 1].retired;
      if (g < gap) { gap = g; at = i; }
    }
    const [gone] = this.list.splice(at, 1);
    this.bytes -= gone.ownBytes;
    this.dropped(gone);
  }
}
