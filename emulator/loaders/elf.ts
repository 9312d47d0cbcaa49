/**
 * ELF32/ELF64 little-endian RISC-V executables, parsed once into plain data: the segments
 * to load, the section headers (so the debug adapter can find .debug_*) and the symbols.
 *
 * References: System V gABI "ELF Object File Format" (ch. 4 header/sections/symbols,
 * ch. 5 program headers) and the RISC-V ELF psABI (EM_RISCV = 243).
 *
 * Every input is untrusted: each read is bounds-checked and any problem becomes one
 * line in `{ ok: false, error }`. parseElf never throws on any byte sequence.
 *
 * Numbers: addresses (entry, p_vaddr, p_paddr, sh_addr) are JS numbers holding the value
 * the hart would hold in an xlen-bit register: ELF32 addresses unsigned, ELF64 addresses
 * read as *signed* 64-bit, so higher-half kernel addresses such as 0xffffffff80200000
 * come out as -0x7fe00000 (exact) instead of being rounded. Every canonical Sv39/Sv48
 * address fits; an ELF64 address outside ±2^53 is an error. Sizes and offsets are
 * unsigned and must be below 2^53. Symbol values and sizes stay raw, as unsigned bigint;
 * convert them with `elfAddressToNumber`.
 */

export const EM_RISCV = 243;

export interface ElfSegment {
  /** Where the hart sees the segment once paging maps it (p_vaddr). */
  vaddr: number;
  /** Where the loader copies it in physical memory (p_paddr). */
  paddr: number;
  /** File offset of the first byte (p_offset). */
  offset: number;
  /** p_filesz bytes, a view into the input (not a copy). */
  fileBytes: Uint8Array;
  /** p_memsz: bytes past fileBytes.length up to memSize are zero (.bss). */
  memSize: number;
  /** p_flags: PF_X = 1, PF_W = 2, PF_R = 4. */
  flags: number;
}

export interface ElfSection {
  /** Position in the section header table; ElfSymbol.sectionIndex refers to it. */
  index: number;
  name: string;
  /** sh_type, e.g. 1 = SHT_PROGBITS, 2 = SHT_SYMTAB, 8 = SHT_NOBITS. */
  type: number;
  /** Low 32 bits of sh_flags (all flags the gABI and psABI define live there). */
  flags: number;
  addr: number;
  offset: number;
  size: number;
  /** sh_link, sh_info, sh_entsize: meaning depends on type (for SHT_SYMTAB: its string table, first global, entry size). */
  link: number;
  info: number;
  entsize: number;
}

export type ElfSymbolType = 'func' | 'object' | 'other';
export type ElfSymbolBinding = 'local' | 'global' | 'weak' | 'other';

export interface ElfSymbol {
  name: string;
  /** st_value, unsigned as stored. */
  value: bigint;
  size: bigint;
  type: ElfSymbolType;
  binding: ElfSymbolBinding;
  /** st_shndx as stored: 0 undefined, 0xfff1 SHN_ABS, 0xfff2 SHN_COMMON, else an index into sections (unchecked). */
  sectionIndex: number;
}

export interface ElfImage {
  kind: 'elf';
  xlen: 32 | 64;
  /** ET_EXEC or ET_DYN (position-independent). */
  type: 'exec' | 'dyn';
  /** e_flags: RVC (0x1), float ABI (0x6), RVE (0x8), TSO (0x10); psABI "File Header". */
  flags: number;
  entry: number;
  /** PT_LOAD segments in program-header order. */
  segments: ElfSegment[];
  /** All section headers, index 0 (the null section) included; empty when the file has none. */
  sections: ElfSection[];
  /** .symtab entries after the null symbol; empty for a stripped file. */
  symbols: ElfSymbol[];
  /** A symbol by exact name, preferring a global or weak definition over a local one. */
  findSymbol(name: string): ElfSymbol | undefined;
  /** The first section with that name, e.g. '.debug_info'. */
  findSection(name: string): ElfSection | undefined;
}

export type ElfResult = { ok: true; value: ElfImage } | { ok: false; error: string };

