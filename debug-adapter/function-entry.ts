/**
 * Where `break FUNCTION` stops, as gdb 13 chooses: past the prologue of the function's
 * out-of-line copy, and at the start of every copy inlined into other functions. A
 * user who sets a function breakpoint here and in gdb stops at the same instruction,
 * with the same arguments already in their homes.
 *
 * gdb's rules, checked against gdb-multiarch on every function of the program-state
 * guests at -O0, -Og and -O2 (function-entry.test.ts):
 *  - a unit GCC compiled with location lists (optimised code: every variable's location
 *    is valid at every pc) or written in assembly: the entry itself;
 *  - else the entry when two line rows start there (the prologue is empty);
 *  - else the first line row past the entry (the end of the prologue's line).
 */
import { DebugInfo } from './debug-info';
import { Die, DW_AT, DW_TAG, Unit } from './dwarf-dies';
import { entryOf } from './dwarf-scopes';

const DW_LANG_MIPS_ASSEMBLER = 0x8001;
/** Above this much .debug_info (a kernel), inlined copies are looked for only in the function's own unit. */
const SCAN_ALL_UNITS_BYTES = 4 << 20;

export interface FunctionLocations {
  addresses: bigint[];
  /** Said beside a verified breakpoint when its search was limited. */
  note?: string;
}

/** The addresses a breakpoint on the function `name` stops at; undefined when nothing is called that. */
export function functionLocations(info: DebugInfo, name: string): FunctionLocations | undefined {
  const symbol = info.symbols.lookup(name);
  const out = new Set<bigint>();
  // A label without a type (assembly) is taken as it is.
  if (symbol !== undefined) out.add(symbol.isFunction ? afterPrologue(info, symbol.address, symbol.address + BigInt(symbol.size)) : symbol.address);
  let note: string | undefined;
  for (const dwarf of info.dwarf) {
    const all = dwarf.sections.info.length <= SCAN_ALL_UNITS_BYTES;
    const own = symbol === undefined ? undefined : dwarf.unitForPc(symbol.address);
    if (!all) note = `copies of ${name} inlined in other compilation units than its own are not searched in a program this large`;
    for (const unit of all ? dwarf.units : own === undefined ? [] : [own]) {
      for (const site of inlinedCopies(unit).get(name) ?? []) {
        const start = entryOf(site);
        if (start !== undefined) out.add(start);
      }
    }
  }
  if (out.size === 0) return undefined;
  return { addresses: [...out], ...(note !== undefined ? { note } : {}) };
}

/** gdb's breakpoint address for the function at [entry, end). */
export function afterPrologue(info: DebugInfo, entry: bigint, end: bigint): bigint {
  const unit = info.unitAt(entry);
  return unit !== undefined && locationsValid(unit) ? entry : skipPrologue(info, entry, end);
}

/** The end of the function's prologue by its line rows (gdb's skip_prologue_using_sal, which a step into a call uses). */
export function skipPrologue(info: DebugInfo, entry: bigint, end: bigint): bigint {
  const rows = info.lines.rowsIn(entry, end);
  const first = rows.findIndex((r) => r.address === entry);
  if (first < 0 || rows[first + 1]?.address === entry) return entry;
  return rows.slice(first + 1).find((r) => r.address > entry)?.address ?? entry;
}

/** Whether gdb trusts the unit's variable locations at every pc, and so skips no prologue. */
function locationsValid(unit: Unit): boolean {
  let known = validity.get(unit);
  if (known === undefined) {
    try {
      const root = unit.root();
      known = root.number(DW_AT.language) === DW_LANG_MIPS_ASSEMBLER
        || ((root.string(DW_AT.producer) ?? '').startsWith('GNU ') && hasLocationList(root, unit.header.version));
    } catch {
      known = false; // a broken unit was reported when it was read
    }
    validity.set(unit, known);
  }
  return known;
}
const validity = new WeakMap<Unit, boolean>();

function hasLocationList(d: Die, version: number): boolean {
  if (d.tag === DW_TAG.variable || d.tag === DW_TAG.formalParameter) {
    const v = d.raw(DW_AT.location);
    // A location list is a section offset (DWARF 4: sec_offset; 2 and 3: data4/data8) or a loclistx.
    if (v !== undefined && (v.k === 'sec' || v.k === 'listx' || (v.k === 'const' && version < 4))) return true;
  }
  return d.children.some((c) => hasLocationList(c, version));
}

/** A unit's inlined copies of each function, by the function's name. */
function inlinedCopies(unit: Unit): ReadonlyMap<string, Die[]> {
  let found = copies.get(unit);
  if (found === undefined) {
    found = new Map();
    const walk = (d: Die): void => {
      if (d.tag === DW_TAG.inlinedSubroutine) {
        const n = d.name;
        if (n !== undefined) found!.set(n, [...found!.get(n) ?? [], d]);
      }
      for (const c of d.children) walk(c);
    };
    try { walk(unit.root()); } catch { /* a broken unit was reported when it was read */ }
    copies.set(unit, found);
  }
  return found;
}
const copies = new WeakMap<Unit, Map<string, Die[]>>();
