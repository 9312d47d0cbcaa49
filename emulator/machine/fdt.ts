/**
 * Flattened devicetree (DTB) writer, and the tree of the `virt` board.
 *
 * Format: Devicetree Specification v0.4, chapter 5 (version 17, last compatible 16).
 * Blob layout (§5.1): header, memory reservation block, structure block, strings block.
 *
 * `buildVirtFdt` reproduces what QEMU 7.2 dumps with `-machine virt,dumpdtb=F` (and the
 * -cpu option in description.ts), node for node and property for property, in QEMU's order,
 * minus what we do not emulate. fdt.test.ts diffs the two trees.
 */

import { MachineDescription, MAX_HARTS, DEVICE_TYPES, VIRT_BOARD, boardOf, isaString, mmuType, placesOf } from './description';
import { DeviceType, DeviceWindow, FdtContext, unitName } from '../devices/device-type';
import { PLIC } from '../devices/plic';

// §5.2 header and §5.4.1 structure-block tokens.
const FDT_MAGIC = 0xd00dfeed;
const FDT_VERSION = 17;
const FDT_LAST_COMP_VERSION = 16;
const FDT_HEADER_BYTES = 40;
const FDT_BEGIN_NODE = 0x1;
const FDT_END_NODE = 0x2;
const FDT_PROP = 0x3;
const FDT_END = 0x9;

const U32_LIMIT = 2 ** 32;
/** Bytes of property names in one blob (real ones take a few KiB); bounds the tail index's memory. */
const FDT_STRINGS_LIMIT = 4 * 1024 * 1024;

/** Bytes that grow as needed; every structure-block item is 4-byte aligned (§5.4.2). */
class ByteSink {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u32(value: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, value, false); // §5.1: big-endian
    this.length += 4;
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
  }

  alignTo4(): void {
    const pad = (4 - (this.length & 3)) & 3;
    this.reserve(pad);
    this.buf.fill(0, this.length, this.length + pad);
    this.length += pad;
  }

  contents(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

const utf8 = new TextEncoder();

function checkedU32(what: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value >= U32_LIMIT) {
    throw new RangeError(`FDT: ${what} = ${value} is not a u32`);
  }
  return value;
}

/** A NUL-terminated string (§2.2.4 <string>); an inner NUL would split it, so refuse it. */
function cString(what: string, text: string): Uint8Array {
  if (text.includes('\0')) throw new RangeError(`FDT: ${what} contains a NUL character`);
  const encoded = utf8.encode(text);
  const out = new Uint8Array(encoded.length + 1);
  out.set(encoded);
  return out;
}

/**
 * Builds a DTB by walking the tree once: begin a node, add its properties, add its
 * children, end it. Misuse (properties after a child, unbalanced ends) is a host bug
 * and throws.
 */
export class FdtBuilder {
  private readonly struct = new ByteSink();
  private readonly strings = new ByteSink();
  /** §5.5: property names are stored once in the strings block; equal names share an offset, and so do tails (below). */
  private readonly stringOffsets = new Map<string, number>();
  /**
   * Tail sharing in linear time: a trie of the strings block's names read backwards from
   * their NUL. Node `k`'s child for byte `b` is `tailChild.get(k * 256 + b)`; `tailOffset[k]`
   * is where that tail first starts in the block (the first string to make a node has the
   * lowest offset, as the block only grows). Node 0 is the empty tail, the first NUL.
   */
  private readonly tailChild = new Map<number, number>();
  private readonly tailOffset: number[] = [-1];
  private depth = 0;
  /** Whether the open node already has a child (§5.4.2: properties come before children). */
  private hasChild: boolean[] = [];
  private finished = false;

  beginNode(name: string): this {
    this.checkOpen();
    if (this.depth === 0 && name !== '') throw new Error('FDT: the root node must be named ""');
    if (this.depth > 0 && name === '') throw new Error('FDT: only the root node may be unnamed');
    if (this.depth > 0) this.hasChild[this.depth - 1] = true;
    this.struct.u32(FDT_BEGIN_NODE);
    this.struct.bytes(cString('node name', name));
    this.struct.alignTo4();
    this.depth++;
    this.hasChild.push(false);
    return this;
  }

