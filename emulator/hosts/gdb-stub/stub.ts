/**
 * The GDB remote stub: one gdb at a time reads and writes the machine through the debug
 * surface the DAP adapter uses, and runs it through a StubTarget, which is its host's:
 * osdev-emu run --gdb, where gdb is the only debugger (alone.ts), or the machine worker
 * of a VS Code session with launch.json `gdbServer` (worker.ts), where gdb sits beside
 * the adapter and both see every stop. All-stop, as QEMU's stub: harts are threads
 * 1..N, a stop stops every hart, a step runs one hart by one instruction while the
 * others wait. Packets are answered between slices, never during one.
 */
import { Machine } from '../../machine/machine';
import { physical, readMemory, writeMemory } from '../../machine/debug-surface';
import { DebugStop } from '../../machine/debug-protocol';
import { Watch } from '../../hart/watchpoints';
import {
  frame, fromHex, hexNumber, Incoming, PACKET_SIZE, PacketReader, toHex, unescapeBinary,
} from './packets';
import { layoutOf, readCoreRegisters, readRegisterHex, RegisterLayout, writeCoreRegisters, writeRegisterHex } from './registers';
import { targetXml } from './target-xml';
import { runMonitor } from './monitor';

/**
 * The machine's run control as the stub's host gives it. The host tells the stub of
 * every stop and of the end through `stopped` and `exited`, whoever caused them.
 */
export interface StubTarget {
  running(): boolean;
  /** Every hart runs on (gdb's continue). */
  resume(): void;
  /** A running machine stops now, between slices (Ctrl-C, a gdb connecting); the host reports the stop. */
  stop(): void;
  /** One instruction on one hart, the others held; the host reports where it ended (or the end). */
  step(hart: number): void;
  /** gdb's own breakpoints and watchpoints (beside the adapter's, if any). */
  setBreakpoints(addresses: bigint[]): void;
  setWatchpoints(watches: Watch[]): void;
  /** gdb detached or its connection dropped (its breakpoints are gone already). */
  released(): void;
  /** gdb's `kill`. */
  kill(): void;
  /** Console bytes and traces a step made reach the user before gdb hears of the stop. */
  flush(): void;
  log(line: string): void;
  /** gdb wrote a register or memory (a replay file names such changes: it cannot repeat them). */
  changed?(what: 'register' | 'memory'): void;
  /**
   * gdb's reverse execution (`bs`, `bc`) over the session's history (issue 18): the stop
   * reached, reported as every stop is (`stopped`), or why not. Absent: no history (the
   * CLI's stub), and gdb is not offered reverse execution.
   */
  goBack?(how: 'step' | 'continue', hart: number): 'start' | string | null;
}

/** A connection: bytes out, and its end. */
export interface StubConnection {
  write(bytes: Uint8Array): void;
  end(): void;
}

/** Most data watchpoints at once (the debug protocol's own limit for the adapter). */
const MAX_WATCHES = 64;
/** The widest watchpoint: 64 KiB, past which gdb's own software watchpoints are the better tool. */
const MAX_WATCH_BYTES = 64 * 1024;
/** Bytes of memory one `m` answers: a reply of hex digits fits PacketSize. */
const MAX_READ = PACKET_SIZE / 2;
/**
 * gdb's watchpoint ids start here, far above the adapter's breakpoint ids (counted from 1),
 * so a watch stop says whose watchpoint it was.
 */
export const FIRST_GDB_WATCH_ID = 1 << 30;

interface GdbWatch { id: number; type: 2 | 3 | 4; address: bigint; length: number; pieces: Watch[] }

/** gdb's signal numbers in stop replies (gdb/signals.def): SIGINT for Ctrl-C, SIGTRAP for the rest. */
const SIGINT = 2, SIGTRAP = 5;

