/**
 * A machine built from a device-tree source (DESIGN.md idea 4: the machine is described
 * once): memory from the /memory nodes, harts from /cpus, and a device for every node
 * whose `compatible` we emulate, at its `reg` (translated through bus `ranges`) with
 * its `interrupts`. A node we do not emulate becomes a passthrough slot with no backend
 * (unplugged: reads all-ones). The guest gets the blob compiled from the same tree.
 * Whatever we cannot build is one error naming the node.
 */
import { analyzeDts, compileTree, DtsOptions } from '../dts/index';
import { DtNode, ResolvedTree } from '../dts/resolve';
import { interrupts, phandleTarget, QueryResult, strings, u32 } from '../dts/query';
import { LineIndex } from '../dts/source';
import { addPlace, BoardLayout, DEVICE_TYPES, DeviceWindow, emptyBoard, FloatExt, IrqWindow, IsaExtension, MAX_MEMORY_BYTES, PassthroughDescription, placesOf, typeForCompatible, VIRT, Xlen } from './description';
import { DeviceType, DtsContext, windowFor } from '../devices/device-type';
import { checkHartWiring, dtsHarts, DtsHarts } from './dts-cpus';
import { cpuWindows, CpuWindow } from './dts-address';

export interface DtsMachine {
  xlen: Xlen;
  fpu: FloatExt;
  extensions: IsaExtension[];
  harts: number;
  memoryBytes: number;
  board: BoardLayout;
  passthrough: PassthroughDescription[];
  /** Lines for the user: nodes that became passthrough stubs. */
  warnings: string[];
}

/** Compatibles that are no device of ours but shape the tree: buses we walk into, the power syscons. */
type Structural = 'bus' | 'poweroff' | 'reboot';
const STRUCTURAL: ReadonlyMap<string, Structural> = new Map([
  ['simple-bus', 'bus'], ['syscon-poweroff', 'poweroff'], ['syscon-reboot', 'reboot'],
]);
/** Reset vector and fw_dynamic_info (firmware/boot-rom.ts). */
const ROM = { base: VIRT.bootRom.base, size: VIRT.bootRom.size };

const hex = (n: number) => `0x${n.toString(16)}`;
/** What a node becomes: a device of ours, a structural node, or (`stub`) a passthrough stub slot. */
export type NodeRole =
  | { kind: 'device'; type: DeviceType; compatible: string }
  | { kind: Structural; compatible: string }
  | { kind: 'stub'; compatible: string };
type Found = { node: DtNode; role: NodeRole };

function disabled(n: DtNode): boolean {
  const s = strings(n, 'status')?.[0];
  return s !== undefined && s !== 'okay' && s !== 'ok';
}

/**
 * What a node with a `compatible` becomes, wherever it sits (undefined: nothing, as for
 * a disabled node, a cpu or memory node): the first of its strings we build or know
 * wins; a node with none of them and a `reg` becomes a passthrough stub slot. The
 * language server asks this too, so its warnings say what the machine does.
 */
export function nodeRole(n: DtNode): NodeRole | undefined {
  const compat = strings(n, 'compatible');
  const dt = strings(n, 'device_type')?.[0];
  if (compat === undefined || compat.length === 0 || disabled(n) || dt === 'cpu' || dt === 'memory') return undefined;
  for (const c of compat) {
    const type = typeForCompatible(c);
    if (type !== undefined) return { kind: 'device', type, compatible: c };
    const s = STRUCTURAL.get(c);
    if (s !== undefined) return { kind: s, compatible: c };
  }
  return n.prop('reg') === undefined ? undefined : { kind: 'stub', compatible: compat[0] };
}

/** Device nodes: children of the root and of every simple-bus below it (Linux probes just those). */
function collect(node: DtNode, out: Found[], depth = 0): void {
  for (const c of node.liveChildren) {
    if (c.name === 'cpus') continue;
    const role = nodeRole(c);
    if (role === undefined) continue;
    if (role.kind === 'bus') { if (depth < 64) collect(c, out, depth + 1); continue; }
    out.push({ node: c, role });
  }
}

/** The single DRAM region from /memory nodes (adjacent windows join). */
function memory(tree: ResolvedTree): QueryResult<CpuWindow & { nodes: string[] }> {
  const windows: (CpuWindow & { node: string })[] = [];
  for (const n of tree.root.liveChildren) {
    if (strings(n, 'device_type')?.[0] !== 'memory' || disabled(n)) continue;
    const w = cpuWindows(n);
    if (!w.ok) return w;
    windows.push(...w.value.map((x) => ({ ...x, node: n.path })));
  }
  if (windows.length === 0) return { ok: false, error: '/: no memory: the tree needs a /memory node (device_type = "memory") with a reg' };
  windows.sort((a, b) => a.base - b.base);
  const first = windows[0];
  let end = first.base + first.size;
  for (const w of windows.slice(1)) {
    if (w.base !== end) {
      return { ok: false, error: `${w.node}: memory ${hex(w.base)}-${hex(w.base + w.size - 1)} is not contiguous with ${first.node} (${hex(first.base)}-${hex(end - 1)}): this machine's DRAM is one region` };
    }
    end += w.size;
  }
  const size = end - first.base;
  if (first.base % 4096 !== 0 || size % 4096 !== 0) return { ok: false, error: `${first.node}: memory ${hex(first.base)}+${hex(size)} must start and end on a 4 KiB boundary` };
  if (size < 2 * 1024 * 1024 || size > MAX_MEMORY_BYTES) return { ok: false, error: `${first.node}: memory size ${hex(size)} must be between 2 MiB and ${MAX_MEMORY_BYTES / 1024 ** 3} GiB` };
  return { ok: true, value: { base: first.base, size, nodes: windows.map((w) => w.node) } };
}

