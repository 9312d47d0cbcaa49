/**
 * The virtio-mmio transport's register map (virtio 1.2 §4.2.2), and the slot the
 * `virt` board puts at each of its eight virtio addresses. A slot without a device
 * answers as QEMU's empty transports do: magic, version, DeviceID 0 ("no device"),
 * so drivers probing every slot move on.
 *
 * `VirtioMmio` is the one transport every device sits behind, and the only code that
 * knows these registers: paged feature negotiation, the device status state machine,
 * queue setup (modern, or legacy QueuePFN with `legacy`), config space and generation,
 * InterruptStatus/ACK driving the slot's PLIC line. Devices implement `VirtioDevice`.
 */
import { MmioDevice } from '../../bus/bus';
import { DeviceModel, fieldMask, offsets } from '../regmap';
import { DeviceType, IrqWindow, unitName } from '../device-type';
import { VirtioQueueState, VirtioState } from '../device-view';
import { DescriptorChain, describeQueueError, GuestRam, QueueError, SplitQueue } from './queue';
import type { VirtioDevice, VirtioTransport } from './device';
import { list, record, restoreFields, Saved, saveFields } from '../../snapshot/saved';

const REGS = [
  { name: 'MagicValue', offset: 0x000, width: 4, access: 'RO', reset: 0x74726976, doc: '"virt" in little-endian' },
  { name: 'Version', offset: 0x004, width: 4, access: 'RO', reset: 2, doc: 'Device version: 2 = virtio 1.x (modern), 1 = legacy' },
  { name: 'DeviceID', offset: 0x008, width: 4, access: 'RO', reset: 0, doc: 'Virtio subsystem device ID; 0 = no device in this slot',
    fields: [{ name: 'ID', bits: [31, 0], enum: { 0: 'none', 1: 'net', 2: 'block', 3: 'console', 4: 'entropy', 16: 'gpu', 18: 'input' } }] },
  { name: 'VendorID', offset: 0x00c, width: 4, access: 'RO', reset: 0x554d4551, doc: 'Virtio subsystem vendor ID ("QEMU")' },
  { name: 'DeviceFeatures', offset: 0x010, width: 4, access: 'RO', reset: 0, doc: 'Feature bits of the page chosen by DeviceFeaturesSel' },
  { name: 'DeviceFeaturesSel', offset: 0x014, width: 4, access: 'WO', reset: 0, doc: 'Device feature page selector' },
  { name: 'DriverFeatures', offset: 0x020, width: 4, access: 'WO', reset: 0, doc: 'Features the driver accepts, page DriverFeaturesSel' },
  { name: 'DriverFeaturesSel', offset: 0x024, width: 4, access: 'WO', reset: 0, doc: 'Driver feature page selector' },
  { name: 'GuestPageSize', offset: 0x028, width: 4, access: 'WO', reset: 0, doc: 'Guest page size for QueuePFN', when: 'legacy (Version 1)' },
  { name: 'QueueSel', offset: 0x030, width: 4, access: 'WO', reset: 0, doc: 'Virtqueue index the Queue* registers address' },
  { name: 'QueueNumMax', offset: 0x034, width: 4, access: 'RO', reset: 0, doc: 'Largest queue size the device supports (0 = queue absent)' },
  { name: 'QueueNum', offset: 0x038, width: 4, access: 'WO', reset: 0, doc: 'Queue size the driver uses' },
  { name: 'QueueAlign', offset: 0x03c, width: 4, access: 'WO', reset: 0, doc: 'Used ring alignment in bytes', when: 'legacy (Version 1)' },
  { name: 'QueuePFN', offset: 0x040, width: 4, access: 'RW', reset: 0, doc: 'Queue page number (address / GuestPageSize); 0 = queue stopped', when: 'legacy (Version 1)' },
  { name: 'QueueReady', offset: 0x044, width: 4, access: 'RW', reset: 0, doc: 'Queue ready bit' },
  { name: 'QueueNotify', offset: 0x050, width: 4, access: 'WO', reset: 0, doc: 'Write a queue index: new buffers are available' },
  { name: 'InterruptStatus', offset: 0x060, width: 4, access: 'RO', reset: 0, doc: 'Pending interrupt causes',
    fields: [{ name: 'UsedBuffer', bits: [0, 0] }, { name: 'ConfigChange', bits: [1, 1] }] },
  { name: 'InterruptACK', offset: 0x064, width: 4, access: 'WO', reset: 0, doc: 'Write bits to acknowledge interrupt causes' },
  { name: 'Status', offset: 0x070, width: 4, access: 'RW', reset: 0, doc: 'Device status (virtio 1.2 §2.1)',
    fields: [
      { name: 'ACKNOWLEDGE', bits: [0, 0] }, { name: 'DRIVER', bits: [1, 1] }, { name: 'DRIVER_OK', bits: [2, 2] },
      { name: 'FEATURES_OK', bits: [3, 3] }, { name: 'DEVICE_NEEDS_RESET', bits: [6, 6] }, { name: 'FAILED', bits: [7, 7] },
    ] },
  { name: 'QueueDescLow', offset: 0x080, width: 4, access: 'WO', reset: 0, doc: 'Descriptor table guest-physical address, low word' },
  { name: 'QueueDescHigh', offset: 0x084, width: 4, access: 'WO', reset: 0, doc: 'Descriptor table address, high word' },
  { name: 'QueueDriverLow', offset: 0x090, width: 4, access: 'WO', reset: 0, doc: 'Available ring address, low word' },
  { name: 'QueueDriverHigh', offset: 0x094, width: 4, access: 'WO', reset: 0, doc: 'Available ring address, high word' },
  { name: 'QueueDeviceLow', offset: 0x0a0, width: 4, access: 'WO', reset: 0, doc: 'Used ring address, low word' },
  { name: 'QueueDeviceHigh', offset: 0x0a4, width: 4, access: 'WO', reset: 0, doc: 'Used ring address, high word' },
  { name: 'SHMSel', offset: 0x0ac, width: 4, access: 'WO', reset: 0, doc: 'Shared memory region selector (there are none)' },
  { name: 'SHMLenLow', offset: 0x0b0, width: 4, access: 'RO', reset: 0xffffffff, doc: 'Selected shared memory region length, low word: -1, no such region' },
  { name: 'SHMLenHigh', offset: 0x0b4, width: 4, access: 'RO', reset: 0xffffffff, doc: 'Selected shared memory region length, high word: -1, no such region' },
  { name: 'QueueReset', offset: 0x0c0, width: 4, access: 'RW', reset: 0, doc: 'Write 1: reset the selected queue; reads 0 when done (VIRTIO_F_RING_RESET)' },
  { name: 'ConfigGeneration', offset: 0x0fc, width: 4, access: 'RO', reset: 0, doc: 'Changes whenever the device configuration changes' },
  { name: 'Config', offset: 0x100, width: 4, access: 'RW', reset: 0, count: 64, stride: 4, doc: 'Device-specific configuration space' },
] as const;

