/**
 * Where a step goes: step into, over and out, by instruction or by source line, decided
 * from the hart's registers, the line table, the symbols and the unwound stack. Each
 * answers with the worker request that makes the step; the session sends it (and
 * remembers a `runTo`, so a stop the user does not see resumes the same step).
 */
import { expandCompressed, WorkerRequestBody } from '../emulator';
import { disassembleAt } from './disasm';
import { CallStacks } from './call-stacks';
import { SessionContext } from './session-context';

/** A step as the worker runs it. */
export type StepRequest = Extract<WorkerRequestBody, { type: 'stepInstruction' | 'stepWhileIn' | 'runTo' }>;

/** DAP's stepping granularity; 'statement' and 'line' both step by source line. */
type Granularity = 'instruction' | 'line' | 'statement' | undefined;

export class Stepping {
  constructor(private readonly ctx: SessionContext, private readonly stacks: CallStacks) {}

  /** Step into: one instruction, or (by line, with a line table) until the pc leaves the current line. */
  async into(hart: number, granularity: Granularity): Promise<StepRequest> {
    const ranges = granularity === 'instruction' ? [] : this.ctx.debugInfo.lines.lineRanges(await this.pc(hart));
    return ranges.length > 0 ? { type: 'stepWhileIn', hart, ranges } : { type: 'stepInstruction', hart };
  }

  /**
   * Step over. By instruction: a call (jal/jalr linking ra or t0) runs to the instruction
   * after it, anything else is one step. By line: run to the next statement of the current
   * function or to its return address (by CFI), so calls run through at full speed.
   */
  async over(hart: number, granularity: Granularity): Promise<StepRequest> {
    const m = this.ctx.machine();
    const xlen = this.ctx.xlen;
    const { symbols, lines } = this.ctx.debugInfo;
    const { pc, x } = await m.request({ type: 'readRegisters', hart });
    const fn = symbols.at(pc);
    if (granularity !== 'instruction' && fn !== undefined && fn.size > 0n && lines.at(pc) !== undefined) {
      const here = new Set(lines.lineRanges(pc).map(([lo]) => lo));
      // Later pieces of the current line are not a new line; a jump back to its start (a loop) is.
      const targets = lines.statementStarts(fn.address, fn.address + fn.size).filter((a) => a !== pc && !(here.has(a) && a > pc));
      const caller = (await this.stacks.unwind(hart)).pcs[1] ?? x[1];
      return { type: 'runTo', addresses: [...targets, caller], reason: 'step' };
    }
    const mem = await m.request({ type: 'readMemory', hart, address: pc, count: 4, physical: false });
    const d = disassembleAt(mem.bytes, 0, pc, xlen);
    if (d !== undefined && isCall(d.bits, d.length, xlen)) return { type: 'runTo', addresses: [BigInt.asUintN(xlen, pc + BigInt(d.length))], reason: 'step' };
    return { type: 'stepInstruction', hart };
  }

  /** Step out: run to the caller's return address, found by CFI unwinding (ra when there is no CFI). */
  async out(hart: number): Promise<StepRequest> {
    const { pcs } = await this.stacks.unwind(hart);
    const target = pcs.length > 1 ? pcs[1] : (await this.ctx.machine().request({ type: 'readRegisters', hart })).x[1];
    return { type: 'runTo', addresses: [target], reason: 'step' };
  }

  private async pc(hart: number): Promise<bigint> {
    return (await this.ctx.machine().request({ type: 'readRegisters', hart })).pc;
  }
}

/** Whether an instruction is a call: jal/jalr linking ra or t0 (the psABI's link registers). */
function isCall(bits: number, length: number, xlen: 32 | 64): boolean {
  const word = length === 2 ? expandCompressed(bits, xlen) : bits;
  const opcode = word & 0x7f, rd = (word >>> 7) & 31;
  return (opcode === 0x6f || opcode === 0x67) && (rd === 1 || rd === 5);
}
