/**
 * virtio-console (virtio 1.2 §5.3) with one port and no multiport: receiveq0 carries
 * host input to the guest, transmitq0 the guest's output. Input waits in the machine's
 * console queue until the guest has posted receive buffers (backpressure: nothing typed
 * is dropped) and enters only when the machine polls between quanta or when the guest
 * posts buffers, so a run with the same input stays the same run.
 */
import { serveChains, VirtioDevice, VirtioTransport, VIRTIO_ID } from './mmio';
import { Saved } from '../../snapshot/saved';

const RX = 0, TX = 1;
const QUEUE_SIZE = 64;
/** Bytes of one transmit chain that reach the console; the rest is dropped with a log line (a chain can name all of RAM many times over). */
const MAX_TX_CHAIN = 1 << 20;

/** Where console input waits: the machine's one console input queue. */
export interface ConsoleInput {
  /** Bytes waiting. */
  readonly length: number;
  /** Remove and return up to `max` bytes. */
  take(max: number): number[];
}

export class VirtioConsole implements VirtioDevice {
  readonly deviceId = VIRTIO_ID.console;
  readonly features = [0, 0] as const;
  readonly queueMaxSizes = [QUEUE_SIZE, QUEUE_SIZE];
  /** §5.3.4: cols, rows, max_nr_ports, emerg_wr; all zero without the features that use them. */
  private readonly cfg = new Uint8Array(12);
  private t: VirtioTransport | null = null;

  constructor(private readonly input: ConsoleInput, private readonly output: (byte: number) => void) {}

  config(): Uint8Array { return this.cfg; }
  activate(t: VirtioTransport): string | null { this.t = t; return null; }
  reset(): void { this.t = null; }
  /** Nothing beyond whether it is active: its queues and RAM hold the rest. */
  saveState(): Saved { return null; }
  restoreState(_s: Saved, t: VirtioTransport | null): void { this.t = t; }

  notify(q: number): void {
    if (q === TX) this.transmit();
    else if (q === RX) this.poll();
  }

  /** Whether the guest has posted a receive buffer that input could fill now (else waiting input need not wake it). */
  canReceive(): boolean {
    const q = this.t?.queue(RX);
    if (q === undefined || !q.ready) return false;
    const p = q.pending();
    return p.ok && p.value > 0;
  }

  /** Move waiting input into posted receive buffers. */
  poll(): void {
    const t = this.t;
    if (t === null || this.input.length === 0) return;
    if (!t.queue(RX).ready) return;
    serveChains(t, RX, (chain) => {
      chain.write(0, Uint8Array.from(this.input.take(chain.writableLen)));
      return chain.written;
    }, () => this.input.length > 0);
  }

  private transmit(): void {
    const t = this.t;
    if (t === null) return;
    serveChains(t, TX, (chain) => {
      // In pieces: a chain may repeat the same RAM up to queue size times over.
      const len = Math.min(chain.readableLen, MAX_TX_CHAIN);
      if (len < chain.readableLen) t.log(`transmit chain of ${chain.readableLen} bytes cut to ${len}`);
      const piece = new Uint8Array(Math.min(4096, len));
      for (let done = 0; done < len; done += piece.length) {
        const part = piece.subarray(0, Math.min(piece.length, len - done));
        chain.read(done, part);
        for (const b of part) this.output(b);
      }
      return 0;
    });
  }
}
