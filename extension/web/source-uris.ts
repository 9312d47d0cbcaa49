/**
 * DAP sources in VS Code for the Web. The adapter names source files by path (DWARF's,
 * or the one a breakpoint came with); VS Code takes an absolute path as a `file:` URI,
 * which a browser cannot open, and sends a workspace file that is not `file:` as its
 * whole URI. This wrapper turns the adapter's absolute paths into URIs of the workspace's
 * file system (workspace-files.ts) on the way out, and URIs back into paths on the way in,
 * for every Source object in a message (`source`, `sources`, a disassembled instruction's
 * `location`).
 */
import * as vscode from 'vscode';
import { workspaceUri } from './workspace-files';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null;

/** Keys under which DAP puts a Source (or a list of them). */
const SOURCE_KEYS = new Set(['source', 'sources', 'location']);
/** A URI as VS Code writes one into `path` (scheme://...). */
const URI_PATTERN = /^[a-zA-Z][\w+.-]+:\/\//;
/** How deep a message is searched: DAP's Sources sit a few levels down. */
const MAX_DEPTH = 6;

function eachSource(v: unknown, depth: number, f: (source: Json) => void): void {
  if (depth > MAX_DEPTH || !isObj(v)) return;
  if (Array.isArray(v)) { for (const x of v) eachSource(x, depth + 1, f); return; }
  for (const [key, value] of Object.entries(v)) {
    if (SOURCE_KEYS.has(key)) {
      for (const s of Array.isArray(value) ? value : [value]) if (isObj(s) && typeof s.path === 'string') f(s);
    }
    eachSource(value, depth + 1, f);
  }
}

/** Outgoing: an absolute path becomes the URI it has in the workspace's file system. */
export function pathsToUris(message: unknown): void {
  eachSource(message, 0, (s) => {
    const p = s.path as string;
    if (p.startsWith('/')) s.path = workspaceUri(p).toString();
  });
}

/** Incoming: a URI becomes its path (the adapter reads it back through workspaceUri). */
export function urisToPaths(message: unknown): void {
  eachSource(message, 0, (s) => {
    const p = s.path as string;
    if (URI_PATTERN.test(p)) { try { s.path = vscode.Uri.parse(p).path; } catch { /* left as it is */ } }
  });
}

export class SourceUriAdapter implements vscode.DebugAdapter {
  private readonly emitter = new vscode.EventEmitter<vscode.DebugProtocolMessage>();
  private readonly innerListener: vscode.Disposable;
  readonly onDidSendMessage = this.emitter.event;

  constructor(private readonly inner: vscode.DebugAdapter) {
    this.innerListener = inner.onDidSendMessage((m) => { pathsToUris(m); this.emitter.fire(m); });
  }

  handleMessage(message: vscode.DebugProtocolMessage): void {
    urisToPaths(message);
    this.inner.handleMessage(message);
  }

  dispose(): void {
    this.innerListener.dispose();
    this.emitter.dispose();
    this.inner.dispose();
  }
}
