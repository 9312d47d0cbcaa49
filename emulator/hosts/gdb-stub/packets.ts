/**
 * The GDB remote serial protocol's framing (GDB manual, "Overview" of the remote
 * protocol): `$payload#cs`, cs the modulo-256 sum of the payload bytes in two hex
 * digits; `+`/`-` acknowledge until no-ack mode; a lone 0x03 is an interrupt (Ctrl-C).
 * Everything a client sends is bounded: a payload longer than MAX_PACKET is dropped
 * whole and reported as such, so a broken or hostile client costs at most that much memory.
 */

/** The PacketSize we advertise (qSupported), in bytes of payload. */
export const PACKET_SIZE = 0x4000;
/** The longest payload accepted: room for an `X` packet of PACKET_SIZE escaped bytes and its header. */
export const MAX_PACKET = PACKET_SIZE * 2 + 64;

export type Incoming =
  | { kind: 'packet'; data: Uint8Array }
  | { kind: 'interrupt' }
  | { kind: 'ack' }
  | { kind: 'nack' }
  /** A packet whose checksum did not match its payload. */
  | { kind: 'bad-checksum' }
  /** A packet longer than MAX_PACKET (its bytes were dropped). */
  | { kind: 'too-long' };

const HEX = '0123456789abcdef';

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Splits a byte stream into packets, acks and interrupts, across any chunking. */
export class PacketReader {
  private state: 'idle' | 'data' | 'cs1' | 'cs2' = 'idle';
  private data = new Uint8Array(256);
  private length = 0;
  private sum = 0;
  private overflow = false;
  private cs = 0;

  push(chunk: Uint8Array): Incoming[] {
    const out: Incoming[] = [];
    for (const b of chunk) {
      switch (this.state) {
        case 'idle':
          // Anything else between packets (stray bytes, a `\n`) is noise and is skipped.
          if (b === 0x24) { this.state = 'data'; this.length = 0; this.sum = 0; this.overflow = false; }
          else if (b === 0x03) out.push({ kind: 'interrupt' });
          else if (b === 0x2b) out.push({ kind: 'ack' });
          else if (b === 0x2d) out.push({ kind: 'nack' });
          break;
        case 'data':
          if (b === 0x23) { this.state = 'cs1'; break; }
          // A `$` inside a packet restarts it: the client gave up on the one before.
          if (b === 0x24) { this.length = 0; this.sum = 0; this.overflow = false; break; }
          this.sum = (this.sum + b) & 0xff;
          if (this.length >= MAX_PACKET) { this.overflow = true; break; }
          if (this.length === this.data.length) {
            const grown = new Uint8Array(Math.min(MAX_PACKET, this.data.length * 2));
            grown.set(this.data);
            this.data = grown;
          }
          this.data[this.length++] = b;
          break;
        case 'cs1':
          this.cs = hexValue(b) << 4;
          this.state = 'cs2';
          break;
        case 'cs2': {
          this.state = 'idle';
          const lo = hexValue(b);
          if (this.overflow) out.push({ kind: 'too-long' });
          else if (this.cs < 0 || lo < 0 || (this.cs | lo) !== this.sum) out.push({ kind: 'bad-checksum' });
          else out.push({ kind: 'packet', data: this.data.slice(0, this.length) });
          break;
        }
      }
    }
    return out;
  }
}

/** `$payload#cs` with `$ # } *` escaped (0x7d, then the byte xor 0x20), so binary replies pass too. */
export function frame(payload: string | Uint8Array): Uint8Array {
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
  const out: number[] = [0x24];
  let sum = 0;
  const put = (b: number) => { out.push(b); sum = (sum + b) & 0xff; };
  for (const b of bytes) {
    if (b === 0x24 || b === 0x23 || b === 0x7d || b === 0x2a) { put(0x7d); put(b ^ 0x20); } else put(b);
  }
  out.push(0x23, HEX.charCodeAt(sum >> 4), HEX.charCodeAt(sum & 15));
  return Uint8Array.from(out);
}

/** Undoes the binary escaping of an `X` packet's data. */
export function unescapeBinary(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  let n = 0;
  for (let i = 0; i < data.length; i++) out[n++] = data[i] === 0x7d && i + 1 < data.length ? data[++i] ^ 0x20 : data[i];
  return out.slice(0, n);
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += HEX[b >> 4] + HEX[b & 15];
  return s;
}

/** Bytes from hex digits, or null when `text` is not an even run of them. */
export function fromHex(text: string): Uint8Array | null {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A hex number of at most 16 digits (an address, a length, a register number), or null. */
export function hexNumber(text: string): bigint | null {
  return /^[0-9a-fA-F]{1,16}$/.test(text) ? BigInt(`0x${text}`) : null;
}

/** A value as `bytes` little-endian bytes in hex (the order registers travel in for RISC-V). */
export function littleEndianHex(value: bigint, bytes: number): string {
  let s = '';
  let v = BigInt.asUintN(bytes * 8, value);
  for (let i = 0; i < bytes; i++) { const b = Number(v & 0xffn); s += HEX[b >> 4] + HEX[b & 15]; v >>= 8n; }
  return s;
}

export function fromLittleEndianHex(text: string): bigint | null {
  const bytes = fromHex(text);
  if (bytes === null || bytes.length === 0) return null;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return v;
}
