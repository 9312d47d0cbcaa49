/**
 * Every CSR once, as data (Priv 1.12 ch. 2-4, Debug spec 1.0 §5.7): its number and name
 * (csr.ts CSR), the lowest privilege and the read-only flag its number encodes (Priv §2.1),
 * its fields with names and value names (regmap.ts FieldDecl, as devices declare theirs),
 * the WARL write mask, and the hooks that read and write the hart's state. The hart's CSR
 * instructions (hart.ts csrOp), the debugger's CSR scopes (debug-adapter/registers.ts) and
 * the disassembler's CSR names all read this table.
 *
 * A new CSR: its number in csr.ts `CSR`, then a row in ROWS below (fields, mask, hooks).
 */
import type { FieldDecl } from '../devices/regmap';
import { PMP_ENTRIES } from '../mmu/pmp';
import {
  CSR, DELEGABLE_EXCEPTIONS, DELEGABLE_INTERRUPTS, MCONTROL, MENVCFG, MIP, MSTATUS, Priv, SATP_LAYOUT, SATP_MODE, TRIGGER_TYPE,
} from './csr';
import { out } from './int64';
import { CSR_SLOT } from './state';
import type { HartTraps } from './traps';

/** Field layouts by XLEN (most CSRs have one layout for both). */
export interface CsrFields { readonly 32: readonly FieldDecl[]; readonly 64: readonly FieldDecl[] }

export interface CsrDecl {
  readonly name: string;
  readonly num: number;
  /** Lowest privilege that may access it: bits 9:8 of the number (Priv §2.1). */
  readonly priv: number;
  /** Bits 11:10 of the number are 11: writes are illegal (Priv §2.1). */
  readonly readOnly: boolean;
  /** Exists on this XLEN only (RV32's high halves, odd pmpcfg). */
  readonly xlen?: 32 | 64;
  readonly fields: CsrFields;
  /** WARL: the bits a write may set, low and high word; the hook gets the value already masked. */
  readonly mask: number;
  readonly maskHi: number;
  /**
   * The value into int64.ts `out[0..1]`; false when it is not accessible now. A CSR
   * without one is only named (the disassembler's), not implemented: access is illegal.
   */
  readonly read?: (h: HartTraps, d: CsrDecl) => boolean;
  /** After a successful read; false when the write itself is illegal. None: writes are ignored. */
  readonly write?: (h: HartTraps, d: CsrDecl, lo: number, hi: number) => boolean;
}

/** What a row declares; the rest follows from the number. */
interface Row {
  fields?: readonly FieldDecl[] | CsrFields;
  mask?: number;
  maskHi?: number;
  xlen?: 32 | 64;
  read?: CsrDecl['read'];
  write?: CsrDecl['write'];
}

// ---------------------------------------------------------------- fields

/** A single-range mask from csr.ts as a field: lowest set bit to highest. */
function maskField(name: string, mask: number, names?: Readonly<Record<number, string>>): FieldDecl {
  const m = mask >>> 0;
  return { name, bits: [31 - Math.clz32(m), 31 - Math.clz32(m & -m)], enum: names };
}
const fieldMask = (f: FieldDecl) => (f.bits[0] - f.bits[1] === 31 ? -1 : ((1 << (f.bits[0] - f.bits[1] + 1)) - 1) << f.bits[1]);

const PRIV_NAMES = { [Priv.U]: 'U', [Priv.S]: 'S', [Priv.M]: 'M' };
const EXT_STATE = { 0: 'Off', 1: 'Initial', 2: 'Clean', 3: 'Dirty' };

