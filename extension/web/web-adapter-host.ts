/**
 * The debug session's host in VS Code for the Web: files through vscode.workspace.fs
 * (workspace-files.ts), the machine in a Web Worker started from the extension's
 * dist/web/machine-worker.js. No trace files: nothing in a browser appends to a file as the guest
 * runs (the trace shows in its output channel).
 */
import * as vscode from 'vscode';
import type { AdapterHost, MachineTransport } from '../../debug-adapter';
import type { WorkerMessage } from '../../emulator';
import { WORKSPACE_FILES, workspaceCwd } from './workspace-files';

/** The browser's Worker, as far as this file uses it (the project compiles without the DOM library). */
interface BrowserWorker {
  postMessage(m: unknown): void;
  terminate(): void;
  onmessage: ((e: { data: unknown }) => void) | null;
  onerror: ((e: { message?: string; preventDefault?: () => void }) => void) | null;
  onmessageerror: (() => void) | null;
}
type WorkerConstructor = new (url: string, options?: { name?: string }) => BrowserWorker;

/**
 * A Web Worker running `code` (the machine worker's script). VS Code's worker extension
 * host refuses `new Worker(uri)` for an extension on a remote ("Creating workers from
 * remote extensions is currently not supported"), so the script is read through
 * vscode.workspace.fs and started from a blob: URL, which works wherever the extension's
 * files are. Messages posted before the worker exists wait for it.
 */
function webWorker(code: Promise<Uint8Array>): MachineTransport {
  const queue: unknown[] = [];
  let worker: BrowserWorker | null = null;
  let ended = false;
  let onMessage: ((m: WorkerMessage) => void) | null = null;
  let onFailure: (why: string) => void = () => undefined;
  const wire = (w: BrowserWorker) => {
    w.onmessage = (e) => onMessage?.(e.data as WorkerMessage);
    w.onerror = (e) => { e.preventDefault?.(); onFailure(`machine worker failed: ${e.message ?? 'an error in the worker'}`); };
    w.onmessageerror = () => onFailure('machine worker failed: a message could not be read');
  };
  code.then((bytes) => {
    if (ended) return;
    const Worker = (globalThis as { Worker?: WorkerConstructor }).Worker;
    if (Worker === undefined) { onFailure('this extension host cannot start Web Workers, where the machine runs'); return; }
    const url = URL.createObjectURL(new Blob([bytes], { type: 'text/javascript' }));
    worker = new Worker(url, { name: 'osdev-machine' });
    wire(worker);
    for (const m of queue.splice(0)) worker.postMessage(m);
  }, (e: unknown) => onFailure(`the machine worker script cannot be read: ${(e as Error).message}`));
  return {
    post: (m) => { if (worker !== null) worker.postMessage(m); else queue.push(m); },
    listen: (message, failure) => { onMessage = message; onFailure = failure; },
    terminate: async () => { ended = true; worker?.terminate(); },
  };
}

export function webAdapterHost(extensionUri: vscode.Uri): AdapterHost {
  const script = vscode.Uri.joinPath(extensionUri, 'dist', 'web', 'machine-worker.js');
  // Read at the first session and kept: every session's worker starts from these bytes.
  let code: Promise<Uint8Array> | null = null;
  return {
    files: WORKSPACE_FILES,
    startMachine: () => webWorker(code ??= Promise.resolve(vscode.workspace.fs.readFile(script))),
    cwd: workspaceCwd,
    openTraceFile: () => { throw new Error('VS Code for the Web writes no trace files (the trace shows in the "OS Dev Trace" output)'); },
  };
}