class Builder {
  readonly board: BoardLayout;
  readonly passthrough: PassthroughDescription[] = [];
  readonly warnings: string[] = [];
  /** Every placed window, for the overlap check: [what, base, size]. */
  private readonly windows: [string, number, number][] = [];
  private readonly lines = new Map<number, string>();
  /** The interrupt controller device lines go to, and its last source. */
  private parent: { node: DtNode; last: number } | undefined;
  private readonly ctx: DtsContext;

  constructor(private readonly tree: ResolvedTree, harts: DtsHarts, dram: CpuWindow & { nodes: string[] }) {
    this.board = emptyBoard(dram.base, harts.timebaseHz);
    this.windows.push(['the boot ROM (the reset vector)', ROM.base, ROM.size], [dram.nodes.join(' + '), dram.base, dram.size]);
    this.ctx = {
      tree, harts: harts.count,
      window: (n, what, min) => this.window(n, what, min),
      placed: (n, what, min) => this.placed(n, what, min),
      hartWiring: (n, lines) => checkHartWiring(tree, n, harts, [lines[0], lines[1]]),
      setInterruptParent: (node, last) => { this.parent = { node, last }; },
    };
  }

  /** The node's one window, at least `min` bytes when given, and placed (overlaps are refused). */
  private window(n: DtNode, what: string, min?: number): QueryResult<DeviceWindow> {
    const w = cpuWindows(n);
    if (!w.ok) return w;
    if (w.value.length === 0) return { ok: false, error: `${n.path}: a ${what} needs a reg` };
    if (min !== undefined && w.value.length !== 1) return { ok: false, error: `${n.path}: reg has ${w.value.length} windows, a ${what} has one` };
    const { base, size } = w.value[0];
    if (min !== undefined && size < min) return { ok: false, error: `${n.path}: reg size ${hex(size)} is smaller than the ${hex(min)} bytes a ${what} answers` };
    for (const [other, b, s] of this.windows) {
      if (base < b + s && b < base + size) return { ok: false, error: `${n.path}: ${hex(base)}-${hex(base + size - 1)} overlaps ${other} at ${hex(b)}-${hex(b + s - 1)}` };
    }
    this.windows.push([n.path, base, size]);
    return { ok: true, value: { base, size, node: n.path } };
  }

  /** The node's PLIC source (undefined without interrupts); anything but our PLIC is an error. */
  private irq(n: DtNode): QueryResult<number | undefined> {
    const list = interrupts(this.tree, n);
    if (!list.ok) return list;
    if (list.value.length === 0) return { ok: true, value: undefined };
    const [first] = list.value;
    const parent = this.parent;
    if (parent === undefined || first.controller !== parent.node) {
      return { ok: false, error: `${n.path}: its interrupt goes to ${first.controller.path}, ${parent === undefined ? 'but this board has no PLIC' : `not to the PLIC (${parent.node.path})`}: we only route device interrupts through the PLIC` };
    }
    if (list.value.length > 1) return { ok: false, error: `${n.path}: ${list.value.length} interrupts; our devices each drive one line` };
    const src = first.specifier[0];
    if (first.specifier.length !== 1 || src < 1 || src > parent.last) return { ok: false, error: `${n.path}: interrupt ${first.specifier.join(' ')} is not a PLIC source from 1 to ${parent.last}` };
    const owner = this.lines.get(src);
    if (owner !== undefined) return { ok: false, error: `${n.path}: PLIC source ${src} is already ${owner}'s: lines are not shared here` };
    this.lines.set(src, n.path);
    return { ok: true, value: src };
  }

  private placed(n: DtNode, what: string, min: number): QueryResult<IrqWindow> {
    const w = this.window(n, what, min);
    if (!w.ok) return w;
    const irq = this.irq(n);
    if (!irq.ok) return irq;
    return { ok: true, value: irq.value === undefined ? w.value : { ...w.value, irq: irq.value } };
  }

