/**
 * A hart's architectural state: registers, pc, mode, CSR storage, the LR/SC reservation,
 * the TLBs and the flags the interpreter loop reads. Behaviour is layered on top, one
 * concept per file: memory.ts (translation, loads, stores, atomics, fetch), traps.ts
 * (interrupts, traps, xRET, WFI) and hart.ts (CSR instructions, through csr-table.ts).
 * Instance fields live here (hart.ts adds only the translator, which takes a whole Hart).
 */
import { Watchpoints } from './watchpoints';
import { Bus, MemoryRegion } from '../bus/bus';
import { TranslationContext } from '../mmu/translate';
import { Pmp } from '../mmu/pmp';
import { Tlb } from '../mmu/tlb';
import { FloatExt, Priv } from './csr';
import { DEFAULT_EXTENSIONS, extensionsOff, IsaExtension } from './isa-table';
import { Breakpoints } from './breakpoints';
import { Triggers } from './triggers';
import { record, restoreFields, Saved, saveFields } from '../snapshot/saved';
import { AreaPlace, HART_AREA } from './wasm-area';

/**
 * The fields of HartState that are machine state (snapshot/saved.ts): everything a run
 * depends on. Left out on purpose: the TLBs (flushed on restore), debugger hooks and
 * the break/yield flags the scheduler clears at every stop.
 */
const HART_STATE = [
  'x', 'f', 'fflags', 'frm', 'pcLo', 'pcHi', 'priv', 'instret', 'cycleOffset', 'instretOffset', 'wfi',
  'mstatus', 'medeleg', 'mideleg', 'mie', 'mipSw', 'mipHw', 'mcounteren', 'scounteren', 'senvcfg', 'mcountinhibit',
  'csr64', 'mtimecmp', 'resvAddr', 'resvVaLo', 'resvVaHi', 'resvLo', 'resvHi', 'excCause', 'excTvalLo', 'excTvalHi', 'ldHi',
  'loopCause', 'loopCount', 'skipBreakpoint',
] as const;

/**
 * Where a hart's hot state lives in the machine's memory (wasm-area.ts), so compiled code
 * reads it: its part of the area, and the machine's count of LR reservations held.
 */
export interface HartArea { readonly place: AreaPlace; readonly resvCount: Int32Array }

/** What a hart needs from the machine around it. */
export interface HartHost {
  /** Where the hart starts after reset: the board's boot ROM. */
  readonly resetVector: number;
  /** Guest time in timebase ticks, as seen by `hart` now. */
  time(hart: HartState): number;
  /** Another hart's reservation on this physical granule must end (LR/SC across harts). */
  storeNotify(pa: number, hart: HartState): void;
}

/** The 64-bit CSRs kept as two int32 words, at csr64[2*slot] (low) and csr64[2*slot+1] (high). */
export const CSR_SLOT = {
  mtvec: 0, mscratch: 1, mepc: 2, mcause: 3, mtval: 4,
  stvec: 5, sscratch: 6, sepc: 7, scause: 8, stval: 9, satp: 10, menvcfg: 11, stimecmp: 12,
} as const;

export class HartState {
  /** x[2r] = low word, x[2r+1] = high word of register r (high unused on RV32). */
  readonly x: Int32Array;
  /**
   * Moves whenever this hart's fetch translation may change (flushTlb: satp, sfence.vma, a
   * change of mode, PMP, triggers): the chain entries made before are stale (wasm-area.ts CHAIN).
   */
  readonly epoch: Int32Array;
  /** f[2r] = low word, f[2r+1] = high word of float register r (F/D: 64 bits; a single is NaN-boxed, high word -1). */
  readonly f: Int32Array;
  /**
   * The same registers as host doubles (register r at index r) and singles (the low word,
   * at index 2r): the FP fast path reads an operand in one load, not two int stores and a
   * double load that the CPU cannot forward (that stall was half of nbody's time).
   */
  readonly fd: Float64Array;
  readonly fs: Float32Array;
  /** fcsr's two fields (Unpriv §11.2): accrued exception flags and the dynamic rounding mode. */
  fflags = 0;
  frm = 0;
  pcLo = 0;
  pcHi = 0;
  priv: number = Priv.M;
  /** Instructions retired (also the cycle count: one instruction per cycle). */
  instret = 0;
  cycleOffset = 0;
  instretOffset = 0;
  /** True while stopped in WFI until an interrupt is pending. */
  wfi = false;

