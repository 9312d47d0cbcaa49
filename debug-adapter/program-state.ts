/**
 * The program's own state at a stop, from .debug_info: per frame its Locals, Arguments
 * and the Statics of its unit, and the program's Globals; each variable's value as gdb
 * prints it, its C type, and children to expand (struct members, array elements, what a
 * pointer points at). The DWARF readers are synchronous; guest memory comes from the
 * machine asynchronously, so reads go through a page cache: a computation that touches a
 * page not yet fetched stops, the page is fetched, and it runs again (bounded). The cache
 * and every object handed out last until the machine runs.
 */
import { Die, DW_AT, DW_TAG, DwarfInfo } from './dwarf-dies';
import { concrete, enumerators, members, typeName, typeOf, typeSize } from './dwarf-types';
import { CallerContext, entryRegisterValue, framesAt, SourceFrame, variablesAt } from './dwarf-scopes';
import { arrayDims, formatArrayOf, formatMember, formatValue, frameVariables, objectBytes, toBytes, ValueContext, variableLocation } from './dwarf-values';
import { littleEndian, LocationError } from './dwarf-expr';
import { CallStacks } from './call-stacks';
import { CError, CEnv, CValue, evaluateC, isFixedWidthName, scalarOf } from './c-eval';
import { deviceRegisterPaths, namesIn, parseExpression, TYPE_KEYWORDS } from './expressions';
import { fetchMachineNames } from './machine-names';
import { RequestError, SessionContext } from './session-context';

const PAGE = 4096n;
/** Pages one answer may fetch: a value printer that wanders further is stopped with a message. */
const MAX_PAGES = 256;

class MissingPage { constructor(readonly page: bigint) {} }

/** Guest memory through one hart's translation, page by page, fetched on demand. */
class PageCache {
  /** Page → its readable bytes from the start (shorter than a page where reading stopped). */
  private readonly pages = new Map<bigint, Uint8Array>();
  constructor(private readonly fetch: (address: bigint, count: number) => Promise<Uint8Array>, private readonly xlen: 32 | 64) {}

  read(address: bigint, size: number): Uint8Array | undefined {
    const out = new Uint8Array(size);
    for (let done = 0; done < size;) {
      const at = BigInt.asUintN(this.xlen, address + BigInt(done));
      const page = at - (at % PAGE);
      const bytes = this.pages.get(page);
      if (bytes === undefined) throw new MissingPage(page);
      const off = Number(at - page);
      const n = Math.min(size - done, Number(PAGE) - off);
      if (off + n > bytes.length) return undefined;
      out.set(bytes.subarray(off, off + n), done);
      done += n;
    }
    return out;
  }

  /** Runs `compute` until it no longer needs a page it does not have. */
  async run<T>(compute: () => T): Promise<T> {
    for (let fetched = 0; ; fetched++) {
      try {
        return compute();
      } catch (e) {
        if (!(e instanceof MissingPage)) throw e;
        if (fetched >= MAX_PAGES) throw new RequestError(`reading this value needs more than ${MAX_PAGES} pages of guest memory`);
        this.pages.set(e.page, await this.fetch(e.page, Number(PAGE)));
      }
    }
  }
}

/** A value the Variables view can expand: its type (or an element type and the dimensions left), bytes and address. */
export interface ObjectRef {
  hart: number;
  type: Die | undefined;
  /** A sub-array of a multi-dimensional array: `type` is the element type, these the dimensions left. */
  dims?: number[];
  bytes: Uint8Array;
  address?: bigint;
  /** The C expression that names it, for Add to Watch and data breakpoints. */
  path: string;
  addressSize: number;
}

/** One row of the Variables view, with the object behind it when it has children. */
export interface ValueRow {
  name: string;
  value: string;
  type: string;
  evaluateName?: string;
  memoryReference?: string;
  children?: ObjectRef;
  /** Array elements: VS Code asks for them in pages. */
  indexed?: number;
  /** Where Set Value writes: memory (memoryReference), a register of the top frame, or nowhere (why). */
  register?: number;
  unsettable?: string;
  /** The object's type, for Set Value to know what it writes. */
  typeDie?: Die;
  bytes?: number;
}

