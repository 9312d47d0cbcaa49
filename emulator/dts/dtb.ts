/**
 * DTS tree → DTB (through fdt-builder.ts's FdtBuilder, the one DTB writer) and
 * DTB → DTS text. The decompiler reads a blob as untrusted input: every offset and
 * length is checked (Devicetree Specification v0.4 ch. 5), and a bad blob is an error
 * value naming the offset, never an exception.
 */

import { FdtBuilder } from './fdt-builder';
import { DtNode, ResolvedTree } from './resolve';
import { PHANDLE_ARGS } from './checks';
import { isDirectiveLine } from './preprocess';

export function compileTree(tree: ResolvedTree, bootCpuidPhys = 0): Uint8Array {
  const fdt = new FdtBuilder();
  const visit = (node: DtNode) => {
    fdt.beginNode(node.parent === undefined ? '' : node.name);
    for (const p of node.liveProps) fdt.prop(p.name, p.bytes);
    for (const c of node.liveChildren) visit(c);
    fdt.endNode();
  };
  visit(tree.root);
  return fdt.finish(bootCpuidPhys, tree.memreserves);
}

// --- reading a blob ---

export interface FdtProp { name: string; value: Uint8Array }
export interface FdtNodeData { name: string; props: FdtProp[]; children: FdtNodeData[] }
export interface FdtData { root: FdtNodeData; memreserves: { address: bigint; size: bigint }[]; bootCpuidPhys: number; version: number }

type Result<T> = { ok: true; value: T } | { ok: false; error: string };

const MAX_DEPTH = 256;

export function parseDtb(blob: Uint8Array): Result<FdtData> {
  const fail = (error: string): Result<FdtData> => ({ ok: false, error });
  if (blob.length < 40) return fail(`DTB: ${blob.length} bytes is shorter than the 40-byte header`);
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const h = (i: number) => dv.getUint32(i * 4, false);
  if (h(0) !== 0xd00dfeed) return fail(`DTB: bad magic 0x${h(0).toString(16)} (expected 0xd00dfeed)`);
  const total = h(1);
  const offStruct = h(2);
  const offStrings = h(3);
  const offRsv = h(4);
  const version = h(5);
  const bootCpuidPhys = h(7);
  if (total > blob.length) return fail(`DTB: totalsize ${total} exceeds the ${blob.length} bytes given`);
  if (version < 16) return fail(`DTB: version ${version} is older than 16`);
  const sizeStrings = h(8);
  const sizeStruct = version >= 17 ? h(9) : total - offStruct;
  const inBlob = (off: number, len: number) => off <= total && len <= total - off;
  if (!inBlob(offStruct, sizeStruct)) return fail('DTB: structure block lies outside the blob');
  if (!inBlob(offStrings, sizeStrings)) return fail('DTB: strings block lies outside the blob');
  const memreserves: FdtData['memreserves'] = [];
  for (let off = offRsv; ; off += 16) {
    if (!inBlob(off, 16)) return fail('DTB: memory reservation block runs past the blob');
    const address = dv.getBigUint64(off, false);
    const size = dv.getBigUint64(off + 8, false);
    if (address === 0n && size === 0n) break;
    memreserves.push({ address, size });
  }
  const dec = new TextDecoder('utf-8', { fatal: false });
  const cstr = (off: number, limit: number): string | undefined => {
    let e = off;
    while (e < limit && blob[e] !== 0) e++;
    return e < limit ? dec.decode(blob.subarray(off, e)) : undefined;
  };
  const end = offStruct + sizeStruct;
  let p = offStruct;
  const stack: FdtNodeData[] = [];
  let root: FdtNodeData | undefined;
  for (;;) {
    if (p + 4 > end) return fail(`DTB: structure block ends at 0x${p.toString(16)} without FDT_END`);
    const token = dv.getUint32(p, false);
    p += 4;
    if (token === 1) {
      const name = cstr(p, end);
      if (name === undefined) return fail(`DTB: unterminated node name at 0x${p.toString(16)}`);
      p = (p + new TextEncoder().encode(name).length + 1 + 3) & ~3;
      const node: FdtNodeData = { name, props: [], children: [] };
      if (stack.length === 0) {
        if (root !== undefined) return fail('DTB: a second root node');
        root = node;
      } else stack[stack.length - 1].children.push(node);
      if (stack.length >= MAX_DEPTH) return fail(`DTB: nodes nested deeper than ${MAX_DEPTH}`);
      stack.push(node);
    } else if (token === 2) {
      if (stack.pop() === undefined) return fail(`DTB: FDT_END_NODE without a node at 0x${(p - 4).toString(16)}`);
    } else if (token === 3) {
      if (p + 8 > end) return fail(`DTB: truncated property at 0x${(p - 4).toString(16)}`);
      const len = dv.getUint32(p, false);
      const nameoff = dv.getUint32(p + 4, false);
      p += 8;
      if (len > end - p) return fail(`DTB: property at 0x${(p - 12).toString(16)} runs past the structure block`);
      if (stack.length === 0) return fail(`DTB: property outside any node at 0x${(p - 12).toString(16)}`);
      if (nameoff >= sizeStrings) return fail(`DTB: property name offset ${nameoff} outside the strings block`);
      const name = cstr(offStrings + nameoff, offStrings + sizeStrings);
      if (name === undefined) return fail(`DTB: unterminated property name at strings offset ${nameoff}`);
      stack[stack.length - 1].props.push({ name, value: blob.slice(p, p + len) });
      p = (p + len + 3) & ~3;
    } else if (token === 4) {
      // FDT_NOP
    } else if (token === 9) {
      if (stack.length !== 0) return fail(`DTB: FDT_END with ${stack.length} node(s) open`);
      break;
    } else return fail(`DTB: unknown token 0x${token.toString(16)} at 0x${(p - 4).toString(16)}`);
  }
  if (root === undefined) return fail('DTB: no root node');
  return { ok: true, value: { root, memreserves, bootCpuidPhys, version } };
}

