/**
 * The harts of a DTS board: /cpus/cpu@N nodes (Devicetree Specification v0.4 §3.7-3.8
 * and Linux's riscv/cpus.yaml binding), checked against the hart we implement, and
 * the hart-local interrupt wiring of the CLINT and the PLIC, which must be the one our
 * devices have (hart by hart, in hart order).
 */
import { DtNode, ResolvedTree } from '../dts/resolve';
import { phandleTarget, QueryResult, strings, u32, u32Cells } from '../dts/query';
import { FloatExt, IsaExtension, MAX_HARTS, Xlen } from './description';
import { CHOOSABLE_EXTENSIONS } from '../hart/isa-table';

export interface DtsHarts {
  xlen: Xlen;
  count: number;
  timebaseHz: number;
  /** F and D as riscv,isa names them (every hart the same). */
  fpu: FloatExt;
  /** The multi-letter extensions it names that a board chooses (every hart the same). */
  extensions: IsaExtension[];
  /** The riscv,cpu-intc node of each hart, by hart id. */
  intcs: (DtNode | undefined)[];
}

/** Single-letter extensions we implement (s and u: the privilege modes, as older trees write them). */
const LETTERS = new Set(['i', 'm', 'a', 'f', 'd', 'c', 's', 'u']);
/** Multi-letter extensions we implement (docs/architecture.md "Parity with QEMU 7.2"). */
const MULTI = new Set<string>(['zicsr', 'zifencei', 'zicntr', 'zihpm', 'sstc', ...CHOOSABLE_EXTENSIONS]);

/** XLEN of an riscv,isa string we can run (a subset of rv64imafdc/rv32imafdc + the above), or why not. */
export function checkIsa(isa: string): QueryResult<Xlen> {
  const m = /^rv(32|64)([a-z0-9]*)((?:_[a-z0-9]+)*)$/.exec(isa.toLowerCase());
  const implemented = `we implement rv32/rv64 imafdc with zicsr, zifencei, zicntr, zihpm, sstc, ${CHOOSABLE_EXTENSIONS.join(', ')}`;
  if (m === null) return { ok: false, error: `riscv,isa "${isa}" is not an ISA string like rv64imac_zicsr (${implemented})` };
  // Version numbers (rv64i2p1m2p0) say nothing we check; g is imafd + zicsr_zifencei (ISA manual "ISA Extension Naming Conventions").
  const letters = singleLetters(m[2]);
  if (!letters.startsWith('i')) return { ok: false, error: `riscv,isa "${isa}": the base must be i (${implemented})` };
  for (const l of letters) if (!LETTERS.has(l)) return { ok: false, error: `riscv,isa "${isa}": extension ${l} is not implemented here (${implemented})` };
  if (letters.includes('d') && !letters.includes('f')) return { ok: false, error: `riscv,isa "${isa}": D needs F (Unpriv §12.1)` };
  for (const ext of m[3].split('_').filter((e) => e !== '')) {
    const name = ext.replace(/\d+(p\d+)?$/, '');
    if (!MULTI.has(name)) return { ok: false, error: `riscv,isa "${isa}": extension ${name} is not implemented here (${implemented})` };
  }
  return { ok: true, value: Number(m[1]) as Xlen };
}

/** The single-letter extensions of an ISA string's letters part: versions dropped, g expanded (ISA manual "ISA Extension Naming Conventions"). */
function singleLetters(part: string): string { return part.toLowerCase().replace(/\d+(p\d+)?/g, '').replace(/^g/, 'imafd'); }

/** F/D of a riscv,isa string checkIsa accepted. */
export function floatExtOf(isa: string): FloatExt {
  const letters = singleLetters(/^rv(?:32|64)([a-z0-9]*)/i.exec(isa)?.[1] ?? '');
  return letters.includes('d') ? 'FD' : letters.includes('f') ? 'F' : 'none';
}

/** The choosable extensions a riscv,isa string checkIsa accepted names, in CHOOSABLE_EXTENSIONS order. */
export function extensionsOf(isa: string): IsaExtension[] {
  const named = isa.toLowerCase().split('_').slice(1).map((e) => e.replace(/\d+(p\d+)?$/, ''));
  return CHOOSABLE_EXTENSIONS.filter((x) => named.includes(x));
}

/** riscv,isa, or the newer riscv,isa-base + riscv,isa-extensions pair, as one string. */
function isaOf(cpu: DtNode): string | undefined {
  const isa = strings(cpu, 'riscv,isa');
  if (isa !== undefined) return isa[0];
  const base = strings(cpu, 'riscv,isa-base'), exts = strings(cpu, 'riscv,isa-extensions');
  if (base === undefined) return undefined;
  const single = (exts ?? []).filter((e) => e.length === 1 && e !== 'i').join('');
  const multi = (exts ?? []).filter((e) => e.length > 1).map((e) => `_${e}`).join('');
  return `${base[0]}${single}${multi}`;
}

