/**
 * A hart's memory access: translation through the TLBs (Priv 1.12 ch. 4), loads and
 * stores (the RAM fast path first), the A extension's helpers and instruction fetch.
 * Guest faults are values: excCause/excTval on the hart and yieldLoop set.
 */
import { Access, AccessKind, translate } from '../mmu/translate';
import { Tlb, TLB_INDEX_MASK } from '../mmu/tlb';
import { bitField, Cause, MENVCFG, MSTATUS, Priv, SATP_LAYOUT } from './csr';
import { CBO_BLOCK } from './isa-table';
import { decode } from './decode';
import { CodePage } from './code-cache';
import { out } from './int64';
import { TRIGGER_ACCESS } from './triggers';
import { CSR_SLOT, HartState } from './state';

export class HartMemory extends HartState {
  // ---------------------------------------------------------------- translation

  /** satp.MODE: its value is the SATP_MODE number on both XLENs (RV32's one bit is Sv32). */
  private satpMode(): number {
    return bitField(this.csr64[2 * CSR_SLOT.satp], this.csr64[2 * CSR_SLOT.satp + 1], SATP_LAYOUT[this.xlen].MODE);
  }

  private satpPpn(): number {
    return bitField(this.csr64[2 * CSR_SLOT.satp], this.csr64[2 * CSR_SLOT.satp + 1], SATP_LAYOUT[this.xlen].PPN);
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
    // Cheap snapshots: a page a store reaches is dirty from now on (it enters tlbW below, so later stores skip this).
    if (kind === Access.Write && this.ram.dirty !== null && t.pa >= this.ramBase && t.pa < this.ramEnd) this.ram.markDirty(t.pa - this.ramBase, size);
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
    const i = vpn & TLB_INDEX_MASK;
    if (tlb.tagLo[i] === vpn && tlb.tagHi[i] === hi) return tlb.pa[i] + (lo & 0xfff);
    return this.translate(lo, hi, kind, size);
  }

