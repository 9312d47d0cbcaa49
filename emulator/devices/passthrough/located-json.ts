/**
 * JSON (RFC 8259) parsed with the line and column of every value, so a model file with
 * an error gets a diagnostic at the right line ("model.json:12:7: ..."). JSON.parse
 * keeps no positions; this small recursive parser does, and never throws.
 */

export interface Located { line: number; column: number }

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

export interface LocatedJson {
  value: JsonValue;
  /** Where the value at a path ("registers/2/width") starts; "" is the root. */
  at(path: string): Located;
}

/** Limits that keep a hostile file from costing more than it is worth. */
const MAX_DEPTH = 64;

/** A JSON literal (true, false, null, a number) at lastIndex. */
const LITERAL = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function parseLocatedJson(text: string): { ok: true; value: LocatedJson } | { ok: false; error: string; at: Located } {
  const r = parse(text, null);
  if (!r.ok) return r;
  // Positions are found again when asked (only for an error message): keeping one per value
  // cost ~100 bytes each, 1 GB for a 10 MB file of numbers.
  return { ok: true, value: { value: r.value, at: (p) => { const again = parse(text, p); return again.ok ? again.found : { line: 1, column: 1 }; } } };
}

/** Parses `text`; `found` is where the value at path `target` starts. */
function parse(text: string, target: string | null): { ok: true; value: JsonValue; found: Located } | { ok: false; error: string; at: Located } {
  let found = 0;
  let pos = 0;
  // Paths are built only while looking for one.
  const sub = (path: string, key: string): string => (target === null ? '' : path === '' ? key : `${path}/${key}`);
  const where = (p: number): Located => {
    let line = 1, col = 1;
    for (let i = 0; i < p && i < text.length; i++) { if (text[i] === '\n') { line++; col = 1; } else col++; }
    return { line, column: col };
  };
  class Fail { constructor(readonly message: string, readonly pos: number) {} }
  const ws = () => { while (pos < text.length && ' \t\r\n'.includes(text[pos])) pos++; };
  const value = (path: string, depth: number): JsonValue => {
    if (depth > MAX_DEPTH) throw new Fail('nested too deeply', pos);
    ws();
    if (target !== null && path === target) found = pos;
    const c = text[pos];
    if (c === '{') {
      pos++;
      const o: { [k: string]: JsonValue } = {};
      ws();
      if (text[pos] === '}') { pos++; return o; }
      for (;;) {
        ws();
        if (text[pos] !== '"') throw new Fail('expected a "key"', pos);
        const keyAt = pos;
        const k = str();
        if (Object.prototype.hasOwnProperty.call(o, k)) throw new Fail(`duplicate key "${k}"`, keyAt);
        ws();
        if (text[pos] !== ':') throw new Fail(`expected ':' after "${k}"`, pos);
        pos++;
        o[k] = value(sub(path, k), depth + 1);
        ws();
        if (text[pos] === ',') { pos++; continue; }
        if (text[pos] === '}') { pos++; return o; }
        throw new Fail("expected ',' or '}'", pos);
      }
    }
    if (c === '[') {
      pos++;
      const a: JsonValue[] = [];
      ws();
      if (text[pos] === ']') { pos++; return a; }
      for (;;) {
        a.push(value(sub(path, String(a.length)), depth + 1));
        ws();
        if (text[pos] === ',') { pos++; continue; }
        if (text[pos] === ']') { pos++; return a; }
        throw new Fail("expected ',' or ']'", pos);
      }
    }
    if (c === '"') return str();
    LITERAL.lastIndex = pos;
    const lit = LITERAL.exec(text);
    if (lit === null) throw new Fail(pos >= text.length ? 'unexpected end of file' : `unexpected '${c}'`, pos);
    pos += lit[0].length;
    return lit[0] === 'true' ? true : lit[0] === 'false' ? false : lit[0] === 'null' ? null : Number(lit[0]);
  };
  const str = (): string => {
    const start = pos;
    pos++;
    let out = '';
    while (pos < text.length && text[pos] !== '"') {
      const ch = text[pos];
      if (ch === '\n') throw new Fail('string not closed on its line', start);
      if (ch !== '\\') { out += ch; pos++; continue; }
      const e = text[pos + 1];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e in simple) { out += simple[e]; pos += 2; continue; }
      if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) { out += String.fromCharCode(parseInt(text.slice(pos + 2, pos + 6), 16)); pos += 6; continue; }
      throw new Fail('bad escape in string', pos);
    }
    if (pos >= text.length) throw new Fail('string not closed', start);
    pos++;
    return out;
  };
  try {
    const v = value('', 0);
    ws();
    if (pos < text.length) throw new Fail('text after the end of the JSON value', pos);
    return { ok: true, value: v, found: where(found) };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, error: e.message, at: where(e.pos) };
    throw e;
  }
}
