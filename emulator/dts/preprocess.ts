/**
 * The C-preprocessor layer that Linux and Zephyr device trees use (dtc runs after
 * `cpp -x assembler-with-cpp`): `#include` through include paths, object- and
 * function-like `#define`, `#undef`, `#if/#ifdef/#ifndef/#elif/#else/#endif` with
 * `defined`, `#error`/`#warning`; plus dtc's own `/include/` at the start of a line.
 *
 * Output is one text plus a map from each output offset back to a file offset, so
 * every later stage reports ranges in the files the user wrote. As with
 * assembler-with-cpp, a line starting with `#` and no known directive (`#address-cells`)
 * is ordinary text. Work is bounded (source.ts LIMITS): include depth and cycles, macro
 * recursion, expansion count and output size all end in a diagnostic, never a hang.
 */

import { DtsDiagnostic, FileReader, LIMITS, SourceRange, dirname, joinPath } from './source';
import { evaluate } from './expr';

export interface MacroDef {
  name: string;
  /** Parameter names for a function-like macro; undefined for an object-like one. */
  params?: string[];
  variadic: boolean;
  body: string;
  range: SourceRange;
}

/** One run of output text that comes from one place: verbatim source or a macro expansion. */
export interface Segment {
  out: number;
  file: string;
  src: number;
  len: number;
  /** For an expansion, `src`/`len` span the macro invocation instead of the text itself. */
  expanded: boolean;
}

export interface IncludeRecord {
  /** Where the directive is. */
  range: SourceRange;
  target: string;
  resolved?: string;
}

export interface PreprocessOptions {
  readFile: FileReader;
  includePaths?: readonly string[];
  /** Predefined object-like macros (`-D NAME=VALUE`). */
  defines?: Readonly<Record<string, string>>;
}

export interface PreprocessResult {
  text: string;
  segments: Segment[];
  diagnostics: DtsDiagnostic[];
  includes: IncludeRecord[];
  macros: Map<string, MacroDef>;
  /** Every file read, the main file first. */
  files: Map<string, string>;
}

/** How far a function-like macro call may run over later lines before it counts as unterminated. */
const MAX_CALL_SPAN = 64 * 1024;

const DIRECTIVES = new Set(['include', 'define', 'undef', 'if', 'ifdef', 'ifndef', 'elif', 'else', 'endif', 'error', 'warning', 'pragma', 'line', 'ident']);
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;

/**
 * Whether a line starting with `text` is a directive here (and to cpp): `#` then a known
 * directive name or a digit (a line marker). `#address-cells` is not; `#include-x` and
 * `#1foo` are, so the decompiler must not start a line with such a name.
 */
export function isDirectiveLine(text: string): boolean {
  const m = /^#[ \t]*([A-Za-z_][A-Za-z0-9_]*|[0-9])/.exec(text);
  return m !== null && (/^[0-9]$/.test(m[1]) || DIRECTIVES.has(m[1]));
}

interface Cond {
  /** Lines in this branch are live. */
  active: boolean;
  /** Some branch of this group was already taken. */
  taken: boolean;
  /** The enclosing group was live. */
  outer: boolean;
  sawElse: boolean;
  range: SourceRange;
}

class Preprocessor {
  private readonly chunks: string[] = [];
  private outLength = 0;
  readonly segments: Segment[] = [];
  readonly diagnostics: DtsDiagnostic[] = [];
  readonly includes: IncludeRecord[] = [];
  readonly macros = new Map<string, MacroDef>();
  readonly files = new Map<string, string>();
  private readonly stack: string[] = [];
  private expansions = 0;
  private stopped = false;
  /** Includes entered and their characters, for LIMITS.includes and LIMITS.includedChars. */
  private included = 0;
  private includedChars = 0;

  constructor(private readonly opts: PreprocessOptions) {
    for (const [name, body] of Object.entries(opts.defines ?? {})) {
      this.macros.set(name, { name, variadic: false, body, range: { file: '<command line>', start: 0, end: 0 } });
    }
  }

