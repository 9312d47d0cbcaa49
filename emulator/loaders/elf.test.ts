/**
 * ELF parser tests: real RV32/RV64 executables built here by riscv64-unknown-elf-gcc and
 * cross-checked with riscv64-unknown-elf-readelf, then malformed files, each of which must
 * give a one-line error and never an exception. The toolchain is required, not optional.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnTool } from '../test/host-tools';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ElfImage, ElfResult, elfAddressToNumber, parseElf } from './elf';
import { rawImage } from './raw';

const workDir = mkdtempSync(join(tmpdir(), 'elf-test-'));
process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));

function run(cmd: string, args: string[]): string {
  const r = spawnTool(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) assert.fail(`${cmd} ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  return r.stdout as string;
}

const SOURCE = `
  .text
  .globl _start
  .type _start, @function
_start:
  la a0, counter
  lw a1, 0(a0)
  call helper
  j _start
  .size _start, . - _start

  .type helper, @function
helper:
  ret
  .size helper, . - helper

  .data
  .globl counter
  .type counter, @object
  .size counter, 8
counter:
  .dword 0x1122334455667788

  .bss
  .globl buffer
  .type buffer, @object
  .size buffer, 4096
buffer:
  .zero 4096
`;

const MARCH = { 64: ['-march=rv64imac', '-mabi=lp64'], 32: ['-march=rv32imac', '-mabi=ilp32'] } as const;

/** Builds the program above; `link` false gives a relocatable object (-c). */
function build(xlen: 32 | 64, textAddress: string, link = true): Uint8Array {
  const src = join(workDir, 'prog.S');
  writeFileSync(src, SOURCE);
  const out = join(workDir, `prog-${xlen}-${textAddress}${link ? '' : '.o'}`);
  const mode = link ? [`-Wl,-Ttext=${textAddress}`, '-Wl,--build-id=none'] : ['-c'];
  run('riscv64-unknown-elf-gcc', [...MARCH[xlen], '-nostdlib', '-static', '-g', ...mode, '-o', out, src]);
  return new Uint8Array(readFileSync(out));
}

function readelf(bytes: Uint8Array, flag: string): string {
  const file = join(workDir, 'readelf-input');
  writeFileSync(file, bytes);
  return run('riscv64-unknown-elf-readelf', ['-W', flag, file]);
}

function expectOk(r: ElfResult): ElfImage {
  if (!r.ok) assert.fail(`parseElf failed: ${r.error}`);
  return r.value;
}

function expectError(r: ElfResult, pattern: RegExp): void {
  if (r.ok) assert.fail(`parseElf accepted a malformed file (expected ${pattern})`);
  assert.match(r.error, pattern);
  assert.ok(!r.error.includes('\n'), `error is not one line: ${r.error}`);
}

/** A copy of `bytes` with a little-endian field overwritten. */
function patched(bytes: Uint8Array, offset: number, width: 1 | 2 | 4 | 8, value: number | bigint): Uint8Array {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  if (width === 1) view.setUint8(offset, Number(value));
  else if (width === 2) view.setUint16(offset, Number(value), true);
  else if (width === 4) view.setUint32(offset, Number(value), true);
  else view.setBigUint64(offset, BigInt(value), true);
  return copy;
}

const elf64 = build(64, '0x80000000');
const elf32 = build(32, '0x80000000');

