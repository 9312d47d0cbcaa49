/**
 * What a debugger may do to a Machine, as functions and one small run controller:
 * state reads and writes that never have guest-visible side effects (no A/D bit
 * updates, no device reads, no faults injected), instruction breakpoints with
 * temporary ones for step-over/run-to, and trap stops (exception filters).
 * The worker host (hosts/worker.ts) turns these into messages; tests call them directly.
 */
import { Machine, StopReason } from './machine';
import { Hart } from '../hart/hart';
import { Access } from '../mmu/translate';
import { CAUSE_NAMES, Cause, CSR, INTERRUPT_NAMES, Priv } from '../hart/csr';
import { out } from '../hart/int64';
import { DebugStop, TrapFilter } from './debug-protocol';

export const PRIV_LETTER: Record<number, string> = { [Priv.U]: 'U', [Priv.S]: 'S', 2: '?', [Priv.M]: 'M' };

/** An unsigned XLEN-bit value as the (lo, hi) int32 pair the hart keeps. */
export function toPair(v: bigint): [number, number] {
  return [Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n))];
}

export function fromPair(lo: number, hi: number, xlen: 32 | 64): bigint {
  const l = BigInt(lo >>> 0);
  return xlen === 32 ? l : (BigInt(hi >>> 0) << 32n) | l;
}

export function hartPc(h: Hart): bigint { return fromPair(h.pcLo, h.pcHi, h.xlen); }

export function readRegisters(h: Hart): { x: bigint[]; pc: bigint; priv: number; f?: bigint[]; fcsr?: number } {
  const x: bigint[] = [];
  for (let r = 0; r < 32; r++) x.push(fromPair(h.x[2 * r], h.x[2 * r + 1], h.xlen));
  if (!h.hasF) return { x, pc: hartPc(h), priv: h.priv };
  // The FP registers whatever mstatus.FS says, as QEMU's gdbstub reads them: 64 bits each (a single NaN-boxed).
  const f: bigint[] = [];
  for (let r = 0; r < 32; r++) f.push(fromPair(h.f[2 * r], h.f[2 * r + 1], 64));
  return { x, pc: hartPc(h), priv: h.priv, f, fcsr: (h.frm << 5) | h.fflags };
}

/**
 * Write x1..x31, pc, or f0..f31 (`f` + number: raw bits; a hart with F but not D keeps
 * singles, so its 32 bits are NaN-boxed). x0 stays zero. Integer values are truncated to
 * XLEN (RV32 keeps the high word 0).
 */
export function writeRegister(h: Hart, reg: number | 'pc' | `f${number}`, value: bigint): void {
  const [lo, hi] = toPair(value);
  const high = h.xlen === 64 ? hi : 0;
  if (typeof reg === 'string' && reg !== 'pc') {
    const r = Number(reg.slice(1));
    h.f[2 * r] = lo;
    h.f[2 * r + 1] = h.hasD ? hi : -1;
  } else if (reg === 'pc') {
    h.pcLo = lo & ~1; // Unpriv §1.5: IALIGN is 16 with C, bit 0 of pc is always 0
    h.pcHi = high;
    h.wfi = false;
  } else if (typeof reg === 'number' && reg !== 0) {
    h.x[2 * reg] = lo;
    h.x[2 * reg + 1] = high;
  }
}

/** Run `f` as if the hart were in M-mode: the debugger sees every CSR whatever mode the guest is in. */
function asMachineMode<T>(h: Hart, f: () => T): T {
  const priv = h.priv;
  h.priv = Priv.M;
  try { return f(); } finally { h.priv = priv; }
}

/** A CSR's value, or null when the hart has no such CSR. */
export function readCsr(h: Hart, num: number): bigint | null {
  return asMachineMode(h, () => (h.csrRead(num) ? fromPair(out[0], out[1], h.xlen) : null));
}

/** Write a CSR with the guest's own WARL rules (what csrw would store). False when it does not exist or is read-only. */
export function writeCsr(h: Hart, num: number, value: bigint): boolean {
  const [lo, hi] = toPair(value);
  const rd = 0;
  return asMachineMode(h, () => h.csrOp(num, 0, lo, hi, rd, true));
}

