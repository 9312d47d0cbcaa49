/**
 * Issue 22's hostile files, I/O errors and data safety, through the real CLI: each case is
 * one line on stderr (never "internal error" or a stack trace), and where only a side
 * output fails the guest runs to its end.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { CLI, runCli } from './cli-session';
import { buildVirtFdt } from '../machine/fdt';
import { defaultDescription } from '../machine/description';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-hard-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const DEMO = path.resolve(__dirname, '../../../demo/hello.elf');
const GUESTS = path.resolve(__dirname, '../../../emulator/test/guests');
const UART_RX = path.join(GUESTS, 'build/rv64/uart-rx.elf');
const OPENSBI = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.elf';

function file(name: string, bytes: Uint8Array | string): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, bytes);
  return p;
}

/** A bare-metal ELF from assembly, linked at `addr`. */
function asmElf(name: string, src: string, addr = '0x80000000'): string {
  const s = file(`${name}.S`, `.globl _start\n_start:\n${src}\n`);
  const ld = file(`${name}.ld`, `SECTIONS { . = ${addr}; .text : { *(.text) } }\n`);
  const out = path.join(tmp, `${name}.elf`);
  execFileSync('riscv64-unknown-elf-gcc', ['-nostdlib', '-march=rv64imac', '-mabi=lp64', '-T', ld, s, '-o', out]);
  return out;
}

const fifo = path.join(tmp, 'fifo');
execFileSync('mkfifo', [fifo]);
const LOOP = asmElf('loop', 'j _start');

/** stderr is this one line, with no stack trace. */
function oneLine(stderr: string, expected: RegExp): void {
  assert.equal(stderr.trim().split('\n').length, 1, `one line, got: ${stderr}`);
  assert.match(stderr, expected);
  assert.doesNotMatch(stderr, /internal error|\bat .*\.js:\d+/);
}

async function refused(args: string[], expected: RegExp): Promise<void> {
  const r = await runCli(args, [], 30_000);
  assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  oneLine(r.stderr, expected);
}

// ------------------------------------------------------------ hostile files

const NOT_REGULAR = /not a regular file \(it is a (FIFO|character device)\)/;
for (const bad of ['/dev/zero', fifo]) {
  const what = bad === fifo ? 'a FIFO' : '/dev/zero';
  test(`${what} is refused as the kernel`, () => refused(['run', bad], NOT_REGULAR));
  test(`${what} is refused as --bios`, () => refused(['run', LOOP, '--bios', bad], NOT_REGULAR));
  test(`${what} is refused as --initrd`, () => refused(['run', LOOP, '--initrd', bad], NOT_REGULAR));
  test(`${what} is refused as --replay`, () => refused(['run', LOOP, '--replay', bad], NOT_REGULAR));
  test(`${what} is refused as --machine`, () => refused(['run', LOOP, '--machine', bad], NOT_REGULAR));
  test(`${what} is refused as a stub model`, () => refused(['run', LOOP, '--passthrough', `name=x,backend=stub:${bad}`], NOT_REGULAR));
  test(`${what} is refused as dts input`, () => refused(['dts', bad], NOT_REGULAR));
}

test('/dev/zero named .dtb is refused by dts', () => {
  const link = path.join(tmp, 'zero.dtb');
  fs.symlinkSync('/dev/zero', link);
  return refused(['dts', link], NOT_REGULAR);
});

test('dts - reads stdin up to its limit and refuses more (/dev/zero)', () => {
  const zero = fs.openSync('/dev/zero', 'r');
  const r = spawnSync(process.execPath, [CLI, 'dts', '-'], { stdio: [zero, 'pipe', 'pipe'], encoding: 'utf8', timeout: 60_000 });
  fs.closeSync(zero);
  assert.equal(r.status, 2);
  oneLine(r.stderr, /cannot read 'stdin': more than the 16 MiB allowed/);
});

test('a stub model over 1 MiB is refused before it is parsed', () =>
  refused(['run', LOOP, '--passthrough', `name=x,backend=stub:${file('big.json', ' '.repeat((1 << 20) + 1))}`], /larger than the 1 MiB allowed/));

// ------------------------------------------------------------ I/O errors and limits

