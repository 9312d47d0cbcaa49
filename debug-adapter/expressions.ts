/**
 * The C expressions of the debug console, Watch, hover, breakpoint conditions and
 * logpoints, parsed: C11 §6.5's operators and precedence — postfix `.` `->` `[]`, unary
 * `* & - + ~ !`, casts to a type name (`(struct proc *)$a0`, `(uint8_t)x`), `sizeof`,
 * binary arithmetic, shifts, comparisons, bitwise and logical operators — over names
 * (variables, symbols, `$a0`, `$mstatus`) and integer and character literals. Casts need
 * the parser to know which names are types (C's own rule), so the caller says which
 * identifiers are typedefs. c-eval.ts gives the tree its meaning. A parser of its own:
 * never JavaScript eval.
 */

/** A C type name: specifiers (`unsigned long`, `struct proc`, `proc_t`) and the pointer levels after them. */
export interface TypeName { readonly words: readonly string[]; readonly pointers: number }

export type Expr =
  /** An integer or character literal; `unsigned`/`long` from its suffix (C11 §6.4.4.1). */
  | { kind: 'num'; value: bigint; text: string; unsigned: boolean; long: number; decimal: boolean }
  | { kind: 'name'; name: string }
  | { kind: 'unary'; op: '-' | '+' | '~' | '!'; arg: Expr }
  | { kind: 'deref'; arg: Expr }
  | { kind: 'addr'; arg: Expr }
  | { kind: 'cast'; type: TypeName; arg: Expr }
  | { kind: 'sizeof'; type?: TypeName; arg?: Expr }
  | { kind: 'member'; arg: Expr; name: string; arrow: boolean }
  | { kind: 'index'; arg: Expr; index: Expr }
  | { kind: 'binary'; op: string; left: Expr; right: Expr };

export type Parsed = { ok: true; value: Expr } | { ok: false; error: string };

/**
 * Bounds on what a client may send (expressions come from outside): the parser and the
 * evaluator recurse, so nesting and the number of operators bound their stack depth.
 */
export const EXPRESSION_LIMITS = { chars: 10_000, tokens: 1000, depth: 64 } as const;

/** The words that make up C's base type names (C11 §6.7.2) and the qualifiers a cast may carry. */
export const TYPE_KEYWORDS = new Set(['void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', '_Bool']);
const QUALIFIER_WORDS = new Set(['const', 'volatile', 'restrict']);
const TAG_WORDS = new Set(['struct', 'union', 'enum']);

const TOKEN = /\s*(?:(0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*)|('(?:\\(?:[0-7]{1,3}|x[0-9a-fA-F]+|.)|[^'\\])')|(\$?[A-Za-z_]\w*)|(->|<<|>>|==|!=|<=|>=|&&|\|\||[-+*/%&|^~!()<>[\].]))/y;

/** Binary operators by precedence, lowest first (C11 §6.5.5-§6.5.14). */
const LEVELS: string[][] = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

type Token = { kind: 'num' | 'char' | 'name' | 'op'; text: string; at: number };

function tokenize(src: string): Token[] | string {
  const out: Token[] = [];
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (m === null) return `unexpected character '${src.slice(pos).trimStart()[0]}' at column ${src.length - src.slice(pos).trimStart().length + 1}`;
    const text = m[1] ?? m[2] ?? m[3] ?? m[4];
    const at = pos + m[0].length - text.length;
    out.push({ kind: m[1] !== undefined ? 'num' : m[2] !== undefined ? 'char' : m[3] !== undefined ? 'name' : 'op', text, at });
    pos = TOKEN.lastIndex;
  }
  return out;
}

const ESCAPES: Readonly<Record<string, number>> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, e: 27, '\\': 92, "'": 39, '"': 34, '?': 63 };

function charValue(text: string): bigint {
  const body = text.slice(1, -1);
  if (!body.startsWith('\\')) return BigInt(body.charCodeAt(0) & 0xff);
  const e = body.slice(1);
  if (/^[0-7]+$/.test(e)) return BigInt(parseInt(e, 8) & 0xff);
  if (e.startsWith('x')) return BigInt(parseInt(e.slice(1), 16) & 0xff);
  return BigInt(ESCAPES[e] ?? e.charCodeAt(0));
}

