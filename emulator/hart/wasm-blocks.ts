/**
 * The WebAssembly block compiler (`--engine wasm`, RV64 and RV32): the same blocks as the
 * JavaScript translator (blocks.ts: a hot run of instructions in one page, up to a jump,
 * a branch or an instruction left to the interpreter), each compiled to a wasm module
 * whose code comes from the instruction semantics through WasmGen. Registers and the
 * TLBs are read in the machine's memory (wasm-area.ts), so loads and stores that hit
 * the TLB on DRAM never leave wasm; everything else calls the hart's own access
 * (memory.ts) in JavaScript, through the machine's function table (bridgeBytes).
 *
 * A block behaves exactly as the JavaScript one: it returns how many instructions it
 * ran and leaves the next pc in the hart; it stops at a faulting access, after an access
 * that made the hart yield, and after a store that dropped a block. While the hart runs
 * ahead of the quanta (run-ahead.ts) it also stops before, and without counting, any
 * access that is not a TLB hit on RAM. A jump out of a module goes on into the block
 * the hart's chain cache holds for its target (wasm-area.ts CHAIN) without coming back.
 */
import type { Hart } from './hart';
import { Op } from './isa-table';
import { P } from './decode';
import { BlockFn, CodePage, MAX_BLOCK, PAGE_SLOTS } from './code-cache';
import { encodingOf, semanticsOf } from './isa-semantics';
import { translateBlock } from './blocks';
import type { BlockInsn, Xlen } from './isa-codegen';
import { bridgeBytes, FuncType, Import, moduleBytes, OP, T, VOID } from './wasm-binary';
import { Entry, IMPORT, STATUS, Untranslatable, WasmFn, WasmGen } from './wasm-gen';
import { CHAIN, FPU_ACC, FPU_WORD, HART_AREA, MachineArea } from './wasm-area';
import * as FP from './fpu';
import { MSTATUS } from './csr';

/** The part of the WebAssembly namespace used here (emulator/ is typed without the DOM library). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Table: new (t: { element: 'anyfunc'; initial: number }) => FnTable;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
interface FnTable { readonly length: number; grow(n: number): number; set(i: number, f: unknown): void }
/** The memory the machine made (machine.ts allocate). */
export interface WasmMemory { readonly buffer: ArrayBuffer }

const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

const I32 = T.i32;
/** The hart's accesses a block calls, at the table (and type) indexes compiled code calls them by. */
const IMPORTS: Import[] = [];
IMPORTS[IMPORT.load] = { module: 'env', name: 'load', type: { params: [I32, I32, I32], results: [I32] } };
IMPORTS[IMPORT.store] = { module: 'env', name: 'store', type: { params: [I32, I32, I32, I32, I32], results: [I32] } };
IMPORTS[IMPORT.stored] = { module: 'env', name: 'stored', type: { params: [I32, I32], results: [I32] } };
IMPORTS[IMPORT.illegal] = { module: 'env', name: 'illegal', type: { params: [I32, I32], results: [I32] } };
IMPORTS[IMPORT.fpArith] = { module: 'env', name: 'fpArith', type: { params: [I32, I32, I32, I32, I32, I32, I32], results: [] } };
IMPORTS[IMPORT.fpCompare] = { module: 'env', name: 'fpCompare', type: { params: [I32, I32, I32, I32], results: [I32] } };
IMPORTS[IMPORT.fpToInt] = { module: 'env', name: 'fpToInt', type: { params: [I32, I32, I32, I32, I32], results: [] } };
IMPORTS[IMPORT.fpFromInt] = { module: 'env', name: 'fpFromInt', type: { params: [I32, I32, I32, I32, I32, I32, I32], results: [] } };
IMPORTS[IMPORT.fpMinMax] = { module: 'env', name: 'fpMinMax', type: { params: [I32, I32, I32, I32, I32], results: [] } };
IMPORTS[IMPORT.fpConvert] = { module: 'env', name: 'fpConvert', type: { params: [I32, I32, I32, I32], results: [] } };
IMPORTS[IMPORT.fpClass] = { module: 'env', name: 'fpClass', type: { params: [I32, I32], results: [I32] } };
const CALL_TYPES = IMPORTS.map((i) => i.type);
const BLOCK_TYPE: FuncType = { params: [I32, I32, I32], results: [I32] };

