/**
 * An example Remote-Port peer: a tiny DMA engine in its own process, for trying the
 * remote-port backend and for its tests. It behaves as the reference (Xilinx's
 * libremote-port and its TLM bridge) does where our emulator must cope with it:
 *
 * - Like the reference, it connects to ADDRESS and, when nobody listens there, listens
 *   there (printing `connected ADDRESS` or `listening ADDRESS`).
 * - It refuses (and drops the connection on) a READ or WRITE request whose `width` is not
 *   0, as the reference's TLM memory master asserts.
 * - Its registers decode the low address bits only, so absolute and relative addresses
 *   both reach them.
 * - Writing 1 to CMD arms a job that runs on its own shortly after the write is answered
 *   (not at a SYNC): it reads LEN bytes at SRC from guest memory (a peer-initiated READ),
 *   writes them back at DST with every byte inverted (XOR 0xFF), sets STATUS.DONE and
 *   raises interrupt line 0. Writing DONE to STATUS (W1C) lowers the line with an
 *   INTERRUPT sent right after the WRITE response, as the reference's wires do.
 *
 *   node out/emulator/hosts/remote-port-peer.js unix:/tmp/rp.sock [flags]
 *   node out/emulator/hosts/remote-port-peer.js tcp:127.0.0.1:0       (prints the port it got)
 *
 * It serves one connection. Fault injection, for tests: --malformed (answer accesses
 * with garbage), --oversized (answer with a header claiming a huge length),
 * --out-of-window (DMA 4 GiB above SRC/DST), --die-after N (drop the connection after
 * answering N accesses), --silent (answer the HELLO, then nothing).
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { DeviceModel, offsets } from '../devices/regmap';
import {
  BusPacket, BusStatus, busStatus, encodePacket, Framer, isResponse, MAX_DATA, Packet, PktFlag, RP_VERSION, withStatus,
} from '../devices/passthrough/remote-port-proto';
import { parseRemotePortAddress } from '../devices/passthrough/remote-port';

const REGISTERS = [
  { name: 'ID', offset: 0x00, width: 4, access: 'RO', reset: 0x52504431, doc: "Identification, 'RPD1'" },
  { name: 'CMD', offset: 0x04, width: 4, access: 'WO', reset: 0, doc: 'Write 1 to start a copy at the next SYNC' },
  { name: 'SRC', offset: 0x08, width: 4, access: 'RW', reset: 0, doc: 'Guest-physical source address' },
  { name: 'DST', offset: 0x0c, width: 4, access: 'RW', reset: 0, doc: 'Guest-physical destination address' },
  { name: 'LEN', offset: 0x10, width: 4, access: 'RW', reset: 0, doc: 'Bytes to copy (at most 64 KiB)' },
  {
    name: 'STATUS', offset: 0x14, width: 4, access: 'W1C', reset: 0, doc: 'Job status; DONE drives interrupt line 0',
    fields: [{ name: 'DONE', bits: [0, 0] }, { name: 'ERR', bits: [1, 1], doc: 'A DMA access failed' }],
  },
] as const;

export const EXAMPLE_PEER_MODEL: DeviceModel = {
  model: 'remote-port-example-dma',
  compatible: ['osdev-emulator,rp-example-dma'],
  doc: 'Example Remote-Port peer: copies LEN bytes from SRC to DST, inverted, then interrupts',
  size: 0x100,
  registers: REGISTERS,
};

const R = offsets(REGISTERS);
const ID_VALUE = REGISTERS[0].reset;
const STATUS_DONE = 1 << 0;
const STATUS_ERR = 1 << 1;
const CMD_START = 1;
/** Where --out-of-window points DMA: far above any window of a 32-bit SRC/DST. */
const OUT_OF_WINDOW_OFFSET = 0x1_0000_0000n;
/** How long after the start command the job begins: long enough to come after the emulator's answers, not at one of its SYNCs. */
const JOB_DELAY_MS = 2;

export interface PeerOptions {
  malformed?: boolean;
  oversized?: boolean;
  outOfWindow?: boolean;
  dieAfter?: number;
  silent?: boolean;
  log?: (line: string) => void;
}

export interface RunningPeer {
  /** The address it listens on (with the real port when tcp port 0 was asked for) or connected to. */
  address: string;
  /** Whether it connected to an emulator that listened, or listens for one. */
  role: 'connected' | 'listening';
  /** Settles when the one connection has ended: null, or why the peer aborted it. */
  done: Promise<string | null>;
  /** Stops listening and drops the connection. */
  close(): void;
}