/** A symbol value (or any raw address) as parseElf represents addresses; undefined if it cannot. */
export function elfAddressToNumber(raw: bigint, xlen: 32 | 64): number | undefined {
  const v = xlen === 64 ? BigInt.asIntN(64, raw) : BigInt.asUintN(32, raw);
  return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : undefined;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

// gABI constants.
const ELFCLASS32 = 1;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const EV_CURRENT = 1;
const ET_REL = 1;
const ET_EXEC = 2;
const ET_DYN = 3;
const ET_CORE = 4;
const PT_LOAD = 1;
const PN_XNUM = 0xffff;
const SHN_UNDEF = 0;
const SHN_XINDEX = 0xffff;
const SHT_SYMTAB = 2;
const SHT_NOBITS = 8;
const STT_OBJECT = 1;
const STT_FUNC = 2;

/** Names for machines people most often pass by mistake. */
const MACHINE_NAMES: Record<number, string> = {
  3: 'x86', 8: 'MIPS', 20: 'PowerPC', 21: 'PowerPC64', 40: 'ARM', 62: 'x86-64', 183: 'AArch64', 243: 'RISC-V',
};

/** Layout of each header per class: gABI Figure 4-3 (Elf32_Ehdr / Elf64_Ehdr) and friends. */
const LAYOUT = {
  32: { ehsize: 52, phentsize: 32, shentsize: 40, symentsize: 16 },
  64: { ehsize: 64, phentsize: 56, shentsize: 64, symentsize: 24 },
} as const;

/** Carries a parse error from deep in a read to parseElf, which turns it into a result. */
class ElfFormatError {
  constructor(readonly message: string) {}
}

function fail(message: string): never {
  throw new ElfFormatError(message);
}

const hex = (n: number | bigint) => `0x${n.toString(16)}`;

/** Field offsets in Elf32_Shdr / Elf64_Shdr, where w is the address width in bytes. */
const shdr = (w: number) => ({
  name: 0, type: 4, flags: 8, addr: 8 + w, offset: 8 + 2 * w, size: 8 + 3 * w,
  link: 8 + 4 * w, info: 12 + 4 * w, entsize: 16 + 5 * w,
});

/** Bounds-checked little-endian reads; `what` names the field for the error message. */
class Reader {
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array, readonly xlen: 32 | 64) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private check(offset: number, width: number, what: string): void {
    if (offset + width > this.bytes.length) {
      fail(`${what} at offset ${hex(offset)} lies beyond the end of the file (${this.bytes.length} bytes)`);
    }
  }

  u8(offset: number, what: string): number {
    this.check(offset, 1, what);
    return this.view.getUint8(offset);
  }

  u16(offset: number, what: string): number {
    this.check(offset, 2, what);
    return this.view.getUint16(offset, true);
  }

  u32(offset: number, what: string): number {
    this.check(offset, 4, what);
    return this.view.getUint32(offset, true);
  }

  u64(offset: number, what: string): bigint {
    this.check(offset, 8, what);
    return this.view.getBigUint64(offset, true);
  }

  /** An Elf32_Addr/Off/Word-sized or Elf64_Addr/Off/Xword-sized field, unsigned. */
  word(offset: number, what: string): bigint {
    return this.xlen === 64 ? this.u64(offset, what) : BigInt(this.u32(offset, what));
  }

  address(offset: number, what: string): number {
    const raw = this.word(offset, what);
    const value = elfAddressToNumber(raw, this.xlen);
    if (value === undefined) fail(`${what} ${hex(raw)} is outside the ±2^53 range addresses are kept in`);
    return value;
  }

  size(offset: number, what: string): number {
    const raw = this.word(offset, what);
    if (raw > MAX_SAFE) fail(`${what} ${hex(raw)} is too large`);
    return Number(raw);
  }

  /** Checks that [offset, offset + length) lies inside the file. */
  range(offset: number, length: number, what: string): void {
    if (offset > this.bytes.length || length > this.bytes.length - offset) {
      fail(`${what} (${length} bytes at offset ${hex(offset)}) extends beyond the end of the file (${this.bytes.length} bytes)`);
    }
  }
}

