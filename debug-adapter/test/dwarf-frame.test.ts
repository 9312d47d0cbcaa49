/**
 * Call frame information read from .eh_frame gives the same unwind rules as from
 * .debug_frame: the same C source built twice (-fasynchronous-unwind-tables without -g,
 * and -g without it) must unwind alike at every instruction. Broken entries are warnings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseElf, ElfImage } from '../../emulator/loaders/elf';
import { CallFrameInfo } from '../dwarf-frame';

const SOURCE = `
int g(int x);
int f(int x) { int a[4]; a[x & 3] = x; return g(a[1]) + 1; }
int g(int x) { return x * 2; }
long h(long a, long b) { long t[8]; for (int i = 0; i < 8; i++) t[i] = a * i + b; return t[a & 7] + g((int)b); }
`;

function build(dir: string, name: string, flags: string[], march: string, mabi: string): { elf: ElfImage; bytes: Uint8Array } {
  const src = path.join(dir, 'u.c');
  fs.writeFileSync(src, SOURCE);
  const out = path.join(dir, name);
  execFileSync('riscv64-unknown-elf-gcc', [...flags, '-nostdlib', '-Wl,-e,f', `-march=${march}`, `-mabi=${mabi}`, src, '-o', out]);
  const bytes = new Uint8Array(fs.readFileSync(out));
  const elf = parseElf(bytes);
  assert.ok(elf.ok);
  return { elf: elf.value, bytes };
}

for (const [march, mabi, opt] of [['rv64imac', 'lp64', '-O0'], ['rv64imac', 'lp64', '-O2'], ['rv32imac', 'ilp32', '-O2']] as const) {
  test(`.eh_frame and .debug_frame unwind alike (${march} ${opt})`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-cfi-'));
    const eh = build(dir, 'eh.elf', [opt, '-g0', '-fasynchronous-unwind-tables'], march, mabi);
    const dbg = build(dir, 'dbg.elf', [opt, '-g', '-fno-asynchronous-unwind-tables'], march, mabi);
    assert.ok(eh.elf.findSection('.eh_frame') !== undefined && eh.elf.findSection('.debug_frame') === undefined);
    assert.ok(dbg.elf.findSection('.debug_frame') !== undefined);
    const a = new CallFrameInfo(eh.elf, eh.bytes), b = new CallFrameInfo(dbg.elf, dbg.bytes);
    assert.deepEqual(a.warnings, []);
    assert.equal(a.size, b.size, 'one FDE per function in each');
    const text = eh.elf.findSection('.text');
    assert.ok(text !== undefined);
    let compared = 0;
    for (let pc = BigInt(text.addr); pc < BigInt(text.addr) + BigInt(text.size); pc += 2n) {
      const ra = a.rulesAt(pc), rb = b.rulesAt(pc);
      assert.deepEqual(ra, rb, `rules at 0x${pc.toString(16)}`);
      if (ra !== undefined) compared++;
    }
    assert.ok(compared > 20, `${compared} pcs compared`);
    fs.rmSync(dir, { recursive: true, force: true });
  });
}
