/**
 * The EDID QEMU 7.2's virtio-gpu answers GET_EDID with (virtio 1.2 §5.7.6.8), byte for
 * byte: QEMU's generator (hw/display/edid-generate.c) given what virtio-gpu-base hands
 * it — the display size, no physical size (so 100 dpi), no refresh rate (so 75 Hz), no
 * serial — into the 1024 bytes of `virtio_gpu_resp_edid`. A VESA E-EDID 1.4 base block,
 * a CTA-861 extension (its video data block and spare descriptors) and, for a side of
 * 4096 or more, a DisplayID 1.3 extension carrying the size the base block's 12-bit
 * fields cannot. The virtio-gpu guest prints all the bytes on both machines
 * (emulator/test/virtio-gpu.test.ts).
 */

/** The size of `virtio_gpu_resp_edid.edid`, which QEMU also reports as the EDID's size. */
export const EDID_BYTES = 1024;
const BLOCK = 128;
/** QEMU's defaults for the fields virtio-gpu leaves empty. */
const VENDOR = 'RHT', MONITOR_NAME = 'QEMU Monitor', PRODUCT = 0x1234, DPI = 100, REFRESH_MILLIHZ = 75_000;
/** Week and year of manufacture: week 42 of 2014. */
const MADE = { week: 42, year: 2014 } as const;

/**
 * The modes QEMU lists besides the preferred one, in its order (the order decides which
 * land in the eight standard-timing slots). Each is an established-timing bit (byte,
 * bit), an "additional standard timings 3" bit (byte of that descriptor, bit), a CTA
 * video identification code, or only a standard timing.
 */
interface ListedMode { w: number; h: number; established?: [number, number]; extra?: [number, number]; vic?: number }
const MODES: readonly ListedMode[] = [
  // CTA-861 VICs at 50 Hz, then one at 60 Hz.
  { w: 5120, h: 2160, vic: 125 }, { w: 4096, h: 2160, vic: 101 }, { w: 3840, h: 2160, vic: 96 },
  { w: 2560, h: 1080, vic: 89 }, { w: 2048, h: 1152 }, { w: 1920, h: 1080, vic: 31 }, { w: 3840, h: 2160, vic: 97 },
  // VESA additional standard timings 3, at 60 Hz.
  { w: 1920, h: 1200, extra: [10, 0] }, { w: 1600, h: 1200, extra: [9, 2] }, { w: 1680, h: 1050, extra: [9, 5] },
  { w: 1440, h: 900, extra: [8, 5] }, { w: 1280, h: 1024, extra: [7, 1] }, { w: 1280, h: 960, extra: [7, 3] },
  { w: 1280, h: 768, extra: [7, 6] }, { w: 1920, h: 1440, extra: [11, 5] }, { w: 1856, h: 1392, extra: [10, 3] },
  { w: 1792, h: 1344, extra: [10, 5] }, { w: 1440, h: 1050, extra: [8, 1] }, { w: 1360, h: 768, extra: [8, 7] },
  // Established timings, at 60 Hz.
  { w: 1024, h: 768, established: [36, 3] }, { w: 800, h: 600, established: [35, 0] }, { w: 640, h: 480, established: [35, 5] },
];

/** QEMU's made-up blanking and sync for a mode (fractions of its size, rounded down) and its pixel clock in 10 kHz. */
function timings(w: number, h: number) {
  const t = {
    hfront: Math.floor(w * 25 / 100), hsync: Math.floor(w * 3 / 100), hblank: Math.floor(w * 35 / 100),
    vfront: Math.floor(h * 5 / 1000), vsync: Math.floor(h * 5 / 1000), vblank: Math.floor(h * 35 / 1000),
  };
  return { ...t, clock: Math.floor(REFRESH_MILLIHZ * (w + t.hblank) * (h + t.vblank) / 10_000_000) };
}

/** E-EDID §3.9 standard timing: two bytes, or false when the aspect ratio or width does not fit. */
function standardTiming(w: number, h: number): [number, number] | false {
  const aspect = w * 10 === h * 16 ? 0 : w * 3 === h * 4 ? 1 : w * 4 === h * 5 ? 2 : w * 9 === h * 16 ? 3 : -1;
  const code = Math.floor(w / 8) - 31;
  if (aspect < 0 || code > 255) return false;
  return [code, aspect << 6]; // refresh field 0: 60 Hz
}

