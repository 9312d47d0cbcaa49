/**
 * An EDID 1.4 base block (VESA E-EDID, 128 bytes) describing one display of the
 * given size: its preferred mode is that size at 60 Hz with reduced blanking (CVT-RB
 * style numbers), a monitor name and range limits. What virtio-gpu's GET_EDID answers
 * (virtio 1.2 §5.7.6.8); drivers read the preferred mode from the first detailed
 * timing descriptor.
 */

const NAME = 'OSDev screen';
/** Pixels per inch assumed for the physical size. */
const DPI = 100;

function descriptor(tag: number, text: string): Uint8Array {
  const d = new Uint8Array(18);
  d[3] = tag;
  const bytes = new TextEncoder().encode(text.slice(0, 12) + (text.length < 13 ? '\n' : ''));
  d.fill(0x20, 5);
  d.set(bytes.subarray(0, 13), 5);
  return d;
}

/** 10-bit chromaticity value. */
const chroma = (v: number) => Math.round(v * 1024);

export function edidBlock(width: number, height: number): Uint8Array {
  const e = new Uint8Array(128);
  e.set([0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00], 0);
  // Manufacturer "OSD": three 5-bit letters, big-endian.
  const id = ((('O'.charCodeAt(0) - 64) << 10) | (('S'.charCodeAt(0) - 64) << 5) | ('D'.charCodeAt(0) - 64));
  e[8] = id >> 8; e[9] = id & 0xff;
  e[10] = 1; // product code
  e[16] = 1; e[17] = 2026 - 1990; // week, year of manufacture
  e[18] = 1; e[19] = 4; // EDID 1.4
  e[20] = 0x80; // digital input
  const mmW = Math.round(width * 25.4 / DPI), mmH = Math.round(height * 25.4 / DPI);
  e[21] = Math.min(255, Math.round(mmW / 10)); e[22] = Math.min(255, Math.round(mmH / 10));
  e[23] = 120; // gamma 2.2
  e[24] = 0x06; // RGB colour, sRGB default, preferred timing is native
  // sRGB primaries and white point (x, y), 10 bits each: low bits first, then the high bytes.
  const [rx, ry, gx, gy, bx, by, wx, wy] = [0.64, 0.33, 0.30, 0.60, 0.15, 0.06, 0.3127, 0.3290].map(chroma);
  e[25] = ((rx & 3) << 6) | ((ry & 3) << 4) | ((gx & 3) << 2) | (gy & 3);
  e[26] = ((bx & 3) << 6) | ((by & 3) << 4) | ((wx & 3) << 2) | (wy & 3);
  [rx, ry, gx, gy, bx, by, wx, wy].forEach((v, i) => { e[27 + i] = v >> 2; });
  for (let i = 38; i < 54; i++) e[i] = 1; // no standard timings

  // Detailed timing: the display size at 60 Hz, reduced blanking.
  const hblank = 160, hfront = 48, hsync = 32, vfront = 3, vsync = 6;
  const vblank = Math.max(23, Math.ceil(460e-6 * 60 * height / (1 - 460e-6 * 60)));
  const clock10k = Math.round((width + hblank) * (height + vblank) * 60 / 10_000);
  const d = new Uint8Array(18);
  d[0] = clock10k & 0xff; d[1] = (clock10k >> 8) & 0xff;
  d[2] = width & 0xff; d[3] = hblank & 0xff; d[4] = ((width >> 8) << 4) | (hblank >> 8);
  d[5] = height & 0xff; d[6] = vblank & 0xff; d[7] = ((height >> 8) << 4) | (vblank >> 8);
  d[8] = hfront & 0xff; d[9] = hsync & 0xff; d[10] = ((vfront & 0xf) << 4) | (vsync & 0xf);
  d[11] = ((hfront >> 8) << 6) | ((hsync >> 8) << 4) | ((vfront >> 4) << 2) | (vsync >> 4);
  d[12] = mmW & 0xff; d[13] = mmH & 0xff; d[14] = ((mmW >> 8) << 4) | (mmH >> 8);
  d[17] = 0x1a; // digital separate sync, +hsync -vsync
  e.set(d, 54);
  e.set(descriptor(0xfc, NAME), 72);
  // Range limits: 50-75 Hz vertical, 30-160 kHz horizontal, 600 MHz clock, no timing formula.
  const range = new Uint8Array(18);
  range.set([0, 0, 0, 0xfd, 0, 50, 75, 30, 160, 60, 0x01, 0x0a, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20]);
  e.set(range, 90);
  e[108 + 3] = 0x10; // a dummy descriptor
  let sum = 0;
  for (let i = 0; i < 127; i++) sum += e[i];
  e[127] = (256 - (sum & 0xff)) & 0xff;
  return e;
}