/** A module's function: from the pc in the hart's area (HART_AREA.pc), at most `limit` instructions, starting with block `entry`. */
type RunFn = (hb: number, limit: number, entry: number) => number;

/**
 * Counts for the bench and tests, and the tests' settings; `onModule` sees every module's
 * bytes (the validity test). Made by `newWasmStats` with every field present, so the
 * object keeps one shape: a field added later changed it, and the block wrapper compiled
 * for the old one was thrown away.
 */
export interface WasmStats {
  modules: number;
  bytes: number;
  /** Pages whose blocks the bounded cache dropped. */
  evicted: number;
  /** Instructions run ahead of the quanta (hart/run-ahead.ts). */
  ahead: number;
  /** Page modules made (blocks joined): when a page's new blocks double, or its alone blocks ran REJOIN_CALLS times. */
  joins: number;
  /** Calls into compiled blocks from JavaScript (a jump chained from module to module is none). */
  entries: number;
  onModule: ((bytes: Uint8Array) => void) | undefined;
  /** The cache's bound in module bytes (CACHE_BYTES; tests lower it). */
  cacheBytes: number | undefined;
  /** REJOIN_CALLS (tests lower it). */
  rejoinCalls: number | undefined;
  /** False: blocks never chain into other modules (tests and the bench compare). */
  chain: boolean;
}

export function newWasmStats(): WasmStats {
  return { modules: 0, bytes: 0, evicted: 0, ahead: 0, joins: 0, entries: 0, onModule: undefined, cacheBytes: undefined, rejoinCalls: undefined, chain: true };
}

/** Set by the machine while a hart runs ahead of its quanta (hart/run-ahead.ts): blocks then refuse every access but to RAM. */
export interface WasmControl { ahead: boolean }

