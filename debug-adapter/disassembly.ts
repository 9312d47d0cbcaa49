/**
 * The disassembly window (DAP `disassemble`): rows around a reference, forwards and
 * backwards, read from the machine and decoded by disasm.ts, each with its symbol label
 * and source line from the debug-info service. Memory that cannot be read or decoded is
 * '??' rows, never an error.
 */
import * as path from './posix-path';
import { Source } from '@vscode/debugadapter';
import { DebugProtocol } from '@vscode/debugprotocol';
import { disassembleAt, instructionLength } from './disasm';
import { parseAddress, RequestError, SessionContext } from './session-context';

/** Largest disassemble request answered (instructions). */
const MAX_DISASSEMBLE = 10_000;

type Row = DebugProtocol.DisassembledInstruction;

export class DisassemblyWindow {
  constructor(private readonly ctx: SessionContext) {}

  /** The rows a disassemble request asks for, read through `hart`'s translation. */
  async rows(args: DebugProtocol.DisassembleArguments, hart: number): Promise<Row[]> {
    const count = args.instructionCount;
    if (!Number.isInteger(count) || count < 0 || count > MAX_DISASSEMBLE) {
      throw new RequestError(`disassemble: instructionCount ${count} is out of range (at most ${MAX_DISASSEMBLE})`);
    }
    const base = BigInt.asUintN(this.ctx.xlen, parseAddress(args.memoryReference, 'memoryReference') + BigInt(args.offset ?? 0));
    // Rows before the reference are counted back from it (VS Code scrolls up with -50..-1
    // and with ranges that end well before it); bounded like every request.
    const before = Math.min(MAX_DISASSEMBLE, Math.max(0, -(args.instructionOffset ?? 0)));
    const skip = Math.max(0, args.instructionOffset ?? 0);
    const back = (await this.instructionsBefore(base, before, hart)).slice(0, Math.min(before, count));
    const forward = await this.instructionsFrom(base, count - back.length + skip, hart);
    return [...back, ...forward.slice(skip)].slice(0, count);
  }

  private async readCode(address: bigint, count: number, hart: number): Promise<Uint8Array> {
    return (await this.ctx.machine().request({ type: 'readMemory', hart, address, count, physical: false })).bytes;
  }

  private async instructionsFrom(start: bigint, n: number, hart: number): Promise<Row[]> {
    const bytes = n > 0 ? await this.readCode(start, 4 * n, hart) : new Uint8Array(0);
    const out: Row[] = [];
    let at = 0;
    while (out.length < n) {
      const address = BigInt.asUintN(this.ctx.xlen, start + BigInt(at));
      const row = await this.decode(bytes, at, address);
      out.push(row.row);
      at += row.length;
    }
    return out;
  }

  /**
   * The n instructions that end right before `end`. Instructions have two lengths, so
   * decoding starts at several points back and keeps the first that lands on `end`.
   */
  private async instructionsBefore(end: bigint, n: number, hart: number): Promise<Row[]> {
    if (n === 0) return [];
    const xlen = this.ctx.xlen;
    const span = BigInt(4 * n);
    let start = end >= span ? end - span : 0n;
    // readMemory returns the readable prefix: when the window starts in unmapped memory,
    // start at the next page until the rest up to `end` reads (pages map whole).
    let bytes = await this.readCode(start, Number(end - start), hart);
    while (bytes.length < Number(end - start) && start < end) {
      start = (start / 4096n + 1n) * 4096n;
      if (start >= end) { bytes = new Uint8Array(0); start = end; break; }
      bytes = await this.readCode(start, Number(end - start), hart);
    }
    for (let s = 0; s <= bytes.length; s += 2) {
      const list: { address: bigint; at: number; length: number }[] = [];
      let at = s;
      while (at + 2 <= bytes.length) {
        const len = instructionLength(bytes[at] | (bytes[at + 1] << 8));
        list.push({ address: start + BigInt(at), at, length: len });
        at += len;
      }
      if (at !== bytes.length) continue;
      const tail = list.slice(-n);
      const result: Row[] = [];
      for (const i of tail) result.push((await this.decode(bytes, i.at, i.address)).row);
      // What could not be read or decoded below: '??' rows, ascending, 2 bytes apart.
      const pad: Row[] = [];
      const lowest = tail.length > 0 ? tail[0].address : end;
      for (let k = n - result.length; k > 0; k--) pad.push(invalid(BigInt.asUintN(xlen, lowest - BigInt(2 * k))));
      return [...pad, ...result];
    }
    return Array.from({ length: n }, (_, k) => invalid(BigInt.asUintN(xlen, end - BigInt(2 * (n - k)))));
  }

  /** The row for the instruction at `bytes[at]` and how many bytes it takes ('??' rows take 4). */
  private async decode(bytes: Uint8Array, at: number, address: bigint): Promise<{ row: Row; length: number }> {
    const { symbols, lines } = this.ctx.debugInfo;
    const d = disassembleAt(bytes, at, address, this.ctx.xlen, symbols);
    if (d === undefined) return { row: invalid(address), length: 4 };
    const label = symbols.startsAt(address);
    const line = lines.at(address);
    const row: Row = {
      address: `0x${address.toString(16)}`,
      instructionBytes: (d.bits >>> 0).toString(16).padStart(d.length * 2, '0'),
      instruction: `${d.mnemonic.padEnd(8)} ${d.operands}`.trimEnd(),
      ...(label !== undefined ? { symbol: label.name } : {}),
      ...(line !== undefined && await this.ctx.debugInfo.sourceExists(line.file) ? { location: new Source(path.basename(line.file), line.file), line: line.line } : {}),
    };
    return { row, length: d.length };
  }
}

function invalid(address: bigint): Row {
  return { address: `0x${address.toString(16)}`, instruction: '??', presentationHint: 'invalid' };
}
