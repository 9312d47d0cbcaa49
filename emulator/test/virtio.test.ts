/**
 * Virtio devices end to end: the virtio-blk guest driver (guests/virtio-blk.c) runs on
 * QEMU and on ours with matching drives and must print the same; the host image is
 * checked afterwards for each --drive mode. Writeback data survives SIGKILL after a
 * FLUSH. Debian's U-Boot finds, describes and reads a disk made here. Bad drives are
 * clear errors before boot.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GUESTS_BUILD_DIR, OUR_CLI, runOurs, runProcess, runQemu, Xlen } from './qemu';
import { runCli } from './cli-session';
import { parseArgs, RunOptions } from '../hosts/cli-options';
import { virtioDevices } from '../hosts/virtio-setup';
import { virtioSlots } from '../machine/description';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-virtio-'));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));
const SECTOR0 = 'sector 0: hello from the host image\n';
const WRITTEN = 'written by the guest';
const elf = (xlen: Xlen) => path.join(GUESTS_BUILD_DIR, `rv${xlen}`, 'virtio-blk.elf');

let n = 0;
function makeImage(sectors = 64): string {
  const file = path.join(TMP, `disk${n++}.img`);
  const b = Buffer.alloc(sectors * 512);
  b.write(SECTOR0, 0, 'latin1');
  b.fill(0x77, 2 * 512, 4 * 512);
  fs.writeFileSync(file, b);
  return file;
}
const sector2 = (file: string) => fs.readFileSync(file).subarray(2 * 512, 2 * 512 + WRITTEN.length).toString('latin1');

interface Case { name: string; xlen: Xlen; ours: (img: string) => string[]; qemu: (img: string) => string[]; writes: boolean }
const MODERN = ['-global', 'virtio-mmio.force-legacy=false'];
const qDrive = (img: string, extra = '', dev = '') =>
  ['-drive', `file=${img},if=none,id=d0,format=raw${extra}`, '-device', `virtio-blk-device,drive=d0,serial=disk-1${dev}`];
const CASES: Case[] = [
  { name: 'overlay (default), modern', xlen: 64, ours: (i) => ['--drive', `${i},serial=disk-1`], qemu: (i) => [...MODERN, ...qDrive(i, ',snapshot=on')], writes: false },
  { name: 'overlay, modern, rv32', xlen: 32, ours: (i) => ['--drive', `${i},serial=disk-1`], qemu: (i) => [...MODERN, ...qDrive(i, ',snapshot=on')], writes: false },
  { name: 'overlay, legacy', xlen: 64, ours: (i) => ['--drive', `${i},legacy,serial=disk-1`], qemu: (i) => qDrive(i, ',snapshot=on'), writes: false },
  { name: 'writeback', xlen: 64, ours: (i) => ['--drive', `${i},mode=writeback,serial=disk-1`], qemu: (i) => [...MODERN, ...qDrive(i)], writes: true },
  { name: 'writeback, legacy', xlen: 64, ours: (i) => ['--drive', `${i},mode=writeback,legacy,serial=disk-1`], qemu: (i) => qDrive(i), writes: true },
  { name: 'readonly', xlen: 64, ours: (i) => ['--drive', `${i},mode=readonly,serial=disk-1`], qemu: (i) => [...MODERN, ...qDrive(i, ',readonly=on')], writes: false },
  {
    name: 'after an rng device: the disk takes the next slot down', xlen: 64,
    ours: (i) => ['--rng', '--drive', `${i},serial=disk-1`],
    qemu: (i) => [...MODERN, '-device', 'virtio-rng-device', ...qDrive(i, ',snapshot=on')], writes: false,
  },
];

describe('virtio-blk guest driver: same output as QEMU, host file as the mode says', { concurrency: 2 }, () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const [mine, theirs] = [makeImage(), makeImage()];
      const ours = await runOurs(elf(c.xlen), { xlen: c.xlen, extraArgs: c.ours(mine), timeoutMs: 30_000 });
      const qemu = await runQemu(elf(c.xlen), { xlen: c.xlen, extraArgs: c.qemu(theirs), timeoutMs: 30_000 });
      assert.equal(qemu.exitCode, 0, `QEMU: ${qemu.command}\n${qemu.stdout}\n${qemu.stderr}`);
      assert.match(qemu.stdout, /virtio-blk done/);
      assert.equal(ours.stdout, qemu.stdout, `ours: ${ours.command}\n${ours.stderr}`);
      assert.equal(ours.exitCode, 0);
      const expected = c.writes ? WRITTEN : '\x77'.repeat(WRITTEN.length);
      assert.equal(sector2(theirs), expected, 'QEMU left the image as expected');
      assert.equal(sector2(mine), expected, `our image after ${c.name}`);
      assert.equal(fs.readFileSync(mine).subarray(0, SECTOR0.length).toString('latin1'), SECTOR0);
    });
  }
  test('rng first then disk: the disk sits at 0x10007000 on both', async () => {
    const r = await runOurs(elf(64), { xlen: 64, extraArgs: ['--rng', '--drive', makeImage()], timeoutMs: 30_000 });
    assert.match(r.stdout, /virtio-blk at 10007000/);
  });
});

describe('kernels written against QEMU: same output on both', { concurrency: 2 }, () => {
  const guest = (name: string, xlen: Xlen) => path.join(GUESTS_BUILD_DIR, `rv${xlen}`, `${name}.elf`);
  const cases: { name: string; elf: string; xlen: Xlen; ours: (img: string) => string[]; qemu: (img: string) => string[]; done: RegExp }[] = [
    // xv6-riscv's disk driver: slot 0, only the low 32 feature bits; an rng in the top slot on both.
    ...([64, 32] as const).map((xlen) => ({
      name: `xv6-style disk in slot 0 negotiating 32 feature bits (rv${xlen})`, elf: 'xv6-disk', xlen,
      ours: (i: string) => ['--rng', '--drive', `${i},slot=0`],
      qemu: (i: string) => [...MODERN, '-device', 'virtio-rng-device', '-drive', `file=${i},if=none,id=x0,format=raw,snapshot=on`,
        '-device', 'virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0'],
      done: /xv6-disk done/,
    })),
    ...[false, true].map((legacy) => ({
      name: `indirect tables 8 bytes past a 16-byte boundary (${legacy ? 'legacy' : 'modern'})`, elf: 'virtio-indirect', xlen: 64 as const,
      ours: (i: string) => ['--drive', `${i},serial=disk-9${legacy ? ',legacy' : ''}`],
      qemu: (i: string) => [...(legacy ? [] : MODERN), ...qDrive(i, ',snapshot=on').map((a) => a.replace('serial=disk-1', 'serial=disk-9'))],
      done: /virtio-indirect done/,
    })),
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const qemu = await runQemu(guest(c.elf, c.xlen), { xlen: c.xlen, extraArgs: c.qemu(makeImage()), timeoutMs: 30_000 });
      assert.equal(qemu.exitCode, 0, `QEMU: ${qemu.command}\n${qemu.stdout}\n${qemu.stderr}`);
      assert.match(qemu.stdout, c.done);
      const ours = await runOurs(guest(c.elf, c.xlen), { xlen: c.xlen, extraArgs: c.ours(makeImage()), timeoutMs: 30_000 });
      assert.equal(ours.stdout, qemu.stdout, `ours: ${ours.command}\n${ours.stderr}`);
      assert.equal(ours.exitCode, 0);
      if (c.elf === 'xv6-disk') assert.match(ours.stderr, /^osdev-emu: virtio0: driver did not accept VIRTIO_F_VERSION_1 on a modern transport: FEATURES_OK accepted as QEMU does/m);
    });
  }
});

test('writeback: data acknowledged after a FLUSH survives SIGKILL', async () => {
  const img = makeImage();
  const child = spawn(process.execPath, [OUR_CLI, 'run', elf(64), '--drive', `${img},mode=writeback,serial=wait`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no "flushed" line: ${out}`)); }, 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      if (out.includes('flushed, waiting')) { clearTimeout(timer); resolve(); }
    });
  });
  const closed = new Promise((resolve) => child.on('close', (code, signal) => resolve(signal)));
  child.kill('SIGKILL');
  assert.equal(await closed, 'SIGKILL');
  assert.equal(sector2(img), WRITTEN);
});

const UBOOT_BOOTS: [string, string[]][] = [
  ['M-mode, as the firmware', ['--bios', '/usr/lib/u-boot/qemu-riscv64/u-boot.bin']],
  ['S-mode, behind OpenSBI fw_jump', ['--bios', '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin', '/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin']],
];
for (const [how, boot] of UBOOT_BOOTS) test(`U-Boot (${how}) finds the disk: virtio scan, info, read, write`, async () => {
  for (const f of boot.filter((a) => a.startsWith('/'))) assert.ok(fs.existsSync(f), `${f} is missing: install u-boot-qemu and opensbi`);
  const img = makeImage(2048);
  const r = await runCli(['run', ...boot, '--drive', `${img},mode=writeback`, '--timeout', '100'], [
    { waitFor: 'Hit any key to stop autoboot', send: ' ' },
    { waitFor: '=> ', send: 'virtio scan\r' },
    { waitFor: '=> ', send: 'virtio info\r' },
    { waitFor: '=> ', send: 'virtio read 0x84000000 0 1\r' },
    { waitFor: '=> ', send: 'md.b 0x84000000 0x24\r' },
    { waitFor: '=> ', send: 'mw.b 0x84100000 0x5a 0x200\r' },
    { waitFor: '=> ', send: 'virtio write 0x84100000 5 1\r' },
    { waitFor: '=> ', send: 'poweroff\r' },
  ]);
  assert.match(r.stdout, /Device 0: QEMU VirtIO Block Device/);
  assert.match(r.stdout, /Capacity: 1\.0 MB = 0\.0 GB \(2048 x 512\)/);
  assert.match(r.stdout, /1 blocks read: OK/);
  assert.match(r.stdout, /84000000: 73 65 63 74 6f 72 20 30 3a 20 68 65 6c 6c 6f 20 {2}sector 0: hello /);
  assert.match(r.stdout, /1 blocks written: OK/);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(fs.readFileSync(img).subarray(5 * 512, 6 * 512).every((b) => b === 0x5a), 'U-Boot\'s write reached the file');
});

describe('bad drives are clear errors before boot', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['missing', () => ['--drive', path.join(TMP, 'nope.img')], /cannot open drive '.*nope\.img': no such file/],
    ['not whole sectors', () => { const f = path.join(TMP, 'odd.img'); fs.writeFileSync(f, Buffer.alloc(1000)); return ['--drive', f]; },
      /drive '.*odd\.img' is 1000 bytes, not a multiple of 512/],
    ['a directory', () => ['--drive', TMP], /is not a regular file/],
    ['unreadable', () => { const f = makeImage(); fs.chmodSync(f, 0); return ['--drive', f]; }, /permission denied|cannot/],
    ['a bad mode', () => ['--drive', 'x.img,mode=fast'], /--drive mode must be overlay, writeback, readonly, got 'fast'/],
    ['a bad option', () => ['--drive', 'x.img,cache=none'], /--drive option 'cache=none'/],
    ['too many devices', () => { const img = makeImage(); return [...Array.from({ length: 8 }, () => ['--drive', img]).flat(), '--rng']; }, /the machine has 8 virtio,mmio slots, but 9 virtio devices were asked for/],
    ['two devices in one slot', () => ['--drive', `${makeImage()},slot=0`, '--rng', 'slot=0'], /^osdev-emu: virtio slot 0 is asked for twice: by drive '.*disk\d+\.img' and by rng\n$/],
    ['a slot the board lacks', () => ['--console', 'virtio,slot=8'], /^osdev-emu: the virtio console asks for virtio slot 8, but the machine's slots are 0-7\n$/],
    ['a slot that is not a number', () => ['--net', 'loopback,slot=top'], /^osdev-emu: --net slot= takes a slot number .*got 'top'\n$/],
  ];
  for (const [name, args, message] of cases) {
    test(name, async () => {
      if (name === 'unreadable' && process.getuid?.() === 0) return; // root reads anything
      const r = await runCli(['run', elf(64), ...args()], [], 30_000);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
    });
  }
});

test('--drive, --rng and --console options parse in order', () => {
  const r = parseArgs(['run', 'k.elf', '--drive', 'a.img', '--rng', 'host', '--drive=b.img,mode=readonly,legacy,serial=s1', '--console', 'virtio']);
  assert.ok(r.ok);
  const o = r.value as RunOptions;
  assert.deepEqual(o.drives, [
    { path: 'a.img', mode: 'overlay', legacy: false },
    { path: 'b.img', mode: 'readonly', legacy: true, serial: 's1' },
  ]);
  assert.equal(o.rng, 'host');
  assert.equal(o.console, 'virtio');
  assert.deepEqual(o.virtioOrder, ['drive', 'rng', 'drive', 'console']);
  const plain = parseArgs(['run', '--rng', 'k.elf']);
  assert.ok(plain.ok && (plain.value as RunOptions).rng === 'seeded' && (plain.value as RunOptions).kernel === 'k.elf');
  assert.deepEqual(parseArgs(['run', 'k.elf', '--console', 'hvc']), { ok: false, error: "--console must be uart or virtio, got 'hvc'" });
});

test('slot=N on every virtio option, in QEMU numbering', () => {
  const r = parseArgs(['run', 'k.elf', '--drive', 'a.img,slot=0', '--net', 'loopback,slot=3', '--rng', 'host,slot=2', '--console', 'virtio,slot=4', '--drive', 'b.img']);
  assert.ok(r.ok, r.ok ? '' : r.error);
  const o = r.value as RunOptions;
  assert.deepEqual(o.drives.map((d) => d.slot), [0, undefined]);
  assert.equal(o.nets[0].slot, 3);
  assert.deepEqual([o.rng, o.rngSlot, o.console, o.consoleSlot], ['host', 2, 'virtio', 4]);
  assert.deepEqual(virtioDevices(o).map((d) => d.slot), [0, 3, 2, 4, undefined]);
  for (const args of [['--rng', 'slot=1'], ['--rng=slot=1'], ['--rng', 'seeded,slot=1']]) {
    const p = parseArgs(['run', 'k.elf', ...args]);
    assert.ok(p.ok && (p.value as RunOptions).rngSlot === 1 && (p.value as RunOptions).rng === 'seeded' && (p.value as RunOptions).kernel === 'k.elf', args.join(' '));
  }
  assert.deepEqual(parseArgs(['run', 'k.elf', '--console', 'uart,slot=1']), { ok: false, error: "--console takes uart, or virtio with slot=N, got 'uart,slot=1'" });
  assert.deepEqual(parseArgs(['run', 'k.elf', '--rng', 'host,slot=']), { ok: false, error: "--rng slot= takes a slot number (0 is the lowest virtio-mmio address, QEMU's virtio-mmio-bus.0), got ''" });
  assert.deepEqual(parseArgs(['run', 'k.elf', '--drive', 'a.img,slot=-1']), { ok: false, error: "--drive slot= takes a slot number (0 is the lowest virtio-mmio address, QEMU's virtio-mmio-bus.0), got '-1'" });
});

/** QEMU's `info qtree`: which virtio-mmio-bus.N holds the device with id dK, for each K. */
async function qemuPlacement(devices: string[]): Promise<number[] | string> {
  const args = ['-machine', 'virt', '-S', '-display', 'none', '-nodefaults', '-monitor', 'stdio',
    ...devices.flatMap((d, k) => ['-device', `virtio-rng-device,id=d${k}${d}`])];
  const r = await runProcess('qemu-system-riscv64', args, { stdin: 'info qtree\nquit\n', timeoutMs: 30_000 });
  const full = /Bus '(virtio-mmio-bus\.\d+)' is full/.exec(r.stderr);
  if (full !== null) return `${full[1]} is full`;
  const slots: number[] = [];
  let bus = -1;
  for (const line of r.stdout.split('\n')) {
    const b = /bus: virtio-mmio-bus\.(\d+)/.exec(line);
    if (b !== null) bus = Number(b[1]);
    const d = /dev: virtio-rng-device, id "d(\d+)"/.exec(line);
    if (d !== null) slots[Number(d[1])] = bus;
  }
  return slots;
}

