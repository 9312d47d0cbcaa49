/**
 * Semantic checks on the merged tree, after dtc's checks.c: same check names, same
 * conditions and the same message text, so the editor shows what `dtc` prints for the
 * same input. `reg_overlap` is ours: dtc does not look for windows that overlap.
 */

import { DtNode, DtProp, ResolvedTree } from './resolve';
import { Span } from './parser';
import { LIMITS } from './source';
import { checkBuses, isPciBus } from './bus-checks';

export interface CheckDiagnostic {
  severity: 'error' | 'warning';
  /** dtc's check name. */
  code: string;
  /** Node path, and `:prop` when a property is at fault, as dtc prints it. */
  where: string;
  message: string;
  span: Span;
}

/** Properties that list `<&provider args…>`, and the provider's cell-count property (checks.c). */
export const PHANDLE_ARGS: readonly (readonly [string, string])[] = [
  ['clocks', '#clock-cells'], ['cooling-device', '#cooling-cells'], ['dmas', '#dma-cells'], ['hwlocks', '#hwlock-cells'],
  ['interrupts-extended', '#interrupt-cells'], ['io-channels', '#io-channel-cells'], ['iommus', '#iommu-cells'],
  ['mboxes', '#mbox-cells'], ['msi-parent', '#msi-cells'], ['mux-controls', '#mux-control-cells'], ['phys', '#phy-cells'],
  ['power-domains', '#power-domain-cells'], ['pwms', '#pwm-cells'], ['resets', '#reset-cells'], ['sound-dai', '#sound-dai-cells'],
  ['thermal-sensors', '#thermal-sensor-cells'],
];

/** Providers whose cell count may be absent (then 0), as checks.c declares them. */
const OPTIONAL_CELLS = new Set(['msi-parent']);

/** checks.c check_graph_nodes: a node with an `endpoint` child is a port; its parent (`ports`, or when the port has reg) a ports node. */
function graphBuses(all: DtNode[]): Set<DtNode> {
  const bus = new Set<DtNode>();
  for (const n of all) {
    if (n.parent === undefined) continue;
    if (!n.liveChildren.some((c) => c.baseName.startsWith('endpoint') || c.prop('remote-endpoint') !== undefined)) continue;
    bus.add(n);
    if (n.parent.parent !== undefined && !bus.has(n.parent) && !hasCompatible(n.parent, 'simple-bus') && (n.parent.name === 'ports' || n.prop('reg') !== undefined)) bus.add(n.parent);
  }
  return bus;
}

/**
 * checks.c prerequisites: a check does not run when one it depends on has failed
 * anywhere, or did not run itself.
 */
const PREREQUISITES: Readonly<Record<string, readonly string[]>> = {
  avoid_unnecessary_addr_size: ['avoid_default_addr_size'],
  unique_unit_address: ['avoid_default_addr_size'],
  simple_bus_reg: ['reg_format'],
  unit_address_format: ['pci_bridge'],
  pci_device_reg: ['reg_format', 'pci_bridge'],
  pci_device_bus_num: ['reg_format', 'pci_bridge'],
  i2c_bus_reg: ['reg_format', 'i2c_bus_bridge'],
  spi_bus_reg: ['reg_format', 'spi_bus_bridge'],
};

/** The checks that did not run because a prerequisite failed or did not run (depth-bounded: the table has no cycles). */
function suppressedChecks(failed: ReadonlySet<string>): Set<string> {
  const memo = new Map<string, boolean>();
  const suppressed = (code: string, depth: number): boolean => {
    const have = memo.get(code);
    if (have !== undefined) return have;
    const v = depth < 8 && (PREREQUISITES[code] ?? []).some((p) => (failed.has(p) && !suppressed(p, depth + 1)) || suppressed(p, depth + 1));
    memo.set(code, v);
    return v;
  };
  return new Set([...Object.keys(PREREQUISITES)].filter((c) => suppressed(c, 0)));
}

function cell(p: DtProp | undefined): number | undefined {
  if (p === undefined || p.bytes.length !== 4) return undefined;
  return new DataView(p.bytes.buffer, p.bytes.byteOffset, 4).getUint32(0, false);
}

