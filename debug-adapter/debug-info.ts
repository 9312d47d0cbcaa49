/**
 * The debug-info service: what the program's ELF files say about it, merged over every
 * image (the kernel, an ELF firmware, launch.json `symbols` at their load offsets).
 * Symbols (symbols.ts), DWARF line tables (dwarf-line.ts, with dwarf-info.ts's
 * compilation directories) and call frame information (dwarf-frame.ts). Files come
 * through an injected FileAccessor, so tests and the web build can feed them. The
 * session's parts ask this service, never the readers below it: .debug_info's variables
 * and types (issue 14) belong here too.
 */
import * as path from './posix-path';
import { ElfImage, hasElfMagic, ImageBytes, parseElf } from '../emulator';
import { FileAccessor, readImage } from './file-accessor';
import { SymbolTable } from './symbols';
import { LineRow, readLineTable, SourceLines } from './dwarf-line';
import { CallFrameInfo, FrameRules } from './dwarf-frame';
import { Die, DW_AT, DwarfInfo, Unit } from './dwarf-dies';
import { DwarfError } from './dwarf-reader';
import { framesAt, SourceFrame, tailCallers, TailFrame } from './dwarf-scopes';

/** One function of an inline chain at a pc: its name, and for an inlined one the line of its caller it was inlined at. */
export interface InlineFrame { name: string; callFile?: string; callLine?: number }

/** An ELF whose debug info the session uses, and where it was loaded. */
export interface DebugImage { label: string; file: ImageBytes; elf: ElfImage; offset: bigint }

export interface DebugInfoRequest {
  /** Images already read: the program (named in messages about missing debug info) and an ELF firmware. */
  program?: DebugImage;
  firmware?: DebugImage;
  /** launch.json `symbols`: ELF files read here, each moved by its offset. */
  extra: readonly { path: string; label: string; offset: bigint }[];
  xlen: 32 | 64;
  /** launch.json `sourceFileMap`: compiled-in path prefix → local path. */
  sourceFileMap: Record<string, string>;
}

// DWARF 5 §7.5.4, attribute encodings.
const DW_AT_DECL_FILE = 0x3a;
const DW_AT_DECL_LINE = 0x3b;

/** Pcs whose frames sourceFrames keeps (the DWARF does not change in a session). */
const FRAMES_CACHED = 4096;

export class DebugInfo {
  /** Whether each source file exists, asked once per file. */
  private readonly sourcesSeen = new Map<string, boolean>();

  /** No program (before launch): every question has no answer. */
  static empty(files: FileAccessor): DebugInfo {
    return new DebugInfo(files, new SymbolTable([], 64), new SourceLines([]), [], [], new Map());
  }

  /**
   * Reads the `extra` files and every image's symbols, line table and CFI. `messages`
   * are for the Debug Console: a program without symbols or lines, and each reader's
   * warnings, in image order.
   */
  static async load(files: FileAccessor, r: DebugInfoRequest): Promise<{ info: DebugInfo; messages: string[] }> {
    const program = r.program;
    const images = [program, r.firmware].filter((i): i is DebugImage => i !== undefined);
    for (const [i, extra] of r.extra.entries()) {
      const file = await readImage(files, extra.path, `symbols[${i}]`);
      const elf = elfOf(file);
      if (elf === undefined) throw new Error(`launch attribute "symbols[${i}]": '${extra.label}' is not an ELF file`);
      images.push({ label: extra.label, file, elf, offset: extra.offset });
    }
    const messages: string[] = [];
    const symbols = new SymbolTable(images, r.xlen);
    if (program !== undefined && symbols.count === 0) messages.push(`${program.label} has no symbols: debugging by address only.`);
    const rows: LineRow[] = [];
    const cfis: CallFrameInfo[] = [];
    const dwarf: DwarfInfo[] = [];
    const moved: { info: DwarfInfo; offset: bigint }[] = [];
    const unitFiles = new Map<DwarfInfo, Map<number, string[]>>();
    const move = pathMover(r.sourceFileMap);
    for (const img of images) {
      const table = readLineTable(img.elf, img.file.bytes, path.dirname(img.file.name));
      for (const w of table.warnings) messages.push(`${img.label}: ${w}`);
      // One by one: a kernel's millions of rows overflow the stack as push's arguments.
      for (const row of table.rows) rows.push(img.offset === 0n ? row : { ...row, address: BigInt.asUintN(r.xlen, row.address + img.offset) });
      const cfi = new CallFrameInfo(img.elf, img.file.bytes, img.offset);
      for (const w of cfi.warnings) messages.push(`${img.label}: ${w}`);
      cfis.push(cfi);
      // Variables and types: only of images at their link addresses (DW_OP_addr and ranges are not moved).
      const info = DwarfInfo.fromElf(img.elf, img.file.bytes, []);
      if (info !== undefined && img.offset !== 0n) moved.push({ info, offset: img.offset });
      else if (info !== undefined) {
        for (const w of info.warnings) messages.push(`${img.label}: ${w}`);
        dwarf.push(info);
        unitFiles.set(info, new Map([...table.files].map(([unit, names]) => [unit, names.map(move)])));
      }
      if (img === program && table.rows.length === 0) messages.push(`${img.label} has no line table (.debug_line): stepping and breakpoints work by instruction.`);
    }
    for (const d of dwarf) d.indexInBackground();
    // Rows are copied only when sourceFileMap moves their files: a kernel has millions.
    const movedRows = Object.keys(r.sourceFileMap).length === 0 ? rows : rows.map((row) => ({ ...row, file: move(row.file) }));
    return { info: new DebugInfo(files, symbols, new SourceLines(movedRows), cfis, dwarf, unitFiles, moved), messages };
  }

