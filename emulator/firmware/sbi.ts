/**
 * The built-in SBI (`--bios builtin`): an SBI v2.0 implementation in the emulator itself,
 * standing where M-mode firmware would. No M-mode code runs: a trap bound for M from S or U
 * comes here through the hart's `firmware` hook (hart/traps.ts) and is answered at once, or
 * sent on to S-mode as OpenSBI redirects it. The kernel is entered in S-mode as OpenSBI's
 * fw_dynamic enters it (a0 = hartid, a1 = the FDT), with the M-mode state OpenSBI 1.1 leaves
 * (delegation, counters, menvcfg, PMP); the other harts wait, stopped, for HSM hart_start.
 * Spec: RISC-V SBI v2.0 (binary encoding §3, each extension's chapter). Where Debian's
 * OpenSBI 1.1 (the reference) and the spec differ, docs/architecture.md says which we follow.
 */
import { Hart } from '../hart/hart';
import { CSR_AT } from '../hart/csr-table';
import { Cause, CSR, IRQ, MIP, MSTATUS, Priv } from '../hart/csr';
import { out } from '../hart/int64';
import { Bus, MemoryRegion } from '../bus/bus';
import { PowerEvent } from '../devices/device-type';
import { Saved } from '../snapshot/saved';

/** Extension IDs (SBI v2.0 chapters 3-12); the legacy ones are 0x00-0x0F, of which 0x00-0x08 are defined. */
export const SBI_EXT = {
  BASE: 0x10, TIME: 0x54494d45, IPI: 0x735049, RFENCE: 0x52464e43, HSM: 0x48534d,
  SRST: 0x53525354, DBCN: 0x4442434e,
} as const;
const LEGACY_LAST = 0x0f, LEGACY_DEFINED = 0x08;

/** Standard SBI errors (binary encoding, Table 1). */
export const SBI_ERR = {
  SUCCESS: 0, FAILED: -1, NOT_SUPPORTED: -2, INVALID_PARAM: -3, DENIED: -4,
  INVALID_ADDRESS: -5, ALREADY_AVAILABLE: -6, ALREADY_STARTED: -7, ALREADY_STOPPED: -8,
} as const;

/** HSM hart states (HSM chapter, Table 16). */
export const HSM_STATE = { STARTED: 0, STOPPED: 1, START_PENDING: 2, STOP_PENDING: 3, SUSPENDED: 4 } as const;

/** SBI v2.0: major 2 in bits 30:24, minor 0. */
export const SBI_SPEC_VERSION = 2 << 24;
/**
 * Our implementation ID: not one of the spec's table (0-11), so a kernel never applies
 * another implementation's quirks to us; "OSDE" in ASCII (docs/architecture.md).
 */
export const SBI_IMPL_ID = 0x4f534445;
/** Bumped when what a guest can observe of the built-in SBI changes. */
export const SBI_IMPL_VERSION = 1;

/** OpenSBI 1.1's delegation (lib/sbi/sbi_hart.c delegate_traps): S interrupts; misaligned fetch, breakpoint, U ecall, page faults. */
const MIDELEG = MIP.SSIP | MIP.STIP | MIP.SEIP;
const MEDELEG = (1 << Cause.InstructionAddressMisaligned) | (1 << Cause.Breakpoint) | (1 << Cause.EcallFromU) |
  (1 << Cause.InstructionPageFault) | (1 << Cause.LoadPageFault) | (1 << Cause.StorePageFault);
/** menvcfg as OpenSBI writes it: CBIE = 3, CBCFE, CBZE, PBMTE (RV64), STCE; WARL keeps what the hart has. */
const MENVCFG_LO = (3 << 4) | (1 << 6) | (1 << 7);
const MENVCFG_HI = (1 << 30) | (1 << 31);
const PMP_NAPOT = 0x18, PMP_RWX = 0x07;

/** What the SBI needs of the machine around it (the machine hands it in; firmware never imports machine/). */
export interface SbiPlatform {
  readonly harts: readonly Hart[];
  readonly bus: Bus;
  readonly ram: MemoryRegion;
  /** The console UART's registers (ns16550a), as OpenSBI's uart8250 driver reaches them; undefined: no console. */
  readonly uartBase: number | undefined;
  /** The CLINT window, kept from S-mode by PMP as OpenSBI 1.1 keeps it. */
  readonly clint: { base: number; size: number } | undefined;
  power(e: PowerEvent): void;
}