for (const [xlen, bytes] of [[64, elf64], [32, elf32]] as const) {
  test(`RV${xlen} executable: header, segments, sections, symbols agree with readelf`, () => {
    const img = expectOk(parseElf(bytes));
    assert.equal(img.kind, 'elf');
    assert.equal(img.xlen, xlen);
    assert.equal(img.type, 'exec');
    assert.equal(img.entry, 0x80000000);
    assert.equal(img.flags & 0x1, 0x1, 'EF_RISCV_RVC, since the hart has C');

    // Program headers: "LOAD 0x001000 0x80000000 0x80000000 0x000012 0x000012 R E 0x1000".
    const loads = readelf(bytes, '-l').split('\n').filter((l) => l.trim().startsWith('LOAD'))
      .map((l) => l.trim().split(/\s+/));
    assert.equal(img.segments.length, loads.length);
    img.segments.forEach((seg, i) => {
      const [, offset, vaddr, paddr, filesz, memsz] = loads[i].map((f) => Number(f));
      assert.deepEqual([seg.offset, seg.vaddr, seg.paddr, seg.fileBytes.length, seg.memSize], [offset, vaddr, paddr, filesz, memsz]);
      assert.equal(seg.fileBytes.buffer, bytes.buffer, 'segment bytes are a view, not a copy');
      assert.deepEqual(seg.fileBytes, bytes.subarray(offset, offset + filesz));
    });
    assert.ok(img.segments.some((s) => s.memSize > s.fileBytes.length), '.bss makes memSize exceed the file size');

    // Section headers: "[ 1] .text PROGBITS 80000000 001000 000012 00 AX 0 0 2".
    const sectionLines = readelf(bytes, '-S').split('\n').filter((l) => /^\s*\[\s*\d+\]/.test(l));
    assert.deepEqual(img.sections.map((s) => s.name), sectionLines.map((l) => l.replace(/^\s*\[\s*\d+\]\s*/, '').split(/\s+/)[0].replace(/^NULL$/, '')));
    for (const name of ['.text', '.data', '.bss', '.symtab', '.strtab', '.debug_line', '.debug_info']) {
      assert.ok(img.findSection(name), `section ${name}`);
    }
    const text = img.findSection('.text')!;
    assert.equal(text.addr, 0x80000000);
    // With only -Ttext, GNU ld also loads the ELF headers, just below .text, in the first segment.
    const seg = img.segments.find((s) => s.vaddr <= text.addr && text.addr + text.size <= s.vaddr + s.fileBytes.length)!;
    const inSeg = text.addr - seg.vaddr;
    assert.deepEqual(seg.fileBytes.subarray(inSeg, inSeg + text.size), bytes.subarray(text.offset, text.offset + text.size));

    // Symbols: "1: 0000000080000000 18 FUNC GLOBAL DEFAULT 1 _start".
    const syms = readelf(bytes, '-s').split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => /^\d+:$/.test(f[0]) && f[0] !== '0:');
    assert.equal(img.symbols.length, syms.length);
    img.symbols.forEach((s, i) => {
      const [, value, size, type, bind, , , name = ''] = syms[i];
      assert.equal(s.name, type === 'SECTION' ? '' : name, 'readelf shows a section symbol by its section\'s name');
      assert.equal(s.value, BigInt(`0x${value}`));
      assert.equal(s.size, BigInt(size));
      assert.equal(s.type, type === 'FUNC' ? 'func' : type === 'OBJECT' ? 'object' : 'other');
      assert.equal(s.binding, bind.toLowerCase());
    });
    const start = img.findSymbol('_start');
    assert.equal(start?.type, 'func');
    assert.equal(start?.binding, 'global');
    assert.equal(start && elfAddressToNumber(start.value, xlen), img.entry);
    assert.equal(img.findSymbol('helper')?.binding, 'local');
    assert.deepEqual(img.findSymbol('counter') && [img.findSymbol('counter')!.type, img.findSymbol('counter')!.size], ['object', 8n]);
    assert.equal(img.findSymbol('buffer')?.size, 4096n);
    assert.equal(img.findSymbol('no_such_symbol'), undefined);
    assert.equal(img.sections[img.findSymbol('counter')!.sectionIndex].name, '.data');
  });
}

test('RV64 higher-half addresses come out sign-extended and exact', () => {
  const img = expectOk(parseElf(build(64, '0xffffffffc0200000')));
  assert.equal(img.entry, -0x3fe00000);
  assert.ok(img.segments.some((s) => s.vaddr <= img.entry && img.entry < s.vaddr + s.memSize));
  assert.ok(img.segments.every((s) => s.paddr === s.vaddr && s.vaddr < 0));
  assert.equal(img.findSymbol('_start')?.value, 0xffffffffc0200000n);
  assert.equal(elfAddressToNumber(0xffffffffc0200000n, 64), img.entry);
  assert.equal(elfAddressToNumber(0xc0200000n, 32), 0xc0200000);
  assert.equal(elfAddressToNumber(0x8000_0000_0000_0000n, 64), undefined);
});

test('an ELF inside a larger buffer parses the same', () => {
  const host = new Uint8Array(elf64.length + 5);
  host.set(elf64, 3);
  const img = expectOk(parseElf(host.subarray(3, 3 + elf64.length)));
  assert.equal(img.entry, 0x80000000);
  assert.equal(img.findSymbol('_start')?.value, 0x80000000n);
});