  /** Diagnostics given so far, so a file included many times says each thing once. */
  private readonly said = new Set<string>();

  diag(severity: DtsDiagnostic['severity'], message: string, range: SourceRange, code = 'preprocessor'): void {
    if (this.diagnostics.length >= LIMITS.diagnostics) return;
    const key = `${range.file}\0${range.start}\0${range.end}\0${message}`;
    if (this.said.has(key)) return;
    this.said.add(key);
    this.diagnostics.push({ severity, message, range, code });
  }

  text(): string {
    return this.chunks.join('');
  }

  private emit(text: string, file: string, src: number, len: number, expanded: boolean): void {
    if (text.length === 0 || this.stopped) return;
    if (this.outLength + text.length > LIMITS.outputChars) {
      this.stopped = true;
      this.diag('error', `preprocessed output exceeds ${LIMITS.outputChars} characters; the rest is ignored`, { file, start: src, end: src + len });
      return;
    }
    const last = this.segments[this.segments.length - 1];
    if (!expanded && last !== undefined && !last.expanded && last.file === file && last.src + last.len === src && last.out + last.len === this.outLength) {
      last.len += text.length;
    } else {
      this.segments.push({ out: this.outLength, file, src, len: expanded ? len : text.length, expanded });
    }
    this.chunks.push(text);
    this.outLength += text.length;
  }

  private emitSource(file: string, text: string, start: number, end: number): void {
    if (end > start) this.emit(text.slice(start, end), file, start, end - start, false);
  }

