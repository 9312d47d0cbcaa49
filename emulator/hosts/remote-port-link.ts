/**
 * The real RemotePortChannel: a unix-domain or loopback TCP socket. Node sockets only
 * deliver data to an event loop, but the machine thread must block until its peer
 * answers, so the socket lives in its own worker thread (remote-port-io.ts, bundled as
 * dist/remote-port-io.js). Incoming bytes cross back through a SharedArrayBuffer ring;
 * the machine thread sleeps in Atomics.wait on a sequence counter the I/O thread bumps
 * after every change. Outgoing bytes go by postMessage, which the I/O thread reads
 * whatever the machine thread is doing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  parseRemotePortAddress, RemotePortAddress, RemotePortBackend, RemotePortChannel, RemotePortOptions,
} from '../devices/passthrough/remote-port';

type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/** The shared block: control words, then an error message, then the receive ring. */
export const IO_LAYOUT = {
  /** Int32 indexes into the control words. */
  SEQ: 0, STATE: 1, WRITE: 2, READ: 3, PAUSED: 4, MSG_LEN: 5,
  CONTROL_BYTES: 32,
  MSG_BYTES: 1024,
  /** A power of two, so the free-running uint32 counters stay consistent across wrap-around. */
  RING_BYTES: 1 << 20,
} as const;

/** LISTENING: nobody answered the connect, the I/O thread listens there (the message area holds where). */
export const IoState = { CONNECTING: 0, OPEN: 1, CLOSED: 2, FAILED: 3, LISTENING: 4 } as const;

export interface IoWorkerData { kind: 'remote-port-io'; address: RemotePortAddress; shared: SharedArrayBuffer }

export type IoRequest = { type: 'send'; bytes: Uint8Array } | { type: 'resume' } | { type: 'close' };

export interface OpenLinkOptions {
  /** How long connecting may block. */
  connectTimeoutMs?: number;
  /** When nobody listens at the address and we listen there instead: how long to wait for the peer. */
  listenTimeoutMs?: number;
  /** One line saying which role we took: connected, or listening (said before the wait for the peer). */
  say?: (line: string) => void;
  /** The I/O thread's script, when not found beside this file. */
  ioScript?: string;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
/** Long enough to start the peer by hand after the emulator. */
export const DEFAULT_LISTEN_TIMEOUT_MS = 60_000;

/**
 * Where the I/O thread's script is: dist/remote-port-io.js beside the bundle, or
 * out/emulator/hosts/remote-port-io.js beside this file's tsc output (the same join).
 */
export function findIoScript(): string | undefined {
  const candidate = path.join(__dirname, 'remote-port-io.js');
  return fs.existsSync(candidate) ? candidate : undefined;
}

class RemotePortLink implements RemotePortChannel {
  private readonly ctrl: Int32Array;
  private readonly ring: Uint8Array;
  private closed = false;

  constructor(private readonly worker: Worker, shared: SharedArrayBuffer) {
    this.ctrl = new Int32Array(shared, 0, IO_LAYOUT.CONTROL_BYTES / 4);
    this.ring = new Uint8Array(shared, IO_LAYOUT.CONTROL_BYTES + IO_LAYOUT.MSG_BYTES, IO_LAYOUT.RING_BYTES);
  }

  send(bytes: Uint8Array): void {
    if (this.closed) return;
    const req: IoRequest = { type: 'send', bytes };
    this.worker.postMessage(req);
  }