/** mstatus (Priv §3.1.6) as the debugger lists it. */
const MSTATUS_FIELDS: readonly FieldDecl[] = [
  maskField('SIE', MSTATUS.SIE), maskField('MIE', MSTATUS.MIE), maskField('SPIE', MSTATUS.SPIE),
  maskField('UBE', MSTATUS.UBE), maskField('MPIE', MSTATUS.MPIE), maskField('SPP', MSTATUS.SPP, { 0: 'U', 1: 'S' }),
  maskField('VS', MSTATUS.VS, EXT_STATE), maskField('MPP', MSTATUS.MPP, PRIV_NAMES), maskField('FS', MSTATUS.FS, EXT_STATE),
  maskField('XS', MSTATUS.XS, EXT_STATE), maskField('MPRV', MSTATUS.MPRV), maskField('SUM', MSTATUS.SUM),
  maskField('MXR', MSTATUS.MXR), maskField('TVM', MSTATUS.TVM), maskField('TW', MSTATUS.TW), maskField('TSR', MSTATUS.TSR),
];
const MSTATUS_WRITABLE = MSTATUS.SIE | MSTATUS.MIE | MSTATUS.SPIE | MSTATUS.MPIE | MSTATUS.SPP | MSTATUS.MPRV |
  MSTATUS.SUM | MSTATUS.MPP | MSTATUS.MXR | MSTATUS.TVM | MSTATUS.TSR | MSTATUS.TW | MSTATUS.VS | MSTATUS.FS;
/** sstatus: the view of mstatus S-mode sees (Priv §4.1.1). */
const SSTATUS_MASK = MSTATUS.SIE | MSTATUS.SPIE | MSTATUS.UBE | MSTATUS.SPP | MSTATUS.VS | MSTATUS.FS |
  MSTATUS.XS | MSTATUS.SUM | MSTATUS.MXR | MSTATUS.SD32;

/** mip/mie bits (Priv §3.1.9): SSIP, MSIP, ... or SSIE, MSIE, ... */
const interruptFields = (suffix: 'IP' | 'IE', only = -1): FieldDecl[] =>
  (Object.entries(MIP) as [string, number][])
    .filter(([, bit]) => (bit & only) !== 0)
    .map(([name, bit]) => maskField(name.slice(0, 2) + suffix, bit));
const MIE_WRITABLE = MIP.SSIP | MIP.MSIP | MIP.STIP | MIP.MTIP | MIP.SEIP | MIP.MEIP;
const MIP_SW_WRITABLE = MIP.SSIP | MIP.STIP | MIP.SEIP;

const byXlen = (f: (xlen: 32 | 64) => FieldDecl[]): CsrFields => ({ 32: f(32), 64: f(64) });
/** mcause/scause (Priv §3.1.15). */
const CAUSE_FIELDS = byXlen((xlen) => [
  { name: 'Interrupt', bits: [xlen - 1, xlen - 1] }, { name: 'Exception Code', bits: [xlen - 2, 0] },
]);
/** mtvec/stvec (Priv §3.1.7). */
const TVEC_FIELDS = byXlen((xlen) => [
  { name: 'MODE', bits: [1, 0], enum: { 0: 'Direct', 1: 'Vectored' } }, { name: 'BASE', bits: [xlen - 1, 2] },
]);
const SATP_NAMES: Record<number, string> = Object.fromEntries(Object.entries(SATP_MODE).map(([n, v]) => [v, n]));
const SATP_FIELDS = byXlen((xlen) => (Object.entries(SATP_LAYOUT[xlen]) as [string, readonly [number, number]][])
  .map(([name, bits]) => ({ name, bits, enum: name !== 'MODE' ? undefined : xlen === 32 ? { 0: 'Bare', 1: 'Sv32' } : SATP_NAMES })));
