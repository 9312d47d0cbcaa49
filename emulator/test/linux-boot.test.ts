/**
 * Linux 6.1 from Debian's linux-source-6.1, built by emulator/test/linux/build.sh, boots
 * on our machine and on QEMU 7.2 the same way, to /sbin/init (linux/init.c: a static
 * glibc program built by riscv64-linux-gnu-gcc with its defaults), which mounts /proc,
 * prints /proc/cpuinfo, computes with double and float, reads and writes files on the
 * virtio disk, sends UDP to another instance and powers off.
 *
 * Each of our boots is tens of seconds of two shared cores, so three boots cover the
 * matrix, each against QEMU with the same kernel, disk and command line:
 *   1. OpenSBI fw_dynamic, 4 harts, 8250 console, virtio-rng: the whole console compared with QEMU's
 *      (OpenSBI's banner, the kernel's log, init's lines), apart from KNOWN_DIFFERENT.
 *   2. The built-in SBI (no firmware file, the default for an Image), 4 harts, 8250
 *      console, virtio-net: init pings 3. The kernel's log from its first line must be
 *      QEMU-with-OpenSBI's but for the SBI's identity.
 *   3. OpenSBI fw_jump, 1 hart, `--console virtio` as hvc0 (console=hvc0, no earlycon),
 *      virtio-net: init answers 2's ping. The whole console compared with QEMU's.
 * 2 and 3 run at once, connected by `--net socket` (UDP datagrams on loopback), and so do
 * their QEMU twins (`-netdev socket`). init's lines are compared in every case, and
 * /proc/cpuinfo's isa line must be QEMU's given the same -cpu (QEMU_CPU_OPTION).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GUESTS_BUILD_DIR, OUR_CLI, qemuCpu, repoRoot, runProcess, RunResult } from './qemu';

const BUILD_SCRIPT = path.join(repoRoot(), 'emulator', 'test', 'linux', 'build.sh');
const OUT = path.join(GUESTS_BUILD_DIR, 'linux');
const IMAGE = path.join(OUT, 'Image');
const ROOTFS = path.join(OUT, 'rootfs.img');
const OPENSBI = '/usr/lib/riscv64-linux-gnu/opensbi/generic';
/** The boot takes ~107 M instructions on ours: room for the kernel to change, not to spin. */
const MAX_INSNS = 400_000_000;

/**
 * Log lines that differ on purpose (docs/architecture.md, "Parity with QEMU 7.2"):
 * OpenSBI counts QEMU's 29 hpm counters and none of ours (they read zero), our FDT is
 * smaller than QEMU's (fewer nodes), so the kernel reserves a little less memory. In
 * /proc/cpuinfo: QEMU 7.2's hart has Sv57 where ours has Sv48, and QEMU's marchid and
 * mimpid are its version (0x70216 here) where ours are 0 (not implemented, as the
 * privileged spec allows). And one line that comes with elapsed guest time, not with what
 * the guest does: the random pool's readiness, from interrupt timing, which on QEMU follows
 * the host clock and on a network pair depends on how long one side waits for the other.
 */
const KNOWN_DIFFERENT = [/^Boot HART MHPM Count\s*:/, /^Memory: \d+K\/\d+K available/, /^init: cpuinfo: mmu\s*: sv(48|57)$/,
  /^init: cpuinfo: (marchid|mimpid)\s*: 0x[0-9a-f]+$/, /^random: crng init done$/];

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
  for (const fw of ['fw_dynamic.bin', 'fw_jump.bin']) {
    if (!fs.existsSync(path.join(OPENSBI, fw))) skipReason = `${path.join(OPENSBI, fw)} is missing (package opensbi)`;
  }
});

/** Console lines without carriage returns. */
const lines = (text: string): string[] => text.replace(/\r/g, '').split('\n');
const initLines = (text: string): string => lines(text).filter((l) => l.startsWith('init: ')).join('\n');
/** The kernel's log from its first line (QEMU's console starts with OpenSBI's banner). */
const fromLinux = (text: string): string => text.slice(Math.max(0, text.indexOf('Linux version')));