export class GdbStub {
  private conn: StubConnection | null = null;
  private reader = new PacketReader();
  private noAck = false;
  private lastSent: Uint8Array | null = null;
  /** gdb resumed the machine and waits for the stop reply (all-stop: nothing else may be sent it unasked). */
  private waiting = false;
  /** The stop awaited is one a `bs`/`bc` goes back to. */
  private goingBack = false;
  /** Hart of the `Hg` thread (registers, memory) and of the `Hc` thread (legacy `s`). */
  private gHart = 0;
  private cHart = 0;
  private lastStop: string;
  private readonly breakpoints = new Map<string, bigint>();
  private readonly watches = new Map<string, GdbWatch>();
  private nextWatchId = FIRST_GDB_WATCH_ID;
  private layoutCache: RegisterLayout | null = null;

  constructor(private readonly machine: Machine, private readonly target: StubTarget) {
    this.lastStop = this.stopReply(SIGTRAP, 0);
  }

  get connected(): boolean { return this.conn !== null; }

  /** A client connected: as QEMU, the machine stops for it. False when one is connected already. */
  attach(conn: StubConnection): boolean {
    if (this.conn !== null) return false;
    this.conn = conn;
    this.reader = new PacketReader();
    this.noAck = false;
    this.waiting = false;
    this.layoutCache = null;
    if (this.target.running()) this.target.stop();
    // Its first `?` hears of a trap where the machine stands, as from QEMU.
    this.lastStop = this.stopReply(SIGTRAP, this.gHart);
    return true;
  }

  /** The client went away without detaching: its breakpoints go. */
  disconnected(): void {
    if (this.conn === null) return;
    this.conn = null;
    this.release();
  }

  /**
   * The machine stopped, for whatever reason (gdb's breakpoint or step, or the adapter's):
   * gdb hears of it if it is waiting for a stop. A stop that is not gdb's own breakpoint
   * or watchpoint is a plain SIGTRAP to gdb (a pause, SIGINT).
   */
  stopped(stop: DebugStop): void {
    const w = stop.reason === 'watch' ? [...this.watches.values()].find((x) => x.id === stop.id) : undefined;
    // Going back, the start of history is reported as gdb knows it (reverse continue found no stop).
    const why = w !== undefined ? `${w.type === 2 ? 'watch' : w.type === 3 ? 'rwatch' : 'awatch'}:${w.address.toString(16)};`
      : this.goingBack && stop.reason === 'entry' ? 'replaylog:begin;' : '';
    this.goingBack = false;
    this.lastStop = this.stopReply(stop.reason === 'pause' ? SIGINT : SIGTRAP, stop.hart, why);
    if (!this.waiting) return;
    this.waiting = false;
    this.target.flush();
    this.gHart = this.cHart = stop.hart;
    this.send(this.lastStop);
  }

  /** The guest powered off: gdb hears the exit status if it waits for a stop, and the connection ends. */
  exited(code: number): void {
    if (this.waiting) this.send(`W${(code & 0xff).toString(16).padStart(2, '0')}`);
    this.waiting = false;
    this.close();
  }

  private stopReply(signal: number, hart: number, extra = ''): string {
    return `T${signal.toString(16).padStart(2, '0')}${extra}thread:${(hart + 1).toString(16)};`;
  }

  /** Bytes from the client. */
  receive(bytes: Uint8Array): void {
    for (const e of this.reader.push(bytes)) {
      if (this.conn === null) return; // a `k` or `D` ended the connection mid-chunk
      this.incoming(e);
    }
  }

  private incoming(e: Incoming): void {
    switch (e.kind) {
      case 'ack': return;
      case 'nack': if (this.lastSent !== null && !this.noAck) this.conn?.write(this.lastSent); return;
      case 'interrupt':
        // Only a running machine has anything to interrupt (QEMU ignores it otherwise too).
        if (this.target.running()) this.target.stop();
        return;
      case 'bad-checksum':
        // Ack mode's answer is a retransmit request; without acks, an error reply keeps the client from waiting.
        if (this.noAck) this.send('E01'); else this.conn?.write(Uint8Array.of(0x2d));
        return;
      case 'too-long':
        if (!this.noAck) this.conn?.write(Uint8Array.of(0x2b));
        this.send('E01');
        return;
      case 'packet': {
        if (!this.noAck) this.conn?.write(Uint8Array.of(0x2b));
        let reply: string | null;
        try {
          reply = this.command(e.data);
        } catch (err) {
          // A bug of ours must not end the session or the run: gdb gets an error for this packet.
          this.target.log(`gdb stub: internal error (a bug, please report) on '${Buffer.from(e.data.slice(0, 40)).toString('latin1')}': ${(err as Error).stack ?? String(err)}`);
          reply = 'E01';
        }
        if (reply !== null) this.send(reply);
      }
    }
  }

