/**
 * The debugging information entries of .debug_info (DWARF 5 §2, §7.5; DWARF 2-4 unit
 * headers too), read lazily: opening a program reads only the unit headers; a unit's
 * DIE tree is built when a pc, an offset or a name needs it, so a Linux vmlinux does not
 * become millions of objects at launch. Every form of DWARF 5 §7.5.6 is decoded; the
 * indexed forms (strx, addrx, rnglistx, loclistx) are kept as indices and resolved on
 * use against the unit's bases (DW_AT_str_offsets_base and friends, which the unit DIE
 * carries after the attributes that need them). DWARF is untrusted input: every read is
 * bounded (DwarfReader) and a broken unit is skipped with a warning.
 */
import { ElfImage } from '../emulator';
import { DW_FORM, DwarfError, DwarfReader, sectionBytes } from './dwarf-reader';
import { nextTurn } from './next-turn';

/** Tags this reader and its users name (DWARF 5 §7.5.4, table 7.3). */
export const DW_TAG = {
  arrayType: 0x01, enumerationType: 0x04, formalParameter: 0x05, lexicalBlock: 0x0b, member: 0x0d, pointerType: 0x0f,
  referenceType: 0x10, compileUnit: 0x11, structureType: 0x13, subroutineType: 0x15, typedef: 0x16, unionType: 0x17,
  unspecifiedParameters: 0x18, variant: 0x19, inlinedSubroutine: 0x1d, subrangeType: 0x21, baseType: 0x24,
  constType: 0x26, enumerator: 0x28, subprogram: 0x2e, variable: 0x34, volatileType: 0x35, restrictType: 0x37,
  partialUnit: 0x3c, atomicType: 0x47, callSite: 0x48, skeletonUnit: 0x4a, GNUcallSite: 0x4109,
} as const;

/** Attributes (DWARF 5 §7.5.4, table 7.5). */
export const DW_AT = {
  sibling: 0x01, location: 0x02, name: 0x03, byteSize: 0x0b, stmtList: 0x10, lowPc: 0x11, highPc: 0x12, language: 0x13,
  compDir: 0x1b, constValue: 0x1c, inline: 0x20, producer: 0x25, prototyped: 0x27, lowerBound: 0x22, count: 0x37,
  upperBound: 0x2f, abstractOrigin: 0x31, bitSize: 0x0d, dataMemberLocation: 0x38, declaration: 0x3c, encoding: 0x3e,
  external: 0x3f, frameBase: 0x40, specification: 0x47, type: 0x49, ranges: 0x55, dataBitOffset: 0x6b,
  entryPc: 0x52, callFile: 0x58, callLine: 0x59, linkageName: 0x6e, strOffsetsBase: 0x72, addrBase: 0x73,
  rnglistsBase: 0x74, loclistsBase: 0x8c, MIPSlinkageName: 0x2007,
} as const;

/** A decoded attribute value; indexed forms are resolved by `Die.attr`. */
export type AttrValue =
  | { k: 'addr'; v: bigint }
  | { k: 'addrx'; index: number }
  | { k: 'const'; v: number | bigint; signed: boolean }
  | { k: 'bytes'; v: Uint8Array }
  | { k: 'str'; v: string }
  | { k: 'strx'; index: number }
  | { k: 'ref'; offset: number }
  | { k: 'sig8'; v: bigint }
  | { k: 'flag'; v: boolean }
  | { k: 'sec'; offset: number }
  | { k: 'listx'; index: number }
  | { k: 'sup' };

/** A name as the name index first meets it: decoded only for the variables that are kept. */
type RawName = AttrValue | { k: 'strp'; offset: number };

/** How a file-level type is named in C (`struct task_struct`; a typedef or base type by its name alone). */
const TYPE_KEY_PREFIX = new Map<number, string>([
  [DW_TAG.structureType, 'struct '], [DW_TAG.unionType, 'union '], [DW_TAG.enumerationType, 'enum '], [DW_TAG.typedef, ''], [DW_TAG.baseType, ''],
]);

/** Units read at most, and DIEs per unit: a hostile file cannot make these loops long. */
const MAX_UNITS = 200_000;
const MAX_DIES_PER_UNIT = 4_000_000;
/** Nesting deeper than this is not a program a compiler made. */
const MAX_DEPTH = 512;

const DW_UT = { compile: 1, type: 2, partial: 3, skeleton: 4, splitCompile: 5, splitType: 6 } as const;

interface AbbrevEntry { tag: number; children: boolean; attrs: number[]; forms: number[]; consts: (number | undefined)[] }

/** Codes below this are kept in an array: compilers number a table's abbreviations 1, 2, 3... */
const DENSE_CODES = 1 << 16;

/** One abbreviation table, by code: an array, not a Map (a vmlinux's 800 tables took 4.6 MB as Maps, 1.3 MB so). */
class AbbrevTable {
  private readonly dense: (AbbrevEntry | undefined)[] = [];
  private sparse: Map<number, AbbrevEntry> | undefined;
  get(code: number): AbbrevEntry | undefined { return code < DENSE_CODES ? this.dense[code] : this.sparse?.get(code); }
  set(code: number, e: AbbrevEntry): void {
    if (code < DENSE_CODES) this.dense[code] = e;
    else (this.sparse ??= new Map()).set(code, e);
  }
}

export interface UnitHeader {
  /** Offset of the unit header in .debug_info, and of the byte after the unit. */
  offset: number;
  end: number;
  /** Offset of the first DIE. */
  dieOffset: number;
  version: number;
  unitType: number;
  offsetSize: 4 | 8;
  addressSize: number;
  abbrevOffset: number;
}

/** DW_AT_signature: a declaration's type, in a type unit (DWARF 5 §2.13.2). */
const DW_AT_SIGNATURE = 0x69;

export class Die {
  readonly children: Die[] = [];
  /** Values decoded so far, by attribute position: a DIE keeps where its values are, not the values (a kernel has millions of DIEs). */
  protected values: (AttrValue | undefined)[] | undefined;
  constructor(readonly unit: Unit, readonly offset: number, readonly tag: number, readonly parent: Die | undefined,
    private readonly abbrev: AbbrevEntry, private readonly dataOffset: number) {}

