/**
 * The one thing the adapter needs from .debug_info so far: each compile unit's
 * DW_AT_comp_dir, keyed by its DW_AT_stmt_list (the offset of its line table). DWARF 2-4
 * line tables leave directory 0, the compilation directory, out (DWARF 4 §6.2.4 item 11),
 * so relative source paths of such units resolve against it. Only the first DIE of each
 * unit is read (DWARF 5 §7.5.1 unit headers, §7.5.3 abbreviations).
 */
import { ElfImage } from '../emulator';
import { DwarfError, DwarfReader, FormContext, readForm, sectionBytes } from './dwarf-reader';

const DW_AT = { stmtList: 0x10, compDir: 0x1b } as const;
const DW_FORM_IMPLICIT_CONST = 0x21;
const DW_UT = { compile: 1, partial: 3, skeleton: 4, splitCompile: 5 } as const;
/** Units read at most: a hostile file cannot make this loop long. */
const MAX_UNITS = 100_000;

/** stmt_list offset → comp_dir, for every unit that has both. Broken units are skipped with a warning. */
export function compilationDirs(elf: ElfImage, file: Uint8Array, warnings: string[]): Map<number, string> {
  const out = new Map<number, string>();
  const info = sectionBytes(elf, file, '.debug_info');
  const abbrev = sectionBytes(elf, file, '.debug_abbrev');
  if (info === undefined || abbrev === undefined) return out;
  const strings = { str: sectionBytes(elf, file, '.debug_str'), lineStr: sectionBytes(elf, file, '.debug_line_str') };
  let at = 0;
  for (let n = 0; at + 4 <= info.length && n < MAX_UNITS; n++) {
    try {
      const c = new DwarfReader(info, at, info.length);
      let length = c.u32();
      let offsetSize = 4;
      if (length === 0xffffffff) { length = Number(c.u64()); offsetSize = 8; }
      const end = c.at + length;
      if (end > info.length || length === 0) break;
      at = end;
      const u = new DwarfReader(info, c.at, end);
      const version = u.u16();
      if (version < 2 || version > 5) continue;
      let addressSize: number, abbrevOffset: number;
      if (version === 5) {
        const type = u.u8();
        if (type !== DW_UT.compile && type !== DW_UT.partial && type !== DW_UT.skeleton && type !== DW_UT.splitCompile) continue;
        addressSize = u.u8();
        abbrevOffset = offsetSize === 8 ? Number(u.u64()) : u.u32();
        if (type === DW_UT.skeleton || type === DW_UT.splitCompile) u.skip(8); // dwo_id
      } else {
        abbrevOffset = offsetSize === 8 ? Number(u.u64()) : u.u32();
        addressSize = u.u8();
      }
      const code = u.uleb();
      if (code === 0) continue;
      const form: FormContext = { offsetSize, addressSize, ...strings };
      const attrs = firstDieAttributes(abbrev, abbrevOffset, code);
      let stmtList: number | undefined, compDir: string | undefined;
      for (const [name, f] of attrs) {
        const v = readForm(u, f, form);
        if (name === DW_AT.stmtList && typeof v === 'number') stmtList = v;
        if (name === DW_AT.compDir && typeof v === 'string') compDir = v;
      }
      if (stmtList !== undefined && compDir !== undefined) out.set(stmtList, compDir);
    } catch (e) {
      if (!(e instanceof DwarfError)) throw e;
      warnings.push(`.debug_info unit at 0x${at.toString(16)} skipped: ${e.message}`);
    }
  }
  return out;
}

/** The (attribute, form) pairs of abbreviation `code` in the table at `offset`. */
function firstDieAttributes(abbrev: Uint8Array, offset: number, code: number): [number, number][] {
  const a = new DwarfReader(abbrev, offset, abbrev.length);
  for (;;) {
    const c = a.uleb();
    if (c === 0) throw new DwarfError(`abbreviation ${code} not found`);
    a.uleb(); // tag
    a.u8(); // has children
    const attrs: [number, number][] = [];
    for (;;) {
      const name = a.uleb(), form = a.uleb();
      if (name === 0 && form === 0) break;
      if (form === DW_FORM_IMPLICIT_CONST) a.sleb(); // the value lives here, not in the DIE
      attrs.push([name, form]);
    }
    if (c === code) return attrs;
  }
}
