/**
 * Conditions on the Exceptions and Interrupts filters (the condition box VS Code shows
 * on an exception filter): which causes, and which modes, stop the machine.
 *   "load page fault, store/AMO page fault"   causes by name (a part of a name matches
 *                                            every cause containing it: "page fault")
 *   "13, 15"                                 causes by number (mcause without the top bit)
 *   "to S", "from U", "page fault from U to S"   where the trap is taken from and to
 *   "ecall", "ebreak"                        the instructions' names for their causes
 * An empty condition matches every trap of the filter's kind.
 */
import { CAUSE_NAMES, INTERRUPT_NAMES, TrapMatch } from '../emulator';

const MODES: Record<string, number> = { u: 0, s: 1, m: 3 };
/** The instruction names kernel developers use for these causes. */
const ALIASES: Record<string, string> = { ecall: 'environment call', ebreak: 'breakpoint' };

/** The condition as a TrapMatch, or what is wrong with it. */
export function parseTrapCondition(text: string, interrupt: boolean): TrapMatch | string {
  const names = interrupt ? INTERRUPT_NAMES : CAUSE_NAMES;
  const out: TrapMatch = {};
  const causes = new Set<number>();
  for (const raw of text.toLowerCase().split(/,|\bor\b/)) {
    let term = raw.trim();
    // A whole cause name first: "environment call from U-mode" is a name, not a mode.
    const exact = Object.entries(names).find(([, name]) => name.toLowerCase() === term);
    if (exact !== undefined) { causes.add(Number(exact[0])); continue; }
    for (const dir of ['to', 'from'] as const) {
      const re = new RegExp(`\\b${dir}\\s+([usm])(?:-mode)?\\b`);
      const m = re.exec(term);
      if (m === null) continue;
      if (out[dir] !== undefined) return `'${dir}' is given twice`;
      const mode = MODES[m[1]];
      if (dir === 'to' && mode === 0) return 'traps are never taken to U-mode';
      out[dir] = mode;
      term = term.replace(re, ' ').trim();
      if (re.test(term)) return `'${dir}' is given twice`;
    }
    if (term === '') continue;
    term = ALIASES[term] ?? term;
    if (/^\d+$/.test(term)) {
      const n = Number(term);
      if (names[n] === undefined) return `${interrupt ? 'interrupt' : 'exception'} cause ${n} does not exist`;
      causes.add(n);
      continue;
    }
    const hits = Object.entries(names).filter(([, name]) => name.toLowerCase().includes(term)).map(([n]) => Number(n));
    if (hits.length === 0) return `no ${interrupt ? 'interrupt' : 'exception'} is called '${term}' (try ${Object.values(names).slice(0, 3).map((n) => `"${n}"`).join(', ')}, ... or a cause number)`;
    for (const n of hits) causes.add(n);
  }
  if (causes.size > 0) out.causes = [...causes].sort((a, b) => a - b);
  return out;
}
