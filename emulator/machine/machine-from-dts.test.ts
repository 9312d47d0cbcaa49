/**
 * Machines from device-tree sources: the virt preset's DTS gives the default machine and
 * its DTB byte for byte; a board with devices elsewhere (test-boards/minimal.dts) boots a
 * guest that finds its UART in the tree; every board we cannot build is one error
 * naming the node.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { machineFromDts } from './machine-from-dts';
import { checkIsa, extensionsOf, floatExtOf } from './dts-cpus';
import { Machine } from './machine';
import { boot, ImageFile } from './boot';
import { buildVirtFdt } from './fdt';
import { defaultDescription, MachineDescription, virtBoard, Xlen } from './description';
import { decompileDtb } from '../dts/dtb';

const ROOT = path.resolve(__dirname, '../../..');
const MINIMAL_FILE = path.join(ROOT, 'emulator/machine/test-boards/minimal.dts');
const MINIMAL = fs.readFileSync(MINIMAL_FILE, 'utf8');
const GUEST = path.join(ROOT, 'emulator/test/guests/build/rv64/fdt-uart.elf');
const readFile = (p: string) => { try { return fs.readFileSync(p, 'utf8'); } catch { return undefined; } };

function build(text: string, file = '/boards/board.dts') {
  return machineFromDts(file, text, { readFile });
}

function built(text: string) {
  const r = build(text);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.value;
}

function describe(text: string, extra: Partial<MachineDescription> = {}): MachineDescription {
  const m = built(text);
  return { ...defaultDescription(extra), xlen: m.xlen, harts: m.harts, memoryBytes: m.memoryBytes, board: m.board, dtb: m.dtb, passthrough: m.passthrough };
}

function presetText(xlen: Xlen, harts: number, memoryBytes: number): string {
  const text = decompileDtb(buildVirtFdt(defaultDescription({ xlen, harts, memoryBytes })), { labels: true });
  assert.ok(text.ok);
  return text.value;
}

const image = (file: string): ImageFile => ({ name: file, bytes: new Uint8Array(fs.readFileSync(file)) });

function bootedFdt(desc: MachineDescription, initrd?: ImageFile): Uint8Array {
  const m = new Machine(desc, { consoleOut: () => undefined });
  const r = boot(m, { kernel: image(GUEST), bios: 'none', initrd });
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.value.fdt;
}

test('the virt preset as DTS gives the default machine: same layout, same harts and memory', () => {
  for (const [xlen, harts, mem] of [[64, 1, 128], [32, 4, 256]] as const) {
    const m = built(presetText(xlen, harts, mem * 1024 * 1024));
    assert.deepEqual([m.xlen, m.harts, m.memoryBytes], [xlen, harts, mem * 1024 * 1024]);
    const strip = (o: unknown) => JSON.parse(JSON.stringify(o, (k, v: unknown) => (k === 'node' ? undefined : v)));
    assert.deepEqual(strip(m.board), strip(virtBoard()));
    assert.deepEqual(m.passthrough, []);
    assert.deepEqual(m.warnings, []);
  }
});

test('the virt preset as DTS boots with byte for byte the default machine\'s DTB, /chosen completed the same way', () => {
  const text = presetText(64, 2, 128 * 1024 * 1024);
  const plain = { harts: 2 };
  assert.deepEqual(bootedFdt(describe(text, plain)), bootedFdt(defaultDescription(plain)));
  const withArgs = { harts: 2, bootargs: 'console=ttyS0 root=/dev/vda' };
  const initrd = { name: 'initrd', bytes: new Uint8Array(4096).fill(7) };
  const fromDts = bootedFdt(describe(text, withArgs), initrd);
  assert.deepEqual(fromDts, bootedFdt(defaultDescription(withArgs), initrd));
  assert.match((decompileDtb(fromDts) as { value: string }).value, /linux,initrd-end.*\n.*linux,initrd-start.*\n.*bootargs = "console=ttyS0 root=\/dev\/vda"/);
});

test('a minimal board: devices where its DTS puts them, a bus reached through ranges, its timebase', () => {
  const m = built(MINIMAL);
  assert.equal(m.board.dramBase, 0x80000000);
  assert.equal(m.memoryBytes, 0x1000000);
  assert.equal(m.board.timebaseHz, 1_000_000);
  assert.deepEqual(m.board.uarts.map((u) => [u.base, u.irq]), [[0x20000000, 3], [0x60001000, 4]]);
  assert.equal(m.board.test?.base, 0x30000000);
  assert.deepEqual([m.board.plic?.base, m.board.plic?.sources, m.board.clint?.base], [0x40000000, 31, 0x50000000]);
  assert.equal(m.board.rtc, undefined);
  assert.deepEqual(m.board.virtio, []);
});

test('a guest on the minimal board finds its UART and test device in the tree it was given, prints and powers off', () => {
  let out = '';
  const m = new Machine(describe(MINIMAL), { consoleOut: (b) => { out += String.fromCharCode(b); } });
  const r = boot(m, { kernel: image(GUEST), bios: 'none' });
  assert.ok(r.ok, r.ok ? '' : r.error);
  let stop = m.step(1_000_000);
  for (let i = 0; i < 50 && stop.kind === 'budget'; i++) stop = m.step(1_000_000);
  assert.deepEqual(stop, { kind: 'power', event: { kind: 'pass' } }, out);
  assert.equal(out, 'uart at 0x20000000 irq 0x00000003\ntest at 0x30000000\n');
});

test('a second UART writes to the console too; a node we do not emulate is a passthrough stub slot that reads all-ones', () => {
  const r = built(MINIMAL);
  assert.deepEqual(r.warnings, ['/soc/bus@60000000/widget@2000: compatible "acme,widget" is not emulated: it becomes a passthrough stub slot (no backend, reads all-ones)']);
  assert.deepEqual(r.passthrough.map((p) => [p.name, p.base, p.size, p.irq, p.compatible]), [['widget@2000', 0x60002000, 0x1000, 5, 'acme,widget']]);
  let out = '';
  const m = new Machine(describe(MINIMAL), { consoleOut: (b) => { out += String.fromCharCode(b); } });
  for (const c of 'hi') m.bus.write(0x60001000, 1, c.charCodeAt(0), 0);
  assert.equal(out, 'hi');
  assert.equal((m.bus.read(0x60002000, 4) ?? 0) >>> 0, 0xffffffff);
  assert.deepEqual(m.devices.map((d) => d.name), ['uart0', 'test', 'plic', 'clint', 'uart1', 'widget@2000']);
});

/** The minimal board with `from` replaced by `to` must fail with an error matching `message`. */
function refused(from: string | RegExp, to: string, message: RegExp): void {
  const text = MINIMAL.replace(from, to);
  assert.notEqual(text, MINIMAL, `the edit ${String(from)} applies`);
  const r = build(text);
  assert.ok(!r.ok, `expected ${String(message)}`);
  assert.match(r.error, message);
  assert.doesNotMatch(r.error, /\n/, 'one line');
}

