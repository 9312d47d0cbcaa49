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
import { BoardLayout, DeviceWindow, IrqWindow, MAX_MEMORY_BYTES, PassthroughDescription, VIRT, Xlen } from './description';
import { checkHartWiring, dtsHarts, DtsHarts } from './dts-cpus';
import { cpuWindows, CpuWindow } from './dts-address';

export interface DtsMachine {
  xlen: Xlen;
  harts: number;
  memoryBytes: number;
  board: BoardLayout;
  passthrough: PassthroughDescription[];
  /** Lines for the user: nodes that became passthrough stubs. */
  warnings: string[];
}

type Kind = 'uart' | 'virtio' | 'clint' | 'plic' | 'rtc' | 'test' | 'poweroff' | 'reboot' | 'bus';

/** Compatible strings we build, and what from (a node's first string we know wins). */
const KINDS: ReadonlyMap<string, Kind> = new Map([
  ['ns16550a', 'uart'], ['ns16550', 'uart'], ['virtio,mmio', 'virtio'],
  ['sifive,clint0', 'clint'], ['riscv,clint0', 'clint'], ['sifive,plic-1.0.0', 'plic'], ['riscv,plic0', 'plic'],
  ['google,goldfish-rtc', 'rtc'], ['sifive,test1', 'test'], ['sifive,test0', 'test'],
  ['syscon-poweroff', 'poweroff'], ['syscon-reboot', 'reboot'], ['simple-bus', 'bus'],
]);

/** What each model answers of its window (QEMU's region sizes, as in VIRT); a smaller reg cannot hold it. */
const DECODE: Record<'uart' | 'virtio' | 'clint' | 'rtc' | 'test', { min: number; decode: number }> = {
  uart: { min: VIRT.uart0.decodeSize, decode: VIRT.uart0.decodeSize },
  rtc: { min: VIRT.rtc.decodeSize, decode: VIRT.rtc.decodeSize },
  clint: { min: VIRT.clint.decodeSize, decode: VIRT.clint.decodeSize },
  test: { min: 4, decode: VIRT.sifiveTest.size },
  virtio: { min: 0x200, decode: VIRT.virtio.stride },
};
/** Our PLIC's sources: 1 .. VIRT.plic.sources - 1 (plic.ts). */
const PLIC_LAST_SOURCE = VIRT.plic.sources - 1;
/** PLIC context registers start here, 0x1000 per context, two contexts per hart (riscv-plic-spec 1.0.0 §3). */
const PLIC_CONTEXTS = 0x200000;
// Privileged spec §3.1.9: the mip bits the CLINT and the PLIC drive.
const CLINT_LINES: [number, number] = [3, 7];
const PLIC_LINES: [number, number] = [11, 9];
/** Reset vector and fw_dynamic_info (firmware/boot-rom.ts). */
const ROM = { base: VIRT.bootRom.base, size: VIRT.bootRom.size };

const hex = (n: number) => `0x${n.toString(16)}`;
type Found = { node: DtNode; kind: Kind | undefined; compatible: string };

function disabled(n: DtNode): boolean {
  const s = strings(n, 'status')?.[0];
  return s !== undefined && s !== 'okay' && s !== 'ok';
}

