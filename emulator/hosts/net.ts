/**
 * Node network backends for virtio-net: `socket` sends each frame as one UDP datagram
 * on loopback (like QEMU's `-netdev socket,udp=...,localaddr=...`), so two emulators can
 * talk; `pcap=FILE` captures every frame. Received datagrams go to the machine's input
 * queue, which stamps them and hands them to the device between quanta.
 */
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import { loopbackNetBackend, NetBackend, pcapTap } from '../backends';
import { NetOption } from './cli-options';

export interface OpenNet { backend: NetBackend; close(): void }

/** Open the backend a `--net` option names; an error message when it cannot be used. */
export async function openNet(n: NetOption): Promise<{ ok: true; value: OpenNet } | { ok: false; error: string }> {
  let backend: NetBackend;
  const closers: (() => void)[] = [];
  if (n.backend === 'loopback') {
    backend = loopbackNetBackend();
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
    backend = {
      send: (frame) => { sock.send(frame, n.remote.port, n.remote.host); },
      listen: (d) => { deliver = d; },
    };
    closers.push(() => sock.close());
  }
  if (n.pcap !== undefined) {
    let fd: number;
    try { fd = fs.openSync(n.pcap, 'w'); } catch (e) { return { ok: false, error: `--net pcap: cannot write '${n.pcap}': ${(e as Error).message}` }; }
    const t0 = Date.now();
    backend = pcapTap(backend, (b) => { fs.writeSync(fd, b); }, () => (Date.now() - t0) * 1000);
    closers.push(() => fs.closeSync(fd));
  }
  return { ok: true, value: { backend, close: () => { for (const c of closers) c(); } } };
}
