/**
 * The stub as the machine's only debugger (`osdev-emu run --gdb`): the StubTarget of the
 * CLI's run loop. The loop asks `run` for each slice and waits in `whileHalted` while
 * gdb holds the machine; gdb's continue, detach and kill let it go on.
 */
import { Machine } from '../../machine/machine';
import { DebugController } from '../../machine/debug-surface';
import { Watch } from '../../hart/watchpoints';
import { GdbStub, StubTarget } from './stub';

/** What the CLI gives the stub. */
export interface AloneHost {
  /** Console bytes and traces reach the user before gdb hears of a stop. */
  flush(): void;
  /** The run loop may be asleep (every hart in WFI): a resume must wake it. */
  wake(): void;
  log(line: string): void;
}

/** What one slice under the stub came to, for the CLI's loop. */
export type StubRun =
  | { kind: 'running' }
  | { kind: 'idle' }
  /** gdb holds the machine: wait in whileHalted. */
  | { kind: 'halted' }
  | { kind: 'exited'; code: number; description: string }
  /** A hart stuck at its trap vector with no gdb to show it to. */
  | { kind: 'stuck'; hart: number };

export class GdbAlone implements StubTarget {
  readonly stub: GdbStub;
  /** gdb holds the machine stopped. */
  halted: boolean;
  /** Set when the run must end with this exit status (gdb's `kill`, or a step that powered the guest off). */
  ending: number | undefined;
  private waiters: (() => void)[] = [];

  /** `waitForGdb`: start halted until gdb continues (--gdb-wait, QEMU's -S). */
  constructor(machine: Machine, private readonly control: DebugController, private readonly host: AloneHost, waitForGdb: boolean) {
    this.halted = waitForGdb;
    this.stub = new GdbStub(machine, this);
  }

  running(): boolean { return !this.halted; }

  /** Resolves when gdb lets the machine run (or ends the run). */
  whileHalted(): Promise<void> {
    if (!this.halted || this.ending !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends a `whileHalted` wait without resuming: the host has something else to do (a quit key). */
  releaseWaiters(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** One slice of the machine under the stub. */
  run(budget: number): StubRun {
    const o = this.control.run(budget);
    switch (o.kind) {
      case 'running': return { kind: 'running' };
      case 'idle': return { kind: 'idle' };
      case 'exited':
        this.stub.exited(o.code);
        return { kind: 'exited', code: o.code, description: o.description };
      case 'stopped':
        if (!this.stub.connected) return o.stop.reason === 'trap' ? { kind: 'stuck', hart: o.stop.hart } : { kind: 'running' };
        this.halted = true;
        this.stub.stopped(o.stop);
        return { kind: 'halted' };
    }
  }

  resume(): void {
    this.control.resume();
    this.halted = false;
    this.releaseWaiters();
    this.host.wake();
  }

  stop(): void {
    this.halted = true;
    this.stub.stopped({ reason: 'pause', hart: 0 });
  }

  step(hart: number): void {
    const o = this.control.stepInstruction(hart, false);
    this.host.flush();
    if (o.kind === 'exited') {
      this.ending = o.code;
      this.host.log(o.description);
      this.stub.exited(o.code);
      this.releaseWaiters();
      return;
    }
    this.stub.stopped(o.kind === 'stopped' ? o.stop : { reason: 'step', hart });
  }

  setBreakpoints(addresses: bigint[]): void { this.control.setBreakpoints(addresses, 'gdb'); }
  setWatchpoints(watches: Watch[]): void { this.control.machine.setWatchpoints(watches); }

  /** As QEMU: gdb gone, the machine runs on. */
  released(): void {
    if (this.halted) this.resume();
  }

  kill(): void {
    this.ending = 0;
    this.host.log('gdb killed the machine');
    this.releaseWaiters();
    this.host.wake();
  }

  flush(): void { this.host.flush(); }
  log(line: string): void { this.host.log(line); }
}
