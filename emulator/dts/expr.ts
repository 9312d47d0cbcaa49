/**
 * C integer expressions, as dtc evaluates them in cell arrays (`<(1 << 4)>`, 64-bit
 * unsigned, dtc's dtc-parser.y) and as cpp evaluates `#if` (with identifiers already
 * replaced). One recursive-descent evaluator over a string and a position; values are
 * BigInt reduced to 64 bits (cold code, STYLE.md allows BigInt outside the hot path).
 */

const MASK64 = (1n << 64n) - 1n;

export interface ExprResult {
  value: bigint;
  /** Offset just after the expression. */
  end: number;
  /** First problem met, with its offset; the value is then meaningless. */
  error?: { message: string; at: number };
}

/** Parses an integer literal at `pos` (dtc and C: decimal, 0x hex, 0 octal, 0b binary, U/L suffixes). */
export function parseIntLiteral(text: string, pos: number): { value: bigint; end: number; error?: string } | undefined {
  const m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)([uU]?[lL]{0,2}|[lL]{1,2}[uU]?)(?![0-9a-zA-Z_])/y;
  m.lastIndex = 0;
  const slice = text.slice(pos, pos + 80);
  const r = m.exec(slice);
  if (r === null) return undefined;
  const digits = r[1];
  let value: bigint;
  let error: string | undefined;
  if (/^0[0-7]+$/.test(digits)) value = BigInt('0o' + digits.slice(1));
  else if (/^0[0-9]+$/.test(digits)) { value = 0n; error = `invalid octal literal ${digits}`; }
  else value = BigInt(digits.toLowerCase().startsWith('0b') ? '0b' + digits.slice(2) : digits);
  if (value > MASK64) error = `integer literal ${digits} does not fit in 64 bits`;
  return { value: value & MASK64, end: pos + r[0].length, error };
}

/** A C character literal body (`'a'`, `'\n'`, `'\x41'`, `'\101'`) at pos (on the quote). */
export function parseCharLiteral(text: string, pos: number): { value: bigint; end: number; error?: string } {
  let i = pos + 1;
  if (i >= text.length) return { value: 0n, end: i, error: 'unterminated character literal' };
  let value: number;
  if (text[i] === '\\') {
    const e = parseEscape(text, i);
    value = e.byte;
    i = e.end;
  } else {
    value = text.charCodeAt(i) & 0xff;
    i++;
  }
  if (text[i] !== "'") return { value: BigInt(value), end: Math.min(i, text.length), error: 'character literal must hold one character' };
  return { value: BigInt(value), end: i + 1 };
}

/** A backslash escape at pos (on the backslash), as dtc's get_escape_char reads it. */
export function parseEscape(text: string, pos: number): { byte: number; end: number } {
  const c = text[pos + 1];
  const simple: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '\\': 92, '"': 34, "'": 39 };
  if (c === undefined) return { byte: 92, end: pos + 1 };
  if (c in simple) return { byte: simple[c], end: pos + 2 };
  if (c === 'x') {
    const m = /^[0-9a-fA-F]{1,2}/.exec(text.slice(pos + 2, pos + 4));
    if (m === null) return { byte: 'x'.charCodeAt(0), end: pos + 2 };
    return { byte: parseInt(m[0], 16), end: pos + 2 + m[0].length };
  }
  const o = /^[0-7]{1,3}/.exec(text.slice(pos + 1, pos + 4));
  if (o !== null) return { byte: parseInt(o[0], 8) & 0xff, end: pos + 1 + o[0].length };
  return { byte: text.charCodeAt(pos + 1) & 0xff, end: pos + 2 };
}

/** Binary operators by precedence level, loosest first (C's table, minus assignment and comma). */
const LEVELS: readonly (readonly string[])[] = [
  ['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<=', '>=', '<', '>'], ['<<', '>>'], ['+', '-'], ['*', '/', '%'],
];

class Evaluator {
  error: { message: string; at: number } | undefined;
  depth = 0;
  constructor(private readonly text: string, public pos: number, private readonly limit: number) {}

  private fail(message: string, at = this.pos): bigint {
    this.error ??= { message, at };
    return 0n;
  }

  private skip(): void {
    for (;;) {
      while (this.pos < this.limit && /\s/.test(this.text[this.pos])) this.pos++;
      if (this.text.startsWith('/*', this.pos)) {
        const e = this.text.indexOf('*/', this.pos + 2);
        this.pos = e < 0 || e >= this.limit ? this.limit : e + 2;
      } else return;
    }
  }