describe('virtio slot placement is QEMU\'s (info qtree)', { concurrency: 2 }, () => {
  const cases: (number | undefined)[][] = [[undefined, undefined, undefined], [0], [7, undefined, 3, undefined], [undefined, 2, undefined, 0, undefined]];
  for (const want of cases) {
    test(want.map((s) => (s === undefined ? 'plain' : `slot ${s}`)).join(', '), async () => {
      const qemu = await qemuPlacement(want.map((s) => (s === undefined ? '' : `,bus=virtio-mmio-bus.${s}`)));
      const ours = virtioSlots(want.map((slot) => ({ kind: 'rng', ...(slot !== undefined ? { slot } : {}) })), 8);
      assert.deepEqual(ours, { ok: true, value: qemu });
    });
  }
  test('a plain device before one asking for the top slot: QEMU refuses, we place both (documented)', async () => {
    assert.equal(await qemuPlacement(['', ',bus=virtio-mmio-bus.7']), 'virtio-mmio-bus.7 is full');
    assert.deepEqual(virtioSlots([{ kind: 'rng' }, { kind: 'rng', slot: 7 }], 8), { ok: true, value: [6, 7] });
  });
});

describe('virtio-net guest driver: same output as QEMU with a link that returns frames', { concurrency: 2 }, () => {
  const netElf = path.join(GUESTS_BUILD_DIR, 'rv64', 'virtio-net.elf');
  const port = () => 30000 + Math.floor(Math.random() * 20000);
  const cases: { name: string; ours: () => string[]; legacy: boolean }[] = [
    { name: 'loopback, modern', ours: () => ['--net', 'loopback'], legacy: false },
    { name: 'loopback, legacy', ours: () => ['--net', 'loopback,legacy'], legacy: true },
    { name: 'UDP socket to itself', ours: () => { const p = port(); return ['--net', `socket,udp=127.0.0.1:${p},localaddr=127.0.0.1:${p}`]; }, legacy: false },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const p = port();
      const qemu = await runQemu(netElf, {
        xlen: 64, timeoutMs: 30_000,
        extraArgs: [...(c.legacy ? [] : MODERN), '-netdev', `socket,id=n0,udp=127.0.0.1:${p},localaddr=127.0.0.1:${p}`, '-device', 'virtio-net-device,netdev=n0'],
      });
      assert.equal(qemu.exitCode, 0, `QEMU: ${qemu.command}\n${qemu.stdout}\n${qemu.stderr}`);
      assert.match(qemu.stdout, /payload: hello over virtio-net/);
      const ours = await runOurs(netElf, { xlen: 64, extraArgs: c.ours(), timeoutMs: 30_000 });
      assert.equal(ours.stdout, qemu.stdout, `ours: ${ours.command}\n${ours.stderr}`);
      assert.equal(ours.exitCode, 0);
    });
  }
  test('pcap=FILE captures the frame both ways', async () => {
    const cap = path.join(TMP, 'net.pcap');
    const r = await runOurs(netElf, { xlen: 64, extraArgs: ['--net', `loopback,pcap=${cap}`], timeoutMs: 30_000 });
    assert.equal(r.exitCode, 0, r.stderr);
    const b = fs.readFileSync(cap);
    assert.equal(b.readUInt32LE(0), 0xa1b2c3d4);
    assert.equal(b.length, 24 + 2 * (16 + 60));
    assert.equal(b.subarray(24 + 16 + 14, 24 + 16 + 35).toString('latin1'), 'hello over virtio-net');
  });
});

