/**
 * A corpus nobody here wrote: every `.dts` under arch/riscv and arch/arm64 of Debian's
 * linux-source-6.1, preprocessed by `cpp` as the kernel build does (scripts/Makefile.lib
 * dtc_cpp_flags) and compiled by Debian's dtc. For every file dtc accepts, ours — with
 * our own preprocessor on the original sources — must give the identical DTB and the
 * identical warnings. Overlays (`/plugin/`: fragments, __fixups__, __local_fixups__) are
 * compared too, and every file again with `-@` (__symbols__, a phandle for every labelled
 * node). The package is required (.ci/run).
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compileDts, parseDtb } from '../index';
import type { FdtNodeData } from '../dtb';

const TARBALL = '/usr/src/linux-source-6.1.tar.xz';
const PREFIX = 'linux-source-6.1';

/** The parts of the tree the device trees need, unpacked once per tarball into the temp dir. */
function sourceTree(): string {
  if (!existsSync(TARBALL)) assert.fail(`${TARBALL} is missing: install Debian's linux-source-6.1 (see .ci/run)`);
  // Kept between runs in the guests' (git-ignored) build directory, not in the temp dir.
  const dir = join(__dirname, '../../../../emulator/test/guests/build', `linux-dts-${statSync(TARBALL).size}`);
  if (!existsSync(join(dir, PREFIX, 'include'))) {
    mkdirSync(dirname(dir), { recursive: true });
    const staging = mkdtempSync(`${dir}-staging-`);
    execFileSync('tar', ['-xJf', TARBALL, '-C', staging, '--wildcards',
      `${PREFIX}/arch/riscv/boot/dts/*`, `${PREFIX}/arch/arm64/boot/dts/*`, `${PREFIX}/include/dt-bindings/*`, `${PREFIX}/scripts/dtc/include-prefixes/*`]);
    try { renameSync(staging, dir); } catch { rmSync(staging, { recursive: true, force: true }); } // another run got there first
  }
  return join(dir, PREFIX);
}

/**
 * Same tree, same properties, same bytes — except that a cell may hold another phandle
 * number as long as both name the same node: tells a numbering difference (dtc hands out
 * unnamed phandles in reference order, /omit-if-no-ref/ nodes included) from a real one.
 */
function sameUpToPhandles(a: Uint8Array, b: Uint8Array): string | undefined {
  const ta = parseDtb(a);
  const tb = parseDtb(b);
  if (!ta.ok || !tb.ok) return 'unreadable DTB';
  const paths = (root: FdtNodeData) => {
    const m = new Map<number, string>();
    const walk = (n: FdtNodeData, path: string) => {
      const ph = n.props.find((p) => p.name === 'phandle');
      if (ph !== undefined && ph.value.length === 4) m.set(new DataView(ph.value.buffer, ph.value.byteOffset).getUint32(0), path);
      for (const c of n.children) walk(c, `${path}/${c.name}`);
    };
    walk(root, '');
    return m;
  };
  const pa = paths(ta.value.root);
  const pb = paths(tb.value.root);
  const cmp = (x: FdtNodeData, y: FdtNodeData, path: string): string | undefined => {
    if (x.name !== y.name || x.props.length !== y.props.length || x.children.length !== y.children.length) return `${path}: shape differs`;
    for (let i = 0; i < x.props.length; i++) {
      const p = x.props[i];
      const q = y.props[i];
      if (p.name !== q.name || p.value.length !== q.value.length) return `${path}:${p.name} differs`;
      if (Buffer.compare(Buffer.from(p.value), Buffer.from(q.value)) === 0) continue;
      if (p.value.length % 4 !== 0) return `${path}:${p.name} differs`;
      const dp = new DataView(p.value.buffer, p.value.byteOffset, p.value.length);
      const dq = new DataView(q.value.buffer, q.value.byteOffset, q.value.length);
      for (let k = 0; k < p.value.length; k += 4) {
        const u = dp.getUint32(k);
        const v = dq.getUint32(k);
        if (u !== v && (pa.get(u) === undefined || pa.get(u) !== pb.get(v))) return `${path}:${p.name} cell ${k / 4}: 0x${u.toString(16)} vs 0x${v.toString(16)}`;
      }
    }
    for (let i = 0; i < x.children.length; i++) {
      const d = cmp(x.children[i], y.children[i], `${path}/${x.children[i].name}`);
      if (d !== undefined) return d;
    }
    return undefined;
  };
  return cmp(ta.value.root, tb.value.root, '');
}

