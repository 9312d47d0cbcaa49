/**
 * The interpreter's type feedback, gathered before a guest runs.
 *
 * V8 compiles each interpreter (exec-rv64.ts, exec-rv32.ts: one large function) with
 * TurboFan once it is hot, speculating on the feedback gathered so far. An instruction
 * the guest had not executed by then (a kernel's first SRLW, MULHU or DIVU) has none, so
 * reaching it deoptimizes the whole function, which runs unoptimized until V8 has
 * compiled it again. A Linux boot did that 13 times in its first 8 M instructions, which
 * then took 650 ms instead of 140 ms. So before the first machine of an XLEN runs, a
 * scratch machine executes every instruction of that XLEN once, twice over (the second
 * time from the decode cache), then each again with branches going the other way, with
 * unequal high words, with accesses that fault and with stores into a page of code, a loop
 * of blocks under each engine, and loads and stores to a device; its hart holds numbers
 * past small integers from the start (docs/architecture.md, "Decode and execute", has
 * what each part fixed, measured): about 20 ms, once per process.
 */
import { Machine, QUANTUM } from './machine';
import { defaultDescription, placesOf } from './description';
import { CLINT } from '../devices/clint';
import { ENCODINGS, Op } from '../hart/isa-table';
import { MSTATUS, Priv } from '../hart/csr';
import type { Xlen } from '../hart/isa-codegen';

const warmed = new Set<Xlen>();

/** Register fields the warm-up fills where an encoding leaves them free: rd, rs1, rs2. */
const FIELDS: [number, number][] = [[7, 10], [15, 11], [20, 12]];
/** A CSR every hart has (mscratch), for the Zicsr instructions' own paths. */
const CSR = 0x340;

/** Each instruction of `xlen` as one word, its free register fields filled. */
export function instructionWords(xlen: Xlen): { op: Op; word: number }[] {
  const words: { op: Op; word: number }[] = [];
  for (const e of ENCODINGS) {
    if (!e.xlens.includes(xlen) || (e.match & 3) !== 3) continue; // compressed forms expand to these
    let w = e.match;
    for (const [lo, reg] of FIELDS) if (((e.mask >>> lo) & 31) === 0) w |= reg << lo;
    if ((e.format === 'CSR' || e.format === 'CSRI') && (e.mask >>> 20) === 0) w |= CSR << 20;
    words.push({ op: e.op, word: w | 0 });
  }
  return words;
}

/** `jal x0, off` (Unpriv §2.5: J-type immediate). */
function jal(off: number): number {
  return ((off & 0x100000) << 11) | ((off & 0x7fe) << 20) | ((off & 0x800) << 9) | (off & 0xff000) | 0x6f;
}