  private peekOp(ops: readonly string[]): string | undefined {
    this.skip();
    for (const op of ops) {
      if (!this.text.startsWith(op, this.pos) || this.pos + op.length > this.limit) continue;
      // `<` is not `<<` or `<=`; `&` is not `&&`; `|` is not `||`.
      const next = this.text[this.pos + op.length];
      if (op.length === 1 && (next === op || ((op === '<' || op === '>') && next === '='))) continue;
      if ((op === '<' || op === '>') && next === op) continue;
      return op;
    }
    return undefined;
  }

  ternary(): bigint {
    if (++this.depth > 200) return this.fail('expression nested too deeply');
    const cond = this.binary(0);
    let result = cond;
    if (this.peekOp(['?']) !== undefined) {
      this.pos++;
      const a = this.ternary();
      if (this.peekOp([':']) === undefined) return this.fail("expected ':' in conditional expression");
      this.pos++;
      const b = this.ternary();
      result = cond !== 0n ? a : b;
    }
    this.depth--;
    return result;
  }

  private binary(level: number): bigint {
    if (level >= LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const op = this.peekOp(LEVELS[level]);
      if (op === undefined || this.error !== undefined) return left;
      const at = this.pos;
      this.pos += op.length;
      const right = this.binary(level + 1);
      left = this.apply(op, left, right, at);
    }
  }

  private apply(op: string, a: bigint, b: bigint, at: number): bigint {
    switch (op) {
      case '||': return a !== 0n || b !== 0n ? 1n : 0n;
      case '&&': return a !== 0n && b !== 0n ? 1n : 0n;
      case '|': return a | b;
      case '^': return a ^ b;
      case '&': return a & b;
      case '==': return a === b ? 1n : 0n;
      case '!=': return a !== b ? 1n : 0n;
      case '<': return a < b ? 1n : 0n;
      case '>': return a > b ? 1n : 0n;
      case '<=': return a <= b ? 1n : 0n;
      case '>=': return a >= b ? 1n : 0n;
      case '<<': return b >= 64n ? 0n : (a << b) & MASK64;
      case '>>': return b >= 64n ? 0n : a >> b;
      case '+': return (a + b) & MASK64;
      case '-': return (a - b) & MASK64;
      case '*': return (a * b) & MASK64;
      case '/': return b === 0n ? this.fail('division by zero', at) : a / b;
      case '%': return b === 0n ? this.fail('division by zero', at) : a % b;
      default: return this.fail(`unknown operator ${op}`, at);
    }
  }

  unary(): bigint {
    this.skip();
    const c = this.text[this.pos];
    if (this.pos >= this.limit) return this.fail('expected an expression');
    if (c === '-' || c === '~' || c === '!' || c === '+') {
      this.pos++;
      if (++this.depth > 200) return this.fail('expression nested too deeply');
      const v = this.unary();
      this.depth--;
      if (c === '-') return (-v) & MASK64;
      if (c === '~') return ~v & MASK64;
      if (c === '!') return v === 0n ? 1n : 0n;
      return v;
    }
    if (c === '(') {
      this.pos++;
      const v = this.ternary();
      this.skip();
      if (this.text[this.pos] !== ')' || this.pos >= this.limit) return this.fail("expected ')'");
      this.pos++;
      return v;
    }
    if (c === "'") {
      const r = parseCharLiteral(this.text, this.pos);
      if (r.error !== undefined) this.fail(r.error);
      this.pos = r.end;
      return r.value;
    }
    const lit = parseIntLiteral(this.text, this.pos);
    if (lit === undefined || lit.end > this.limit) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos, Math.min(this.limit, this.pos + 64)));
      return this.fail(word !== null ? `'${word[0]}' is not a number (an undefined macro?)` : 'expected a number');
    }
    if (lit.error !== undefined) this.fail(lit.error);
    this.pos = lit.end;
    return lit.value;
  }
}

/** Evaluates one expression starting at `pos`, reading no further than `limit`. */
export function evaluate(text: string, pos: number, limit = text.length): ExprResult {
  const ev = new Evaluator(text, pos, limit);
  const value = ev.ternary();
  return { value, end: ev.pos, error: ev.error };
}

/** One primary expression at `pos`, e.g. dtc's `'(' integer_expr ')'` inside a cell array, where a `>` after it closes the array. */
export function evaluatePrimary(text: string, pos: number, limit = text.length): ExprResult {
  const ev = new Evaluator(text, pos, limit);
  const value = ev.unary();
  return { value, end: ev.pos, error: ev.error };
}
