/**
 * The built-in SBI (firmware/sbi.ts, `--bios builtin`). The S-mode guest `sbi`
 * (guests/sbi.c) calls every function of every extension, with good and bad arguments,
 * under ours and under Debian's OpenSBI 1.1 on QEMU (fw_dynamic.bin as -bios, the guest
 * as -kernel); both outputs must agree but for the lines that differ on purpose
 * (docs/architecture.md, "Built-in SBI"). Then, in-process: the M-mode state a kernel is
 * entered with equals what OpenSBI 1.1 leaves on our own harts; set_timer without Sstc
 * goes through mtimecmp and gives the same run; runs repeat exactly; the debugger's
 * "ecall from S" filter stops after the call.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GUESTS_BUILD_DIR, OUR_CLI, qemuCpu, runProcess } from './qemu';
import { Machine } from '../machine/machine';
import { boot, BootConfig } from '../machine/boot';
import { defaultDescription } from '../machine/description';
import { DebugController, hartPc, readCsr, readRegisters, writeCsr, writeRegister } from '../machine/debug-surface';
import { CSR, Cause, Priv } from '../hart/csr';
import { defaultBios, isRiscvLinuxImage } from '../loaders/raw';

const GUEST = path.join(GUESTS_BUILD_DIR, 'smode64', 'sbi.elf');
const FW_DYNAMIC = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin';

function need(file: string, what: string): void {
  assert.ok(fs.existsSync(file), `${file} is missing: ${what}`);
}

/**
 * Lines that differ on purpose, each with what ours must print: the identity (SBI v2.0,
 * our impl id; OpenSBI 1.1 says v1.0 and reads QEMU's marchid/mimpid), the extensions
 * OpenSBI 1.1 has and we do not (PMU) or we have and it does not (DBCN, whose calls it
 * answers NOT_SUPPORTED), and a hart mask naming a hart that does not exist, which the
 * spec calls INVALID_PARAM and OpenSBI 1.1 ignores.
 */
const OURS_ON_PURPOSE: [RegExp, string][] = [
  [/^base\.spec_version: /, 'base.spec_version: error=0 value=2000000'],
  [/^base\.impl_id: /, 'base.impl_id: error=0 value=4f534445'],
  [/^base\.impl_version: /, 'base.impl_version: error=0 value=1'],
  [/^base\.marchid: /, 'base.marchid: error=0 value=0'],
  [/^base\.mimpid: /, 'base.mimpid: error=0 value=0'],
  [/^probe DBCN: /, 'probe DBCN: : error=0 value=1'],
  [/^probe PMU: /, 'probe PMU: : error=0 value=0'],
  [/^ipi\.send_ipi\(hart 9\): /, 'ipi.send_ipi(hart 9): error=-3 value=0'],
];
/** DBCN's lines: ours only (OpenSBI 1.1 answers every DBCN call NOT_SUPPORTED). */
const DBCN = [
  'dbcn: written through console_write', 'dbcn.write: error=0 value=24', '', 'dbcn.write_byte: error=0 value=0',
  'dbcn.read: error=0 value=0', 'dbcn.write(address 0): error=-3 value=0', 'dbcn.write(past the end of RAM): error=-3 value=0',
  'dbcn.write(huge length): error=-3 value=0', 'dbcn.write(base_hi): error=-3 value=0', 'dbcn.read(MMIO): error=-3 value=0',
];

const lines = (text: string): string[] => text.replace(/\r/g, '').split('\n');

