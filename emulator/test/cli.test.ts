/**
 * The CLI's contract: bad input is one clear line and exit status 2, never a stack
 * trace; --dump-dtb writes the machine's device tree; guest faults stay in the guest.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { runCli } from './cli-session';
import { buildVirtFdt } from '../machine/fdt';
import { defaultDescription } from '../machine/description';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-cli-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const demo = path.resolve(__dirname, '../../../demo/hello.elf');
const rebuiltDemo = path.resolve(__dirname, '../../../emulator/test/guests/build/demo/hello.elf');

function file(name: string, bytes: Uint8Array | string): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, bytes);
  return p;
}

/** A tiny RISC-V ELF linked at `addr`, built with Debian's cross gcc. */
function elfAt(name: string, addr: string, march = 'rv64imac', mabi = 'lp64'): string {
  const src = file(`${name}.S`, '.globl _start\n_start: j _start\n');
  const ld = file(`${name}.ld`, `SECTIONS { . = ${addr}; .text : { *(.text) } }\n`);
  const out = path.join(tmp, `${name}.elf`);
  execFileSync('riscv64-unknown-elf-gcc', ['-nostdlib', `-march=${march}`, `-mabi=${mabi}`, '-T', ld, src, '-o', out]);
  return out;
}

async function badInput(args: string[], message: RegExp): Promise<void> {
  const r = await runCli(args, [], 30_000);
  assert.equal(r.code, 2, `exit status for ${args.join(' ')}: ${r.stderr}`);
  assert.match(r.stderr, message);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+/, 'no stack trace');
}

test('a missing kernel file', () => badInput(['run', path.join(tmp, 'nope.elf')], /cannot read kernel '.*nope\.elf': no such file/));
test('a directory as the kernel', () => badInput(['run', tmp], /is a directory/));
test('--isa with an extension we lack', () => badInput(['run', '--isa', 'rv64gcv', path.join(tmp, 'nope.elf')], /--isa: riscv,isa "rv64gcv": extension v is not implemented here/));
test('--isa with a multi-letter extension we lack', () => badInput(['run', '--isa', 'rv64imac_zba_zbkb', path.join(tmp, 'nope.elf')], /--isa: riscv,isa "rv64imac_zba_zbkb": extension zbkb is not implemented here/));
test('--isa of the other XLEN than --xlen', () => badInput(['run', '--isa', 'rv32imac', '--xlen', '64', path.join(tmp, 'nope.elf')], /--isa is rv32 but --xlen is 64/));
test('an x86 ELF', () => badInput(['run', '/bin/true'], /e_machine is 62 \(x86-64\), not 243/));
test('a truncated ELF', () => {
  const whole = fs.readFileSync(elfAt('trunc', '0x80000000'));
  return badInput(['run', file('cut.elf', whole.subarray(0, 40))], /kernel .*cut\.elf: .*(truncated|too short|ends)/i);
});
test('a segment outside RAM', () => badInput(['run', elfAt('low', '0x40000000')], /segment at 0x40000000 .* outside RAM 0x80000000-0x88000000/));
test('a segment beyond the end of a small RAM', () => badInput(['run', elfAt('high', '0x80800000'), '-m', '4M'], /outside RAM/));
test('a 32-bit ELF with --xlen 64', () => badInput(['run', elfAt('rv32', '0x80000000', 'rv32imac', 'ilp32'), '--xlen', '64'], /32-bit ELF cannot run on a 64-bit machine/));
test('a malformed memory size', () => badInput(['run', 'x.elf', '-m', '12Q'], /memory size '12Q' is not a size/));
test('a memory size that is too large', () => badInput(['run', 'x.elf', '-m', '64G'], /must be between 2M and 2G/));
test('an unknown option', () => badInput(['run', 'x.elf', '--frobnicate'], /unknown option '--frobnicate'/));
test('an option without its value', () => badInput(['run', 'x.elf', '--harts'], /--harts needs a value/));
test('too many harts', () => badInput(['run', 'x.elf', '--harts', '9'], /--harts must be between 1 and 8/));
test('an unknown engine', () => badInput(['run', 'x.elf', '--engine', 'fast'], /--engine takes interp, js, wasm, got 'fast'/));
test('an unknown command', () => badInput(['boot', 'x.elf'], /unknown command 'boot'/));
test('an empty raw image', () => badInput(['run', file('empty.bin', new Uint8Array(0))], /file is empty/));
test('an initrd that does not fit', () => badInput(['run', elfAt('k', '0x80000000'), '-m', '4M', '--initrd', file('big.img', new Uint8Array(3 << 20))], /initrd .* do not fit in RAM/));