  endNode(): this {
    this.checkOpen();
    if (this.depth === 0) throw new Error('FDT: endNode() without a matching beginNode()');
    this.struct.u32(FDT_END_NODE);
    this.depth--;
    this.hasChild.pop();
    return this;
  }

  /** A property with no value, e.g. `interrupt-controller;` (§2.2.4 <empty>). */
  propEmpty(name: string): this {
    return this.prop(name, new Uint8Array(0));
  }

  propU32(name: string, value: number): this {
    return this.propU32Array(name, [value]);
  }

  /** A <prop-encoded-array> of 32-bit cells. */
  propU32Array(name: string, values: readonly number[]): this {
    const out = new Uint8Array(values.length * 4);
    const view = new DataView(out.buffer);
    values.forEach((v, i) => view.setUint32(i * 4, checkedU32(`${name}[${i}]`, v), false));
    return this.prop(name, out);
  }

  /** Each value as two cells, high word first (§2.2.4 <u64>); e.g. reg with 2 address + 2 size cells. */
  propU64Cells(name: string, values: readonly number[]): this {
    const cells: number[] = [];
    for (const [i, v] of values.entries()) {
      if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`FDT: ${name}[${i}] = ${v} is not a u64 we can represent`);
      cells.push(Math.floor(v / U32_LIMIT), v % U32_LIMIT);
    }
    return this.propU32Array(name, cells);
  }

  propString(name: string, value: string): this {
    return this.prop(name, cString(name, value));
  }

  /** A <stringlist>: the strings back to back, each NUL-terminated. */
  propStringList(name: string, values: readonly string[]): this {
    const parts = values.map((v) => cString(name, v));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return this.prop(name, out);
  }

  /** Raw property bytes, for encodings the helpers above do not cover. */
  prop(name: string, value: Uint8Array): this {
    this.checkOpen();
    if (this.depth === 0) throw new Error(`FDT: property ${name} outside any node`);
    if (this.hasChild[this.depth - 1]) throw new Error(`FDT: property ${name} after a child node`);
    // §5.4.1 FDT_PROP: token, len, nameoff, value padded to 4.
    this.struct.u32(FDT_PROP);
    this.struct.u32(value.length);
    this.struct.u32(this.stringOffset(name));
    this.struct.bytes(value);
    this.struct.alignTo4();
    return this;
  }

  /**
   * Closes the structure block and lays out the blob (§5.1). `reservations` fill the
   * memory reservation block (§5.3, from DTS `/memreserve/`).
   */
  finish(bootCpuidPhys = 0, reservations: readonly { address: bigint; size: bigint }[] = []): Uint8Array {
    this.checkOpen();
    if (this.depth !== 0) throw new Error(`FDT: ${this.depth} node(s) still open`);
    if (this.struct.length === 0) throw new Error('FDT: no root node');
    this.finished = true;
    this.struct.u32(FDT_END);

    // §5.3: the reservation block is 8-aligned and ends with an all-zero entry.
    const rsvOffset = FDT_HEADER_BYTES;
    const rsvBytes = 16 * (reservations.length + 1);
    const structOffset = rsvOffset + rsvBytes;
    const structBytes = this.struct.contents();
    const stringsOffset = structOffset + structBytes.length;
    const stringsBytes = this.strings.contents();
    const total = stringsOffset + stringsBytes.length;

    const blob = new Uint8Array(total);
    const header = new DataView(blob.buffer);
    const fields = [
      FDT_MAGIC, total, structOffset, stringsOffset, rsvOffset,
      FDT_VERSION, FDT_LAST_COMP_VERSION, checkedU32('boot_cpuid_phys', bootCpuidPhys),
      stringsBytes.length, structBytes.length,
    ];
    fields.forEach((v, i) => header.setUint32(i * 4, v, false));
    reservations.forEach((r, i) => {
      header.setBigUint64(rsvOffset + 16 * i, BigInt.asUintN(64, r.address), false);
      header.setBigUint64(rsvOffset + 16 * i + 8, BigInt.asUintN(64, r.size), false);
    });
    blob.set(structBytes, structOffset);
    blob.set(stringsBytes, stringsOffset);
    return blob;
  }

  private stringOffset(name: string): number {
    const known = this.stringOffsets.get(name);
    if (known !== undefined) return known;
    // As libfdt (fdt_find_add_string_) and dtc (stringtable_insert) do, a name that ends an
    // existing string shares its tail, so blobs come out byte for byte like theirs.
    // A linear search of the block for each new name made many names quadratic.
    const bytes = cString('property name', name);
    let offset = this.sharedTail(bytes);
    if (offset === undefined) {
      if (this.strings.length + bytes.length > FDT_STRINGS_LIMIT) throw new RangeError(`FDT: property names take more than ${FDT_STRINGS_LIMIT} bytes`);
      offset = this.strings.length;
      this.strings.bytes(bytes);
      this.addTails(bytes, offset);
    }
    this.stringOffsets.set(name, offset);
    return offset;
  }

  /** The offset of the first string in the block that ends with `bytes` (NUL included), if any. */
  private sharedTail(bytes: Uint8Array): number | undefined {
    let node: number | undefined = 0;
    for (let i = bytes.length - 2; i >= 0 && node !== undefined; i--) node = this.tailChild.get(node * 256 + bytes[i]);
    const at = node === undefined ? -1 : this.tailOffset[node];
    return at >= 0 ? at : undefined;
  }

  private addTails(bytes: Uint8Array, offset: number): void {
    const nul = offset + bytes.length - 1;
    if (this.tailOffset[0] < 0) this.tailOffset[0] = nul;
    let node = 0;
    for (let i = bytes.length - 2; i >= 0; i--) {
      const key = node * 256 + bytes[i];
      let next = this.tailChild.get(key);
      if (next === undefined) {
        next = this.tailOffset.length;
        this.tailOffset.push(offset + i);
        this.tailChild.set(key, next);
      }
      node = next;
    }
  }

  private checkOpen(): void {
    if (this.finished) throw new Error('FDT: builder already finished');
  }
}

