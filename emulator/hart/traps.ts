/**
 * A hart's interrupts and traps (Priv 1.12 §3.1.6-3.1.9, §3.3): what is pending, where a
 * trap goes, taking it, xRET, WFI and SFENCE.VMA.
 */
import { Cause, IRQ_PRIORITY, MENVCFG, MIP, MSTATUS, Priv } from './csr';
import { HartMemory } from './memory';
import { CSR_SLOT } from './state';

/** Traps in a row at the vector itself before a hart counts as stuck (any number above 1 proves it; this one leaves room for doubt). */
const TRAP_LOOP_LIMIT = 1000;

export class HartTraps extends HartMemory {
  /** Pending interrupt bits as mip reads them. */
  mip(): number {
    let ip = (this.mipSw | this.mipHw) & ~MIP.STIP;
    const t = this.host.time(this);
    if (t >= this.mtimecmp) ip |= MIP.MTIP;
    if (this.stce()) {
      if (t >= this.stimecmp()) ip |= MIP.STIP;
    } else {
      ip |= this.mipSw & MIP.STIP;
    }
    return ip;
  }

  /** menvcfg.STCE: Sstc drives STIP from stimecmp. */
  stce(): boolean { return (this.csr64[2 * CSR_SLOT.menvcfg + 1] & MENVCFG.STCE_HI) !== 0; }

  /** stimecmp in ticks when Sstc drives STIP, else undefined. */
  stimecmpTicks(): number | undefined { return this.stce() ? this.stimecmp() : undefined; }

  private stimecmp(): number {
    return (this.csr64[2 * CSR_SLOT.stimecmp + 1] >>> 0) * 4294967296 + (this.csr64[2 * CSR_SLOT.stimecmp] >>> 0);
  }

  /** The interrupt to take now, or -1 (Priv §3.1.9). */
  pendingInterrupt(): number {
    const pending = this.mip() & this.mie;
    if (pending === 0) return -1;
    const mEnabled = this.priv < Priv.M || (this.mstatus & MSTATUS.MIE) !== 0;
    const sEnabled = this.priv < Priv.S || (this.priv === Priv.S && (this.mstatus & MSTATUS.SIE) !== 0);
    const m = mEnabled ? pending & ~this.mideleg : 0;
    const s = sEnabled ? pending & this.mideleg : 0;
    const take = m !== 0 ? m : s;
    if (take === 0) return -1;
    for (const irq of IRQ_PRIORITY) if ((take & (1 << irq)) !== 0) return irq;
    return -1;
  }

  /** Whether WFI should wake: any interrupt pending and enabled in mie, regardless of mstatus (Priv §3.3.3). */
  wakeable(): boolean { return (this.mip() & this.mie) !== 0; }

  /** The mode a trap with this cause taken now goes to: S when delegated from U or S, else M (Priv §3.1.8). */
  trapTarget(cause: number, interrupt: boolean): number {
    return this.priv <= Priv.S && (((interrupt ? this.mideleg : this.medeleg) >>> cause) & 1) !== 0 ? Priv.S : Priv.M;
  }

  /** Take a trap at the current pc (synchronous: pc = the faulting instruction). */
  trap(cause: number, interrupt: boolean, tvalLo: number, tvalHi: number): void {
    let deleg = this.trapTarget(cause, interrupt) === Priv.S;
    if (!deleg && this.firmware !== null && this.priv < Priv.M) {
      if (this.firmware(cause, interrupt)) return; // the built-in SBI answered it: no M-mode trap
      deleg = true;
    }
    if (this.trapTrace !== null) this.trapTrace(cause, interrupt);
    if (this.onTrap !== null) this.onTrap(cause, interrupt);
    const from = this.priv;
    const causeHiBit = interrupt ? 0x80000000 | 0 : 0;
    const csr = this.csr64;
    let vecSlot: number;
    if (deleg) {
      csr[2 * CSR_SLOT.sepc] = this.pcLo; csr[2 * CSR_SLOT.sepc + 1] = this.pcHi;
      this.setCause(CSR_SLOT.scause, cause, causeHiBit);
      csr[2 * CSR_SLOT.stval] = tvalLo; csr[2 * CSR_SLOT.stval + 1] = tvalHi;
      let s = this.mstatus;
      s = (s & MSTATUS.SIE) !== 0 ? s | MSTATUS.SPIE : s & ~MSTATUS.SPIE;
      s &= ~MSTATUS.SIE;
      s = from === Priv.S ? s | MSTATUS.SPP : s & ~MSTATUS.SPP;
      this.mstatus = s;
      this.priv = Priv.S;
      vecSlot = CSR_SLOT.stvec;
    } else {
      csr[2 * CSR_SLOT.mepc] = this.pcLo; csr[2 * CSR_SLOT.mepc + 1] = this.pcHi;
      this.setCause(CSR_SLOT.mcause, cause, causeHiBit);
      csr[2 * CSR_SLOT.mtval] = tvalLo; csr[2 * CSR_SLOT.mtval + 1] = tvalHi;
      let s = this.mstatus;
      s = (s & MSTATUS.MIE) !== 0 ? s | MSTATUS.MPIE : s & ~MSTATUS.MPIE;
      s &= ~MSTATUS.MIE;
      s = (s & ~MSTATUS.MPP) | (from << MSTATUS.MPP_SHIFT);
      this.mstatus = s;
      this.priv = Priv.M;
      vecSlot = CSR_SLOT.mtvec;
    }
    const tvLo = csr[2 * vecSlot], tvHi = csr[2 * vecSlot + 1];
    const base = tvLo & ~3;
    const off = interrupt && (tvLo & 3) === 1 ? 4 * cause : 0;
    const epcLo = this.pcLo, epcHi = this.pcHi;
    this.pcLo = (base + off) | 0;
    this.pcHi = (base >>> 0) + off > 0xffffffff ? (tvHi + 1) | 0 : tvHi;
    const atVector = !interrupt && epcLo === this.pcLo && epcHi === this.pcHi;
    if (atVector && cause === this.loopCause) {
      if (++this.loopCount >= TRAP_LOOP_LIMIT) this.stuck = true;
    } else {
      this.loopCause = atVector ? cause : -1;
      this.loopCount = 0;
    }
    this.wfi = false;
    if (from !== this.priv) this.flushTlb();
    this.yieldLoop = true;
  }

