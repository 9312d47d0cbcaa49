/**
 * The machine, described once. Every address, IRQ number and size of the `virt`
 * board lives here; the board builder, the FDT writer and the CLI all read it.
 * Layout as QEMU 7.2's hw/riscv/virt.c (checked against `-machine virt,dumpdtb`).
 * Device types are declared in their own files (devices/device-type.ts); the board is
 * a list of (type, place): VIRT_BOARD.
 */
import { DeviceType, DeviceWindow, IrqWindow, windowFor } from '../devices/device-type';
import { UART, UART_CLOCK_HZ } from '../devices/uart-ns16550a';
import { RTC } from '../devices/goldfish-rtc';
import { SIFIVE_TEST } from '../devices/sifive-test';
import { VIRTIO_MMIO } from '../devices/virtio/mmio';
import { PLIC, PLIC_SOURCES } from '../devices/plic';
import { CLINT } from '../devices/clint';
import { FW_CFG } from '../devices/fw-cfg';
import type { PassthroughDescription } from '../devices/passthrough/slot';
import type { FloatExt } from '../hart/csr';
import { CHOOSABLE_EXTENSIONS, DEFAULT_EXTENSIONS, IsaExtension } from '../hart/isa-table';

export type { DeviceWindow, IrqWindow } from '../devices/device-type';

export type Xlen = 32 | 64;

/** Addresses other code names; VIRT_BOARD places the devices (UART0 and the virtio slots from here). */
export const VIRT = {
  bootRom: { base: 0x1000, size: 0xf000 },
  uart0: { base: 0x10000000, size: 0x100, irq: 10 },
  virtio: { base: 0x10001000, stride: 0x1000, count: 8, firstIrq: 1 },
  dram: { base: 0x80000000 },
  /**
   * Where passthrough slots go by default: QEMU virt's platform-bus window (dynamic
   * sysbus devices) and its interrupt range, free on this board.
   */
  platformBus: { base: 0x4000000, size: 0x2000000, firstIrq: 64, irqCount: 32 },
  timebaseHz: 10_000_000,
  /** Where QEMU puts the kernel when firmware occupies the start of DRAM. */
  kernelOffset: { 64: 0x200000, 32: 0x400000 } as Record<Xlen, number>,
} as const;

/**
 * One virtio-mmio device, in command-line order, with the slot it asked for if any
 * (`virtioSlots` places them all).
 */
export type VirtioDeviceDescription = (
  /** `drive` indexes MachineBackends.drives; `readOnly` offers VIRTIO_BLK_F_RO. */
  | { kind: 'blk'; drive: number; readOnly: boolean; serial?: string }
  | { kind: 'rng' }
  | { kind: 'console' }
  /** `net` indexes MachineBackends.nets; `mac` as six bytes "52:54:00:12:34:56". */
  | { kind: 'net'; net: number; mac: string }
  /** virtio-gpu (2D); `display` is the size it offers the guest (default QEMU's 1280x800). */
  | { kind: 'gpu'; display?: { width: number; height: number } }
  | { kind: 'keyboard' }
  | { kind: 'tablet' }
) & {
  /** Version 1 transport (QueuePFN), as QEMU's `force-legacy`. */
  legacy?: boolean;
  /** The slot asked for, in QEMU's numbering (`bus=virtio-mmio-bus.N`: 0 is the lowest address, 0x10001000 on virt). */
  slot?: number;
  /** How the user named the device ("drive 'disk.img'"), for messages. */
  label?: string;
};

/**
 * The slot of each device (0 = the lowest address) on a board with `count` slots, or
 * one message naming the problem. QEMU's rule: a device with `bus=virtio-mmio-bus.N`
 * takes slot N; one without takes the highest free slot, in command-line order (the
 * first plain `-device` sits at 0x10008000, `info qtree`). QEMU places devices one by
 * one, so a plain device given before `bus=` of the top slot takes that slot and the
 * later one fails ("Bus 'virtio-mmio-bus.7' is full"); here the asked-for slots are
 * taken first, which gives QEMU's placement whenever QEMU accepts the command line.
 */