/** One connection's device state and protocol handling. */
class PeerSession {
  private readonly framer = new Framer();
  private readonly inbox: Packet[] = [];
  private wake: (() => void) | null = null;
  private awaiting: { id: number; resolve: (p: BusPacket | null) => void } | null = null;
  private ended = false;
  /** Why the peer dropped the connection on purpose (a protocol violation, as the reference's asserts). */
  aborted: string | null = null;
  private nextId = 1;
  private accesses = 0;
  /** The emulator's time from its last packet: this peer has no clock of its own. */
  private time = 0n;
  private src = 0;
  private dst = 0;
  private len = 0;
  private status = 0;
  private armed = false;
  private irq = false;

  constructor(private readonly sock: net.Socket, private readonly opts: PeerOptions) {
    sock.on('data', (chunk: Buffer) => this.receive(new Uint8Array(chunk)));
    sock.on('close', () => this.end());
    sock.on('error', () => this.end());
    // §2: each side sends its HELLO; ours does not wait for theirs.
    this.send({ cmd: 'hello', id: this.takeId(), flags: 0, dev: 0, major: RP_VERSION.major, minor: RP_VERSION.minor, caps: [] });
  }

  async run(): Promise<void> {
    for (let p = await this.next(); p !== null; p = await this.next()) await this.serve(p);
  }

  private receive(chunk: Uint8Array): void {
    this.framer.push(chunk);
    for (let r = this.framer.next(); r !== null; r = this.framer.next()) {
      if (!r.ok) { this.log(`bad packet from the emulator: ${r.error}`); this.sock.destroy(); return; }
      const p = r.value;
      if ('timestamp' in p) this.time = p.timestamp;
      if (isResponse(p) && this.awaiting !== null && p.id === this.awaiting.id && (p.cmd === 'read' || p.cmd === 'write')) {
        const a = this.awaiting;
        this.awaiting = null;
        a.resolve(p);
      } else {
        this.inbox.push(p);
        this.wake?.();
      }
    }
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.awaiting?.resolve(null);
    this.awaiting = null;
    this.wake?.();
  }

  private async next(): Promise<Packet | null> {
    while (this.inbox.length === 0 && !this.ended) await new Promise<void>((resolve) => { this.wake = resolve; });
    this.wake = null;
    return this.inbox.shift() ?? null;
  }

  private async serve(p: Packet): Promise<void> {
    if (p.cmd === 'hello') {
      if (p.major !== RP_VERSION.major) { this.log(`emulator speaks Remote-Port ${p.major}.${p.minor}`); this.sock.destroy(); }
      return;
    }
    if (this.opts.silent || isResponse(p)) return;
    if (p.cmd === 'sync') {
      this.send({ cmd: 'sync', id: p.id, flags: PktFlag.RESPONSE, dev: p.dev, timestamp: this.time });
      return;
    }
    if (p.cmd !== 'read' && p.cmd !== 'write') return;
    if (p.width !== 0) {
      // The reference's TLM memory master asserts this and aborts.
      this.abort(`${p.cmd.toUpperCase()} request with width ${p.width}; the reference requires width 0`);
      return;
    }
    if (this.opts.malformed) {
      // Where a response belongs: command 0x5a5a5a5a (no such command) | length 4 | id | flags | dev || 4 bytes of noise.
      this.sock.write(Uint8Array.from([0x5a, 0x5a, 0x5a, 0x5a, 0, 0, 0, 4, 0, 0, 0, p.id & 0xff, 0, 0, 0, 2, 0, 0, 0, 0, 0x5a, 0x5a, 0x5a, 0x5a]));
      return;
    }
    if (this.opts.oversized) {
      // A READ header whose length field claims 2 GiB of payload.
      this.sock.write(Uint8Array.from([0, 0, 0, 3, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, p.id & 0xff, 0, 0, 0, 2, 0, 0, 0, 0]));
      return;
    }
    this.access(p);
    this.accesses++;
    if (this.opts.dieAfter !== undefined && this.accesses >= this.opts.dieAfter) {
      this.log(`dying after ${this.accesses} accesses`);
      this.sock.end(() => this.sock.destroy());
    }
  }

