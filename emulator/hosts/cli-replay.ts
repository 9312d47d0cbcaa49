/**
 * `osdev-emu replay FILE`: a replay file (snapshot/replay-file.ts, "OS Dev: Save Replay")
 * run again from the command line. The debugger's own machine worker (worker.ts) runs
 * in this process and gets the same launch the debug session gets for launch.json
 * `replay`, so the run is re-executed by the same code: the guest console goes to
 * stdout, and the end is checked against the file (instructions and state hash).
 */
import * as path from 'node:path';
import { MachineWorker } from './worker';
import { NODE_WORKER_HOST } from './node-worker';
import type { MachinePort } from './worker-host';
import { decodeReplayFile, replayImageFiles, replayLaunchParams } from '../snapshot/replay-file';
import { SnapshotError } from '../snapshot/saved';
import { READ_LIMITS, readFileBounded, writeAllSync } from './host-files';
import type { ImageBytes, LaunchParams, WorkerMessage, WorkerResults } from '../machine/debug-protocol';

export const REPLAY_USAGE = 'usage: osdev-emu replay FILE   run a replay file (OS Dev: Save Replay) again to where it was saved';
const EXIT_DIFFERENT = 1;
const EXIT_BAD_INPUT = 2;

/** The launch for the worker, or an error message naming the file. */
function launchOf(file: string): LaunchParams | string {
  const abs = path.resolve(file);
  // A replay holds a snapshot at most besides its log: the snapshot's bound and the log's.
  const raw = readFileBounded(abs, READ_LIMITS.image * 2 + READ_LIMITS.inputLog);
  if (!raw.ok) return `replay: cannot read '${file}': ${raw.error}`;
  try {
    const r = decodeReplayFile(raw.bytes, file, path.dirname(abs));
    const images: Partial<Record<'kernel' | 'firmware' | 'initrd', ImageBytes>> = {};
    for (const { role, path: p } of replayImageFiles(r)) {
      const got = readFileBounded(p, READ_LIMITS.image);
      if (!got.ok) return `replay ${file}: cannot read its ${role} '${p}': ${got.error}`;
      images[role] = { name: p, bytes: got.bytes };
    }
    return { ...replayLaunchParams(r, file, images), replay: { name: file, board: r.board, images: r.images, legs: r.legs, inputs: r.inputs, end: r.end, peers: r.peers } };
  } catch (e) {
    if (e instanceof SnapshotError) return e.message;
    throw e;
  }
}

export async function runReplayMain(args: readonly string[]): Promise<number> {
  const say = (line: string) => { writeAllSync(2, `osdev-emu: ${line}\n`); };
  if (args.length !== 1 || args[0].startsWith('-')) { say(REPLAY_USAGE); return EXIT_BAD_INPUT; }
  const file = args[0];
  const params = launchOf(file);
  if (typeof params === 'string') { say(params); return EXIT_BAD_INPUT; }
  // An in-process channel to the worker: its events and its one answer.
  let deliver: (m: unknown) => void = () => undefined;
  const answered = new Promise<WorkerMessage>((resolve) => {
    const port: MachinePort = {
      on: (_event, listener) => { deliver = listener; },
      postMessage: (m) => {
        if (m.type === 'output') writeAllSync(1, m.bytes);
        else if (m.type === 'trace') for (const line of m.lines) say(line);
        else if (m.type === 'response') resolve(m);
      },
    };
    new MachineWorker(port, NODE_WORKER_HOST);
  });
  deliver({ id: 1, type: 'launch', params });
  const m = await answered;
  if (m.type !== 'response') return EXIT_BAD_INPUT;
  if (!m.ok) { say(m.error); return EXIT_BAD_INPUT; }
  const r = (m.result as WorkerResults['launch']).replay;
  if (r === undefined) return EXIT_BAD_INPUT;
  say(`state hash ${r.state} at ${r.retired} instructions`);
  if (!r.same) {
    say(`replay ${file}: the run went another way: the file recorded the state hash ${params.replay?.end.state ?? '?'} at ${params.replay?.end.retired ?? '?'} instructions`);
    return EXIT_DIFFERENT;
  }
  say(`replay ${file}: the recorded run repeated, to the same machine`);
  return 0;
}
