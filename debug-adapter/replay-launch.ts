/**
 * launch.json `replay`: a replay file (emulator/snapshot/replay-file.ts) read and turned
 * into the worker's launch, its images read from the paths it names. The worker checks
 * their hashes and the board against the file, and re-executes the recorded run.
 */
import * as path from './posix-path';
import { decodeReplayFile, ImageBytes, LaunchParams, replayImageFiles, replayLaunchParams } from '../emulator';
import { FileAccessor, readImage } from './file-accessor';

export interface ReplayLaunch { params: LaunchParams; kernel: ImageBytes }

export async function readReplay(files: FileAccessor, file: string): Promise<ReplayLaunch> {
  const raw = await readImage(files, file, 'replay');
  // decodeReplayFile throws one SnapshotError naming the file and what is wrong with it.
  const r = decodeReplayFile(raw.bytes, file, path.dirname(file));
  const images: Partial<Record<'kernel' | 'firmware' | 'initrd', ImageBytes>> = {};
  for (const { role, path: p } of replayImageFiles(r)) {
    const got = await files.readFile(p);
    if (!got.ok) throw new Error(`replay ${file}: cannot read its ${role} '${p}': ${got.error}`);
    images[role] = { name: p, bytes: got.bytes };
  }
  if (images.kernel === undefined) throw new Error(`replay ${file}: it names no kernel (a session always has one: the file is damaged)`);
  const params = replayLaunchParams(r, file, images);
  return {
    params: { ...params, replay: { name: file, board: r.board, images: r.images, legs: r.legs, inputs: r.inputs, end: r.end, peers: r.peers } },
    kernel: images.kernel,
  };
}