export const VIRTIO_MMIO_MODEL: DeviceModel = {
  model: 'virtio-mmio',
  compatible: ['virtio,mmio'],
  doc: 'Virtio over MMIO transport (virtio 1.2 §4.2); one slot of the virt board.',
  size: 0x1000,
  registers: REGS,
};

const R = offsets(REGS);
const STATUS_REG = REGS.find((r) => r.name === 'Status') as (typeof REGS)[number];
const INT_REG = REGS.find((r) => r.name === 'InterruptStatus') as (typeof REGS)[number];

/** virtio 1.2 §2.1 device status bits, read from the register map. */
export const STATUS = {
  ACKNOWLEDGE: fieldMask(STATUS_REG, 'ACKNOWLEDGE'),
  DRIVER: fieldMask(STATUS_REG, 'DRIVER'),
  DRIVER_OK: fieldMask(STATUS_REG, 'DRIVER_OK'),
  FEATURES_OK: fieldMask(STATUS_REG, 'FEATURES_OK'),
  DEVICE_NEEDS_RESET: fieldMask(STATUS_REG, 'DEVICE_NEEDS_RESET'),
  FAILED: fieldMask(STATUS_REG, 'FAILED'),
} as const;

/** InterruptStatus causes (§4.2.2). */
export const INT = { USED_BUFFER: fieldMask(INT_REG, 'UsedBuffer'), CONFIG_CHANGE: fieldMask(INT_REG, 'ConfigChange') } as const;
/**
 * InterruptStatus bits a configuration notification sets: both, as QEMU 7.2's
 * virtio_notify_config always has (0x3; Linux takes it as a config change plus a look at
 * every queue).
 */
