/**
 * The `stub` passthrough backend: a device described by a model file instead of code
 * (issue 8). The file declares registers in the same register-map format as the
 * built-in devices (regmap.ts) plus behaviour:
 *
 *   access      RO (writes ignored), RW, WO (reads 0), W1C (writing 1 clears a bit),
 *               RC (a read returns the value and clears it)
 *   sequence    values successive reads return, the last one repeating (a busy flag
 *               that clears after three polls)
 *   triggers    { "on": "CMD.START", "value": 1, "after": 500, "set": { "STATUS.DONE": 1 } }:
 *               a guest write that puts `value` (default: anything non-zero) in the
 *               field starts the action, which happens `after` instructions of guest
 *               time (0: at once; else at the first round boundary past it)
 *   interrupt   [ "STATUS.DONE & CTRL.IE" ]: the line is high while any term is non-zero
 *               (a term is one field or register, or two joined by &)
 *
 * Everything is checked when the file is read: an error names the line and column.
 * The JSON schema VS Code uses to complete and check these files is
 * media/device-model.schema.json; keep the two in step.
 */
import { DeviceModel, FieldDecl, RegAccess, RegisterDecl } from '../regmap';
import { PassthroughBackend, PassthroughContext } from './backend';
import { JsonValue, parseLocatedJson } from './located-json';
import { list, record, Saved } from '../../snapshot/saved';

/** A register or one field of it, resolved from "REG" or "REG.FIELD". */
interface Target { reg: RegisterDecl; shift: number; mask: number }

interface Trigger { on: Target; value: number | null; after: number; set: { target: Target; value: number }[] }

export interface StubModel {
  device: DeviceModel;
  sequences: Map<string, number[]>;
  triggers: Trigger[];
  interrupt: Target[][];
}

const ACCESS: readonly RegAccess[] = ['RO', 'RW', 'WO', 'W1C', 'RC'];
/** The keys each object of a model file may have (media/device-model.schema.json lists the same; a test checks). */
export const MODEL_KEYS = {
  model: ['$schema', 'model', 'compatible', 'doc', 'size', 'registers', 'triggers', 'interrupt'],
  register: ['name', 'offset', 'width', 'access', 'reset', 'doc', 'fields', 'sequence'],
  field: ['name', 'bits', 'doc', 'enum'],
  trigger: ['on', 'value', 'after', 'set'],
} as const;
const MAX_REGISTERS = 1024, MAX_SEQUENCE = 4096, MAX_TRIGGERS = 256;

