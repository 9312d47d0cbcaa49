/**
 * How registers and CSRs appear in the Variables view: ABI names, CSR groups
 * (machine, supervisor, counters, PMP, triggers), and each CSR decoded into named fields as the
 * privileged spec names them (mstatus.MIE, satp.MODE = Sv39, mcause as text). Bit
 * positions come from emulator/hart/csr.ts; nothing here restates a mask.
 */
import {
  CAUSE_NAMES, CSR, INTERRUPT_NAMES, MCONTROL, MIP, MSTATUS, SATP_MODE, TRIGGER_TYPE,
} from '../emulator';
import { ABI_NAMES } from './disasm';

export interface Field {
  name: string;
  lo: number;
  hi: number;
  /** Value names, e.g. MPP 3 = M. */
  names?: Record<number, string>;
}

export interface CsrView { name: string; num: number; fields: (xlen: 32 | 64) => Field[]; describe?: (v: bigint, xlen: 32 | 64) => string }

/** A mask from csr.ts as a field: lowest set bit to highest. */
function maskField(name: string, mask: number, names?: Record<number, string>): Field {
  const m = mask >>> 0;
  const lo = 31 - Math.clz32(m & -m);
  const hi = 31 - Math.clz32(m);
  return { name, lo, hi, names };
}

const PRIV_NAMES = { 0: 'U', 1: 'S', 3: 'M' };
const EXT_STATE = { 0: 'Off', 1: 'Initial', 2: 'Clean', 3: 'Dirty' };

const MSTATUS_FIELDS: Field[] = [
  maskField('SIE', MSTATUS.SIE), maskField('MIE', MSTATUS.MIE), maskField('SPIE', MSTATUS.SPIE),
  maskField('UBE', MSTATUS.UBE), maskField('MPIE', MSTATUS.MPIE), maskField('SPP', MSTATUS.SPP, { 0: 'U', 1: 'S' }),
  maskField('VS', MSTATUS.VS, EXT_STATE), maskField('MPP', MSTATUS.MPP, PRIV_NAMES), maskField('FS', MSTATUS.FS, EXT_STATE),
  maskField('XS', MSTATUS.XS, EXT_STATE), maskField('MPRV', MSTATUS.MPRV), maskField('SUM', MSTATUS.SUM),
  maskField('MXR', MSTATUS.MXR), maskField('TVM', MSTATUS.TVM), maskField('TW', MSTATUS.TW), maskField('TSR', MSTATUS.TSR),
];
const SSTATUS_NAMES = new Set(['SIE', 'SPIE', 'UBE', 'SPP', 'VS', 'FS', 'XS', 'SUM', 'MXR']);

const interruptFields = (suffix: 'IP' | 'IE', only?: number): Field[] =>
  (Object.entries(MIP) as [string, number][])
    .filter(([, bit]) => only === undefined || (bit & only) !== 0)
    .map(([name, bit]) => maskField(name.slice(0, 2) + suffix, bit));
const S_INTERRUPTS = MIP.SSIP | MIP.STIP | MIP.SEIP;

const causeFields = (xlen: 32 | 64): Field[] => [
  { name: 'Interrupt', lo: xlen - 1, hi: xlen - 1 }, { name: 'Exception Code', lo: 0, hi: xlen - 2 },
];
function describeCause(v: bigint, xlen: 32 | 64): string {
  const interrupt = (v >> BigInt(xlen - 1)) & 1n;
  const code = Number(v & ((1n << BigInt(xlen - 1)) - 1n));
  const table = interrupt === 1n ? INTERRUPT_NAMES : CAUSE_NAMES;
  return table[code] ?? `${interrupt === 1n ? 'interrupt' : 'exception'} ${code}`;
}

const tvecFields = (xlen: 32 | 64): Field[] => [{ name: 'MODE', lo: 0, hi: 1, names: { 0: 'Direct', 1: 'Vectored' } }, { name: 'BASE', lo: 2, hi: xlen - 1 }];

const SATP_NAMES: Record<number, string> = Object.fromEntries(Object.entries(SATP_MODE).map(([n, v]) => [v, n]));
/** Priv §4.1.11: satp layout for RV32 (MODE 31, ASID 30:22, PPN 21:0) and RV64 (63:60, 59:44, 43:0). */
const satpFields = (xlen: 32 | 64): Field[] => xlen === 32
  ? [{ name: 'MODE', lo: 31, hi: 31, names: { 0: 'Bare', 1: 'Sv32' } }, { name: 'ASID', lo: 22, hi: 30 }, { name: 'PPN', lo: 0, hi: 21 }]
  : [{ name: 'MODE', lo: 60, hi: 63, names: SATP_NAMES }, { name: 'ASID', lo: 44, hi: 59 }, { name: 'PPN', lo: 0, hi: 43 }];