export function virtioSlots(devices: readonly VirtioDeviceDescription[], count: number): { ok: true; value: number[] } | { ok: false; error: string } {
  const name = (d: VirtioDeviceDescription) => d.label ?? `the ${d.kind} device`;
  if (devices.length > count) {
    return { ok: false, error: `the machine has ${count} virtio,mmio slot${count === 1 ? '' : 's'}, but ${devices.length} virtio device${devices.length === 1 ? ' was' : 's were'} asked for (drives, rng, virtio console, net, display)` };
  }
  const taken = new Map<number, VirtioDeviceDescription>();
  for (const d of devices) {
    if (d.slot === undefined) continue;
    if (!Number.isInteger(d.slot) || d.slot < 0 || d.slot >= count) {
      return { ok: false, error: `${name(d)} asks for virtio slot ${d.slot}, but the machine's slots are ${count === 1 ? '0' : `0-${count - 1}`}` };
    }
    const other = taken.get(d.slot);
    if (other !== undefined) return { ok: false, error: `virtio slot ${d.slot} is asked for twice: by ${name(other)} and by ${name(d)}` };
    taken.set(d.slot, d);
  }
  let next = count - 1;
  return {
    ok: true,
    value: devices.map((d) => {
      if (d.slot !== undefined) return d.slot;
      while (taken.has(next)) next--;
      taken.set(next, d);
      return next;
    }),
  };
}

/** One device of a board: its type and where it sits (the place's decodeSize from the type). */
function on<P extends DeviceWindow, K extends string, M extends boolean>(type: DeviceType<P, K, M>, place: P) {
  return { type, place: windowFor(type, place) as P };
}

/**
 * QEMU 7.2's virt: every device type we build at its place, in the order QEMU's tree
 * lists them. This list is also the registry of device types (DEVICE_TYPES): a new
 * device is its own file and one line here.
 */
export const VIRT_BOARD = [
  on(FW_CFG, { base: 0x10100000, size: 0x18 }),
  on(RTC, { base: 0x101000, size: 0x1000, irq: 11 }),
  on(UART, { base: VIRT.uart0.base, size: VIRT.uart0.size, irq: VIRT.uart0.irq, clockHz: UART_CLOCK_HZ }),
  on(SIFIVE_TEST, { base: 0x100000, size: 0x1000 }),
  ...Array.from({ length: VIRT.virtio.count }, (_, i) =>
    on(VIRTIO_MMIO, { base: VIRT.virtio.base + i * VIRT.virtio.stride, size: VIRT.virtio.stride, irq: VIRT.virtio.firstIrq + i })),
  on(PLIC, { base: 0xc000000, size: 0x600000, sources: PLIC_SOURCES }),
  on(CLINT, { base: 0x2000000, size: 0x10000 }),
];

type VirtTypes = (typeof VIRT_BOARD)[number]['type'];
type PlaceOf<T> = T extends DeviceType<infer P, string, boolean> ? P : never;

/** Every device type, once, in board order: what `osdev-emu devices`, machine-from-DTS and the language server read. */
export const DEVICE_TYPES: readonly DeviceType[] = [...new Set<DeviceType>(VIRT_BOARD.map((e) => e.type as DeviceType))];

/** The device type answering a `compatible` string, if we build one. */
export function typeForCompatible(compatible: string): DeviceType | undefined {
  return DEVICE_TYPES.find((t) => t.model.compatible.includes(compatible));
}

/**
 * Where the board's devices sit: what the Machine places and the virt FDT lists, one
 * field per device type (its `key`): a list for types with several instances, else one
 * optional place. `virtBoard()` is QEMU's virt; machine-from-dts.ts builds others from a
 * DTS. A type that is `always` built and missing here still exists inside the Machine
 * (harts and devices are wired to it) but is on no address, so the guest cannot see it.
 */
export type BoardLayout = {
  dramBase: number;
  /** /cpus timebase-frequency: CLINT mtime and the time CSR count at this rate. */
  timebaseHz: number;
} & { [T in VirtTypes as T extends DeviceType<DeviceWindow, infer K, true> ? K : never]: PlaceOf<T>[] }
  & { [T in VirtTypes as T extends DeviceType<DeviceWindow, infer K, false> ? K : never]?: PlaceOf<T> };

