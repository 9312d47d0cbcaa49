/**
 * The replay file (issue 18): one file that reproduces a debug session's run, written by
 * "OS Dev: Save Replay" and opened by launch.json `replay` or `osdev-emu replay FILE`.
 * Version 1, in the snapshot file's checked envelope (snapshot-file.ts) with magic
 * "OSDEVRPL":
 *
 *   header  { launch, board, images, legs, end, peers, notes }
 *   body    { inputs: the `--record` text (input-events.ts, one JSON line per event),
 *             restore: the snapshot file the session started from, or null }
 *
 * - `launch`: the worker's launch parameters (debug-protocol.ts LaunchParams) without the
 *   image bytes: the board as options or a DTS path, the drives, the devices.
 * - `images`: kernel, firmware, initrd and drives by path and hash (snapshot-file.ts
 *   SnapshotImage), not embedded: a kernel with its DWARF and a disk are large, and the
 *   debugger needs the ELF and the sources on disk anyway; the hash makes a different
 *   file one clear error naming it. Paths inside the replay file's folder are kept
 *   relative to it, so a colleague's checkout of the same tree opens it.
 * - `board`: boardHash of the machine built (a DTS that changed since is caught).
 * - `legs`: how the session went from the start to the saved point (time-travel.ts
 *   LegTo): runs, and single steps of one hart, which interleave harts differently.
 * - `end`: instructions retired there, and the state hash there without waiting input
 *   (machine-snapshot.ts stateHash): a replay checks it reached the same machine.
 */
import type { ImageBytes, LaunchParams } from '../machine/debug-protocol';
import { checkRequest } from '../machine/debug-protocol';
import { formatInput, parseInputLog, StampedInput } from '../machine/input-events';
import { decodeEnvelope, encodeEnvelope, SnapshotImage } from './snapshot-file';
import { record, SnapshotError } from './saved';
import type { Leg, LegTo } from './time-travel';

const MAGIC = 'OSDEVRPL';
export const REPLAY_VERSION = 1;
/** What "Save Replay" names its files, and F5 recognises. */
export const REPLAY_EXTENSION = '.osdev-replay';

/** LaunchParams without the bytes of images (named in `images`) and without host-only parts (a serial port). */
export type ReplayLaunch = Omit<LaunchParams, 'kernel' | 'bios' | 'initrd' | 'restore' | 'serialTcp' | 'replay'> & { bios: 'none' | 'builtin' | 'image' };

export interface ReplayEnd { retired: number; state: string }

export interface ReplayHeader {
  launch: ReplayLaunch;
  board: string;
  images: SnapshotImage[];
  legs: LegTo[];
  end: ReplayEnd;
  /** Passthrough slots served by a Remote-Port peer: a replay needs the peer (its answers are not recorded). */
  peers: string[];
  /** What the replay may not repeat (changes made from the debugger, drives written in place). */
  notes: string[];
}

export interface Replay extends ReplayHeader {
  inputs: StampedInput[];
  /** The snapshot file the session started from (launch.json `restore`). */
  restore: Uint8Array | null;
}

const isAbsolute = (p: string) => p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(p);

/** `p` relative to `folder` when it lies inside it, else as it is. */
function relativeTo(folder: string, p: string): string {
  const f = folder.replace(/[\\/]+$/, '');
  return p.startsWith(f) && (p[f.length] === '/' || p[f.length] === '\\') ? p.slice(f.length + 1) : p;
}

function resolveIn(folder: string, p: string): string { return isAbsolute(p) ? p : `${folder.replace(/[\\/]+$/, '')}/${p}`; }

/** Every path of a replay's launch and images, mapped (to relative on save, back to absolute on load). */
function mapPaths(h: ReplayHeader, f: (p: string) => string): ReplayHeader {
  const l = h.launch;
  const launch: ReplayLaunch = {
    ...l,
    ...(l.cwd !== undefined ? { cwd: f(l.cwd) } : {}),
    ...(l.machine !== undefined ? { machine: f(l.machine) } : {}),
    ...(l.virtio !== undefined ? { virtio: { ...l.virtio, drives: l.virtio.drives.map((d) => ({ ...d, path: f(d.path) })) } } : {}),
  };
  return { ...h, launch, images: h.images.map((i) => ({ ...i, name: f(i.name) })) };
}

