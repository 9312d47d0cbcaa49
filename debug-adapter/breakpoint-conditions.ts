/**
 * Conditional breakpoints, hit counts and logpoints (DAP `condition`, `hitCondition`,
 * `logMessage`) for every kind of breakpoint the adapter sets. The machine stops at each
 * one; the adapter then decides here whether the user sees the stop or the guest runs on
 * at once. Conditions use the adapter's expression language (expressions.ts), so they
 * can read registers, CSRs, symbols and memory: `$a0 == 3`, `counter > 10`.
 */
import { parseExpression } from './expressions';

export interface BreakpointOptions { condition?: string; hitCondition?: string; logMessage?: string }

interface Entry extends BreakpointOptions { hits: number }

const HIT = /^\s*(==|>=|<=|>|<|%)?\s*(\d+)\s*$/;

/** Why the options cannot be used, for the breakpoint's message; null when they can. */
export function checkOptions(o: BreakpointOptions): string | null {
  if (o.hitCondition !== undefined && o.hitCondition.trim() !== '' && !HIT.test(o.hitCondition)) {
    return `hit count '${o.hitCondition}' is not N, == N, >= N, > N, <= N, < N or % N`;
  }
  if (o.condition !== undefined && o.condition.trim() !== '') {
    const p = parseExpression(o.condition);
    if (!p.ok) return `condition: ${p.error}`;
  }
  for (const part of splitLog(o.logMessage ?? '')) {
    if (typeof part !== 'string') {
      const p = parseExpression(part.expr);
      if (!p.ok) return `log message {${part.expr}}: ${p.error}`;
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
export function splitLog(msg: string): (string | { expr: string })[] {
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

export class BreakpointConditions {
  private byId = new Map<number, Entry>();

  /** Options for breakpoint `id` (called as each breakpoint is set); plain breakpoints need none. */
  set(id: number, o: BreakpointOptions): void {
    const blank = (s: string | undefined) => s === undefined || s.trim() === '';
    if (blank(o.condition) && blank(o.hitCondition) && blank(o.logMessage)) { this.byId.delete(id); return; }
    this.byId.set(id, { ...o, hits: 0 });
  }

  /**
   * A stop at breakpoints `ids`: true when the user should see it. Logpoints print (through
   * `log`) and never stop; a condition that cannot be evaluated stops, with the reason logged.
   */
  async shouldStop(ids: readonly number[], evaluate: (text: string) => Promise<bigint>, log: (line: string) => void): Promise<boolean> {
    let stop = false;
    for (const id of ids) {
      const e = this.byId.get(id);
      if (e === undefined) { stop = true; continue; }
      if (e.condition !== undefined && e.condition.trim() !== '') {
        try {
          if (await evaluate(e.condition) === 0n) continue;
        } catch (err) {
          log(`breakpoint condition '${e.condition}' could not be evaluated: ${(err as Error).message}; stopping`);
          stop = true;
          continue;
        }
      }
      e.hits++;
      if (e.hitCondition !== undefined && e.hitCondition.trim() !== '' && !hitConditionMet(e.hitCondition, e.hits)) continue;
      if (e.logMessage !== undefined && e.logMessage.trim() !== '') {
        const parts = await Promise.all(splitLog(e.logMessage).map(async (p) => {
          if (typeof p === 'string') return p;
          try { return `0x${(await evaluate(p.expr)).toString(16)}`; } catch (err) { return `<${(err as Error).message}>`; }
        }));
        log(parts.join(''));
        continue;
      }
      stop = true;
    }
    return stop;
  }
}