/**
 * Console lines one run has more often than the other, each marked with the run's name,
 * KNOWN_DIFFERENT left out. Order is not compared: the secondary harts' lines may
 * interleave differently, and QEMU's boot hart (cpuinfo's first "hart" line) varies.
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

/** One boot's setup, the same on both emulators. */
interface Boot {
  name: string;
  /** builtin: ours with no firmware file; QEMU, which has no built-in SBI, takes fw_dynamic. */
  bios: 'builtin' | 'fw_dynamic' | 'fw_jump';
  harts: number;
  console: 'uart' | 'virtio';
  /** A virtio-rng device (after the disk): the kernel's hwrng feeds its random pool. */
  rng?: boolean;
  net?: { ip: string; peer: string; role: 'ping' | 'pong'; mac: string; localPort: number; remotePort: number };
  /** Ours under `--engine wasm` (the default is js): compiled code chained from page to page through a real kernel's mappings. */
  wasm?: boolean;
}

function append(b: Boot): string {
  const net = b.net === undefined ? '' : ` netip=${b.net.ip} netpeer=${b.net.peer} netrole=${b.net.role}`;
  return `root=/dev/vda rw ${b.console === 'uart' ? 'console=ttyS0 earlycon' : 'console=hvc0'}${net}`;
}

function ours(b: Boot, stopWhen?: () => boolean): Promise<RunResult> {
  const bios = b.bios === 'builtin' ? [] : ['--bios', path.join(OPENSBI, `${b.bios}.bin`)];
  const net = b.net === undefined ? []
    : ['--net', `socket,udp=127.0.0.1:${b.net.remotePort},localaddr=127.0.0.1:${b.net.localPort},mac=${b.net.mac}`];
  // With a network peer the instruction count depends on how long the peer takes (init
  // retries while it boots): only the host time limit then.
  const limit = b.net === undefined ? ['--max-insns', String(MAX_INSNS)] : [];
  return runProcess(process.execPath, [OUR_CLI, 'run', ...bios, IMAGE, '--harts', String(b.harts), '--drive', ROOTFS,
    ...(b.rng === true ? ['--rng'] : []), ...(b.console === 'virtio' ? ['--console', 'virtio'] : []), ...(b.wasm === true ? ['--engine', 'wasm'] : []),
    ...net, '--append', append(b), ...limit, '--stats'],
  { timeoutMs: 10 * 60_000, stopWhen });
}

function qemu(b: Boot, stopWhen?: () => boolean): Promise<RunResult> {
  const bios = path.join(OPENSBI, `${b.bios === 'fw_jump' ? 'fw_jump' : 'fw_dynamic'}.bin`);
  // The same board: devices in the same order (the first takes the top virtio slot, as
  // ours), modern virtio-mmio as ours, snapshot=on keeps the image as our default overlay.
  // A virtio console shares stdout with the UART (OpenSBI's banner) through a mux; one port,
  // as ours (no MULTIPORT: hvc0 exists when the driver probes, not when the device says so).
  const console = b.console === 'uart' ? ['-serial', 'stdio']
    : ['-chardev', 'stdio,id=con,mux=on', '-serial', 'chardev:con', '-device', 'virtio-serial-device,max_ports=1', '-device', 'virtconsole,chardev=con'];
  const net = b.net === undefined ? []
    : ['-netdev', `socket,id=net0,udp=127.0.0.1:${b.net.remotePort},localaddr=127.0.0.1:${b.net.localPort}`,
      '-device', `virtio-net-device,netdev=net0,mac=${b.net.mac}`];
  // One host thread for all harts: Linux gives a secondary hart 1 s (of QEMU's host-clock
  // time) to come online, which a starved vCPU thread on a busy host can miss.
  return runProcess('qemu-system-riscv64', ['-machine', 'virt', '-cpu', qemuCpu(64), '-m', '128M', '-accel', 'tcg,thread=single',
    '-smp', String(b.harts), '-bios', bios, '-kernel', IMAGE, '-append', append(b),
    '-global', 'virtio-mmio.force-legacy=false',
    '-drive', `file=${ROOTFS},if=none,id=root,format=raw,snapshot=on`, '-device', 'virtio-blk-device,drive=root',
    ...(b.rng === true ? ['-device', 'virtio-rng-device'] : []), ...console, ...net,
    '-display', 'none', '-monitor', 'none'], { stdoutToFile: true, timeoutMs: 10 * 60_000, stopWhen });
}