// --- writing DTS text ---

const NAME_OK = /^[a-zA-Z0-9,._+*#?@-]+$/;

/**
 * A node or property name as DTS can spell it. A blob may hold any bytes there (an
 * overlay's `__fixups__` names a path reference by its path): those are renamed, saying so
 * in a comment that cannot end early.
 */
function dtsName(name: string): string {
  // A name read as a directive at the start of a line (`#include-x`, `#1a`) gets a comment in front.
  if (NAME_OK.test(name)) return isDirectiveLine(name) ? `/* a name, not a directive */ ${name}` : name;
  return `${name.replace(/[^a-zA-Z0-9,._+*#?@-]/g, '_') || '_'} /* renamed: ${JSON.stringify(name).replace(/\*\//g, '*\\/')} is not a valid DTS name */`;
}

/** dtc's guess (treesource.c guess_value_type): strings, then 32-bit cells, else bytes. */
function isStringList(v: Uint8Array): boolean {
  if (v.length === 0 || v[v.length - 1] !== 0 || v[0] === 0) return false;
  for (let i = 0; i < v.length; i++) {
    const b = v[i];
    if (b === 0) { if (i > 0 && v[i - 1] === 0) return false; continue; }
    if (b < 0x20 || b > 0x7e) {
      if (b !== 9 && b !== 10 && b !== 13) return false;
    }
  }
  return true;
}

function escapeString(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    if (b === 0x22) s += '\\"';
    else if (b === 0x5c) s += '\\\\';
    else if (b === 9) s += '\\t';
    else if (b === 10) s += '\\n';
    else if (b === 13) s += '\\r';
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += '\\x' + b.toString(16).padStart(2, '0');
  }
  return s;
}

export function formatValue(v: Uint8Array): string {
  if (v.length === 0) return '';
  if (isStringList(v)) {
    const parts: string[] = [];
    let start = 0;
    for (let i = 0; i < v.length; i++) if (v[i] === 0) { parts.push(`"${escapeString(v.subarray(start, i))}"`); start = i + 1; }
    return parts.join(', ');
  }
  if (v.length % 4 === 0) {
    const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
    const cells: string[] = [];
    for (let i = 0; i < v.length; i += 4) cells.push('0x' + dv.getUint32(i, false).toString(16).padStart(2, '0'));
    return `<${cells.join(' ')}>`;
  }
  return `[${Array.from(v, (b) => b.toString(16).padStart(2, '0')).join(' ')}]`;
}

function cellsOf(v: Uint8Array): number[] | undefined {
  if (v.length === 0 || v.length % 4 !== 0) return undefined;
  const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
  return Array.from({ length: v.length / 4 }, (_, i) => dv.getUint32(i * 4, false));
}

/** Single-phandle properties that name another node (interrupt-parent, syscon regmap, cpu-map cpu). */
const PHANDLE_PROPS = new Set(['interrupt-parent', 'regmap', 'cpu', 'msi-parent']);

/**
 * Labels for nodes that carry a `phandle`, so references print as `&label` rather than
 * numbers. The `phandle` properties stay, so the text compiles back to the same bytes.
 */