  has(at: number): boolean { return this.abbrev.attrs.includes(at); }
  /** The attribute numbers, in the order the abbreviation lists them. */
  attributes(): readonly number[] { return this.abbrev.attrs; }
  /** The raw value, indices unresolved. */
  raw(at: number): AttrValue | undefined {
    const i = this.abbrev.attrs.indexOf(at);
    if (i < 0) return undefined;
    this.values ??= [];
    return (this.values[i] ??= this.unit.valueAt(this.dataOffset, this.abbrev, i));
  }
  /** The value with strx/addrx resolved; undefined when absent or unresolvable. */
  attr(at: number): AttrValue | undefined {
    const v = this.raw(at);
    if (v === undefined) return undefined;
    if (v.k === 'strx') { const s = this.unit.stringAtIndex(v.index); return s === undefined ? undefined : { k: 'str', v: s }; }
    if (v.k === 'addrx') { const a = this.unit.addressAtIndex(v.index); return a === undefined ? undefined : { k: 'addr', v: a }; }
    return v;
  }
  string(at: number): string | undefined { const v = this.attr(at); return v?.k === 'str' ? v.v : undefined; }
  /** A constant-class value as a number (undefined for other classes or beyond 2^53). */
  number(at: number): number | undefined {
    const v = this.attr(at);
    if (v?.k !== 'const') return undefined;
    return typeof v.v === 'number' ? v.v : v.v <= BigInt(Number.MAX_SAFE_INTEGER) && v.v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v.v) : undefined;
  }
  flag(at: number): boolean { const v = this.attr(at); return v?.k === 'flag' && v.v; }
  /**
   * The DIE a reference attribute points at, in this unit or another, or in a type unit
   * by signature. A declaration that stands for a type unit's type (DW_AT_signature, as
   * GCC leaves in a compile unit) is that type.
   */
  ref(at: number): Die | undefined {
    const v = this.raw(at);
    const d = v?.k === 'ref' ? this.unit.info.dieAt(v.offset) : v?.k === 'sig8' ? this.unit.info.typeBySignature(v.v) : undefined;
    if (at === DW_AT_SIGNATURE || d === undefined || !d.has(DW_AT_SIGNATURE)) return d;
    return d.ref(DW_AT_SIGNATURE) ?? d;
  }
  /** This type, or the type unit's type it is a declaration of (DW_AT_signature). */
  definition(): Die { return this.has(DW_AT_SIGNATURE) ? this.ref(DW_AT_SIGNATURE) ?? this : this; }
  /** The name, through DW_AT_abstract_origin and DW_AT_specification as a debugger must (DWARF 5 §3.3.8.3, §2.13.2). */
  get name(): string | undefined { return this.inherited(DW_AT.name)?.string(DW_AT.name); }
  /** The DIE that carries `at`: this one, or the one its origin/specification chain leads to. */
  inherited(at: number): Die | undefined {
    if (this.has(at)) return this;
    let d = this.origin();
    for (let hops = 0; d !== undefined && hops < 16; hops++) {
      if (d.has(at)) return d;
      d = d.origin();
    }
    return undefined;
  }
  /** The DIE this one completes or instantiates: DW_AT_abstract_origin, else DW_AT_specification. */
  origin(): Die | undefined {
    return this.ref(DW_AT.abstractOrigin) ?? this.ref(DW_AT.specification);
  }
  /** The address ranges this DIE covers ([start, end) pairs), from low/high pc or DW_AT_ranges. */
  ranges(): [bigint, bigint][] { return this.unit.rangesOf(this); }
  covers(pc: bigint): boolean { return this.ranges().some(([s, e]) => pc >= s && pc < e); }
}

/** One unit: its header, its abbreviations and, once asked for, its DIE tree. */
export class Unit {
  private tree: Die | undefined;
  private byOffset: Map<number, Die> | undefined;
  private bases: { str?: number; addr?: number; rnglists?: number; loclists?: number; lowPc?: bigint } | undefined;
  constructor(readonly info: DwarfInfo, readonly header: UnitHeader) {}

  get version(): number { return this.header.version; }
  get addressSize(): number { return this.header.addressSize; }

  /** The unit DIE (compile, partial or skeleton unit), its subtree built. */
  root(): Die {
    if (this.tree === undefined) this.parse();
    return this.tree!;
  }

  /** The unit DIE's attributes alone, without building its subtree: what opening a program needs (names, bases, ranges). */
  head(): Die {
    if (this.tree !== undefined) return this.tree;
    if (this.headDie === undefined) {
      const h = this.header;
      const r = new DwarfReader(this.info.sections.info, h.dieOffset, h.end);
      const offset = r.at;
      const code = r.uleb();
      const a = this.info.abbrevTable(h.abbrevOffset).get(code);
      if (code === 0 || a === undefined) throw new DwarfError(`unit at 0x${h.offset.toString(16)} starts without a valid DIE`);
      const data = r.at;
      for (let i = 0; i < a.forms.length; i++) this.skipValue(r, a.forms[i]);
      this.headDie = new Die(this, offset, a.tag, undefined, a, data);
    }
    return this.headDie;
  }
  private headDie: Die | undefined;
  die(offset: number): Die | undefined {
    if (this.byOffset === undefined) this.parse();
    return this.byOffset!.get(offset);
  }
  /** Every DIE, in file order. */
  *all(): Generator<Die> {
    const walk = function* (d: Die): Generator<Die> { yield d; for (const c of d.children) yield* walk(c); };
    yield* walk(this.root());
  }

  private parse(): void {
    const h = this.header;
    const info = this.info;
    const abbrevs = info.abbrevTable(h.abbrevOffset);
    const r = new DwarfReader(info.sections.info, h.dieOffset, h.end);
    this.byOffset = new Map();
    const stack: Die[] = [];
    let count = 0;
    while (r.at < h.end) {
      const offset = r.at;
      const code = r.uleb();
      if (code === 0) {
        stack.pop();
        if (stack.length === 0 && this.tree !== undefined) break;
        continue;
      }
      if (++count > MAX_DIES_PER_UNIT) throw new DwarfError(`unit at 0x${h.offset.toString(16)} has more than ${MAX_DIES_PER_UNIT} DIEs`);
      const a = abbrevs.get(code);
      if (a === undefined) throw new DwarfError(`DIE at 0x${offset.toString(16)} uses abbreviation ${code}, which is not in its table`);
      const data = r.at;
      for (let i = 0; i < a.forms.length; i++) this.skipValue(r, a.forms[i]);
      const parent = stack[stack.length - 1];
      const die = new Die(this, offset, a.tag, parent, a, data);
      this.byOffset.set(offset, die);
      if (parent !== undefined) parent.children.push(die);
      else if (this.tree === undefined) this.tree = die;
      if (a.children) {
        if (stack.length >= MAX_DEPTH) throw new DwarfError(`DIEs nested deeper than ${MAX_DEPTH} at 0x${offset.toString(16)}`);
        stack.push(die);
      } else if (stack.length === 0) break; // a unit DIE without children
    }
    if (this.tree === undefined) throw new DwarfError(`unit at 0x${h.offset.toString(16)} has no DIE`);
  }