const CONFIG_NOTIFY = INT.CONFIG_CHANGE | INT.USED_BUFFER;

/** Reserved feature bits the transport itself handles (virtio 1.2 §6). */
export const VIRTIO_F = { INDIRECT_DESC: 28, EVENT_IDX: 29, VERSION_1: 32, RING_RESET: 40 } as const;

export const VIRTIO_MAGIC = 0x74726976;
const VENDOR_QEMU = 0x554d4551;
/** QEMU's virtio-mmio region answers 0x200 bytes; beyond that reads are 0. */
const CONFIG_END = 0x200;

/**
 * Serve the available chains of queue `q` in order, at most one queue's worth (each
 * pop consumes an avail entry, so this ends), while `more()` says there is work:
 * `serve` handles a chain and returns how many bytes it wrote into it. A queue error
 * puts the device in DEVICE_NEEDS_RESET; the driver is interrupted if anything was used.
 */
export function serveChains(t: VirtioTransport, q: number, serve: (chain: DescriptorChain) => number, more: () => boolean = () => true): void {
  const queue = t.queue(q);
  let used = false;
  for (let n = 0; n < queue.size && more(); n++) {
    const next = queue.pop();
    if (!next.ok) { t.needsReset(next.error); return; }
    const chain = next.value;
    if (chain === null) break;
    const err = queue.pushUsed(chain.head, serve(chain));
    if (err !== null) { t.needsReset(err); return; }
    used = true;
  }
  if (used) t.usedBuffers(q);
}

export type { VirtioDevice, VirtioTransport } from './device';

/** Virtio device ids (virtio 1.2 §5), once: each device answers its own in DeviceID; the Devices view names them. */
export const VIRTIO_ID = { net: 1, block: 2, console: 3, entropy: 4, gpu: 16, input: 18 } as const;
const DEVICE_TYPES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(VIRTIO_ID).map(([k, v]) => [v, k]));
const TRANSPORT_FEATURES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(VIRTIO_F).map(([k, v]) => [v, k]));

/** Options of one transport: `legacy` answers Version 1 with QueuePFN (QEMU's force-legacy). */
export interface VirtioMmioOptions { legacy?: boolean }

/**
 * The status transitions a driver may make (§3.1.1 driver initialization), as a table:
 * each bit a driver sets and the bits that must be set before it (or with it). A write
 * may only add bits; 0 resets and FAILED may be set at any time. ACKNOWLEDGE is not
 * required before DRIVER: U-Boot 2023.01 resets the device between the two.
 */
const STATUS_REQUIRES: readonly { bit: number; modern: number; legacy: number }[] = [
  { bit: STATUS.ACKNOWLEDGE, modern: 0, legacy: 0 },
  { bit: STATUS.DRIVER, modern: 0, legacy: 0 },
  { bit: STATUS.FEATURES_OK, modern: STATUS.DRIVER, legacy: STATUS.DRIVER },
  // Legacy drivers (virtio 0.9.5) have no FEATURES_OK step.
  { bit: STATUS.DRIVER_OK, modern: STATUS.DRIVER | STATUS.FEATURES_OK, legacy: STATUS.DRIVER },
];
const DRIVER_BITS = STATUS_REQUIRES.reduce((m, r) => m | r.bit, 0);

