/**
 * The `virt` device tree against QEMU 7.2's own (`-machine virt,dumpdtb=F`), both
 * decompiled by dtc and compared node by node, property by property, in order.
 * QEMU and dtc are required: a missing tool fails the suite rather than skipping it.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnTool } from '../test/host-tools';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { FdtBuilder } from '../dts/fdt-builder';
import { buildVirtFdt } from './fdt';
import { MachineDescription, QEMU_CPU_OPTION, Xlen, defaultDescription } from './description';

const workDir = mkdtempSync(join(tmpdir(), 'fdt-test-'));
process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));

let fileCounter = 0;
function tempFile(suffix: string): string {
  return join(workDir, `f${fileCounter++}${suffix}`);
}

function run(cmd: string, args: string[]): { stdout: string; stderr: string } {
  const r = spawnTool(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) assert.fail(`${cmd} ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  return { stdout: r.stdout as string, stderr: r.stderr as string };
}

function decompile(blob: Uint8Array): { dts: string; warnings: string } {
  const file = tempFile('.dtb');
  writeFileSync(file, blob);
  const { stdout, stderr } = run('dtc', ['-I', 'dtb', '-O', 'dts', file]);
  return { dts: stdout, warnings: stderr };
}

interface Config {
  label: string;
  xlen: Xlen;
  harts: number;
  memoryMiB: number;
  bootargs?: string;
  initrdBytes?: number;
}

/** QEMU's DTB for the configuration. Bootargs and initrd need -kernel; a zeroed page will do. */
function qemuDtb(cfg: Config): Uint8Array {
  const dtb = tempFile('.dtb');
  const args = [
    '-machine', `virt,dumpdtb=${dtb}`, '-bios', 'none', '-nographic',
    '-cpu', QEMU_CPU_OPTION[cfg.xlen], '-m', `${cfg.memoryMiB}M`, '-smp', String(cfg.harts),
  ];
  if (cfg.bootargs !== undefined || cfg.initrdBytes !== undefined) {
    const kernel = tempFile('.bin');
    writeFileSync(kernel, new Uint8Array(4096));
    args.push('-kernel', kernel);
  }
  if (cfg.bootargs !== undefined) args.push('-append', cfg.bootargs);
  if (cfg.initrdBytes !== undefined) {
    const initrd = tempFile('.img');
    writeFileSync(initrd, new Uint8Array(cfg.initrdBytes).fill(0xa5));
    args.push('-initrd', initrd);
  }
  run(`qemu-system-riscv${cfg.xlen}`, args);
  return readFileSync(dtb);
}

// --- a parser for dtc's own output format: one property or node bracket per line ---

interface DtsNode {
  name: string;
  props: [string, string][];
  children: DtsNode[];
}

function parseDts(text: string): DtsNode {
  const stack: DtsNode[] = [];
  let root: DtsNode | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line === '/dts-v1/;') continue;
    if (line.endsWith(' {')) {
      const node: DtsNode = { name: line.slice(0, -2), props: [], children: [] };
      if (stack.length === 0) root = node;
      else stack[stack.length - 1].children.push(node);
      stack.push(node);
    } else if (line === '};') {
      assert.ok(stack.pop(), 'unbalanced "};" in dtc output');
    } else {
      assert.ok(line.endsWith(';') && stack.length > 0, `unexpected dtc output line: ${line}`);
      const body = line.slice(0, -1);
      const eq = body.indexOf(' = ');
      stack[stack.length - 1].props.push(eq < 0 ? [body, ''] : [body.slice(0, eq), body.slice(eq + 3)]);
    }
  }
  assert.ok(root && stack.length === 0, 'incomplete dtc output');
  return root;
}

function child(node: DtsNode, name: string): DtsNode {
  const found = node.children.find((c) => c.name === name);
  assert.ok(found, `no node ${name} under ${node.name}`);
  return found;
}

function prop(node: DtsNode, name: string): string {
  const found = node.props.find(([n]) => n === name);
  assert.ok(found, `no property ${name} in ${node.name}`);
  return found[1];
}

/** QEMU's tree minus what fdt.ts deliberately leaves out, plus what it deliberately adds. */
function asWeBuildIt(qemu: DtsNode): DtsNode {
  const omittedAtRoot = /^(pmu|flash@.*|platform-bus@.*)$/;
  qemu.children = qemu.children.filter((c) => !omittedAtRoot.test(c.name));
  const soc = child(qemu, 'soc');
  soc.children = soc.children.filter((c) => !c.name.startsWith('pci@'));
  const chosen = child(qemu, 'chosen');
  chosen.props = chosen.props.filter(([n]) => n !== 'rng-seed');
  for (const cpu of child(qemu, 'cpus').children.filter((c) => c.name.startsWith('cpu@'))) {
    child(cpu, 'interrupt-controller').props.unshift(['#address-cells', '<0x00>']);
  }
  return qemu;
}

const configs: Config[] = [
  { label: 'rv64, 1 hart, 128 MiB', xlen: 64, harts: 1, memoryMiB: 128 },
  { label: 'rv64, 4 harts, 256 MiB, bootargs and initrd', xlen: 64, harts: 4, memoryMiB: 256,
    bootargs: 'console=ttyS0 earlycon=sbi root=/dev/vda rw', initrdBytes: 10_000 },
  { label: 'rv32, 1 hart, 64 MiB', xlen: 32, harts: 1, memoryMiB: 64 },
  { label: 'rv32, 2 harts, 64 MiB, bootargs and initrd', xlen: 32, harts: 2, memoryMiB: 64,
    bootargs: 'console=ttyS0', initrdBytes: 4097 },
  { label: 'rv64, 8 harts, 2 GiB, bootargs only', xlen: 64, harts: 8, memoryMiB: 2048, bootargs: 'quiet' },
];

