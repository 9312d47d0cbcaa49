/**
 * A variable's value, read from where its location says and written as gdb writes it:
 * `112 'p'` for a char, `0x80002058 <procs+88>` for a pointer into a symbol,
 * `{state = USED, pid = 2, name = "proc1", '\000' <repeats 10 times>}` for a struct.
 * Reading never has side effects (the context reads RAM and ROM only).
 */
import { concrete, DW_ATE, enumerators, members, subrangeCount, typeOf, typeSize } from './dwarf-types';
import { evaluateLocation, expressionAt, ExprContext, frameBase, littleEndian, Location, LocationError } from './dwarf-expr';
import { Die, DW_AT, DW_TAG, DwarfInfo } from './dwarf-dies';
import { CallerContext, entryRegister, entryRegisterValue, SourceFrame, variablesAt } from './dwarf-scopes';

export interface ValueContext extends ExprContext {
  /** `<symbol+offset>` for an address inside a symbol of the program, as gdb appends to pointers. */
  symbolize?(address: bigint): string | undefined;
}

/** gdb's defaults: `set print repeats 10`, `set print elements 200`. */
const REPEATS = 10;
const ELEMENTS = 200;
/** Nesting written out at most (a struct that contains itself through arrays cannot, but hostile DWARF can). */
const MAX_DEPTH = 12;

/** The bytes of an object of `size` bytes at `loc`; a string saying why when they cannot be had. */
export function objectBytes(loc: Location, size: number, ctx: ExprContext): Uint8Array | string {
  switch (loc.kind) {
    case 'optimized-out': return '<optimized out>';
    case 'memory': {
      const b = ctx.memory(loc.address, size);
      return b !== undefined && b.length >= size ? b.subarray(0, size) : `<error: Cannot access memory at address 0x${loc.address.toString(16)}>`;
    }
    case 'register': {
      const v = ctx.reg(loc.reg);
      return v === undefined ? '<not saved>' : toBytes(v, size);
    }
    case 'value': return toBytes(loc.value, size);
    case 'bytes': return loc.bytes.length >= size ? loc.bytes.subarray(0, size) : '<optimized out>';
    case 'pieces': {
      const out = new Uint8Array(size);
      let at = 0;
      for (const p of loc.pieces) {
        const b = objectBytes(p.location, p.size, ctx);
        if (typeof b === 'string') return b;
        out.set(b.subarray(0, Math.min(p.size, size - at)), at);
        at += p.size;
        if (at >= size) break;
      }
      return out;
    }
  }
}

/** `v` as `size` little-endian bytes. */
export function toBytes(v: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) { out[i] = Number(v & 0xffn); v >>= 8n; }
  return out;
}

/** Where variable `v` lives at `pc` in the frame whose function is `fn`. */
export function variableLocation(v: Die, fn: Die | undefined, pc: bigint, ctx: ExprContext): Location {
  const holder = v.has(DW_AT.location) ? v : v.has(DW_AT.constValue) ? v : v.inherited(DW_AT.location) ?? v.inherited(DW_AT.constValue);
  if (holder === undefined) return { kind: 'optimized-out' };
  const constant = holder.attr(DW_AT.constValue);
  if (constant !== undefined && !holder.has(DW_AT.location)) {
    if (constant.k === 'const') return { kind: 'value', value: BigInt(constant.v) };
    if (constant.k === 'bytes') return { kind: 'bytes', bytes: constant.v };
    return { kind: 'optimized-out' };
  }
  const expr = expressionAt(holder, DW_AT.location, pc);
  if (expr === undefined) return { kind: 'optimized-out' };
  const withBase: ExprContext = fn === undefined ? ctx : { ...ctx, frameBase: () => frameBase(fn, pc, ctx) };
  return evaluateLocation(expr, holder.unit, withBase);
}

/** A value of `type` held in a register-sized integer, as gdb prints it. */
export function formatScalar(type: Die | undefined, value: bigint, addressSize: number, ctx: ValueContext): string {
  const size = typeSize(type, addressSize) ?? addressSize;
  return formatValue(type, toBytes(value, size), addressSize, ctx, 0);
}

