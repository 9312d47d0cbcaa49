/**
 * The `remote-port` passthrough backend: the slot's registers live in another process
 * (a SystemC model, a peer emulator, emulator/hosts/remote-port-peer.ts) reached over
 * Remote-Port 4.3 (remote-port-proto.ts). Everything here runs on the machine thread
 * and blocks on the channel; the channel (emulator/hosts/remote-port-link.ts, or a
 * scripted fake in tests) is the only thing that touches sockets.
 *
 * Determinism: packets from the peer are handled only while we wait for an answer,
 * that is inside a guest access or inside the SYNC sent every `syncQuantum`
 * instructions of clock. A peer that acts only when asked (as §8's SYNC invites it to)
 * therefore sees and causes the same things at the same guest times on every run.
 */
import { DeviceModel } from '../regmap';
import { PassthroughBackend, PassthroughContext } from './backend';
import {
  BusAttr, BusPacket, BusStatus, busStatus, encodePacket, Framer, isResponse, MAX_DATA, Packet,
  PktFlag, RP_VERSION, withStatus,
} from './remote-port-proto';

/** A byte pipe to the peer. `receive` blocks; it is given bytes in whatever chunks the transport has. */
export interface RemotePortChannel {
  send(bytes: Uint8Array): void;
  /** The next bytes from the peer, or 'timeout' after `timeoutMs` without any, or 'closed' once the peer is gone and everything it sent was read. */
  receive(timeoutMs: number): Uint8Array | 'timeout' | 'closed';
  /** Idempotent. */
  close(): void;
}

export interface RemotePortOptions {
  /** The slot's Remote-Port device id (§3.5), put on every request we send. */
  dev: number;
  /** Instructions of clock between SYNC exchanges (§8). */
  syncQuantum?: number;
  /** How long the peer may stay silent while we wait for an answer before it counts as lost. */
  timeoutMs?: number;
  /** The register map, when the user gave one (the Devices view reads it; the peer stays the authority). */
  model?: DeviceModel;
}

export const REMOTE_PORT_DEFAULTS = { syncQuantum: 100_000, timeoutMs: 5000 } as const;

/**
 * Packets the peer may send while we wait for one answer. Each DMA chunk is one packet,
 * so this is far above any honest device; it stops a peer that chatters forever from
 * holding the machine thread (the timeout only bounds silence).
 */
export const MAX_PACKETS_PER_WAIT = 65536;

/** The guest-visible PLIC line is the peer's line 0; other lines have nowhere to go. */
const IRQ_LINE = 0;

export class RemotePortBackend implements PassthroughBackend {
  readonly kind = 'remote-port' as const;
  readonly model?: DeviceModel;
  hi = 0;
  private failed: string | null = null;
  private ctx: PassthroughContext | null = null;
  private readonly framer = new Framer();
  private readonly dev: number;
  private readonly syncQuantum: number;
  private readonly timeoutMs: number;
  private nextId = 1;
  private helloDone = false;
  private lastSync = 0;
  private closed = false;

  constructor(private readonly channel: RemotePortChannel, options: RemotePortOptions) {
    this.dev = options.dev >>> 0;
    this.syncQuantum = Math.max(1, options.syncQuantum ?? REMOTE_PORT_DEFAULTS.syncQuantum);
    this.timeoutMs = options.timeoutMs ?? REMOTE_PORT_DEFAULTS.timeoutMs;
    this.model = options.model;
  }

  get failure(): string | null { return this.failed; }

  /** §2: the session is up once HELLOs are exchanged; a later attach (backend switch) keeps the session. */
  attach(ctx: PassthroughContext): void {
    this.ctx = ctx;
    this.lastSync = ctx.now();
    if (this.helloDone || this.failed !== null || this.closed) return;
    this.send({ cmd: 'hello', id: this.takeId(), flags: 0, dev: this.dev, major: RP_VERSION.major, minor: RP_VERSION.minor, caps: [] });
    const hello = this.waitFor('HELLO', (p) => p.cmd === 'hello', false);
    if (hello === null || hello.cmd !== 'hello') return;
    // §1: versions within one major are meant to stay compatible; another major is another protocol.
    if (hello.major !== RP_VERSION.major) {
      this.fail('error', `peer speaks Remote-Port ${hello.major}.${hello.minor}, we speak ${RP_VERSION.major}.${RP_VERSION.minor}`);
      return;
    }
    this.helloDone = true;
  }

  read(offset: number, size: number): number | null {
    this.hi = 0;
    const resp = this.access('read', offset, size, new Uint8Array(0));
    if (resp === null) return null;
    if (resp.data.length !== size) {
      this.fail('error', `READ response with ${resp.data.length} data bytes for a ${size}-byte read`);
      return null;
    }
    // The guest bus is little-endian: data bytes are in address order.
    const v = new DataView(resp.data.buffer, resp.data.byteOffset, size);
    if (size === 8) this.hi = v.getInt32(4, true);
    return size === 1 ? v.getUint8(0) : size === 2 ? v.getUint16(0, true) : v.getUint32(0, true);
  }