interface FrameState { info: DwarfInfo; frame: SourceFrame; pc: bigint; ctx: ValueContext; caller?: CallerContext }

export class ProgramState {
  private readonly caches = new Map<number, PageCache>();

  constructor(private readonly ctx: SessionContext, private readonly stacks: CallStacks) {}

  /** The machine ran: memory and objects are stale. */
  reset(): void { this.caches.clear(); }

  /** Whether the frame's pc lies in code that .debug_info describes. */
  async hasFrame(hart: number, depth: number, inline: number): Promise<boolean> {
    return (await this.frameState(hart, depth, inline)) !== undefined;
  }

  async locals(hart: number, depth: number, inline: number): Promise<ValueRow[]> { return this.frameRows(hart, depth, inline, 'locals'); }
  async arguments(hart: number, depth: number, inline: number): Promise<ValueRow[]> { return this.frameRows(hart, depth, inline, 'arguments'); }

  /** File-level variables of the unit the frame's pc is in. */
  async statics(hart: number, depth: number, inline: number): Promise<ValueRow[]> {
    const f = await this.frameState(hart, depth, inline);
    if (f === undefined) return [];
    const vars = f.frame.function.unit.root().children.filter((d) => d.tag === DW_TAG.variable && d.name !== undefined && isDefinition(d));
    return this.cache(hart).run(() => vars.map((v) => this.variableRow(hart, v, undefined, f.pc, f.ctx)));
  }

  /** Names of the program's global variables, sorted; from each .debug_info's name index (no unit parsed). */
  globalNames(): string[] {
    if (this.globalsByName === undefined) {
      this.globalsByName = new Map();
      for (const info of this.ctx.debugInfo.dwarf) {
        for (const [name, offset] of info.globalVariables()) if (!this.globalsByName.has(name)) this.globalsByName.set(name, { info, offset });
      }
      this.sortedGlobals = [...this.globalsByName.keys()].sort();
    }
    return this.sortedGlobals;
  }
  private globalsByName: Map<string, { info: DwarfInfo; offset: number }> | undefined;
  private sortedGlobals: string[] = [];

  /** A global's DIE by name (its unit parsed now); else a declaration of a name the ELF symbols define. */
  private global(name: string): Die | undefined {
    this.globalNames();
    const g = this.globalsByName!.get(name);
    if (g !== undefined) return g.info.dieAt(g.offset);
    if (this.ctx.debugInfo.symbols.lookup(name) === undefined) return undefined;
    for (const info of this.ctx.debugInfo.dwarf) {
      const offset = info.globalDeclarations().get(name);
      if (offset !== undefined) return info.dieAt(offset);
    }
    return undefined;
  }

  async globals(hart: number, start: number, count: number): Promise<ValueRow[]> {
    const dies = this.globalNames().slice(start, start + count).map((n) => this.global(n)).filter((d): d is Die => d !== undefined);
    const ctx = await this.baseContext(hart);
    const pc = (await this.stacks.unwound(hart)).pcs[0];
    return this.cache(hart).run(() => dies.map((d) => this.variableRow(hart, d, undefined, pc, ctx)));
  }

  /** The children of an object: members, elements [start, start + count), or what a pointer points at. */
  async children(obj: ObjectRef, start = 0, count?: number): Promise<ValueRow[]> {
    const ctx = await this.baseContext(obj.hart);
    return this.cache(obj.hart).run(() => this.childRows(obj, ctx, start, count));
  }

  /**
   * A C expression (c-eval.ts) in the frame `depth`/`inline` of `hart`, as a row: a
   * machine-level value (registers, CSRs, literals) in hex and decimal as the console has
   * always shown it, anything typed by the program's DWARF as gdb prints it, expandable.
   * Names are looked up as gdb does: the frame's blocks, its unit, the program, then
   * ELF symbols, registers, CSRs and devices.
   */
  async evaluate(text: string, hart: number, depth: number, inline: number): Promise<ValueRow> {
    const { value, addressSize, ctx } = await this.compute(text, hart, depth, inline);
    if (value.missing !== undefined) return { name: text, value: value.missing, type: typeName(value.type), evaluateName: text.trim(), unsettable: `${text.trim()} is ${value.missing}` };
    if (value.machine) {
      const bits = value.bytes.length * 8;
      const n = scalarOf(value);
      const u = BigInt.asUintN(bits, n), signed = BigInt.asIntN(bits, n);
      return { name: text, value: `0x${u.toString(16)} (${signed < 0n ? `${u} / ${signed}` : u})`, type: typeName(value.type), memoryReference: `0x${u.toString(16)}`, evaluateName: text.trim() };
    }
    const row = this.objectRow({ hart, type: value.type, bytes: value.bytes, address: value.address, path: value.path, addressSize }, text, ctx);
    return { ...row, evaluateName: text.trim(), ...(value.register !== undefined ? { register: value.register } : {}), ...(value.unsettable !== undefined ? { unsettable: value.unsettable } : {}) };
  }