/** A call's answer: error in a0, value in a1 (legacy calls: `value` only, in a0). */
interface SbiRet { error: number; value: bigint }
const ok = (value: bigint | number = 0n): SbiRet => ({ error: SBI_ERR.SUCCESS, value: BigInt(value) });
const fail = (error: number): SbiRet => ({ error, value: 0n });

/** The call was taken over by a trap sent on to S-mode (a fault reading its argument): nothing is written back. */
const REDIRECTED = null;

export class BuiltinSbi {
  private readonly state: number[];
  private readonly xlen: 32 | 64;
  private readonly mask: bigint;

  constructor(private readonly p: SbiPlatform) {
    this.xlen = p.harts[0].xlen;
    this.mask = (1n << BigInt(this.xlen)) - 1n;
    this.state = p.harts.map(() => HSM_STATE.STOPPED);
  }

  /** The HSM state of each hart is the firmware's only state (the rest lives in the harts it set up). */
  saveState(): Saved { return this.state.slice(); }
  restoreState(s: Saved): void {
    const v = s as number[];
    for (let i = 0; i < this.state.length; i++) this.state[i] = v[i];
  }

  /**
   * Cold boot: every hart gets the M-mode state OpenSBI sets up, hart 0 enters the kernel
   * at `entry` in S-mode with a0 = 0 and a1 = `fdtAddr`, the others stay stopped.
   */
  boot(entry: number, fdtAddr: number): void {
    for (const h of this.p.harts) {
      h.firmware = (cause, interrupt) => this.trap(h, cause, interrupt);
      if (h.id === 0) this.enterS(h, BigInt(entry), BigInt(fdtAddr));
      else this.stop(h);
    }
  }

  /** HSM state of hart `id`, as hart_get_status answers it. */
  status(id: number): number {
    const h = this.p.harts[id];
    // A suspended hart resumes by itself when an interrupt wakes it out of its WFI.
    if (this.state[id] === HSM_STATE.SUSPENDED && !h.wfi) this.state[id] = HSM_STATE.STARTED;
    return this.state[id];
  }

  /** A trap bound for M-mode from S or U. True: handled here; false: the hart takes it in S-mode (OpenSBI's sbi_trap_redirect). */
  private trap(h: Hart, cause: number, interrupt: boolean): boolean {
    if (interrupt) {
      if (cause === IRQ.MTI) {
        // The timer set by set_timer without Sstc: pass it on as STIP, as OpenSBI's timer handler does.
        h.mie &= ~MIP.MTIP;
        h.mipSw |= MIP.STIP;
      } else {
        h.mie &= ~(1 << cause); // never enabled by us; masked so it cannot fire again
      }
      const next = h.pendingInterrupt();
      if (next >= 0) h.trap(next, true, 0, 0);
      return true;
    }
    if (cause !== Cause.EcallFromS) return false;
    // The debugger's trap filter and the trap trace see the call ("ecall from S"); the stop lands after it.
    if (h.trapTrace !== null) h.trapTrace(cause, false);
    if (h.onTrap !== null) h.onTrap(cause, false);
    const pcLo = h.pcLo, pcHi = h.pcHi;
    const eid = this.reg(h, 17), fid = this.reg(h, 16);
    const legacy = eid <= BigInt(LEGACY_LAST);
    const r = legacy ? this.legacy(h, Number(eid)) : this.call(h, eid, fid);
    if (r === REDIRECTED) return true;
    if (h.pcLo === pcLo && h.pcHi === pcHi && h.priv === Priv.S) {
      // Still at the ecall: return past it. (hart_stop and hart_suspend have moved the hart themselves.)
      this.setReg(h, 10, legacy ? r.value : BigInt(r.error));
      if (!legacy) this.setReg(h, 11, r.value);
      this.pastEcall(h);
    }
    h.yieldLoop = true;
    return true;
  }

  // ---------------------------------------------------------------- calls

