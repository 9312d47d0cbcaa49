/**
 * The nodes dtc adds after its checks, for overlays (Devicetree Specification v0.4
 * §"Overlays"; dtc's behaviour with `/plugin/` and `-@`):
 * - `__symbols__` (with -@): one property per label, the labelled node's path; every
 *   labelled node gets a phandle, so a later overlay can point at it.
 * - `__fixups__` (overlays): per unresolved label, the `path:property:offset` of each
 *   phandle cell that must receive the label's phandle when the overlay is applied.
 * - `__local_fixups__` (overlays): the same tree shape as the overlay, listing the offsets
 *   of phandle cells that point inside it, which change when phandles are renumbered.
 * Output order and byte layout follow dtc's, because the DTB is compared byte for byte.
 */

import { DtNode, DtProp, ResolvedTree } from './resolve';
import { Span } from './parser';
import { LIMITS } from './source';

export interface OverlayDiagnostic { message: string; span: Span }

/** The named child of `parent`, made (at the end, as dtc's add_child) when missing. */
function childNamed(parent: DtNode, name: string): DtNode {
  const have = parent.childByName.get(name);
  if (have !== undefined && !have.deleted) return have;
  const n = new DtNode(name, parent);
  n.generated = true;
  parent.children.push(n);
  parent.childByName.set(name, n);
  return n;
}

/** Appends bytes to a property, creating it at the end of the node's list. */
function appendTo(node: DtNode, name: string, bytes: Uint8Array): void {
  let p = node.prop(name);
  if (p === undefined) {
    p = new DtProp(name, [], node);
    node.props.push(p);
    node.propByName.set(name, p);
  }
  const joined = new Uint8Array(p.bytes.length + bytes.length);
  joined.set(p.bytes);
  joined.set(bytes, p.bytes.length);
  p.bytes = joined;
}

function cstring(s: string): Uint8Array {
  const b = new TextEncoder().encode(s);
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

function u32(v: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, v >>> 0, false);
  return out;
}

/** Live nodes in tree order (properties are read before children, as dtc walks). */
function walk(node: DtNode, f: (n: DtNode) => void, depth = 0): void {
  if (depth > LIMITS.nodeDepth) return;
  f(node);
  for (const c of node.liveChildren) walk(c, f, depth + 1);
}

export function generateSymbols(tree: ResolvedTree): void {
  let symbols: DtNode | undefined;
  walk(tree.root, (n) => {
    const labels = n.labels.filter((l) => !l.deleted);
    if (labels.length === 0 || n.generated) return;
    symbols ??= childNamed(tree.root, '__symbols__');
    // A label already listed keeps its first node (dtc warns and goes on).
    for (const l of labels) if (symbols.prop(l.name) === undefined) appendTo(symbols, l.name, cstring(n.path));
    tree.allocatePhandle(n);
  });
}

export function generateFixups(tree: ResolvedTree): OverlayDiagnostic[] {
  const errors: OverlayDiagnostic[] = [];
  const refsOf = (n: DtNode) => n.liveProps.flatMap((p) => p.phandleRefs.map((r) => ({ prop: p, ...r })));
  let fixups: DtNode | undefined;
  walk(tree.root, (n) => {
    for (const r of refsOf(n)) {
      if (r.target !== undefined) continue;
      // The entry is split on ':' when the overlay is applied.
      if (n.path.includes(':') || r.prop.name.includes(':')) { errors.push({ message: `cannot write a fixup for ${n.path}:${r.prop.name}: the path or property name contains ':'`, span: r.ref.span }); continue; }
      fixups ??= childNamed(tree.root, '__fixups__');
      appendTo(fixups, r.ref.name, cstring(`${n.path}:${r.prop.name}:${r.offset}`));
    }
  });
  let local: DtNode | undefined;
  walk(tree.root, (n) => {
    for (const r of refsOf(n)) {
      if (r.target === undefined) continue;
      local ??= childNamed(tree.root, '__local_fixups__');
      const chain: DtNode[] = [];
      for (let up: DtNode | undefined = n; up?.parent !== undefined; up = up.parent) chain.unshift(up);
      let at = local;
      for (const step of chain) at = childNamed(at, step.name);
      appendTo(at, r.prop.name, u32(r.offset));
    }
  });
  return errors;
}
