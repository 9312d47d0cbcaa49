/**
 * Symbols from the ELFs being debugged (emulator/loaders/elf.ts parsed them once): the
 * kernel, firmware and any launch.json `symbols` files, each moved by its load offset.
 * Address → `name+0x10` for stack frames and disassembly labels, name → address for
 * function breakpoints and expressions (the first image that defines a name wins).
 */
import { ElfImage, elfAddressToNumber } from '../emulator';
import { SymbolLookup } from './disasm';

export interface Sym { name: string; address: bigint; size: bigint; isFunction: boolean; global: boolean }

const SHN_LORESERVE = 0xff00;

export class SymbolTable implements SymbolLookup {
  /** Sorted by address; at one address the preferred name (function, then global) comes last. */
  private readonly sorted: Sym[];
  private readonly byName = new Map<string, Sym>();
  /** [start, end) of the sections that hold code or data, to keep labels inside them. */
  private readonly ranges: [bigint, bigint][];

  constructor(images: readonly { elf: ElfImage; offset: bigint }[], private readonly xlen: 32 | 64) {
    const syms: Sym[] = [];
    const ranges: [bigint, bigint][] = [];
    for (const { elf, offset } of images) {
      const own = imageSymbols(elf, offset, xlen);
      syms.push(...own);
      // Names: within an image a global beats a local; across images the first image wins.
      const names = new Map<string, Sym>();
      for (const s of own) {
        const known = names.get(s.name);
        if (known === undefined || (!known.global && s.global)) names.set(s.name, s);
      }
      for (const [name, sym] of names) if (!this.byName.has(name)) this.byName.set(name, sym);
      for (const sec of elf.sections) {
        if ((sec.flags & 2) === 0 || sec.size <= 0) continue; // SHF_ALLOC: code and data
        const start = BigInt.asUintN(xlen, BigInt(sec.addr) + offset);
        ranges.push([start, start + BigInt(sec.size)]);
      }
    }
    const rank = (s: Sym) => (s.isFunction ? 2 : 0) + (s.global ? 1 : 0);
    syms.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : rank(a) - rank(b)));
    this.sorted = syms;
    this.ranges = ranges;
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
    // gdb's rule: a label without a size (`clear_bss_done:` in head.S) gives way to an
    // earlier symbol whose size covers the address (the function it sits in).
    if (this.sorted[found].size === 0n) {
      for (let i = found - 1; i >= 0 && i >= found - 64 && this.sorted[i].address >= range[0]; i--) {
        const s = this.sorted[i];
        if (s.size > 0n && address < s.address + s.size) return s;
      }
    }
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

function imageSymbols(elf: ElfImage, offset: bigint, xlen: 32 | 64): Sym[] {
  const out: Sym[] = [];
  for (const s of elf.symbols) {
    // Mapping symbols ($x, $d), section and file symbols, and compiler-local labels name no place a user wrote.
    if (s.name === '' || s.name.startsWith('$') || s.name.startsWith('.L')) continue;
    if (s.sectionIndex === 0 || s.sectionIndex >= SHN_LORESERVE) continue;
    const v = elfAddressToNumber(s.value, xlen);
    if (v === undefined) continue;
    out.push({
      name: s.name, address: BigInt.asUintN(xlen, BigInt(v) + offset), size: s.size,
      isFunction: s.type === 'func', global: s.binding !== 'local',
    });
  }
  return out;
}