/** Bytes `from..from+len-1` summed, and the byte after them set so the sum is 0 mod 256 (QEMU leaves it alone when already 0). */
function checksum(b: Uint8Array, from: number, len: number): void {
  let sum = 0;
  for (let i = from; i < from + len; i++) sum += b[i];
  if ((sum & 0xff) !== 0) b[from + len] = 0x100 - (sum & 0xff);
}

/** E-EDID §3.10.3: a display descriptor's 5-byte header (tag at byte 3). */
const descriptorTag = (b: Uint8Array, at: number, tag: number) => { b[at + 3] = tag; };

/** A text descriptor: up to 12 characters, a newline, space padding. */
function textDescriptor(b: Uint8Array, at: number, tag: number, text: string): void {
  descriptorTag(b, at, tag);
  b.fill(0x20, at + 5, at + 18);
  const s = text.slice(0, 12);
  for (let i = 0; i < s.length; i++) b[at + 5 + i] = s.charCodeAt(i);
  b[at + 5 + s.length] = 0x0a;
}

/** E-EDID §3.10.2 detailed timing descriptor for the preferred mode. */
function detailedTiming(b: Uint8Array, at: number, w: number, h: number, mmW: number, mmH: number): void {
  const t = timings(w, h);
  b[at] = t.clock & 0xff; b[at + 1] = (t.clock >> 8) & 0xff;
  b[at + 2] = w & 0xff; b[at + 3] = t.hblank & 0xff; b[at + 4] = ((w & 0xf00) >> 4) | ((t.hblank & 0xf00) >> 8);
  b[at + 5] = h & 0xff; b[at + 6] = t.vblank & 0xff; b[at + 7] = ((h & 0xf00) >> 4) | ((t.vblank & 0xf00) >> 8);
  b[at + 8] = t.hfront & 0xff; b[at + 9] = t.hsync & 0xff;
  b[at + 10] = ((t.vfront & 0xf) << 4) | (t.vsync & 0xf);
  b[at + 11] = ((t.hfront & 0x300) >> 2) | ((t.hsync & 0x300) >> 4) | ((t.vfront & 0x30) >> 2) | ((t.vsync & 0x30) >> 4);
  b[at + 12] = mmW & 0xff; b[at + 13] = mmH & 0xff; b[at + 14] = ((mmW & 0xf00) >> 4) | ((mmH & 0xf00) >> 8);
  b[at + 17] = 0x18; // digital separate sync
}

/** DisplayID 1.3 §4.4 type I detailed timing, in the extension block at `at`, with its section checksum. */
function displayId(b: Uint8Array, at: number, w: number, h: number): void {
  const t = timings(w, h);
  b.set([0x70, 0x13, 23, 0x03], at); // extension tag, version 1.3, 23 bytes of blocks, a standalone display
  b.set([0x03, 0x00, 20], at + 5); // the timing block: tag, revision, length
  b[at + 8] = t.clock & 0xff; b[at + 9] = (t.clock >> 8) & 0xff; b[at + 10] = (t.clock >> 16) & 0xff;
  b[at + 11] = 0x88; // preferred, aspect ratio undefined
  [w, t.hblank, t.hfront, t.hsync, h, t.vblank, t.vfront, t.vsync].forEach((v, i) => {
    b[at + 12 + 2 * i] = (v - 1) & 0xff; b[at + 13 + 2 * i] = ((v - 1) >> 8) & 0xff;
  });
  checksum(b, at + 1, 23 + 4);
}