for (const cfg of configs) {
  test(`virt FDT equals QEMU's: ${cfg.label}`, () => {
    const qemu = parseDts(decompile(qemuDtb(cfg)).dts);

    const desc: MachineDescription = defaultDescription({
      xlen: cfg.xlen, harts: cfg.harts, memoryBytes: cfg.memoryMiB * 1024 * 1024, bootargs: cfg.bootargs,
    });
    if (cfg.initrdBytes !== undefined) {
      // Where the initrd goes is the loader's policy; take QEMU's placement and check its size.
      const chosen = child(qemu, 'chosen');
      const start = Number(prop(chosen, 'linux,initrd-start').slice(1, -1));
      const end = Number(prop(chosen, 'linux,initrd-end').slice(1, -1));
      assert.equal(end - start, cfg.initrdBytes);
      desc.initrd = { start, end };
    }

    const ours = decompile(buildVirtFdt(desc));
    assert.equal(ours.warnings, '', 'dtc warns about our blob');
    assert.deepEqual(parseDts(ours.dts), asWeBuildIt(qemu));
  });
}

test('dtc round-trips our blob to DTB without warnings', () => {
  const src = tempFile('.dtb');
  writeFileSync(src, buildVirtFdt(defaultDescription({ harts: 2 })));
  const { stderr } = run('dtc', ['-I', 'dtb', '-O', 'dtb', '-o', tempFile('.dtb'), src]);
  assert.equal(stderr, '');
});

test('riscv,isa names the harts\' extensions; cbom/cboz block sizes with Zicbom/Zicboz (as QEMU 8 writes them)', () => {
  const cpu = (desc: MachineDescription) => child(child(parseDts(decompile(buildVirtFdt(desc)).dts), 'cpus'), 'cpu@0');
  const plain = cpu(defaultDescription({ extensions: [] }));
  assert.equal(prop(plain, 'riscv,isa'), '"rv64imafdc_zicsr_zifencei_sstc"');
  assert.ok(!plain.props.some(([n]) => n.startsWith('riscv,cbo')), 'no block sizes without Zicbom/Zicboz');
  const all = cpu(defaultDescription({ xlen: 32, fpu: 'none', extensions: ['zicbom', 'zicboz', 'zba', 'zbb', 'zbc', 'zbs', 'zihintpause', 'svpbmt'] }));
  assert.equal(prop(all, 'riscv,isa'), '"rv32imac_zicbom_zicboz_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc_svpbmt"');
  assert.equal(prop(all, 'riscv,cbom-block-size'), '<0x40>');
  assert.equal(prop(all, 'riscv,cboz-block-size'), '<0x40>');
  assert.equal(prop(cpu(defaultDescription({ extensions: ['zicboz'] })), 'riscv,cboz-block-size'), '<0x40>');
});

test('initrd addresses above 4 GiB take two cells', () => {
  const desc = defaultDescription({ initrd: { start: 0xf_0000_0000, end: 0xf_0000_1000 } });
  const chosen = child(parseDts(decompile(buildVirtFdt(desc)).dts), 'chosen');
  assert.equal(prop(chosen, 'linux,initrd-start'), '<0x0f 0x00>');
  assert.equal(prop(chosen, 'linux,initrd-end'), '<0x0f 0x1000>');
});

test('builder: header, alignment and deduplicated strings (DT spec §5.2, §5.5)', () => {
  const blob = new FdtBuilder()
    .beginNode('')
    .propU32('a', 1)
    .beginNode('n@1').propString('a', 'xy').propEmpty('e').endNode()
    .beginNode('m').propU64Cells('r', [0x1_0000_0002]).propStringList('s', ['p', 'q']).endNode()
    .endNode()
    .finish(3);
  const h = new DataView(blob.buffer, blob.byteOffset);
  const field = (i: number) => h.getUint32(i * 4);
  assert.equal(field(0), 0xd00dfeed);
  assert.equal(field(1), blob.length);
  assert.equal(field(4), 40, 'reservation block right after the header');
  assert.equal(field(2), 56, 'structure block after the empty reservation block');
  assert.equal(field(5), 17);
  assert.equal(field(6), 16);
  assert.equal(field(7), 3);
  assert.equal(field(2) + field(9), field(3), 'strings follow the structure block');
  const strings = new TextDecoder().decode(blob.subarray(field(3), field(3) + field(8)));
  assert.equal(strings, 'a\0e\0r\0s\0');

  const root = parseDts(decompile(blob).dts);
  assert.deepEqual(root, {
    name: '/', props: [['a', '<0x01>']], children: [
      { name: 'n@1', props: [['a', '"xy"'], ['e', '']], children: [] },
      { name: 'm', props: [['r', '<0x01 0x02>'], ['s', '"p\\0q"']], children: [] },
    ],
  });
});

test('builder: misuse is refused', () => {
  assert.throws(() => new FdtBuilder().endNode(), /without a matching/);
  assert.throws(() => new FdtBuilder().beginNode('x'), /root node/);
  assert.throws(() => new FdtBuilder().beginNode('').finish(), /still open/);
  assert.throws(() => new FdtBuilder().beginNode('').beginNode('c').endNode().propU32('p', 1), /after a child/);
  assert.throws(() => new FdtBuilder().beginNode('').propU32('p', -1), /not a u32/);
  assert.throws(() => new FdtBuilder().beginNode('').propU32('p', 2 ** 32), /not a u32/);
  assert.throws(() => new FdtBuilder().beginNode('').propString('p', 'a\0b'), /NUL/);
  assert.throws(() => buildVirtFdt(defaultDescription({ harts: 0 })), /harts/);
  assert.throws(() => buildVirtFdt(defaultDescription({ initrd: { start: 2, end: 1 } })), /initrd/);
});
