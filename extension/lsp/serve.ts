/**
 * The device-tree language server's work, whatever carries it: the documents, the analyses
 * (features.ts) and every request. server.ts runs it in a Node process (stdio, IPC) with
 * files from disk; web-server.ts in a browser worker (VS Code for the Web) with the open
 * documents only. Node-free: files come through ServerFiles.
 */
import { Connection, TextDocuments, TextDocumentSyncKind, InitializeResult } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  analyze, Analysis, codeActions, completion, definition, diagnostics, documentSymbols, format, hover, hoverDeviceAddress, references, rename,
  semanticTokens, TOKEN_MODIFIERS, TOKEN_TYPES, workspaceSymbols,
} from './features';
import {
  LIVE_REGISTERS_REQUEST, LIVE_REGISTERS_TIMEOUT_MS, LiveRegistersParams, LiveRegistersResult, liveRegistersMarkdown,
} from './live-registers';
import { TRUST_GRANTED_NOTIFICATION, TrustOptions } from './trust-protocol';

/** Files larger than this are not read from disk for includes (bounded memory on hostile input). */
const MAX_INCLUDE_BYTES = 16 * 1024 * 1024;
const DEBOUNCE_MS = 150;

/** Files outside the open documents, as the host has them. */
export interface ServerFiles {
  /** The file name a document URI stands for (a `file:` URI's path; other URIs as they are). */
  pathOf(uri: string): string;
  /** The URI of a file that is not open. */
  uriOf(file: string): string;
  /** A file's text, or undefined when it cannot be read or is larger than `max` bytes. */
  readText(file: string, max: number): string | undefined;
  readBytes(file: string, max: number): Uint8Array | undefined;
  exists(file: string): boolean;
  /** Whether `file`, symlinks followed, lies inside one of `folders` (trust.ts). */
  insideFolders(file: string, folders: readonly string[]): boolean;
  isAbsolute(file: string): boolean;
  join(dir: string, file: string): string;
}

