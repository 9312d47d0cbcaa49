/**
 * What the machine worker (worker.ts) takes from the place it runs in: its message port,
 * and the host's devices — disk images, networks, sockets (serial, gdb), model files, entropy. A Node
 * worker thread (node-worker.ts) hands in the real ones; the browser's Web Worker
 * (web-worker.ts) hands in ones that refuse, each saying why. This file and worker.ts
 * import nothing from Node, so the browser bundle can hold them.
 */
import type { DriveOption, EntropySource, HostPort, NetOption, PassthroughBackendOption, PassthroughOption } from '../backends';
import type { Screen } from '../devices/screen';
import type { WorkerMessage } from '../machine/debug-protocol';
import type { OpenDrive } from './drives';
import type { HostParts, MachineFile } from './machine-file';
import type { OpenNet } from './net';
import type { OpenedBackend, OpenPassthrough } from './passthrough-setup';
import type { ScreenFrames } from './screen-frames';
import type { SerialPort } from './serial-tcp';
import type { Machine } from '../machine/machine';
import type { StubTarget } from './gdb-stub/stub';
import type { GdbEndpoint } from './gdb-stub/server';

type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/** The worker's end of its channel to the debug adapter. */
export interface MachinePort {
  on(event: 'message', listener: (m: unknown) => void): void;
  postMessage(m: WorkerMessage): void;
}

export interface WorkerHost {
  /** Where relative paths resolve when the launch names no `cwd`. */
  cwd(): string;
  /** Runs `f` soon, after messages already queued (Node's setImmediate). */
  soon(f: () => void): void;
  openDrives(drives: readonly DriveOption[]): Promise<{ ok: true; value: OpenDrive[]; warnings: string[] } | { ok: false; error: string }>;
  openNet(n: NetOption): Promise<Result<OpenNet>>;
  openPassthrough(opts: readonly PassthroughOption[], cwd: string, say: (line: string) => void): Result<OpenPassthrough>;
  openBackend(b: PassthroughBackendOption, cwd: string, index: number, say: (line: string) => void): Result<OpenedBackend | null>;
  loadMachineFile(file: string, host: HostParts): MachineFile;
  /** launch.json `serial`; rejects with a message when it cannot. */
  serveSerial(at: HostPort): Promise<SerialPort>;
  /** launch.json `gdbServer`: the GDB remote stub on a loopback port (0: any free one); rejects with a message when it cannot. */
  serveGdb(port: number, machine: Machine, target: StubTarget): Promise<GdbEndpoint>;
  hostEntropy(): EntropySource;
  /** A drive file's hash, for checking a snapshot against the images it was taken with. */
  hashDrive(path: string): string;
  /** The screen panel's frames, or why this host has none (PNG encoding needs a deflater). */
  screenFrames(screen: Screen): ScreenFrames | string;
}
