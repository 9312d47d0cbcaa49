/**
 * C expressions given their meaning over the program's DWARF types, as C11 §6.5 and gdb
 * give it: every value has a type; integer promotions and the usual arithmetic
 * conversions (§6.3.1) decide the type of arithmetic; pointers add and subtract in
 * elements; arrays decay to pointers; `.`, `->`, `[]`, `*`, `&`, casts and `sizeof` walk
 * the types. Registers, CSRs, device registers, ELF symbols without DWARF and literals are
 * "machine" values: expressions made only of them keep the machine-level view (shown in
 * hex and decimal). Synchronous: names and memory come from a CEnv (program-state.ts
 * supplies one over its page cache).
 */
import { AttrValue, Die, DW_AT, DW_TAG, MadeType } from './dwarf-dies';
import { concrete, DW_ATE, members, Member, typeName, typeOf, typeSize } from './dwarf-types';
import { arrayDims, signedEnum, toBytes } from './dwarf-values';
import { littleEndian } from './dwarf-expr';
import { Expr, TypeName, TYPE_KEYWORDS } from './expressions';

/** A value: its type, its bytes and where it lives. */
export interface CValue {
  /** undefined: void. */
  readonly type: Die | undefined;
  readonly bytes: Uint8Array;
  /** In memory at this address (an lvalue `&` can take). */
  readonly address?: bigint;
  /** In this integer register of the top frame. */
  readonly register?: number;
  /** The C text that names it, for Add to Watch. */
  readonly path: string;
  /**
   * true: a machine-level value (registers, CSRs, device registers, ELF symbols without
   * DWARF, and what they make with literals); false: the program's (DWARF); undefined:
   * literals alone. Only true is shown in hex and decimal.
   */
  readonly machine?: boolean;
  /** Why there is no value (`<optimized out>`): shown as the value, an error when used. */
  readonly missing?: string;
  /** Why Set Value cannot write it (split in pieces, computed by the compiler). */
  readonly unsettable?: string;
}

/** What a machine-level name holds and which C type it has. */
export interface MachineValue { readonly value: bigint; readonly type: 'long' | 'unsigned long' | 'unsigned long long' | 'int' }

export interface CEnv {
  readonly addressSize: 4 | 8;
  /** A variable of the program (DWARF) visible here, by name. */
  variable(name: string): CValue | undefined;
  /** An ELF symbol, for programs or names without DWARF. */
  symbol(name: string): { address: bigint; size: number; isFunction: boolean } | undefined;
  /** `$a0`, `a0`, `$pc`, `$priv`, `$mstatus`, `uart0.LSR`, `plic.claim[1]`: fetched before evaluation. */
  machine(name: string): MachineValue | undefined;
  /** A named type (`struct proc`, `proc_t`); null when there is none. Base types (`unsigned long`) are made here. */
  namedType(words: readonly string[]): Die | null;
  /** Memory through the hart's translation; undefined where nothing readable is. */
  memory(address: bigint, size: number): Uint8Array | undefined;
}

/** An error in the user's expression: its message is what they see. */
export class CError extends Error {}

const fail = (message: string): never => { throw new CError(message); };

// ---------------------------------------------------------------- types

const constAttr = (v: number): AttrValue => ({ k: 'const', v, signed: false });
const made = new Map<string, Die>();

/** A base type by its C name, for `addressSize` (long and pointers follow it). */
export function baseType(name: string, addressSize: number): Die {
  const key = `${name}/${addressSize}`;
  let t = made.get(key);
  if (t === undefined) {
    const spec = BASE[name];
    const bytes = spec[0] === 'word' ? addressSize : spec[0];
    t = new MadeType(DW_TAG.baseType, [[DW_AT.name, { k: 'str', v: name }], [DW_AT.byteSize, constAttr(bytes)], [DW_AT.encoding, constAttr(spec[1])]]);
    made.set(key, t);
  }
  return t;
}

