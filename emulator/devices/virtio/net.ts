/**
 * virtio-net (virtio 1.2 §5.1): receiveq0 and transmitq0, no control queue, no
 * offloads. Features: MAC, STATUS (link up) and MTU. Frames leave through a
 * NetBackend when the guest notifies transmitq0; incoming frames enter only when the
 * machine polls between quanta (or the guest posts receive buffers), and wait in the
 * backend while the guest has no buffer posted.
 */
import { NetBackend } from '../../backends';
import { serveChains, VirtioDevice, VirtioTransport, VIRTIO_F, VIRTIO_ID } from './mmio';
import { record, Saved } from '../../snapshot/saved';

/** §5.1.3 feature bits. */
export const VIRTIO_NET_F = { MTU: 3, MAC: 5, STATUS: 16 } as const;
export const VIRTIO_NET_S_LINK_UP = 1;
const RX = 0, TX = 1;
const QUEUE_SIZE = 256;
/** §5.1.6: struct virtio_net_hdr is 12 bytes with VERSION_1 (num_buffers included), 10 for legacy without MRG_RXBUF. */
const HDR_MODERN = 12, HDR_LEGACY = 10;
/** Ethernet frame limits: 14-byte header + MTU payload; frames outside are dropped with a log line. */
export const DEFAULT_MTU = 1500;
const ETH_HEADER = 14, ETH_MIN = 14;

export interface NetOptions { mac: Uint8Array; mtu?: number }

/** "52:54:00:12:34:56" → bytes; undefined when malformed. */
export function parseMac(s: string): Uint8Array | undefined {
  const m = /^([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})$/i.exec(s);
  return m === null ? undefined : Uint8Array.from(m.slice(1).map((h) => parseInt(h, 16)));
}

/** QEMU's default MAC for the first NIC. */
export const DEFAULT_MAC = '52:54:00:12:34:56';

export class VirtioNet implements VirtioDevice {
  readonly deviceId = VIRTIO_ID.net;
  readonly queueMaxSizes = [QUEUE_SIZE, QUEUE_SIZE];
  readonly features: readonly [number, number] = [
    ((1 << VIRTIO_NET_F.MTU) | (1 << VIRTIO_NET_F.MAC) | (1 << VIRTIO_NET_F.STATUS)) >>> 0, 0,
  ];
  /** §5.1.4: mac[6], status, max_virtqueue_pairs, mtu. */
  private readonly cfg = new Uint8Array(12);
  private readonly mtu: number;
  private t: VirtioTransport | null = null;
  /** Received frames dropped because the buffer offered for them was too small (as a NIC drops them). */
  droppedFrames = 0;

  constructor(private readonly backend: NetBackend, options: NetOptions) {
    this.mtu = options.mtu ?? DEFAULT_MTU;
    this.cfg.set(options.mac.subarray(0, 6), 0);
    const dv = new DataView(this.cfg.buffer);
    dv.setUint16(6, VIRTIO_NET_S_LINK_UP, true);
    dv.setUint16(8, 1, true);
    dv.setUint16(10, this.mtu, true);
  }

  config(): Uint8Array { return this.cfg; }
  activate(t: VirtioTransport): string | null { this.t = t; return null; }
  reset(): void { this.t = null; }
  saveState(): Saved { return { droppedFrames: this.droppedFrames, link: this.backend.saveState?.() ?? null }; }
  restoreState(s: Saved, t: VirtioTransport | null): void {
    this.t = t;
    const r = record(s);
    this.droppedFrames = r.droppedFrames as number;
    if (r.link !== null) this.backend.restoreState?.(r.link);
  }

  private hdrLen(t: VirtioTransport): number { return t.negotiated(VIRTIO_F.VERSION_1) ? HDR_MODERN : HDR_LEGACY; }

  notify(q: number): void {
    if (q === TX) this.transmit();
    else if (q === RX) this.poll();
  }

  private transmit(): void {
    const t = this.t;
    if (t === null) return;
    const hdr = this.hdrLen(t);
    serveChains(t, TX, (chain) => {
      const len = chain.readableLen - hdr;
      if (len < ETH_MIN || len > ETH_HEADER + this.mtu) {
        t.log(`transmit of a ${len}-byte frame dropped (frames are ${ETH_MIN}-${ETH_HEADER + this.mtu} bytes)`);
      } else {
        const frame = new Uint8Array(len);
        chain.read(hdr, frame);
        this.backend.send(frame);
      }
      return 0;
    });
  }

  /** Deliver waiting frames into posted receive buffers. */
  poll(): void {
    const t = this.t;
    if (t === null) return;
    const queue = t.queue(RX);
    if (!queue.ready) return;
    const hdr = this.hdrLen(t);
    let used = false;
    for (let n = 0; n < queue.size; n++) {
      const pending = queue.pending();
      if (!pending.ok) { t.needsReset(pending.error); return; }
      if (pending.value === 0) break; // no buffer: the frame waits in the backend
      const frame = this.backend.receive?.();
      if (frame === undefined) break;
      const next = queue.pop();
      if (!next.ok) { t.needsReset(next.error); return; }
      const chain = next.value;
      if (chain === null) break;
      const header = new Uint8Array(hdr);
      if (hdr === HDR_MODERN) header[10] = 1; // num_buffers
      if (chain.writableLen < hdr + frame.length) {
        this.droppedFrames++;
        t.log(`received ${frame.length}-byte frame dropped: the buffer from descriptor ${chain.head} holds ${chain.writableLen} bytes`);
        const err = queue.pushUsed(chain.head, 0);
        if (err !== null) { t.needsReset(err); return; }
      } else {
        chain.write(0, header);
        chain.write(hdr, frame);
        const err = queue.pushUsed(chain.head, chain.written);
        if (err !== null) { t.needsReset(err); return; }
      }
      used = true;
    }
    if (used) t.usedBuffers(RX);
  }
}