/** A translator for Hart.translator compiling to wasm, for one machine's memory; null when this host has no WebAssembly. */
export function wasmTranslator(memory: WasmMemory, area: MachineArea, xlen: Xlen, stats: WasmStats = newWasmStats(),
  control: WasmControl = { ahead: false }):
  ((h: Hart, page: CodePage, slot: number) => BlockFn | undefined) | null {
  const api = wasmApi;
  if (api === undefined) return null;
  const mem32 = new Int32Array(memory.buffer);
  const pages = memory.buffer.byteLength / 65536;
  const codeEpoch = new Int32Array(memory.buffer, area.codeEpoch, 1);
  // The hart whose block runs now: the JavaScript functions compiled code calls act for it.
  let cur: Hart | null = null;
  const hart = (): Hart => cur as Hart;
  const outcome = (h: Hart) => (h.yieldLoop ? (h.excCause >= 0 ? STATUS.fault : STATUS.yield) : 0);
  // A block dropped by the access (the code epoch moved): the running one may be it, so it stops.
  const dropped = (before: number) => (codeEpoch[0] !== before ? STATUS.dropped : 0);
  // The table compiled code calls through: the JavaScript functions (IMPORTS, put in by
  // the bridge below), then modules' run functions for chained jumps (WasmFn.chainOn);
  // slots of modules dropped are used again.
  const chaining = tailCalls(api);
  const table = new api.Table({ element: 'anyfunc', initial: 64 });
  const freeSlots: number[] = [];
  let usedSlots = IMPORTS.length;
  const takeSlot = (run: RunFn): number => {
    const i = freeSlots.pop() ?? usedSlots++;
    if (i >= table.length) table.grow(table.length);
    table.set(i, run);
    return i;
  };
  const releaseSlots = (state: PageModules): void => {
    for (const i of state.fns) { table.set(i, null); freeSlots.push(i); }
    state.fns = [];
  };
  const env = {
    load: (size: number, lo: number, hi: number): number => {
      if (control.ahead) return STATUS.refused;
      const h = hart();
      const at = (h.area as { offset: number }).offset + HART_AREA.scratch >> 2;
      mem32[at] = size === 1 ? h.load8(lo, hi) : size === 2 ? h.load16(lo, hi) : size === 4 ? h.load32(lo, hi) : h.load64(lo, hi);
      mem32[at + 1] = size === 8 ? h.ldHi : 0;
      return outcome(h);
    },
    store: (size: number, lo: number, hi: number, vLo: number, vHi: number): number => {
      if (control.ahead) return STATUS.refused;
      const h = hart();
      const before = codeEpoch[0];
      if (size === 1) h.store8(lo, hi, vLo & 0xff);
      else if (size === 2) h.store16(lo, hi, vLo & 0xffff);
      else if (size === 4) h.store32(lo, hi, vLo);
      else h.store64(lo, hi, vLo, vHi);
      return outcome(h) | dropped(before);
    },
    stored: (off: number, size: number): number => {
      const h = hart();
      const before = codeEpoch[0];
      h.stored(off, size);
      return dropped(before);
    },
    illegal: (pcLo: number, pcHi: number): number => {
      if (control.ahead) return STATUS.refused;
      hart().illegalAt(pcLo, pcHi);
      return STATUS.fault;
    },
    // The arithmetic's other cases (f registers by doubled index, rm resolved): softfloat.ts through fpu.ts.
    fpArith: (dbl: number, op: number, d: number, a: number, b: number, c: number, rm: number): void => {
      (dbl !== 0 ? FP.arithD : FP.arithS)(hart(), op, d, a, b, c, rm);
    },
    fpCompare: (dbl: number, kind: number, a: number, b: number): number => FP.compare(hart(), dbl !== 0, a, b, kind),
    // An x register's value comes back in the scratch words, as a slow load's does.
    fpToInt: (dbl: number, a: number, bits: number, signed: number, rm: number): void => {
      const h = hart();
      FP.toIntX(h, dbl !== 0, a, bits === 32 ? 32 : 64, signed !== 0, rm);
      const at = (h.area as { offset: number }).offset + HART_AREA.scratch >> 2;
      mem32[at] = FP.cvt.lo;
      mem32[at + 1] = FP.cvt.hi;
    },
    fpFromInt: (dbl: number, d: number, lo: number, hi: number, bits: number, signed: number, rm: number): void => {
      FP.fromIntX(hart(), dbl !== 0, d, lo, hi, bits === 32 ? 32 : 64, signed !== 0, rm);
    },
    fpMinMax: (dbl: number, d: number, a: number, b: number, max: number): void => FP.minMax(hart(), dbl !== 0, d, a, b, max !== 0),
    fpConvert: (toDouble: number, d: number, a: number, rm: number): void => FP.convertFormat(hart(), toDouble !== 0, d, a, rm),
    fpClass: (dbl: number, a: number): number => FP.classify(hart(), dbl !== 0, a),
  };
  const bridge = new api.Instance(new api.Module(bridgeBytes(IMPORTS)), { env }).exports;
  IMPORTS.forEach((_imp, i) => table.set(i, bridge[String(i)]));
  const imports = { env: { mem: memory, table } };

  /**
   * Each page's compiled blocks: those in its page module (`joined`, which continue into
   * each other) and those compiled alone since (`alone`), and the bytes of its live
   * modules. Recompiling the page for every new block would cost the square of its blocks;
   * a page module is made again only when the blocks alone are as many as those joined (at
   * least JOIN_AFTER, at most JOIN_MAX joined, so one compile stays small), so all the
   * compiling a page ever costs stays within a few times its last module. Kept in the
   * order pages last compiled: past CACHE_BYTES, the pages compiled longest ago lose
   * their blocks (the interpreter runs them until they are hot again).
   *
   * A page's last blocks may stay alone for good (no more new blocks come to double them),
   * and a run from one module into another's block goes back to JavaScript. So the calls of
   * a page's alone blocks are counted too: REJOIN_CALLS of them pay for compiling the page
   * again with them joined (a compile costs about what that many returns to JavaScript do,
   * so the work spent on a page stays within twice the least it could have been).
   */
  const pagesOf = new Map<CodePage, PageModules>();
  let cached = 0;
  const live = (page: CodePage, slots: number[]) => slots.filter((s) => page.blocks[s] !== undefined);
  /**
   * Compile `slots` of `page` into one module of `state`'s (`alone`: a block compiled on its
   * own) and put their blocks in; the module's size, or 0 when a first instruction does not compile.
   */
  const install = (page: CodePage, slots: number[], state: PageModules, alone: boolean): number => {
    const compiled = compilePage(page, slots, area, pages, xlen, chaining);
    if (compiled.blocks.some((b) => b === null)) return 0;
    stats.modules++;
    stats.bytes += compiled.bytes.length;
    stats.onModule?.(compiled.bytes);
    const run = new api.Instance(new api.Module(compiled.bytes), imports).exports.run as RunFn;
    const slot = chaining ? takeSlot(run) : -1;
    if (chaining) state.fns.push(slot);
    slots.forEach((start, index) => {
      const b = compiled.blocks[index]!;
      // Harts share a page's blocks: each call passes its own hart's area.
      const fn: BlockFn = (hh, _x, pg, limit) => {
        const running = hh as Hart;
        cur = running;
        const base = (running.area as { offset: number }).offset;
        const pcLo = running.pcLo, pcHi = running.pcHi;
        const at = base + HART_AREA.pc >> 2;
        mem32[at] = pcLo; mem32[at + 1] = pcHi;
        if (chaining && stats.chain) {
          // The loop chose this block at this pc, now: blocks leaving for it may go on into it.
          const c = base + HART_AREA.chains + ((pcLo >>> 1) & (CHAIN.entries - 1)) * CHAIN.bytes >> 2;
          mem32[c] = pcLo; mem32[c + 1] = pcHi;
          mem32[c + (CHAIN.hartEpoch >> 2)] = mem32[base + HART_AREA.epoch >> 2];
          mem32[c + (CHAIN.codeEpoch >> 2)] = codeEpoch[0];
          mem32[c + (CHAIN.fn >> 2)] = slot;
          mem32[c + (CHAIN.entry >> 2)] = index;
          mem32[c + (CHAIN.length >> 2)] = b.length;
        }
        stats.entries++;
        mem32[base + HART_AREA.fpu >> 2] = fpuWord(running);
        const n = limit - run(base, limit, index);
        const accAt = base + HART_AREA.fpAcc >> 2;
        if (mem32[accAt] !== 0) { foldFpu(running, mem32[accAt]); mem32[accAt] = 0; }
        running.pcLo = mem32[at];
        running.pcHi = mem32[at + 1];
        if (alone && ++state.calls === (stats.rejoinCalls ?? REJOIN_CALLS) && pagesOf.get(pg) === state) join(pg, state);
        return n;
      };
      fn.ahead = true;
      page.addBlock(start, b.end, fn, b.length);
    });
    page.linked = true;
    return compiled.bytes.length;
  };
  /** `state` is the page's now, its modules `bytes` long: the page compiled last; past the bound, the oldest pages lose their blocks. */
  const remember = (page: CodePage, state: PageModules, bytes: number): void => {
    const old = pagesOf.get(page);
    if (old !== undefined && old !== state) cached -= old.bytes;
    cached += bytes - state.bytes;
    state.bytes = bytes;
    pagesOf.delete(page);
    pagesOf.set(page, state);
    for (const [other, its] of pagesOf) {
      if (cached <= (stats.cacheBytes ?? CACHE_BYTES) || other === page) break;
      other.dropBlocks();
      releaseSlots(its);
      stats.evicted++;
      cached -= its.bytes;
      pagesOf.delete(other);
    }
  };
  /** Compile the page's blocks, joined and alone (and `added`, new), into one module. */
  const join = (page: CodePage, state: PageModules, added: number[] = []): void => {
    const all = [...state.joined, ...live(page, state.alone), ...added];
    for (const s of all) page.dropBlock(s);
    releaseSlots(state);
    state.joined = all;
    state.alone = [];
    state.calls = 0;
    stats.joins++;
    remember(page, state, install(page, all, state, false));
  };
  /** Up to `room` other warm slots of the page (WARM_SHIFT), which compile with `slot`; their heat starts again. */
  const warm = (h: Hart, page: CodePage, slot: number, room: number): number[] => {
    const min = Math.max(1, h.hot >> WARM_SHIFT);
    const found: number[] = [];
    for (let s = 0; s < PAGE_SLOTS && found.length < room; s++) {
      if (s === slot || page.heat[s] < min || page.blocks[s] !== undefined || blockAt(page, s, xlen).length === 0) continue;
      found.push(s);
      page.heat[s] = 0;
    }
    return found;
  };
  return (h: Hart, page: CodePage, slot: number): BlockFn | undefined => {
    // Its first instruction has no wasm form (a semantics that writes JavaScript of its
    // own): the JavaScript translator's block; the page's wasm blocks stay as they are.
    if (blockAt(page, slot, xlen).length === 0) return translateBlock(page, slot, xlen);
    let state = pagesOf.get(page);
    // A store into the page dropped all its blocks (CodePage.linked): start again.
    if (state === undefined || live(page, state.joined).length < state.joined.length) {
      if (state !== undefined) releaseSlots(state);
      state = { joined: [], alone: [], bytes: 0, calls: 0, fns: [] };
    }
    state.alone = live(page, state.alone);
    const extra = warm(h, page, slot, JOIN_MAX - state.joined.length - state.alone.length - 1);
    if (state.joined.length < JOIN_MAX && state.alone.length + 1 + extra.length >= Math.max(JOIN_AFTER, state.joined.length)) join(page, state, [slot, ...extra]);
    else {
      const size = install(page, [slot, ...extra], state, true);
      state.alone.push(slot, ...extra);
      remember(page, state, state.bytes + size);
    }
    return page.blocks[slot];
  };
}

