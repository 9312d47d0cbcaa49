/**
 * Fuzzers for the DTS pipeline (issue 22): mutated DTS sources (the dtc fixtures and the
 * virt board, with their includes) and mutated DTB blobs, from a seed. Each case checks
 * that no exception escapes, the work stays within LIMITS, and what comes out is well
 * formed: a DTB that compiles decompiles and compiles again to the same bytes.
 * `fuzz.test.ts` runs a bounded number of cases; `npm run fuzz:dts` a long run.
 */
import { compileDts, decompileDtb, parseDtb, analyzeDts } from '../index';
import { LIMITS } from '../source';
import { FIXTURES } from './fixtures';
import { buildVirtFdt } from '../../machine/fdt';
import { defaultDescription } from '../../machine/description';
import { prng } from '../../devices/virtio/fuzz';

export interface DtsFuzzStats { cases: number; compiled: number; roundTrips: number; diagnostics: number; slowestMs: number; slowest: string }

/** Pieces of DTS and cpp syntax the mutator splices in, so mutants reach past the lexer. */
const TOKENS = [
  '{', '}', ';', '};', '<', '>', '[', ']', '(', ')', '"', ',', '=', '&', ':', '/', '*/', '/*', '//', '\n', '\\\n', '#',
  '&lbl', 'lbl:', '&{/soc}', '&{/', '/delete-node/ ', '/delete-property/ ', '/omit-if-no-ref/ ', '/bits/ 8 ', '/bits/ 64 ', '/bits/ 7 ',
  '/incbin/("bin")', '/incbin/("bin", 2, 3)', '/incbin/("nope")', '/incbin/("bin", 99, 1)', '/memreserve/ 0 1;', '/plugin/;', '/dts-v1/;',
  '#include "a.dtsi"\n', '#include "main.dts"\n', '#include <x.h>\n', '/include/ "a.dtsi"\n', '#define M(a) a a\n', '#define N N\n',
  '#if 1\n', '#else\n', '#endif\n', '#ifdef M\n', '#undef M\n', 'M(M(M(1)))', '0x', '0xffffffffffffffff', '18446744073709551616', '-1',
  "'a'", '(1 << 63)', '(1 / 0)', '(2 ? 3 : 4)', '"\\x41\\0"', 'phandle = <1>;', 'phandle = <0xffffffff>;', '#address-cells = <1>;',
  '#size-cells = <0>;', 'reg = <0 0>;', 'ranges;', 'compatible = "ns16550a";', 'interrupt-controller;', 'node@1 { };', 'a,b-c_d.e+f?g#h@1',
];

/** Extra files a mutant may include or /incbin/: a header, a fragment that includes the main file (a cycle), binary bytes. */
function files(main: string, rnd: () => number, extra: Record<string, string>): Map<string, string> {
  const m = new Map<string, string>([
    ['/f/main.dts', main],
    ['/f/a.dtsi', rnd() < 0.3 ? '#include "main.dts"\n' : '/ { from_a = <1>; };\n'],
    ['/inc/x.h', '#define X 3\n#define Y(a, b) ((a) + (b))\n'],
    ['/f/bin', '\u0001\u0002\u0003\u0004\u0005'],
  ]);
  for (const [k, v] of Object.entries(extra)) m.set(`/f/${k}`, v);
  return m;
}

export function mutateText(src: string, rnd: () => number): string {
  let s = src;
  const n = 1 + Math.floor(rnd() * 8);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(rnd() * (s.length + 1));
    const r = rnd();
    if (r < 0.3) s = s.slice(0, at) + TOKENS[Math.floor(rnd() * TOKENS.length)] + s.slice(at);
    else if (r < 0.5) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rnd() * 20));
    else if (r < 0.65) s = s.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 256)) + s.slice(at + 1);
    else if (r < 0.8) {
      // Copy a piece of the text elsewhere (another node, a repeated property).
      const from = Math.floor(rnd() * s.length);
      s = s.slice(0, at) + s.slice(from, from + Math.floor(rnd() * 200)) + s.slice(at);
    } else if (r < 0.9) {
      const from = Math.floor(rnd() * s.length);
      const piece = s.slice(from, from + Math.floor(rnd() * 40));
      s = s.slice(0, at) + piece.repeat(1 + Math.floor(rnd() * 50)) + s.slice(at);
    } else s = s.slice(0, at);
  }
  return s;
}

function mutateBlob(blob: Uint8Array, rnd: () => number): Uint8Array {
  const b = new Uint8Array(blob);
  const dv = new DataView(b.buffer);
  const n = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < n; k++) {
    const r = rnd();
    if (r < 0.4) b[Math.floor(rnd() * b.length)] ^= 1 << Math.floor(rnd() * 8);
    else if (r < 0.6) {
      // A header field (§5.2) or a word in the structure block set to an edge value.
      const words = [0, 1, 2, 0xffffffff, 0x7fffffff, b.length, b.length + 4, 40, 9, 3];
      const at = rnd() < 0.5 ? 4 * Math.floor(rnd() * 10) : 4 * Math.floor(rnd() * (b.length / 4));
      if (at + 4 <= b.length) dv.setUint32(at, words[Math.floor(rnd() * words.length)], false);
    } else if (r < 0.8) return b.slice(0, Math.floor(rnd() * b.length));
    else b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
  }
  return b;
}