  // CSR state (csr-table.ts reads and writes it)
  mstatus = 0;
  medeleg = 0;
  mideleg = 0;
  mie = 0;
  /** Software-writable pending bits (SSIP, STIP, SEIP). */
  mipSw = 0;
  /** Pending bits driven by devices: MSIP (CLINT), MEIP/SEIP (PLIC). */
  mipHw = 0;
  mcounteren = 0;
  scounteren = 0;
  senvcfg = 0;
  mcountinhibit = 0;
  /** The CSRs of CSR_SLOT. */
  readonly csr64 = new Int32Array(32);
  readonly pmp: Pmp;
  /** CLINT mtimecmp for this hart, in ticks. It resets to 0, so MTIP is pending at reset, as on QEMU. */
  mtimecmp = 0;

  // LR/SC reservation: physical address of the reserved granule, -1 when none. The
  // machine counts the harts holding one, so a store needs to look only when some do.
  private resv = -1;
  /** Harts holding a reservation, machine-wide (a store needs to end others' only when some do). */
  readonly resvCount: Int32Array;
  get resvAddr(): number { return this.resv; }
  set resvAddr(pa: number) {
    if ((pa >= 0) !== (this.resv >= 0)) this.resvCount[0] += pa >= 0 ? 1 : -1;
    this.resv = pa;
  }
  resvVaLo = 0;
  resvVaHi = 0;
  resvLo = 0;
  resvHi = 0;

  // Memory access
  readonly tlbR: Tlb;
  readonly tlbW: Tlb;
  readonly tlbX = new Tlb();
  /** This hart's part of the machine's memory (wasm-area.ts), or null when it has none. */
  readonly area: AreaPlace | null;
  readonly ram: MemoryRegion;
  readonly ramBase: number;
  readonly ramEnd: number;
  /** Pending synchronous exception from a memory access: cause, or -1. */
  excCause = -1;
  excTvalLo = 0;
  excTvalHi = 0;
  /** High word of the last 64-bit load. */
  ldHi = 0;
  /** Set when the interpreter must leave its loop (state that it caches changed). */
  yieldLoop = false;
  /** Debug hooks, null when unused (the hot loop never tests them per instruction). */
  onTrap: ((cause: number, interrupt: boolean) => void) | null = null;
  /** The guest's trigger module (Sdtrig): its own breakpoints, raised as exceptions in the guest. */
  readonly triggers: Triggers;
  /** Data watchpoints (machine/watchpoints.ts), while any is set: checked on the slow path only. */
  watch: Watchpoints | null = null;
  /**
   * M-mode firmware the emulator provides itself (firmware/sbi.ts, `--bios builtin`), or
   * null: a trap bound for M from S or U goes to it instead of mtvec. True: it handled the
   * trap; false: the hart takes it in S-mode (the firmware sends it on, as OpenSBI does).
   */
  firmware: ((cause: number, interrupt: boolean) => boolean) | null = null;
  /** The trap trace (machine/trace.ts); null when off. */
  trapTrace: ((cause: number, interrupt: boolean) => void) | null = null;
  /** Instruction breakpoints, or null when there are none (the interpreter then never looks). */
  breakpoints: Breakpoints | null = null;
  /** Set by the interpreter when it stopped before an instruction at a breakpoint. */
  hitBreakpoint = false;
  /**
   * Set when the hart traps to its vector and the vector's own first instruction traps
   * again with the same cause, TRAP_LOOP_LIMIT times in a row (traps.ts): no instruction
   * runs between those traps, so nothing can change and the guest can never leave (a text
   * file run as a kernel, mtvec still 0). The machine stops and says so instead of spinning
   * to a timeout.
   */
  stuck = false;
  protected loopCause = -1;
  protected loopCount = 0;
  /** The next run starts at a breakpoint just reported: execute that instruction once. */
  skipBreakpoint = false;

