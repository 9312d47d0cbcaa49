/**
 * Debug-console and watch expressions: registers (`$a0`, `$pc`), CSRs (`$mstatus`),
 * symbols (`main`), numbers (decimal, 0x hex) and C's integer operators with C's
 * precedence, on 64-bit unsigned values. A parser of its own: never JavaScript eval.
 */

export type Expr =
  | { kind: 'num'; value: bigint }
  | { kind: 'name'; name: string }
  | { kind: 'unary'; op: '-' | '~' | '!'; arg: Expr }
  | { kind: 'binary'; op: string; left: Expr; right: Expr };

export type Parsed = { ok: true; value: Expr } | { ok: false; error: string };

const TOKEN = /\s*(?:(0[xX][0-9a-fA-F]+|\d+)|(\$?[A-Za-z_.][\w.$]*)|(<<|>>|==|!=|<=|>=|&&|\|\||[-+*/%&|^~!()<>]))/y;

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
  const tokens = tokenize(src);
  if (typeof tokens === 'string') return { ok: false, error: tokens };
  if (tokens.length === 0) return { ok: false, error: 'empty expression' };
  let i = 0;
  const fail = (msg: string): never => { throw new SyntaxError(msg); };
  const peek = () => tokens[i];
  const primary = (): Expr => {
    const t = tokens[i++];
    if (t === undefined) return fail('the expression ends too early');
    if (t.kind === 'num') return { kind: 'num', value: BigInt(t.text) };
    if (t.kind === 'name') return { kind: 'name', name: t.text };
    if (t.text === '(') {
      const e = binary(0);
      if (peek()?.text !== ')') fail(`expected ')' at column ${peek()?.at !== undefined ? peek().at + 1 : src.length + 1}`);
      i++;
      return e;
    }
    if (t.text === '-' || t.text === '~' || t.text === '!') return { kind: 'unary', op: t.text, arg: primary() };
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

export type Resolver = (name: string) => Promise<bigint | undefined>;

/** Evaluate on unsigned 64-bit values (wrapping); names go through `resolve`. */
export async function evaluate(e: Expr, resolve: Resolver): Promise<{ ok: true; value: bigint } | { ok: false; error: string }> {
  const wrap = (v: bigint) => BigInt.asUintN(64, v);
  const signed = (v: bigint) => BigInt.asIntN(64, v);
  const go = async (x: Expr): Promise<bigint> => {
    switch (x.kind) {
      case 'num': return wrap(x.value);
      case 'name': {
        const v = await resolve(x.name);
        if (v === undefined) throw new EvalError(`'${x.name}' is not a register, CSR or symbol`);
        return wrap(v);
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
