/**
 * What the Devices view shows (issue 8): every device of the board with its registers
 * read without side effects and decoded by its register map, virtio queue state and
 * passthrough slot state. Built from the register-map data (DESIGN.md idea 1), never
 * from device code; the worker answers `devices` requests with it and the adapter
 * passes it on as the `osdev/devices` custom request.
 *
 * Register and field values are numbers when they fit 32 bits; wider registers (CLINT
 * mtime) come as hex strings, so JSON never rounds them.
 */
import { MmioDevice } from '../bus/bus';
import { DeviceModel, RegisterDecl } from './regmap';

export type DeviceGroup = 'emulated' | 'virtio' | 'passthrough';

export interface FieldValue {
  name: string;
  /** Inclusive bit range [high, low]. */
  bits: [number, number];
  value: number;
  /** Enum name of the value, when the map names it. */
  text?: string;
  doc?: string;
}

export interface RegisterValue {
  /** NAME or NAME[i] for arrays. */
  name: string;
  /** Offset in the device window. */
  offset: number;
  width: number;
  access: string;
  /** Current value read without side effects; null for write-only registers or when unknown (remote peer). */
  value: number | string | null;
  doc: string;
  fields: FieldValue[];
}

export interface VirtioQueueState {
  index: number;
  size: number;
  maxSize: number;
  ready: boolean;
  /** Guest-physical addresses of the rings, hex. */
  desc: string; avail: string; used: string;
  /** avail.idx as the guest last wrote it, the device's next avail position, used.idx. */
  availIdx: number | null; lastAvail: number; usedIdx: number;
}

export interface VirtioState {
  deviceType: string;
  /** Status register decoded: "ACKNOWLEDGE DRIVER FEATURES_OK DRIVER_OK". */
  status: string;
  /** Negotiated feature bit names (numbers for bits without a name). */
  features: string[];
  queues: VirtioQueueState[];
}

export interface PassthroughState {
  /** 'plugged', 'unplugged', 'unplugged (backend lost)', 'backend error: ...'. */
  state: string;
  backend: 'stub' | 'remote-port' | 'none';
  /** The backend's address (remote-port) or model file (stub). */
  target?: string;
  dma?: { base: string; size: number };
}

export interface DeviceInfo {
  name: string;
  group: DeviceGroup;
  model: string;
  compatible: string[];
  /** Physical base address, hex. */
  base: string;
  size: number;
  irq?: number;
  registers: RegisterValue[];
  virtio?: VirtioState;
  passthrough?: PassthroughState;
}