  private call(h: Hart, eid: bigint, fid: bigint): SbiRet | typeof REDIRECTED {
    const a = (i: number) => this.reg(h, 10 + i);
    switch (Number(eid)) {
      case SBI_EXT.BASE: return this.base(h, fid, a(0));
      case SBI_EXT.TIME:
        if (fid !== 0n) return fail(SBI_ERR.NOT_SUPPORTED);
        this.setTimer(h, this.xlen === 32 ? a(0) | (a(1) << 32n) : a(0));
        return ok();
      case SBI_EXT.IPI:
        if (fid !== 0n) return fail(SBI_ERR.NOT_SUPPORTED);
        return this.forHarts(a(0), a(1), (t) => { t.mipSw |= MIP.SSIP; });
      case SBI_EXT.RFENCE: return this.rfence(fid, a(0), a(1));
      case SBI_EXT.HSM: return this.hsm(h, fid, a(0), a(1), a(2));
      case SBI_EXT.SRST: return fid === 0n ? this.reset(a(0), a(1)) : fail(SBI_ERR.NOT_SUPPORTED);
      case SBI_EXT.DBCN: return this.dbcn(fid, a(0), a(1), a(2));
      default: return fail(SBI_ERR.NOT_SUPPORTED);
    }
  }

  private base(h: Hart, fid: bigint, arg: bigint): SbiRet {
    switch (Number(fid)) {
      case 0: return ok(SBI_SPEC_VERSION);
      case 1: return ok(SBI_IMPL_ID);
      case 2: return ok(SBI_IMPL_VERSION);
      case 3: return ok(this.probe(arg) ? 1 : 0);
      case 4: return ok(this.csr(h, CSR.mvendorid));
      case 5: return ok(this.csr(h, CSR.marchid));
      case 6: return ok(this.csr(h, CSR.mimpid));
      default: return fail(SBI_ERR.NOT_SUPPORTED);
    }
  }

  private probe(eid: bigint): boolean {
    return eid <= BigInt(LEGACY_DEFINED) || (eid <= 0xffffffffn && (Object.values(SBI_EXT) as number[]).includes(Number(eid)));
  }

  /** TIME set_timer: stimecmp when Sstc is on (menvcfg.STCE), else mtimecmp and STIP from the M timer. */
  private setTimer(h: Hart, when: bigint): void {
    if (h.stce()) {
      writeCsr(h, CSR.stimecmp, when);
      if (this.xlen === 32) writeCsr(h, CSR.stimecmph, when >> 32n);
      return;
    }
    h.mtimecmp = Number(when > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : when);
    h.mipSw &= ~MIP.STIP;
    h.mie |= MIP.MTIP;
  }

  private rfence(fid: bigint, mask: bigint, base: bigint): SbiRet {
    switch (Number(fid)) {
      // Our decoded-instruction cache follows every store, so FENCE.I has nothing to flush (as on this hart).
      case 0: return this.forHarts(mask, base, () => undefined);
      // Whole TLBs are flushed, whatever the range and ASID.
      case 1: case 2: return this.forHarts(mask, base, (t) => t.flushTlb());
      // The HFENCE calls need the H extension, which no hart has.
      default: return fail(SBI_ERR.NOT_SUPPORTED);
    }
  }

  /**
   * Runs `f` on the harts of a hart mask (binary encoding §3.1): base -1 means every hart.
   * A mask naming a hart that does not exist is INVALID_PARAM (nothing done); stopped
   * harts are passed over, as OpenSBI passes them over.
   */
  private forHarts(mask: bigint, base: bigint, f: (h: Hart) => void): SbiRet {
    const n = BigInt(this.p.harts.length);
    let targets: Hart[];
    if (base === this.mask) targets = [...this.p.harts];
    else {
      if (base >= n && mask !== 0n) return fail(SBI_ERR.INVALID_PARAM);
      targets = [];
      for (let i = 0n; mask >> i !== 0n; i++) {
        if (((mask >> i) & 1n) === 0n) continue;
        if (base + i >= n) return fail(SBI_ERR.INVALID_PARAM);
        targets.push(this.p.harts[Number(base + i)]);
      }
    }
    for (const t of targets) if (this.status(t.id) !== HSM_STATE.STOPPED) f(t);
    return ok();
  }