/** The file's bytes; paths inside `folder` (the file's own) are written relative to it. */
export function encodeReplayFile(r: Replay, folder: string): Uint8Array {
  const { inputs, restore, ...header } = r;
  return encodeEnvelope(MAGIC, REPLAY_VERSION, mapPaths(header, (p) => relativeTo(folder, p)),
    { inputs: inputs.map((e) => `${formatInput(e)}\n`).join(''), restore });
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function isLeg(v: unknown): v is Leg {
  return isObj(v) && (v.kind === 'run' || (v.kind === 'steps' && isCount(v.hart) && typeof v.interrupts === 'boolean'));
}

/**
 * A replay file read back and checked as far as it goes without images or a machine
 * (the worker checks the board and image hashes); relative paths resolve in `folder`.
 * Every problem is one SnapshotError naming the file.
 */
export function decodeReplayFile(bytes: Uint8Array, name: string, folder: string): Replay {
  const what = `replay ${name}`;
  const env = decodeEnvelope(bytes, MAGIC, REPLAY_VERSION, what, `${name} is not an OS Dev Emulator replay`);
  const damaged = (part: string) => new SnapshotError(`${what} is damaged (${part})`);
  const h = env.header;
  if (!isObj(h) || !isObj(h.launch) || typeof h.board !== 'string') throw damaged('header fields missing');
  if (!Array.isArray(h.images) || !h.images.every((i) => isObj(i) && typeof i.role === 'string' && typeof i.name === 'string' && typeof i.hash === 'string')) throw damaged('images');
  let last = 0;
  if (!Array.isArray(h.legs) || !h.legs.every((l) => isObj(l) && isCount(l.retired) && l.retired >= last && isLeg(l.leg) && (last = l.retired, true))) throw damaged('legs');
  if (!isObj(h.end) || !isCount(h.end.retired) || typeof h.end.state !== 'string') throw damaged('end');
  if (!Array.isArray(h.peers) || !h.peers.every((p) => typeof p === 'string')) throw damaged('peers');
  if (!Array.isArray(h.notes) || !h.notes.every((p) => typeof p === 'string')) throw damaged('notes');
  const body = record(env.body);
  if (typeof body.inputs !== 'string') throw damaged('inputs');
  const log = parseInputLog(body.inputs);
  if (!log.ok) throw damaged(`inputs, ${log.error}`);
  if (body.restore !== null && !(body.restore instanceof Uint8Array)) throw damaged('restore');
  const header = mapPaths(h as unknown as ReplayHeader, (p) => resolveIn(folder, p));
  return { ...header, inputs: log.value, restore: body.restore };
}

/** The images a replay needs read from disk, by role: kernel, firmware, initrd (drives the worker opens itself). */
export function replayImageFiles(r: Replay): { role: 'kernel' | 'firmware' | 'initrd'; path: string }[] {
  return r.images.flatMap((i) => i.role === 'kernel' || i.role === 'firmware' || i.role === 'initrd' ? [{ role: i.role, path: i.name }] : []);
}

/**
 * The worker's launch parameters for a replay, given the images read from the paths
 * `replayImageFiles` named, checked by the worker's own validator (debug-protocol.ts).
 */
export function replayLaunchParams(r: Replay, name: string, images: Partial<Record<'kernel' | 'firmware' | 'initrd', ImageBytes>>): LaunchParams {
  const { bios, ...rest } = r.launch;
  if (bios === 'image' && images.firmware === undefined) throw new SnapshotError(`replay ${name} is damaged (its firmware is not among its images)`);
  const params: LaunchParams = {
    ...rest,
    // Remote-Port slots are served by the recorded answers, not by a peer.
    ...(rest.passthrough !== undefined ? { passthrough: rest.passthrough.map((p) => p.backend.kind === 'remote-port' ? { ...p, backend: { ...p.backend, peer: false as const } } : p) } : {}),
    bios: bios === 'image' ? images.firmware as ImageBytes : bios,
    ...(images.kernel !== undefined ? { kernel: images.kernel } : {}),
    ...(images.initrd !== undefined ? { initrd: images.initrd } : {}),
    ...(r.restore !== null ? { restore: { name: `${name} (its start)`, bytes: r.restore } } : {}),
  };
  const checked = checkRequest({ id: 0, type: 'launch', params });
  if (!checked.ok) throw new SnapshotError(`replay ${name} is damaged (launch: ${checked.error})`);
  return params;
}

/** A launch's parameters as a replay keeps them. */
export function replayLaunchOf(p: LaunchParams): ReplayLaunch {
  const { kernel: _k, bios, initrd: _i, restore: _r, serialTcp: _s, replay: _p, ...rest } = p;
  return { ...rest, bios: typeof bios === 'string' ? bios : 'image' };
}