/** A device as the machine lists it: where it sits and what answers there. */
export interface DeviceSlot {
  name: string;
  group: DeviceGroup;
  base: number;
  size: number;
  irq?: number;
  dev: MmioDevice;
  /** Extra state for the view (virtio transports, passthrough slots). */
  virtio?(): VirtioState;
  passthrough?(): PassthroughState;
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** Register NAME or NAME[i] of a model: its declaration, index and offset in the window. */
export function findRegister(model: DeviceModel, name: string): { reg: RegisterDecl; index?: number; offset: number } | undefined {
  const m = /^([A-Za-z_][\w.]*)(?:\[(\d+)\])?$/.exec(name.trim());
  if (m === null) return undefined;
  const reg = model.registers.find((r) => r.name === m[1]);
  if (reg === undefined) return undefined;
  if (reg.count === undefined) return m[2] === undefined ? { reg, offset: reg.offset } : undefined;
  if (m[2] === undefined) return undefined;
  const index = Number(m[2]), first = reg.firstIndex ?? 0;
  if (index < first || index >= first + reg.count) return undefined;
  return { reg, index, offset: reg.offset + (index - first) * (reg.stride ?? reg.width) };
}

function fieldValues(reg: RegisterDecl, value: number): FieldValue[] {
  return (reg.fields ?? []).map((f) => {
    const [hi, lo] = f.bits;
    const v = hi - lo === 31 ? value >>> 0 : (value >>> lo) & ((1 << (hi - lo + 1)) - 1);
    const text = f.enum?.[v];
    return { name: f.name, bits: [hi, lo], value: v, ...(text !== undefined ? { text } : {}), ...(f.doc !== undefined ? { doc: f.doc } : {}) };
  });
}

/** The register's value now, without side effects; null when it has none to show. */
export function peekRegister(dev: MmioDevice, reg: RegisterDecl, offset: number): number | string | null {
  const named = reg.count === undefined ? dev.peekNamed?.(reg.name) : undefined;
  if (named !== undefined) return named >>> 0;
  if (reg.access === 'WO' || dev.peek === undefined) return null;
  if (reg.width === 8) {
    const lo = dev.peek(offset, 4) >>> 0, hi = dev.peek(offset + 4, 4) >>> 0;
    return `0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')}`;
  }
  const v = dev.peek(offset, reg.width);
  return reg.width === 4 ? v >>> 0 : v & ((1 << (reg.width * 8)) - 1);
}

export function registerValue(dev: MmioDevice, reg: RegisterDecl, index?: number): RegisterValue {
  const first = reg.firstIndex ?? 0;
  const offset = index === undefined ? reg.offset : reg.offset + (index - first) * (reg.stride ?? reg.width);
  const value = peekRegister(dev, reg, offset);
  return {
    name: index === undefined ? reg.name : `${reg.name}[${index}]`, offset, width: reg.width, access: reg.access,
    value, doc: reg.doc + (reg.when !== undefined ? ` (${reg.when})` : ''),
    fields: typeof value === 'number' ? fieldValues(reg, value) : [],
  };
}

function registers(dev: MmioDevice): RegisterValue[] {
  const out: RegisterValue[] = [];
  for (const reg of dev.model?.registers ?? []) {
    if (reg.count === undefined) { out.push(registerValue(dev, reg)); continue; }
    const first = reg.firstIndex ?? 0;
    const indices = dev.viewIndices?.(reg.name) ?? Array.from({ length: reg.count }, (_, i) => i + first);
    for (const i of indices) out.push(registerValue(dev, reg, i));
  }
  return out;
}

export function describeDevice(s: DeviceSlot): DeviceInfo {
  return {
    name: s.name, group: s.group, model: s.dev.model?.model ?? 'unknown', compatible: [...(s.dev.model?.compatible ?? [])],
    base: hex(s.base), size: s.size, ...(s.irq !== undefined ? { irq: s.irq } : {}),
    registers: registers(s.dev),
    ...(s.virtio !== undefined ? { virtio: s.virtio() } : {}),
    ...(s.passthrough !== undefined ? { passthrough: s.passthrough() } : {}),
  };
}

/**
 * A write from the Devices view: a real bus access (side effects and trace included) to a
 * register, or to one field of it by read-modify-write of the peeked value. Returns the
 * register afterwards, or what is wrong.
 */
export function writeDeviceRegister(s: DeviceSlot, write: (pa: number, size: number, lo: number, hi: number) => boolean,
  register: string, field: string | undefined, value: number): RegisterValue | string {
  const model = s.dev.model;
  const found = model === undefined ? undefined : findRegister(model, register);
  if (found === undefined) return `${s.name} has no register '${register}'`;
  const { reg, index, offset } = found;
  if (reg.access === 'RO') return `${s.name}.${register} is read-only`;
  if (!Number.isSafeInteger(value) || value < 0) return `${s.name}.${register}: ${value} is not an unsigned whole number`;
  let v = value;
  if (field !== undefined) {
    const f = reg.fields?.find((x) => x.name === field);
    if (f === undefined) return `${s.name}.${register} has no field '${field}'`;
    const [hi, lo] = f.bits, width = hi - lo + 1;
    if (value >= 2 ** width) return `${s.name}.${register}.${field} is ${width} bit${width === 1 ? '' : 's'} wide; ${value} does not fit`;
    const old = peekRegister(s.dev, reg, offset);
    if (typeof old !== 'number') return `${s.name}.${register} cannot be read back, so one field of it cannot be written alone`;
    v = ((old & ~(((2 ** width) - 1) * 2 ** lo)) >>> 0) + value * 2 ** lo;
  }
  if (v >= 2 ** (reg.width * 8)) return `${s.name}.${register} is ${reg.width * 8} bits wide; 0x${v.toString(16)} does not fit`;
  if (!write(s.base + offset, reg.width, v % 2 ** 32 | 0, Math.floor(v / 2 ** 32) | 0)) return `${s.name}.${register}: the bus refused the write`;
  return registerValue(s.dev, reg, index);
}