/** The value of variable `v` as gdb prints it, or gdb's words for why there is none. */
export function formatVariable(v: Die, fn: Die | undefined, pc: bigint, ctx: ValueContext): string {
  const type = typeOf(v);
  const size = typeSize(type, v.unit.addressSize);
  if (size === undefined) return '<incomplete type>';
  let loc: Location;
  try { loc = variableLocation(v, fn, pc, ctx); } catch (e) {
    if (e instanceof LocationError) return e.message.startsWith('<') ? e.message : `<error: ${e.message}>`;
    throw e;
  }
  const bytes = objectBytes(loc, size, ctx);
  if (typeof bytes === 'string') return bytes;
  return formatValue(type, bytes, v.unit.addressSize, ctx, 0);
}

/** `bytes` (the whole object) as a value of `type`. */
export function formatValue(type: Die | undefined, bytes: Uint8Array, addressSize: number, ctx: ValueContext, depth: number): string {
  const t = concrete(type);
  if (t === undefined) return 'void';
  if (depth > MAX_DEPTH) return '{...}';
  switch (t.tag) {
    case DW_TAG.baseType: return formatBase(t, bytes);
    case DW_TAG.enumerationType: {
      const raw = littleEndian(bytes);
      const value = signedEnum(t) ? BigInt.asIntN(bytes.length * 8, raw) : raw;
      const list = enumerators(t);
      return list.find((e) => e.value === value)?.name ?? (isFlagEnum(list) ? flagNames(list, value) : value.toString());
    }
    case DW_TAG.pointerType: case DW_TAG.referenceType: return formatPointer(t, littleEndian(bytes), addressSize, ctx);
    case DW_TAG.structureType: case DW_TAG.unionType: {
      const parts = members(t).map((m) => `${m.name} = ${formatMember(m, bytes, addressSize, ctx, depth)}`);
      return `{${parts.join(', ')}}`;
    }
    case DW_TAG.arrayType: return formatArray(t, bytes, addressSize, ctx, depth);
    case DW_TAG.subroutineType: return `{${'<text variable, no debug info>'}}`;
    default: return `<type 0x${t.tag.toString(16)}>`;
  }
}

/** gdb's flag enum: every enumerator non-negative and no two sharing a bit. */
function isFlagEnum(list: { value: bigint }[]): boolean {
  let seen = 0n;
  for (const e of list) {
    if (e.value < 0n || (seen & e.value) !== 0n) return false;
    seen |= e.value;
  }
  return list.length > 0;
}

/** A flag enum's value as gdb writes it: `(A | B)`, `(A | unknown: 0x8)`, `0`. */
function flagNames(list: { name: string; value: bigint }[], value: bigint): string {
  const names: string[] = [];
  let rest = value;
  for (const e of list) {
    if (e.value !== 0n && (rest & e.value) === e.value) { names.push(e.name); rest &= ~e.value; }
  }
  if (rest !== 0n) names.push(`unknown: 0x${rest.toString(16)}`);
  return names.length === 0 ? '0' : `(${names.join(' | ')})`;
}

export function signedEnum(t: Die): boolean {
  const under = concrete(typeOf(t));
  const enc = under?.number(DW_AT.encoding);
  return enc === DW_ATE.signed || enc === DW_ATE.signedChar || enumerators(t).some((e) => e.value < 0n);
}

export function formatMember(m: ReturnType<typeof members>[number], bytes: Uint8Array, addressSize: number, ctx: ValueContext, depth: number): string {
  const size = typeSize(m.type, addressSize) ?? 0;
  if (m.bitSize !== undefined && m.bitOffset !== undefined) {
    const whole = littleEndian(bytes);
    let v = (whole >> BigInt(m.bitOffset)) & ((1n << BigInt(m.bitSize)) - 1n);
    const base = concrete(m.type);
    const enc = base?.number(DW_AT.encoding);
    if ((enc === DW_ATE.signed || enc === DW_ATE.signedChar) && (v >> BigInt(m.bitSize - 1)) === 1n) v -= 1n << BigInt(m.bitSize);
    return base?.tag === DW_TAG.baseType ? formatBase(base, toBytes(v, Math.max(1, size))) : v.toString();
  }
  return formatValue(m.type, bytes.subarray(m.offset, m.offset + size), addressSize, ctx, depth + 1);
}

