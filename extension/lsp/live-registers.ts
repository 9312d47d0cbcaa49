/**
 * Live registers in the hover of a device node, during an `osdev` debug session. The
 * server cannot see the session: it asks the client (client.ts), which asks the debug
 * adapter (`osdev/devices`, values peeked without side effects) for the device whose
 * base is the node's unit address. Optional all the way: no session, no answer in time,
 * or a client that never offered it, and the hover is the plain one.
 */

import type { DeviceInfo } from '../../emulator';

/** Server → client request: the device at a physical base address, or null. */
export const LIVE_REGISTERS_REQUEST = 'osdev/liveRegisters';
export interface LiveRegistersParams { address: string }
export type LiveRegistersResult = DeviceInfo | null;

/** How long a hover waits for the session before it shows without live values. */
export const LIVE_REGISTERS_TIMEOUT_MS = 500;

/** At most this many registers in a hover; the Devices view has them all. */
const MAX_ROWS = 32;

function value(v: number | string | null, width: number): string {
  if (v === null) return '—';
  if (typeof v === 'string') return v;
  return `0x${(v >>> 0).toString(16).padStart(width * 2, '0')}`;
}

export function liveRegistersMarkdown(dev: DeviceInfo): string {
  const rows = dev.registers.slice(0, MAX_ROWS).map((r) => {
    const fields = r.fields.filter((f) => f.value !== 0 || f.text !== undefined).map((f) => `${f.name}=${f.text ?? f.value}`).join(' ');
    return `| +0x${r.offset.toString(16)} | ${r.name} | ${value(r.value, r.width)} | ${fields} |`;
  });
  const more = dev.registers.length > MAX_ROWS ? `\n… ${dev.registers.length - MAX_ROWS} more in the Devices view` : '';
  const state = dev.passthrough !== undefined ? ` — ${dev.passthrough.state}` : '';
  return [`**Live: ${dev.name}** (${dev.model} at ${dev.base}${state})`, '', '| offset | register | value | fields |', '|---|---|---|---|', ...rows].join('\n') + more;
}