  /** A name the raw scans kept unresolved (a string, a .debug_str offset or a str_offsets index). */
  private rawName(v: RawName): string | undefined {
    return v.k === 'str' ? v.v : v.k === 'strx' ? this.stringAtIndex(v.index) : v.k === 'strp' ? this.info.stringAt('str', v.offset) : undefined;
  }

  /** A reader at the unit DIE's first child, for the scans of its top level that build no DIEs; undefined when it has none. */
  private topLevel(): { h: UnitHeader; abbrevs: AbbrevTable; r: DwarfReader } | undefined {
    const h = this.header;
    const abbrevs = this.info.abbrevTable(h.abbrevOffset);
    const r = new DwarfReader(this.info.sections.info, h.dieOffset, h.end);
    const root = abbrevs.get(r.uleb());
    if (root === undefined || !root.children) return undefined;
    for (let i = 0; i < root.forms.length; i++) this.skipValue(r, root.forms[i]);
    return { h, abbrevs, r };
  }

  /**
   * The unit's file-level named types, read without building a DIE tree: key (`struct
   * task_struct`, `union u`, `enum e`, a typedef's or base type's name, `#ENUMERATOR`) →
   * DIE offset, and whether it is only a declaration. What the type index of a program
   * whose units are never all parsed is made of (program-state.ts looks a cast's type up
   * here, then parses the one unit that has it).
   */
  topLevelTypes(): { key: string; offset: number; declaration: boolean }[] {
    const top = this.topLevel();
    if (top === undefined) return [];
    const { h, abbrevs, r } = top;
    const out: { key: string; offset: number; declaration: boolean }[] = [];
    let depth = 0;
    let inEnum = false;
    for (let count = 0; r.at < h.end && count < MAX_DIES_PER_UNIT; count++) {
      const offset = r.at;
      const code = r.uleb();
      if (code === 0) {
        if (depth === 0) break;
        depth--;
        inEnum = false;
        continue;
      }
      const a = abbrevs.get(code);
      if (a === undefined) throw new DwarfError(`DIE at 0x${offset.toString(16)} uses abbreviation ${code}, which is not in its table`);
      const prefix = depth === 0 ? TYPE_KEY_PREFIX.get(a.tag) : inEnum && a.tag === DW_TAG.enumerator ? '#' : undefined;
      let sibling: number | undefined, name: RawName | undefined, declaration = false;
      for (let i = 0; i < a.forms.length; i++) {
        const at = a.attrs[i];
        if (prefix !== undefined && (at === DW_AT.name || at === DW_AT.declaration)) {
          const v = at === DW_AT.name && a.forms[i] === DW_FORM.strp ? { k: 'strp' as const, offset: h.offsetSize === 8 ? Number(r.u64()) : r.u32() } : this.readValue(r, a.forms[i], a.consts[i]);
          if (at === DW_AT.name) name = v; else declaration = v.k === 'flag' && v.v;
        } else if (depth === 0 && at === DW_AT.sibling) {
          const v = this.readValue(r, a.forms[i], a.consts[i]);
          if (v.k === 'ref') sibling = v.offset;
        } else this.skipValue(r, a.forms[i]);
      }
      if (prefix !== undefined && name !== undefined) {
        const n = this.rawName(name);
        if (n !== undefined) out.push({ key: `${prefix}${n}`, offset, declaration });
      }
      if (a.children) {
        // Enumerations are entered for their enumerators; every other subtree is skipped whole where DW_AT_sibling allows.
        if (depth === 0 && a.tag === DW_TAG.enumerationType) { inEnum = true; depth++; }
        else if (sibling !== undefined && sibling > r.at && sibling <= h.end) r.at = sibling;
        else if (++depth > MAX_DEPTH) throw new DwarfError(`DIEs nested deeper than ${MAX_DEPTH} at 0x${offset.toString(16)}`);
      }
    }
    return out;
  }

  /**
   * The unit's top-level variables with storage (children of the unit DIE that have a
   * location and are no declaration), or with `declarations` the others (`extern int x;`),
   * read without building a
   * DIE tree: the name index of a program whose units are never all parsed. A variable
   * completing a declaration (DW_AT_specification, as GCC writes `int x;` after
   * `extern int x;`) takes the declaration's name.
   */
  topLevelVariables(declarations = false): { name: string; offset: number }[] {
    const top = this.topLevel();
    if (top === undefined) return [];
    const { h, abbrevs, r } = top;
    const names = new Map<number, RawName>();
    const found: { name?: RawName; spec?: number; offset: number; definition: boolean }[] = [];
    let depth = 0;
    for (let count = 0; r.at < h.end && count < MAX_DIES_PER_UNIT; count++) {
      const offset = r.at;
      const code = r.uleb();
      if (code === 0) {
        if (depth === 0) break;
        depth--;
        continue;
      }
      const a = abbrevs.get(code);
      if (a === undefined) throw new DwarfError(`DIE at 0x${offset.toString(16)} uses abbreviation ${code}, which is not in its table`);
      let sibling: number | undefined;
      if (depth === 0 && a.tag === DW_TAG.variable) {
        let name: RawName | undefined, spec: number | undefined, location = false, declaration = false;
        for (let i = 0; i < a.forms.length; i++) {
          const at = a.attrs[i];
          if (at === DW_AT.name || at === DW_AT.specification || at === DW_AT.abstractOrigin || at === DW_AT.declaration) {
            // Names stay raw (a string offset or index) until a definition needs one: most variables here are declarations.
            const v = at === DW_AT.name && a.forms[i] === DW_FORM.strp ? { k: 'strp' as const, offset: h.offsetSize === 8 ? Number(r.u64()) : r.u32() } : this.readValue(r, a.forms[i], a.consts[i]);
            if (at === DW_AT.name) name = v;
            else if (at === DW_AT.declaration) declaration = v.k === 'flag' && v.v;
            else if (v.k === 'ref') spec = v.offset;
          } else {
            if (at === DW_AT.location) location = true;
            this.skipValue(r, a.forms[i]);
          }
        }
        if (name !== undefined) names.set(offset, name);
        found.push({ name, spec, offset, definition: location && !declaration });
      } else {
        for (let i = 0; i < a.forms.length; i++) {
          if (depth === 0 && a.attrs[i] === DW_AT.sibling) {
            const v = this.readValue(r, a.forms[i], a.consts[i]);
            if (v.k === 'ref') sibling = v.offset;
          } else this.skipValue(r, a.forms[i]);
        }
      }
      // A top-level DIE's subtree is skipped whole when DW_AT_sibling says where it ends.
      if (a.children) {
        if (sibling !== undefined && sibling > r.at && sibling <= h.end) r.at = sibling;
        else if (++depth > MAX_DEPTH) throw new DwarfError(`DIEs nested deeper than ${MAX_DEPTH} at 0x${offset.toString(16)}`);
      }
    }
    const out: { name: string; offset: number }[] = [];
    for (const f of found) {
      if (f.definition === declarations) continue;
      const raw = f.name ?? (f.spec === undefined ? undefined : names.get(f.spec));
      const name = raw === undefined ? undefined : this.rawName(raw);
      if (name !== undefined) out.push({ name, offset: f.offset });
    }
    return out;
  }

