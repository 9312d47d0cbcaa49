/**
 * The disassembler against GNU objdump (the oracle, DESIGN.md "How we know it works"):
 * every instruction of every guest program and the demo, rv64 and rv32, must print as
 * `riscv64-unknown-elf-objdump -d` prints it. objdump's `# address` comments (from
 * tracking auipc/lui pairs) and `<symbol>` annotations are compared separately or not at all.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseElf } from '../../emulator/loaders/elf';
import { disassembleAt, instructionText } from '../disasm';

const ROOT = path.resolve(__dirname, '../../..');
const GUESTS = path.join(ROOT, 'emulator/test/guests/build');

function binaries(): string[] {
  const files = [path.join(ROOT, 'demo/hello.elf')];
  for (const dir of ['rv64', 'rv32']) {
    const d = path.join(GUESTS, dir);
    if (fs.existsSync(d)) for (const f of fs.readdirSync(d).sort()) if (f.endsWith('.elf')) files.push(path.join(d, f));
  }
  return files;
}

/**
 * CSRs of Priv 1.12 that objdump 2.40 prints as numbers (it defaults to Priv 1.11 and the
 * guests' ELF attributes say 1.11); we name them, a deliberate difference.
 */
const PRIV_1_12_CSRS: Record<string, string> = {
  menvcfg: '0x30a', menvcfgh: '0x31a', senvcfg: '0x10a', mconfigptr: '0xf15',
};

function asObjdump11(text: string): string {
  return text.replace(/\b(menvcfgh?|senvcfg|mconfigptr)\b/g, (n) => PRIV_1_12_CSRS[n]);
}

/**
 * objdump 2.40 prints `pause` only where the object's ISA (ELF attributes, mapping symbols)
 * has Zihintpause, and `fence w,0`'s bits as a .word elsewhere; we print `pause` always
 * (the harts have Zihintpause by default, as QEMU 7.2's), a deliberate difference.
 */
function asObjdumpWithoutPause(ours: string, theirs: string): string {
  return ours === 'pause' && theirs === '.word\t0x0100000f' ? theirs : ours;
}

/** objdump's instruction text without its comment and symbol annotation. */
function normalize(text: string): string {
  return text.replace(/\s+#.*$/, '').replace(/\s+<[^>]*>$/, '').trim();
}

for (const file of binaries()) {
  test(`disassembly of ${path.relative(ROOT, file)} equals objdump -d`, () => {
    const bytes = new Uint8Array(fs.readFileSync(file));
    const elf = parseElf(bytes);
    assert.ok(elf.ok);
    const text = elf.value.findSection('.text');
    assert.ok(text !== undefined);
    const dump = execFileSync('riscv64-unknown-elf-objdump', ['-d', '-j', '.text', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const mismatches: string[] = [];
    let count = 0;
    for (const line of dump.split('\n')) {
      const m = /^\s*([0-9a-f]+):\t([0-9a-f]+)\s+\t(.*)$/.exec(line);
      if (m === null) continue;
      const address = BigInt('0x' + m[1]);
      const at = text.offset + Number(address - BigInt(text.addr >>> 0));
      const d = disassembleAt(bytes, at, address, elf.value.xlen);
      count++;
      const theirs = normalize(m[3]);
      const ours = d === undefined ? '(none)' : asObjdumpWithoutPause(asObjdump11(normalize(instructionText(d))), theirs);
      if (ours !== theirs) mismatches.push(`${m[1]}: ${m[2]}: objdump '${theirs}', ours '${ours}'`);
    }
    assert.ok(count > 100, `objdump listed ${count} instructions`);
    assert.deepEqual(mismatches.slice(0, 30), [], `${mismatches.length} of ${count} differ`);
  });
}