/** The places of one type on a board, in board order. */
export function placesOf<P extends DeviceWindow>(board: BoardLayout, type: DeviceType<P>): P[] {
  const v = (board as unknown as Record<string, P | P[] | undefined>)[type.key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** A layout with no devices, for builders that add them (machine-from-dts.ts). */
export function emptyBoard(dramBase: number, timebaseHz: number): BoardLayout {
  const b: Record<string, unknown> = { dramBase, timebaseHz };
  for (const t of DEVICE_TYPES) if (t.many) b[t.key] = [];
  return b as BoardLayout;
}

/** Add a place of `type` to a layout (a list for types with several instances). */
export function addPlace<P extends DeviceWindow>(board: BoardLayout, type: DeviceType<P>, place: P): void {
  const b = board as unknown as Record<string, unknown>;
  if (type.many) (b[type.key] as P[]).push(place);
  else b[type.key] = place;
}

/** QEMU 7.2's virt layout, from VIRT_BOARD. */
export function virtBoard(): BoardLayout {
  const b = emptyBoard(VIRT.dram.base, VIRT.timebaseHz);
  for (const e of VIRT_BOARD) addPlace(b, e.type as DeviceType, { ...e.place });
  return b;
}

/** The layout a description uses: its own (a DTS board) or virt's. */
export function boardOf(d: MachineDescription): BoardLayout {
  return d.board ?? virtBoard();
}

export type { PassthroughDescription } from '../devices/passthrough/slot';

export type { FloatExt } from '../hart/csr';
export type { IsaExtension } from '../hart/isa-table';

export interface MachineDescription {
  xlen: Xlen;
  /** F/D of every hart (default FD); a board's riscv,isa without them turns them off. */
  fpu?: FloatExt;
  /** The multi-letter extensions of every hart that a board chooses (default DEFAULT_EXTENSIONS, QEMU 7.2's). */
  extensions?: readonly IsaExtension[];
  harts: number;
  /** Bytes of DRAM at the board's dramBase (VIRT.dram.base on virt). */
  memoryBytes: number;
  /** Where the devices sit; default virtBoard(). */
  board?: BoardLayout;
  /**
   * The device tree the guest gets, compiled from the DTS the board came from; /chosen
   * is completed at boot (bootargs, initrd). Default: buildVirtFdt of this description.
   */
  dtb?: Uint8Array;
  /** Kernel command line for /chosen/bootargs. */
  bootargs?: string;
  /** Physical range of the initrd, for /chosen linux,initrd-start/end. */
  initrd?: { start: number; end: number };
  /** Guest instructions per second of guest time (icount-like rate). */
  instructionsPerSecond: number;
  /** Virtio-mmio devices, in command-line order (slots: `virtioSlots`). */
  virtio?: readonly VirtioDeviceDescription[];
  /** Passthrough slots, listed in the FDT under /soc. */
  passthrough?: readonly PassthroughDescription[];
}

/** Every device of a board with its instance name ("uart0", "rtc", ...), in board order. */
function boardDevices(b: BoardLayout): { name: string; type: DeviceType; place: IrqWindow }[] {
  return DEVICE_TYPES.flatMap((type) => placesOf<IrqWindow>(b, type).map((place, i) => ({ name: type.name(i), type, place })));
}

/** Windows of the board itself, for overlap checks: [name, base, size]. */
export function boardWindows(d: MachineDescription): [string, number, number][] {
  const b = boardOf(d);
  const out: [string, number, number][] = [['the boot ROM', VIRT.bootRom.base, VIRT.bootRom.size]];
  for (const { name, place } of boardDevices(b)) out.push([place.node ?? name, place.base, place.size]);
  out.push(['DRAM', b.dramBase, d.memoryBytes]);
  return out;
}

/** PLIC sources the board's own devices use, by owner name. */
function boardIrqs(b: BoardLayout): Map<number, string> {
  const used = new Map<number, string>();
  for (const { name, place } of boardDevices(b)) if (place.irq !== undefined) used.set(place.irq, name);
  return used;
}

/** Why the passthrough slots cannot be placed as described (overlaps, IRQ clashes), or null. */
export function checkPassthrough(d: MachineDescription): string | null {
  const hex = (n: number) => `0x${n.toString(16)}`;
  const board = boardOf(d);
  const used = boardIrqs(board);
  const windows = boardWindows(d);
  const names = new Set(boardDevices(board).map((x) => x.name));
  const sources = board.plic?.sources ?? PLIC_SOURCES;
  for (const p of d.passthrough ?? []) {
    const what = p.node ?? `passthrough "${p.name}"`;
    if (p.node === undefined && !/^[a-z][a-z0-9_-]*$/i.test(p.name)) return `${what}: the name must be a device-tree node name (letters, digits, _ and -)`;
    if (names.has(p.name)) return `${what}: the name is taken by another device`;
    names.add(p.name);
    if (p.node === undefined) {
      if (p.size < 0x100 || (p.size & (p.size - 1)) !== 0) return `${what}: size ${hex(p.size)} must be a power of two, at least 0x100`;
      if (p.base % 0x100 !== 0 || p.base + p.size > 2 ** 32) return `${what}: base ${hex(p.base)} must be 256-byte aligned, below 4G`;
    }
    for (const [n, b, s] of windows) {
      if (p.base < b + s && b < p.base + p.size) return `${what}: window ${hex(p.base)}-${hex(p.base + p.size - 1)} overlaps ${n} at ${hex(b)}-${hex(b + s - 1)}`;
    }
    windows.push([what, p.base, p.size]);
    if (p.node !== undefined && p.irq === 0) continue; // a DTS node without interrupts
    if (!Number.isInteger(p.irq) || p.irq < 1 || p.irq >= sources) return `${what}: irq ${p.irq} must be a PLIC source from 1 to ${sources - 1}`;
    const owner = used.get(p.irq);
    if (owner !== undefined) return `${what}: irq ${p.irq} is ${owner}'s`;
    used.set(p.irq, what);
    if (p.dma !== undefined) {
      const end = board.dramBase + d.memoryBytes;
      if (p.dma.size <= 0 || p.dma.base < board.dramBase || p.dma.base + p.dma.size > end) return `${what}: the DMA window must lie inside DRAM (${hex(board.dramBase)}-${hex(end - 1)})`;
    }
  }
  return null;
}

export const MAX_HARTS = 8;
/** Largest DRAM we can back with one WebAssembly.Memory (wasm32: 4 GiB minus headroom). */
export const MAX_MEMORY_BYTES = 2048 * 1024 * 1024;

export function defaultDescription(overrides: Partial<MachineDescription> = {}): MachineDescription {
  return {
    xlen: 64,
    harts: 1,
    memoryBytes: 128 * 1024 * 1024,
    instructionsPerSecond: 100_000_000,
    ...overrides,
  };
}

/**
 * The QEMU 7.2 `-cpu` value whose hart matches ours with `extensions`: RV{32,64}IMAFDC +
 * Zicsr + Zifencei + Sstc and those of Zihintpause, Zba, Zbb, Zbc, Zbs and Svpbmt we have,
 * all 29 hpm counters present (ours read zero; QEMU's hold what is written), the Sdtrig
 * trigger module (`debug=true`, QEMU's default; hart/triggers.ts), and H and V switched off.
 * QEMU 7.2 has no Zicbom/Zicboz: a hart with them has no QEMU 7.2 twin.
 * Differential tests pass exactly this, so QEMU's DTB riscv,isa equals isaString().
 */
export function qemuCpuOption(xlen: Xlen, extensions: readonly IsaExtension[] = DEFAULT_EXTENSIONS): string {
  const flags = (['zba', 'zbb', 'zbc', 'zbs'] as const).filter((x) => !extensions.includes(x)).map((x) => `${x}=false`);
  if (!extensions.includes('zihintpause')) flags.push('Zihintpause=false');
  if (extensions.includes('svpbmt')) flags.push('svpbmt=true');
  return [`rv${xlen}`, 'h=false', 'v=false', ...flags, 'sstc=true', 'pmu-num=29', 'debug=true'].join(',');
}
/** qemuCpuOption of the default harts. */
export const QEMU_CPU_OPTION: Record<Xlen, string> = { 64: qemuCpuOption(64), 32: qemuCpuOption(32) };

/** riscv,isa exactly as QEMU 7.2 prints it for qemuCpuOption (it has no zicntr yet); zicbom/zicboz where later QEMUs put them. */
export function isaString(xlen: Xlen, fpu: FloatExt = 'FD', extensions: readonly IsaExtension[] = DEFAULT_EXTENSIONS): string {
  const has = (x: IsaExtension) => extensions.includes(x);
  const z = CHOOSABLE_EXTENSIONS.filter((x) => x !== 'svpbmt' && has(x)).map((x) => `_${x}`).join('');
  const zicsr = z.replace(/^((?:_zicbo[mz])*)/, '$1_zicsr_zifencei');
  return `rv${xlen}ima${fpu === 'none' ? '' : fpu.toLowerCase()}c${zicsr}_sstc${has('svpbmt') ? '_svpbmt' : ''}`;
}

/** mmu-type as QEMU 7.2 prints it: sv48 for rv64 (satp also accepts Sv39), sv32 for rv32. */
export function mmuType(xlen: Xlen): string {
  return xlen === 64 ? 'riscv,sv48' : 'riscv,sv32';
}
