/**
 * The WebAssembly block compiler (`--engine wasm`, RV64): the same blocks as the
 * JavaScript translator (blocks.ts: a hot run of instructions in one page, up to a jump,
 * a branch or an instruction left to the interpreter), each compiled to a wasm module
 * whose code comes from the instruction semantics through WasmGen. Registers and the
 * TLBs are read in the machine's memory (wasm-area.ts), so loads and stores that hit
 * the TLB on DRAM never leave wasm; everything else calls the hart's own access
 * (memory.ts) through three imports.
 *
 * A block behaves exactly as the JavaScript one: it returns how many instructions it
 * ran and leaves the next pc in the hart; it stops at a faulting access, after an access
 * that made the hart yield, and after a store that dropped the block itself.
 */
import type { Hart } from './hart';
import { Op } from './isa-table';
import { P } from './decode';
import { BlockFn, CodePage, MAX_BLOCK, PAGE_SLOTS } from './code-cache';
import { encodingOf, semanticsOf } from './isa-semantics';
import { FuncType, Import, moduleBytes, OP, T, VOID } from './wasm-binary';
import { IMPORT, PARAM, STATUS, Untranslatable, WasmFn, WasmGen } from './wasm-gen';
import { HART_AREA, MachineArea } from './wasm-area';

/** The part of the WebAssembly namespace used here (emulator/ is typed without the DOM library). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
/** The memory the machine made (machine.ts allocate). */
export interface WasmMemory { readonly buffer: ArrayBuffer }

const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

const I32 = T.i32;
/** The hart's accesses a block calls, at the function indexes compiled code calls them by. */
const IMPORTS: Import[] = [];
IMPORTS[IMPORT.load] = { module: 'env', name: 'load', type: { params: [I32, I32, I32], results: [I32] } };
IMPORTS[IMPORT.store] = { module: 'env', name: 'store', type: { params: [I32, I32, I32, I32, I32], results: [I32] } };
IMPORTS[IMPORT.stored] = { module: 'env', name: 'stored', type: { params: [I32, I32], results: [I32] } };
const BLOCK_TYPE: FuncType = { params: [I32, I32, I32, I32], results: [I32] };

type RunFn = (hb: number, pcLo: number, pcHi: number, limit: number) => number;

/** Counts for the bench and tests; `onModule` sees every module's bytes (the validity test). */
export interface WasmStats { modules: number; bytes: number; onModule?: (bytes: Uint8Array) => void }

/** A translator for Hart.translator compiling to wasm, for one machine's memory; null when this host has no WebAssembly. */
export function wasmTranslator(memory: WasmMemory, area: MachineArea, stats: WasmStats = { modules: 0, bytes: 0 }):
  ((h: Hart, page: CodePage, slot: number) => BlockFn | undefined) | null {
  const api = wasmApi;
  if (api === undefined) return null;
  const mem32 = new Int32Array(memory.buffer);
  const pages = memory.buffer.byteLength / 65536;
  // The block running now: the imports act for it.
  let cur: Hart | null = null;
  let curPage: CodePage | null = null;
  let curSlot = 0;
  let curFn: BlockFn | null = null;
  const hart = (): Hart => cur as Hart;
  const outcome = (h: Hart) => (h.yieldLoop ? (h.excCause >= 0 ? STATUS.fault : STATUS.yield) : 0);
  const dropped = () => (curPage !== null && curPage.blocks[curSlot] !== curFn ? STATUS.dropped : 0);
  const env = {
    mem: memory,
    load: (size: number, lo: number, hi: number): number => {
      const h = hart();
      const at = (h.area as { offset: number }).offset + HART_AREA.scratch >> 2;
      mem32[at] = size === 1 ? h.load8(lo, hi) : size === 2 ? h.load16(lo, hi) : size === 4 ? h.load32(lo, hi) : h.load64(lo, hi);
      mem32[at + 1] = size === 8 ? h.ldHi : 0;
      return outcome(h);
    },
    store: (size: number, lo: number, hi: number, vLo: number, vHi: number): number => {
      const h = hart();
      if (size === 1) h.store8(lo, hi, vLo & 0xff);
      else if (size === 2) h.store16(lo, hi, vLo & 0xffff);
      else if (size === 4) h.store32(lo, hi, vLo);
      else h.store64(lo, hi, vLo, vHi);
      return outcome(h) | dropped();
    },
    stored: (off: number, size: number): number => {
      const h = hart();
      h.stored(off, size, off + h.ramBase);
      return dropped();
    },
  };
  const imports = { env };

  return (h: Hart, page: CodePage, slot: number): BlockFn | undefined => {
    const compiled = compileBlock(page, slot, area, pages);
    if (compiled === undefined) return undefined;
    stats.modules++;
    stats.bytes += compiled.bytes.length;
    stats.onModule?.(compiled.bytes);
    const instance = new api.Instance(new api.Module(compiled.bytes), imports);
    const run = instance.exports.run as RunFn;
    const hb = (h.area as { offset: number }).offset;
    const pcAt = hb + HART_AREA.pc >> 2;
    // Harts share a page's blocks: each call passes its own hart's area.
    const fn: BlockFn = (hh, _x, pcLo, pcHi, pg, limit) => {
      const running = hh as Hart;
      cur = running; curPage = pg; curSlot = slot; curFn = fn;
      const base = running === h ? hb : (running.area as { offset: number }).offset;
      const n = run(base, pcLo, pcHi, limit);
      const at = running === h ? pcAt : base + HART_AREA.pc >> 2;
      running.pcLo = mem32[at];
      running.pcHi = mem32[at + 1];
      return n;
    };
    page.addBlock(slot, compiled.end, fn, compiled.length);
    return fn;
  };
}

