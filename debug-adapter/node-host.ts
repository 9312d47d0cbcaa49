/**
 * The debug session's host in Node (the desktop extension, `osdev-emu dap`, the tests):
 * host files (node-files.ts), the machine in a worker thread, trace files appended with
 * fs. extension/ reaches it as `../debug-adapter/node-host`, the one file besides the
 * entry it may import (the web build must not pull Node in through debug-adapter/index.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkerMessage } from '../emulator';
import type { AdapterHost, MachineTransport, TraceFile } from './adapter-host';
import { NODE_FILES } from './node-files';

/**
 * Where the worker script is: beside the bundle (dist/machine-worker.js, for the
 * extension, dist/cli.js and dist/debug-adapter.js) or in the tsc output
 * (out/emulator/hosts/node-worker.js, seen from out/debug-adapter/).
 */
export function findWorkerScript(): string | undefined {
  const candidates = [
    path.join(__dirname, 'machine-worker.js'),
    path.join(__dirname, '..', 'emulator', 'hosts', 'node-worker.js'),
  ];
  return candidates.find((p) => fs.existsSync(p));
}

function workerThread(script: string): MachineTransport {
  const worker = new Worker(script);
  return {
    post: (m) => worker.postMessage(m),
    listen: (onMessage, onFailure) => {
      worker.on('message', (m: WorkerMessage) => onMessage(m));
      worker.on('error', (e) => onFailure(`machine worker failed: ${e.message}`));
      worker.on('exit', (code) => onFailure(`machine worker exited (code ${code})`));
    },
    terminate: async () => { await worker.terminate(); },
  };
}

function appendFile(file: string): TraceFile {
  const fd = fs.openSync(file, 'a');
  let open = true;
  const close = () => { if (open) { open = false; try { fs.closeSync(fd); } catch { /* already gone */ } } };
  return {
    append: (text) => { if (!open) return; try { fs.writeSync(fd, text); } catch { close(); } },
    close,
  };
}

export const NODE_HOST: AdapterHost = {
  files: NODE_FILES,
  startMachine: () => {
    const script = findWorkerScript();
    return script === undefined ? 'the machine worker script (machine-worker.js) is missing from this installation' : workerThread(script);
  },
  cwd: () => process.cwd(),
  openTraceFile: appendFile,
};
