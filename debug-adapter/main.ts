/**
 * The debug adapter as a process (dist/debug-adapter.js, out/debug-adapter/main.js, and
 * `osdev-emu dap`): `--stdio` (the default, as DAP clients spawn adapters with no
 * arguments) speaks DAP on stdin/stdout, `--port N` serves it on 127.0.0.1:N
 * (loopback only), one session per connection.
 */
import * as net from 'node:net';
import { OsdevDebugSession } from './adapter';

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

/** Serve DAP as `mode` says; resolves once serving has started. */
export function serveDap(mode: DapMode): Promise<void> {
  if (mode.kind === 'stdio') {
    const session = new OsdevDebugSession();
    process.on('SIGTERM', () => session.shutdown());
    session.start(process.stdin, process.stdout);
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      const session = new OsdevDebugSession();
      session.setRunAsServer(true);
      session.start(socket, socket);
    });
    server.once('error', reject);
    server.listen(mode.port, '127.0.0.1', () => {
      process.stderr.write(`osdev debug adapter listening on 127.0.0.1:${mode.port}\n`);
      resolve();
    });
  });
}

if (require.main === module) {
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