/** Why `cur` → `next` is not a valid transition, or null when it is. */
export function invalidTransition(cur: number, next: number, legacy: boolean): string | null {
  if ((next & ~DRIVER_BITS) !== 0) return `unknown bits 0x${(next & ~DRIVER_BITS).toString(16)}`;
  if ((cur & ~next) !== 0) return 'clears bits (only a write of 0 resets)';
  for (const r of STATUS_REQUIRES) {
    const need = legacy ? r.legacy : r.modern;
    if ((next & r.bit) !== 0 && (cur & r.bit) === 0 && (next & need) !== need) return `sets 0x${r.bit.toString(16)} before 0x${need.toString(16)}`;
  }
  return null;
}

/** The transport's registers that are machine state (its queues and device save their own). */
const MMIO_STATE = ['driverFeatures', 'status', 'interruptStatus', 'configGeneration', 'deviceFeaturesSel', 'driverFeaturesSel',
  'queueSel', 'guestPageSize', 'queueAlign', 'queuePfn', 'irqLevel'] as const;

export class VirtioMmio implements MmioDevice, VirtioTransport {
  readonly model = VIRTIO_MMIO_MODEL;
  readonly legacy: boolean;
  private readonly queues: SplitQueue[];
  /** Offered features (device's plus the transport's), as two 32-bit pages. */
  readonly offered: [number, number];
  private driverFeatures: [number, number] = [0, 0];
  private status = 0;
  private interruptStatus = 0;
  private configGeneration = 0;
  private deviceFeaturesSel = 0;
  private driverFeaturesSel = 0;
  private queueSel = 0;
  private guestPageSize = 4096;
  private queueAlign = 4096;
  private readonly queuePfn: number[];
  private irqLevel = false;

  constructor(readonly name: string, readonly ram: GuestRam, readonly device: VirtioDevice,
    private readonly setIrq: (high: boolean) => void, private readonly logLine: (line: string) => void,
    options: VirtioMmioOptions = {}) {
    this.legacy = options.legacy === true;
    this.queues = device.queueMaxSizes.map((m) => new SplitQueue(m, name));
    this.queuePfn = device.queueMaxSizes.map(() => 0);
    const transportLow = (1 << VIRTIO_F.INDIRECT_DESC) | (1 << VIRTIO_F.EVENT_IDX);
    const transportHigh = this.legacy ? 0 : (1 << (VIRTIO_F.VERSION_1 - 32)) | (1 << (VIRTIO_F.RING_RESET - 32));
    this.offered = [(device.features[0] | transportLow) >>> 0, (device.features[1] | transportHigh) >>> 0];
  }

  /* ---- VirtioTransport ---- */

  queue(i: number): SplitQueue { return this.queues[i]; }

  negotiated(bit: number): boolean {
    return bit >= 0 && bit < 64 && ((this.driverFeatures[bit >>> 5] >>> (bit & 31)) & 1) === 1;
  }

  get live(): boolean { return (this.status & (STATUS.DRIVER_OK | STATUS.DEVICE_NEEDS_RESET | STATUS.FAILED)) === STATUS.DRIVER_OK; }

  get statusValue(): number { return this.status; }

  usedBuffers(i: number): void {
    if (this.queues[i].needsInterrupt()) this.raise(INT.USED_BUFFER);
  }

  /**
   * §4.2.2.1 / §2.5.1: the configuration changed. As QEMU 7.2's virtio_notify_config: no
   * interrupt before DRIVER_OK, and InterruptStatus gets CONFIG_NOTIFY.
   */
  configChanged(): void {
    this.configGeneration = (this.configGeneration + 1) >>> 0;
    if ((this.status & STATUS.DRIVER_OK) !== 0) this.raise(CONFIG_NOTIFY);
  }

  needsReset(why: string | QueueError): void {
    this.log(`device needs reset: ${typeof why === 'string' ? why : describeQueueError(why)}`);
    if ((this.status & STATUS.DEVICE_NEEDS_RESET) !== 0) return;
    // §2.1.2: with DRIVER_OK set, the device MUST send a configuration change notification.
    this.status |= STATUS.DEVICE_NEEDS_RESET;
    if ((this.status & STATUS.DRIVER_OK) !== 0) this.raise(CONFIG_NOTIFY);
  }

  log(line: string): void { this.logLine(`${this.name}: ${line}`); }

  private raise(bits: number): void {
    this.interruptStatus |= bits;
    this.updateIrq();
  }

