/**
 * The block translator: a hot straight-line run of instructions in one page becomes
 * one JavaScript function with every register index, immediate and pc offset a
 * literal (DESIGN.md "Translate only hot code"). It covers the ALU, M, loads,
 * stores, branches and jumps; anything else (CSRs, traps, atomics, an undecoded slot)
 * ends the block and the interpreter runs it. Each instruction's code comes from its
 * semantics (isa-semantics.ts `emitBlockInsn`); this file walks the page and builds the function.
 *
 * A block returns how many instructions it executed and leaves the next pc in the
 * hart. On a memory fault it stops at the faulting instruction with excCause set; after
 * an access that set the hart's yieldLoop, or a store that dropped the block itself
 * (self-modifying code), it stops after that instruction.
 */
import { Op } from './isa-table';
import { P } from './decode';
import { BlockFn, CodePage, MAX_BLOCK, PAGE_SLOTS } from './code-cache';
import { RUNTIME, Xlen } from './isa-codegen';
import { emitBlockInsn, semanticsOf } from './isa-semantics';

// Generated code sees: h (hart), x (registers), pcLo/pcHi (the block's start pc), pg (its
// CodePage), `block` (itself), c (instructions of earlier passes of a looping block),
// limit, and the helpers in HELPERS (isa-codegen.ts RUNTIME, and setPc).

interface PcHolder { pcLo: number; pcHi: number }

/** pc + t (t a signed byte offset) into h.pc. */
function setPc(h: PcHolder, pcLo: number, pcHi: number, t: number): void {
  const s = (pcLo >>> 0) + t;
  h.pcLo = s | 0;
  h.pcHi = (pcHi + Math.floor(s / 4294967296)) | 0;
}

const HELPERS = { ...RUNTIME, setPc };
const HELPER_NAMES = Object.keys(HELPERS);
const HELPER_VALUES = Object.values(HELPERS);

/** Jumps and branches leave the block; their code sets the pc and returns. */
function endsBlock(op: number): boolean {
  return semanticsOf(op)?.kind === 'ends';
}

/** Translate the RV64 block starting at `slot` of `page`, or undefined when its first instruction cannot be. */
export function translateBlock64(_h: unknown, page: CodePage, slot: number): BlockFn | undefined {
  return translateBlock(page, slot, 64);
}
/** The same for RV32. */
export function translateBlock32(_h: unknown, page: CodePage, slot: number): BlockFn | undefined {
  return translateBlock(page, slot, 32);
}

/**
 * Translate the block starting at `slot` of `page` (already decoded by the
 * interpreter). Returns the new block, or undefined when its first instruction is
 * not translatable.
 */
export function translateBlock(page: CodePage, slot: number, xlen: Xlen): BlockFn | undefined {
  const words = page.words;
  const parts: string[] = [];
  let s = slot, off = 0, n = 0;
  while (n < MAX_BLOCK && s < PAGE_SLOTS) {
    const w = words[2 * s];
    if (w === Op.UNDECODED) break;
    const op = w & 0xff, imm = words[2 * s + 1];
    const len = (w & P.COMPRESSED) !== 0 ? 2 : 4;
    if (s * 2 + len > 4096) break;
    // A branch back to the block's start makes the block a loop: run another pass in
    // place while a whole pass fits in the limit, else leave at the start.
    const loops = op >= Op.BEQ && op <= Op.BGEU && off + imm === 0;
    const passes = n + 1;
    const taken = loops
      ? `c += ${passes}; if (limit - c >= ${passes}) continue; h.pcLo = pcLo; h.pcHi = pcHi; return c;` : undefined;
    const js = emitBlockInsn(xlen, op, { d: (w >>> P.D) & 63, a: (w >>> P.A) & 63, b: (w >>> P.B) & 63, imm, off, len, n: `c + ${n + 1}`, slot, taken });
    if (js === null) break;
    parts.push(js);
    n++;
    s += len >>> 1;
    off += len;
    if (endsBlock(op)) return finish(page, slot, s, n, parts, loops);
  }
  if (n === 0) return undefined;
  parts.push(`setPc(h, pcLo, pcHi, ${off}); return c + ${n};`);
  return finish(page, slot, s, n, parts, false);
}

type Factory = (...deps: unknown[]) => BlockFn;

function finish(page: CodePage, slot: number, end: number, length: number, parts: string[], loops: boolean): BlockFn {
  const code = loops ? `for (;;) {\n${parts.join('\n')}\n}` : parts.join('\n');
  const body = `return function block(h, x, pg, limit) {\nconst pcLo = h.pcLo, pcHi = h.pcHi;\nlet c = 0;\n${code}\n};`;
  const factory = new Function(...HELPER_NAMES, body) as Factory;
  const fn = factory(...HELPER_VALUES);
  page.addBlock(slot, end, fn, length);
  return fn;
}
