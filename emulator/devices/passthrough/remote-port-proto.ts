/**
 * Remote-Port 4.3 packets: encode, decode and stream framing, with no I/O. Section
 * numbers are those of libsystemctlm-soc's docs/remote-port-proto.md. Every field is
 * big-endian (§3). Where the document's drawings leave byte positions open (the 16-bit
 * halves of the HELLO capability word and of master_id), we lay fields out as the
 * reference implementations do, which §1 names as authoritative: the first-declared
 * 16-bit field comes first on the wire.
 *
 * Decoding never throws: it returns a packet or an error naming the problem.
 */

export const RP_VERSION = { major: 4, minor: 3 } as const;

/** §3.1 Table 1. */
export const Cmd = {
  NOP: 0, HELLO: 1, CFG: 2, READ: 3, WRITE: 4, INTERRUPT: 5, SYNC: 6, ATS_REQUEST: 7, ATS_INVALIDATE: 8,
} as const;
const CMD_NAMES = ['NOP', 'HELLO', 'CFG', 'READ', 'WRITE', 'INTERRUPT', 'SYNC', 'ATS REQUEST', 'ATS INVALIDATE'];

/** §3.4 Table 2. */
export const PktFlag = { OPTIONAL: 0x1, RESPONSE: 0x2, POSTED: 0x4 } as const;

/** §4.3 Table 3. */
export const Capability = { BUSACCESS_EXT: 0x1, BYTE_ENABLE: 0x2, POSTED_WIRES: 0x3, ATS: 0x4 } as const;

/** §5.3 Table 4: attribute flags, bits 7:0. */
export const BusAttr = { EOP: 0x1, SECURE: 0x2, EXT_BASE: 0x4, PHYS_ADDR: 0x8 } as const;

/** §5.3 Table 5: response status, attributes bits 11:8. */
export const BusStatus = { OK: 0, BUS_ERROR: 1, DECODE_ERROR: 2 } as const;
const STATUS_SHIFT = 8;
const STATUS_MASK = 0xf;

/** §3 base header: command, length, id, flags, device (5 × 32 bits). */
export const HEADER_SIZE = 20;
/** §4: version, capabilities offset, capabilities length + reserved0. */
const HELLO_BODY = 12;
/** §5.2: timestamp, attributes, address (64 bits each), length, width, streaming width, master id (16 bits). */
export const BUS_BODY = 38;
/** §5.4: master_id_31_16 (16), master_id_63_32, data_offset, next_offset, byte_enable_offset, byte_enable_length. */
const BUS_EXT_BODY = BUS_BODY + 22;
/** §7: timestamp, vector (64 bits each), line (32), value (8). */
const INTERRUPT_BODY = 21;
/** §8: timestamp. */
const SYNC_BODY = 8;

/** The most data one bus access may carry; larger length fields are refused before buffering. */
export const MAX_DATA = 64 * 1024;
/** Bound on the header's length field: the largest bus access plus its data. */
export const MAX_PAYLOAD = BUS_EXT_BODY + MAX_DATA;

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

interface Base { id: number; flags: number; dev: number }

export interface HelloPacket extends Base { cmd: 'hello'; major: number; minor: number; caps: number[] }
/** §11: no CFG option is specified yet; the payload is kept as bytes. */
export interface CfgPacket extends Base { cmd: 'cfg'; payload: Uint8Array }
export interface NopPacket extends Base { cmd: 'nop' }
export interface BusPacket extends Base {
  cmd: 'read' | 'write';
  timestamp: bigint;
  /** Flags (Table 4) and, in responses, the status (Table 5); the reserved upper 32 bits are dropped. */
  attributes: number;
  addr: bigint;
  /** Bytes to read or write. */
  len: number;
  width: number;
  streamWidth: number;
  masterId: number;
  /** Write requests and read responses: `len` bytes. Otherwise empty. */
  data: Uint8Array;
}
export interface InterruptPacket extends Base { cmd: 'interrupt'; timestamp: bigint; vector: bigint; line: number; val: number }
export interface SyncPacket extends Base { cmd: 'sync'; timestamp: bigint }

