/**
 * The two sides of a virtio device (virtio 1.2 §2-§4): what a device type implements, and
 * what the transport (mmio.ts) offers it. Apart from the transport so that the device
 * registry (devices/device-type.ts) can name a device without importing the transport.
 */
import { GuestRam, QueueError, SplitQueue } from './queue';
import { Saved } from '../../snapshot/saved';

/**
 * The transport seen from a device: its queues, negotiated features, guest RAM, and the
 * ways to tell the driver something (used buffers, config change, a broken driver).
 */
export interface VirtioTransport {
  readonly name: string;
  readonly ram: GuestRam;
  queue(i: number): SplitQueue;
  /** Whether feature `bit` was negotiated. */
  negotiated(bit: number): boolean;
  /** Used entries were added to queue `i`: interrupt the driver if it wants one. */
  usedBuffers(i: number): void;
  /** Config space changed: bump ConfigGeneration and raise a config interrupt. */
  configChanged(): void;
  /** The driver broke the rules: DEVICE_NEEDS_RESET, a config interrupt and a log line. */
  needsReset(why: string | QueueError): void;
  /** True while the driver may use the device (DRIVER_OK set, no reset needed). */
  readonly live: boolean;
  log(line: string): void;
}

/** One virtio device type behind the transport (Firecracker's VirtioDevice trait, reduced). */
export interface VirtioDevice {
  /** Virtio device ID (§5): 1 net, 2 block, 3 console, 4 entropy. */
  readonly deviceId: number;
  /** Device-specific feature bits offered, as [bits 0-31, bits 32-63]; the transport adds its own. */
  readonly features: readonly [number, number];
  /** Largest size of each queue; the length is the number of queues. */
  readonly queueMaxSizes: readonly number[];
  /** The device-specific configuration space, little-endian (§4.2.2: Config at 0x100). */
  config(): Uint8Array;
  /** The driver wrote config bytes (most devices ignore this). */
  writeConfig?(offset: number, bytes: Uint8Array): void;
  /** DRIVER_OK: the device may start; an error message fails activation (→ DEVICE_NEEDS_RESET). */
  activate(t: VirtioTransport): string | null;
  /** Device reset (Status written 0): drop every request in flight. */
  reset(): void;
  /** QueueNotify: buffers are available on queue `q`. */
  notify(q: number): void;
  /** Host input for the device may be taken now (called between quanta; deterministic). */
  poll?(): void;
  /**
   * Device state beyond the transport's (snapshot/saved.ts); `t` is the transport when the
   * device was active (activate ran) at the snapshot, else null.
   */
  saveState?(): Saved;
  restoreState?(s: Saved, t: VirtioTransport | null): void;
  /** Names of the device-specific feature bits, for the Devices view. */
  readonly featureNames?: Readonly<Record<number, string>>;
}

