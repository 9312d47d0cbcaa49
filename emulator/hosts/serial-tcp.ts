/**
 * A UART served on a loopback TCP port (`--serial tcp:127.0.0.1:PORT`, launch.json
 * `serial`), like QEMU's `-serial tcp::PORT,server`: a terminal program or a test script
 * connects and talks to the guest. One client at a time; output made while nobody is
 * connected waits (bounded) and is sent to the next client.
 *
 * Both directions are bounded. Input: when the machine's console backlog is full the
 * host's callback returns false and the socket is paused until `resumeInput`. Output:
 * a client that reads slowly makes `blocked` true once OUTPUT_HIGH_WATER bytes wait, and
 * the host stops running the machine until `writable()` resolves (docs/architecture.md:
 * the guest never sees the wait, so runs stay deterministic).
 */
import * as net from 'node:net';
import { HostPort } from '../backends';

/** Output kept for a client that has not connected yet; more is dropped, as QEMU drops it with no client. */
const MAX_PENDING = 1 << 20;
/** Output waiting for a connected client above which the host pauses the machine. */
export const OUTPUT_HIGH_WATER = 64 * 1024;

export interface SerialPort {
  readonly port: number;
  write(byte: number): void;
  /** Client bytes go to `cb`; when it returns false, reading stops until `resumeInput()`. */
  onInput(cb: (bytes: Uint8Array) => boolean): void;
  resumeInput(): void;
  /** Whether a connected client has OUTPUT_HIGH_WATER bytes or more still to take. */
  readonly blocked: boolean;
  /** Resolves when output is no longer blocked (the client read, or went away). */
  writable(): Promise<void>;
  close(): void;
}

export function serveSerial(at: HostPort): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    let client: net.Socket | null = null;
    let pending = new Uint8Array(4096);
    let pendingLength = 0;
    let input: (bytes: Uint8Array) => boolean = () => true;
    let scheduled = false;
    let waiters: (() => void)[] = [];
    const blocked = () => client !== null && client.writableLength + pendingLength >= OUTPUT_HIGH_WATER;
    const release = () => {
      if (blocked()) return;
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    };
    const flush = () => {
      scheduled = false;
      if (client === null || pendingLength === 0) return;
      client.write(pending.slice(0, pendingLength));
      pendingLength = 0;
      release(); // the socket may have taken it all at once: then no 'drain' comes
    };
    const server = net.createServer((sock) => {
      if (client !== null) { sock.end('osdev-emu: the serial port has a client already\r\n'); return; }
      client = sock;
      sock.setNoDelay(true);
      sock.on('data', (d) => { if (!input(new Uint8Array(d))) sock.pause(); });
      sock.on('drain', release);
      sock.on('close', () => { if (client === sock) client = null; release(); });
      sock.on('error', () => undefined);
      flush();
    });
    server.once('error', (e) => reject(new Error(`--serial: cannot listen on ${at.host}:${at.port}: ${e.message}`)));
    server.listen(at.port, at.host, () => {
      const addr = server.address();
      resolve({
        port: typeof addr === 'object' && addr !== null ? addr.port : at.port,
        write(byte) {
          if (pendingLength === pending.length) {
            if (client === null && pendingLength >= MAX_PENDING) return;
            const grown = new Uint8Array(pending.length * 2);
            grown.set(pending);
            pending = grown;
          }
          pending[pendingLength++] = byte;
          if (!scheduled && client !== null) { scheduled = true; setImmediate(flush); }
        },
        onInput(cb) { input = cb; },
        resumeInput() { client?.resume(); },
        get blocked() { return blocked(); },
        writable() {
          if (!blocked()) return Promise.resolve();
          return new Promise((r) => { waiters.push(r); });
        },
        close() {
          // What the guest printed last (its goodbye) still reaches the client.
          if (client !== null) client.end(pending.slice(0, pendingLength));
          pendingLength = 0;
          release();
          server.close();
        },
      });
    });
  });
}
