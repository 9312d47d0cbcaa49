/**
 * Linux 6.1 from Debian's linux-source-6.1, built by emulator/test/linux/build.sh, boots
 * on our machine and on QEMU the same way: OpenSBI fw_dynamic, 4 harts, an ext2 root on
 * virtio-blk. Both bring up the same CPUs, run /sbin/init (linux/init.c) as pid 1, which
 * reads a file from the disk and powers off, and both end there with status 0. The whole
 * console (OpenSBI's banner, the kernel's log, init) is compared too, apart from the lines
 * known to differ (KNOWN_DIFFERENT). The same Image boots with no firmware file too: the
 * built-in SBI (its default for an Image), where the kernel's log from its first line must
 * be QEMU's but for the SBI's identity.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GUESTS_BUILD_DIR, OUR_CLI, qemuCpu, repoRoot, runProcess, RunResult } from './qemu';

const BUILD_SCRIPT = path.join(repoRoot(), 'emulator', 'test', 'linux', 'build.sh');
const OUT = path.join(GUESTS_BUILD_DIR, 'linux');
const IMAGE = path.join(OUT, 'Image');
const ROOTFS = path.join(OUT, 'rootfs.img');
const FW_DYNAMIC = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin';
const HARTS = 4;
const APPEND = 'root=/dev/vda rw console=ttyS0 earlycon';
/** The boot takes ~107 M instructions on ours: room for the kernel to change, not to spin. */
const MAX_INSNS = 400_000_000;

/**
 * Log lines that differ on purpose (docs/architecture.md, "Parity with QEMU 7.2"):
 * OpenSBI counts QEMU's 29 hpm counters and none of ours (they read zero), and our FDT
 * is smaller than QEMU's (fewer nodes), so the kernel reserves a little less memory.
 */
const KNOWN_DIFFERENT = [/^Boot HART MHPM Count\s*:/, /^Memory: \d+K\/\d+K available/];

/**
 * Lines that name the boot hart, with its number masked: OpenSBI boots on whichever hart
 * wins its lottery, which on QEMU (a host thread per hart) changes from run to run and on
 * ours is always hart 0. The lines themselves must still be there on both sides.
 */
const BOOT_HART = [/^(Domain0 Boot HART\s*: )\d+()$/, /^(Boot HART ID\s*: )\d+()$/, /^(riscv-timer: riscv_timer_init_dt: Registering clocksource cpuid \[0\] hartid \[)\d+(\])$/];
const maskBootHart = (l: string): string => BOOT_HART.reduce((s, re) => s.replace(re, '$1N$2'), l);

/** Why the test cannot run here (build.sh's "not built" line), or undefined when it can. */
let skipReason: string | undefined;