/** Physical address for a debugger access, or -1. Virtual addresses go through the hart's current translation. */
/** The physical address a hart's load (kind 0) or store (1) at `address` would reach now, without side effects; -1 when none. */
export function physical(m: Machine, h: Hart, address: bigint, isPhysical: boolean, kind: 0 | 1): number {
  if (isPhysical) return address < 1n << 53n ? Number(address) : -1;
  const [lo, hi] = toPair(address);
  if (h.xlen === 32 && address >= 1n << 32n) return -1;
  return h.peekTranslate(lo, h.xlen === 64 ? hi : 0, kind === 0 ? Access.Read : Access.Write);
}

/**
 * Read guest memory without side effects: RAM and ROM only (MMIO is never read, a
 * device read can change its state), page by page through a side-effect-free walk.
 * Stops at the first byte it cannot read.
 */
export function readMemory(m: Machine, h: Hart, address: bigint, count: number, isPhysical: boolean): { bytes: Uint8Array; unreadable: number } {
  const result = new Uint8Array(count);
  let done = 0;
  while (done < count) {
    const at = address + BigInt(done);
    const pageLeft = 4096 - Number(at & 0xfffn);
    const n = Math.min(pageLeft, count - done);
    const pa = physical(m, h, at, isPhysical, 0);
    const r = pa < 0 ? undefined : m.bus.regionAt(pa, n);
    if (r === undefined) break;
    result.set(r.u8.subarray(pa - r.base, pa - r.base + n), done);
    done += n;
  }
  return { bytes: result.slice(0, done), unreadable: count - done };
}

/** Write guest RAM (never MMIO or ROM); decoded instructions it overwrites are dropped. Returns bytes written. */
export function writeMemory(m: Machine, h: Hart, address: bigint, bytes: Uint8Array, isPhysical: boolean): number {
  let done = 0;
  while (done < bytes.length) {
    const at = address + BigInt(done);
    const n = Math.min(4096 - Number(at & 0xfffn), bytes.length - done);
    const pa = physical(m, h, at, isPhysical, 1);
    const r = pa < 0 ? undefined : m.bus.regionAt(pa, n);
    if (r === undefined || r.readonly_) break;
    r.u8.set(bytes.subarray(done, done + n), pa - r.base);
    r.code.invalidate(pa - r.base, n);
    r.markDirty(pa - r.base, n);
    done += n;
  }
  return done;
}

/** A trap in words, e.g. "load page fault at pc 0x80001234 (tval 0x0) in U-mode, taken to S-mode". */
export function describeTrap(cause: number, interrupt: boolean, pc: bigint, from: number, to: number, tval: bigint): string {
  const what = interrupt ? INTERRUPT_NAMES[cause] ?? `interrupt ${cause}` : CAUSE_NAMES[cause] ?? `exception ${cause}`;
  const tv = interrupt ? '' : ` (tval 0x${tval.toString(16)})`;
  return `${what} at pc 0x${pc.toString(16)}${tv} in ${PRIV_LETTER[from]}-mode, taken to ${PRIV_LETTER[to]}-mode`;
}

/** An SBI call the built-in SBI answered, for a trap stop on "ecall from S". */
function describeSbiCall(h: Hart, pc: bigint): string {
  const r = readRegisters(h).x;
  const hex = (v: bigint) => `0x${v.toString(16)}`;
  return `environment call from S-mode at pc ${hex(pc)}, answered by the built-in SBI (EID ${hex(r[17])}, FID ${hex(r[16])}): a0 = ${hex(r[10])}, a1 = ${hex(r[11])}`;
}

/** The cause of the trap a stuck hart (Hart.stuck) keeps taking: it was taken to the mode it is in. */
function stuckCause(h: Hart): number {
  return Number((readCsr(h, h.priv === Priv.M ? CSR.mcause : CSR.scause) ?? 0n) & 0xffn);
}

