/**
 * Debug Console commands (issue 4) for what kernel developers ask a debugger:
 *   walk ADDR          the page-table walk of a virtual address, each level's PTE decoded
 *   tlb                the current hart's TLB entries
 *   devices            the board's devices: name, window, IRQ, model, passthrough state
 *   ps                 the guest's tasks (task-threads.ts), with an OS description
 *   dmesg              Linux's kernel log, read from its ring buffer (linux-log.ts)
 *   x/NFU ADDR         examine memory as gdb does: N units, format x d u c s i, unit b h w g
 *   help               this list
 * ADDR is any expression. Anything else typed in the Debug Console is an expression.
 */
import { MachineRequests } from './session-context';
import { disassembleAt, instructionText, SymbolLookup } from './disasm';
import { formatDevices, formatTlb, formatWalk } from '../emulator';

const COMMAND = /^(walk|tlb|devices|help|ps|dmesg|x)(?:\/(\d*)([xducsi]?)([bhwg]?))?(?:\s+(.*))?$/;

export const CONSOLE_HELP = [
  'walk ADDR      page-table walk of a virtual address (every level, PTE flags, the result)',
  'tlb            the current hart\'s TLB entries',
  'devices        the board\'s devices (Devices view in text)',
  'ps             the guest\'s tasks: pid, state, hart, name (xv6-riscv, Linux, or launch.json "os")',
  'dmesg          Linux\'s kernel log, read from the guest\'s memory',
  'x/NFU ADDR     examine memory: N units, F format x d u c s i, U unit b h w g (x/16xw $sp)',
  'anything else  an expression: $a0, $mstatus, counter, *(uint32_t *)0x80001000, uart0.LSR',
].join('\n');

export interface ConsoleContext {
  machine: MachineRequests;
  hart: number;
  xlen: 32 | 64;
  symbols: SymbolLookup;
  evaluate(text: string): Promise<bigint>;
  /** `ps`'s table. */
  tasks(): Promise<string>;
  /** `dmesg`'s text. */
  kernelLog(): Promise<string>;
}

/** The command's output, or undefined when `text` is not a command (it is an expression then). */
export async function runConsoleCommand(text: string, c: ConsoleContext): Promise<string | undefined> {
  const m = COMMAND.exec(text.trim());
  if (m === null) return undefined;
  const [, cmd, count, fmt, unit, arg] = m;
  const needArg = async () => {
    if (arg === undefined || arg.trim() === '') throw new Error(`${cmd} needs an address (an expression)`);
    return BigInt.asUintN(c.xlen, await c.evaluate(arg));
  };
  switch (cmd) {
    case 'help': return CONSOLE_HELP;
    case 'ps': return c.tasks();
    case 'dmesg': return c.kernelLog();
    case 'walk': {
      const va = await needArg();
      const w = await c.machine.request({ type: 'pageWalk', hart: c.hart, address: va });
      return formatWalk(va, c.hart, w);
    }
    case 'tlb': {
      const entries = await c.machine.request({ type: 'tlb', hart: c.hart });
      return formatTlb(c.hart, entries);
    }
    case 'devices': {
      const devices = await c.machine.request({ type: 'devices' });
      return formatDevices(devices);
    }
    default: return examine(await needArg(), count === '' || count === undefined ? 1 : Number(count), fmt || 'x', unit || 'w', c);
  }
}

const UNIT_BYTES: Record<string, number> = { b: 1, h: 2, w: 4, g: 8 };
/** Bytes one examine may read (the worker's transfer limit is far larger). */
const MAX_EXAMINE = 64 * 1024;

async function examine(address: bigint, count: number, fmt: string, unit: string, c: ConsoleContext): Promise<string> {
  const size = fmt === 'c' || fmt === 's' ? 1 : UNIT_BYTES[unit];
  const want = fmt === 'i' ? count * 4 : fmt === 's' ? Math.max(count, 1) * 256 : count * size;
  if (want > MAX_EXAMINE) throw new Error(`x: at most ${MAX_EXAMINE} bytes at once`);
  const r = await c.machine.request({ type: 'readMemory', hart: c.hart, address, count: want, physical: false });
  const bytes = r.bytes;
  const at = (a: bigint) => {
    const label = c.symbols.label(a);
    return `0x${a.toString(16)}${label !== undefined ? ` <${label}>` : ''}:`;
  };
  if (bytes.length === 0) throw new Error(`x: 0x${address.toString(16)} cannot be read (not RAM mapped for hart ${c.hart})`);
  const lines: string[] = [];
  if (fmt === 'i') {
    let off = 0;
    for (let i = 0; i < count; i++) {
      const d = disassembleAt(bytes, off, address + BigInt(off), c.xlen, c.symbols);
      if (d === undefined) break;
      lines.push(`${at(address + BigInt(off))}\t${instructionText(d)}`);
      off += d.length;
    }
    return lines.join('\n');
  }
  if (fmt === 's') {
    let off = 0;
    for (let i = 0; i < count && off < bytes.length; i++) {
      const end = bytes.indexOf(0, off);
      const stop = end < 0 ? bytes.length : end;
      const text = Array.from(bytes.subarray(off, stop), (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
      lines.push(`${at(address + BigInt(off))}\t"${text}"${end < 0 ? '...' : ''}`);
      off = stop + 1;
    }
    return lines.join('\n');
  }
  const perLine = Math.max(1, 16 / size);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Math.min(count, Math.floor(bytes.length / size));
  for (let i = 0; i < n; i += perLine) {
    const cells: string[] = [];
    for (let j = i; j < Math.min(n, i + perLine); j++) {
      const v = size === 8 ? dv.getBigUint64(j * 8, true) : BigInt(size === 4 ? dv.getUint32(j * 4, true) : size === 2 ? dv.getUint16(j * 2, true) : dv.getUint8(j));
      const signed = BigInt.asIntN(size * 8, v);
      cells.push(fmt === 'x' ? `0x${v.toString(16).padStart(size * 2, '0')}` : fmt === 'd' ? String(signed) : fmt === 'u' ? String(v)
        : `'${v >= 0x20n && v < 0x7fn ? String.fromCharCode(Number(v)) : `\\x${v.toString(16)}`}'`);
    }
    lines.push(`${at(address + BigInt(i * size))}\t${cells.join('\t')}`);
  }
  if (n < count) lines.push(`(stopped after ${n} of ${count}: 0x${(address + BigInt(n * size)).toString(16)} cannot be read)`);
  return lines.join('\n');
}
