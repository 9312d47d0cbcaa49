/**
 * Image files the screen tests read: PNG (ours, any of the five row filters) and the
 * PPM QEMU's screendump writes, both to 8-bit RGB. Tests only.
 */
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';

export interface Image { width: number; height: number; rgb: Uint8Array }

/** PNG (8-bit RGB or RGBA, not interlaced, all five filters) to RGB. */
export function decodePng(b: Buffer): Image {
  assert.equal(b.subarray(0, 8).toString('latin1'), '\x89PNG\r\n\x1a\n', 'PNG signature');
  let p = 8, width = 0, height = 0, channels = 0;
  const idat: Buffer[] = [];
  while (p < b.length) {
    const len = b.readUInt32BE(p), type = b.toString('latin1', p + 4, p + 8), data = b.subarray(p + 8, p + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4);
      assert.equal(data[8], 8, 'bit depth');
      channels = data[9] === 2 ? 3 : data[9] === 6 ? 4 : assert.fail(`colour type ${data[9]}`);
    }
    if (type === 'IDAT') idat.push(data);
    p += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const row = width * channels, out = new Uint8Array(width * height * 3), prev = new Uint8Array(row), cur = new Uint8Array(row);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (row + 1)];
    for (let i = 0; i < row; i++) {
      const x = raw[y * (row + 1) + 1 + i], a = i >= channels ? cur[i - channels] : 0, up = prev[i], c = i >= channels ? prev[i - channels] : 0;
      const pa = Math.abs(up - c), pb = Math.abs(a - c), pc = Math.abs(a + up - 2 * c);
      const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? up : f === 3 ? (a + up) >> 1 : pa <= pb && pa <= pc ? a : pb <= pc ? up : c;
      cur[i] = (x + pred) & 0xff;
    }
    for (let x = 0; x < width; x++) out.set(cur.subarray(x * channels, x * channels + 3), (y * width + x) * 3);
    prev.set(cur);
  }
  return { width, height, rgb: out };
}

/** PPM P6 with maxval 255, as QEMU's screendump writes it. */
export function decodePpm(b: Buffer): Image {
  const m = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(b.toString('latin1', 0, 64));
  assert.ok(m !== null, 'a P6 PPM');
  const width = Number(m[1]), height = Number(m[2]);
  return { width, height, rgb: new Uint8Array(b.subarray(m[0].length, m[0].length + width * height * 3)) };
}
