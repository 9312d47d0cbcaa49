/**
 * Register values as the Devices view shows them and as the user types them.
 * No vscode import: plain functions, tested in register-value.test.ts.
 */

/** `0x0000_00ff`-style hex, zero-padded to the register width (bytes); wide values come as hex strings already. */
export function formatRegisterValue(value: number | string | null, widthBytes: number): string {
  if (value === null) return '—';
  if (typeof value === 'string') return value;
  return `0x${(value >>> 0).toString(16).padStart(widthBytes * 2, '0')}`;
}

/** A field's value in hex (or decimal for one bit), with its enum name when the map gives one. */
export function formatFieldValue(value: number, bits: readonly [number, number], text?: string): string {
  const shown = bits[0] === bits[1] ? String(value) : `0x${(value >>> 0).toString(16)}`;
  return text === undefined ? shown : `${shown} (${text})`;
}

/** The largest value `bitCount` bits hold (at most 32, the custom request carries a JSON number). */
export function maxValueForBits(bitCount: number): number {
  return bitCount >= 32 ? 0xffffffff : 2 ** bitCount - 1;
}

export type ParsedValue = { ok: true; value: number } | { ok: false; error: string };

/** Hex (0x), binary (0b), octal (0o) or decimal, `_` allowed as a separator; checked against `max`. */
export function parseRegisterValue(text: string, max: number): ParsedValue {
  const t = text.trim().replace(/_/g, '').toLowerCase();
  const shape = /^(0x[0-9a-f]+|0b[01]+|0o[0-7]+|[0-9]+)$/;
  if (!shape.test(t)) return { ok: false, error: 'Enter a number: 0x1f, 0b101, 0o17 or 31.' };
  // Number() reads 0x/0b/0o prefixes itself and stays exact below 2^53.
  const value = Number(t);
  if (!Number.isSafeInteger(value) || value > max) {
    return { ok: false, error: `Too large: at most 0x${max.toString(16)} (${max}).` };
  }
  return { ok: true, value };
}