/**
 * Bytes of wasm modules kept. V8's machine code for a module is a few times its bytes
 * (not measured here); this keeps the whole code cache near the issue's 64 MB bound.
 */
const CACHE_BYTES = 16 * 1024 * 1024;
/** A page module joins at most this many blocks when a new one comes; later ones compile alone (until REJOIN_CALLS). */
const JOIN_MAX = 128;
/** Calls of a page's alone blocks that make it compile all its blocks together again. */
const REJOIN_CALLS = 100_000;

/** A page's wasm modules: the blocks joined in one, those alone since, their bytes, the alone blocks' calls, the modules' table slots. */
interface PageModules { joined: number[]; alone: number[]; bytes: number; calls: number; fns: number[] }
/** Blocks compiled alone before a page's blocks are compiled together (see wasmTranslator). */
const JOIN_AFTER = 4;
/**
 * A block that becomes hot takes along the page's slots entered at least Hart.hot >>
 * WARM_SHIFT times: boot code runs many blocks of a page a few thousand times each, and one
 * module for them costs less than a module per block as each comes to Hart.hot (Linux
 * 6.1 to init: 163 modules -> 39, 1 hart 1.30 -> 1.21 s, 4 harts 1.52 -> 1.39 s, OpenSBI
 * 0.31 -> 0.29 s, medians; benchmark loops unchanged). At shift 3 the modules grow and
 * the gain goes; a lower Hart.hot costs more than it saves, with or without this.
 */
