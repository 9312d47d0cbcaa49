/**
 * Bounds-checked little-endian reading of DWARF sections (DWARF 5 §7.6 LEB128,
 * §7.5 forms), shared by the line-table and call-frame readers. Every read past the
 * end throws `DwarfError`, which the readers turn into a warning: DWARF is untrusted.
 */
import { ElfImage } from '../emulator';

export class DwarfError extends Error {}

export class DwarfReader {
  constructor(readonly b: Uint8Array, public at: number, readonly end: number) {}
  private need(n: number): void { if (this.at + n > this.end) throw new DwarfError(`truncated at offset 0x${this.at.toString(16)}`); }
  u8(): number { this.need(1); return this.b[this.at++]; }
  u16(): number { this.need(2); const v = this.b[this.at] | (this.b[this.at + 1] << 8); this.at += 2; return v; }
  u32(): number { this.need(4); const v = (this.b[this.at] | (this.b[this.at + 1] << 8) | (this.b[this.at + 2] << 16) | (this.b[this.at + 3] << 24)) >>> 0; this.at += 4; return v; }
  u64(): bigint { const lo = BigInt(this.u32()); return (BigInt(this.u32()) << 32n) | lo; }
  /** A target address of `size` bytes (4 or 8). */
  addr(size: number): bigint { return size === 8 ? this.u64() : BigInt(this.u32()); }
  /** Unsigned LEB128; bits beyond 2^53 are dropped (no DWARF value we use is that large). */
  uleb(): number {
    let v = 0, shift = 0, byte: number;
    do { byte = this.u8(); if (shift < 53) v += (byte & 0x7f) * 2 ** shift; shift += 7; } while ((byte & 0x80) !== 0);
    return v;
  }
  sleb(): number {
    let v = 0, shift = 0, byte: number;
    do { byte = this.u8(); if (shift < 53) v += (byte & 0x7f) * 2 ** shift; shift += 7; } while ((byte & 0x80) !== 0);
    if ((byte & 0x40) !== 0 && shift < 53) v -= 2 ** shift;
    return v;
  }
  cstring(): string {
    const nul = this.b.subarray(this.at, this.end).indexOf(0);
    if (nul < 0) throw new DwarfError('unterminated string');
    const s = new TextDecoder().decode(this.b.subarray(this.at, this.at + nul));
    this.at += nul + 1;
    return s;
  }
  skip(n: number): void { this.need(n); this.at += n; }
}

/** A section's bytes within the ELF file, or undefined when it is absent, NOBITS or out of the file. */
export function sectionBytes(elf: ElfImage, file: Uint8Array, name: string): Uint8Array | undefined {
  const s = elf.findSection(name);
  if (s === undefined || s.type === 8 || s.offset + s.size > file.length) return undefined; // 8: SHT_NOBITS
  return file.subarray(s.offset, s.offset + s.size);
}

/** Attribute forms (DWARF 5 §7.5.6, table 7.6). */
export const DW_FORM = {
  addr: 0x01, block2: 0x03, block4: 0x04, data2: 0x05, data4: 0x06, data8: 0x07, string: 0x08, block: 0x09, block1: 0x0a,
  data1: 0x0b, flag: 0x0c, sdata: 0x0d, strp: 0x0e, udata: 0x0f, refAddr: 0x10, ref1: 0x11, ref2: 0x12, ref4: 0x13, ref8: 0x14,
  refUdata: 0x15, indirect: 0x16, secOffset: 0x17, exprloc: 0x18, flagPresent: 0x19, strx: 0x1a, addrx: 0x1b, refSup4: 0x1c,
  strpSup: 0x1d, data16: 0x1e, lineStrp: 0x1f, refSig8: 0x20, implicitConst: 0x21, loclistx: 0x22, rnglistx: 0x23,
  refSup8: 0x24, strx1: 0x25, strx2: 0x26, strx3: 0x27, strx4: 0x28, addrx1: 0x29, addrx2: 0x2a, addrx3: 0x2b, addrx4: 0x2c,
} as const;

/** What reading a form needs to know about its unit, and the string sections. */
export interface FormContext {
  offsetSize: number;
  addressSize: number;
  str?: Uint8Array;
  lineStr?: Uint8Array;
}

function stringAt(table: Uint8Array | undefined, offset: number, what: string): string {
  if (table === undefined || offset >= table.length) throw new DwarfError(`${what} offset 0x${offset.toString(16)} is outside its string section`);
  return new DwarfReader(table, offset, table.length).cstring();
}

/**
 * Read one attribute value: strings and numbers the readers use come back, everything
 * else is skipped (undefined). Values needing tables we do not read (strx, addrx) are
 * skipped too. An unknown form throws: the rest of the unit cannot be found past it.
 */
export function readForm(c: DwarfReader, form: number, u: FormContext): string | number | undefined {
  const offset = () => (u.offsetSize === 8 ? Number(c.u64()) : c.u32());
  switch (form) {
    case DW_FORM.string: return c.cstring();
    case DW_FORM.lineStrp: return stringAt(u.lineStr, offset(), 'DW_FORM_line_strp');
    case DW_FORM.strp: return stringAt(u.str, offset(), 'DW_FORM_strp');
    case DW_FORM.udata: case DW_FORM.refUdata: case DW_FORM.loclistx: case DW_FORM.rnglistx: return c.uleb();
    case DW_FORM.sdata: return c.sleb();
    case DW_FORM.data1: case DW_FORM.ref1: case DW_FORM.flag: case DW_FORM.strx1: case DW_FORM.addrx1: return c.u8();
    case DW_FORM.data2: case DW_FORM.ref2: case DW_FORM.strx2: case DW_FORM.addrx2: return c.u16();
    case DW_FORM.strx3: case DW_FORM.addrx3: c.skip(3); return undefined;
    case DW_FORM.data4: case DW_FORM.ref4: case DW_FORM.refSup4: case DW_FORM.strx4: case DW_FORM.addrx4: return c.u32();
    case DW_FORM.data8: case DW_FORM.ref8: case DW_FORM.refSig8: case DW_FORM.refSup8: c.skip(8); return undefined;
    case DW_FORM.data16: c.skip(16); return undefined;
    case DW_FORM.secOffset: case DW_FORM.refAddr: case DW_FORM.strpSup: return offset();
    case DW_FORM.addr: c.skip(u.addressSize); return undefined;
    case DW_FORM.strx: case DW_FORM.addrx: c.uleb(); return undefined;
    case DW_FORM.exprloc: case DW_FORM.block: c.skip(c.uleb()); return undefined;
    case DW_FORM.block1: c.skip(c.u8()); return undefined;
    case DW_FORM.block2: c.skip(c.u16()); return undefined;
    case DW_FORM.block4: c.skip(c.u32()); return undefined;
    case DW_FORM.flagPresent: case DW_FORM.implicitConst: return undefined;
    case DW_FORM.indirect: return readForm(c, c.uleb(), u);
    default: throw new DwarfError(`unsupported form 0x${form.toString(16)}`);
  }
}