  /** Every device node, interrupt controllers first (device lines are checked against them). */
  devices(found: Found[]): string | null {
    const syscons: Found[] = [];
    for (const early of [true, false]) {
      for (const f of found) {
        const { node: n, role } = f;
        if (role.kind === 'device') {
          if ((role.type.dts.early === true) !== early) continue;
          const bad = this.device(n, role.type, role.compatible);
          if (bad !== null) return bad;
        } else if (!early) {
          if (role.kind === 'stub') {
            const bad = this.stub(n, role.compatible);
            if (bad !== null) return bad;
          } else if (role.kind === 'poweroff' || role.kind === 'reboot') syscons.push(f);
        }
      }
    }
    for (const type of DEVICE_TYPES) if (type.dts.sortByAddress === true) placesOf(this.board, type).sort((a, b) => a.base - b.base);
    for (const f of syscons) {
      const bad = this.syscon(f);
      if (bad !== null) return bad;
    }
    return null;
  }

  private device(n: DtNode, type: DeviceType, compatible: string): string | null {
    if (!type.many) {
      const existing = placesOf(this.board, type)[0];
      if (existing !== undefined) return `${n.path}: a second ${type.dts.label ?? compatible} (the first is ${existing.node}); we build one`;
    }
    const p = type.dts.place(n, this.ctx);
    if (!p.ok) return p.error;
    addPlace(this.board, type, { ...p.value, ...windowFor(type, p.value) });
    return null;
  }

  /** A node we do not emulate: a passthrough slot with no backend, at its first window. */
  private stub(n: DtNode, compatible: string): string | null {
    const w = this.window(n, compatible);
    if (!w.ok) return w.error;
    const irq = this.irq(n);
    if (!irq.ok) return irq.error;
    const taken = new Set(this.passthrough.map((p) => p.name));
    this.passthrough.push({
      name: taken.has(n.name) ? n.path : n.name, node: n.path, base: w.value.base, size: w.value.size, irq: irq.value ?? 0,
      compatible, unplugged: 'ones',
    });
    this.warnings.push(`${n.path}: compatible "${compatible}" is not emulated: it becomes a passthrough stub slot (no backend, reads all-ones)`);
    return null;
  }

  /** syscon-poweroff / syscon-reboot: our sifive,test device acts on 0x5555 and 0x7777 at offset 0. */
  private syscon(f: Found): string | null {
    const n = f.node;
    const target = u32(n, 'regmap');
    const node = target === undefined ? undefined : phandleTarget(this.tree, target);
    const test = this.board.test?.node;
    if (node === undefined || node.path !== test) return `${n.path}: regmap must point at the sifive,test device${test !== undefined ? ` (${test})` : ', and this board has none'}`;
    const value = u32(n, 'value'), offset = u32(n, 'offset') ?? 0;
    const want = f.role.kind === 'poweroff' ? 0x5555 : 0x7777;
    if (offset !== 0 || value !== want) return `${n.path}: ${f.role.compatible} must write value ${hex(want)} at offset 0 (what sifive,test acts on), not ${value === undefined ? '(missing)' : hex(value)} at ${hex(offset)}`;
    return null;
  }
}

/** The machine a resolved tree describes, or one error naming the node we cannot build. */
export function machineFromTree(tree: ResolvedTree): QueryResult<DtsMachine> {
  const harts = dtsHarts(tree);
  if (!harts.ok) return harts;
  const dram = memory(tree);
  if (!dram.ok) return dram;
  const found: Found[] = [];
  collect(tree.root, found);
  const b = new Builder(tree, harts.value, dram.value);
  const bad = b.devices(found);
  if (bad !== null) return { ok: false, error: bad };
  return {
    ok: true,
    value: { xlen: harts.value.xlen, fpu: harts.value.fpu, extensions: harts.value.extensions, harts: harts.value.count, memoryBytes: dram.value.size, board: b.board, passthrough: b.passthrough, warnings: b.warnings },
  };
}

export type DtsMachineResult = { ok: true; value: DtsMachine & { dtb: Uint8Array; diagnostics: string[] } } | { ok: false; error: string };

/** `file:line:col: message`, from the text the preprocessor read. */
function where(files: ReadonlyMap<string, string>, range: { file: string; start: number }): string {
  const text = files.get(range.file);
  if (text === undefined) return range.file;
  const p = new LineIndex(text).position(range.start);
  return `${range.file}:${p.line + 1}:${p.character + 1}`;
}

/**
 * A DTS file → the machine and the blob its guest gets. Source errors (as dtc reports
 * them) come first: the first one is the error, with how many more there are; warnings
 * come back as lines.
 */
export function machineFromDts(file: string, text: string, opts: DtsOptions): DtsMachineResult {
  const c = analyzeDts(file, text, opts);
  const files = c.pp.files;
  const errors = c.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
    return { ok: false, error: `${where(files, errors[0].range)}: ${errors[0].message}${more}` };
  }
  const m = machineFromTree(c.tree);
  if (!m.ok) return { ok: false, error: `${file}: ${m.error}` };
  let dtb: Uint8Array;
  try {
    dtb = compileTree(c.tree);
  } catch (e) {
    return { ok: false, error: `${file}: cannot write the DTB: ${(e as Error).message}` };
  }
  const diagnostics = c.diagnostics.map((d) => `${where(files, d.range)}: ${d.severity}: ${d.message} [${d.code}]`);
  return { ok: true, value: { ...m.value, dtb, diagnostics } };
}