type Obj = { [k: string]: JsonValue };
const isObj = (v: JsonValue | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isUint = (v: JsonValue | undefined, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

class ModelError { constructor(readonly path: string, readonly message: string) {} }

/** Parse and check a model file; `file` names it in errors ("dma.osdev-model.json:12:7: ..."). */
export function parseStubModel(text: string, file: string): { ok: true; value: StubModel } | { ok: false; error: string } {
  const parsed = parseLocatedJson(text);
  if (!parsed.ok) return { ok: false, error: `${file}:${parsed.at.line}:${parsed.at.column}: ${parsed.error}` };
  try {
    return { ok: true, value: buildModel(parsed.value.value) };
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    const at = parsed.value.at(e.path);
    return { ok: false, error: `${file}:${at.line}:${at.column}: ${e.path === '' ? '' : `${e.path.replace(/\//g, '.')}: `}${e.message}` };
  }
}

function buildModel(root: JsonValue): StubModel {
  if (!isObj(root)) throw new ModelError('', 'a model is a JSON object with "model", "size" and "registers"');
  unknownKeys(root, MODEL_KEYS.model, '');
  if (typeof root.model !== 'string' || root.model === '') throw new ModelError('model', 'must be a non-empty string naming the model');
  const compatible = root.compatible ?? [root.model];
  if (!Array.isArray(compatible) || compatible.length === 0 || !compatible.every((c) => typeof c === 'string' && c !== '')) {
    throw new ModelError('compatible', 'must be a non-empty list of device-tree compatible strings');
  }
  if (!isUint(root.size, 0x1000_0000) || root.size < 4 || (root.size & (root.size - 1)) !== 0) throw new ModelError('size', 'must be a power of two from 4 to 256M');
  const size = root.size;
  if (!Array.isArray(root.registers) || root.registers.length > MAX_REGISTERS) throw new ModelError('registers', `must be a list of at most ${MAX_REGISTERS} registers`);
  const registers: RegisterDecl[] = [];
  const sequences = new Map<string, number[]>();
  root.registers.forEach((r, i) => {
    const p = `registers/${i}`;
    if (!isObj(r)) throw new ModelError(p, 'a register is an object with name, offset, width, access');
    if (typeof r.name !== 'string' || !/^[A-Za-z_]\w*$/.test(r.name)) throw new ModelError(`${p}/name`, 'must be an identifier');
    if (registers.some((x) => x.name === r.name)) throw new ModelError(`${p}/name`, `register ${r.name} is declared twice`);
    if (r.width !== 1 && r.width !== 2 && r.width !== 4) throw new ModelError(`${p}/width`, 'must be 1, 2 or 4 (bytes)');
    const width = r.width;
    if (!isUint(r.offset, size - width) || r.offset % width !== 0) throw new ModelError(`${p}/offset`, `must be a multiple of the width inside the ${size}-byte window`);
    const offset = r.offset;
    const clash = registers.find((x) => offset < x.offset + x.width && x.offset < offset + width);
    if (clash !== undefined) throw new ModelError(`${p}/offset`, `overlaps register ${clash.name}`);
    const access = r.access ?? 'RW';
    if (typeof access !== 'string' || !(ACCESS as readonly string[]).includes(access)) throw new ModelError(`${p}/access`, `must be one of ${ACCESS.join(', ')}`);
    const limit = 2 ** (width * 8) - 1;
    const reset = r.reset ?? 0;
    if (!isUint(reset, limit)) throw new ModelError(`${p}/reset`, `must fit in ${width * 8} bits`);
    if (r.doc !== undefined && typeof r.doc !== 'string') throw new ModelError(`${p}/doc`, 'must be a string');
    const fields = r.fields === undefined ? undefined : buildFields(r.fields, `${p}/fields`, width * 8);
    if (r.sequence !== undefined) {
      if (!Array.isArray(r.sequence) || r.sequence.length === 0 || r.sequence.length > MAX_SEQUENCE || !r.sequence.every((v) => isUint(v, limit))) {
        throw new ModelError(`${p}/sequence`, `must be 1 to ${MAX_SEQUENCE} values that fit the register`);
      }
      sequences.set(r.name, r.sequence as number[]);
    }
    unknownKeys(r, MODEL_KEYS.register, p);
    registers.push({ name: r.name, offset, width, access: access as RegAccess, reset, doc: typeof r.doc === 'string' ? r.doc : '', ...(fields !== undefined ? { fields } : {}) });
  });
  const device: DeviceModel = {
    model: root.model, compatible: compatible as string[], doc: typeof root.doc === 'string' ? root.doc : `${root.model} (stub model)`, size, registers,
  };
  const target = (v: JsonValue | undefined, p: string): Target => {
    if (typeof v !== 'string') throw new ModelError(p, 'must name a register or REGISTER.FIELD');
    const [rn, fn] = v.trim().split('.');
    const reg = registers.find((x) => x.name === rn);
    if (reg === undefined) throw new ModelError(p, `no register '${rn}'`);
    if (fn === undefined) return { reg, shift: 0, mask: 2 ** (reg.width * 8) - 1 };
    const f = reg.fields?.find((x) => x.name === fn);
    if (f === undefined) throw new ModelError(p, `register ${rn} has no field '${fn}'`);
    return { reg, shift: f.bits[1], mask: 2 ** (f.bits[0] - f.bits[1] + 1) - 1 };
  };
  const triggers: Trigger[] = [];
  const tr = root.triggers ?? [];
  if (!Array.isArray(tr) || tr.length > MAX_TRIGGERS) throw new ModelError('triggers', `must be a list of at most ${MAX_TRIGGERS} triggers`);
  tr.forEach((t, i) => {
    const p = `triggers/${i}`;
    if (!isObj(t)) throw new ModelError(p, 'a trigger is an object with "on" and "set"');
    unknownKeys(t, MODEL_KEYS.trigger, p);
    const on = target(t.on, `${p}/on`);
    if (t.value !== undefined && !isUint(t.value, on.mask)) throw new ModelError(`${p}/value`, 'must fit the field it watches');
    const after = t.after ?? 0;
    if (!isUint(after, 1e12)) throw new ModelError(`${p}/after`, 'must be a number of instructions (0 = at once)');
    if (!isObj(t.set) || Object.keys(t.set).length === 0) throw new ModelError(`${p}/set`, 'must map REGISTER or REGISTER.FIELD to values');
    const set = Object.entries(t.set).map(([k, v]) => {
      const tg = target(k, `${p}/set`);
      if (!isUint(v, tg.mask)) throw new ModelError(`${p}/set/${k}`, `${k} cannot hold ${JSON.stringify(v)}`);
      return { target: tg, value: v };
    });
    triggers.push({ on, value: typeof t.value === 'number' ? t.value : null, after, set });
  });
  const irq = root.interrupt ?? [];
  if (!Array.isArray(irq)) throw new ModelError('interrupt', 'must be a list like ["STATUS.DONE & CTRL.IE"]');
  const interrupt = irq.map((term, i) => {
    if (typeof term !== 'string') throw new ModelError(`interrupt/${i}`, 'must be a string like "STATUS.DONE & CTRL.IE"');
    return term.split('&').map((part) => target(part, `interrupt/${i}`));
  });
  return { device, sequences, triggers, interrupt };
}

function unknownKeys(o: Obj, known: readonly string[], p: string): void {
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) throw new ModelError(p === '' ? k : `${p}/${k}`, `unknown key (expected one of ${known.join(', ')})`);
  }
}

function buildFields(v: JsonValue, p: string, bits: number): FieldDecl[] {
  if (!Array.isArray(v)) throw new ModelError(p, 'must be a list of fields');
  return v.map((f, i) => {
    const fp = `${p}/${i}`;
    if (!isObj(f) || typeof f.name !== 'string' || !/^[A-Za-z_]\w*$/.test(f.name)) throw new ModelError(fp, 'a field needs a "name" (an identifier)');
    unknownKeys(f, MODEL_KEYS.field, fp);
    const b = f.bits;
    if (!Array.isArray(b) || b.length !== 2 || !isUint(b[0], bits - 1) || !isUint(b[1], b[0] as number)) {
      throw new ModelError(`${fp}/bits`, `must be [high, low] inside the ${bits}-bit register`);
    }
    let en: Record<number, string> | undefined;
    if (f.enum !== undefined) {
      if (!isObj(f.enum) || !Object.entries(f.enum).every(([k, x]) => /^\d+$/.test(k) && typeof x === 'string')) throw new ModelError(`${fp}/enum`, 'must map values ("0", "1", ...) to names');
      en = Object.fromEntries(Object.entries(f.enum).map(([k, x]) => [Number(k), x as string]));
    }
    return { name: f.name, bits: [b[0], b[1]] as const, ...(typeof f.doc === 'string' ? { doc: f.doc } : {}), ...(en !== undefined ? { enum: en } : {}) };
  });
}

/** A stub device: register values, read sequences, timed trigger actions and the interrupt terms. */
export class StubBackend implements PassthroughBackend {
  readonly kind = 'stub';
  readonly failure = null;
  hi = 0;
  private readonly values = new Map<string, number>();
  private readonly seqPos = new Map<string, number>();
  /** Trigger actions waiting for their time, in the order they were started. */
  private pending: { due: number; trigger: Trigger }[] = [];
  private ctx: PassthroughContext | null = null;

  constructor(readonly stub: StubModel, readonly source: string) { this.reset(); }

  get model(): DeviceModel { return this.stub.device; }

  attach(ctx: PassthroughContext): void { this.ctx = ctx; this.updateIrq(); }

  reset(): void {
    for (const r of this.stub.device.registers) this.values.set(r.name, r.reset);
    this.seqPos.clear();
    this.pending = [];
    this.updateIrq();
  }

  close(): void { this.ctx = null; }

  /** Register values, sequence positions and timed actions (by their trigger's index in the model). */
  saveState(): Saved {
    return {
      hi: this.hi, values: [...this.values].map(([k, v]) => [k, v]), seqPos: [...this.seqPos].map(([k, v]) => [k, v]),
      pending: this.pending.map((p) => [p.due, this.stub.triggers.indexOf(p.trigger)]),
    };
  }

  restoreState(s: Saved): void {
    const r = record(s);
    this.hi = r.hi as number;
    this.values.clear();
    for (const e of list(r.values)) { const [k, v] = e as [string, number]; this.values.set(k, v); }
    this.seqPos.clear();
    for (const e of list(r.seqPos)) { const [k, v] = e as [string, number]; this.seqPos.set(k, v); }
    this.pending = list(r.pending).map((e) => { const [due, i] = e as [number, number]; return { due, trigger: this.stub.triggers[i] }; })
      .filter((p) => p.trigger !== undefined);
    this.updateIrq();
  }

  private at(offset: number): RegisterDecl | undefined {
    return this.stub.device.registers.find((r) => offset >= r.offset && offset < r.offset + r.width);
  }

  private current(reg: RegisterDecl): number {
    const seq = this.stub.sequences.get(reg.name);
    if (seq !== undefined) return seq[Math.min(this.seqPos.get(reg.name) ?? 0, seq.length - 1)];
    return reg.access === 'WO' ? 0 : this.values.get(reg.name) ?? 0;
  }

  peek(offset: number, size: number): number | undefined {
    const reg = this.at(offset);
    if (reg === undefined) return 0;
    return slice(this.current(reg), offset - reg.offset, size);
  }

  read(offset: number, size: number): number {
    this.hi = 0;
    const reg = this.at(offset);
    if (reg === undefined) return 0; // holes read as zero, as on most SoC buses
    const v = slice(this.current(reg), offset - reg.offset, size);
    const seq = this.stub.sequences.get(reg.name);
    if (seq !== undefined) this.seqPos.set(reg.name, Math.min((this.seqPos.get(reg.name) ?? 0) + 1, seq.length - 1));
    if (reg.access === 'RC') { this.values.set(reg.name, 0); this.updateIrq(); }
    return v;
  }

  write(offset: number, size: number, lo: number, _hi: number): boolean {
    const reg = this.at(offset);
    if (reg === undefined) return true; // writes to holes are ignored
    const shift = (offset - reg.offset) * 8;
    const span = size >= reg.width ? 2 ** (reg.width * 8) - 1 : 2 ** (size * 8) - 1;
    const written = ((lo >>> 0) & span) * 2 ** shift;
    const mask = span * 2 ** shift;
    const old = this.values.get(reg.name) ?? 0;
    switch (reg.access) {
      case 'RO': break;
      case 'W1C': this.values.set(reg.name, (old & ~written) >>> 0); break;
      default: this.values.set(reg.name, ((old & ~mask) >>> 0) + written); break;
    }
    for (const t of this.stub.triggers) {
      if (t.on.reg !== reg) continue;
      const field = Math.floor(written / 2 ** t.on.shift) & t.on.mask;
      if (t.value === null ? field === 0 : field !== t.value) continue;
      if (t.after === 0) this.fire(t);
      else this.pending.push({ due: (this.ctx?.now() ?? 0) + t.after, trigger: t });
    }
    this.updateIrq();
    return true;
  }

  tick(): void {
    if (this.pending.length === 0) return;
    const now = this.ctx?.now() ?? 0;
    const due = this.pending.filter((p) => p.due <= now);
    if (due.length === 0) return;
    this.pending = this.pending.filter((p) => p.due > now);
    for (const p of due) this.fire(p.trigger);
    this.updateIrq();
  }

  nextDeadline(): number | undefined {
    return this.pending.length === 0 ? undefined : Math.min(...this.pending.map((p) => p.due));
  }

  private fire(t: Trigger): void {
    for (const { target, value } of t.set) {
      const old = this.values.get(target.reg.name) ?? 0;
      const m = target.mask * 2 ** target.shift;
      this.values.set(target.reg.name, ((old & ~m) >>> 0) + value * 2 ** target.shift);
    }
  }

  private fieldValue(t: Target): number { return Math.floor((this.values.get(t.reg.name) ?? 0) / 2 ** t.shift) & t.mask; }

  private updateIrq(): void {
    const high = this.stub.interrupt.some((term) => term.every((t) => this.fieldValue(t) !== 0));
    this.ctx?.setIrq(high);
  }
}

/** `size` bytes of a register value starting `byte` bytes in. */
function slice(value: number, byte: number, size: number): number {
  const v = Math.floor(value / 2 ** (byte * 8));
  return size >= 4 ? v | 0 : v & (2 ** (size * 8) - 1);
}