test('dts -o into a folder that does not exist, or onto a folder, or stdout on a full disk: one line', async () => {
  await refused(['dts', '--preset', 'virt', '-o', path.join(tmp, 'none', 'x.dts')], /cannot write '.*x\.dts': its folder does not exist/);
  await refused(['dts', '--preset', 'virt', '-o', tmp], /cannot write '.*': it is a directory/);
  const full = fs.openSync('/dev/full', 'w');
  const r = spawnSync(process.execPath, [CLI, 'dts', '--preset', 'virt'], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
  fs.closeSync(full);
  assert.equal(r.status, 2);
  oneLine(r.stderr, /cannot write to stdout: no space left on the device/);
});

test('dts --preset virt -m 0 is a bad size, as run -m says', () => refused(['dts', '--preset', 'virt', '-m', '0'], /memory size 0 must be between 2M and 2G/));

test('options that take one value refuse a second', async () => {
  await refused(['run', LOOP, '--serial', 'tcp:127.0.0.1:5000', '--serial', 'tcp:127.0.0.1:5001'], /--serial given twice/);
  await refused(['run', LOOP, '--timeout', '1', '--timeout', '2'], /--timeout given twice/);
  await refused(['run', LOOP, '--drive', 'x.img,mode=readonly,mode=writeback'], /--drive option 'mode' given twice/);
  await refused(['dts', '--preset', 'virt', '-o', 'a', '-o', 'b'], /-o given twice/);
});

test('--dump-dtb - writes the blob to stdout', () => {
  const r = spawnSync(process.execPath, [CLI, 'run', DEMO, '--dump-dtb', '-'], { encoding: 'buffer' });
  assert.equal(r.status, 0, r.stderr.toString());
  assert.deepEqual(new Uint8Array(r.stdout), buildVirtFdt(defaultDescription({})));
});

test('stdout closed by its reader (`| head -1`) ends the run with one line', async () => {
  const chatty = asmElf('chatty', 'li t0, 0x10000000\nli t1, 0x79\nli t2, 10\n1: sb t1, 0(t0)\nsb t2, 0(t0)\nj 1b');
  const child = spawn(process.execPath, [CLI, 'run', chatty], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 141, stderr);
  oneLine(stderr, /cannot write the console to stdout: the reader went away; stopping/);
});

test('--record on a full disk says so once and the guest runs on', async () => {
  const r = await runCli(['run', UART_RX, '--record', '/dev/full'], [{ waitFor: 'type a line', send: 'abc\n' }]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /reversed: cba/);
  oneLine(r.stderr, /--record \/dev\/full: no space left on the device; nothing more is written to it/);
});

test('a pcap capture on a full disk says so once and the guest runs on', async () => {
  const r = await runCli(['run', DEMO, '--net', 'loopback,pcap=/dev/full']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Bye!/);
  oneLine(r.stderr, /--net pcap \/dev\/full: no space left on the device; nothing more is written to it/);
});

test('--timeout beyond setTimeout\'s 24.8 days waits without TimeoutOverflowWarning', async () => {
  // The guest says it is idle and waits for an interrupt that never comes; input wakes
  // the host loop, which waits again; stdin closing ends the run.
  const idle = asmElf('idle', 'li t0, 0x10000000\nli t1, 0x21\nsb t1, 0(t0)\n1: wfi\nj 1b');
  const r = await runCli(['run', idle, '--timeout', '3000000'], [{ waitFor: '!', send: 'x' }]);
  assert.equal(r.code, 124);
  assert.doesNotMatch(r.stderr, /TimeoutOverflowWarning/);
  oneLine(r.stderr, /every hart waits for an interrupt and no input can come/);
});

test('/incbin/ with an offset dtc cannot seek to is an error (past the end but below 16 TiB is empty, as dtc)', () => {
  file('four.bin', 'abcd');
  const dts = file('incbin.dts', '/dts-v1/;\n/ { p = /incbin/("four.bin", 0x100000000000, 2); };\n');
  return refused(['dts', dts, '-o', path.join(tmp, 'incbin.dtb')], /Couldn't seek to offset 17592186044416 in "four\.bin"/);
});

// ------------------------------------------------------------ overlapping images

test('an ELF segment under the device tree is refused, naming both and the range', () =>
  refused(['run', asmElf('under-fdt', 'j _start', '0x87e00000')], /the device tree \(0x87e00000-0x87e00[0-9a-f]{3}\) and kernel .*under-fdt\.elf \(0x87e00000-0x87e00001\) overlap at 0x87e00000-0x87e00001/));

test('a kernel over OpenSBI is refused', () =>
  refused(['run', asmElf('over-sbi', 'j _start', '0x80010000'), '--bios', OPENSBI], /kernel .*over-sbi\.elf \(0x80010000-0x80010001\) and firmware .*fw_dynamic\.elf \(0x80000000-0x[0-9a-f]+\) overlap at 0x80010000-0x80010001/));

test('an initrd over the kernel is refused', () =>
  refused(['run', file('k20.bin', new Uint8Array(20 << 20)), '-m', '32M', '--initrd', file('small.img', 'initrd')],
    /initrd .*small\.img \(0x81000000-0x81000005\) and kernel .*k20\.bin \(0x80000000-0x813fffff\) overlap at 0x81000000-0x81000005/));

// ------------------------------------------------------------ image locks

/** Starts uart-rx with `drives` and resolves once it waits for its line (its drives are open and locked by then). */
async function holding(drives: string[]): Promise<{ child: ChildProcess; done: Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, 'run', UART_RX, ...drives.flatMap((d) => ['--drive', d])], { stdio: ['pipe', 'pipe', 'pipe'] });
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); if (out.includes('type a line')) resolve(); });
    child.on('close', () => reject(new Error(`ended before its prompt: ${out}`)));
  });
  return { child, done };
}