  run(file: string, text: string): void {
    if (this.stack.length >= LIMITS.includeDepth) {
      this.diag('error', `includes nested deeper than ${LIMITS.includeDepth}`, { file, start: 0, end: 0 }, 'include');
      return;
    }
    this.stack.push(file);
    this.files.set(file, text);
    const conds: Cond[] = [];
    let inComment = false;
    let pos = 0;
    const n = text.length;
    // A block comment opened on a directive line was dropped with the directive, so its
    // tail on later lines must be dropped too (ordinary comments stay in the text).
    let directiveComment = false;
    while (pos < n && !this.stopped) {
      if (inComment && directiveComment) {
        const close = text.indexOf('*/', pos);
        const eol = text.indexOf('\n', pos);
        if (close < 0 || (eol >= 0 && eol < close)) {
          if (eol < 0) break;
          this.emit('\n', file, eol, 1, false);
          pos = eol + 1;
          continue;
        }
        pos = close + 2;
        inComment = false;
        directiveComment = false;
        continue;
      }
      // One logical line: physical lines joined by backslash-newline (directives only need it).
      let lineEnd = text.indexOf('\n', pos);
      if (lineEnd < 0) lineEnd = n;
      const live = conds.length === 0 || conds[conds.length - 1].active;
      const first = firstNonBlank(text, pos, lineEnd);
      const startsDirective = !inComment && first < lineEnd && text[first] === '#';
      let directive: string | undefined;
      if (startsDirective) {
        IDENT.lastIndex = skipBlanks(text, first + 1, lineEnd);
        const m = IDENT.exec(text);
        if (m !== null && DIRECTIVES.has(m[0])) directive = m[0];
        else if (/^[ \t]*[0-9]/.test(text.slice(first + 1, Math.min(first + 4, lineEnd)))) directive = 'line';
      }
      if (directive !== undefined) {
        while (lineEnd < n && lineEnd > pos && text[lineEnd - 1] === '\\') {
          const next = text.indexOf('\n', lineEnd + 1);
          lineEnd = next < 0 ? n : next;
        }
        const raw = text.slice(pos, lineEnd);
        const { body, endsInComment } = stripComments(raw.replace(/\\\n/g, ' '));
        inComment = endsInComment;
        directiveComment = endsInComment;
        const range = { file, start: first, end: lineEnd };
        this.directive(directive, body, range, conds, live, file, text);
        if (lineEnd < n) this.emit('\n', file, lineEnd, 1, false);
        pos = lineEnd + 1;
        continue;
      }
      if (!live) {
        inComment = scanComments(text, pos, lineEnd, inComment);
        if (lineEnd < n) this.emit('\n', file, lineEnd, 1, false);
        pos = lineEnd + 1;
        continue;
      }
      if (!inComment && text.startsWith('/include/', first)) {
        const m = /^\/include\/\s*"([^"\n]*)"/.exec(text.slice(first, lineEnd));
        if (m !== null) {
          this.emitSource(file, text, pos, first);
          this.include(m[1], true, { file, start: first, end: first + m[0].length }, file);
          pos = first + m[0].length;
          // The rest of the line continues as ordinary text.
          const r = this.expandLine(file, text, pos, lineEnd, inComment);
          inComment = r.inComment;
          if (r.resume !== undefined) { pos = r.resume; continue; }
          if (lineEnd < n) this.emit('\n', file, lineEnd, 1, false);
          pos = lineEnd + 1;
          continue;
        }
      }
      // cpp splices a line ending in a backslash onto the next one (C11 §5.1.1.2 phase 2).
      const spliced = lineEnd < n && lineEnd > pos && text[lineEnd - 1] === '\\' && !inComment;
      const r = this.expandLine(file, text, pos, spliced ? lineEnd - 1 : lineEnd, inComment);
      inComment = r.inComment;
      if (r.resume !== undefined) { pos = r.resume; continue; }
      if (lineEnd < n && !spliced) this.emit('\n', file, lineEnd, 1, false);
      pos = lineEnd + 1;
    }
    for (const c of conds) this.diag('error', 'unterminated conditional directive (#if without #endif)', c.range);
    this.stack.pop();
  }

  /**
   * Copies text[start, end) to the output, expanding macros outside comments, strings and
   * character literals. A function-like macro call may continue on later lines (as in cpp);
   * then `resume` is where the call ended, past `end`.
   */
  private expandLine(file: string, text: string, start: number, end: number, inComment: boolean): { inComment: boolean; resume?: number } {
    if (this.macros.size === 0) {
      this.emitSource(file, text, start, end);
      return { inComment: scanComments(text, start, end, inComment) };
    }
    let copied = start;
    let i = start;
    while (i < end) {
      if (inComment) {
        const e = text.indexOf('*/', i);
        if (e < 0 || e + 2 > end) { i = end; break; }
        i = e + 2;
        inComment = false;
        continue;
      }
      const c = text[i];
      if (c === '/' && text[i + 1] === '*') { inComment = true; i += 2; continue; }
      if (c === '/' && text[i + 1] === '/') { i = end; break; }
      if (c === '"' || c === "'") { i = skipQuoted(text, i, end); continue; }
      if (isDigit(c)) { i = skipPpNumber(text, i, end); continue; }
      if (isIdentStart(c)) {
        IDENT.lastIndex = i;
        const name = IDENT.exec(text)![0];
        const macro = this.macros.get(name);
        if (macro === undefined) { i += name.length; continue; }
        const call = this.invocation(macro, text, i + name.length, end)
          ?? (macro.params !== undefined ? this.invocation(macro, text, i + name.length, Math.min(text.length, end + MAX_CALL_SPAN)) : undefined);
        if (call === undefined) { i += name.length; continue; }
        this.emitSource(file, text, copied, i);
        const expanded = this.expandMacro(macro, call.args.map((a) => a.replace(/\\?\n/g, ' ')), new Set(), 0, { file, start: i, end: call.end });
        this.emit(expanded, file, i, call.end - i, true);
        i = call.end;
        copied = i;
        if (i > end) return { inComment, resume: i };
        continue;
      }
      i++;
    }
    this.emitSource(file, text, copied, end);
    return { inComment };
  }

  /** Arguments of a macro use at `pos` (just after the name); undefined when a function-like macro is not called. */
  private invocation(macro: MacroDef, text: string, pos: number, end: number): { args: string[]; end: number } | undefined {
    if (macro.params === undefined) return { args: [], end: pos };
    let i = pos;
    while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
    if (text[i] !== '(') return undefined;
    const args: string[] = [];
    let depth = 0;
    let argStart = i + 1;
    for (i = i + 1; i < end; i++) {
      const c = text[i];
      if (c === '"' || c === "'") { i = skipQuoted(text, i, end) - 1; continue; }
      if (c === '(') depth++;
      else if (c === ')') {
        if (depth === 0) {
          args.push(text.slice(argStart, i).trim());
          if (args.length === 1 && args[0] === '' && macro.params.length === 0) args.length = 0;
          return { args, end: i + 1 };
        }
        depth--;
      } else if (c === ',' && depth === 0) {
        args.push(text.slice(argStart, i).trim());
        argStart = i + 1;
      }
    }
    return undefined;
  }

  /** Expands a macro with its (unexpanded) arguments, rescanning the result with the macro disabled. */
  expandMacro(macro: MacroDef, args: string[], disabled: Set<string>, depth: number, at: SourceRange): string {
    if (++this.expansions > LIMITS.expansions) {
      if (this.expansions === LIMITS.expansions + 1) this.diag('error', `more than ${LIMITS.expansions} macro expansions; the rest are left unexpanded`, at, 'macro');
      return macro.name;
    }
    if (depth > LIMITS.macroDepth) {
      this.diag('error', `macro '${macro.name}' expands more than ${LIMITS.macroDepth} levels deep`, at, 'macro');
      return macro.name;
    }
    let body = macro.body;
    if (macro.params !== undefined) {
      const params = macro.params;
      const fixed = params.length;
      if (args.length < fixed || (!macro.variadic && args.length > fixed)) {
        this.diag('error', `macro '${macro.name}' takes ${fixed}${macro.variadic ? ' or more' : ''} argument(s), got ${args.length}`, at, 'macro');
        return '';
      }
      const values = new Map<string, string>();
      params.forEach((p, k) => values.set(p, args[k]));
      if (macro.variadic) values.set('__VA_ARGS__', args.slice(fixed).join(', '));
      body = this.substitute(body, values, disabled, depth, at);
    }
    const inner = new Set(disabled);
    inner.add(macro.name);
    return this.rescan(body, inner, depth + 1, at);
  }

  /** Parameter substitution: `#p` stringifies, `a ## b` pastes, other uses get the expanded argument. */
  private substitute(body: string, values: Map<string, string>, disabled: Set<string>, depth: number, at: SourceRange): string {
    const tokens = ppTokens(body);
    const out: string[] = [];
    for (let k = 0; k < tokens.length; k++) {
      const t = tokens[k];
      if (t === '#' && k + 1 < tokens.length) {
        let j = k + 1;
        while (j < tokens.length && /^\s+$/.test(tokens[j])) j++;
        const v = values.get(tokens[j]);
        if (v !== undefined) {
          out.push(JSON.stringify(v));
          k = j;
          continue;
        }
      }
      const v = values.get(t);
      if (v === undefined) { out.push(t); continue; }
      const prev = lastNonBlank(out);
      const next = tokens.slice(k + 1).find((x) => !/^\s+$/.test(x));
      out.push(prev === '##' || next === '##' ? v : this.rescan(v, disabled, depth + 1, at));
    }
    // Token pasting: drop `##` and the blanks around it.
    return out.join('').replace(/\s*##\s*/g, '');
  }

  /** Expands every macro use in `text` (a macro body or argument). */
  private rescan(text: string, disabled: Set<string>, depth: number, at: SourceRange): string {
    // Pieces joined once at the end: `+=` per character left gigabytes of garbage on big expansions.
    const out: string[] = [];
    let length = 0;
    let copied = 0;
    let i = 0;
    while (i < text.length) {
      const c = text[i];
      if (c === '"' || c === "'") { i = skipQuoted(text, i, text.length); continue; }
      if (isDigit(c)) { i = skipPpNumber(text, i, text.length); continue; }
      if (!isIdentStart(c)) { i++; continue; }
      IDENT.lastIndex = i;
      const name = IDENT.exec(text)![0];
      const macro = this.macros.get(name);
      const call = macro !== undefined && !disabled.has(name) ? this.invocation(macro, text, i + name.length, text.length) : undefined;
      if (macro === undefined || call === undefined) { i += name.length; continue; }
      const expanded = this.expandMacro(macro, call.args, disabled, depth, at);
      out.push(text.slice(copied, i), expanded);
      length += i - copied + expanded.length;
      if (length > LIMITS.outputChars) {
        this.diag('error', 'macro expansion too large', at, 'macro');
        return '';
      }
      i = call.end;
      copied = i;
    }
    out.push(text.slice(copied));
    return out.join('');
  }

  private directive(name: string, body: string, range: SourceRange, conds: Cond[], live: boolean, file: string, _text: string): void {
    const rest = body.replace(/^\s*#\s*[A-Za-z_]*/, '').trim();
    const top = conds[conds.length - 1];
    switch (name) {
      case 'if': case 'ifdef': case 'ifndef': {
        let value = false;
        if (live) {
          if (name === 'if') value = this.condition(rest, range);
          else {
            const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
            if (id === null) this.diag('error', `#${name} needs a macro name`, range);
            value = id !== null && this.macros.has(id[0]) === (name === 'ifdef');
          }
        }
        conds.push({ active: live && value, taken: value, outer: live, sawElse: false, range });
        return;
      }
      case 'elif':
        if (top === undefined) { this.diag('error', '#elif without #if', range); return; }
        if (top.sawElse) this.diag('error', '#elif after #else', range);
        if (top.taken || !top.outer) { top.active = false; return; }
        top.active = this.condition(rest, range);
        top.taken = top.active;
        return;
      case 'else':
        if (top === undefined) { this.diag('error', '#else without #if', range); return; }
        if (top.sawElse) this.diag('error', '#else after #else', range);
        top.sawElse = true;
        top.active = top.outer && !top.taken;
        top.taken = true;
        return;
      case 'endif':
        if (top === undefined) this.diag('error', '#endif without #if', range);
        else conds.pop();
        return;
    }
    if (!live) return;
    switch (name) {
      case 'include': {
        const m = /^(?:"([^"]*)"|<([^>]*)>)/.exec(rest);
        if (m === null) { this.diag('error', '#include expects "FILE" or <FILE>', range, 'include'); return; }
        this.include(m[1] ?? m[2], m[1] !== undefined, range, file);
        return;
      }
      case 'define': this.define(rest, range); return;
      case 'undef': this.macros.delete(rest.split(/\s/)[0]); return;
      case 'error': this.diag('error', `#error ${rest}`, range); return;
      case 'warning': this.diag('warning', `#warning ${rest}`, range); return;
      default: return; // #pragma, #line, #ident and cpp line markers carry nothing we use
    }
  }

  private define(rest: string, range: SourceRange): void {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(\(([^)]*)\))?/.exec(rest);
    if (m === null) { this.diag('error', '#define needs a macro name', range); return; }
    let params: string[] | undefined;
    let variadic = false;
    if (m[2] !== undefined) {
      params = m[3].split(',').map((p) => p.trim()).filter((p) => p !== '');
      if (params[params.length - 1] === '...') { params.pop(); variadic = true; }
      else if (params.length > 0 && params[params.length - 1].endsWith('...')) {
        this.diag('warning', 'named variadic parameters are not supported; use __VA_ARGS__', range);
      }
    }
    const def: MacroDef = { name: m[1], params, variadic, body: rest.slice(m[0].length).trim(), range };
    const old = this.macros.get(def.name);
    if (old !== undefined && (old.body !== def.body || String(old.params) !== String(def.params))) {
      this.diag('warning', `'${def.name}' redefined`, range, 'macro');
    }
    this.macros.set(def.name, def);
  }

  private condition(expr: string, range: SourceRange): boolean {
    // `defined X` and `defined(X)` are answered before expansion (C11 §6.10.1).
    const withDefined = expr.replace(/\bdefined\s*(?:\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)|([A-Za-z_][A-Za-z0-9_]*))/g,
      (_all, a: string | undefined, b: string | undefined) => (this.macros.has(a ?? b ?? '') ? ' 1 ' : ' 0 '));
    const expanded = this.rescan(withDefined, new Set(), 0, range)
      // Identifiers left after expansion are 0 (C11 §6.10.1p4); drop integer suffixes' partners too.
      .replace(/\b[A-Za-z_][A-Za-z0-9_]*\b/g, (w, off: number, all: string) => (off > 0 && /[0-9]/.test(all[off - 1]) ? w : '0'));
    if (expanded.trim() === '') { this.diag('error', '#if with no expression', range); return false; }
    const r = evaluate(expanded, 0);
    if (r.error !== undefined) { this.diag('error', `#if: ${r.error.message}`, range); return false; }
    if (expanded.slice(r.end).trim() !== '') { this.diag('error', `#if: unexpected '${expanded.slice(r.end).trim()}'`, range); return false; }
    return r.value !== 0n;
  }

  private include(target: string, quoted: boolean, range: SourceRange, from: string): void {
    const record: IncludeRecord = { range, target };
    this.includes.push(record);
    const candidates = [
      ...(quoted ? [joinPath(dirname(from), target)] : []),
      ...(this.opts.includePaths ?? []).map((dir) => joinPath(dir, target)),
    ];
    for (const path of candidates) {
      if (this.stack.includes(path)) {
        this.diag('error', `include cycle: ${[...this.stack.slice(this.stack.indexOf(path)), path].join(' -> ')}`, range, 'include');
        record.resolved = path;
        return;
      }
      const text = this.files.get(path) ?? this.opts.readFile(path);
      if (text === undefined) continue;
      record.resolved = path;
      if (++this.included > LIMITS.includes || (this.includedChars += text.length) > LIMITS.includedChars) {
        // Past the limit every further include would say so again: stop the whole run.
        this.stopped = true;
        this.diag('error', this.included > LIMITS.includes
          ? `more than ${LIMITS.includes} files included (an include repeated at every level?); the rest is ignored`
          : `included files add up to more than ${LIMITS.includedChars} characters; the rest is ignored`, range, 'include');
        return;
      }
      this.run(path, text);
      return;
    }
    this.diag('error', `cannot find include file '${target}'${(this.opts.includePaths ?? []).length === 0 && !quoted ? ' (no include paths are set)' : ''}`, range, 'include');
  }
}

