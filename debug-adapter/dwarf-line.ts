/**
 * DWARF line tables (.debug_line, versions 2-5; DWARF 5 §6.2): every row of every
 * unit's line-number program, for source breakpoints (line → addresses) and stack
 * frames (pc → file and line). Input is untrusted: every read is bounds-checked, a
 * broken unit ends the parse with a warning and keeps the units read before it.
 */
import * as path from './posix-path';
import { ElfImage } from '../emulator';
import { DwarfError, DwarfReader, readForm, sectionBytes } from './dwarf-reader';
import { compilationDirs } from './dwarf-info';

export interface LineRow {
  address: bigint;
  /** Path as the compiler recorded it, joined with its directory; relative paths start at `baseDir`. */
  file: string;
  line: number;
  column: number;
  isStmt: boolean;
  /** The first address after a sequence (DW_LNE_end_sequence): no code at `address`. */
  endSequence: boolean;
  /** The line has had a non-zero discriminator since it last changed (gdb folds such repeated rows into one). */
  discriminated?: boolean;
}

export interface LineTable {
  rows: LineRow[];
  warnings: string[];
  /** Each unit's file names by number, keyed by the unit's offset (a compile unit's DW_AT_stmt_list): DW_AT_call_file indexes them. */
  files: Map<number, string[]>;
}

// DWARF 5 §7.22 (line number header entry formats) and §7.5.6 (forms).
const DW_LNCT = { path: 1, directoryIndex: 2 } as const;
// §6.2.5.2 standard opcodes, §6.2.5.3 extended opcodes.
const LNS = { copy: 1, advancePc: 2, advanceLine: 3, setFile: 4, setColumn: 5, negateStmt: 6, setBasicBlock: 7, constAddPc: 8, fixedAdvancePc: 9 } as const;
const LNE = { endSequence: 1, setAddress: 2, defineFile: 3, setDiscriminator: 4 } as const;

/**
 * Reads every unit of .debug_line. Relative paths start at the unit's DW_AT_comp_dir
 * (from .debug_info), and relative compilation directories at `baseDir` (where the ELF is).
 */
export function readLineTable(elf: ElfImage, file: Uint8Array, baseDir: string): LineTable {
  const rows: LineRow[] = [];
  const warnings: string[] = [];
  const files = new Map<number, string[]>();
  const line = sectionBytes(elf, file, '.debug_line');
  if (line === undefined) return { rows, warnings, files };
  const lineStr = sectionBytes(elf, file, '.debug_line_str');
  const str = sectionBytes(elf, file, '.debug_str');
  const compDirs = compilationDirs(elf, file, warnings);
  // Every unit lists the headers it includes: one string per path, not one per unit (a vmlinux has ~90 000 entries).
  const paths = new Map<string, string>();
  const intern = (p: string): string => { const seen = paths.get(p); if (seen !== undefined) return seen; paths.set(p, p); return p; };
  let at = 0;
  while (at < line.length) {
    try {
      // A unit's relative paths start at its compilation directory when .debug_info names it, else at the ELF's folder.
      const dir = compDirs.get(at);
      const unitFiles: string[] = [];
      files.set(at, unitFiles);
      at = readUnit(line, at, { lineStr, str }, dir === undefined ? baseDir : path.resolve(baseDir, dir), rows, unitFiles, intern);
    } catch (e) {
      if (!(e instanceof DwarfError)) throw e;
      warnings.push(`.debug_line unit at offset 0x${at.toString(16)}: ${e.message}; later units skipped`);
      break;
    }
  }
  return { rows, warnings, files };
}

