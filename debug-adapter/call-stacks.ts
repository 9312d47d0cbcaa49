/**
 * Call stacks, per hart: unwinding by CFI (the debug-info service's rules), the trap's
 * origin when a stack ends in a trap vector, and the frames DAP shows. Frame ids encode
 * the hart and the depth, so scopes and evaluate know both from a frame id.
 */
import * as path from './posix-path';
import { Source, StackFrame } from '@vscode/debugadapter';
import { DebugProtocol } from '@vscode/debugprotocol';
import { CAUSE_NAMES, CSR, INTERRUPT_NAMES, PRIV_LETTER } from '../emulator';
import { littleEndian, SessionContext } from './session-context';

/** A hart's call stack at a stop: each frame's pc and registers (x0-x31, pc), and the interrupted context when the stack ends in a trap vector. */
export interface Unwound {
  pcs: bigint[];
  regs: bigint[][];
  trap?: TrapOrigin;
}

/** Where a trap came from: xepc, the interrupted mode, the cause, and which vector took it. */
export interface TrapOrigin { pc: bigint; from: number; cause: bigint; vector: 'm' | 's' }

/** Frame ids: hart * FRAMES_PER_HART + the frame's index in the hart's stack as shown + 1. */
const FRAMES_PER_HART = 1024;
/** Deepest call stack shown. */
const MAX_FRAMES = 64;

export const hartOfFrame = (frameId: number): number => Math.floor((frameId - 1) / FRAMES_PER_HART);
const indexOfFrame = (frameId: number): number => (frameId - 1) % FRAMES_PER_HART;

/**
 * What a frame shown stands for: the unwound frame (`depth`, whose registers it has) and,
 * where functions were inlined at its pc, which of them (0: the innermost).
 */
export interface FramePlace {
  hart: number;
  depth: number;
  inline: number;
  /** A function that ended in a tail call (rebuilt from DWARF call sites, as gdb): no registers or variables of its own. */
  tail?: true;
}

export class CallStacks {
  /** Unwound stacks by hart, valid until the machine runs again. */
  private readonly stacks = new Map<number, Unwound>();
  /** The frames shown, by hart: what each frame id stands for. */
  private readonly shown = new Map<number, FramePlace[]>();

  /**
   * Inlined calls hidden at each hart's top frame (gdb's skip_inline_frames): after a stop
   * at the first instruction of an inlined call the caller is shown, at the call site,
   * and a step in enters the call without running. Set at every stop.
   */
  private readonly hiddenInline = new Map<number, number>();

  constructor(private readonly ctx: SessionContext) {}

  /** The machine ran: every stack is stale. */
  clear(): void { this.stacks.clear(); this.shown.clear(); this.hiddenInline.clear(); }

  /** How many inlined calls starting at the hart's pc its stop hides. */
  hideInlined(hart: number, count: number): void {
    this.shown.delete(hart);
    if (count > 0) this.hiddenInline.set(hart, count); else this.hiddenInline.delete(hart);
  }

  hiddenInlined(hart: number): number { return this.hiddenInline.get(hart) ?? 0; }

  /**
   * The frames of a hart's stack, the trap's origin last. A pc where functions were
   * inlined shows one frame per function (gdb's inline frames): the innermost at the
   * pc's line, each outer one at the line it was inlined at.
   */
  async frames(hart: number): Promise<DebugProtocol.StackFrame[]> {
    const u = await this.unwound(hart);
    const places: FramePlace[] = [];
    const frames: DebugProtocol.StackFrame[] = [];
    const id = () => hart * FRAMES_PER_HART + places.length + 1;
    u.pcs.forEach((pc, depth) => {
      // Functions that ended in tail calls on the way from this frame's caller to it: no stack of their own.
      if (depth > 0) {
        for (const t of this.ctx.debugInfo.tailCallers(pc, depth === 1 ? u.pcs[0] : u.pcs[depth - 1] - 1n)) {
          const frame = this.frame(id(), depth, t.pc, false);
          frame.name = t.fn.name ?? frame.name;
          frames.push(frame);
          places.push({ hart, depth, inline: 0, tail: true });
        }
      }
      const chain = this.ctx.debugInfo.inlineChain(depth === 0 ? pc : pc - 1n);
      if (chain.length === 0) {
        frames.push(this.frame(id(), depth, pc));
        places.push({ hart, depth, inline: 0 });
        return;
      }
      const hidden = depth === 0 ? Math.min(this.hiddenInlined(hart), chain.length - 1) : 0;
      chain.forEach((f, k) => {
        if (k < hidden) return;
        const frame = this.frame(id(), depth, pc);
        frame.name = f.name;
        const site = chain[k - 1];
        if (k > 0 && site?.callLine !== undefined) {
          if (site.callFile !== undefined) frame.source = new Source(path.basename(site.callFile), site.callFile);
          frame.line = site.callLine;
          frame.column = 1;
        }
        frames.push(frame);
        places.push({ hart, depth, inline: k });
      });
    });
    if (u.trap !== undefined) {
      frames.push(this.trapFrame(id(), u.trap));
      places.push({ hart, depth: u.pcs.length, inline: 0 });
    }
    this.shown.set(hart, places);
    return frames;
  }

  /** A register or memory was written: the hart's unwound registers are read again (frame ids stay). */
  async refresh(hart: number): Promise<void> {
    this.stacks.set(hart, await this.unwind(hart));
  }

  /** What a frame id stands for (the stack is built when a client asks before stackTrace). */
  async place(frameId: number): Promise<FramePlace> {
    const hart = hartOfFrame(frameId);
    if (!this.shown.has(hart)) await this.frames(hart);
    const index = indexOfFrame(frameId);
    return this.shown.get(hart)?.[index] ?? { hart, depth: index, inline: 0 };
  }