const utf8 = new TextDecoder('utf-8'); // non-fatal: bad bytes become U+FFFD, never an exception

/** A NUL-terminated name at `index` inside a string table section. */
function stringAt(r: Reader, table: { offset: number; size: number }, index: number, what: string): string {
  if (index >= table.size) fail(`${what}: name offset ${index} is outside its string table (${table.size} bytes)`);
  const start = table.offset + index;
  const end = r.bytes.subarray(start, table.offset + table.size).indexOf(0);
  if (end < 0) fail(`${what}: name at string table offset ${index} is not NUL-terminated`);
  return utf8.decode(r.bytes.subarray(start, start + end));
}

/** Parses a RISC-V ELF executable; see the file comment for how numbers are represented. */
export function parseElf(bytes: Uint8Array): ElfResult {
  try {
    return { ok: true, value: parse(bytes) };
  } catch (e) {
    if (e instanceof ElfFormatError) return { ok: false, error: e.message };
    throw e; // a host bug, not a bad file
  }
}

/** gABI "ELF Identification": e_ident[0..3] is 7f 'E' 'L' 'F'. */
const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

/** Whether the bytes start as an ELF file does (the rest may still be broken: parseElf says). */
export function hasElfMagic(bytes: Uint8Array): boolean {
  return bytes.length >= ELF_MAGIC.length && ELF_MAGIC.every((b, i) => bytes[i] === b);
}

function parse(bytes: Uint8Array): ElfImage {
  if (bytes.length === 0) fail('not an ELF file: the file is empty');
  if (!hasElfMagic(bytes)) {
    const seen = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    fail(`not an ELF file: it starts with [${seen}], not 7f 45 4c 46 ("\\x7fELF")`);
  }
  if (bytes.length < 16) fail(`truncated ELF header: the file is ${bytes.length} bytes, e_ident alone is 16`);
  const elfClass = bytes[4];
  if (elfClass !== ELFCLASS32 && elfClass !== ELFCLASS64) {
    fail(`unsupported ELF class ${elfClass} (e_ident[EI_CLASS]); expected 1 (ELF32) or 2 (ELF64)`);
  }
  if (bytes[5] !== ELFDATA2LSB) {
    fail(`ELF data encoding ${bytes[5]} (e_ident[EI_DATA]) is not little-endian (1); RISC-V ELFs are little-endian`);
  }
  if (bytes[6] !== EV_CURRENT) fail(`unsupported ELF version ${bytes[6]} (e_ident[EI_VERSION]); expected 1`);

  const xlen = elfClass === ELFCLASS64 ? 64 : 32;
  const lay = LAYOUT[xlen];
  if (bytes.length < lay.ehsize) {
    fail(`truncated ELF header: the file is ${bytes.length} bytes, an ELF${xlen} header is ${lay.ehsize}`);
  }
  const r = new Reader(bytes, xlen);
  const w = xlen / 8; // width of an address-sized field

  const eType = r.u16(16, 'e_type');
  const machine = r.u16(18, 'e_machine');
  if (machine !== EM_RISCV) {
    const name = MACHINE_NAMES[machine] ? ` (${MACHINE_NAMES[machine]})` : '';
    fail(`e_machine is ${machine}${name}, not ${EM_RISCV} (RISC-V)`);
  }
  if (eType !== ET_EXEC && eType !== ET_DYN) {
    const what = eType === ET_REL ? 'a relocatable object; link it into an executable first'
      : eType === ET_CORE ? 'a core dump' : 'not an executable';
    fail(`e_type is ${eType} (${what})`);
  }
  // Elf32_Ehdr / Elf64_Ehdr field offsets after e_version.
  const entry = r.address(24, 'e_entry');
  const phoff = r.size(24 + w, 'e_phoff');
  const shoff = r.size(24 + 2 * w, 'e_shoff');
  const flags = r.u32(24 + 3 * w, 'e_flags');
  const at = 28 + 3 * w; // e_ehsize
  const phentsize = r.u16(at + 2, 'e_phentsize');
  let phnum = r.u16(at + 4, 'e_phnum');
  const shentsize = r.u16(at + 6, 'e_shentsize');
  let shnum = r.u16(at + 8, 'e_shnum');
  let shstrndx = r.u16(at + 10, 'e_shstrndx');

  // gABI "Sections": counts that overflow 16 bits live in section header 0.
  if (shoff !== 0 && (shnum === 0 || phnum === PN_XNUM || shstrndx === SHN_XINDEX)) {
    if (shentsize !== lay.shentsize) fail(`e_shentsize is ${shentsize}, expected ${lay.shentsize} for ELF${xlen}`);
    const f = shdr(w);
    if (shnum === 0) shnum = r.size(shoff + f.size, 'section header 0 sh_size (e_shnum overflow)');
    if (phnum === PN_XNUM) phnum = r.u32(shoff + f.info, 'section header 0 sh_info (e_phnum overflow)');
    if (shstrndx === SHN_XINDEX) shstrndx = r.u32(shoff + f.link, 'section header 0 sh_link (e_shstrndx overflow)');
  }

  const segments = readSegments(r, phoff, phnum, phentsize);
  const sections = shoff === 0 ? [] : readSections(r, shoff, shnum, shentsize, shstrndx);
  const symbols = readSymbols(r, sections);

  let byName: Map<string, ElfSymbol> | undefined;
  const findSymbol = (name: string): ElfSymbol | undefined => {
    if (!byName) {
      byName = new Map();
      for (const s of symbols) {
        const known = byName.get(s.name);
        if (!known || (known.binding === 'local' && s.binding !== 'local')) byName.set(s.name, s);
      }
    }
    return byName.get(name);
  };
  const findSection = (name: string) => sections.find((s) => s.name === name);

  return {
    kind: 'elf', xlen, type: eType === ET_EXEC ? 'exec' : 'dyn', flags, entry,
    segments, sections, symbols, findSymbol, findSection,
  };
}