  /** Attribute `index` of the DIE whose values start at `dataOffset`: the ones before it are stepped over. */
  valueAt(dataOffset: number, a: AbbrevEntry, index: number): AttrValue | undefined {
    const r = new DwarfReader(this.info.sections.info, dataOffset, this.header.end);
    try {
      for (let i = 0; i < index; i++) this.skipValue(r, a.forms[i]);
      return this.readValue(r, a.forms[index], a.consts[index]);
    } catch (e) {
      // A value that cannot be read (a string offset past its section) is absent, said once per unit.
      if (!(e instanceof DwarfError)) throw e;
      if (!this.badValue) this.info.warnings.push(`.debug_info unit at 0x${this.header.offset.toString(16)}: ${e.message}`);
      this.badValue = true;
      return undefined;
    }
  }
  private badValue = false;

  /** Steps over one attribute value of form `form` without decoding it. */
  private skipValue(r: DwarfReader, form: number): void {
    const offsetSize = this.header.offsetSize;
    switch (form) {
      case DW_FORM.flagPresent: case DW_FORM.implicitConst: return;
      case DW_FORM.data1: case DW_FORM.ref1: case DW_FORM.flag: case DW_FORM.strx1: case DW_FORM.addrx1: r.skip(1); return;
      case DW_FORM.data2: case DW_FORM.ref2: case DW_FORM.strx2: case DW_FORM.addrx2: r.skip(2); return;
      case DW_FORM.strx3: case DW_FORM.addrx3: r.skip(3); return;
      case DW_FORM.data4: case DW_FORM.ref4: case DW_FORM.refSup4: case DW_FORM.strx4: case DW_FORM.addrx4: r.skip(4); return;
      case DW_FORM.data8: case DW_FORM.ref8: case DW_FORM.refSig8: case DW_FORM.refSup8: r.skip(8); return;
      case DW_FORM.data16: r.skip(16); return;
      case DW_FORM.strp: case DW_FORM.lineStrp: case DW_FORM.secOffset: case DW_FORM.strpSup: r.skip(offsetSize); return;
      case DW_FORM.refAddr: r.skip(this.header.version === 2 ? this.header.addressSize : offsetSize); return;
      case DW_FORM.addr: r.skip(this.header.addressSize); return;
      case DW_FORM.udata: case DW_FORM.sdata: case DW_FORM.refUdata: case DW_FORM.strx: case DW_FORM.addrx:
      case DW_FORM.loclistx: case DW_FORM.rnglistx: r.uleb(); return;
      case DW_FORM.block1: r.skip(r.u8()); return;
      case DW_FORM.block2: r.skip(r.u16()); return;
      case DW_FORM.block4: r.skip(r.u32()); return;
      case DW_FORM.block: case DW_FORM.exprloc: r.skip(r.uleb()); return;
      case DW_FORM.string: { const nul = r.b.indexOf(0, r.at); if (nul < 0 || nul >= r.end) throw new DwarfError('unterminated string'); r.at = nul + 1; return; }
      default: this.readValue(r, form, undefined); // indirect, and any form the reader rejects with its message
    }
  }

