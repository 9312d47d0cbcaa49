/**
 * Debug-console and watch expressions: registers (`$a0`, `$pc`), CSRs (`$mstatus`),
 * symbols (`ticks` is its value as C reads it, `&ticks` its address, `main` a function's
 * address), device registers (`uart0.LSR`, `plic.claim[1]`), numbers (decimal, 0x hex),
 * C's integer operators with C's precedence, casts to the fixed-width integer types
 * (`(int8_t)$a0`) and loads through them (`*(uint32_t *)0x80001000`, `*$sp`), on 64-bit
 * unsigned values. A parser of its own: never JavaScript eval.
 */

export type Expr =
  | { kind: 'num'; value: bigint }
  | { kind: 'name'; name: string }
  | { kind: 'addr'; name: string }
  | { kind: 'unary'; op: '-' | '~' | '!'; arg: Expr }
  /** A load of `bytes` (0: the machine's word) at the address `arg`; `signed` sign-extends. */
  | { kind: 'deref'; bytes: 0 | 1 | 2 | 4 | 8; signed: boolean; arg: Expr }
  /** `(T)x` truncates or sign-extends; `(T *)x` keeps x and only says what `*` loads. */
  | { kind: 'cast'; bytes: 0 | 1 | 2 | 4 | 8; signed: boolean; pointer: boolean; arg: Expr }
  | { kind: 'binary'; op: string; left: Expr; right: Expr };

/** The integer types casts name: bytes (0 = XLEN) and signedness. */
const TYPES: Readonly<Record<string, { bytes: 0 | 1 | 2 | 4 | 8; signed: boolean }>> = {
  uint8_t: { bytes: 1, signed: false }, int8_t: { bytes: 1, signed: true }, char: { bytes: 1, signed: true },
  'unsigned char': { bytes: 1, signed: false }, uint16_t: { bytes: 2, signed: false }, int16_t: { bytes: 2, signed: true },
  short: { bytes: 2, signed: true }, 'unsigned short': { bytes: 2, signed: false },
  uint32_t: { bytes: 4, signed: false }, int32_t: { bytes: 4, signed: true }, int: { bytes: 4, signed: true },
  unsigned: { bytes: 4, signed: false }, 'unsigned int': { bytes: 4, signed: false },
  uint64_t: { bytes: 8, signed: false }, int64_t: { bytes: 8, signed: true }, 'long long': { bytes: 8, signed: true },
  'unsigned long long': { bytes: 8, signed: false },
  long: { bytes: 0, signed: true }, 'unsigned long': { bytes: 0, signed: false }, uintptr_t: { bytes: 0, signed: false },
  intptr_t: { bytes: 0, signed: true }, size_t: { bytes: 0, signed: false },
};

export type Parsed = { ok: true; value: Expr } | { ok: false; error: string };

/**
 * Bounds on what a client may send (expressions come from outside): the parser and the
 * evaluator recurse, so nesting and the number of operators bound their stack depth.
 */
export const EXPRESSION_LIMITS = { chars: 10_000, tokens: 1000, depth: 64 } as const;

const TOKEN = /\s*(?:(0[xX][0-9a-fA-F]+|\d+)|(\$?[A-Za-z_.][\w.$]*(?:\[\d+\])?)|(<<|>>|==|!=|<=|>=|&&|\|\||[-+*/%&|^~!()<>]))/y;

/** Binary operators by precedence, lowest first (C11 §6.5). */
const LEVELS: string[][] = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

type Token = { kind: 'num' | 'name' | 'op'; text: string; at: number };

function tokenize(src: string): Token[] | string {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (m === null) return `unexpected character '${src.slice(pos).trimStart()[0]}' at column ${src.length - src.slice(pos).trimStart().length + 1}`;
    const at = pos + m[0].length - (m[1] ?? m[2] ?? m[3]).length;
    if (m[1] !== undefined) out.push({ kind: 'num', text: m[1], at });
    else if (m[2] !== undefined) out.push({ kind: 'name', text: m[2], at });
    else out.push({ kind: 'op', text: m[3], at });
    pos = TOKEN.lastIndex;
  }
  return out;
}