  /** A C expression's value as a number (conditions, log points, data breakpoints, the console's addresses). */
  async evaluateScalar(text: string, hart: number): Promise<bigint> {
    const { value } = await this.compute(text, hart, 0, 0);
    try { return BigInt.asUintN(64, scalarOf(value)); } catch (e) { throw e instanceof CError ? new RequestError(e.message) : e; }
  }

  private async compute(text: string, hart: number, depth: number, inline: number): Promise<{ value: CValue; addressSize: 4 | 8; ctx: ValueContext }> {
    const addressSize = (this.ctx.xlen / 8) as 4 | 8;
    // The frame (an unwind) only when a name may be the program's: `$a0 == 5` on a hot breakpoint stays cheap.
    const f = needsProgram(text) ? await this.frameState(hart, depth, inline) : undefined;
    // A name the program has a variable or symbol by is no type (C: one name space for both at file scope).
    const isType = (n: string) => isFixedWidthName(n)
      || ((f === undefined || lookup(f, n) === undefined) && this.global(n) === undefined && this.ctx.debugInfo.symbols.lookup(n) === undefined
        && this.typeNamed([n], f) instanceof Die);
    const parsed = parseExpression(text, isType);
    if (!parsed.ok) throw new RequestError(`syntax error: ${parsed.error}`);
    const machine = await fetchMachineNames(this.ctx, hart, namesIn(parsed.value), deviceRegisterPaths(parsed.value));
    const ctx = f?.ctx ?? await this.baseContext(hart);
    const pc = f?.pc ?? (await this.stacks.unwound(hart)).pcs[0];
    const symbols = this.ctx.debugInfo.symbols;
    const env: CEnv = {
      addressSize,
      variable: (name) => {
        const local = f === undefined ? undefined : lookup(f, name);
        const die = local ?? this.global(name);
        if (die !== undefined) return this.variableValue(die, local !== undefined ? f!.frame.function : undefined, pc, ctx);
        // An enumerator is a constant of its enum type (C11 §6.4.4.3).
        const e = this.named(`#${name}`, f);
        const type = e?.parent;
        const v = e?.attr(DW_AT.constValue);
        if (type === undefined || v?.k !== 'const') return undefined;
        const size = typeSize(type, addressSize) ?? 4;
        return { type, bytes: toBytes(BigInt.asUintN(size * 8, BigInt(v.v)), size), path: name };
      },
      symbol: (name) => {
        const s = symbols.lookup(name);
        return s === undefined ? undefined : { address: s.address, size: Number(s.size), isFunction: s.isFunction };
      },
      machine: (name) => {
        const v = machine.get(name);
        if (typeof v === 'string') throw new CError(v);
        return v;
      },
      namedType: (words) => this.typeNamed(words, f) ?? null,
      memory: (address, size) => ctx.memory(address, size),
    };
    try {
      return { value: await this.cache(hart).run(() => evaluateC(parsed.value, env)), addressSize, ctx };
    } catch (e) {
      throw e instanceof CError ? new RequestError(e.message) : e;
    }
  }

  /**
   * A struct, union, enum or typedef by name (or an enumerator), as gdb finds it: the frame's unit first (the
   * type the code there was compiled with), then every unit of the program (indexed once).
   */
  private typeNamed(words: readonly string[], f: FrameState | undefined): Die | undefined {
    const key = typeKey(words);
    return key === undefined ? undefined : this.named(key, f);
  }