  /** One attribute value of form `form` (DWARF 5 §7.5.6). */
  private readValue(r: DwarfReader, form: number, implicit: number | undefined): AttrValue {
    const h = this.header;
    const offset = () => (h.offsetSize === 8 ? Number(r.u64()) : r.u32());
    switch (form) {
      case DW_FORM.addr: return { k: 'addr', v: r.addr(h.addressSize) };
      case DW_FORM.addrx: return { k: 'addrx', index: r.uleb() };
      case DW_FORM.addrx1: return { k: 'addrx', index: r.u8() };
      case DW_FORM.addrx2: return { k: 'addrx', index: r.u16() };
      case DW_FORM.addrx3: return { k: 'addrx', index: r.u16() | (r.u8() << 16) };
      case DW_FORM.addrx4: return { k: 'addrx', index: r.u32() };
      case DW_FORM.data1: return { k: 'const', v: r.u8(), signed: false };
      case DW_FORM.data2: return { k: 'const', v: r.u16(), signed: false };
      case DW_FORM.data4: return { k: 'const', v: r.u32(), signed: false };
      case DW_FORM.data8: return { k: 'const', v: r.u64(), signed: false };
      case DW_FORM.data16: return { k: 'bytes', v: r.b.slice(r.at, (r.skip(16), r.at)) };
      case DW_FORM.sdata: return { k: 'const', v: r.sleb(), signed: true };
      case DW_FORM.udata: return { k: 'const', v: r.uleb(), signed: false };
      case DW_FORM.implicitConst: return { k: 'const', v: implicit ?? 0, signed: true };
      case DW_FORM.block1: return this.block(r, r.u8());
      case DW_FORM.block2: return this.block(r, r.u16());
      case DW_FORM.block4: return this.block(r, r.u32());
      case DW_FORM.block: case DW_FORM.exprloc: return this.block(r, r.uleb());
      case DW_FORM.flag: return { k: 'flag', v: r.u8() !== 0 };
      case DW_FORM.flagPresent: return { k: 'flag', v: true };
      case DW_FORM.string: return { k: 'str', v: r.cstring() };
      case DW_FORM.strp: return { k: 'str', v: this.info.stringAt('str', offset()) };
      case DW_FORM.lineStrp: return { k: 'str', v: this.info.stringAt('lineStr', offset()) };
      case DW_FORM.strx: return { k: 'strx', index: r.uleb() };
      case DW_FORM.strx1: return { k: 'strx', index: r.u8() };
      case DW_FORM.strx2: return { k: 'strx', index: r.u16() };
      case DW_FORM.strx3: return { k: 'strx', index: r.u16() | (r.u8() << 16) };
      case DW_FORM.strx4: return { k: 'strx', index: r.u32() };
      case DW_FORM.strpSup: offset(); return { k: 'sup' };
      case DW_FORM.ref1: return { k: 'ref', offset: h.offset + r.u8() };
      case DW_FORM.ref2: return { k: 'ref', offset: h.offset + r.u16() };
      case DW_FORM.ref4: return { k: 'ref', offset: h.offset + r.u32() };
      case DW_FORM.ref8: return { k: 'ref', offset: h.offset + Number(r.u64()) };
      case DW_FORM.refUdata: return { k: 'ref', offset: h.offset + r.uleb() };
      // DWARF 2 wrote DW_FORM_ref_addr in the address size; 3 and later in the offset size (DWARF 5 §7.5.5).
      case DW_FORM.refAddr: return { k: 'ref', offset: h.version === 2 ? Number(r.addr(h.addressSize)) : offset() };
      case DW_FORM.refSig8: return { k: 'sig8', v: r.u64() };
      case DW_FORM.refSup4: r.u32(); return { k: 'sup' };
      case DW_FORM.refSup8: r.u64(); return { k: 'sup' };
      case DW_FORM.secOffset: return { k: 'sec', offset: offset() };
      case DW_FORM.loclistx: case DW_FORM.rnglistx: return { k: 'listx', index: r.uleb() };
      case DW_FORM.indirect: {
        const f = r.uleb();
        if (f === DW_FORM.indirect) throw new DwarfError('DW_FORM_indirect pointing at DW_FORM_indirect');
        return this.readValue(r, f, implicit);
      }
      default: throw new DwarfError(`unknown form 0x${form.toString(16)} at 0x${r.at.toString(16)}`);
    }
  }

  private block(r: DwarfReader, n: number): AttrValue {
    const start = r.at;
    r.skip(n);
    return { k: 'bytes', v: r.b.subarray(start, start + n) };
  }

  /** The unit's bases, read from its root DIE once (it must not need them itself for these). */
  private base() {
    if (this.bases !== undefined) return this.bases;
    const root = this.head();
    const sec = (at: number) => { const v = root.raw(at); return v?.k === 'sec' ? v.offset : undefined; };
    this.bases = { str: sec(DW_AT.strOffsetsBase), addr: sec(DW_AT.addrBase), rnglists: sec(DW_AT.rnglistsBase), loclists: sec(DW_AT.loclistsBase) };
    const low = root.attr(DW_AT.lowPc);
    this.bases.lowPc = low?.k === 'addr' ? low.v : 0n;
    return this.bases;
  }

  /** DW_FORM_strx*: an entry of .debug_str_offsets from DW_AT_str_offsets_base (DWARF 5 §7.26). */
  stringAtIndex(index: number): string | undefined {
    const t = this.info.sections.strOffsets;
    // Without a base, GCC's and LLVM's single contribution starts after its 8-byte header.
    const base = this.base().str ?? (this.header.offsetSize === 8 ? 16 : 8);
    const at = base + index * this.header.offsetSize;
    if (t === undefined || at + this.header.offsetSize > t.length) return undefined;
    const r = new DwarfReader(t, at, t.length);
    try { return this.info.stringAt('str', this.header.offsetSize === 8 ? Number(r.u64()) : r.u32()); } catch { return undefined; }
  }

  /** DW_FORM_addrx*: an entry of .debug_addr from DW_AT_addr_base (DWARF 5 §7.27). */
  addressAtIndex(index: number): bigint | undefined {
    const t = this.info.sections.addr;
    const base = this.base().addr ?? 8;
    const at = base + index * this.header.addressSize;
    if (t === undefined || at + this.header.addressSize > t.length) return undefined;
    return new DwarfReader(t, at, t.length).addr(this.header.addressSize);
  }

  /** Offset in .debug_rnglists / .debug_loclists of list `index` (DWARF 5 §7.28, §7.29: offsets relative to the base). */
  listOffset(kind: 'rnglists' | 'loclists', index: number): number | undefined {
    const t = kind === 'rnglists' ? this.info.sections.rnglists : this.info.sections.loclists;
    const base = this.base()[kind];
    if (t === undefined || base === undefined) return undefined;
    const at = base + index * this.header.offsetSize;
    if (at + this.header.offsetSize > t.length) return undefined;
    const r = new DwarfReader(t, at, t.length);
    return base + (this.header.offsetSize === 8 ? Number(r.u64()) : r.u32());
  }

  /** The unit's base address for location and range lists: the unit DIE's DW_AT_low_pc. */
  baseAddress(): bigint { return this.base().lowPc ?? 0n; }

  rangesOf(die: Die): [bigint, bigint][] {
    const low = die.attr(DW_AT.lowPc);
    if (low?.k === 'addr') {
      const high = die.attr(DW_AT.highPc);
      // DW_AT_high_pc of a constant class is an offset from low_pc (DWARF 5 §2.17.2).
      if (high?.k === 'addr') return [[low.v, high.v]];
      if (high?.k === 'const') return [[low.v, low.v + BigInt(high.v)]];
      return [[low.v, low.v + 1n]];
    }
    const ranges = die.raw(DW_AT.ranges);
    if (ranges === undefined) return [];
    try {
      if (this.version >= 5) {
        const at = ranges.k === 'listx' ? this.listOffset('rnglists', ranges.index) : ranges.k === 'sec' ? ranges.offset : undefined;
        return at === undefined ? [] : readRangeList5(this, at);
      }
      return ranges.k === 'sec' || ranges.k === 'const' ? readRangeList4(this, ranges.k === 'sec' ? ranges.offset : Number(ranges.v)) : [];
    } catch (e) {
      if (e instanceof DwarfError) return [];
      throw e;
    }
  }
}

