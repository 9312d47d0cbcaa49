/**
 * The DTS pipeline in one call: preprocess → parse → resolve → check, with every
 * diagnostic mapped back to the file and offset the user wrote; then DTB output.
 * What the CLI, the language server and (later) the machine builder share.
 */

import { DtsDiagnostic, FileReader, LIMITS, SourceRange } from './source';
import { PreprocessResult, mapRange, preprocess } from './preprocess';
import { DtsDocument, Span, parseDts } from './parser';
import { ResolvedTree, resolveTree } from './resolve';
import { checkTree } from './checks';
import { compileTree } from './dtb';
import { generateFixups, generateSymbols } from './overlay';
import { BinaryReader, loadIncbins } from './incbin';

export interface DtsOptions {
  readFile: FileReader;
  includePaths?: readonly string[];
  defines?: Readonly<Record<string, string>>;
  /** Run the C preprocessor (dtc input from `cpp`): default true. */
  cpp?: boolean;
  /** Bytes of a file for /incbin/; without it, the FileReader's text as UTF-8. */
  readBinary?: BinaryReader;
  /** dtc -@: add `__symbols__` (every label's node path; each labelled node gets a phandle). */
  symbols?: boolean;
}

export interface DtsCompilation {
  file: string;
  pp: PreprocessResult;
  doc: DtsDocument;
  tree: ResolvedTree;
  diagnostics: DtsDiagnostic[];
  /** Maps a span of the parsed (preprocessed) text to the file range it came from. */
  range(span: Span): SourceRange;
}

/** A fragment file (`.dtsi`) need not start with `/dts-v1/;`. */
function isFragment(file: string): boolean {
  return /\.dtsi$|\.h$/i.test(file);
}

export function analyzeDts(file: string, text: string, opts: DtsOptions): DtsCompilation {
  const pp = opts.cpp === false
    ? { text, segments: [{ out: 0, file, src: 0, len: text.length, expanded: false }], diagnostics: [], includes: [], macros: new Map(), files: new Map([[file, text]]) }
    : preprocess(file, text, opts);
  const doc = parseDts(pp.text);
  const range = (span: Span) => mapRange(pp.segments, span.start, span.end);
  const diagnostics: DtsDiagnostic[] = [...pp.diagnostics];
  const add = (d: DtsDiagnostic) => { if (diagnostics.length < LIMITS.diagnostics) diagnostics.push(d); };
  for (const e of loadIncbins(doc, range, opts)) add({ severity: 'error', message: e.message, range: range(e.span), code: 'incbin' });
  const tree = resolveTree(doc, { symbols: opts.symbols });
  for (const e of doc.errors) add({ severity: 'error', message: e.message, range: range(e.span), code: 'syntax' });
  if (!doc.v1 && !isFragment(file)) add({ severity: 'error', message: "missing '/dts-v1/;' at the start of the file", range: { file, start: 0, end: 0 }, code: 'syntax' });
  // A fragment is usually checked alone in the editor: what its includer supplies
  // (labels, the root node) may be missing here, so say so less loudly.
  const fragment = isFragment(file);
  for (const d of tree.diagnostics) {
    if (fragment && d.message.startsWith('no root node')) continue;
    const soft = fragment && d.code === 'unresolved_reference';
    add({ severity: soft ? 'warning' : d.severity, message: d.message + (soft ? ' (in a fragment: it may come from the file that includes this one)' : ''), range: range(d.span), code: d.code });
  }
  if (doc.errors.length === 0) {
    for (const d of checkTree(tree)) add({ severity: d.severity, message: `${d.where}: ${d.message}`, range: range(d.span), code: d.code });
  }
  // After the checks, as dtc: these nodes are output, not input to check.
  if (opts.symbols === true) generateSymbols(tree);
  if (tree.plugin) for (const e of generateFixups(tree)) add({ severity: 'error', message: e.message, range: range(e.span), code: 'fixups' });
  return { file, pp, doc, tree, diagnostics, range };
}

export type DtbResult = { ok: true; dtb: Uint8Array; warnings: DtsDiagnostic[] } | { ok: false; errors: DtsDiagnostic[] };

/** DTS → DTB; any error diagnostic refuses the output, as dtc does without -f. */
export function compileDts(file: string, text: string, opts: DtsOptions): DtbResult {
  const c = analyzeDts(file, text, opts);
  const errors = c.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) return { ok: false, errors };
  try {
    return { ok: true, dtb: compileTree(c.tree), warnings: c.diagnostics };
  } catch (e) {
    // FdtBuilder refuses what no DTB can hold; the parser should have caught it first.
    return { ok: false, errors: [{ severity: 'error', message: `cannot write the DTB: ${(e as Error).message}`, range: { file, start: 0, end: 0 }, code: 'dtb' }] };
  }
}

export { preprocess, parseDts, resolveTree, checkTree, compileTree };
export { decompileDtb, parseDtb, dtsFromFdt, formatValue } from './dtb';
export type { DtsDiagnostic, FileReader, SourceRange } from './source';
export { dirname, joinPath, LineIndex } from './source';
export type { DtNode, DtProp, ResolvedTree } from './resolve';
export type { BodyItem, NodeBody, Ref } from './parser';
export { regWindows, strings, translateToRoot } from './query';
export { PHANDLE_ARGS } from './checks';