function readUnit(b: Uint8Array, start: number, strings: { lineStr?: Uint8Array; str?: Uint8Array }, baseDir: string, rows: LineRow[], files: string[], intern: (path: string) => string): number {
  const c = new DwarfReader(b, start, b.length);
  let length = c.u32();
  let offsetSize = 4;
  if (length === 0xffffffff) { length = Number(c.u64()); offsetSize = 8; }
  const end = c.at + length;
  if (end > b.length) throw new DwarfError(`unit length ${length} runs past the section end`);
  const u = new DwarfReader(b, c.at, end);
  const version = u.u16();
  if (version < 2 || version > 5) throw new DwarfError(`unsupported line table version ${version}`);
  let addressSize = 8;
  if (version >= 5) { addressSize = u.u8(); u.u8(); /* segment_selector_size */ }
  const headerLength = offsetSize === 8 ? Number(u.u64()) : u.u32();
  const programStart = u.at + headerLength;
  const minInsnLength = u.u8();
  if (version >= 4) u.u8(); // maximum_operations_per_instruction: 1 on RISC-V (no VLIW)
  const defaultIsStmt = u.u8() !== 0;
  const lineBase = (u.u8() << 24) >> 24;
  const lineRange = u.u8();
  const opcodeBase = u.u8();
  if (lineRange === 0) throw new DwarfError('line_range is 0');
  const opLengths = [0];
  for (let i = 1; i < opcodeBase; i++) opLengths.push(u.u8());

  const dirs: string[] = [];
  const resolve = (dir: string | undefined, name: string) => {
    const joined = path.isAbsolute(name) ? name : path.join(dir ?? '', name);
    return intern(path.isAbsolute(joined) ? path.normalize(joined) : path.join(baseDir, joined));
  };
  if (version >= 5) {
    const readEntries = (): { path?: string; dir?: number }[] => {
      const formats: [number, number][] = [];
      const n = u.u8();
      for (let i = 0; i < n; i++) formats.push([u.uleb(), u.uleb()]);
      const count = u.uleb();
      const out: { path?: string; dir?: number }[] = [];
      for (let i = 0; i < count; i++) {
        const e: { path?: string; dir?: number } = {};
        for (const [type, form] of formats) {
          const v = readForm(u, form, { offsetSize, addressSize, ...strings });
          if (type === DW_LNCT.path && typeof v === 'string') e.path = v;
          if (type === DW_LNCT.directoryIndex && typeof v === 'number') e.dir = v;
        }
        out.push(e);
      }
      return out;
    };
    const d = readEntries();
    for (const e of d) dirs.push(e.path !== undefined && !path.isAbsolute(e.path) && dirs.length > 0 ? path.join(dirs[0], e.path) : e.path ?? '');
    for (const e of readEntries()) files.push(resolve(dirs[e.dir ?? 0], e.path ?? '?'));
  } else {
    dirs.push(''); // v2-4: directory 0 is the compilation directory, not listed
    for (let s = u.cstring(); s !== ''; s = u.cstring()) dirs.push(s);
    files.push(''); // v2-4: file numbers start at 1
    for (let s = u.cstring(); s !== ''; s = u.cstring()) {
      const dir = u.uleb(); u.uleb(); u.uleb(); // directory index, mtime, length
      files.push(resolve(dirs[dir], s));
    }
  }

  const p = new DwarfReader(b, programStart, end);
  const fresh = () => ({ address: 0n, file: 1, line: 1, column: 0, isStmt: defaultIsStmt, discriminator: 0, discriminated: false });
  let r = fresh();
  const emit = (endSequence: boolean) => {
    // §6.2.2: the line register is unsigned; an advance below 0 is a corrupt program.
    if (r.line < 0) throw new DwarfError(`line number ${r.line} below 0`);
    rows.push({ address: r.address, file: files[r.file] ?? `file ${r.file}`, line: r.line, column: r.column, isStmt: r.isStmt, endSequence, ...(r.discriminated ? { discriminated: true } : {}) });
    r.discriminator = 0; // §6.2.5.1: reset after every row
  };
  const advanceLine = (delta: number) => {
    r.line += delta;
    if (delta !== 0) r.discriminated = r.discriminator !== 0;
  };
  const wrap = (v: bigint) => BigInt.asUintN(addressSize * 8, v);
  while (p.at < end) {
    const op = p.u8();
    if (op >= opcodeBase) { // special opcode (§6.2.5.1)
      const adj = op - opcodeBase;
      r.address = wrap(r.address + BigInt(Math.floor(adj / lineRange) * minInsnLength));
      advanceLine(lineBase + (adj % lineRange));
      emit(false);
      continue;
    }
    switch (op) {
      case 0: {
        const len = p.uleb();
        const next = p.at + len;
        if (len === 0 || next > end) throw new DwarfError('bad extended opcode length');
        const sub = p.u8();
        if (sub === LNE.endSequence) { emit(true); r = fresh(); }
        else if (sub === LNE.setAddress) r.address = addressSize === 8 ? p.u64() : BigInt(p.u32());
        else if (sub === LNE.defineFile) files.push(resolve(undefined, p.cstring()));
        else if (sub === LNE.setDiscriminator) { r.discriminator = p.uleb(); if (r.discriminator !== 0) r.discriminated = true; }
        p.at = next;
        break;
      }
      case LNS.copy: emit(false); break;
      case LNS.advancePc: r.address = wrap(r.address + BigInt(p.uleb() * minInsnLength)); break;
      case LNS.advanceLine: advanceLine(p.sleb()); break;
      case LNS.setFile: r.file = p.uleb(); break;
      case LNS.setColumn: r.column = p.uleb(); break;
      case LNS.negateStmt: r.isStmt = !r.isStmt; break;
      case LNS.setBasicBlock: break;
      case LNS.constAddPc: r.address = wrap(r.address + BigInt(Math.floor((255 - opcodeBase) / lineRange) * minInsnLength)); break;
      case LNS.fixedAdvancePc: r.address = wrap(r.address + BigInt(p.u16())); break;
      default: for (let i = 0; i < opLengths[op]; i++) p.uleb(); // prologue_end, epilogue_begin, set_isa, and any we do not know
    }
  }
  return end;
}

