/**
 * CSR numbers and fields as the privileged spec names them (Priv 1.12 ch. 2, 3, 4).
 * The hart's CSR logic, the debugger's CSR view and the tests read these names.
 */

export const CSR = {
  // Floating point (F/D, Unpriv §11.2)
  fflags: 0x001, frm: 0x002, fcsr: 0x003,
  // Unprivileged counters (Zicntr)
  cycle: 0xc00, time: 0xc01, instret: 0xc02, hpmcounter3: 0xc03, hpmcounter31: 0xc1f,
  cycleh: 0xc80, timeh: 0xc81, instreth: 0xc82, hpmcounter3h: 0xc83, hpmcounter31h: 0xc9f,
  // Supervisor
  sstatus: 0x100, sie: 0x104, stvec: 0x105, scounteren: 0x106, senvcfg: 0x10a,
  sscratch: 0x140, sepc: 0x141, scause: 0x142, stval: 0x143, sip: 0x144,
  stimecmp: 0x14d, stimecmph: 0x15d, satp: 0x180,
  // Machine
  mvendorid: 0xf11, marchid: 0xf12, mimpid: 0xf13, mhartid: 0xf14, mconfigptr: 0xf15,
  mstatus: 0x300, misa: 0x301, medeleg: 0x302, mideleg: 0x303, mie: 0x304, mtvec: 0x305,
  mcounteren: 0x306, menvcfg: 0x30a, mstatush: 0x310, menvcfgh: 0x31a, mcountinhibit: 0x320,
  mhpmevent3: 0x323, mhpmevent31: 0x33f,
  mscratch: 0x340, mepc: 0x341, mcause: 0x342, mtval: 0x343, mip: 0x344,
  pmpcfg0: 0x3a0, pmpcfg15: 0x3af, pmpaddr0: 0x3b0, pmpaddr63: 0x3ef,
  // Trigger module (Sdtrig, Debug spec 1.0 §5.7)
  tselect: 0x7a0, tdata1: 0x7a1, tdata2: 0x7a2, tdata3: 0x7a3, tinfo: 0x7a4,
  mcycle: 0xb00, minstret: 0xb02, mhpmcounter3: 0xb03, mhpmcounter31: 0xb1f,
  mcycleh: 0xb80, minstreth: 0xb82, mhpmcounter3h: 0xb83, mhpmcounter31h: 0xb9f,
} as const;

export const Priv = { U: 0, S: 1, M: 3 } as const;

/** The floating-point extensions of a hart (misa F, D): F and D, F alone, or none. */
export type FloatExt = 'FD' | 'F' | 'none';

/** mstatus bit positions (Priv §3.1.6); fields above bit 31 are given in the high word. */
export const MSTATUS = {
  SIE: 1 << 1, MIE: 1 << 3, SPIE: 1 << 5, UBE: 1 << 6, MPIE: 1 << 7, SPP: 1 << 8,
  VS: 3 << 9, MPP: 3 << 11, FS: 3 << 13, XS: 3 << 15, MPRV: 1 << 17, SUM: 1 << 18,
  MXR: 1 << 19, TVM: 1 << 20, TW: 1 << 21, TSR: 1 << 22,
  /** RV32 SD / RV64 SD is bit 63 (high word bit 31). */
  SD32: 1 << 31,
  MPP_SHIFT: 11,
  /** High word (RV64): UXL bits 33:32, SXL bits 35:34, both fixed at 2 (64-bit). */
  HI_XL: 0xa,
} as const;

/** Interrupt bits of mip/mie (Priv §3.1.9). */
export const IRQ = { SSI: 1, MSI: 3, STI: 5, MTI: 7, SEI: 9, MEI: 11 } as const;
export const MIP = {
  SSIP: 1 << IRQ.SSI, MSIP: 1 << IRQ.MSI, STIP: 1 << IRQ.STI,
  MTIP: 1 << IRQ.MTI, SEIP: 1 << IRQ.SEI, MEIP: 1 << IRQ.MEI,
} as const;
/** Priv §3.1.9: simultaneous interrupts are taken in this order. */
export const IRQ_PRIORITY = [IRQ.MEI, IRQ.MSI, IRQ.MTI, IRQ.SEI, IRQ.SSI, IRQ.STI] as const;

/** Exception causes (Priv Table 3.6). */
export const Cause = {
  InstructionAddressMisaligned: 0, InstructionAccessFault: 1, IllegalInstruction: 2,
  Breakpoint: 3, LoadAddressMisaligned: 4, LoadAccessFault: 5,
  StoreAddressMisaligned: 6, StoreAccessFault: 7,
  EcallFromU: 8, EcallFromS: 9, EcallFromM: 11,
  InstructionPageFault: 12, LoadPageFault: 13, StorePageFault: 15,
} as const;

