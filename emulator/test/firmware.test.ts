/**
 * Real firmware from Debian's packages boots as on `qemu-system-riscv64 -machine virt`:
 * OpenSBI (fw_dynamic, fw_jump) prints its banner with the right platform and hart
 * count, U-Boot (M-mode as the firmware, S-mode behind fw_jump) reaches its prompt and
 * answers commands typed on the console.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { runCli } from './cli-session';

const OPENSBI = '/usr/lib/riscv64-linux-gnu/opensbi/generic';
const UBOOT = '/usr/lib/u-boot';

function need(file: string): string {
  assert.ok(fs.existsSync(file), `${file} is missing: install Debian's opensbi and u-boot-qemu (.ci/run does)`);
  return file;
}

for (const [fw, harts] of [['fw_dynamic', 1], ['fw_dynamic', 4], ['fw_jump', 4]] as const) {
  test(`OpenSBI ${fw} banner with ${harts} hart(s)`, async () => {
    const r = await runCli(['run', '--bios', need(`${OPENSBI}/${fw}.bin`), '--harts', String(harts), '--max-insns', '60000000']);
    assert.match(r.stdout, /OpenSBI v\d+\.\d+/);
    assert.match(r.stdout, /Platform Name\s+: riscv-virtio,qemu/);
    assert.match(r.stdout, new RegExp(`Platform HART Count\\s+: ${harts}\\b`));
    assert.match(r.stdout, /Boot HART PMP Count\s+: 16/);
    assert.match(r.stdout, /Boot HART ISA Extensions\s+: time,sstc/);
    assert.equal(r.code, 124, 'no payload: it runs until --max-insns');
  });
}

test('U-Boot (M-mode build as --bios) reaches its prompt and answers commands', async () => {
  const r = await runCli(['run', '--bios', need(`${UBOOT}/qemu-riscv64/u-boot.bin`), '--timeout', '100'], [
    { waitFor: 'Hit any key to stop autoboot', send: ' ' },
    { waitFor: '=> ', send: 'echo typed-$((6*7))\r' },
    { waitFor: '=> ', send: 'version\r' },
    { waitFor: 'GNU ld', send: 'poweroff\r' },
  ]);
  assert.match(r.stdout, /U-Boot 20\d\d/);
  assert.match(r.stdout, /CPU:\s+rv64imafdc/);
  assert.match(r.stdout, /DRAM:\s+128 MiB/);
  assert.match(r.stdout, /=> version\r?\nU-Boot/);
  assert.equal(r.code, 0, `U-Boot's poweroff goes through sifive_test pass: ${r.stderr}`);
});

test('U-Boot S-mode build as the kernel behind OpenSBI fw_jump', async () => {
  const r = await runCli(['run', '--bios', need(`${OPENSBI}/fw_jump.bin`), need(`${UBOOT}/qemu-riscv64_smode/u-boot.bin`), '--timeout', '100'], [
    { waitFor: 'Hit any key to stop autoboot', send: ' ' },
    { waitFor: '=> ', send: 'printenv fdtcontroladdr\r' },
    { waitFor: 'fdtcontroladdr=' },
    { waitFor: '=> ', send: 'poweroff\r' },
  ]);
  assert.match(r.stdout, /Platform Name\s+: riscv-virtio,qemu/);
  assert.match(r.stdout, /Platform HART Count\s+: 1\b/);
  assert.match(r.stdout, /Domain0 Next Address\s+: 0x0*80200000/);
  assert.match(r.stdout, /Domain0 Next Mode\s+: S-mode/);
  assert.match(r.stdout, /U-Boot 20\d\d/);
  assert.match(r.stdout, /fdtcontroladdr=[0-9a-f]+/);
  assert.equal(r.code, 0, r.stderr);
});
