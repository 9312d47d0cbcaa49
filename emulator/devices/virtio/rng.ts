/**
 * virtio-rng, the entropy device (virtio 1.2 §5.4): one request queue; the device
 * fills each chain's device-writable bytes. Bytes come from an EntropySource, by
 * default `seededEntropy`, so a run stays reproducible (DESIGN.md idea 2).
 */
import { EntropySource } from '../../backends';
import { serveChains, VirtioDevice, VirtioTransport, VIRTIO_ID } from './mmio';
import { Saved } from '../../snapshot/saved';

const QUEUE_SIZE = 8;
/** Bytes per request at most: a guest asking for more gets a short answer, as QEMU's rate limit allows. */
const MAX_REQUEST = 64 * 1024;

/** Deterministic bytes from a 32-bit seed (xorshift32 mixed through a multiply; not for cryptography). */
export function seededEntropy(seed = 0x6f73_6465): EntropySource {
  let s = seed >>> 0 || 1;
  return {
    saveState: () => s,
    restoreState: (v) => { s = v as number; },
    fill(dst: Uint8Array): void {
      for (let i = 0; i < dst.length; i++) {
        s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
        dst[i] = Math.imul(s, 0x9e3779b1) >>> 24;
      }
    },
  };
}

export class VirtioRng implements VirtioDevice {
  readonly deviceId = VIRTIO_ID.entropy;
  readonly features = [0, 0] as const;
  readonly queueMaxSizes = [QUEUE_SIZE];
  private t: VirtioTransport | null = null;

  constructor(private readonly source: EntropySource) {}

  config(): Uint8Array { return new Uint8Array(0); }
  activate(t: VirtioTransport): string | null { this.t = t; return null; }
  reset(): void { this.t = null; }
  /** A deterministic source's position is the device's state (the host's entropy has none to save). */
  saveState(): Saved { return this.source.saveState?.() ?? null; }
  restoreState(s: Saved, t: VirtioTransport | null): void {
    this.t = t;
    if (s !== null) this.source.restoreState?.(s);
  }

  notify(q: number): void {
    const t = this.t;
    if (t === null || q !== 0) return;
    serveChains(t, 0, (chain) => {
      const bytes = new Uint8Array(Math.min(chain.writableLen, MAX_REQUEST));
      this.source.fill(bytes);
      chain.write(0, bytes);
      return chain.written;
    });
  }
}
