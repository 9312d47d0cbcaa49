/**
 * Function breakpoints stop where gdb's `break FUNCTION` stops: for every function of
 * the program-state guest (and its start-up code, libgcc's and ours), at -O0, -Og and
 * -O2, rv64 and rv32, the addresses function-entry.ts gives equal the locations
 * gdb-multiarch lists for the same ELF — past the prologue where gdb skips it, at each
 * inlined copy where the function was inlined.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DebugInfo, elfOf } from '../debug-info';
import { Die, DW_TAG } from '../dwarf-dies';
import { NODE_FILES } from '../node-files';
import { functionLocations } from '../function-entry';
import { buildState } from './state-program';

const tools = ['riscv64-unknown-elf-gcc', 'gdb-multiarch'].filter((t) => {
  try { execFileSync('sh', ['-c', `command -v ${t}`]); return false; } catch { return true; }
});
const skip = tools.length > 0 ? `not installed: ${tools.join(', ')}` : false;

/** gdb's locations for `break NAME` of each name it knows, from one `info breakpoints`. */
function gdbLocations(elf: string, names: readonly string[]): Map<string, Set<bigint>> {
  const out = execFileSync('gdb-multiarch', ['-nx', '-batch', '-ex', 'set breakpoint pending off',
    ...names.flatMap((n) => ['-ex', `echo @@${n}\\n`, '-ex', `break ${n}`]), '-ex', 'info breakpoints', elf], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  // "@@NAME" then "Breakpoint N at ..." (nothing when gdb knows no such function).
  const byNumber = new Map<string, string>();
  let asked: string | undefined;
  const found = new Map<string, Set<bigint>>();
  let current: string | undefined;
  for (const line of out.split('\n')) {
    const marker = /^@@(\w+)$/.exec(line);
    if (marker !== null) { asked = marker[1]; continue; }
    const made = /^Breakpoint (\d+) at /.exec(line);
    if (made !== null && asked !== undefined) { byNumber.set(made[1], asked); asked = undefined; continue; }
    // Rows: "N  breakpoint keep y  0xADDR in fn at file:line", or "<MULTIPLE>" then "N.M  y  0xADDR in ...".
    const head = /^(\d+)\s+breakpoint\s+keep\s+y\s+(\S+)/.exec(line);
    if (head !== null) {
      current = byNumber.get(head[1]);
      if (current !== undefined) found.set(current, new Set(head[2].startsWith('0x') ? [BigInt(head[2])] : []));
      continue;
    }
    const loc = /^\d+\.\d+\s+y\S*\s+(0x[0-9a-f]+)/.exec(line);
    if (loc !== null && current !== undefined) found.get(current)!.add(BigInt(loc[1]));
  }
  return found;
}

/** Names of every function the DWARF describes (some are only ever inlined). */
function dwarfFunctionNames(info: DebugInfo): string[] {
  const names: string[] = [];
  const walk = (d: Die): void => {
    if (d.tag === DW_TAG.subprogram && d.name !== undefined) names.push(d.name);
    for (const c of d.children) walk(c);
  };
  for (const dwarf of info.dwarf) for (const u of dwarf.units) walk(u.root());
  return names;
}

for (const [xlen, opt] of [[64, '-O0'], [32, '-Og'], [64, '-O2'], [32, '-O2']] as const) {
  test(`function breakpoints where gdb puts them: rv${xlen} ${opt}`, { skip }, async () => {
    const build = buildState(xlen, opt);
    try {
      const bytes = new Uint8Array(fs.readFileSync(build.elf));
      const elf = elfOf({ name: build.elf, bytes })!;
      const { info } = await DebugInfo.load(NODE_FILES, { program: { label: path.basename(build.elf), file: { name: build.elf, bytes }, elf, offset: 0n }, extra: [], xlen, sourceFileMap: {} });
      // Every function gdb knows by name: its symbols, and functions only inlined (no symbol).
      const nm = execFileSync('riscv64-unknown-elf-nm', [build.elf], { encoding: 'utf8' });
      const names = new Set(nm.split('\n').map((l) => l.split(' ')).filter((p) => p.length === 3 && /[tT]/.test(p[1])).map((p) => p[2]));
      for (const n of dwarfFunctionNames(info)) names.add(n);
      const gdb = gdbLocations(build.elf, [...names]);
      assert.ok(gdb.size >= 20, `gdb listed ${gdb.size} breakpoints`);
      let inlinedCopies = 0, skipped = 0;
      const wrong: string[] = [];
      for (const [name, want] of gdb) {
        const ours = new Set(functionLocations(info, name)?.addresses ?? []);
        const hex = (s: Set<bigint>) => [...s].map((a) => a.toString(16)).sort().join(' ');
        if (hex(ours) !== hex(want)) wrong.push(`${name}: ours ${hex(ours)}, gdb ${hex(want)}`);
        const entry = info.symbols.lookup(name)?.address;
        if (want.size > 1) inlinedCopies++;
        if (entry !== undefined && !want.has(entry)) skipped++;
      }
      assert.deepEqual(wrong, []);
      // The test means something: prologues are skipped at -O0, copies found at -O2.
      if (opt === '-O0') assert.ok(skipped >= 10, `${skipped} prologues skipped`);
      if (opt === '-O2') assert.ok(inlinedCopies >= 1, `${inlinedCopies} functions with inlined copies`);
    } finally {
      build.remove();
    }
  });
}
