/**
 * C types from DWARF type DIEs (DWARF 5 §5): their names written the way gdb writes them
 * (`const char *`, `int (*)(int)`, `struct proc *[8]`), their sizes, and the members,
 * enumerators and bounds a value printer needs. A C declarator is built inside out: the
 * pointer, array and function parts wrap the text so far, the base type goes in front.
 */
import { Die, DW_AT, DW_TAG } from './dwarf-dies';

/** Nesting followed at most: a type chain that loops (hostile DWARF) stops here. */
const MAX_CHAIN = 64;

/** The type a DIE names through DW_AT_type; undefined is C's void. */
export function typeOf(d: Die): Die | undefined {
  return d.inherited(DW_AT.type)?.ref(DW_AT.type);
}

/** The type with typedefs and const/volatile/restrict/atomic taken off: what decides how a value is read. */
export function concrete(t: Die | undefined): Die | undefined {
  for (let n = 0; t !== undefined && n < MAX_CHAIN; n++) {
    if (!QUALIFIERS.has(t.tag) && t.tag !== DW_TAG.typedef) return t;
    t = typeOf(t);
  }
  return undefined;
}

const QUALIFIERS = new Map<number, string>([
  [DW_TAG.constType, 'const'], [DW_TAG.volatileType, 'volatile'], [DW_TAG.restrictType, 'restrict'], [DW_TAG.atomicType, '_Atomic'],
]);

/** The type's name as gdb's `whatis` prints it. */
export function typeName(t: Die | undefined): string {
  return declarator(t, '', [], 0);
}

/** A declaration of `name` with type `t`, as in a struct body: `char name[16]`, `int (*handler)(int)`. */
export function declaration(t: Die | undefined, name: string): string {
  return declarator(t, name, [], 0);
}

/** A function's type as gdb's `whatis` prints it: `int (struct proc *, int)`. */
export function functionTypeName(f: Die): string {
  return declarator(typeOf(f), `(${parameterList(f)})`, [], 0);
}

/**
 * gdb's spelling of C's base types: GCC names them `long unsigned int`, gdb prints
 * `unsigned long` (and `short`, `long long`), which is what a C programmer wrote.
 */
function baseName(name: string): string {
  const m = /^(short|long|long long)( unsigned)? int$/.exec(name);
  return m === null ? name : `${m[2] !== undefined ? 'unsigned ' : ''}${m[1]}`;
}

function declarator(t: Die | undefined, inner: string, quals: string[], depth: number): string {
  const named = (base: string) => `${[...quals, base].join(' ')}${inner === '' ? '' : ` ${inner}`}`;
  if (t === undefined) return named('void');
  if (depth > MAX_CHAIN) return named('<type chain too deep>');
  const q = QUALIFIERS.get(t.tag);
  if (q !== undefined) {
    const target = concreteNoTypedef(typeOf(t));
    // A qualified pointer reads `char * const`; a qualified anything else `const char`.
    if (target !== undefined && target.tag === DW_TAG.pointerType) return declarator(typeOf(t), inner === '' ? q : `${q} ${inner}`, quals, depth + 1);
    return declarator(typeOf(t), inner, [...quals, q], depth + 1);
  }
  switch (t.tag) {
    case DW_TAG.pointerType: case DW_TAG.referenceType: {
      const star = t.tag === DW_TAG.pointerType ? '*' : '&';
      return declarator(typeOf(t), inner === '' ? star : /^(const|volatile|restrict|_Atomic)\b/.test(inner) ? `${star} ${inner}` : `${star}${inner}`, quals, depth + 1);
    }
    case DW_TAG.arrayType: {
      let dims = '';
      for (const c of t.children) if (c.tag === DW_TAG.subrangeType) { const n = subrangeCount(c); dims += n === undefined ? '[]' : `[${n}]`; }
      return declarator(typeOf(t), `${wrapped(inner)}${dims}`, quals, depth + 1);
    }
    case DW_TAG.subroutineType:
      return declarator(typeOf(t), `${wrapped(inner)}(${parameterList(t)})`, quals, depth + 1);
    case DW_TAG.structureType: return named(`struct ${t.name ?? '{...}'}`);
    case DW_TAG.unionType: return named(`union ${t.name ?? '{...}'}`);
    case DW_TAG.enumerationType: return named(`enum ${t.name ?? '{...}'}`);
    case DW_TAG.baseType: return named(baseName(t.name ?? '<unnamed type>'));
    default: return named(t.name ?? '<unnamed type>');
  }
}

/** A declarator that already holds a pointer needs parentheses before [] or (): `(*)[4]`, `(*)(int)`. */
function wrapped(inner: string): string {
  return inner.startsWith('*') || inner.startsWith('&') ? `(${inner})` : inner;
}

/** Without typedefs only: a typedef of a pointer is a name, so `const T` stays in front. */
function concreteNoTypedef(t: Die | undefined): Die | undefined {
  for (let n = 0; t !== undefined && n < MAX_CHAIN; n++) {
    if (!QUALIFIERS.has(t.tag)) return t;
    t = typeOf(t);
  }
  return undefined;
}