  private hsm(h: Hart, fid: bigint, a0: bigint, a1: bigint, a2: bigint): SbiRet {
    switch (Number(fid)) {
      case 0: { // hart_start(hartid, start_addr, opaque)
        if (a0 >= BigInt(this.p.harts.length)) return fail(SBI_ERR.INVALID_PARAM);
        if (!this.executable(a1)) return fail(SBI_ERR.INVALID_ADDRESS);
        const t = this.p.harts[Number(a0)];
        const s = this.status(t.id);
        if (s === HSM_STATE.STARTED) return fail(SBI_ERR.ALREADY_AVAILABLE);
        if (s !== HSM_STATE.STOPPED) return fail(SBI_ERR.INVALID_PARAM); // as OpenSBI: a hart in transition
        this.enterS(t, a1, a2);
        return ok();
      }
      case 1: // hart_stop(): does not return
        this.stop(h);
        return ok();
      case 2: // hart_get_status(hartid)
        return a0 >= BigInt(this.p.harts.length) ? fail(SBI_ERR.INVALID_PARAM) : ok(this.status(Number(a0)));
      case 3: return this.suspend(h, Number(a0 & 0xffffffffn), a1, a2);
      default: return fail(SBI_ERR.NOT_SUPPORTED);
    }
  }

  /** hart_suspend: the default retentive and non-retentive types, entered as a WFI the next interrupt ends. */
  private suspend(h: Hart, type: number, resume: bigint, opaque: bigint): SbiRet {
    const retentive = type === 0, nonRetentive = type === 0x80000000;
    if (!retentive && !nonRetentive) {
      const reserved = (type > 0 && type < 0x10000000) || (type > 0x80000000 && type < 0x90000000);
      return fail(reserved ? SBI_ERR.INVALID_PARAM : SBI_ERR.NOT_SUPPORTED);
    }
    if (nonRetentive && !this.executable(resume)) return fail(SBI_ERR.INVALID_ADDRESS);
    if (h.wakeable()) return ok(); // an interrupt is pending: the WFI ends at once
    this.state[h.id] = HSM_STATE.SUSPENDED;
    if (nonRetentive) {
      // Registers are lost: resume at `resume_addr` as hart_start enters, the enabled interrupts (which wake it) kept.
      const mie = h.mie;
      this.enterS(h, resume, opaque);
      h.mie = mie;
      this.state[h.id] = HSM_STATE.SUSPENDED;
    } else {
      this.setReg(h, 10, 0n);
      this.setReg(h, 11, 0n);
      this.pastEcall(h);
    }
    h.wfi = true;
    return ok();
  }

  /** SRST system_reset: shutdown and cold or warm reboot through the machine's power path, as OpenSBI's sifive_test driver. */
  private reset(type: bigint, reason: bigint): SbiRet {
    if (type > 2n || reason > 1n) return fail(SBI_ERR.INVALID_PARAM);
    this.p.power(type === 0n ? { kind: 'pass' } : { kind: 'reset' });
    return ok();
  }

  private dbcn(fid: bigint, num: bigint, lo: bigint, hi: bigint): SbiRet {
    const uart = this.p.uartBase;
    if (fid === 2n) { // console_write_byte(byte)
      if (uart !== undefined) this.putc(uart, Number(num & 0xffn));
      return ok();
    }
    if (fid !== 0n && fid !== 1n) return fail(SBI_ERR.NOT_SUPPORTED);
    // The buffer is physical (binary encoding §3.2): all of it in RAM, or INVALID_PARAM.
    const base = this.xlen === 32 ? lo | (hi << 32n) : hi === 0n ? lo : -1n;
    const ram = this.p.ram;
    if (base < BigInt(ram.base) || base + num > BigInt(ram.base + ram.size)) return fail(SBI_ERR.INVALID_PARAM);
    const off = Number(base) - ram.base, len = Number(num);
    if (uart === undefined) return ok(fid === 0n ? num : 0n);
    if (fid === 0n) {
      ram.dmaTouched(off, len, false, 'sbi');
      for (let i = 0; i < len; i++) this.putc(uart, ram.u8[off + i]);
      return ok(num);
    }
    let n = 0;
    while (n < len) {
      const c = this.getc(uart);
      if (c < 0) break;
      ram.u8[off + n++] = c;
    }
    if (n > 0) ram.dmaTouched(off, n, true, 'sbi');
    return ok(n);
  }

  // ---------------------------------------------------------------- legacy (v0.1)

