/** Units of the DTS pipeline, and hostile input: every case ends in diagnostics, promptly, never a throw. */

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { preprocess } from './preprocess';
import { parseDts } from './parser';
import { evaluate } from './expr';
import { analyzeDts, compileDts, decompileDtb, parseDtb } from './index';
import { findNode } from './resolve';

const none = () => undefined;
const fs = (files: Record<string, string>) => (p: string) => files[p];

test('expressions: C precedence, 64-bit wrap, errors as values', () => {
  assert.equal(evaluate('1 + 2 * 3 << 1', 0).value, 14n);
  assert.equal(evaluate('-1', 0).value, (1n << 64n) - 1n);
  assert.equal(evaluate('(1 ? 2 : 3) + (0 ? 4 : 5)', 0).value, 7n);
  assert.equal(evaluate("'A' + 0x10 + 010", 0).value, 65n + 16n + 8n);
  assert.match(evaluate('1 / 0', 0).error?.message ?? '', /division by zero/);
  assert.match(evaluate('FOO + 1', 0).error?.message ?? '', /'FOO' is not a number/);
});

test('preprocessor: includes through paths, macros, conditionals, and ranges back into each file', () => {
  const files = {
    '/inc/dt-bindings/x.h': '#define X_IRQ 7\n#define PAIR(a, b) a b\n',
    '/p/local.dtsi': '/ { local; };\n',
  };
  const src = '#include <dt-bindings/x.h>\n#include "local.dtsi"\n#if X_IRQ > 5 && !defined(NOPE)\nyes = <PAIR(X_IRQ, 1)>;\n#else\nno;\n#endif\n';
  const r = preprocess('/p/main.dts', src, { readFile: fs(files), includePaths: ['/inc'] });
  assert.deepEqual(r.diagnostics, []);
  assert.match(r.text, /\/ \{ local; \};/);
  assert.match(r.text, /yes = <7 1>;/);
  assert.doesNotMatch(r.text, /no;/);
  assert.deepEqual(r.includes.map((i) => i.resolved), ['/inc/dt-bindings/x.h', '/p/local.dtsi']);
  assert.equal(r.macros.get('PAIR')?.params?.length, 2);
});