before(() => {
  // A no-op when the cached build matches its inputs; npm test runs it before the tests.
  const said = execFileSync('bash', [BUILD_SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const notBuilt = /^linux: not built, (.*)$/m.exec(said);
  if (notBuilt !== null) skipReason = `${notBuilt[1]} (see .ci/run)`;
  if (!fs.existsSync(FW_DYNAMIC)) skipReason = `${FW_DYNAMIC} is missing (package opensbi)`;
});

/** Console lines without carriage returns. */
const lines = (text: string): string[] => text.replace(/\r/g, '').split('\n');

/**
 * Console lines one run has more often than the other, each marked with the run's name,
 * KNOWN_DIFFERENT left out. Order is not compared: the secondary harts' lines may
 * interleave differently.
 */
function logDifference(a: [string, string], b: [string, string]): string[] {
  const count = new Map<string, number>();
  for (const [sign, text] of [[1, a[1]], [-1, b[1]]] as const) {
    for (const l of lines(text)) {
      const m = maskBootHart(l);
      if (m !== '' && !KNOWN_DIFFERENT.some((re) => re.test(m))) count.set(m, (count.get(m) ?? 0) + sign);
    }
  }
  return [...count].filter(([, n]) => n !== 0).map(([l, n]) => `${n > 0 ? a[0] : b[0]} only: ${l}`);
}

function describeRun(name: string, r: RunResult): string {
  return `${name}: ${r.command}\nexit ${r.exitCode}${r.timedOut ? ' (timed out)' : ''}\n--- stdout (end)\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-2000)}`;
}

/** What one boot shows: the CPUs the kernel brought up, init's lines. */
function checkBoot(name: string, r: RunResult): number {
  const detail = describeRun(name, r);
  const smp = /^smp: Brought up 1 node, (\d+) CPUs?$/m.exec(r.stdout.replace(/\r/g, ''));
  assert.ok(smp !== null, `${name}: no "smp: Brought up" line\n${detail}`);
  const cpus = Number(smp[1]);
  assert.match(r.stdout, new RegExp(`^init: hello from pid 1 on ${cpus} cpus\\r?$`, 'm'), detail);
  assert.match(r.stdout, /^init: \/hello\.txt: hello from the ext2 root disk\r?$/m, detail);
  assert.match(r.stdout, /^reboot: Power down\r?$/m, detail);
  assert.equal(r.exitCode, 0, `${name}: power-off ends the run with status 0\n${detail}`);
  return cpus;
}

/** QEMU's boot, run once for both tests. */
let qemuRun: Promise<RunResult> | undefined;
function qemuBoot(): Promise<RunResult> {
  // The same board on QEMU: the disk in the top virtio slot, as --drive puts it; modern
  // virtio-mmio as ours; snapshot=on leaves the image as it is, as our default overlay does.
  qemuRun ??= runProcess('qemu-system-riscv64', ['-machine', 'virt', '-cpu', qemuCpu(64), '-m', '128M',
    '-smp', String(HARTS), '-bios', FW_DYNAMIC, '-kernel', IMAGE, '-append', APPEND,
    '-global', 'virtio-mmio.force-legacy=false',
    '-drive', `file=${ROOTFS},if=none,id=root,format=raw,snapshot=on`, '-device', 'virtio-blk-device,drive=root',
    '-display', 'none', '-serial', 'stdio', '-monitor', 'none'], { stdoutToFile: true, timeoutMs: 5 * 60_000 });
  return qemuRun;
}

function canRun(): void {
  // As every test that needs a Debian package: a missing one fails, naming it (.ci/run installs it).
  if (skipReason !== undefined) assert.fail(`the Linux boot test cannot run: ${skipReason}`);
  assert.ok(fs.existsSync(OUR_CLI), `${OUR_CLI} is missing: compile with \`npx tsc -p .\``);
}

test(`Linux 6.1 boots SMP (${HARTS} harts) to its init on a virtio-blk root, as on QEMU`, { timeout: 15 * 60_000 }, async (t) => {
  canRun();
  const ours = await runProcess(process.execPath, [OUR_CLI, 'run', '--bios', FW_DYNAMIC, IMAGE, '--harts', String(HARTS),
    '--drive', ROOTFS, '--append', APPEND, '--max-insns', String(MAX_INSNS), '--stats'], { timeoutMs: 10 * 60_000 });
  const qemu = await qemuBoot();

  const qemuCpus = checkBoot('QEMU', qemu);
  const ourCpus = checkBoot('ours', ours);
  assert.equal(qemuCpus, HARTS, 'QEMU brings up every hart');
  assert.equal(ourCpus, qemuCpus, 'the same number of CPUs brought up');
  assert.deepEqual(logDifference(['ours', ours.stdout], ['QEMU', qemu.stdout]), [], 'the same console lines');

  const stats = /osdev-emu: (\d+) instructions in ([\d.]+) s/.exec(ours.stderr);
  t.diagnostic(`ours: ${stats?.[1] ?? '?'} instructions, ${ours.durationMs} ms; QEMU: ${qemu.durationMs} ms`);
});

/**
 * What the kernel says differently behind the built-in SBI, on purpose: the SBI's version
 * and identity (v2.0, our implementation id; OpenSBI 1.1 is v1.0, id 1).
 */
const SBI_IDENTITY = [/^SBI specification v\d+\.\d+ detected$/, /^SBI implementation ID=0x[0-9a-f]+ Version=0x[0-9a-f]+$/];

test(`Linux 6.1 boots on ${HARTS} harts behind the built-in SBI (no firmware file), as behind OpenSBI on QEMU`, { timeout: 15 * 60_000 }, async (t) => {
  canRun();
  // No --bios: an Image gets the built-in SBI by default.
  const ours = await runProcess(process.execPath, [OUR_CLI, 'run', IMAGE, '--harts', String(HARTS),
    '--drive', ROOTFS, '--append', APPEND, '--max-insns', String(MAX_INSNS), '--stats'], { timeoutMs: 10 * 60_000 });
  const qemu = await qemuBoot();
  assert.equal(checkBoot('ours (built-in SBI)', ours), HARTS, 'every hart comes online through HSM hart_start');
  assert.match(ours.stdout, /^SBI specification v2\.0 detected\r?$/m);
  assert.match(ours.stdout, /^SBI implementation ID=0x4f534445 Version=0x1\r?$/m);
  assert.match(ours.stdout, /^SBI HSM extension detected\r?$/m);
  // The kernel's log from its first line (QEMU's starts with OpenSBI's banner).
  const fromLinux = (text: string) => text.slice(Math.max(0, text.indexOf('Linux version')));
  const kernelLog = (text: string) => lines(fromLinux(text)).filter((l) => !SBI_IDENTITY.some((re) => re.test(l))).join('\n');
  assert.deepEqual(logDifference(['ours', kernelLog(ours.stdout)], ['QEMU', kernelLog(qemu.stdout)]), [], 'the same kernel log');
  const stats = /osdev-emu: (\d+) instructions in ([\d.]+) s/.exec(ours.stderr);
  t.diagnostic(`ours (built-in SBI): ${stats?.[1] ?? '?'} instructions, ${ours.durationMs} ms`);
});