test('--dump-dtb writes the same blob the machine builds', async () => {
  const out = path.join(tmp, 'virt.dtb');
  const r = await runCli(['run', demo, '--dump-dtb', out, '--harts', '2', '-m', '256M', '--append', 'console=ttyS0']);
  assert.equal(r.code, 0, r.stderr);
  const expected = buildVirtFdt(defaultDescription({ harts: 2, memoryBytes: 256 << 20, bootargs: 'console=ttyS0' }));
  assert.deepEqual(new Uint8Array(fs.readFileSync(out)), expected);
});

test('a guest that jumps to unmapped memory gets an access fault, not a host error', async () => {
  // M-mode, mtvec = 0: the fault handler address is itself unmapped, so the guest traps at
  // its vector over and over; the run stops as stuck (125) and says so; the host stays well.
  const src = file('wild.S', '.globl _start\n_start: li t0, 0x40000000\n jr t0\n');
  const ld = file('wild.ld', 'SECTIONS { . = 0x80000000; .text : { *(.text) } }\n');
  const elf = path.join(tmp, 'wild.elf');
  execFileSync('riscv64-unknown-elf-gcc', ['-nostdlib', '-T', ld, src, '-o', elf]);
  const r = await runCli(['run', elf, '--max-insns', '100000', '--trace', 'trap']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /hart 0 is stuck: instruction access fault at pc 0x0 /);
  assert.match(r.stderr, /trap hart0 instruction access fault at pc 0x0000000040000000 from M-mode/);
  assert.doesNotMatch(r.stderr, /internal error/);
});

for (const [what, elf] of [['the bundled demo kernel', demo], ['the demo kernel rebuilt from source by the test build', rebuiltDemo]]) {
  test(`${what} runs and powers off with pass`, async () => {
    assert.ok(fs.existsSync(elf), `${elf} is missing`);
    const r = await runCli(['run', elf]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /hart\s+0 of this machine/);
    assert.match(r.stdout, /tick 3/);
  });
}

test('--engine interp, js and wasm print the same and retire the same instructions', async () => {
  // The test build of the sort benchmark (2.7 M instructions): its inner loops pass the translation threshold.
  const elf = path.resolve(__dirname, '../../../emulator/test/guests/build/rv64/bench-qsort.elf');
  assert.ok(fs.existsSync(elf), `${elf} is missing`);
  const [interp, js, wasm] = await Promise.all(['interp', 'js', 'wasm'].map((e) => runCli(['run', elf, '--engine', e, '--stats'])));
  const count = (r: { stderr: string }) => /(\d+) instructions in/.exec(r.stderr)?.[1];
  assert.equal(interp.code, 0, interp.stderr);
  for (const fast of [js, wasm]) {
    assert.equal(fast.code, 0, fast.stderr);
    assert.equal(fast.stdout, interp.stdout);
    assert.ok(count(fast) !== undefined, fast.stderr);
    assert.equal(count(fast), count(interp));
  }
});

test('--engine wasm runs an RV32 guest compiled, as the interpreter runs it', async () => {
  const elf = path.resolve(__dirname, '../../../emulator/test/guests/build/rv32/bench-qsort.elf');
  const [interp, wasm] = await Promise.all(['interp', 'wasm'].map((e) => runCli(['run', elf, '--engine', e, '--stats'])));
  assert.equal(wasm.code, 0, wasm.stderr);
  assert.doesNotMatch(wasm.stderr, /running js/);
  assert.equal(wasm.stdout, interp.stdout);
  const count = (r: { stderr: string }) => /(\d+) instructions in/.exec(r.stderr)?.[1];
  assert.ok(count(wasm) !== undefined, wasm.stderr);
  assert.equal(count(wasm), count(interp));
});

test('--trace mmio names device registers and decodes their fields from the register maps', async () => {
  const r = await runCli(['run', demo, '--trace', 'mmio']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^mmio uart0\.THR <- 0x48\/1$/m, 'the H of "Hello" written to THR');
  assert.match(r.stderr, /^mmio uart0\.LSR -> 0x60\/1 \(DR=0 .*THRE=1 TEMT=1/m);
  assert.match(r.stderr, /^mmio clint\.mtimecmp\[0\] <- /m);
  assert.match(r.stderr, /^mmio test\.FINISHER <- 0x5555\/4 \(STATUS=PASS CODE=0\)$/m);
});

test('osdev-emu devices prints every register map', async () => {
  const r = await runCli(['devices']);
  assert.equal(r.code, 0);
  for (const m of ['ns16550a', 'clint', 'plic', 'goldfish-rtc', 'sifive-test', 'virtio-mmio']) assert.match(r.stdout, new RegExp(`^${m} `, 'm'));
  assert.match(r.stdout, /\+0x0001 IER 8-bit RW reset=0x0 \(LCR\.DLAB=0\)\s+Interrupt enable/);
  assert.match(r.stdout, /\[1\] ETBEI - transmitter holding register empty/);
});
