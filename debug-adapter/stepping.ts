/**
 * Where a step goes: step into, over and out, by instruction or by source line, decided
 * from the hart's registers, the line table, the symbols and the unwound stack. Each
 * answers with the worker request that makes the step; the session sends it (and
 * remembers a `runTo`, so a stop the user does not see resumes the same step).
 */
import { expandCompressed, WorkerRequestBody } from '../emulator';
import { disassembleAt } from './disasm';
import { CallStacks } from './call-stacks';
import { Die } from './dwarf-dies';
import { inlinedCallsStartingAt, SourceFrame } from './dwarf-scopes';
import { skipPrologue } from './function-entry';
import { SessionContext } from './session-context';

/** A step as the worker runs it. */
export type StepRequest = Extract<WorkerRequestBody, { type: 'stepInstruction' | 'stepWhileIn' | 'runTo' }>;

/** DAP's stepping granularity; 'statement' and 'line' both step by source line. */
type Granularity = 'instruction' | 'line' | 'statement' | undefined;

/**
 * Runs one step primitive on the machine and waits for its stop: true when it ended as a
 * step, false when something else stopped the machine (a breakpoint, a trap, an exit),
 * which the session has then shown as it is.
 */
export type RunStep = (req: StepRequest) => Promise<boolean>;

/** A physical frame's identity: its CFA and the function (symbol) it runs. */
interface FrameId { cfa: bigint; fn: bigint | undefined; caller: bigint | undefined }

export class Stepping {
  constructor(private readonly ctx: SessionContext, private readonly stacks: CallStacks) {}

