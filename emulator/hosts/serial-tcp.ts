/**
 * A UART served on a loopback TCP port (`--serial tcp:127.0.0.1:PORT`, launch.json
 * `serial`), like QEMU's `-serial tcp::PORT,server`: a terminal program or a test script
 * connects and talks to the guest. One client at a time; output made while nobody is
 * connected waits (bounded) and is sent to the next client.
 */
import * as net from 'node:net';
import { HostPort } from '../backends';

/** Output kept for a client that has not connected yet. */
const MAX_PENDING = 1 << 20;

export interface SerialPort {
  readonly port: number;
  write(byte: number): void;
  onInput(cb: (bytes: Uint8Array) => void): void;
  close(): void;
}

export function serveSerial(at: HostPort): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    let client: net.Socket | null = null;
    let pending: number[] = [];
    let input: (bytes: Uint8Array) => void = () => undefined;
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      if (client === null || pending.length === 0) return;
      client.write(Uint8Array.from(pending));
      pending = [];
    };
    const server = net.createServer((sock) => {
      if (client !== null) { sock.end('osdev-emu: the serial port has a client already\r\n'); return; }
      client = sock;
      sock.on('data', (d) => input(new Uint8Array(d)));
      sock.on('close', () => { if (client === sock) client = null; });
      sock.on('error', () => undefined);
      flush();
    });
    server.once('error', (e) => reject(new Error(`--serial: cannot listen on ${at.host}:${at.port}: ${e.message}`)));
    server.listen(at.port, at.host, () => {
      const addr = server.address();
      resolve({
        port: typeof addr === 'object' && addr !== null ? addr.port : at.port,
        write(byte) {
          if (pending.length < MAX_PENDING) pending.push(byte);
          if (!scheduled && client !== null) { scheduled = true; setImmediate(flush); }
        },
        onInput(cb) { input = cb; },
        close() {
          // What the guest printed last (its goodbye) still reaches the client.
          if (client !== null) client.end(Uint8Array.from(pending));
          pending = [];
          server.close();
        },
      });
    });
  });
}