/** DWARF 5 .debug_rnglists entries (§2.17.3, §7.25). */
function readRangeList5(u: Unit, at: number): [bigint, bigint][] {
  const t = u.info.sections.rnglists;
  if (t === undefined) return [];
  const r = new DwarfReader(t, at, t.length);
  const out: [bigint, bigint][] = [];
  let base = u.baseAddress();
  const ax = (i: number) => { const a = u.addressAtIndex(i); if (a === undefined) throw new DwarfError(`address index ${i} outside .debug_addr`); return a; };
  for (let n = 0; n < 1_000_000; n++) {
    const kind = r.u8();
    switch (kind) {
      case 0: return out; // DW_RLE_end_of_list
      case 1: base = ax(r.uleb()); break; // base_addressx
      case 2: { const s = ax(r.uleb()); out.push([s, ax(r.uleb())]); break; } // startx_endx
      case 3: { const s = ax(r.uleb()); out.push([s, s + BigInt(r.uleb())]); break; } // startx_length
      case 4: { const s = BigInt(r.uleb()), e = BigInt(r.uleb()); out.push([base + s, base + e]); break; } // offset_pair
      case 5: base = r.addr(u.addressSize); break; // base_address
      case 6: { const s = r.addr(u.addressSize); out.push([s, r.addr(u.addressSize)]); break; } // start_end
      case 7: { const s = r.addr(u.addressSize); out.push([s, s + BigInt(r.uleb())]); break; } // start_length
      default: throw new DwarfError(`unknown range list entry ${kind} at 0x${(r.at - 1).toString(16)}`);
    }
  }
  return out;
}

/** DWARF 2-4 .debug_ranges: address pairs relative to the base, (0, 0) ends, all-ones selects a base (DWARF 4 §2.17.3). */
function readRangeList4(u: Unit, at: number): [bigint, bigint][] {
  const t = u.info.sections.ranges;
  if (t === undefined) return [];
  const r = new DwarfReader(t, at, t.length);
  const ones = u.addressSize === 8 ? 0xffff_ffff_ffff_ffffn : 0xffff_ffffn;
  const out: [bigint, bigint][] = [];
  let base = u.baseAddress();
  for (let n = 0; n < 1_000_000; n++) {
    const s = r.addr(u.addressSize), e = r.addr(u.addressSize);
    if (s === 0n && e === 0n) break;
    if (s === ones) { base = e; continue; }
    out.push([base + s, base + e]);
  }
  return out;
}

export interface DwarfSections {
  info: Uint8Array;
  abbrev: Uint8Array;
  str?: Uint8Array;
  lineStr?: Uint8Array;
  strOffsets?: Uint8Array;
  addr?: Uint8Array;
  rnglists?: Uint8Array;
  loclists?: Uint8Array;
  ranges?: Uint8Array;
  loc?: Uint8Array;
  aranges?: Uint8Array;
}

/** The .debug_info of one program: unit headers at once, everything else on demand. */
export class DwarfInfo {
  readonly units: Unit[] = [];
  private readonly abbrevs = new Map<number, AbbrevTable>();
  private arangeTable: { start: bigint; end: bigint; unit: Unit }[] | undefined;

  private constructor(readonly sections: DwarfSections, readonly warnings: string[]) {
    this.scanHeaders();
  }

  /** The DWARF of `elf`, or undefined when it has no .debug_info. Problems go to `warnings`. */
  static fromElf(elf: ElfImage, file: Uint8Array, warnings: string[] = []): DwarfInfo | undefined {
    const s = (name: string) => sectionBytes(elf, file, name);
    const info = s('.debug_info'), abbrev = s('.debug_abbrev');
    if (info === undefined || abbrev === undefined) return undefined;
    return new DwarfInfo({
      info, abbrev, str: s('.debug_str'), lineStr: s('.debug_line_str'), strOffsets: s('.debug_str_offsets'),
      addr: s('.debug_addr'), rnglists: s('.debug_rnglists'), loclists: s('.debug_loclists'), ranges: s('.debug_ranges'),
      loc: s('.debug_loc'), aranges: s('.debug_aranges'),
    }, warnings);
  }

  /** Type units' types by signature: .debug_info offsets of the DIEs DW_FORM_ref_sig8 names. */
  private readonly typeUnits = new Map<bigint, number>();

  /** The type a DW_FORM_ref_sig8 signature names (a type unit's type DIE). */
  typeBySignature(signature: bigint): Die | undefined {
    const offset = this.typeUnits.get(signature);
    return offset === undefined ? undefined : this.dieAt(offset);
  }

  private scanHeaders(): void {
    const info = this.sections.info;
    let at = 0;
    for (let n = 0; at + 4 <= info.length && n < MAX_UNITS; n++) {
      const start = at;
      try {
        const c = new DwarfReader(info, at, info.length);
        let length = c.u32();
        let offsetSize: 4 | 8 = 4;
        if (length === 0xffffffff) { length = Number(c.u64()); offsetSize = 8; } else if (length >= 0xfffffff0) throw new DwarfError(`reserved unit length 0x${length.toString(16)}`);
        const end = c.at + length;
        if (end > info.length) throw new DwarfError(`unit length 0x${length.toString(16)} runs past the section`);
        if (length === 0) break;
        at = end;
        const version = c.u16();
        if (version < 2 || version > 5) throw new DwarfError(`version ${version}`);
        let unitType: number = DW_UT.compile, addressSize: number, abbrevOffset: number;
        if (version === 5) {
          unitType = c.u8();
          addressSize = c.u8();
          abbrevOffset = offsetSize === 8 ? Number(c.u64()) : c.u32();
          if (unitType === DW_UT.type || unitType === DW_UT.splitType) {
            // A type unit (-fdebug-types-section): its type, found by signature from DW_FORM_ref_sig8 (§3.1.4).
            const signature = c.u64();
            const typeOffset = offsetSize === 8 ? Number(c.u64()) : c.u32();
            if (unitType === DW_UT.type && !this.typeUnits.has(signature)) this.typeUnits.set(signature, start + typeOffset);
          }
          else if (unitType === DW_UT.skeleton || unitType === DW_UT.splitCompile) c.skip(8); // dwo_id
        } else {
          abbrevOffset = offsetSize === 8 ? Number(c.u64()) : c.u32();
          addressSize = c.u8();
        }
        if (addressSize !== 4 && addressSize !== 8) throw new DwarfError(`address size ${addressSize}`);
        this.units.push(new Unit(this, { offset: start, end, dieOffset: c.at, version, unitType, offsetSize, addressSize, abbrevOffset }));
      } catch (e) {
        if (!(e instanceof DwarfError)) throw e;
        this.warnings.push(`.debug_info unit at 0x${start.toString(16)} skipped: ${e.message}`);
        if (at === start) break; // its length could not be read: the rest cannot be found
      }
    }
  }