  private updateIrq(): void {
    const level = this.interruptStatus !== 0;
    if (level !== this.irqLevel) { this.irqLevel = level; this.setIrq(level); }
  }

  saveState(): Saved {
    return { ...saveFields(this, MMIO_STATE), queues: this.queues.map((q) => q.saveState()), device: this.device.saveState?.() ?? null };
  }

  /** A device is active (has its transport) from DRIVER_OK until reset, as `activate` and `reset` leave it. */
  restoreState(s: Saved): void {
    const r = record(s);
    restoreFields(this, MMIO_STATE, r);
    const qs = list(r.queues);
    this.queues.forEach((q, i) => q.restoreState(qs[i], this.ram));
    const active = (this.status & STATUS.DRIVER_OK) !== 0 ? this : null;
    this.device.restoreState?.(r.device, active);
  }

  /** Device reset (§2.4): status 0, features, queues and interrupts back to their reset state. */
  reset(): void {
    this.device.reset();
    for (const q of this.queues) q.reset();
    this.queuePfn.fill(0);
    this.status = 0;
    this.driverFeatures = [0, 0];
    this.interruptStatus = 0;
    this.deviceFeaturesSel = 0; this.driverFeaturesSel = 0; this.queueSel = 0;
    this.guestPageSize = 4096; this.queueAlign = 4096;
    this.updateIrq();
  }

  /* ---- MmioDevice ---- */

  /** A read without its log line (the only side effect a read here has). */
  peek(offset: number, size: number): number {
    return offset < R.Config && (size !== 4 || (offset & 3) !== 0) ? 0 : this.read(offset, size);
  }

  /** What the Devices view shows beyond the registers: status, negotiated features, queues. */
  viewState(): VirtioState {
    const statusNames = Object.entries(STATUS).filter(([, bit]) => (this.status & bit) !== 0).map(([n]) => n);
    const features: string[] = [];
    for (let bit = 0; bit < 64; bit++) {
      if (this.negotiated(bit)) features.push(TRANSPORT_FEATURES[bit] ?? this.device.featureNames?.[bit] ?? `bit ${bit}`);
    }
    const ram = this.ram;
    const queues = this.queues.map((q, index): VirtioQueueState => {
      const availIdxAt = q.avail + 2;
      const availIdx = q.ready && availIdxAt >= ram.base && availIdxAt + 2 <= ram.base + ram.size ? ram.dv.getUint16(availIdxAt - ram.base, true) : null;
      return {
        index, size: q.size, maxSize: q.maxSize, ready: q.ready, desc: hex(q.desc), avail: hex(q.avail), used: hex(q.used),
        availIdx, lastAvail: q.lastAvail, usedIdx: q.usedIdx,
      };
    });
    return { deviceType: DEVICE_TYPES[this.device.deviceId] ?? `id ${this.device.deviceId}`, status: statusNames.join(' ') || 'reset', features, queues };
  }

  read(offset: number, size: number): number {
    if (offset >= R.Config) return offset < CONFIG_END ? this.readConfig(offset - R.Config, size) : 0;
    if (size !== 4 || (offset & 3) !== 0) { this.log(`${size}-byte read at +0x${offset.toString(16)} ignored (registers are 32-bit)`); return 0; }
    const q = this.queues[this.queueSel] as SplitQueue | undefined;
    switch (offset) {
      case R.MagicValue: return VIRTIO_MAGIC;
      case R.Version: return this.legacy ? 1 : 2;
      case R.DeviceID: return this.device.deviceId;
      case R.VendorID: return VENDOR_QEMU;
      case R.DeviceFeatures: return this.deviceFeaturesSel < 2 ? this.offered[this.deviceFeaturesSel] | 0 : 0;
      case R.QueueNumMax: return q?.maxSize ?? 0;
      case R.QueueReady: return !this.legacy && q?.ready === true ? 1 : 0;
      case R.QueuePFN: return this.legacy && q !== undefined ? this.queuePfn[this.queueSel] : 0;
      case R.InterruptStatus: return this.interruptStatus;
      case R.Status: return this.status;
      case R.QueueReset: return 0;
      // virtio 1.2 §4.2.2: a length of -1 says the selected region does not exist; we
      // have none, and QEMU 7.2 answers -1 whatever is selected (Linux's virtio-gpu probes
      // its host-visible region this way and fails on any other length).
      case R.SHMLenLow: case R.SHMLenHigh: return 0xffffffff;
      case R.ConfigGeneration: return this.legacy ? 0 : this.configGeneration;
      default: return 0;
    }
  }