/** The CPUs init runs on; asserts init did all it does and powered the machine off. */
function checkBoot(name: string, b: Boot, r: RunResult): number {
  const detail = describeRun(name, r);
  const init = initLines(r.stdout);
  const hello = /^init: hello from pid 1 on (\d+) cpus$/m.exec(init);
  assert.ok(hello !== null, `${name}: init did not start\n${detail}`);
  const cpus = Number(hello[1]);
  // The kernel's console, and init's: no earlycon on hvc0, so the first lines of the log are
  // not on it (hvc0 comes with the virtio driver), as on QEMU.
  const console = b.console === 'uart' ? 'ttyS0' : 'hvc0';
  assert.match(init, new RegExp(`^init: consoles: ${console}\\s+-W- \\(EC`, 'm'), detail);
  assert.equal(init.match(/^init: consoles: /gm)?.length, 1, `${name}: one console\n${detail}`);
  assert.equal(init.match(/^init: cpuinfo: processor\s*: \d+$/gm)?.length, cpus, `${name}: /proc/cpuinfo lists every CPU\n${detail}`);
  assert.match(init, /^init: double: sqrt\(6 \* sum 1\/k\^2, k <= 100000\) = 3\.141583 = 3\.14158310432\d+$/m, detail);
  assert.match(init, /^init: \/hello\.txt: hello from the ext2 root disk$/m, detail);
  assert.match(init, /^init: \/renamed\.txt: 4750 bytes, first line: line 1 of a file written by init, squared 1$/m, detail);
  assert.doesNotMatch(init, /failed/, detail);
  assert.match(init, /^init: powering off$/m, detail);
  // The kernel's last words reach hvc0's queue after the machine is off (QEMU's too).
  if (b.console === 'uart') assert.match(r.stdout, /^reboot: Power down\r?$/m, detail);
  assert.equal(r.exitCode, 0, `${name}: power-off ends the run with status 0\n${detail}`);
  return cpus;
}

/** /proc/cpuinfo's isa lines, once each. */
const isaLines = (r: RunResult): string[] => [...new Set(lines(r.stdout).filter((l) => /^init: cpuinfo: isa\s*:/.test(l)))];

function compareWithQemu(b: Boot, mine: RunResult, theirs: RunResult): void {
  const name = b.name;
  assert.equal(checkBoot(`QEMU, ${name}`, b, theirs), b.harts, 'QEMU brings up every hart');
  assert.equal(checkBoot(`ours, ${name}`, b, mine), b.harts, 'every hart comes online');
  assert.deepEqual(logDifference(['ours', initLines(mine.stdout)], ['QEMU', initLines(theirs.stdout)]), [], `${name}: the same lines from init`);
  const isa = isaLines(mine);
  assert.equal(isa.length, 1, `${name}: one isa line for every CPU\n${isa.join('\n')}`);
  assert.deepEqual(isa, isaLines(theirs), `${name}: /proc/cpuinfo's isa line as QEMU's with -cpu ${qemuCpu(64)}`);
}

function canRun(): void {
  // As every test that needs a Debian package: a missing one fails, naming it (.ci/run installs it).
  if (skipReason !== undefined) assert.fail(`the Linux boot test cannot run: ${skipReason}`);
  assert.ok(fs.existsSync(OUR_CLI), `${OUR_CLI} is missing: compile with \`npx tsc -p .\``);
}

const stats = (r: RunResult): string => /osdev-emu: (\d+ instructions) in/.exec(r.stderr)?.[1] ?? '? instructions';

// Under --engine wasm: the pair below boots under js.
test('Linux 6.1 behind OpenSBI fw_dynamic on 4 harts to its init, compiled to wasm: the same console as QEMU', { timeout: 15 * 60_000 }, async (t) => {
  canRun();
  const boot: Boot = { name: 'fw_dynamic, 4 harts, wasm', bios: 'fw_dynamic', harts: 4, console: 'uart', rng: true, wasm: true };
  const mine = await ours(boot);
  const theirs = await qemu(boot);
  compareWithQemu(boot, mine, theirs);
  assert.match(mine.stdout, /^smp: Brought up 1 node, 4 CPUs\r?$/m);
  assert.deepEqual(logDifference(['ours', mine.stdout], ['QEMU', theirs.stdout]), [], 'the same console lines');
  t.diagnostic(`ours: ${stats(mine)}, ${mine.durationMs} ms; QEMU: ${theirs.durationMs} ms`);
});

