/**
 * One RISC-V hart: architectural state, memory access through the TLB, CSRs, traps
 * and interrupts (Priv 1.12 ch. 3-4). The instruction loop lives in exec-rv64.ts and
 * exec-rv32.ts; both call into this class only off the ALU path (memory, CSRs, traps).
 */
import { Watchpoints } from './watchpoints';
import { Bus, MemoryRegion } from '../bus/bus';
import { Access, AccessKind, translate, TranslationContext } from '../mmu/translate';
import { Pmp, PMP_ENTRIES } from '../mmu/pmp';
import { Tlb } from '../mmu/tlb';
import {
  Cause, CSR, DELEGABLE_EXCEPTIONS, DELEGABLE_INTERRUPTS, IRQ_PRIORITY, MENVCFG, MIP, MSTATUS, Priv, SATP_MODE,
} from './csr';
import { decode } from './decode';
import { BlockFn, CodePage } from './code-cache';
import { Breakpoints } from './breakpoints';
import { out } from './int64';
import { TRIGGER_ACCESS, Triggers } from './triggers';

/** What a hart needs from the machine around it. */
export interface HartHost {
  /** Guest time in timebase ticks, as seen by `hart` now. */
  time(hart: Hart): number;
  /** Another hart's reservation on this physical granule must end (LR/SC across harts). */
  storeNotify(pa: number, hart: Hart): void;
}

const MISA_EXT = (1 << 0) | (1 << 2) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20); // A C I M S U
const MSTATUS_WRITABLE = MSTATUS.SIE | MSTATUS.MIE | MSTATUS.SPIE | MSTATUS.MPIE | MSTATUS.SPP | MSTATUS.MPRV |
  MSTATUS.SUM | MSTATUS.MPP | MSTATUS.MXR | MSTATUS.TVM | MSTATUS.TSR | MSTATUS.TW | MSTATUS.VS;
const SSTATUS_MASK = MSTATUS.SIE | MSTATUS.SPIE | MSTATUS.UBE | MSTATUS.SPP | MSTATUS.VS | MSTATUS.FS |
  MSTATUS.XS | MSTATUS.SUM | MSTATUS.MXR | MSTATUS.SD32;
const MIE_WRITABLE = MIP.SSIP | MIP.MSIP | MIP.STIP | MIP.MTIP | MIP.SEIP | MIP.MEIP;
const MIP_SW_WRITABLE = MIP.SSIP | MIP.STIP | MIP.SEIP;
/** Traps in a row at the vector itself before a hart counts as stuck (any number above 1 proves it; this one leaves room for doubt). */
const TRAP_LOOP_LIMIT = 1000;

/** A 64-bit CSR kept as two int32 words at csr64[2*i], csr64[2*i+1]. */
const C = {
  mtvec: 0, mscratch: 1, mepc: 2, mcause: 3, mtval: 4,
  stvec: 5, sscratch: 6, sepc: 7, scause: 8, stval: 9, satp: 10, menvcfg: 11, stimecmp: 12,
} as const;

export class Hart {
  /** x[2r] = low word, x[2r+1] = high word of register r (high unused on RV32). */
  readonly x = new Int32Array(64);
  pcLo = 0x1000;
  pcHi = 0;
  priv: number = Priv.M;
  /** Instructions retired (also the cycle count: one instruction per cycle). */
  instret = 0;
  cycleOffset = 0;
  instretOffset = 0;
  /** True while stopped in WFI until an interrupt is pending. */
  wfi = false;

  // CSR state
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
  readonly csr64 = new Int32Array(32);
  readonly pmp: Pmp;
  /** CLINT mtimecmp for this hart, in ticks. It resets to 0, so MTIP is pending at reset, as on QEMU. */
  mtimecmp = 0;

  // LR/SC reservation: physical address of the reserved granule, -1 when none.
  resvAddr = -1;
  resvVaLo = 0;
  resvVaHi = 0;
  resvLo = 0;
  resvHi = 0;

  // Memory access
  readonly tlbR = new Tlb();
  readonly tlbW = new Tlb();
  readonly tlbX = new Tlb();
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
  /** Data watchpoints (watchpoints.ts), while any is set: checked on the slow path only. */
  watch: Watchpoints | null = null;
  /** The trap trace (machine/trace.ts); null when off. */
  trapTrace: ((cause: number, interrupt: boolean) => void) | null = null;
  /** Instruction breakpoints, or null when there are none (the interpreter then never looks). */
  breakpoints: Breakpoints | null = null;
  /** Set by the interpreter when it stopped before an instruction at a breakpoint. */
  hitBreakpoint = false;
  /**
   * Set when the hart traps to its vector and the vector's own first instruction traps
   * again with the same cause, TRAP_LOOP_LIMIT times in a row: no instruction runs between
   * those traps, so nothing can change and the guest can never leave (a text file run as a
   * kernel, mtvec still 0). The machine stops and says so instead of spinning to a timeout.
   */
  stuck = false;
  private loopCause = -1;
  private loopCount = 0;
  /** The next run starts at a breakpoint just reported: execute that instruction once. */
  skipBreakpoint = false;
  /** The block translator for this XLEN, or null to interpret everything (tracing, tests of the interpreter). */
  translator: ((h: Hart, page: CodePage, slot: number) => BlockFn | undefined) | null = null;

  private readonly tctx: TranslationContext;

