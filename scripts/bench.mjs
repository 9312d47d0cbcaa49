#!/usr/bin/env node
// `npm run bench`: guest workloads on our emulator and on qemu-system-riscv64 in the
// same run, instructions per second and the ratio for each. Never part of `npm test`:
// speed is measured here, not asserted.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli.js');
const benchDir = join(root, 'emulator/test/guests/build/bench');
const bench32Dir = join(root, 'emulator/test/guests/build/bench32');
const OPENSBI = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin';
const WORKLOADS = ['bench-crc32', 'bench-qsort', 'bench-matmul', 'bench-memcpy', 'bench-nbody', 'bench-mixed'];
/** The CoreMark-class ones again on RV32 (the issue's goal is for both XLENs). */
const WORKLOADS_32 = ['bench-crc32', 'bench-qsort', 'bench-matmul', 'bench-mixed'];
/** Our engines, each beside QEMU (--engine; wasm is the WebAssembly block compiler). */
const ENGINES = ['js', 'wasm'];

/**
 * Boots are short (a second or two), so one run's wall clock is mostly this shared
 * machine's noise: each boot row is the median of this many runs (OpenSBI's: ours and
 * QEMU's in turn).
 */
const BOOT_RUNS = 3;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function need(ok, what) { if (!ok) { console.error(`bench: ${what}`); process.exit(2); } }

need(spawnSync('npx', ['tsc', '-p', '.'], { cwd: root, stdio: 'inherit' }).status === 0, 'tsc failed');
// Same harts as ours (QEMU_CPU_OPTION by XLEN), from the one place that says so.
const QEMU_CPUS = createRequire(import.meta.url)(join(root, 'out/emulator/machine/description.js')).QEMU_CPU_OPTION;
need(spawnSync('npm', ['run', '-s', 'bundle'], { cwd: root, stdio: 'inherit' }).status === 0, 'bundle failed');
need(spawnSync('make', ['-s', '-C', 'emulator/test/guests', 'bench'], { cwd: root, stdio: 'inherit' }).status === 0,
  'building the bench guests needs gcc-riscv64-unknown-elf');
need(spawnSync('qemu-system-riscv64', ['--version']).status === 0, 'qemu-system-riscv64 is not installed (Debian qemu-system-misc)');
need(spawnSync('qemu-system-riscv32', ['--version']).status === 0, 'qemu-system-riscv32 is not installed (Debian qemu-system-misc)');

/** Run a command; resolve with wall seconds, stdout and stderr. Stops early when `until` appears in stdout. */
function timed(cmd, args, until) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '', seen = false;
    p.stdout.on('data', (d) => {
      out += d;
      if (until !== undefined && !seen && out.includes(until)) { seen = true; resolve({ secs: Number(process.hrtime.bigint() - t0) / 1e9, out, err }); p.kill('SIGKILL'); }
    });
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', (code) => { if (!seen) resolve({ secs: Number(process.hrtime.bigint() - t0) / 1e9, out, err, code }); });
  });
}

