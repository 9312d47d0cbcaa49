/**
 * The memory-management and device inspections in words, for the Debug Console's
 * `walk`, `tlb` and `devices` and gdb's `monitor` commands alike. Types only come in,
 * so the adapter's bundle does not carry the machine for this.
 */
import type { PageWalk, TlbEntry } from './debug-protocol';
import type { DeviceInfo } from '../devices/device-view';

const hex = (v: bigint) => `0x${v.toString(16)}`;

/** A walk in words: the Debug Console's `walk` and gdb's `monitor walk` print this. */
export function formatWalk(va: bigint, hart: number, w: PageWalk): string {
  const lines = [`${hex(va)} on hart ${hart}: ${w.mode}${w.mode === 'Bare' ? ' (no translation)' : ''}`];
  for (const l of w.levels) {
    lines.push(`  level ${l.level}: PTE ${hex(l.pte).padEnd(18)} at ${hex(l.pteAddress)}  [${l.flags || '-'}]  ppn ${hex(l.ppn)}  ${l.kind}`);
  }
  lines.push(w.pa !== null ? `  -> physical ${hex(w.pa)}` : `  -> ${w.fault ?? 'page fault'}`);
  return lines.join('\n');
}

/** A hart's TLB in words (`tlb`). */
export function formatTlb(hart: number, entries: readonly TlbEntry[]): string {
  if (entries.length === 0) return `hart ${hart}: the TLBs are empty`;
  return [`hart ${hart}: ${entries.length} entries (4 KiB pages)`,
    ...entries.map((e) => `  ${e.tlb.padEnd(5)} ${hex(e.va).padStart(18)} -> ${hex(e.pa)}${e.ram ? '' : '  (device)'}`)].join('\n');
}

/** The board's devices, one a line (`devices`): the Devices view in text. */
export function formatDevices(devices: readonly DeviceInfo[]): string {
  return devices.map((d) => `${d.name.padEnd(10)} ${d.base.padStart(11)} +0x${d.size.toString(16).padEnd(7)} ${d.irq !== undefined ? `irq ${String(d.irq).padEnd(3)}` : '       '} ${d.model}` +
    `${d.passthrough !== undefined ? `  [${d.passthrough.state}, ${d.passthrough.backend}]` : ''}${d.virtio !== undefined ? `  [${d.virtio.deviceType}, ${d.virtio.status}]` : ''}`).join('\n');
}
