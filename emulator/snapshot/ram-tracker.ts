/**
 * Cheap periodic snapshots (issue 18): the pages the guest wrote since the previous
 * snapshot are the only ones copied; the rest are shared with it. Writes are seen without
 * a test in the store fast path: a page is marked when a store translates to it (slow
 * path, memory.ts), and every hart's write TLB is emptied at each snapshot, so the first
 * store to a page after a snapshot always takes the slow path. Devices, DMA, the
 * debugger and loaders mark what they write (MemoryRegion.markDirty).
 */
import type { Machine } from '../machine/machine';
import { MachineSnapshot, PAGE, restoreSnapshot, takeSnapshot } from './machine-snapshot';

export class RamTracker {
  private readonly dirty: Uint8Array;
  private last: MachineSnapshot | undefined;

  constructor(private readonly m: Machine) {
    this.dirty = new Uint8Array(Math.ceil(m.dram.size / PAGE));
    m.dram.dirty = this.dirty;
    this.rearm();
  }

  /** A snapshot now, sharing unwritten pages with the previous one. */
  snapshot(): MachineSnapshot {
    const s = takeSnapshot(this.m, this.last, this.last === undefined ? undefined : this.dirty);
    this.last = s;
    this.rearm();
    return s;
  }

  /** Put the machine back to `s`, writing only the pages that differ from what RAM holds now. */
  restore(s: MachineSnapshot): void {
    restoreSnapshot(this.m, s, this.last, this.last === undefined ? undefined : this.dirty);
    this.restoredTo(s);
  }

  /**
   * The machine was put back to `s` (a restore): RAM equals its pages, so the next snapshot
   * may share with it (every page a restore rewrote is s's own).
   */
  restoredTo(s: MachineSnapshot): void {
    this.last = s;
    this.rearm();
  }

  /** Stop tracking (the machine goes on without the marks). */
  stop(): void {
    this.m.dram.dirty = null;
    this.last = undefined;
  }

  private rearm(): void {
    this.dirty.fill(0);
    for (const h of this.m.harts) { h.tlbW.flush(); h.yieldLoop = true; }
  }
}