  /**
   * Abbreviation table at `offset` of .debug_abbrev (DWARF 5 §7.5.3), read once. Equal
   * declarations share one entry: GCC writes a table per unit, and a vmlinux's 800 tables
   * repeat 4,000 declarations 114,000 times (as copies, 65 MB of the adapter's heap).
   */
  abbrevTable(offset: number): AbbrevTable {
    let t = this.abbrevs.get(offset);
    if (t !== undefined) return t;
    t = new AbbrevTable();
    const bytes = this.sections.abbrev;
    const a = new DwarfReader(bytes, offset, bytes.length);
    // One declaration's attributes, copied to exact-size arrays only for a declaration not met before.
    const attrs: number[] = [], forms: number[] = [], consts: (number | undefined)[] = [];
    for (let n = 0; n < 1_000_000; n++) {
      const code = a.uleb();
      if (code === 0) break;
      const declaration = a.at;
      const tag = a.uleb();
      const children = a.u8() !== 0;
      attrs.length = 0; forms.length = 0; consts.length = 0;
      for (let i = 0; ; i++) {
        if (i > 10_000) throw new DwarfError(`abbreviation ${code} has too many attributes`);
        const name = a.uleb(), form = a.uleb();
        if (name === 0 && form === 0) break;
        attrs.push(name);
        forms.push(form);
        consts.push(form === DW_FORM.implicitConst ? a.sleb() : undefined);
      }
      // The declaration's bytes (tag to terminator, implicit constants included) say all of it.
      let key = '';
      for (let i = declaration; i < a.at; i++) key += String.fromCharCode(bytes[i]);
      let e = this.abbrevEntries.get(key);
      if (e === undefined) this.abbrevEntries.set(key, e = { tag, children, attrs: attrs.slice(), forms: forms.slice(), consts: consts.slice() });
      t.set(code, e);
    }
    this.abbrevs.set(offset, t);
    return t;
  }
  /** Every table's entries, by their declaration's bytes. */
  private readonly abbrevEntries = new Map<string, AbbrevEntry>();

  stringAt(table: 'str' | 'lineStr', offset: number): string {
    const t = this.sections[table];
    if (t === undefined || offset >= t.length) throw new DwarfError(`string offset 0x${offset.toString(16)} is outside .debug_${table === 'str' ? 'str' : 'line_str'}`);
    return new DwarfReader(t, offset, t.length).cstring();
  }

  /**
   * Named top-level variables with storage (a location, not a declaration), name → the
   * offset of the first unit's DIE: built once by scanning each unit's top level, no
   * unit parsed (a vmlinux has millions of DIEs, the index some thousand names).
   */
  globalVariables(): ReadonlyMap<string, number> {
    this.indexUnits(this.units.length);
    return this.globalIndex;
  }
  private readonly globalIndex = new Map<string, number>();
  /** Units the global index has scanned, in order. */
  private indexed = 0;

  /**
   * Builds the global index, then the type index, in the background, a few units per turn of the event loop,
   * while the guest runs to its first stop: the first Globals scope then costs nothing.
   * A request that needs it sooner finishes it at once (globalVariables).
   */
  indexInBackground(): void {
    if (this.indexed < this.units.length) nextTurn(() => { this.indexUnits(this.indexed + 16); this.indexInBackground(); });
    else if (this.typesIndexed < this.units.length) nextTurn(() => { this.indexTypes(this.typesIndexed + 16); this.indexInBackground(); });
  }

  private indexUnits(upTo: number): void {
    for (; this.indexed < Math.min(upTo, this.units.length); this.indexed++) {
      const u = this.units[this.indexed];
      try {
        for (const v of u.topLevelVariables(false)) if (!this.globalIndex.has(v.name)) this.globalIndex.set(v.name, v.offset);
      } catch (e) {
        if (!(e instanceof DwarfError)) throw e;
        this.warnings.push(`.debug_info unit at 0x${u.header.offset.toString(16)}: ${e.message}`);
      }
    }
  }

  /**
   * File-level named types and enumerators, key → the DIE offset of the first unit that
   * defines it (or, failing any, declares it): built on first use by scanning every unit
   * without parsing one.
   */
  typeIndex(): ReadonlyMap<string, number> {
    this.indexTypes(this.units.length);
    if (this.types === undefined) {
      this.types = this.typesDefined;
      for (const [k, o] of this.typesDeclared) if (!this.types.has(k)) this.types.set(k, o);
    }
    return this.types;
  }
  private types: Map<string, number> | undefined;
  private readonly typesDefined = new Map<string, number>();
  private readonly typesDeclared = new Map<string, number>();
  private typesIndexed = 0;

  private indexTypes(upTo: number): void {
    for (; this.typesIndexed < Math.min(upTo, this.units.length); this.typesIndexed++) {
      try {
        for (const t of this.units[this.typesIndexed].topLevelTypes()) {
          const into = t.declaration ? this.typesDeclared : this.typesDefined;
          if (!into.has(t.key)) into.set(t.key, t.offset);
        }
      } catch (e) {
        if (!(e instanceof DwarfError)) throw e; // said by the global index already
      }
    }
  }