  /** Legacy extensions: FID ignored, one value back in a0, a1 untouched (legacy chapter). */
  private legacy(h: Hart, eid: number): SbiRet | typeof REDIRECTED {
    const a = (i: number) => this.reg(h, 10 + i);
    const uart = this.p.uartBase;
    switch (eid) {
      case 0x00: this.setTimer(h, this.xlen === 32 ? a(0) | (a(1) << 32n) : a(0)); return ok();
      case 0x01: if (uart !== undefined) this.putc(uart, Number(a(0) & 0xffn)); return ok();
      case 0x02: return ok(uart !== undefined ? BigInt(this.getc(uart)) & this.mask : this.mask);
      case 0x03: h.mipSw &= ~MIP.SSIP; return ok();
      case 0x04: case 0x05: case 0x06: case 0x07: {
        const mask = this.loadMask(h, a(0));
        if (mask === REDIRECTED) return REDIRECTED;
        const r = eid === 0x04 ? this.forHarts(mask, 0n, (t) => { t.mipSw |= MIP.SSIP; })
          : this.rfence(eid === 0x05 ? 0n : 1n, mask, 0n);
        return ok(BigInt(r.error) & this.mask);
      }
      case 0x08: this.p.power({ kind: 'pass' }); return ok();
      default: return ok(BigInt(SBI_ERR.NOT_SUPPORTED) & this.mask);
    }
  }

  /**
   * A legacy hart mask: one unsigned long at a virtual address, read as S-mode reads it
   * (a null pointer means every running hart, as OpenSBI reads it). A fault goes to the
   * supervisor with sepc at the ecall (legacy chapter).
   */
  private loadMask(h: Hart, va: bigint): bigint | typeof REDIRECTED {
    if (va === 0n) return this.p.harts.reduce((m, t) => m | (1n << BigInt(t.id)), 0n);
    const lo = Number(BigInt.asIntN(32, va)), hi = Number(BigInt.asIntN(32, va >> 32n));
    const vLo = this.xlen === 64 ? h.load64(lo, hi) : h.load32(lo, 0);
    if (h.excCause >= 0) { h.raiseException(); return REDIRECTED; }
    return this.xlen === 64 ? (BigInt(h.ldHi >>> 0) << 32n) | BigInt(vLo >>> 0) : BigInt(vLo >>> 0);
  }

  // ---------------------------------------------------------------- harts

  /**
   * Enter S-mode at `pc` with a0 = hartid, a1 = `arg1`, as OpenSBI's warm start and
   * sbi_hart_switch_mode leave a hart: M state initialised, stvec = pc, sscratch, sie and
   * satp 0, sstatus.SIE 0, mstatus as after its mret.
   */
  private enterS(h: Hart, pc: bigint, arg1: bigint): void {
    this.initM(h);
    h.mstatus = (h.mstatus & ~(MSTATUS.MIE | MSTATUS.SIE | MSTATUS.SPIE | MSTATUS.SPP | MSTATUS.MPP | MSTATUS.MPRV)) | MSTATUS.MPIE;
    writeCsr(h, CSR.stvec, pc);
    writeCsr(h, CSR.sscratch, 0n);
    writeCsr(h, CSR.satp, 0n);
    h.mie = 0;
    this.setReg(h, 10, BigInt(h.id));
    this.setReg(h, 11, arg1);
    h.priv = Priv.S;
    h.pcLo = Number(BigInt.asIntN(32, pc & ~1n));
    h.pcHi = this.xlen === 64 ? Number(BigInt.asIntN(32, pc >> 32n)) : 0;
    h.wfi = false;
    h.flushTlb();
    this.state[h.id] = HSM_STATE.STARTED;
  }

  /** A stopped hart waits in M-mode at the reset vector, in a WFI nothing can end (mie 0) until hart_start. */
  private stop(h: Hart): void {
    h.priv = Priv.M;
    h.mie = 0;
    h.pcLo = h.host.resetVector;
    h.pcHi = 0;
    h.wfi = true;
    h.flushTlb();
    this.state[h.id] = HSM_STATE.STOPPED;
  }