/** What a stuck hart does, in words, for the CLI's last line and the debugger's stop. */
export function stuckDescription(h: Hart): string {
  const pc = hartPc(h);
  const tval = readCsr(h, h.priv === Priv.M ? CSR.mtval : CSR.stval) ?? 0n;
  const vector = h.priv === Priv.M ? 'mtvec' : 'stvec';
  return `hart ${h.id} is stuck: ${describeTrap(stuckCause(h), false, pc, h.priv, h.priv, tval)}, at the trap vector itself, over and over ` +
    `(the handler's first instruction traps again; ${vector} = 0x${pc.toString(16)}: is the image a kernel, and was ${vector} set?)`;
}

export type RunOutcome =
  | { kind: 'running' }
  /** Every hart waits in WFI with no timer armed: only input can wake the guest. */
  | { kind: 'idle' }
  | { kind: 'stopped'; stop: DebugStop }
  | { kind: 'exited'; code: number; description: string };

interface PendingTrap { hart: number; cause: number; interrupt: boolean; pc: bigint; from: number }

/**
 * Run control for a debugger: breakpoints the user set, temporary ones (step over,
 * run to entry), trap filters. `run` and `stepInstruction` turn the machine's
 * StopReason into a DebugStop.
 */
/**
 * Who set a breakpoint: the DAP adapter, or a gdb attached beside it (launch.json
 * `gdbServer`, osdev-emu run --gdb). Each sets its own list; the machine stops at either's.
 */
export type BreakpointOwner = 'adapter' | 'gdb';

export class DebugController {
  private readonly user = new Map<BreakpointOwner, Set<bigint>>();
  private temp = new Set<bigint>();
  private tempReason: 'entry' | 'step' = 'step';
  private filter: TrapFilter = { exceptions: null, interrupts: null };
  private trap: PendingTrap | null = null;
  /** Whether the machine has run since the controller was made (resume). */
  private started = false;

  /** `reboot` puts firmware and kernel back after a guest reset (sifive_test 0x7777). */
  constructor(readonly machine: Machine, private readonly reboot: () => string | null) {}

  setBreakpoints(addresses: bigint[], owner: BreakpointOwner = 'adapter'): void {
    this.user.set(owner, new Set(addresses));
    this.sync();
  }

  /** Whether `pc` holds one of the user's breakpoints, the adapter's or gdb's (Reverse Continue asks at points of history). */
  isBreakpoint(pc: bigint): boolean {
    for (const set of this.user.values()) if (set.has(pc)) return true;
    return false;
  }

  /** Temporary breakpoints, dropped at the next stop. */
  setTemporary(addresses: bigint[], reason: 'entry' | 'step'): void {
    this.temp = new Set(addresses);
    this.tempReason = reason;
    this.sync();
  }

  private sync(): void {
    const bps = this.machine.breakpoints;
    bps.clear();
    for (const a of [...[...this.user.values()].flatMap((set) => [...set]), ...this.temp]) {
      const [lo, hi] = toPair(a);
      bps.add(lo, this.machine.desc.xlen === 64 ? hi : 0);
    }
    this.machine.breakpointsChanged();
  }

  setTrapFilter(filter: TrapFilter): void {
    this.filter = filter;
    const on = filter.exceptions !== null || filter.interrupts !== null;
    for (const h of this.machine.harts) {
      h.onTrap = on ? (cause, interrupt) => this.onTrap(h, cause, interrupt) : null;
    }
  }

  private onTrap(h: Hart, cause: number, interrupt: boolean): void {
    const m = interrupt ? this.filter.interrupts : this.filter.exceptions;
    if (m === null) return;
    if (m.causes !== undefined && !m.causes.includes(cause)) return;
    if (m.from !== undefined && m.from !== h.priv) return;
    if (m.to !== undefined && m.to !== h.trapTarget(cause, interrupt)) return;
    this.trap = { hart: h.id, cause, interrupt, pc: hartPc(h), from: h.priv };
    h.hitBreakpoint = true; // the scheduler stops after this hart's trap entry
  }

