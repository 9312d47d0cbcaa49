/**
 * dtc's bus checks (checks.c pci_bridge, pci_device_reg, pci_device_bus_num,
 * i2c_bus_bridge, i2c_bus_reg, spi_bus_bridge, spi_bus_reg): which nodes are PCI, I2C
 * and SPI buses, and whether their children's `reg` and unit addresses fit the bus.
 * Same names, conditions and text as dtc 1.6.1 prints, quirks included, because the
 * editor promises the warnings dtc gives (dts-vs-dtc.test.ts compares them).
 */

import { DtNode, DtProp } from './resolve';

export type BusFail = (code: string, node: DtNode, message: string, prop?: DtProp) => void;

function cells(p: DtProp): number[] {
  const dv = new DataView(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 4 <= p.bytes.length; i += 4) out.push(dv.getUint32(i, false));
  return out;
}

/** checks.c node_addr_cells / node_size_cells: the property's first cell, else 2 and 1. */
function cellCount(n: DtNode, name: '#address-cells' | '#size-cells'): number {
  const p = n.prop(name);
  if (p === undefined || p.bytes.length < 4) return name === '#address-cells' ? 2 : 1;
  return cells(p)[0];
}

const hex = (v: number) => (v >>> 0).toString(16);

/** `device_type = "pci"` makes a node a PCI bus, whatever else is wrong with it. */
export function isPciBus(n: DtNode): boolean {
  const dt = n.prop('device_type');
  if (dt === undefined) return false;
  const b = dt.bytes;
  return b.length >= 4 && b[0] === 0x70 && b[1] === 0x63 && b[2] === 0x69 && b[3] === 0;
}

/**
 * An I2C bus by its name: `i2c`, `i2c-bus` or `i2c-arb`. dtc means to skip an `i2c`
 * node that has `i2c-bus` children, but compares only the first three characters of
 * the child's name against the seven of "i2c-bus", so it never does; neither do we.
 */
export function isI2cBus(n: DtNode): boolean {
  return n.baseName === 'i2c' || n.baseName === 'i2c-bus' || n.baseName === 'i2c-arb';
}

/** An SPI bus by its name, or by a child with an `spi-…` property on a 1/0-cell node. */
export function isSpiBus(n: DtNode): boolean {
  if (n.baseName === 'spi') return true;
  if (cellCount(n, '#address-cells') !== 1 || cellCount(n, '#size-cells') !== 0) return false;
  return n.liveChildren.some((c) => c.liveProps.some((p) => p.name.startsWith('spi-')));
}

function pciBridge(node: DtNode, fail: BusFail): void {
  if (node.baseName !== 'pci' && node.baseName !== 'pcie') fail('pci_bridge', node, 'node name is not "pci" or "pcie"');
  if (node.prop('ranges') === undefined) fail('pci_bridge', node, 'missing ranges for PCI bridge (or not a bridge)');
  if (cellCount(node, '#address-cells') !== 3) fail('pci_bridge', node, 'incorrect #address-cells for PCI bridge');
  if (cellCount(node, '#size-cells') !== 2) fail('pci_bridge', node, 'incorrect #size-cells for PCI bridge');
  const range = node.prop('bus-range');
  if (range === undefined) return;
  if (range.bytes.length !== 8) { fail('pci_bridge', node, 'value must be 2 cells', range); return; }
  const [lo, hi] = cells(range);
  if (lo > hi) fail('pci_bridge', node, '1st cell must be less than or equal to 2nd cell', range);
  if (hi > 0xff) fail('pci_bridge', node, 'maximum bus number must be less than 256', range);
}