export const TRIGGER_TYPE_NAMES: Record<number, string> = {
  [TRIGGER_TYPE.None]: 'none', [TRIGGER_TYPE.Mcontrol]: 'mcontrol', [TRIGGER_TYPE.Mcontrol6]: 'mcontrol6',
};
/** tdata1 of the selected trigger (Debug spec 1.0 §5.7.12, §5.7.18): the fields both match types share. */
const TDATA1_FIELDS = byXlen((xlen) => [
  { name: 'type', bits: [xlen - 1, xlen - 4], enum: TRIGGER_TYPE_NAMES },
  maskField('m', MCONTROL.M), maskField('s', MCONTROL.S), maskField('u', MCONTROL.U),
  maskField('execute', MCONTROL.EXECUTE), maskField('store', MCONTROL.STORE), maskField('load', MCONTROL.LOAD),
]);

// ---------------------------------------------------------------- hooks

const setOut = (h: HartTraps, lo: number, hi: number): true => { out[0] = lo; out[1] = h.xlen === 64 ? hi : 0; return true; };
const zero = (h: HartTraps) => setOut(h, 0, 0);
const pairOut = (h: HartTraps, slot: number) => setOut(h, h.csr64[2 * slot], h.csr64[2 * slot + 1]);
const setPair = (h: HartTraps, slot: number, lo: number, hi: number): true => {
  h.csr64[2 * slot] = lo;
  h.csr64[2 * slot + 1] = h.xlen === 64 ? hi : 0;
  return true;
};
/** A 64-bit CSR kept in csr64: read and written whole. */
const pair = (slot: number): Row => ({ read: (h) => pairOut(h, slot), write: (h, _d, lo, hi) => setPair(h, slot, lo, hi) });

/** A counter as a double: both words on RV64, the asked-for half on RV32. */
function counterOut(h: HartTraps, v: number, high: boolean): true {
  if (h.xlen === 32) return setOut(h, high ? Math.floor(v / 4294967296) | 0 : (v % 4294967296) | 0, 0);
  return setOut(h, (v % 4294967296) | 0, Math.floor(v / 4294967296) | 0);
}

/** mcounteren/scounteren gate the unprivileged counters below M (Priv §3.1.11). */
function counterAllowed(h: HartTraps, index: number): boolean {
  if (h.priv === Priv.M) return true;
  if (((h.mcounteren >>> index) & 1) === 0) return false;
  return h.priv !== Priv.U || ((h.scounteren >>> index) & 1) !== 0;
}

/** cycle, time, instret, hpmcounterN (always zero), and their RV32 high halves. */
const counter: Row = {
  read: (h, d) => {
    const index = d.num & 0x1f;
    if (!counterAllowed(h, index)) return false;
    const v = index === 0 ? h.instret + h.cycleOffset : index === 1 ? h.host.time(h)
      : index === 2 ? h.instret + h.instretOffset : 0;
    return counterOut(h, v, d.num >= CSR.cycleh);
  },
};

/** mcycle, minstret, mhpmcounterN and their RV32 high halves; hpm counters are read-only zero (Priv §3.1.10). */
const machineCounter: Row = {
  read: (h, d) => {
    const index = d.num & 0x1f;
    const v = index === 0 ? h.instret + h.cycleOffset : index === 2 ? h.instret + h.instretOffset : 0;
    return counterOut(h, v, d.num >= CSR.mcycleh);
  },
  write: (h, d, lo, hi) => {
    const index = d.num & 0x1f;
    if (index !== 0 && index !== 2) return true;
    const cur = h.instret + (index === 0 ? h.cycleOffset : h.instretOffset);
    let want: number;
    if (h.xlen === 64) want = (hi >>> 0) * 4294967296 + (lo >>> 0);
    else if (d.num >= CSR.mcycleh) want = (lo >>> 0) * 4294967296 + (cur % 4294967296);
    else want = Math.floor(cur / 4294967296) * 4294967296 + (lo >>> 0);
    // Counters are kept as doubles; values beyond 2^53 lose their low bits.
    if (index === 0) h.cycleOffset = want - h.instret; else h.instretOffset = want - h.instret - 1;
    return true;
  },
};

