/**
 * The DWARF line-table reader against readelf (the oracle): every row of the demo
 * (DWARF 5, gcc 12) and of guest programs, rv64 and rv32, in order, with its file,
 * line, address and is_stmt flag, as `readelf -W --debug-dump=decodedline` prints them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseElf } from '../../emulator/loaders/elf';
import { readLineTable, SourceLines } from '../dwarf-line';

const ROOT = path.resolve(__dirname, '../../..');
const FILES = [
  path.join(ROOT, 'demo/hello.elf'),
  path.join(ROOT, 'emulator/test/guests/build/rv64/traps.elf'),
  path.join(ROOT, 'emulator/test/guests/build/rv32/paging.elf'),
];

function rowsOf(file: string) {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const elf = parseElf(bytes);
  assert.ok(elf.ok);
  return readLineTable(elf.value, bytes, path.dirname(file));
}

for (const file of FILES) {
  test(`line table of ${path.relative(ROOT, file)} equals readelf --debug-dump=decodedline`, () => {
    const ours = rowsOf(file);
    assert.deepEqual(ours.warnings, []);
    const dump = execFileSync('readelf', ['-W', '--debug-dump=decodedline', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const theirs: string[] = [];
    for (const line of dump.split('\n')) {
      const m = /^(\S+)\s+(\d+|-)\s+(0x[0-9a-f]+|0)(?:\s+\d+)?(\s+x)?\s*$/.exec(line);
      if (m !== null) theirs.push(`${m[1]} ${m[2]} ${BigInt(m[3]).toString(16)}${m[4] !== undefined ? ' x' : ''}`);
    }
    const mine = ours.rows.map((r) => `${path.basename(r.file)} ${r.endSequence ? '-' : r.line} ${r.address.toString(16)}${r.isStmt && !r.endSequence ? ' x' : ''}`);
    assert.ok(theirs.length > 100, `readelf printed ${theirs.length} rows`);
    assert.deepEqual(mine, theirs);
  });
}

test('source lines: pc to line, and a breakpoint on a line without code moves down', () => {
  const file = FILES[0];
  const lines = new SourceLines(rowsOf(file).rows);
  const source = path.join(ROOT, 'demo/hello.c');
  assert.ok(lines.files().has(source), [...lines.files()].join(', '));
  const text = fs.readFileSync(source, 'utf8').split('\n');
  const mainLine = text.findIndex((l) => l.startsWith('int main(void)')) + 1;
  const bp = lines.breakpointAddresses(source, mainLine);
  assert.ok(bp !== undefined && bp.addresses.length > 0);
  assert.equal(lines.at(bp.addresses[0])?.line, bp.line);
  // The line above main is blank or a brace: asking for it gives main's line or later.
  const moved = lines.breakpointAddresses(source, mainLine - 1);
  assert.ok(moved !== undefined && moved.line >= mainLine - 1);
});

for (const dwarf of [4, 5]) {
  test(`DWARF ${dwarf}: relative source paths resolve from DW_AT_comp_dir, wherever the ELF is moved`, () => {
    const build = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-compdir-'));
    fs.mkdirSync(path.join(build, 'src'));
    fs.writeFileSync(path.join(build, 'src', 'f.c'), 'int f(int x)\n{\n    return x + 1;\n}\n');
    const elfPath = path.join(build, 'f.elf');
    // Compiled from inside the build tree with a relative path, as make does.
    execFileSync('riscv64-unknown-elf-gcc', [`-gdwarf-${dwarf}`, '-O0', '-nostdlib', '-Wl,-e,f', '-march=rv64imac', '-mabi=lp64',
      'src/f.c', '-o', elfPath], { cwd: build });
    const moved = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-moved-'));
    fs.copyFileSync(elfPath, path.join(moved, 'f.elf'));
    const table = rowsOf(path.join(moved, 'f.elf'));
    assert.deepEqual(table.warnings, []);
    const files = new Set(table.rows.map((r) => r.file));
    assert.deepEqual([...files], [path.join(build, 'src', 'f.c')]);
    fs.rmSync(build, { recursive: true, force: true });
    fs.rmSync(moved, { recursive: true, force: true });
  });
}
