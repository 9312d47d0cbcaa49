/**
 * `monitor CMD` (qRcmd): the Debug Console's commands that need only the machine —
 * `devices`, `walk`, `tlb` — printed as the console prints them (machine/inspect-text.ts),
 * plus `harts` and `help`. What needs the debug adapter (expressions, symbols) is not here.
 */
import { Machine } from '../../machine/machine';
import { describeDevice } from '../../devices/device-view';
import { pageWalk, tlbEntries } from '../../machine/inspect';
import { formatDevices, formatTlb, formatWalk } from '../../machine/inspect-text';
import { hartPc, PRIV_LETTER } from '../../machine/debug-surface';

export const MONITOR_HELP = [
  'devices          the board\'s devices: name, window, IRQ, model',
  'walk ADDR        page-table walk of a virtual address on the current thread\'s hart',
  'tlb              the current thread\'s hart\'s TLB entries',
  'harts            every hart: mode, pc, waiting for an interrupt',
  'help             this list',
].join('\n');

/** The command's output (an error is output too: gdb prints it as it prints QEMU's). */
export function runMonitor(text: string, m: Machine, hart: number): string {
  const [cmd, ...args] = text.trim().split(/\s+/);
  const h = m.harts[hart];
  switch (cmd) {
    case '':
    case 'help': return MONITOR_HELP;
    case 'devices': return formatDevices(m.devices.map(describeDevice));
    case 'tlb': return formatTlb(hart, tlbEntries(h));
    case 'harts':
      return m.harts.map((x) => `hart ${x.id}: ${PRIV_LETTER[x.priv]}-mode, pc 0x${hartPc(x).toString(16)}${x.wfi ? ', waiting for an interrupt (wfi)' : ''}`).join('\n');
    case 'walk': {
      const a = args[0] ?? '';
      if (!/^(0x[0-9a-fA-F]{1,16}|\d{1,20})$/.test(a)) return `walk needs an address (0x... or decimal), got '${a}'`;
      const va = BigInt(a);
      if (va >= 1n << BigInt(h.xlen)) return `walk: ${a} is wider than the hart's ${h.xlen} bits`;
      return formatWalk(va, hart, pageWalk(h, m.bus, va));
    }
    default: return `unknown command '${cmd}'; try 'monitor help'`;
  }
}