const TRIGGER_TYPE_NAMES: Record<number, string> = { [TRIGGER_TYPE.None]: 'none', [TRIGGER_TYPE.Mcontrol]: 'mcontrol', [TRIGGER_TYPE.Mcontrol6]: 'mcontrol6' };
/** tdata1 of the selected trigger (Debug spec 1.0 §5.7.12, §5.7.18): the fields both match types share. */
const tdata1Fields = (xlen: 32 | 64): Field[] => [
  { name: 'type', lo: xlen - 4, hi: xlen - 1, names: TRIGGER_TYPE_NAMES },
  maskField('m', MCONTROL.M), maskField('s', MCONTROL.S), maskField('u', MCONTROL.U),
  maskField('execute', MCONTROL.EXECUTE), maskField('store', MCONTROL.STORE), maskField('load', MCONTROL.LOAD),
];
const KIND_BITS = [['execute', MCONTROL.EXECUTE], ['store', MCONTROL.STORE], ['load', MCONTROL.LOAD]] as const;
const MODE_BITS = [['M', MCONTROL.M], ['S', MCONTROL.S], ['U', MCONTROL.U]] as const;
/** Bytes of each size encoding (0: any size). */
const SIZE_BYTES: Record<number, number> = { 1: 1, 2: 2, 3: 4, 5: 8 };
/** The trigger in words: "mcontrol: execute, load in M, U (8 bytes)", or "mcontrol: off". */
function describeTdata1(v: bigint, xlen: 32 | 64): string {
  const type = Number(v >> BigInt(xlen - 4));
  const bits = Number(v & 0x1ffffffn);
  const name = TRIGGER_TYPE_NAMES[type] ?? `type ${type}`;
  const kinds = KIND_BITS.filter(([, b]) => (bits & b) !== 0).map(([k]) => k);
  const modes = MODE_BITS.filter(([, b]) => (bits & b) !== 0).map(([m]) => m);
  if (kinds.length === 0 || modes.length === 0) return `${name}: off`;
  const size = type === TRIGGER_TYPE.Mcontrol6 ? (bits & MCONTROL.SIZE6) >>> MCONTROL.SIZELO_SHIFT
    : ((bits & MCONTROL.SIZELO) >>> MCONTROL.SIZELO_SHIFT) | (xlen === 64 ? ((bits & MCONTROL.SIZEHI) >>> MCONTROL.SIZEHI_SHIFT) << 2 : 0);
  const sizeText = size === 0 ? 'any size' : `${SIZE_BYTES[size] ?? '?'} bytes`;
  return `${name}: ${kinds.join(', ')} in ${modes.join(', ')}${kinds.some((k) => k !== 'execute') ? ` (${sizeText})` : ''}`;
}

const none = (): Field[] => [];
const csr = (name: keyof typeof CSR, fields: (xlen: 32 | 64) => Field[] = none, describe?: CsrView['describe']): CsrView =>
  ({ name, num: CSR[name], fields, describe });

export const CSR_GROUPS: { name: string; csrs: (xlen: 32 | 64) => CsrView[] }[] = [
  {
    name: 'CSRs: machine',
    csrs: () => [
      csr('mstatus', () => MSTATUS_FIELDS), csr('misa'), csr('medeleg'), csr('mideleg', () => interruptFields('IP')),
      csr('mie', () => interruptFields('IE')), csr('mip', () => interruptFields('IP')), csr('mtvec', tvecFields),
      csr('mscratch'), csr('mepc'), csr('mcause', causeFields, describeCause), csr('mtval'), csr('mcounteren'),
      csr('menvcfg'), csr('mhartid'),
    ],
  },
  {
    name: 'CSRs: supervisor',
    csrs: () => [
      csr('sstatus', () => MSTATUS_FIELDS.filter((f) => SSTATUS_NAMES.has(f.name))),
      csr('sie', () => interruptFields('IE', S_INTERRUPTS)), csr('sip', () => interruptFields('IP', S_INTERRUPTS)),
      csr('stvec', tvecFields), csr('sscratch'), csr('sepc'), csr('scause', causeFields, describeCause), csr('stval'),
      csr('satp', satpFields, (v, xlen) => {
        const mode = fieldValue(v, satpFields(xlen)[0]);
        return satpFields(xlen)[0].names?.[mode] ?? `mode ${mode}`;
      }),
      csr('scounteren'), csr('senvcfg'), csr('stimecmp'),
    ],
  },
  { name: 'CSRs: counters', csrs: () => [csr('mcycle'), csr('minstret'), csr('time')] },
  {
    name: 'CSRs: PMP',
    csrs: (xlen) => [
      ...(xlen === 32 ? [0, 1, 2, 3] : [0, 2]).map((i) => ({ name: `pmpcfg${i}`, num: CSR.pmpcfg0 + i, fields: none })),
      ...Array.from({ length: 16 }, (_, i) => ({ name: `pmpaddr${i}`, num: CSR.pmpaddr0 + i, fields: none })),
    ],
  },
  {
    // The guest's own trigger module (Sdtrig): tdata1-3 show the trigger tselect selects.
    name: 'CSRs: triggers',
    csrs: () => [csr('tselect'), csr('tdata1', tdata1Fields, describeTdata1), csr('tdata2'), csr('tdata3'), csr('tinfo')],
  },
];

/** Every CSR the views show, by name (for `$mstatus` in expressions and setVariable). */
export function csrByName(name: string, xlen: 32 | 64): CsrView | undefined {
  for (const g of CSR_GROUPS) for (const c of g.csrs(xlen)) if (c.name === name) return c;
  const num = (CSR as Record<string, number>)[name];
  return num === undefined ? undefined : { name, num, fields: none };
}

export function fieldValue(v: bigint, f: Field): number {
  return Number((v >> BigInt(f.lo)) & ((1n << BigInt(f.hi - f.lo + 1)) - 1n));
}

export function withField(v: bigint, f: Field, x: bigint): bigint {
  const mask = ((1n << BigInt(f.hi - f.lo + 1)) - 1n) << BigInt(f.lo);
  return (v & ~mask) | ((x << BigInt(f.lo)) & mask);
}

/** Register number for an ABI name (`a0`), an x-name (`x10`), or `fp`; undefined otherwise. */
export function registerNumber(name: string): number | undefined {
  const abi = (ABI_NAMES as readonly string[]).indexOf(name);
  if (abi >= 0) return abi;
  if (name === 'fp') return 8;
  const m = /^x(\d+)$/.exec(name);
  if (m !== null && Number(m[1]) < 32) return Number(m[1]);
  return undefined;
}

export function hexValue(v: bigint, xlen: 32 | 64): string {
  return `0x${v.toString(16).padStart(xlen / 4, '0')}`;
}