  write(offset: number, size: number, lo: number, hi: number): boolean {
    const data = new Uint8Array(size);
    const v = new DataView(data.buffer);
    if (size === 1) v.setUint8(0, lo & 0xff);
    else if (size === 2) v.setUint16(0, lo & 0xffff, true);
    else v.setUint32(0, lo >>> 0, true);
    if (size === 8) v.setUint32(4, hi >>> 0, true);
    return this.access('write', offset, size, data) !== null;
  }

  /** Reading a remote register may have side effects, so nothing can be shown without asking. */
  peek(): undefined { return undefined; }

  /** §8: every quantum the peer learns our time and may act (DMA, interrupts) before it answers. */
  /** The next SYNC: a guest waiting in WFI for the peer's interrupt lets time run to it (the peer acts at SYNCs). */
  nextDeadline(): number | undefined {
    if (this.ctx === null || this.failed !== null || this.closed || !this.helloDone) return undefined;
    return this.lastSync + this.syncQuantum;
  }

  tick(): void {
    if (this.ctx === null || this.failed !== null || this.closed || !this.helloDone) return;
    const now = this.ctx.now();
    if (now - this.lastSync < this.syncQuantum) return;
    this.lastSync = now;
    const id = this.takeId();
    this.send({ cmd: 'sync', id, flags: 0, dev: this.dev, timestamp: this.timestamp() });
    this.waitFor('SYNC', (p) => p.cmd === 'sync' && isAnswer(p, id), true);
  }

  /** Remote-Port 4.3 has no reset command: the peer keeps its state; our sync clock restarts. */
  reset(): void {
    if (this.ctx !== null) this.lastSync = this.ctx.now();
  }

  close(): void {
    this.closed = true;
    this.channel.close();
  }

  // ---- requests we make ------------------------------------------------------------

  /** One guest access as a bus request (§5, §6); the response, or null when the access fails. */
  private access(cmd: 'read' | 'write', offset: number, size: number, data: Uint8Array): BusPacket | null {
    if (this.ctx === null || this.failed !== null || this.closed || !this.helloDone) return null;
    const id = this.takeId();
    this.send({
      cmd, id, flags: 0, dev: this.dev, timestamp: this.timestamp(), attributes: 0, addr: BigInt(offset), len: size,
      width: size, streamWidth: size, masterId: 0, data,
    });
    const what = `${cmd.toUpperCase()} of ${size} bytes at offset 0x${offset.toString(16)}`;
    const resp = this.waitFor(what, (p) => p.cmd === cmd && isAnswer(p, id), true);
    if (resp === null || resp.cmd !== cmd) return null;
    const status = busStatus(resp.attributes);
    if (status === BusStatus.OK) return resp;
    this.ctx.log(`${what}: peer answered ${status === BusStatus.DECODE_ERROR ? 'decode error' : 'bus error'}`);
    return null;
  }

  /**
   * Reads packets until one matches, handling the peer's own requests on the way.
   * null when the backend failed meanwhile (the failure says why).
   */
  private waitFor(what: string, match: (p: Packet) => boolean, sessionUp: boolean): Packet | null {
    for (let handled = 0; this.failed === null;) {
      const r = this.framer.next();
      if (r === null) {
        const chunk = this.channel.receive(this.timeoutMs);
        if (chunk === 'timeout') this.fail('lost', `no answer to ${what} within ${this.timeoutMs} ms`);
        else if (chunk === 'closed') this.fail('lost', `peer closed the connection (waiting for ${what})`);
        else this.framer.push(chunk);
        continue;
      }
      if (!r.ok) { this.fail('error', r.error); break; }
      if (match(r.value)) return r.value;
      if (!sessionUp) { this.fail('error', `expected HELLO, got ${describe(r.value)}`); break; }
      if (++handled > MAX_PACKETS_PER_WAIT) {
        this.fail('error', `peer sent ${MAX_PACKETS_PER_WAIT} packets without answering ${what}`);
        break;
      }
      this.handle(r.value);
    }
    return null;
  }

  // ---- requests the peer makes -----------------------------------------------------

  private handle(p: Packet): void {
    // §3.4: a response to a posted packet must be ignored.
    if (isResponse(p) && (p.flags & PktFlag.POSTED) !== 0) return;
    if (isResponse(p)) { this.fail('error', `unexpected ${describe(p)}`); return; }
    switch (p.cmd) {
      case 'nop':
      case 'cfg': // §11: no CFG option is defined; nothing to negotiate.
        return;
      case 'hello': this.fail('error', 'second HELLO after the session was up'); return;
      case 'interrupt':
        // §7: without the posted-wire capability (we advertise none) interrupts are posted: no response.
        if (p.line === IRQ_LINE) this.ctx?.setIrq(p.val !== 0);
        else this.ctx?.log(`peer drove interrupt line ${p.line}; only line ${IRQ_LINE} is wired`);
        return;
      case 'sync':
        this.send({ cmd: 'sync', id: p.id, flags: PktFlag.RESPONSE, dev: p.dev, timestamp: this.timestamp() });
        return;
      case 'read':
      case 'write':
        this.dma(p);
        return;
    }
  }