export function parseExpression(src: string): Parsed {
  if (src.length > EXPRESSION_LIMITS.chars) return { ok: false, error: `the expression is longer than ${EXPRESSION_LIMITS.chars} characters` };
  const tokens = tokenize(src);
  if (typeof tokens === 'string') return { ok: false, error: tokens };
  if (tokens.length === 0) return { ok: false, error: 'empty expression' };
  // A left-associative chain (1+1+...+1) nests one level per operator in the tree.
  if (tokens.length > EXPRESSION_LIMITS.tokens) return { ok: false, error: `the expression has more than ${EXPRESSION_LIMITS.tokens} tokens` };
  let i = 0;
  let depth = 0;
  const fail = (msg: string): never => { throw new SyntaxError(msg); };
  const peek = () => tokens[i];
  /** After '(': a type name, an optional '*' and ')' make a cast; anything else is a parenthesised expression. */
  const castType = (): { bytes: 0 | 1 | 2 | 4 | 8; signed: boolean; pointer: boolean } | undefined => {
    let j = i;
    const words: string[] = [];
    while (tokens[j]?.kind === 'name' && !tokens[j].text.startsWith('$')) words.push(tokens[j++].text);
    const type = TYPES[words.join(' ')];
    if (type === undefined || words.length === 0) return undefined;
    const pointer = tokens[j]?.text === '*';
    if (pointer) j++;
    if (tokens[j]?.text !== ')') return undefined;
    i = j + 1;
    return { ...type, pointer };
  };
  /** Parentheses, casts and unary operators, nested: each level is parser and evaluator stack. */
  const primary = (): Expr => {
    if (++depth > EXPRESSION_LIMITS.depth) fail(`the expression nests more than ${EXPRESSION_LIMITS.depth} levels deep`);
    try { return primaryAt(); } finally { depth--; }
  };
  const primaryAt = (): Expr => {
    const t = tokens[i++];
    if (t === undefined) return fail('the expression ends too early');
    if (t.kind === 'num') return { kind: 'num', value: BigInt(t.text) };
    if (t.kind === 'name') return { kind: 'name', name: t.text };
    if (t.text === '(') {
      const type = castType();
      if (type !== undefined) return { kind: 'cast', bytes: type.bytes, signed: type.signed, pointer: type.pointer, arg: primary() };
      const e = binary(0);
      if (peek()?.text !== ')') fail(`expected ')' at column ${peek()?.at !== undefined ? peek().at + 1 : src.length + 1}`);
      i++;
      return e;
    }
    if (t.text === '-' || t.text === '~' || t.text === '!') return { kind: 'unary', op: t.text, arg: primary() };
    if (t.text === '*') {
      const arg = primary();
      return arg.kind === 'cast' && arg.pointer ? { kind: 'deref', bytes: arg.bytes, signed: arg.signed, arg: arg.arg } : { kind: 'deref', bytes: 0, signed: false, arg };
    }
    if (t.text === '&') {
      const n = tokens[i++];
      if (n?.kind !== 'name' || n.text.startsWith('$')) return fail(`'&' takes a symbol name at column ${t.at + 1}`);
      return { kind: 'addr', name: n.text };
    }
    if (t.text === '+') return primary();
    return fail(`unexpected '${t.text}' at column ${t.at + 1}`);
  };
  const binary = (level: number): Expr => {
    if (level === LEVELS.length) return primary();
    let left = binary(level + 1);
    while (peek()?.kind === 'op' && LEVELS[level].includes(peek().text)) {
      const op = tokens[i++].text;
      left = { kind: 'binary', op, left, right: binary(level + 1) };
    }
    return left;
  };
  try {
    const e = binary(0);
    if (i < tokens.length) return { ok: false, error: `unexpected '${tokens[i].text}' at column ${tokens[i].at + 1}` };
    return { ok: true, value: e };
  } catch (e) {
    if (e instanceof SyntaxError) return { ok: false, error: e.message };
    throw e;
  }
}