export type Packet = HelloPacket | CfgPacket | NopPacket | BusPacket | InterruptPacket | SyncPacket;

export function isResponse(p: Packet): boolean { return (p.flags & PktFlag.RESPONSE) !== 0; }

/** The response status carried in a bus access's attributes. */
export function busStatus(attributes: number): number { return (attributes >>> STATUS_SHIFT) & STATUS_MASK; }

export function withStatus(attributes: number, status: number): number {
  return ((attributes & ~(STATUS_MASK << STATUS_SHIFT)) | ((status & STATUS_MASK) << STATUS_SHIFT)) >>> 0;
}

export function commandName(cmd: number): string {
  return CMD_NAMES[cmd] ?? `unknown command ${cmd}`;
}

/** Whether a bus packet carries data on the wire (§5.1, §6.1). */
function carriesData(p: { cmd: 'read' | 'write'; flags: number }): boolean {
  return (p.cmd === 'write') !== ((p.flags & PktFlag.RESPONSE) !== 0);
}

// ---- encode ------------------------------------------------------------------------

function header(v: DataView, cmd: number, bodyLen: number, p: Base): void {
  v.setUint32(0, cmd);
  v.setUint32(4, bodyLen);
  v.setUint32(8, p.id >>> 0);
  v.setUint32(12, p.flags >>> 0);
  v.setUint32(16, p.dev >>> 0);
}

/** The packet's bytes. Throws only on host bugs (data longer than MAX_DATA, a data length that disagrees with `len`). */
export function encodePacket(p: Packet): Uint8Array {
  switch (p.cmd) {
    case 'nop': {
      const out = new Uint8Array(HEADER_SIZE);
      header(new DataView(out.buffer), Cmd.NOP, 0, p);
      return out;
    }
    case 'hello': {
      const body = HELLO_BODY + 4 * p.caps.length;
      const out = new Uint8Array(HEADER_SIZE + body);
      const v = new DataView(out.buffer);
      header(v, Cmd.HELLO, body, p);
      v.setUint16(20, p.major);
      v.setUint16(22, p.minor);
      // §4.3: the offset counts from the start of the packet; the capabilities follow the HELLO header.
      v.setUint32(24, p.caps.length > 0 ? HEADER_SIZE + HELLO_BODY : 0);
      v.setUint16(28, p.caps.length);
      v.setUint16(30, 0);
      p.caps.forEach((c, i) => v.setUint32(HEADER_SIZE + HELLO_BODY + 4 * i, c >>> 0));
      return out;
    }
    case 'cfg': {
      const out = new Uint8Array(HEADER_SIZE + p.payload.length);
      header(new DataView(out.buffer), Cmd.CFG, p.payload.length, p);
      out.set(p.payload, HEADER_SIZE);
      return out;
    }
    case 'read':
    case 'write': {
      const dataLen = carriesData(p) ? p.len : 0;
      if (p.data.length !== dataLen || dataLen > MAX_DATA) {
        throw new Error(`remote-port: ${p.cmd} packet with ${p.data.length} data bytes, expected ${dataLen}`);
      }
      // We never advertise the extended format (§5.4), so we always send the 4.0 layout.
      const body = BUS_BODY + dataLen;
      const out = new Uint8Array(HEADER_SIZE + body);
      const v = new DataView(out.buffer);
      header(v, p.cmd === 'read' ? Cmd.READ : Cmd.WRITE, body, p);
      v.setBigUint64(20, BigInt.asUintN(64, p.timestamp));
      v.setUint32(28, 0);
      v.setUint32(32, (p.attributes & ~BusAttr.EXT_BASE) >>> 0);
      v.setBigUint64(36, BigInt.asUintN(64, p.addr));
      v.setUint32(44, p.len >>> 0);
      v.setUint32(48, p.width >>> 0);
      v.setUint32(52, p.streamWidth >>> 0);
      v.setUint16(56, p.masterId & 0xffff);
      out.set(p.data, HEADER_SIZE + BUS_BODY);
      return out;
    }
    case 'interrupt': {
      const out = new Uint8Array(HEADER_SIZE + INTERRUPT_BODY);
      const v = new DataView(out.buffer);
      header(v, Cmd.INTERRUPT, INTERRUPT_BODY, p);
      v.setBigUint64(20, BigInt.asUintN(64, p.timestamp));
      v.setBigUint64(28, BigInt.asUintN(64, p.vector));
      v.setUint32(36, p.line >>> 0);
      v.setUint8(40, p.val & 0xff);
      return out;
    }
    case 'sync': {
      const out = new Uint8Array(HEADER_SIZE + SYNC_BODY);
      const v = new DataView(out.buffer);
      header(v, Cmd.SYNC, SYNC_BODY, p);
      v.setBigUint64(20, BigInt.asUintN(64, p.timestamp));
      return out;
    }
  }
}