  private constructor(
    private readonly files: FileAccessor,
    readonly symbols: SymbolTable,
    readonly lines: SourceLines,
    /** Unwind tables of each image; the first that covers a pc answers. */
    private readonly cfis: readonly CallFrameInfo[],
    /** .debug_info of each image at its link address: variables, types and scopes, read lazily. */
    readonly dwarf: readonly DwarfInfo[],
    /** Per .debug_info, its units' line-table file names (for DW_AT_call_file). */
    private readonly unitFiles: ReadonlyMap<DwarfInfo, ReadonlyMap<number, string[]>>,
    /** .debug_info of images loaded away from their link address: only their units' own facts are used (unitAt). */
    private readonly movedDwarf: readonly { info: DwarfInfo; offset: bigint }[] = [],
  ) {}

  /** The compilation unit whose code is at `pc`, in any image (moved ones too): for facts about a unit, not its addresses. */
  unitAt(pc: bigint): Unit | undefined {
    const here = this.dwarfAt(pc)?.unitForPc(pc);
    if (here !== undefined) return here;
    for (const m of this.movedDwarf) {
      const u = m.info.unitForPc(BigInt.asUintN(64, pc - m.offset));
      if (u !== undefined) return u;
    }
    return undefined;
  }

  /**
   * The functions inlined at `pc`, innermost first, ending with the function they were
   * inlined into; empty when nothing is inlined there. gdb shows each as a frame.
   */
  inlineChain(pc: bigint): InlineFrame[] {
    const info = this.dwarfAt(pc);
    if (info === undefined) return [];
    const frames = this.sourceFrames(pc);
    if (frames.length <= 1) return [];
    const stmt = frames[0].function.unit.head().attr(DW_AT.stmtList);
    const names = stmt?.k === 'sec' ? this.unitFiles.get(info)?.get(stmt.offset) : undefined;
    return frames.map((f) => ({
      name: f.name,
      ...(f.inlined && f.callLine !== undefined ? { callLine: f.callLine, callFile: f.callFile === undefined ? undefined : names?.[f.callFile] } : {}),
    }));
  }

  /** Where a function (or an inlined copy: its abstract origin's) is declared: DW_AT_decl_file through its unit's file names, and DW_AT_decl_line. */
  declaredAt(die: Die): { file?: string; line?: number } {
    const lineDie = die.inherited(DW_AT_DECL_LINE);
    const fileDie = die.inherited(DW_AT_DECL_FILE);
    const fileNo = fileDie?.number(DW_AT_DECL_FILE);
    const stmt = fileDie?.unit.head().attr(DW_AT.stmtList);
    const names = stmt?.k === 'sec' && fileDie !== undefined ? this.unitFiles.get(fileDie.unit.info)?.get(stmt.offset) : undefined;
    const file = fileNo === undefined ? undefined : names?.[fileNo];
    const line = lineDie?.number(DW_AT_DECL_LINE);
    return { ...(file !== undefined ? { file } : {}), ...(line !== undefined ? { line } : {}) };
  }

