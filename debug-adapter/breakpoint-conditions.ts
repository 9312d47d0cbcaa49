/**
 * The language of breakpoint options (DAP `condition`, `hitCondition`, `logMessage`),
 * for every kind of breakpoint the adapter sets: checking them when set, hit counts,
 * log messages. The machine stops at each breakpoint; breakpoints.ts's registry, which
 * keeps each one's options and hits, then decides whether the user sees the stop.
 * Conditions use the adapter's C expressions (expressions.ts, c-eval.ts), so they can read
 * the program's variables, registers, CSRs, symbols and memory: `p->pid == 3`, `$a0 == 3`.
 */
import { parseExpression } from './expressions';

export interface BreakpointOptions { condition?: string; hitCondition?: string; logMessage?: string }

const HIT = /^\s*(==|>=|<=|>|<|%)?\s*(\d+)\s*$/;

/**
 * Whether C could read the text: which names are typedefs is known only where the
 * breakpoint stops (`(proc_t *)p`), so a text that parses either way is taken.
 */
function syntaxError(text: string): string | undefined {
  const plain = parseExpression(text);
  return plain.ok || parseExpression(text, () => true).ok ? undefined : plain.error;
}

/** Why the options cannot be used, for the breakpoint's message; null when they can. */
export function checkOptions(o: BreakpointOptions): string | null {
  if (given(o.hitCondition) && !HIT.test(o.hitCondition)) {
    return `hit count '${o.hitCondition}' is not N, == N, >= N, > N, <= N, < N or % N`;
  }
  if (given(o.condition)) {
    const error = syntaxError(o.condition);
    if (error !== undefined) return `condition: ${error}`;
  }
  for (const part of splitLog(o.logMessage ?? '')) {
    if (typeof part !== 'string') {
      const error = syntaxError(part.expr);
      if (error !== undefined) return `log message {${part.expr}}: ${error}`;
    }
  }
  return null;
}

/** Whether the hit count `hits` (1 for the first hit) meets the condition. */
export function hitConditionMet(cond: string, hits: number): boolean {
  const m = HIT.exec(cond);
  if (m === null) return true;
  const n = Number(m[2]);
  switch (m[1]) {
    case '==': return hits === n;
    case '>': return hits > n;
    case '<': return hits < n;
    case '<=': return hits <= n;
    case '%': return n > 0 && hits % n === 0;
    default: return hits >= n; // "N" and ">= N": from the Nth hit on, as VS Code's own debuggers do
  }
}

/** A log message cut into text and {expression} parts; "{{" and "}}" are literal braces. */
function splitLog(msg: string): (string | { expr: string })[] {
  const out: (string | { expr: string })[] = [];
  let text = '';
  for (let i = 0; i < msg.length; i++) {
    const c = msg[i];
    if ((c === '{' || c === '}') && msg[i + 1] === c) { text += c; i++; continue; }
    if (c === '{') {
      const end = msg.indexOf('}', i);
      if (end < 0) { text += msg.slice(i); break; }
      if (text !== '') out.push(text);
      text = '';
      out.push({ expr: msg.slice(i + 1, end) });
      i = end;
      continue;
    }
    text += c;
  }
  if (text !== '') out.push(text);
  return out;
}

/** Whether an option is given: set, and more than spaces (VS Code sends "" for a cleared field). */
export function given(s: string | undefined): s is string {
  return s !== undefined && s.trim() !== '';
}

/** A logpoint's line: its text with each {expression} as hex, or the reason it has no value. */
export async function logLine(message: string, evaluate: (text: string) => Promise<bigint>): Promise<string> {
  const parts = await Promise.all(splitLog(message).map(async (p) => {
    if (typeof p === 'string') return p;
    try { return `0x${(await evaluate(p.expr)).toString(16)}`; } catch (err) { return `<${(err as Error).message}>`; }
  }));
  return parts.join('');
}