function isDigit(c: string): boolean { return c >= '0' && c <= '9'; }
function isIdentStart(c: string): boolean { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_'; }

function skipBlanks(text: string, i: number, end: number): number {
  while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
}

function firstNonBlank(text: string, i: number, end: number): number {
  while (i < end && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r' || text[i] === '\f' || text[i] === '\v')) i++;
  return i;
}

function skipQuoted(text: string, i: number, end: number): number {
  const q = text[i];
  for (i = i + 1; i < end; i++) {
    if (text[i] === '\\') { i++; continue; }
    if (text[i] === q || text[i] === '\n') return i + 1;
  }
  return end;
}

/** C11 §6.4.8 pp-number: a digit, then digits, letters, `_`, `.` and exponent signs. */
function skipPpNumber(text: string, i: number, end: number): number {
  i++;
  while (i < end) {
    const c = text[i];
    if ((c === '+' || c === '-') && /[eEpP]/.test(text[i - 1])) { i++; continue; }
    if (isDigit(c) || isIdentStart(c) || c === '.') { i++; continue; }
    break;
  }
  return i;
}

/** Follows block-comment state through text[i, end), skipping strings. */
function scanComments(text: string, i: number, end: number, inComment: boolean): boolean {
  while (i < end) {
    if (inComment) {
      const e = text.indexOf('*/', i);
      if (e < 0 || e + 2 > end) return true;
      i = e + 2;
      inComment = false;
      continue;
    }
    const c = text[i];
    if (c === '/' && text[i + 1] === '*') { inComment = true; i += 2; continue; }
    if (c === '/' && text[i + 1] === '/') return false;
    if (c === '"') { i = skipQuoted(text, i, end); continue; }
    i++;
  }
  return inComment;
}

/** A directive line without its comments; whether a block comment is still open at its end. */
function stripComments(line: string): { body: string; endsInComment: boolean } {
  let out = '';
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === '"' || c === "'") { const e = skipQuoted(line, i, line.length); out += line.slice(i, e); i = e; continue; }
    if (c === '/' && line[i + 1] === '/') break;
    if (c === '/' && line[i + 1] === '*') {
      const e = line.indexOf('*/', i + 2);
      if (e < 0) return { body: out, endsInComment: true };
      out += ' ';
      i = e + 2;
      continue;
    }
    out += c;
    i++;
  }
  return { body: out, endsInComment: false };
}

