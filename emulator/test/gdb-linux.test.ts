/**
 * Linux 6.1's own gdb helpers (scripts/gdb of Debian's linux-source-6.1, with the
 * constants.py made from the test kernel's configuration by emulator/test/linux/build.sh)
 * through the GDB stub: gdb-multiarch on vmlinux, Linux booted by the built-in SBI on 2
 * harts to its init, stopped as init powers the machine off.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { GUESTS_BUILD_DIR, repoRoot } from './qemu';
import { gdbBatch, startStub } from './gdb-session-cli';

const OUT = path.join(GUESTS_BUILD_DIR, 'linux');
let skipReason: string | undefined;

before(() => {
  // A no-op when the cached build matches its inputs; npm test runs it before the tests.
  const said = execFileSync('bash', [path.join(repoRoot(), 'emulator', 'test', 'linux', 'build.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const notBuilt = /^linux: not built, (.*)$/m.exec(said);
  if (notBuilt !== null) skipReason = `${notBuilt[1]} (see .ci/run)`;
});

test('lx-version, lx-ps, lx-dmesg, lx-symbols and lx-cpus on Linux 6.1 through the stub', { timeout: 10 * 60_000 }, async (t) => {
  if (skipReason !== undefined) assert.fail(`the Linux gdb test cannot run: ${skipReason}`);
  const stub = await startStub(path.join(OUT, 'Image'), ['--harts', '2', '--drive', path.join(OUT, 'rootfs.img'),
    '--append', 'root=/dev/vda rw console=ttyS0 earlycon']);
  t.after(() => { stub.child.kill('SIGKILL'); });
  const out = await gdbBatch(path.join(OUT, 'vmlinux'), `target remote 127.0.0.1:${stub.port}`, [
    'break kernel_power_off', 'continue', `source ${path.join(OUT, 'gdb', 'vmlinux-gdb.py')}`,
    'echo ==lx-version==\\n', 'lx-version', 'echo ==lx-ps==\\n', 'lx-ps', 'echo ==lx-dmesg==\\n', 'lx-dmesg',
    'echo ==lx-symbols==\\n', 'lx-symbols', 'echo ==lx-cpus==\\n', 'lx-cpus', 'echo ==threads==\\n', 'info threads', 'echo ==end==\\n', 'kill']);
  const emu = await stub.done;
  const part = (name: string) => {
    const a = out.indexOf(`==${name}==\n`);
    assert.ok(a >= 0, `gdb did not reach ${name}:\n${out}`);
    return out.slice(a + name.length + 5, out.indexOf('==', a + name.length + 5));
  };
  const consoleLines = emu.stdout.replace(/\r/g, '').split('\n');
  assert.match(out, /Thread \d hit Breakpoint 1, kernel_power_off \(\)/);
  // The banner the kernel printed on the console, read back from its memory.
  const banner = consoleLines.find((l) => l.startsWith('Linux version 6.1'));
  assert.ok(banner !== undefined, emu.stdout);
  assert.equal(part('lx-version').trim(), banner.trim());
  // Every task, walked through the kernel's task list: the idle task, init and the kernel threads.
  const ps = part('lx-ps');
  assert.match(ps, /^0x[0-9a-f]+ +0 +swapper\/0$/m);
  assert.match(ps, /^0x[0-9a-f]+ +1 +init$/m);
  assert.match(ps, /^0x[0-9a-f]+ +2 +kthreadd$/m);
  assert.match(ps, /^0x[0-9a-f]+ +\d+ +ksoftirqd\/1$/m);
  // The log buffer holds every line the console printed from it before init spoke (and
  // the quieter ones too); lx-dmesg stamps them with the time, the console did not.
  const dmesg = new Set(part('lx-dmesg').split('\n').map((l) => l.replace(/^\[\s*\d+\.\d+\] /, '')));
  const first = consoleLines.findIndex((l) => l.startsWith('Linux version'));
  const initSpoke = consoleLines.findIndex((l) => l.startsWith('init: '));
  const printed = consoleLines.slice(first, initSpoke).filter((l) => l !== '');
  assert.ok(printed.length > 50, emu.stdout);
  assert.deepEqual(printed.filter((l) => !dmesg.has(l)), []);
  assert.match(part('lx-symbols'), /^loading vmlinux$/m);
  assert.match(part('lx-cpus'), /^Online CPUs +: \[0, 1\]$/m);
  assert.match(part('threads'), /^\* ?\d +Thread \d \(hart \d, S-mode\) +kernel_power_off \(\)/m);
  assert.match(part('threads'), /Thread 1 \(hart 0, S-mode/);
  assert.match(part('threads'), /Thread 2 \(hart 1, S-mode/);
  assert.equal(emu.code, 0, emu.stderr);
});
