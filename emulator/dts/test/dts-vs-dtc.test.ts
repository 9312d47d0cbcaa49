/**
 * Our DTS compiler against Debian's dtc (the oracle, never used at run time): the same
 * inputs, preprocessed by `cpp` as the kernel build does where they use it, must give
 * byte-identical DTBs and the same warnings. Also the `virt` preset round trip and
 * QEMU's own virt DTB. dtc, cpp and QEMU are required: a missing tool fails the suite.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnTool } from '../../test/host-tools';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { FIXTURES } from './fixtures';
import { analyzeDts, compileDts, decompileDtb } from '../index';
import { buildVirtFdt } from '../../machine/fdt';
import { QEMU_CPU_OPTION, defaultDescription } from '../../machine/description';

const work = mkdtempSync(join(tmpdir(), 'dts-test-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

function run(cmd: string, args: string[], input?: string): { status: number; stdout: Buffer; stderr: string } {
  const r = spawnTool(cmd, args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
  return { status: r.status ?? -1, stdout: r.stdout as Buffer, stderr: r.stderr.toString() };
}

const readFile = (p: string): string | undefined => { try { return readFileSync(p, 'utf8'); } catch { return undefined; } };

/** dtc's warnings as `check: where: message`, without its file positions. */
function dtcWarnings(stderr: string): string[] {
  const out: string[] = [];
  for (const line of stderr.split('\n')) {
    const m = /(?:Warning|ERROR) \(([a-z0-9_]+)\): (.*)$/.exec(line);
    if (m !== null && !m[2].startsWith('Failed prerequisite')) out.push(`${m[1]}: ${m[2]}`);
  }
  return out.sort();
}

