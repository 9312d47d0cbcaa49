/**
 * `reg` windows as the CPU sees them: each window of a node is translated through the
 * `ranges` of every bus above it (Devicetree Specification v0.4 §2.3.8), so a device
 * on a `simple-bus` with its own address map lands where the guest's loads reach it.
 * emulator/dts/query.ts reads `reg` in the parent's space; the walk up is here.
 */
import { DtNode } from '../dts/resolve';
import { busCells, QueryResult, regWindows, u32Cells } from '../dts/query';

export interface CpuWindow { base: number; size: number }

const hex = (n: bigint) => `0x${n.toString(16)}`;

function join(cells: number[]): bigint {
  return cells.reduce((acc, c) => (acc << 32n) | BigInt(c), 0n);
}

/** One `ranges` entry: child-bus address, parent-bus address, length. */
interface Range { child: bigint; parent: bigint; size: bigint }

/** `bus`'s ranges: null for an empty `ranges;` (identity), an error when missing or malformed. */
function rangesOf(bus: DtNode, asked: DtNode): QueryResult<Range[] | null> {
  const p = bus.prop('ranges');
  if (p === undefined) return { ok: false, error: `${asked.path}: ${bus.path} has no ranges property, so addresses on it do not reach the CPU (§2.3.8)` };
  if (p.bytes.length === 0) return { ok: true, value: null };
  const parent = bus.parent as DtNode;
  const c = busCells(bus).address, s = busCells(bus).size, pc = busCells(parent).address;
  const cells = u32Cells(p), per = c + pc + s;
  if (cells === undefined || c > 2 || pc > 2 || s > 2 || cells.length % per !== 0) {
    return { ok: false, error: `${bus.path}: ranges has ${p.bytes.length} bytes, not entries of (#address-cells ${c} + parent #address-cells ${pc} + #size-cells ${s}) cells` };
  }
  const out: Range[] = [];
  for (let i = 0; i < cells.length; i += per) {
    out.push({ child: join(cells.slice(i, i + c)), parent: join(cells.slice(i + c, i + c + pc)), size: join(cells.slice(i + c + pc, i + per)) });
  }
  return { ok: true, value: out };
}

/** An address range on `node`'s parent bus, moved up bus by bus to the root's (CPU) space. */
function translate(node: DtNode, address: bigint, size: bigint): QueryResult<bigint> {
  let at = address;
  for (let bus = node.parent; bus !== undefined && bus.parent !== undefined; bus = bus.parent) {
    const ranges = rangesOf(bus, node);
    if (!ranges.ok) return ranges;
    if (ranges.value === null) continue;
    const r = ranges.value.find((e) => e.child <= at && at + size <= e.child + e.size);
    if (r === undefined) return { ok: false, error: `${node.path}: reg ${hex(at)}+${hex(size)} lies outside every ranges entry of ${bus.path}` };
    at = r.parent + (at - r.child);
  }
  return { ok: true, value: at };
}

/** The node's reg windows in CPU addresses; we place memory and devices below 4 GiB. */
export function cpuWindows(node: DtNode): QueryResult<CpuWindow[]> {
  const regs = regWindows(node);
  if (!regs.ok) return regs;
  const out: CpuWindow[] = [];
  for (const r of regs.value) {
    const t = translate(node, r.address, r.size);
    if (!t.ok) return t;
    if (r.size === 0n) return { ok: false, error: `${node.path}: reg window at ${hex(t.value)} has size 0` };
    if (t.value + r.size > 1n << 32n) return { ok: false, error: `${node.path}: reg window ${hex(t.value)}+${hex(r.size)} ends above 4 GiB, where this machine places nothing` };
    out.push({ base: Number(t.value), size: Number(r.size) });
  }
  return { ok: true, value: out };
}