const qemu = (args, xlen = 64) => ['-machine', 'virt', '-cpu', QEMU_CPUS[xlen], '-nographic', '-m', '128M', ...args];
const rows = [];
for (const [xlen, dir, names] of [[64, benchDir, WORKLOADS], [32, bench32Dir, WORKLOADS_32]]) {
  for (const name of names) {
    const elf = join(dir, `${name}.elf`);
    need(existsSync(elf), `${elf} was not built`);
    const theirs = await timed(`qemu-system-riscv${xlen}`, qemu(['-bios', 'none', '-kernel', elf], xlen));
    need(theirs.code === 0, `${name} (rv${xlen}) failed on QEMU: ${theirs.err}`);
    for (const engine of ENGINES) {
      const ours = await timed(process.execPath, [cli, 'run', elf, '--stats', '--engine', engine]);
      const m = /(\d+) instructions in ([\d.]+) s/.exec(ours.err);
      need(ours.code === 0 && m !== null, `${name} (rv${xlen}) failed on osdev-emu --engine ${engine}: ${ours.err}`);
      need(theirs.out === ours.out, `${name} (rv${xlen}): QEMU printed something else than we did (--engine ${engine})`);
      rows.push({ name: `${name.replace(/^bench-/, '')}${xlen === 32 ? ' rv32' : ''} ${engine}`, insns: Number(m[1]), ours: ours.secs, qemu: theirs.secs });
    }
  }
}
// virtio-blk: 4 KiB requests from the bench-blk guest (its disk serial names the pattern)
// against a 64 MiB image; writes stay in an overlay on both sides (QEMU: snapshot=on).
const IO_MIB = 64;
const image = join(mkdtempSync(join(tmpdir(), 'osdev-bench-')), 'disk.img');
writeFileSync(image, Buffer.alloc(IO_MIB << 20));
const blkElf = join(benchDir, 'bench-blk.elf');
need(existsSync(blkElf), `${blkElf} was not built`);
const ioRows = [];
for (const pattern of ['seq-read', 'seq-write', 'rand-read', 'rand-write']) {
  const ours = await timed(process.execPath, [cli, 'run', blkElf, '--drive', `${image},serial=${pattern}`]);
  need(ours.code === 0, `bench-blk ${pattern} failed on osdev-emu: ${ours.err}`);
  const theirs = await timed('qemu-system-riscv64', qemu(['-bios', 'none', '-global', 'virtio-mmio.force-legacy=false',
    '-drive', `file=${image},if=none,id=d0,format=raw,snapshot=on`, '-device', `virtio-blk-device,drive=d0,serial=${pattern}`, '-kernel', blkElf]));
  need(theirs.code === 0, `bench-blk ${pattern} failed on QEMU: ${theirs.err}`);
  ioRows.push({ pattern, ours: ours.secs, qemu: theirs.secs });
}

// Boot to the OpenSBI banner's last line: time only (both print the same banner).
const bootUntil = 'Boot HART MEDELEG';
const bootSecs = Object.fromEntries(ENGINES.map((e) => [e, []]));
const bootQemuSecs = [];
for (let i = 0; i < BOOT_RUNS; i++) {
  for (const engine of ENGINES) bootSecs[engine].push((await timed(process.execPath, [cli, 'run', '--bios', OPENSBI, '--engine', engine], bootUntil)).secs);
  bootQemuSecs.push((await timed('qemu-system-riscv64', qemu(['-bios', OPENSBI]), bootUntil)).secs);
}
const boots = Object.fromEntries(ENGINES.map((e) => [e, { secs: median(bootSecs[e]) }]));
const bootQemu = { secs: median(bootQemuSecs) };

