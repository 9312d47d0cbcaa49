/**
 * Merges the parsed pieces of a device tree into the final tree, as dtc does
 * (livetree.c semantics): later definitions of a node merge into the earlier one,
 * a redefined property keeps its place and takes the new value, `/delete-node/` and
 * `/delete-property/` remove, `&label { … }` and `&{/path} { … }` reopen a node defined
 * earlier. Then references are resolved in tree order, giving phandles to the nodes
 * they point at like dtc (the lowest free number, a `phandle` property appended), and
 * every property's value is encoded to bytes.
 */

import { Cell, DtsDocument, Label, NodeDecl, NodeBody, PropDecl, Ref, Span, TopNode, ValuePart } from './parser';
import { LIMITS } from './source';

export interface LabelEntry { name: string; span: Span; deleted: boolean }

export class DtProp {
  labels: LabelEntry[] = [];
  deleted = false;
  /** Every definition of this property, last one last. */
  readonly decls: PropDecl[] = [];
  /** The value as the DTB holds it; set once references are resolved. */
  bytes: Uint8Array = new Uint8Array(0);
  /** Byte offsets in `bytes` of cells written as `&ref` (dtc's REF_PHANDLE markers). */
  refOffsets: number[] = [];
  /** Those cells' references, with the node each names (undefined: an overlay's fixup). */
  phandleRefs: { offset: number; ref: Ref; target: DtNode | undefined }[] = [];
  constructor(readonly name: string, public value: ValuePart[], readonly node: DtNode) {}
}

export class DtNode {
  props: DtProp[] = [];
  children: DtNode[] = [];
  /** Children and properties by name (deleted ones included), so merging stays linear on huge files. */
  readonly childByName = new Map<string, DtNode>();
  readonly propByName = new Map<string, DtProp>();
  labels: LabelEntry[] = [];
  deleted = false;
  omitIfNoRef = false;
  referenced = false;
  /** The phandle, once it has one (explicit or assigned). */
  phandle = 0;
  /**
   * `fragment`: an overlay's `fragment@N` or its `__overlay__`, made for `&label { … }`
   * (the editor has no name of it to show). `generated`: `__symbols__`, `__fixups__`,
   * `__local_fixups__` and below, made after the checks ran (checks skip them, as dtc).
   */
  fragment = false;
  generated = false;
  /** Name spans of every definition (a `/ {` or `&label {` contributes its reference span), and their bodies. */
  readonly decls: { nameSpan: Span; body: NodeBody | undefined }[] = [];
  constructor(readonly name: string, readonly parent: DtNode | undefined) {}

  get path(): string {
    if (this.parent === undefined) return '/';
    const up = this.parent.path;
    return (up === '/' ? '' : up) + '/' + this.name;
  }

  get liveProps(): DtProp[] { return this.props.filter((p) => !p.deleted); }
  get liveChildren(): DtNode[] { return this.children.filter((c) => !c.deleted); }
  prop(name: string): DtProp | undefined { const p = this.propByName.get(name); return p !== undefined && !p.deleted ? p : undefined; }
  /** The name before `@`. */
  get baseName(): string { const i = this.name.indexOf('@'); return i < 0 ? this.name : this.name.slice(0, i); }
  get unitAddress(): string | undefined { const i = this.name.indexOf('@'); return i < 0 ? undefined : this.name.slice(i + 1); }
}

export interface ResolveDiagnostic { severity: 'error' | 'warning'; message: string; span: Span; code: string }

export interface RefUse {
  ref: Ref;
  /** The node it names, when it resolves. */
  target: DtNode | undefined;
  /** Where it is used: a cell (phandle), a property value (path), or a top-level node/delete. */
  use: 'phandle' | 'path' | 'node';
}

export interface ResolvedTree {
  root: DtNode;
  plugin: boolean;
  memreserves: { address: bigint; size: bigint }[];
  refs: RefUse[];
  /** Every label definition, live or deleted, with the node it was on. */
  labelDefs: { label: Label; node: DtNode; prop?: DtProp }[];
  diagnostics: ResolveDiagnostic[];
  /** The next phandle dtc would hand out (its get_node_phandle counter), for `__symbols__`. */
  allocatePhandle(node: DtNode): number;
}