  /** The emulator's guest reads and writes our registers (32-bit, aligned). */
  private access(p: BusPacket): void {
    // Only the low address bits decode: absolute and relative addresses reach the same register.
    const off = Number(p.addr % BigInt(EXAMPLE_PEER_MODEL.size));
    let lower = false;
    let status: number = BusStatus.OK;
    let value = 0;
    if (p.len !== 4 || off % 4 !== 0) status = BusStatus.BUS_ERROR;
    else if (p.cmd === 'read') {
      switch (off) {
        case R.ID: value = ID_VALUE; break;
        case R.CMD: value = 0; break;
        case R.SRC: value = this.src; break;
        case R.DST: value = this.dst; break;
        case R.LEN: value = this.len; break;
        case R.STATUS: value = this.status; break;
        default: status = BusStatus.DECODE_ERROR;
      }
    } else {
      const v = new DataView(p.data.buffer, p.data.byteOffset, 4).getUint32(0, true);
      switch (off) {
        case R.ID: break;
        case R.CMD: if (v === CMD_START && !this.armed) { this.armed = true; setTimeout(() => void this.runJob(), JOB_DELAY_MS); } break;
        case R.SRC: this.src = v; break;
        case R.DST: this.dst = v; break;
        case R.LEN: this.len = v; break;
        case R.STATUS:
          this.status &= ~v;
          lower = (this.status & STATUS_DONE) === 0;
          break;
        default: status = BusStatus.DECODE_ERROR;
      }
    }
    const data = new Uint8Array(p.cmd === 'read' ? p.len : 0);
    if (p.cmd === 'read' && status === BusStatus.OK) new DataView(data.buffer).setUint32(0, value >>> 0, true);
    this.send({ ...p, flags: PktFlag.RESPONSE, timestamp: this.time, attributes: withStatus(p.attributes, status), data });
    // The wire follows the register after the response, in a packet of its own, as the reference's does.
    if (lower) this.setIrq(false);
  }

  /** The copy, on the peer's own time: read SRC, invert, write DST, then DONE and the interrupt. */
  private async runJob(): Promise<void> {
    if (this.ended) return;
    const shift = this.opts.outOfWindow ? OUT_OF_WINDOW_OFFSET : 0n;
    let ok = this.len <= MAX_DATA;
    if (ok && this.len > 0) {
      const got = await this.dma('read', BigInt(this.src) + shift, this.len, new Uint8Array(0));
      ok = got !== null && busStatus(got.attributes) === BusStatus.OK && got.data.length === this.len;
      if (ok && got !== null) {
        const out = got.data.map((b) => b ^ 0xff);
        const put = await this.dma('write', BigInt(this.dst) + shift, this.len, out);
        ok = put !== null && busStatus(put.attributes) === BusStatus.OK;
      }
    }
    this.armed = false;
    if (this.ended) return;
    this.status |= STATUS_DONE | (ok ? 0 : STATUS_ERR);
    this.setIrq(true);
  }

  private abort(why: string): void {
    this.aborted = why;
    this.log(why);
    this.sock.destroy();
  }

  private dma(cmd: 'read' | 'write', addr: bigint, len: number, data: Uint8Array): Promise<BusPacket | null> {
    const id = this.takeId();
    const p = new Promise<BusPacket | null>((resolve) => { this.awaiting = { id, resolve }; });
    this.send({ cmd, id, flags: 0, dev: 0, timestamp: this.time, attributes: 0, addr, len, width: 0, streamWidth: len, masterId: 0, data });
    return p;
  }

  private setIrq(high: boolean): void {
    if (this.irq === high) return;
    this.irq = high;
    this.send({ cmd: 'interrupt', id: this.takeId(), flags: 0, dev: 0, timestamp: this.time, vector: 0n, line: 0, val: high ? 1 : 0 });
  }

  private send(p: Packet): void {
    if (!this.ended && !this.sock.destroyed) this.sock.write(encodePacket(p));
  }

  private takeId(): number {
    const id = this.nextId;
    this.nextId = (this.nextId + 1) >>> 0 || 1;
    return id;
  }

  private log(line: string): void { this.opts.log?.(`rp-peer: ${line}`); }
}

/**
 * Connects to `address`, or when nobody listens there, listens there and serves the first
 * connection (the reference's way, so either side may start first). The promise settles
 * once connected or listening.
 */