// Linux 6.1 to its init's first line (emulator/test/linux/build.sh: built when its inputs
// changed, skipped when Debian's packages for it are missing), on 1 hart (the issue's "tiny UP
// kernel" figure) and on 4, the same Image, disk and command line: ours behind OpenSBI and
// behind the built-in SBI, QEMU behind OpenSBI.
const linuxRows = [];
const linuxOut = join(root, 'emulator/test/guests/build/linux');
const built = spawnSync('bash', [join(root, 'emulator/test/linux/build.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (built.status === 0 && !/^linux: not built/m.test(built.stdout)) {
  const [image, rootfs] = [join(linuxOut, 'Image'), join(linuxOut, 'rootfs.img')];
  const append = 'root=/dev/vda rw console=ttyS0 earlycon';
  const initUntil = 'init: hello from pid 1';
  const toInit = async (what, cmd, args) => {
    const secs = [];
    for (let i = 0; i < BOOT_RUNS; i++) {
      const r = await timed(cmd, args, initUntil);
      need(r.out.includes(initUntil), `Linux did not reach its init on ${what}: ${r.out.slice(-500)}${r.err}`);
      secs.push(r.secs);
    }
    return median(secs);
  };
  for (const harts of [1, 4]) {
    const ourLinux = (args) => toInit('osdev-emu', process.execPath, [cli, 'run', ...args, image, '--harts', String(harts), '--drive', rootfs, '--append', append]);
    const h = `${harts} hart${harts > 1 ? 's' : ''}`;
    const rows = [{ name: `${h}, opensbi, wasm`, ours: await ourLinux(['--bios', OPENSBI, '--engine', 'wasm']) },
      { name: `${h}, built-in, js`, ours: await ourLinux(['--engine', 'js']) },
      { name: `${h}, built-in, wasm`, ours: await ourLinux(['--engine', 'wasm']) }];
    const q = await toInit('QEMU', 'qemu-system-riscv64', qemu(['-smp', String(harts), '-bios', OPENSBI, '-kernel', image, '-append', append,
      '-global', 'virtio-mmio.force-legacy=false', '-drive', `file=${rootfs},if=none,id=root,format=raw,snapshot=on`,
      '-device', 'virtio-blk-device,drive=root']));
    for (const r of rows) linuxRows.push({ ...r, qemu: q });
  }
} else {
  linuxRows.push({ skipped: built.stdout.trim() });
}

const f = (v, d = 2) => v.toFixed(d);
console.log('\nworkload             instructions   osdev-emu s   MIPS    qemu s   MIPS   ours/qemu');
for (const r of rows) {
  const a = r.insns / r.ours / 1e6, b = r.insns / r.qemu / 1e6;
  console.log(`${r.name.padEnd(19)} ${String(r.insns).padStart(13)}   ${f(r.ours).padStart(9)}  ${f(a, 1).padStart(6)}  ${f(r.qemu).padStart(7)}  ${f(b, 1).padStart(6)}   ${(100 * a / b).toFixed(1).padStart(6)}%`);
}
for (const [engine, boot] of Object.entries(boots)) {
  console.log(`${`opensbi ${engine}`.padEnd(19)} ${'(to banner)'.padStart(13)}   ${f(boot.secs).padStart(9)}  ${''.padStart(6)}  ${f(bootQemu.secs).padStart(7)}  ${''.padStart(6)}   ${(100 * bootQemu.secs / boot.secs).toFixed(1).padStart(6)}%`);
}
console.log('\nLinux 6.1 to init             osdev-emu s   qemu s (OpenSBI)   ours/qemu');
for (const r of linuxRows) {
  if (r.skipped !== undefined) console.log(`skipped: ${r.skipped}`);
  else console.log(`${r.name.padEnd(28)} ${f(r.ours).padStart(11)}  ${f(r.qemu).padStart(15)}   ${(r.ours / r.qemu).toFixed(1).padStart(8)}x`);
}
console.log('\nvirtio-blk, 4 KiB    osdev-emu MB/s   qemu MB/s   ours/qemu');
for (const r of ioRows) {
  const a = IO_MIB * 1.048576 / r.ours, b = IO_MIB * 1.048576 / r.qemu;
  console.log(`${r.pattern.padEnd(18)} ${f(a, 1).padStart(14)}  ${f(b, 1).padStart(10)}   ${(100 * a / b).toFixed(1).padStart(6)}%`);
}
console.log('\nMIPS = guest instructions (counted by osdev-emu; both run the same program) per wall-clock second, process start included;');
console.log(`MB/s = ${IO_MIB} MiB moved by the guest per wall-clock second of the whole run; boot rows: the median of ${BOOT_RUNS} runs.`);

await (await import('./bench-devices.mjs')).benchDevices(root);
await (await import('./bench-debugger.mjs')).benchDebugger(root);
await (await import('./bench-debugger.mjs')).benchTransports(root);
await (await import('./bench-debugger.mjs')).benchLinuxState(root);
await (await import('./bench-dts.mjs')).benchDts(root);
await (await import('./bench-profile.mjs')).benchProfile(root);
await (await import('./bench-time-travel.mjs')).benchTimeTravel(root);