/** C's base types and the fixed-width typedefs a program without DWARF for them may still name. */
const BASE: Readonly<Record<string, readonly ['word' | number, number]>> = {
  char: [1, DW_ATE.unsignedChar], 'signed char': [1, DW_ATE.signedChar], 'unsigned char': [1, DW_ATE.unsignedChar],
  short: [2, DW_ATE.signed], 'unsigned short': [2, DW_ATE.unsigned], int: [4, DW_ATE.signed], 'unsigned int': [4, DW_ATE.unsigned],
  long: ['word', DW_ATE.signed], 'unsigned long': ['word', DW_ATE.unsigned], 'long long': [8, DW_ATE.signed],
  'unsigned long long': [8, DW_ATE.unsigned], _Bool: [1, DW_ATE.boolean], float: [4, DW_ATE.float], double: [8, DW_ATE.float],
  int8_t: [1, DW_ATE.signed], uint8_t: [1, DW_ATE.unsigned], int16_t: [2, DW_ATE.signed], uint16_t: [2, DW_ATE.unsigned],
  int32_t: [4, DW_ATE.signed], uint32_t: [4, DW_ATE.unsigned], int64_t: [8, DW_ATE.signed], uint64_t: [8, DW_ATE.unsigned],
  intptr_t: ['word', DW_ATE.signed], uintptr_t: ['word', DW_ATE.unsigned], size_t: ['word', DW_ATE.unsigned], ssize_t: ['word', DW_ATE.signed],
};

/** The fixed-width names a program may use without DWARF describing them. */
export function isFixedWidthName(name: string): boolean { return BASE[name] !== undefined && !TYPE_KEYWORDS.has(name.split(' ')[0]); }

/**
 * C's spelling of a list of base type keywords (C11 §6.7.2 ¶2: `long unsigned int` is
 * `unsigned long`); undefined when they are not a base type, null for void.
 */
export function baseTypeName(words: readonly string[]): string | null | undefined {
  if (words.length === 0 || words.some((w) => !TYPE_KEYWORDS.has(w))) return undefined;
  const n = (w: string) => words.filter((x) => x === w).length;
  if (n('void') > 0) return words.length === 1 ? null : undefined;
  const unsigned = n('unsigned') > 0;
  if (n('_Bool') > 0) return '_Bool';
  if (n('float') > 0) return 'float';
  if (n('double') > 0) return n('long') > 0 ? undefined : 'double';
  if (n('char') > 0) return unsigned ? 'unsigned char' : n('signed') > 0 ? 'signed char' : 'char';
  const u = unsigned ? 'unsigned ' : '';
  if (n('short') > 0) return `${u}short`;
  if (n('long') === 1) return `${u}long`;
  if (n('long') === 2) return `${u}long long`;
  return `${u}int`;
}

export function pointerTo(t: Die | undefined, addressSize: number): Die {
  return new MadeType(DW_TAG.pointerType, [[DW_AT.byteSize, constAttr(addressSize)]], t);
}

/** The array type `elem [d0][d1]...`. */
function arrayOf(elem: Die | undefined, dims: readonly number[]): Die {
  return new MadeType(DW_TAG.arrayType, [], elem, dims.map((d) => new MadeType(DW_TAG.subrangeType, [[DW_AT.count, constAttr(d)]])));
}

/** A type name resolved: its specifiers, then a pointer for each `*`. */
export function resolveTypeName(t: TypeName, env: CEnv): Die | undefined {
  const base = baseTypeName(t.words);
  let type: Die | undefined;
  if (base === null) type = undefined;
  else if (base !== undefined) type = baseType(base, env.addressSize);
  else {
    const found = env.namedType(t.words);
    if (found !== null) type = found;
    else if (isFixedWidthName(t.words.join(' '))) type = baseType(t.words.join(' '), env.addressSize);
    else return fail(`No symbol "${t.words.join(' ')}" in current context.`);
  }
  for (let i = 0; i < t.pointers; i++) type = pointerTo(type, env.addressSize);
  return type;
}

type Shape = 'void' | 'int' | 'float' | 'pointer' | 'array' | 'struct' | 'function';

