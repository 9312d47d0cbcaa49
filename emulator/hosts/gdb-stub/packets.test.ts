import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frame, fromLittleEndianHex, Incoming, littleEndianHex, MAX_PACKET, PacketReader, unescapeBinary } from './packets';

/** A seeded generator, so a failure repeats. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

const describe = (es: Incoming[]) => es.map((e) => (e.kind === 'packet' ? `packet:${Buffer.from(e.data).toString('latin1')}` : e.kind));

test('packets, acks and interrupts come out the same however the stream is cut', () => {
  const stream = Buffer.concat([Buffer.from('+'), Buffer.from(frame('qSupported:swbreak+')), Buffer.from([3]), Buffer.from('-'),
    Buffer.from('$m80000000,4#00'), Buffer.from(frame('X80000000,4:')), Buffer.from('noise'), Buffer.from(frame('?'))]);
  const whole = describe(new PacketReader().push(stream));
  assert.deepEqual(whole, ['ack', 'packet:qSupported:swbreak+', 'interrupt', 'nack', 'bad-checksum', 'packet:X80000000,4:', 'packet:?']);
  const r = rng(1);
  for (let i = 0; i < 200; i++) {
    const reader = new PacketReader();
    const got: Incoming[] = [];
    for (let at = 0; at < stream.length;) {
      const n = 1 + Math.floor(r() * 8);
      got.push(...reader.push(stream.subarray(at, at + n)));
      at += n;
    }
    assert.deepEqual(describe(got), whole);
  }
});

test('binary payloads survive the escapes both ways; registers travel little-endian', () => {
  const bytes = Uint8Array.from([0x24, 0x23, 0x7d, 0x2a, 0, 255, 0x41]);
  const f = frame(bytes);
  const [e] = new PacketReader().push(f);
  assert.equal(e.kind, 'packet');
  if (e.kind === 'packet') assert.deepEqual(unescapeBinary(e.data), bytes);
  assert.equal(littleEndianHex(0x80001234n, 8), '3412008000000000');
  assert.equal(fromLittleEndianHex('3412008000000000'), 0x80001234n);
  assert.equal(fromLittleEndianHex('zz'), null);
});

test('random bytes never throw, and a packet longer than MAX_PACKET is dropped whole', () => {
  const r = rng(7);
  const reader = new PacketReader();
  for (let i = 0; i < 2000; i++) {
    const chunk = Uint8Array.from({ length: Math.floor(r() * 64) }, () => (r() < 0.1 ? 0x24 : r() < 0.1 ? 0x23 : Math.floor(r() * 256)));
    reader.push(chunk);
  }
  const huge = new PacketReader().push(Buffer.from(`$${'a'.repeat(MAX_PACKET * 3)}#00$?#3f`));
  assert.deepEqual(describe(huge), ['too-long', 'packet:?']);
});
