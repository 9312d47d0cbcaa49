/**
 * The tree of the `virt` board, written with the DTB writer of the DTS room (dts/fdt-builder.ts).
 *
 * `buildVirtFdt` reproduces what QEMU 7.2 dumps with `-machine virt,dumpdtb=F` (and the
 * -cpu option in description.ts), node for node and property for property, in QEMU's order,
 * minus what we do not emulate. fdt.test.ts diffs the two trees.
 */

import { FdtBuilder, U32_LIMIT } from '../dts/fdt-builder';
import { MachineDescription, MAX_HARTS, VIRT, boardOf, isaString, mmuType } from './description';

/** QEMU names nodes `name@<lowercase hex address>`. */
function unitName(name: string, address: number): string {
  return `${name}@${address.toString(16)}`;
}

/**
 * Phandles in the order QEMU 7.2's hw/riscv/virt.c hands them out: the CPU nodes are
 * created from the last hart down (each cpu, then its interrupt controller), then the
 * PLIC, then the test device. Guests only follow phandles, but equal numbers keep the
 * tree diffable against QEMU's.
 */
function virtPhandles(harts: number) {
  const cpu = (hart: number) => 2 * (harts - 1 - hart) + 1;
  return {
    cpu,
    intc: (hart: number) => cpu(hart) + 1,
    plic: 2 * harts + 1,
    test: 2 * harts + 2,
  };
}

// Priv 1.12 §3.1.9 (mip/mie): the hart-local interrupt numbers the CLINT and PLIC drive.
// TODO: read them from hart/trap.ts once it exists, so they have one home.
const IRQ_M_SOFT = 3;
const IRQ_M_TIMER = 7;
const IRQ_M_EXT = 11;
const IRQ_S_EXT = 9;

/**
 * The device tree of the machine described, as QEMU 7.2 dumps it for `-machine virt`.
 *
 * Left out because we do not emulate them: /pmu (OpenSBI's map of perf events to
 * mhpmcounters, which count nothing here), /fw-cfg, /flash, /platform-bus and /soc/pci. Left out for determinism: /chosen/rng-seed.
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

  fdt.beginNode('')
    .propU32('#address-cells', 2)
    .propU32('#size-cells', 2)
    .propString('compatible', 'riscv-virtio')
    .propString('model', 'riscv-virtio,qemu');

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

  // The sifive_test device doubles as a syscon: poweroff and reboot write a magic value
  // to it (DESIGN.md: 0x5555 pass, 0x7777 reset).
  for (const [node, value] of board.test !== undefined ? [['poweroff', 0x5555], ['reboot', 0x7777]] as const : []) {
    fdt.beginNode(node)
      .propU32('value', value)
      .propU32('offset', 0)
      .propU32('regmap', ph.test)
      .propString('compatible', `syscon-${node}`)
      .endNode();
  }

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

  // A line wired nowhere (irq undefined) gets no interrupts property.
  const irqProps = (irq: number | undefined) => { if (irq !== undefined) fdt.propU32('interrupts', irq).propU32('interrupt-parent', ph.plic); };
  if (board.rtc !== undefined) {
    fdt.beginNode(unitName('rtc', board.rtc.base));
    irqProps(board.rtc.irq);
    fdt.propU64Cells('reg', [board.rtc.base, board.rtc.size])
      .propString('compatible', 'google,goldfish-rtc')
      .endNode();
  }

  for (const uart of board.uarts) {
    fdt.beginNode(unitName('serial', uart.base));
    irqProps(uart.irq);
    fdt.propU32('clock-frequency', uart.clockHz)
      .propU64Cells('reg', [uart.base, uart.size])
      .propString('compatible', 'ns16550a')
      .endNode();
  }

  if (board.test !== undefined) {
    fdt.beginNode(unitName('test', board.test.base))
      .propU32('phandle', ph.test)
      .propU64Cells('reg', [board.test.base, board.test.size])
      .propStringList('compatible', ['sifive,test1', 'sifive,test0', 'syscon'])
      .endNode();
  }

  // QEMU lists the slots from the highest address down; Linux probes them in tree order,
  // so this order decides which device becomes vda, vdb, ...
  for (let slot = board.virtio.length - 1; slot >= 0; slot--) {
    const v = board.virtio[slot];
    fdt.beginNode(unitName('virtio_mmio', v.base));
    irqProps(v.irq);
    fdt.propU64Cells('reg', [v.base, v.size])
      .propString('compatible', 'virtio,mmio')
      .endNode();
  }

  for (const p of desc.passthrough ?? []) {
    fdt.beginNode(unitName(p.name, p.base));
    irqProps(p.irq === 0 && p.node !== undefined ? undefined : p.irq);
    fdt.propU64Cells('reg', [p.base, p.size])
      .propString('compatible', p.compatible)
      .endNode();
  }

  // PLIC contexts are (hart 0 M, hart 0 S, hart 1 M, ...), hence this pairing.
  // The node is written even for a layout without a PLIC: phandles stay QEMU's.
  const plic = board.plic ?? VIRT.plic;
  fdt.beginNode(unitName('plic', plic.base))
    .propU32('phandle', ph.plic)
    .propU32('riscv,ndev', plic.sources)
    .propU64Cells('reg', [plic.base, plic.size])
    .propU32Array('interrupts-extended', hartIds.flatMap((h) => [ph.intc(h), IRQ_M_EXT, ph.intc(h), IRQ_S_EXT]))
    .propEmpty('interrupt-controller')
    .propStringList('compatible', ['sifive,plic-1.0.0', 'riscv,plic0'])
    .propU32('#address-cells', 0)
    .propU32('#interrupt-cells', 1)
    .endNode();

  if (board.clint !== undefined) {
    fdt.beginNode(unitName('clint', board.clint.base))
      .propU32Array('interrupts-extended', hartIds.flatMap((h) => [ph.intc(h), IRQ_M_SOFT, ph.intc(h), IRQ_M_TIMER]))
      .propU64Cells('reg', [board.clint.base, board.clint.size])
      .propStringList('compatible', ['sifive,clint0', 'riscv,clint0'])
      .endNode();
  }

  fdt.endNode(); // soc
  fdt.endNode(); // root
  return fdt.finish(0);
}