/** One DTB that compiled: decompiled (with and without labels), it compiles to the same bytes. */
function roundTrip(dtb: Uint8Array, where: string): void {
  for (const labels of [false, true]) {
    const text = decompileDtb(dtb, { labels });
    if (!text.ok) throw new Error(`${where}: a DTB we wrote does not decompile: ${text.error}`);
    const again = compileDts('/r/round.dts', text.value, { readFile: () => undefined });
    // A name DTS cannot spell was renamed (and said so): those bytes cannot come back.
    if (text.value.includes('/* renamed: ')) continue;
    if (!again.ok) throw new Error(`${where}: the decompiled text does not compile: ${again.errors[0].message}\n${text.value.slice(0, 2000)}`);
    if (again.dtb.length !== dtb.length || again.dtb.some((x, i) => x !== dtb[i])) throw new Error(`${where}: decompile + compile changed the bytes (labels ${labels})`);
  }
}

/** Checks one compilation's output; throws naming the case on anything malformed. */
function checkCompilation(main: string, fs: Map<string, string>, where: string, stats: DtsFuzzStats): void {
  const opts = { readFile: (p: string) => fs.get(p), includePaths: ['/inc'], symbols: main.length % 2 === 0 };
  const c = analyzeDts('/f/main.dts', main, opts);
  if (c.diagnostics.length > LIMITS.diagnostics) throw new Error(`${where}: ${c.diagnostics.length} diagnostics`);
  if (c.pp.text.length > LIMITS.outputChars) throw new Error(`${where}: preprocessed output of ${c.pp.text.length}`);
  for (const d of c.diagnostics) {
    const text = c.pp.files.get(d.range.file);
    if (typeof d.message !== 'string' || d.message === '') throw new Error(`${where}: empty diagnostic`);
    if (text !== undefined && !(d.range.start >= 0 && d.range.start <= d.range.end && d.range.end <= text.length)) {
      throw new Error(`${where}: diagnostic '${d.message}' range ${d.range.start}-${d.range.end} outside ${d.range.file} (${text.length})`);
    }
  }
  stats.diagnostics += c.diagnostics.length;
  const r = compileDts('/f/main.dts', main, opts);
  if (!r.ok) return;
  stats.compiled++;
  const parsed = parseDtb(r.dtb);
  if (!parsed.ok) throw new Error(`${where}: our DTB does not parse: ${parsed.error}`);
  // Overlays keep unresolved references as 0xffffffff fixups; the blob still round-trips.
  roundTrip(r.dtb, where);
  stats.roundTrips++;
}

export function fuzzDts(seed: number, cases: number): DtsFuzzStats {
  const rnd = prng(seed);
  const stats: DtsFuzzStats = { cases: 0, compiled: 0, roundTrips: 0, diagnostics: 0, slowestMs: 0, slowest: '' };
  const virt = decompileDtb(buildVirtFdt(defaultDescription()), { labels: true });
  const corpus = [...FIXTURES.map((f) => ({ text: f.text, files: f.files ?? {} })), { text: virt.ok ? virt.value : '', files: {} }];
  for (let i = 0; i < cases; i++) {
    const pick = corpus[Math.floor(rnd() * corpus.length)];
    const main = rnd() < 0.05 ? pick.text : mutateText(pick.text, rnd);
    const fs = files(main, rnd, pick.files);
    const where = `seed ${seed} case ${i}`;
    const t0 = Date.now();
    try { checkCompilation(main, fs, where, stats); } catch (e) {
      const what = (e as Error).message.startsWith(where) ? (e as Error).message : `${where}: ${(e as Error).stack}`;
      throw new Error(`${what}\n--- input ---\n${main.slice(0, 3000)}`);
    }
    const ms = Date.now() - t0;
    if (ms > stats.slowestMs) { stats.slowestMs = ms; stats.slowest = where; }
    stats.cases++;
  }
  return stats;
}

export interface DtbFuzzStats { cases: number; parsed: number; recompiled: number; slowestMs: number; slowest: string }

export function fuzzDtb(seed: number, cases: number): DtbFuzzStats {
  const rnd = prng(seed ^ 0x5bd1e995);
  const blobs: Uint8Array[] = [buildVirtFdt(defaultDescription())];
  for (const f of FIXTURES) {
    const r = compileDts(`/x/${f.name}.dts`, f.text, { readFile: (p) => f.files?.[p.replace(/^\/x\//, '')], symbols: f.symbols });
    if (r.ok) blobs.push(r.dtb);
  }
  const stats: DtbFuzzStats = { cases: 0, parsed: 0, recompiled: 0, slowestMs: 0, slowest: '' };
  for (let i = 0; i < cases; i++) {
    const blob = mutateBlob(blobs[Math.floor(rnd() * blobs.length)], rnd);
    const where = `seed ${seed} dtb case ${i}`;
    const t0 = Date.now();
    try {
      const parsed = parseDtb(blob);
      if (parsed.ok) {
        stats.parsed++;
        // A blob that parses decompiles; if that text compiles, its blob is a fixed point of the round trip.
        const text = decompileDtb(blob, { labels: rnd() < 0.5 });
        if (!text.ok) throw new Error(`${where}: parses but does not decompile: ${text.error}`);
        const again = compileDts('/r/d.dts', text.value, { readFile: () => undefined });
        if (again.ok) { roundTrip(again.dtb, where); stats.recompiled++; }
      }
    } catch (e) {
      if ((e as Error).message.startsWith(where)) throw e;
      throw new Error(`${where}: ${(e as Error).stack}\n--- blob ---\n${Buffer.from(blob).toString('hex').slice(0, 2000)}`);
    }
    const ms = Date.now() - t0;
    if (ms > stats.slowestMs) { stats.slowestMs = ms; stats.slowest = where; }
    stats.cases++;
  }
  return stats;
}