test('boards we cannot build: one error naming the node', () => {
  refused('reg = <0x0 0x30000000 0x0 0x1000>', 'reg = <0x0 0x20000000 0x0 0x1000>',
    /^\/boards\/board\.dts: \/soc\/test@30000000: 0x20000000-0x20000fff overlaps \/soc\/serial@20000000 at 0x20000000-0x200000ff$/);
  refused(/\tmemory@80000000 \{[^}]*\};/, '', /\/: no memory: the tree needs a \/memory node/);
  refused('reg = <0x0 0x80000000 0x0 0x1000000>;', 'reg = <0x0 0x80000000 0x0 0x800000>, <0x0 0x90000000 0x0 0x800000>;',
    /\/memory@80000000: memory 0x90000000-0x907fffff is not contiguous .*DRAM is one region/);
  refused('device_type = "cpu";', 'device_type = "cpux";', /\/cpus: no cpu nodes/);
  refused('riscv,isa = "rv64imac_zicsr_zifencei";', 'riscv,isa = "rv64gcv";', /\/cpus\/cpu@0: riscv,isa "rv64gcv": extension v is not implemented/);
  refused('riscv,isa = "rv64imac_zicsr_zifencei";', 'riscv,isa = "rv64imac_zicsr_zbkb";', /\/cpus\/cpu@0: .*extension zbkb is not implemented/);
  refused('mmu-type = "riscv,sv39";', 'mmu-type = "riscv,sv57";', /\/cpus\/cpu@0: mmu-type "riscv,sv57"/);
  refused('timebase-frequency = <1000000>;', '', /\/cpus\/cpu@0: no timebase-frequency/);
  refused('interrupt-parent = <&plic>;\n\t\t\tinterrupts = <3>;', 'interrupt-parent = <&cpu0_intc>;\n\t\t\tinterrupts = <3>;',
    /\/soc\/serial@20000000: its interrupt goes to \/cpus\/cpu@0\/interrupt-controller, not to the PLIC/);
  refused('interrupts = <4>;', 'interrupts = <3>;', /\/soc\/bus@60000000\/serial@1000: PLIC source 3 is already \/soc\/serial@20000000's/);
  refused('interrupts = <4>;', 'interrupts = <40>;', /serial@1000: interrupt 40 is not a PLIC source from 1 to 31/);
  refused('reg = <0x0 0x20000000 0x0 0x100>;', 'reg = <0x20000000 0x100>;', /\/soc\/serial@20000000: reg has 8 bytes, not a multiple of \(#address-cells 2 \+ #size-cells 2\)/);
  refused('reg = <0x1000 0x100>;', 'reg = <0x200000 0x100>;', /\/soc\/bus@60000000\/serial@1000: reg 0x200000\+0x100 lies outside every ranges entry of \/soc\/bus@60000000/);
  refused('ranges = <0x0 0x0 0x60000000 0x100000>;', '', /serial@1000: \/soc\/bus@60000000 has no ranges property/);
  refused('interrupts-extended = <&cpu0_intc 3>, <&cpu0_intc 7>;', 'interrupts-extended = <&cpu0_intc 7>, <&cpu0_intc 3>;',
    /^\/boards\/board\.dts: \/soc\/clint@50000000: interrupts-extended must list/);
  refused('riscv,ndev = <31>;', 'riscv,ndev = <200>;', /interrupt-controller@40000000: riscv,ndev 200 must be 1 to 96/);
  refused('value = <0x5555>;', 'value = <0x1234>;', /\/poweroff: syscon-poweroff must write value 0x5555 at offset 0/);
  refused('reg = <0x0 0x20000000 0x0 0x100>;', 'reg = <0x0 0x20000000 0x0 0x4>;', /serial@20000000: reg size 0x4 is smaller than the 0x8 bytes/);
  refused('reg = <0x0 0x30000000 0x0 0x1000>;', 'reg = <0x0 0x1000 0x0 0x1000>;', /test@30000000: .*overlaps the boot ROM/);
});

test('a board without a PLIC: a device with interrupts has nowhere to send them', () => {
  const text = MINIMAL.replace(/\t\tplic: interrupt-controller@40000000 \{[^}]*\};/, '').replace(/interrupt-parent = <&plic>;\n\t*/g, '');
  const r = build(text);
  assert.ok(!r.ok);
  assert.match(r.error, /\/soc\/serial@20000000: interrupts but no interrupt parent/);
});

test('a source error is reported at its line, with how many more there are', () => {
  const r = build(MINIMAL.replace('regmap = <&test>;', 'regmap = <&nosuch>;').replace('model = "osdev minimal board";', 'model = ;'));
  assert.ok(!r.ok);
  assert.match(r.error, /^\/boards\/board\.dts:\d+:\d+: .*\(and 1 more error\)$/);
});

test('riscv,isa: what our harts implement, and nothing more', () => {
  for (const ok of ['rv64imac', 'rv64imac_zicsr_zifencei_sstc', 'rv32imac_zicsr', 'rv64i', 'rv64imacsu', 'rv64i2p1m2p0a2p1c2p0_zicsr2p0', 'RV64IMAC', 'rv64gc', 'rv64imafdc', 'rv32imafdc_zicsr']) {
    assert.ok(checkIsa(ok).ok, ok);
  }
  assert.deepEqual(checkIsa('rv32imac'), { ok: true, value: 32 });
  for (const bad of ['rv64gcv', 'rv64imafdcq', 'rv64imac_zbkb', 'rv64imac_svnapot', 'rv128i', 'rv64e', 'x86', 'rv64imacv', 'rv64imadc']) assert.ok(!checkIsa(bad).ok, bad);
});

test('riscv,isa says whether the harts have F and D', () => {
  for (const [isa, fpu] of [['rv64imac', 'none'], ['rv64gc', 'FD'], ['rv32imafc_zicsr', 'F'], ['rv64i2p1m2p0a2p1f2p2d2p2c2p0', 'FD'], ['RV64IMAFDC', 'FD']]) {
    assert.equal(floatExtOf(isa), fpu, isa);
  }
  const none = build(MINIMAL);
  assert.ok(none.ok);
  assert.equal(none.value.fpu, 'none', 'the minimal board says rv64imac');
  const fd = build(MINIMAL.replace('riscv,isa = "rv64imac_zicsr_zifencei";', 'riscv,isa = "rv64imafdc_zicsr_zifencei";'));
  assert.ok(fd.ok);
  assert.equal(fd.value.fpu, 'FD');
  refused('riscv,isa = "rv64imac_zicsr_zifencei";', 'riscv,isa = "rv64imadc";', /\/cpus\/cpu@0: riscv,isa "rv64imadc": D needs F/);
});

test('riscv,isa chooses Zba, Zbb, Zbc, Zbs, Zicbom, Zicboz, Zihintpause and Svpbmt', () => {
  assert.deepEqual(extensionsOf('rv64imac'), []);
  assert.deepEqual(extensionsOf('rv64gc_svpbmt_zbb1p0_zicboz_zba'), ['zicboz', 'zba', 'zbb', 'svpbmt']);
  assert.deepEqual(extensionsOf('RV32IMAC_ZICSR_ZIHINTPAUSE'), ['zihintpause']);
  const minimal = build(MINIMAL);
  assert.ok(minimal.ok);
  assert.deepEqual(minimal.value.extensions, [], 'the minimal board names none');
  const zb = build(MINIMAL.replace('riscv,isa = "rv64imac_zicsr_zifencei";', 'riscv,isa = "rv64imac_zicsr_zifencei_zba_zbs_zicbom";'));
  assert.ok(zb.ok);
  assert.deepEqual(zb.value.extensions, ['zicbom', 'zba', 'zbs']);
});
