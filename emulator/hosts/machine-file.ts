/**
 * `--machine FILE.dts` (CLI) and launch.json `machine` (worker): read the source and
 * its includes from disk and build the machine description it describes
 * (machine/machine-from-dts.ts). Every failure is one message naming the file, and the
 * node or line at fault.
 */
import * as path from 'node:path';
import { machineFromDts } from '../machine/machine-from-dts';
import { MachineDescription } from '../machine/description';
import { READ_LIMITS, readFileBounded, readTextBounded, utf8 } from './host-files';

export { checkHostFit } from './host-fit';

const readText = (file: string): string | undefined => readTextBounded(file, READ_LIMITS.source);

/** What the description takes from the host rather than the file. */
export type HostParts = Omit<MachineDescription, 'xlen' | 'harts' | 'memoryBytes' | 'board' | 'dtb' | 'passthrough'>;

export type MachineFile = { ok: true; desc: MachineDescription; lines: string[] } | { ok: false; error: string };

/** The description a DTS file gives, with the host's parts; `lines` are warnings to show the user. */
export function loadMachineFile(file: string, host: HostParts): MachineFile {
  const abs = path.resolve(file);
  const read = readFileBounded(abs, READ_LIMITS.source);
  if (!read.ok) return { ok: false, error: `machine file '${file}': ${read.error}` };
  const text = utf8(read.bytes);
  // Includes resolve from the file's folder (as dtc -i DIR would), besides quoted-relative paths.
  const built = machineFromDts(abs, text, { readFile: readText, includePaths: [path.dirname(abs)] });
  if (!built.ok) return { ok: false, error: `machine file ${built.error}` };
  const m = built.value;
  const lines = [...m.diagnostics, ...m.warnings.map((w) => `${file}: ${w}`)];
  const desc: MachineDescription = {
    ...host, xlen: m.xlen, fpu: m.fpu, extensions: m.extensions, harts: m.harts, memoryBytes: m.memoryBytes, board: m.board, dtb: m.dtb, passthrough: m.passthrough,
  };
  return { ok: true, desc, lines };
}