/** One line-table sequence: [start, end) of addresses, its rows' place in the table, gdb's rows of it once made. */
interface Sequence { start: bigint; end: bigint; from: number; to: number; kept?: LineRow[] }

/** Line rows indexed for the two questions a debugger asks. */
export class SourceLines {
  /** Rows sorted by address, end-of-sequence rows included (they end a range). */
  private readonly byAddress: LineRow[];

  constructor(readonly rows: LineRow[]) {
    this.byAddress = [...rows].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  }

  /** The source line the instruction at `pc` belongs to, as gdb reads it (line). */
  at(pc: bigint): LineRow | undefined {
    return this.line(pc)?.row;
  }

  /**
   * The line at `pc` and the address range [start, end) of its row, as gdb's
   * find_pc_line gives them: the rows gdb keeps (gdbRows), the last row at the greatest
   * address not above `pc` (an is_stmt one before it at that address preferred), ending
   * where the next row starts. Stepping stops and frames use this, so they name the
   * lines gdb names.
   */
  line(pc: bigint): { row: LineRow; start: bigint; end: bigint } | undefined {
    const seq = this.sequenceAt(pc);
    if (seq === undefined) return undefined;
    // gdb's rows of this sequence only, made when a pc first needs them (a kernel has 100,000 sequences).
    const rows = seq.kept ??= gdbRows(this.rows.slice(seq.from, seq.to));
    let lo = 0, hi = rows.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (rows[mid].address <= pc) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (found < 0) return undefined;
    const start = rows[found].address;
    let first = found;
    while (first > 0 && rows[first - 1].address === start) first--;
    // At one address, the rows of one file (gdb keeps one file's rows there): its last, or an is_stmt one before it.
    const group = rows.slice(first, found + 1).filter((r) => !r.endSequence);
    if (group.length === 0) return undefined;
    const same = group.filter((r) => r.file === group[group.length - 1].file);
    const row = same[same.length - 1].isStmt ? same[same.length - 1] : [...same].reverse().find((r) => r.isStmt) ?? same[same.length - 1];
    const end = found + 1 < rows.length ? rows[found + 1].address : seq.end;
    return { row, start, end };
  }