  /**
   * Step into, over, or out of an inlined call, by source line, as gdb 13 does it
   * (infrun.c's process_event_stop_test): the step range is the line-table row at the pc
   * (as gdb reads the table: dwarf-line.ts line); leaving it at the start of a statement
   * of another line ends the step, leaving it mid-line or onto a row of no statement
   * steps on with that row as the range; a call is run through (over) or entered past its
   * prologue (into, when the callee has lines); an inlined call is entered or run
   * through by the same rules as gdb's inline frames. Returns false when something else
   * stopped the machine first; true when the step ended (the caller shows the stop).
   */
  async line(hart: number, kind: 'into' | 'over' | 'outInline', run: RunStep): Promise<boolean> {
    const { lines } = this.ctx.debugInfo;
    let pc = await this.pc(hart);
    const hidden = this.stacks.hiddenInlined(hart);
    let frames = this.ctx.debugInfo.sourceFrames(pc);
    // Step in at an inlined call's first instruction: enter it without running (gdb's step_into_inline_frame).
    if (kind === 'into' && hidden > 0) { this.stacks.hideInlined(hart, hidden - 1); return true; }
    if (kind === 'outInline') return this.outOfInlined(hart, frames[hidden], run);
    const here = lines.line(pc);
    let frame = await this.frameId(hart, pc);
    // The frame being stepped: the one shown on top.
    let stepBlock = frames[Math.min(hidden, frames.length - 1)]?.die;
    // Its line: at a hidden inlined call, the call site's (gdb's find_frame_sal).
    const site = hidden > 0 ? this.ctx.debugInfo.inlineChain(pc)[hidden - 1] : undefined;
    let current = site?.callLine !== undefined ? { file: site.callFile ?? here?.row.file ?? '', line: site.callLine }
      : { file: here?.row.file ?? '', line: here?.row.line ?? 0 };
    let range: [bigint, bigint][] = here === undefined ? [] : [[here.start, here.end]];
    const over = kind !== 'into';
    let ran = false; // the pc moved by a run inside this loop's last turn: look at it before stepping again
    // As gdb: a line that never ends is stepped until Pause (the session's RunStep then refuses to run more).
    for (;;) {
      if (!ran && !await run({ type: 'stepWhileIn', hart, ranges: range })) return false;
      ran = false;
      pc = await this.pc(hart);
      let now = await this.frameId(hart, pc);
      /** This turn left the stack frame being stepped (returned from it, or a trap): gdb's frame change. */
      let leftFrame = false;
      if (now.cfa !== frame.cfa || now.fn !== frame.fn) {
        const called = now.caller !== undefined && now.cfa <= frame.cfa && this.ctx.debugInfo.symbols.at(now.caller - 1n)?.address === frame.fn;
        if (called) {
          const fn = this.ctx.debugInfo.symbols.at(pc);
          const hasLines = fn !== undefined && lines.line(pc) !== undefined;
          if (!over && hasLines && fn.address === pc) {
            // Into a function with lines: to the end of its prologue (gdb skips it by the line table even in optimised code).
            const target = skipPrologue(this.ctx.debugInfo, fn.address, fn.address + fn.size);
            if (target !== pc && !await run({ type: 'runTo', addresses: [target], reason: 'step' })) return false;
            this.hideAt(hart, await this.pc(hart), 0);
            return true;
          }
          // Over it: to the return address in this frame (a recursive call returns there deeper first), then on with the line.
          const back = now.caller!;
          do {
            if (!await run({ type: 'runTo', addresses: [back], reason: 'step' })) return false;
            pc = await this.pc(hart);
            now = await this.frameId(hart, pc);
          } while (pc === back && now.cfa < frame.cfa);
          if (range.some(([lo, hi]) => pc >= lo && pc < hi)) continue;
        } else {
          frame = now; // returned, or somewhere else (a trap vector): step on from there by the line rules
          leftFrame = true;
        }
      }
      frames = this.ctx.debugInfo.sourceFrames(pc);
      const hiddenNow = inlinedCallsStartingAt(frames, pc);
      const visible = frames[Math.min(hiddenNow, frames.length - 1)]?.die;
      const sameFrame = visible === stepBlock && now.cfa === frame.cfa;
      if (sameFrame && hiddenNow > 0) {
        // At an inlined call's first instruction, in the frame being stepped.
        const call = this.ctx.debugInfo.inlineChain(pc)[hiddenNow - 1];
        const sameLine = call?.callLine === current.line && (call.callFile === undefined || call.callFile === current.file);
        if (kind === 'into') { this.hideAt(hart, pc, sameLine ? hiddenNow - 1 : hiddenNow); return true; }
        if (sameLine) continue;
        this.hideAt(hart, pc, hiddenNow);
        return true;
      }
      if (visible !== undefined && stepBlock !== undefined && visible !== stepBlock && encloses(stepBlock, visible)) {
        // Inside an inlined call made from the frame being stepped: over runs through it, into stops.
        if (!over) { this.hideAt(hart, pc, 0); return true; }
        const call = outermostBelow(frames, stepBlock);
        if (call !== undefined && !await run({ type: 'stepWhileIn', hart, ranges: call.ranges() })) return false;
        ran = call !== undefined;
        continue;
      }
      const sal = lines.line(pc);
      if (sal === undefined) { this.hideAt(hart, pc, hiddenNow); return true; }
      if (range.some(([lo, hi]) => pc >= lo && pc < hi)) continue;
      let line = sal.row.line;
      if (pc === sal.start && (sal.row.line !== current.line || sal.row.file !== current.file)) {
        if (sal.row.isStmt) { this.hideAt(hart, pc, hiddenNow); return true; }
        // Not a statement: on, keeping the range and line in the same stack frame; in another,
        // with no line, so its next row can end the step (gdb's step_into... "not the start of a
        // statement"). The same stack frame, as gdb's get_stack_frame_id: inlined blocks do not
        // count, or a step over a polling loop that never ends ended once out of the inlined
        // read (the loop's condition taken with no line, then the read's call site "a new line").
        if (!leftFrame) continue;
        line = 0;
      }
      range = [[sal.start, sal.end]];
      current = { file: sal.row.file, line };
      stepBlock = visible;
      frame = now;
    }
  }

  /**
   * Out of the inlined call shown on top: run until the pc leaves its block (calls made
   * from it run through) and stop there, mid-line as gdb's finish does.
   */
  private async outOfInlined(hart: number, call: SourceFrame, run: RunStep): Promise<boolean> {
    const ranges = call.die.ranges();
    const frame = await this.frameId(hart, await this.pc(hart));
    for (;;) {
      if (!await run({ type: 'stepWhileIn', hart, ranges })) return false;
      const pc = await this.pc(hart);
      const now = await this.frameId(hart, pc);
      const inside = ranges.some(([lo, hi]) => pc >= lo && pc < hi);
      if (now.cfa === frame.cfa && now.fn === frame.fn && inside) continue; // the bound of one stepWhileIn
      if (now.cfa === frame.cfa && now.fn === frame.fn) break;
      if (now.caller === undefined || now.cfa > frame.cfa) break; // returned from the function itself
      if (!await run({ type: 'runTo', addresses: [now.caller], reason: 'step' })) return false;
      if (!ranges.some(([lo, hi]) => now.caller! >= lo && now.caller! < hi)) break;
    }
    this.hideAt(hart, await this.pc(hart), Number.MAX_SAFE_INTEGER);
    return true;
  }