/** Ends a holder; resolves when its lock helper has let go too (it ends when the holder's pipe closes). */
async function release(h: { child: ChildProcess; done: Promise<number | null> }, img: string): Promise<void> {
  h.child.stdin!.end('done\n');
  assert.equal(await h.done, 0);
  const inode = fs.statSync(img).ino;
  for (let i = 0; i < 400 && fs.readFileSync('/proc/locks', 'utf8').split('\n').some((l) => l.includes(`:${inode} `)); i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

test('a writable image is refused to a second instance, readers share', async () => {
  const img = file('locked.img', new Uint8Array(1 << 20));
  const writer = await holding([`${img},mode=writeback`]);
  try {
    await refused(['run', LOOP, '--drive', `${img},mode=writeback`], /drive '.*locked\.img' is in use by another process \(Failed to get "write" lock\)/);
    await refused(['run', LOOP, '--drive', `${img},mode=readonly`], /drive '.*locked\.img' is in use by another process \(Failed to get shared "write" lock\)/);
  } finally { await release(writer, img); }
  const reader = await holding([`${img},mode=readonly`]);
  try {
    const r = await runCli(['run', LOOP, '--drive', img, '--max-insns', '1000'], [], 30_000); // an overlay shares with a reader
    assert.equal(r.code, 124, r.stderr);
    await refused(['run', LOOP, '--drive', `${img},mode=writeback`], /Failed to get "write" lock/);
  } finally { await release(reader, img); }
  const r = await runCli(['run', LOOP, '--drive', `${img},mode=writeback`, '--max-insns', '1000'], [], 30_000); // every lock let go
  assert.equal(r.code, 124, r.stderr);
});

test('the same image twice in one instance, one of them writable, is refused', () => {
  const img = file('twice.img', new Uint8Array(1 << 20));
  return refused(['run', LOOP, '--drive', `${img},mode=writeback`, '--drive', `${path.dirname(img)}/./twice.img`],
    /drive '.*\/\.\/twice\.img' is the same image as drive '.*twice\.img', and one of them is writable/);
});

test('QEMU and osdev-emu respect each other\'s lock', async () => {
  const img = file('shared.img', new Uint8Array(1 << 20));
  const ours = await holding([`${img},mode=writeback`]);
  try {
    const q = spawnSync('qemu-system-riscv64', ['-M', 'virt', '-nographic', '-bios', 'none', '-S', '-drive', `file=${img},format=raw,if=none,id=d`,
      '-device', 'virtio-blk-device,drive=d'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(q.status, 1);
    assert.match(q.stderr, /Failed to get "write" lock/);
  } finally { await release(ours, img); }
});

test('an image QEMU writes is refused to osdev-emu', async () => {
  const img = file('qemu.img', new Uint8Array(1 << 20));
  // QEMU greets on QMP once its drives are open (and locked).
  const qemu = spawn('qemu-system-riscv64', ['-M', 'virt', '-display', 'none', '-monitor', 'none', '-serial', 'none', '-bios', 'none', '-S', '-qmp', 'stdio',
    '-drive', `file=${img},format=raw,if=none,id=d`, '-device', 'virtio-blk-device,drive=d'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const ended = new Promise((resolve) => qemu.on('close', resolve));
  try {
    await new Promise<void>((resolve, reject) => {
      qemu.stdout.on('data', (d: Buffer) => { if (d.toString().includes('"QMP"')) resolve(); });
      qemu.on('close', () => reject(new Error('QEMU ended before its greeting')));
    });
    await refused(['run', LOOP, '--drive', `${img},mode=writeback`], /drive '.*qemu\.img' is in use by another process \(Failed to get "write" lock\)/);
    await refused(['run', LOOP, '--drive', img], /Failed to get shared "write" lock/);
  } finally {
    qemu.kill();
    await ended;
  }
});