  private setCause(slot: number, cause: number, hiBit: number): void {
    if (this.xlen === 32) { this.csr64[2 * slot] = cause | hiBit; this.csr64[2 * slot + 1] = 0; }
    else { this.csr64[2 * slot] = cause; this.csr64[2 * slot + 1] = hiBit; }
  }

  /** Raise the memory exception left in excCause at the current pc. */
  raiseException(): void {
    const cause = this.excCause;
    this.excCause = -1;
    this.trap(cause, false, this.excTvalLo, this.excTvalHi);
  }

  /** Raise the fetch fault fetchPage left, unless an execute trigger at pc fires: it comes before the fetch (Priv 1.12 Table 3.7). */
  raiseFetchException(): void {
    if (this.triggers.exec === null || !this.triggers.execHit(this.pcLo, this.pcHi, this.priv)) { this.raiseException(); return; }
    this.excCause = -1;
    this.trap(Cause.Breakpoint, false, 0, 0);
  }

  illegal(bits: number): void {
    this.trap(Cause.IllegalInstruction, false, bits, 0);
  }

  mret(): boolean {
    if (this.priv < Priv.M) return false;
    const s = this.mstatus;
    const mpp = (s & MSTATUS.MPP) >>> MSTATUS.MPP_SHIFT;
    let n = (s & MSTATUS.MPIE) !== 0 ? s | MSTATUS.MIE : s & ~MSTATUS.MIE;
    n |= MSTATUS.MPIE;
    n &= ~MSTATUS.MPP; // MPP ← U
    if (mpp !== Priv.M) n &= ~MSTATUS.MPRV;
    this.mstatus = n;
    this.setPriv(mpp);
    this.pcLo = this.csr64[2 * CSR_SLOT.mepc];
    this.pcHi = this.xlen === 64 ? this.csr64[2 * CSR_SLOT.mepc + 1] : 0;
    return true;
  }

  sret(): boolean {
    if (this.priv < Priv.S || (this.priv === Priv.S && (this.mstatus & MSTATUS.TSR) !== 0)) return false;
    const s = this.mstatus;
    const spp = (s & MSTATUS.SPP) !== 0 ? Priv.S : Priv.U;
    let n = (s & MSTATUS.SPIE) !== 0 ? s | MSTATUS.SIE : s & ~MSTATUS.SIE;
    n |= MSTATUS.SPIE;
    n &= ~MSTATUS.SPP;
    n &= ~MSTATUS.MPRV; // Priv 1.12 §3.1.6.1: xRET to a mode below M clears MPRV
    this.mstatus = n;
    this.setPriv(spp);
    this.pcLo = this.csr64[2 * CSR_SLOT.sepc];
    this.pcHi = this.xlen === 64 ? this.csr64[2 * CSR_SLOT.sepc + 1] : 0;
    return true;
  }

  private setPriv(p: number): void {
    if (p !== this.priv) { this.priv = p; this.flushTlb(); }
    this.yieldLoop = true;
  }

  /** WFI: false when illegal here (Priv §3.1.6.5 TW; U-mode always, as QEMU). */
  wfiInsn(): boolean {
    if (this.priv === Priv.U || (this.priv === Priv.S && (this.mstatus & MSTATUS.TW) !== 0)) return false;
    if (!this.wakeable()) this.wfi = true;
    this.yieldLoop = true;
    return true;
  }

  sfenceVma(): boolean {
    if (this.priv === Priv.U || (this.priv === Priv.S && (this.mstatus & MSTATUS.TVM) !== 0)) return false;
    this.flushTlb();
    return true;
  }
}