/**
 * Phandles in the order QEMU 7.2's hw/riscv/virt.c hands them out: the CPU nodes are
 * created from the last hart down (each cpu, then its interrupt controller), then the
 * devices that ask for one (`DeviceType.phandle`: the PLIC, then the test device).
 * Guests only follow phandles, but equal numbers keep the tree diffable against QEMU's.
 */
function virtPhandles(harts: number) {
  const cpu = (hart: number) => 2 * (harts - 1 - hart) + 1;
  return {
    cpu,
    intc: (hart: number) => cpu(hart) + 1,
    device: (type: DeviceType) => 2 * harts + (type.phandle ?? 0),
  };
}

/**
 * The device tree of the machine described, as QEMU 7.2 dumps it for `-machine virt`.
 *
 * Each device type writes its own nodes (DeviceType.fdt), in VIRT_BOARD's order.
 * Left out because we do not emulate them: /pmu (OpenSBI's map of perf events to
 * mhpmcounters, which count nothing here), /flash, /platform-bus and /soc/pci. Left out for determinism: /chosen/rng-seed.
 * Added: `#address-cells = <0>` in each hart's interrupt controller, which QEMU omits
 * and dtc warns about (interrupt_provider); 0 is what a missing value means to an
 * interrupt-map walk anyway, so no guest sees a difference.
 *
 * Throws on a description that description.ts's checks should already have refused.
 */