function readMstatus(h: HartTraps, mask: number): true {
  let lo = h.mstatus;
  const dirty = (lo & MSTATUS.FS) === MSTATUS.FS || (lo & MSTATUS.VS) === MSTATUS.VS || (lo & MSTATUS.XS) === MSTATUS.XS;
  if (h.xlen === 32) {
    if (dirty) lo |= MSTATUS.SD32;
    return setOut(h, lo & mask, 0);
  }
  const sstatusView = mask !== -1;
  const hi = (sstatusView ? 0x2 : MSTATUS.HI_XL) | (dirty ? 0x80000000 | 0 : 0);
  return setOut(h, lo & mask & ~MSTATUS.SD32, hi);
}

/** `v` already masked to the writable bits `mask`. */
function writeMstatus(h: HartTraps, v: number, writable: number): true {
  const mask = h.hasF ? writable : writable & ~MSTATUS.FS; // FS is read-only zero without F (QEMU 7.2)
  let n = (h.mstatus & ~mask) | (v & mask);
  if (((n & MSTATUS.MPP) >>> MSTATUS.MPP_SHIFT) === 2) n &= ~MSTATUS.MPP; // MPP is WARL: no H-mode
  const changed = n ^ h.mstatus;
  h.mstatus = n;
  if ((changed & (MSTATUS.MPRV | MSTATUS.SUM | MSTATUS.MXR | MSTATUS.MPP)) !== 0) h.flushTlb();
  return true;
}

const tvec = (slot: number): Row => ({
  fields: TVEC_FIELDS,
  read: (h) => pairOut(h, slot),
  // Reserved modes: the write is ignored, as QEMU does.
  write: (h, _d, lo, hi) => ((lo & 3) >= 2 ? true : setPair(h, slot, lo, hi)),
});

const stimecmpAllowed = (h: HartTraps) => h.priv === Priv.M || (h.stce() && (h.mcounteren & 2) !== 0);
const MENVCFG_HI = 2 * CSR_SLOT.menvcfg + 1;
/** menvcfg/senvcfg low fields: writable with or without Zicbom/Zicboz, as on QEMU 7.2. */
const ENVCFG_ALL = MENVCFG.FIOM | MENVCFG.CBIE | MENVCFG.CBCFE | MENVCFG.CBZE;
const STIMECMP_HI = 2 * CSR_SLOT.stimecmp + 1;

/**
 * fflags, frm and fcsr (Unpriv §11.2): illegal while mstatus.FS is Off; a write makes FS
 * Dirty (QEMU 7.2). frm keeps reserved values: an instruction using them is illegal.
 */
const FRM_FIELDS: FieldDecl[] = [{ name: 'frm', bits: [2, 0], enum: { 0: 'RNE', 1: 'RTZ', 2: 'RDN', 3: 'RUP', 4: 'RMM', 7: 'DYN' } }];
const FFLAGS_FIELDS: FieldDecl[] = ['NX', 'UF', 'OF', 'DZ', 'NV'].map((name, i) => ({ name, bits: [i, i] }));
const fpOn = (h: HartTraps) => (h.mstatus & MSTATUS.FS) !== 0;
function fpCsr(shift: number, width: number, fields: FieldDecl[]): Row {
  return {
    fields, mask: (1 << width) - 1,
    read: (h) => fpOn(h) && setOut(h, ((h.fflags | (h.frm << 5)) >>> shift) & ((1 << width) - 1), 0),
    write: (h, _d, lo) => {
      const v = ((h.fflags | (h.frm << 5)) & ~(((1 << width) - 1) << shift)) | (lo << shift);
      h.fflags = v & 0x1f;
      h.frm = (v >>> 5) & 7;
      h.mstatus |= MSTATUS.FS;
      return true;
    },
  };
}

// ---------------------------------------------------------------- rows

