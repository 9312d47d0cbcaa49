/**
 * f0-f31 and fcsr in the Variables view, as gdb shows them on QEMU: each register a
 * union of its float and double readings with its raw bits (a hart with F but not D:
 * the float alone), numbers in C's %g with 9 (float) or 17 (double) significant digits,
 * NaNs with their payload. Set Value takes a number or raw bits (`0x…`).
 */
import { DebugProtocol } from '@vscode/debugprotocol';
import { FP_ABI_NAMES } from './disasm';
import { RequestError } from './session-context';

/** fcsr.frm (Unpriv §11.2), by value. */
const ROUNDING = ['rne', 'rtz', 'rdn', 'rup', 'rmm', 'reserved 5', 'reserved 6', 'dyn (invalid in frm)'];
/** fcsr.fflags, from bit 4 down. */
const FLAGS = ['NV', 'DZ', 'OF', 'UF', 'NX'];

/** The Floating point scope's rows: f0-f31 by ABI name, then fcsr decoded. */
export function floatRows(f: readonly bigint[], fcsr: number, hasD: boolean): DebugProtocol.Variable[] {
  return [
    ...f.map((raw, i) => ({
      name: FP_ABI_NAMES[i], value: floatRegisterText(raw, hasD), evaluateName: `$${FP_ABI_NAMES[i]}`, variablesReference: 0,
    })),
    { name: 'fcsr', value: fcsrText(fcsr), evaluateName: '$fcsr', variablesReference: 0, presentationHint: { attributes: ['readOnly'] } },
  ];
}

/** One register as gdb prints it: `{float = 1.5, double = -nan(0xfffff3fc00000)} (raw 0xffffffff3fc00000)`. */
export function floatRegisterText(raw: bigint, hasD: boolean): string {
  const single = gdbFloat(raw & 0xffffffffn, 32);
  if (!hasD) return `${single} (raw 0x${(raw & 0xffffffffn).toString(16).padStart(8, '0')})`;
  return `{float = ${single}, double = ${gdbFloat(raw, 64)}} (raw 0x${raw.toString(16).padStart(16, '0')})`;
}

/** fcsr in words: `0x00000021 (rm rtz; flags NX)`. */
export function fcsrText(fcsr: number): string {
  const flags = FLAGS.filter((_, i) => (fcsr >> (4 - i)) & 1);
  return `0x${fcsr.toString(16).padStart(8, '0')} (rm ${ROUNDING[(fcsr >> 5) & 7]}; flags ${flags.length > 0 ? flags.join(' ') : 'none'})`;
}

/** IEEE bits as C's printf("%.9g") / ("%.17g") prints them, NaN as gdb does (`nan(0x400000)`, `-nan(…)`). */
export function gdbFloat(bits: bigint, width: 32 | 64): string {
  const fracBits = width === 32 ? 23n : 52n;
  const expMask = width === 32 ? 0xffn : 0x7ffn;
  const negative = (bits >> BigInt(width - 1)) & 1n;
  const exp = (bits >> fracBits) & expMask;
  const frac = bits & ((1n << fracBits) - 1n);
  if (exp === expMask) {
    if (frac === 0n) return negative === 1n ? '-inf' : 'inf';
    return `${negative === 1n ? '-' : ''}nan(0x${payload(frac, Number(fracBits))})`;
  }
  const view = new DataView(new ArrayBuffer(8));
  let x: number;
  if (width === 32) { view.setUint32(0, Number(bits)); x = view.getFloat32(0); } else { view.setBigUint64(0, bits); x = view.getFloat64(0); }
  return formatG(x, width === 32 ? 9 : 17);
}

/** A NaN's payload as gdb writes it: the top (bits mod 32) bits unpadded, then 32-bit groups of 8 hex digits. */
function payload(frac: bigint, bits: number): string {
  const head = bits % 32 || 32;
  let text = (frac >> BigInt(bits - head)).toString(16);
  for (let at = bits - head - 32; at >= 0; at -= 32) text += ((frac >> BigInt(at)) & 0xffffffffn).toString(16).padStart(8, '0');
  return text;
}

/** C's %.Pg: P significant digits, exponent form below 1e-4 or from 10^P, trailing zeros dropped. */
function formatG(x: number, precision: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mantissa, e] = x.toExponential(precision - 1).split('e');
  const exponent = Number(e);
  const trim = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exponent < -4 || exponent >= precision) {
    return `${trim(mantissa)}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return trim(x.toFixed(precision - 1 - exponent));
}

/** Set Value's text as register bits: `0x…` as raw bits, else a number stored as a double (a float without D). */
export function floatBits(text: string, hasD: boolean): bigint {
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) {
    const raw = BigInt(t);
    if (raw >> (hasD ? 64n : 32n) !== 0n) throw new RequestError(`${t} has more than ${hasD ? 64 : 32} bits`);
    return raw;
  }
  const words = t.toLowerCase().replace(/^\+/, '');
  const x = words === 'inf' ? Infinity : words === '-inf' ? -Infinity : words === 'nan' ? NaN : /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/.test(words) ? Number(words) : undefined;
  if (x === undefined) throw new RequestError(`'${text}' is not a number (or raw bits as 0x…)`);
  const view = new DataView(new ArrayBuffer(8));
  if (hasD) { view.setFloat64(0, x); return view.getBigUint64(0); }
  view.setFloat32(0, x);
  return BigInt(view.getUint32(0));
}
