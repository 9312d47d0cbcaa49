/**
 * Property values the editor can offer: fixed strings of well-known properties
 * (Devicetree Specification v0.4 ch. 2-3 and the RISC-V bindings), and for properties
 * that hold a phandle, the labels of nodes that can be on the other end.
 */

import { DtNode, PHANDLE_ARGS } from '../../emulator';

/** String values with what each means. */
export const STRING_VALUES: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  status: [
    ['okay', 'the device is operational'],
    ['disabled', 'not operational now, but could become so (not plugged in, switched off)'],
    ['reserved', 'operational, but used by other software: do not drive it'],
    ['fail', 'serious error detected; not operational without repair'],
    ['fail-sss', 'as fail, with sss naming the condition'],
  ],
  device_type: [['cpu', 'a CPU node under /cpus'], ['memory', 'a memory node'], ['pci', 'a PCI host bridge'], ['serial', 'a serial port (legacy)']],
  'mmu-type': [['riscv,sv32', '32-bit, 2 levels'], ['riscv,sv39', '39-bit virtual addresses, 3 levels'], ['riscv,sv48', '48-bit, 4 levels'], ['riscv,sv57', '57-bit, 5 levels'], ['riscv,none', 'no MMU']],
  'riscv,isa': [['rv64imafdc', 'RV64GC'], ['rv64imac', 'RV64 without floating point'], ['rv32imafdc', 'RV32GC'], ['rv32imac', 'RV32 without floating point']],
  dr_mode: [['host', 'USB host'], ['peripheral', 'USB device'], ['otg', 'either, switched at run time']],
  'phy-mode': [['rgmii', 'RGMII, delays on the board'], ['rgmii-id', 'RGMII, delays added by the PHY'], ['rmii', 'reduced MII'], ['mii', 'MII'], ['sgmii', 'serial GMII']],
  'enable-method': [['psci', 'cpus brought up through PSCI'], ['spin-table', 'cpus spin on a release address']],
};

/** Properties whose value is `<&provider …>`, and what makes a node a provider for them. */
const PHANDLE_PROPS: ReadonlyMap<string, (n: DtNode) => boolean> = new Map<string, (n: DtNode) => boolean>([
  ['interrupt-parent', (n) => n.prop('interrupt-controller') !== undefined || n.prop('interrupt-map') !== undefined],
  ['interrupts-extended', (n) => n.prop('interrupt-controller') !== undefined || n.prop('interrupt-map') !== undefined],
  ['msi-parent', (n) => n.prop('msi-controller') !== undefined],
  ...PHANDLE_ARGS.filter(([p]) => p !== 'interrupts-extended' && p !== 'msi-parent').map(([p, cells]) => [p, (n: DtNode) => n.prop(cells) !== undefined] as [string, (n: DtNode) => boolean]),
]);

export function isPhandleProperty(name: string): boolean {
  return PHANDLE_PROPS.has(name);
}

/** Labelled live nodes fit for `prop`, first; the other labels after them (a provider may come from elsewhere). */
export function phandleCandidates(prop: string, labelled: readonly { label: string; node: DtNode }[]): { label: string; node: DtNode; fits: boolean }[] {
  const fits = PHANDLE_PROPS.get(prop) ?? (() => false);
  return labelled.map((x) => ({ ...x, fits: fits(x.node) })).sort((a, b) => Number(b.fits) - Number(a.fits));
}
