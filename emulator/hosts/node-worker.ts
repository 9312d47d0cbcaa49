/**
 * The machine worker as a Node worker thread (dist/machine-worker.js,
 * out/emulator/hosts/node-worker.js): worker.ts with the host's disk images, networks,
 * sockets, model files and entropy.
 */
import { parentPort } from 'node:worker_threads';
import { MachineWorker } from './worker';
import type { WorkerHost } from './worker-host';
import { hostEntropy } from './drives';
import { hashFile } from './snapshot-host';
import { openDrives } from './virtio-setup';
import { loadMachineFile } from './machine-file';
import { openNet } from './net';
import { openBackend, openPassthrough } from './passthrough-setup';
import { serveSerial } from './serial-tcp';
import { serveStub } from './gdb-stub/server';
import { ScreenFrames } from './screen-frames';

export const NODE_WORKER_HOST: WorkerHost = {
  cwd: () => process.cwd(),
  soon: (f) => { setImmediate(f); },
  openDrives, openNet, openPassthrough, openBackend, loadMachineFile, serveSerial, hostEntropy,
  serveGdb: serveStub,
  screenFrames: (screen) => new ScreenFrames(screen),
  hashDrive: hashFile,
};

if (parentPort !== null) new MachineWorker(parentPort, NODE_WORKER_HOST);
