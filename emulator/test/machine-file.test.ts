/**
 * `osdev-emu run --machine FILE.dts` as a user runs it: the preset printed by
 * `osdev-emu dts --preset virt` boots the demo kernel and dumps the default machine's
 * DTB byte for byte; a board with devices elsewhere runs a guest that reads the tree;
 * a bad board or a clashing option is one line and exit status 2.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from './cli-session';

const ROOT = path.resolve(__dirname, '../../..');
const DEMO = path.join(ROOT, 'demo/hello.elf');
const GUEST = path.join(ROOT, 'emulator/test/guests/build/rv64/fdt-uart.elf');
const MINIMAL = path.join(ROOT, 'emulator/machine/test-boards/minimal.dts');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-machine-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const at = (name: string) => path.join(tmp, name);

async function preset(name: string, ...args: string[]): Promise<string> {
  const r = await runCli(['dts', '--preset', 'virt', ...args, '-o', at(name)]);
  assert.equal(r.code, 0, r.stderr);
  return at(name);
}

test('--machine on the virt preset: the demo kernel boots, and the DTB equals the default machine\'s byte for byte', async () => {
  const board = await preset('virt.dts');
  const run = await runCli(['run', DEMO, '--machine', board]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Hello from a RISC-V kernel on 'virt'!/);
  assert.match(run.stdout, /All done\. Powering off/);
  assert.equal(run.stderr, '');
  for (const [name, args] of [['plain', []], ['append', ['--append', 'console=ttyS0 quiet']]] as const) {
    const ours = await runCli(['run', DEMO, '--dump-dtb', at(`default-${name}.dtb`), ...args]);
    const fromFile = await runCli(['run', DEMO, '--machine', board, '--dump-dtb', at(`file-${name}.dtb`), ...args]);
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.deepEqual(fs.readFileSync(at(`file-${name}.dtb`)), fs.readFileSync(at(`default-${name}.dtb`)), name);
  }
});

test('--machine on a 2-hart rv32 preset gives that machine: the rv64 demo is refused, naming riscv,isa', async () => {
  const board = await preset('virt32.dts', '--xlen', '32', '--harts', '2');
  const r = await runCli(['run', DEMO, '--machine', board]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^osdev-emu: .*hello\.elf is a 64-bit ELF, but the harts of .*virt32\.dts are rv32 \(riscv,isa\)\n$/);
});

test('--machine on a board with devices elsewhere: the guest finds them in its tree; the stub node is a warning line', async () => {
  const r = await runCli(['run', GUEST, '--machine', MINIMAL, '--max-insns', '5000000']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'uart at 0x20000000 irq 0x00000003\ntest at 0x30000000\n');
  assert.equal(r.stderr, `osdev-emu: ${MINIMAL}: /soc/bus@60000000/widget@2000: compatible "acme,widget" is not emulated: it becomes a passthrough stub slot (no backend, reads all-ones)\n`);
});

test('--machine: a bad board, a missing file, a clashing option or too many virtio devices is one line, status 2', async () => {
  const overlap = at('overlap.dts');
  fs.writeFileSync(overlap, fs.readFileSync(MINIMAL, 'utf8').replace('reg = <0x0 0x50000000 0x0 0x10000>', 'reg = <0x0 0x40000000 0x0 0x10000>'));
  const cases: [string[], RegExp][] = [
    [['--machine', overlap], /^osdev-emu: machine file .*overlap\.dts: \/soc\/clint@50000000: 0x40000000-0x4000ffff overlaps \/soc\/interrupt-controller@40000000 at 0x40000000-0x405fffff\n$/],
    [['--machine', at('nothing.dts')], /^osdev-emu: machine file '.*nothing\.dts': no such file\n$/],
    [['--machine', MINIMAL, '-m', '256M'], /^osdev-emu: -m cannot be used with --machine: the machine file gives the memory \(\/memory\)\n$/],
    [['--machine', MINIMAL, '--harts', '2'], /^osdev-emu: --harts cannot be used with --machine/],
    [['--machine', MINIMAL, '--rng'], /^osdev-emu: --machine .*minimal\.dts: the machine has 0 virtio,mmio slots, but 1 virtio device was asked for/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(['run', GUEST, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.split('\n').filter((l) => !l.includes('passthrough stub slot')).join('\n'), message);
  }
});
