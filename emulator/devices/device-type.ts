/**
 * A device type, declared once (issue 13): its register map and the `compatible`
 * strings it answers (`model`), what it decodes of its window, how it is built at a
 * place, how it writes its FDT node and how a DTS node becomes a place. Each type lives
 * in its device's own file; the board (machine/description.ts VIRT_BOARD) is a list of
 * (type, place), and the Machine, the FDT writer, machine-from-DTS, `osdev-emu devices`
 * and the language server all read that one list.
 *
 * Devices never import the machine: what a type needs from it comes in the contexts below.
 */
import { MmioDevice } from '../bus/bus';
import { Hart } from '../hart/hart';
import { DtNode, ResolvedTree } from '../dts/resolve';
import { QueryResult } from '../dts/query';
import { DeviceModel } from './regmap';
import { GuestRam } from './virtio/queue';
import type { VirtioDevice } from './virtio/device';
import type { VirtioState } from './device-view';

/**
 * A device window: `size` is the reg window the guest is told about, `decodeSize` the
 * part the device answers (the rest faults). `node` is the device-tree path it came
 * from, for messages, when the board was built from a DTS.
 */
export interface DeviceWindow { base: number; size: number; decodeSize?: number; node?: string }
/** A window with a PLIC source (undefined: the device's line is wired nowhere). */
export interface IrqWindow extends DeviceWindow { irq?: number }

/** The FdtBuilder calls a type writes its node with (FdtBuilder satisfies this). */
export interface FdtWriter {
  beginNode(name: string): FdtWriter;
  endNode(): FdtWriter;
  propEmpty(name: string): FdtWriter;
  propU32(name: string, value: number): FdtWriter;
  propU32Array(name: string, values: readonly number[]): FdtWriter;
  propU64Cells(name: string, values: readonly number[]): FdtWriter;
  propString(name: string, value: string): FdtWriter;
  propStringList(name: string, values: readonly string[]): FdtWriter;
}

export interface FdtContext {
  fdt: FdtWriter;
  hartIds: readonly number[];
  /** Phandle of a hart's interrupt controller. */
  intc(hart: number): number;
  /** Phandle the type asked for (`DeviceType.phandle`); the PLIC's is `plic`. */
  phandle(type: DeviceType): number;
  plic: number;
  /** `interrupts` and `interrupt-parent` for a PLIC line; nothing for a line wired nowhere. */
  irq(irq: number | undefined): void;
}

/** What a type may ask of machine-from-DTS while it turns a node into a place. */
export interface DtsContext {
  tree: ResolvedTree;
  harts: number;
  /** The node's one window, at least `min` bytes, placed (overlaps are refused). */
  window(n: DtNode, what: string, min: number): QueryResult<DeviceWindow>;
  /** `window` and the node's PLIC source. */
  placed(n: DtNode, what: string, min: number): QueryResult<IrqWindow>;
  /** Every hart's local interrupts `lines` reach this node through interrupts-extended: null, or why not. */
  hartWiring(n: DtNode, lines: readonly [number, number]): string | null;
  /** This node is the interrupt controller device lines must go to; they may use sources 1 to `last`. */
  setInterruptParent(n: DtNode, last: number): void;
}

export type PowerEvent = { kind: 'pass' } | { kind: 'fail'; code: number } | { kind: 'reset' };

/** What a type may ask of the Machine while it builds an instance. */
export interface BuildContext {
  harts: readonly Hart[];
  ram: GuestRam;
  /** The level function of a PLIC source (a no-op for a line wired nowhere). */
  line(irq: number | undefined): (level: boolean) => void;
  consoleOut(byte: number): void;
  power(e: PowerEvent): void;
  log(line: string): void;
  /** Guest time in timebase ticks, and moving it (CLINT mtime writes). */
  ticks(): number;
  setTicks(ticks: number): void;
  /** Guest wall-clock time in ns since the epoch, and the clock value at which it reaches `ns`. */
  nowNs(): number;
  clockAtNs(ns: number): number;
  /** The virtio device the host put in slot `index`, if any, and whether its transport is legacy. */
  virtioDevice(index: number): { device: VirtioDevice; legacy?: boolean } | undefined;
  /**
   * Roles the Machine is wired to; the first instance to claim one keeps it. The interrupt
   * controller is the Machine's to type (machine.ts knows it is the PLIC): naming Plic
   * here would make device-type and plic import each other.
   */
  roles: { interrupts?: object; consoleInput?: ConsoleInput };
}

export interface ConsoleInput { canReceive(): number; receive(byte: number): void }

/** One built instance and its clock hooks. */
export interface BuiltDevice {
  dev: MmioDevice;
  /** Devices view group; `hidden` instances (empty virtio slots) are mapped but not listed. */
  group: 'emulated' | 'virtio' | 'hidden';
  virtio?: () => VirtioState;
  /** At each round boundary, before outside input enters (the RTC's alarm). */
  tick?(): void;
  /** At each round boundary, after outside input entered (virtio transports). */
  poll?(): void;
  /** The clock value at which the device next raises its line by itself, if any (WFI skips to it). */
  nextDeadline?(): number | undefined;
  reset?(): void;
}

export interface DeviceType<P extends DeviceWindow = DeviceWindow, K extends string = string, M extends boolean = boolean> {
  /** The board layout's field for this type's places (`uarts`, `rtc`, ...). */
  readonly key: K;
  /** Several instances (a list of places) or at most one. */
  readonly many: M;
  /** Register map, compatible strings it answers, window size: `osdev-emu devices` prints it. */
  readonly model: DeviceModel;
  /** What the device answers of its window (QEMU's region); a bigger window faults beyond it. */
  readonly decodeSize: number;
  /** Name of the instance on the bus and in the Devices view. */
  name(index: number): string;
  /**
   * Built even when the board leaves it out, on no address, because the harts or the
   * scheduler are wired to it (PLIC, CLINT, the console UART); `place` is then undefined.
   */
  readonly always?: boolean;
  build(place: P | undefined, index: number, ctx: BuildContext): BuiltDevice;
  /** Where its FDT nodes go: root nodes before /chosen, after it, or /soc (all its places at once). */
  readonly fdt: {
    top?(places: readonly P[], ctx: FdtContext): void;
    root?(places: readonly P[], ctx: FdtContext): void;
    soc?(places: readonly P[], ctx: FdtContext): void;
    /** Written in /soc after the passthrough slots (QEMU's virt ends /soc with the PLIC and CLINT). */
    socLast?: boolean;
    /** Written at virt's place when the board has none. */
    always?: boolean;
  };
  /** Its phandle is the cpus' phandles plus this (QEMU's virt numbering). */
  readonly phandle?: number;
  /** The place a DTS node describes, or one error naming the node. */
  readonly dts: {
    /** Placed before every other device (interrupt controllers: lines are checked against them). */
    early?: boolean;
    /** Its places are sorted by address (virtio: slot 0 is the lowest, QEMU's numbering). */
    sortByAddress?: boolean;
    /** What the "a second ..." message calls it (default: the node's compatible). */
    label?: string;
    place(n: DtNode, ctx: DtsContext): QueryResult<P>;
  };
}

/** A window of `size` at `base` for a type: decodeSize when the type answers less than the window. */
export function windowFor(type: DeviceType, w: DeviceWindow): DeviceWindow {
  return w.size > type.decodeSize ? { ...w, decodeSize: type.decodeSize } : w;
}

/** `name@<lowercase hex address>`, as QEMU names nodes. */
export function unitName(name: string, address: number): string {
  return `${name}@${address.toString(16)}`;
}
