/**
 * The virtio devices a launch asks for, in the order QEMU fills slots, and the kernel
 * command line that goes with the console choice: pure, so the Node hosts (virtio-setup.ts)
 * and the browser's machine worker (web-worker.ts) share them.
 */
import { DriveOption, NetOption } from '../backends';
import { VirtioDeviceDescription } from '../machine/description';
import { DEFAULT_MAC } from '../devices/virtio/net';

export interface VirtioOptions {
  drives: readonly DriveOption[];
  nets: readonly NetOption[];
  /** Device kinds in the order given (drives and nets in their own order). */
  virtioOrder: readonly ('drive' | 'rng' | 'console' | 'net' | 'display')[];
  /** The display size for `display` (default QEMU's 1280x800). */
  display?: { width: number; height: number };
  /** Slots asked for by `--rng ...,slot=N` and `--console virtio,slot=N` (drives and nets carry their own). */
  rngSlot?: number;
  consoleSlot?: number;
}

/**
 * Virtio devices in the order given (the order QEMU fills free slots in), each with the
 * slot it asked for and a label for messages; `virtioSlots` places them on the board
 * and `checkHostFit` reports a clash.
 */
export function virtioDevices(o: VirtioOptions): VirtioDeviceDescription[] {
  let drive = 0, net = 0;
  const at = (slot: number | undefined) => (slot !== undefined ? { slot } : {});
  return o.virtioOrder.flatMap((kind): VirtioDeviceDescription[] => {
    // QEMU's -device virtio-gpu-device -device virtio-keyboard-device -device virtio-tablet-device.
    if (kind === 'display') {
      return [{ kind: 'gpu', label: 'the display (virtio-gpu)', ...(o.display !== undefined ? { display: o.display } : {}) },
        { kind: 'keyboard', label: 'the display\'s keyboard' }, { kind: 'tablet', label: 'the display\'s tablet' }];
    }
    return [one(kind)];
  });

  function one(kind: Exclude<VirtioOptions['virtioOrder'][number], 'display'>): VirtioDeviceDescription {
    if (kind === 'drive') {
      const d = o.drives[drive];
      return { kind: 'blk', drive: drive++, readOnly: d.mode === 'readonly', serial: d.serial, legacy: d.legacy, label: `drive '${d.path}'`, ...at(d.slot) };
    }
    if (kind === 'net') {
      const n = o.nets[net];
      // QEMU numbers default MACs per NIC: 52:54:00:12:34:56, ...:57, ...
      const mac = n.mac ?? DEFAULT_MAC.slice(0, -2) + (0x56 + net).toString(16).padStart(2, '0');
      return { kind: 'net', net: net++, mac, legacy: n.legacy, label: `net ${n.backend}`, ...at(n.slot) };
    }
    if (kind === 'rng') return { kind, label: 'rng', ...at(o.rngSlot) };
    return { kind, label: 'the virtio console', ...at(o.consoleSlot) };
  }
}

/**
 * Open every drive, or none: on an error the ones already open are closed again. Each
 * image is locked as QEMU locks it (image-lock.ts); one image given twice with a
 * writable one among them is refused here, by file identity, lock or no lock.
 */
/**
 * The kernel command line for the console choice: with the virtio console chosen and no
 * `console=` given, Linux is told to use it (`console=hvc0`). /chosen/stdout-path stays
 * UART0 either way, because firmware (OpenSBI, U-Boot) prints there before any virtio
 * driver exists; both devices' output reaches the same host console.
 */
export function bootargsFor(append: string | undefined, console: 'uart' | 'virtio'): string | undefined {
  if (console !== 'virtio' || /(^|\s)console=/.test(append ?? '')) return append;
  return append === undefined || append.trim() === '' ? 'console=hvc0' : `${append} console=hvc0`;
}