  /**
   * The sequence (rows up to an end_sequence, addresses rising) whose addresses hold `pc`,
   * by address: `from`/`to` index this.rows, `to` past its end row.
   */
  private sequenceAt(pc: bigint): Sequence | undefined {
    if (this.sequences === undefined) {
      const list: Sequence[] = [];
      let from = 0;
      for (let i = 0; i < this.rows.length; i++) {
        if (!this.rows[i].endSequence) continue;
        if (i > from) list.push({ start: this.rows[from].address, end: this.rows[i].address, from, to: i + 1 });
        from = i + 1;
      }
      this.sequences = list.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    }
    const seqs = this.sequences;
    let lo = 0, hi = seqs.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (seqs[mid].start <= pc) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    // Sequences may overlap (code a linker dropped keeps its rows at 0): the nearest below that holds pc.
    for (let i = found; i >= 0 && i > found - 64; i--) if (pc < seqs[i].end) return seqs[i];
    return undefined;
  }

  private sequences: Sequence[] | undefined;

  /** Address ranges [start, end) of every row of the line `pc` is on (a line can be split by the optimizer). */
  lineRanges(pc: bigint): [bigint, bigint][] {
    const here = this.at(pc);
    if (here === undefined) return [];
    const rows = this.byAddress;
    const out: [bigint, bigint][] = [];
    for (let i = 0; i + 1 < rows.length; i++) {
      const r = rows[i];
      if (!r.endSequence && r.file === here.file && r.line === here.line && rows[i + 1].address > r.address) out.push([r.address, rows[i + 1].address]);
    }
    return out;
  }

  /** The rows (end-of-sequence rows left out) at addresses in [lo, hi), by address; rows sharing an address in table order. */
  rowsIn(lo: bigint, hi: bigint): LineRow[] {
    const rows = this.byAddress;
    let a = 0, b = rows.length;
    while (a < b) { const mid = (a + b) >> 1; if (rows[mid].address < lo) a = mid + 1; else b = mid; }
    const out: LineRow[] = [];
    for (let i = a; i < rows.length && rows[i].address < hi; i++) if (!rows[i].endSequence) out.push(rows[i]);
    return out;
  }

  /** Addresses in [lo, hi) where a statement starts (is_stmt rows). */
  statementStarts(lo: bigint, hi: bigint): bigint[] {
    return [...new Set(this.rows.filter((r) => r.isStmt && !r.endSequence && r.address >= lo && r.address < hi).map((r) => r.address))];
  }

  /**
   * The column to show for `row` (1-based). Where its line holds statements that start at
   * different columns (`for (i = 0; i < n; i++)`), the column of the statement at its
   * address; else 1, so the stop marker sits at the line's start and not where the
   * compiler's column points (`ticks▷++`, a non-statement row of a one-statement line).
   */
  displayColumn(row: LineRow): number {
    const statements = this.statementsOfLine(row.file, row.line);
    if (new Set(statements.map((r) => r.column)).size <= 1) return 1;
    const here = statements.filter((r) => r.address === row.address).at(-1) ?? row;
    return Math.max(1, here.column);
  }

  /**
   * Per file, where its is_stmt rows with a column are in byAddress: built on first use
   * in one pass, no key strings made, and no array per line (a kernel's table has 600,000
   * such rows: as small arrays, 30 MB).
   */
  private statementsByFile: Map<string, Uint32Array> | undefined;
  /** Files whose list is sorted by line (on its first question: most files are never asked about). */
  private readonly sortedByLine = new Set<string>();