function formatBase(t: Die, bytes: Uint8Array): string {
  const enc = t.number(DW_AT.encoding);
  const raw = littleEndian(bytes);
  switch (enc) {
    case DW_ATE.boolean: return raw === 0n ? 'false' : raw === 1n ? 'true' : raw.toString();
    case DW_ATE.signed: return BigInt.asIntN(bytes.length * 8, raw).toString();
    case DW_ATE.signedChar: case DW_ATE.unsignedChar: {
      const v = enc === DW_ATE.signedChar ? Number(BigInt.asIntN(8, raw)) : Number(raw);
      return `${v} ${charLiteral(Number(raw) & 0xff, "'")}`;
    }
    case DW_ATE.float: {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      if (bytes.length === 4) return formatFloat(view.getFloat32(0, true));
      if (bytes.length === 8) return formatFloat(view.getFloat64(0, true));
      return `<${bytes.length}-byte float>`;
    }
    default: return raw.toString();
  }
}

/** gdb prints floats with up to 9 (float) or 17 (double) significant digits, shortest that round-trips. */
function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan(0x8000000000000)';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return String(v);
}

/** A character as C writes it in a literal: `'a'`, `'\n'`, `'\000'`. */
function charLiteral(c: number, quote: string): string {
  return `${quote}${charBody(c, quote)}${quote}`;
}

function charBody(c: number, quote: string): string {
  const named: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 27: '\\033', 92: '\\\\' };
  if (named[c] !== undefined) return named[c];
  if (String.fromCharCode(c) === quote) return `\\${quote}`;
  if (c >= 0x20 && c < 0x7f) return String.fromCharCode(c);
  return `\\${c.toString(8).padStart(3, '0')}`;
}

function formatPointer(t: Die, address: bigint, addressSize: number, ctx: ValueContext): string {
  const hex = `0x${address.toString(16)}`;
  const target = concrete(typeOf(t));
  const sym = address === 0n ? undefined : ctx.symbolize?.(address);
  const at = sym === undefined ? hex : `${hex} <${sym}>`;
  // char pointers show the string they point at, as gdb does (up to 200 characters).
  if (target?.tag === DW_TAG.baseType && isCharType(target) && address !== 0n) {
    const s = readCString(address, ctx);
    return s === undefined ? `${at} <error: Cannot access memory at address ${hex}>` : `${at} ${s}`;
  }
  return at;
}

function isCharType(t: Die): boolean {
  const enc = t.number(DW_AT.encoding);
  return (enc === DW_ATE.signedChar || enc === DW_ATE.unsignedChar) && t.number(DW_AT.byteSize) === 1;
}

function readCString(address: bigint, ctx: ExprContext): string | undefined {
  const chars: number[] = [];
  for (let at = address; chars.length < ELEMENTS; at += 1n) {
    const b = ctx.memory(at, 1);
    if (b === undefined || b.length === 0) return chars.length === 0 ? undefined : `${quoteRun(chars)}...`;
    if (b[0] === 0) return quoteRun(chars);
    chars.push(b[0]);
  }
  return `${quoteRun(chars)}...`;
}

function quoteRun(chars: number[]): string {
  return `"${chars.map((c) => charBody(c, '"')).join('')}"`;
}

/** Arrays as gdb prints them: runs of more than REPEATS equal elements folded, char arrays as strings. */
function formatArray(t: Die, bytes: Uint8Array, addressSize: number, ctx: ValueContext, depth: number): string {
  return formatArrayOf(typeOf(t), arrayDims(t), bytes, addressSize, ctx, depth);
}

