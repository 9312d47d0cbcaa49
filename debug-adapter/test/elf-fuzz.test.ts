/**
 * Fuzzing the ELF loader and the DWARF readers (issue 22), bounded: ELF_FUZZ_ITERS and
 * ELF_FUZZ_SEED change the run; `npm run fuzz:elf` runs a long one. Real guest ELFs
 * (the demo, and the built guests when they are there) are mutated where it hurts: the
 * ELF and program headers, section headers, and the bytes of .debug_line, .debug_info,
 * .debug_abbrev, .debug_frame, .symtab and .strtab. Each mutant goes through what a
 * launch does (parseElf, SymbolTable, readLineTable, SourceLines, CallFrameInfo,
 * compilationDirs): no exception escapes, and what comes out is well formed (segments
 * inside the file, line rows with sane numbers, frame rules with a register).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseElf, ElfImage } from '../../emulator/loaders/elf';
import { SymbolTable } from '../symbols';
import { readLineTable, SourceLines } from '../dwarf-line';
import { CallFrameInfo } from '../dwarf-frame';
import { compilationDirs } from '../dwarf-info';
import { prng } from '../../emulator/devices/virtio/fuzz';

const ITERS = Number(process.env.ELF_FUZZ_ITERS ?? 300);
const SEED = Number(process.env.ELF_FUZZ_SEED ?? 1);
const ROOT = join(__dirname, '..', '..', '..');

function corpus(): Uint8Array[] {
  const files = [join(ROOT, 'demo', 'hello.elf')];
  const built = join(ROOT, 'emulator', 'test', 'guests', 'build', 'rv64');
  if (existsSync(built)) for (const f of readdirSync(built).filter((n) => n.endsWith('.elf')).slice(0, 8)) files.push(join(built, f));
  return files.map((f) => new Uint8Array(readFileSync(f)));
}

/** Byte ranges worth hitting: the headers and the sections the readers parse. */
function targets(bytes: Uint8Array, elf: ElfImage): [number, number][] {
  const out: [number, number][] = [[0, 64]];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const phoff = Number(dv.getBigUint64(32, true));
  const shoff = Number(dv.getBigUint64(40, true));
  out.push([phoff, phoff + 56 * dv.getUint16(56, true)], [shoff, shoff + 64 * dv.getUint16(60, true)]);
  for (const s of elf.sections) {
    if (/^\.(debug_line|debug_info|debug_abbrev|debug_frame|eh_frame|debug_str|debug_line_str|symtab|strtab)$/.test(s.name)) out.push([s.offset, s.offset + s.size]);
  }
  return out.filter(([a, b]) => b > a && b <= bytes.length);
}

function mutate(src: Uint8Array, spots: [number, number][], rnd: () => number): Uint8Array {
  const b = new Uint8Array(src);
  const dv = new DataView(b.buffer);
  const n = 1 + Math.floor(rnd() * 6);
  for (let k = 0; k < n; k++) {
    const [lo, hi] = spots[Math.floor(rnd() * spots.length)];
    const at = lo + Math.floor(rnd() * (hi - lo));
    const r = rnd();
    if (r < 0.4) b[at] ^= 1 << Math.floor(rnd() * 8);
    else if (r < 0.6) b[at] = [0, 0xff, 0x7f, 0x80, 1][Math.floor(rnd() * 5)];
    else if (r < 0.8 && at + 8 <= b.length) dv.setBigUint64(at, [0n, (1n << 64n) - 1n, 1n << 63n, BigInt(b.length), 0x7fffffffn][Math.floor(rnd() * 5)], true);
    else if (r < 0.85) return b.slice(0, at);
    else if (at + 4 <= b.length) dv.setUint32(at, Math.floor(rnd() * 2 ** 32), true);
  }
  return b;
}

/** One launch's worth of reading; throws on a malformed result. */
function exercise(bytes: Uint8Array, rnd: () => number): void {
  const r = parseElf(bytes);
  if (!r.ok) { assert.ok(typeof r.error === 'string' && r.error.length > 0 && !r.error.includes('\n')); return; }
  const elf = r.value;
  for (const s of elf.segments) {
    assert.ok(s.offset >= 0 && s.offset + s.fileBytes.length <= bytes.length, 'a segment lies in the file');
    assert.ok(s.memSize >= s.fileBytes.length, 'memsz covers filesz');
  }
  const pcs = [BigInt(elf.entry), ...elf.segments.map((s) => BigInt(s.vaddr)), BigInt(Math.floor(rnd() * 2 ** 32))];
  const symbols = new SymbolTable([{ elf, offset: 0n }], elf.xlen);
  for (const pc of pcs) { symbols.at(pc); symbols.label(pc); }
  symbols.lookup('main');
  const table = readLineTable(elf, bytes, '/guest');
  for (const row of table.rows) {
    assert.equal(typeof row.address, 'bigint');
    assert.ok(Number.isInteger(row.line) && row.line >= 0 && Number.isInteger(row.column) && row.column >= 0, `line ${row.line}:${row.column}`);
  }
  const lines = new SourceLines(table.rows);
  for (const pc of pcs) { lines.at(pc); lines.lineRanges(pc); }
  lines.statementStarts(pcs[0], pcs[0] + 0x100n);
  const cfi = new CallFrameInfo(elf, bytes);
  for (const pc of pcs) {
    const rules = cfi.rulesAt(pc);
    if (rules !== undefined) assert.ok(Number.isInteger(rules.cfaRegister) && Number.isFinite(rules.cfaOffset));
  }
  const warnings: string[] = [];
  compilationDirs(elf, bytes, warnings);
  for (const w of [...warnings, ...table.warnings]) assert.ok(typeof w === 'string' && !w.includes('\n    at '), w);
}

test(`ELF/DWARF fuzz: ${ITERS} mutated guest ELFs from seed ${SEED}`, () => {
  const rnd = prng(SEED);
  const files = corpus().map((bytes) => {
    const r = parseElf(bytes);
    assert.ok(r.ok, 'the corpus parses');
    return { bytes, spots: targets(bytes, r.value) };
  });
  for (const f of files) exercise(f.bytes, rnd);
  let parsed = 0;
  let slowest = 0;
  for (let i = 0; i < ITERS; i++) {
    const f = files[Math.floor(rnd() * files.length)];
    const bytes = mutate(f.bytes, f.spots, rnd);
    const t0 = Date.now();
    try { exercise(bytes, rnd); } catch (e) {
      throw new Error(`seed ${SEED} case ${i}: ${(e as Error).stack}`);
    }
    slowest = Math.max(slowest, Date.now() - t0);
    if (parseElf(bytes).ok) parsed++;
  }
  if (process.env.ELF_FUZZ_ITERS !== undefined) console.log(`ELF fuzz: ${JSON.stringify({ cases: ITERS, parsed, slowestMs: slowest, files: files.length })}`);
  assert.ok(parsed > 0 && parsed < ITERS, `some mutants load and some are refused (${parsed} of ${ITERS})`);
});
