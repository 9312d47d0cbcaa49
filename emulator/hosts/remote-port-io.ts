/**
 * The I/O thread behind one remote-port link (dist/remote-port-io.js,
 * out/emulator/hosts/remote-port-io.js). It owns the socket: bytes from the peer go into
 * the shared ring and wake the machine thread; bytes to the peer arrive by message.
 * The layout and the protocol between the two threads are in remote-port-link.ts.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import { IO_LAYOUT, IoRequest, IoState, IoWorkerData } from './remote-port-link';
import { RemotePortAddress } from '../devices/passthrough/remote-port';

function isIoWorkerData(d: unknown): d is IoWorkerData {
  return typeof d === 'object' && d !== null && (d as { kind?: unknown }).kind === 'remote-port-io';
}

class IoThread {
  private readonly ctrl: Int32Array;
  private readonly msg: Uint8Array;
  private readonly ring: Uint8Array;
  private socket: net.Socket;
  /** Set once nobody answered our connect and we listen for the peer instead. */
  private server: net.Server | null = null;
  /** Received bytes that did not fit in the ring yet (the socket is paused meanwhile). */
  private backlog: Uint8Array[] = [];
  /** The socket closed; the machine thread hears of it once the backlog is in the ring. */
  private peerGone = false;

  constructor(private readonly port: MessagePort, data: IoWorkerData) {
    const { CONTROL_BYTES, MSG_BYTES, RING_BYTES } = IO_LAYOUT;
    this.ctrl = new Int32Array(data.shared, 0, CONTROL_BYTES / 4);
    this.msg = new Uint8Array(data.shared, CONTROL_BYTES, MSG_BYTES);
    this.ring = new Uint8Array(data.shared, CONTROL_BYTES + MSG_BYTES, RING_BYTES);
    this.socket = this.connect(data.address);
    port.on('message', (m: IoRequest) => this.handle(m));
  }

  /** As the reference and Xilinx QEMU do: connect, and when nobody listens there, listen there. */
  private connect(a: RemotePortAddress): net.Socket {
    const s = a.kind === 'unix' ? net.createConnection({ path: a.path }) : net.createConnection({ host: a.host, port: a.port });
    s.on('connect', () => { this.wire(s); this.setState(IoState.OPEN); });
    s.on('error', (e: NodeJS.ErrnoException) => {
      const nobody = e.code === 'ECONNREFUSED' || e.code === 'ENOENT';
      if (nobody && this.server === null && Atomics.load(this.ctrl, IO_LAYOUT.STATE) === IoState.CONNECTING) this.listen(a);
      else this.fail(e.message);
    });
    return s;
  }

  private listen(a: RemotePortAddress): void {
    if (a.kind === 'unix') {
      // A socket file nobody serves is stale (connecting was refused): replace it. Anything else is not ours to remove.
      try {
        if (!fs.lstatSync(a.path).isSocket()) { this.fail(`${a.path} exists and is not a socket`); return; }
        fs.unlinkSync(a.path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') { this.fail((e as Error).message); return; }
      }
    }
    const server = net.createServer((s) => {
      server.close(); // one peer per slot
      this.socket = s;
      s.on('error', (e) => this.fail(e.message));
      this.wire(s);
      this.setState(IoState.OPEN);
    });
    this.server = server;
    server.on('error', (e) => this.fail(`cannot listen there either: ${e.message}`));
    const listening = (): void => {
      const info = server.address();
      const shown = a.kind === 'tcp' && info !== null && typeof info === 'object' ? `tcp:127.0.0.1:${info.port}` : `unix:${a.kind === 'unix' ? a.path : ''}`;
      this.say(shown);
      this.setState(IoState.LISTENING);
    };
    if (a.kind === 'unix') server.listen(a.path, listening);
    else server.listen(a.port, a.host, listening);
  }

  /** The data path of a connected socket. */
  private wire(s: net.Socket): void {
    s.setNoDelay?.(true);
    s.on('data', (chunk: Buffer) => { this.backlog.push(new Uint8Array(chunk)); this.pump(); });
    s.on('close', () => { this.peerGone = true; this.pump(); });
  }

  private handle(m: IoRequest): void {
    switch (m.type) {
      case 'send': if (!this.socket.destroyed) this.socket.write(m.bytes); return;
      case 'resume': this.pump(); return;
      case 'close':
        // Let what was written reach the peer, then let this thread end.
        this.socket.end(() => this.socket.destroy());
        // A socket file we created goes with us (server.close removes it).
        this.server?.close();
        this.port.close();
        return;
    }
  }

  /** Moves the backlog into the ring as far as there is room; pauses the socket when there is none. */
  private pump(): void {
    const { WRITE, READ, PAUSED, RING_BYTES } = IO_LAYOUT;
    while (this.backlog.length > 0) {
      const w = Atomics.load(this.ctrl, WRITE);
      const room = RING_BYTES - ((w - Atomics.load(this.ctrl, READ)) >>> 0);
      if (room === 0) {
        Atomics.store(this.ctrl, PAUSED, 1);
        // The reader may have made room between our look and the flag; look again.
        if (RING_BYTES - ((w - Atomics.load(this.ctrl, READ)) >>> 0) === 0) { this.socket.pause(); return; }
        Atomics.store(this.ctrl, PAUSED, 0);
        continue;
      }
      const chunk = this.backlog[0];
      const n = Math.min(room, chunk.length);
      const at = (w >>> 0) % RING_BYTES;
      const first = Math.min(n, RING_BYTES - at);
      this.ring.set(chunk.subarray(0, first), at);
      if (first < n) this.ring.set(chunk.subarray(first, n), 0);
      if (n === chunk.length) this.backlog.shift();
      else this.backlog[0] = chunk.subarray(n);
      Atomics.store(this.ctrl, WRITE, (w + n) | 0);
      this.bump();
    }
    if (this.peerGone) this.setState(IoState.CLOSED);
    else if (this.socket.isPaused()) this.socket.resume();
  }

  /** A message for the machine thread: the address we listen on, or why we failed. */
  private say(text: string): void {
    const bytes = new TextEncoder().encode(text).subarray(0, this.msg.length);
    this.msg.set(bytes);
    Atomics.store(this.ctrl, IO_LAYOUT.MSG_LEN, bytes.length);
  }

  private fail(why: string): void {
    this.say(why);
    // Before the connection was up this is a connect failure; after, the peer is simply gone.
    const st = Atomics.load(this.ctrl, IO_LAYOUT.STATE);
    this.setState(st === IoState.CONNECTING || st === IoState.LISTENING ? IoState.FAILED : IoState.CLOSED);
  }

  private setState(s: number): void {
    const cur = Atomics.load(this.ctrl, IO_LAYOUT.STATE);
    if (cur === IoState.FAILED || cur === IoState.CLOSED) return;
    if (s === IoState.CLOSED && (cur === IoState.CONNECTING || cur === IoState.LISTENING)) {
      this.fail('connection closed before it was up');
      return;
    }
    Atomics.store(this.ctrl, IO_LAYOUT.STATE, s);
    this.bump();
  }

  private bump(): void {
    Atomics.add(this.ctrl, IO_LAYOUT.SEQ, 1);
    Atomics.notify(this.ctrl, IO_LAYOUT.SEQ);
  }
}

// Only when started as a link's I/O thread: this file may also be bundled into a worker that is something else.
if (parentPort !== null && isIoWorkerData(workerData)) new IoThread(parentPort, workerData);