/** Splits a macro body into identifiers, numbers, quoted literals, blanks, `##` and single characters. */
function ppTokens(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    let e = i + 1;
    if (isIdentStart(c)) { IDENT.lastIndex = i; e = i + IDENT.exec(text)![0].length; }
    else if (isDigit(c)) e = skipPpNumber(text, i, text.length);
    else if (c === '"' || c === "'") e = skipQuoted(text, i, text.length);
    else if (c === '#' && text[i + 1] === '#') e = i + 2;
    else if (/\s/.test(c)) { while (e < text.length && /\s/.test(text[e])) e++; }
    out.push(text.slice(i, e));
    i = e;
  }
  return out;
}

function lastNonBlank(tokens: string[]): string | undefined {
  for (let k = tokens.length - 1; k >= 0; k--) if (!/^\s+$/.test(tokens[k])) return tokens[k];
  return undefined;
}

export function preprocess(file: string, text: string, opts: PreprocessOptions): PreprocessResult {
  const pp = new Preprocessor(opts);
  pp.run(file, text);
  return { text: pp.text(), segments: pp.segments, diagnostics: pp.diagnostics, includes: pp.includes, macros: pp.macros, files: pp.files };
}

/** Maps an output offset back to its source file and offset. */
export function locate(segments: readonly Segment[], out: number): { file: string; offset: number; segment: Segment | undefined } {
  if (segments.length === 0) return { file: '', offset: out, segment: undefined };
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segments[mid].out <= out) lo = mid; else hi = mid - 1;
  }
  const s = segments[lo];
  if (s.expanded) return { file: s.file, offset: s.src, segment: s };
  return { file: s.file, offset: s.src + Math.min(Math.max(0, out - s.out), s.len), segment: s };
}

/** Maps an output range [start, end) to a source range in the file where it starts. */
export function mapRange(segments: readonly Segment[], start: number, end: number): SourceRange {
  const a = locate(segments, start);
  if (a.segment?.expanded) return { file: a.file, start: a.segment.src, end: a.segment.src + a.segment.len };
  const b = locate(segments, Math.max(start, end - 1));
  if (b.file !== a.file || b.segment?.expanded) return { file: a.file, start: a.offset, end: a.segment !== undefined ? a.segment.src + a.segment.len : a.offset };
  return { file: a.file, start: a.offset, end: Math.max(a.offset, b.offset + (end > start ? 1 : 0)) };
}