  /** Step into by instruction, or (no line table at the pc) one instruction. */
  async into(hart: number, granularity: Granularity): Promise<StepRequest | 'line'> {
    if (granularity === 'instruction' || this.ctx.debugInfo.lines.line(await this.pc(hart)) === undefined) return { type: 'stepInstruction', hart };
    return 'line';
  }

  /**
   * Step over. By instruction: a call (jal/jalr linking ra or t0) runs to the instruction
   * after it, anything else is one step. By line (with a line table at the pc): line().
   */
  async over(hart: number, granularity: Granularity): Promise<StepRequest | 'line'> {
    const m = this.ctx.machine();
    const xlen = this.ctx.xlen;
    const { pc } = await m.request({ type: 'readRegisters', hart });
    if (granularity !== 'instruction' && this.ctx.debugInfo.lines.line(pc) !== undefined) return 'line';
    const mem = await m.request({ type: 'readMemory', hart, address: pc, count: 4, physical: false });
    const d = disassembleAt(mem.bytes, 0, pc, xlen);
    if (d !== undefined && isCall(d.bits, d.length, xlen)) return { type: 'runTo', addresses: [BigInt.asUintN(xlen, pc + BigInt(d.length))], reason: 'step' };
    return { type: 'stepInstruction', hart };
  }

  /**
   * Step out: out of an inlined call shown on top, by line() as gdb's finish does; else
   * run to the caller's return address, found by CFI unwinding (ra when there is no CFI).
   */
  async out(hart: number): Promise<StepRequest | 'line'> {
    const pc = await this.pc(hart);
    const frames = this.ctx.debugInfo.sourceFrames(pc);
    if (frames[Math.min(this.stacks.hiddenInlined(hart), frames.length - 1)]?.inlined === true) return 'line';
    const { pcs } = await this.stacks.unwind(hart);
    const target = pcs.length > 1 ? pcs[1] : (await this.ctx.machine().request({ type: 'readRegisters', hart })).x[1];
    return { type: 'runTo', addresses: [target], reason: 'step' };
  }

  /** The inlined calls a stop at `pc` hides: gdb's rule, or fewer when the step entered them. */
  private hideAt(hart: number, pc: bigint, count: number): void {
    this.stacks.hideInlined(hart, Math.min(count, inlinedCallsStartingAt(this.ctx.debugInfo.sourceFrames(pc), pc)));
  }

  /** The physical frame at the stop: CFA (the caller's sp), function, and return address. */
  private async frameId(hart: number, pc: bigint): Promise<FrameId> {
    const u = await this.stacks.unwind(hart, 2);
    return { cfa: u.regs[1]?.[2] ?? u.regs[0][2], fn: this.ctx.debugInfo.symbols.at(pc)?.address, caller: u.pcs[1] };
  }

  private async pc(hart: number): Promise<bigint> {
    return (await this.ctx.machine().request({ type: 'readRegisters', hart })).pc;
  }
}

/** Whether `outer` (a function or inlined call) holds `inner` among its nested blocks. */
function encloses(outer: Die, inner: Die): boolean {
  for (let d: Die | undefined = inner.parent; d !== undefined; d = d.parent) if (d === outer) return true;
  return false;
}

/** Of the frames at a pc (innermost first), the inlined call made directly from `block`'s frame. */
function outermostBelow(frames: readonly SourceFrame[], block: Die): Die | undefined {
  const i = frames.findIndex((f) => f.die === block);
  return i > 0 ? frames[i - 1].die : undefined;
}

/** Whether an instruction is a call: jal/jalr linking ra or t0 (the psABI's link registers). */
function isCall(bits: number, length: number, xlen: 32 | 64): boolean {
  const word = length === 2 ? expandCompressed(bits, xlen) : bits;
  const opcode = word & 0x7f, rd = (word >>> 7) & 31;
  return (opcode === 0x6f || opcode === 0x67) && (rd === 1 || rd === 5);
}