test('preprocessor: #address-cells and friends stay text; cpp line markers are skipped by the parser', () => {
  const r = preprocess('a.dts', '/dts-v1/;\n/ {\n#address-cells = <1>;\n# 1 "x.dtsi"\n};\n', { readFile: none });
  assert.deepEqual(r.diagnostics, []);
  assert.match(r.text, /#address-cells = <1>;/);
  const c = analyzeDts('a.dts', '/dts-v1/;\n# 1 "a.dts"\n/ {\n\t#address-cells = <1>;\n};\n', { readFile: none, cpp: false });
  assert.deepEqual(c.diagnostics.filter((d) => d.severity === 'error'), []);
});

test('hostile: include cycles, missing includes, recursive and explosive macros end in diagnostics', () => {
  const cyc = preprocess('/a.dts', '#include "b.dtsi"\n', { readFile: fs({ '/b.dtsi': '#include "a.dts"\n', '/a.dts': '#include "b.dtsi"\n' }) });
  assert.ok(cyc.diagnostics.some((d) => /include cycle/.test(d.message)));
  const missing = preprocess('/a.dts', '#include <nothere.h>\n', { readFile: none });
  assert.ok(missing.diagnostics.some((d) => /cannot find include file 'nothere.h'/.test(d.message)));
  // Self-reference is left alone (C11 §6.10.3.4p2), mutual recursion too.
  const rec = preprocess('/a.dts', '#define A B\n#define B A\nA\n#define F(x) F(x)\nF(1)\n', { readFile: none });
  assert.match(rec.text, /^A$/m);
  assert.match(rec.text, /F\(1\)/);
  // Each level doubles: 2^40 tokens would not fit; the budget stops it.
  let defs = '#define M0 x x\n';
  for (let i = 1; i <= 40; i++) defs += `#define M${i} M${i - 1} M${i - 1}\n`;
  // Bounded by LIMITS, not by the clock: unbounded, this would not finish.
  const boom = preprocess('/a.dts', defs + 'M40\n', { readFile: none });
  assert.ok(boom.diagnostics.some((d) => d.severity === 'error'));
});

test('parser: one syntax error does not lose the rest of the outline', () => {
  const doc = parseDts('/dts-v1/;\n/ {\n\ta { p = <1 2; };\n\tb { q = "x" };\n\tc { r = <3>; };\n};\n');
  assert.ok(doc.errors.length > 0);
  const names = doc.tops.flatMap((t) => (t.kind === 'top-node' ? t.body.items.map((i) => i.name) : []));
  assert.deepEqual(names, ['a', 'b', 'c']);
});

test('resolver: merges, deletes and references as dtc, with phandles assigned on first use', () => {
  const c = analyzeDts('t.dts', '/dts-v1/;\n/ { a: a { }; b: b { x; }; u { r = <&b &a>; }; };\n&b { /delete-property/ x; y; };\n', { readFile: none });
  assert.deepEqual(c.diagnostics, []);
  const b = findNode(c.tree, '/b')!;
  assert.deepEqual(b.liveProps.map((p) => p.name), ['y', 'phandle']);
  assert.equal(b.phandle, 1);
  assert.equal(findNode(c.tree, '/a')!.phandle, 2);
  const bad = analyzeDts('t.dts', '/dts-v1/;\n/ { u { r = <&nowhere>; }; };\n&ghost { };\n', { readFile: none });
  assert.deepEqual(bad.diagnostics.map((d) => d.code), ['unresolved_reference', 'unresolved_reference']);
});

test('hostile: binary junk and a 10 MB file give diagnostics, never a throw', () => {
  let junk = '';
  let seed = 1;
  for (let i = 0; i < 200_000; i++) { seed = (seed * 1103515245 + 12345) & 0x7fffffff; junk += String.fromCharCode(seed & 0xff); }
  const j = analyzeDts('junk.dts', junk, { readFile: none });
  assert.ok(j.diagnostics.length > 0);
  const node = '\tnode@1000 { compatible = "acme,x"; reg = <0x1000 0x10>; };\n';
  const big = '/dts-v1/;\n/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n' + node.repeat(Math.ceil(10e6 / node.length)) + '};\n';
  const b = analyzeDts('big.dts', big, { readFile: none });
  assert.ok(b.diagnostics.length > 0); // duplicate node names
  let distinct = '/dts-v1/;\n/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n';
  for (let i = 0; distinct.length < 2e6; i++) distinct += `\tn${i}: node@${i.toString(16)} { reg = <0x${i.toString(16)} 1>; p = <&n${i}>; };\n`;
  const d = analyzeDts('distinct.dts', distinct + '};\n', { readFile: none });
  assert.deepEqual(d.diagnostics.filter((x) => x.severity === 'error'), []);
  const deep = '/dts-v1/;\n/ {' + 'n {'.repeat(5000) + '}'.repeat(5000) + '};';
  assert.ok(analyzeDts('deep.dts', deep, { readFile: none }).diagnostics.length > 0);
});

test('decompiler: a blob that lies is an error value naming the problem', () => {
  const good = compileDts('g.dts', '/dts-v1/;\n/ { a = "b"; n { }; };\n', { readFile: none });
  assert.ok(good.ok);
  assert.ok(decompileDtb(good.dtb).ok);
  for (let cut = 0; cut < good.dtb.length; cut += 7) {
    const r = parseDtb(good.dtb.slice(0, cut));
    assert.equal(r.ok, false);
  }
  const bad = new Uint8Array(good.dtb);
  new DataView(bad.buffer).setUint32(8, 0xfffffff0, false); // off_dt_struct
  const r = parseDtb(bad);
  assert.ok(!r.ok && /structure block/.test(r.error));
  let seed = 7;
  for (let k = 0; k < 200; k++) {
    const fuzz = new Uint8Array(good.dtb);
    for (let i = 0; i < 4; i++) { seed = (seed * 1103515245 + 12345) & 0x7fffffff; fuzz[40 + (seed % (fuzz.length - 40))] = seed >> 8; }
    parseDtb(fuzz); // must not throw
  }
});

test('query: reg windows, interrupts through interrupt-parent and interrupts-extended', async () => {
  const { regWindows, interrupts, strings } = await import('./query');
  const c = analyzeDts('q.dts', `/dts-v1/;
/ { #address-cells = <2>; #size-cells = <2>;
	intc: intc@0 { reg = <0 0 0 0x100>; interrupt-controller; #interrupt-cells = <1>; #address-cells = <0>; };
	uart@10000000 { compatible = "ns16550a", "x"; reg = <0 0x10000000 0 0x100 0x1 0x0 0 0x10>; interrupt-parent = <&intc>; interrupts = <10 11>; };
	clint@2000000 { reg = <0 0x2000000 0 0x10000>; interrupts-extended = <&intc 3 &intc 7>; };
};
`, { readFile: none });
  assert.deepEqual(c.diagnostics, []);
  const uart = findNode(c.tree, '/uart@10000000')!;
  assert.deepEqual(regWindows(uart), { ok: true, value: [{ address: 0x10000000n, size: 0x100n }, { address: 0x100000000n, size: 0x10n }] });
  assert.deepEqual(strings(uart, 'compatible'), ['ns16550a', 'x']);
  const irqs = interrupts(c.tree, uart);
  assert.ok(irqs.ok);
  assert.deepEqual(irqs.value.map((i) => [i.controller.path, i.specifier]), [['/intc@0', [10]], ['/intc@0', [11]]]);
  const clint = interrupts(c.tree, findNode(c.tree, '/clint@2000000')!);
  assert.ok(clint.ok);
  assert.deepEqual(clint.value.map((i) => i.specifier), [[3], [7]]);
});

test('a .dtsi fragment checked alone: missing labels are warnings, not errors', () => {
  const c = analyzeDts('soc.dtsi', '&uart0 { status = "okay"; };\n', { readFile: none });
  assert.deepEqual(c.diagnostics.map((d) => [d.severity, d.code]), [['warning', 'unresolved_reference']]);
  const d = analyzeDts('board.dts', '/dts-v1/;\n&uart0 { status = "okay"; };\n', { readFile: none });
  assert.ok(d.diagnostics.some((x) => x.severity === 'error' && x.code === 'unresolved_reference'));
});

test('hostile: a megabyte-long property name compiles (or fails) without a host exception', () => {
  const name = 'p'.repeat(1_000_000);
  const r = compileDts('long.dts', `/dts-v1/;\n/ { ${name} = <1>; ${name}x; };\n`, { readFile: none });
  assert.ok(r.ok);
  assert.ok(r.dtb.length > 2_000_000);
});

test('query: addresses through the ranges of the buses above a node', async () => {
  const { translateToRoot } = await import('./query');
  const c = analyzeDts('r.dts', `/dts-v1/;
/ { #address-cells = <2>; #size-cells = <2>;
	soc { #address-cells = <1>; #size-cells = <1>; ranges = <0x0 0x0 0x40000000 0x100000>;
		flat { #address-cells = <1>; #size-cells = <1>; ranges;
			dev@1000 { reg = <0x1000 0x100>; };
		};
		closed { #address-cells = <1>; #size-cells = <1>; dev@10 { reg = <0x10 0x4>; }; };
	};
};
`, { readFile: none });
  const dev = findNode(c.tree, '/soc/flat/dev@1000')!;
  assert.equal(translateToRoot(dev, 0x1000n), 0x40001000n);
  assert.equal(translateToRoot(dev, 0x200000n), undefined, 'outside every range');
  assert.equal(translateToRoot(findNode(c.tree, '/soc/closed/dev@10')!, 0x10n), undefined, 'a bus without ranges');
});
