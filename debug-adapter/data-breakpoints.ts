/**
 * What a data breakpoint (DAP dataBreakpointInfo / setDataBreakpoints) watches: one of the
 * machine's physical watchpoints (emulator/machine/watchpoints.ts). What a user can watch:
 *   uart0.THR, plic.claim[1]   a device register, by the name the Devices view shows
 *   counter                    a symbol: its address and ELF size
 *   phys:0x80001000            a physical address (XLEN/8 bytes)
 *   any expression             its value as a virtual address (XLEN/8 bytes)
 * Virtual addresses are translated through the current hart when the watchpoint is set,
 * so it keeps watching the same memory when mappings change. Device DMA hits too.
 * The breakpoints themselves (ids, options, hits) are breakpoints.ts's.
 */
import { DebugProtocol } from '@vscode/debugprotocol';
import { DebugStop } from '../emulator';
import { SessionContext } from './session-context';

/** Watched physical bytes, and the name the user gave them. */
export interface WatchTarget { pa: bigint; size: number; label: string }

const DEVICE_REGISTER = /^([a-z][\w-]*)\.([A-Za-z_]\w*(?:\[\d+\])?)$/;
/** The machine's own limits: watchpoints at once, bytes in one. */
export const MAX_WATCHES = 64;
const MAX_SIZE = 1 << 20;

export class DataTargets {
  constructor(
    private readonly ctx: SessionContext,
    private readonly evaluate: (text: string, hart: number) => Promise<bigint>,
  ) {}

  /** What `name` would watch, for dataBreakpointInfo; a null dataId says why it cannot be watched. */
  async info(args: DebugProtocol.DataBreakpointInfoArguments, hart: number): Promise<DebugProtocol.DataBreakpointInfoResponse['body']> {
    if (args.variablesReference !== undefined && args.variablesReference !== 0) {
      return { dataId: null, description: 'registers and CSRs cannot be watched: watch memory, a symbol or a device register (uart0.THR)' };
    }
    const t = await (args.asAddress === true ? this.resolveAddress(args.name.trim(), args.bytes, hart) : this.resolve(args.name.trim(), hart))
      .catch((e: Error) => e.message);
    if (typeof t === 'string') return { dataId: null, description: t };
    return {
      dataId: JSON.stringify(t, (_k, v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v)),
      description: `${t.label} (${t.size} byte${t.size === 1 ? '' : 's'} at physical 0x${t.pa.toString(16)})`,
      accessTypes: ['read', 'write', 'readWrite'],
      canPersist: true,
    };
  }

  /** VS Code's "Add Data Breakpoint at Address": an address expression and a byte count. */
  private async resolveAddress(expr: string, bytes: number | undefined, hart: number): Promise<WatchTarget> {
    const size = bytes ?? this.ctx.xlen / 8;
    if (!Number.isInteger(size) || size < 1 || size > MAX_SIZE) throw new Error(`${size} bytes cannot be watched (1 to ${MAX_SIZE})`);
    const va = BigInt.asUintN(this.ctx.xlen, await this.evaluate(expr, hart));
    const pa = await this.ctx.machine().request({ type: 'translate', hart, address: va });
    if (pa === null) throw new Error(`0x${va.toString(16)} is not mapped for hart ${hart} now`);
    return { pa, size, label: `0x${va.toString(16)}` };
  }

  private async resolve(name: string, hart: number): Promise<WatchTarget> {
    const m = this.ctx.machine();
    const dev = DEVICE_REGISTER.exec(name);
    if (dev !== null) {
      const devices = await m.request({ type: 'devices', device: dev[1] }).catch(() => []);
      if (devices.length === 1) {
        const reg = devices[0].registers.find((r) => r.name === dev[2]);
        if (reg === undefined) throw new Error(`${dev[1]} has no register ${dev[2]}`);
        return { pa: BigInt(devices[0].base) + BigInt(reg.offset), size: reg.width, label: name };
      }
    }
    const word = this.ctx.xlen / 8;
    if (name.startsWith('phys:')) return { pa: await this.evaluate(name.slice(5), hart), size: word, label: name };
    const sym = this.ctx.debugInfo.symbols.lookup(name);
    const va = sym !== undefined ? BigInt.asUintN(this.ctx.xlen, sym.address) : await this.evaluate(name, hart);
    const size = sym !== undefined && sym.size > 0n && sym.size <= BigInt(MAX_SIZE) ? Number(sym.size) : word;
    const pa = await m.request({ type: 'translate', hart, address: va });
    if (pa === null) throw new Error(`${name} (0x${va.toString(16)}) is not mapped for hart ${hart} now`);
    return { pa, size, label: name };
  }
}

/** The target a dataId (from `info`) names; undefined for one that is not ours. */
export function parseDataId(id: string): WatchTarget | undefined {
  try {
    const o = JSON.parse(id) as { pa?: unknown; size?: unknown; label?: unknown };
    if (typeof o.pa !== 'string' || !/^0x[0-9a-f]+$/.test(o.pa) || typeof o.size !== 'number' || !Number.isInteger(o.size) ||
      o.size < 1 || o.size > MAX_SIZE || typeof o.label !== 'string') return undefined;
    return { pa: BigInt(o.pa), size: o.size, label: o.label };
  } catch {
    return undefined;
  }
}

/** A watch stop in words: "write to uart0.THR (physical 0x10000000) by hart 0", "DMA write by virtio7 to buf ...". */
export function describeWatchStop(t: WatchTarget | undefined, stop: Extract<DebugStop, { reason: 'watch' }>): string {
  const what = t === undefined ? `0x${stop.address.toString(16)}` : `${t.label} (physical 0x${stop.address.toString(16)}, ${stop.size} byte${stop.size === 1 ? '' : 's'})`;
  if (typeof stop.by === 'string') return `DMA ${stop.write ? 'write' : 'read'} by ${stop.by} ${stop.write ? 'to' : 'of'} ${what}`;
  return `${stop.write ? 'write to' : 'read of'} ${what} by hart ${stop.by}`;
}
