/**
 * Reading a resolved tree as hardware: cells, strings, `reg` windows in the parent's
 * address space, the interrupt parent and its specifiers. What a machine builder (and the
 * language server's hover) need from a DTS; every malformed value is an error naming
 * the node and property, never a throw (DESIGN.md idea 3).
 */

import { DtNode, DtProp, ResolvedTree } from './resolve';

export type QueryResult<T> = { ok: true; value: T } | { ok: false; error: string };

export function u32Cells(p: DtProp | undefined): number[] | undefined {
  if (p === undefined || p.bytes.length % 4 !== 0) return undefined;
  const dv = new DataView(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength);
  return Array.from({ length: p.bytes.length / 4 }, (_, i) => dv.getUint32(i * 4, false));
}

export function u32(node: DtNode, name: string): number | undefined {
  const c = u32Cells(node.prop(name));
  return c !== undefined && c.length === 1 ? c[0] : undefined;
}

/** A <stringlist> (§2.2.4): undefined when the property is missing or not NUL-terminated. */
export function strings(node: DtNode, name: string): string[] | undefined {
  const p = node.prop(name);
  if (p === undefined || p.bytes.length === 0 || p.bytes[p.bytes.length - 1] !== 0) return undefined;
  return new TextDecoder().decode(p.bytes.subarray(0, -1)).split('\0');
}

/** §2.3.5: #address-cells / #size-cells of a bus, defaulting to 2 and 1. */
export function busCells(bus: DtNode): { address: number; size: number } {
  return { address: u32(bus, '#address-cells') ?? 2, size: u32(bus, '#size-cells') ?? 1 };
}

function join(cells: number[]): bigint {
  return cells.reduce((acc, c) => (acc << 32n) | BigInt(c), 0n);
}

/** §2.3.6 `reg` as (address, size) pairs in the parent bus's address space (not translated through `ranges`). */
export function regWindows(node: DtNode): QueryResult<{ address: bigint; size: bigint }[]> {
  const p = node.prop('reg');
  if (p === undefined) return { ok: true, value: [] };
  if (node.parent === undefined) return { ok: false, error: '/: the root node has a reg property' };
  const { address, size } = busCells(node.parent);
  const cells = u32Cells(p);
  const per = address + size;
  if (cells === undefined || per === 0 || cells.length % per !== 0 || address > 2 || size > 2) {
    return { ok: false, error: `${node.path}: reg has ${p.bytes.length} bytes, not a multiple of (#address-cells ${address} + #size-cells ${size}) cells` };
  }
  const out: { address: bigint; size: bigint }[] = [];
  for (let i = 0; i < cells.length; i += per) out.push({ address: join(cells.slice(i, i + address)), size: join(cells.slice(i + address, i + per)) });
  return { ok: true, value: out };
}

/** §2.4.1: the node's interrupt parent (explicit `interrupt-parent`, else the tree parent). */
export function interruptParent(tree: ResolvedTree, node: DtNode): DtNode | undefined {
  for (let n: DtNode | undefined = node; n !== undefined; n = n.parent) {
    const ph = u32(n, 'interrupt-parent');
    if (ph !== undefined) return phandleTarget(tree, ph);
    if (n !== node && n.parent !== undefined && n.prop('interrupt-controller') !== undefined) return n;
  }
  return undefined;
}

export function phandleTarget(tree: ResolvedTree, phandle: number): DtNode | undefined {
  const visit = (n: DtNode, depth: number): DtNode | undefined => {
    if (n.phandle === phandle) return n;
    if (depth > 256) return undefined;
    for (const c of n.liveChildren) { const f = visit(c, depth + 1); if (f !== undefined) return f; }
    return undefined;
  };
  return phandle === 0 ? undefined : visit(tree.root, 0);
}

/** `interrupts` split by the interrupt parent's #interrupt-cells (§2.4.2), or `interrupts-extended` (§2.4.1). */
export function interrupts(tree: ResolvedTree, node: DtNode): QueryResult<{ controller: DtNode; specifier: number[] }[]> {
  const ext = u32Cells(node.prop('interrupts-extended'));
  const out: { controller: DtNode; specifier: number[] }[] = [];
  if (ext !== undefined) {
    for (let i = 0; i < ext.length;) {
      const ctl = phandleTarget(tree, ext[i]);
      const n = ctl !== undefined ? u32(ctl, '#interrupt-cells') : undefined;
      if (ctl === undefined || n === undefined || i + 1 + n > ext.length) return { ok: false, error: `${node.path}: interrupts-extended entry at cell ${i} names no interrupt controller with #interrupt-cells` };
      out.push({ controller: ctl, specifier: ext.slice(i + 1, i + 1 + n) });
      i += 1 + n;
    }
    return { ok: true, value: out };
  }
  const cells = u32Cells(node.prop('interrupts'));
  if (cells === undefined) return node.prop('interrupts') === undefined ? { ok: true, value: [] } : { ok: false, error: `${node.path}: interrupts is not a list of cells` };
  const ctl = interruptParent(tree, node);
  if (ctl === undefined) return { ok: false, error: `${node.path}: interrupts but no interrupt parent` };
  const n = u32(ctl, '#interrupt-cells');
  if (n === undefined || n === 0 || cells.length % n !== 0) return { ok: false, error: `${node.path}: interrupts has ${cells.length} cells, not a multiple of ${ctl.path}'s #interrupt-cells (${n ?? 'missing'})` };
  for (let i = 0; i < cells.length; i += n) out.push({ controller: ctl, specifier: cells.slice(i, i + n) });
  return { ok: true, value: out };
}

/**
 * §2.3.8: a bus-local address as the CPU sees it, through the `ranges` of every bus above
 * the node (an empty `ranges` maps 1:1). Undefined when a bus has no `ranges` (not
 * memory-mapped), no entry covers the address, or cells are wider than 64 bits.
 */
export function translateToRoot(node: DtNode, address: bigint): bigint | undefined {
  let addr = address;
  for (let bus = node.parent; bus?.parent !== undefined; bus = bus.parent) {
    const ranges = bus.prop('ranges');
    if (ranges === undefined) return undefined;
    if (ranges.bytes.length === 0) continue;
    const child = busCells(bus);
    const parentAddr = busCells(bus.parent).address;
    const cells = u32Cells(ranges);
    const per = child.address + parentAddr + child.size;
    if (cells === undefined || per === 0 || cells.length % per !== 0 || child.address > 2 || parentAddr > 2 || child.size > 2) return undefined;
    let mapped: bigint | undefined;
    for (let i = 0; i < cells.length && mapped === undefined; i += per) {
      const from = join(cells.slice(i, i + child.address));
      const to = join(cells.slice(i + child.address, i + child.address + parentAddr));
      const size = join(cells.slice(i + child.address + parentAddr, i + per));
      if (addr >= from && addr - from < size) mapped = to + (addr - from);
    }
    if (mapped === undefined) return undefined;
    addr = mapped;
  }
  return addr;
}
