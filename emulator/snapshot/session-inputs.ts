/**
 * The outside input of a debug session (issue 18), kept so that going back and replay
 * files repeat it. Everything from outside enters through the machine's input queue
 * stamped with the clock (machine/input-events.ts), so the log of what entered is the
 * run's whole input: while the machine goes forward live, each event that enters is
 * appended here; when time travel restores a snapshot, the queue is switched to replaying
 * this log from that clock on, so re-execution sees the same console bytes, frames, plug
 * events and Remote-Port packets at the same places as the first time.
 *
 * Going forward again: from the present (the newest point of history) the queue becomes
 * what it was there (input typed while stopped still waits); from a past point the future
 * is discarded (time-travel.ts), and so is its input: the log is cut at that clock and the
 * queue is live and empty.
 */
import type { Machine } from '../machine/machine';
import type { StampedInput } from '../machine/input-events';
import type { Saved } from './saved';

/** A Remote-Port packet that entered inside a wait: matched by its wait number, not its clock (input-events.ts `claim`). */
const inWait = (e: StampedInput): boolean => e.event.kind === 'peer' && e.event.wait !== undefined;

/**
 * A Remote-Port peer is in the present the machine left: a new future cannot use it. Its
 * slot is left without a backend (the user can give it one again: setBackend).
 */
function peerSlots(m: Machine): string[] {
  return m.slots.filter((s) => s.state().backend === 'remote-port').map((s) => s.name);
}

export class SessionInputs {
  private log: StampedInput[];
  /** The queue as it was at the present, kept while the machine is back in history; null at the present. */
  private present: Saved | null = null;

  /** `recorded`: the input of a replay file, which this session starts from. */
  constructor(private readonly m: Machine, recorded: readonly StampedInput[] = []) {
    this.log = [...recorded];
    // Replayed input is in the log already: only live input is new.
    m.inputs.onApplied = (e) => { if (!m.inputs.isReplaying) this.log.push(e); };
  }

  /** Everything that entered up to the present, in order. */
  get recorded(): readonly StampedInput[] { return this.log; }

  /** Whether the machine stands at a past point (its input comes from the log; live input cannot enter there). */
  get inPast(): boolean { return this.present !== null; }

  private leavePeers(): void {
    for (const name of peerSlots(this.m)) {
      const slot = this.m.slots.find((s) => s.name === name);
      slot?.setBackend(null);
      this.m.log(`passthrough slot '${name}': its Remote-Port peer is in the future the machine left (it went forward from the past): the slot has no backend now`);
    }
  }

  /** The events a run from boot to `clock` needs (a replay file saved there). */
  upTo(clock: number): StampedInput[] { return this.log.filter((e) => e.at <= clock); }

  /** Before a snapshot is restored: leaving the present, its waiting input is kept for the way back. */
  beforeRestore(): void {
    if (this.present === null) this.present = this.m.inputs.saveState();
  }

  /** After a snapshot taken at `clock` was restored: what entered after it comes from the log. */
  afterRestore(clock: number): void {
    // Events stamped `clock` entered at that boundary, before anything ran at it; a packet of a wait is claimed by number.
    this.m.inputs.replay(this.log.filter((e) => e.at > clock || (inWait(e) && e.at === clock)));
    // Remote-Port peers stay in the present: in the past the log answers for them.
    this.m.inputs.peerless = true;
  }

  /** The machine goes forward from where it stands: at the present (`atPresent`) or from the past at `clock`. */
  forward(atPresent: boolean, clock: number): void {
    if (this.present === null) return;
    this.m.inputs.peerless = false;
    if (atPresent) this.m.inputs.restoreState(this.present);
    else {
      this.log = this.log.filter((e) => e.at <= clock && !(inWait(e) && e.at === clock));
      this.m.inputs.live();
      this.leavePeers();
    }
    this.present = null;
  }
}
