/**
 * The bounded reader: only regular files, the size checked before reading, a FIFO
 * refused without waiting for a writer (sync and async), and write errors in words.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { readFileBounded, readFileBoundedAsync, sideOutput, writeOutput } from './host-files';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-files-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const fifo = path.join(tmp, 'fifo');
execFileSync('mkfifo', [fifo]);
const small = path.join(tmp, 'small.bin');
fs.writeFileSync(small, new Uint8Array([1, 2, 3, 4, 5]));

const cases: [string, string, number, RegExp][] = [
  ['a FIFO (no writer: opening must not block)', fifo, 100, /^not a regular file \(it is a FIFO\)$/],
  ['/dev/zero', '/dev/zero', 100, /^not a regular file \(it is a character device\)$/],
  ['a directory', tmp, 100, /^not a regular file \(it is a directory\)$/],
  ['a file over the limit', small, 4, /^5 bytes, larger than the 4 bytes allowed$/],
  ['a missing file', path.join(tmp, 'none'), 100, /^no such file$/],
];
for (const [name, file, limit, expected] of cases) {
  test(`refused: ${name}`, async () => {
    const sync = readFileBounded(file, limit);
    assert.ok(!sync.ok && expected.test(sync.error), JSON.stringify(sync));
    const async_ = await readFileBoundedAsync(file, limit);
    assert.ok(!async_.ok && expected.test(async_.error), JSON.stringify(async_));
  });
}

test('a regular file within the limit is read whole', async () => {
  const sync = readFileBounded(small, 5);
  assert.ok(sync.ok);
  assert.deepEqual([...sync.bytes], [1, 2, 3, 4, 5]);
  const async_ = await readFileBoundedAsync(small, 5);
  assert.ok(async_.ok);
  assert.deepEqual([...async_.bytes], [1, 2, 3, 4, 5]);
});

test('outputs that cannot be written are one line, never a throw', () => {
  assert.equal(writeOutput(path.join(tmp, 'no', 'x.dts'), 'x'), `cannot write '${path.join(tmp, 'no', 'x.dts')}': its folder does not exist`);
  assert.equal(writeOutput(tmp, 'x'), `cannot write '${tmp}': it is a directory`);
});

test('a side output that fills up says so once and stops writing', () => {
  const fd = fs.openSync('/dev/full', 'w');
  const said: string[] = [];
  const write = sideOutput(fd, 'capture', (l) => said.push(l));
  for (let i = 0; i < 3; i++) write('frame\n');
  fs.closeSync(fd);
  assert.deepEqual(said, ['capture: no space left on the device; nothing more is written to it']);
});