  /**
   * Declarations (`extern unsigned long volatile jiffies;`), name → DIE offset, built on
   * first use: for a name with no definition in DWARF whose storage only the ELF symbol
   * table gives (Linux's linker script defines `jiffies`), as gdb finds it.
   */
  globalDeclarations(): ReadonlyMap<string, number> {
    this.declarationIndex ??= this.variableIndex(true);
    return this.declarationIndex;
  }
  private declarationIndex: Map<string, number> | undefined;

  private variableIndex(declarations: boolean): Map<string, number> {
    const index = new Map<string, number>();
    for (const u of this.units) {
      try {
        for (const v of u.topLevelVariables(declarations)) if (!index.has(v.name)) index.set(v.name, v.offset);
      } catch (e) {
        if (!(e instanceof DwarfError)) throw e; // said by the global index already
      }
    }
    return index;
  }

  /** The unit holding .debug_info offset `offset`. */
  unitAt(offset: number): Unit | undefined {
    let lo = 0, hi = this.units.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const u = this.units[mid];
      if (offset < u.header.offset) hi = mid - 1;
      else if (offset >= u.header.end) lo = mid + 1;
      else return u;
    }
    return undefined;
  }

  /** The DIE at `offset` (parsing its unit if needed); undefined for a broken unit. */
  dieAt(offset: number): Die | undefined {
    const u = this.unitAt(offset);
    if (u === undefined) return undefined;
    try { return u.die(offset); } catch (e) {
      if (!(e instanceof DwarfError)) throw e;
      this.warnings.push(`.debug_info unit at 0x${u.header.offset.toString(16)}: ${e.message}`);
      return undefined;
    }
  }

  /** The unit whose code contains `pc`: .debug_aranges when present, else each unit's own ranges. */
  unitForPc(pc: bigint): Unit | undefined {
    const sorted = this.arangesByStart ??= this.sortAranges();
    let lo = 0, hi = sorted.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid].start <= pc) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    // Ranges may overlap (code a linker dropped stays at 0): the first in table order that holds pc, as a scan would find.
    let best: { unit: Unit; order: number } | undefined;
    for (let i = found; i >= 0 && sorted[i].maxEnd > pc; i--) {
      const a = sorted[i];
      if (pc < a.end && (best === undefined || a.order < best.order)) best = a;
    }
    return best?.unit;
  }

  /** The address ranges by start, each with its place in table order and the greatest end up to it. */
  private sortAranges(): { start: bigint; end: bigint; unit: Unit; order: number; maxEnd: bigint }[] {
    const sorted = this.aranges().map((a, order) => ({ ...a, order, maxEnd: 0n }))
      .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.order - b.order));
    let maxEnd = 0n;
    for (const a of sorted) { if (a.end > maxEnd) maxEnd = a.end; a.maxEnd = maxEnd; }
    return sorted;
  }
  private arangesByStart: { start: bigint; end: bigint; unit: Unit; order: number; maxEnd: bigint }[] | undefined;

  private aranges(): { start: bigint; end: bigint; unit: Unit }[] {
    if (this.arangeTable !== undefined) return this.arangeTable;
    const table: { start: bigint; end: bigint; unit: Unit }[] = [];
    const covered = new Set<Unit>();
    const t = this.sections.aranges;
    if (t !== undefined) {
      // DWARF 5 §6.1.2: per unit a header, then (address, length) tuples aligned to twice the address size.
      let at = 0;
      for (let n = 0; at + 4 <= t.length && n < MAX_UNITS; n++) {
        try {
          const r = new DwarfReader(t, at, t.length);
          let length = r.u32(), offsetSize = 4;
          if (length === 0xffffffff) { length = Number(r.u64()); offsetSize = 8; }
          const end = r.at + length;
          if (end > t.length || length === 0) break;
          const s = new DwarfReader(t, r.at, end);
          s.u16(); // version
          const unit = this.unitAt(offsetSize === 8 ? Number(s.u64()) : s.u32());
          const addressSize = s.u8();
          s.u8(); // segment selector size
          if (addressSize !== 4 && addressSize !== 8) throw new DwarfError(`address size ${addressSize}`);
          const tuple = 2 * addressSize;
          s.skip((tuple - ((s.at - at) % tuple)) % tuple);
          while (s.at + tuple <= end) {
            const start = s.addr(addressSize), len = s.addr(addressSize);
            if (start === 0n && len === 0n) break;
            if (unit !== undefined) table.push({ start, end: start + len, unit });
          }
          if (unit !== undefined) covered.add(unit);
          at = end;
        } catch (e) {
          if (!(e instanceof DwarfError)) throw e;
          this.warnings.push(`.debug_aranges: ${e.message}`);
          break;
        }
      }
    }
    // Units .debug_aranges leaves out (or all, without it): their root DIE's ranges.
    for (const u of this.units) {
      if (covered.has(u)) continue;
      try {
        for (const [start, end] of u.head().ranges()) table.push({ start, end, unit: u });
      } catch (e) {
        if (!(e instanceof DwarfError)) throw e;
        this.warnings.push(`.debug_info unit at 0x${u.header.offset.toString(16)} skipped: ${e.message}`);
      }
    }
    this.arangeTable = table;
    return table;
  }
}

/** Made types belong to no unit: nothing reads a made type's unit (it has no indexed forms, no ranges, and its DW_AT_type is held directly). */
const NO_UNIT = Object.create(Unit.prototype) as Unit;

/**
 * A type an expression needs that the program's DWARF may not spell: `int` for a
 * literal, `struct proc *` for `&procs[1]`, `int [3]` for a row of `int [2][3]`. It is a
 * Die, so the type namer, sizer and value printer treat it as one of the program's.
 */
export class MadeType extends Die {
  constructor(tag: number, attrs: readonly [number, AttrValue][], private readonly target?: Die, children: readonly Die[] = []) {
    const all: [number, AttrValue][] = [...attrs, ...(target !== undefined ? [[DW_AT.type, { k: 'ref', offset: -1 }] as [number, AttrValue]] : [])];
    super(NO_UNIT, -1, tag, undefined, { tag, children: children.length > 0, attrs: all.map(([at]) => at), forms: [], consts: [] }, -1);
    // Every value is known: none is ever decoded from a unit.
    this.values = all.map(([, v]) => v);
    this.children.push(...children);
  }

  override ref(at: number): Die | undefined { return at === DW_AT.type ? this.target : super.ref(at); }
}