const MISA_EXT = (1 << 0) | (1 << 2) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20); // A C I M S U
const misaExt = (h: HartTraps) => MISA_EXT | (h.hasF ? 1 << 5 : 0) | (h.hasD ? 1 << 3 : 0);
const constant = (lo: number): Row => ({ read: (h) => setOut(h, lo, 0) });

/** The named CSRs: csr.ts's numbers, one row each. Families (counters, PMP) are added below. */
const ROWS: { -readonly [K in keyof typeof CSR]?: Row } = {
  fflags: fpCsr(0, 5, FFLAGS_FIELDS),
  frm: fpCsr(5, 3, FRM_FIELDS),
  fcsr: fpCsr(0, 8, [...FFLAGS_FIELDS, { ...FRM_FIELDS[0], bits: [7, 5] }]),
  cycle: counter, time: counter, instret: counter,
  cycleh: { ...counter, xlen: 32 }, timeh: { ...counter, xlen: 32 }, instreth: { ...counter, xlen: 32 },
  mcycle: machineCounter, minstret: machineCounter,
  mcycleh: { ...machineCounter, xlen: 32 }, minstreth: { ...machineCounter, xlen: 32 },

  mvendorid: constant(0), marchid: constant(0), mimpid: constant(0), mconfigptr: constant(0),
  mhartid: { read: (h) => setOut(h, h.id, 0) },
  mstatus: {
    fields: MSTATUS_FIELDS, mask: MSTATUS_WRITABLE,
    read: (h) => readMstatus(h, -1), write: (h, d, lo) => writeMstatus(h, lo, d.mask),
  },
  mstatush: { xlen: 32, read: zero }, // written: WARL, fixed here
  misa: { read: (h) => (h.xlen === 32 ? setOut(h, 0x40000000 | misaExt(h), 0) : setOut(h, misaExt(h), 0x80000000 | 0)) },
  medeleg: { mask: DELEGABLE_EXCEPTIONS, read: (h) => setOut(h, h.medeleg, 0), write: (h, _d, lo) => { h.medeleg = lo; return true; } },
  mideleg: {
    fields: interruptFields('IP'), mask: DELEGABLE_INTERRUPTS,
    read: (h) => setOut(h, h.mideleg, 0), write: (h, _d, lo) => { h.mideleg = lo; return true; },
  },
  mie: { fields: interruptFields('IE'), mask: MIE_WRITABLE, read: (h) => setOut(h, h.mie, 0), write: (h, _d, lo) => { h.mie = lo; return true; } },
  mip: {
    fields: interruptFields('IP'), mask: MIP_SW_WRITABLE,
    read: (h) => setOut(h, h.mip(), 0), write: (h, d, lo) => { h.mipSw = (h.mipSw & ~d.mask) | lo; return true; },
  },
  mtvec: tvec(CSR_SLOT.mtvec),
  mcounteren: { read: (h) => setOut(h, h.mcounteren, 0), write: (h, _d, lo) => { h.mcounteren = lo; return true; } },
  mcountinhibit: { mask: ~2, read: (h) => setOut(h, h.mcountinhibit, 0), write: (h, _d, lo) => { h.mcountinhibit = lo; return true; } },
  menvcfg: {
    mask: ENVCFG_ALL, maskHi: MENVCFG.STCE_HI | MENVCFG.PBMTE_HI,
    read: (h) => (h.xlen === 32 ? setOut(h, h.csr64[2 * CSR_SLOT.menvcfg], 0) : pairOut(h, CSR_SLOT.menvcfg)),
    write: (h, _d, lo, hi) => {
      h.csr64[2 * CSR_SLOT.menvcfg] = lo;
      if (h.xlen === 64) h.csr64[MENVCFG_HI] = hi;
      return true;
    },
  },
  menvcfgh: {
    xlen: 32, mask: MENVCFG.STCE_HI | MENVCFG.PBMTE_HI,
    read: (h) => setOut(h, h.csr64[MENVCFG_HI], 0), write: (h, _d, lo) => { h.csr64[MENVCFG_HI] = lo; return true; },
  },
  mscratch: pair(CSR_SLOT.mscratch),
  mepc: { ...pair(CSR_SLOT.mepc), mask: ~1 },
  mcause: { ...pair(CSR_SLOT.mcause), fields: CAUSE_FIELDS },
  mtval: pair(CSR_SLOT.mtval),

  sstatus: {
    fields: MSTATUS_FIELDS.filter((f) => (fieldMask(f) & SSTATUS_MASK) !== 0), mask: SSTATUS_MASK & MSTATUS_WRITABLE,
    read: (h) => readMstatus(h, SSTATUS_MASK), write: (h, d, lo) => writeMstatus(h, lo, d.mask),
  },
  sie: {
    fields: interruptFields('IE', DELEGABLE_INTERRUPTS), mask: MIE_WRITABLE,
    read: (h) => setOut(h, h.mie & h.mideleg, 0),
    write: (h, _d, lo) => { h.mie = (h.mie & ~h.mideleg) | (lo & h.mideleg); return true; },
  },
  sip: {
    fields: interruptFields('IP', DELEGABLE_INTERRUPTS), mask: MIP.SSIP,
    read: (h) => setOut(h, h.mip() & h.mideleg, 0),
    write: (h, d, lo) => { h.mipSw = (h.mipSw & ~(d.mask & h.mideleg)) | (lo & h.mideleg); return true; },
  },
  stvec: tvec(CSR_SLOT.stvec),
  scounteren: { read: (h) => setOut(h, h.scounteren, 0), write: (h, _d, lo) => { h.scounteren = lo; return true; } },
  senvcfg: { mask: ENVCFG_ALL, read: (h) => setOut(h, h.senvcfg, 0), write: (h, _d, lo) => { h.senvcfg = lo; return true; } },
  sscratch: pair(CSR_SLOT.sscratch),
  sepc: { ...pair(CSR_SLOT.sepc), mask: ~1 },
  scause: { ...pair(CSR_SLOT.scause), fields: CAUSE_FIELDS },
  stval: pair(CSR_SLOT.stval),
  stimecmp: {
    read: (h) => stimecmpAllowed(h) && pairOut(h, CSR_SLOT.stimecmp),
    write: (h, _d, lo, hi) => {
      h.csr64[2 * CSR_SLOT.stimecmp] = lo;
      if (h.xlen === 64) h.csr64[STIMECMP_HI] = hi; // RV32: stimecmph holds the high word
      return true;
    },
  },
  stimecmph: {
    xlen: 32,
    read: (h) => stimecmpAllowed(h) && setOut(h, h.csr64[STIMECMP_HI], 0),
    write: (h, _d, lo) => { h.csr64[STIMECMP_HI] = lo; return true; },
  },
  satp: {
    fields: SATP_FIELDS,
    read: (h) => !(h.priv === Priv.S && (h.mstatus & MSTATUS.TVM) !== 0) && pairOut(h, CSR_SLOT.satp),
    write: (h, _d, lo, hi) => {
      if (h.xlen === 64) {
        const mode = hi >>> (SATP_LAYOUT[64].MODE[1] - 32);
        if (mode !== SATP_MODE.Bare && mode !== SATP_MODE.Sv39 && mode !== SATP_MODE.Sv48) return true; // WARL: ignored
      }
      setPair(h, CSR_SLOT.satp, lo, hi);
      h.flushTlb();
      return true;
    },
  },
};