function shapeOf(t: Die | undefined): Shape {
  const c = concrete(t);
  if (c === undefined) return 'void';
  switch (c.tag) {
    case DW_TAG.baseType: return c.number(DW_AT.encoding) === DW_ATE.float ? 'float' : 'int';
    case DW_TAG.enumerationType: return 'int';
    case DW_TAG.pointerType: case DW_TAG.referenceType: return 'pointer';
    case DW_TAG.arrayType: return 'array';
    case DW_TAG.structureType: case DW_TAG.unionType: return 'struct';
    case DW_TAG.subroutineType: return 'function';
    default: return 'struct';
  }
}

function sizeOf(t: Die | undefined, addressSize: number): number {
  if (t === undefined) return 1; // gdb's sizeof(void), as GNU C's
  const s = typeSize(t, addressSize);
  return s ?? fail('Attempt to use a type with no size (an incomplete type).');
}

function isSigned(t: Die | undefined): boolean {
  const c = concrete(t);
  if (c === undefined) return false;
  if (c.tag === DW_TAG.enumerationType) return signedEnum(c);
  const enc = c.number(DW_AT.encoding);
  return enc === DW_ATE.signed || enc === DW_ATE.signedChar;
}

// ---------------------------------------------------------------- values

/** An integer value of an integer or pointer type, as the type reads its bytes. */
function integer(v: CValue): bigint {
  const raw = littleEndian(v.bytes);
  return shapeOf(v.type) === 'int' && isSigned(v.type) ? BigInt.asIntN(v.bytes.length * 8, raw) : raw;
}

function float(v: CValue): number {
  const view = new DataView(v.bytes.buffer, v.bytes.byteOffset, v.bytes.length);
  return v.bytes.length === 4 ? view.getFloat32(0, true) : view.getFloat64(0, true);
}

function ofInteger(n: bigint, type: Die, addressSize: number, path: string, machine: boolean | undefined): CValue {
  const size = sizeOf(type, addressSize);
  return { type, bytes: toBytes(BigInt.asUintN(size * 8, n), size), path, machine };
}

function ofFloat(x: number, type: Die, path: string, machine: boolean | undefined): CValue {
  const bytes = new Uint8Array(typeSize(type, 8) ?? 8);
  const view = new DataView(bytes.buffer);
  if (bytes.length === 4) view.setFloat32(0, x, true); else view.setFloat64(0, x, true);
  return { type, bytes, path, machine };
}

/** A scalar's value as a number for a condition, a log point or an address: integers, pointers, arrays (decayed). */
export function scalarOf(v: CValue): bigint {
  if (v.missing !== undefined) return fail(`${v.path} is ${v.missing}`);
  switch (shapeOf(v.type)) {
    case 'int': case 'pointer': return integer(v);
    case 'float': return BigInt(Math.trunc(float(v)));
    case 'array': case 'function':
      if (v.address === undefined) return fail(`${v.path} is not in memory, so it has no address`);
      return v.address;
    case 'void': return fail(`${v.path} is void, it has no value`);
    default: return fail(`${v.path} is a struct or union, not a number`);
  }
}

/** Whether a type keeps a machine-level value machine-level: integers, and pointers to integers or void. */
function machineType(t: Die | undefined): boolean {
  const c = concrete(t);
  if (c?.tag === DW_TAG.baseType) return c.number(DW_AT.encoding) !== DW_ATE.float;
  if (c?.tag !== DW_TAG.pointerType) return false;
  const target = concrete(typeOf(c));
  return target === undefined || (target.tag === DW_TAG.baseType && target.number(DW_AT.encoding) !== DW_ATE.float);
}

/** What a result made of operands is: the program's if any is, else machine-level if any is. */
function mix(a: boolean | undefined, b: boolean | undefined): boolean | undefined {
  return a === false || b === false ? false : a === true || b === true ? true : undefined;
}

/** A machine-level value converted to `t` stays one only when `t` is an integer or a pointer to one. */
const keep = (machine: boolean | undefined, t: Die | undefined) => (machine === true && !machineType(t) ? false : machine);

/** `p` as a part of a longer path: parenthesised unless it is a plain name, member or element chain. */
const operand = (p: string) => (/^[\w$]+(?:(?:\.|->)\w+|\[\d+\])*$/.test(p) ? p : `(${p})`);