function writeFixture(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

for (const fx of FIXTURES) {
  test(`DTS fixture '${fx.name}': same DTB and warnings as cpp + dtc`, () => {
    const dir = join(work, fx.name);
    writeFixture(dir, { ...(fx.files ?? {}), 'main.dts': fx.text });
    const main = join(dir, 'main.dts');
    const pre = run('cpp', ['-nostdinc', '-undef', '-x', 'assembler-with-cpp', '-P', '-I', join(dir, 'include'), main]);
    assert.equal(pre.status, 0, pre.stderr);
    const dtc = run('dtc', [...(fx.symbols === true ? ['-@'] : []), '-I', 'dts', '-O', 'dtb', '-o', '-', '-'], pre.stdout.toString());
    assert.equal(dtc.status, 0, `dtc refused the fixture: ${dtc.stderr}`);

    const ours = compileDts(main, fx.text, { readFile, includePaths: [join(dir, 'include')], symbols: fx.symbols });
    assert.ok(ours.ok, `ours refused it: ${JSON.stringify(ours.ok ? [] : ours.errors, null, 1)}`);
    assert.deepEqual(Buffer.from(ours.dtb).toString('hex'), dtc.stdout.toString('hex'));
    const ourWarnings = ours.warnings.filter((w) => w.code !== 'reg_overlap').map((w) => `${w.code}: ${w.message}`).sort();
    assert.deepEqual(ourWarnings, dtcWarnings(dtc.stderr));
  });
}

test('the virt preset: DTS printed from buildVirtFdt compiles back to the same bytes', () => {
  for (const cfg of [{ harts: 1, xlen: 64 as const }, { harts: 4, xlen: 64 as const }, { harts: 2, xlen: 32 as const }]) {
    const blob = buildVirtFdt(defaultDescription({ ...cfg, memoryBytes: 256 * 1024 * 1024, bootargs: 'console=ttyS0 "quoted"' }));
    const text = decompileDtb(blob, { labels: true });
    assert.ok(text.ok);
    assert.match(text.value, /interrupt-parent = <&plic>;/);
    assert.match(text.value, /interrupts-extended = <&cpu0_interrupt_controller 0x0b /);
    const back = compileDts('virt.dts', text.value, { readFile: () => undefined });
    assert.ok(back.ok, JSON.stringify(back.ok ? '' : back.errors));
    assert.equal(Buffer.from(back.dtb).toString('hex'), Buffer.from(blob).toString('hex'), `harts ${cfg.harts} xlen ${cfg.xlen}`);
    // The same warnings as dtc gives on that text (cells of interrupts-extended are numbers, not &refs).
    const dtc = run('dtc', ['-I', 'dts', '-O', 'dtb', '-o', '/dev/null', '-'], text.value);
    assert.deepEqual(back.warnings.map((w) => `${w.code}: ${w.message}`).sort(), dtcWarnings(dtc.stderr));
  }
});

test("QEMU's virt DTB, decompiled by dtc, compiles identically with ours and with dtc", () => {
  const dtbFile = join(work, 'qemu-virt.dtb');
  const q = run('qemu-system-riscv64', ['-machine', `virt,dumpdtb=${dtbFile}`, '-bios', 'none', '-nographic', '-cpu', QEMU_CPU_OPTION[64], '-m', '256M', '-smp', '2']);
  assert.equal(q.status, 0, q.stderr);
  const dts = run('dtc', ['-I', 'dtb', '-O', 'dts', dtbFile]).stdout.toString();
  const viaDtc = run('dtc', ['-I', 'dts', '-O', 'dtb', '-o', '-', '-'], dts);
  const ours = compileDts('qemu.dts', dts, { readFile: () => undefined });
  assert.ok(ours.ok, JSON.stringify(ours.ok ? '' : ours.errors));
  assert.equal(Buffer.from(ours.dtb).toString('hex'), viaDtc.stdout.toString('hex'));
  assert.deepEqual(ours.warnings.map((w) => `${w.code}: ${w.message}`).sort(), dtcWarnings(viaDtc.stderr));
  // Our decompiler on QEMU's blob (1 MiB, libfdt's string order) gives text that compiles to
  // what dtc makes of it. QEMU's own bytes are not reproducible: libfdt lays strings out
  // differently and QEMU dumps its whole 1 MiB buffer.
  const blob = new Uint8Array(readFileSync(dtbFile));
  for (const labels of [false, true]) {
    const text = decompileDtb(blob, { labels });
    assert.ok(text.ok);
    const again = compileDts('again.dts', text.value, { readFile: () => undefined });
    assert.ok(again.ok);
    assert.equal(Buffer.from(again.dtb).toString('hex'), viaDtc.stdout.toString('hex'));
  }
  const text = decompileDtb(blob);
  assert.ok(text.ok);
  const again = compileDts('again.dts', text.value, { readFile: () => undefined });
  assert.ok(again.ok);
  assert.equal(Buffer.from(again.dtb).toString('hex'), viaDtc.stdout.toString('hex'));
});

test('analyzeDts maps diagnostics into the included file they come from', () => {
  const files: Record<string, string> = { '/w/a.dts': '/dts-v1/;\n#include "b.dtsi"\n/ { x = <&nolabel>; };\n', '/w/b.dtsi': '/ {\n\tbroken = <1 2;\n};\n' };
  const c = analyzeDts('/w/a.dts', files['/w/a.dts'], { readFile: (p) => files[p] });
  const inB = c.diagnostics.find((d) => d.range.file === '/w/b.dtsi');
  assert.ok(inB !== undefined, JSON.stringify(c.diagnostics));
  assert.equal(files['/w/b.dtsi'].slice(inB.range.start, inB.range.start + 1), ';');
});

test('/incbin/: file bytes beside the source or on the include paths, with offset and length, as dtc', () => {
  const dir = join(work, 'incbin');
  mkdirSync(join(dir, 'inc'), { recursive: true });
  writeFileSync(join(dir, 'blob.bin'), Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 37) & 0xff)));
  writeFileSync(join(dir, 'inc', 'other.bin'), 'text\n');
  const text = '/dts-v1/;\n/ {\n\ta = /incbin/("blob.bin");\n\tb = [01], /incbin/("blob.bin", 250, (2 * 8)), "x";\n\tc = /incbin/("blob.bin", 300, 4);\n\td = /incbin/("other.bin");\n};\n';
  writeFileSync(join(dir, 'main.dts'), text);
  const dtc = run('dtc', ['-i', join(dir, 'inc'), '-I', 'dts', '-O', 'dtb', '-o', '-', join(dir, 'main.dts')]);
  assert.equal(dtc.status, 0, dtc.stderr);
  const readBinary = (p: string): Uint8Array | undefined => { try { return new Uint8Array(readFileSync(p)); } catch { return undefined; } };
  const ours = compileDts(join(dir, 'main.dts'), text, { readFile, readBinary, includePaths: [join(dir, 'inc')] });
  assert.ok(ours.ok, JSON.stringify(ours.ok ? '' : ours.errors));
  assert.equal(Buffer.from(ours.dtb).toString('hex'), dtc.stdout.toString('hex'));
  // A missing file is an error on its name; a file over the budget is refused, not read into the tree.
  const missing = compileDts('/w/m.dts', '/dts-v1/;\n/ { a = /incbin/("nope.bin"); };\n', { readFile: () => undefined });
  assert.ok(!missing.ok && missing.errors.some((e) => e.code === 'incbin' && /nope\.bin/.test(e.message)));
  const huge = compileDts('/w/h.dts', '/dts-v1/;\n/ { a = /incbin/("big"); };\n', { readFile: () => undefined, readBinary: () => new Uint8Array(17 * 1024 * 1024) });
  assert.ok(!huge.ok && huge.errors.some((e) => e.code === 'incbin' && /more than/.test(e.message)));
});