/** The trigger module's registers (triggers.ts): a write may change which pages hold a trigger's bytes. */
const trigger: Row = {
  read: (h, d) => { h.triggers.read(d.num); return true; },
  write: (h, d, lo, hi) => { h.triggers.write(d.num, lo, hi); h.flushTlb(); return true; },
};
for (const name of ['tselect', 'tdata2', 'tdata3', 'tinfo'] as const) ROWS[name] = trigger;
ROWS.tdata1 = { ...trigger, fields: TDATA1_FIELDS };

/** Debug-spec CSRs objdump 2.40 names and our harts, as QEMU 7.2's, do not implement: only named. */
const NAMED_ONLY: [string, number][] = [['scontext', 0x5a8], ['hcontext', 0x6a8], ['tcontrol', 0x7a5], ['mcontext', 0x7a8],
  ['mscontext', 0x7aa], ['dcsr', 0x7b0], ['dpc', 0x7b1], ['dscratch0', 0x7b2], ['dscratch1', 0x7b3]];

function decl(name: string, num: number, row: Row): CsrDecl {
  const f = row.fields ?? [];
  return {
    name, num, priv: (num >>> 8) & 3, readOnly: (num >>> 10) === 3, xlen: row.xlen,
    fields: Array.isArray(f) ? { 32: f, 64: f } : f as CsrFields,
    mask: row.mask ?? -1, maskHi: row.maskHi ?? -1, read: row.read, write: row.write,
  };
}