/** The module for the block at `slot`, or undefined when its first instruction cannot be compiled. */
export function compileBlock(page: CodePage, slot: number, area: MachineArea, memPages: number):
  { bytes: Uint8Array; end: number; length: number } | undefined {
  const words = page.words;
  // A first walk finds the block's extent and whether its last branch loops to its start.
  type Insn = { op: number; d: number; a: number; b: number; imm: number; off: number; len: number };
  const insns: Insn[] = [];
  let s = slot, off = 0;
  while (insns.length < MAX_BLOCK && s < PAGE_SLOTS) {
    const w = words[2 * s];
    if (w === Op.UNDECODED) break;
    const op = w & 0xff, imm = words[2 * s + 1];
    const len = (w & P.COMPRESSED) !== 0 ? 2 : 4;
    if (s * 2 + len > 4096) break;
    const sem = semanticsOf(op);
    if (sem === undefined || sem.kind === 'interp' || encodingOf(64, op) === undefined) break;
    insns.push({ op, d: (w >>> P.D) & 63, a: (w >>> P.A) & 63, b: (w >>> P.B) & 63, imm, off, len });
    s += len >>> 1;
    off += len;
    if (sem.kind === 'ends') break;
  }
  const last = insns[insns.length - 1] as Insn | undefined;
  const loops = last !== undefined && last.op >= Op.BEQ && last.op <= Op.BGEU && last.off + last.imm === 0;
  const first = emit(insns, loops, slot, area, memPages);
  // An instruction that does not compile ends the block before it, and a loop with it.
  return first === undefined || first.length === insns.length || !loops ? first : emit(insns.slice(0, first.length), false, slot, area, memPages);
}

interface Insn { op: number; d: number; a: number; b: number; imm: number; off: number; len: number }

function emit(insns: Insn[], loops: boolean, slot: number, area: MachineArea, memPages: number):
  { bytes: Uint8Array; end: number; length: number } | undefined {
  const fn = new WasmFn(area.hasCode, area.resvCount);
  const body = fn.body;
  // pc = pcHi:pcLo
  body.byte(OP.localGet).u32(PARAM.pcLo).byte(OP.i64ExtendI32U)
    .byte(OP.localGet).u32(PARAM.pcHi).byte(OP.i64ExtendI32U).byte(OP.i64Const).s32(32).byte(OP.i64Shl).byte(OP.i64Or)
    .byte(OP.localSet).u32(fn.pc);
  if (loops) body.byte(OP.loop).byte(VOID);
  let n = 0, end = slot, off = 0;
  for (const i of insns) {
    const sem = semanticsOf(i.op)!;
    const mark = body.length;
    if (!(sem.kind === 'pure' && i.d === 0)) { // a pure write to x0 does nothing
      const g = new WasmGen(encodingOf(64, i.op)!, { ...i, n: '', slot, taken: undefined }, fn, n + 1, loops ? insns.length : null);
      try {
        sem.run(g);
        g.endBlockInsn();
      } catch (e) {
        if (!(e instanceof Untranslatable)) throw e;
        body.truncate(mark);
        break;
      }
    }
    n++;
    end += i.len >>> 1;
    off = i.off + i.len;
  }
  if (n === 0) return undefined;
  if (n < insns.length && loops) return { bytes: new Uint8Array(0), end, length: n }; // compileBlock tries again without the loop
  if (loops) body.byte(OP.end);
  else if (semanticsOf(insns[n - 1].op)!.kind !== 'ends') {
    // Fell off the end: pc = start + off.
    body.byte(OP.localGet).u32(PARAM.hb).byte(OP.localGet).u32(fn.pc).byte(OP.i64Const).s32(off).byte(OP.i64Add)
      .byte(OP.i64Store).u32(3).u32(HART_AREA.pc)
      .byte(OP.localGet).u32(fn.c).byte(OP.i32Const).s32(n).byte(OP.i32Add).byte(OP.return);
  }
  body.byte(OP.unreachable);
  return { bytes: moduleBytes(memPages, IMPORTS, BLOCK_TYPE, fn.locals, body), end, length: n };
}

/** True when this host can compile blocks (tests skip the wasm engine elsewhere). */
export function wasmAvailable(): boolean { return wasmApi !== undefined; }

/** Is `bytes` a valid module (the validity test)? */
export function wasmValid(bytes: Uint8Array): boolean { return wasmApi !== undefined && wasmApi.validate(bytes); }
