/**
 * The program's own state at a stop, from .debug_info: per frame its Locals, Arguments
 * and the Statics of its unit, and the program's Globals; each variable's value as gdb
 * prints it, its C type, and children to expand (struct members, array elements, what a
 * pointer points at). The DWARF readers are synchronous; guest memory comes from the
 * machine asynchronously, so reads go through a page cache: a computation that touches a
 * page not yet fetched stops, the page is fetched, and it runs again (bounded). The cache
 * and every object handed out last until the machine runs.
 */
import { Die, DW_TAG, DwarfInfo } from './dwarf-dies';
import { concrete, enumerators, members, typeName, typeOf, typeSize } from './dwarf-types';
import { CallerContext, entryRegisterValue, framesAt, SourceFrame, variablesAt } from './dwarf-scopes';
import { arrayDims, formatArrayOf, formatMember, formatValue, frameVariables, objectBytes, toBytes, ValueContext, variableLocation } from './dwarf-values';
import { littleEndian, LocationError } from './dwarf-expr';
import { CallStacks } from './call-stacks';
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
   * A C path in the frame: `name`, then `.member`, `->member`, `[index]`, with `*` and `&`
   * in front. The name is looked up as gdb does: the frame's blocks, its unit, the program.
   * Undefined when the root name is not a variable DWARF knows here.
   */
  async evaluatePath(text: string, hart: number, depth: number, inline: number): Promise<ValueRow | undefined> {
    const m = /^\s*([*&]*)\s*([A-Za-z_]\w*)((?:\s*(?:\.|->)\s*[A-Za-z_]\w*|\s*\[\s*\d+\s*\])*)\s*$/.exec(text);
    if (m === null) return undefined;
    const f = await this.frameState(hart, depth, inline);
    const root = f === undefined ? undefined : lookup(f, m[2]);
    const global = root === undefined ? this.global(m[2]) : undefined;
    const die = root ?? global;
    if (die === undefined) return undefined;
    const ctx = f?.ctx ?? await this.baseContext(hart);
    const pc = f?.pc ?? (await this.stacks.unwound(hart)).pcs[0];
    return this.cache(hart).run(() => {
      let row = this.variableRow(hart, die, root !== undefined ? f!.frame.function : undefined, pc, ctx);
      const steps = m[3].match(/\.\s*\w+|->\s*\w+|\[\s*\d+\s*\]/g) ?? [];
      for (const step of steps) {
        const s = step.replace(/\s+/g, '');
        if (s.startsWith('->')) row = this.step(this.deref(row, ctx), `.${s.slice(2)}`, ctx, s);
        else row = this.step(row, s, ctx, s);
      }
      for (const op of [...m[1]].reverse()) row = op === '*' ? this.deref(row, ctx) : this.addressOf(row, ctx);
      return { ...row, evaluateName: text.trim() };
    });
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
    const name = v.name ?? '';
    const type = typeOf(v);
    const addressSize = v.unit.addressSize;
    const size = typeSize(type, addressSize);
    const base = { name, type: typeName(type), evaluateName: name };
    if (size === undefined) return { ...base, value: '<incomplete type>' };
    let loc;
    // A declaration's storage is where the ELF symbol of its name is.
    const declared = isDefinition(v) ? undefined : this.ctx.debugInfo.symbols.addressOf(name);
    try { loc = declared !== undefined ? { kind: 'memory' as const, address: declared } : variableLocation(v, fn, pc, ctx); } catch (e) {
      if (e instanceof LocationError) return { ...base, value: e.message.startsWith('<') ? e.message : `<error: ${e.message}>` };
      throw e;
    }
    const bytes = objectBytes(loc, size, ctx);
    if (typeof bytes === 'string') return { ...base, value: bytes, unsettable: `${name} is ${bytes}` };
    const address = loc.kind === 'memory' ? loc.address : undefined;
    const row = this.objectRow({ hart, type, bytes, address, path: name, addressSize }, name, ctx);
    if (loc.kind === 'register') return { ...row, register: loc.reg };
    if (loc.kind !== 'memory') return { ...row, unsettable: loc.kind === 'pieces' ? `${name} is split over registers and memory (DWARF pieces): set each part as a register or memory` : `${name} has no storage here: the compiler computes its value` };
    return row;
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
      const row = this.objectRow(obj, obj.path, ctx);
      return [this.deref(row, ctx)];
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

  /** `.member` or `[index]` applied to a row's object. */
  private step(row: ValueRow, s: string, ctx: ValueContext, shown: string): ValueRow {
    const obj = row.children;
    if (s.startsWith('.')) {
      const name = s.slice(1);
      if (obj === undefined || obj.dims !== undefined) throw new RequestError(`${row.evaluateName} is not a struct or union (it is ${row.type}), so it has no ${shown}`);
      const t = concrete(obj.type);
      if (t === undefined || (t.tag !== DW_TAG.structureType && t.tag !== DW_TAG.unionType)) throw new RequestError(`${row.evaluateName} is not a struct or union (it is ${row.type})`);
      const found = this.childRows(obj, ctx, 0, undefined).find((r) => r.name === name);
      if (found === undefined) throw new RequestError(`${row.type} has no member named ${name}`);
      return found;
    }
    const index = Number(/\d+/.exec(s)![0]);
    if (obj !== undefined && (obj.dims !== undefined || concrete(obj.type)?.tag === DW_TAG.arrayType)) {
      const dims = obj.dims ?? arrayDims(concrete(obj.type)!);
      if (index >= dims[0]) throw new RequestError(`index ${index} is outside ${row.evaluateName}, which has ${dims[0]} elements`);
      return this.childRows(obj, ctx, index, 1)[0];
    }
    // p[i] on a pointer: *(p + i).
    const p = obj === undefined ? undefined : concrete(obj.type);
    if (obj === undefined || p?.tag !== DW_TAG.pointerType) throw new RequestError(`${row.evaluateName} is not an array or a pointer (it is ${row.type})`);
    const size = typeSize(typeOf(p), obj.addressSize) ?? 1;
    const moved = { ...obj, bytes: toBytes(littleEndian(obj.bytes) + BigInt(index * size), obj.addressSize), path: `${obj.path}` };
    return { ...this.deref(this.objectRow(moved, row.name, ctx), ctx), evaluateName: `${row.evaluateName}[${index}]` };
  }

  /** `*row`: the object a pointer points at, read from memory. */
  private deref(row: ValueRow, ctx: ValueContext): ValueRow {
    const obj = row.children;
    const t = obj === undefined || obj.dims !== undefined ? undefined : concrete(obj.type);
    if (obj === undefined || t?.tag !== DW_TAG.pointerType) throw new RequestError(`${row.evaluateName ?? row.name} is not a pointer to an object (it is ${row.type})`);
    const target = typeOf(t);
    const size = typeSize(target, obj.addressSize);
    if (size === undefined) throw new RequestError(`${row.evaluateName} points at ${typeName(target)}, whose size DWARF does not give`);
    const address = littleEndian(obj.bytes);
    const path = `*${obj.path}`;
    const bytes = ctx.memory(address, size);
    if (bytes === undefined) return { name: path, value: `<error: Cannot access memory at address 0x${address.toString(16)}>`, type: typeName(target), evaluateName: path };
    return this.objectRow({ ...obj, type: target, dims: undefined, bytes, address, path }, path, ctx);
  }

  /** `&row`: a pointer to an object in memory, as gdb's MI prints it: `0x... <sym>`. */
  private addressOf(row: ValueRow, ctx: ValueContext): ValueRow {
    const obj = row.children;
    if (row.memoryReference === undefined) throw new RequestError(`${row.evaluateName} is not in memory, so it has no address`);
    const address = BigInt(row.memoryReference);
    const sym = ctx.symbolize?.(address);
    const type = `${row.type} *`;
    return { name: `&${row.evaluateName}`, value: `${row.memoryReference}${sym === undefined ? '' : ` <${sym}>`}`, type, evaluateName: `&${obj?.path ?? row.evaluateName}` };
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

/** Whether expanding a pointer shows something: not void, not a function, not a char (its string is in the value). */
function pointsAtObject(p: Die): boolean {
  const target = concrete(typeOf(p));
  if (target === undefined || target.tag === DW_TAG.subroutineType) return false;
  if (target.tag === DW_TAG.baseType && typeSize(target, 8) === 1) return false;
  return true;
}
