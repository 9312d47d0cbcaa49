/**
 * The `remote-port` passthrough backend: the slot's registers live in another process
 * (a SystemC model, a peer emulator, emulator/hosts/remote-port-peer.ts) reached over
 * Remote-Port 4.3 (remote-port-proto.ts). Everything here runs on the machine thread
 * and blocks on the channel; the channel (emulator/hosts/remote-port-link.ts, or a
 * scripted fake in tests) is the only thing that touches sockets.
 *
 * Determinism, in two parts:
 * - What the peer sends before it answers one of our requests belongs to that request
 *   and is handled inside it. Every guest access is followed by a SYNC sent with it
 *   (§8), so what the peer does in reaction to the access (a de-assert sent right
 *   after a WRITE response) lands before the guest's next instruction. For a peer
 *   that reacts only to what it is sent, this is the same on every run.
 * - What the peer sends between our requests, on its own (an interrupt, DMA, a SYNC),
 *   is read at every round boundary (`poll`) and posted to the machine's input queue,
 *   which stamps it, records it for --replay and hands it back through `deliver`.
 * - The peer's answer to each access is recorded too, as part of that wait. Without its
 *   peer (`ctx.peerless`: going back in a debug session, whose peer stays in the present;
 *   a replay file run with no peer) an access sends nothing: the wait's logged packets are
 *   handled as they come in the log and the logged answer is the access's.
 */
import { DeviceModel } from '../regmap';
import { PassthroughBackend, PassthroughContext } from './backend';
import {
  BusAttr, BusPacket, BusStatus, busStatus, decodePacket, encodePacket, Framer, isResponse, MAX_DATA, Packet,
  PktFlag, RP_VERSION, withStatus,
} from './remote-port-proto';
import { restoreFields, Saved, saveFields } from '../../snapshot/saved';

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
  /**
   * What address a guest access carries: the guest-physical address (`absolute`, as
   * Xilinx QEMU's memory master sends unless told `relative`) or the offset in the slot.
   */
  addresses?: 'absolute' | 'relative';
  /** Instructions of clock between SYNC exchanges (§8). */
  syncQuantum?: number;
  /** How long the peer may stay silent while we wait for an answer before it counts as lost. */
  timeoutMs?: number;
  /** The register map, when the user gave one (the Devices view reads it; the peer stays the authority). */
  model?: DeviceModel;
  /** false: there is no peer (a replay file run: the log answers for it while it lasts). */
  peer?: boolean;
}

/** The channel of a backend with no peer: nothing goes anywhere, nothing comes. */
export const NO_PEER: RemotePortChannel = { send: () => undefined, receive: () => 'timeout', close: () => undefined };

export const REMOTE_PORT_DEFAULTS = { syncQuantum: 100_000, timeoutMs: 5000, addresses: 'absolute' } as const;

/**
 * Packets the peer may send while we wait for one answer. Each DMA chunk is one packet,
 * so this is far above any honest device; it stops a peer that chatters forever from
 * holding the machine thread (the timeout only bounds silence).
 */
export const MAX_PACKETS_PER_WAIT = 65536;