  private send(payload: string): void {
    if (this.conn === null) return;
    const f = frame(payload);
    this.lastSent = f;
    this.conn.write(f);
  }

  private get layout(): RegisterLayout {
    this.layoutCache ??= layoutOf(this.machine.harts[0]);
    return this.layoutCache;
  }

  /** The reply to one packet, or null when the reply comes later (a resume's stop). */
  private command(data: Uint8Array): string | null {
    const text = Buffer.from(data).toString('latin1');
    const m = this.machine;
    const h = m.harts[this.gHart];
    switch (text[0]) {
      case '?': return this.lastStop;
      case 'g': return readCoreRegisters(h);
      case 'G': this.target.changed?.('register'); return writeCoreRegisters(h, text.slice(1)) ? 'OK' : 'E01';
      case 'p': {
        const n = hexNumber(text.slice(1));
        if (n === null) return 'E01';
        return readRegisterHex(h, this.layout, Number(n)) ?? 'E14';
      }
      case 'P': {
        const [num, value] = text.slice(1).split('=');
        const n = hexNumber(num);
        if (n === null || value === undefined) return 'E01';
        this.target.changed?.('register');
        return writeRegisterHex(h, this.layout, Number(n), value) ? 'OK' : 'E01';
      }
      case 'm': {
        const r = this.addressLength(text.slice(1));
        if (r === null) return 'E01';
        const got = readMemory(m, h, r.address, Math.min(r.length, MAX_READ), false);
        // A short read is fine (gdb asks again for the rest); nothing readable is an error.
        return got.bytes.length > 0 || r.length === 0 ? toHex(got.bytes) : 'E14';
      }
      case 'M': {
        const colon = text.indexOf(':');
        const r = colon < 0 ? null : this.addressLength(text.slice(1, colon));
        const bytes = colon < 0 ? null : fromHex(text.slice(colon + 1));
        if (r === null || bytes === null || bytes.length !== r.length) return 'E01';
        this.target.changed?.('memory');
        return writeMemory(m, h, r.address, bytes, false) === bytes.length ? 'OK' : 'E14';
      }
      case 'X': {
        const colon = data.indexOf(0x3a);
        const r = colon < 0 ? null : this.addressLength(text.slice(1, colon));
        if (r === null) return 'E01';
        const bytes = unescapeBinary(data.subarray(colon + 1));
        if (bytes.length !== r.length) return 'E01';
        if (bytes.length > 0) this.target.changed?.('memory');
        return writeMemory(m, h, r.address, bytes, false) === bytes.length ? 'OK' : 'E14';
      }
      case 'Z': case 'z': return this.breakpoint(text[0] === 'Z', text.slice(1));
      case 'H': {
        const t = this.thread(text.slice(2));
        if (t === undefined || (text[1] !== 'g' && text[1] !== 'c')) return 'E01';
        if (t >= 0) { if (text[1] === 'g') this.gHart = t; else this.cHart = t; }
        return 'OK';
      }
      case 'T': { const t = this.thread(text.slice(1)); return t !== undefined && t >= 0 ? 'OK' : 'E01'; }
      case 'c': case 'C': return this.resume(undefined);
      case 's': case 'S': return this.resume(this.cHart);
      case 'D': this.send('OK'); this.close(); this.release(); return null;
      case 'k': this.kill(); return null;
      case 'v': return this.vPacket(text);
      case 'b': return text === 'bs' || text === 'bc' ? this.back(text === 'bs' ? 'step' : 'continue') : '';
      case 'q': case 'Q': return this.query(text);
      default: return '';
    }
  }

