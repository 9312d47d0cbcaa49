/**
 * The part of a VNC (RFB 3.8, RFC 6143) client the tests need to resize QEMU's display as
 * a window would be: QEMU 7.2 hands a client's SetDesktopSize to the display as ui_info,
 * which virtio-gpu takes as a resized window (virtio_gpu_ui_info). QMP has no resize.
 */
import assert from 'node:assert/strict';
import * as net from 'node:net';

/** An RFB 3.8 client on QEMU's VNC socket, past the handshake (no security, shared). */
export async function vncConnect(sock: string): Promise<net.Socket> {
  const s = net.connect(sock);
  let buf = Buffer.alloc(0);
  let want: { n: number; resolve: (b: Buffer) => void } | null = null;
  const feed = () => {
    if (want === null || buf.length < want.n) return;
    const w = want; want = null;
    const out = buf.subarray(0, w.n); buf = buf.subarray(w.n);
    w.resolve(out);
  };
  s.on('data', (d: Buffer) => { buf = Buffer.concat([buf, d]); feed(); });
  const read = (n: number) => new Promise<Buffer>((resolve) => { want = { n, resolve }; feed(); });
  assert.equal((await read(12)).toString(), 'RFB 003.008\n');
  s.write('RFB 003.008\n');
  const types = await read((await read(1))[0]);
  assert.ok(types.includes(1), 'QEMU offers security type None');
  s.write(Buffer.from([1]));
  assert.equal((await read(4)).readUInt32BE(0), 0, 'security result OK');
  s.write(Buffer.from([1])); // ClientInit: shared
  const init = await read(24); // width, height, pixel format (16), name length
  await read(init.readUInt32BE(20));
  s.on('data', () => undefined); // updates from here on are not read
  return s;
}

/** RFB SetDesktopSize (message 251, one screen): QEMU 7.2 hands the size to the display as a resized window's. */
export function vncSetDesktopSize(s: net.Socket, w: number, h: number): void {
  const m = Buffer.alloc(8 + 16);
  m.writeUInt8(251, 0); m.writeUInt16BE(w, 2); m.writeUInt16BE(h, 4); m.writeUInt8(1, 6);
  m.writeUInt16BE(w, 16); m.writeUInt16BE(h, 18); // screen 0 at (0, 0), w x h, no flags
  s.write(m);
}