  /** M-mode state as OpenSBI 1.1 sets it on every hart (sbi_hart_init, PMP from its root domain, less its own region). */
  private initM(h: Hart): void {
    writeCsr(h, CSR.medeleg, BigInt(MEDELEG));
    writeCsr(h, CSR.mideleg, BigInt(MIDELEG));
    writeCsr(h, CSR.mcounteren, 0xffffffffn);
    writeCsr(h, CSR.scounteren, 7n);
    writeCsr(h, CSR.mcountinhibit, 0xfffffff8n);
    // OpenSBI's mstatus_init turns FP on (FS = Dirty, the value it writes) when misa has F.
    if (h.hasF) h.mstatus |= MSTATUS.FS;
    if (this.xlen === 64) writeCsr(h, CSR.menvcfg, BigInt(MENVCFG_LO) | (BigInt(MENVCFG_HI >>> 0) << 32n));
    else { writeCsr(h, CSR.menvcfg, BigInt(MENVCFG_LO)); writeCsr(h, CSR.menvcfgh, BigInt((1 << 31) >>> 0)); }
    // PMP: the CLINT for M only, then everything else read/write/execute.
    const c = this.p.clint;
    const napot = c !== undefined && (c.size & (c.size - 1)) === 0 && c.size >= 8 && c.base % c.size === 0;
    let entry = 0, cfg = 0n;
    if (napot) {
      writeCsr(h, CSR.pmpaddr0, BigInt(Math.floor((c.base + c.size / 2 - 1) / 4)));
      cfg = BigInt(PMP_NAPOT);
      entry = 1;
    }
    writeCsr(h, CSR.pmpaddr0 + entry, this.mask);
    cfg |= BigInt(PMP_NAPOT | PMP_RWX) << BigInt(8 * entry);
    writeCsr(h, CSR.pmpcfg0, cfg);
    h.flushTlb();
  }

  /** A physical address S-mode may start at: RAM (or the boot ROM), never a device window. */
  private executable(pa: bigint): boolean {
    return pa < 1n << 53n && this.p.bus.regionAt(Number(pa), 2) !== undefined;
  }

  // ---------------------------------------------------------------- helpers

  /** pc += 4 (an ecall has no compressed form), wrapping at XLEN. */
  private pastEcall(h: Hart): void {
    const next = ((BigInt(h.pcHi >>> 0) << 32n) | BigInt(h.pcLo >>> 0)) + 4n;
    h.pcLo = Number(BigInt.asIntN(32, next));
    h.pcHi = this.xlen === 64 ? Number(BigInt.asIntN(32, next >> 32n)) : 0;
  }

  private reg(h: Hart, r: number): bigint {
    const lo = BigInt(h.x[2 * r] >>> 0);
    return this.xlen === 32 ? lo : (BigInt(h.x[2 * r + 1] >>> 0) << 32n) | lo;
  }

  private setReg(h: Hart, r: number, v: bigint): void {
    h.x[2 * r] = Number(BigInt.asIntN(32, v));
    h.x[2 * r + 1] = this.xlen === 64 ? Number(BigInt.asIntN(32, v >> 32n)) : 0;
  }

  /** A CSR as M-mode reads it (mvendorid and friends for BASE). */
  private csr(h: Hart, num: number): bigint {
    const priv = h.priv;
    h.priv = Priv.M;
    try {
      if (!h.csrRead(num)) return 0n;
      const lo = BigInt(out[0] >>> 0);
      return this.xlen === 32 ? lo : (BigInt(out[1] >>> 0) << 32n) | lo;
    } finally { h.priv = priv; }
  }

  /** OpenSBI's uart8250_putc: wait for THRE (ours is always empty), then THR. */
  private putc(uart: number, byte: number): void {
    this.p.bus.write(uart, 1, byte, 0);
  }

  /** OpenSBI's uart8250_getc: RBR when LSR.DR says a byte waits, else -1. */
  private getc(uart: number): number {
    const lsr = this.p.bus.read(uart + 5, 1);
    if (lsr === null || (lsr & 1) === 0) return -1;
    return (this.p.bus.read(uart, 1) ?? -1) & 0xff;
  }
}

/** Write a CSR as M-mode code would (its WARL mask applied), whatever mode the hart is in. */
function writeCsr(h: Hart, num: number, v: bigint): void {
  const d = CSR_AT[num];
  if (d?.write === undefined) return;
  d.write(h, d, Number(BigInt.asIntN(32, v)) & d.mask, Number(BigInt.asIntN(32, v >> 32n)) & d.maskHi);
}