export interface ResolveOptions {
  /** dtc -@: a `__symbols__` node naming every label's node (each gets a phandle). */
  symbols?: boolean;
}

class Resolver {
  readonly root = new DtNode('', undefined);
  readonly diagnostics: ResolveDiagnostic[] = [];
  readonly refs: RefUse[] = [];
  readonly labelDefs: ResolvedTree['labelDefs'] = [];
  private readonly byLabel = new Map<string, DtNode[]>();

  diag(severity: ResolveDiagnostic['severity'], message: string, span: Span, code: string): void {
    if (this.diagnostics.length < LIMITS.diagnostics) this.diagnostics.push({ severity, message, span, code });
  }

  /**
   * `existing`: the node was defined before. dtc (livetree.c add_label) puts a label
   * added to an existing node in front of its list, so `__symbols__` lists it first.
   */
  addLabels(node: DtNode, labels: Label[], existing: boolean): void {
    for (const l of labels) {
      this.labelDefs.push({ label: l, node });
      const have = node.labels.find((x) => x.name === l.name);
      if (have !== undefined) { have.deleted = false; continue; }
      const entry = { name: l.name, span: l.span, deleted: false };
      if (existing) node.labels.unshift(entry); else node.labels.push(entry);
      const list = this.byLabel.get(l.name) ?? [];
      if (!list.includes(node)) list.push(node);
      this.byLabel.set(l.name, list);
    }
  }

  nodeByLabel(name: string): DtNode | undefined {
    for (const n of this.byLabel.get(name) ?? []) {
      if (!n.deleted && n.labels.some((l) => l.name === name && !l.deleted)) return n;
    }
    return undefined;
  }

  nodeByPath(path: string): DtNode | undefined {
    if (!path.startsWith('/')) {
      // dtc accepts `&{label/child}`: a label, then a path below it.
      const slash = path.indexOf('/');
      const base = this.nodeByLabel(slash < 0 ? path : path.slice(0, slash));
      return base === undefined || slash < 0 ? base : this.walk(base, path.slice(slash + 1));
    }
    return this.walk(this.root, path.slice(1));
  }

  private walk(from: DtNode, rest: string): DtNode | undefined {
    let node: DtNode | undefined = from;
    for (const part of rest.split('/')) {
      if (part === '' || node === undefined) continue;
      const next: DtNode | undefined = node.childByName.get(part);
      node = next !== undefined && !next.deleted ? next : undefined;
    }
    return node;
  }

  lookup(ref: Ref): DtNode | undefined {
    return ref.kind === 'label' ? this.nodeByLabel(ref.name) : this.nodeByPath(ref.name);
  }

  /**
   * Merges a body into a node. `fresh`: the body creates the node (dtc build_node keeps
   * every entry, so a name twice is an error); a body merged into an existing node
   * (dtc merge_nodes) folds repeated names into one, as dtc does for `&label { … }` and
   * later `/ { … }` pieces.
   */
  merge(node: DtNode, body: NodeBody, depth: number, fresh: boolean): void {
    if (depth > LIMITS.nodeDepth) return;
    node.deleted = false;
    const seenProps = new Map<string, PropDecl>();
    const seenNodes = new Map<string, NodeDecl>();
    for (const item of fresh ? body.items : []) {
      if (item.kind === 'prop') {
        const prev = seenProps.get(item.name);
        if (prev !== undefined) this.diag('error', `duplicate property name '${item.name}' in ${node.path}`, item.nameSpan, 'duplicate_property_names');
        seenProps.set(item.name, item);
      } else if (item.kind === 'node') {
        if (seenNodes.has(item.name)) this.diag('error', `duplicate node name '${item.name}' in ${node.path}`, item.nameSpan, 'duplicate_node_names');
        seenNodes.set(item.name, item);
      }
    }
    // livetree.c merge_nodes: every property first, then every child.
    for (const item of body.items) {
      if (item.kind === 'prop') {
        let prop = node.propByName.get(item.name);
        if (prop === undefined) { prop = new DtProp(item.name, item.value, node); node.props.push(prop); node.propByName.set(item.name, prop); }
        else { prop.value = item.value; prop.deleted = false; }
        prop.decls.push(item);
        for (const l of [...item.labels, ...item.valueLabels]) {
          this.labelDefs.push({ label: l, node, prop });
          if (!prop.labels.some((x) => x.name === l.name)) prop.labels.push({ name: l.name, span: l.span, deleted: false });
        }
      } else if (item.kind === 'delete-prop') {
        const prop = node.propByName.get(item.name);
        if (prop !== undefined && !prop.deleted) { prop.deleted = true; for (const l of prop.labels) l.deleted = true; }
      }
    }
    for (const item of body.items) {
      if (item.kind === 'node') {
        let child = node.childByName.get(item.name);
        const existed = child !== undefined;
        if (child === undefined) { child = new DtNode(item.name, node); node.children.push(child); node.childByName.set(item.name, child); }
        child.decls.push({ nameSpan: item.nameSpan, body: item.body });
        if (item.omitIfNoRef) child.omitIfNoRef = true;
        this.addLabels(child, item.labels, existed);
        this.merge(child, item.body, depth + 1, !existed);
      } else if (item.kind === 'delete-node') {
        const child = node.childByName.get(item.name);
        if (child !== undefined && !child.deleted) deleteNode(child);
      }
    }
  }