const MMU: Record<Xlen, string[]> = { 64: ['riscv,sv39', 'riscv,sv48', 'riscv,none'], 32: ['riscv,sv32', 'riscv,none'] };

export function dtsHarts(tree: ResolvedTree): QueryResult<DtsHarts> {
  const cpus = tree.root.liveChildren.find((c) => c.name === 'cpus');
  const list = (cpus?.liveChildren ?? []).filter((c) => strings(c, 'device_type')?.[0] === 'cpu');
  if (cpus === undefined || list.length === 0) return { ok: false, error: '/cpus: no cpu nodes (device_type = "cpu"): a machine needs at least one hart' };
  if (list.length > MAX_HARTS) return { ok: false, error: `/cpus: ${list.length} cpu nodes, at most ${MAX_HARTS} harts here` };
  let xlen: Xlen | undefined;
  let timebase: number | undefined;
  let fpu: FloatExt | undefined;
  let extensions: IsaExtension[] | undefined;
  const intcs: (DtNode | undefined)[] = new Array<DtNode | undefined>(list.length).fill(undefined);
  const seen = new Set<number>();
  for (const cpu of list) {
    const id = u32(cpu, 'reg');
    if (id === undefined || id >= list.length || seen.has(id)) {
      return { ok: false, error: `${cpu.path}: reg ${id ?? '(missing)'} is not a hart id from 0 to ${list.length - 1}, each once (hart ids are numbered like the cpu nodes)` };
    }
    seen.add(id);
    const isa = isaOf(cpu);
    if (isa === undefined) return { ok: false, error: `${cpu.path}: no riscv,isa (or riscv,isa-base) property` };
    const checked = checkIsa(isa);
    if (!checked.ok) return { ok: false, error: `${cpu.path}: ${checked.error}` };
    if (xlen !== undefined && checked.value !== xlen) return { ok: false, error: `${cpu.path}: riscv,isa "${isa}" is rv${checked.value}, other harts are rv${xlen}: every hart has one XLEN here` };
    xlen = checked.value;
    if (fpu !== undefined && floatExtOf(isa) !== fpu) return { ok: false, error: `${cpu.path}: riscv,isa "${isa}" differs from another hart's in F/D: every hart has the same extensions here` };
    fpu = floatExtOf(isa);
    const exts = extensionsOf(isa);
    if (extensions !== undefined && exts.join() !== extensions.join()) return { ok: false, error: `${cpu.path}: riscv,isa "${isa}" differs from another hart's in its extensions: every hart has the same extensions here` };
    extensions = exts;
    const mmu = strings(cpu, 'mmu-type')?.[0];
    if (mmu !== undefined && !MMU[xlen].includes(mmu)) return { ok: false, error: `${cpu.path}: mmu-type "${mmu}" is not one an rv${xlen} hart has here (${MMU[xlen].join(', ')})` };
    const tb = u32(cpu, 'timebase-frequency') ?? (cpus.prop('timebase-frequency') !== undefined ? u32(cpus, 'timebase-frequency') : undefined);
    if (tb === undefined || tb === 0) return { ok: false, error: `${cpu.path}: no timebase-frequency (in /cpus or the cpu node)` };
    if (timebase !== undefined && tb !== timebase) return { ok: false, error: `${cpu.path}: timebase-frequency ${tb} differs from another hart's ${timebase}` };
    timebase = tb;
    intcs[id] = cpu.liveChildren.find((c) => strings(c, 'compatible')?.includes('riscv,cpu-intc') === true);
  }
  return { ok: true, value: { xlen: xlen as Xlen, count: list.length, timebaseHz: timebase as number, fpu: fpu as FloatExt, extensions: extensions ?? [], intcs } };
}

/**
 * A CLINT's or PLIC's `interrupts-extended`: our devices drive, for each hart in hart
 * order, the two lines `perHart` names (CLINT: M software 3, M timer 7; PLIC contexts:
 * M external 11, S external 9; Privileged spec §3.1.9). Anything else we cannot build.
 */
export function checkHartWiring(tree: ResolvedTree, node: DtNode, harts: DtsHarts, perHart: [number, number]): string | null {
  const cells = u32Cells(node.prop('interrupts-extended'));
  const want = (h: number) => `<&cpu${h}-intc ${perHart[0]}>, <&cpu${h}-intc ${perHart[1]}>`;
  const expected = Array.from({ length: harts.count }, (_, h) => want(h)).join(', ');
  const wrong = `${node.path}: interrupts-extended must list, hart by hart, each hart's riscv,cpu-intc with lines ${perHart[0]} and ${perHart[1]} (${expected}): that is how our device is wired`;
  if (cells === undefined || cells.length !== harts.count * 4) return wrong;
  for (let h = 0; h < harts.count; h++) {
    const intc = harts.intcs[h];
    for (let k = 0; k < 2; k++) {
      const at = h * 4 + k * 2;
      if (intc === undefined || phandleTarget(tree, cells[at]) !== intc || cells[at + 1] !== perHart[k]) return wrong;
    }
  }
  return null;
}