// ---- decode ------------------------------------------------------------------------

function short(what: string, have: number, need: number): { ok: false; error: string } {
  return { ok: false, error: `short ${what} packet: ${have} payload bytes, need ${need}` };
}

/**
 * One whole packet (header + exactly `length` payload bytes) into its fields. Extra
 * payload bytes after the known fields are ignored, as §4 allows for HELLO and as
 * later versions may add fields.
 */
export function decodePacket(bytes: Uint8Array): Result<Packet> {
  if (bytes.length < HEADER_SIZE) return { ok: false, error: `short packet: ${bytes.length} bytes, a header needs ${HEADER_SIZE}` };
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const cmd = v.getUint32(0);
  const len = v.getUint32(4);
  const base: Base = { id: v.getUint32(8), flags: v.getUint32(12), dev: v.getUint32(16) };
  if (len !== bytes.length - HEADER_SIZE) {
    return { ok: false, error: `length field says ${len} payload bytes, packet has ${bytes.length - HEADER_SIZE}` };
  }
  switch (cmd) {
    case Cmd.NOP: return { ok: true, value: { cmd: 'nop', ...base } };
    case Cmd.CFG: return { ok: true, value: { cmd: 'cfg', ...base, payload: bytes.slice(HEADER_SIZE) } };
    case Cmd.HELLO: return decodeHello(v, len, base);
    case Cmd.READ:
    case Cmd.WRITE: return decodeBus(bytes, v, len, base, cmd === Cmd.READ ? 'read' : 'write');
    case Cmd.INTERRUPT:
      if (len < INTERRUPT_BODY) return short('INTERRUPT', len, INTERRUPT_BODY);
      return {
        ok: true,
        value: {
          cmd: 'interrupt', ...base, timestamp: v.getBigUint64(20), vector: v.getBigUint64(28),
          line: v.getUint32(36), val: v.getUint8(40),
        },
      };
    case Cmd.SYNC:
      if (len < SYNC_BODY) return short('SYNC', len, SYNC_BODY);
      return { ok: true, value: { cmd: 'sync', ...base, timestamp: v.getBigUint64(20) } };
    case Cmd.ATS_REQUEST:
    case Cmd.ATS_INVALIDATE:
      // §9/§10: only after both sides advertise ATS, which we never do.
      return { ok: false, error: `${commandName(cmd)} packet, but ATS was not negotiated` };
    default:
      return { ok: false, error: `unknown command ${cmd}` };
  }
}

function decodeHello(v: DataView, len: number, base: Base): Result<Packet> {
  // §4.2: the version alone is enough; capabilities are optional.
  if (len < 4) return short('HELLO', len, 4);
  const major = v.getUint16(20);
  const minor = v.getUint16(22);
  const caps: number[] = [];
  if (len >= HELLO_BODY) {
    const offset = v.getUint32(24);
    const count = v.getUint16(28);
    const end = HEADER_SIZE + len;
    if (count > 0 && (offset < HEADER_SIZE + HELLO_BODY || offset + 4 * count > end)) {
      return { ok: false, error: `HELLO capabilities at ${offset} (${count} of them) lie outside the ${end}-byte packet` };
    }
    for (let i = 0; i < count; i++) caps.push(v.getUint32(offset + 4 * i));
  }
  return { ok: true, value: { cmd: 'hello', ...base, major, minor, caps } };
}