// ---------------------------------------------------------------- the evaluator

export function evaluateC(e: Expr, env: CEnv): CValue {
  const A = env.addressSize;
  const int = baseType('int', A);
  let sizing = 0; // inside sizeof: nothing is read (C11 §6.5.3.4 ¶2)

  const need = (v: CValue): CValue => (v.missing !== undefined ? fail(`${v.path} is ${v.missing}`) : v);

  const load = (address: bigint, size: number): Uint8Array => {
    if (sizing > 0) return new Uint8Array(size);
    const b = env.memory(address, size);
    return b !== undefined && b.length >= size ? b.subarray(0, size) : fail(`Cannot access memory at address 0x${BigInt.asUintN(A * 8, address).toString(16)}`);
  };

  /** Arrays and functions as the pointers C turns them into in an expression (§6.3.2.1). */
  const decay = (v: CValue): CValue => {
    const s = shapeOf(v.type);
    if (s !== 'array' && s !== 'function') return v;
    if (v.address === undefined) return fail(`Attempt to take address of value not located in memory.`);
    const target = s === 'function' ? v.type : elementOf(v.type!);
    return { type: pointerTo(target, A), bytes: toBytes(v.address, A), path: v.path, machine: v.machine };
  };

  const elementOf = (array: Die): Die | undefined => {
    const c = concrete(array)!;
    const dims = arrayDims(c);
    return dims.length > 1 ? arrayOf(typeOf(c), dims.slice(1)) : typeOf(c);
  };

  /** `*p`: the object a pointer (or, at the machine level, an integer address) points at. */
  const deref = (p: CValue, path: string): CValue => {
    const v = decay(need(p));
    const s = shapeOf(v.type);
    if (s === 'int' && v.machine !== false) { // `*0x80001000`, `*$sp`: a machine word, as the console has always read it
      const address = integer(v);
      return { type: baseType('unsigned long', A), bytes: load(address, A), address, path, machine: v.machine };
    }
    if (s !== 'pointer') return fail(`Attempt to take contents of a non-pointer value.`);
    const target = typeOf(concrete(v.type)!);
    const address = integer(v);
    if (target === undefined) return fail(`Attempt to take contents of a non-pointer value.`);
    if (shapeOf(target) === 'function') return { type: target, bytes: new Uint8Array(0), address, path };
    const size = typeSize(target, A) ?? fail(`${path}: its type has no size (an incomplete type)`);
    return { type: target, bytes: load(address, size), address, path, machine: keep(v.machine, target) };
  };

  const member = (v: CValue, name: string, path: string): CValue => {
    const t = concrete(v.type);
    if (t === undefined || (t.tag !== DW_TAG.structureType && t.tag !== DW_TAG.unionType)) {
      return fail(`${v.path} is not a struct or union (it is ${typeName(v.type)}), so it has no member ${name}`);
    }
    const found = findMember(t, name, 0);
    if (found === undefined) return fail(`${typeName(v.type)} has no member named ${name}`);
    const { m, offset } = found;
    if (m.bitSize !== undefined && m.bitOffset !== undefined) {
      const start = offset * 8 + m.bitOffset;
      const size = typeSize(m.type, A) ?? 4;
      const whole = littleEndian(v.bytes);
      let bits = (whole >> BigInt(start)) & ((1n << BigInt(m.bitSize)) - 1n);
      if (isSigned(m.type) && (bits >> BigInt(m.bitSize - 1)) === 1n) bits -= 1n << BigInt(m.bitSize);
      return { type: m.type, bytes: toBytes(BigInt.asUintN(size * 8, bits), size), path, machine: false };
    }
    const size = typeSize(m.type, A) ?? Math.max(0, v.bytes.length - offset - m.offset); // a flexible array member: what is left
    const at = offset + m.offset;
    return { type: m.type, bytes: v.bytes.subarray(at, at + size), address: v.address === undefined ? undefined : v.address + BigInt(at), path, machine: false };
  };

  const index = (v: CValue, i: bigint, path: string): CValue => {
    const t = concrete(v.type);
    if (t?.tag === DW_TAG.arrayType) {
      const dims = arrayDims(t);
      if (dims[0] > 0 && (i < 0n || i >= BigInt(dims[0]))) return fail(`index ${i} is outside ${v.path}, which has ${dims[0]} elements`);
      const elem = elementOf(v.type!);
      const stride = sizeOf(elem, A);
      const at = Number(i) * stride;
      if (v.address !== undefined && (at < 0 || at + stride > v.bytes.length)) {
        return { type: elem, bytes: load(v.address + BigInt(at), stride), address: v.address + BigInt(at), path, machine: false };
      }
      return { type: elem, bytes: v.bytes.subarray(at, at + stride), address: v.address === undefined ? undefined : v.address + BigInt(at), path, machine: false };
    }
    if (shapeOf(v.type) !== 'pointer') return fail(`${v.path} is not an array or a pointer (it is ${typeName(v.type)})`);
    return deref(pointerAdd(v, i), path);
  };

  const pointerAdd = (p: CValue, n: bigint): CValue => {
    const target = typeOf(concrete(p.type)!);
    const stride = BigInt(target === undefined ? 1 : sizeOf(target, A));
    return { type: p.type, bytes: toBytes(BigInt.asUintN(A * 8, integer(p) + n * stride), A), path: p.path, machine: p.machine };
  };

  /** An integer type after the integer promotions (§6.3.1.1): smaller than int, bools and enums become int. */
  const promoted = (t: Die | undefined): Die => {
    const c = concrete(t)!;
    const size = sizeOf(t, A);
    if (c.tag === DW_TAG.enumerationType) return size > 4 ? baseType(isSigned(c) ? 'long long' : 'unsigned long long', A) : baseType(isSigned(c) || size < 4 ? 'int' : 'unsigned int', A);
    if (size < 4 || c.number(DW_AT.encoding) === DW_ATE.boolean) return int;
    return t!;
  };

  /** The usual arithmetic conversions (§6.3.1.8) on integer types, by size as ranks. */
  const common = (a: Die | undefined, b: Die | undefined): Die => {
    const x = promoted(a), y = promoted(b);
    const xs = sizeOf(x, A), ys = sizeOf(y, A), xu = !isSigned(x), yu = !isSigned(y);
    if (xs === ys && xu === yu) return x;
    if (xu === yu) return xs > ys ? x : y;
    const [u, us, s, ss] = xu ? [x, xs, y, ys] : [y, ys, x, xs];
    return us >= ss ? u : s;
  };

  const truth = (v: CValue): boolean => {
    const d = decay(need(v));
    const s = shapeOf(d.type);
    if (s === 'float') return float(d) !== 0;
    if (s === 'int' || s === 'pointer') return integer(d) !== 0n;
    return fail(`${v.path} is not a scalar, so it is neither true nor false`);
  };

  const numeric = (v: CValue): bigint | number => (shapeOf(v.type) === 'float' ? float(v) : integer(v));

  const binary = (op: string, l: CValue, r: CValue, path: string): CValue => {
    const machine = mix(l.machine, r.machine);
    const a = decay(need(l)), b = decay(need(r));
    const sa = shapeOf(a.type), sb = shapeOf(b.type);
    if (sa === 'struct' || sb === 'struct' || sa === 'void' || sb === 'void') return fail(`Argument to arithmetic operation not a number or boolean.`);
    // Pointer arithmetic (§6.5.6): in elements of the pointed-at type.
    if (sa === 'pointer' || sb === 'pointer') {
      if (op === '+' && sa === 'pointer' && sb === 'int') return { ...pointerAdd(a, integer(b)), path, machine };
      if (op === '+' && sb === 'pointer' && sa === 'int') return { ...pointerAdd(b, integer(a)), path, machine };
      if (op === '-' && sa === 'pointer' && sb === 'int') return { ...pointerAdd(a, -integer(b)), path, machine };
      if (op === '-' && sa === 'pointer' && sb === 'pointer') {
        const target = typeOf(concrete(a.type)!);
        const stride = BigInt(target === undefined ? 1 : sizeOf(target, A));
        return ofInteger((BigInt.asIntN(A * 8, integer(a) - integer(b))) / stride, baseType('long', A), A, path, machine);
      }
      if (['==', '!=', '<', '>', '<=', '>='].includes(op) && (sa !== 'float' && sb !== 'float')) {
        return ofInteger(compare(op, BigInt.asUintN(A * 8, integer(a)), BigInt.asUintN(A * 8, integer(b))) ? 1n : 0n, int, A, path, machine);
      }
      if (op === '&' || op === '|' || op === '^' || op === '<<' || op === '>>') {
        // Machine-level convenience (`$sp & ~0xf`): a pointer's bits as an unsigned long.
        const asLong = (v: CValue) => (shapeOf(v.type) === 'pointer' ? ofInteger(integer(v), baseType('unsigned long', A), A, v.path, v.machine) : v);
        return binary(op, asLong(a), asLong(b), path);
      }
      return fail(`Argument to arithmetic operation not a number or boolean.`);
    }
    if (sa === 'float' || sb === 'float') {
      const x = Number(numeric(a)), y = Number(numeric(b));
      const type = baseType(sizeOf(a.type, A) <= 4 && sizeOf(b.type, A) <= 4 && sa === 'float' && sb === 'float' ? 'float' : 'double', A);
      switch (op) {
        case '+': return ofFloat(x + y, type, path, machine);
        case '-': return ofFloat(x - y, type, path, machine);
        case '*': return ofFloat(x * y, type, path, machine);
        case '/': return ofFloat(x / y, type, path, machine);
        case '==': case '!=': case '<': case '>': case '<=': case '>=': return ofInteger(compare(op, x, y) ? 1n : 0n, int, A, path, machine);
        default: return fail(`Integer only operation ${op}.`);
      }
    }
    if (op === '<<' || op === '>>') {
      const type = promoted(a.type);
      const bits = BigInt(sizeOf(type, A) * 8);
      const x = integer(ofInteger(integer(a), type, A, path, machine)), n = integer(b);
      // C leaves these undefined and gdb warns and gives 0: a CSR written with `1 << 63` must not silently get 0.
      if (n < 0n || n >= bits) return fail(`shift count ${n} is not within the ${bits} bits of ${typeName(type)}${n >= bits ? ` (write ${integer(a)}UL ${op} ${n} for a wider type)` : ''}`);
      return ofInteger(op === '<<' ? x << n : x >> n, type, A, path, machine);
    }
    const type = common(a.type, b.type);
    const cast = (v: CValue) => integer(ofInteger(integer(v), type, A, v.path, false));
    const x = cast(a), y = cast(b);
    switch (op) {
      case '+': return ofInteger(x + y, type, A, path, machine);
      case '-': return ofInteger(x - y, type, A, path, machine);
      case '*': return ofInteger(x * y, type, A, path, machine);
      case '/': case '%':
        if (y === 0n) return fail('Division by zero');
        return ofInteger(op === '/' ? x / y : x % y, type, A, path, machine);
      case '&': return ofInteger(x & y, type, A, path, machine);
      case '|': return ofInteger(x | y, type, A, path, machine);
      case '^': return ofInteger(x ^ y, type, A, path, machine);
      default: return ofInteger(compare(op, x, y) ? 1n : 0n, int, A, path, machine);
    }
  };

  const cast = (t: Die | undefined, v: CValue, path: string): CValue => {
    const machine = keep(v.machine, t);
    const target = shapeOf(t);
    if (target === 'void') return { type: undefined, bytes: new Uint8Array(0), path, machine };
    const from = decay(need(v));
    const s = shapeOf(from.type);
    if (target === 'int' || target === 'pointer') {
      if (s === 'float') return ofInteger(BigInt(Math.trunc(float(from))), t!, A, path, machine);
      if (s === 'int' || s === 'pointer') return ofInteger(integer(from), t!, A, path, machine);
    }
    if (target === 'float' && (s === 'int' || s === 'float')) return ofFloat(Number(numeric(from)), t!, path, machine);
    return fail('Invalid cast.');
  };

  const name = (n: string): CValue => {
    if (!n.startsWith('$')) {
      const v = env.variable(n);
      if (v !== undefined) return { ...v, machine: false };
      const sym = env.symbol(n);
      if (sym !== undefined) {
        const address = BigInt.asUintN(A * 8, sym.address);
        // Without DWARF a symbol has no type: a scalar-sized object is its contents, anything else its address.
        if (!sym.isFunction && (sym.size === 1 || sym.size === 2 || sym.size === 4 || sym.size === 8)) {
          const type = baseType(sym.size === A ? 'unsigned long' : ({ 1: 'unsigned char', 2: 'unsigned short', 4: 'unsigned int', 8: 'unsigned long long' } as const)[sym.size], A);
          return { type, bytes: load(address, sym.size), address, path: n, machine: true };
        }
        return ofInteger(address, baseType('long', A), A, n, true);
      }
    }
    const m = env.machine(n);
    if (m !== undefined) return ofInteger(m.value, baseType(m.type, A), A, n, true);
    return fail(`'${n}' is not a register, CSR, symbol or device register`);
  };

  /** A bare name that is no variable, symbol or register may be a device: `uart0.LSR`. */
  const deviceRegister = (x: Expr): CValue | undefined => {
    let text: string | undefined;
    if (x.kind === 'member' && !x.arrow && x.arg.kind === 'name') text = `${x.arg.name}.${x.name}`;
    else if (x.kind === 'index' && x.index.kind === 'num' && x.arg.kind === 'member' && !x.arg.arrow && x.arg.arg.kind === 'name') text = `${x.arg.arg.name}.${x.arg.name}[${x.index.value}]`;
    if (text === undefined) return undefined;
    const root = text.slice(0, text.indexOf('.'));
    if (env.variable(root) !== undefined || env.symbol(root) !== undefined) return undefined;
    const m = env.machine(text);
    return m === undefined ? undefined : ofInteger(m.value, baseType(m.type, A), A, text, true);
  };

  // The parser bounds the tree (EXPRESSION_LIMITS): its depth is at most its token count.
  const go = (x: Expr): CValue => {
    switch (x.kind) {
      case 'num': return literal(x, A);
      case 'name': return name(x.name);
      case 'unary': {
        const v = decay(need(go(x.arg)));
        const path = `${x.op}${operand(v.path)}`;
        if (x.op === '!') return ofInteger(truth(v) ? 0n : 1n, int, A, path, v.machine);
        const s = shapeOf(v.type);
        if (s === 'float' && x.op !== '~') return ofFloat(x.op === '-' ? -float(v) : float(v), v.type!, path, v.machine);
        if (s !== 'int') return fail(`Argument to ${x.op === '~' ? 'complement' : 'arithmetic'} operation not a number or boolean.`);
        const type = promoted(v.type);
        const n = integer(ofInteger(integer(v), type, A, path, false));
        return ofInteger(x.op === '-' ? -n : x.op === '~' ? ~n : n, type, A, path, v.machine);
      }
      case 'deref': {
        const v = go(x.arg);
        return deref(v, `*${operand(v.path)}`);
      }
      case 'addr': {
        const v = go(x.arg);
        if (v.address === undefined) return fail(`Attempt to take address of value not located in memory.`);
        const type = pointerTo(v.type, A);
        return { type, bytes: toBytes(v.address, A), path: `&${operand(v.path)}`, machine: keep(v.machine, type) };
      }
      case 'cast': {
        const t = resolveTypeName(x.type, env);
        const v = go(x.arg);
        return cast(t, v, `(${spelling(x.type)})${operand(v.path)}`);
      }
      case 'sizeof': {
        if (x.type !== undefined) return ofInteger(BigInt(sizeOf(resolveTypeName(x.type, env), A)), baseType('unsigned long', A), A, `sizeof(${spelling(x.type)})`, false);
        sizing++;
        try {
          const v = go(x.arg!);
          return ofInteger(BigInt(v.type === undefined ? 1 : typeSize(v.type, A) ?? v.bytes.length), baseType('unsigned long', A), A, `sizeof(${v.path})`, false);
        } finally { sizing--; }
      }
      case 'member': {
        const device = deviceRegister(x);
        if (device !== undefined) return device;
        const v = go(x.arg);
        if (x.arrow) {
          const target = deref(v, `*${operand(v.path)}`);
          return member(target, x.name, `${operand(v.path)}->${x.name}`);
        }
        return member(need(v), x.name, `${operand(v.path)}.${x.name}`);
      }
      case 'index': {
        const device = deviceRegister(x);
        if (device !== undefined) return device;
        const v = go(x.arg);
        const i = go(x.index);
        if (shapeOf(decay(need(i)).type) !== 'int') return fail('the index is not an integer');
        const n = integer(need(i));
        return index(need(v), n, `${operand(v.path)}[${n}]`);
      }
      case 'binary': {
        if (x.op === '&&' || x.op === '||') {
          const l = go(x.left);
          const left = truth(l);
          if (x.op === '&&' ? !left : left) return ofInteger(left ? 1n : 0n, int, A, `${l.path} ${x.op} …`, l.machine);
          const r = go(x.right);
          return ofInteger(truth(r) ? 1n : 0n, int, A, `${operand(l.path)} ${x.op} ${operand(r.path)}`, mix(l.machine, r.machine));
        }
        const l = go(x.left), r = go(x.right);
        return binary(x.op, l, r, `${operand(l.path)} ${x.op} ${operand(r.path)}`);
      }
    }
  };
  return go(e);
}

