/**
 * Hostile sizes in the DTS pipeline (issue 22): many properties in one node, a diamond
 * of includes, expansion bombs. Each ends in one diagnostic naming the limit, never a
 * hang or an exhausted heap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { analyzeDts, compileDts, decompileDtb } from '../index';
import { FdtBuilder } from '../fdt-builder';
import { LIMITS } from '../source';

const none = () => undefined;

test('FdtBuilder shares string-table tails exactly as a search of the whole block would', () => {
  let seed = 7;
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const names: string[] = [];
  for (let i = 0; i < 3000; i++) {
    // Short names from a small alphabet, so many are tails of others (and some repeat).
    const len = 1 + rnd(6);
    let s = '';
    for (let k = 0; k < len; k++) s += 'abc-'[rnd(4)];
    names.push(s);
  }
  const fdt = new FdtBuilder().beginNode('');
  for (const [i, n] of names.entries()) fdt.beginNode(`n${i}`).prop(n, new Uint8Array(0)).endNode();
  const blob = fdt.endNode().finish();
  const dv = new DataView(blob.buffer);
  const strings = Buffer.from(blob.subarray(dv.getUint32(12), dv.getUint32(12) + dv.getUint32(32))).toString('latin1');
  // The reference: each new name is searched for in the block built so far (dtc, libfdt).
  let table = '';
  const want = new Map<string, number>();
  for (const n of names) {
    if (want.has(n)) continue;
    const at = table.indexOf(n + '\0');
    want.set(n, at >= 0 ? at : table.length);
    if (at < 0) table += n + '\0';
  }
  assert.equal(strings, table);
  // Every property's nameoff points at its name.
  for (const n of names) assert.equal(strings.slice(want.get(n), want.get(n)! + n.length + 1), n + '\0');
});

test('40,000 properties in one node compile, and the blob decompiles and recompiles to the same bytes', () => {
  let src = '/dts-v1/;\n/ {\n';
  for (let i = 0; i < 40_000; i++) src += `\tprop${i} = <${i}>;\n`;
  const a = compileDts('a.dts', src + '};\n', { readFile: none });
  assert.ok(a.ok, a.ok ? '' : a.errors[0].message);
  const text = decompileDtb(a.dtb);
  assert.ok(text.ok);
  const b = compileDts('b.dts', text.value, { readFile: none });
  assert.ok(b.ok);
  assert.deepEqual(b.dtb, a.dtb);
});

test('a diamond of includes (each file includes the next twice) stops at the include limit with one error', () => {
  const files = new Map<string, string>();
  for (let i = 0; i < 30; i++) files.set(`/x/f${i}.dtsi`, `#include "f${i + 1}.dtsi"\n#include "f${i + 1}.dtsi"\n`);
  files.set('/x/f30.dtsi', '/ { a = <1>; };\n');
  const c = analyzeDts('/x/main.dts', '/dts-v1/;\n#include "f0.dtsi"\n', { readFile: (p) => files.get(p) });
  const errors = c.diagnostics.filter((d) => d.code === 'include');
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, new RegExp(`more than ${LIMITS.includes} files included`));
  assert.ok(c.pp.includes.length <= LIMITS.includes + 1);
});

test('the 31-file diamond, deeper than the include depth too: each error once', () => {
  const files = new Map<string, string>();
  for (let i = 0; i < 31; i++) files.set(`/x/f${i}.dtsi`, `#include "f${i + 1}.dtsi"\n#include "f${i + 1}.dtsi"\n`);
  files.set('/x/f31.dtsi', '/ { a = <1>; };\n');
  const c = analyzeDts('/x/main.dts', '/dts-v1/;\n#include "f0.dtsi"\n', { readFile: (p) => files.get(p) });
  assert.deepEqual(c.diagnostics.filter((d) => d.code === 'include').map((d) => d.message), [
    `includes nested deeper than ${LIMITS.includeDepth}`,
    `more than ${LIMITS.includes} files included (an include repeated at every level?); the rest is ignored`,
  ]);
});

test('a large file included again and again stops at the included-text limit', () => {
  // Text inside #if 0 is scanned but not output, so the output limit does not come first.
  const big = `#if 0\n${' '.repeat(1024 * 1024)}\n#endif\n`;
  const times = Math.ceil(LIMITS.includedChars / big.length) + 2;
  const src = '/dts-v1/;\n' + '#include "big.dtsi"\n'.repeat(times);
  const c = analyzeDts('/x/main.dts', src, { readFile: (p) => (p === '/x/big.dtsi' ? big : undefined) });
  const errors = c.diagnostics.filter((d) => d.code === 'include');
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /included files add up to more than/);
});

test('expansion bombs stop at the item limit, the cell limit, and the expansion size', () => {
  // A expands once, B ten times, … G a million times.
  const levels = (leaf: string) => '#define A ' + leaf + '\n' + ['B', 'C', 'D', 'E', 'F', 'G'].map((m, k) => `#define ${m} ${`${'ABCDEF'[k]} `.repeat(10)}\n`).join('');
  const nodes = analyzeDts('n.dts', `/dts-v1/;\n${levels('n { x; y; };')}/ { F };\n`, { readFile: none });
  assert.deepEqual(nodes.diagnostics.filter((d) => d.severity === 'error' && d.code === 'syntax').map((d) => d.message), [`more than ${LIMITS.items} properties and nodes; the rest is ignored`]);
  const cells = analyzeDts('c.dts', `/dts-v1/;\n${levels('0 '.repeat(21))}/ { x = <F>; };\n`, { readFile: none });
  assert.ok(cells.diagnostics.some((d) => d.message === `more than ${LIMITS.cells} cells; the rest is ignored`));
  const text = analyzeDts('t.dts', `/dts-v1/;\n${levels('x = <1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20>;')}/ { G };\n`, { readFile: none });
  assert.ok(text.diagnostics.some((d) => d.message === 'macro expansion too large'));
});