  constructor(readonly id: number, readonly xlen: 32 | 64, readonly bus: Bus, readonly host: HartHost) {
    const ram = bus.regions.find((r) => r.name === 'dram');
    if (ram === undefined) throw new Error('hart: no dram region');
    this.ram = ram;
    this.ramBase = ram.base;
    this.ramEnd = ram.base + ram.size;
    this.pmp = new Pmp(xlen);
    this.triggers = new Triggers(xlen);
    this.tctx = { xlen, priv: Priv.M, satpMode: 0, satpPpn: 0, sum: false, mxr: false, pmp: this.pmp, bus };
    this.reset();
  }

  reset(): void {
    this.x.fill(0);
    this.pcLo = 0x1000;
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

  flushTlb(): void {
    this.tlbR.flush();
    this.tlbW.flush();
    this.tlbX.flush();
    this.yieldLoop = true;
  }

  // ---------------------------------------------------------------- translation

  private satpMode(): number {
    const s = this.csr64;
    if (this.xlen === 32) return (s[2 * C.satp] >>> 31) === 1 ? SATP_MODE.Sv32 : SATP_MODE.Bare;
    return s[2 * C.satp + 1] >>> 28;
  }

  private satpPpn(): number {
    const lo = this.csr64[2 * C.satp], hi = this.csr64[2 * C.satp + 1];
    return this.xlen === 32 ? lo & 0x3fffff : (hi & 0xfff) * 4294967296 + (lo >>> 0);
  }

  /** Privilege that loads and stores use (MPRV, Priv §3.1.6.3); fetches use `priv`. */
  dataPriv(): number {
    return this.priv === Priv.M && (this.mstatus & MSTATUS.MPRV) !== 0
      ? (this.mstatus & MSTATUS.MPP) >>> MSTATUS.MPP_SHIFT : this.priv;
  }

  /**
   * Translate and fill the TLB; -1 and excCause set on a fault or a trigger. `rmw` marks
   * an AMO or SC, which data triggers see as a load and a store (as QEMU 7.2).
   */
  translate(lo: number, hi: number, kind: AccessKind, size: number, rmw = false): number {
    // Debug spec 1.0 §5.7.12 (timing=0) and Priv 1.12 Table 3.7: a data trigger fires before
    // the access and before its page or access fault, as in QEMU 7.2.
    const trig = this.triggers;
    const tkind = trig.data === null || kind === Access.Fetch ? 0
      : rmw ? TRIGGER_ACCESS.Amo : kind === Access.Read ? TRIGGER_ACCESS.Load : TRIGGER_ACCESS.Store;
    if (tkind !== 0 && trig.accessHit(lo, hi, size, tkind, this.priv)) {
      this.triggerFired();
      return -1;
    }
    const c = this.tctx;
    c.priv = kind === Access.Fetch ? this.priv : this.dataPriv();
    c.satpMode = this.satpMode();
    c.satpPpn = this.satpPpn();
    c.sum = (this.mstatus & MSTATUS.SUM) !== 0;
    c.mxr = (this.mstatus & MSTATUS.MXR) !== 0;
    const t = translate(c, lo, hi, kind, size);
    if (t.pa < 0) {
      this.yieldLoop = true;
      this.excCause = t.cause;
      this.excTvalLo = lo;
      this.excTvalHi = this.xlen === 64 ? hi : 0;
      return -1;
    }
    const watch = this.watch;
    if (watch !== null && kind !== Access.Fetch && watch.check(t.pa, size, kind === Access.Write, this.id)) {
      this.hitBreakpoint = true; // the access completes; the hart stops after this instruction
      this.yieldLoop = true;
    }
    if (t.cacheable && (lo & 0xfff) + size <= 4096) {
      const tlb = kind === Access.Read ? this.tlbR : kind === Access.Write ? this.tlbW : this.tlbX;
      const page = t.pa - (t.pa % 4096);
      if ((watch === null || kind === Access.Fetch || !watch.coversPage(page)) &&
        (tkind === 0 || !trig.coversPage(lo, hi, tkind))) {
        tlb.fill(lo, hi, page, page >= this.ramBase && page < this.ramEnd ? page - this.ramBase : -1);
      }
    }
    return t.pa;
  }

  /** A data trigger fires: a breakpoint exception before the access (tval 0, as QEMU 7.2). */
  private triggerFired(): void {
    this.yieldLoop = true;
    this.excCause = Cause.Breakpoint;
    this.excTvalLo = this.excTvalHi = 0;
  }

  /** Debugger translation: no A/D updates, no TLB fill, no fault raised. -1 when unmapped. */
  peekTranslate(lo: number, hi: number, kind: AccessKind): number {
    const c = { ...this.tctx, priv: kind === Access.Fetch ? this.priv : this.dataPriv(),
      satpMode: this.satpMode(), satpPpn: this.satpPpn(),
      sum: (this.mstatus & MSTATUS.SUM) !== 0, mxr: (this.mstatus & MSTATUS.MXR) !== 0 };
    return translate(c, lo, hi, kind, 1, false).pa;
  }

  // ---------------------------------------------------------------- loads and stores

  private pa(tlb: Tlb, lo: number, hi: number, kind: AccessKind, size: number): number {
    const vpn = lo >>> 12;
    const i = vpn & 255;
    if (tlb.tagLo[i] === vpn && tlb.tagHi[i] === hi) return tlb.pa[i] + (lo & 0xfff);
    return this.translate(lo, hi, kind, size);
  }

  /** DRAM offset of an aligned access on a TLB hit, else -1 (the caller takes the general path). */
  private ramHit(tlb: Tlb, lo: number, hi: number, align: number): number {
    const vpn = lo >>> 12;
    const i = vpn & 255;
    if (tlb.tagLo[i] !== vpn || tlb.tagHi[i] !== hi || (lo & align) !== 0) return -1;
    const page = tlb.ram[i];
    return page < 0 ? -1 : page + (lo & 0xfff);
  }

  private accessFault(kind: AccessKind, lo: number, hi: number): void {
    this.yieldLoop = true;
    this.excCause = kind === Access.Write ? Cause.StoreAccessFault : Cause.LoadAccessFault;
    this.excTvalLo = lo;
    this.excTvalHi = this.xlen === 64 ? hi : 0;
  }

  /** Unsigned byte. */
  load8(lo: number, hi: number): number {
    const pa = this.pa(this.tlbR, lo, hi, Access.Read, 1);
    if (pa < 0) return 0;
    const off = pa - this.ramBase;
    if (off >= 0 && pa < this.ramEnd) return this.ram.u8[off];
    return this.loadBus(pa, 1, lo, hi);
  }

  /** Unsigned halfword. */
  load16(lo: number, hi: number): number {
    if ((lo & 0xfff) > 0xffe) return this.loadSplit(lo, hi, 2);
    const pa = this.pa(this.tlbR, lo, hi, Access.Read, 2);
    if (pa < 0) return 0;
    const off = pa - this.ramBase;
    if (off >= 0 && pa + 2 <= this.ramEnd) return (off & 1) === 0 ? this.ram.u16[off >>> 1] : this.ram.dv.getUint16(off, true);
    return this.loadBus(pa, 2, lo, hi);
  }

  /** Word as int32. */
  load32(lo: number, hi: number): number {
    const hit = this.ramHit(this.tlbR, lo, hi, 3);
    if (hit >= 0) return this.ram.i32[hit >>> 2];
    if ((lo & 0xfff) > 0xffc) return this.loadSplit(lo, hi, 4);
    const pa = this.pa(this.tlbR, lo, hi, Access.Read, 4);
    if (pa < 0) return 0;
    const off = pa - this.ramBase;
    if (off >= 0 && pa + 4 <= this.ramEnd) return (off & 3) === 0 ? this.ram.i32[off >>> 2] : this.ram.dv.getInt32(off, true);
    return this.loadBus(pa, 4, lo, hi);
  }

  /** Doubleword: low word returned, high word in ldHi. */
  load64(lo: number, hi: number): number {
    const hit = this.ramHit(this.tlbR, lo, hi, 7);
    if (hit >= 0) { this.ldHi = this.ram.i32[(hit >>> 2) + 1]; return this.ram.i32[hit >>> 2]; }
    if ((lo & 0xfff) > 0xff8) {
      if (this.splitTriggers(lo, hi, 8)) return 0;
      const l = this.loadSplit(lo, hi, 4);
      if (this.excCause >= 0) return 0;
      out[0] = (lo + 4) | 0;
      this.ldHi = this.loadSplit(out[0], (lo >>> 0) > 0xfffffffb ? (hi + 1) | 0 : hi, 4);
      return l;
    }
    const pa = this.pa(this.tlbR, lo, hi, Access.Read, 8);
    if (pa < 0) return 0;
    const off = pa - this.ramBase;
    if (off >= 0 && pa + 8 <= this.ramEnd) {
      if ((off & 3) === 0) { this.ldHi = this.ram.i32[(off >>> 2) + 1]; return this.ram.i32[off >>> 2]; }
      this.ldHi = this.ram.dv.getInt32(off + 4, true);
      return this.ram.dv.getInt32(off, true);
    }
    const v = this.loadBus(pa, 8, lo, hi);
    this.ldHi = this.bus.hi;
    return v;
  }

  private loadBus(pa: number, size: number, lo: number, hi: number): number {
    const v = this.bus.read(pa, size);
    if (v === null) { this.accessFault(Access.Read, lo, hi); return 0; }
    return v;
  }

  /** A misaligned access that crosses a page: byte by byte, each translated (QEMU allows misaligned RAM access). */
  private loadSplit(lo: number, hi: number, size: number): number {
    if (this.splitTriggers(lo, hi, size)) return 0;
    let v = 0;
    for (let i = size - 1; i >= 0; i--) {
      const a = (lo + i) | 0;
      const b = this.load8(a, (a >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi);
      if (this.excCause >= 0) { this.splitFault(lo, hi); return 0; }
      v = (v << 8) | b;
    }
    return size === 4 ? v | 0 : v;
  }

  /** Before a split load's bytes: data triggers see the whole access, as QEMU 7.2 checks it (Triggers.accessHit). */
  private splitTriggers(lo: number, hi: number, size: number): boolean {
    if (this.triggers.data === null || !this.triggers.accessHit(lo, hi, size, TRIGGER_ACCESS.Load, this.priv)) return false;
    this.triggerFired();
    return true;
  }

  store8(lo: number, hi: number, v: number): void {
    const pa = this.pa(this.tlbW, lo, hi, Access.Write, 1);
    if (pa < 0) return;
    const off = pa - this.ramBase;
    if (off >= 0 && pa < this.ramEnd) {
      this.ram.u8[off] = v;
      this.stored(off, 1, pa);
      return;
    }
    this.storeBus(pa, 1, v, 0, lo, hi);
  }

  store16(lo: number, hi: number, v: number): void {
    if ((lo & 0xfff) > 0xffe) { this.storeSplit(lo, hi, v, 0, 2); return; }
    const pa = this.pa(this.tlbW, lo, hi, Access.Write, 2);
    if (pa < 0) return;
    const off = pa - this.ramBase;
    if (off >= 0 && pa + 2 <= this.ramEnd) {
      if ((off & 1) === 0) this.ram.u16[off >>> 1] = v; else this.ram.dv.setUint16(off, v, true);
      this.stored(off, 2, pa);
      return;
    }
    this.storeBus(pa, 2, v, 0, lo, hi);
  }

  store32(lo: number, hi: number, v: number): void {
    const hit = this.ramHit(this.tlbW, lo, hi, 3);
    if (hit >= 0) { this.ram.i32[hit >>> 2] = v; this.stored(hit, 4, hit + this.ramBase); return; }
    if ((lo & 0xfff) > 0xffc) { this.storeSplit(lo, hi, v, 0, 4); return; }
    const pa = this.pa(this.tlbW, lo, hi, Access.Write, 4);
    if (pa < 0) return;
    const off = pa - this.ramBase;
    if (off >= 0 && pa + 4 <= this.ramEnd) {
      if ((off & 3) === 0) this.ram.i32[off >>> 2] = v; else this.ram.dv.setInt32(off, v, true);
      this.stored(off, 4, pa);
      return;
    }
    this.storeBus(pa, 4, v, 0, lo, hi);
  }

  store64(lo: number, hi: number, vLo: number, vHi: number): void {
    const hit = this.ramHit(this.tlbW, lo, hi, 7);
    if (hit >= 0) { this.ram.i32[hit >>> 2] = vLo; this.ram.i32[(hit >>> 2) + 1] = vHi; this.stored(hit, 8, hit + this.ramBase); return; }
    if ((lo & 0xfff) > 0xff8) { this.storeSplit(lo, hi, vLo, vHi, 8); return; }
    const pa = this.pa(this.tlbW, lo, hi, Access.Write, 8);
    if (pa < 0) return;
    const off = pa - this.ramBase;
    if (off >= 0 && pa + 8 <= this.ramEnd) {
      if ((off & 3) === 0) { this.ram.i32[off >>> 2] = vLo; this.ram.i32[(off >>> 2) + 1] = vHi; }
      else { this.ram.dv.setInt32(off, vLo, true); this.ram.dv.setInt32(off + 4, vHi, true); }
      this.stored(off, 8, pa);
      return;
    }
    this.storeBus(pa, 8, vLo, vHi, lo, hi);
  }

  /** After a RAM store: drop decoded instructions it overwrote, end other harts' reservations. */
  private stored(off: number, size: number, pa: number): void {
    const code = this.ram.code;
    if (code.hasCode[off >>> 12] !== 0 || code.hasCode[(off + size - 1) >>> 12] !== 0) code.invalidate(off, size);
    this.host.storeNotify(pa, this);
  }

  private storeBus(pa: number, size: number, vLo: number, vHi: number, lo: number, hi: number): void {
    if (!this.bus.write(pa, size, vLo, vHi)) this.accessFault(Access.Write, lo, hi);
    else this.host.storeNotify(pa, this);
  }

  private storeSplit(lo: number, hi: number, vLo: number, vHi: number, size: number): void {
    // Check every byte first so a faulting store leaves memory untouched.
    for (let i = 0; i < size; i++) {
      const a = (lo + i) | 0;
      if (this.translate(a, (a >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi, Access.Write, 1) < 0) {
        this.splitFault(lo, hi);
        return;
      }
    }
    for (let i = 0; i < size; i++) {
      const a = (lo + i) | 0;
      const byte = i < 4 ? (vLo >>> (8 * i)) & 0xff : (vHi >>> (8 * (i - 4))) & 0xff;
      this.store8(a, (a >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi, byte);
      if (this.excCause >= 0) return;
    }
  }

  /** A byte of a split access faulted: the fault reports the access's address (a trigger's breakpoint keeps tval 0). */
  private splitFault(lo: number, hi: number): void {
    if (this.excCause === Cause.Breakpoint) return;
    this.excTvalLo = lo;
    this.excTvalHi = this.xlen === 64 ? hi : 0;
  }

  // ---------------------------------------------------------------- atomics (A extension)

  private misaligned(cause: number, lo: number, hi: number): void {
    this.yieldLoop = true;
    this.excCause = cause;
    this.excTvalLo = lo;
    this.excTvalHi = this.xlen === 64 ? hi : 0;
  }

  /** Physical address for an AMO/SC of `size` bytes, or -1 (misaligned → store/AMO misaligned, as QEMU). */
  amoPa(lo: number, hi: number, size: number): number {
    if ((lo & (size - 1)) !== 0) { this.misaligned(Cause.StoreAddressMisaligned, lo, hi); return -1; }
    return this.translate(lo, hi, Access.Write, size, true);
  }

  /** Read at a physical address found by amoPa/LR; low word returned, high in ldHi. */
  physRead(pa: number, size: number, lo: number, hi: number): number {
    const v = this.bus.read(pa, size);
    if (v === null) { this.accessFault(Access.Write, lo, hi); return 0; }
    this.ldHi = this.bus.hi;
    return v;
  }

  physWrite(pa: number, size: number, vLo: number, vHi: number, lo: number, hi: number): void {
    this.storeBus(pa, size, vLo, vHi, lo, hi);
  }

  /** LR.W/LR.D: load and reserve (Unpriv §8.2). */
  loadReserved(lo: number, hi: number, size: number): number {
    if ((lo & (size - 1)) !== 0) { this.misaligned(Cause.LoadAddressMisaligned, lo, hi); return 0; }
    const pa = this.translate(lo, hi, Access.Read, size);
    if (pa < 0) return 0;
    const v = this.bus.read(pa, size);
    if (v === null) { this.accessFault(Access.Read, lo, hi); return 0; }
    this.ldHi = size === 8 ? this.bus.hi : v >> 31;
    this.resvAddr = pa - (pa % 8);
    this.resvVaLo = lo; this.resvVaHi = hi;
    this.resvLo = v; this.resvHi = this.ldHi;
    return v;
  }

  /**
   * SC.W/SC.D: 0 on success, 1 on failure. Like QEMU, the reservation is the address
   * and the value loaded; another hart's store to the granule also ends it.
   */
  storeConditional(lo: number, hi: number, size: number, vLo: number, vHi: number): number {
    const reserved = this.resvAddr >= 0 && this.resvVaLo === lo && this.resvVaHi === hi;
    const expectLo = this.resvLo, expectHi = this.resvHi;
    this.resvAddr = -1;
    if (!reserved) return 1;
    const pa = this.amoPa(lo, hi, size);
    if (pa < 0) return 1;
    const cur = this.bus.read(pa, size);
    if (cur === null) { this.accessFault(Access.Write, lo, hi); return 1; }
    if (cur !== expectLo || (size === 8 && this.bus.hi !== expectHi)) return 1;
    this.storeBus(pa, size, vLo, vHi, lo, hi);
    return 0;
  }

  // ---------------------------------------------------------------- fetch

  /**
   * The decoded page for the instruction at pc, or null with excCause set. The caller
   * indexes it by (pcLo & 0xfff) >> 1. Only DRAM and the boot ROM hold code.
   */
  fetchPage(lo: number, hi: number): CodePage | null {
    if ((lo & 1) !== 0) { // only reachable through a misaligned xEPC write
      this.yieldLoop = true;
      this.excCause = Cause.InstructionAddressMisaligned;
      this.excTvalLo = lo; this.excTvalHi = hi;
      return null;
    }
    const pa = this.pa(this.tlbX, lo, hi, Access.Fetch, 2);
    if (pa < 0) return null;
    const region = this.bus.regionAt(pa, 2);
    if (region === undefined) {
      this.yieldLoop = true;
      this.excCause = Cause.InstructionAccessFault;
      this.excTvalLo = lo; this.excTvalHi = this.xlen === 64 ? hi : 0;
      return null;
    }
    return region.code.page((pa - region.base) >>> 12);
  }

  /**
   * Decode the instruction at pc into `dec`. Returns true when the result may be cached
   * in the page slot (false for a 32-bit instruction straddling two pages).
   */
  decodeAt(lo: number, hi: number): boolean {
    const low = this.fetch16(lo, hi);
    if (this.excCause >= 0) return false;
    if ((low & 3) !== 3) { decode(low, this.xlen); return true; }
    const a = (lo + 2) | 0;
    const high = this.fetch16(a, (a >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi);
    if (this.excCause >= 0) {
      // Priv §3.1.16: tval is the address of the faulting portion; QEMU reports the instruction start.
      return false;
    }
    decode(low | (high << 16), this.xlen);
    return (lo & 0xfff) !== 0xffe;
  }

  private fetch16(lo: number, hi: number): number {
    const pa = this.pa(this.tlbX, lo, hi, Access.Fetch, 2);
    if (pa < 0) return 0;
    const region = this.bus.regionAt(pa, 2);
    if (region === undefined) {
      this.yieldLoop = true;
      this.excCause = Cause.InstructionAccessFault;
      this.excTvalLo = lo; this.excTvalHi = this.xlen === 64 ? hi : 0;
      return 0;
    }
    return region.dv.getUint16(pa - region.base, true);
  }

  // ---------------------------------------------------------------- traps and interrupts

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

  private stce(): boolean { return (this.csr64[2 * C.menvcfg + 1] & MENVCFG.STCE_HI) !== 0; }

  /** stimecmp in ticks when Sstc drives STIP, else undefined. */
  stimecmpTicks(): number | undefined { return this.stce() ? this.stimecmp() : undefined; }

  private stimecmp(): number {
    return (this.csr64[2 * C.stimecmp + 1] >>> 0) * 4294967296 + (this.csr64[2 * C.stimecmp] >>> 0);
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
    if (this.trapTrace !== null) this.trapTrace(cause, interrupt);
    if (this.onTrap !== null) this.onTrap(cause, interrupt);
    const from = this.priv;
    const deleg = this.trapTarget(cause, interrupt) === Priv.S;
    const causeHiBit = interrupt ? 0x80000000 | 0 : 0;
    const csr = this.csr64;
    let vecSlot: number;
    if (deleg) {
      csr[2 * C.sepc] = this.pcLo; csr[2 * C.sepc + 1] = this.pcHi;
      this.setCause(C.scause, cause, causeHiBit);
      csr[2 * C.stval] = tvalLo; csr[2 * C.stval + 1] = tvalHi;
      let s = this.mstatus;
      s = (s & MSTATUS.SIE) !== 0 ? s | MSTATUS.SPIE : s & ~MSTATUS.SPIE;
      s &= ~MSTATUS.SIE;
      s = from === Priv.S ? s | MSTATUS.SPP : s & ~MSTATUS.SPP;
      this.mstatus = s;
      this.priv = Priv.S;
      vecSlot = C.stvec;
    } else {
      csr[2 * C.mepc] = this.pcLo; csr[2 * C.mepc + 1] = this.pcHi;
      this.setCause(C.mcause, cause, causeHiBit);
      csr[2 * C.mtval] = tvalLo; csr[2 * C.mtval + 1] = tvalHi;
      let s = this.mstatus;
      s = (s & MSTATUS.MIE) !== 0 ? s | MSTATUS.MPIE : s & ~MSTATUS.MPIE;
      s &= ~MSTATUS.MIE;
      s = (s & ~MSTATUS.MPP) | (from << MSTATUS.MPP_SHIFT);
      this.mstatus = s;
      this.priv = Priv.M;
      vecSlot = C.mtvec;
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
    this.pcLo = this.csr64[2 * C.mepc];
    this.pcHi = this.xlen === 64 ? this.csr64[2 * C.mepc + 1] : 0;
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
    this.pcLo = this.csr64[2 * C.sepc];
    this.pcHi = this.xlen === 64 ? this.csr64[2 * C.sepc + 1] : 0;
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

  // ---------------------------------------------------------------- CSRs

  /**
   * Execute a CSR instruction (Zicsr). Returns false when it is illegal. `write` is
   * false for CSRRS/CSRRC with rs1 = x0 (no write, so read-only CSRs are fine).
   */
  csrOp(num: number, kind: 0 | 1 | 2, srcLo: number, srcHi: number, rd: number, write: boolean): boolean {
    const minPriv = (num >>> 8) & 3;
    if (this.priv < minPriv) return false;
    if (write && (num >>> 10) === 3) return false; // read-only CSR space
    if (!this.csrRead(num)) return false;
    const oldLo = out[0], oldHi = out[1];
    if (write) {
      let nLo: number, nHi: number;
      if (kind === 0) { nLo = srcLo; nHi = srcHi; }
      else if (kind === 1) { nLo = oldLo | srcLo; nHi = oldHi | srcHi; }
      else { nLo = oldLo & ~srcLo; nHi = oldHi & ~srcHi; }
      if (!this.csrWrite(num, nLo, nHi)) return false;
    }
    if (rd !== 0) {
      this.x[2 * rd] = oldLo;
      this.x[2 * rd + 1] = this.xlen === 64 ? oldHi : 0;
    }
    this.yieldLoop = true;
    return true;
  }

  private counterAllowed(index: number): boolean {
    if (this.priv === Priv.M) return true;
    if (((this.mcounteren >>> index) & 1) === 0) return false;
    if (this.priv === Priv.U && ((this.scounteren >>> index) & 1) === 0) return false;
    return true;
  }

  private setOut(lo: number, hi: number): true { out[0] = lo; out[1] = this.xlen === 64 ? hi : 0; return true; }
  private setOutNumber(v: number): true {
    const lo = v % 4294967296;
    out[0] = lo | 0;
    out[1] = this.xlen === 64 ? Math.floor(v / 4294967296) | 0 : 0;
    return true;
  }
  private pair(slot: number): true { return this.setOut(this.csr64[2 * slot], this.csr64[2 * slot + 1]); }

  /** Read a CSR into out[0..1]; false if it does not exist or is not accessible. */
  csrRead(num: number): boolean {
    const rv32 = this.xlen === 32;
    // Counters: cycle/time/instret and the hpm counters (always zero), with their RV32 high halves.
    if ((num >= CSR.cycle && num <= CSR.hpmcounter31) || (rv32 && num >= CSR.cycleh && num <= CSR.hpmcounter31h)) {
      const index = num & 0x1f;
      if (!this.counterAllowed(index)) return false;
      const high = num >= CSR.cycleh;
      const v = index === 0 ? this.instret + this.cycleOffset : index === 1 ? this.host.time(this)
        : index === 2 ? this.instret + this.instretOffset : 0;
      return this.counterOut(v, high);
    }
    if ((num >= CSR.mcycle && num <= CSR.mhpmcounter31) || (rv32 && num >= CSR.mcycleh && num <= CSR.mhpmcounter31h)) {
      const index = num & 0x1f;
      if (index === 1) return false; // there is no mtime CSR
      const v = index === 0 ? this.instret + this.cycleOffset : index === 2 ? this.instret + this.instretOffset : 0;
      return this.counterOut(v, num >= CSR.mcycleh);
    }
    if (num >= CSR.mhpmevent3 && num <= CSR.mhpmevent31) return this.setOut(0, 0);
    if (num >= CSR.pmpcfg0 && num <= CSR.pmpcfg15) {
      const n = num - CSR.pmpcfg0;
      if (n >= 4 || (!rv32 && (n & 1) === 1)) return false; // 16 entries: pmpcfg0-3 (RV32), pmpcfg0/2 (RV64)
      const c = this.pmp.cfg, b = n * 4;
      const lo = c[b] | (c[b + 1] << 8) | (c[b + 2] << 16) | (c[b + 3] << 24);
      const hi = rv32 ? 0 : c[b + 4] | (c[b + 5] << 8) | (c[b + 6] << 16) | (c[b + 7] << 24);
      return this.setOut(lo, hi);
    }
    if (num >= CSR.pmpaddr0 && num <= CSR.pmpaddr63) {
      const n = num - CSR.pmpaddr0;
      if (n >= PMP_ENTRIES) return false;
      return this.setOut(this.pmp.addrLo[n], this.pmp.addrHi[n]);
    }
    if (num >= CSR.tselect && num <= CSR.tinfo) { this.triggers.read(num); return true; }
    switch (num) {
      case CSR.mvendorid: case CSR.marchid: case CSR.mimpid: case CSR.mconfigptr: return this.setOut(0, 0);
      case CSR.mhartid: return this.setOut(this.id, 0);
      case CSR.mstatus: return this.readMstatus(0xffffffff | 0);
      case CSR.mstatush: return rv32 ? this.setOut(0, 0) : false;
      case CSR.misa: return rv32 ? this.setOut(0x40000000 | MISA_EXT, 0) : this.setOut(MISA_EXT, 0x80000000 | 0);
      case CSR.medeleg: return this.setOut(this.medeleg, 0);
      case CSR.mideleg: return this.setOut(this.mideleg, 0);
      case CSR.mie: return this.setOut(this.mie, 0);
      case CSR.mip: return this.setOut(this.mip(), 0);
      case CSR.mtvec: return this.pair(C.mtvec);
      case CSR.mcounteren: return this.setOut(this.mcounteren, 0);
      case CSR.mcountinhibit: return this.setOut(this.mcountinhibit, 0);
      case CSR.menvcfg: return rv32 ? this.setOut(this.csr64[2 * C.menvcfg], 0) : this.pair(C.menvcfg);
      case CSR.menvcfgh: return rv32 ? this.setOut(this.csr64[2 * C.menvcfg + 1], 0) : false;
      case CSR.mscratch: return this.pair(C.mscratch);
      case CSR.mepc: return this.pair(C.mepc);
      case CSR.mcause: return this.pair(C.mcause);
      case CSR.mtval: return this.pair(C.mtval);
      case CSR.sstatus: return this.readMstatus(SSTATUS_MASK);
      case CSR.sie: return this.setOut(this.mie & this.mideleg, 0);
      case CSR.sip: return this.setOut(this.mip() & this.mideleg, 0);
      case CSR.stvec: return this.pair(C.stvec);
      case CSR.scounteren: return this.setOut(this.scounteren, 0);
      case CSR.senvcfg: return this.setOut(this.senvcfg, 0);
      case CSR.sscratch: return this.pair(C.sscratch);
      case CSR.sepc: return this.pair(C.sepc);
      case CSR.scause: return this.pair(C.scause);
      case CSR.stval: return this.pair(C.stval);
      case CSR.stimecmp: case CSR.stimecmph:
        if (!this.stimecmpAllowed() || (num === CSR.stimecmph && !rv32)) return false;
        return num === CSR.stimecmph ? this.setOut(this.csr64[2 * C.stimecmp + 1], 0) : this.pair(C.stimecmp);
      case CSR.satp:
        if (this.priv === Priv.S && (this.mstatus & MSTATUS.TVM) !== 0) return false;
        return this.pair(C.satp);
      default: return false;
    }
  }

  private counterOut(v: number, high: boolean): true {
    if (this.xlen === 32) {
      out[0] = high ? Math.floor(v / 4294967296) | 0 : (v % 4294967296) | 0;
      out[1] = 0;
      return true;
    }
    return this.setOutNumber(v);
  }

  private stimecmpAllowed(): boolean {
    if (this.priv === Priv.M) return true;
    return this.stce() && (this.mcounteren & 2) !== 0;
  }

  private readMstatus(mask: number): true {
    let lo = this.mstatus;
    const dirty = (lo & MSTATUS.FS) === MSTATUS.FS || (lo & MSTATUS.VS) === MSTATUS.VS || (lo & MSTATUS.XS) === MSTATUS.XS;
    if (this.xlen === 32) {
      if (dirty) lo |= MSTATUS.SD32;
      return this.setOut(lo & mask, 0);
    }
    const sstatusView = mask !== (0xffffffff | 0);
    const hi = (sstatusView ? 0x2 : MSTATUS.HI_XL) | (dirty ? 0x80000000 | 0 : 0);
    return this.setOut(lo & mask & ~MSTATUS.SD32, hi);
  }

  /** Write a CSR (after csrRead succeeded); false when the write itself is illegal. */
  private csrWrite(num: number, lo: number, hi: number): boolean {
    const rv32 = this.xlen === 32;
    const csr = this.csr64;
    if ((num >= CSR.mcycle && num <= CSR.mhpmcounter31) || (rv32 && num >= CSR.mcycleh && num <= CSR.mhpmcounter31h)) {
      const index = num & 0x1f;
      // Priv §3.1.10: hpm counters may be read-only zero, which ours are.
      if (index !== 0 && index !== 2) return true;
      const cur = this.instret + (index === 0 ? this.cycleOffset : this.instretOffset);
      let want: number;
      if (!rv32) want = (hi >>> 0) * 4294967296 + (lo >>> 0);
      else if (num >= CSR.mcycleh) want = (lo >>> 0) * 4294967296 + (cur % 4294967296);
      else want = Math.floor(cur / 4294967296) * 4294967296 + (lo >>> 0);
      // Counters are kept as doubles; values beyond 2^53 lose their low bits.
      if (index === 0) this.cycleOffset = want - this.instret; else this.instretOffset = want - this.instret - 1;
      return true;
    }
    if (num >= CSR.mhpmevent3 && num <= CSR.mhpmevent31) return true;
    if (num >= CSR.pmpcfg0 && num <= CSR.pmpcfg15) {
      const b = (num - CSR.pmpcfg0) * 4;
      for (let i = 0; i < (rv32 ? 4 : 8); i++) this.pmp.writeCfg(b + i, i < 4 ? (lo >>> (8 * i)) & 0xff : (hi >>> (8 * (i - 4))) & 0xff);
      this.flushTlb();
      return true;
    }
    if (num >= CSR.pmpaddr0 && num <= CSR.pmpaddr63) {
      this.pmp.writeAddr(num - CSR.pmpaddr0, lo, hi);
      this.flushTlb();
      return true;
    }
    if (num >= CSR.tselect && num <= CSR.tinfo) {
      this.triggers.write(num, lo, hi);
      this.flushTlb(); // pages that now hold (or no longer hold) a trigger's bytes
      return true;
    }
    switch (num) {
      case CSR.mstatus: this.writeMstatus(lo, MSTATUS_WRITABLE); return true;
      case CSR.sstatus: this.writeMstatus(lo, SSTATUS_MASK & MSTATUS_WRITABLE); return true;
      case CSR.mstatush: case CSR.misa: case CSR.mvendorid: return true; // WARL, fixed here
      case CSR.medeleg: this.medeleg = lo & DELEGABLE_EXCEPTIONS; return true;
      case CSR.mideleg: this.mideleg = lo & DELEGABLE_INTERRUPTS; return true;
      case CSR.mie: this.mie = lo & MIE_WRITABLE; return true;
      case CSR.sie: this.mie = (this.mie & ~this.mideleg) | (lo & this.mideleg & MIE_WRITABLE); return true;
      case CSR.mip: this.mipSw = (this.mipSw & ~MIP_SW_WRITABLE) | (lo & MIP_SW_WRITABLE); return true;
      case CSR.sip: this.mipSw = (this.mipSw & ~(MIP.SSIP & this.mideleg)) | (lo & MIP.SSIP & this.mideleg); return true;
      case CSR.mtvec: this.writeTvec(C.mtvec, lo, hi); return true;
      case CSR.stvec: this.writeTvec(C.stvec, lo, hi); return true;
      case CSR.mcounteren: this.mcounteren = lo; return true;
      case CSR.scounteren: this.scounteren = lo; return true;
      case CSR.mcountinhibit: this.mcountinhibit = lo & ~2; return true;
      case CSR.menvcfg: csr[2 * C.menvcfg] = lo & MENVCFG.FIOM; if (!rv32) csr[2 * C.menvcfg + 1] = hi & MENVCFG.STCE_HI; return true;
      case CSR.menvcfgh: csr[2 * C.menvcfg + 1] = lo & MENVCFG.STCE_HI; return true;
      case CSR.senvcfg: this.senvcfg = lo & MENVCFG.FIOM; return true;
      case CSR.mscratch: this.setPair(C.mscratch, lo, hi); return true;
      case CSR.sscratch: this.setPair(C.sscratch, lo, hi); return true;
      case CSR.mepc: this.setPair(C.mepc, lo & ~1, hi); return true;
      case CSR.sepc: this.setPair(C.sepc, lo & ~1, hi); return true;
      case CSR.mcause: this.setPair(C.mcause, lo, hi); return true;
      case CSR.scause: this.setPair(C.scause, lo, hi); return true;
      case CSR.mtval: this.setPair(C.mtval, lo, hi); return true;
      case CSR.stval: this.setPair(C.stval, lo, hi); return true;
      case CSR.stimecmp: csr[2 * C.stimecmp] = lo; if (!rv32) csr[2 * C.stimecmp + 1] = hi; return true; // RV32: stimecmph holds the high word
      case CSR.stimecmph: csr[2 * C.stimecmp + 1] = lo; return true;
      case CSR.satp: this.writeSatp(lo, hi); return true;
      default: return true; // read-only machine information registers were refused above
    }
  }

  private setPair(slot: number, lo: number, hi: number): void {
    this.csr64[2 * slot] = lo;
    this.csr64[2 * slot + 1] = this.xlen === 64 ? hi : 0;
  }

  private writeTvec(slot: number, lo: number, hi: number): void {
    if ((lo & 3) >= 2) return; // reserved modes: the write is ignored, as QEMU does
    this.setPair(slot, lo, hi);
  }

  private writeMstatus(v: number, mask: number): void {
    let n = (this.mstatus & ~mask) | (v & mask);
    if (((n & MSTATUS.MPP) >>> MSTATUS.MPP_SHIFT) === 2) n &= ~MSTATUS.MPP; // MPP is WARL: no H-mode
    const changed = n ^ this.mstatus;
    this.mstatus = n;
    if ((changed & (MSTATUS.MPRV | MSTATUS.SUM | MSTATUS.MXR | MSTATUS.MPP)) !== 0) this.flushTlb();
  }

  private writeSatp(lo: number, hi: number): void {
    if (this.xlen === 64) {
      const mode = hi >>> 28;
      if (mode !== SATP_MODE.Bare && mode !== SATP_MODE.Sv39 && mode !== SATP_MODE.Sv48) return; // WARL: ignore
    }
    this.setPair(C.satp, lo, hi);
    this.flushTlb();
  }

  /** Debugger/loader access to a 64-bit CSR slot by name. */
  static readonly CSR_SLOTS = C;
}
