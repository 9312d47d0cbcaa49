/**
 * The extensions a board chooses (--isa, riscv,isa) beside QEMU 7.2 with the same ones:
 * the bitmanip guest with each of Zba, Zbb, Zbc and Zbs left out (and all of them: each
 * instruction then an illegal instruction, mtval its bits), the cmo guest with Svpbmt on
 * (PBMT and the other high PTE bits) and off. QEMU 7.2 has no Zicbom/Zicboz: with them the
 * cmo guest checks itself (lib.c check(), exit 1 on a mismatch) and the lines that say
 * what the hart did are asserted here. The default harts (Zba..Zbs and Zihintpause on, as
 * QEMU 7.2's rv64 CPU) run both guests in differential.test.ts.
 * Needs `make -C emulator/test/guests`, QEMU and our compiled CLI, as differential.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_EXTENSIONS, IsaExtension } from '../hart/isa-table';
import { isaString, qemuCpuOption } from '../machine/description';
import { createLimiter, GuestProgram, loadManifest, RunResult, runOurs, runQemu } from './qemu';

const limit = createLimiter(Number(process.env.DIFF_JOBS ?? 2));
const TIMEOUT_MS = Number(process.env.DIFF_TIMEOUT_MS ?? 30_000);
const programs = loadManifest().programs;
const program = (name: string, xlen: 32 | 64): GuestProgram => {
  const p = programs.find((q) => q.name === name && q.xlen === xlen);
  assert.ok(p !== undefined, `${name} rv${xlen} is not in the guests' manifest`);
  return p;
};

/** Console output and exit status of `p` on ours (--isa) and on QEMU (-cpu) with `exts`. */
async function bothWith(p: GuestProgram, exts: readonly IsaExtension[]): Promise<[RunResult, RunResult]> {
  const opts = { xlen: p.xlen, harts: 1, timeoutMs: TIMEOUT_MS };
  const ours = limit(() => runOurs(p.elf, { ...opts, extraArgs: ['--isa', isaString(p.xlen, 'FD', exts)] }));
  const qemu = limit(() => runQemu(p.elf, { ...opts, extraArgs: ['-cpu', qemuCpuOption(p.xlen, exts)] })); // the last -cpu wins
  return Promise.all([ours, qemu]);
}

function assertSame(ours: RunResult, qemu: RunResult): void {
  assert.ok(!qemu.timedOut && !ours.timedOut, `a run timed out: ${ours.command} / ${qemu.command}`);
  assert.equal(qemu.exitCode, 0, `QEMU failed: ${qemu.command}\n${qemu.stdout.slice(-2000)}`);
  assert.equal(ours.stdout, qemu.stdout, `console output differs from QEMU's: ${ours.command}`);
  assert.equal(ours.exitCode, qemu.exitCode);
}

describe('Zba, Zbb, Zbc, Zbs left out beside QEMU with them off', { concurrency: 2 }, () => {
  for (const xlen of [64, 32] as const) {
    for (const off of ['zba', 'zbb', 'zbc', 'zbs', 'all'] as const) {
      test(`bitmanip rv${xlen} without ${off}`, async () => {
        const exts = DEFAULT_EXTENSIONS.filter((x) => (off === 'all' ? x === 'zihintpause' : x !== off));
        const [ours, qemu] = await bothWith(program('bitmanip', xlen), exts);
        assertSame(ours, qemu);
        // The illegal instructions are there: cause 2 with the instruction's bits.
        assert.match(ours.stdout, /: cause=0+2 tval=[0-9a-f]*[1-9a-f][0-9a-f]* from=M in=M n=1\n/);
      });
    }
  }
});

describe('Svpbmt beside QEMU', { concurrency: 2 }, () => {
  for (const svpbmt of [true, false]) {
    test(`cmo rv64 with svpbmt ${svpbmt ? 'on' : 'off'}`, async () => {
      const exts = svpbmt ? [...DEFAULT_EXTENSIONS, 'svpbmt' as const] : DEFAULT_EXTENSIONS;
      const [ours, qemu] = await bothWith(program('cmo', 64), exts);
      assertSame(ours, qemu);
      // A leaf with PBMT IO maps (Svpbmt), and faults without it; a pointer with PBMT always faults.
      assert.match(ours.stdout, svpbmt ? /leaf pte \| 4000000000000000: 0000000000001234, no trap/ : /leaf pte \| 4000000000000000: .*cause=0+d /);
      assert.match(ours.stdout, /pointer pte \| 2000000000000000: .*cause=0+d /);
    });
  }
});

describe('Zicbom and Zicboz (ours only: QEMU 7.2 has neither)', { concurrency: 2 }, () => {
  for (const xlen of [64, 32] as const) {
    test(`cmo rv${xlen} with zicbom and zicboz`, async () => {
      const p = program('cmo', xlen);
      const isa = isaString(xlen, 'FD', ['zicbom', 'zicboz', ...DEFAULT_EXTENSIONS]);
      const ours = await limit(() => runOurs(p.elf, { xlen, harts: 1, timeoutMs: TIMEOUT_MS, extraArgs: ['--isa', isa] }));
      assert.ok(!ours.timedOut, ours.command);
      assert.equal(ours.exitCode, 0, `the guest's own checks failed:\n${ours.stdout}`);
      const hex = (v: number) => v.toString(16).padStart(xlen / 4, '0');
      for (const line of [
        'M: cbo ran f; cbo.zero: no trap', // M-mode needs no menvcfg
        `cbo.zero: zero bytes = ${hex(64)}`,
        `S read-write page: ran f, last no trap`,
        // cbo.zero is a store; clean, flush and inval only need a load allowed; tval is the block's address.
        `S read-only page: ran 7, last cause=${hex(15)} tval=${hex(0x40001040)} from=S in=M n=1`,
        `S execute-only page: ran 0, last cause=${hex(15)} tval=${hex(0x40003040)} from=S in=M n=1`,
        `S PMP-denied page: ran 0, last cause=${hex(7)} tval=`,
      ]) assert.ok(ours.stdout.includes(line.endsWith('=') ? line : line + '\n'), `missing line: ${line}\n${ours.stdout}`);
    });
  }
});