  /** A type (`struct proc`, `proc_t`) or enumerator (`#RUNNING`) by its key in the units' indexes. */
  private named(key: string, f: FrameState | undefined): Die | undefined {
    const inUnit = f === undefined ? undefined : typesOf(f.frame.function.unit.root()).get(key);
    if (inUnit !== undefined) return inUnit.definition();
    // The program's index (no unit parsed to build it), then the one unit that has the type.
    for (const info of this.ctx.debugInfo.dwarf) {
      const offset = info.typeIndex().get(key);
      const die = offset === undefined ? undefined : info.dieAt(offset);
      if (die !== undefined) return die.definition();
    }
    return undefined;
  }

  /**
   * Set Value on a C variable or member: `text` (an enumerator's name, true/false, or any
   * expression the machine-level evaluator takes) written to its memory or, in the top
   * frame, its register. Scalars only: integers, enums, bools, chars and pointers.
   */
  async setValue(row: ValueRow, hart: number, depth: number, text: string, evaluate: (text: string) => Promise<bigint>): Promise<void> {
    const what = row.evaluateName ?? row.name;
    if (row.unsettable !== undefined) throw new RequestError(`cannot set ${what}: ${row.unsettable}`);
    const t = concrete(row.typeDie);
    const scalar = t !== undefined && (t.tag === DW_TAG.baseType || t.tag === DW_TAG.enumerationType || t.tag === DW_TAG.pointerType);
    if (!scalar || row.bytes === undefined) throw new RequestError(`cannot set ${what}: it is ${row.type}; set its members or elements one by one`);
    if (t.tag === DW_TAG.baseType && t.number(0x3e) === 0x04) throw new RequestError(`cannot set ${what}: floating-point values are not supported yet`);
    const word = text.trim();
    const named = t.tag === DW_TAG.enumerationType ? enumerators(t).find((e) => e.name === word)?.value : undefined;
    const value = named ?? (word === 'true' ? 1n : word === 'false' ? 0n : await evaluate(word));
    const bytes = toBytes(BigInt.asUintN(row.bytes * 8, value), row.bytes);
    const m = this.ctx.machine();
    if (row.memoryReference !== undefined) {
      const r = await m.request({ type: 'writeMemory', hart, address: BigInt(row.memoryReference), bytes, physical: false });
      if (r.written < bytes.length) throw new RequestError(`cannot set ${what}: ${row.memoryReference} is not writable RAM`);
    } else if (row.register !== undefined && row.register < 32) {
      if (depth > 0) throw new RequestError(`cannot set ${what}: it is in a register of a caller's frame, which only unwinding knows; set it in the top frame`);
      // The register holds the value sign- or zero-extended to XLEN, as the compiler keeps it.
      const signed = t.tag === DW_TAG.baseType && (t.number(0x3e) === 0x05 || t.number(0x3e) === 0x06);
      const full = signed ? BigInt.asIntN(row.bytes * 8, value) : BigInt.asUintN(row.bytes * 8, value);
      await m.request({ type: 'writeRegister', hart, reg: row.register, value: BigInt.asUintN(this.ctx.xlen, full) });
    } else {
      throw new RequestError(`cannot set ${what}: it is neither in memory nor in an integer register`);
    }
    this.caches.delete(hart); // what was read before the write is stale
    await this.stacks.refresh(hart);
  }

  /** The rows of a scope or object, for Set Value to find one by name. */
  async rowsOf(kind: 'locals' | 'arguments' | 'statics', hart: number, depth: number, inline: number): Promise<ValueRow[]> {
    return kind === 'statics' ? this.statics(hart, depth, inline) : this.frameRows(hart, depth, inline, kind);
  }

  private cache(hart: number): PageCache {
    let c = this.caches.get(hart);
    if (c === undefined) {
      const m = this.ctx.machine();
      c = new PageCache(async (address, count) => {
        const r = await m.request({ type: 'readMemory', hart, address, count, physical: false });
        return r.bytes;
      }, this.ctx.xlen);
      this.caches.set(hart, c);
    }
    return c;
  }

  /** Registers of the top frame and memory, for values that do not depend on a frame (globals, children). */
  private async baseContext(hart: number): Promise<ValueContext> {
    const u = await this.stacks.unwound(hart);
    return this.valueContext(hart, u.regs[0], undefined);
  }

