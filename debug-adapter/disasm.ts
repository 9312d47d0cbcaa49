/**
 * RV32/RV64 IMAFDC, Zba/Zbb/Zbc/Zbs, Zicbom/Zicboz and pause disassembly as GNU objdump 2.40 prints it (`riscv64-unknown-elf-objdump -d`):
 * ABI register names, its pseudo-instructions (li, mv, ret, beqz, csrr, ...), immediate
 * forms shown with the register mnemonic (`add sp,sp,-16`), shift amounts and lui/auipc
 * immediates in hex, branch targets as `addr <symbol+0x..>`. Compressed instructions print
 * as the instruction they expand to, as objdump does. Encodings come from
 * emulator/hart/isa-table.ts through the decoder; nothing here re-encodes the ISA.
 */
import { CSR, CSR_AT, Encoding, expandCompressed, findEncoding, immB, immI, immJ, immS, immU } from '../emulator';

export const ABI_NAMES = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
] as const;

/** f0-f31 by their ABI names (psABI: ft temporaries, fs saved, fa arguments). */
export const FP_ABI_NAMES = [
  'ft0', 'ft1', 'ft2', 'ft3', 'ft4', 'ft5', 'ft6', 'ft7', 'fs0', 'fs1', 'fa0', 'fa1', 'fa2', 'fa3', 'fa4', 'fa5',
  'fa6', 'fa7', 'fs2', 'fs3', 'fs4', 'fs5', 'fs6', 'fs7', 'fs8', 'fs9', 'fs10', 'fs11', 'ft8', 'ft9', 'ft10', 'ft11',
] as const;

/** CSR number → name, from emulator/hart/csr-table.ts (which also names the CSRs only objdump knows). */
export const CSR_NAMES: ReadonlyMap<number, string> = new Map(CSR_AT.flatMap((d) => (d === undefined ? [] : [[d.num, d.name] as const])));

export interface SymbolLookup {
  /** The symbol an address belongs to, as objdump annotates it: `name` or `name+0x10`. */
  label(address: bigint): string | undefined;
}

export interface Disassembled {
  /** Instruction length in bytes: 2 or 4. */
  length: number;
  /** The raw instruction bits. */
  bits: number;
  mnemonic: string;
  operands: string;
  /** Branch or jump target, when the instruction has one. */
  target?: bigint;
}

const reg = (r: number) => ABI_NAMES[r];
const freg = (r: number) => FP_ABI_NAMES[r];
/** Rounding modes as objdump names them; rm 5 and 6 are reserved. */
const RM_NAMES = ['rne', 'rtz', 'rdn', 'rup', 'rmm', 'unknown', 'unknown', 'dyn'];
const hex = (v: number | bigint) => `0x${v.toString(16)}`;
const bitsOf = (v: number, hi: number, lo: number) => (v >>> lo) & ((1 << (hi - lo + 1)) - 1);

/** Instruction length from its low halfword (Unpriv §1.5): 4 when bits 1:0 are 11, else 2. */
export function instructionLength(lowHalf: number): 2 | 4 { return (lowHalf & 3) === 3 ? 4 : 2; }