  /** `ADDR,LENGTH` in hex; null when malformed or the length is absurd. */
  private addressLength(text: string): { address: bigint; length: number } | null {
    const [a, l] = text.split(',');
    const address = hexNumber(a ?? ''), length = hexNumber(l ?? '');
    if (address === null || length === null || length > BigInt(PACKET_SIZE * 4)) return null;
    return { address, length: Number(length) };
  }

  /** A thread id: hart index, -1 for "all" or 0 for "any" (both leave the choice as it is); undefined when no such thread. */
  private thread(text: string): number | undefined {
    if (text === '-1' || text === '0') return -1;
    const n = hexNumber(text);
    return n !== null && n >= 1n && n <= BigInt(this.machine.harts.length) ? Number(n) - 1 : undefined;
  }

  private vPacket(text: string): string | null {
    if (text === 'vCont?') return 'vCont;c;C;s;S';
    if (text.startsWith('vCont;')) {
      let step: number | undefined;
      let go = false;
      for (const action of text.slice(6).split(';')) {
        const [what, tid] = action.split(':');
        const t = tid === undefined ? -1 : this.thread(tid);
        if (t === undefined || !/^([cs]|[CS][0-9a-fA-F]{2})$/.test(what)) return 'E01';
        if (what[0].toLowerCase() === 's') step ??= t >= 0 ? t : this.cHart;
        else go = true;
      }
      if (step === undefined && !go) return 'E01';
      return this.resume(step);
    }
    if (text.startsWith('vKill')) { this.send('OK'); this.kill(); return null; }
    return ''; // vMustReplyEmpty, vFile, vRun...: not offered
  }

  /** Continue every hart (step undefined), or step one hart by one instruction: the reply is the stop that follows. */
  private resume(step: number | undefined): string | null {
    this.waiting = true;
    if (step === undefined) this.target.resume(); else this.target.step(step);
    return null;
  }

  /**
   * Reverse step or continue: the reply is the stop it reaches; at the start of history,
   * gdb's `replaylog:begin` stop (it says "No more reverse-execution history").
   */
  private back(how: 'step' | 'continue'): string | null {
    if (this.target.goBack === undefined) return '';
    if (this.target.running()) return 'E01';
    this.waiting = true;
    this.goingBack = true;
    const error = this.target.goBack(how, this.cHart);
    if (error === null) return null;
    this.waiting = this.goingBack = false;
    if (error === 'start') return this.lastStop = this.stopReply(SIGTRAP, this.cHart, 'replaylog:begin;');
    this.target.log(`gdb: ${error}`);
    return 'E01';
  }

  private query(text: string): string | null {
    const [name] = text.split(/[:,;]/);
    switch (name) {
      case 'qSupported': return `PacketSize=${PACKET_SIZE.toString(16)};qXfer:features:read+;vContSupported+;QStartNoAckMode+${this.target.goBack !== undefined ? ';ReverseStep+;ReverseContinue+' : ''}`;
      case 'QStartNoAckMode':
        // The OK still travels in ack mode; everything after it does not.
        this.send('OK');
        this.noAck = true;
        return null;
      case 'qAttached': return '1';
      case 'qOffsets': return '';
      case 'qC': return `QC${(this.gHart + 1).toString(16)}`;
      case 'qfThreadInfo': return `m${this.machine.harts.map((x) => (x.id + 1).toString(16)).join(',')}`;
      case 'qsThreadInfo': return 'l';
      case 'qThreadExtraInfo': {
        const t = this.thread(text.slice('qThreadExtraInfo,'.length));
        if (t === undefined || t < 0) return 'E01';
        const x = this.machine.harts[t];
        return toHex(Buffer.from(`hart ${x.id}, ${['U', 'S', '?', 'M'][x.priv]}-mode${x.wfi ? ', wfi' : ''}`));
      }
      case 'qXfer': return this.xfer(text);
      case 'qRcmd': {
        const bytes = fromHex(text.slice('qRcmd,'.length));
        if (bytes === null) return 'E01';
        const out = runMonitor(Buffer.from(bytes).toString('utf8'), this.machine, this.gHart) + '\n';
        const hex = toHex(Buffer.from(out, 'utf8'));
        for (let i = 0; i < hex.length; i += PACKET_SIZE - 2) this.send(`O${hex.slice(i, i + PACKET_SIZE - 2)}`);
        return 'OK';
      }
      case 'qSymbol': return 'OK';
      default: return '';
    }
  }

