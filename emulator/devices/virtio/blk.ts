/**
 * virtio-blk (virtio 1.2 §5.2). A request chain is parsed into a typed request; its
 * outcome becomes the guest's status byte, as hardware would answer (§5.2.6). The
 * image is reached only through a BlockBackend, and only inside [0, capacity).
 */
import { BlockBackend } from '../../backends';
import { DescriptorChain } from './queue';
import { serveChains, VirtioDevice, VirtioTransport, VIRTIO_ID } from './mmio';
import { record, Saved } from '../../snapshot/saved';

/** §5.2.3 feature bits. */
export const VIRTIO_BLK_F = { SIZE_MAX: 1, SEG_MAX: 2, RO: 5, BLK_SIZE: 6, FLUSH: 9, DISCARD: 13, WRITE_ZEROES: 14 } as const;
/** §5.2.6 request types and status values. */
export const VIRTIO_BLK_T = { IN: 0, OUT: 1, FLUSH: 4, GET_ID: 8, DISCARD: 11, WRITE_ZEROES: 13 } as const;
export const VIRTIO_BLK_S = { OK: 0, IOERR: 1, UNSUPP: 2 } as const;
export const SECTOR = 512;
/** §5.2.6: GET_ID answers 20 bytes, NUL-padded. */
export const BLK_ID_BYTES = 20;
const QUEUE_SIZE = 256;
/** Advertised limits (QEMU: seg_max = queue size - 2). */
const SEG_MAX = QUEUE_SIZE - 2;
const SIZE_MAX = 1 << 20;
/** Header: type u32, reserved u32, sector u64 (§5.2.6). */
const HEADER_BYTES = 16;
/**
 * Data moves in pieces of this size: a chain may name the same guest RAM many times
 * over (up to queue size × RAM bytes), so the host never allocates by its length.
 */
const PIECE = 64 * 1024;
/** §5.2.6: struct virtio_blk_discard_write_zeroes { le64 sector; le32 num_sectors; le32 flags; }. */
const RANGE_BYTES = 16;
/** Advertised limits for DISCARD / WRITE_ZEROES: ranges per request, sectors per range. */
const MAX_RANGES = 1;
const MAX_RANGE_SECTORS = 0x10000;

export interface BlkOptions {
  /** VIRTIO_BLK_F_RO: the guest is told it cannot write, and writes answer IOERR. */
  readOnly: boolean;
  /** GET_ID serial, at most 20 bytes (QEMU's default is empty). */
  serial?: string;
}

/** A request as parsed from a chain, or why it could not be. */
export type BlkRequest =
  | { type: 'in' | 'out'; sector: number; len: number }
  | { type: 'flush' }
  | { type: 'get-id' }
  | { type: 'discard' | 'write-zeroes'; ranges: number }
  | { type: 'unsupported'; code: number }
  | { type: 'bad'; why: string };

export class VirtioBlk implements VirtioDevice {
  readonly deviceId = VIRTIO_ID.block;
  readonly queueMaxSizes = [QUEUE_SIZE];
  readonly features: readonly [number, number];
  private readonly cfg = new Uint8Array(0x3c);
  private t: VirtioTransport | null = null;
  private readonly serial: Uint8Array;

  constructor(readonly backend: BlockBackend, readonly options: BlkOptions) {
    let f = (1 << VIRTIO_BLK_F.SIZE_MAX) | (1 << VIRTIO_BLK_F.SEG_MAX) | (1 << VIRTIO_BLK_F.BLK_SIZE) | (1 << VIRTIO_BLK_F.FLUSH) |
      (1 << VIRTIO_BLK_F.DISCARD) | (1 << VIRTIO_BLK_F.WRITE_ZEROES);
    if (options.readOnly) f |= 1 << VIRTIO_BLK_F.RO;
    this.features = [f >>> 0, 0];
    // §5.2.4 struct virtio_blk_config: capacity (512-byte sectors), size_max, seg_max, ..., blk_size.
    const dv = new DataView(this.cfg.buffer);
    const sectors = Math.floor(backend.size / SECTOR);
    dv.setUint32(0, sectors % 0x1_0000_0000, true);
    dv.setUint32(4, Math.floor(sectors / 0x1_0000_0000), true);
    dv.setUint32(8, SIZE_MAX, true);
    dv.setUint32(12, SEG_MAX, true);
    dv.setUint32(20, SECTOR, true);
    // max_discard_sectors, max_discard_seg, discard_sector_alignment (in sectors), max_write_zeroes_sectors, max_write_zeroes_seg.
    dv.setUint32(36, MAX_RANGE_SECTORS, true);
    dv.setUint32(40, MAX_RANGES, true);
    dv.setUint32(44, 1, true);
    dv.setUint32(48, MAX_RANGE_SECTORS, true);
    dv.setUint32(52, MAX_RANGES, true);
    this.serial = new Uint8Array(BLK_ID_BYTES);
    this.serial.set(new TextEncoder().encode(options.serial ?? '').subarray(0, BLK_ID_BYTES));
  }

