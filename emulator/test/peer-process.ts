/**
 * The example Remote-Port peer (emulator/hosts/remote-port-peer.ts) as a child process,
 * for tests: a peer in the test's own thread could not answer while the machine thread
 * blocks on it.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';

const PEER_SCRIPT = path.resolve(__dirname, '../hosts/remote-port-peer.js');

export interface Peer {
  child: ChildProcess;
  address: string;
  /** Whether the peer connected to us or listens for us (it tries to connect first, as the reference does). */
  role: 'connected' | 'listening';
  exited: Promise<number | null>;
}

/** Starts the example peer as a child process and waits for its `listening` line. */
export async function startPeer(address: string, ...flags: string[]): Promise<Peer> {
  const child = spawn(process.execPath, [PEER_SCRIPT, address, ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const [role, where] = await new Promise<['connected' | 'listening', string]>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^(listening|connected) (\S+)\n/.exec(out);
      if (m !== null) resolve([m[1] as 'connected' | 'listening', m[2]]);
    });
    child.on('exit', (code) => reject(new Error(`peer exited (${code}) before listening or connecting`)));
  });
  return { child, address: where, role, exited };
}