  /** qXfer:features:read:ANNEX:OFFSET,LENGTH: the description in pieces, `m` more to come, `l` the last. */
  private xfer(text: string): string {
    const m = /^qXfer:features:read:([^:]*):([0-9a-fA-F]{1,8}),([0-9a-fA-F]{1,8})$/.exec(text);
    if (m === null) return text.startsWith('qXfer:features:read:') ? 'E01' : '';
    if (m[1] !== 'target.xml') return 'E00';
    const xml = targetXml(this.layout);
    const offset = parseInt(m[2], 16), length = Math.min(parseInt(m[3], 16), PACKET_SIZE - 16);
    if (offset > xml.length) return 'E01';
    const piece = xml.slice(offset, offset + length);
    return (offset + length >= xml.length ? 'l' : 'm') + piece;
  }

  private breakpoint(insert: boolean, text: string): string {
    const [typeText, addrText, kindText] = text.split(',');
    const type = Number(typeText);
    const address = hexNumber(addrText ?? ''), kind = hexNumber(kindText ?? '');
    if (!/^[0-4]$/.test(typeText) || address === null || kind === null) return 'E01';
    const key = `${type}:${address.toString(16)}:${kind.toString(16)}`;
    if (type <= 1) {
      if (insert) this.breakpoints.set(key, address); else this.breakpoints.delete(key);
      this.target.setBreakpoints([...this.breakpoints.values()]);
      return 'OK';
    }
    if (!insert) {
      this.watches.delete(key);
      this.syncWatches();
      return 'OK';
    }
    const length = Number(kind);
    if (length < 1 || length > MAX_WATCH_BYTES || this.watches.size >= MAX_WATCHES) return 'E01';
    const pieces = this.watchPieces(address, length, type as 2 | 3 | 4);
    if (pieces === null) return 'E14';
    this.watches.set(key, { id: pieces[0].id, type: type as 2 | 3 | 4, address, length, pieces });
    this.syncWatches();
    return 'OK';
  }

  /**
   * The physical ranges behind a virtual range, page by page, through the `Hg` hart's
   * translation now (as the Devices view's data breakpoints do): RAM and device registers alike.
   */
  private watchPieces(address: bigint, length: number, type: 2 | 3 | 4): Watch[] | null {
    const id = this.nextWatchId++;
    const h = this.machine.harts[this.gHart];
    const pieces: Watch[] = [];
    for (let done = 0; done < length;) {
      const at = address + BigInt(done);
      const n = Math.min(length - done, 4096 - Number(at & 0xfffn));
      const pa = physical(this.machine, h, at, false, type === 2 ? 1 : 0);
      if (pa < 0) return null;
      pieces.push({ id, base: pa, size: n, read: type !== 2, write: type !== 3 });
      done += n;
    }
    return pieces;
  }

  private syncWatches(): void {
    this.target.setWatchpoints([...this.watches.values()].flatMap((w) => w.pieces));
  }

  /** gdb's breakpoints and watchpoints go (detach, a lost connection); the host decides whether the machine runs on. */
  private release(): void {
    this.breakpoints.clear();
    this.watches.clear();
    this.target.setBreakpoints([]);
    this.syncWatches();
    this.waiting = false;
    this.target.released();
  }

  private kill(): void {
    this.close();
    this.target.kill();
  }

  private close(): void {
    const c = this.conn;
    this.conn = null;
    c?.end();
  }
}
