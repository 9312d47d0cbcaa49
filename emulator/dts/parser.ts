/**
 * DTS v1 parser: recursive descent straight over the (preprocessed) text, with dtc's
 * lexical rules (dtc-lexer.l: PROPNODENAME `[a-zA-Z0-9,._+*#?@-]+`, labels
 * `[a-zA-Z_][a-zA-Z0-9_]*:`, `&label` and `&{/path}` references) and grammar
 * (dtc-parser.y; Devicetree Specification v0.4 §6). Error-tolerant: a syntax error
 * skips to the next `;` or `}` of the same level and parsing goes on, so one mistake
 * does not lose the outline of the rest of the file. Offsets are into the parsed text;
 * preprocess.ts maps them back to files.
 */

import { evaluatePrimary, parseCharLiteral, parseEscape, parseIntLiteral } from './expr';
import { LIMITS } from './source';

export interface Span { start: number; end: number }
export interface Label { name: string; span: Span }
/** `&name` or `&{/full/path}`. */
export interface Ref { kind: 'label' | 'path'; name: string; span: Span }

export interface CellNum { kind: 'num'; value: bigint; span: Span }
export interface CellRef { kind: 'ref'; ref: Ref; span: Span }
export type Cell = CellNum | CellRef;

export type ValuePart =
  | { kind: 'string'; bytes: Uint8Array; span: Span }
  | { kind: 'cells'; bits: 8 | 16 | 32 | 64; items: Cell[]; span: Span }
  | { kind: 'bytes'; bytes: Uint8Array; span: Span }
  | { kind: 'pathref'; ref: Ref; span: Span }
  /** `/incbin/("file"[, offset, length])`: `bytes` is filled by incbin.ts once files can be read. */
  | IncbinPart;

export interface IncbinPart { kind: 'incbin'; path: string; offset: bigint; length: bigint | undefined; span: Span; pathSpan: Span; bytes: Uint8Array }

export interface PropDecl { kind: 'prop'; name: string; nameSpan: Span; labels: Label[]; value: ValuePart[]; valueLabels: Label[]; span: Span }
export interface DeletePropDecl { kind: 'delete-prop'; name: string; nameSpan: Span; span: Span }
export interface NodeDecl { kind: 'node'; name: string; nameSpan: Span; labels: Label[]; body: NodeBody; omitIfNoRef: boolean; span: Span }
export interface DeleteNodeDecl { kind: 'delete-node'; name: string; nameSpan: Span; span: Span }
export type BodyItem = PropDecl | DeletePropDecl | NodeDecl | DeleteNodeDecl;
export interface NodeBody { items: BodyItem[]; span: Span; closed: boolean }

/** A top-level tree piece: `/ {…}`, `&label {…}` or `&{/path} {…}`. */
export interface TopNode { kind: 'top-node'; target: Ref | undefined; labels: Label[]; body: NodeBody; span: Span }
export interface TopDelete { kind: 'top-delete'; target: Ref; span: Span }
export interface TopOmit { kind: 'top-omit'; target: Ref; span: Span }
export interface MemReserve { labels: Label[]; address: bigint; size: bigint; span: Span }

export interface DtsDocument {
  text: string;
  v1: boolean;
  plugin: boolean;
  memreserves: MemReserve[];
  tops: (TopNode | TopDelete | TopOmit)[];
  errors: { message: string; span: Span }[];
}

