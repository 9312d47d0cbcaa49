/**
 * Symbols from the ELF the machine booted (emulator/loaders/elf.ts parsed it once):
 * address → `name+0x10` for stack frames and disassembly labels, name → address for
 * function breakpoints and expressions.
 */
import { ElfImage, elfAddressToNumber } from '../emulator/loaders/elf';
import { SymbolLookup } from './disasm';

export interface Sym { name: string; address: bigint; size: bigint; isFunction: boolean; global: boolean }

const SHN_LORESERVE = 0xff00;

export class SymbolTable implements SymbolLookup {
  /** Sorted by address; at one address the preferred name (function, then global) comes last. */
  private readonly sorted: Sym[];
  private readonly byName = new Map<string, Sym>();
  /** [start, end) of the sections that hold code or data, to keep labels inside them. */
  private readonly ranges: [bigint, bigint][];

  constructor(elf: ElfImage | undefined, private readonly xlen: 32 | 64) {
    const syms: Sym[] = [];
    for (const s of elf?.symbols ?? []) {
      // Mapping symbols ($x, $d), section and file symbols, and compiler-local labels name no place a user wrote.
      if (s.name === '' || s.name.startsWith('$') || s.name.startsWith('.L')) continue;
      if (s.sectionIndex === 0 || s.sectionIndex >= SHN_LORESERVE) continue;
      const v = elfAddressToNumber(s.value, xlen);
      if (v === undefined) continue;
      syms.push({
        name: s.name, address: BigInt.asUintN(xlen, BigInt(v)), size: s.size,
        isFunction: s.type === 'func', global: s.binding !== 'local',
      });
    }
    const rank = (s: Sym) => (s.isFunction ? 2 : 0) + (s.global ? 1 : 0);
    syms.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : rank(a) - rank(b)));
    this.sorted = syms;
    for (const s of syms) {
      const known = this.byName.get(s.name);
      if (known === undefined || (!known.global && s.global)) this.byName.set(s.name, s);
    }
    this.ranges = (elf?.sections ?? [])
      .filter((s) => (s.flags & 2) !== 0 && s.size > 0) // SHF_ALLOC
      .map((s) => {
        const start = BigInt.asUintN(xlen, BigInt(s.addr));
        return [start, start + BigInt(s.size)];
      });
  }

  get count(): number { return this.sorted.length; }

  lookup(name: string): Sym | undefined { return this.byName.get(name); }

  /** The symbol at or before `address` in the same section, if any. */
  at(address: bigint): Sym | undefined {
    const range = this.ranges.find(([s, e]) => address >= s && address < e);
    if (range === undefined) return undefined;
    let lo = 0, hi = this.sorted.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid].address <= address) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (found < 0 || this.sorted[found].address < range[0]) return undefined;
    return this.sorted[found];
  }

  label(address: bigint): string | undefined {
    const s = this.at(address);
    if (s === undefined) return undefined;
    return s.address === address ? s.name : `${s.name}+0x${(address - s.address).toString(16)}`;
  }

  /** Whether a symbol starts exactly here (a label line in disassembly). */
  startsAt(address: bigint): Sym | undefined {
    const s = this.at(address);
    return s !== undefined && s.address === address ? s : undefined;
  }

  /** Value of a symbol truncated to XLEN, for expressions. */
  addressOf(name: string): bigint | undefined {
    const s = this.lookup(name);
    return s === undefined ? undefined : BigInt.asUintN(this.xlen, s.address);
  }
}