  write(offset: number, size: number, value: number): void {
    if (offset >= R.Config) {
      if (offset < CONFIG_END) this.writeConfig(offset - R.Config, size, value);
      return;
    }
    if (size !== 4 || (offset & 3) !== 0) { this.log(`${size}-byte write at +0x${offset.toString(16)} ignored (registers are 32-bit)`); return; }
    const v = value >>> 0;
    const q = this.queues[this.queueSel] as SplitQueue | undefined;
    switch (offset) {
      case R.DeviceFeaturesSel: this.deviceFeaturesSel = v; break;
      case R.DriverFeaturesSel: this.driverFeaturesSel = v; break;
      case R.DriverFeatures: this.writeDriverFeatures(v); break;
      // QEMU 7.2 keeps the lowest set bit (its page shift is ctz32), 0 meaning 1-byte pages.
      case R.GuestPageSize: if (this.legacy) this.guestPageSize = v === 0 ? 1 : (v & -v) >>> 0; break;
      case R.QueueSel: this.queueSel = v; break;
      case R.QueueNum: if (q !== undefined && this.queueConfigurable(q)) q.size = v; break;
      case R.QueueAlign: if (this.legacy) this.queueAlign = v; break;
      case R.QueuePFN: if (this.legacy && q !== undefined) this.writeQueuePfn(q, v); break;
      case R.QueueReady: if (!this.legacy && q !== undefined) this.writeQueueReady(q, v); break;
      case R.QueueNotify: this.notify(v); break;
      case R.SHMSel: break; // no regions to select
      case R.InterruptACK: this.interruptStatus &= ~v; this.updateIrq(); break;
      case R.Status: this.writeStatus(v); break;
      case R.QueueDescLow: if (q !== undefined && this.queueConfigurable(q)) q.desc = setLow(q.desc, v); break;
      case R.QueueDescHigh: if (q !== undefined && this.queueConfigurable(q)) q.desc = setHigh(q.desc, v); break;
      case R.QueueDriverLow: if (q !== undefined && this.queueConfigurable(q)) q.avail = setLow(q.avail, v); break;
      case R.QueueDriverHigh: if (q !== undefined && this.queueConfigurable(q)) q.avail = setHigh(q.avail, v); break;
      case R.QueueDeviceLow: if (q !== undefined && this.queueConfigurable(q)) q.used = setLow(q.used, v); break;
      case R.QueueDeviceHigh: if (q !== undefined && this.queueConfigurable(q)) q.used = setHigh(q.used, v); break;
      case R.QueueReset:
        // virtio 1.2 §4.2.3.4: reset the selected queue when VIRTIO_F_RING_RESET was negotiated.
        if (v === 1 && q !== undefined && this.negotiated(VIRTIO_F.RING_RESET)) q.reset();
        break;
      default: this.log(`write 0x${v.toString(16)} to read-only or unknown register +0x${offset.toString(16)} ignored`);
    }
  }

  private queueConfigurable(q: SplitQueue): boolean {
    if (q.ready) { this.log('queue setup written while the queue is ready: ignored'); return false; }
    return true;
  }

  private writeDriverFeatures(v: number): void {
    if ((this.status & STATUS.FEATURES_OK) !== 0 || (this.status & STATUS.DRIVER) === 0) {
      this.log('DriverFeatures written outside feature negotiation: ignored');
      return;
    }
    const page = this.driverFeaturesSel;
    if (page >= 2) { if (v !== 0) this.log(`DriverFeatures page ${page} (0x${v.toString(16)}) not offered: refused`); return; }
    const unknown = (v & ~this.offered[page]) >>> 0;
    if (unknown !== 0) this.log(`driver accepted features never offered (page ${page}, 0x${unknown.toString(16)}): refused`);
    this.driverFeatures[page] = (v & this.offered[page]) >>> 0;
  }

