/** The --serial port bounds what a slow client has not taken: `blocked` until it reads, then all of it arrives. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { serveSerial } from './serial-tcp';

test('output to a client that does not read blocks at the high-water mark and is released when it reads', async () => {
  const serial = await serveSerial({ host: '127.0.0.1', port: 0 });
  const sock = net.connect(serial.port, '127.0.0.1');
  await new Promise<void>((r) => sock.once('connect', () => r()));
  sock.pause();
  let sent = 0;
  // The kernel's socket buffers take some; past them, unsent bytes pile up until `blocked`.
  while (!serial.blocked) {
    for (let i = 0; i < 4096; i++) serial.write(sent++ & 0xff);
    await new Promise((r) => setImmediate(r));
    assert.ok(sent < 64 << 20, 'blocked before 64 MB');
  }
  const released = serial.writable();
  let got = 0, wrong = 0;
  sock.on('data', (d: Buffer) => { for (const b of d) if (b !== (got++ & 0xff)) wrong++; });
  sock.resume();
  await released;
  assert.equal(serial.blocked, false);
  const closed = new Promise((r) => sock.on('close', r));
  serial.close();
  await closed;
  assert.equal(got, sent);
  assert.equal(wrong, 0);
});