const WARM_SHIFT = 2;

/** An instruction of a block, as the builders take it (`slot`: the block's start). */
interface Insn extends BlockInsn { op: number }
interface CompiledBlock { end: number; length: number }

/**
 * Trial emissions' outcomes by XLEN, decoded word and immediate: an instruction's wasm
 * form or its lack is a function of those alone, and boot code walks the same
 * instructions again at every join of their page (a trial cost ~8 % of OpenSBI's boot).
 */
const trials = { 32: new Map<number, Map<number, boolean>>(), 64: new Map<number, Map<number, boolean>>() };
/** Past this many words the memo starts again (guest code that keeps writing new code). */
const TRIAL_WORDS = 1 << 16;
/** Does the instruction (w, imm) compile: a trial emission (`emit`) the first time, remembered. */
function compiles(xlen: Xlen, w: number, imm: number, emit: () => void): boolean {
  const memo = trials[xlen];
  let byImm = memo.get(w);
  if (byImm === undefined) {
    if (memo.size >= TRIAL_WORDS) memo.clear();
    byImm = new Map();
    memo.set(w, byImm);
  }
  let ok = byImm.get(imm);
  if (ok === undefined) {
    try { // does every operation of its semantics have a wasm form?
      emit();
      ok = true;
    } catch (e) {
      if (!(e instanceof Untranslatable)) throw e;
      ok = false;
    }
    byImm.set(imm, ok);
  }
  return ok;
}