/** Device nodes: children of the root and of every simple-bus below it (Linux probes just those). */
function collect(node: DtNode, out: Found[], depth = 0): void {
  for (const c of node.liveChildren) {
    const compat = strings(c, 'compatible');
    if (compat === undefined || disabled(c) || c.name === 'cpus') continue;
    const hit = compat.find((s) => KINDS.has(s));
    const kind = hit === undefined ? undefined : KINDS.get(hit);
    if (kind === 'bus') { if (depth < 64) collect(c, out, depth + 1); continue; }
    out.push({ node: c, kind, compatible: hit ?? compat[0] });
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
  private plicNode: DtNode | undefined;
  private ndev = 0;
  private testNode: DtNode | undefined;

  constructor(private readonly tree: ResolvedTree, private readonly harts: DtsHarts, dram: CpuWindow & { nodes: string[] }) {
    this.board = { dramBase: dram.base, timebaseHz: harts.timebaseHz, uarts: [], virtio: [] };
    this.windows.push(['the boot ROM (the reset vector)', ROM.base, ROM.size], [dram.nodes.join(' + '), dram.base, dram.size]);
  }

  /** The node's one window, checked against the model's minimum and placed (overlaps are refused). */
  private window(n: DtNode, what: string, model?: { min: number; decode: number }): QueryResult<DeviceWindow> {
    const w = cpuWindows(n);
    if (!w.ok) return w;
    if (w.value.length === 0) return { ok: false, error: `${n.path}: a ${what} needs a reg` };
    if (model !== undefined && w.value.length !== 1) return { ok: false, error: `${n.path}: reg has ${w.value.length} windows, a ${what} has one` };
    const { base, size } = w.value[0];
    if (model !== undefined && size < model.min) return { ok: false, error: `${n.path}: reg size ${hex(size)} is smaller than the ${hex(model.min)} bytes a ${what} answers` };
    for (const [other, b, s] of this.windows) {
      if (base < b + s && b < base + size) return { ok: false, error: `${n.path}: ${hex(base)}-${hex(base + size - 1)} overlaps ${other} at ${hex(b)}-${hex(b + s - 1)}` };
    }
    this.windows.push([n.path, base, size]);
    return { ok: true, value: { base, size, node: n.path, ...(model !== undefined && size > model.decode ? { decodeSize: model.decode } : {}) } };
  }

  /** The node's PLIC source (undefined without interrupts); anything but our PLIC is an error. */
  private irq(n: DtNode): QueryResult<number | undefined> {
    const list = interrupts(this.tree, n);
    if (!list.ok) return list;
    if (list.value.length === 0) return { ok: true, value: undefined };
    const [first] = list.value;
    if (this.plicNode === undefined || first.controller !== this.plicNode) {
      return { ok: false, error: `${n.path}: its interrupt goes to ${first.controller.path}, ${this.plicNode === undefined ? 'but this board has no PLIC' : `not to the PLIC (${this.plicNode.path})`}: we only route device interrupts through the PLIC` };
    }
    if (list.value.length > 1) return { ok: false, error: `${n.path}: ${list.value.length} interrupts; our devices each drive one line` };
    const src = first.specifier[0];
    const last = Math.min(this.ndev, PLIC_LAST_SOURCE);
    if (first.specifier.length !== 1 || src < 1 || src > last) return { ok: false, error: `${n.path}: interrupt ${first.specifier.join(' ')} is not a PLIC source from 1 to ${last}` };
    const owner = this.lines.get(src);
    if (owner !== undefined) return { ok: false, error: `${n.path}: PLIC source ${src} is already ${owner}'s: lines are not shared here` };
    this.lines.set(src, n.path);
    return { ok: true, value: src };
  }

  private placed(n: DtNode, what: string, model: { min: number; decode: number }): QueryResult<IrqWindow> {
    const w = this.window(n, what, model);
    if (!w.ok) return w;
    const irq = this.irq(n);
    if (!irq.ok) return irq;
    return { ok: true, value: irq.value === undefined ? w.value : { ...w.value, irq: irq.value } };
  }

  /** The interrupt controllers first: device lines are checked against them. */
  controllers(found: Found[]): string | null {
    for (const f of found) {
      const n = f.node;
      if (f.kind === 'plic') {
        if (this.plicNode !== undefined) return `${n.path}: a second PLIC (the first is ${this.plicNode.path}); we build one`;
        if (u32(n, '#interrupt-cells') !== 1) return `${n.path}: #interrupt-cells must be 1 (a PLIC source number)`;
        const ndev = u32(n, 'riscv,ndev');
        if (ndev === undefined || ndev < 1 || ndev > VIRT.plic.sources) return `${n.path}: riscv,ndev ${ndev ?? '(missing)'} must be 1 to ${VIRT.plic.sources}`;
        const wiring = checkHartWiring(this.tree, n, this.harts, PLIC_LINES);
        if (wiring !== null) return wiring;
        const need = PLIC_CONTEXTS + 0x1000 * 2 * this.harts.count;
        const w = this.window(n, 'PLIC', { min: need, decode: VIRT.plic.size });
        if (!w.ok) return w.error;
        this.plicNode = n;
        this.ndev = ndev;
        this.board.plic = { ...w.value, sources: ndev };
      } else if (f.kind === 'clint') {
        if (this.board.clint !== undefined) return `${n.path}: a second CLINT (the first is ${this.board.clint.node}); we build one`;
        const wiring = checkHartWiring(this.tree, n, this.harts, CLINT_LINES);
        if (wiring !== null) return wiring;
        const w = this.window(n, 'CLINT', DECODE.clint);
        if (!w.ok) return w.error;
        this.board.clint = w.value;
      }
    }
    return null;
  }

  devices(found: Found[]): string | null {
    const virtio: IrqWindow[] = [];
    const syscons: Found[] = [];
    for (const f of found) {
      const n = f.node;
      switch (f.kind) {
        case 'plic': case 'clint': case 'bus': break;
        case 'poweroff': case 'reboot': syscons.push(f); break;
        case 'uart': {
          if ((u32(n, 'reg-shift') ?? 0) !== 0 || (u32(n, 'reg-io-width') ?? 1) !== 1) return `${n.path}: reg-shift ${u32(n, 'reg-shift') ?? 0} / reg-io-width ${u32(n, 'reg-io-width') ?? 1}: our ns16550a has byte registers one byte apart (reg-shift 0, reg-io-width 1)`;
          const w = this.placed(n, 'ns16550a UART', DECODE.uart);
          if (!w.ok) return w.error;
          this.board.uarts.push({ ...w.value, clockHz: u32(n, 'clock-frequency') ?? VIRT.uart0.clockHz });
          break;
        }
        case 'virtio': {
          const w = this.placed(n, 'virtio-mmio transport', DECODE.virtio);
          if (!w.ok) return w.error;
          virtio.push(w.value);
          break;
        }
        case 'rtc': case 'test': {
          const existing = this.board[f.kind];
          if (existing !== undefined) return `${n.path}: a second ${f.compatible} (the first is ${existing.node}); we build one`;
          const w = f.kind === 'rtc' ? this.placed(n, 'goldfish RTC', DECODE.rtc) : this.window(n, 'sifive test device', DECODE.test);
          if (!w.ok) return w.error;
          this.board[f.kind] = w.value;
          if (f.kind === 'test') this.testNode = n;
          break;
        }
        case undefined: {
          const stub = this.stub(f);
          if (stub !== null) return stub;
          break;
        }
      }
    }
    // Slot 0 is the lowest address, as on virt (QEMU's numbering; virtioSlots places devices).
    this.board.virtio = virtio.sort((a, b) => a.base - b.base);
    for (const f of syscons) {
      const bad = this.syscon(f);
      if (bad !== null) return bad;
    }
    return null;
  }

  /** A node we do not emulate: a passthrough slot with no backend, at its first window. */
  private stub(f: Found): string | null {
    const n = f.node;
    if (n.prop('reg') === undefined) return null; // not on a bus: nothing for the guest to reach
    const w = this.window(n, f.compatible);
    if (!w.ok) return w.error;
    const irq = this.irq(n);
    if (!irq.ok) return irq.error;
    const taken = new Set(this.passthrough.map((p) => p.name));
    this.passthrough.push({
      name: taken.has(n.name) ? n.path : n.name, node: n.path, base: w.value.base, size: w.value.size, irq: irq.value ?? 0,
      compatible: f.compatible, unplugged: 'ones',
    });
    this.warnings.push(`${n.path}: compatible "${f.compatible}" is not emulated: it becomes a passthrough stub slot (no backend, reads all-ones)`);
    return null;
  }

  /** syscon-poweroff / syscon-reboot: our sifive,test device acts on 0x5555 and 0x7777 at offset 0. */
  private syscon(f: Found): string | null {
    const n = f.node;
    const target = u32(n, 'regmap');
    const node = target === undefined ? undefined : phandleTarget(this.tree, target);
    if (node === undefined || node !== this.testNode) return `${n.path}: regmap must point at the sifive,test device${this.testNode !== undefined ? ` (${this.testNode.path})` : ', and this board has none'}`;
    const value = u32(n, 'value'), offset = u32(n, 'offset') ?? 0;
    const want = f.kind === 'poweroff' ? 0x5555 : 0x7777;
    if (offset !== 0 || value !== want) return `${n.path}: ${f.compatible} must write value ${hex(want)} at offset 0 (what sifive,test acts on), not ${value === undefined ? '(missing)' : hex(value)} at ${hex(offset)}`;
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
  const bad = b.controllers(found) ?? b.devices(found);
  if (bad !== null) return { ok: false, error: bad };
  return {
    ok: true,
    value: { xlen: harts.value.xlen, harts: harts.value.count, memoryBytes: dram.value.size, board: b.board, passthrough: b.passthrough, warnings: b.warnings },
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