/** Two free UDP ports on loopback (bound and let go: nothing else here takes them meanwhile). */
async function udpPorts(): Promise<[number, number]> {
  const take = () => new Promise<dgram.Socket>((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => resolve(s));
  });
  const [a, b] = [await take(), await take()];
  const ports: [number, number] = [a.address().port, b.address().port];
  a.close();
  b.close();
  return ports;
}

/** The pair: 2 pings 3 (see the top of the file), on ports free now. */
async function pair(): Promise<[Boot, Boot]> {
  const [p, q] = await udpPorts();
  return [{ name: 'built-in SBI, 4 harts', bios: 'builtin', harts: 4, console: 'uart',
    net: { ip: '10.0.0.1', peer: '10.0.0.2', role: 'ping', mac: '52:54:00:12:34:01', localPort: p, remotePort: q } },
  { name: 'fw_jump, 1 hart, hvc0', bios: 'fw_jump', harts: 1, console: 'virtio',
    net: { ip: '10.0.0.2', peer: '10.0.0.1', role: 'pong', mac: '52:54:00:12:34:02', localPort: q, remotePort: p } }];
}

/**
 * Both of a pair at once. Once one has ended, the other has a minute of host time left:
 * its peer will not answer any more (init's ping retries without end).
 */
async function runPair(run: (b: Boot, stopWhen: () => boolean) => Promise<RunResult>, boots: [Boot, Boot]): Promise<[RunResult, RunResult]> {
  let ended = Infinity;
  const orphaned = () => Date.now() - ended > 60_000;
  const both = boots.map((b) => run(b, orphaned).finally(() => { ended = Math.min(ended, Date.now()); }));
  return [await both[0], await both[1]];
}

/**
 * What the kernel says differently behind the built-in SBI, on purpose: the SBI's version
 * and identity (v2.0, our implementation id; OpenSBI 1.1 is v1.0, id 1).
 */
const SBI_IDENTITY = [/^SBI specification v\d+\.\d+ detected$/, /^SBI implementation ID=0x[0-9a-f]+ Version=0x[0-9a-f]+$/];

test('two Linux instances talk UDP over --net socket: the built-in SBI on 4 harts, fw_jump on 1 hart with hvc0, as QEMU', { timeout: 20 * 60_000 }, async (t) => {
  canRun();
  // QEMU's pair first, then ours: two boots at a time on two cores.
  const [qemuPing, qemuPong] = await runPair(qemu, await pair());
  const boots = await pair();
  const [ping, pong] = await runPair(ours, boots);

  compareWithQemu(boots[0], ping, qemuPing);
  assert.match(ping.stdout, /^SBI specification v2\.0 detected\r?$/m);
  assert.match(ping.stdout, /^SBI implementation ID=0x4f534445 Version=0x1\r?$/m);
  assert.match(ping.stdout, /^SBI HSM extension detected\r?$/m);
  const kernelLog = (text: string) => lines(fromLinux(text)).filter((l) => !SBI_IDENTITY.some((re) => re.test(l))).join('\n');
  assert.deepEqual(logDifference(['ours', kernelLog(ping.stdout)], ['QEMU', kernelLog(qemuPing.stdout)]), [], 'the same kernel log');

  compareWithQemu(boots[1], pong, qemuPong);
  assert.deepEqual(logDifference(['ours', pong.stdout], ['QEMU', qemuPong.stdout]), [], 'the same console lines');

  for (const [name, r] of [['ours', ping], ['QEMU', qemuPing]] as const) {
    assert.match(initLines(r.stdout), /^init: udp: got 'pong from 10\.0\.0\.2' from 10\.0\.0\.2:5000$/m, describeRun(`${name}, ping`, r));
  }
  for (const [name, r] of [['ours', pong], ['QEMU', qemuPong]] as const) {
    assert.match(initLines(r.stdout), /^init: udp: got 'ping from 10\.0\.0\.1' from 10\.0\.0\.1:5000$/m, describeRun(`${name}, pong`, r));
  }
  t.diagnostic(`ours: ${stats(ping)} (ping), ${stats(pong)} (pong), ${Math.max(ping.durationMs, pong.durationMs)} ms; QEMU: ${Math.max(qemuPing.durationMs, qemuPong.durationMs)} ms`);
});