  /**
   * An overlay's `&label { … }` whose target is not in this file: dtc (livetree.c
   * add_orphan_node) makes it `fragment@N { target = <&label>; __overlay__ { … }; }`,
   * or `target-path = "/path"` for `&{/path}`, numbered in source order.
   */
  fragment(top: TopNode, ref: Ref): void {
    const frag = new DtNode(`fragment@${this.fragments++}`, this.root);
    frag.fragment = true;
    this.root.children.push(frag);
    this.root.childByName.set(frag.name, frag);
    frag.decls.push({ nameSpan: ref.span, body: undefined });
    const value: ValuePart[] = ref.kind === 'label'
      ? [{ kind: 'cells', bits: 32, items: [{ kind: 'ref', ref, span: ref.span }], span: ref.span }]
      : [{ kind: 'string', bytes: new TextEncoder().encode(ref.name), span: ref.span }];
    // The label reference is recorded when `target` is encoded; a path is only a string.
    if (ref.kind === 'path') this.refs.push({ ref, target: undefined, use: 'node' });
    const name = ref.kind === 'label' ? 'target' : 'target-path';
    const prop = new DtProp(name, value, frag);
    prop.decls.push({ kind: 'prop', name, nameSpan: ref.span, labels: [], value, valueLabels: [], span: ref.span });
    frag.props.push(prop);
    frag.propByName.set(name, prop);
    const overlay = new DtNode('__overlay__', frag);
    overlay.fragment = true;
    frag.children.push(overlay);
    frag.childByName.set(overlay.name, overlay);
    overlay.decls.push({ nameSpan: ref.span, body: top.body });
    this.merge(overlay, top.body, 1, true);
  }

  private fragments = 0;

  build(doc: DtsDocument): void {
    let haveRoot = false;
    for (const top of doc.tops) {
      if (top.kind === 'top-node') {
        let target: DtNode | undefined = this.root;
        if (top.target !== undefined) {
          // dtc's grammar: a tree that starts with `&ref {` has nothing to find it in yet, so
          // it is always a fragment in an overlay (even `&{/}`) and an error elsewhere.
          const first = top === doc.tops[0];
          target = first ? undefined : this.lookup(top.target);
          if (target === undefined && doc.plugin && top.labels.length === 0) { this.fragment(top, top.target); continue; }
          this.refs.push({ ref: top.target, target, use: 'node' });
          if (target === undefined) {
            this.diag('error', `label or path ${top.target.name} not found`, top.target.span, 'unresolved_reference');
            continue;
          }
        } else haveRoot = true;
        target.decls.push({ nameSpan: top.target?.span ?? { start: top.span.start, end: top.span.start + 1 }, body: top.body });
        this.addLabels(target, top.labels, target.decls.length > 1);
        // The first `/ { … }` is the tree itself (dtc builds it); every later piece merges.
        this.merge(target, top.body, 0, top.target === undefined && target.decls.length === 1);
      } else {
        const target = this.lookup(top.target);
        this.refs.push({ ref: top.target, target, use: 'node' });
        if (target === undefined) { this.diag('error', `label or path ${top.target.name} not found`, top.target.span, 'unresolved_reference'); continue; }
        if (top.kind === 'top-delete') deleteNode(target);
        else target.omitIfNoRef = true;
      }
    }
    if (!haveRoot && !doc.plugin && doc.tops.length > 0) this.diag('error', "no root node ('/ { … };')", { start: 0, end: 0 }, 'syntax');
  }

