/**
 * `osdev-emu run --snapshot-at N FILE` and `--restore FILE` across processes (issue 18):
 * the run restored from the file prints what the whole run printed after N and ends
 * with the same instruction count and whole-state hash; a file for another machine
 * or a damaged one is refused with one line naming the problem.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI } from './cli-session';

const GUESTS = path.resolve(__dirname, '../../../emulator/test/guests/build');
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-snapshot-cli-'));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));

function run(args: string[]): { status: number | null; out: Buffer; err: string } {
  const r = spawnSync(process.execPath, [CLI, 'run', ...args], { timeout: 120_000 });
  return { status: r.status, out: r.stdout, err: r.stderr.toString() };
}
const hashLine = (err: string) => /state hash (\w+) at (\d+) instructions/.exec(err)?.slice(1);

for (const [guest, extra, at] of [
  ['rv64/amo-smp.elf', ['--harts', '2'], 100_000],
  ['rv64/virtio-blk.elf', ['--drive', 'DISK,mode=overlay'], 15_000],
  ['rv64/paging.elf', [], 50_000],
] as [string, string[], number][]) {
  test(`${guest}: snapshot at ${at} in one process, restored in another, ends as the whole run`, () => {
    const elf = path.join(GUESTS, guest);
    const disk = path.join(TMP, 'disk.img');
    const img = Buffer.alloc(64 * 512); img.write('sector 0: hello from the host image\n', 0, 'latin1'); img.fill(0x77, 1024, 2048);
    fs.writeFileSync(disk, img);
    const args = [elf, ...extra.map((a) => a.replace('DISK', disk)), '--state-hash'];
    const snap = path.join(TMP, `${path.basename(guest)}-${at}.snap`);
    const whole = run([...args, '--snapshot-at', String(at), snap]);
    assert.equal(whole.status, 0, whole.err);
    assert.ok(fs.existsSync(snap), whole.err);
    const prefix = run([...args, '--max-insns', String(at)]);
    const restored = run([...args, '--restore', snap]);
    assert.equal(restored.status, 0, restored.err);
    assert.equal(Buffer.concat([prefix.out, restored.out]).toString('latin1'), whole.out.toString('latin1'));
    assert.deepEqual(hashLine(restored.err), hashLine(whole.err));
    assert.ok(hashLine(whole.err) !== undefined);
  });
}

test('--restore of a file for another machine, a damaged file, a text file: one line naming the problem', () => {
  const elf = path.join(GUESTS, 'rv64/uart.elf');
  const snap = path.join(TMP, 'uart.snap');
  assert.equal(run([elf, '--snapshot-at', '2000', snap]).status, 0);
  const other = run([elf, '--harts', '2', '--restore', snap]);
  assert.equal(other.status, 2);
  assert.match(other.err, /^osdev-emu: --restore .*uart\.snap: the snapshot was taken on another board/m);
  const wrongKernel = run([path.join(GUESTS, 'rv64/rtc.elf'), '--restore', snap]);
  assert.match(wrongKernel.err, /kernel .*rtc\.elf is not the image the snapshot was taken with \(.*uart\.elf\)/);
  const bytes = fs.readFileSync(snap);
  bytes[bytes.length - 40] ^= 1;
  const damaged = path.join(TMP, 'damaged.snap');
  fs.writeFileSync(damaged, bytes);
  assert.match(run([elf, '--restore', damaged]).err, /damaged \(checksum mismatch\)/);
  const text = path.join(TMP, 'notes.txt');
  fs.writeFileSync(text, 'just some notes\n');
  const t = run([elf, '--restore', text]);
  assert.equal(t.status, 2);
  assert.match(t.err, /is not an OS Dev Emulator snapshot/);
  assert.doesNotMatch(t.err, /at .*\.js:\d+/, 'no stack trace');
});

const LINUX = path.resolve(__dirname, '../../../emulator/test/guests/build/linux');
test('Linux 6.1 (the cached test build) on 2 harts: snapshot at 20 M instructions, restored in another process, same console and state at 40 M',
  { skip: !fs.existsSync(path.join(LINUX, 'Image')) && 'the Linux build is made by npm test (emulator/test/linux/build.sh)' }, () => {
    const snap = path.join(TMP, 'linux.snap');
    const args = [path.join(LINUX, 'Image'), '--harts', '2', '--drive', path.join(LINUX, 'rootfs.img'),
      '--append', 'root=/dev/vda rw console=ttyS0 earlycon', '--state-hash', '--max-insns', '40000000'];
    const whole = run([...args, '--snapshot-at', '20000000', snap]);
    assert.equal(whole.status, 124, whole.err);
    assert.ok(fs.existsSync(snap), whole.err);
    const prefix = run([...args.slice(0, -2), '--max-insns', '20000000']);
    const restored = run([...args, '--restore', snap]);
    assert.equal(restored.status, 124, restored.err);
    assert.ok(whole.out.toString('latin1').includes('Linux version'), 'the kernel printed its banner');
    assert.equal(Buffer.concat([prefix.out, restored.out]).toString('latin1'), whole.out.toString('latin1'));
    assert.deepEqual(hashLine(restored.err), hashLine(whole.err));
  });