/** Disassemble the instruction at `address`, whose low halfword is `bytes[at]`; undefined when fewer bytes than it needs. */
export function disassembleAt(bytes: Uint8Array, at: number, address: bigint, xlen: 32 | 64, symbols?: SymbolLookup): Disassembled | undefined {
  if (at + 2 > bytes.length) return undefined;
  const low = bytes[at] | (bytes[at + 1] << 8);
  if (instructionLength(low) === 2) return disassemble(low, 2, address, xlen, symbols);
  if (at + 4 > bytes.length) return undefined;
  const word = (low | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
  return disassemble(word, 4, address, xlen, symbols);
}

export function disassemble(bits: number, length: 2 | 4, address: bigint, xlen: 32 | 64, symbols?: SymbolLookup): Disassembled {
  const word = length === 2 ? expandCompressed(bits, xlen) : bits | 0;
  const enc = word === 0 ? undefined : findEncoding(word, xlen);
  const raw = (): Disassembled => ({
    length, bits,
    mnemonic: length === 2 ? '.short' : '.word',
    operands: `0x${(bits >>> 0).toString(16).padStart(length * 2, '0')}`,
  });
  if (enc === undefined) return raw();
  const r = format(enc, word, length === 2, bits, address, xlen);
  if (r === undefined) return raw();
  const d: Disassembled = { length, bits, mnemonic: r[0], operands: r[1] };
  if (r[2] !== undefined) {
    d.target = r[2];
    const label = symbols?.label(r[2]);
    d.operands += label !== undefined ? ` <${label}>` : '';
  }
  return d;
}

/** objdump's text for an instruction: "mnemonic\toperands" (as in its listing). */
export function instructionText(d: Disassembled): string {
  return d.operands === '' ? d.mnemonic : `${d.mnemonic}\t${d.operands}`;
}

type Formatted = [mnemonic: string, operands: string, target?: bigint] | undefined;

const FENCE_SET = (v: number) => (v & 8 ? 'i' : '') + (v & 4 ? 'o' : '') + (v & 2 ? 'r' : '') + (v & 1 ? 'w' : '');
const COUNTER_ALIASES: Record<number, string> = {
  [CSR.cycle]: 'rdcycle', [CSR.time]: 'rdtime', [CSR.instret]: 'rdinstret',
  [CSR.cycleh]: 'rdcycleh', [CSR.timeh]: 'rdtimeh', [CSR.instreth]: 'rdinstreth',
};

function format(enc: Encoding, w: number, compressed: boolean, raw: number, pc: bigint, xlen: 32 | 64): Formatted {
  const rd = bitsOf(w, 11, 7), rs1 = bitsOf(w, 19, 15), rs2 = bitsOf(w, 24, 20);
  const name = enc.name;
  const wrap = (v: bigint) => BigInt.asUintN(xlen, v);
  switch (enc.format) {
    case 'U': return [name, `${reg(rd)},${hex(immU(w) >>> 12)}`];
    case 'J': {
      const t = wrap(pc + BigInt(immJ(w)));
      if (rd === 0) return ['j', t.toString(16), t];
      if (rd === 1) return ['jal', t.toString(16), t];
      return ['jal', `${reg(rd)},${t.toString(16)}`, t];
    }
    case 'B': {
      const t = wrap(pc + BigInt(immB(w)));
      const ts = t.toString(16);
      if (rs2 === 0) {
        const z = { beq: 'beqz', bne: 'bnez', blt: 'bltz', bge: 'bgez' }[name];
        if (z !== undefined) return [z, `${reg(rs1)},${ts}`, t];
      }
      if (rs1 === 0) {
        const z = { blt: 'bgtz', bge: 'blez' }[name];
        if (z !== undefined) return [z, `${reg(rs2)},${ts}`, t];
      }
      return [name, `${reg(rs1)},${reg(rs2)},${ts}`, t];
    }
    case 'S': return [name, `${reg(rs2)},${immS(w)}(${reg(rs1)})`];
    case 'I': return formatI(name, rd, rs1, immI(w));
    case 'SH': return [name.replace(/i(w?)$/, '$1'), `${reg(rd)},${reg(rs1)},${hex(bitsOf(w, 25, 20))}`];
    case 'R': return formatR(name, rd, rs1, rs2, compressed);
    case 'R1': return [name, `${reg(rd)},${reg(rs1)}`];
    case 'CBO': return [name, `(${reg(rs1)})`];
    case 'CSR': case 'CSRI': return formatCsr(name, rd, rs1, bitsOf(w, 31, 20), enc.format === 'CSRI');
    case 'AMO': case 'LR': {
      const suffix = ['', '.rl', '.aq', '.aqrl'][bitsOf(w, 26, 25)];
      if (enc.format === 'LR') return [name + suffix, `${reg(rd)},(${reg(rs1)})`];
      return [name + suffix, `${reg(rd)},${reg(rs2)},(${reg(rs1)})`];
    }
    case 'FL': return [name, `${freg(rd)},${immI(w)}(${reg(rs1)})`];
    case 'FS': return [name, `${freg(rs2)},${immS(w)}(${reg(rs1)})`];
    case 'FP': case 'R4': return formatFp(enc, w, rd, rs1, rs2);
    case 'SFENCE':
      if (rs2 !== 0) return [name, `${reg(rs1)},${reg(rs2)}`];
      return [name, rs1 !== 0 ? reg(rs1) : ''];
    case 'NONE':
      if (name === 'fence') {
        if (w === 0x0100000f) return ['pause', '']; // Zihintpause: fence w,0
        const fm = bitsOf(w, 31, 28), pred = bitsOf(w, 27, 24), succ = bitsOf(w, 23, 20);
        if (fm === 8 && pred === 3 && succ === 3) return ['fence.tso', ''];
        if (fm !== 0 || pred === 0 || succ === 0) return undefined;
        return pred === 15 && succ === 15 ? ['fence', ''] : ['fence', `${FENCE_SET(pred)},${FENCE_SET(succ)}`];
      }
      if (name === 'ebreak' && compressed && raw !== 0x9002) return undefined;
      return [name, ''];
  }
}

function formatI(name: string, rd: number, rs1: number, imm: number): Formatted {
  const base = `${reg(rd)},${imm}(${reg(rs1)})`;
  switch (name) {
    case 'jalr':
      if (imm === 0) {
        if (rd === 0 && rs1 === 1) return ['ret', ''];
        if (rd === 0) return ['jr', reg(rs1)];
        if (rd === 1) return ['jalr', reg(rs1)];
        return ['jalr', `${reg(rd)},${reg(rs1)}`];
      }
      return ['jalr', base];
    case 'addi':
      if (rd === 0 && rs1 === 0 && imm === 0) return ['nop', ''];
      if (rs1 === 0) return ['li', `${reg(rd)},${imm}`];
      if (imm === 0) return ['mv', `${reg(rd)},${reg(rs1)}`];
      return ['add', `${reg(rd)},${reg(rs1)},${imm}`];
    case 'addiw':
      if (imm === 0) return ['sext.w', `${reg(rd)},${reg(rs1)}`];
      return ['addw', `${reg(rd)},${reg(rs1)},${imm}`];
    case 'sltiu':
      if (imm === 1) return ['seqz', `${reg(rd)},${reg(rs1)}`];
      return [name, `${reg(rd)},${reg(rs1)},${imm}`];
    case 'slti': return [name, `${reg(rd)},${reg(rs1)},${imm}`];
    case 'xori':
      if (imm === -1) return ['not', `${reg(rd)},${reg(rs1)}`];
      return ['xor', `${reg(rd)},${reg(rs1)},${imm}`];
    case 'ori': return ['or', `${reg(rd)},${reg(rs1)},${imm}`];
    case 'andi':
      if (imm === 255) return ['zext.b', `${reg(rd)},${reg(rs1)}`];
      return ['and', `${reg(rd)},${reg(rs1)},${imm}`];
    default: return [name, base]; // loads
  }
}

function formatR(name: string, rd: number, rs1: number, rs2: number, compressed: boolean): Formatted {
  const three = `${reg(rd)},${reg(rs1)},${reg(rs2)}`;
  switch (name) {
    case 'add': if (compressed && rs1 === 0) return ['mv', `${reg(rd)},${reg(rs2)}`]; break;
    case 'sub': if (rs1 === 0) return ['neg', `${reg(rd)},${reg(rs2)}`]; break;
    case 'subw': if (rs1 === 0) return ['negw', `${reg(rd)},${reg(rs2)}`]; break;
    case 'slt':
      if (rs2 === 0) return ['sltz', `${reg(rd)},${reg(rs1)}`];
      if (rs1 === 0) return ['sgtz', `${reg(rd)},${reg(rs2)}`];
      break;
    case 'sltu': if (rs1 === 0) return ['snez', `${reg(rd)},${reg(rs2)}`]; break;
    default: break;
  }
  return [name, three];
}

/** Conversions that cannot round: objdump 2.40 knows them only with rm = 0, and prints no mode. */
const EXACT = new Set(['fcvt.d.s', 'fcvt.d.w', 'fcvt.d.wu']);
const SIGN_ALIASES: Record<string, string> = { fsgnj: 'fmv', fsgnjn: 'fneg', fsgnjx: 'fabs' };

function formatFp(enc: Encoding, w: number, rd: number, rs1: number, rs2: number): Formatted {
  const regs = enc.regs ?? 'fff';
  const name = enc.name;
  const rm = bitsOf(w, 14, 12);
  const r = (kind: string, n: number): string => (kind === 'f' ? freg(n) : reg(n));
  if (EXACT.has(name)) return rm === 0 ? [name, `${r(regs[0], rd)},${r(regs[1], rs1)}`] : undefined;
  const [op, t] = name.split('.');
  if (SIGN_ALIASES[op] !== undefined && rs1 === rs2) return [`${SIGN_ALIASES[op]}.${t}`, `${freg(rd)},${freg(rs1)}`];
  const ops = [r(regs[0], rd), r(regs[1], rs1)];
  if (regs[2] !== '-') ops.push(r(regs[2], rs2));
  if (enc.format === 'R4') ops.push(freg(bitsOf(w, 31, 27)));
  if (enc.rm === true && rm !== 7) ops.push(RM_NAMES[rm]);
  return [name, ops.join(',')];
}

/** objdump's F/D CSR aliases (frcsr, fsflags, fsrmi, ...), by CSR number. */
const FP_CSR_ALIASES: Record<number, string> = { [CSR.fflags]: 'flags', [CSR.frm]: 'rm', [CSR.fcsr]: 'csr' };

function formatCsr(name: string, rd: number, rs1: number, num: number, immediate: boolean): Formatted {
  const csr = CSR_NAMES.get(num) ?? hex(num);
  const src = immediate ? String(rs1) : reg(rs1);
  const base = name.replace(/i$/, '');
  const fpAlias = FP_CSR_ALIASES[num];
  if (fpAlias !== undefined) {
    if (!immediate && base === 'csrrs' && rs1 === 0) return [`fr${fpAlias}`, reg(rd)];
    if (!immediate && base === 'csrrw') return [`fs${fpAlias}`, rd === 0 ? reg(rs1) : `${reg(rd)},${reg(rs1)}`];
    if (immediate && base === 'csrrw' && fpAlias !== 'csr') return [`fs${fpAlias}i`, `${reg(rd)},${rs1}`];
  }
  if (!immediate && base === 'csrrs' && rs1 === 0) {
    const counter = COUNTER_ALIASES[num];
    return counter !== undefined ? [counter, reg(rd)] : ['csrr', `${reg(rd)},${csr}`];
  }
  if (rd === 0) {
    const short = { csrrw: 'csrw', csrrs: 'csrs', csrrc: 'csrc' }[base];
    if (short !== undefined) return [short, `${csr},${src}`];
  }
  return [base, `${reg(rd)},${csr},${src}`];
}
