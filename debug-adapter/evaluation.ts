/**
 * Expressions in the context of a stopped machine: expressions.ts parses and evaluates,
 * this supplies what names mean — symbols (scalars read as their values), registers,
 * `$pc`, `$priv`, CSRs, device registers peeked by name — and memory reads through a
 * hart's translation. Breakpoint conditions, logpoints, watch, hover, data breakpoints,
 * Set Value and console commands all evaluate here, and evaluate requests are answered.
 */
import { DebugProtocol } from '@vscode/debugprotocol';
import { runConsoleCommand } from './console-commands';
import { evaluate, parseExpression } from './expressions';
import { csrByName, registerNumber } from './registers';
import { littleEndian, RequestError, SessionContext } from './session-context';

/**
 * An evaluate request's answer: in the Debug Console a command's output (console-commands.ts),
 * else the expression's value in hex and decimal (signed too when negative as 64 bits).
 */
export async function answerEvaluate(ctx: SessionContext, expression: string, context: string | undefined, hart: number): Promise<DebugProtocol.EvaluateResponse['body']> {
  if (context === 'repl') {
    const out = await runConsoleCommand(expression, {
      machine: ctx.machine(), hart, xlen: ctx.xlen, symbols: ctx.debugInfo.symbols, evaluate: (t) => evaluateOn(ctx, t, hart),
    }).catch((e: Error) => { throw new RequestError(e.message); });
    if (out !== undefined) return { result: out, variablesReference: 0 };
  }
  const v = await evaluateOn(ctx, expression, hart);
  const signed = BigInt.asIntN(64, v);
  return {
    result: `0x${v.toString(16)} (${signed < 0n ? `${v} / ${signed}` : v})`,
    variablesReference: 0,
    memoryReference: `0x${v.toString(16)}`,
  };
}

/** The value of `text` on `hart`; an error in words when it has none. */
export async function evaluateOn(ctx: SessionContext, text: string, hart: number): Promise<bigint> {
  const parsed = parseExpression(text);
  if (!parsed.ok) throw new RequestError(`syntax error: ${parsed.error}`);
  const m = ctx.machine();
  const { xlen } = ctx;
  const { symbols } = ctx.debugInfo;
  const load = async (address: bigint, bytes: 1 | 2 | 4 | 8): Promise<bigint> => {
    const r = await m.request({ type: 'readMemory', hart, address: BigInt.asUintN(xlen, address), count: bytes, physical: false });
    if (r.bytes.length < bytes) throw new Error('not RAM mapped for this hart');
    return littleEndian(r.bytes);
  };
  const r = await evaluate(parsed.value, {
    wordBytes: xlen / 8 as 4 | 8,
    load,
    address: async (name) => symbols.addressOf(name),
    value: async (name) => {
      const bare = name.startsWith('$') ? name.slice(1) : name;
      if (!name.startsWith('$')) {
        const sym = symbols.lookup(name);
        if (sym !== undefined) {
          const at = BigInt.asUintN(xlen, sym.address);
          // C's meaning: a scalar object is its contents; functions, arrays and structs are their address.
          const size = Number(sym.size);
          return !sym.isFunction && (size === 1 || size === 2 || size === 4 || size === 8) ? load(at, size) : at;
        }
      }
      if (bare === 'pc' || bare === 'priv' || registerNumber(bare) !== undefined) {
        const regs = await m.request({ type: 'readRegisters', hart });
        return bare === 'pc' ? regs.pc : bare === 'priv' ? BigInt(regs.priv) : regs.x[registerNumber(bare) as number];
      }
      const view = csrByName(bare, xlen);
      if (view !== undefined) return (await m.request({ type: 'readCsrs', hart, nums: [view.num] }))[0] ?? undefined;
      return deviceRegister(ctx, name);
    },
  });
  if (!r.ok) throw new RequestError(r.error);
  return r.value;
}

/** `uart0.LSR`, `plic.claim[1]`: a device register's value, peeked without side effects. */
async function deviceRegister(ctx: SessionContext, name: string): Promise<bigint | undefined> {
  const dot = name.indexOf('.');
  if (dot <= 0) return undefined;
  const devices = await ctx.machine().request({ type: 'devices', device: name.slice(0, dot) }).catch(() => []);
  const reg = devices[0]?.registers.find((x) => x.name === name.slice(dot + 1));
  if (reg === undefined) return undefined;
  if (reg.value === null) throw new RequestError(`${name} is write-only (it has no value to read)`);
  return BigInt(reg.value);
}
