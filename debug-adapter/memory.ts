/**
 * Memory requests (DAP readMemory / writeMemory): references parsed, sizes bounded, bytes
 * through a hart's translation or physical (`phys:ADDR`), base64 checked. What cannot be
 * read is `unreadableBytes`; what cannot be written is an error unless partial writes
 * are allowed.
 */
import { DebugProtocol } from '@vscode/debugprotocol';
import { MAX_MEMORY_TRANSFER } from '../emulator';
import { parseAddress, RequestError, SessionContext } from './session-context';
import { decodeBase64Checked, encodeBase64 } from './base64';

export class MemoryAccess {
  constructor(private readonly ctx: SessionContext) {}

  async read(args: DebugProtocol.ReadMemoryArguments, hart: number): Promise<DebugProtocol.ReadMemoryResponse['body']> {
    if (typeof args !== 'object' || args === null) throw new RequestError('readMemory: no arguments');
    if (!Number.isInteger(args.count) || args.count < 0 || args.count > MAX_MEMORY_TRANSFER) {
      throw new RequestError(`readMemory: count ${args.count} is out of range (at most ${MAX_MEMORY_TRANSFER} bytes per request)`);
    }
    const ref = parseMemoryReference(args.memoryReference);
    const address = BigInt.asUintN(ref.physical ? 64 : this.ctx.xlen, ref.address + memoryOffset(args.offset, 'readMemory'));
    const r = await this.ctx.machine().request({ type: 'readMemory', hart, address, count: args.count, physical: ref.physical });
    return { address: `${ref.physical ? 'phys:' : ''}0x${address.toString(16)}`, data: encodeBase64(r.bytes), unreadableBytes: r.unreadable };
  }

  async write(args: DebugProtocol.WriteMemoryArguments, hart: number): Promise<DebugProtocol.WriteMemoryResponse['body']> {
    if (typeof args !== 'object' || args === null) throw new RequestError('writeMemory: no arguments');
    const bytes = decodeBase64(args.data, 'writeMemory');
    if (bytes.length > MAX_MEMORY_TRANSFER) throw new RequestError(`writeMemory: ${bytes.length} bytes is more than ${MAX_MEMORY_TRANSFER} per request`);
    const ref = parseMemoryReference(args.memoryReference);
    const address = BigInt.asUintN(ref.physical ? 64 : this.ctx.xlen, ref.address + memoryOffset(args.offset, 'writeMemory'));
    const r = await this.ctx.machine().request({ type: 'writeMemory', hart, address, bytes, physical: ref.physical });
    if (r.written < bytes.length && args.allowPartial !== true) {
      throw new RequestError(`writeMemory: only ${r.written} of ${bytes.length} bytes at 0x${address.toString(16)} are writable RAM`);
    }
    return { bytesWritten: r.written };
  }
}

/**
 * A memory reference: a virtual address (through the current hart's translation), or
 * `phys:ADDR` for a physical one (what the evaluate `phys:` form and page walks give).
 */
function parseMemoryReference(ref: unknown): { address: bigint; physical: boolean } {
  if (typeof ref !== 'string') throw new RequestError('memoryReference is missing');
  const s = ref.trim();
  const physical = /^phys:/i.test(s);
  return { address: parseAddress(physical ? s.slice(5) : s, 'memoryReference'), physical };
}

/** A memory request's `offset`: an integer (DAP: number of bytes), or an error naming it. */
function memoryOffset(offset: number | undefined, what: string): bigint {
  if (offset === undefined) return 0n;
  if (!Number.isSafeInteger(offset)) throw new RequestError(`${what}: offset ${JSON.stringify(offset)} is not an integer`);
  return BigInt(offset);
}

/** RFC 4648 §4 base64 (padding optional), checked: a decoder would skip bad characters silently. */
function decodeBase64(data: unknown, what: string): Uint8Array {
  if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 === 1 || (data.includes('=') && data.length % 4 !== 0)) {
    throw new RequestError(`${what}: data is not base64`);
  }
  return decodeBase64Checked(data);
}
