/**
 * The one thing the line-table reader needs from .debug_info: each compile unit's
 * DW_AT_comp_dir, keyed by its DW_AT_stmt_list (the offset of its line table). DWARF 2-4
 * line tables leave directory 0, the compilation directory, out (DWARF 4 §6.2.4 item 11),
 * so relative source paths of such units resolve against it. Only each unit's first DIE
 * is read (dwarf-dies.ts Unit.head).
 */
import { ElfImage } from '../emulator';
import { DW_AT, DwarfInfo } from './dwarf-dies';
import { DwarfError } from './dwarf-reader';

/** stmt_list offset → comp_dir, for every unit that has both. Broken units are skipped with a warning. */
export function compilationDirs(elf: ElfImage, file: Uint8Array, warnings: string[]): Map<number, string> {
  const out = new Map<number, string>();
  const info = DwarfInfo.fromElf(elf, file, warnings);
  for (const u of info?.units ?? []) {
    try {
      const head = u.head();
      const stmtList = head.attr(DW_AT.stmtList);
      const compDir = head.string(DW_AT.compDir);
      if (stmtList?.k === 'sec' && compDir !== undefined) out.set(stmtList.offset, compDir);
      // DWARF 2-3 wrote DW_AT_stmt_list as data4.
      else if (stmtList?.k === 'const' && compDir !== undefined) out.set(Number(stmtList.v), compDir);
    } catch (e) {
      if (!(e instanceof DwarfError)) throw e;
      warnings.push(`.debug_info unit at 0x${u.header.offset.toString(16)} skipped: ${e.message}`);
    }
  }
  return out;
}