function pciDevice(node: DtNode, bus: DtNode, fail: BusFail): void {
  const reg = node.prop('reg');
  if (reg === undefined) return;
  const c = cells(reg);
  const r = c[0] ?? 0;
  // pci_device_bus_num: dtc 1.6.1 takes both ends of the range from the first cell.
  const busNum = (r >>> 16) & 0xff;
  const range = bus.prop('bus-range');
  const min = range !== undefined ? cells(range)[0] ?? 0 : 0;
  // dtc names the child with the bus's bus-range property: `/pci/dev@1:bus-range`.
  if (busNum !== min) fail('pci_device_bus_num', node, `PCI bus number ${busNum} out of range, expected (${min} - ${min})`, range);
  if ((c[1] ?? 0) !== 0 || (c[2] ?? 0) !== 0) fail('pci_device_reg', node, 'PCI reg config space address cells 2 and 3 must be 0', reg);
  if ((r & 0xff000000) !== 0) fail('pci_device_reg', node, 'PCI reg address is not configuration space', reg);
  if ((r & 0xff) !== 0) fail('pci_device_reg', node, 'PCI reg config space address register number must be 0', reg);
  const dev = (r >>> 11) & 0x1f;
  const func = (r >>> 8) & 0x7;
  const unit = node.unitAddress ?? '';
  if (func === 0 && unit === hex(dev)) return;
  const want = `${hex(dev)},${hex(func)}`;
  if (unit !== want) fail('pci_device_reg', node, `PCI unit address format error, expected "${want}"`);
}

function i2cBridge(node: DtNode, fail: BusFail): void {
  if (node.liveChildren.length === 0) return;
  if (cellCount(node, '#address-cells') !== 1) fail('i2c_bus_bridge', node, 'incorrect #address-cells for I2C bus');
  if (cellCount(node, '#size-cells') !== 0) fail('i2c_bus_bridge', node, 'incorrect #size-cells for I2C bus');
}

const I2C_OWN_SLAVE_ADDRESS = 1 << 30;
const I2C_TEN_BIT_ADDRESS = 0x80000000;

function i2cDevice(node: DtNode, fail: BusFail): void {
  const reg = node.prop('reg');
  if (reg === undefined || reg.bytes.length === 0) { fail('i2c_bus_reg', node, 'missing or empty reg property'); return; }
  const c = cells(reg).map((v) => (v & ~I2C_OWN_SLAVE_ADDRESS) >>> 0);
  if ((node.unitAddress ?? '') !== hex(c[0] ?? 0)) fail('i2c_bus_reg', node, `I2C bus unit address format error, expected "${hex(c[0] ?? 0)}"`);
  for (const v of c) {
    // As dtc 1.6.1: a valid 10-bit address still falls through to the 7-bit test.
    if ((v & I2C_TEN_BIT_ADDRESS) !== 0 && (v & ~I2C_TEN_BIT_ADDRESS) > 0x3ff) fail('i2c_bus_reg', node, `I2C address must be less than 10-bits, got "0x${hex(v)}"`, reg);
    else if (v > 0x7f) fail('i2c_bus_reg', node, `I2C address must be less than 7-bits, got "0x${hex(v)}". Set I2C_TEN_BIT_ADDRESS for 10 bit addresses or fix the property`, reg);
  }
}

function spiBridge(node: DtNode, fail: BusFail): void {
  if (node.baseName !== 'spi' && node.prop('reg') !== undefined) fail('spi_bus_bridge', node, "node name for SPI buses should be 'spi'");
  if (node.liveChildren.length === 0) return;
  const want = node.prop('spi-slave') !== undefined ? 0 : 1;
  if (cellCount(node, '#address-cells') !== want) fail('spi_bus_bridge', node, 'incorrect #address-cells for SPI bus');
  if (cellCount(node, '#size-cells') !== 0) fail('spi_bus_bridge', node, 'incorrect #size-cells for SPI bus');
}

function spiDevice(node: DtNode, bus: DtNode, fail: BusFail): void {
  if (bus.prop('spi-slave') !== undefined) return;
  const reg = node.prop('reg');
  if (reg === undefined) return;
  if (reg.bytes.length === 0) { fail('spi_bus_reg', node, 'missing or empty reg property'); return; }
  const want = hex(cells(reg)[0] ?? 0);
  if ((node.unitAddress ?? '') !== want) fail('spi_bus_reg', node, `SPI bus unit address format error, expected "${want}"`);
}

/** The bus checks for one node: as a bridge, and as a device on its parent's bus. */
export function checkBuses(node: DtNode, fail: BusFail): void {
  if (isPciBus(node)) pciBridge(node, fail);
  if (isI2cBus(node)) i2cBridge(node, fail);
  if (isSpiBus(node)) spiBridge(node, fail);
  const bus = node.parent;
  if (bus === undefined) return;
  if (isPciBus(bus)) pciDevice(node, bus, fail);
  if (isI2cBus(bus)) i2cDevice(node, fail);
  if (isSpiBus(bus)) spiDevice(node, bus, fail);
}
