/**
 * The tree of the `virt` board, written with the DTB writer of the DTS room (dts/fdt-builder.ts).
 *
 * `buildVirtFdt` reproduces what QEMU 7.2 dumps with `-machine virt,dumpdtb=F` (and the
 * -cpu option in description.ts), node for node and property for property, in QEMU's order,
 * minus what we do not emulate. fdt.test.ts diffs the two trees.
 */

import { FdtBuilder, U32_LIMIT } from '../dts/fdt-builder';
import { CBO_BLOCK } from '../hart/isa-table';
import { MachineDescription, MAX_HARTS, DEVICE_TYPES, VIRT_BOARD, boardOf, isaString, mmuType, placesOf } from './description';
import { DeviceType, DeviceWindow, FdtContext, unitName } from '../devices/device-type';
import { PLIC } from '../devices/plic';

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
      .propString('riscv,isa', isaString(desc.xlen, desc.fpu, desc.extensions));
    // As QEMU 8 writes them (QEMU 7.2 has neither extension); Linux reads them before using cbo.*.
    if (desc.extensions?.includes('zicbom') === true) fdt.propU32('riscv,cbom-block-size', CBO_BLOCK);
    if (desc.extensions?.includes('zicboz') === true) fdt.propU32('riscv,cboz-block-size', CBO_BLOCK);
    fdt.propString('mmu-type', mmuType(desc.xlen));
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