/** A function type's or function's parameter types as C writes them; `void` for a prototype without any. */
export function parameterList(f: Die): string {
  const params: string[] = [];
  for (const c of f.children) {
    if (c.tag === DW_TAG.formalParameter) params.push(typeName(typeOf(c)));
    else if (c.tag === DW_TAG.unspecifiedParameters) params.push('...');
  }
  if (params.length === 0) return f.inherited(DW_AT.prototyped)?.flag(DW_AT.prototyped) ? 'void' : '';
  return params.join(', ');
}

/** Elements along one array dimension: DW_AT_count, or upper bound minus lower bound plus one. */
export function subrangeCount(s: Die): number | undefined {
  const count = s.number(DW_AT.count);
  if (count !== undefined) return count;
  const upper = s.number(DW_AT.upperBound);
  if (upper === undefined) return undefined;
  return upper - (s.number(DW_AT.lowerBound) ?? 0) + 1;
}

/** Size in bytes, or undefined when DWARF does not say (an incomplete type, a flexible array). */
export function typeSize(t: Die | undefined, addressSize: number): number | undefined {
  for (let n = 0; t !== undefined && n < MAX_CHAIN; n++) {
    const size = t.number(DW_AT.byteSize);
    if (size !== undefined) return size;
    switch (t.tag) {
      case DW_TAG.pointerType: case DW_TAG.referenceType: return addressSize;
      case DW_TAG.arrayType: {
        const elem = typeSize(typeOf(t), addressSize);
        if (elem === undefined) return undefined;
        let total = elem;
        for (const c of t.children) {
          if (c.tag !== DW_TAG.subrangeType) continue;
          const count = subrangeCount(c);
          if (count === undefined) return undefined;
          total *= count;
        }
        return total;
      }
      case DW_TAG.typedef: case DW_TAG.constType: case DW_TAG.volatileType: case DW_TAG.restrictType: case DW_TAG.atomicType:
        t = typeOf(t);
        continue;
      default: return undefined;
    }
  }
  return undefined;
}

/** DW_ATE encodings a value printer tells apart (DWARF 5 §7.8). */
export const DW_ATE = { boolean: 0x02, float: 0x04, signed: 0x05, signedChar: 0x06, unsigned: 0x07, unsignedChar: 0x08, UTF: 0x10 } as const;

/** A struct or union member: name, type and byte offset (bit fields: bit size and offset from the start). */
export interface Member { name: string; type: Die | undefined; offset: number; bitSize?: number; bitOffset?: number }

export function members(t: Die): Member[] {
  const out: Member[] = [];
  for (const c of t.children) {
    if (c.tag !== DW_TAG.member) continue;
    const bitSize = c.number(DW_AT.bitSize);
    const dataBit = c.number(DW_AT.dataBitOffset);
    const offset = c.number(DW_AT.dataMemberLocation) ?? (dataBit !== undefined ? Math.floor(dataBit / 8) : 0);
    out.push({ name: c.name ?? '', type: typeOf(c), offset, ...(bitSize !== undefined ? { bitSize, bitOffset: dataBit ?? bitOffset4(c, offset, bitSize) } : {}) });
  }
  return out;
}

/**
 * DWARF 2-4's bit-field position: DW_AT_bit_offset counts from the most significant bit
 * of a storage unit of DW_AT_byte_size bytes at the member's offset (DWARF 4 §5.7.6); on
 * a little-endian machine its least significant bit is the unit's size in bits minus
 * that, minus the field's width, counted from the unit's start.
 */
function bitOffset4(member: Die, offset: number, bitSize: number): number {
  const fromTop = member.number(0x0c); // DW_AT_bit_offset
  if (fromTop === undefined) return offset * 8;
  const unit = member.number(DW_AT.byteSize) ?? typeSize(typeOf(member), member.unit.addressSize) ?? 4;
  return offset * 8 + unit * 8 - fromTop - bitSize;
}

export function enumerators(t: Die): { name: string; value: bigint }[] {
  const out: { name: string; value: bigint }[] = [];
  for (const c of t.children) {
    if (c.tag !== DW_TAG.enumerator) continue;
    const v = c.attr(DW_AT.constValue);
    if (v?.k === 'const') out.push({ name: c.name ?? '', value: BigInt(v.v) });
  }
  return out;
}

/**
 * The type written out as gdb's `ptype` writes it: a struct, union or enum with its body
 * (anonymous members' types expanded in place), anything else as its name.
 */
export function typeBody(t: Die | undefined, indent = ''): string {
  const c = concreteNoTypedef(t);
  if (c === undefined || (c.tag !== DW_TAG.structureType && c.tag !== DW_TAG.unionType && c.tag !== DW_TAG.enumerationType)) return typeName(t);
  const head = typeName(c);
  if (c.tag === DW_TAG.enumerationType) return `${head} {${enumerators(c).map((e) => e.name).join(', ')}}`;
  const lines = members(c).map((m) => {
    const anonymous = concreteNoTypedef(m.type);
    const decl = anonymous !== undefined && anonymous.name === undefined && (anonymous.tag === DW_TAG.structureType || anonymous.tag === DW_TAG.unionType)
      ? `${typeBody(anonymous, `${indent}    `).replace(' {...}', '')} ${m.name}`
      : declaration(m.type, m.name);
    return `${indent}    ${decl}${m.bitSize !== undefined ? ` : ${m.bitSize}` : ''};`;
  });
  return `${head.replace(' {...}', '')} {\n${lines.join('\n')}\n${indent}}`;
}