  private writeStatus(v: number): void {
    if (v === 0) { this.reset(); return; }
    const keep = this.status & STATUS.DEVICE_NEEDS_RESET;
    const cur = this.status & ~(STATUS.DEVICE_NEEDS_RESET | STATUS.FAILED);
    const next = v & ~STATUS.DEVICE_NEEDS_RESET;
    // §2.1.1: the driver gave up on the device; the other bits stay as they were.
    if ((next & STATUS.FAILED) !== 0) { this.status |= STATUS.FAILED; this.log('driver set FAILED'); return; }
    if (next === cur) return;
    const invalid = invalidTransition(cur, next, this.legacy);
    if (invalid !== null) {
      this.log(`status 0x${cur.toString(16)} -> 0x${next.toString(16)} is not a valid transition (${invalid}): ignored`);
      return;
    }
    if ((next & STATUS.FEATURES_OK) !== 0 && (cur & STATUS.FEATURES_OK) === 0) this.featuresAccepted();
    this.status = next | keep;
    if ((next & STATUS.DRIVER_OK) !== 0 && (cur & STATUS.DRIVER_OK) === 0) this.activate();
  }

  /**
   * §6.2: a device MAY fail to operate when the driver did not accept VERSION_1; QEMU
   * 7.2 accepts it (virtio_set_status validates only with VERSION_1 negotiated) and the
   * device then behaves as a legacy one: devices key on negotiated(VERSION_1), e.g.
   * virtio-net's 10-byte header. xv6-riscv writes only the low 32 feature bits.
   */
  private featuresAccepted(): void {
    if (!this.legacy && !this.negotiated(VIRTIO_F.VERSION_1)) {
      this.log('driver did not accept VIRTIO_F_VERSION_1 on a modern transport: FEATURES_OK accepted as QEMU does, '
        + 'the device keeps legacy formats (e.g. a 10-byte virtio-net header)');
    }
  }

  private activate(): void {
    for (let i = 0; i < this.queues.length; i++) {
      const q = this.queues[i];
      q.indirect = this.negotiated(VIRTIO_F.INDIRECT_DESC);
      q.eventIdx = this.negotiated(VIRTIO_F.EVENT_IDX);
    }
    const err = this.device.activate(this);
    if (err !== null) this.needsReset(`activation failed: ${err}`);
  }

  private writeQueueReady(q: SplitQueue, v: number): void {
    if (v === 0) { q.ready = false; return; }
    if (q.ready) return;
    q.indirect = this.negotiated(VIRTIO_F.INDIRECT_DESC);
    q.eventIdx = this.negotiated(VIRTIO_F.EVENT_IDX);
    this.startQueue(q);
  }

  /** Activate `q` with the rings the driver set; misaligned rings work, as on QEMU, with one log line. */
  private startQueue(q: SplitQueue): void {
    const err = q.activate(this.ram);
    if (err !== null) { this.needsReset(err); return; }
    const odd = q.misalignedRings();
    if (odd.length > 0) this.log(`queue ${this.queueSel}: ${odd.join(', ')} not aligned as virtio 1.2 §2.7 asks; used anyway, as QEMU does`);
    q.ready = true;
  }

  /**
   * Legacy (virtio 1.2 §4.2.4, §2.7.2 legacy layout): the rings are laid out from one
   * page number. The used ring starts at the first QueueAlign boundary after the avail
   * ring and its used_event, as the spec and Linux lay it out (QEMU 7.2 leaves used_event
   * out of the sum; the two agree for every QueueAlign of 16 or more). Any non-zero
   * QueueAlign works, as on QEMU.
   */
  private writeQueuePfn(q: SplitQueue, pfn: number): void {
    this.queuePfn[this.queueSel] = pfn;
    if (pfn === 0) { q.reset(); return; }
    const page = this.guestPageSize, align = this.queueAlign;
    if (align === 0) { this.needsReset('QueuePFN written with QueueAlign 0'); return; }
    const n = q.size === 0 ? q.maxSize : q.size;
    q.size = n;
    q.desc = pfn * page;
    q.avail = q.desc + 16 * n;
    q.used = Math.ceil((q.avail + 6 + 2 * n) / align) * align;
    q.indirect = this.negotiated(VIRTIO_F.INDIRECT_DESC);
    q.eventIdx = this.negotiated(VIRTIO_F.EVENT_IDX);
    this.startQueue(q);
  }