test('malformed: not an ELF, truncated, wrong class, endianness, version, type', () => {
  expectError(parseElf(new Uint8Array(0)), /not an ELF file/);
  expectError(parseElf(new TextEncoder().encode('#!/bin/sh\necho hi\n')), /not an ELF file/);
  expectError(parseElf(elf64.subarray(0, 10)), /truncated ELF header.*16/);
  expectError(parseElf(elf64.subarray(0, 40)), /truncated ELF header.*64/);
  expectError(parseElf(patched(elf64, 4, 1, 3)), /ELF class 3/);
  // The class byte disagrees with the layout that follows: the header fields do not fit.
  expectError(parseElf(patched(elf64, 4, 1, 1)), /e_shentsize is 0, expected 40 for ELF32/);
  expectError(parseElf(patched(elf32, 4, 1, 2)), /./);
  expectError(parseElf(patched(elf64, 5, 1, 2)), /not little-endian/);
  expectError(parseElf(patched(elf64, 6, 1, 0)), /ELF version 0/);
  expectError(parseElf(patched(elf64, 16, 2, 4)), /core dump/);
  expectError(parseElf(build(64, '0', false)), /relocatable object; link it/);
});

test('malformed: an x86-64 ELF (/bin/true)', () => {
  expectError(parseElf(new Uint8Array(readFileSync('/bin/true'))), /e_machine is 62 \(x86-64\), not 243 \(RISC-V\)/);
});

test('malformed: headers and data that point past the end of the file', () => {
  // Elf64_Ehdr: e_phoff at 32, e_shoff at 40; Elf64_Phdr: p_filesz at 32, p_memsz at 40.
  const view = new DataView(elf64.buffer);
  const phoff = Number(view.getBigUint64(32, true));
  // The first PT_LOAD header (GNU ld puts PT_RISCV_ATTRIBUTES before it).
  let load = phoff;
  while (view.getUint32(load, true) !== 1) load += 56;
  const loadIndex = (load - phoff) / 56;
  expectError(parseElf(patched(elf64, 32, 8, elf64.length + 100)), /program header table .* beyond the end/);
  expectError(parseElf(patched(elf64, 40, 8, elf64.length - 8)), /section header table .* beyond the end/);
  expectError(parseElf(patched(elf64, load + 32, 8, 0x100000)), /p_filesz .* larger than p_memsz/);
  const bigFile = patched(patched(elf64, load + 32, 8, 0x100000), load + 40, 8, 0x100000);
  expectError(parseElf(bigFile), new RegExp(`segment ${loadIndex} data .* beyond the end`));
  expectError(parseElf(patched(elf64, 32, 8, 2n ** 63n)), /e_phoff 0x8000000000000000 is too large/);
  expectError(parseElf(patched(elf64, 24, 8, 0x7000_0000_0000_0000n)), /e_entry .* outside/);
  expectError(parseElf(patched(elf64, 54, 2, 32)), /e_phentsize is 32, expected 56/);
  // Elf32_Ehdr: e_shstrndx at 50.
  expectError(parseElf(patched(elf32, 50, 2, 0x7fff)), /e_shstrndx 32767 is not a section/);
});

test('malformed: every truncation (each 7th length) is a one-line error', () => {
  for (const bytes of [elf64, elf32]) {
    for (let length = 0; length < bytes.length; length += 7) {
      // The section header table ends the file, so every proper prefix is broken.
      expectError(parseElf(bytes.subarray(0, length)), /./);
    }
  }
});

test('malformed: random byte corruption never throws', () => {
  let seed = 0x12345678;
  const random = () => { // xorshift32: a fixed sequence, so a failure reproduces
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  for (const bytes of [elf64, elf32]) {
    for (let round = 0; round < 3000; round++) {
      const copy = bytes.slice();
      // Mostly the headers, where the structure lives; sometimes anywhere.
      const span = random() < 0.7 ? 0x100 : copy.length;
      for (let k = 1 + Math.floor(random() * 4); k > 0; k--) copy[Math.floor(random() * span)] = Math.floor(random() * 256);
      const r = parseElf(copy);
      if (!r.ok) assert.ok(r.error.length > 0 && !r.error.includes('\n'), r.error);
    }
  }
});

test('raw images: numbers are checked', () => {
  const ok = rawImage(new Uint8Array([1, 2, 3]), 0x80000000);
  assert.deepEqual(ok.ok && [ok.value.kind, ok.value.loadAddress, ok.value.entry], ['raw', 0x80000000, 0x80000000]);
  assert.equal(rawImage(new Uint8Array([1]), 0x1000, 0x1004).ok, true);
  assert.deepEqual(rawImage(new Uint8Array(0), 0), { ok: false, error: 'raw image is empty' });
  assert.equal(rawImage(new Uint8Array(1), -1).ok, false);
  assert.equal(rawImage(new Uint8Array(1), 0.5).ok, false);
  assert.equal(rawImage(new Uint8Array(1), 0, Number.NaN).ok, false);
});