const spelling = (t: TypeName) => `${t.words.join(' ')}${t.pointers > 0 ? ` ${'*'.repeat(t.pointers)}` : ''}`;

function compare(op: string, x: bigint | number, y: bigint | number): boolean {
  switch (op) {
    case '==': return x === y;
    case '!=': return x !== y;
    case '<': return x < y;
    case '>': return x > y;
    case '<=': return x <= y;
    default: return x >= y;
  }
}

/** A literal's type (C11 §6.4.4.1 ¶5): the first of its candidates that holds its value. */
function literal(x: Extract<Expr, { kind: 'num' }>, addressSize: number): CValue {
  const candidates: string[] = [];
  const add = (signed: string[], unsigned: string[]) => {
    for (let k = 0; k < signed.length; k++) {
      if (!x.unsigned) candidates.push(signed[k]);
      if (x.unsigned || !x.decimal) candidates.push(unsigned[k]);
    }
  };
  const ranks = ['int', 'long', 'long long'].slice(x.long);
  add(ranks, ranks.map((r) => `unsigned ${r}`));
  // A decimal too big for long long: unsigned long long, as gdb and GCC take it (C leaves it without a
  // type), so an address the Variables view shows in decimal can be typed back.
  if (x.decimal && !x.unsigned) candidates.push('unsigned long long');
  for (const c of candidates) {
    const t = baseType(c, addressSize);
    const bits = BigInt(sizeOf(t, addressSize) * 8);
    const max = c.startsWith('unsigned') ? (1n << bits) - 1n : (1n << (bits - 1n)) - 1n;
    if (x.value <= max) return ofInteger(x.value, t, addressSize, x.text, undefined);
  }
  return fail(`Numeric constant too large: ${x.text}`);
}

/** A member by name, looking into anonymous struct and union members as C does (§6.7.2.1 ¶13). */
function findMember(t: Die, name: string, depth: number): { m: Member; offset: number } | undefined {
  const list = members(t);
  const direct = list.find((m) => m.name === name);
  if (direct !== undefined) return { m: direct, offset: 0 };
  if (depth > 8) return undefined;
  for (const m of list) {
    const c = concrete(m.type);
    if (m.name !== '' || c === undefined || (c.tag !== DW_TAG.structureType && c.tag !== DW_TAG.unionType)) continue;
    const inner = findMember(c, name, depth + 1);
    if (inner !== undefined) return { m: inner.m, offset: m.offset + inner.offset };
  }
  return undefined;
}
