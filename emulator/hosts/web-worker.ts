/**
 * The machine worker in a browser's Web Worker (dist/web/machine-worker.js), for VS Code
 * for the Web: worker.ts with a host that has no files, sockets or processes. What needs
 * them is refused at launch, each with the reason, never half-started. No Node API here
 * (eslint.config.mjs, and the webworker bundle fails to build on one).
 */
import { MachineWorker } from './worker';
import type { MachinePort, WorkerHost } from './worker-host';

/** Why, in one place: what a browser does not give an extension. */
const NEEDS_HOST = 'which VS Code for the Web cannot give an extension; use the desktop VS Code (or code-server\'s Node extension host)';

/** The Web Worker's global scope, as far as this file uses it (the project compiles without the DOM library). */
interface WorkerScope {
  postMessage(m: unknown): void;
  addEventListener(type: 'message', listener: (e: { data: unknown }) => void): void;
}

/**
 * Runs `f` after the messages already queued, without the 4 ms a nested setTimeout costs
 * in a browser (HTML: timers nested more than 5 deep are clamped): a message to ourselves.
 */
function soonByMessage(): (f: () => void) => void {
  const queue: (() => void)[] = [];
  const channel = new MessageChannel();
  // Setting onmessage (not addEventListener) starts the port in a browser; Node's typings lack it.
  (channel.port1 as unknown as { onmessage: () => void }).onmessage = () => { const f = queue.shift(); if (f !== undefined) f(); };
  return (f) => { queue.push(f); channel.port2.postMessage(0); };
}

/** The browser's cryptographic random bytes; getRandomValues takes at most 65536 bytes a call (Web Crypto §10.1.1). */
function fillRandom(dst: Uint8Array): void {
  for (let at = 0; at < dst.length; at += 65536) crypto.getRandomValues(dst.subarray(at, Math.min(dst.length, at + 65536)));
}

export const WEB_WORKER_HOST: WorkerHost = {
  cwd: () => '/',
  soon: soonByMessage(),
  openDrives: async (drives) => (drives.length === 0 ? { ok: true, value: [], warnings: [] }
    : { ok: false, error: `launch attribute "drives": a disk image is a file the emulator reads and writes in place, ${NEEDS_HOST}` }),
  openNet: async () => ({ ok: false, error: `launch attribute "net": virtio-net links go through host sockets (UDP, Unix), ${NEEDS_HOST}` }),
  openPassthrough: (opts) => (opts.length === 0 ? { ok: true, value: { descriptions: [], backends: [], close: () => undefined } }
    : { ok: false, error: `launch attribute "passthrough": Remote-Port peers are sockets and stub models host files, ${NEEDS_HOST}` }),
  openBackend: () => ({ ok: false, error: `a passthrough backend is a socket or a host file, ${NEEDS_HOST}` }),
  loadMachineFile: (file) => ({ ok: false, error: `machine file '${file}': reading a device tree and its includes from the host's disk, ${NEEDS_HOST}` }),
  serveSerial: () => Promise.reject(new Error(`launch attribute "serial" serves a TCP port, ${NEEDS_HOST}`)),
  serveGdb: () => Promise.reject(new Error(`launch attribute "gdbServer" serves gdb on a TCP port, ${NEEDS_HOST}`)),
  hostEntropy: () => ({ fill: fillRandom }),
  // Drives are refused here before a snapshot could name one.
  hashDrive: (path) => { throw new Error(`drive ${path}: disk images need the host`); },
  screenFrames: () => `the screen panel is not in the web build yet (its PNG frames are made with Node's zlib), ${NEEDS_HOST}`,
};

const scope = globalThis as unknown as WorkerScope;
const port: MachinePort = {
  on: (_event, listener) => scope.addEventListener('message', (e) => listener(e.data)),
  postMessage: (m) => scope.postMessage(m),
};
new MachineWorker(port, WEB_WORKER_HOST);