export function warmUpInterpreter(xlen: Xlen): void {
  if (warmed.has(xlen)) return;
  warmed.add(xlen);
  // 1 MiB of DRAM: the code and data below sit in its first 128 KiB, and a second 128 MiB
  // memory beside the real machine's would only cost address space (a browser's too).
  const m = new Machine(defaultDescription({ xlen, memoryBytes: 1 << 20 }), { consoleOut: () => undefined, log: () => undefined });
  m.setEngine('interp');
  /** Instruction words into RAM at `at`. */
  const place = (at: number, ws: number[]): void => {
    const bytes = new Uint8Array(4 * ws.length);
    const view = new DataView(bytes.buffer);
    ws.forEach((w, i) => view.setInt32(4 * i, w, true));
    m.writePhys(at, bytes);
  };
  const words = instructionWords(xlen);
  const code = m.board.dramBase + 0x10000;
  // Every register holds this (8-aligned, in RAM): loads, stores and AMOs reach RAM.
  const data = m.board.dramBase + 0x8000;
  place(code, words.map((w) => w.word));
  const h = m.harts[0];
  // A hart's numbers that outgrow small integers in a run (mtimecmp is 2^64-1 once firmware
  // disarms its timer; the counters pass 2^31): V8 keeps a field in the representation of the
  // values it has seen, and the first large one changes the hidden class of every hart,
  // throwing away the code of each function compiled for the old one, the loop among them
  // (OpenSBI's boot: once, mid-banner). Given first, before anything here is compiled, every
  // hart has them as doubles from the start.
  h.mtimecmp = 2 ** 64 - 1;
  h.instret = 2 ** 32;
  h.cycleOffset = h.instretOffset = -(2 ** 32);
  /** Registers all `base` (spread: base + 8 * index, so branches go the other way). */
  const registers = (base: number, spread: boolean): void => {
    for (let r = 0; r < 32; r++) { h.x[2 * r] = (base + (spread ? 8 * r : 0)) | 0; h.x[2 * r + 1] = 0; }
  };
  const start = (pc: number): void => {
    h.priv = Priv.M;
    h.mstatus |= MSTATUS.FS;
    h.wfi = false;
    h.pcLo = pc | 0;
    h.pcHi = 0;
  };
  const run = (pc: number, base = data, spread = false): void => {
    registers(base, spread);
    start(pc);
    m.stepInstruction(0, false);
  };
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < words.length; i++) run(code + 4 * i);
    run(0); // nothing there: an instruction access fault
  }
  // The paths the loop above leaves without feedback, each of which deoptimized a Linux
  // boot's interpreter once (measured, --trace-deopt): branches that go the other way,
  // loads and stores that fault (address 0 is outside every region), and a 32-bit
  // instruction whose second half cannot be fetched. (Pairs differing in their high words
  // and loads from the boot ROM were tried too: --trace-deopt showed each once, but boot
  // times did not move.)
  for (let i = 0; i < words.length; i++) run(code + 4 * i, data, true);
  // Compares whose high words differ (the unsigned ones decide on them): OpenSBI's first
  // such BGEU threw the loop's code away.
  for (let i = 0; i < words.length; i++) {
    if (words[i].op < Op.BEQ || words[i].op > Op.BGEU) continue;
    registers(data, true);
    for (let r = 0; r < 32; r++) h.x[2 * r + 1] = r;
    start(code + 4 * i);
    m.stepInstruction(0, false);
  }
  for (let i = 0; i < words.length; i++) run(code + 4 * i, 0);
  const end = m.board.dramBase + (1 << 20) - 2;
  m.writePhys(end, new Uint8Array([0x13, 0x00])); // the low half of an addi
  run(end);
  // Aligned stores into a page that holds code (the words' S-type offset is their rd field):
  // the loop's inline RAM path (isa-codegen.ts ramHit) then has feedback for its call that
  // drops decoded code, which Linux's first such store deoptimized the loop on.
  const sImm = FIELDS[0][1];
  const codeStore = ((code + 4 * words.length + 16 + sImm) & ~7) - sImm;
  for (let i = 0; i < words.length; i++) if (words[i].op >= Op.SB && words[i].op <= Op.SD) run(code + 4 * i, codeStore);
  // A loop of two blocks that jump to each other, loading and storing RAM, run through the
  // scheduler (Machine.step) by each engine: the call into a block is known to reach many
  // functions, not one, and the accesses' helpers have run often enough for V8 to keep
  // feedback for them (it allocates a function's feedback only after a few calls; RV32
  // benchmarks deoptimized on a store's first `storeNotify` without this).
  const loop = m.board.dramBase + 0x4000;
  const nop = 0x00000013;
  const words64 = xlen === 64 ? [0x00553423, 0x00853383] : [nop, nop]; // sd t0,8(a0); ld t2,8(a0)
  const a = [0x00128293, 0x00552023, 0x00052383, 0x00650223, 0x00454383]; // addi t0,t0,1; sw t0,0(a0); lw t2,0(a0); sb t1,4(a0); lbu t2,4(a0)
  const b = [0x00130313, 0x00651323, 0x00651383, ...words64]; // addi t1,t1,1; sh t1,6(a0); lh t2,6(a0)
  const program = [...a, jal(4), ...b];
  program.push(jal(-4 * program.length));
  place(loop, program);
  for (const engine of ['js', 'wasm'] as const) {
    m.setEngine(engine, 2);
    registers(data, false);
    start(loop);
    m.step(4 * QUANTUM);
  }
  // Loads and stores that reach a device (the CLINT's mtimecmp, as firmware's first timer
  // write): OpenSBI's first such SD threw the loop's code away. Last, once the access
  // helpers have run often enough to have feedback vectors.
  const mmio = placesOf(m.board, CLINT)[0].base + 0x4000;
  m.setEngine('interp');
  for (let i = 0; i < words.length; i++) if (words[i].op >= Op.LB && words[i].op <= Op.SD) run(code + 4 * i, mmio);
  m.close();
}