  /**
   * Before running again: harts stopped on a breakpoint execute that instruction first.
   * Not before the first run: a hart the boot put at a breakpoint (the built-in SBI enters
   * the kernel at its entry) has not stopped there yet.
   */
  resume(): void {
    if (this.started) for (const h of this.machine.harts) h.skipBreakpoint = true;
    this.started = true;
  }

  /** Run for up to `budget` clock units. */
  run(budget: number): RunOutcome {
    return this.outcome(this.machine.step(budget), undefined);
  }

  /** One instruction on one hart, the others stopped; `interrupts` lets a pending interrupt be taken first. */
  stepInstruction(hart: number, interrupts: boolean): RunOutcome {
    const r = this.machine.stepInstruction(hart, interrupts);
    const h = this.machine.harts[hart];
    h.hitBreakpoint = false; // a trap stop raised by this step is reported below, not by the next run
    return this.outcome(r.kind === 'idle' ? { kind: 'budget' } : r, hart);
  }

  private outcome(r: StopReason, stepped: number | undefined): RunOutcome {
    if (r.kind === 'power') {
      this.clearTemporary();
      const e = r.event;
      if (e.kind === 'reset') {
        this.machine.resetDevices();
        const error = this.reboot();
        if (error !== null) return { kind: 'exited', code: 1, description: `reset: ${error}` };
        return { kind: 'running' };
      }
      const code = e.kind === 'pass' ? 0 : e.code;
      const how = e.kind === 'htif-exit' ? 'HTIF exit' : e.kind === 'pass' ? 'sifive_test pass' : 'sifive_test fail';
      return { kind: 'exited', code, description: `guest powered off (${how}), exit status ${code}` };
    }
    if (r.kind === 'stuck') {
      this.clearTemporary();
      const h = this.machine.harts[r.hart];
      return { kind: 'stopped', stop: { reason: 'trap', hart: r.hart, cause: stuckCause(h), interrupt: false, description: stuckDescription(h) } };
    }
    const trap = this.takeTrap();
    if (trap !== null) { this.clearTemporary(); return { kind: 'stopped', stop: trap }; }
    const watched = this.machine.watchpoints.take();
    if (watched !== null) {
      this.clearTemporary();
      const hart = typeof watched.by === 'number' ? watched.by : r.kind === 'watch' || r.kind === 'breakpoint' ? r.hart : stepped ?? 0;
      return { kind: 'stopped', stop: { reason: 'watch', hart, id: watched.id, address: BigInt(watched.address), size: watched.size, write: watched.write, by: watched.by } };
    }
    if (r.kind === 'breakpoint') {
      const pc = hartPc(this.machine.harts[r.hart]);
      const temporary = this.temp.has(pc) && !this.isBreakpoint(pc);
      const reason = this.tempReason;
      this.clearTemporary();
      if (temporary) return { kind: 'stopped', stop: { reason, hart: r.hart } };
      return { kind: 'stopped', stop: { reason: 'breakpoint', hart: r.hart, address: pc } };
    }
    if (stepped !== undefined) { this.clearTemporary(); return { kind: 'stopped', stop: { reason: 'step', hart: stepped } }; }
    return r.kind === 'idle' ? { kind: 'idle' } : { kind: 'running' };
  }

  private clearTemporary(): void {
    if (this.temp.size > 0) this.setTemporary([], 'step');
  }

  private takeTrap(): DebugStop | null {
    const t = this.trap;
    if (t === null) return null;
    this.trap = null;
    const h = this.machine.harts[t.hart];
    const tval = readCsr(h, h.priv === Priv.M ? CSR.mtval : CSR.stval) ?? 0n;
    // An ecall the built-in SBI answered: the hart stands after it, the answer in a0 and a1.
    const sbi = h.firmware !== null && !t.interrupt && t.cause === Cause.EcallFromS && t.from === Priv.S;
    return {
      reason: 'trap', hart: t.hart, cause: t.cause, interrupt: t.interrupt,
      description: sbi ? describeSbiCall(h, t.pc) : describeTrap(t.cause, t.interrupt, t.pc, t.from, h.priv, tval),
    };
  }
}