  private valueContext(hart: number, regs: readonly bigint[], cfa: bigint | undefined): ValueContext {
    const cache = this.cache(hart);
    const symbols = this.ctx.debugInfo.symbols;
    return {
      reg: (n) => (n < 32 ? regs[n] : undefined),
      memory: (address, size) => cache.read(address, size),
      cfa: () => cfa,
      symbolize: (address) => {
        const s = symbols.at(address);
        return s === undefined ? undefined : s.address === address ? s.name : `${s.name}+${address - s.address}`;
      },
    };
  }

  private async frameState(hart: number, depth: number, inline: number): Promise<FrameState | undefined> {
    const u = await this.stacks.unwound(hart);
    if (depth >= u.pcs.length) return undefined;
    // A caller's pc is its return address: its scope is the call's (gdb's pc - 1).
    const pc = depth === 0 ? u.pcs[0] : u.pcs[depth] - 1n;
    const info = this.ctx.debugInfo.dwarfAt(pc);
    if (info === undefined) return undefined;
    const frame = framesAt(info, pc)[inline];
    if (frame === undefined) return undefined;
    const regs = u.regs[depth];
    const rules = this.ctx.debugInfo.rulesAt(pc);
    const cfa = rules === undefined || rules.cfaRegister >= 32 ? undefined : BigInt.asUintN(this.ctx.xlen, regs[rules.cfaRegister] + BigInt(rules.cfaOffset));
    const caller = depth + 1 < u.pcs.length ? { ctx: this.valueContext(hart, u.regs[depth + 1], undefined), returnPc: u.pcs[depth + 1], callee: frame.function } : undefined;
    // DW_OP_entry_value in a location: the caller's call site gives the register's value at entry.
    const ctx: ValueContext = { ...this.valueContext(hart, regs, cfa), ...(caller !== undefined && !frame.inlined ? { entryValue: (reg: number) => entryRegisterValue(info, reg, caller) } : {}) };
    return { info, frame, pc, ctx, caller };
  }

  private async frameRows(hart: number, depth: number, inline: number, which: 'locals' | 'arguments'): Promise<ValueRow[]> {
    const f = await this.frameState(hart, depth, inline);
    if (f === undefined) return [];
    return this.cache(hart).run(() => {
      const wanted = new Set(which === 'locals' ? variablesAt(f.frame, f.pc).locals : variablesAt(f.frame, f.pc).arguments);
      return frameVariables(f.info, f.frame, f.pc, f.ctx, f.caller)
        .filter((r) => wanted.has(r.die))
        .map((r) => (r.name.endsWith('@entry') ? { name: r.name, value: r.value, type: typeName(typeOf(r.die)) } : this.variableRow(hart, r.die, f.frame.function, f.pc, f.ctx)));
    });
  }

  /** A variable's row: its value read where its location says. */
  private variableRow(hart: number, v: Die, fn: Die | undefined, pc: bigint, ctx: ValueContext): ValueRow {
    const value = this.variableValue(v, fn, pc, ctx);
    const base = { name: value.path, type: typeName(value.type), evaluateName: value.path };
    if (value.missing !== undefined) return { ...base, value: value.missing, unsettable: `${value.path} is ${value.missing}` };
    const row = this.objectRow({ hart, type: value.type, bytes: value.bytes, address: value.address, path: value.path, addressSize: v.unit.addressSize }, value.path, ctx);
    return { ...row, ...(value.register !== undefined ? { register: value.register } : {}), ...(value.unsettable !== undefined ? { unsettable: value.unsettable } : {}) };
  }

