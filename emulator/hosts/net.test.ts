/** `--net` parsing, and the UDP socket backend: two instances on loopback exchange frames. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openNet } from './net';
import { parseNet } from './cli-options';

test('--net values parse, and bad ones name the problem', () => {
  assert.deepEqual(parseNet('loopback'), { backend: 'loopback', legacy: false, mac: undefined, pcap: undefined });
  assert.deepEqual(parseNet('socket,udp=127.0.0.1:5000,localaddr=127.0.0.1:5001,mac=52:54:00:00:00:01,legacy'), {
    backend: 'socket', remote: { host: '127.0.0.1', port: 5000 }, local: { host: '127.0.0.1', port: 5001 },
    legacy: true, mac: '52:54:00:00:00:01', pcap: undefined,
  });
  assert.match(parseNet('user') as string, /loopback or socket, got 'user'/);
  assert.match(parseNet('socket,udp=10.0.0.1:5000,localaddr=127.0.0.1:1') as string, /loopback address/);
  assert.match(parseNet('socket,udp=127.0.0.1:5000') as string, /needs udp=HOST:PORT and localaddr/);
  assert.match(parseNet('loopback,mac=zz') as string, /mac must look like/);
  assert.match(parseNet('loopback,udp=127.0.0.1:1') as string, /not understood for loopback/);
});

test('socket backend: a frame sent by one end is received by the other', async () => {
  const pa = 20000 + Math.floor(Math.random() * 20000), pb = pa + 1;
  const a = await openNet({ backend: 'socket', remote: { host: '127.0.0.1', port: pb }, local: { host: '127.0.0.1', port: pa }, legacy: false });
  const b = await openNet({ backend: 'socket', remote: { host: '127.0.0.1', port: pa }, local: { host: '127.0.0.1', port: pb }, legacy: false });
  assert.ok(a.ok && b.ok);
  try {
    let got: Uint8Array | undefined;
    b.value.backend.listen?.((f) => { got = f; });
    a.value.backend.send(Uint8Array.from([1, 2, 3, 4]));
    for (let i = 0; i < 200 && got === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(got, Uint8Array.from([1, 2, 3, 4]));
    const clash = await openNet({ backend: 'socket', remote: { host: '127.0.0.1', port: pa }, local: { host: '127.0.0.1', port: pb }, legacy: false });
    assert.ok(!clash.ok && /cannot listen on 127\.0\.0\.1/.test(clash.error));
  } finally {
    a.value.close();
    b.value.close();
  }
});