export function serveDts(connection: Connection, files: ServerFiles): void {
  const documents = new TextDocuments(TextDocument);
  const analyses = new Map<string, { version: number; analysis: Analysis }>();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  let workspaceRoot: string | undefined;
  let workspaceFolders: string[] = [];
  /** False until the client says the workspace is trusted, when it says it is not (trust.ts). */
  let trusted = true;
  let initIncludePaths: string[] = [];
  let configIncludePaths: string[] | undefined;
  let canPullConfig = false;
  let canCreateFiles = false;
  /** The client answers LIVE_REGISTERS_REQUEST (the extension's client.ts does; other editors need not). */
  let liveRegisters = false;

  /** The device at a base address from the client's debug session; null when none answers in time. */
  const askLiveRegisters = async (address: bigint): Promise<LiveRegistersResult> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), LIVE_REGISTERS_TIMEOUT_MS); });
    const params: LiveRegistersParams = { address: `0x${address.toString(16)}` };
    const answer = connection.sendRequest<LiveRegistersResult>(LIVE_REGISTERS_REQUEST, params).catch(() => null);
    try { return await Promise.race([answer, timeout]); } finally { clearTimeout(timer); }
  };

  const pathOf = files.pathOf;
  const uriOf = (file: string): string => {
    const open = documents.all().find((d) => pathOf(d.uri) === file);
    return open !== undefined ? open.uri : files.uriOf(file);
  };

  /** Whether a file on disk may be read: anywhere once trusted, else only inside the workspace folders. */
  const mayRead = (file: string): boolean => trusted || files.insideFolders(file, workspaceFolders);

  const readFile = (file: string): string | undefined => {
    const open = documents.all().find((d) => pathOf(d.uri) === file);
    if (open !== undefined) return open.getText();
    return mayRead(file) ? files.readText(file, MAX_INCLUDE_BYTES) : undefined;
  };

  /** /incbin/ data: files on disk only (an open editor holds text), bounded like includes. */
  const readBinary = (file: string): Uint8Array | undefined => (mayRead(file) ? files.readBytes(file, MAX_INCLUDE_BYTES) : undefined);

  const includePaths = (): string[] => {
    const list = configIncludePaths ?? initIncludePaths;
    return list.map((p) => (files.isAbsolute(p) || workspaceRoot === undefined ? p : files.join(workspaceRoot, p)));
  };

  const analysisOf = (uri: string): Analysis | undefined => {
    const doc = documents.get(uri);
    if (doc === undefined) return undefined;
    const have = analyses.get(uri);
    if (have !== undefined && have.version === doc.version) return have.analysis;
    const analysis = analyze(pathOf(uri), doc.getText(), { readFile, readBinary, includePaths: includePaths() });
    analyses.set(uri, { version: doc.version, analysis });
    return analysis;
  };

  /** A bug in one feature answers that request with nothing and a log line; the server stays up. */
  const safe = <T>(what: string, fallback: T, f: () => T): T => {
    try { return f(); } catch (e) {
      connection.console.error(`dts ${what}: internal error: ${(e as Error).stack ?? String(e)}`);
      return fallback;
    }
  };

  const publish = (uri: string) => safe('diagnostics', undefined, () => {
    const a = analysisOf(uri);
    if (a !== undefined) void connection.sendDiagnostics({ uri, diagnostics: diagnostics(a) });
  });

  const schedule = (uri: string) => {
    clearTimeout(timers.get(uri));
    timers.set(uri, setTimeout(() => { timers.delete(uri); publish(uri); }, DEBOUNCE_MS));
  };

  const refreshConfig = async () => {
    if (!canPullConfig) return;
    try {
      const cfg = (await connection.workspace.getConfiguration({ section: 'osdev.dts' })) as { includePaths?: unknown } | null;
      const list = cfg?.includePaths;
      configIncludePaths = Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : undefined;
    } catch { configIncludePaths = undefined; }
    analyses.clear();
    for (const d of documents.all()) schedule(d.uri);
  };

  connection.onInitialize((params): InitializeResult => {
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
    workspaceRoot = folder !== undefined && folder !== null ? pathOf(folder) : undefined;
    workspaceFolders = (params.workspaceFolders ?? []).map((f) => pathOf(f.uri));
    if (workspaceFolders.length === 0 && workspaceRoot !== undefined) workspaceFolders = [workspaceRoot];
    const opts = params.initializationOptions as ({ includePaths?: unknown; liveRegisters?: unknown } & TrustOptions) | undefined;
    liveRegisters = opts?.liveRegisters === true;
    trusted = opts?.trusted !== false;
    if (Array.isArray(opts?.includePaths)) initIncludePaths = opts.includePaths.filter((x): x is string => typeof x === 'string');
    canPullConfig = params.capabilities?.workspace?.configuration === true;
    canCreateFiles = params.capabilities?.workspace?.workspaceEdit?.resourceOperations?.includes('create') === true
      && params.capabilities.workspace.workspaceEdit.documentChanges === true;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        definitionProvider: true,
        declarationProvider: true,
        referencesProvider: true,
        hoverProvider: true,
        renameProvider: true,
        documentFormattingProvider: true,
        codeActionProvider: { codeActionKinds: ['quickfix'] },
        completionProvider: { triggerCharacters: ['&', '{', '"', '/', '<'] },
        semanticTokensProvider: { legend: { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] }, full: true },
      },
      serverInfo: { name: 'osdev-dts', version: '0.1.0' },
    };
  });
  connection.onInitialized(() => { void refreshConfig(); });
  connection.onNotification(TRUST_GRANTED_NOTIFICATION, () => {
    trusted = true;
    analyses.clear();
    for (const d of documents.all()) schedule(d.uri);
  });
  connection.onDidChangeConfiguration((change) => {
    const s = (change.settings as { osdev?: { dts?: { includePaths?: unknown } } } | null)?.osdev?.dts?.includePaths;
    if (Array.isArray(s)) configIncludePaths = s.filter((x): x is string => typeof x === 'string');
    if (canPullConfig) void refreshConfig();
    else { analyses.clear(); for (const d of documents.all()) schedule(d.uri); }
  });

  documents.onDidOpen((e) => publish(e.document.uri));
  documents.onDidChangeContent((e) => {
    schedule(e.document.uri);
    // Files that include this one see the change too.
    for (const [uri, a] of analyses) if (uri !== e.document.uri && a.analysis.compilation.pp.files.has(pathOf(e.document.uri))) { analyses.delete(uri); schedule(uri); }
  });
  documents.onDidClose((e) => { analyses.delete(e.document.uri); clearTimeout(timers.get(e.document.uri)); void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] }); });

  connection.onDocumentSymbol((p) => safe('symbols', [], () => { const a = analysisOf(p.textDocument.uri); return a ? documentSymbols(a) : []; }));
  connection.onWorkspaceSymbol((p) => safe('workspace symbols', [], () => {
    const seen = new Set<string>();
    return documents.all().flatMap((d) => analysisOf(d.uri) ?? []).flatMap((a) => workspaceSymbols(a, p.query, uriOf))
      .filter((x) => { const k = `${x.location.uri}:${x.location.range.start.line}:${x.location.range.start.character}:${x.name}`; if (seen.has(k)) return false; seen.add(k); return true; });
  }));
  const exists = files.exists;
  connection.onCodeAction((p) => safe('code actions', [], () => codeActions(analysisOf(p.textDocument.uri), p.textDocument.uri, p.context.diagnostics, { uriOf, exists, canCreateFiles })));
  connection.onDefinition((p) => safe('definition', [], () => { const a = analysisOf(p.textDocument.uri); return a ? definition(a, p.position, uriOf) : []; }));
  connection.onDeclaration((p) => safe('declaration', [], () => { const a = analysisOf(p.textDocument.uri); return a ? definition(a, p.position, uriOf) : []; }));
  connection.onReferences((p) => safe('references', [], () => { const a = analysisOf(p.textDocument.uri); return a ? references(a, p.position, uriOf, p.context.includeDeclaration) : []; }));
  connection.onHover(async (p) => {
    const a = safe('hover', undefined, () => analysisOf(p.textDocument.uri));
    const h = a !== undefined ? safe('hover', undefined, () => hover(a, p.position)) : undefined;
    if (a === undefined || h === undefined || !liveRegisters) return h ?? null;
    const address = safe('hover', undefined, () => hoverDeviceAddress(a, p.position));
    if (address === undefined) return h;
    const dev = await askLiveRegisters(address);
    if (dev === null || typeof h.contents !== 'object' || !('kind' in h.contents)) return h;
    return { ...h, contents: { kind: h.contents.kind, value: `${liveRegistersMarkdown(dev)}\n\n---\n\n${h.contents.value}` } };
  });
  // Completion answers from the latest analysis, even one of an earlier version (features.ts says why).
  connection.onCompletion((p) => safe('completion', [], () => {
    const doc = documents.get(p.textDocument.uri);
    const a = analyses.get(p.textDocument.uri)?.analysis ?? analysisOf(p.textDocument.uri);
    return a !== undefined && doc !== undefined ? completion(a, p.position, doc.getText()) : [];
  }));
  connection.onRenameRequest((p) => safe('rename', null, () => { const a = analysisOf(p.textDocument.uri); return a ? rename(a, p.position, p.newName, uriOf) ?? null : null; }));
  connection.onDocumentFormatting((p) => safe('formatting', [], () => { const d = documents.get(p.textDocument.uri); return d ? format(d.getText()) : []; }));
  connection.languages.semanticTokens.on((p) => safe('semantic tokens', { data: [] }, () => { const a = analysisOf(p.textDocument.uri); return { data: a ? semanticTokens(a) : [] }; }));

  documents.listen(connection);
  connection.listen();
}