  /** The function at `pc` and the calls inlined into it there, innermost first (dwarf-scopes.ts framesAt). */
  sourceFrames(pc: bigint): SourceFrame[] {
    let frames = this.framesByPc.get(pc);
    if (frames === undefined) {
      const info = this.dwarfAt(pc);
      frames = info === undefined ? [] : framesAt(info, pc);
      // A stack, a step and the stops after it ask about the same few pcs again and again.
      if (this.framesByPc.size >= FRAMES_CACHED) this.framesByPc.clear();
      this.framesByPc.set(pc, frames);
    }
    return frames;
  }
  private readonly framesByPc = new Map<bigint, SourceFrame[]>();

  /**
   * Frames of functions that ended in tail calls between the frame at `calleePc` and its
   * caller returning to `returnPc`, innermost first (dwarf-scopes.ts tailCallers).
   */
  tailCallers(returnPc: bigint, calleePc: bigint): TailFrame[] {
    const info = this.dwarfAt(returnPc - 1n);
    const callee = this.sourceFrames(calleePc).at(-1)?.function;
    if (info === undefined || callee === undefined) return [];
    // A call's origin may be a declaration of a function defined elsewhere: its code, by its symbol.
    const definition = (d: Die): Die | undefined => {
      if (d.ranges().length > 0) return d;
      const sym = d.name === undefined ? undefined : this.symbols.lookup(d.name);
      return sym?.isFunction === true ? this.sourceFrames(sym.address).at(-1)?.function : undefined;
    };
    try {
      return tailCallers(info, returnPc, callee, definition);
    } catch (e) {
      if (e instanceof DwarfError) return [];
      throw e;
    }
  }

  /** The .debug_info whose units describe `pc`. */
  dwarfAt(pc: bigint): DwarfInfo | undefined {
    return this.dwarf.find((d) => d.unitForPc(pc) !== undefined);
  }

  /** How to find the caller's frame at `pc`, from the first image whose CFI covers it. */
  rulesAt(pc: bigint): FrameRules | undefined {
    return this.cfis.reduce<FrameRules | undefined>((found, cfi) => found ?? cfi.rulesAt(pc), undefined);
  }

  /** The line table's name for a client's path: the same path, else the only file with that name. */
  sourceFile(requested: string): string | undefined {
    const files = this.lines.files();
    const normal = path.normalize(requested);
    if (files.has(normal)) return normal;
    const same = [...files].filter((f) => path.basename(f) === path.basename(normal));
    return same.length === 1 ? same[0] : undefined;
  }

  /** Lines of `file` in [from, to] where a breakpoint can go: those with a statement. */
  breakpointLines(file: string, from: number, to: number): number[] {
    return [...new Set(this.lines.rows
      .filter((r) => r.file === file && r.isStmt && !r.endSequence && r.line >= from && r.line <= to)
      .map((r) => r.line))].sort((a, b) => a - b);
  }

  /** Whether a source file exists, asked once per file (VS Code's Disassembly view misdraws rows whose source it cannot open). */
  async sourceExists(file: string): Promise<boolean> {
    let known = this.sourcesSeen.get(file);
    if (known === undefined) {
      known = await this.files.exists(file);
      this.sourcesSeen.set(file, known);
    }
    return known;
  }
}

/** The parsed ELF, undefined for a raw image; a broken ELF is an error naming the file. */
export function elfOf(img: ImageBytes): ElfImage | undefined {
  if (!hasElfMagic(img.bytes)) return undefined;
  const r = parseElf(img.bytes);
  if (!r.ok) throw new Error(`${img.name}: ${r.error}`);
  return r.value;
}

/** A source path moved by `sourceFileMap` (the longest matching prefix wins). */
function pathMover(map: Record<string, string>): (file: string) => string {
  const prefixes = Object.keys(map).sort((a, b) => b.length - a.length);
  const moved = new Map<string, string>();
  return (file) => {
    if (prefixes.length === 0) return file;
    let m = moved.get(file);
    if (m === undefined) {
      const p = prefixes.find((x) => file === x || file.startsWith(x.endsWith('/') ? x : `${x}/`));
      m = p === undefined ? file : path.join(map[p], file.slice(p.length));
      moved.set(file, m);
    }
    return m;
  };
}
