/** Launch errors that name a place in a user's file become Problems-view diagnostics. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLocatedError } from './located-error';

test('a model-file error from the adapter names the file, line and column', () => {
  assert.deepEqual(parseLocatedError('passthrough "p0": /tmp/x/bad.osdev-model.json:4:42: registers.0.offset: must be a multiple of the width'),
    { file: '/tmp/x/bad.osdev-model.json', line: 4, column: 42, message: 'registers.0.offset: must be a multiple of the width' });
  assert.equal(parseLocatedError('launch attribute "program" is missing'), undefined);
  assert.equal(parseLocatedError('cannot read /tmp/a.elf: no such file'), undefined);
});