test('the sbi guest: the built-in SBI answers as OpenSBI 1.1 on QEMU, but for what differs on purpose', { timeout: 180_000 }, async () => {
  need(GUEST, 'build the guests (make -C emulator/test/guests)');
  need(FW_DYNAMIC, 'package opensbi');
  need(OUR_CLI, 'compile with `npx tsc -p .`');
  const ours = await runProcess(process.execPath, [OUR_CLI, 'run', GUEST, '--bios', 'builtin', '--harts', '2', '--max-insns', '50000000'], { timeoutMs: 120_000 });
  // One host thread for both harts (as the Linux test): a CI run once saw QEMU's
  // multi-threaded TCG stop mid-guest on a loaded host until the timeout.
  const qemu = await runProcess('qemu-system-riscv64', ['-machine', 'virt', '-cpu', qemuCpu(64), '-m', '128M', '-smp', '2', '-accel', 'tcg,thread=single',
    '-bios', FW_DYNAMIC, '-kernel', GUEST, '-display', 'none', '-serial', 'stdio', '-monitor', 'none'], { stdoutToFile: true, timeoutMs: 120_000 });
  const detail = `--- ours (exit ${ours.exitCode})\n${ours.stdout}\n${ours.stderr}\n--- QEMU (exit ${qemu.exitCode})\n${qemu.stdout}`;
  assert.equal(ours.exitCode, 0, `SRST shutdown ends ours with status 0\n${detail}`);
  assert.equal(qemu.exitCode, 0, `SRST shutdown ends QEMU with status 0\n${detail}`);
  // QEMU's console starts with OpenSBI's banner; the guest's starts at its first line.
  const q = lines(qemu.stdout);
  const theirs = q.slice(q.indexOf('sbi: S-mode guest'));
  const mine = lines(ours.stdout);
  const dbcnAt = mine.indexOf(DBCN[0]);
  assert.deepEqual(mine.slice(dbcnAt, dbcnAt + DBCN.length), DBCN, `DBCN writes and checks its buffers\n${detail}`);
  const theirsDbcn = theirs.filter((l) => l.startsWith('dbcn.'));
  assert.ok(theirsDbcn.length > 0 && theirsDbcn.every((l) => l === 'dbcn.fid3: error=-2 value=0' || / error=-2 /.test(l)), detail);
  const comparable = (ls: string[]) => ls.filter((l) => !l.startsWith('dbcn') && !OURS_ON_PURPOSE.some(([re]) => re.test(l)));
  const withoutDbcn = (ls: string[]) => { const at = ls.indexOf(DBCN[0]); return at < 0 ? ls : [...ls.slice(0, at), ...ls.slice(at + DBCN.length)]; };
  assert.deepEqual(comparable(withoutDbcn(mine)), comparable(theirs), `the same answers\n${detail}`);
  for (const [re, line] of OURS_ON_PURPOSE) {
    assert.equal(mine.find((l) => re.test(l)), line, `ours: ${re}`);
    assert.ok(theirs.some((l) => re.test(l)), `QEMU prints ${re} too`);
  }
  // The calls the guest makes whose answers matter most, named once more.
  for (const l of ['other hart: status at boot = 1', 'hsm.hart_start: error=0 value=0', '  hart_start again (started): error=-6 value=0',
    '  other hart resumed: a0 is its id: 1 a1=4567 satp=0 sstatus.SIE=0 suspend_error=0', 'timer interrupts = 1',
    'unknown extension: error=-2 value=0', 'hsm.hart_start(hart 99): error=-3 value=0', 'hsm.hart_start(CLINT address): error=-5 value=0',
    'legacy.send_ipi(unmapped mask): cause=0000000000000005 tval=0000000000000008 from=S in=S n=1', 'srst: shutdown']) {
    assert.ok(mine.includes(l), `ours prints '${l}'\n${detail}`);
  }
  assert.ok(!mine.includes('srst: still running'), detail);
});

test('rv32: the same answers as rv64 (QEMU has no 32-bit OpenSBI here to compare with)', { timeout: 180_000 }, async () => {
  const guest32 = path.join(GUESTS_BUILD_DIR, 'smode32', 'sbi.elf');
  need(guest32, 'build the guests (make -C emulator/test/guests)');
  const run = (elf: string) => runProcess(process.execPath, [OUR_CLI, 'run', elf, '--bios', 'builtin', '--harts', '2', '--max-insns', '50000000'], { timeoutMs: 120_000 });
  const [r64, r32] = await Promise.all([run(GUEST), run(guest32)]);
  assert.equal(r32.exitCode, 0, `${r32.stdout}\n${r32.stderr}`);
  // Only the width of print_hex's fixed-width fields differs.
  const unpadded = (text: string) => text.replace(/=0+([0-9a-f])/g, '=$1');
  assert.equal(unpadded(r32.stdout), unpadded(r64.stdout));
});