  /** dtc checks.c duplicate_label: one label on two different nodes is an error. */
  checkLabels(): void {
    const owner = new Map<string, DtNode>();
    for (const def of this.labelDefs) {
      if (def.prop !== undefined) continue;
      const node = def.node;
      if (node.deleted || !node.labels.some((l) => l.name === def.label.name && !l.deleted)) continue;
      const first = owner.get(def.label.name);
      if (first === undefined) owner.set(def.label.name, node);
      else if (first !== node) this.diag('error', `duplicate label '${def.label.name}' on ${node.path} and ${first.path}`, def.label.span, 'duplicate_label');
    }
  }

  /**
   * Drops `/omit-if-no-ref/` nodes nothing refers to. Runs after `finish`, as dtc's
   * omit_unused_nodes runs after its reference fixups: references from nodes dropped here
   * have already handed out phandles, and dtc's numbering depends on that.
   */
  omitUnused(symbols: boolean): void {
    const visit = (node: DtNode, depth: number) => {
      if (depth > LIMITS.nodeDepth) return;
      // With -@ a labelled node stays: an overlay may refer to it through __symbols__.
      const keep = symbols && node.labels.some((l) => !l.deleted);
      if (node.omitIfNoRef && !node.referenced && !keep && node.parent !== undefined) { deleteNode(node); return; }
      for (const c of node.liveChildren) visit(c, depth + 1);
    };
    visit(this.root, 0);
  }

  /** checks.c explicit_phandles, then fixup_phandle_references/fixup_path_references, in tree order. */
  finish(plugin: boolean): void {
    const used = new Set<number>();
    const walk = (node: DtNode, f: (n: DtNode) => void, depth = 0) => { if (depth > LIMITS.nodeDepth) return; f(node); for (const c of node.liveChildren) walk(c, f, depth + 1); };
    walk(this.root, (n) => {
      for (const name of ['phandle', 'linux,phandle']) {
        const p = n.prop(name);
        if (p === undefined) continue;
        const cells = p.value.length === 1 && p.value[0].kind === 'cells' && p.value[0].bits === 32 ? p.value[0].items : undefined;
        if (cells === undefined || cells.length !== 1 || cells[0].kind !== 'num') {
          if (cells?.[0]?.kind !== 'ref') this.diag('error', `${n.path}:${name}: bad length or value`, p.decls[p.decls.length - 1].nameSpan, 'explicit_phandles');
          continue;
        }
        const v = Number(cells[0].value);
        if (v === 0 || v === 0xffffffff) { this.diag('error', `${n.path}:${name}: bad value (0x${v.toString(16)}) in ${name} property`, p.decls[p.decls.length - 1].nameSpan, 'explicit_phandles'); continue; }
        if (n.phandle !== 0 && n.phandle !== v) this.diag('error', `${n.path}: ${name} = <0x${v.toString(16)}> conflicts with an earlier phandle`, p.decls[p.decls.length - 1].nameSpan, 'explicit_phandles');
        else if (n.phandle === 0 && used.has(v)) this.diag('error', `${n.path}: duplicated phandle 0x${v.toString(16)} (seen before at another node)`, p.decls[p.decls.length - 1].nameSpan, 'explicit_phandles');
        n.phandle = v;
        used.add(v);
      }
    });
    this.used = used;
    const phandleOf = (target: DtNode) => this.phandleOf(target);
    walk(this.root, (n) => {
      for (const p of n.liveProps) {
        if (p.decls.length === 0) continue; // a phandle property we added
        p.bytes = this.encode(p, phandleOf, plugin);
      }
    });
  }

  private used = new Set<number>();
  private next = 1;

