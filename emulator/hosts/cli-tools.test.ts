/** `osdev-emu dts` and `osdev-emu lsp` as a user runs them (the tsc build of cli.js). */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseToolArgs } from './cli-tools';
import { buildVirtFdt } from '../machine/fdt';
import { defaultDescription } from '../machine/description';

const CLI = join(__dirname, 'cli.js');
const work = mkdtempSync(join(tmpdir(), 'cli-dts-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

test('dts --preset virt prints DTS that compiles back to the machine\'s own DTB, byte for byte', () => {
  for (const args of [[], ['--harts', '3'], ['--xlen', '32', '-m', '512M']]) {
    const printed = cli(['dts', '--preset', 'virt', ...args]);
    assert.equal(printed.status, 0, printed.stderr);
    const src = join(work, 'virt.dts');
    writeFileSync(src, printed.stdout);
    const out = join(work, 'virt.dtb');
    const compiled = cli(['dts', src, '-o', out]);
    assert.equal(compiled.status, 0, compiled.stderr);
    const harts = args.includes('--harts') ? 3 : 1;
    const want = buildVirtFdt(defaultDescription({ harts, xlen: args.includes('32') ? 32 : 64, memoryBytes: (args.includes('512M') ? 512 : 128) * 1024 * 1024 }));
    assert.deepEqual(new Uint8Array(readFileSync(out)), want);
    // From stdin too.
    assert.equal(cli(['dts', '-', '-o', out], printed.stdout.toString()).status, 0);
  }
});

test('dts reports errors with file:line:col and exits 2; bad options are one clear line', () => {
  const src = join(work, 'bad.dts');
  writeFileSync(src, '/dts-v1/;\n/ {\n\tx = <&missing>;\n};\n');
  const r = cli(['dts', src, '-o', join(work, 'bad.dtb')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bad\.dts:3:7: error: reference to non-existent node or label "missing" \[unresolved_reference\]/);
  assert.deepEqual(parseToolArgs(['dts', '--preset', 'pc']), { ok: false, error: "unknown preset 'pc' (only 'virt')" });
  assert.equal(parseToolArgs(['lsp', '--tcp']).ok, false);
  assert.equal(cli(['dts']).status, 2);
});

test('lsp --stdio answers initialize', async () => {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
  const child = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const answered = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer; got '${out}'`)), 20_000);
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); if (out.includes('"id":1')) { clearTimeout(timer); resolve(); } });
  });
  child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  try { await answered; } finally { child.kill(); }
  assert.match(out, /"hoverProvider":true/);
});

test('dts -@ and /incbin/ as dtc does them, byte for byte', () => {
  writeFileSync(join(work, 'blob.bin'), Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
  const src = join(work, 'sym.dts');
  writeFileSync(src, '/dts-v1/;\n/ {\n\tuart: serial@1000 { reg = <0x1000 0x100>; blob = /incbin/("blob.bin", 2, 4); };\n\tleds { led0: led { label = "a"; }; };\n};\n');
  const ours = join(work, 'sym-ours.dtb'), theirs = join(work, 'sym-dtc.dtb');
  const r = cli(['dts', src, '-@', '-o', ours]);
  assert.equal(r.status, 0, r.stderr);
  const dtc = spawnSync('dtc', ['-@', '-q', '-I', 'dts', '-O', 'dtb', '-o', theirs, src], { cwd: work });
  assert.equal(dtc.status, 0, dtc.stderr.toString());
  assert.deepEqual(readFileSync(ours), readFileSync(theirs));
  assert.match(cli(['dts', join(work, 'sym-ours.dtb')]).stdout.toString(), /__symbols__ \{[^}]*uart = "\/serial@1000";/);
});
