/**
 * The MMIO, interrupt and trap trace (issue 8): lines decoded with the register maps
 * ("mmio uart0.IER <- 0x1/1 (ERBFI=1 ...)"). The CLI's --trace and the debugger's
 * run-time switch both use this. Switched off, nothing of it runs: the bus, PLIC and
 * harts test one null hook each.
 */
import { MmioDevice } from '../bus/bus';
import { Hart } from '../hart/hart';
import { CAUSE_NAMES, INTERRUPT_NAMES } from '../hart/csr';
import { describeFields, RegisterDecl, registerAt } from '../devices/regmap';
import { Machine } from './machine';

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

/** Registers sharing an offset say when they apply ("read", "write", "LCR.DLAB=1"). */
function appliesTo(write: boolean): (r: RegisterDecl) => boolean {
  return (r) => r.when === undefined || r.when.includes(write ? 'write' : 'read') || !/read|write/.test(r.when);
}

export function formatMmio(dev: MmioDevice, off: number, size: number, write: boolean, value: number): string {
  const hit = dev.model !== undefined ? registerAt(dev.model, off, appliesTo(write)) : undefined;
  const reg = hit !== undefined ? `${hit.reg.name}${hit.index !== undefined ? `[${hit.index}]` : ''}` : `+0x${off.toString(16)}`;
  const fields = hit !== undefined ? describeFields(hit.reg, value) : '';
  return `mmio ${dev.name}.${reg} ${write ? '<-' : '->'} 0x${(value >>> 0).toString(16)}/${size}${fields !== '' ? ` (${fields})` : ''}`;
}

export function formatTrap(h: Hart, cause: number, interrupt: boolean): string {
  const what = interrupt ? INTERRUPT_NAMES[cause] ?? `interrupt ${cause}` : CAUSE_NAMES[cause] ?? `exception ${cause}`;
  return `trap hart${h.id} ${what} at pc 0x${hex8(h.pcHi)}${hex8(h.pcLo)} from ${['U', 'S', '?', 'M'][h.priv]}-mode`;
}

export interface TraceOptions {
  mmio: boolean;
  traps: boolean;
  /** Only these devices' accesses and interrupt lines (by name); all when absent or empty. */
  devices?: readonly string[];
}

/**
 * Switch the trace on the machine; `sink` gets one line at a time. Interrupt lines are
 * traced with the MMIO accesses (a device raising its line is part of talking to it).
 */
export function setTrace(machine: Machine, o: TraceOptions, sink: (line: string) => void): void {
  const wanted = o.devices !== undefined && o.devices.length > 0 ? new Set(o.devices) : null;
  machine.bus.mmioTrace = o.mmio
    ? (dev, off, size, write, value) => { if (wanted === null || wanted.has(dev.name)) sink(formatMmio(dev, off, size, write, value)); }
    : null;
  machine.plic.levelTrace = o.mmio
    ? (source, high) => {
      const dev = machine.deviceOnIrq(source);
      if (wanted === null || (dev !== undefined && wanted.has(dev))) sink(`irq ${dev ?? 'source'} ${source} ${high ? 'raised' : 'lowered'}`);
    }
    : null;
  for (const h of machine.harts) h.trapTrace = o.traps ? (cause, interrupt) => sink(formatTrap(h, cause, interrupt)) : null;
  machine.eventTrace = o.mmio || o.traps ? sink : null;
}