  /** The is_stmt rows with a column of `line` in `file`, by address. */
  private statementsOfLine(file: string, line: number): LineRow[] {
    const rows = this.byAddress;
    const list = (this.statementsByFile ??= this.statementIndex()).get(file);
    if (list === undefined) return [];
    if (!this.sortedByLine.has(file)) {
      // By line, and by address within a line: a header inlined everywhere has 30,000 statements to search.
      list.sort((a, b) => rows[a].line - rows[b].line || a - b);
      this.sortedByLine.add(file);
    }
    let lo = 0, hi = list.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (rows[list[mid]].line < line) lo = mid + 1; else hi = mid; }
    const out: LineRow[] = [];
    for (let i = lo; i < list.length && rows[list[i]].line === line; i++) out.push(rows[list[i]]);
    return out;
  }

  private statementIndex(): Map<string, Uint32Array> {
    const rows = this.byAddress;
    const statement = (r: LineRow) => r.isStmt && !r.endSequence && r.column !== 0;
    const left = new Map<string, number>();
    for (const r of rows) if (statement(r)) left.set(r.file, (left.get(r.file) ?? 0) + 1);
    const byFile = new Map<string, Uint32Array>();
    for (const [f, n] of left) byFile.set(f, new Uint32Array(n));
    // Each file's count goes down to 0 as its places are written.
    for (let i = rows.length - 1; i >= 0; i--) {
      const r = rows[i];
      if (!statement(r)) continue;
      const n = left.get(r.file)! - 1;
      left.set(r.file, n);
      byFile.get(r.file)![n] = i;
    }
    return byFile;
  }

  /** Files the table knows, for matching a client's path. */
  files(): Set<string> { return new Set(this.rows.map((r) => r.file)); }

  /**
   * Statement addresses for a line of `file`, or of the nearest later line that has
   * code (a breakpoint on a comment moves down). One address per place the line starts.
   */
  breakpointAddresses(file: string, line: number): { line: number; addresses: bigint[] } | undefined {
    const rows = this.rows.filter((r) => r.file === file && r.isStmt && !r.endSequence && r.line >= line);
    if (rows.length === 0) return undefined;
    const target = Math.min(...rows.map((r) => r.line));
    const addresses = [...new Set(rows.filter((r) => r.line === target).map((r) => r.address))].sort((a, b) => (a < b ? -1 : 1));
    return { line: target, addresses };
  }
}

/**
 * The line rows gdb 13 keeps, by address (rows at one address in table order): its line
 * state machine (dwarf2/read.c) and record_line (buildsym.c) drop a row that switches
 * file at an unchanged address without being a statement, fold repeated rows of one line
 * once it had a discriminator, and end a file's rows where another file's begin (an
 * end-of-sequence marker that removes the old file's rows at that same address).
 */
function gdbRows(rows: readonly LineRow[]): LineRow[] {
  const byFile = new Map<string, LineRow[]>();
  const record = (file: string, row: LineRow): void => {
    let v = byFile.get(file);
    if (v === undefined) byFile.set(file, v = []);
    if (row.endSequence) {
      let lastLine: number | undefined;
      while (v.length > 0) {
        const last = v[v.length - 1];
        lastLine = last.endSequence ? 0 : last.line;
        if (last.address !== row.address) break;
        v.pop();
      }
      if (lastLine === undefined || lastLine === 0) return; // an empty sequence
    }
    v.push(row);
  };
  const end = (file: string, address: bigint): LineRow => ({ address, file, line: 0, column: 0, isStmt: true, endSequence: true });
  let lastFile: string | undefined, lastLine = 0, lastAddress: bigint | undefined;
  for (const r of rows) {
    if (r.endSequence) {
      if (lastFile !== undefined) record(lastFile, end(lastFile, r.address));
      lastFile = undefined; lastLine = 0; lastAddress = undefined;
      continue;
    }
    const fileChanged = r.file !== lastFile;
    const ignore = (fileChanged && r.address === lastAddress && !r.isStmt) || r.line === 0;
    if (fileChanged && !ignore && lastFile !== undefined) record(lastFile, end(lastFile, r.address));
    if (!ignore) {
      if (fileChanged || r.line !== lastLine || r.discriminated !== true) record(r.file, r);
      lastFile = r.file; lastLine = r.line;
    }
    lastAddress = r.address;
  }
  const out: LineRow[] = [];
  for (const v of byFile.values()) for (const r of v) out.push(r);
  // By address; at one address an end marker before rows (gdb sorts its markers first), else table order.
  return out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : Number(b.endSequence) - Number(a.endSequence)));
}
