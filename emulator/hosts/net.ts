/**
 * Node network backends for virtio-net: `socket` sends each frame as one UDP datagram
 * on loopback (like QEMU's `-netdev socket,udp=...,localaddr=...`) and `unix` over a
 * unix stream socket, so two emulators can talk; `pcap=FILE` captures every frame. Received datagrams go to the machine's input
 * queue, which stamps them and hands them to the device between quanta.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as fs from 'node:fs';
import { loopbackNetBackend, NetBackend, NetOption, pcapTap } from '../backends';
import { sideOutput } from './host-files';

export interface OpenNet {
  backend: NetBackend;
  /**
   * Resolves once the frames the guest sent have left for the host (at most DRAIN_MS): Node
   * sends a datagram, or writes a stream, after the call returns, and a guest that sends
   * and powers off in one slice would otherwise lose its last frames at exit.
   */
  drain(): Promise<void>;
  close(): void;
}

const DRAIN_MS = 1000;

/** Resolves when `done()` holds, checked on each event-loop turn, or after DRAIN_MS. */
async function until(done: () => boolean): Promise<void> {
  const end = Date.now() + DRAIN_MS;
  while (!done() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 1));
}

/** Open the backend a `--net` option names; an error message when it cannot be used. */
export async function openNet(n: NetOption): Promise<{ ok: true; value: OpenNet } | { ok: false; error: string }> {
  let backend: NetBackend;
  let drain = () => Promise.resolve();
  const closers: (() => void)[] = [];
  if (n.backend === 'loopback') {
    backend = loopbackNetBackend();
  } else if (n.backend === 'unix') {
    const r = await openUnixLink(n.path, n.listen);
    if (!r.ok) return r;
    backend = r.value.backend;
    drain = r.value.drain;
    closers.push(r.value.close);
  } else {
    const sock = dgram.createSocket('udp4');
    let deliver: ((frame: Uint8Array) => void) | null = null;
    sock.on('message', (msg) => deliver?.(new Uint8Array(msg)));
    const bound = await new Promise<string | null>((resolve) => {
      sock.once('error', (e) => resolve(e.message));
      sock.bind(n.local.port, n.local.host, () => resolve(null));
    });
    if (bound !== null) { sock.close(); return { ok: false, error: `--net socket: cannot listen on ${n.local.host}:${n.local.port}: ${bound}` }; }
    sock.on('error', () => undefined);
    let sending = 0;
    backend = {
      send: (frame) => { sending++; sock.send(frame, n.remote.port, n.remote.host, () => { sending--; }); },
      listen: (d) => { deliver = d; },
    };
    drain = () => until(() => sending === 0);
    closers.push(() => sock.close());
  }
  if (n.pcap !== undefined) {
    let fd: number;
    try { fd = fs.openSync(n.pcap, 'w'); } catch (e) { return { ok: false, error: `--net pcap: cannot write '${n.pcap}': ${(e as Error).message}` }; }
    const t0 = Date.now();
    const write = sideOutput(fd, `--net pcap ${n.pcap}`, (line) => process.stderr.write(`osdev-emu: ${line}\n`));
    backend = pcapTap(backend, write, () => (Date.now() - t0) * 1000);
    closers.push(() => fs.closeSync(fd));
  }
  return { ok: true, value: { backend, drain, close: () => { for (const c of closers) c(); } } };
}

/** Largest frame a unix link accepts (a jumbo frame); a bigger length prefix ends the link. */
const MAX_FRAME = 65536 + 14;

/**
 * `--net unix,path=P[,listen]`: Node has no unix datagram sockets, so frames go over a
 * unix stream socket, each after a 4-byte big-endian length, as QEMU's -netdev stream
 * frames them. The listening side takes one peer at a time; frames sent with no peer
 * connected are dropped, as on an unplugged cable.
 */
async function openUnixLink(file: string, listen: boolean): Promise<{ ok: true; value: OpenNet } | { ok: false; error: string }> {
  let peer: net.Socket | null = null;
  let deliver: ((frame: Uint8Array) => void) | null = null;
  const attach = (sock: net.Socket) => {
    peer = sock;
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 4) {
        const len = buf.readUInt32BE(0);
        if (len > MAX_FRAME) { sock.destroy(); return; }
        if (buf.length < 4 + len) break;
        deliver?.(new Uint8Array(buf.subarray(4, 4 + len)));
        buf = buf.subarray(4 + len);
      }
    });
    sock.on('close', () => { if (peer === sock) peer = null; });
    sock.on('error', () => undefined);
  };
  const backend: NetBackend = {
    send: (frame) => {
      if (peer === null) return;
      const head = Buffer.alloc(4);
      head.writeUInt32BE(frame.length);
      peer.write(Buffer.concat([head, frame]));
    },
    listen: (d) => { deliver = d; },
  };
  const drain = () => until(() => (peer as net.Socket | null) === null || (peer as net.Socket).writableLength === 0);
  if (!listen) {
    const sock = net.connect(file);
    const err = await new Promise<string | null>((resolve) => { sock.once('connect', () => resolve(null)); sock.once('error', (e) => resolve(e.message)); });
    if (err !== null) return { ok: false, error: `--net unix: cannot connect to '${file}': ${err} (is the other instance listening?)` };
    attach(sock);
    return { ok: true, value: { backend, drain, close: () => sock.destroy() } };
  }
  // A stale socket file from an earlier run is replaced; anything else at the path is the user's and stays.
  try {
    if (!fs.lstatSync(file).isSocket()) return { ok: false, error: `--net unix: '${file}' exists and is not a socket` };
    fs.unlinkSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return { ok: false, error: `--net unix: '${file}': ${(e as Error).message}` };
  }
  const server = net.createServer((sock) => { if (peer !== null) sock.destroy(); else attach(sock); });
  const err = await new Promise<string | null>((resolve) => { server.once('error', (e) => resolve(e.message)); server.listen(file, () => resolve(null)); });
  if (err !== null) return { ok: false, error: `--net unix: cannot listen on '${file}': ${err}` };
  return { ok: true, value: { backend, drain, close: () => { (peer as net.Socket | null)?.destroy(); server.close(); } } };
}