export function buildVirtFdt(desc: MachineDescription): Uint8Array {
  if (!Number.isInteger(desc.harts) || desc.harts < 1 || desc.harts > MAX_HARTS) {
    throw new RangeError(`FDT: harts = ${desc.harts}, expected 1..${MAX_HARTS}`);
  }
  if (!Number.isSafeInteger(desc.memoryBytes) || desc.memoryBytes <= 0) {
    throw new RangeError(`FDT: memoryBytes = ${desc.memoryBytes} is not a positive size`);
  }
  // The layout is virt's unless a DTS gave another; a DTS board's guest gets its own DTB
  // (desc.dtb), so this tree is only ever written for virt-like layouts.
  const board = boardOf(desc);
  const ph = virtPhandles(desc.harts);
  const hartIds = Array.from({ length: desc.harts }, (_, i) => i);
  const fdt = new FdtBuilder();
  const ctx: FdtContext = {
    fdt, hartIds, intc: ph.intc, phandle: ph.device, plic: ph.device(PLIC),
    // A line wired nowhere (irq undefined) gets no interrupts property.
    irq: (irq) => { if (irq !== undefined) fdt.propU32('interrupts', irq).propU32('interrupt-parent', ctx.plic); },
  };
  /** Each type's places; a type written `always` falls back to virt's place. */
  const places = (type: DeviceType): DeviceWindow[] => {
    const own = placesOf(board, type);
    return own.length > 0 || type.fdt.always !== true ? own : VIRT_BOARD.filter((e) => e.type === type).map((e) => e.place);
  };
  const write = (where: 'top' | 'root' | 'soc', last?: boolean) => {
    for (const type of DEVICE_TYPES) if (last === undefined || (type.fdt.socLast === true) === last) type.fdt[where]?.(places(type), ctx);
  };

  fdt.beginNode('')
    .propU32('#address-cells', 2)
    .propU32('#size-cells', 2)
    .propString('compatible', 'riscv-virtio')
    .propString('model', 'riscv-virtio,qemu');
  write('top');

  fdt.beginNode('chosen');
  if (desc.initrd) {
    const { start, end } = desc.initrd;
    if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && 0 <= start && start <= end)) {
      throw new RangeError(`FDT: initrd range ${start}..${end} is not a valid address range`);
    }
    // QEMU writes one cell each (hw/riscv/boot.c); Linux reads either width, so use two
    // cells only when an address does not fit in one.
    if (end < U32_LIMIT) {
      fdt.propU32('linux,initrd-end', end).propU32('linux,initrd-start', start);
    } else {
      fdt.propU64Cells('linux,initrd-end', [end]).propU64Cells('linux,initrd-start', [start]);
    }
  }
  if (desc.bootargs !== undefined) fdt.propString('bootargs', desc.bootargs);
  if (board.uarts.length > 0) fdt.propString('stdout-path', `/soc/${unitName('serial', board.uarts[0].base)}`);
  fdt.endNode();

  write('root');

  fdt.beginNode(unitName('memory', board.dramBase))
    .propString('device_type', 'memory')
    .propU64Cells('reg', [board.dramBase, desc.memoryBytes])
    .endNode();

  fdt.beginNode('cpus')
    .propU32('#address-cells', 1)
    .propU32('#size-cells', 0)
    .propU32('timebase-frequency', board.timebaseHz);
  for (const hart of hartIds) {
    fdt.beginNode(`cpu@${hart}`)
      .propU32('phandle', ph.cpu(hart))
      .propString('device_type', 'cpu')
      .propU32('reg', hart)
      .propString('status', 'okay')
      .propString('compatible', 'riscv')
      .propString('riscv,isa', isaString(desc.xlen))
      .propString('mmu-type', mmuType(desc.xlen));
    fdt.beginNode('interrupt-controller')
      .propU32('#address-cells', 0)
      .propU32('#interrupt-cells', 1)
      .propEmpty('interrupt-controller')
      .propString('compatible', 'riscv,cpu-intc')
      .propU32('phandle', ph.intc(hart))
      .endNode();
    fdt.endNode();
  }
  // Linux Documentation/devicetree/bindings/cpu/cpu-topology.txt: one cluster of all harts.
  fdt.beginNode('cpu-map').beginNode('cluster0');
  for (const hart of hartIds) {
    fdt.beginNode(`core${hart}`).propU32('cpu', ph.cpu(hart)).endNode();
  }
  fdt.endNode().endNode();
  fdt.endNode(); // cpus

  fdt.beginNode('soc')
    .propU32('#address-cells', 2)
    .propU32('#size-cells', 2)
    .propString('compatible', 'simple-bus')
    .propEmpty('ranges');

  write('soc', false);
  for (const p of desc.passthrough ?? []) {
    fdt.beginNode(unitName(p.name, p.base));
    ctx.irq(p.irq === 0 && p.node !== undefined ? undefined : p.irq);
    fdt.propU64Cells('reg', [p.base, p.size])
      .propString('compatible', p.compatible)
      .endNode();
  }
  write('soc', true);

  fdt.endNode(); // soc
  fdt.endNode(); // root
  return fdt.finish(0);
}