  /** The hart's stack, unwound once per stop (the Variables view asks for callers' registers). */
  async unwound(hart: number): Promise<Unwound> {
    let u = this.stacks.get(hart);
    if (u === undefined) {
      u = await this.unwind(hart);
      this.stacks.set(hart, u);
    }
    return u;
  }

  /**
   * Return addresses by .debug_frame CFI (DWARF 5 §6.4): the pc, then each caller's
   * pc, while rules cover the pc and the saved registers are readable. A stack that
   * ends in the function mtvec or stvec points at was entered by a trap: the
   * interrupted pc (xepc) and mode (xPP) make one more frame. Unwound afresh (stepping
   * asks while the stop's stacks may be stale).
   */
  async unwind(hart: number, limit = MAX_FRAMES): Promise<Unwound> {
    const m = this.ctx.machine();
    const xlen = this.ctx.xlen;
    const regs = await m.request({ type: 'readRegisters', hart });
    let x = [...regs.x];
    let pc = regs.pc;
    const pcs = [pc];
    const all = [[...x, pc]];
    const bytes = xlen / 8;
    while (pcs.length < limit) {
      const rules = this.ctx.debugInfo.rulesAt(pcs.length === 1 ? pc : pc - 1n);
      if (rules === undefined || rules.undefinedRegs.has(rules.returnRegister) || rules.cfaRegister >= 32) break;
      const cfa = BigInt.asUintN(xlen, x[rules.cfaRegister] + BigInt(rules.cfaOffset));
      const caller = [...x];
      // The saved registers in one read: they sit together below the CFA.
      const saved = [...rules.saved].filter(([reg]) => reg < 32);
      if (saved.length > 0) {
        const low = Math.min(...saved.map(([, o]) => o)), high = Math.max(...saved.map(([, o]) => o)) + bytes;
        if (high - low > 4096) break; // not a frame a compiler lays out
        const r = await m.request({ type: 'readMemory', hart, address: BigInt.asUintN(xlen, cfa + BigInt(low)), count: high - low, physical: false });
        if (r.unreadable > 0) break;
        for (const [reg, offset] of saved) caller[reg] = littleEndian(r.bytes.subarray(offset - low, offset - low + bytes));
      }
      caller[2] = cfa;
      const ret = rules.returnRegister < 32 ? caller[rules.returnRegister] : 0n;
      if (ret === 0n || (ret === pc && cfa === x[2])) break;
      x = caller;
      pc = ret;
      pcs.push(pc);
      all.push([...x, pc]);
    }
    return { pcs, regs: all, trap: await this.trapOrigin(hart, pc) };
  }

  /** When `pc` lies in the trap vector's function: the trap's origin from mepc/mstatus.MPP or sepc/sstatus.SPP. */
  private async trapOrigin(hart: number, pc: bigint): Promise<TrapOrigin | undefined> {
    const [mtvec, stvec, mepc, sepc, mstatus, mcause, scause] = await this.ctx.machine().request({ type: 'readCsrs', hart,
      nums: [CSR.mtvec, CSR.stvec, CSR.mepc, CSR.sepc, CSR.mstatus, CSR.mcause, CSR.scause] });
    const symbols = this.ctx.debugInfo.symbols;
    const fn = symbols.at(pc);
    const inVector = (tvec: bigint | null) => {
      if (tvec === null) return false;
      const base = tvec & ~3n;
      const entry = symbols.at(base);
      return base === pc || (fn !== undefined && entry !== undefined && entry.name === fn.name && entry.address === fn.address);
    };
    if (inVector(mtvec) && mepc !== null && mstatus !== null && mcause !== null) {
      return { pc: mepc, from: Number((mstatus >> 11n) & 3n), cause: mcause, vector: 'm' };
    }
    if (inVector(stvec) && sepc !== null && mstatus !== null && scause !== null) {
      return { pc: sepc, from: Number((mstatus >> 8n) & 1n), cause: scause, vector: 's' };
    }
    return undefined;
  }

  /** The frame at `depth`; callers' lines are those of their call instruction (return address - 1). */
  private frame(id: number, depth: number, pc: bigint, exact = depth === 0): DebugProtocol.StackFrame {
    const { symbols, lines } = this.ctx.debugInfo;
    const lookup = exact ? pc : pc - 1n;
    const row = lines.at(lookup);
    // With a source line, the function's name says enough; without, the offset places the pc.
    const name = (row !== undefined ? symbols.at(lookup)?.name : symbols.label(pc)) ?? `0x${pc.toString(16)}`;
    const frame = new StackFrame(id, name) as DebugProtocol.StackFrame;
    frame.instructionPointerReference = `0x${pc.toString(16)}`;
    frame.presentationHint = 'normal';
    if (row !== undefined) {
      frame.source = new Source(path.basename(row.file), row.file);
      frame.line = row.line;
      frame.column = lines.displayColumn(row);
    }
    return frame;
  }

  /** Where the trap the handler serves came from: xepc (the instruction itself), in the interrupted mode. */
  private trapFrame(id: number, t: TrapOrigin): DebugProtocol.StackFrame {
    const xlen = this.ctx.xlen;
    const frame = this.frame(id, 1, t.pc, true);
    const interrupt = t.cause >> BigInt(xlen - 1) === 1n;
    const code = Number(t.cause & ((1n << BigInt(xlen - 1)) - 1n));
    const what = (interrupt ? INTERRUPT_NAMES[code] : CAUSE_NAMES[code]) ?? `cause ${code}`;
    frame.name = `${frame.name} [${what} from ${PRIV_LETTER[t.from]}-mode]`;
    frame.presentationHint = 'label';
    return frame;
  }
}