/** An in-process machine booted with the sbi guest; `--bios`'s value as BootConfig. */
function machine(bios: BootConfig['bios'], harts = 2): { m: Machine; out: number[]; entry: number } {
  const out: number[] = [];
  const m = new Machine(defaultDescription({ xlen: 64, harts, memoryBytes: 128 << 20 }), { consoleOut: (b) => out.push(b) });
  const r = boot(m, { kernel: { name: GUEST, bytes: new Uint8Array(fs.readFileSync(GUEST)) }, bios });
  assert.ok(r.ok, r.ok ? '' : r.error);
  return { m, out, entry: r.value.kernelEntry };
}

/** Runs to power-off (or 60 M clock units); the console, the exit and the instructions retired. */
function runToEnd(m: Machine, out: number[]): { console: string; exit: string; instret: number } {
  let exit = 'budget';
  for (let i = 0; i < 60; i++) {
    const r = m.step(1_000_000);
    if (r.kind === 'power') { exit = JSON.stringify(r.event); break; }
    if (r.kind !== 'budget') { exit = r.kind; break; }
  }
  return { console: Buffer.from(out).toString('latin1'), exit, instret: m.harts.reduce((s, h) => s + h.instret, 0) };
}

test('the kernel is entered with the M-mode state OpenSBI 1.1 leaves (on our own harts)', () => {
  need(GUEST, 'build the guests');
  need(FW_DYNAMIC, 'package opensbi');
  const snapshot = (bios: BootConfig['bios']) => {
    const { m, entry } = machine(bios);
    m.breakpoints.add(entry, 0);
    m.breakpointsChanged();
    const r = m.step(20_000_000);
    assert.deepEqual(r, { kind: 'breakpoint', hart: 0 });
    const h = m.harts[0];
    const csrs: Record<string, string> = {};
    for (const n of ['medeleg', 'mideleg', 'mcounteren', 'scounteren', 'mcountinhibit', 'menvcfg', 'mstatus', 'sstatus', 'sie', 'satp', 'stvec', 'sscratch', 'stimecmp'] as const) {
      csrs[n] = (readCsr(h, CSR[n]) ?? -1n).toString(16);
    }
    const regs = readRegisters(h);
    // OpenSBI's PMP entry 0 is the CLINT (M only), as ours; its own region follows, which ours does not have.
    const pmp = { cfg0: Number((readCsr(h, CSR.pmpcfg0) ?? 0n) & 0xffn), addr0: readCsr(h, CSR.pmpaddr0) };
    return { priv: h.priv, pc: hartPc(h), a0: regs.x[10], a1: regs.x[11], csrs, pmp, hart1: m.harts[1].priv };
  };
  const opensbi = snapshot({ name: FW_DYNAMIC, bytes: new Uint8Array(fs.readFileSync(FW_DYNAMIC)) });
  const builtin = snapshot('builtin');
  assert.equal(builtin.priv, Priv.S);
  assert.deepEqual(builtin, opensbi);
});

test('set_timer without Sstc goes through mtimecmp: the same run; and runs repeat exactly', () => {
  need(GUEST, 'build the guests');
  const a = machine('builtin');
  const withSstc = runToEnd(a.m, a.out);
  assert.equal(withSstc.exit, '{"kind":"pass"}', withSstc.console);
  const b = machine('builtin');
  const again = runToEnd(b.m, b.out);
  assert.deepEqual(again, withSstc, 'the same run, instruction for instruction');
  // menvcfg.STCE off on the boot hart (the SBI asks the hart each call): the M timer raises STIP.
  const c = machine('builtin');
  assert.ok(writeCsr(c.m.harts[0], CSR.menvcfg, 0n));
  assert.equal(c.m.harts[0].stce(), false);
  const noSstc = runToEnd(c.m, c.out);
  assert.notEqual(c.m.harts[0].mtimecmp, 0, 'set_timer wrote mtimecmp');
  assert.equal(noSstc.console, withSstc.console);
  assert.equal(noSstc.exit, withSstc.exit);
});