const NAME_CHAR = /[a-zA-Z0-9,._+*#?@-]/;
const LABEL_RE = /[a-zA-Z_][a-zA-Z0-9_]*:/y;
const LABEL_NAME_RE = /[a-zA-Z_][a-zA-Z0-9_]*/y;

class Parser {
  pos = 0;
  readonly errors: DtsDocument['errors'] = [];
  private depth = 0;
  /** Properties, nodes and cells so far (LIMITS.items, LIMITS.cells); past either, parsing stops. */
  private items = 0;
  private cellCount = 0;
  private halted = false;
  constructor(readonly text: string) {}

  /** Counts one property or node (or `n` cells); false once a limit is passed, and parsing ends there. */
  private count(what: 'items' | 'cells', n = 1, at = this.pos): boolean {
    if (this.halted) return false;
    if (what === 'items' ? (this.items += n) <= LIMITS.items : (this.cellCount += n) <= LIMITS.cells) return true;
    this.error(what === 'items' ? `more than ${LIMITS.items} properties and nodes; the rest is ignored` : `more than ${LIMITS.cells} cells; the rest is ignored`, at);
    this.halted = true;
    this.pos = this.text.length;
    return false;
  }

  error(message: string, start = this.pos, end = Math.min(this.text.length, start + 1)): void {
    if (this.errors.length < LIMITS.diagnostics) this.errors.push({ message, span: { start, end: Math.max(start, end) } });
  }

  get eof(): boolean { return this.pos >= this.text.length; }

  skipTrivia(): void {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11) { this.pos++; continue; }
      if (c === 47 && t.charCodeAt(this.pos + 1) === 42) {
        const e = t.indexOf('*/', this.pos + 2);
        if (e < 0) { this.error('unterminated comment', this.pos, this.pos + 2); this.pos = t.length; return; }
        this.pos = e + 2;
        continue;
      }
      if (c === 47 && t.charCodeAt(this.pos + 1) === 47) {
        const e = t.indexOf('\n', this.pos);
        this.pos = e < 0 ? t.length : e + 1;
        continue;
      }
      // A cpp line marker (`# 12 "file.dtsi"`) left in already-preprocessed input.
      if (c === 35 && (this.pos === 0 || t[this.pos - 1] === '\n') && /^#\s*[0-9]/.test(t.slice(this.pos, this.pos + 8))) {
        const e = t.indexOf('\n', this.pos);
        this.pos = e < 0 ? t.length : e + 1;
        continue;
      }
      return;
    }
  }

  at(s: string): boolean { return this.text.startsWith(s, this.pos); }

  /** Consumes `s` after trivia, or reports it missing. */
  expect(s: string, what = `'${s}'`): boolean {
    this.skipTrivia();
    if (this.at(s)) { this.pos += s.length; return true; }
    this.error(`expected ${what}`);
    return false;
  }

  /** Labels (`name:`) at pos; trivia before them is consumed only when a label follows. */
  labels(): Label[] {
    const out: Label[] = [];
    for (;;) {
      const before = this.pos;
      this.skipTrivia();
      LABEL_RE.lastIndex = this.pos;
      const m = LABEL_RE.exec(this.text);
      if (m === null) { this.pos = before; return out; }
      out.push({ name: m[0].slice(0, -1), span: { start: this.pos, end: this.pos + m[0].length - 1 } });
      this.pos += m[0].length;
    }
  }

  name(): { name: string; span: Span } {
    this.skipTrivia();
    const start = this.pos;
    while (this.pos < this.text.length && NAME_CHAR.test(this.text[this.pos])) this.pos++;
    return { name: this.text.slice(start, this.pos), span: { start, end: this.pos } };
  }

  ref(): Ref | undefined {
    this.skipTrivia();
    const start = this.pos;
    if (this.text[this.pos] !== '&') return undefined;
    if (this.text[this.pos + 1] === '{') {
      const e = this.text.indexOf('}', this.pos + 2);
      const nl = this.text.indexOf('\n', this.pos + 2);
      if (e < 0 || (nl >= 0 && nl < e)) { this.error("unterminated '&{' path reference"); this.pos += 2; return { kind: 'path', name: '', span: { start, end: this.pos } }; }
      this.pos = e + 1;
      return { kind: 'path', name: this.text.slice(start + 2, e), span: { start, end: this.pos } };
    }
    LABEL_NAME_RE.lastIndex = this.pos + 1;
    const m = LABEL_NAME_RE.exec(this.text);
    if (m === null) { this.error("expected a label name after '&'"); this.pos++; return { kind: 'label', name: '', span: { start, end: this.pos } }; }
    this.pos += 1 + m[0].length;
    return { kind: 'label', name: m[0], span: { start, end: this.pos } };
  }

  /** Skips to just after the next `;` at this nesting level, or to a `}` closing it (not consumed). */
  recover(): void {
    let depth = 0;
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === '"') { this.string(); continue; }
      if (c === '/' && (t[this.pos + 1] === '*' || t[this.pos + 1] === '/')) { this.skipTrivia(); continue; }
      if (c === '{') depth++;
      else if (c === '}') { if (depth === 0) return; depth--; if (depth === 0 && this.peekAfter() === ';') { this.pos++; this.skipTrivia(); this.pos++; return; } }
      else if (c === ';' && depth === 0) { this.pos++; return; }
      this.pos++;
    }
  }

  private peekAfter(): string {
    const save = this.pos;
    this.pos++;
    this.skipTrivia();
    const c = this.text[this.pos];
    this.pos = save;
    return c;
  }

  string(): { bytes: Uint8Array; span: Span } {
    const start = this.pos;
    const t = this.text;
    const bytes: number[] = [];
    const enc = new TextEncoder();
    this.pos++;
    for (;;) {
      if (this.pos >= t.length || t[this.pos] === '\n') { this.error('unterminated string', start, this.pos); break; }
      const c = t[this.pos];
      if (c === '"') { this.pos++; break; }
      if (c === '\\') {
        if (t[this.pos + 1] === '\n') { this.pos += 2; continue; }
        const e = parseEscape(t, this.pos);
        bytes.push(e.byte);
        this.pos = e.end;
        continue;
      }
      const code = t.codePointAt(this.pos)!;
      if (code < 0x80) { bytes.push(code); this.pos++; }
      else { const s = String.fromCodePoint(code); for (const b of enc.encode(s)) bytes.push(b); this.pos += s.length; }
    }
    return { bytes: Uint8Array.from(bytes), span: { start, end: this.pos } };
  }

  cells(bits: 8 | 16 | 32 | 64, start: number): ValuePart {
    const items: Cell[] = [];
    this.pos++; // '<'
    const mask = bits === 64 ? (1n << 64n) - 1n : (1n << BigInt(bits)) - 1n;
    for (;;) {
      this.labels();
      this.skipTrivia();
      const c = this.text[this.pos];
      const at = this.pos;
      if (c === '>') { this.pos++; break; }
      if (c === undefined || c === ';' || c === '}' || c === '{') { this.error("expected '>' to close the cell array"); break; }
      if (!this.count('cells')) break;
      if (c === '&') {
        const ref = this.ref()!;
        if (bits !== 32) this.error('references are only allowed in arrays with 32-bit elements', at, this.pos);
        items.push({ kind: 'ref', ref, span: ref.span });
        continue;
      }
      let value: bigint;
      if (c === '(') {
        const r = evaluatePrimary(this.text, this.pos);
        if (r.error !== undefined) this.error(r.error.message, r.error.at);
        value = r.value;
        this.pos = Math.max(r.end, this.pos + 1);
      } else if (c === "'") {
        const r = parseCharLiteral(this.text, this.pos);
        if (r.error !== undefined) this.error(r.error, at, r.end);
        value = r.value;
        this.pos = r.end;
      } else {
        const r = parseIntLiteral(this.text, this.pos);
        if (r === undefined) {
          const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos, this.pos + 64));
          this.error(word !== null ? `'${word[0]}' is not a number (an undefined macro?)` : 'expected a number, a reference or \'>\' in the cell array', at, at + (word?.[0].length ?? 1));
          // Skip the offending token and go on with the array.
          this.pos += word?.[0].length ?? 1;
          continue;
        }
        if (r.error !== undefined) this.error(r.error, at, r.end);
        value = r.value;
        this.pos = r.end;
      }
      // dtc-parser.y arrayprefix: a value must fit, or be a sign-extended negative one.
      if (bits < 64 && value > mask && (value | mask) !== (1n << 64n) - 1n) this.error(`value out of range for a ${bits}-bit array element`, at, this.pos);
      items.push({ kind: 'num', value: value & mask, span: { start: at, end: this.pos } });
    }
    return { kind: 'cells', bits, items, span: { start, end: this.pos } };
  }

  bytestring(start: number): ValuePart {
    this.pos++; // '['
    const bytes: number[] = [];
    for (;;) {
      this.labels();
      this.skipTrivia();
      const m = /^[0-9a-fA-F]{2}/.exec(this.text.slice(this.pos, this.pos + 2));
      if (m !== null) { bytes.push(parseInt(m[0], 16)); this.pos += 2; continue; }
      if (this.text[this.pos] === ']') { this.pos++; break; }
      this.error("expected pairs of hex digits or ']' in the byte string");
      if (this.text[this.pos] === ';' || this.eof) break;
      this.pos++;
    }
    return { kind: 'bytes', bytes: Uint8Array.from(bytes), span: { start, end: this.pos } };
  }

  /** propdata: parts separated by commas, each with optional labels around it. */
  value(labelsOut: Label[]): ValuePart[] {
    const parts: ValuePart[] = [];
    for (;;) {
      labelsOut.push(...this.labels());
      this.skipTrivia();
      const start = this.pos;
      if (!this.count('cells')) return parts;
      const c = this.text[this.pos];
      if (c === '"') { const s = this.string(); parts.push({ kind: 'string', bytes: s.bytes, span: s.span }); }
      else if (c === '<') parts.push(this.cells(32, start));
      else if (c === '[') parts.push(this.bytestring(start));
      else if (c === '&') { const ref = this.ref()!; parts.push({ kind: 'pathref', ref, span: ref.span }); }
      else if (this.at('/bits/')) {
        this.pos += 6;
        this.skipTrivia();
        const lit = parseIntLiteral(this.text, this.pos);
        const n = lit === undefined ? 0 : Number(lit.value);
        if (lit !== undefined) this.pos = lit.end;
        const bits = n === 8 || n === 16 || n === 32 || n === 64 ? n : 32;
        if (bits !== n) this.error('/bits/ must be 8, 16, 32 or 64', start, this.pos);
        this.skipTrivia();
        if (this.text[this.pos] !== '<') { this.error("expected '<' after /bits/ N"); return parts; }
        const cells = this.cells(bits, start);
        parts.push(cells);
      } else if (this.at('/incbin/')) {
        const inc = this.incbin(start);
        if (inc === undefined) { this.recoverInValue(); return parts; }
        parts.push(inc);
      } else {
        this.error('expected a value: "string", <cells>, [bytes] or &reference');
        return parts;
      }
      labelsOut.push(...this.labels());
      const end = this.pos;
      this.skipTrivia();
      if (this.text[this.pos] !== ',') { this.pos = end; return parts; }
      this.pos++;
    }
  }

  /** dtc-parser.y: `/incbin/ ( string )` or `/incbin/ ( string , integer , integer )`. */
  private incbin(start: number): IncbinPart | undefined {
    this.pos += 8;
    if (!this.expect('(')) return undefined;
    this.skipTrivia();
    if (this.text[this.pos] !== '"') { this.error('expected a "file name" in /incbin/'); return undefined; }
    const s = this.string();
    const path = new TextDecoder().decode(s.bytes);
    const nums: bigint[] = [];
    this.skipTrivia();
    const number = (): bigint | undefined => {
      this.skipTrivia();
      const at = this.pos;
      const lit = this.text[at] === '(' ? evaluatePrimary(this.text, at) : parseIntLiteral(this.text, at);
      if (lit === undefined) { this.error('expected an offset and a length in /incbin/'); return undefined; }
      if (lit.error !== undefined) this.error(typeof lit.error === 'string' ? lit.error : lit.error.message, at);
      this.pos = Math.max(lit.end, at + 1);
      return lit.value;
    };
    if (this.text[this.pos] === ',') {
      this.pos++;
      const offset = number();
      if (offset === undefined || !this.expect(',')) return undefined;
      const length = number();
      if (length === undefined) return undefined;
      nums.push(offset, length);
    }
    if (!this.expect(')')) return undefined;
    return { kind: 'incbin', path, offset: nums[0] ?? 0n, length: nums[1], span: { start, end: this.pos }, pathSpan: s.span, bytes: new Uint8Array(0) };
  }

  private recoverInValue(): void {
    while (!this.eof && this.text[this.pos] !== ';' && this.text[this.pos] !== '}') this.pos++;
  }

  body(): NodeBody {
    this.skipTrivia();
    const start = this.pos;
    this.pos++; // '{'
    const items: BodyItem[] = [];
    if (++this.depth > LIMITS.nodeDepth) {
      this.error(`nodes nested deeper than ${LIMITS.nodeDepth}`, start);
      this.depth--;
      this.pos = start;
      this.recover();
      return { items, span: { start, end: this.pos }, closed: false };
    }
    let sawChild = false;
    let closed = false;
    while (!this.halted) {
      this.skipTrivia();
      if (this.eof) { this.error("missing '}' to close this node", start, start + 1); break; }
      if (this.text[this.pos] === '}') { this.pos++; closed = true; break; }
      const itemStart = this.pos;
      const before = this.pos;
      if (this.at('/delete-property/') || this.at('/delete-node/')) {
        const del = this.at('/delete-node/');
        this.pos += del ? 13 : 17;
        const n = this.name();
        if (n.name === '') { this.error(`expected a ${del ? 'node' : 'property'} name`); this.recover(); continue; }
        this.expect(';');
        items.push({ kind: del ? 'delete-node' : 'delete-prop', name: n.name, nameSpan: n.span, span: { start: itemStart, end: this.pos } });
        continue;
      }
      if (!this.count('items')) break;
      let omit = false;
      if (this.at('/omit-if-no-ref/')) { this.pos += 16; omit = true; }
      const labels = this.labels();
      const n = this.name();
      this.skipTrivia();
      const c = this.text[this.pos];
      if (n.name === '') {
        this.error(c === undefined ? 'unexpected end of file' : `unexpected '${c}'`);
        this.recover();
        if (this.pos === before) this.pos++;
        continue;
      }
      if (c === '{') {
        const body = this.body();
        this.expectSemicolonAfterNode();
        items.push({ kind: 'node', name: n.name, nameSpan: n.span, labels, body, omitIfNoRef: omit, span: { start: itemStart, end: this.pos } });
        sawChild = true;
        continue;
      }
      if (omit) this.error('/omit-if-no-ref/ applies to nodes only', itemStart, n.span.end);
      if (sawChild) this.error('properties must precede subnodes', n.span.start, n.span.end);
      const valueLabels: Label[] = [];
      let value: ValuePart[] = [];
      if (c === '=') { this.pos++; value = this.value(valueLabels); }
      const valueEnd = c === '=' ? this.pos : n.span.end;
      this.skipTrivia();
      if (this.text[this.pos] === ';') this.pos++;
      else if (c === '=' && (this.text[this.pos] === '}' || this.text[this.pos] === undefined || this.startsItem())) {
        // Only the `;` is missing: flag the end of the value and go on with the next item.
        this.error("expected ';' after the property value", Math.max(0, valueEnd - 1), valueEnd);
      } else {
        this.error(c === '=' || c === ';' ? "expected ';' after the property value" : `expected '=', ';' or '{' after '${n.name}'`);
        this.recover();
      }
      items.push({ kind: 'prop', name: n.name, nameSpan: n.span, labels, value, valueLabels, span: { start: itemStart, end: this.pos } });
    }
    this.depth--;
    return { items, span: { start, end: this.pos }, closed };
  }

  /** Whether the text at pos starts on a new line with what could begin a property or node. */
  private startsItem(): boolean {
    let k = this.pos - 1;
    while (k >= 0 && (this.text[k] === ' ' || this.text[k] === '\t' || this.text[k] === '\r')) k--;
    return k >= 0 && this.text[k] === '\n' && /[a-zA-Z0-9,._+*#?@/-]/.test(this.text[this.pos] ?? '');
  }

  private expectSemicolonAfterNode(): void {
    if (this.halted) return;
    const closeEnd = this.pos;
    this.skipTrivia();
    if (this.text[this.pos] === ';') { this.pos++; return; }
    // On the `}` itself, so a quick fix can put the `;` right after it.
    this.error("expected ';' after '}'", Math.max(0, closeEnd - 1), closeEnd);
  }

  document(): DtsDocument {
    const doc: DtsDocument = { text: this.text, v1: false, plugin: false, memreserves: [], tops: [], errors: this.errors };
    while (!this.halted) {
      this.skipTrivia();
      if (this.eof) break;
      const start = this.pos;
      if (!this.count('items')) break;
      if (this.at('/dts-v1/')) { this.pos += 8; doc.v1 = true; this.expect(';'); continue; }
      if (this.at('/plugin/')) { this.pos += 8; doc.plugin = true; this.expect(';'); continue; }
      if (this.at('/delete-node/') || this.at('/omit-if-no-ref/')) {
        const del = this.at('/delete-node/');
        this.pos += del ? 13 : 16;
        const target = this.ref();
        if (target === undefined) { this.error('expected &label or &{/path}'); this.recover(); continue; }
        this.expect(';');
        doc.tops.push({ kind: del ? 'top-delete' : 'top-omit', target, span: { start, end: this.pos } });
        continue;
      }
      const labels = this.labels();
      this.skipTrivia();
      if (this.at('/memreserve/')) {
        this.pos += 12;
        const nums: bigint[] = [];
        for (let k = 0; k < 2; k++) {
          this.skipTrivia();
          const lit = this.text[this.pos] === '(' ? evaluatePrimary(this.text, this.pos) : parseIntLiteral(this.text, this.pos);
          if (lit === undefined) { this.error('/memreserve/ needs an address and a size'); break; }
          nums.push(lit.value);
          this.pos = lit.end;
        }
        this.expect(';');
        if (nums.length === 2) doc.memreserves.push({ labels, address: nums[0], size: nums[1], span: { start, end: this.pos } });
        continue;
      }
      let target: Ref | undefined;
      if (this.text[this.pos] === '/') { this.pos++; }
      else if (this.text[this.pos] === '&') target = this.ref();
      else {
        this.error(`unexpected '${this.text[this.pos]}' at the top level (expected '/ {', '&label {' or a directive)`);
        this.recover();
        if (this.pos === start) this.pos++;
        continue;
      }
      this.skipTrivia();
      if (this.text[this.pos] !== '{') { this.error("expected '{'"); this.recover(); continue; }
      const body = this.body();
      this.expectSemicolonAfterNode();
      doc.tops.push({ kind: 'top-node', target, labels, body, span: { start, end: this.pos } });
    }
    return doc;
  }
}

export function parseDts(text: string): DtsDocument {
  return new Parser(text).document();
}
