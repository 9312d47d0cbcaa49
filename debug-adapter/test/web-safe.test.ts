/**
 * The adapter's own POSIX path arithmetic and base64 (it also runs in VS Code for the Web,
 * which has neither node:path nor Buffer) agree with Node's on the same inputs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nodePath from 'node:path';
import * as ours from '../posix-path';
import { decodeBase64Checked, encodeBase64 } from '../base64';

const PATHS = [
  '', '.', '..', '/', '//', '/a', 'a', 'a/', '/a/b/', '/a//b', 'a/./b', 'a/../b', '../a', '../../a/b', '/../a', '/a/b/../../..',
  '/work/main/demo/hello.c', 'demo/../emulator/test/guests/common/crt0.S', './x.c', 'x/.', 'x/..', '/tmp/osdev-e2e-1/web-workspace/',
  'vscode-remote://127.0.0.1:8080/tmp/a.c',
];

test('normalize, dirname, basename and isAbsolute are node:path.posix\'s', () => {
  for (const p of PATHS) {
    assert.equal(ours.normalize(p), nodePath.posix.normalize(p), `normalize(${JSON.stringify(p)})`);
    assert.equal(ours.dirname(p), nodePath.posix.dirname(p), `dirname(${JSON.stringify(p)})`);
    assert.equal(ours.basename(p), nodePath.posix.basename(p), `basename(${JSON.stringify(p)})`);
    assert.equal(ours.isAbsolute(p), nodePath.posix.isAbsolute(p), `isAbsolute(${JSON.stringify(p)})`);
  }
});

test('join and resolve are node:path.posix\'s (resolve from the process\'s folder for a relative start)', () => {
  for (const a of PATHS) {
    for (const b of ['', 'x.c', '../y.c', '/abs/z.c', 'd/', '.']) {
      assert.equal(ours.join(a, b), nodePath.posix.join(a, b), `join(${JSON.stringify(a)}, ${JSON.stringify(b)})`);
      assert.equal(ours.resolve(a, b), nodePath.posix.resolve(a, b), `resolve(${JSON.stringify(a)}, ${JSON.stringify(b)})`);
    }
  }
});

test('base64 round-trips every length and byte value as Buffer writes and reads it', () => {
  for (let n = 0; n < 70; n++) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 73 + n * 31) & 0xff);
    const text = Buffer.from(bytes).toString('base64');
    assert.equal(encodeBase64(bytes), text);
    assert.deepEqual(decodeBase64Checked(text), bytes);
    assert.deepEqual(decodeBase64Checked(text.replace(/=+$/, '')), bytes, 'padding is optional');
  }
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.equal(encodeBase64(all), Buffer.from(all).toString('base64'));
});