  /** A variable's value, read where its location says at `pc`. */
  private variableValue(v: Die, fn: Die | undefined, pc: bigint, ctx: ValueContext): CValue {
    const name = v.name ?? '';
    const type = typeOf(v);
    const size = typeSize(type, v.unit.addressSize);
    const none = (missing: string): CValue => ({ type, bytes: new Uint8Array(0), path: name, missing });
    if (size === undefined) return none('<incomplete type>');
    let loc;
    // A declaration's storage is where the ELF symbol of its name is.
    const declared = isDefinition(v) ? undefined : this.ctx.debugInfo.symbols.addressOf(name);
    try { loc = declared !== undefined ? { kind: 'memory' as const, address: declared } : variableLocation(v, fn, pc, ctx); } catch (e) {
      if (e instanceof LocationError) return none(e.message.startsWith('<') ? e.message : `<error: ${e.message}>`);
      throw e;
    }
    const bytes = objectBytes(loc, size, ctx);
    if (typeof bytes === 'string') return none(bytes);
    if (loc.kind === 'memory') return { type, bytes, address: loc.address, path: name };
    if (loc.kind === 'register') return { type, bytes, register: loc.reg, path: name };
    return {
      type, bytes, path: name,
      unsettable: loc.kind === 'pieces' ? `${name} is split over registers and memory (DWARF pieces): set each part as a register or memory` : `${name} has no storage here: the compiler computes its value`,
    };
  }

  /** The row for an object: value, type and what it expands to. */
  private objectRow(obj: ObjectRef, name: string, ctx: ValueContext): ValueRow {
    const value = obj.dims !== undefined
      ? formatArrayOf(obj.type, obj.dims, obj.bytes, obj.addressSize, ctx, 0)
      : formatValue(obj.type, obj.bytes, obj.addressSize, ctx, 0);
    const t = obj.dims !== undefined ? undefined : concrete(obj.type);
    const dims = obj.dims ?? (t?.tag === DW_TAG.arrayType ? arrayDims(t) : undefined);
    const row: ValueRow = {
      name, value, type: obj.dims !== undefined ? `${typeName(obj.type)} [${obj.dims.join('][')}]` : typeName(obj.type), evaluateName: obj.path,
      typeDie: obj.dims !== undefined ? undefined : obj.type, bytes: obj.bytes.length,
      ...(obj.address !== undefined ? { memoryReference: `0x${obj.address.toString(16)}` } : {}),
    };
    if (dims !== undefined && dims.length > 0) return { ...row, children: obj, indexed: dims[0] };
    if (t !== undefined && (t.tag === DW_TAG.structureType || t.tag === DW_TAG.unionType)) return { ...row, children: obj };
    if (t !== undefined && t.tag === DW_TAG.pointerType && pointsAtObject(t) && littleEndian(obj.bytes) !== 0n) return { ...row, children: obj };
    return row;
  }

  private childRows(obj: ObjectRef, ctx: ValueContext, start: number, count: number | undefined): ValueRow[] {
    const t = obj.dims !== undefined ? undefined : concrete(obj.type);
    const dims = obj.dims ?? (t?.tag === DW_TAG.arrayType ? arrayDims(t) : undefined);
    if (dims !== undefined && dims.length > 0) {
      const elem = obj.dims !== undefined ? obj.type : typeOf(t!);
      const end = Math.min(dims[0], start + (count ?? dims[0]));
      const rows: ValueRow[] = [];
      for (let i = start; i < end; i++) rows.push(this.element(obj, elem, dims, i, ctx));
      return rows;
    }
    if (t !== undefined && (t.tag === DW_TAG.structureType || t.tag === DW_TAG.unionType)) {
      return members(t).map((m) => {
        // A member of `*p` is `p->m`, as C writes it (`*p.m` would be `*(p.m)`).
        const path = obj.path.startsWith('*') ? `${obj.path.slice(1)}->${m.name}` : `${obj.path}.${m.name}`;
        if (m.bitSize !== undefined) return { name: m.name, value: formatMember(m, obj.bytes, obj.addressSize, ctx, 0), type: typeName(m.type), evaluateName: path };
        const size = typeSize(m.type, obj.addressSize) ?? 0;
        const child: ObjectRef = { ...obj, type: m.type, dims: undefined, bytes: obj.bytes.subarray(m.offset, m.offset + size), address: obj.address === undefined ? undefined : obj.address + BigInt(m.offset), path };
        return this.objectRow(child, m.name, ctx);
      });
    }
    if (t !== undefined && t.tag === DW_TAG.pointerType) {
      const target = typeOf(t);
      const address = littleEndian(obj.bytes);
      const path = /^[\w$]+(?:(?:\.|->)\w+|\[\d+\])*$/.test(obj.path) ? `*${obj.path}` : `*(${obj.path})`;
      const size = typeSize(target, obj.addressSize);
      if (size === undefined) return [{ name: path, value: '<incomplete type>', type: typeName(target), evaluateName: path }];
      const bytes = ctx.memory(address, size);
      if (bytes === undefined) return [{ name: path, value: `<error: Cannot access memory at address 0x${address.toString(16)}>`, type: typeName(target), evaluateName: path }];
      return [this.objectRow({ ...obj, type: target, dims: undefined, bytes, address, path }, path, ctx)];
    }
    return [];
  }