  /** DRAM offset of an aligned access on a TLB hit, else -1 (the caller takes the general path). */
  private ramHit(tlb: Tlb, lo: number, hi: number, align: number): number {
    const vpn = lo >>> 12;
    const i = vpn & TLB_INDEX_MASK;
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
      this.stored(off, 1);
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
      this.stored(off, 2);
      return;
    }
    this.storeBus(pa, 2, v, 0, lo, hi);
  }

  store32(lo: number, hi: number, v: number): void {
    const hit = this.ramHit(this.tlbW, lo, hi, 3);
    if (hit >= 0) { this.ram.i32[hit >>> 2] = v; this.stored(hit, 4); return; }
    if ((lo & 0xfff) > 0xffc) { this.storeSplit(lo, hi, v, 0, 4); return; }
    const pa = this.pa(this.tlbW, lo, hi, Access.Write, 4);
    if (pa < 0) return;
    const off = pa - this.ramBase;
    if (off >= 0 && pa + 4 <= this.ramEnd) {
      if ((off & 3) === 0) this.ram.i32[off >>> 2] = v; else this.ram.dv.setInt32(off, v, true);
      this.stored(off, 4);
      return;
    }
    this.storeBus(pa, 4, v, 0, lo, hi);
  }

  store64(lo: number, hi: number, vLo: number, vHi: number): void {
    const hit = this.ramHit(this.tlbW, lo, hi, 7);
    if (hit >= 0) { this.ram.i32[hit >>> 2] = vLo; this.ram.i32[(hit >>> 2) + 1] = vHi; this.stored(hit, 8); return; }
    if ((lo & 0xfff) > 0xff8) { this.storeSplit(lo, hi, vLo, vHi, 8); return; }
    const pa = this.pa(this.tlbW, lo, hi, Access.Write, 8);
    if (pa < 0) return;
    const off = pa - this.ramBase;
    if (off >= 0 && pa + 8 <= this.ramEnd) {
      if ((off & 3) === 0) { this.ram.i32[off >>> 2] = vLo; this.ram.i32[(off >>> 2) + 1] = vHi; }
      else { this.ram.dv.setInt32(off, vLo, true); this.ram.dv.setInt32(off + 4, vHi, true); }
      this.stored(off, 8);
      return;
    }
    this.storeBus(pa, 8, vLo, vHi, lo, hi);
  }

  /** After a RAM store: drop decoded instructions it overwrote, end other harts' reservations (compiled stores call it too). */
  stored(off: number, size: number): void {
    const code = this.ram.code;
    if (code.hasCode[off >>> 12] !== 0 || code.hasCode[(off + size - 1) >>> 12] !== 0) code.invalidate(off, size);
    // Other harts' reservations on these bytes end; mostly none is held, and the address
    // (boxed when passed: it is past V8's small integers) is not made.
    if (this.resvCount[0] !== 0) this.host.storeNotify(off + this.ramBase, this);
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

  // ---------------------------------------------------------------- Zicbom, Zicboz

  /**
   * cbo.inval (op 0), cbo.clean (1), cbo.flush (2), cbo.zero (4) on the 64-byte block
   * holding address lo:hi (CMO spec 1.0.1 ch. 2-3); `bits`: the instruction, for mtval.
   * Below M, menvcfg (and in U senvcfg) must enable the operation, else it is illegal.
   * There are no caches here, so clean, flush and inval only check the block's access:
   * allowed where a load or a store is, else the store's page or access fault (§2.5.2).
   * cbo.zero is a store of the whole block. Faults report the block's address, as the
   * QEMU that first had these (8.0) does; QEMU 7.2 has neither extension.
   */
  cbo(op: number, lo: number, hi: number, bits: number): void {
    const field = op === 4 ? MENVCFG.CBZE : op === 0 ? MENVCFG.CBIE : MENVCFG.CBCFE;
    if ((this.priv !== Priv.M && (this.csr64[2 * CSR_SLOT.menvcfg] & field) === 0) || (this.priv === Priv.U && (this.senvcfg & field) === 0)) {
      this.yieldLoop = true;
      this.excCause = Cause.IllegalInstruction;
      this.excTvalLo = bits;
      this.excTvalHi = 0;
      return;
    }
    const at = lo & ~(CBO_BLOCK - 1);
    if (op !== 4) {
      if (this.translate(at, hi, Access.Read, CBO_BLOCK) >= 0 || this.excCause === Cause.Breakpoint) return;
      this.excCause = -1;
      this.translate(at, hi, Access.Write, CBO_BLOCK);
      return;
    }
    const pa = this.translate(at, hi, Access.Write, CBO_BLOCK);
    if (pa < 0) return;
    const off = pa - this.ramBase;
    if (off >= 0 && pa + CBO_BLOCK <= this.ramEnd) {
      this.ram.u8.fill(0, off, off + CBO_BLOCK);
      const code = this.ram.code;
      if (code.hasCode[off >>> 12] !== 0) code.invalidate(off, CBO_BLOCK);
    } else {
      for (let i = 0; i < CBO_BLOCK; i += 8) if (!this.bus.write(pa + i, 8, 0, 0)) { this.accessFault(Access.Write, at, hi); return; }
    }
    // Other harts' reservations anywhere in the block end, as after any store.
    for (let i = 0; i < CBO_BLOCK; i += 8) this.host.storeNotify(pa + i, this);
  }

  /**
   * An illegal instruction at pc hi:lo (its bits are mtval), left for the loop to raise as
   * it raises a faulting access's: a translated block's F/D instruction (JavaScript or wasm)
   * while FS is Off or its rounding mode is reserved.
   */
  illegalAt(lo: number, hi: number): void {
    this.yieldLoop = true;
    this.excCause = Cause.IllegalInstruction;
    this.excTvalLo = this.insnBitsAt(lo, hi);
    this.excTvalHi = 0;
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
    // A store's TLB entry allows an AMO too (W without R is reserved in PTEs and PMP), unless
    // data triggers are set: an AMO fires load triggers too, which store entries ignore.
    // (A Linux boot's atomics were 134 K page-table walks, more than all other misses.)
    if (this.triggers.data === null) return this.pa(this.tlbW, lo, hi, Access.Write, size);
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
    const pa = this.pa(this.tlbR, lo, hi, Access.Read, size);
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
    // The TLB's DRAM offset finds a DRAM page without looking for its region (a Linux boot changes pages every ~30 instructions).
    const ram = this.ramHit(this.tlbX, lo, hi, 1);
    if (ram >= 0) return this.ram.code.page(ram >>> 12);
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
    if ((low & 3) !== 3) { decode(low, this.xlen, this.extOff); return true; }
    const a = (lo + 2) | 0;
    const high = this.fetch16(a, (a >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi);
    if (this.excCause >= 0) {
      // Priv §3.1.16: tval is the address of the faulting portion; QEMU reports the instruction start.
      return false;
    }
    decode(low | (high << 16), this.xlen, this.extOff);
    return (lo & 0xfff) !== 0xffe;
  }

  /** The bits of the instruction at pc (16 or 32), for mtval of one found illegal after decoding (it was just fetched). */
  insnBitsAt(lo: number, hi: number): number {
    const low = this.fetch16(lo, hi);
    if ((low & 3) !== 3) return low;
    const a = (lo + 2) | 0;
    return low | (this.fetch16(a, (a >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi) << 16);
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
}
