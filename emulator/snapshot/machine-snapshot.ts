/**
 * Whole-machine snapshots (issue 18): the one place that assembles a machine's state from
 * what each component saves (Machine.saveState, which asks every hart, device and slot)
 * plus guest RAM and the boot ROM, and puts it back. Translated and decoded code is never
 * saved: it follows RAM, so a restore drops it.
 *
 * RAM is kept as 4 KiB pages. A snapshot taken with a RamTracker (ram-tracker.ts) shares
 * every page the guest did not write since the tracker's previous snapshot with that one,
 * so frequent snapshots cost the pages written, not the whole RAM.
 */
import type { Machine } from '../machine/machine';
import { record, Saved, SavedWriter, SnapshotError } from './saved';
import { hashWords } from './hash';

export const PAGE = 4096;

/** A machine's state at one point, in memory. Pages are shared between snapshots and never written after capture. */
export interface MachineSnapshot {
  /** Machine.saveState. */
  readonly state: Saved;
  /** Guest RAM, one entry per 4 KiB page; null: a page of zeros. */
  readonly pages: readonly (Uint8Array | null)[];
  readonly rom: Uint8Array;
  /** Instructions retired by all harts together at the snapshot (the position the debugger's history counts in). */
  readonly retired: number;
  /** Bytes this snapshot holds that no earlier snapshot shares (its pages copied, state aside). */
  readonly ownBytes: number;
}

/** Instructions retired by all harts together: one number that only grows while the machine runs. */
export function retired(m: Machine): number {
  let n = 0;
  for (const h of m.harts) n += h.instret;
  return n;
}

function isZero(p: Uint8Array): boolean {
  const w = new Int32Array(p.buffer, p.byteOffset, p.byteLength >>> 2);
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) return false;
  return true;
}

/**
 * Capture the machine. `dirty`, with `base`: only pages marked there are copied, the others
 * are taken from `base` (the previous snapshot); without them every page is copied.
 */
export function takeSnapshot(m: Machine, base?: MachineSnapshot, dirty?: Uint8Array): MachineSnapshot {
  const ram = m.dram.u8;
  const count = Math.ceil(ram.length / PAGE);
  const pages: (Uint8Array | null)[] = new Array<Uint8Array | null>(count);
  let own = 0;
  for (let i = 0; i < count; i++) {
    if (base !== undefined && dirty !== undefined && dirty[i] === 0) { pages[i] = base.pages[i]; continue; }
    const p = ram.subarray(i * PAGE, Math.min(ram.length, (i + 1) * PAGE));
    if (isZero(p)) { pages[i] = null; continue; }
    pages[i] = p.slice();
    own += p.length;
  }
  return { state: m.saveState(), pages, rom: m.rom.u8.slice(), retired: retired(m), ownBytes: own };
}

/**
 * Put a snapshot back into a machine built from the same description and images (the caller
 * checks the header). With `since` (the snapshot RAM last equalled) and `dirty` (pages written
 * after it), only pages that differ are written: a page both snapshots share and nobody wrote is already right.
 */
export function restoreSnapshot(m: Machine, s: MachineSnapshot, since?: MachineSnapshot, dirty?: Uint8Array): void {
  const ram = m.dram.u8;
  if (s.pages.length !== Math.ceil(ram.length / PAGE)) {
    throw new SnapshotError(`the snapshot has ${s.pages.length * PAGE} bytes of RAM, this machine ${ram.length}`);
  }
  if (s.rom.length !== m.rom.u8.length) throw new SnapshotError('the snapshot\'s boot ROM does not fit this machine');
  m.restoreState(s.state);
  const skip = since !== undefined && dirty !== undefined && since.pages.length === s.pages.length;
  // Decoded and translated code describes the RAM it was made from: a page put back loses
  // its code; a page left as it is keeps it (a step back re-executes warm, not from a cold
  // translator: clearing it all made the first step back ~4x slower than the run).
  if (!skip) m.dram.code.clear();
  for (let i = 0; i < s.pages.length; i++) {
    const p = s.pages[i];
    if (skip && dirty[i] === 0 && since.pages[i] === p) continue;
    if (skip) m.dram.code.forgetPage(i);
    if (p === null) ram.fill(0, i * PAGE, Math.min(ram.length, (i + 1) * PAGE));
    else ram.set(p, i * PAGE);
  }
  m.rom.u8.set(s.rom);
  m.rom.code.clear();
}

/**
 * A hash of the machine's whole state (RAM, ROM, harts, devices, scheduler): equal states,
 * equal hashes. Without `session`, what belongs to the debug session rather than the guest
 * is left out: outside input not yet entered (keys typed while stopped, which a replay
 * (replay-file.ts) has not) and a hart's "step over the breakpoint I stand on" (set by a
 * breakpoint stop; a replay reaches the same count by a cut, not a stop).
 */
export function stateHash(m: Machine, session = true): string {
  const saved = record(m.saveState());
  const state = encodeState(session ? saved : {
    ...saved, inputs: null, harts: (saved.harts as Saved[]).map((h) => ({ ...record(h), skipBreakpoint: null })),
  });
  return [hashWords(m.dram.u8), hashWords(m.rom.u8), hashWords(state)].join('');
}

export function encodeState(s: Saved): Uint8Array {
  const w = new SavedWriter();
  w.value(s);
  return w.result();
}
