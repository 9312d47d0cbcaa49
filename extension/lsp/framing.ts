/**
 * The language server's guard on what a client sends (issue 22). vscode-jsonrpc, given a
 * header with a negative `Content-Length` or none at all, waits forever for a body it
 * cannot find; given `"params": null`, its handlers throw. So the byte stream is checked
 * here before vscode-jsonrpc sees it: a bad header is one line on stderr and the end of
 * the server (the stream cannot be resynchronised), and a request whose params are not
 * an object is answered InvalidParams without reaching a handler.
 */
import { PassThrough, Readable } from 'node:stream';
import { ErrorCodes, Message, MessageReader, MessageWriter, NotificationMessage, RequestMessage } from 'vscode-languageserver/node';

/** Largest message body: a didOpen of the largest DTS the pipeline takes (LIMITS.outputChars) fits, escaped. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Largest header block (`Content-Length`, `Content-Type`: a few dozen bytes in practice). */
const MAX_HEADER_BYTES = 8 * 1024;
const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * Passes `input` through unchanged while each header is well formed (JSON-RPC base
 * protocol: `Name: value` lines, a decimal `Content-Length` within MAX_MESSAGE_BYTES,
 * an empty line). On the first bad one, stops reading and calls `fail` with the reason.
 */
export function checkedFraming(input: Readable, fail: (reason: string) => void): Readable {
  const out = new PassThrough();
  let header = Buffer.alloc(0);
  let body = 0;
  let failed = false;
  const stop = (reason: string) => { failed = true; input.removeAllListeners('data'); input.pause(); fail(reason); };
  input.on('data', (chunk: Buffer) => {
    let at = 0;
    while (at < chunk.length && !failed) {
      if (body > 0) {
        const n = Math.min(body, chunk.length - at);
        out.write(chunk.subarray(at, at + n));
        body -= n;
        at += n;
        continue;
      }
      // In a header: look for its end in what we have so far.
      const before = header.length;
      header = Buffer.concat([header, chunk.subarray(at, at + MAX_HEADER_BYTES + 4)]);
      const end = header.indexOf(HEADER_END);
      if (end < 0) {
        if (header.length > MAX_HEADER_BYTES) { stop(`message header longer than ${MAX_HEADER_BYTES} bytes`); return; }
        at += header.length - before;
        continue;
      }
      const reason = headerProblem(header.subarray(0, end).toString('ascii'));
      if (typeof reason === 'string') { stop(reason); return; }
      out.write(header.subarray(0, end + HEADER_END.length));
      at += end + HEADER_END.length - before;
      header = Buffer.alloc(0);
      body = reason.length;
    }
  });
  input.on('end', () => { if (!failed) out.end(); });
  input.on('error', (e) => out.destroy(e));
  return out;
}

/** The problem with a header block, or its content length. */
function headerProblem(text: string): string | { length: number } {
  let length: number | undefined;
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) return `bad message header line ${JSON.stringify(line.slice(0, 80))} (expected 'Name: value')`;
    if (line.slice(0, colon).trim().toLowerCase() !== 'content-length') continue;
    const value = line.slice(colon + 1).trim();
    if (!/^[0-9]+$/.test(value)) return `bad Content-Length ${JSON.stringify(value.slice(0, 40))} (expected a byte count)`;
    length = Number(value);
    if (length > MAX_MESSAGE_BYTES) return `Content-Length ${length} is over the ${MAX_MESSAGE_BYTES}-byte limit`;
  }
  return length === undefined ? 'message header without a Content-Length' : { length };
}

/** Methods that take no params (LSP: shutdown, exit; ours: the trust notification; initialized's are empty). */
const NO_PARAMS = new Set(['shutdown', 'exit', 'initialized', 'osdev/workspaceTrusted']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPosition = (v: unknown) => isObject(v) && Number.isInteger(v.line) && Number.isInteger(v.character);

const AT_POSITION = new Set(['textDocument/hover', 'textDocument/definition', 'textDocument/declaration', 'textDocument/references', 'textDocument/completion', 'textDocument/rename']);
const isRange = (v: unknown) => isObject(v) && isPosition(v.start) && isPosition(v.end);

/** The rest of the params our handlers read, per method (LSP 3.17 §3.15–3.16). */
const SHAPES: Record<string, { what: string; test: (p: Record<string, unknown>) => boolean }> = {
  'textDocument/didOpen': { what: 'textDocument.text must be a string', test: (p) => typeof (p.textDocument as Record<string, unknown>).text === 'string' },
  'textDocument/didChange': { what: 'contentChanges must be an array of { text }', test: (p) => Array.isArray(p.contentChanges) && p.contentChanges.every((c) => isObject(c) && typeof c.text === 'string' && (c.range === undefined || isRange(c.range))) },
  'textDocument/references': { what: 'context must be an object', test: (p) => isObject(p.context) },
  'textDocument/rename': { what: 'newName must be a string', test: (p) => typeof p.newName === 'string' },
  'textDocument/codeAction': { what: 'range and context.diagnostics must be given', test: (p) => isRange(p.range) && isObject(p.context) && Array.isArray(p.context.diagnostics) && p.context.diagnostics.every((d) => isObject(d) && isRange(d.range)) },
  'workspace/symbol': { what: 'query must be a string', test: (p) => typeof p.query === 'string' },
};

/** What is wrong with a request's or notification's params, or undefined. */
export function paramsProblem(msg: RequestMessage | NotificationMessage): string | undefined {
  const p = msg.params;
  if (p === undefined && NO_PARAMS.has(msg.method)) return undefined;
  if (!isObject(p)) return `${msg.method}: params must be an object`;
  // Every textDocument/ method names its document, and those at a place give a position.
  if (msg.method.startsWith('textDocument/')) {
    if (!isObject(p.textDocument) || typeof p.textDocument.uri !== 'string') return `${msg.method}: params.textDocument.uri must be a string`;
    if ((AT_POSITION.has(msg.method) || 'position' in p) && !isPosition(p.position)) return `${msg.method}: params.position must be { line, character } integers`;
  }
  const shape = SHAPES[msg.method];
  return shape !== undefined && !shape.test(p) ? `${msg.method}: params.${shape.what}` : undefined;
}

/**
 * A reader that keeps messages with bad params from the handlers: a request gets an
 * InvalidParams error, a notification is dropped. `onRequest` sees each request that passes.
 */
export function checkedParams(reader: MessageReader, writer: MessageWriter, onRequest?: (method: string) => void): MessageReader {
  return {
    onError: reader.onError,
    onClose: reader.onClose,
    onPartialMessage: reader.onPartialMessage,
    dispose: () => reader.dispose(),
    listen: (callback) => reader.listen((msg: Message) => {
      if (!('method' in msg) || typeof msg.method !== 'string') { callback(msg); return; }
      const m = msg as RequestMessage | NotificationMessage;
      const problem = paramsProblem(m);
      if (problem === undefined) { if ('id' in m) onRequest?.(m.method); callback(msg); return; }
      if ('id' in m && m.id !== undefined && m.id !== null) void writer.write({ jsonrpc: '2.0', id: m.id, error: { code: ErrorCodes.InvalidParams, message: problem } } as Message);
    }),
  };
}