  /** A peer-initiated access is DMA into the slot's window; outside it the peer gets a decode error (§5.3). */
  private dma(p: BusPacket): void {
    const ctx = this.ctx;
    if (ctx === null) return;
    const addr = p.addr <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(p.addr) : null;
    const where = `DMA ${p.cmd} of ${p.len} bytes at 0x${p.addr.toString(16)}`;
    let status: number = BusStatus.OK;
    let data: Uint8Array = new Uint8Array(0);
    if (p.streamWidth !== 0 && p.streamWidth !== p.len) {
      // §5.2 streaming (wrapping) accesses model FIFOs; guest memory has none.
      status = BusStatus.BUS_ERROR;
      ctx.log(`${where}: streaming width ${p.streamWidth} is not supported`);
    } else if (p.cmd === 'read') {
      if (p.len > MAX_DATA) {
        status = BusStatus.BUS_ERROR;
        ctx.log(`${where}: more than ${MAX_DATA} bytes in one access`);
      } else {
        const got = addr === null ? null : ctx.dmaRead(addr, p.len);
        if (got === null) {
          status = BusStatus.DECODE_ERROR;
          ctx.log(`${where}: outside the DMA window`);
        }
        data = got ?? new Uint8Array(p.len);
      }
    } else if (addr === null || !ctx.dmaWrite(addr, p.data)) {
      status = BusStatus.DECODE_ERROR;
      ctx.log(`${where}: outside the DMA window`);
    }
    if ((p.flags & PktFlag.POSTED) !== 0) return;
    this.send({
      ...p, flags: p.flags | PktFlag.RESPONSE, timestamp: this.timestamp(),
      attributes: withStatus(p.attributes & ~BusAttr.EXT_BASE, status),
      len: p.cmd === 'read' ? data.length : p.len, data: p.cmd === 'read' ? data : new Uint8Array(0),
    });
  }

  // ---- helpers -----------------------------------------------------------------------

  private send(p: Packet): void {
    if (this.failed === null) this.channel.send(encodePacket(p));
  }

  private takeId(): number {
    const id = this.nextId;
    this.nextId = (this.nextId + 1) >>> 0 || 1;
    return id;
  }

  /** §5.2: our current time; guest nanoseconds, the same on every run. */
  private timestamp(): bigint {
    return BigInt(Math.max(0, Math.floor(this.ctx?.nowNs() ?? 0)));
  }

  private fail(kind: 'lost' | 'error', why: string): void {
    if (this.failed !== null) return;
    this.failed = `backend ${kind}: ${why}`;
    this.ctx?.log(this.failed);
    this.channel.close();
  }
}

/** A non-posted response to request `id`. */
function isAnswer(p: Packet, id: number): boolean {
  return isResponse(p) && (p.flags & PktFlag.POSTED) === 0 && p.id === id;
}

function describe(p: Packet): string {
  const kind = p.cmd === 'nop' ? 'NOP' : p.cmd.toUpperCase();
  return `${kind}${isResponse(p) ? ' response' : ''} (id ${p.id})`;
}

type AddressResult<T> = { ok: true; value: T } | { ok: false; error: string };

export type RemotePortAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

/** `unix:PATH` or `tcp:127.0.0.1:PORT`; other hosts are refused, since the protocol has no authentication. */
export function parseRemotePortAddress(text: string): AddressResult<RemotePortAddress> {
  if (text.startsWith('unix:')) {
    const p = text.slice(5);
    if (p === '') return { ok: false, error: `remote-port address '${text}': the socket path is empty` };
    return { ok: true, value: { kind: 'unix', path: p } };
  }
  const m = /^tcp:([^:]+):(\d+)$/.exec(text);
  if (m !== null) {
    const port = Number(m[2]);
    if (m[1] !== '127.0.0.1' && m[1] !== 'localhost') {
      return { ok: false, error: `remote-port address '${text}': only loopback (127.0.0.1) is allowed, the protocol has no authentication` };
    }
    if (port > 65535) return { ok: false, error: `remote-port address '${text}': port ${port} is out of range` };
    return { ok: true, value: { kind: 'tcp', host: '127.0.0.1', port } };
  }
  return { ok: false, error: `remote-port address '${text}': expected unix:PATH or tcp:127.0.0.1:PORT` };
}

export function formatRemotePortAddress(a: RemotePortAddress): string {
  return a.kind === 'unix' ? `unix:${a.path}` : `tcp:${a.host}:${a.port}`;
}
