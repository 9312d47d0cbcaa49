/**
 * The debug adapter as a process (dist/debug-adapter.js, out/debug-adapter/main.js, and
 * `osdev-emu dap`): `--stdio` (the default, as DAP clients spawn adapters with no
 * arguments) speaks DAP on stdin/stdout, `--port N` serves it on 127.0.0.1:N
 * (loopback only), one session per connection. A connection that closes ends its
 * session and machine, `disconnect` or not; bad framing closes that connection only.
 */
import * as net from 'node:net';
import { PassThrough } from 'node:stream';
import { DebugProtocol } from '@vscode/debugprotocol';
import { OsdevDebugSession } from './adapter';
import { NODE_HOST } from './node-host';
import { DapFrameReader } from './dap-framing';
import { profileWriterMain } from './profile-main';

export const DAP_USAGE = 'usage: debug-adapter [--stdio | --port N]   (N: 1-65535, served on 127.0.0.1 only)';

export type DapMode = { kind: 'stdio' } | { kind: 'port'; port: number };

/** Parses nothing or `--stdio`, `--port N` or `--port=N`; an error message otherwise. */
export function parseDapArgs(argv: readonly string[]): DapMode | string {
  if (argv.length === 0 || (argv.length === 1 && argv[0] === '--stdio')) return { kind: 'stdio' };
  const value = argv.length === 2 && argv[0] === '--port' ? argv[1] : argv.length === 1 && argv[0].startsWith('--port=') ? argv[0].slice(7) : undefined;
  if (value === undefined) return DAP_USAGE;
  const port = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(port >= 1 && port <= 65535)) return `--port needs a port number from 1 to 65535, got '${value}'`;
  return { kind: 'port', port };
}

function complain(line: string): void { process.stderr.write(`osdev debug adapter: ${line}\n`); }

/**
 * Runs `session` on one byte stream: messages are read by DapFrameReader (bounded) and
 * handed to the session; when `from` closes the session sees its input close and ends
 * its machine. A framing error closes the stream (`close`).
 */
function connect(session: OsdevDebugSession, from: NodeJS.ReadableStream, to: NodeJS.WritableStream, who: string, close: () => void): void {
  // The session's input as the library sees it: no data (the reader delivers messages), only the close.
  const input = new PassThrough();
  const reader = new DapFrameReader((body) => deliver(session, body, who), (why) => {
    complain(`${who}: ${why}; closing the connection`);
    close();
    input.destroy();
  });
  from.on('data', (d: Buffer) => reader.push(d));
  const ended = () => { reader.close(); input.destroy(); };
  from.on('end', ended);
  from.on('close', ended);
  session.start(input, to);
}

/** One message body: JSON with a `type` goes to the session; anything else is ignored with a line on stderr (framing stays in step). */
function deliver(session: OsdevDebugSession, body: Buffer, who: string): void {
  let msg: unknown;
  try { msg = JSON.parse(body.toString('utf8')); } catch { complain(`${who}: ignored a message that is not JSON`); return; }
  if (typeof msg !== 'object' || msg === null || typeof (msg as { type?: unknown }).type !== 'string') {
    complain(`${who}: ignored a message that is not a DAP protocol message`);
    return;
  }
  session.handleMessage(msg as DebugProtocol.ProtocolMessage);
}

/** Serve DAP as `mode` says; resolves once serving has started. */
export function serveDap(mode: DapMode): Promise<void> {
  // Started by `osdev-emu dap` (an IPC channel to it): end with it, even when it is killed with -9.
  if (process.channel !== undefined) {
    process.on('disconnect', () => process.exit(0));
    process.channel.unref();
  }
  if (mode.kind === 'stdio') {
    const session = new OsdevDebugSession(NODE_HOST);
    process.on('SIGTERM', () => session.shutdown());
    connect(session, process.stdin, process.stdout, 'stdin', () => process.stdin.destroy());
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      // Each response is one small write: without this, Nagle's algorithm holds it back (2-22 ms a step).
      socket.setNoDelay(true);
      socket.on('error', () => undefined); // a reset connection closes; 'close' ends the session
      const session = new OsdevDebugSession(NODE_HOST);
      session.setRunAsServer(true);
      connect(session, socket, socket, `client ${socket.remotePort ?? '?'}`, () => socket.destroy());
    });
    server.once('error', reject);
    server.listen(mode.port, '127.0.0.1', () => {
      process.stderr.write(`osdev debug adapter listening on 127.0.0.1:${mode.port}\n`);
      resolve();
    });
  });
}

if (require.main === module && process.argv[2] === '--write-profile') {
  profileWriterMain();
} else if (require.main === module) {
  const mode = parseDapArgs(process.argv.slice(2));
  if (typeof mode === 'string') {
    process.stderr.write(`${mode}\n`);
    process.exit(2);
  }
  serveDap(mode).catch((e: Error) => {
    process.stderr.write(`debug adapter: ${e.message}\n`);
    process.exit(1);
  });
}
