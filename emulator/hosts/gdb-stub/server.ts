/**
 * The stub's listening socket: loopback only (a debugger reads and writes the whole
 * machine, so no other host may reach it), one gdb at a time; a second is told so and
 * closed. `tcp:HOST:PORT` as QEMU's -gdb spells it; port 0 takes a free port.
 */
import * as net from 'node:net';
import { hostPort } from '../../options';
import { HostPort } from '../../backends';
import { GdbStub, StubTarget } from './stub';
import type { Machine } from '../../machine/machine';
import type { DebugStop } from '../../machine/debug-protocol';
import { frame } from './packets';

/** `tcp:127.0.0.1:PORT` (or `tcp::PORT`, loopback as well), or what is wrong with it. */
export function parseGdbAddress(value: string): HostPort | string {
  if (!value.startsWith('tcp:')) return `--gdb takes tcp:127.0.0.1:PORT, got '${value}'`;
  const rest = value.slice(4).startsWith(':') ? `127.0.0.1${value.slice(4)}` : value.slice(4);
  // hostPort refuses port 0; here it means "any free port", printed when listening.
  const zero = /:0+$/.test(rest);
  const hp = hostPort('--gdb', zero ? rest.replace(/:0+$/, ':1') : rest);
  if (typeof hp === 'string') return hp.replace('must be a loopback address', 'must be a loopback address (the stub reads and writes the whole machine)');
  return zero ? { host: hp.host, port: 0 } : hp;
}

/** Reply bytes a client may leave unread before its requests are no longer read. */
const MAX_UNREAD_REPLIES = 1 << 20;

export interface GdbServer { readonly port: number; close(): void }

export function serveGdb(at: HostPort, stub: GdbStub, log: (line: string) => void): Promise<GdbServer> {
  return new Promise((resolve, reject) => {
    let current: net.Socket | null = null;
    const server = net.createServer((sock) => {
      sock.setNoDelay(true);
      const conn = { write: (b: Uint8Array) => { if (!sock.destroyed) sock.write(b); }, end: () => sock.end() };
      if (!stub.attach(conn)) {
        // Its first request gets an error, then the door closes; our side says why.
        log(`a second gdb (from port ${sock.remotePort ?? '?'}) was turned away: one is connected already`);
        sock.end(frame('E01'));
        return;
      }
      current = sock;
      log(`gdb connected from ${sock.remoteAddress ?? '?'}:${sock.remotePort ?? '?'}`);
      sock.on('data', (d) => {
        stub.receive(new Uint8Array(d));
        // A client that sends requests but does not read the replies is not read either: our side stays bounded.
        if (sock.writableLength > MAX_UNREAD_REPLIES) sock.pause();
      });
      sock.on('drain', () => sock.resume());
      sock.on('error', () => undefined);
      sock.on('close', () => {
        if (current === sock) { current = null; stub.disconnected(); }
      });
    });
    server.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`--gdb: cannot listen on ${at.host}:${at.port}: ${e.code === 'EADDRINUSE' ? 'the port is in use' : e.message}`)));
    server.listen(at.port, at.host, () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({ port, close: () => { current?.destroy(); server.close(); } });
    });
  });
}

/** The stub's side a host with its own run loop tells of stops (the machine worker, launch.json `gdbServer`). */
export interface GdbEndpoint {
  readonly port: number;
  stopped(stop: DebugStop): void;
  exited(code: number): void;
  close(): void;
}

/** A stub for `machine` run by `target`, listening on loopback `port` (0: any free port). */
export async function serveStub(port: number, machine: Machine, target: StubTarget): Promise<GdbEndpoint> {
  const stub = new GdbStub(machine, target);
  const server = await serveGdb({ host: '127.0.0.1', port }, stub, (line) => target.log(line));
  return { port: server.port, stopped: (s) => stub.stopped(s), exited: (c) => stub.exited(c), close: () => server.close() };
}