/** gABI "Program Header": Elf32_Phdr has p_flags after p_memsz, Elf64_Phdr after p_type. */
function readSegments(r: Reader, phoff: number, phnum: number, phentsize: number): ElfSegment[] {
  if (phnum === 0) return [];
  const lay = LAYOUT[r.xlen];
  if (phentsize !== lay.phentsize) fail(`e_phentsize is ${phentsize}, expected ${lay.phentsize} for ELF${r.xlen}`);
  r.range(phoff, phnum * phentsize, `program header table of ${phnum} entries`);

  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (r.u32(at, `segment ${i} p_type`) !== PT_LOAD) continue;
    const what = (field: string) => `segment ${i} ${field}`;
    const is64 = r.xlen === 64;
    const w = is64 ? 8 : 4;
    const base = is64 ? at + 8 : at + 4; // p_offset
    const offset = r.size(base, what('p_offset'));
    const vaddr = r.address(base + w, what('p_vaddr'));
    const paddr = r.address(base + 2 * w, what('p_paddr'));
    const fileSize = r.size(base + 3 * w, what('p_filesz'));
    const memSize = r.size(base + 4 * w, what('p_memsz'));
    const flags = is64 ? r.u32(at + 4, what('p_flags')) : r.u32(at + 24, what('p_flags'));
    if (fileSize > memSize) fail(`segment ${i}: p_filesz ${hex(fileSize)} is larger than p_memsz ${hex(memSize)}`);
    r.range(offset, fileSize, `segment ${i} data`);
    segments.push({ vaddr, paddr, offset, fileBytes: r.bytes.subarray(offset, offset + fileSize), memSize, flags });
  }
  return segments;
}

