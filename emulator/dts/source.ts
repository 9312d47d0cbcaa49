/**
 * Source files, ranges and diagnostics shared by every stage of the DTS pipeline
 * (preprocess.ts → parser.ts → resolve.ts → dtb.ts). No I/O: files arrive through an
 * injected `FileReader`, so the same code runs in the CLI, the language server and tests.
 */

/** Reads a file by path; undefined when it does not exist or cannot be read. */
export type FileReader = (path: string) => string | undefined;

export type Severity = 'error' | 'warning' | 'info';

/** A range in one source file, as character offsets into its text. */
export interface SourceRange {
  file: string;
  start: number;
  end: number;
}

export interface DtsDiagnostic {
  severity: Severity;
  message: string;
  range: SourceRange;
  /** dtc's check name where one exists (`unit_address_vs_reg`), else a short code of ours. */
  code: string;
}

/** Bounds on hostile input (DESIGN.md idea 3): every loop in the pipeline answers to one of these. */
export const LIMITS = {
  includeDepth: 32,
  /** Files entered through includes in one run, repeats counted (a diamond of includes doubles at each level). */
  includes: 10_000,
  /** Characters of included files scanned in one run, repeats counted. */
  includedChars: 64 * 1024 * 1024,
  macroDepth: 64,
  /**
   * Characters produced by the preprocessor, all files and expansions together. Linux's
   * largest boards preprocess to well under 1 MiB; the pipeline holds tens of bytes per character.
   */
  outputChars: 16 * 1024 * 1024,
  /** Macro expansions in one run. */
  expansions: 2_000_000,
  nodeDepth: 256,
  /** Properties and nodes parsed in one document (Linux's largest boards have a few 10,000): bounds every later stage. */
  items: 200_000,
  /** Cells of `<…>` arrays and parts of property values (`"a", <1>`) in one document. */
  cells: 2_000_000,
  /** Bytes pulled in by /incbin/, all of them in one compilation. */
  incbinBytes: 16 * 1024 * 1024,
  diagnostics: 1000,
} as const;

// --- POSIX-style path helpers (emulator/ may not import node:path) ---

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  return path.slice(0, i);
}

export function joinPath(dir: string, rel: string): string {
  if (rel.startsWith('/')) return normalize(rel);
  return normalize(dir === '' ? rel : `${dir}/${rel}`);
}

function normalize(path: string): string {
  const abs = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (part !== '..' || !abs) out.push(part);
  }
  return (abs ? '/' : '') + out.join('/');
}

/** Line starts of a text, for offset ↔ line/column conversion. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  /** Zero-based line and UTF-16 column. */
  position(offset: number): { line: number; character: number } {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid; else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo] };
  }

  offset(line: number, character: number): number {
    if (line < 0) return 0;
    if (line >= this.starts.length) return this.text.length;
    const end = line + 1 < this.starts.length ? this.starts[line + 1] - 1 : this.text.length;
    return Math.min(this.starts[line] + Math.max(0, character), end);
  }
}
