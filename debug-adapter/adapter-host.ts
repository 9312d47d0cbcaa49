/**
 * What the debug session takes from the place it runs in: how files are read, where the
 * machine worker comes from, the folder relative paths start at, and where a trace file
 * goes. Node's (node-host.ts) for the desktop extension, `osdev-emu dap` and the tests;
 * the web extension builds its own on vscode.workspace.fs and Web Workers
 * (extension/web/web-adapter-host.ts). Node-free, as is everything the session imports.
 */
import type { WorkerMessage, WorkerRequest } from '../emulator';
import type { FileAccessor } from './file-accessor';

/** The channel to one machine worker. */
export interface MachineTransport {
  post(m: WorkerRequest): void;
  /** Called once, at once: the worker's messages, and its end (a crash, an exit) in words. */
  listen(onMessage: (m: WorkerMessage) => void, onFailure: (why: string) => void): void;
  terminate(): Promise<void>;
}

/** A trace file being written (Start MMIO Trace to File). */
export interface TraceFile {
  append(text: string): void;
  close(): void;
}

export interface AdapterHost {
  readonly files: FileAccessor;
  /** A new machine worker, or why there can be none (a message for the user). */
  startMachine(): MachineTransport | string;
  /** Where relative launch paths start when launch.json has no `cwd`. */
  cwd(): string;
  /** Opens `file` for appending; throws an Error whose message says why it cannot. */
  openTraceFile(file: string): TraceFile;
}
