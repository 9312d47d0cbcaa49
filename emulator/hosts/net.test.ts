/** `--net` parsing, and the socket backends: two ends on loopback (UDP) or a unix socket exchange frames. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openNet } from './net';
import { parseNet } from '../options';

test('--net values parse, and bad ones name the problem', () => {
  assert.deepEqual(parseNet('loopback'), { backend: 'loopback', legacy: false, mac: undefined, pcap: undefined });
  assert.deepEqual(parseNet('socket,udp=127.0.0.1:5000,localaddr=127.0.0.1:5001,mac=52:54:00:00:00:01,legacy'), {
    backend: 'socket', remote: { host: '127.0.0.1', port: 5000 }, local: { host: '127.0.0.1', port: 5001 },
    legacy: true, mac: '52:54:00:00:00:01', pcap: undefined,
  });
  assert.match(parseNet('user') as string, /loopback, socket or unix, got 'user'/);
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

test('a frame sent just before the sender closes still arrives, once drained (a guest that sends and powers off)', async () => {
  const pa = 20000 + Math.floor(Math.random() * 20000), pb = pa + 1;
  const a = await openNet({ backend: 'socket', remote: { host: '127.0.0.1', port: pb }, local: { host: '127.0.0.1', port: pa }, legacy: false });
  const b = await openNet({ backend: 'socket', remote: { host: '127.0.0.1', port: pa }, local: { host: '127.0.0.1', port: pb }, legacy: false });
  assert.ok(a.ok && b.ok);
  try {
    let got: Uint8Array | undefined;
    b.value.backend.listen?.((f) => { got = f; });
    a.value.backend.send(Uint8Array.from([7, 7]));
    await a.value.drain();
    a.value.close();
    for (let i = 0; i < 200 && got === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(got, Uint8Array.from([7, 7]));
  } finally {
    b.value.close();
  }
});

test('unix backend: frames cross a stream socket both ways, length-prefixed; a non-socket file is left alone', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-net-'));
  const sock = path.join(dir, 'link.sock');
  const a = await openNet({ backend: 'unix', path: sock, listen: true, legacy: false });
  assert.ok(a.ok, a.ok ? '' : a.error);
  const b = await openNet({ backend: 'unix', path: sock, listen: false, legacy: false });
  assert.ok(b.ok, b.ok ? '' : b.error);
  try {
    const atA: Uint8Array[] = [], atB: Uint8Array[] = [];
    a.value.backend.listen?.((f) => atA.push(f));
    b.value.backend.listen?.((f) => atB.push(f));
    const big = Uint8Array.from({ length: 1514 }, (_, i) => i & 0xff);
    b.value.backend.send(Uint8Array.from([1, 2, 3]));
    b.value.backend.send(big);
    for (let i = 0; i < 200 && atA.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(atA, [Uint8Array.from([1, 2, 3]), big]);
    a.value.backend.send(Uint8Array.from([9]));
    for (let i = 0; i < 200 && atB.length < 1; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(atB, [Uint8Array.from([9])]);
  } finally {
    a.value.close();
    b.value.close();
  }
  const file = path.join(dir, 'notes.txt');
  fs.writeFileSync(file, 'mine');
  const refused = await openNet({ backend: 'unix', path: file, listen: true, legacy: false });
  assert.ok(!refused.ok && /exists and is not a socket/.test(refused.error));
  assert.equal(fs.readFileSync(file, 'utf8'), 'mine');
  const nobody = await openNet({ backend: 'unix', path: path.join(dir, 'none.sock'), listen: false, legacy: false });
  assert.ok(!nobody.ok && /cannot connect .*\(is the other instance listening\?\)/.test(nobody.error));
  fs.rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(parseNet('unix,path=/tmp/x.sock,listen'), { backend: 'unix', path: '/tmp/x.sock', listen: true, legacy: false, mac: undefined, pcap: undefined });
  assert.match(parseNet('unix,listen') as string, /needs path=SOCKET/);
});