  private element(obj: ObjectRef, elem: Die | undefined, dims: number[], i: number, ctx: ValueContext): ValueRow {
    const elemSize = typeSize(elem, obj.addressSize) ?? 1;
    const stride = dims.slice(1).reduce((a, b) => a * b, elemSize);
    const child: ObjectRef = {
      ...obj, type: elem, dims: dims.length > 1 ? dims.slice(1) : undefined, bytes: obj.bytes.subarray(i * stride, (i + 1) * stride),
      address: obj.address === undefined ? undefined : obj.address + BigInt(i * stride), path: `${obj.path}[${i}]`,
    };
    return this.objectRow(child, `[${i}]`, ctx);
  }
}

/** A DIE that defines storage (not `extern int x;`). */
function isDefinition(d: Die): boolean { return !d.flag(0x3c); }

/** gdb's lookup of a name in a frame: its blocks innermost first, then the unit's file-level variables. */
function lookup(f: FrameState, name: string): Die | undefined {
  const vars = variablesAt(f.frame, f.pc);
  return vars.ordered.find((d) => d.name === name)
    ?? f.frame.function.unit.root().children.find((d) => d.tag === DW_TAG.variable && d.name === name && isDefinition(d));
}

/** Whether a name in the text may be the program's (not only `$registers`, numbers and C's keywords). */
function needsProgram(text: string): boolean {
  for (const m of text.matchAll(/(?<![\w$])[A-Za-z_]\w*/g)) if (!NOT_PROGRAM_NAMES.has(m[0]) && !/^0[xX]/.test(text.slice(Math.max(0, m.index! - 1)))) return true;
  return false;
}
const NOT_PROGRAM_NAMES = new Set([...TYPE_KEYWORDS, 'sizeof', 'const', 'volatile', 'restrict']);

/** A type name's key in a unit's index: `struct proc`, `proc_t`; undefined for base type keywords (c-eval makes those). */
function typeKey(words: readonly string[]): string | undefined {
  if (words.length === 2 && ['struct', 'union', 'enum'].includes(words[0])) return words.join(' ');
  return words.length === 1 && !TYPE_KEYWORDS.has(words[0]) ? words[0] : undefined;
}

const TAG_PREFIX = new Map<number, string>([[DW_TAG.structureType, 'struct '], [DW_TAG.unionType, 'union '], [DW_TAG.enumerationType, 'enum ']]);
const unitTypes = new WeakMap<Die, Map<string, Die>>();

/** The named types a unit declares at file level, complete definitions before declarations, and their enumerators (`#NAME`). */
function typesOf(root: Die): Map<string, Die> {
  let types = unitTypes.get(root);
  if (types === undefined) {
    types = new Map();
    for (const d of root.children) {
      if (d.tag === DW_TAG.enumerationType) for (const e of d.children) if (e.tag === DW_TAG.enumerator && e.name !== undefined && !types.has(`#${e.name}`)) types.set(`#${e.name}`, e);
      const prefix = TAG_PREFIX.get(d.tag) ?? (d.tag === DW_TAG.typedef || d.tag === DW_TAG.baseType ? '' : undefined);
      if (prefix === undefined || d.name === undefined) continue;
      const key = `${prefix}${d.name}`;
      if (!types.has(key) || (types.get(key)!.flag(DW_AT.declaration) && !d.flag(DW_AT.declaration))) types.set(key, d);
    }
    unitTypes.set(root, types);
  }
  return types;
}

/** Whether expanding a pointer shows something: not void, not a function, not a char (its string is in the value). */
function pointsAtObject(p: Die): boolean {
  const target = concrete(typeOf(p));
  if (target === undefined || target.tag === DW_TAG.subroutineType) return false;
  if (target.tag === DW_TAG.baseType && typeSize(target, 8) === 1) return false;
  return true;
}
