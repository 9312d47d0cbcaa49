/**
 * The values a component's saved state is made of, and the one binary codec for them.
 * Each component (hart, device, backend) says which of its fields are state next to the
 * fields themselves (`saveFields`/`restoreFields` with the field names); the machine
 * snapshot (machine-snapshot.ts) only assembles them and never knows a device's insides.
 */

export type SavedArray = Uint8Array | Uint16Array | Int32Array | Uint32Array | Float64Array;
export type Saved = number | boolean | string | null | undefined | SavedArray | Saved[] | { [key: string]: Saved };
export type SavedRecord = { [key: string]: Saved };

/** What a component with state offers: a copy of that state, and taking one back (from the same build of the machine). */
export interface Stateful {
  saveState(): Saved;
  restoreState(s: Saved): void;
}

function copy(v: Saved): Saved {
  if (v === null || typeof v !== 'object') return v;
  if (ArrayBuffer.isView(v)) return v.slice();
  if (Array.isArray(v)) return v.map(copy);
  const o: SavedRecord = {};
  for (const k of Object.keys(v)) o[k] = copy(v[k]);
  return o;
}

/** A copy of `fields` of `obj` (typed arrays, arrays and records copied, so later changes do not reach it). */
export function saveFields(obj: object, fields: readonly string[]): SavedRecord {
  const src = obj as Record<string, Saved>;
  const o: SavedRecord = {};
  for (const f of fields) o[f] = copy(src[f]);
  return o;
}

/**
 * Put `fields` of a saved record back into `obj`: typed arrays are filled in place (they
 * are often readonly views other code holds), everything else replaced by a copy.
 */
export function restoreFields(obj: object, fields: readonly string[], s: Saved): void {
  const r = record(s);
  const dst = obj as Record<string, Saved>;
  for (const f of fields) {
    const v = r[f];
    const cur = dst[f];
    if (ArrayBuffer.isView(cur)) {
      if (!ArrayBuffer.isView(v) || v.length !== cur.length) throw new SnapshotError(`field '${f}' does not fit this machine`);
      (cur as Uint8Array).set(v as Uint8Array);
    } else {
      dst[f] = copy(v);
    }
  }
}

/** A saved value read as a record; anything else is a snapshot from another build of the machine. */
export function record(s: Saved): SavedRecord {
  if (s === null || typeof s !== 'object' || Array.isArray(s) || ArrayBuffer.isView(s)) throw new SnapshotError('a saved component is not a record');
  return s as SavedRecord;
}

export function list(s: Saved): Saved[] {
  if (!Array.isArray(s)) throw new SnapshotError('a saved component is not a list');
  return s;
}

/** Every problem with a snapshot is one of these: the message names it, for the user. */
export class SnapshotError extends Error {}

const enum Tag { Undef, Null, False, True, Num, Str, List, Rec, U8, U16, I32, U32, F64 }
const ARRAY_TAGS: [Tag, new (b: ArrayBuffer) => SavedArray, number][] = [
  [Tag.U8, Uint8Array, 1], [Tag.U16, Uint16Array, 2], [Tag.I32, Int32Array, 4], [Tag.U32, Uint32Array, 4], [Tag.F64, Float64Array, 8],
];

/** Encodes saved values into growing bytes (little-endian; strings UTF-8). */
export class SavedWriter {
  private buf = new Uint8Array(1 << 16);
  private dv = new DataView(this.buf.buffer);
  len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
    this.dv = new DataView(b.buffer);
  }
  u8(v: number): void { this.room(1); this.buf[this.len++] = v; }
  u32(v: number): void { this.room(4); this.dv.setUint32(this.len, v >>> 0, true); this.len += 4; }
  f64(v: number): void { this.room(8); this.dv.setFloat64(this.len, v, true); this.len += 8; }
  bytes(b: Uint8Array): void { this.room(b.length); this.buf.set(b, this.len); this.len += b.length; }
  str(s: string): void { const b = new TextEncoder().encode(s); this.u32(b.length); this.bytes(b); }

  value(v: Saved): void {
    if (v === undefined) { this.u8(Tag.Undef); return; }
    if (v === null) { this.u8(Tag.Null); return; }
    if (typeof v === 'boolean') { this.u8(v ? Tag.True : Tag.False); return; }
    if (typeof v === 'number') { this.u8(Tag.Num); this.f64(v); return; }
    if (typeof v === 'string') { this.u8(Tag.Str); this.str(v); return; }
    if (ArrayBuffer.isView(v)) {
      const t = ARRAY_TAGS.find(([, C]) => v instanceof C);
      if (t === undefined) throw new SnapshotError('a saved component holds an array of an unknown kind');
      this.u8(t[0]);
      this.u32(v.length);
      this.bytes(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      return;
    }
    if (Array.isArray(v)) { this.u8(Tag.List); this.u32(v.length); for (const x of v) this.value(x); return; }
    const keys = Object.keys(v);
    this.u8(Tag.Rec);
    this.u32(keys.length);
    for (const k of keys) { this.str(k); this.value(v[k]); }
  }

  result(): Uint8Array { return this.buf.slice(0, this.len); }
}

/** Decodes what SavedWriter wrote; running past the end or an unknown tag is a SnapshotError. */
export class SavedReader {
  private readonly dv: DataView;
  pos = 0;
  constructor(private readonly buf: Uint8Array, private readonly what: string) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new SnapshotError(`${this.what} is truncated`);
  }
  get left(): number { return this.buf.length - this.pos; }
  u8(): number { this.need(1); return this.buf[this.pos++]; }
  u32(): number { this.need(4); const v = this.dv.getUint32(this.pos, true); this.pos += 4; return v; }
  f64(): number { this.need(8); const v = this.dv.getFloat64(this.pos, true); this.pos += 8; return v; }
  bytes(n: number): Uint8Array { this.need(n); const b = this.buf.subarray(this.pos, this.pos + n); this.pos += n; return b; }
  str(): string { return new TextDecoder().decode(this.bytes(this.u32())); }

  value(depth = 0): Saved {
    if (depth > 64) throw new SnapshotError(`${this.what} nests too deep`);
    const tag = this.u8();
    switch (tag) {
      case Tag.Undef: return undefined;
      case Tag.Null: return null;
      case Tag.False: return false;
      case Tag.True: return true;
      case Tag.Num: return this.f64();
      case Tag.Str: return this.str();
      case Tag.List: {
        const n = this.u32();
        if (n > this.left) throw new SnapshotError(`${this.what} is truncated`);
        const a: Saved[] = [];
        for (let i = 0; i < n; i++) a.push(this.value(depth + 1));
        return a;
      }
      case Tag.Rec: {
        const n = this.u32();
        if (n > this.left) throw new SnapshotError(`${this.what} is truncated`);
        const o: SavedRecord = {};
        for (let i = 0; i < n; i++) { const k = this.str(); o[k] = this.value(depth + 1); }
        return o;
      }
      default: {
        const t = ARRAY_TAGS.find(([x]) => x === tag);
        if (t === undefined) throw new SnapshotError(`${this.what} is corrupt (unknown value tag ${tag})`);
        const n = this.u32();
        const raw = this.bytes(n * t[2]);
        const copy = new Uint8Array(raw.length);
        copy.set(raw);
        return new t[1](copy.buffer);
      }
    }
  }
}