/** The EDID for a display of `width` x `height`, as QEMU 7.2's virtio-gpu fills its 1024 bytes. */
export function edidBlock(width: number, height: number): Uint8Array {
  const e = new Uint8Array(EDID_BYTES);
  const large = width >= 4096 || height >= 4096;
  // dpi to millimetres in QEMU's integer steps.
  const mmW = Math.floor(Math.floor(width * 254 / 10) / DPI), mmH = Math.floor(Math.floor(height * 254 / 10) / DPI);
  const cta = BLOCK, did = 2 * BLOCK;
  // CTA-861 extension: tag, revision 3, descriptors at 5 until VICs push them on, no flags, an empty video data block.
  e.set([0x02, 0x03, 0x05, 0x00, 0x40], cta);
  e[126] = large ? 2 : 1; // extension blocks
  if (large) e.set([0x70, 0x13, 4, 0x03], did); // filled below; its early checksum byte is overwritten then

  e.set([0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00], 0);
  const letter = (i: number) => (VENDOR.charCodeAt(i) - 64) & 0x1f;
  const vendor = (letter(0) << 10) | (letter(1) << 5) | letter(2);
  e[8] = vendor >> 8; e[9] = vendor & 0xff;
  e[10] = PRODUCT & 0xff; e[11] = PRODUCT >> 8; // serial number (12-15) 0
  e[16] = MADE.week; e[17] = MADE.year - 1990;
  e[18] = 1; e[19] = 4; // EDID 1.4
  e[20] = 0xa5; // digital, 8 bits a colour, DisplayPort
  e[21] = Math.floor(mmW / 10) & 0xff; e[22] = Math.floor(mmH / 10) & 0xff; // cm
  e[23] = 220 - 100; // gamma 2.2
  e[24] = 0x06; // sRGB, preferred timing first
  // sRGB primaries and white point, 10 bits each (E-EDID §3.7): two low bits packed, then the high bytes.
  const c = [0.64, 0.33, 0.30, 0.60, 0.15, 0.06, 0.3127, 0.3290].map((v) => Math.floor(Math.fround(Math.fround(v) * 1024 + 0.5)));
  e[25] = ((c[0] & 3) << 6) | ((c[1] & 3) << 4) | ((c[2] & 3) << 2) | (c[3] & 3);
  e[26] = ((c[4] & 3) << 6) | ((c[5] & 3) << 4) | ((c[6] & 3) << 2) | (c[7] & 3);
  c.forEach((v, i) => { e[27 + i] = v >> 2; });

  // The 18-byte descriptors: four in the base block, then on in the CTA block after its video data.
  let desc: number | null = 54;
  const next = (d: number): number | null => {
    if (d + 36 < 127) return d + 18;
    if (d < 127) return cta + e[cta + 2];
    return d + 36 < cta + 127 ? d + 18 : null;
  };
  if (!large) { detailedTiming(e, desc, width, height, mmW, mmH); desc = next(desc); }
  // Additional standard timings 3 (tag 0xf7, revision 10); its bits come with the mode list.
  const extra = desc as number;
  descriptorTag(e, extra, 0xf7); e[extra + 5] = 10;
  desc = next(extra);
  listModes(e, extra, cta);
  // Range limits: 50-125 Hz, 30-160 kHz, 2550 MHz, no timing formula; then newline and spaces.
  descriptorTag(e, desc as number, 0xfd);
  e.set([50, 125, 30, 160, 2550 / 10, 0x01, 0x0a, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20], (desc as number) + 5);
  desc = next(desc as number);
  if (desc !== null) { textDescriptor(e, desc, 0xfc, MONITOR_NAME); desc = next(desc); }
  for (; desc !== null; desc = next(desc)) descriptorTag(e, desc, 0x10); // dummy descriptors

  if (large) displayId(e, did, width, height);
  checksum(e, 0, 127);
  checksum(e, cta, 127);
  if (large) checksum(e, did, 127);
  return e;
}

/**
 * The mode list into the established-timing bits, the eight standard timings (slots
 * filled in list order; a mode that fits none is skipped), the "additional standard
 * timings 3" descriptor at `extra` once the slots are full, and the CTA block's VICs.
 */
function listModes(e: Uint8Array, extra: number, cta: number): void {
  let slot = 38;
  for (const m of MODES) {
    if (m.established !== undefined) e[m.established[0]] |= 1 << m.established[1];
    else if (slot < 54) {
      const st = standardTiming(m.w, m.h);
      if (st !== false) { e[slot] = st[0]; e[slot + 1] = st[1]; slot += 2; }
    } else if (m.extra !== undefined) e[extra + m.extra[0]] |= 1 << m.extra[1];
    if (m.vic !== undefined) {
      e[cta + e[cta + 2]] = m.vic;
      e[cta + 2]++; // descriptors start one byte later
      e[cta + 4]++; // the video data block's length
    }
  }
  for (; slot < 54; slot += 2) { e[slot] = 1; e[slot + 1] = 1; } // unused
}