/** What names mean and how memory is read: the caller's machine. */
export interface Environment {
  /** A name's value: register, CSR, device register, function address or a data symbol's contents. */
  value(name: string): Promise<bigint | undefined>;
  /** `&name`: a symbol's address. */
  address(name: string): Promise<bigint | undefined>;
  /** Load `bytes` little-endian at a virtual address; throws an Error saying why it cannot. */
  load(address: bigint, bytes: 1 | 2 | 4 | 8): Promise<bigint>;
  /** The machine's word size in bytes, for `long`, `uintptr_t` and a bare `*`. */
  readonly wordBytes: 4 | 8;
}

/** Evaluate on unsigned 64-bit values (wrapping); names and memory go through `env`. */
export async function evaluate(e: Expr, env: Environment): Promise<{ ok: true; value: bigint } | { ok: false; error: string }> {
  const wrap = (v: bigint) => BigInt.asUintN(64, v);
  const signed = (v: bigint) => BigInt.asIntN(64, v);
  const width = (bytes: 0 | 1 | 2 | 4 | 8) => (bytes === 0 ? env.wordBytes : bytes);
  const fit = (v: bigint, bytes: 1 | 2 | 4 | 8, sign: boolean) => wrap(sign ? BigInt.asIntN(bytes * 8, v) : BigInt.asUintN(bytes * 8, v));
  const go = async (x: Expr): Promise<bigint> => {
    switch (x.kind) {
      case 'num': return wrap(x.value);
      case 'name': {
        const v = await env.value(x.name);
        if (v === undefined) throw new EvalError(`'${x.name}' is not a register, CSR, symbol or device register`);
        return wrap(v);
      }
      case 'addr': {
        const a = await env.address(x.name);
        if (a === undefined) throw new EvalError(`'${x.name}' is not a symbol`);
        return wrap(a);
      }
      case 'cast': {
        const a = await go(x.arg);
        return x.pointer ? a : fit(a, width(x.bytes), x.signed);
      }
      case 'deref': {
        const a = await go(x.arg);
        const bytes = width(x.bytes);
        let v: bigint;
        try { v = await env.load(a, bytes); } catch (err) { throw new EvalError(`cannot read ${bytes} bytes at 0x${a.toString(16)}: ${(err as Error).message}`); }
        return fit(v, bytes, x.signed);
      }
      case 'unary': {
        const a = await go(x.arg);
        return x.op === '-' ? wrap(-a) : x.op === '~' ? wrap(~a) : a === 0n ? 1n : 0n;
      }
      case 'binary': {
        const a = await go(x.left), b = await go(x.right);
        switch (x.op) {
          case '+': return wrap(a + b);
          case '-': return wrap(a - b);
          case '*': return wrap(a * b);
          case '/': case '%':
            if (b === 0n) throw new EvalError('division by zero');
            return x.op === '/' ? a / b : a % b;
          case '&': return a & b;
          case '|': return a | b;
          case '^': return a ^ b;
          case '<<': return b >= 64n ? 0n : wrap(a << b);
          case '>>': return b >= 64n ? 0n : a >> b;
          case '==': return a === b ? 1n : 0n;
          case '!=': return a !== b ? 1n : 0n;
          case '<': return signed(a) < signed(b) ? 1n : 0n;
          case '>': return signed(a) > signed(b) ? 1n : 0n;
          case '<=': return signed(a) <= signed(b) ? 1n : 0n;
          case '>=': return signed(a) >= signed(b) ? 1n : 0n;
          case '&&': return a !== 0n && b !== 0n ? 1n : 0n;
          default: return a !== 0n || b !== 0n ? 1n : 0n; // ||
        }
      }
    }
  };
  try {
    return { ok: true, value: await go(e) };
  } catch (err) {
    if (err instanceof EvalError) return { ok: false, error: err.message };
    throw err;
  }
}
