/**
 * The snapshot file (`osdev-emu run --snapshot-at N FILE`, `--restore FILE`), version 1:
 *
 *   "OSDEVSNP"  magic, 8 bytes
 *   u32         format version
 *   u32 + JSON  header: board hash, images (role, name, hash), position, notes
 *   u32 + ...   body: the Saved codec (saved.ts) of { state, rom, ram: page numbers + bytes }
 *   u32         CRC-32 of every byte before it
 *
 * Everything is checked on load, in that order; a file that fails gives one SnapshotError
 * naming what is wrong (not a snapshot, another version, damaged, truncated, another board,
 * another image).
 */
import { MachineDescription } from '../machine/description';
import { record, Saved, SavedReader, SavedWriter, SnapshotError } from './saved';
import { crc32, hashText, hashWords } from './hash';
import { MachineSnapshot, PAGE } from './machine-snapshot';

const MAGIC = 'OSDEVSNP';
export const SNAPSHOT_VERSION = 1;

/** An image the machine was booted from, as the header names it: a restore must be given the same bytes. */
export interface SnapshotImage { role: string; name: string; hash: string }

export interface SnapshotHeader {
  /** boardHash of the description the machine was built from. */
  board: string;
  images: SnapshotImage[];
  /** Instructions retired by all harts, and each hart's, at the snapshot. */
  retired: number;
  instret: number[];
  /** Passthrough slots served by a Remote-Port peer: a restore needs each peer brought to the same point. */
  peers: string[];
  /** What the snapshot could not hold (a drive written in place). */
  notes: string[];
}

/** The description as a hash: a snapshot fits only a machine built from an equal one. */
export function boardHash(d: MachineDescription): string {
  return hashText(JSON.stringify(d, (_k, v: unknown) => v instanceof Uint8Array ? `bytes:${hashWords(v)}` : v));
}

export function imageHash(bytes: Uint8Array): string { return hashWords(bytes); }

export function encodeSnapshotFile(s: MachineSnapshot, header: SnapshotHeader): Uint8Array {
  const present: number[] = [];
  s.pages.forEach((p, i) => { if (p !== null) present.push(i); });
  const data = new Uint8Array(present.length * PAGE);
  present.forEach((i, n) => data.set(s.pages[i] as Uint8Array, n * PAGE));
  return encodeEnvelope(MAGIC, SNAPSHOT_VERSION, header, { state: s.state, rom: s.rom, ram: { pages: s.pages.length, present: Uint32Array.from(present), data }, retired: s.retired });
}

/**
 * The checked envelope of our files (snapshots here, replays in replay-file.ts): magic,
 * version, header JSON, a Saved body, CRC-32 over all of it.
 */
export function encodeEnvelope(magic: string, version: number, header: object, body: Saved): Uint8Array {
  const b = new SavedWriter();
  b.value(body);
  const w = new SavedWriter();
  w.bytes(new TextEncoder().encode(magic));
  w.u32(version);
  w.str(JSON.stringify(header));
  const bytes = b.result();
  w.u32(bytes.length);
  w.bytes(bytes);
  const out = w.result();
  const full = new Uint8Array(out.length + 4);
  full.set(out);
  new DataView(full.buffer).setUint32(out.length, crc32(out), true);
  return full;
}

/**
 * An envelope opened and checked in order (magic, version, length, checksum, header JSON):
 * the header as parsed JSON and the body. `what` names the file in errors ("snapshot x.snap"),
 * `kind` says what it is not when the magic is wrong.
 */
export function decodeEnvelope(bytes: Uint8Array, magic: string, version: number, what: string, notKind: string): { header: unknown; body: Saved } {
  const head = new TextDecoder().decode(bytes.subarray(0, magic.length));
  if (bytes.length < magic.length + 12 && magic.startsWith(head)) throw new SnapshotError(`${what} is truncated (${bytes.length} bytes)`);
  if (head !== magic) throw new SnapshotError(`${notKind} (no ${magic} magic)`);
  const r = new SavedReader(bytes, what);
  r.bytes(magic.length);
  const v = r.u32();
  if (v !== version) throw new SnapshotError(`${what} is format version ${v}; this build reads version ${version}`);
  const headerText = r.str();
  const bodyLen = r.u32();
  if (r.pos + bodyLen + 4 > bytes.length) throw new SnapshotError(`${what} is truncated (${bytes.length} bytes, the header announces ${r.pos + bodyLen + 4})`);
  const end = r.pos + bodyLen;
  const stored = new DataView(bytes.buffer, bytes.byteOffset + end, 4).getUint32(0, true);
  if (crc32(bytes.subarray(0, end)) !== stored) throw new SnapshotError(`${what} is damaged (checksum mismatch)`);
  let header: unknown;
  try { header = JSON.parse(headerText); } catch { throw new SnapshotError(`${what} is damaged (its header is not JSON)`); }
  return { header, body: new SavedReader(bytes.subarray(r.pos, end), what).value() };
}

/** A snapshot file read back, checked as far as it goes without a machine (checkSnapshotFits does the rest). */
export function decodeSnapshotFile(bytes: Uint8Array, name: string): { header: SnapshotHeader; snapshot: MachineSnapshot } {
  const what = `snapshot ${name}`;
  const env = decodeEnvelope(bytes, MAGIC, SNAPSHOT_VERSION, what, `${name} is not an OS Dev Emulator snapshot`);
  const header = env.header as SnapshotHeader;
  if (typeof header !== 'object' || header === null || typeof header.board !== 'string' || !Array.isArray(header.images) || !Array.isArray(header.instret)) throw new SnapshotError(`${what} is damaged (header fields missing)`);
  const body = record(env.body);
  const ram = record(body.ram);
  const count = ram.pages as number, present = ram.present as Uint32Array, data = ram.data as Uint8Array;
  if (!(present instanceof Uint32Array) || !(data instanceof Uint8Array) || data.length !== present.length * PAGE) throw new SnapshotError(`${what} is damaged (RAM pages)`);
  const pages: (Uint8Array | null)[] = new Array<Uint8Array | null>(count).fill(null);
  present.forEach((i, n) => { if (i < count) pages[i] = data.subarray(n * PAGE, (n + 1) * PAGE); });
  return { header, snapshot: { state: body.state, pages, rom: body.rom as Uint8Array, retired: body.retired as number, ownBytes: data.length } };
}

/**
 * Whether a machine built here may take the snapshot: the same board, the same image bytes.
 * Null when it may; else the reason, naming the image that differs. `made` says how the
 * file came about, for the reason: "the snapshot was taken" (a replay: "the replay was recorded").
 */
export function checkSnapshotFits(header: { board: string; images: readonly SnapshotImage[] }, board: string, images: readonly SnapshotImage[],
  made = 'the snapshot was taken'): string | null {
  if (header.board !== board) return `${made} on another board (the machine options or DTS differ)`;
  for (const img of header.images) {
    const here = images.find((i) => i.role === img.role);
    if (here === undefined) return `${made} with ${img.role} ${img.name}; none is given here`;
    if (here.hash !== img.hash) return `${img.role} ${here.name} is not the image ${made} with (${img.name}): its bytes differ`;
  }
  for (const img of images) {
    if (!header.images.some((i) => i.role === img.role)) return `${img.role} ${img.name} was not part of the run ${made} in`;
  }
  return null;
}
