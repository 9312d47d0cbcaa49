/**
 * C type names and bodies from DWARF against gdb-multiarch (the oracle): every global of
 * test/programs/state.c and its functions, `whatis` and `ptype`, at -O0 and -O2, rv64 and
 * rv32, DWARF 4 and 5.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Die, DW_TAG } from '../dwarf-dies';
import { functionTypeName, typeBody, typeName, typeOf } from '../dwarf-types';
import { buildState, dwarfOf } from './state-program';

/** gdb's answers to `commands`, one `type = ...` block each. */
function gdbTypes(elf: string, commands: string[]): string[] {
  const out = execFileSync('gdb-multiarch', ['-batch', '-nx', ...commands.flatMap((c) => ['-ex', c]), elf], { encoding: 'utf8' });
  return out.split(/^type = /m).slice(1).map((t) => t.trimEnd());
}

for (const [xlen, opt, dwarf] of [[64, '-O0', 5], [64, '-O2', 4], [32, '-O2', 5], [32, '-Og', 4]] as const) {
  test(`whatis and ptype of state.c's globals and functions as gdb prints them (rv${xlen} ${opt} DWARF ${dwarf})`, () => {
    const build = buildState(xlen, opt, dwarf);
    try {
      const info = dwarfOf(build.elf);
      const unit = info.units.find((u) => u.root().name?.endsWith('state.c'));
      assert.ok(unit !== undefined);
      const top = unit.root().children;
      const globals = top.filter((d) => d.tag === DW_TAG.variable && d.name !== undefined);
      const functions = top.filter((d) => d.tag === DW_TAG.subprogram && d.name !== undefined && (d.name === 'main' || d.name === 'schedule'));
      assert.ok(globals.length >= 30, `${globals.length} globals`);
      const aggregates = ['struct proc', 'union word', 'struct context', 'enum procstate'];
      const theirs = gdbTypes(build.elf, [...globals.map((g) => `whatis ${g.name}`), ...functions.map((f) => `whatis ${f.name}`),
        ...aggregates.map((a) => `ptype ${a}`)]);
      const byName = (name: string): Die => {
        const d = top.find((x) => x.name === name.split(' ')[1] && x.tag !== DW_TAG.variable && x.tag !== DW_TAG.subprogram);
        assert.ok(d !== undefined, name);
        return d;
      };
      const ours = [...globals.map((g) => typeName(typeOf(g))), ...functions.map((f) => functionTypeName(f)), ...aggregates.map((a) => typeBody(byName(a)))];
      assert.deepEqual(ours, theirs);
    } finally {
      build.remove();
    }
  });
}
