/**
 * QEMU's firmware configuration device, MMIO flavour (QEMU docs/specs/fw_cfg.txt), as
 * QEMU 7.2's virt maps it at 0x10100000: data at +0 (a byte stream, up to 8 bytes per
 * read, in memory order), the selector at +8 (16-bit writes only, big-endian), the DMA
 * address at +0x10 (big-endian; reads give "QEMU CFG"). Accesses QEMU's regions refuse
 * (a selector read, a data access off +0, a DMA write of the wrong width, the hole at
 * +0xa..+0xf) are access faults, as there.
 *
 * The items are what this machine can really answer: the signature, the feature id
 * (traditional + DMA), the hart count, and the three files QEMU's virt lists for a
 * machine like ours (no boot order, no BIOS disk geometry, never reboot on a failed
 * boot). Everything else reads as an empty item, zeros, as an unused key does on QEMU.
 */
import { MmioDevice } from '../bus/bus';
import { DeviceModel } from './regmap';
import { DeviceType, DeviceWindow, unitName } from './device-type';
import { GuestRam } from './virtio/queue';
import { record, Saved } from '../snapshot/saved';

export const FW_CFG_MODEL: DeviceModel = {
  model: 'fw-cfg',
  compatible: ['qemu,fw-cfg-mmio'],
  doc: 'QEMU firmware configuration: select an item, read it as a byte stream or by DMA.',
  size: 0x18,
  registers: [
    { name: 'DATA', offset: 0x0, width: 8, access: 'RO', reset: 0, doc: 'Next bytes of the selected item, in memory order (1-8 per read); writes are ignored' },
    { name: 'SELECTOR', offset: 0x8, width: 2, access: 'WO', reset: 0, doc: 'Item key, big-endian; selecting restarts the item at byte 0' },
    { name: 'DMA', offset: 0x10, width: 8, access: 'RW', reset: 0, doc: 'Guest address of an FWCfgDmaAccess, big-endian; writing the low word (+0x14) runs it. Reads "QEMU CFG"' },
  ],
};

/** Item keys (fw_cfg.txt "Selector Register" and "File Directory"). */
const KEY = { SIGNATURE: 0x0000, ID: 0x0001, NB_CPUS: 0x0005, FILE_DIR: 0x0019, FILE_FIRST: 0x0020 } as const;
/** Keys with this bit are the architecture's own table, empty on riscv; the write-channel bit is masked off. */
const ARCH_LOCAL = 0x8000, ENTRY_MASK = 0x3fff;
/** ID bits: the traditional interface and DMA. */
const ID = { TRADITIONAL: 1, DMA: 2 } as const;
/** FWCfgDmaAccess control bits. */
const CTL = { ERROR: 0x01, READ: 0x02, SKIP: 0x04, SELECT: 0x08, WRITE: 0x10 } as const;
const DMA_SIGNATURE = new TextEncoder().encode('QEMU CFG');
/** Register offsets. */
const DATA = 0x0, SELECTOR = 0x8, DMA = 0x10;
/** A file directory entry: size (4), select (2), reserved (2), name (56). */
const FILE_NAME_BYTES = 56;

function le(value: number, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (value >>> (8 * i)) & 0xff;
  return out;
}

/** The items: keys to bytes, the file directory built from `files` (in name order, as QEMU keeps them). */
function items(harts: number): Map<number, Uint8Array> {
  const files: [string, Uint8Array][] = [
    ['bios-geometry', new Uint8Array(0)],
    ['bootorder', new Uint8Array(0)],
    // QEMU's -boot reboot-timeout default: -1, never reboot after a failed boot.
    ['etc/boot-fail-wait', le(0xffffffff, 4)],
  ];
  const m = new Map<number, Uint8Array>([
    [KEY.SIGNATURE, new TextEncoder().encode('QEMU')],
    [KEY.ID, le(ID.TRADITIONAL | ID.DMA, 4)],
    [KEY.NB_CPUS, le(harts, 2)],
  ]);
  const dir = new Uint8Array(4 + 64 * files.length);
  const dv = new DataView(dir.buffer);
  dv.setUint32(0, files.length, false);
  files.forEach(([name, data], i) => {
    const at = 4 + 64 * i;
    dv.setUint32(at, data.length, false);
    dv.setUint16(at + 4, KEY.FILE_FIRST + i, false);
    dir.set(new TextEncoder().encode(name).subarray(0, FILE_NAME_BYTES - 1), at + 8);
    m.set(KEY.FILE_FIRST + i, data);
  });
  m.set(KEY.FILE_DIR, dir);
  return m;
}

export class FwCfg implements MmioDevice {
  // fw_cfg, not fw-cfg: the debugger reads device registers as NAME.REG in expressions.
  readonly name = 'fw_cfg';
  readonly model = FW_CFG_MODEL;
  readonly maxAccess = 8 as const;
  hi = 0;
  private readonly items: Map<number, Uint8Array>;
  private item: Uint8Array | undefined;
  private offset = 0;
  /** The selector last written, which names `item` (a snapshot saves the key, not the bytes). */
  private key = 0;
  /** The DMA address's high word, written before the low word that runs the transfer. */
  private dmaHigh = 0;

  constructor(harts: number, private readonly ram: GuestRam) {
    this.items = items(harts);
    this.reset();
  }

  reset(): void {
    this.select(KEY.SIGNATURE);
    this.dmaHigh = 0;
  }

