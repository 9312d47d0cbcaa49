/**
 * A PNG writer for screenshots (PNG spec, ISO/IEC 15948: signature, IHDR, IDAT, IEND,
 * CRC-32 per chunk), 8-bit RGB with no alpha as a screen has none, compressed with
 * node:zlib. Rows use filter type 0 (none): small, and zlib does the rest.
 */
import * as zlib from 'node:zlib';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

let crcTable: Uint32Array | undefined;
/** CRC-32 (ISO 3309, polynomial 0xedb88320) as PNG chunks use it. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  for (const b of bytes) crc = crcTable[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A PNG of `width` × `height` RGBA pixels (alpha dropped); `level` is zlib's (1 fast ... 9 small). */
export function encodePng(width: number, height: number, rgba: Uint8Array, level = 6): Uint8Array {
  return assemble(width, height, zlib.deflateSync(scanlines(width, height, rgba), { level }));
}

/**
 * encodePng with the deflating (most of the cost: 8-9 ms of 10 for a 1024 × 768 frame) on
 * libuv's thread pool, so the thread that asked (the machine's) runs on meanwhile.
 */
export function encodePngAsync(width: number, height: number, rgba: Uint8Array, level = 6): Promise<Uint8Array> {
  const raw = scanlines(width, height, rgba);
  return new Promise((resolve, reject) => {
    zlib.deflate(raw, { level }, (err, data) => { if (err !== null) reject(err); else resolve(assemble(width, height, data)); });
  });
}

/** The image data PNG deflates: each row a filter byte (0, none) and its RGB. */
function scanlines(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const raw = new Uint8Array(height * (1 + width * 3));
  let o = 0;
  for (let y = 0; y < height; y++) {
    raw[o++] = 0;
    for (let x = 0, i = y * width * 4; x < width; x++, i += 4) {
      raw[o++] = rgba[i]; raw[o++] = rgba[i + 1]; raw[o++] = rgba[i + 2];
    }
  }
  return raw;
}

function assemble(width: number, height: number, idat: Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  const hv = new DataView(ihdr.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, filter method 0, no interlace
  const parts = [SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