test('the debugger: the "ecall from S" filter stops after the call, the answer in a0 and a1', () => {
  need(GUEST, 'build the guests');
  const { m } = machine('builtin');
  const c = new DebugController(m, () => null);
  c.setTrapFilter({ exceptions: { causes: [Cause.EcallFromS] }, interrupts: null });
  c.resume();
  const o = c.run(10_000_000);
  assert.equal(o.kind, 'stopped');
  if (o.kind !== 'stopped' || o.stop.reason !== 'trap') throw new Error(JSON.stringify(o));
  assert.equal(o.stop.cause, Cause.EcallFromS);
  const h = m.harts[0];
  assert.equal(h.priv, Priv.S, 'no M-mode trap: the hart is still in S-mode');
  // The first call is BASE get_spec_version: a0 = 0 (success), a1 = 2.0.
  assert.match(o.stop.description, /^environment call from S-mode at pc 0x[0-9a-f]+, answered by the built-in SBI \(EID 0x10, FID 0x0\): a0 = 0x0, a1 = 0x2000000$/);
  const at = BigInt(/pc (0x[0-9a-f]+)/.exec(o.stop.description)?.[1] ?? '0');
  assert.equal(hartPc(h), at + 4n, 'the stop lands on the instruction after the ecall');
});

test('a Linux Image gets the built-in SBI by default; an ELF gets none; builtin needs a kernel', async () => {
  const header = new Uint8Array(0x40);
  header.set(Buffer.from('RISCV\0\0\0', 'latin1'), 0x30);
  header.set(Buffer.from('RSC\x05', 'latin1'), 0x38);
  assert.equal(isRiscvLinuxImage(header), true);
  assert.equal(defaultBios(header), 'builtin');
  need(GUEST, 'build the guests');
  assert.equal(defaultBios(new Uint8Array(fs.readFileSync(GUEST))), 'none');
  assert.equal(defaultBios(undefined), 'none');
  const m = new Machine(defaultDescription({ xlen: 64, harts: 1, memoryBytes: 128 << 20 }), { consoleOut: () => undefined });
  assert.deepEqual(boot(m, { bios: 'builtin' }), { ok: false, error: 'the built-in SBI (--bios builtin) needs a kernel to enter' });
  const r = await runProcess(process.execPath, [OUR_CLI, 'run', '--bios', 'builtin'], { timeoutMs: 30_000 });
  assert.equal(r.exitCode, 2);
  assert.equal(r.stderr, 'osdev-emu: run needs a KERNEL to boot (or --bios PATH)\n');
});

test('SRST reboot and legacy shutdown take the machine\'s power path; random calls never throw', () => {
  need(GUEST, 'build the guests');
  const call = (m: Machine, regs: Record<number, bigint>) => {
    const h = m.harts[0];
    for (const [r, v] of Object.entries(regs)) writeRegister(h, Number(r), v);
    h.trap(Cause.EcallFromS, false, 0, 0);
    return m.step(1);
  };
  assert.deepEqual(call(machine('builtin').m, { 17: 0x53525354n, 16: 0n, 10: 1n, 11: 0n }), { kind: 'power', event: { kind: 'reset' } });
  assert.deepEqual(call(machine('builtin').m, { 17: 0x53525354n, 16: 0n, 10: 0n, 11: 1n }), { kind: 'power', event: { kind: 'pass' } });
  assert.deepEqual(call(machine('builtin').m, { 17: 8n }), { kind: 'power', event: { kind: 'pass' } });
  // Every extension and function with random arguments (a seeded generator: the same calls each run).
  let seed = 12345;
  const next = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed; };
  const eids = [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 0x10n, 0x54494d45n, 0x735049n, 0x52464e43n, 0x48534dn, 0x53525354n, 0x4442434en, 0xffffffffffffffffn];
  const values = [0n, 1n, 2n, 3n, 0x80000000n, 0x80200000n, 0x87fffff0n, 0x2000000n, 0xffffffffffffffffn, 1n << 63n, 0x7fffffffn];
  let m = machine('builtin').m;
  for (let i = 0; i < 1000; i++) {
    const h = m.harts[0];
    if (h.priv !== Priv.S) { m = machine('builtin').m; continue; } // it stopped or suspended itself: a fresh machine
    const regs: Record<number, bigint> = { 17: eids[next() % eids.length], 16: BigInt(next() % 8) };
    for (let r = 10; r <= 15; r++) regs[r] = values[next() % values.length];
    const r = call(m, regs);
    if (r.kind === 'power') m = machine('builtin').m;
  }
});
