/**
 * The virtio-mmio transport's register map (virtio 1.2 §4.2.2), and the slot the
 * `virt` board puts at each of its eight virtio addresses. A slot without a device
 * answers as QEMU's empty transports do: magic, version, DeviceID 0 ("no device"),
 * so drivers probing every slot move on. Devices arrive with the virtio issue.
 */
import { MmioDevice } from '../../bus/bus';
import { DeviceModel, offsets } from '../regmap';
import { VIRT } from '../../machine/description';

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
  { name: 'QueueSel', offset: 0x030, width: 4, access: 'WO', reset: 0, doc: 'Virtqueue index the Queue* registers address' },
  { name: 'QueueNumMax', offset: 0x034, width: 4, access: 'RO', reset: 0, doc: 'Largest queue size the device supports (0 = queue absent)' },
  { name: 'QueueNum', offset: 0x038, width: 4, access: 'WO', reset: 0, doc: 'Queue size the driver uses' },
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
  { name: 'ConfigGeneration', offset: 0x0fc, width: 4, access: 'RO', reset: 0, doc: 'Changes whenever the device configuration changes' },
  { name: 'Config', offset: 0x100, width: 4, access: 'RW', reset: 0, count: 64, stride: 4, doc: 'Device-specific configuration space' },
] as const;

export const VIRTIO_MMIO_MODEL: DeviceModel = {
  model: 'virtio-mmio',
  compatible: ['virtio,mmio'],
  doc: 'Virtio over MMIO transport (virtio 1.2 §4.2); one slot of the virt board.',
  size: VIRT.virtio.stride,
  registers: REGS,
};

const R = offsets(REGS);

/** A virtio-mmio slot with no device behind it. */
export class EmptyVirtioSlot implements MmioDevice {
  constructor(readonly name: string) {}

  peek(offset: number): number {
    switch (offset) {
      case R.MagicValue: return 0x74726976;
      case R.Version: return 2;
      case R.VendorID: return 0x554d4551;
      default: return 0; // DeviceID 0: nothing here
    }
  }

  read(offset: number): number { return this.peek(offset); }
  write(): void { /* no device: writes have no effect */ }
}
