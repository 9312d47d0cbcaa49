/**
 * /chosen for a board built from a DTS: the blob compiled from the user's source gets
 * the boot-time properties QEMU adds to a `-dtb` it is given (hw/riscv/boot.c): the
 * kernel command line and the initrd range. Properties are replaced where the source
 * has them; new ones go first in the node, where libfdt's fdt_setprop puts them, so
 * the virt preset's source comes out byte for byte like buildVirtFdt's tree.
 */
import { FdtBuilder } from '../dts/fdt-builder';
import { FdtData, FdtNodeData } from '../dts/dtb';
import { parseDtb } from '../dts/index';

export interface ChosenProps {
  bootargs?: string;
  initrd?: { start: number; end: number };
}

const U32_LIMIT = 2 ** 32;

function cells(values: number[], two: boolean): Uint8Array {
  const out = new Uint8Array(values.length * (two ? 8 : 4));
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => {
    if (two) { dv.setUint32(i * 8, Math.floor(v / U32_LIMIT)); dv.setUint32(i * 8 + 4, v % U32_LIMIT); } else dv.setUint32(i * 4, v);
  });
  return out;
}

function setProp(node: FdtNodeData, name: string, value: Uint8Array): void {
  const at = node.props.findIndex((p) => p.name === name);
  if (at >= 0) node.props[at] = { name, value };
  else node.props.unshift({ name, value });
}

function write(data: FdtData): Uint8Array {
  const fdt = new FdtBuilder();
  const visit = (n: FdtNodeData, root: boolean) => {
    fdt.beginNode(root ? '' : n.name);
    for (const p of n.props) fdt.prop(p.name, p.value);
    for (const c of n.children) visit(c, false);
    fdt.endNode();
  };
  visit(data.root, true);
  return fdt.finish(data.bootCpuidPhys, data.memreserves);
}

/** The blob with /chosen completed; unchanged when there is nothing to add. Throws only on a blob we did not compile. */
export function withChosen(dtb: Uint8Array, chosen: ChosenProps): Uint8Array {
  if (chosen.bootargs === undefined && chosen.initrd === undefined) return dtb;
  const parsed = parseDtb(dtb);
  if (!parsed.ok) throw new Error(parsed.error);
  const root = parsed.value.root;
  let node = root.children.find((c) => c.name === 'chosen');
  if (node === undefined) {
    node = { name: 'chosen', props: [], children: [] };
    root.children.unshift(node); // fdt_add_subnode puts a new node first
  }
  // Same order as QEMU: bootargs, then initrd start, then end, each set in front.
  if (chosen.bootargs !== undefined) setProp(node, 'bootargs', new TextEncoder().encode(`${chosen.bootargs}\0`));
  if (chosen.initrd !== undefined) {
    // One cell each, as QEMU writes them; two only when an address needs them (Linux reads either).
    const two = chosen.initrd.end >= U32_LIMIT;
    setProp(node, 'linux,initrd-start', cells([chosen.initrd.start], two));
    setProp(node, 'linux,initrd-end', cells([chosen.initrd.end], two));
  }
  return write(parsed.value);
}
