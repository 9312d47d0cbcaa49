/**
 * How registers and CSRs appear in the Variables view: ABI names, CSR groups
 * (machine, supervisor, counters, PMP, triggers), and each CSR decoded into named fields as the
 * privileged spec names them (mstatus.MIE, satp.MODE = Sv39, mcause as text). Numbers and
 * field layouts come from emulator/hart/csr-table.ts; nothing here restates a bit position.
 */
import { CAUSE_NAMES, CSR, CSR_AT, CsrDecl, csrDecl, INTERRUPT_NAMES, MCONTROL, TRIGGER_TYPE, TRIGGER_TYPE_NAMES } from '../emulator';
import { ABI_NAMES } from './disasm';

export interface Field {
  name: string;
  lo: number;
  hi: number;
  /** Value names, e.g. MPP 3 = M. */
  names?: Readonly<Record<number, string>>;
}

export interface CsrView { name: string; num: number; fields: (xlen: 32 | 64) => Field[]; describe?: (v: bigint, xlen: 32 | 64) => string }

/** A CSR's fields as the table declares them for this XLEN. */
const fieldsOf = (d: CsrDecl | undefined) => (xlen: 32 | 64): Field[] =>
  (d?.fields[xlen] ?? []).map((f) => ({ name: f.name, lo: f.bits[1], hi: f.bits[0], names: f.enum }));
const field = (name: keyof typeof CSR, xlen: 32 | 64, fieldName: string): Field => {
  const f = fieldsOf(csrDecl(name))(xlen).find((x) => x.name === fieldName);
  if (f === undefined) throw new Error(`registers: ${name} has no field ${fieldName}`);
  return f;
};

function describeCause(v: bigint, xlen: 32 | 64): string {
  const interrupt = fieldValue(v, field('mcause', xlen, 'Interrupt'));
  const code = fieldValue(v, field('mcause', xlen, 'Exception Code'));
  const table = interrupt === 1 ? INTERRUPT_NAMES : CAUSE_NAMES;
  return table[code] ?? `${interrupt === 1 ? 'interrupt' : 'exception'} ${code}`;
}

function describeSatp(v: bigint, xlen: 32 | 64): string {
  const mode = field('satp', xlen, 'MODE');
  const value = fieldValue(v, mode);
  return mode.names?.[value] ?? `mode ${value}`;
}

const KIND_BITS = [['execute', MCONTROL.EXECUTE], ['store', MCONTROL.STORE], ['load', MCONTROL.LOAD]] as const;
const MODE_BITS = [['M', MCONTROL.M], ['S', MCONTROL.S], ['U', MCONTROL.U]] as const;
/** Bytes of each size encoding (0: any size). */
const SIZE_BYTES: Record<number, number> = { 1: 1, 2: 2, 3: 4, 5: 8 };
/** The trigger in words: "mcontrol: execute, load in M, U (8 bytes)", or "mcontrol: off". */
function describeTdata1(v: bigint, xlen: 32 | 64): string {
  const type = fieldValue(v, field('tdata1', xlen, 'type'));
  const bits = Number(v & 0xffffffffn); // the low word: every MCONTROL field below lives there
  const name = TRIGGER_TYPE_NAMES[type] ?? `type ${type}`;
  const kinds = KIND_BITS.filter(([, b]) => (bits & b) !== 0).map(([k]) => k);
  const modes = MODE_BITS.filter(([, b]) => (bits & b) !== 0).map(([m]) => m);
  if (kinds.length === 0 || modes.length === 0) return `${name}: off`;
  const size = type === TRIGGER_TYPE.Mcontrol6 ? (bits & MCONTROL.SIZE6) >>> MCONTROL.SIZELO_SHIFT
    : ((bits & MCONTROL.SIZELO) >>> MCONTROL.SIZELO_SHIFT) | (xlen === 64 ? ((bits & MCONTROL.SIZEHI) >>> MCONTROL.SIZEHI_SHIFT) << 2 : 0);
  const sizeText = size === 0 ? 'any size' : `${SIZE_BYTES[size] ?? '?'} bytes`;
  return `${name}: ${kinds.join(', ')} in ${modes.join(', ')}${kinds.some((k) => k !== 'execute') ? ` (${sizeText})` : ''}`;
}

/** A CSR as the view shows it: the table's name, number and fields, and how its value reads in words. */
const view = (d: CsrDecl | undefined, describe?: CsrView['describe']): CsrView[] =>
  d === undefined ? [] : [{ name: d.name, num: d.num, fields: fieldsOf(d), describe }];
const csr = (name: keyof typeof CSR, describe?: CsrView['describe']): CsrView[] => view(csrDecl(name), describe);
const named = (...names: (keyof typeof CSR)[]): CsrView[] => names.flatMap((n) => csr(n));

export const CSR_GROUPS: { name: string; csrs: (xlen: 32 | 64) => CsrView[] }[] = [
  {
    name: 'CSRs: machine',
    csrs: () => [
      ...named('mstatus', 'misa', 'medeleg', 'mideleg', 'mie', 'mip', 'mtvec', 'mscratch', 'mepc'),
      ...csr('mcause', describeCause), ...named('mtval', 'mcounteren', 'menvcfg', 'mhartid'),
    ],
  },
  {
    name: 'CSRs: supervisor',
    csrs: () => [
      ...named('sstatus', 'sie', 'sip', 'stvec', 'sscratch', 'sepc'), ...csr('scause', describeCause), ...named('stval'),
      ...csr('satp', describeSatp), ...named('scounteren', 'senvcfg', 'stimecmp'),
    ],
  },
  { name: 'CSRs: counters', csrs: () => named('mcycle', 'minstret', 'time') },
  {
    // The registers this XLEN has, of the 16 PMP entries the hart implements.
    name: 'CSRs: PMP',
    csrs: (xlen) => [CSR.pmpcfg0, CSR.pmpaddr0].flatMap((first) => CSR_AT.slice(first, first + 16)
      .filter((d) => d?.read !== undefined && (d.xlen === undefined || d.xlen === xlen))
      .flatMap((d) => view(d))),
  },
  {
    // The guest's own trigger module (Sdtrig): tdata1-3 show the trigger tselect selects.
    name: 'CSRs: triggers',
    csrs: () => [...named('tselect'), ...csr('tdata1', describeTdata1), ...named('tdata2', 'tdata3', 'tinfo')],
  },
];

/** Every CSR the views show, by name (for `$mstatus` in expressions and setVariable). */
export function csrByName(name: string, xlen: 32 | 64): CsrView | undefined {
  for (const g of CSR_GROUPS) for (const c of g.csrs(xlen)) if (c.name === name) return c;
  const num = (CSR as Record<string, number>)[name];
  return num === undefined ? undefined : view(CSR_AT[num])[0];
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