  get capacitySectors(): number { return Math.floor(this.backend.size / SECTOR); }

  config(): Uint8Array { return this.cfg; }

  activate(t: VirtioTransport): string | null { this.t = t; return null; }

  reset(): void { this.t = null; }
  /** The disk's own layer (an overlay's written chunks) is state too; a drive written in place has none to save. */
  saveState(): Saved { return { disk: this.backend.saveState?.() ?? null }; }
  restoreState(s: Saved, t: VirtioTransport | null): void {
    this.t = t;
    const disk = record(s).disk;
    if (disk !== null) this.backend.restoreState?.(disk);
  }

  notify(q: number): void {
    const t = this.t;
    if (t === null || q !== 0) return;
    serveChains(t, 0, (chain) => this.process(chain, t));
  }

  /** Parse the header of a chain (§5.2.6). */
  parse(chain: DescriptorChain): BlkRequest {
    if (chain.writableLen < 1) return { type: 'bad', why: 'no device-writable status byte' };
    const h = new Uint8Array(HEADER_BYTES);
    if (!chain.read(0, h)) return { type: 'bad', why: `header shorter than ${HEADER_BYTES} bytes` };
    const dv = new DataView(h.buffer);
    const code = dv.getUint32(0, true);
    const sector = dv.getUint32(8, true) + dv.getUint32(12, true) * 0x1_0000_0000;
    switch (code) {
      case VIRTIO_BLK_T.IN: return { type: 'in', sector, len: chain.writableLen - 1 };
      case VIRTIO_BLK_T.OUT: return { type: 'out', sector, len: chain.readableLen - HEADER_BYTES };
      case VIRTIO_BLK_T.FLUSH: return { type: 'flush' };
      case VIRTIO_BLK_T.GET_ID: return { type: 'get-id' };
      case VIRTIO_BLK_T.DISCARD: case VIRTIO_BLK_T.WRITE_ZEROES: {
        const bytes = chain.readableLen - HEADER_BYTES;
        if (bytes <= 0 || bytes % RANGE_BYTES !== 0) return { type: 'bad', why: `${bytes} bytes of ranges is not a multiple of ${RANGE_BYTES}` };
        return { type: code === VIRTIO_BLK_T.DISCARD ? 'discard' : 'write-zeroes', ranges: bytes / RANGE_BYTES };
      }
      default: return { type: 'unsupported', code };
    }
  }

  /**
   * DISCARD and WRITE_ZEROES (§5.2.6.2): each range checked against the image and the
   * advertised limits. Both write zeros: a discarded sector then reads as zeros, which
   * the spec allows, and the image never keeps data the guest threw away.
   */
  private zeroRanges(type: 'discard' | 'write-zeroes', ranges: number, chain: DescriptorChain, t: VirtioTransport): number {
    if (ranges > MAX_RANGES) { t.log(`${type} of ${ranges} ranges exceeds the ${MAX_RANGES} advertised`); return VIRTIO_BLK_S.UNSUPP; }
    if (this.options.readOnly) return VIRTIO_BLK_S.IOERR;
    const r = new Uint8Array(RANGE_BYTES);
    const dv = new DataView(r.buffer);
    const checked: [number, number][] = [];
    for (let i = 0; i < ranges; i++) {
      chain.read(HEADER_BYTES + i * RANGE_BYTES, r);
      const sector = dv.getUint32(0, true) + dv.getUint32(4, true) * 0x1_0000_0000;
      const count = dv.getUint32(8, true), flags = dv.getUint32(12, true);
      // flags: bit 0 = unmap (write-zeroes only); the rest are reserved and must be 0.
      if ((flags & ~(type === 'write-zeroes' ? 1 : 0)) !== 0) { t.log(`${type} range with reserved flags 0x${flags.toString(16)}`); return VIRTIO_BLK_S.UNSUPP; }
      if (count > MAX_RANGE_SECTORS || sector + count > this.capacitySectors) {
        t.log(`${type} of sectors ${sector}+${count} is beyond the limits or the ${this.capacitySectors}-sector image`);
        return VIRTIO_BLK_S.IOERR;
      }
      checked.push([sector, count]);
    }
    const zeros = new Uint8Array(Math.min(PIECE, MAX_RANGE_SECTORS * SECTOR));
    for (const [sector, count] of checked) {
      for (let done = 0; done < count * SECTOR; done += zeros.length) {
        const err = this.backend.write(sector * SECTOR + done, zeros.subarray(0, Math.min(zeros.length, count * SECTOR - done)));
        if (err !== null) { t.log(`${type} failed: ${err}`); return VIRTIO_BLK_S.IOERR; }
      }
    }
    return VIRTIO_BLK_S.OK;
  }

