/**
 * The device-tree language server in a browser worker (dist/web/dts-server.js), started by
 * the web extension's client (extension/web/lsp-client.ts). The same server (serve.ts);
 * what a browser worker has no way to read is a file that is not open in the editor, so
 * includes and /incbin/ see the open documents only. No Node API (eslint.config.mjs).
 */
import { BrowserMessageReader, BrowserMessageWriter, createConnection, ProposedFeatures } from 'vscode-languageserver/browser';
import { serveDts, ServerFiles } from './serve';

/** No file system: every file not open is missing; document URIs are the file names. */
const OPEN_DOCUMENTS_ONLY: ServerFiles = {
  pathOf: (uri) => uri,
  uriOf: (file) => file,
  readText: () => undefined,
  readBytes: () => undefined,
  exists: () => false,
  insideFolders: () => false,
  isAbsolute: (file) => /^[a-zA-Z][\w+.-]+:\/\//.test(file) || file.startsWith('/'),
  join: (dir, file) => `${dir.replace(/\/+$/, '')}/${file}`,
};

// The worker's global scope is the message port (vscode-languageserver/browser takes it as such).
const scope = globalThis as unknown as ConstructorParameters<typeof BrowserMessageReader>[0];
const connection = createConnection(ProposedFeatures.all, new BrowserMessageReader(scope), new BrowserMessageWriter(scope));
serveDts(connection, OPEN_DOCUMENTS_ONLY);
