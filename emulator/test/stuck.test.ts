/**
 * A file that is not a kernel (a text file, run as a raw image) used to spin in a trap
 * loop until the timeout. The hart traps at its own vector (mtvec 0) again and again; the
 * CLI stops at once with a line that says so, and a debugger gets a stop there.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from './cli-session';
import { Machine } from '../machine/machine';
import { boot } from '../machine/boot';
import { defaultDescription } from '../machine/description';
import { DebugController } from '../machine/debug-surface';

const ROOT = path.resolve(__dirname, '../../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-stuck-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const TEXT = path.join(tmp, 'notes.txt');
fs.writeFileSync(TEXT, 'These are my notes, not a kernel.\n'.repeat(20));

test('a text file run as a kernel stops with "stuck" and exit status 125, not at the timeout', async () => {
  const r = await runCli(['run', TEXT, '--timeout', '60']);
  assert.equal(r.code, 125, r.stderr);
  assert.match(r.stderr, /hart 0 is stuck: .* at the trap vector itself/);
  assert.match(r.stderr, /mtvec = 0x0/);
});

test('--timeout and --max-insns say which limit ended the run', async () => {
  const spin = path.join(ROOT, 'demo/hello.elf');
  const byCount = await runCli(['run', spin, '--max-insns', '1000']);
  assert.equal(byCount.code, 124);
  assert.match(byCount.stderr, /--max-insns 1000 reached/);
});

test('a debug session stops at the stuck hart with the reason in words', () => {
  const m = new Machine(defaultDescription(), { consoleOut: () => undefined });
  const booted = boot(m, { kernel: { name: TEXT, bytes: new Uint8Array(fs.readFileSync(TEXT)) }, bios: 'none' });
  assert.ok(booted.ok);
  const c = new DebugController(m, () => null);
  let o = c.run(1_000_000);
  for (let i = 0; i < 100 && o.kind === 'running'; i++) o = c.run(1_000_000);
  assert.equal(o.kind, 'stopped');
  assert.ok(o.kind === 'stopped' && o.stop.reason === 'trap');
  assert.match(o.stop.reason === 'trap' ? o.stop.description : '', /hart 0 is stuck/);
});
