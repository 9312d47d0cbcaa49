/**
 * Non-cryptographic hashes for snapshots: a 64-bit word hash to compare whole machine
 * states and to name a board description, and CRC-32 (ISO-HDLC, the zlib polynomial) to
 * tell a damaged snapshot file. Pure TypeScript: the emulator has no host crypto.
 */

/** 16 hex digits: two 32-bit lanes mixed over the bytes as little-endian words (a short tail padded with zeros). */
export function hashWords(bytes: Uint8Array): string {
  const whole = bytes.byteLength >>> 2;
  const aligned = (bytes.byteOffset & 3) === 0;
  const w = aligned ? new Int32Array(bytes.buffer, bytes.byteOffset, whole) : new Int32Array(bytes.slice(0, whole * 4).buffer);
  let a = 0x9e3779b9 ^ bytes.byteLength, b = 0x85ebca6b;
  for (let i = 0; i < w.length; i++) {
    a = Math.imul(a ^ w[i], 0xcc9e2d51);
    a = (a << 15) | (a >>> 17);
    b = Math.imul(b + w[i] + i, 0x1b873593);
    b = (b << 13) | (b >>> 19);
  }
  for (let i = whole * 4; i < bytes.byteLength; i++) { a = Math.imul(a ^ bytes[i], 0xcc9e2d51); b = Math.imul(b + bytes[i], 0x1b873593); }
  a = Math.imul(a ^ (a >>> 16), 0x85ebca6b); a ^= a >>> 13;
  b = Math.imul(b ^ (b >>> 16), 0xc2b2ae35); b ^= b >>> 16;
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

export function hashText(s: string): string { return hashWords(new TextEncoder().encode(s)); }

let crcTable: Int32Array | null = null;

export function crc32(bytes: Uint8Array, crc = 0): number {
  if (crcTable === null) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  const t = crcTable;
  let c = ~crc;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
