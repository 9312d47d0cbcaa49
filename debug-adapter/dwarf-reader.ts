/**
 * Bounds-checked little-endian reading of DWARF sections (DWARF 5 §7.6 LEB128,
 * §7.5 forms), shared by the line-table and call-frame readers. Every read past the
 * end throws `DwarfError`, which the readers turn into a warning: DWARF is untrusted.
 */
import { ElfImage } from '../emulator/loaders/elf';

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
