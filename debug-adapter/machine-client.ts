/**
 * The debug adapter's handle on the machine worker: typed requests (one promise per
 * request, answered in order by the worker) and typed events back. The messages are
 * defined once in emulator/machine/debug-protocol.ts.
 */
import { Worker } from 'node:worker_threads';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  WorkerEvent, WorkerMessage, WorkerRequestBody, WorkerResults,
} from '../emulator';

/**
 * Where the worker script is: beside the bundle (dist/machine-worker.js, for the
 * extension, dist/cli.js and dist/debug-adapter.js) or in the tsc output
 * (out/emulator/hosts/worker.js, seen from out/debug-adapter/).
 */
export function findWorkerScript(): string | undefined {
  const candidates = [
    path.join(__dirname, 'machine-worker.js'),
    path.join(__dirname, '..', 'emulator', 'hosts', 'worker.js'),
  ];
  return candidates.find((p) => fs.existsSync(p));
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export class MachineClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  constructor(script: string, private readonly onEvent: (e: WorkerEvent) => void) {
    this.worker = new Worker(script);
    this.worker.on('message', (m: WorkerMessage) => this.receive(m));
    this.worker.on('error', (e) => this.fail(`machine worker failed: ${e.message}`));
    this.worker.on('exit', (code) => this.fail(`machine worker exited (code ${code})`));
  }

  request<K extends WorkerRequestBody['type']>(body: Extract<WorkerRequestBody, { type: K }>): Promise<WorkerResults[K]> {
    if (this.closed) return Promise.reject(new Error('the machine is gone'));
    const id = this.nextId++;
    return new Promise<WorkerResults[K]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...body, id });
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