function decodeBus(bytes: Uint8Array, v: DataView, len: number, base: Base, cmd: 'read' | 'write'): Result<Packet> {
  const name = cmd.toUpperCase();
  if (len < BUS_BODY) return short(name, len, BUS_BODY);
  const attributes = v.getUint32(32);
  const count = v.getUint32(44);
  let masterId = v.getUint16(56);
  let dataAt = HEADER_SIZE + BUS_BODY;
  if (attributes & BusAttr.EXT_BASE) {
    // §5.4: a peer may use the extended layout; data sits at data_offset from the packet start.
    if (len < BUS_EXT_BODY) return short(`extended ${name}`, len, BUS_EXT_BODY);
    masterId = masterId | (v.getUint16(58) << 16);
    dataAt = v.getUint32(64);
    if (v.getUint32(76) !== 0) return { ok: false, error: `${name} packet with byte enables, which were not negotiated` };
  }
  const dataLen = carriesData({ cmd, flags: base.flags }) ? count : 0;
  if (dataLen > MAX_DATA) return { ok: false, error: `${name} packet with ${dataLen} data bytes, more than ${MAX_DATA}` };
  if (dataAt < HEADER_SIZE + BUS_BODY || dataAt + dataLen > bytes.length) {
    return { ok: false, error: `${name} packet: ${dataLen} data bytes at offset ${dataAt} overrun the ${bytes.length}-byte packet` };
  }
  return {
    ok: true,
    value: {
      cmd, ...base, timestamp: v.getBigUint64(20), attributes, addr: v.getBigUint64(36), len: count,
      width: v.getUint32(48), streamWidth: v.getUint32(52), masterId: masterId >>> 0,
      data: bytes.slice(dataAt, dataAt + dataLen),
    },
  };
}

// ---- framing -----------------------------------------------------------------------

/**
 * Cuts a byte stream into packets. Push chunks as they come; `next()` gives the next
 * whole packet, null when more bytes are needed, or an error. A length field above
 * MAX_PAYLOAD is refused before anything is buffered for it; after that the stream has
 * no trustworthy boundary, so the framer keeps answering the same error.
 */
export class Framer {
  private buf = new Uint8Array(4096);
  private start = 0;
  private end = 0;
  private broken: string | null = null;

  push(chunk: Uint8Array): void {
    if (this.broken !== null || chunk.length === 0) return;
    if (this.end + chunk.length > this.buf.length) {
      const live = this.end - this.start;
      if (live + chunk.length <= this.buf.length) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        const grown = new Uint8Array(2 * (live + chunk.length));
        grown.set(this.buf.subarray(this.start, this.end));
        this.buf = grown;
      }
      this.start = 0;
      this.end = live;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  /** Bytes buffered but not yet returned as a packet. */
  get pending(): number { return this.end - this.start; }

  next(): Result<Packet> | null {
    if (this.broken !== null) return { ok: false, error: this.broken };
    if (this.end - this.start < HEADER_SIZE) return null;
    const v = new DataView(this.buf.buffer, this.start, HEADER_SIZE);
    const len = v.getUint32(4);
    if (len > MAX_PAYLOAD) {
      const cmd = v.getUint32(0);
      this.broken = `oversized packet: length field ${len} (command ${cmd}) exceeds ${MAX_PAYLOAD}`;
      return { ok: false, error: this.broken };
    }
    const total = HEADER_SIZE + len;
    if (this.end - this.start < total) return null;
    const packet = this.buf.slice(this.start, this.start + total);
    this.start += total;
    if (this.start === this.end) this.start = this.end = 0;
    return decodePacket(packet);
  }
}