  /** Carry out one request; returns the bytes written into the chain (the used length). */
  private process(chain: DescriptorChain, t: VirtioTransport): number {
    const req = this.parse(chain);
    if (req.type === 'bad') t.log(`bad request from descriptor ${chain.head}: ${req.why}`);
    if (chain.writableLen < 1) return 0; // nowhere to put a status: the used length says nothing was done
    const status = req.type === 'bad' ? VIRTIO_BLK_S.IOERR : this.execute(req, chain, t);
    const err = chain.write(chain.writableLen - 1, Uint8Array.of(status));
    if (err !== null) t.log(`request from descriptor ${chain.head}: status byte not written`);
    return chain.written;
  }

  private execute(req: Exclude<BlkRequest, { type: 'bad' }>, chain: DescriptorChain, t: VirtioTransport): number {
    switch (req.type) {
      case 'unsupported': return VIRTIO_BLK_S.UNSUPP;
      case 'flush': {
        const err = this.backend.flush();
        if (err !== null) { t.log(`flush failed: ${err}`); return VIRTIO_BLK_S.IOERR; }
        return VIRTIO_BLK_S.OK;
      }
      case 'discard': case 'write-zeroes': return this.zeroRanges(req.type, req.ranges, chain, t);
      case 'get-id': {
        const n = Math.min(BLK_ID_BYTES, chain.writableLen - 1);
        chain.write(0, this.serial.subarray(0, n));
        return VIRTIO_BLK_S.OK;
      }
      case 'in': case 'out': {
        if (req.len % SECTOR !== 0) { t.log(`${req.type} of ${req.len} bytes is not whole sectors`); return VIRTIO_BLK_S.IOERR; }
        // The limits we advertise (seg_max × size_max) bound the work one request can ask for.
        if (req.len > SEG_MAX * SIZE_MAX) { t.log(`${req.type} of ${req.len} bytes exceeds seg_max × size_max`); return VIRTIO_BLK_S.IOERR; }
        // Requests larger than the image or past its end never reach the backend.
        if (req.sector + req.len / SECTOR > this.capacitySectors) {
          t.log(`${req.type} at sector ${req.sector} (+${req.len / SECTOR}) is beyond the ${this.capacitySectors}-sector image`);
          return VIRTIO_BLK_S.IOERR;
        }
        if (req.type === 'out' && this.options.readOnly) return VIRTIO_BLK_S.IOERR;
        const off = req.sector * SECTOR;
        const piece = new Uint8Array(Math.min(PIECE, req.len));
        for (let done = 0; done < req.len; done += piece.length) {
          const buf = piece.subarray(0, Math.min(piece.length, req.len - done));
          if (req.type === 'in') {
            const err = this.backend.read(off + done, buf);
            if (err !== null) { t.log(`read failed: ${err}`); return VIRTIO_BLK_S.IOERR; }
            chain.write(done, buf);
          } else {
            chain.read(HEADER_BYTES + done, buf);
            const err = this.backend.write(off + done, buf);
            if (err !== null) { t.log(`write failed: ${err}`); return VIRTIO_BLK_S.IOERR; }
          }
        }
        return VIRTIO_BLK_S.OK;
      }
    }
  }
}