/** An array type's dimensions, outermost first (0 for one without a bound). */
export function arrayDims(t: Die): number[] {
  return t.children.filter((c) => c.tag === DW_TAG.subrangeType).map((c) => subrangeCount(c) ?? 0);
}

/** An array of `dims` elements of type `elem` (a sub-array of a multi-dimensional one too). */
export function formatArrayOf(elem: Die | undefined, dims: readonly number[], bytes: Uint8Array, addressSize: number, ctx: ValueContext, depth: number): string {
  const elemSize = typeSize(elem, addressSize) ?? 1;
  const ce = concrete(elem);
  const charArray = ce?.tag === DW_TAG.baseType && isCharType(ce);
  const format = (dim: number, at: number): string => {
    const count = dims[dim];
    const stride = dims.slice(dim + 1).reduce((a, b) => a * b, elemSize);
    if (dim === dims.length - 1 && charArray) return formatCharArray(bytes.subarray(at, at + count));
    const items: string[] = [];
    for (let i = 0; i < count && i < ELEMENTS; i++) {
      const off = at + i * stride;
      items.push(dim < dims.length - 1 ? format(dim + 1, off) : formatValue(elem, bytes.subarray(off, off + elemSize), addressSize, ctx, depth + 1));
    }
    const folded = foldRepeats(items);
    return `{${folded.join(', ')}${count > ELEMENTS ? '...' : ''}}`;
  };
  return dims.length === 0 ? '{}' : format(0, 0);
}

function foldRepeats(items: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < items.length;) {
    let j = i + 1;
    while (j < items.length && items[j] === items[i]) j++;
    if (j - i > REPEATS) out.push(`${items[i]} <repeats ${j - i} times>`);
    else for (let k = i; k < j; k++) out.push(items[k]);
    i = j;
  }
  return out;
}

/**
 * A char array as gdb prints it with `print null-stop off`: the text in quotes, runs of
 * REPEATS or more equal characters as `'c' <repeats N times>`, one trailing NUL dropped.
 */
function formatCharArray(b: Uint8Array): string {
  let chars = [...b];
  if (chars.length > 0 && chars[chars.length - 1] === 0) chars = chars.slice(0, -1);
  if (chars.length === 0) return '""';
  const parts: string[] = [];
  let text: number[] = [];
  for (let i = 0; i < chars.length;) {
    let j = i + 1;
    while (j < chars.length && chars[j] === chars[i]) j++;
    if (j - i > REPEATS) {
      if (text.length > 0) { parts.push(quoteRun(text)); text = []; }
      parts.push(`${charLiteral(chars[i], "'")} <repeats ${j - i} times>`);
    } else for (let k = i; k < j; k++) text.push(chars[k]);
    i = j;
  }
  if (text.length > 0) parts.push(quoteRun(text));
  return parts.join(', ');
}

/**
 * A frame's arguments and locals as gdb's `-stack-list-variables --all-values` lists
 * them: innermost block first; each argument followed by `name@entry` when the caller's
 * call site tells the value it was called with.
 */
export function frameVariables(info: DwarfInfo, frame: SourceFrame, pc: bigint, ctx: ValueContext,
  caller: CallerContext | undefined): { name: string; value: string; die: Die }[] {
  const withEntry: ValueContext = caller === undefined || frame.inlined ? ctx : { ...ctx, entryValue: (reg) => entryRegisterValue(info, reg, caller) };
  const vars = variablesAt(frame, pc);
  const rows: { name: string; value: string; die: Die }[] = [];
  for (const d of vars.ordered) {
    const name = d.name ?? '';
    rows.push({ name, value: formatVariable(d, frame.function, pc, withEntry), die: d });
    if (caller === undefined || frame.inlined || d.tag !== DW_TAG.formalParameter) continue;
    const reg = entryRegister(d, frame.function);
    const v = reg === undefined ? undefined : entryRegisterValue(info, reg, caller);
    if (v !== undefined) rows.push({ name: `${name}@entry`, value: formatScalar(typeOf(d), v, d.unit.addressSize, ctx), die: d });
  }
  return rows;
}
