/**
 * The committed demo kernel (demo/hello.elf, shipped in the .vsix and opened by "Open Demo
 * Kernel") is what its sources build today: `npm test` rebuilds it from demo/ into the guests'
 * build directory (scripts/run-tests.mjs), and the build is reproducible byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const COMMITTED = path.join(ROOT, 'demo/hello.elf');
const REBUILT = path.join(ROOT, 'emulator/test/guests/build/demo/hello.elf');

test('demo/hello.elf equals the demo rebuilt from its sources', () => {
  assert.ok(fs.existsSync(REBUILT), `${path.relative(ROOT, REBUILT)} is missing: npm test builds it (make -C demo OUT=...)`);
  const committed = fs.readFileSync(COMMITTED), rebuilt = fs.readFileSync(REBUILT);
  assert.ok(committed.equals(rebuilt),
    'demo/hello.elf is older than its sources: run `make -C demo` and commit demo/hello.elf');
});