  protected readonly tctx: TranslationContext;

  /** F and D present (misa; without F, mstatus.FS stays Off, so every F/D instruction is illegal). */
  readonly hasF: boolean;
  readonly hasD: boolean;

  /** Instructions of the extensions this hart lacks decode as illegal (isa-table.ts extensionsOff). */
  readonly extOff: number;

  constructor(readonly id: number, readonly xlen: 32 | 64, readonly bus: Bus, readonly host: HartHost, fpu: FloatExt = 'FD',
    extensions: readonly IsaExtension[] = DEFAULT_EXTENSIONS, area: HartArea | null = null) {
    const place = area?.place;
    this.area = place ?? null;
    this.x = place === undefined ? new Int32Array(64) : new Int32Array(place.buffer, place.offset + HART_AREA.x, 64);
    const fBuf = place === undefined ? new ArrayBuffer(256) : place.buffer, fAt = place === undefined ? 0 : place.offset + HART_AREA.f;
    this.f = new Int32Array(fBuf, fAt, 64);
    this.fd = new Float64Array(fBuf, fAt, 32);
    this.fs = new Float32Array(fBuf, fAt, 64);
    this.epoch = place === undefined ? new Int32Array(1) : new Int32Array(place.buffer, place.offset + HART_AREA.epoch, 1);
    const tlbAt = (off: number) => (place === undefined ? undefined : { buffer: place.buffer, offset: place.offset + off });
    this.tlbR = new Tlb(tlbAt(HART_AREA.tlbR));
    this.tlbW = new Tlb(tlbAt(HART_AREA.tlbW));
    this.resvCount = area?.resvCount ?? new Int32Array(1);
    this.hasF = fpu !== 'none';
    this.hasD = fpu === 'FD';
    this.extOff = extensionsOff(extensions);
    const ram = bus.regions.find((r) => r.name === 'dram');
    if (ram === undefined) throw new Error('hart: no dram region');
    this.ram = ram;
    this.ramBase = ram.base;
    this.ramEnd = ram.base + ram.size;
    this.pmp = new Pmp(xlen);
    this.triggers = new Triggers(xlen);
    this.tctx = { xlen, priv: Priv.M, satpMode: 0, satpPpn: 0, sum: false, mxr: false, pmp: this.pmp, bus, svpbmt: extensions.includes('svpbmt') };
    this.reset();
  }

  reset(): void {
    this.x.fill(0);
    this.f.fill(0);
    this.fflags = this.frm = 0;
    this.pcLo = this.host.resetVector;
    this.pcHi = 0;
    this.priv = Priv.M;
    this.mstatus = 0;
    this.medeleg = this.mideleg = this.mie = this.mipSw = this.mipHw = 0;
    this.mcounteren = this.scounteren = this.senvcfg = this.mcountinhibit = 0;
    this.csr64.fill(0);
    this.pmp.reset();
    this.triggers.reset();
    this.mtimecmp = 0;
    this.resvAddr = -1;
    this.wfi = false;
    this.instret = this.cycleOffset = this.instretOffset = 0;
    this.flushTlb();
  }

  saveState(): Saved {
    return { ...saveFields(this, HART_STATE), pmp: this.pmp.saveState(), triggers: this.triggers.saveState() };
  }

  /** Take back saved state; the TLBs are dropped, since they cache translations of the state replaced. */
  restoreState(s: Saved): void {
    const r = record(s);
    restoreFields(this, HART_STATE, r);
    this.pmp.restoreState(r.pmp);
    this.triggers.restoreState(r.triggers);
    this.hitBreakpoint = false;
    this.stuck = false;
    this.flushTlb();
  }

  flushTlb(): void {
    this.epoch[0]++;
    this.tlbR.flush();
    this.tlbW.flush();
    this.tlbX.flush();
    this.yieldLoop = true;
  }
}