/** checks.c node_addr_cells / node_size_cells: the property, else the spec's defaults 2 and 1. */
function addrCells(n: DtNode): { value: number; explicit: boolean } {
  const v = cell(n.prop('#address-cells'));
  return v === undefined ? { value: 2, explicit: false } : { value: v, explicit: true };
}
function sizeCells(n: DtNode): { value: number; explicit: boolean } {
  const v = cell(n.prop('#size-cells'));
  return v === undefined ? { value: 1, explicit: false } : { value: v, explicit: true };
}

function nodeSpan(n: DtNode): Span {
  return n.decls[0]?.nameSpan ?? { start: 0, end: 0 };
}
function propSpan(p: DtProp): Span {
  return p.decls[p.decls.length - 1]?.nameSpan ?? nodeSpan(p.node);
}

function cellsOf(bytes: Uint8Array): number[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) out.push(dv.getUint32(i, false));
  return out;
}

function isInterruptProvider(n: DtNode): boolean {
  return n.prop('interrupt-controller') !== undefined || n.prop('interrupt-map') !== undefined;
}

function hasCompatible(n: DtNode, name: string): boolean {
  const p = n.prop('compatible');
  if (p === undefined) return false;
  return new TextDecoder().decode(p.bytes).split('\0').includes(name);
}