function phandleLabels(root: FdtNodeData): { byPhandle: Map<number, { label: string; node: FdtNodeData }>; ofNode: Map<FdtNodeData, string> } {
  const byPhandle = new Map<number, { label: string; node: FdtNodeData }>();
  const ofNode = new Map<FdtNodeData, string>();
  const used = new Set<string>();
  const hasPhandle = (n: FdtNodeData) => n.props.some((p) => p.name === 'phandle' && p.value.length === 4);
  const baseOf = (name: string) => (name.indexOf('@') < 0 ? name : name.slice(0, name.indexOf('@')));
  // A base name that only one phandle node has labels it alone (`plic`, not `plic_c000000`).
  const baseCount = new Map<string, number>();
  const count = (n: FdtNodeData, depth: number) => {
    if (depth > MAX_DEPTH) return;
    if (hasPhandle(n)) baseCount.set(baseOf(n.name), (baseCount.get(baseOf(n.name)) ?? 0) + 1);
    for (const c of n.children) count(c, depth + 1);
  };
  count(root, 0);
  const visit = (n: FdtNodeData, parentLabel: string | undefined, depth: number) => {
    if (depth > MAX_DEPTH) return;
    const ph = n.props.find((p) => p.name === 'phandle');
    const cells = ph !== undefined ? cellsOf(ph.value) : undefined;
    let label: string | undefined;
    if (cells !== undefined && cells.length === 1 && n !== root) {
      const at = n.name.indexOf('@');
      const base = (at < 0 ? n.name : n.name.slice(0, at)).replace(/[^a-zA-Z0-9_]/g, '_').replace(/^([0-9])/, '_$1');
      const rawUnit = at < 0 ? '' : n.name.slice(at + 1);
      // Keep a short index (`cpu0`) always, a long address only to tell nodes apart.
      const unit = rawUnit === '' || (baseCount.get(baseOf(n.name)) === 1 && !/^[0-9]{1,2}$/.test(rawUnit)) ? '' : rawUnit.replace(/[^a-zA-Z0-9_]/g, '_');
      let want = unit === '' ? base : `${base}${/^[0-9]/.test(unit) && base.length > 0 && !/[0-9]$/.test(base) && unit.length <= 2 ? '' : '_'}${unit}`;
      // A node without a unit address is named by its parent (`cpu0_interrupt_controller`).
      if ((at < 0 || used.has(want)) && parentLabel !== undefined) want = `${parentLabel}_${want}`;
      let k = 1;
      label = want;
      while (used.has(label)) label = `${want}_${k++}`;
      used.add(label);
      byPhandle.set(cells[0], { label, node: n });
      ofNode.set(n, label);
    }
    for (const c of n.children) visit(c, label ?? parentLabel, depth + 1);
  };
  visit(root, undefined, 0);
  return { byPhandle, ofNode };
}

/** `<&a 1 &b 2>` for a phandle-args list, when every entry lines up; else undefined. */
function formatPhandleArgs(prop: FdtProp, cellName: string | undefined, labels: ReturnType<typeof phandleLabels>['byPhandle']): string | undefined {
  const cells = cellsOf(prop.value);
  if (cells === undefined) return undefined;
  const out: string[] = [];
  for (let i = 0; i < cells.length;) {
    const target = labels.get(cells[i]);
    if (target === undefined) return undefined;
    let n = 0;
    if (cellName !== undefined) {
      const cp = target.node.props.find((p) => p.name === cellName);
      const c = cp !== undefined ? cellsOf(cp.value) : undefined;
      if (c === undefined || c.length !== 1 || c[0] > 16) return undefined;
      n = c[0];
    }
    if (i + 1 + n > cells.length) return undefined;
    out.push(`&${target.label}`, ...cells.slice(i + 1, i + 1 + n).map((v) => '0x' + v.toString(16).padStart(2, '0')));
    i += 1 + n;
  }
  return `<${out.join(' ')}>`;
}

/**
 * DTS text for a parsed blob, in dtc's layout (tabs, one property per line). With
 * `labels`, nodes that have a phandle get a label and the properties that point at
 * them (interrupt-parent, interrupts-extended, clocks, … — checks.ts PHANDLE_ARGS)
 * print as references; anything that does not line up stays numeric.
 */
export function dtsFromFdt(data: FdtData, opts: { labels?: boolean } = {}): string {
  const lbl = opts.labels === true ? phandleLabels(data.root) : undefined;
  const argCells = new Map(PHANDLE_ARGS);
  const lines: string[] = ['/dts-v1/;', ''];
  for (const r of data.memreserves) lines.push(`/memreserve/ 0x${r.address.toString(16).padStart(16, '0')} 0x${r.size.toString(16).padStart(16, '0')};`);
  if (data.memreserves.length > 0) lines.push('');
  const visit = (node: FdtNodeData, depth: number, isRoot: boolean) => {
    const ind = '\t'.repeat(depth);
    const name = isRoot ? '/' : dtsName(node.name);
    const label = lbl?.ofNode.get(node);
    lines.push(`${ind}${label !== undefined ? `${label}: ` : ''}${name} {`);
    for (const p of node.props) {
      let v: string | undefined;
      if (lbl !== undefined && (PHANDLE_PROPS.has(p.name) || argCells.has(p.name))) v = formatPhandleArgs(p, argCells.get(p.name), lbl.byPhandle);
      v ??= formatValue(p.value);
      lines.push(`${ind}\t${dtsName(p.name)}${v === '' ? '' : ` = ${v}`};`);
    }
    for (const c of node.children) { lines.push(''); visit(c, depth + 1, false); }
    lines.push(`${ind}};`);
  };
  visit(data.root, 0, true);
  return lines.join('\n') + '\n';
}

export function decompileDtb(blob: Uint8Array, opts: { labels?: boolean } = {}): Result<string> {
  const parsed = parseDtb(blob);
  if (!parsed.ok) return parsed;
  return { ok: true, value: dtsFromFdt(parsed.value, opts) };
}
