/**
 * The machine, described once. Every address, IRQ number and size of the `virt`
 * board lives here; the board builder, the FDT writer and the CLI all read it.
 * Layout as QEMU 7.2's hw/riscv/virt.c (checked against `-machine virt,dumpdtb`).
 */

export type Xlen = 32 | 64;

/** `size` is the FDT reg window; `decodeSize` the part the device answers (QEMU's region), the rest faults. */
export const VIRT = {
  bootRom: { base: 0x1000, size: 0xf000 },
  sifiveTest: { base: 0x100000, size: 0x1000 },
  rtc: { base: 0x101000, size: 0x1000, decodeSize: 0x24, irq: 11 },
  clint: { base: 0x2000000, size: 0x10000, decodeSize: 0xc000 },
  plic: { base: 0xc000000, size: 0x600000, sources: 96 },
  uart0: { base: 0x10000000, size: 0x100, decodeSize: 8, irq: 10, clockHz: 3686400 },
  virtio: { base: 0x10001000, stride: 0x1000, count: 8, firstIrq: 1 },
  dram: { base: 0x80000000 },
  timebaseHz: 10_000_000,
  /** Where QEMU puts the kernel when firmware occupies the start of DRAM. */
  kernelOffset: { 64: 0x200000, 32: 0x400000 } as Record<Xlen, number>,
} as const;

/**
 * One virtio-mmio device, in command-line order. QEMU hands virtio-mmio slots out from
 * the highest address down (the first device sits at 0x10008000, checked with `info
 * qtree`); `virtioSlot` gives the slot of the n-th device.
 */
export type VirtioDeviceDescription = (
  /** `drive` indexes MachineBackends.drives; `readOnly` offers VIRTIO_BLK_F_RO. */
  | { kind: 'blk'; drive: number; readOnly: boolean; serial?: string }
  | { kind: 'rng' }
  | { kind: 'console' }
  /** `net` indexes MachineBackends.nets; `mac` as six bytes "52:54:00:12:34:56". */
  | { kind: 'net'; net: number; mac: string }
) & {
  /** Version 1 transport (QueuePFN), as QEMU's `force-legacy`. */
  legacy?: boolean;
};

/** Slot index (0 = 0x10001000) of the n-th virtio device. */
export function virtioSlot(n: number): number {
  return VIRT.virtio.count - 1 - n;
}

export interface MachineDescription {
  xlen: Xlen;
  harts: number;
  /** Bytes of DRAM at VIRT.dram.base. */
  memoryBytes: number;
  /** Kernel command line for /chosen/bootargs. */
  bootargs?: string;
  /** Physical range of the initrd, for /chosen linux,initrd-start/end. */
  initrd?: { start: number; end: number };
  /** Guest instructions per second of guest time (icount-like rate). */
  instructionsPerSecond: number;
  /** Virtio-mmio devices, at most VIRT.virtio.count, in command-line order. */
  virtio?: readonly VirtioDeviceDescription[];
}

export const MAX_HARTS = 8;
/** Largest DRAM we can back with one WebAssembly.Memory (wasm32: 4 GiB minus headroom). */
export const MAX_MEMORY_BYTES = 2048 * 1024 * 1024;

export function defaultDescription(overrides: Partial<MachineDescription> = {}): MachineDescription {
  return {
    xlen: 64,
    harts: 1,
    memoryBytes: 128 * 1024 * 1024,
    instructionsPerSecond: 100_000_000,
    ...overrides,
  };
}

/**
 * The QEMU 7.2 `-cpu` value whose hart matches ours: RV{32,64}IMAC + Zicsr + Zifencei +
 * Sstc, all 29 hpm counters present (ours read zero; QEMU's hold what is written), no
 * debug triggers, and F/D/H, Zba/Zbb/Zbc/Zbs and Zihintpause (all on by default) switched off.
 * Differential tests pass exactly this, so QEMU's DTB riscv,isa equals isaString().
 */
export const QEMU_CPU_OPTION: Record<Xlen, string> = {
  64: 'rv64,f=false,d=false,h=false,v=false,zba=false,zbb=false,zbc=false,zbs=false,Zihintpause=false,sstc=true,pmu-num=29,debug=false',
  32: 'rv32,f=false,d=false,h=false,v=false,zba=false,zbb=false,zbc=false,zbs=false,Zihintpause=false,sstc=true,pmu-num=29,debug=false',
};

/** riscv,isa exactly as QEMU 7.2 prints it for QEMU_CPU_OPTION (it has no zicntr yet). */
export function isaString(xlen: Xlen): string {
  return `rv${xlen}imac_zicsr_zifencei_sstc`;
}

/** mmu-type as QEMU 7.2 prints it: sv48 for rv64 (satp also accepts Sv39), sv32 for rv32. */
export function mmuType(xlen: Xlen): string {
  return xlen === 64 ? 'riscv,sv48' : 'riscv,sv32';
}