/** The instructions of the block at `slot` that compile: up to a jump or branch, one left to the interpreter, or MAX_BLOCK. */
function blockAt(page: CodePage, slot: number, xlen: Xlen): Insn[] {
  const words = page.words;
  const insns: Insn[] = [];
  let s = slot, off = 0;
  while (insns.length < MAX_BLOCK && s < PAGE_SLOTS) {
    const w = words[2 * s];
    if (w === Op.UNDECODED) break;
    const op = w & 0xff, imm = words[2 * s + 1];
    const len = (w & P.COMPRESSED) !== 0 ? 2 : 4;
    if (s * 2 + len > 4096) break;
    const sem = semanticsOf(op);
    const enc = encodingOf(xlen, op);
    if (sem === undefined || sem.kind === 'interp' || enc === undefined) break;
    const insn: Insn = { op, d: (w >>> P.D) & 63, a: (w >>> P.A) & 63, b: (w >>> P.B) & 63, imm, off, len, n: '', slot };
    if (!(sem.kind === 'pure' && insn.d === 0) && !compiles(xlen, w, imm, () => sem.run(new WasmGen(enc, insn, new WasmFn(xlen, 0, 0, new Map()), 1)))) break;
    insns.push(insn);
    s += len >>> 1;
    off += len;
    if (sem.kind === 'ends') break;
  }
  return insns;
}

/**
 * One module for a page's hot blocks (`slots`, in entry order): a function entered with
 * the index of the block to run. A jump or branch to one of the page's blocks continues
 * into it while the budget holds it: to its own start round its loop, to a later block
 * out of the wasm blocks to the end of the target's, to an earlier one through the
 * dispatch loop (br_table); anywhere else leaves through the epilogue (WasmFn).
 * `blocks[i]` is null when slots[i]'s first instruction does not compile.
 *
 *   prologue                ;; page base, registers into locals, e = entry
 *   block $out
 *     block $slow
 *       loop $dispatch
 *         block $b[n-1] ... block $b0
 *           br_table e      ;; to the end of $b[e]
 *         end loop $self0 <code of block 0> end
 *         end loop $self1 <code of block 1> end ...
 *       end unreachable     ;; every block's code ends in a br
 *     end
 *     pc and count of a slow access's exit (WasmFn.slowExits)
 *   (a block that never jumps to its own start gets `block $self`, and a module where no
 *   block jumps to an earlier one `block $dispatch`: V8 gives a loop header a stack check
 *   and TurboFan a phi for every local the loop assigns)
 *   end
 *   epilogue                ;; registers written, pc, count
 */
