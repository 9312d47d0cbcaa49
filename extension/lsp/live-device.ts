/**
 * The client's half of the live-registers hover (live-registers.ts), for both language
 * clients (client.ts in Node, web/lsp-client.ts in a browser).
 */
import * as vscode from 'vscode';
import type { CustomRequestArgs, CustomRequestResult } from '../../debug-adapter';
import type { LiveRegistersResult } from './live-registers';

/**
 * The server's hover asks for the device at a base address: the active `osdev` session's
 * devices (`osdev/devices`, read without side effects), matched by base. No session → null.
 */
export async function liveDevice(address: string): Promise<LiveRegistersResult> {
  const session = vscode.debug.activeDebugSession;
  if (session === undefined || session.type !== 'osdev') return null;
  try {
    const args: CustomRequestArgs<'osdev/devices'> = {};
    const r = await session.customRequest('osdev/devices', args) as CustomRequestResult<'osdev/devices'>;
    const want = BigInt(address);
    return r.devices.find((d) => { try { return BigInt(d.base) === want; } catch { return false; } }) ?? null;
  } catch { return null; } // the session ended or is starting: the plain hover
}

