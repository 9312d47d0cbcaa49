/** DAP framing read with bounds: split anywhere, several per chunk, bad headers refused in words. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DapFrameReader, MAX_DAP_HEADER } from '../dap-framing';

function frame(body: string, header = `Content-Length: ${Buffer.byteLength(body)}`): Buffer {
  return Buffer.from(`${header}\r\n\r\n${body}`);
}

function read(chunks: Buffer[], max?: number): { bodies: string[]; errors: string[] } {
  const bodies: string[] = [], errors: string[] = [];
  const r = new DapFrameReader((b) => bodies.push(b.toString()), (e) => errors.push(e), max);
  for (const c of chunks) r.push(c);
  return { bodies, errors };
}

test('messages split at every byte, or several in one chunk, come out whole and in order', () => {
  const stream = Buffer.concat([frame('{"seq":1}'), frame('{"é":"ü"}'), frame('{"seq":3}', 'content-length:9\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8')]);
  const want = ['{"seq":1}', '{"é":"ü"}', '{"seq":3}'];
  assert.deepEqual(read([stream]), { bodies: want, errors: [] });
  for (let cut = 1; cut < stream.length; cut++) {
    assert.deepEqual(read([stream.subarray(0, cut), stream.subarray(cut)]), { bodies: want, errors: [] }, `cut at ${cut}`);
  }
  assert.deepEqual(read([...stream].map((b) => Buffer.from([b]))), { bodies: want, errors: [] });
});

test('a length over the limit is refused at its header, before any body is buffered', () => {
  const got = read([Buffer.from('Content-Length: 2147483648\r\n\r\n')]);
  assert.deepEqual(got, { bodies: [], errors: ['a Content-Length of 2147483648 bytes, more than the limit of 16777216'] });
  assert.deepEqual(read([frame('x'.repeat(101))], 100).errors, ['a Content-Length of 101 bytes, more than the limit of 100']);
  assert.deepEqual(read([frame('x'.repeat(100))], 100).bodies, ['x'.repeat(100)]);
});

test('headers without a usable length are refused once, and nothing after them is read', () => {
  assert.deepEqual(read([frame('{}', 'Content-Type: json'), frame('{}')]), { bodies: [], errors: ['a header without Content-Length'] });
  assert.deepEqual(read([frame('{}', 'Content-Length: -2')]).errors, ["Content-Length '-2' is not a byte count"]);
  assert.deepEqual(read([frame('{}', 'Content-Length: 0x10')]).errors, ["Content-Length '0x10' is not a byte count"]);
  assert.deepEqual(read([frame('{}', 'Content-Length: 99999999999999999999')]).errors, ["Content-Length '99999999999999999999' is not a byte count"]);
  assert.deepEqual(read([Buffer.alloc(MAX_DAP_HEADER + 10, 0x41)]).errors, [`a header longer than ${MAX_DAP_HEADER} bytes (no blank line)`]);
  // Short garbage with no blank line yet: the reader waits for more.
  assert.deepEqual(read([Buffer.from('garbage')]), { bodies: [], errors: [] });
});

test('a 16 MB body arriving in 64 KiB chunks is assembled once', () => {
  const body = Buffer.alloc(16 << 20, 0x20);
  const all = Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
  let got = -1;
  const r = new DapFrameReader((b) => { got = b.length; }, (e) => assert.fail(e));
  for (let at = 0; at < all.length; at += 65536) r.push(all.subarray(at, at + 65536));
  assert.equal(got, body.length);
});
