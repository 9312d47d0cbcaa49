/**
 * Writes WebAssembly binary modules (WebAssembly Core Specification 2.0, ch. 5 "Binary
 * Format") for the block compiler (wasm-blocks.ts): no compiler or text format at run
 * time, only bytes. Just what a block needs: one memory and one table imported and one
 * exported function; and the bridge that puts JavaScript functions in that table.
 */

/** Value types (§5.3.1). */
export const T = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c } as const;
export type ValType = typeof T[keyof typeof T];

/** The opcodes the compiler uses (§5.4). */
export const OP = {
  unreachable: 0x00, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, brIf: 0x0d, brTable: 0x0e, return: 0x0f,
  callIndirect: 0x11, returnCallIndirect: 0x13, drop: 0x1a, select: 0x1b,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Load: 0x28, i64Load: 0x29, i32Load8S: 0x2c, i32Load8U: 0x2d, i32Load16S: 0x2e, i32Load16U: 0x2f, i64Load8U: 0x31, i64Load16U: 0x33, i64Load32U: 0x35,
  i64Load8S: 0x30, i64Load16S: 0x32, i64Load32S: 0x34,
  i32Store: 0x36, i64Store: 0x37, i32Store8: 0x3a, i32Store16: 0x3b, i64Store8: 0x3c, i64Store16: 0x3d, i64Store32: 0x3e,
  i32Const: 0x41, i64Const: 0x42,
  i32Eqz: 0x45, i32Eq: 0x46, i32Ne: 0x47, i32LtS: 0x48, i32LtU: 0x49, i32GtS: 0x4a, i32GtU: 0x4b, i32GeS: 0x4e, i32GeU: 0x4f,
  i64Eqz: 0x50, i64Eq: 0x51, i64Ne: 0x52, i64LtS: 0x53, i64LtU: 0x54,
  i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32And: 0x71, i32Or: 0x72, i32Xor: 0x73, i32Shl: 0x74, i32ShrS: 0x75, i32ShrU: 0x76,
  i32Rotl: 0x77, i32Rotr: 0x78, i32Clz: 0x67, i32Ctz: 0x68, i32Popcnt: 0x69,
  i64Clz: 0x79, i64Ctz: 0x7a, i64Popcnt: 0x7b,
  i64Add: 0x7c, i64Sub: 0x7d, i64Mul: 0x7e, i64DivS: 0x7f, i64DivU: 0x80, i64RemS: 0x81, i64RemU: 0x82,
  i64And: 0x83, i64Or: 0x84, i64Xor: 0x85, i64Shl: 0x86, i64ShrS: 0x87, i64ShrU: 0x88, i64Rotl: 0x89, i64Rotr: 0x8a,
  i32DivS: 0x6d, i32DivU: 0x6e, i32RemS: 0x6f, i32RemU: 0x70,
  i32WrapI64: 0xa7, i64ExtendI32S: 0xac, i64ExtendI32U: 0xad,
  i32Extend8S: 0xc0, i32Extend16S: 0xc1, i64Extend8S: 0xc2, i64Extend16S: 0xc3, i64Extend32S: 0xc4,
  // F and D (wasm-gen.ts, wasm-float.ts): IEEE 754 binary32/64, round-to-nearest-even as RISC-V's RNE.
  f32Load: 0x2a, f64Load: 0x2b, f32Store: 0x38, f64Store: 0x39, f64Const: 0x44,
  f64Eq: 0x61, f64Ne: 0x62, f64Lt: 0x63, f64Gt: 0x64, f64Le: 0x65, f64Ge: 0x66,
  f64Abs: 0x99, f64Neg: 0x9a, f64Sqrt: 0x9f, f64Add: 0xa0, f64Sub: 0xa1, f64Mul: 0xa2, f64Div: 0xa3, f64Min: 0xa4, f64Max: 0xa5,
  f64Trunc: 0x9d, i64TruncF64S: 0xb0, f64ConvertI64S: 0xb9, i64LeS: 0x57, i64LeU: 0x58, i64GeS: 0x59,
  f32DemoteF64: 0xb6, f64PromoteF32: 0xbb, i64ReinterpretF64: 0xbd, f64ReinterpretI64: 0xbf,
} as const;
/** A block with no result (§5.3.5 blocktype ε). */
export const VOID = 0x40;

/** A growing byte buffer with the encodings of §5.1-5.2. */
export class Bytes {
  private buf: Uint8Array;
  length = 0;

  constructor(capacity = 64) { this.buf = new Uint8Array(capacity); }

