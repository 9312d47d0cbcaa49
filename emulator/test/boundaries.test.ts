/**
 * The room boundaries of docs/architecture.md ("Rooms and arrows") are enforced: each
 * forbidden arrow is an eslint error with the repository's own config, each allowed one
 * is not, and scripts/check-cycles.mjs (part of `npm run lint`) finds import cycles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ESLint } from 'eslint';

const ROOT = path.resolve(__dirname, '../../..');
const RULE = '@typescript-eslint/no-restricted-imports';

/** [file the code pretends to be in, import specifier, whether the boundary forbids it]. */
const CASES: [string, string, boolean][] = [
  // extension/ reaches other rooms through their entries only.
  ['extension/debug.ts', '../emulator', false],
  ['extension/debug.ts', '../emulator/loaders/elf', true],
  ['extension/debug.ts', '../debug-adapter', false],
  ['extension/debug.ts', '../debug-adapter/adapter', true],
  // The language server: no vscode, no client, nothing of extension/ outside lsp/.
  ['extension/lsp/features.ts', 'vscode', true],
  ['extension/lsp/features.ts', 'vscode-languageclient/node', true],
  ['extension/lsp/features.ts', '../debug', true],
  ['extension/lsp/features.ts', './values', false],
  ['extension/lsp/features.ts', 'vscode-languageserver', false],
  ['extension/lsp/client.ts', 'vscode', false],
  // debug-adapter/ reaches emulator/ through its entry; its tests may reach further.
  ['debug-adapter/disasm.ts', '../emulator', false],
  ['debug-adapter/disasm.ts', '../emulator/hart/csr', true],
  ['debug-adapter/test/disasm.test.ts', '../../emulator/hart/csr', false],
  // The parts of emulator/ never import the machine or the hosts.
  ['emulator/hart/hart.ts', '../machine/breakpoints', true],
  ['emulator/hart/hart.ts', '../hosts/cli', true],
  ['emulator/hart/hart.ts', '../mmu/tlb', false],
  ['emulator/devices/virtio/blk.ts', '../../machine/description', true],
  ['emulator/options.ts', './machine/description', true],
  ['emulator/hart/hart.test.ts', '../machine/machine', false],
  // The DTS pipeline stands alone; the machine never imports the hosts.
  ['emulator/dts/dtb.ts', '../machine/fdt', true],
  ['emulator/dts/dtb.ts', './fdt-builder', false],
  ['emulator/machine/boot.ts', '../hosts/cli', true],
  ['emulator/machine/boot.ts', '../dts/fdt-builder', false],
];

test('every forbidden arrow between rooms is a lint error, every allowed one is not', async () => {
  const eslint = new ESLint({ cwd: ROOT });
  for (const [file, specifier, forbidden] of CASES) {
    const code = `import * as m from '${specifier}';\nexport const used = m;\n`;
    const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
    const hits = result.messages.filter((msg) => msg.ruleId === RULE);
    assert.equal(hits.length, forbidden ? 1 : 0, `${file} importing '${specifier}': ${hits.map((h) => h.message).join('; ') || 'no error'}`);
  }
});

function checkCycles(tsconfig?: string): { status: number | null; stdout: string; stderr: string } {
  const args = [path.join(ROOT, 'scripts/check-cycles.mjs'), ...(tsconfig === undefined ? [] : [tsconfig])];
  return spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
}

test('the project has no import cycles', () => {
  const r = checkCycles();
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^no import cycles among \d+ files$/m);
});

test('the cycle check names each cycle, type-only imports included, and fails', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-cycles-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const files: Record<string, string> = {
    'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true }, include: ['*.ts'] }),
    'a.ts': "import { b } from './b';\nexport const a = b + 1;\n",
    'b.ts': "import { c } from './c';\nexport const b = c + 1;\n",
    'c.ts': "import type { A } from './d';\nimport { a } from './a';\nexport const c: A = 1;\nexport const late = () => a;\n",
    'd.ts': "import type { E } from './e';\nexport type A = number;\nexport type D = E;\n",
    'e.ts': "import type { D } from './d';\nexport type E = string | D[];\n",
    'leaf.ts': "import { a } from './a';\nexport const leaf = a;\n",
  };
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  const r = checkCycles(path.join(dir, 'tsconfig.json'));
  assert.equal(r.status, 1);
  const lines = r.stderr.trim().split('\n');
  assert.deepEqual(lines.filter((l) => l.startsWith('import cycle:')).sort(), [
    'import cycle: a.ts -> b.ts -> c.ts -> a.ts',
    'import cycle: d.ts -> e.ts -> d.ts',
  ]);
  assert.match(lines[lines.length - 1], /^2 import cycle\(s\) among 6 files/);
});

test('the cycle check refuses a project it cannot read in one line', () => {
  const r = checkCycles(path.join(os.tmpdir(), 'osdev-no-such-dir', 'tsconfig.json'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^check-cycles: .*tsconfig\.json/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});