/** Every CSR by number (4096 entries, undefined where none is named). */
export const CSR_AT: readonly (CsrDecl | undefined)[] = (() => {
  const at: (CsrDecl | undefined)[] = new Array(4096).fill(undefined);
  const add = (name: string, num: number, row: Row) => { at[num] = decl(name, num, row); };
  for (let i = 3; i <= 31; i++) {
    add(`hpmcounter${i}`, CSR.cycle + i, counter);
    add(`hpmcounter${i}h`, CSR.cycleh + i, { ...counter, xlen: 32 });
    add(`mhpmcounter${i}`, CSR.mcycle + i, machineCounter);
    add(`mhpmcounter${i}h`, CSR.mcycleh + i, { ...machineCounter, xlen: 32 });
    add(`mhpmevent${i}`, CSR.mhpmevent3 + i - 3, { read: zero }); // written: ignored
  }
  // 16 PMP entries: pmpcfg0-3 on RV32, pmpcfg0 and 2 on RV64; the rest are only named.
  for (let n = 0; n <= 15; n++) {
    add(`pmpcfg${n}`, CSR.pmpcfg0 + n, n >= PMP_ENTRIES / 4 ? {} : {
      xlen: (n & 1) === 1 ? 32 : undefined,
      read: (h) => {
        const c = h.pmp.cfg, b = n * 4;
        const lo = c[b] | (c[b + 1] << 8) | (c[b + 2] << 16) | (c[b + 3] << 24);
        return setOut(h, lo, h.xlen === 32 ? 0 : c[b + 4] | (c[b + 5] << 8) | (c[b + 6] << 16) | (c[b + 7] << 24));
      },
      write: (h, _d, lo, hi) => {
        for (let i = 0; i < h.xlen / 8; i++) h.pmp.writeCfg(n * 4 + i, i < 4 ? (lo >>> (8 * i)) & 0xff : (hi >>> (8 * (i - 4))) & 0xff);
        h.flushTlb();
        return true;
      },
    });
  }
  for (let n = 0; n <= 63; n++) {
    add(`pmpaddr${n}`, CSR.pmpaddr0 + n, n >= PMP_ENTRIES ? {} : {
      read: (h) => setOut(h, h.pmp.addrLo[n], h.pmp.addrHi[n]),
      write: (h, _d, lo, hi) => { h.pmp.writeAddr(n, lo, hi); h.flushTlb(); return true; },
    });
  }
  for (const [name, num] of Object.entries(CSR)) if (at[num] === undefined) add(name, num, ROWS[name as keyof typeof CSR] ?? {});
  for (const [name, num] of NAMED_ONLY) add(name, num, {});
  return at;
})();

/** A CSR's declaration by its number. */
export const csrDecl = (name: keyof typeof CSR): CsrDecl => CSR_AT[CSR[name]] as CsrDecl;
