/**
 * Register maps as data (DESIGN.md idea 1). Every device declares its registers here
 * once; the Devices view, MMIO trace, data breakpoints on device registers and the
 * `osdev-emu devices` catalogue read the declaration, never the device code.
 */

export type RegAccess = 'RO' | 'RW' | 'WO' | 'W1C' | 'RC';

export interface FieldDecl {
  name: string;
  /** Inclusive bit range [high, low]. */
  bits: readonly [number, number];
  doc?: string;
  /** Names of values, e.g. { 0: 'Bare', 8: 'Sv39' }. */
  enum?: Readonly<Record<number, string>>;
}

export interface RegisterDecl {
  name: string;
  offset: number;
  /** Width in bytes. */
  width: 1 | 2 | 4 | 8;
  access: RegAccess;
  reset: number;
  doc: string;
  fields?: readonly FieldDecl[];
  /** A register array: `count` copies `stride` bytes apart, named NAME[i]. */
  count?: number;
  stride?: number;
  /** First index of an array (PLIC priorities start at source 1). */
  firstIndex?: number;
  /** Condition under which this name applies at this offset (registers that share an offset). */
  when?: string;
}

export interface DeviceModel {
  /** Model name used in the catalogue, e.g. "ns16550a". */
  model: string;
  /** Device-tree compatible strings this model implements. */
  compatible: readonly string[];
  doc: string;
  /** Size of the MMIO window in bytes. */
  size: number;
  registers: readonly RegisterDecl[];
}

/** Offsets of a map's registers by name, for device code (`R.IER`); the map stays the one source. */
export function offsets<const T extends readonly RegisterDecl[]>(regs: T): Record<T[number]['name'], number> {
  const o: Record<string, number> = {};
  for (const r of regs) if (!(r.name in o)) o[r.name] = r.offset;
  return o as Record<T[number]['name'], number>;
}

/** Reset value of a register by name, from its declaration. */
export function resetValue(regs: readonly RegisterDecl[], name: string): number {
  const r = regs.find((x) => x.name === name);
  if (r === undefined) throw new Error(`regmap: no register ${name}`);
  return r.reset;
}

/** Bit mask of a named field in a register declaration. */
export function fieldMask(reg: RegisterDecl, field: string): number {
  const f = reg.fields?.find((x) => x.name === field);
  if (f === undefined) throw new Error(`regmap: ${reg.name} has no field ${field}`);
  const [hi, lo] = f.bits;
  return (hi - lo === 31 ? 0xffffffff : ((1 << (hi - lo + 1)) - 1) << lo) | 0;
}

/** The register (and array index) covering `offset`, if any; `when` picks among aliases. */
export function registerAt(model: DeviceModel, offset: number, pick?: (r: RegisterDecl) => boolean):
  { reg: RegisterDecl; index?: number } | undefined {
  for (const reg of model.registers) {
    if (pick !== undefined && !pick(reg)) continue;
    const count = reg.count ?? 1, stride = reg.stride ?? reg.width;
    if (offset < reg.offset || offset >= reg.offset + count * stride) continue;
    const rel = offset - reg.offset;
    if (rel % stride >= reg.width) continue;
    const i = Math.floor(rel / stride);
    return reg.count === undefined ? { reg } : { reg, index: i + (reg.firstIndex ?? 0) };
  }
  return undefined;
}

/** Decode a value into "NAME=v" field text, enum names where declared. */
export function describeFields(reg: RegisterDecl, value: number): string {
  if (reg.fields === undefined) return '';
  return reg.fields.map((f) => {
    const [hi, lo] = f.bits;
    const v = hi - lo === 31 ? value >>> 0 : (value >>> lo) & ((1 << (hi - lo + 1)) - 1);
    const name = f.enum?.[v];
    return `${f.name}=${name ?? v}`;
  }).join(' ');
}

/** One text block per model: what `osdev-emu devices` prints. */
export function formatCatalogue(models: readonly DeviceModel[]): string {
  const lines: string[] = [];
  for (const m of models) {
    lines.push(`${m.model}  [${m.compatible.join(', ')}]  size 0x${m.size.toString(16)}`);
    lines.push(`  ${m.doc}`);
    for (const r of m.registers) {
      const arr = r.count !== undefined ? `[${r.firstIndex ?? 0}..${(r.firstIndex ?? 0) + r.count - 1}] stride 0x${(r.stride ?? r.width).toString(16)}` : '';
      const when = r.when !== undefined ? ` (${r.when})` : '';
      lines.push(`  +0x${r.offset.toString(16).padStart(4, '0')} ${r.name}${arr} ${r.width * 8}-bit ${r.access} reset=0x${r.reset.toString(16)}${when}  ${r.doc}`);
      for (const f of r.fields ?? []) {
        const bits = f.bits[0] === f.bits[1] ? `${f.bits[0]}` : `${f.bits[0]}:${f.bits[1]}`;
        const en = f.enum !== undefined ? ` {${Object.entries(f.enum).map(([k, v]) => `${k}=${v}`).join(', ')}}` : '';
        lines.push(`      [${bits}] ${f.name}${f.doc !== undefined ? ' - ' + f.doc : ''}${en}`);
      }
    }
    lines.push('');
  }
  return lines.join('\n');
}
