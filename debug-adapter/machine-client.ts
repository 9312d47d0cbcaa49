/**
 * The debug adapter's handle on the machine worker: typed requests (one promise per
 * request, answered in order by the worker) and typed events back. The messages are
 * defined once in emulator/machine/debug-protocol.ts. The worker itself is the host's
 * (adapter-host.ts): a Node worker thread (node-host.ts) or a browser's Web Worker.
 */
import { WorkerEvent, WorkerMessage, WorkerRequestBody, WorkerResults } from '../emulator';
import type { MachineTransport } from './adapter-host';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export class MachineClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  constructor(private readonly worker: MachineTransport, private readonly onEvent: (e: WorkerEvent) => void) {
    worker.listen((m) => this.receive(m), (why) => this.fail(why));
  }

  request<K extends WorkerRequestBody['type']>(body: Extract<WorkerRequestBody, { type: K }>): Promise<WorkerResults[K]> {
    if (this.closed) return Promise.reject(new Error('the machine is gone'));
    const id = this.nextId++;
    return new Promise<WorkerResults[K]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.post({ ...body, id });
    });
  }

  private receive(m: WorkerMessage): void {
    if (m.type !== 'response') { this.onEvent(m); return; }
    const p = this.pending.get(m.id);
    if (p === undefined) return;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(m.error));
  }

  private fail(message: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
    this.onEvent({ type: 'fatal', message });
  }

  async terminate(): Promise<void> {
    this.closed = true;
    for (const p of this.pending.values()) p.reject(new Error('the session ended'));
    this.pending.clear();
    await this.worker.terminate();
  }
}
