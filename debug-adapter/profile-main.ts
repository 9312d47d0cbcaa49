/**
 * The CLI's way to the profile writer: `osdev-emu run --profile/--coverage` runs the
 * adapter's entry as a child (`debug-adapter.js --write-profile`, as `osdev-emu dap`
 * runs it), so emulator/ never imports debug-adapter/. The request comes as one JSON
 * document on stdin; the files are written here, failures are one line on stderr.
 */
import * as fs from 'node:fs';
import type { RawCoverage, RawProfile } from '../emulator';
import { DebugInfo, DebugImage, elfOf } from './debug-info';
import { readImage } from './file-accessor';
import { NODE_FILES } from './node-files';
import { buildCpuProfile, buildLcov, lossNotes } from './profile-writer';

export interface ProfileWriteRequest {
  /** The ELF files whose DWARF names the pcs: the kernel, and an ELF firmware. */
  kernel?: string;
  firmware?: string;
  /** More ELF files at their link addresses (`--symbols`: a Linux Image's vmlinux). */
  symbols?: string[];
  xlen: 32 | 64;
  profile?: { raw: RawProfile; out: string };
  coverage?: { raw: RawCoverage; out: string };
}

async function image(file: string | undefined, what: string): Promise<DebugImage | undefined> {
  if (file === undefined) return undefined;
  const bytes = await readImage(NODE_FILES, file, what);
  const elf = elfOf(bytes);
  return elf === undefined ? undefined : { label: file, file: bytes, elf, offset: 0n };
}

export async function writeProfiles(r: ProfileWriteRequest): Promise<string[]> {
  const program = await image(r.kernel, 'kernel');
  const firmware = await image(r.firmware, 'bios');
  const { info, messages } = await DebugInfo.load(NODE_FILES, {
    program, firmware, extra: (r.symbols ?? []).map((p) => ({ path: p, label: p, offset: 0n })), xlen: r.xlen, sourceFileMap: {} });
  const write = (out: string, text: string, what: string) => {
    try { fs.writeFileSync(out, text); } catch (e) { throw new Error(`${what}: cannot write '${out}': ${(e as Error).message}`); }
  };
  if (r.profile !== undefined) write(r.profile.out, JSON.stringify(buildCpuProfile(info, r.profile.raw)), '--profile');
  if (r.coverage !== undefined) write(r.coverage.out, buildLcov(info, r.coverage.raw), '--coverage');
  messages.push(...lossNotes(r.profile?.raw ?? null, r.coverage?.raw ?? null));
  if (program === undefined && (r.symbols ?? []).length === 0) messages.push('the kernel is not an ELF file (--symbols ELF names its pcs): samples and coverage have no names or lines');
  return messages;
}

/** Reads the request from stdin and writes what it asks; the exit status says whether it could. */
export function profileWriterMain(): void {
  const chunks: Buffer[] = [];
  process.stdin.on('data', (c: Buffer) => chunks.push(c));
  process.stdin.on('end', () => {
    let req: ProfileWriteRequest;
    try {
      req = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ProfileWriteRequest;
    } catch (e) {
      process.stderr.write(`profile writer: the request is not JSON: ${(e as Error).message}\n`);
      process.exit(2);
    }
    writeProfiles(req).then((messages) => {
      for (const m of messages) process.stderr.write(`osdev-emu: ${m}\n`);
      process.exit(0);
    }, (e: Error) => {
      process.stderr.write(`osdev-emu: ${e.message}\n`);
      process.exit(1);
    });
  });
}