test('virtio-console: output on the console, typed input through receiveq0 (nothing dropped), twice the same', async () => {
  const conElf = path.join(GUESTS_BUILD_DIR, 'rv64', 'virtio-console.elf');
  const line = 'a line typed at the host, longer than one buffer';
  const run = () => runOurs(conElf, { xlen: 64, extraArgs: ['--console', 'virtio'], stdin: `${line}\n`, timeoutMs: 30_000 });
  const [a, b] = [await run(), await run()];
  assert.equal(a.exitCode, 0, a.stdout + a.stderr);
  assert.match(a.stdout, /^hello through virtio-console$/m);
  assert.ok(a.stdout.includes(`virtio-console got ${line.length} bytes: ${line}\n`), a.stdout);
  assert.equal(a.stdout, b.stdout);
});

describe('virtio-rng guest driver: same output as QEMU', { concurrency: 2 }, () => {
  const rngElf = path.join(GUESTS_BUILD_DIR, 'rv64', 'virtio-rng.elf');
  for (const mode of ['seeded', 'host']) {
    test(`--rng ${mode}`, async () => {
      const qemu = await runQemu(rngElf, { xlen: 64, timeoutMs: 30_000, extraArgs: [...MODERN, '-device', 'virtio-rng-device'] });
      assert.equal(qemu.exitCode, 0, `QEMU: ${qemu.command}\n${qemu.stdout}\n${qemu.stderr}`);
      const ours = await runOurs(rngElf, { xlen: 64, timeoutMs: 30_000, extraArgs: ['--rng', mode] });
      assert.equal(ours.stdout, qemu.stdout, ours.stderr);
      assert.equal(ours.exitCode, 0);
    });
  }
});

test('--trace mmio names virtio-mmio registers and decodes Status', async () => {
  const r = await runOurs(path.join(GUESTS_BUILD_DIR, 'rv64', 'virtio-rng.elf'), { xlen: 64, extraArgs: ['--rng', '--trace', 'mmio'], timeoutMs: 30_000 });
  assert.equal(r.exitCode, 0);
  assert.match(r.stderr, /^mmio virtio7\.DeviceID -> 0x4\/4 \(ID=entropy\)$/m);
  assert.match(r.stderr, /^mmio virtio7\.Status <- 0x3\/4 \(ACKNOWLEDGE=1 DRIVER=1 /m);
  assert.match(r.stderr, /^mmio virtio7\.QueueNotify <- 0x0\/4$/m);
});