/** Whether `name` is a typedef where the expression is evaluated (C's parser needs to know). */
export type IsTypedef = (name: string) => boolean;

export function parseExpression(src: string, isTypedef: IsTypedef = () => false): Parsed {
  if (src.length > EXPRESSION_LIMITS.chars) return { ok: false, error: `the expression is longer than ${EXPRESSION_LIMITS.chars} characters` };
  const tokens = tokenize(src);
  if (typeof tokens === 'string') return { ok: false, error: tokens };
  if (tokens.length === 0) return { ok: false, error: 'empty expression' };
  // A left-associative chain (1+1+...+1) nests one level per operator in the tree.
  if (tokens.length > EXPRESSION_LIMITS.tokens) return { ok: false, error: `the expression has more than ${EXPRESSION_LIMITS.tokens} tokens` };
  let i = 0;
  let depth = 0;
  const fail = (msg: string): never => { throw new SyntaxError(msg); };
  const peek = (): Token | undefined => tokens[i];
  const column = () => (peek() !== undefined ? peek()!.at + 1 : src.length + 1);
  const expect = (text: string) => {
    if (peek()?.text !== text) fail(`expected '${text}' at column ${column()}`);
    i++;
  };
  const startsType = (t: Token | undefined) => t?.kind === 'name' && (TYPE_KEYWORDS.has(t.text) || QUALIFIER_WORDS.has(t.text) || TAG_WORDS.has(t.text) || isTypedef(t.text));
  /** A type name at the cursor (C11 §6.7.7, without abstract declarators beyond `*`). */
  const typeName = (): TypeName => {
    const words: string[] = [];
    for (;;) {
      const t = peek();
      if (t?.kind !== 'name') break;
      if (QUALIFIER_WORDS.has(t.text)) { i++; continue; }
      if (TAG_WORDS.has(t.text)) {
        i++;
        const tag = peek();
        if (tag?.kind !== 'name' || tag.text.startsWith('$')) fail(`expected a name after '${t.text}' at column ${column()}`);
        i++;
        words.push(t.text, tag!.text);
        continue;
      }
      // A typedef name is a whole specifier: `proc_t x` is not a type name of two words.
      if (TYPE_KEYWORDS.has(t.text) || (words.length === 0 && isTypedef(t.text))) { words.push(t.text); i++; continue; }
      break;
    }
    if (words.length === 0) fail(`expected a type name at column ${column()}`);
    let pointers = 0;
    while (peek()?.text === '*' || QUALIFIER_WORDS.has(peek()?.text ?? '')) if (tokens[i++].text === '*') pointers++;
    return { words, pointers };
  };
  const nested = <T>(parse: () => T): T => {
    if (++depth > EXPRESSION_LIMITS.depth) fail(`the expression nests more than ${EXPRESSION_LIMITS.depth} levels deep`);
    try { return parse(); } finally { depth--; }
  };
  /** Casts, sizeof and prefix operators (C11 §6.5.3, §6.5.4). */
  const unary = (): Expr => nested(() => {
    const t = peek();
    if (t === undefined) return fail('the expression ends too early');
    if (t.kind === 'op' && t.text === '(' && startsType(tokens[i + 1])) {
      i++;
      const type = typeName();
      expect(')');
      return { kind: 'cast', type, arg: unary() };
    }
    if (t.kind === 'name' && t.text === 'sizeof') {
      i++;
      if (peek()?.text === '(' && startsType(tokens[i + 1])) {
        i++;
        const type = typeName();
        expect(')');
        return { kind: 'sizeof', type };
      }
      return { kind: 'sizeof', arg: unary() };
    }
    if (t.kind === 'op') {
      if (t.text === '-' || t.text === '+' || t.text === '~' || t.text === '!') { i++; return { kind: 'unary', op: t.text, arg: unary() }; }
      if (t.text === '*') { i++; return { kind: 'deref', arg: unary() }; }
      if (t.text === '&') { i++; return { kind: 'addr', arg: unary() }; }
    }
    return postfix();
  });
  /** A primary expression and its `[i]`, `.m` and `->m` (C11 §6.5.2). */
  const postfix = (): Expr => {
    let e = primary();
    for (;;) {
      const t = peek();
      if (t?.text === '[') {
        i++;
        const index = binary(0);
        expect(']');
        e = { kind: 'index', arg: e, index };
      } else if (t?.text === '.' || t?.text === '->') {
        i++;
        const m = tokens[i++];
        if (m?.kind !== 'name' || m.text.startsWith('$')) fail(`expected a member name after '${t.text}' at column ${t.at + t.text.length + 1}`);
        e = { kind: 'member', arg: e, name: m.text, arrow: t.text === '->' };
      } else return e;
    }
  };
  const primary = (): Expr => {
    const t = tokens[i++];
    if (t === undefined) return fail('the expression ends too early');
    if (t.kind === 'num') {
      const m = /^(0[xX][0-9a-fA-F]+|\d+)([uUlL]*)$/.exec(t.text)!;
      const suffix = m[2].toLowerCase();
      if (!/^(u?l{0,2}|l{1,2}u)$/.test(suffix)) fail(`'${t.text}' is not a valid number at column ${t.at + 1}`);
      const decimal = !/^0[xX]/.test(m[1]) && !(m[1].length > 1 && m[1].startsWith('0'));
      const digits = decimal ? m[1] : /^0[xX]/.test(m[1]) ? m[1] : `0o${m[1].slice(1)}`;
      if (!decimal && !/^0[xX]/.test(m[1]) && /[89]/.test(m[1])) fail(`'${t.text}' is not a valid octal number at column ${t.at + 1}`);
      return { kind: 'num', value: BigInt(digits), text: t.text, unsigned: suffix.includes('u'), long: suffix.replace('u', '').length, decimal };
    }
    if (t.kind === 'char') return { kind: 'num', value: charValue(t.text), text: t.text, unsigned: false, long: 0, decimal: true };
    if (t.kind === 'name') {
      if (t.text === 'sizeof' || TYPE_KEYWORDS.has(t.text) || TAG_WORDS.has(t.text)) fail(`unexpected '${t.text}' at column ${t.at + 1}`);
      return { kind: 'name', name: t.text };
    }
    if (t.text === '(') {
      const e = binary(0); // its unary() counts the nesting
      expect(')');
      return e;
    }
    return fail(`unexpected '${t.text}' at column ${t.at + 1}`);
  };
  const binary = (level: number): Expr => {
    if (level === LEVELS.length) return unary();
    let left = binary(level + 1);
    while (peek()?.kind === 'op' && LEVELS[level].includes(peek()!.text)) {
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

/** Every name the expression mentions, in order (the evaluator fetches machine state for them first). */
export function namesIn(e: Expr, out: string[] = []): string[] {
  switch (e.kind) {
    case 'num': break;
    case 'name': out.push(e.name); break;
    case 'binary': namesIn(e.left, out); namesIn(e.right, out); break;
    case 'index': namesIn(e.arg, out); namesIn(e.index, out); break;
    case 'sizeof': if (e.arg !== undefined) namesIn(e.arg, out); break;
    default: namesIn(e.arg, out);
  }
  return out;
}

/** The `device.register` and `device.register[n]` spellings of device registers in the tree, by their text. */
export function deviceRegisterPaths(e: Expr, out: string[] = []): string[] {
  if (e.kind === 'member' && !e.arrow && e.arg.kind === 'name' && !e.arg.name.startsWith('$')) out.push(`${e.arg.name}.${e.name}`);
  if (e.kind === 'index' && e.index.kind === 'num') {
    const head = deviceRegisterPaths(e.arg, []);
    if (head.length === 1 && e.arg.kind === 'member') out.push(`${head[0]}[${e.index.value}]`);
  }
  switch (e.kind) {
    case 'num': case 'name': break;
    case 'binary': deviceRegisterPaths(e.left, out); deviceRegisterPaths(e.right, out); break;
    case 'index': deviceRegisterPaths(e.arg, out); deviceRegisterPaths(e.index, out); break;
    case 'sizeof': if (e.arg !== undefined) deviceRegisterPaths(e.arg, out); break;
    default: deviceRegisterPaths(e.arg, out);
  }
  return out;
}