export function startRemotePortPeer(address: string, opts: PeerOptions = {}): Promise<{ ok: true; value: RunningPeer } | { ok: false; error: string }> {
  const parsed = parseRemotePortAddress(address);
  if (!parsed.ok) return Promise.resolve(parsed);
  const a = parsed.value;
  return new Promise((resolve) => {
    let sock: net.Socket | null = null;
    let server: net.Server | null = null;
    let finished: (why: string | null) => void = () => undefined;
    const done = new Promise<string | null>((r) => { finished = r; });
    const close = () => { server?.close(); sock?.destroy(); if (sock === null) finished(null); };
    const serve = (s: net.Socket) => {
      sock = s;
      s.setNoDelay(true);
      const session = new PeerSession(s, opts);
      session.run().then(() => finished(session.aborted), () => finished(session.aborted));
    };
    const listen = () => {
      if (a.kind === 'unix') {
        // Connecting was refused, so a socket file there is stale; anything else is not ours to remove.
        try { if (fs.lstatSync(a.path).isSocket()) fs.unlinkSync(a.path); } catch { /* nothing there */ }
      }
      const srv = net.createServer((s) => { srv.close(); serve(s); }); // one connection only
      server = srv;
      srv.once('error', (e) => resolve({ ok: false, error: `rp-peer: cannot connect to or listen on ${address}: ${e.message}` }));
      const listening = (): void => {
        const info = srv.address();
        const shown = a.kind === 'tcp' && info !== null && typeof info === 'object' ? `tcp:127.0.0.1:${info.port}` : address;
        resolve({ ok: true, value: { address: shown, role: 'listening', done, close } });
      };
      if (a.kind === 'unix') srv.listen(a.path, listening);
      else srv.listen(a.port, a.host, listening);
    };
    const c = a.kind === 'unix' ? net.createConnection({ path: a.path }) : net.createConnection({ host: a.host, port: a.port });
    c.once('connect', () => {
      c.removeAllListeners('error');
      serve(c);
      resolve({ ok: true, value: { address, role: 'connected', done, close } });
    });
    c.once('error', (e: NodeJS.ErrnoException) => {
      c.destroy();
      if (e.code === 'ECONNREFUSED' || e.code === 'ENOENT' || e.code === 'EADDRNOTAVAIL') listen();
      else resolve({ ok: false, error: `rp-peer: cannot connect to ${address}: ${e.message}` });
    });
  });
}

/** Command line: ADDRESS [--malformed] [--oversized] [--out-of-window] [--die-after N] [--silent]. */
export function parsePeerArgs(args: readonly string[]): { address: string; opts: PeerOptions } | string {
  const opts: PeerOptions = {};
  let address: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--malformed') opts.malformed = true;
    else if (arg === '--oversized') opts.oversized = true;
    else if (arg === '--out-of-window') opts.outOfWindow = true;
    else if (arg === '--silent') opts.silent = true;
    else if (arg === '--die-after') {
      const n = Number(args[++i]);
      if (!Number.isInteger(n) || n < 0) return `--die-after needs a count, got '${args[i] ?? ''}'`;
      opts.dieAfter = n;
    } else if (arg.startsWith('--')) return `unknown flag '${arg}'`;
    else if (address === undefined) address = arg;
    else return `unexpected argument '${arg}'`;
  }
  if (address === undefined) return 'usage: rp-peer unix:PATH|tcp:127.0.0.1:PORT [--malformed] [--oversized] [--out-of-window] [--die-after N] [--silent]';
  return { address, opts };
}

/** `rp-peer` as a program: prints `listening ADDRESS` or `connected ADDRESS` once ready, exits when its connection ends (1 when it aborted it). */
export async function runPeerMain(args: readonly string[]): Promise<number> {
  const parsed = parsePeerArgs(args);
  if (typeof parsed === 'string') { process.stderr.write(`rp-peer: ${parsed}\n`); return 2; }
  const peer = await startRemotePortPeer(parsed.address, { ...parsed.opts, log: (l) => process.stderr.write(l + '\n') });
  if (!peer.ok) { process.stderr.write(peer.error + '\n'); return 1; }
  process.stdout.write(`${peer.value.role} ${peer.value.address}\n`);
  const aborted = await peer.value.done;
  return aborted === null ? 0 : 1;
}

if (require.main === module) void runPeerMain(process.argv.slice(2)).then((code) => { process.exitCode = code; });