  receive(timeoutMs: number): Uint8Array | 'timeout' | 'closed' {
    const { SEQ, STATE, WRITE, READ, PAUSED, RING_BYTES } = IO_LAYOUT;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (this.closed) return 'closed';
      // Read the counter first: any change after this point makes the wait below return at once.
      const seq = Atomics.load(this.ctrl, SEQ);
      const w = Atomics.load(this.ctrl, WRITE);
      const r = Atomics.load(this.ctrl, READ);
      const avail = (w - r) >>> 0;
      if (avail > 0) {
        const out = new Uint8Array(avail);
        const at = (r >>> 0) % RING_BYTES;
        const first = Math.min(avail, RING_BYTES - at);
        out.set(this.ring.subarray(at, at + first));
        if (first < avail) out.set(this.ring.subarray(0, avail - first), first);
        Atomics.store(this.ctrl, READ, (r + avail) | 0);
        if (Atomics.compareExchange(this.ctrl, PAUSED, 1, 0) === 1) this.worker.postMessage({ type: 'resume' } satisfies IoRequest);
        return out;
      }
      // Everything the peer sent before it went away has been read above.
      if (Atomics.load(this.ctrl, STATE) !== IoState.OPEN) return 'closed';
      const left = deadline - performance.now();
      if (left <= 0) return 'timeout';
      Atomics.wait(this.ctrl, SEQ, seq, left);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.worker.postMessage({ type: 'close' } satisfies IoRequest);
  }
}

/**
 * Connects to a peer, or, when nobody listens at the address, listens there and waits
 * for the peer to connect (as libremote-port and Xilinx QEMU do). Blocks the calling
 * thread until connected, refused or timed out. The I/O thread never keeps the process
 * alive, and ends after close().
 */
export function openRemotePortLink(address: string, options: OpenLinkOptions = {}): Result<RemotePortChannel> {
  const parsed = parseRemotePortAddress(address);
  if (!parsed.ok) return parsed;
  const script = options.ioScript ?? findIoScript();
  if (script === undefined) return { ok: false, error: `remote-port: cannot find the I/O thread script (remote-port-io.js) beside ${__dirname}` };
  const { CONTROL_BYTES, MSG_BYTES, RING_BYTES, STATE, SEQ, MSG_LEN } = IO_LAYOUT;
  const shared = new SharedArrayBuffer(CONTROL_BYTES + MSG_BYTES + RING_BYTES);
  const ctrl = new Int32Array(shared, 0, CONTROL_BYTES / 4);
  const message = () => new TextDecoder().decode(new Uint8Array(shared, CONTROL_BYTES, Math.min(Atomics.load(ctrl, MSG_LEN), MSG_BYTES)).slice());
  const data: IoWorkerData = { kind: 'remote-port-io', address: parsed.value, shared };
  let worker: Worker;
  try {
    worker = new Worker(script, { workerData: data });
  } catch (e) {
    return { ok: false, error: `remote-port: cannot start the I/O thread: ${(e as Error).message}` };
  }
  worker.unref();
  // Failures are reported through the shared block; this only keeps an I/O-thread crash from becoming ours.
  worker.on('error', () => undefined);
  // Closing (not terminating) lets the I/O thread remove a socket file it listened on.
  const giveUp = (why: string): Result<RemotePortChannel> => {
    worker.postMessage({ type: 'close' } satisfies IoRequest);
    return { ok: false, error: `remote-port: cannot connect to ${address}: ${why}` };
  };

  let timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  let deadline = performance.now() + timeoutMs;
  let listeningOn: string | null = null;
  for (;;) {
    const seq = Atomics.load(ctrl, SEQ);
    const state = Atomics.load(ctrl, STATE);
    if (state === IoState.OPEN || state === IoState.CLOSED) {
      options.say?.(listeningOn === null ? `connected to ${address}` : `the peer connected on ${listeningOn}`);
      return { ok: true, value: new RemotePortLink(worker, shared) };
    }
    if (state === IoState.FAILED) return giveUp(message());
    if (state === IoState.LISTENING && listeningOn === null) {
      listeningOn = message();
      timeoutMs = options.listenTimeoutMs ?? DEFAULT_LISTEN_TIMEOUT_MS;
      deadline = performance.now() + timeoutMs;
      options.say?.(`nobody listens at ${address}: listening on ${listeningOn} for the peer (up to ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`})`);
    }
    const left = deadline - performance.now();
    if (left <= 0) return giveUp(listeningOn === null ? `no connection within ${timeoutMs} ms` : `no peer connected within ${timeoutMs} ms`);
    Atomics.wait(ctrl, SEQ, seq, left);
  }
}

/**
 * A remote-port backend for a slot: connect to `address`, then the backend does its
 * HELLO when the slot attaches it.
 */
export function openRemotePortBackend(
  address: string, options: RemotePortOptions & OpenLinkOptions,
): Result<RemotePortBackend> {
  const link = openRemotePortLink(address, options);
  if (!link.ok) return link;
  return { ok: true, value: new RemotePortBackend(link.value, options) };
}