  private notify(index: number): void {
    if (!this.live) { this.log(`QueueNotify ${index} before DRIVER_OK or after an error: ignored`); return; }
    const q = this.queues[index] as SplitQueue | undefined;
    if (q === undefined) { this.log(`QueueNotify for queue ${index}, which does not exist: ignored`); return; }
    if (!q.ready) { this.log(`QueueNotify for queue ${index}, which is not ready: ignored`); return; }
    this.device.notify(index);
  }

  /** Host input may enter the device now (the machine calls this between quanta). */
  poll(): void {
    if (this.live) this.device.poll?.();
  }

  private readConfig(off: number, size: number): number {
    const c = this.device.config();
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = (v << 8) | (off + i < c.length ? c[off + i] : 0);
    return v;
  }

  private writeConfig(off: number, size: number, value: number): void {
    if (this.device.writeConfig === undefined) { this.log(`config write at +0x${off.toString(16)} ignored (read-only config)`); return; }
    const b = new Uint8Array(size);
    for (let i = 0; i < size; i++) b[i] = (value >>> (8 * i)) & 0xff;
    this.device.writeConfig(off, b);
  }
}

const hex = (n: number) => `0x${n.toString(16)}`;

function setLow(addr: number, lo: number): number { return Math.floor(addr / 0x1_0000_0000) * 0x1_0000_0000 + lo; }
function setHigh(addr: number, hi: number): number { return hi * 0x1_0000_0000 + (addr % 0x1_0000_0000); }

/** A virtio-mmio slot with no device behind it. */
export class EmptyVirtioSlot implements MmioDevice {
  readonly model = VIRTIO_MMIO_MODEL;
  constructor(readonly name: string) {}

  peek(offset: number): number {
    switch (offset) {
      case R.MagicValue: return VIRTIO_MAGIC;
      case R.Version: return 2;
      case R.VendorID: return VENDOR_QEMU;
      default: return 0; // DeviceID 0: nothing here
    }
  }

  read(offset: number): number { return this.peek(offset); }
  write(): void { /* no device: writes have no effect */ }
}

/**
 * Virtio-mmio slots: a transport with the device the host put in the slot, or an empty
 * one. Slot 0 is the lowest address (QEMU's numbering; description.ts virtioSlots).
 */
export const VIRTIO_MMIO: DeviceType<IrqWindow, 'virtio', true> = {
  key: 'virtio', many: true, model: VIRTIO_MMIO_MODEL, decodeSize: 0x1000,
  name: (i) => `virtio${i}`,
  build(place, i, ctx) {
    const name = `virtio${i}`;
    const d = ctx.virtioDevice(i);
    if (d === undefined) return { dev: new EmptyVirtioSlot(name), group: 'hidden' };
    const t = new VirtioMmio(name, ctx.ram, d.device, ctx.line(place?.irq), (msg) => ctx.log(msg), { legacy: d.legacy });
    return { dev: t, group: 'virtio', virtio: () => t.viewState(), poll: () => t.poll(), reset: () => t.reset() };
  },
  fdt: {
    // QEMU lists the slots from the highest address down; Linux probes them in tree order,
    // so this order decides which device becomes vda, vdb, ...
    soc(places, { fdt, irq }) {
      for (const v of [...places].reverse()) {
        fdt.beginNode(unitName('virtio_mmio', v.base));
        irq(v.irq);
        fdt.propU64Cells('reg', [v.base, v.size]).propString('compatible', 'virtio,mmio').endNode();
      }
    },
  },
  dts: { sortByAddress: true, place: (n, ctx) => ctx.placed(n, 'virtio-mmio transport', 0x200) },
};