/** gABI "Section Header": Elf32_Shdr / Elf64_Shdr, names from the e_shstrndx table. */
function readSections(r: Reader, shoff: number, shnum: number, shentsize: number, shstrndx: number): ElfSection[] {
  if (shnum === 0) return [];
  const lay = LAYOUT[r.xlen];
  if (shentsize !== lay.shentsize) fail(`e_shentsize is ${shentsize}, expected ${lay.shentsize} for ELF${r.xlen}`);
  r.range(shoff, shnum * shentsize, `section header table of ${shnum} entries`);
  const f = shdr(r.xlen / 8);

  const raw = [];
  for (let index = 0; index < shnum; index++) {
    const at = shoff + index * shentsize;
    const what = (field: string) => `section ${index} ${field}`;
    const type = r.u32(at + f.type, what('sh_type'));
    const flags = Number(BigInt.asUintN(32, r.word(at + f.flags, what('sh_flags'))));
    const addr = r.address(at + f.addr, what('sh_addr'));
    const offset = r.size(at + f.offset, what('sh_offset'));
    const size = r.size(at + f.size, what('sh_size'));
    const link = r.u32(at + f.link, what('sh_link'));
    const info = r.u32(at + f.info, what('sh_info'));
    const entsize = r.size(at + f.entsize, what('sh_entsize'));
    // NOBITS sections (.bss) occupy no file bytes; the null section is all zeros.
    if (type !== SHT_NOBITS && index !== 0) r.range(offset, size, `section ${index} data`);
    raw.push({ index, nameOffset: r.u32(at + f.name, what('sh_name')), type, flags, addr, offset, size, link, info, entsize });
  }

  if (shstrndx === SHN_UNDEF) return raw.map(({ nameOffset: _unnamed, ...s }) => ({ ...s, name: '' }));
  if (shstrndx >= shnum) fail(`e_shstrndx ${shstrndx} is not a section (there are ${shnum})`);
  const names = raw[shstrndx];
  if (names.type === SHT_NOBITS) fail(`e_shstrndx ${shstrndx} names a section with no data`);
  return raw.map(({ nameOffset, ...s }) => ({ ...s, name: stringAt(r, names, nameOffset, `section ${s.index} sh_name`) }));
}

/** gABI "Symbol Table": Elf32_Sym (name, value, size, info, other, shndx) / Elf64_Sym (name, info, other, shndx, value, size). */
function readSymbols(r: Reader, sections: ElfSection[]): ElfSymbol[] {
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  if (!symtab) return [];
  const lay = LAYOUT[r.xlen];
  const at = (field: string) => `${symtab.name || 'symbol table'} ${field}`;
  const is64 = r.xlen === 64;
  const { entsize, link } = symtab;
  if (entsize !== lay.symentsize) fail(`${at('sh_entsize')} is ${entsize}, expected ${lay.symentsize} for ELF${r.xlen}`);
  if (link === 0 || link >= sections.length) fail(`${at('sh_link')} ${link} is not a string table section`);
  const strtab = sections[link];
  if (strtab.type === SHT_NOBITS) fail(`${at('sh_link')} points at section ${link}, which has no data`);

  const symbols: ElfSymbol[] = [];
  const count = Math.floor(symtab.size / entsize);
  for (let i = 1; i < count; i++) { // entry 0 is the reserved undefined symbol
    const e = symtab.offset + i * entsize;
    const what = (field: string) => `symbol ${i} ${field}`;
    const nameOffset = r.u32(e, what('st_name'));
    const info = r.u8(e + (is64 ? 4 : 12), what('st_info'));
    const sectionIndex = r.u16(e + (is64 ? 6 : 14), what('st_shndx'));
    const value = is64 ? r.u64(e + 8, what('st_value')) : BigInt(r.u32(e + 4, what('st_value')));
    const size = is64 ? r.u64(e + 16, what('st_size')) : BigInt(r.u32(e + 8, what('st_size')));
    const stType = info & 0xf;
    const bind = info >> 4;
    symbols.push({
      name: stringAt(r, strtab, nameOffset, what('st_name')),
      value,
      size,
      type: stType === STT_FUNC ? 'func' : stType === STT_OBJECT ? 'object' : 'other',
      binding: bind === 0 ? 'local' : bind === 1 ? 'global' : bind === 2 ? 'weak' : 'other',
      sectionIndex,
    });
  }
  return symbols;
}