export const CAUSE_NAMES: Record<number, string> = {
  0: 'instruction address misaligned', 1: 'instruction access fault', 2: 'illegal instruction',
  3: 'breakpoint', 4: 'load address misaligned', 5: 'load access fault',
  6: 'store/AMO address misaligned', 7: 'store/AMO access fault',
  8: 'environment call from U-mode', 9: 'environment call from S-mode', 11: 'environment call from M-mode',
  12: 'instruction page fault', 13: 'load page fault', 15: 'store/AMO page fault',
};
export const INTERRUPT_NAMES: Record<number, string> = {
  1: 'supervisor software interrupt', 3: 'machine software interrupt',
  5: 'supervisor timer interrupt', 7: 'machine timer interrupt',
  9: 'supervisor external interrupt', 11: 'machine external interrupt',
};

/** Exceptions medeleg can delegate: all defined ones except ecall from M (Priv §3.1.8). */
export const DELEGABLE_EXCEPTIONS = 0xb3ff; // bits 0-9, 12, 13, 15
/** Interrupts mideleg can delegate: the supervisor ones. */
export const DELEGABLE_INTERRUPTS = MIP.SSIP | MIP.STIP | MIP.SEIP;

/**
 * menvcfg bits we implement: FIOM (bit 0), Zicbom's CBIE (5:4) and CBCFE (6), Zicboz's
 * CBZE (7), Svpbmt's PBMTE (bit 62) and Sstc's STCE (bit 63); senvcfg has the low ones.
 * As on QEMU 7.2, every one is writable whether or not the hart has its extension.
 */
export const MENVCFG = { FIOM: 1, CBIE: 0x30, CBCFE: 0x40, CBZE: 0x80, PBMTE_HI: 1 << 30, STCE_HI: 1 << 31 } as const;

/**
 * tdata1 as mcontrol (type 2, Debug spec 1.0 §5.7.12) and mcontrol6 (type 6, §5.7.18): the
 * bits QEMU 7.2 keeps. `type` sits in the top four bits of tdata1 (TDATA1_TYPE_SHIFT of the
 * register's top word), every other field in bits 24:0.
 */
export const MCONTROL = {
  LOAD: 1 << 0, STORE: 1 << 1, EXECUTE: 1 << 2, U: 1 << 3, S: 1 << 4, M: 1 << 6,
  /** mcontrol: size = sizehi:sizelo (sizehi on RV64 only). */
  SIZELO: 3 << 16, SIZELO_SHIFT: 16, SIZEHI: 3 << 21, SIZEHI_SHIFT: 21,
  /** mcontrol6: a 4-bit size, and the virtualised modes. */
  SIZE6: 15 << 16, VS: 1 << 23, VU: 1 << 24,
} as const;
/** tdata1.type: bits XLEN-1:XLEN-4, i.e. bits 31:28 of the register's top 32-bit word. */
export const TDATA1_TYPE_SHIFT = 28;
export const TRIGGER_TYPE = { None: 0, Mcontrol: 2, Mcontrol6: 6 } as const;

export const SATP_MODE = { Bare: 0, Sv32: 1, Sv39: 8, Sv48: 9 } as const;

/** A field's bits, [high, low] inclusive, as regmap.ts FieldDecl gives them. */
export type BitRange = readonly [number, number];

/** satp (Priv §4.1.11): MODE, ASID and PPN on RV32 and RV64. MODE's value is a SATP_MODE. */
export const SATP_LAYOUT = {
  32: { MODE: [31, 31], ASID: [30, 22], PPN: [21, 0] },
  64: { MODE: [63, 60], ASID: [59, 44], PPN: [43, 0] },
} as const satisfies Record<32 | 64, Record<string, BitRange>>;

/** Bits [h, l] of the 64-bit value hi:lo as a non-negative number (fields up to 53 bits wide). */
export function bitField(lo: number, hi: number, [h, l]: BitRange): number {
  const width = h - l + 1;
  const mask = width >= 32 ? -1 : (1 << width) - 1;
  if (l >= 32) return ((hi >>> (l - 32)) & mask) >>> 0;
  if (h < 32) return ((lo >>> l) & mask) >>> 0;
  const hiMask = h >= 63 ? -1 : (1 << (h - 31)) - 1;
  // hi * 2 ** (32 - l), exactly: `2 ** k` with k a variable is a Math.pow call, and satp is read on every TLB miss.
  return ((hi & hiMask) >>> 0) * 4294967296 / ((1 << l) >>> 0) + (lo >>> l);
}
