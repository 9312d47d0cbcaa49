/**
 * What the debug session's parts (breakpoints.ts, call-stacks.ts, disassembly.ts,
 * scopes.ts, evaluation.ts) see of the session: the machine, the debug info of the
 * program being debugged, and XLEN. The session owns them; a part reads them through this.
 */
import { WorkerRequestBody, WorkerResults } from '../emulator';
import { MachineClient } from './machine-client';
import { DebugInfo } from './debug-info';

/** What the parts ask the machine: the worker's typed requests (machine-client.ts). */
export interface MachineRequests {
  request<K extends WorkerRequestBody['type']>(body: Extract<WorkerRequestBody, { type: K }>): Promise<WorkerResults[K]>;
}

/** Answers requests for harts that are not the machine's (task-threads.ts: a guest task's saved context). */
export interface HartRouter {
  route<K extends WorkerRequestBody['type']>(client: MachineRequests, body: Extract<WorkerRequestBody, { type: K }>): Promise<WorkerResults[K]>;
}

export interface SessionContext {
  /** The running machine, or null before launch and after the end. */
  readonly client: MachineClient | null;
  /** The running machine (a guest task's thread answered from its saved context); an error in words when there is none. */
  machine(): MachineRequests;
  readonly debugInfo: DebugInfo;
  readonly xlen: 32 | 64;
}

/** An error a request answers with: its message is what the user sees. */
export class RequestError extends Error {}

/** An address a client sent (`0x80000000` or decimal); an error naming `what` otherwise. */
export function parseAddress(ref: string, what: string): bigint {
  const s = ref.trim();
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(s)) throw new RequestError(`${what} '${ref}' is not an address`);
  return BigInt(s);
}

/** Bytes read from the guest as one little-endian value (RISC-V is little-endian): the DWARF readers' one. */
export { littleEndian } from './dwarf-expr';

/** The state behind SessionContext: the session alone writes it. */
export class SessionState implements SessionContext {
  client: MachineClient | null = null;
  xlen: 32 | 64 = 64;
  router: HartRouter | null = null;
  private readonly routed: MachineRequests = {
    request: (body) => (this.router !== null ? this.router.route(this.machineClient(), body) : this.machineClient().request(body)),
  };

  constructor(public debugInfo: DebugInfo) {}

  machine(): MachineRequests {
    this.machineClient();
    return this.routed;
  }

  private machineClient(): MachineClient {
    if (this.client === null) throw new RequestError('the machine is not running (launch first)');
    return this.client;
  }
}