  /** dtc get_node_phandle: the node's phandle, else the lowest free number from where the last one was found. */
  phandleOf(target: DtNode): number {
    if (target.phandle !== 0) return target.phandle;
    while (this.used.has(this.next)) this.next++;
    const next = this.next;
    target.phandle = next;
    this.used.add(next);
    if (target.prop('phandle') === undefined) {
      const p = new DtProp('phandle', [{ kind: 'cells', bits: 32, items: [{ kind: 'num', value: BigInt(next), span: { start: 0, end: 0 } }], span: { start: 0, end: 0 } }], target);
      p.bytes = u32Bytes([next]);
      target.props.push(p);
      target.propByName.set('phandle', p);
    }
    return next;
  }

  private encode(p: DtProp, phandleOf: (n: DtNode) => number, plugin: boolean): Uint8Array {
    const chunks: number[] = [];
    for (const part of p.value) {
      switch (part.kind) {
        case 'string': for (const b of part.bytes) chunks.push(b); chunks.push(0); break;
        case 'bytes': case 'incbin': for (const b of part.bytes) chunks.push(b); break;
        case 'pathref': {
          const target = this.lookup(part.ref);
          this.refs.push({ ref: part.ref, target, use: 'path' });
          if (target !== undefined) target.referenced = true;
          if (target === undefined) { this.unresolved(part.ref, plugin); break; }
          for (const b of new TextEncoder().encode(target.path)) chunks.push(b);
          chunks.push(0);
          break;
        }
        case 'cells': {
          const bytes = part.bits / 8;
          for (const c of part.items as Cell[]) {
            let v = 0n;
            if (c.kind === 'ref') {
              const target = this.lookup(c.ref);
              p.refOffsets.push(chunks.length);
              p.phandleRefs.push({ offset: chunks.length, ref: c.ref, target });
              this.refs.push({ ref: c.ref, target, use: 'phandle' });
              if (target !== undefined) target.referenced = true;
              if (target === undefined) this.unresolved(c.ref, plugin, true);
              else v = BigInt(phandleOf(target));
              // dtc writes 0xffffffff for a reference an overlay fixes up later.
              if (target === undefined && plugin) v = 0xffffffffn;
            } else v = c.value;
            for (let k = bytes - 1; k >= 0; k--) chunks.push(Number((v >> BigInt(8 * k)) & 0xffn));
          }
          break;
        }
      }
    }
    return Uint8Array.from(chunks);
  }

  /** In an overlay a phandle may point outside it (a fixup), a path string may not. */
  private unresolved(ref: Ref, plugin: boolean, phandle = false): void {
    if (plugin && (phandle || ref.kind === 'label')) return;
    this.diag('error', `reference to non-existent node or label "${ref.name}"`, ref.span, 'unresolved_reference');
  }
}

function deleteNode(node: DtNode): void {
  node.deleted = true;
  for (const l of node.labels) l.deleted = true;
  for (const p of node.props) { p.deleted = true; for (const l of p.labels) l.deleted = true; }
  for (const c of node.children) if (!c.deleted) deleteNode(c);
}

function u32Bytes(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => v.setUint32(i * 4, x >>> 0, false));
  return out;
}

export function resolveTree(doc: DtsDocument, opts: ResolveOptions = {}): ResolvedTree {
  const r = new Resolver();
  r.build(doc);
  r.checkLabels();
  r.finish(doc.plugin);
  r.omitUnused(opts.symbols === true);
  return {
    root: r.root, plugin: doc.plugin, memreserves: doc.memreserves.map((m) => ({ address: m.address, size: m.size })),
    refs: r.refs, labelDefs: r.labelDefs, diagnostics: r.diagnostics, allocatePhandle: (n) => r.phandleOf(n),
  };
}

/** Finds a live node by absolute path (`/soc/serial@10000000`) or `label/child` path. */
export function findNode(tree: ResolvedTree, path: string): DtNode | undefined {
  if (path === '/' || path === '') return tree.root;
  let node: DtNode | undefined = tree.root;
  for (const part of path.split('/')) {
    if (part === '' || node === undefined) continue;
    node = node.children.find((c) => !c.deleted && c.name === part);
  }
  return node;
}