  /** Room for `n` more bytes. */
  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    bigger.set(this.buf.subarray(0, this.length));
    this.buf = bigger;
  }
  byte(b: number): this {
    if (this.length === this.buf.length) this.reserve(1);
    this.buf[this.length++] = b;
    return this;
  }
  bytes(bs: ArrayLike<number>): this {
    this.reserve(bs.length);
    if (bs instanceof Uint8Array) this.buf.set(bs, this.length);
    else for (let i = 0; i < bs.length; i++) this.buf[this.length + i] = bs[i];
    this.length += bs.length;
    return this;
  }
  /** Overwrite the byte at `at` (already written). */
  patch(at: number, b: number): void { this.buf[at] = b; }
  /** Unsigned LEB128. */
  u32(v: number): this {
    let n = v >>> 0;
    do {
      const b = n & 0x7f;
      n >>>= 7;
      this.byte(n === 0 ? b : b | 0x80);
    } while (n !== 0);
    return this;
  }
  /** Signed LEB128 of an int32. */
  s32(v: number): this {
    let n = v | 0;
    for (;;) {
      const b = n & 0x7f;
      n >>= 7;
      if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return this.byte(b);
      this.byte(b | 0x80);
    }
  }
  /** Signed LEB128 of the 64-bit value hi:lo. */
  s64(lo: number, hi: number): this {
    if (hi === lo >> 31) return this.s32(lo); // the common case: a sign-extended int32
    let n = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo >>> 0));
    for (;;) {
      const b = Number(n & 0x7fn);
      n >>= 7n;
      if ((n === 0n && (b & 0x40) === 0) || (n === -1n && (b & 0x40) !== 0)) return this.byte(b);
      this.byte(b | 0x80);
    }
  }
  /** An f64 constant's eight bytes, little-endian (§5.2.3). */
  f64(v: number): this {
    const b = new Uint8Array(new Float64Array([v]).buffer);
    return this.bytes(b);
  }
  name(s: string): this {
    this.u32(s.length);
    for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i));
    return this;
  }
  /** Forget everything after `length` (an instruction the compiler could not finish). */
  truncate(length: number): void { this.length = length; }
  view(): Uint8Array { return this.buf.subarray(0, this.length); }
}

export interface FuncType { params: ValType[]; results: ValType[] }
export interface Import { module: string; name: string; type: FuncType }

/**
 * A module importing `env.mem` (pages, shared with guest RAM and the harts' state) and
 * `env.table` (funcref, table 0: the JavaScript functions compiled code calls, at the
 * indexes of `calls`, then the modules' run functions), exporting one function `run` of
 * type `type` with the given locals and body. Type indexes: `calls`' types first (a call
 * to JavaScript function i is `call_indirect` of type i at table index i), then run's;
 * run is function 0.
 */
export function moduleBytes(memPages: number, calls: FuncType[], type: FuncType, locals: ValType[], ...body: Uint8Array[]): Uint8Array {
  const head = moduleHead(memPages, calls, type);
  // Locals as runs of one type (§5.5.13).
  const decls = new Bytes();
  let runs = 0;
  for (let i = 0; i < locals.length; runs++) {
    let n = 1;
    while (i + n < locals.length && locals[i + n] === locals[i]) n++;
    decls.u32(n).byte(locals[i]);
    i += n;
  }
  const codeLength = uleb(runs).length + decls.length + body.reduce((sum, b) => sum + b.length, 0) + 1;
  const entry = uleb(1).length + uleb(codeLength).length + codeLength;
  const out = new Bytes(head.length + 1 + uleb(entry).length + entry);
  out.bytes(head).byte(10).u32(entry).u32(1).u32(codeLength).u32(runs).bytes(decls.view());
  for (const b of body) out.bytes(b);
  return out.byte(OP.end).view();
}

/** The sections before the code (types, imports, function, export): the same for every module of a machine, so made once. */
let lastHead: { memPages: number; calls: FuncType[]; type: FuncType; bytes: Uint8Array } | null = null;
function moduleHead(memPages: number, calls: FuncType[], type: FuncType): Uint8Array {
  if (lastHead !== null && lastHead.memPages === memPages && lastHead.calls === calls && lastHead.type === type) return lastHead.bytes;
  const out = header();
  const section = (id: number, content: Bytes) => out.byte(id).u32(content.length).bytes(content.view());
  section(1, typeSection([...calls, type]));
  const importSec = new Bytes().u32(2);
  importSec.name('env').name('mem').byte(0x02).byte(0x01).u32(memPages).u32(memPages); // memory, limits min = max
  importSec.name('env').name('table').byte(0x01).byte(0x70).byte(0x00).u32(0); // funcref table, limits min 0
  section(2, importSec);
  section(3, new Bytes().u32(1).u32(calls.length)); // run's type index
  section(7, new Bytes().u32(1).name('run').byte(0x00).u32(0));
  lastHead = { memPages, calls, type, bytes: out.view() };
  return lastHead.bytes;
}

/** v as unsigned LEB128 (to size what contains it). */
function uleb(v: number): Uint8Array { return new Bytes(8).u32(v).view(); }

/**
 * A module that imports `imports` and exports each again, named by its index ("0", "1", ...).
 * Exported, they are wasm functions, which a Table holds: compiled modules call JavaScript
 * through the table instead of importing it. V8 (Node 20) compiles a wrapper for every
 * function import of every module; for a block's module those wrappers were most of
 * its compile and instantiation time (~0.4 of ~0.5 ms).
 */
export function bridgeBytes(imports: Import[]): Uint8Array {
  const out = header();
  const section = (id: number, content: Bytes) => out.byte(id).u32(content.length).bytes(content.view());
  section(1, typeSection(imports.map((i) => i.type)));
  const importSec = new Bytes().u32(imports.length);
  imports.forEach((imp, i) => importSec.name(imp.module).name(imp.name).byte(0x00).u32(i));
  section(2, importSec);
  const exportSec = new Bytes().u32(imports.length);
  imports.forEach((_imp, i) => exportSec.name(String(i)).byte(0x00).u32(i));
  section(7, exportSec);
  return out.view();
}

/** The magic and version (§5.5.16). */
function header(): Bytes {
  return new Bytes().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
}

/** A type section of function types (§5.5.4). */
function typeSection(types: FuncType[]): Bytes {
  const sec = new Bytes().u32(types.length);
  for (const t of types) sec.byte(0x60).u32(t.params.length).bytes(t.params).u32(t.results.length).bytes(t.results);
  return sec;
}