export function compilePage(page: CodePage, slots: number[], area: MachineArea, memPages: number, xlen: Xlen, chaining = false):
  { bytes: Uint8Array; blocks: (CompiledBlock | null)[] } {
  const walks = slots.map((s) => blockAt(page, s, xlen));
  const entries = new Map<number, Entry>();
  walks.forEach((insns, index) => { if (insns.length > 0) entries.set(slots[index] * 2, { index, length: insns.length }); });
  const n = slots.length;
  const fn = new WasmFn(xlen, area.hasCode, area.resvCount, entries, n,
    chaining ? { codeEpochAt: area.codeEpoch, runType: IMPORTS.length } : null);
  const body = fn.body;
  fn.open(OP.block, VOID); // $out
  fn.open(OP.block, VOID); // $slow
  const dispatch = body.length;
  fn.open(OP.loop, VOID); // $dispatch
  for (let i = 0; i < n; i++) fn.open(OP.block, VOID); // $b[n-1] ... $b0
  body.byte(OP.localGet).u32(fn.e).byte(OP.brTable).u32(n);
  for (let i = 0; i < n; i++) body.u32(i);
  body.u32(0); // no other index is ever passed
  const blocks = walks.map((insns, i): CompiledBlock | null => {
    fn.end(); // $b[i]: its code follows
    const top = body.length;
    fn.open(OP.loop, VOID);
    fn.startBlock(slots[i] * 2, i, fn.level);
    let k = 0, end = slots[i], next = 0;
    for (const insn of insns) {
      const sem = semanticsOf(insn.op)!;
      if (!(sem.kind === 'pure' && insn.d === 0)) {
        const g = new WasmGen(encodingOf(xlen, insn.op)!, insn, fn, k + 1);
        sem.run(g);
        g.endBlockInsn();
        fn.endInsn();
      }
      k++;
      end += insn.len >>> 1;
      next = insn.off + insn.len;
    }
    if (k === 0) body.byte(OP.unreachable); // never entered: its wrapper is not made
    else if (semanticsOf(insns[k - 1].op)!.kind !== 'ends') fn.goTo(next, k); // ran into the next block
    if (!fn.selfJump) body.patch(top, OP.block);
    fn.end();
    return k === 0 ? null : { end, length: k };
  });
  body.byte(OP.unreachable);
  if (!fn.backJump) body.patch(dispatch, OP.block);
  fn.end(); // $dispatch
  fn.end(); // $slow
  fn.slowExits();
  fn.end(); // $out
  fn.epilogue();
  return { bytes: moduleBytes(memPages, CALL_TYPES, BLOCK_TYPE, fn.locals, fn.prologue().view(), body.view()), blocks };
}

/** HART_AREA.fpu for hart `h` now (FPU_WORD). */
function fpuWord(h: Hart): number {
  if ((h.mstatus & MSTATUS.FS) === 0) return 0;
  return FPU_WORD.f | (h.hasD ? FPU_WORD.d : 0) | (h.frm << FPU_WORD.frmShift);
}
/** What a call's F/D code did (HART_AREA.fpAcc), into the hart. */
function foldFpu(h: Hart, acc: number): void {
  h.fflags |= acc & FPU_ACC.nx;
  if ((acc & FPU_ACC.dirty) !== 0) h.mstatus |= MSTATUS.FS;
}

/** Can this host's WebAssembly make tail calls (return_call_indirect, in V8 since 11.2)? Blocks chain only then. */
function tailCalls(api: WasmApi): boolean {
  // (module (table 1 funcref) (type (func (result i32))) (func (type 0) (return_call_indirect (type 0) (i32.const 0))))
  return api.validate(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7f, 3, 2, 1, 0, 4, 4, 1, 0x70, 0, 1,
    10, 9, 1, 7, 0, 0x41, 0, 0x13, 0, 0, 0x0b]));
}

/** True when this host can compile blocks (tests skip the wasm engine elsewhere). */
export function wasmAvailable(): boolean { return wasmApi !== undefined; }

/** Is `bytes` a valid module (the validity test)? */
export function wasmValid(bytes: Uint8Array): boolean { return wasmApi !== undefined && wasmApi.validate(bytes); }