  saveState(): Saved { return { key: this.key, offset: this.offset, dmaHigh: this.dmaHigh, hi: this.hi }; }
  restoreState(s: Saved): void {
    const r = record(s);
    this.select(r.key as number);
    this.offset = r.offset as number;
    this.dmaHigh = r.dmaHigh as number;
    this.hi = r.hi as number;
  }

  private select(key: number): void {
    this.key = key;
    this.item = (key & ARCH_LOCAL) !== 0 ? undefined : this.items.get(key & ENTRY_MASK);
    this.offset = 0;
  }

  /** The next byte of the selected item; 0 past its end, which does not move. */
  private next(): number {
    const it = this.item;
    return it === undefined || this.offset >= it.length ? 0 : it[this.offset++];
  }

  rejects(offset: number, size: number, write: boolean): boolean {
    if (offset < SELECTOR) return offset !== DATA;
    if (offset < SELECTOR + 2) return !(write && offset === SELECTOR && size === 2);
    if (offset < DMA) return true;
    return write && !((size === 4 && (offset === DMA || offset === DMA + 4)) || (size === 8 && offset === DMA));
  }

  read(offset: number, size: number): number {
    if (offset >= DMA) return this.peek(offset, size);
    let lo = 0, hi = 0;
    for (let i = 0; i < size; i++) {
      const b = this.next();
      if (i < 4) lo |= b << (8 * i); else hi |= b << (8 * (i - 4));
    }
    this.hi = hi;
    return lo;
  }

  /** The DMA register's signature bytes (the data stream cannot be peeked: a read moves it). */
  peek(offset: number, size: number): number {
    if (offset < DMA) return 0;
    let lo = 0, hi = 0;
    for (let i = 0; i < size; i++) {
      const b = DMA_SIGNATURE[offset - DMA + i] ?? 0;
      if (i < 4) lo |= b << (8 * i); else hi |= b << (8 * (i - 4));
    }
    this.hi = hi;
    return lo;
  }

  write(offset: number, size: number, value: number, hi: number): void {
    // Registers are big-endian: the guest's bytes in memory order are the value's high byte first.
    if (offset === SELECTOR) this.select(((value & 0xff) << 8) | ((value >>> 8) & 0xff));
    else if (offset === DMA && size === 4) this.dmaHigh = bswap32(value);
    else if (offset === DMA + 4) this.dma(this.dmaHigh * 2 ** 32 + bswap32(value));
    else if (offset === DMA && size === 8) this.dma(bswap32(value) * 2 ** 32 + bswap32(hi));
    // Data writes are ignored, as QEMU has ignored them since 2.4.
  }

  /** Run the FWCfgDmaAccess at `addr` (fw_cfg.txt "DMA interface"); its control word says how it ended. */
  private dma(addr: number): void {
    const ram = this.ram;
    if (!ram.contains(addr, 16)) return; // no descriptor to read, nowhere to report
    const at = addr - ram.base;
    ram.dmaTouched(at, 16, false, this.name);
    const control = ram.dv.getUint32(at, false);
    let length = ram.dv.getUint32(at + 4, false);
    let to = ram.dv.getUint32(at + 8, false) * 2 ** 32 + ram.dv.getUint32(at + 12, false);
    if ((control & CTL.SELECT) !== 0) this.select(control >>> 16);
    const mode = (control & CTL.READ) !== 0 ? 'read' : (control & CTL.WRITE) !== 0 ? 'write' : (control & CTL.SKIP) !== 0 ? 'skip' : 'none';
    if (mode === 'none') length = 0;
    let result = 0;
    while (length > 0 && result === 0) {
      const it = this.item;
      const left = it === undefined ? 0 : it.length - this.offset;
      // Past the item's end a read gets zeros, a skip nothing, a write an error (no item is writable).
      const len = left > 0 ? Math.min(length, left) : length;
      if (mode === 'write') result = CTL.ERROR;
      else if (mode === 'read') {
        if (!ram.contains(to, len)) result = CTL.ERROR;
        else {
          if (left > 0) ram.u8.set((it as Uint8Array).subarray(this.offset, this.offset + len), to - ram.base);
          else ram.u8.fill(0, to - ram.base, to - ram.base + len);
          ram.dmaTouched(to - ram.base, len, true, this.name);
        }
      }
      if (left > 0) this.offset += len;
      to += len;
      length -= len;
    }
    ram.dv.setUint32(at, result, false);
    ram.dmaTouched(at, 4, true, this.name);
  }
}

function bswap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/** fw_cfg at the root of the tree (QEMU's virt puts it before /chosen), no interrupt. */
export const FW_CFG: DeviceType<DeviceWindow, 'fwCfg', false> = {
  key: 'fwCfg', many: false, model: FW_CFG_MODEL, decodeSize: 0x18,
  name: () => 'fw_cfg',
  build(_place, _i, ctx) {
    const dev = new FwCfg(ctx.harts.length, ctx.ram);
    return { dev, group: 'emulated', reset: () => dev.reset() };
  },
  fdt: {
    top(places, { fdt }) {
      for (const p of places) {
        fdt.beginNode(unitName('fw-cfg', p.base)).propEmpty('dma-coherent').propU64Cells('reg', [p.base, p.size])
          .propString('compatible', 'qemu,fw-cfg-mmio').endNode();
      }
    },
  },
  dts: { place: (n, ctx) => ctx.window(n, 'fw-cfg device', 0x18) },
};