export function checkTree(tree: ResolvedTree): CheckDiagnostic[] {
  const out: CheckDiagnostic[] = [];
  const fail = (code: string, node: DtNode, message: string, prop?: DtProp, span?: Span) => {
    if (out.length >= LIMITS.diagnostics) return;
    out.push({ severity: 'warning', code, where: node.path + (prop !== undefined ? `:${prop.name}` : ''), message, span: span ?? (prop !== undefined ? propSpan(prop) : nodeSpan(node)) });
  };
  const byPhandle = new Map<number, DtNode>();
  const all: DtNode[] = [];
  const collect = (n: DtNode, depth: number) => {
    if (depth > LIMITS.nodeDepth || n.generated) return;
    all.push(n);
    if (n.phandle !== 0) byPhandle.set(n.phandle, n);
    for (const c of n.liveChildren) collect(c, depth + 1);
  };
  collect(tree.root, 0);
  const overlay = tree.plugin;
  const graphBus = graphBuses(all);

  for (const node of all) {
    const parent = node.parent;
    const unit = node.unitAddress ?? '';
    const reg = node.prop('reg');
    const ranges = node.prop('ranges');

    // unit_address_vs_reg
    if (node.children.every((c) => c.name !== '__overlay__')) {
      const has = reg ?? (ranges !== undefined && ranges.bytes.length > 0 ? ranges : undefined);
      if (has !== undefined && unit === '' && parent !== undefined) fail('unit_address_vs_reg', node, 'node has a reg or ranges property, but no unit name');
      if (has === undefined && unit !== '') fail('unit_address_vs_reg', node, 'node has a unit name, but no reg or ranges property');
    }

    // unit_address_format
    if (parent !== undefined && unit !== '' && !hasCompatible(parent, 'simple-bus') && !isPciBus(parent) && !graphBus.has(parent)) {
      let u = unit;
      if (u.startsWith('0x')) { fail('unit_address_format', node, 'unit name should not have leading "0x"'); u = u.slice(2); }
      if (u[0] === '0' && /[0-9a-fA-F]/.test(u[1] ?? '')) fail('unit_address_format', node, 'unit name should not have leading 0s');
    }

    // reg_format
    if (reg !== undefined && parent === undefined) fail('reg_format', node, 'Root node has a "reg" property');
    if (reg !== undefined && parent !== undefined) {
      if (reg.bytes.length === 0) fail('reg_format', node, 'property is empty', reg);
      const a = addrCells(parent).value;
      const s = sizeCells(parent).value;
      const entry = (a + s) * 4;
      if (entry === 0 ? reg.bytes.length !== 0 : reg.bytes.length % entry !== 0) {
        fail('reg_format', node, `property has invalid length (${reg.bytes.length} bytes) (#address-cells == ${a}, #size-cells == ${s})`, reg);
      }
    }

    // ranges_format
    if (ranges !== undefined && parent !== undefined) {
      const pa = addrCells(parent).value;
      const ps = sizeCells(parent).value;
      const ca = addrCells(node).value;
      const cs = sizeCells(node).value;
      if (ranges.bytes.length === 0) {
        if (pa !== ca) fail('ranges_format', node, `empty "ranges" property but its #address-cells (${ca}) differs from ${parent.path} (${pa})`, ranges);
        if (ps !== cs) fail('ranges_format', node, `empty "ranges" property but its #size-cells (${cs}) differs from ${parent.path} (${ps})`, ranges);
      } else {
        const entry = (pa + ca + cs) * 4;
        if (entry === 0 || ranges.bytes.length % entry !== 0) {
          fail('ranges_format', node, `"ranges" property has invalid length (${ranges.bytes.length} bytes) (parent #address-cells == ${pa}, child #address-cells == ${ca}, #size-cells == ${cs})`, ranges);
        }
      }
    }

    // avoid_default_addr_size
    if (parent !== undefined && (reg !== undefined || ranges !== undefined)) {
      if (!addrCells(parent).explicit) fail('avoid_default_addr_size', node, 'Relying on default #address-cells value');
      if (!sizeCells(parent).explicit) fail('avoid_default_addr_size', node, 'Relying on default #size-cells value');
    }

    // simple_bus_reg
    if (parent !== undefined && hasCompatible(parent, 'simple-bus')) {
      let cells: number[] | undefined;
      if (reg !== undefined) cells = reg.bytes.length > 0 ? cellsOf(reg.bytes) : undefined;
      else if (ranges !== undefined && ranges.bytes.length > 0) cells = cellsOf(ranges.bytes).slice(addrCells(node).value);
      if (cells === undefined) {
        if (parent.parent !== undefined && !hasCompatible(node, 'simple-bus')) fail('simple_bus_reg', node, 'missing or empty reg/ranges property');
      } else {
        let addr = 0n;
        // Only the last two of #address-cells cells survive in 64 bits (a hostile 0xffffffff cells must not loop).
        const a = addrCells(parent).value;
        for (let k = Math.max(0, a - 2); k < a; k++) addr = ((addr << 32n) | BigInt(cells[k] ?? 0)) & ((1n << 64n) - 1n);
        const want = addr.toString(16);
        if (unit !== want) fail('simple_bus_reg', node, `simple-bus unit address format error, expected "${want}"`);
      }
    }

    // graph_child_address
    if (graphBus.has(node)) {
      const kids = node.liveChildren;
      const nonZero = kids.some((c) => { const r = c.prop('reg'); return r !== undefined && r.bytes.length >= 4 && cellsOf(r.bytes)[0] !== 0; });
      if (!nonZero && kids.length === 1 && addrCells(node).explicit) {
        fail('graph_child_address', node, `graph node has single child node '${kids[0].name}', #address-cells/#size-cells are not necessary`);
      }
    }

    // avoid_unnecessary_addr_size
    if (parent !== undefined && node.prop('#address-cells') !== undefined && node.prop('#size-cells') !== undefined
      && ranges === undefined && node.liveChildren.length > 0 && node.liveChildren.every((c) => c.prop('reg') === undefined)) {
      fail('avoid_unnecessary_addr_size', node, 'unnecessary #address-cells/#size-cells without "ranges" or child "reg" property');
    }

    checkBuses(node, fail);

    // interrupt_provider
    if (node.prop('interrupt-controller') !== undefined) {
      if (node.prop('#interrupt-cells') === undefined) fail('interrupt_provider', node, 'Missing #interrupt-cells in interrupt provider');
      if (node.prop('#address-cells') === undefined) fail('interrupt_provider', node, 'Missing #address-cells in interrupt provider');
    }

    // checks.c check_property_phandle_args: `<&provider args…>` lists.
    for (const [propName, cellName] of PHANDLE_ARGS) {
      const prop = node.prop(propName);
      if (prop === undefined) continue;
      const cells = cellsOf(prop.bytes);
      const code = propName.replace(/-/g, '_') + '_property';
      let cellsize = 0;
      for (let i = 0; i < cells.length; i += cellsize + 1) {
        const ph = cells[i];
        if (ph === 0 || ph === 0xffffffff) { if (overlay) break; cellsize = 0; continue; }
        if (!prop.refOffsets.includes(i * 4)) fail(code, node, `cell ${i} is not a phandle reference`, prop);
        const provider = byPhandle.get(ph);
        if (provider === undefined) { fail(code, node, `Could not get phandle node for (cell ${i})`, prop); break; }
        const cp = provider.prop(cellName);
        if (cp === undefined && !OPTIONAL_CELLS.has(propName)) { fail(code, node, `Missing property '${cellName}' in node ${provider.path} or bad phandle (referred from ${propName}[${i}])`); break; }
        cellsize = cell(cp) ?? 0;
        if (prop.bytes.length < (i + cellsize + 1) * 4) { fail(code, node, `property size (${prop.bytes.length}) too small for cell size ${cellsize}`, prop); break; }
      }
    }

    // interrupts_property
    const irqs = node.prop('interrupts');
    if (irqs !== undefined) {
      if (irqs.bytes.length % 4 !== 0) fail('interrupts_property', node, `size (${irqs.bytes.length}) is invalid, expected multiple of 4`, irqs);
      let irqNode: DtNode | undefined;
      let p: DtNode | undefined = node;
      let done = false;
      while (p !== undefined && !done) {
        if (p !== node && isInterruptProvider(p)) { irqNode = p; break; }
        const ip = p.prop('interrupt-parent');
        if (ip !== undefined) {
          const ph = cell(ip) ?? 0;
          if (ph === 0 || ph === 0xffffffff) {
            if (overlay) { done = true; break; }
            fail('interrupts_property', p, 'Invalid phandle', ip);
          } else {
            irqNode = byPhandle.get(ph);
            if (irqNode === undefined) { fail('interrupts_property', p, 'Bad phandle', ip); done = true; break; }
            if (!isInterruptProvider(irqNode)) fail('interrupts_property', irqNode, 'Missing interrupt-controller or interrupt-map property');
            break;
          }
        }
        p = p.parent;
      }
      if (!done) {
        if (irqNode === undefined) fail('interrupts_property', node, 'Missing interrupt-parent');
        else {
          const icp = irqNode.prop('#interrupt-cells');
          const n = cell(icp);
          if (icp !== undefined && n !== undefined && (n === 0 ? irqs.bytes.length !== 0 : irqs.bytes.length % (n * 4) !== 0)) {
            // checks.c names #interrupt-cells here, though the fault is the interrupts property.
            out.push({ severity: 'warning', code: 'interrupts_property', where: `${node.path}:#interrupt-cells`, message: `size is (${irqs.bytes.length}), expected multiple of ${n * 4}`, span: propSpan(irqs) });
          }
        }
      }
    }

    // unique_unit_address: only on a bus with both cell counts; each earlier node names the later one.
    const children = node.liveChildren;
    if (node.prop('#address-cells') !== undefined && node.prop('#size-cells') !== undefined) {
      const byUnit = new Map<string, DtNode[]>();
      for (const c of children) {
        const u = c.unitAddress;
        if (u === undefined || u === '') continue;
        const earlier = byUnit.get(u) ?? [];
        for (const b of earlier) fail('unique_unit_address', b, `duplicate unit-address (also used in node ${c.path})`);
        earlier.push(c);
        byUnit.set(u, earlier);
      }
    }

    // reg_overlap (ours): windows of sibling devices that overlap on this bus.
    const a = addrCells(node).value;
    const s = sizeCells(node).value;
    if (a >= 1 && a <= 2 && s >= 1 && s <= 2) {
      const windows: { lo: bigint; hi: bigint; node: DtNode }[] = [];
      for (const c of children) {
        const r = c.prop('reg');
        if (r === undefined || r.bytes.length === 0 || r.bytes.length % ((a + s) * 4) !== 0) continue;
        const cells = cellsOf(r.bytes);
        for (let i = 0; i + a + s <= cells.length; i += a + s) {
          let lo = 0n; let size = 0n;
          for (let k = 0; k < a; k++) lo = (lo << 32n) | BigInt(cells[i + k]);
          for (let k = 0; k < s; k++) size = (size << 32n) | BigInt(cells[i + a + k]);
          if (size > 0n) windows.push({ lo, hi: lo + size, node: c });
        }
      }
      windows.sort((x, y) => (x.lo < y.lo ? -1 : x.lo > y.lo ? 1 : 0));
      for (let i = 1; i < windows.length; i++) {
        const prev = windows[i - 1];
        const cur = windows[i];
        if (cur.lo < prev.hi && cur.node !== prev.node) {
          fail('reg_overlap', cur.node, `reg window 0x${cur.lo.toString(16)}-0x${(cur.hi - 1n).toString(16)} overlaps ${prev.node.path} (0x${prev.lo.toString(16)}-0x${(prev.hi - 1n).toString(16)})`, cur.node.prop('reg'));
        }
      }
    }
  }
  const skipped = suppressedChecks(new Set(out.map((d) => d.code)));
  return out.filter((d) => !skipped.has(d.code));
}