const readFile = (p: string): string | undefined => { try { return readFileSync(p, 'utf8'); } catch { return undefined; } };

function dtcWarnings(stderr: string): string[] {
  return stderr.split('\n').map((l) => /(?:Warning|ERROR) \(([a-z0-9_]+)\): (.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && !m[2].startsWith('Failed prerequisite'))
    .map((m) => `${m[1]}: ${m[2]}`).sort();
}

test('Linux 6.1 riscv and arm64 device trees and overlays: identical DTBs and warnings to cpp + dtc, also with -@', () => {
  const root = sourceTree();
  const inc = [join(root, 'scripts/dtc/include-prefixes'), join(root, 'include')];
  const files = execFileSync('find', [join(root, 'arch/riscv/boot/dts'), join(root, 'arch/arm64/boot/dts'), '-name', '*.dts', '-o', '-name', '*.dtso'], { encoding: 'utf8' }).trim().split('\n').sort();
  let accepted = 0;
  let overlays = 0;
  const mismatches: string[] = [];
  const renumbered: string[] = [];
  for (const file of files) {
    const pp = spawnSync('cpp', ['-nostdinc', ...inc.flatMap((i) => ['-I', i]), '-undef', '-D__DTS__', '-x', 'assembler-with-cpp', '-P', file], { encoding: 'utf8' });
    if (pp.status !== 0) continue; // includes from arch/arm, not unpacked here
    const name = file.slice(root.length);
    for (const symbols of [false, true]) {
      const dtc = spawnSync('dtc', [...(symbols ? ['-@'] : []), '-I', 'dts', '-O', 'dtb', '-o', '-', '-'], { input: pp.stdout, maxBuffer: 1 << 28 });
      if (dtc.status !== 0) break;
      const tag = `${name}${symbols ? ' (-@)' : ''}`;
      if (!symbols) {
        accepted++;
        if (/^\s*\/plugin\/\s*;/m.test(pp.stdout)) overlays++;
      }
      const ours = compileDts(file, readFileSync(file, 'utf8'), { readFile, includePaths: inc, defines: { __DTS__: '1' }, symbols });
      if (!ours.ok) { mismatches.push(`${tag}: refused: ${ours.errors[0].message}`); continue; }
      if (Buffer.compare(Buffer.from(ours.dtb), dtc.stdout) !== 0) {
        const why = sameUpToPhandles(ours.dtb, new Uint8Array(dtc.stdout));
        if (why !== undefined) { mismatches.push(`${tag}: DTB differs: ${why}`); continue; }
        renumbered.push(tag);
      }
      const ourWarnings = ours.warnings.filter((w) => w.code !== 'reg_overlap').map((w) => `${w.code}: ${w.message}`).sort();
      const theirs = dtcWarnings(dtc.stderr.toString());
      if (JSON.stringify(ourWarnings) !== JSON.stringify(theirs)) {
        mismatches.push(`${tag}: warnings differ: missing ${JSON.stringify(theirs.filter((w) => !ourWarnings.includes(w)).slice(0, 2))}, extra ${JSON.stringify(ourWarnings.filter((w) => !theirs.includes(w)).slice(0, 2))}`);
      }
    }
  }
  assert.ok(accepted > 250, `only ${accepted} files accepted by dtc: is the corpus complete?`);
  assert.ok(overlays >= 15, `only ${overlays} overlays among them`);
  assert.deepEqual(mismatches, [], `${mismatches.length} of ${accepted * 2} compilations differ`);
  assert.deepEqual(renumbered, [], 'equal trees, but phandles numbered unlike dtc');
  console.log(`linux corpus: ${accepted} files (${overlays} overlays), each compiled plain and with -@: ${2 * accepted - renumbered.length} byte-identical, ${renumbered.length} equal up to phandle numbering`);
});
