/**
 * `osdev-emu run` in a terminal takes Ctrl-A commands as QEMU's -nographic does: the
 * README's passthrough example unplugs and plugs its slot with Ctrl-A u and Ctrl-A p.
 * The terminal is a real pty, from util-linux's `script`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { CLI } from './cli-session';

const ROOT = path.resolve(__dirname, '../../..');
const GUEST = path.join(ROOT, 'emulator/test/guests/build/rv64/passthrough.elf');
const MODEL = path.join(ROOT, 'emulator/test/guests/stub-dev.osdev-model.json');

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

test('Ctrl-A u and Ctrl-A p unplug and plug the passthrough slot the guest waits on', async () => {
  const command = [process.execPath, CLI, 'run', GUEST, '--passthrough', `name=stub0,backend=stub:${MODEL}`, '--timeout', '60'].map(shellQuote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const steps: [RegExp, string][] = [[/waiting for unplug/, '\x01h\x01u'], [/unplugged: ID reads ffffffff/, '\x01p']];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString('latin1');
    while (steps.length > 0 && steps[0][0].test(out)) child.stdin.write(steps.shift()![1]);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  assert.equal(code, 0, out);
  assert.match(out, /Ctrl-A u unplug every passthrough slot/);
  assert.match(out, /plugged again: CTRL=0 after reset\r?\noperation 2 done/);
});

test('Ctrl-A x quits a run that waits for gdb (--gdb-wait, nobody connected)', async () => {
  const command = [process.execPath, CLI, 'run', path.join(ROOT, 'emulator/test/guests/build/rv64/csr.elf'), '--gdb', 'tcp:127.0.0.1:0', '--gdb-wait']
    .map(shellQuote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '', sent = false;
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString('latin1');
    if (!sent && /waiting for gdb to continue the machine/.test(out)) { sent = true; child.stdin.write('\x01x'); }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  assert.equal(code, 0, out);
  assert.ok(sent, out);
});
