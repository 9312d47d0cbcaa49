/**
 * The device-tree language server (dist/dts-server.js; `osdev-emu lsp --stdio`).
 * Runs in its own process on vscode-languageserver (serve.ts does the work; web-server.ts
 * is its browser form); never imports `vscode`. Reads the
 * emulator's DTS pipeline and device catalogue, nothing else (DESIGN.md: the language
 * server sits beside the extension). Files not open in the editor are read from disk.
 *
 * Settings: `osdev.dts.includePaths` (relative paths are taken from the first workspace
 * folder), also accepted as initializationOptions.includePaths. Untrusted workspaces
 * (initializationOptions.trusted false): files are read only inside the workspace folders
 * (trust.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createConnection, Connection, IPCMessageReader, IPCMessageWriter, ProposedFeatures, StreamMessageReader, StreamMessageWriter,
} from 'vscode-languageserver/node';
import { checkedFraming, checkedParams } from './framing';
import { insideFolders } from './trust';
import { serveDts, ServerFiles } from './serve';

/**
 * The connection on the transport named in argv, with what the client sends checked
 * first (framing.ts). `--stdio` and `--node-ipc` are ours to wrap; a socket or pipe is
 * left to vscode-languageserver.
 */
function openConnection(): Connection {
  let shutdown = false;
  if (process.argv.includes('--stdio')) {
    const input = checkedFraming(process.stdin, (reason) => {
      process.stderr.write(`osdev-dts: ${reason}; closing the connection\n`);
      process.exit(1);
    });
    const writer = new StreamMessageWriter(process.stdout);
    // The client's end of the stream ends the server (LSP: exit code 0 after shutdown, else 1).
    input.on('end', () => process.exit(shutdown ? 0 : 1));
    const connection = createConnection(ProposedFeatures.all, checkedParams(new StreamMessageReader(input), writer, (m) => { if (m === 'shutdown') shutdown = true; }), writer);
    // stdout carries the protocol: anything a library prints goes to the client's log instead.
    console.log = console.info = console.warn = console.error = (...args: unknown[]) => connection.console.log(args.map(String).join(' '));
    return connection;
  }
  if (process.argv.includes('--node-ipc')) {
    const writer = new IPCMessageWriter(process);
    return createConnection(ProposedFeatures.all, checkedParams(new IPCMessageReader(process), writer), writer);
  }
  return createConnection(ProposedFeatures.all);
}

/** Files from disk, bounded, only regular files; `file:` URIs for them. */
export const NODE_SERVER_FILES: ServerFiles = {
  pathOf: (uri) => (uri.startsWith('file:') ? fileURLToPath(uri) : uri),
  uriOf: (file) => (file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file) ? pathToFileURL(file).toString() : file),
  readText: (file, max) => {
    try {
      const st = fs.statSync(file);
      if (!st.isFile() || st.size > max) return undefined;
      return fs.readFileSync(file, 'utf8');
    } catch { return undefined; }
  },
  readBytes: (file, max) => {
    try {
      const st = fs.statSync(file);
      if (!st.isFile() || st.size > max) return undefined;
      return new Uint8Array(fs.readFileSync(file));
    } catch { return undefined; }
  },
  exists: (file) => { try { fs.statSync(file); return true; } catch { return false; } },
  insideFolders,
  isAbsolute: (file) => path.isAbsolute(file),
  join: (dir, file) => path.join(dir, file),
};

export function startServer(): void {
  serveDts(openConnection(), NODE_SERVER_FILES);
}

// Started as a program (dist/dts-server.js, or `node out/extension/lsp/server.js --stdio`):
// vscode-languageserver reads the transport from these arguments. Imported (tests), it waits.
if (process.argv.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket=') || a.startsWith('--pipe='))) startServer();