/** Live packets kept while replaying, waiting for their logged twins. */
const MAX_HELD = 4096;

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
  private readonly relative: boolean;
  private nextId = 1;
  private helloDone = false;
  private lastSync = 0;
  private closed = false;
  private readonly noPeer: boolean;
  /** Waits for an answer so far: packets that came during one are recorded with its number. */
  private waits = 0;
  /** Replaying: packets from the live peer waiting for their logged twins. */
  private held: Packet[] = [];
  /** Replaying: the logged packets of the current wait not entered yet. */
  private due: Packet[] = [];
  /** Replaying: the peer's logged answer to the current wait's access. */
  private answer: BusPacket | null = null;

  constructor(private readonly channel: RemotePortChannel, options: RemotePortOptions) {
    this.dev = options.dev >>> 0;
    this.syncQuantum = Math.max(1, options.syncQuantum ?? REMOTE_PORT_DEFAULTS.syncQuantum);
    this.timeoutMs = options.timeoutMs ?? REMOTE_PORT_DEFAULTS.timeoutMs;
    this.relative = (options.addresses ?? REMOTE_PORT_DEFAULTS.addresses) === 'relative';
    this.model = options.model;
    this.noPeer = options.peer === false;
  }

  get failure(): string | null { return this.failed; }

  /**
   * Only our side of the session: the peer's state lives in another process, so a
   * restored machine needs the peer brought to the same point (machine-snapshot.ts names the slot).
   */
  saveState(): Saved { return saveFields(this, ['hi', 'nextId', 'lastSync', 'waits']); }
  restoreState(s: Saved): void { restoreFields(this, ['hi', 'nextId', 'lastSync', 'waits'], s); }

  /** §2: the session is up once HELLOs are exchanged; a later attach (backend switch) keeps the session. */
  attach(ctx: PassthroughContext): void {
    this.ctx = ctx;
    this.lastSync = ctx.now();
    if (this.helloDone || this.failed !== null || this.closed) return;
    // No peer to greet: the session's answers come from the log.
    if (ctx.peerless || this.noPeer) { this.takeId(); this.helloDone = true; return; } // the HELLO's id, as the recorded run took it
    this.send({ cmd: 'hello', id: this.takeId(), flags: 0, dev: this.dev, major: RP_VERSION.major, minor: RP_VERSION.minor, caps: [] });
    const hello = this.nextPacket(this.timeoutMs, 'HELLO');
    if (hello === null) return;
    if (hello.cmd !== 'hello') { this.fail('error', `expected HELLO, got ${describe(hello)}`); return; }
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

  /** The next SYNC: a guest waiting in WFI for the peer's interrupt lets time run to it. */
  nextDeadline(): number | undefined {
    if (!this.up()) return undefined;
    return this.lastSync + this.syncQuantum;
  }

  /** Between quanta: every quantum the peer learns our time (§8) and may act before it answers. */
  tick(): void {
    if (!this.up() || (this.ctx as PassthroughContext).now() - this.lastSync < this.syncQuantum) return;
    this.sync('SYNC');
  }

  /** A packet the peer sent on its own, back from the input queue (or from a replayed log). */
  deliver(packet: Uint8Array): void {
    if (!this.up()) return;
    const r = decodePacket(packet);
    if (!r.ok) { this.fail('error', `replayed packet: ${r.error}`); return; }
    if ((this.ctx as PassthroughContext).replaying) this.enterLogged(r.value);
    else this.handle(r.value);
  }

  /** Remote-Port 4.3 has no reset command: the peer keeps its state; our sync clock restarts. */
  reset(): void {
    if (this.ctx !== null) this.lastSync = this.ctx.now();
  }

  close(): void {
    this.closed = true;
    this.channel.close();
  }

  private up(): boolean {
    if (this.ctx !== null && this.noPeer && !this.ctx.peerless && this.failed === null) {
      this.fail('lost', 'no peer: the replay\'s recorded answers end here');
    }
    return this.ctx !== null && this.failed === null && !this.closed && this.helloDone;
  }

  // ---- requests we make ------------------------------------------------------------

  /**
   * One guest access as a bus request (§5, §6), with a SYNC behind it: the peer answers
   * the SYNC after whatever it does in reaction to the access, and all of that is handled
   * here, before the guest's next instruction. The response, or null when the access fails.
   */
  private access(cmd: 'read' | 'write', offset: number, size: number, data: Uint8Array): BusPacket | null {
    if (!this.up()) return null;
    const ctx = this.ctx as PassthroughContext;
    const id = this.takeId();
    const addr = BigInt(offset) + (this.relative ? 0n : BigInt(ctx.windowBase));
    const what = `${cmd.toUpperCase()} of ${size} bytes at offset 0x${offset.toString(16)}`;
    this.beginWait();
    // Width 0 and streaming width = length, as Xilinx QEMU's memory master sends (its TLM peer asserts width == 0).
    this.send({
      cmd, id, flags: 0, dev: this.dev, timestamp: this.timestamp(), attributes: 0, addr, len: size,
      width: 0, streamWidth: size, masterId: 0, data,
    });
    const syncId = this.sendSync();
    // Without the peer (nothing was sent), the log has what it answered.
    if (ctx.peerless) return this.answered(what, this.recordedAnswer(what, cmd, id));
    // Both answers, in whichever order they come.
    let resp: BusPacket | null = null, synced = false;
    while (resp === null || !synced) {
      const p = this.waitFor(resp === null ? what : `the SYNC after the ${what}`,
        (q) => (resp === null && q.cmd === cmd && isAnswer(q, id)) || (!synced && q.cmd === 'sync' && isAnswer(q, syncId)));
      if (p === null) return null;
      if (p.cmd === 'sync') synced = true; else resp = p as BusPacket;
    }
    if (!this.endWait()) return null;
    // The answer is outside input as much as what came with it: recorded, so a run without the peer has it.
    if (!ctx.replaying) ctx.entered(encodePacket(resp), this.waits);
    return this.answered(what, resp);
  }

  /** The access's outcome from the peer's answer: the response, or null (logged) when the peer refused it. */
  private answered(what: string, resp: BusPacket | null): BusPacket | null {
    if (resp === null) return null;
    const ctx = this.ctx as PassthroughContext;
    const status = busStatus(resp.attributes);
    if (status === BusStatus.OK) return resp;
    ctx.log(`${what}: peer answered ${status === BusStatus.DECODE_ERROR ? 'decode error' : 'bus error'}`);
    return null;
  }

  /** Sends a SYNC with our time; the sync timer restarts (the peer now knows our time). */
  private sendSync(): number {
    const id = this.takeId();
    this.lastSync = (this.ctx as PassthroughContext).now();
    this.send({ cmd: 'sync', id, flags: 0, dev: this.dev, timestamp: this.timestamp() });
    return id;
  }

  private sync(what: string): void {
    this.beginWait();
    const id = this.sendSync();
    // Without the peer: its SYNC answer carries only its time; what came with it is in the log.
    if ((this.ctx as PassthroughContext).peerless) { this.handleDue(); return; }
    if (this.waitFor(what, (p) => p.cmd === 'sync' && isAnswer(p, id)) !== null) this.endWait();
  }

  /**
   * Whatever the peer sent since we last looked, without waiting: its requests go to the
   * input queue (they enter at this round boundary, stamped); NOP and CFG are dropped.
   * Replaying, they wait for their logged twins instead.
   */
  poll(): void {
    if (!this.up()) return;
    const ctx = this.ctx as PassthroughContext;
    if (ctx.peerless) return; // what the peer did on its own comes from the log
    // Bounded work per boundary: a flooding peer cannot hold the machine here.
    for (let n = 0; n < MAX_PACKETS_PER_WAIT; n++) {
      const p = this.nextPacket(0, null);
      if (p === null) return;
      if (!this.isRequest(p)) continue;
      if (ctx.replaying) this.hold(p);
      else ctx.post(encodePacket(p));
    }
  }

  /**
   * Reads packets until one matches, handling the peer's own requests on the way.
   * null when the backend failed meanwhile (the failure says why).
   */
  private waitFor(what: string, match: (p: Packet) => boolean): Packet | null {
    for (let handled = 0; ;) {
      const p = this.nextPacket(this.timeoutMs, what);
      if (p === null) return null;
      if (match(p)) return p;
      if (++handled > MAX_PACKETS_PER_WAIT) {
        this.fail('error', `peer sent ${MAX_PACKETS_PER_WAIT} packets without answering ${what}`);
        return null;
      }
      if (this.isRequest(p)) this.inWait(p);
    }
  }

  /**
   * The next whole packet, waiting up to `timeoutMs` for bytes. null when none came in
   * time (a failure when we wait for an answer to `what`) or the backend failed.
   */
  private nextPacket(timeoutMs: number, what: string | null, silence = `no answer to ${what} within ${timeoutMs} ms`): Packet | null {
    while (this.failed === null) {
      const r = this.framer.next();
      if (r === null) {
        const chunk = this.channel.receive(timeoutMs);
        if (chunk === 'closed') this.fail('lost', `peer closed the connection${what !== null ? ` (waiting for ${what})` : ''}`);
        else if (chunk !== 'timeout') this.framer.push(chunk);
        else if (what === null) return null;
        else this.fail('lost', silence);
        continue;
      }
      if (!r.ok) { this.fail('error', r.error); return null; }
      return r.value;
    }
    return null;
  }

  /**
   * Whether `p` is a request from the peer for the machine (an interrupt, DMA, a SYNC).
   * Everything else is dropped here (NOP, CFG, responses to posted packets, §3.4) or
   * fails the backend (a response nobody asked for, a second HELLO).
   */
  private isRequest(p: Packet): boolean {
    if (isResponse(p)) {
      if ((p.flags & PktFlag.POSTED) === 0) this.fail('error', `unexpected ${describe(p)}`);
      return false;
    }
    if (p.cmd === 'hello') { this.fail('error', 'second HELLO after the session was up'); return false; }
    return p.cmd !== 'nop' && p.cmd !== 'cfg';
  }

  // ---- the peer's own packets and --record / --replay ------------------------------

  /** A new wait for an answer begins (counted, so a replay finds what entered during it). */
  private beginWait(): void {
    this.waits++;
    const ctx = this.ctx as PassthroughContext;
    if (!ctx.replaying) return;
    this.due = [];
    this.answer = null;
    for (const bytes of ctx.claim(this.waits)) {
      const r = decodePacket(bytes);
      if (!r.ok) { this.fail('error', `replayed packet: ${r.error}`); return; }
      // The answer to our access (a live peer sends its own again); the rest are the peer's requests.
      if (isResponse(r.value)) { if (r.value.cmd === 'read' || r.value.cmd === 'write') this.answer = r.value; }
      else this.due.push(r.value);
    }
  }

  /**
   * Without the peer: the wait's logged requests handled in log order, then its logged
   * answer to access `id`; null (the backend lost, saying why) when the log has none.
   */
  private recordedAnswer(what: string, cmd: 'read' | 'write', id: number): BusPacket | null {
    this.handleDue();
    const a = this.answer;
    this.answer = null;
    if (a !== null && a.cmd === cmd && a.id === id) return a;
    this.fail('lost', `no peer, and the recorded run has no answer to the ${what} (the run went another way, or its log predates recorded answers)`);
    return null;
  }

  private handleDue(): void {
    for (const p of this.due) this.handle(p);
    this.due = [];
  }

  /** A request of the peer's that came while we wait: handled now, and recorded as part of this wait. */
  private inWait(p: Packet): void {
    const ctx = this.ctx as PassthroughContext;
    if (!ctx.replaying) {
      this.handle(p);
      ctx.entered(encodePacket(p), this.waits);
      return;
    }
    this.hold(p);
    this.applyDue();
  }

  /** Replaying: the wait's logged packets whose twins have come enter, in log order. */
  private applyDue(): void {
    while (this.due.length > 0 && this.takeTwin(this.due[0])) this.handle(this.due.shift() as Packet);
  }

  /** Replaying, at the end of a wait: what the log says entered during it must have come from the peer by now. */
  private endWait(): boolean {
    while (this.failed === null && this.due.length > 0) {
      const logged = this.due.shift() as Packet;
      if (this.awaitTwin(logged)) this.handle(logged);
    }
    return this.failed === null;
  }

  /**
   * Replaying: the peer's packet `logged` enters now. The machine takes the logged
   * packet; its twin from the live peer (same command and id) is waited for first, so
   * the peer has got as far as in the recorded run, and it gets its answer now.
   */
  private enterLogged(logged: Packet): void {
    if ((this.ctx as PassthroughContext).peerless || this.awaitTwin(logged)) this.handle(logged);
  }

  private awaitTwin(logged: Packet): boolean {
    while (this.failed === null && !this.takeTwin(logged)) {
      const p = this.nextPacket(this.timeoutMs, `${describe(logged)} from the peer, as in the recorded run`,
        `replaying: the peer did not send ${describe(logged)} within ${this.timeoutMs} ms, as it did in the recorded run`);
      if (p !== null && this.isRequest(p)) this.hold(p);
    }
    return this.failed === null;
  }

  private takeTwin(logged: Packet): boolean {
    const i = this.held.findIndex((h) => h.cmd === logged.cmd && h.id === logged.id);
    if (i >= 0) this.held.splice(i, 1);
    return i >= 0;
  }

  /** Replaying: a live packet waits for its logged twin (a bounded number of them: the oldest go first). */
  private hold(p: Packet): void {
    this.held.push(p);
    if (this.held.length > MAX_HELD) this.held.shift();
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
    // A read response always carries `len` bytes, whatever its status, as the reference's do
    // (zeros when refused); only a length beyond what one packet may carry gets none.
    let data: Uint8Array = new Uint8Array(p.cmd === 'read' && p.len <= MAX_DATA ? p.len : 0);
    if (p.streamWidth !== 0 && p.streamWidth !== p.len) {
      // §5.2 streaming (wrapping) accesses model FIFOs; guest memory has none.
      status = BusStatus.BUS_ERROR;
      ctx.log(`${where}: streaming width ${p.streamWidth} is not supported`);
    } else if (p.cmd === 'read') {
      const got = p.len > MAX_DATA || addr === null ? null : ctx.dmaRead(addr, p.len);
      if (p.len > MAX_DATA) {
        status = BusStatus.BUS_ERROR;
        ctx.log(`${where}: more than ${MAX_DATA} bytes in one access`);
      } else if (got === null) {
        status = BusStatus.DECODE_ERROR;
        ctx.log(`${where}: outside the DMA window`);
      } else {
        data = got;
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
    // Without the peer, its requests are handled from the log and their answers go nowhere.
    if (this.failed === null && this.ctx?.peerless !== true) this.channel.send(encodePacket(p));
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
