/**
 * The inline adapter wrapped so the extension can own data breakpoints of its own
 * (the Devices view's "Add Data Breakpoint" on a device register).
 *
 * Why a wrapper: VS Code 1.100's extension API cannot put a data breakpoint into the
 * Breakpoints view (vscode.debug.addBreakpoints carries source and function
 * breakpoints only), and every setDataBreakpoints VS Code sends replaces the adapter's
 * whole list. So each of VS Code's setDataBreakpoints gets the extension's watches
 * appended, and its answer is cut back to VS Code's own entries; a change to the
 * extension's watches sends the merged list itself and keeps the answer to itself.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
// Types only: the wrapper runs under `node --test` without VS Code (watching-adapter.test.ts).
import type * as vscode from 'vscode';

export interface RegisterWatch {
  /** "DEVICE.REGISTER", as dataBreakpointInfo took it. */
  name: string;
  dataId: string;
  accessType: DebugProtocol.DataBreakpointAccessType;
}

/** A setDataBreakpoints in flight: VS Code's (answer trimmed and passed on) or ours (answer kept). */
type Pending =
  | { from: 'vscode'; vscodeCount: number }
  | { from: 'extension'; vscodeCount: number; done: (answer: DebugProtocol.Breakpoint[] | Error) => void };

/**
 * Sequence numbers for our own requests: far above VS Code's, which count up from 1
 * per session, so the adapter's answers can be told apart by request_seq.
 */
const OWN_SEQ_START = 2 ** 40;

export class WatchingAdapter implements vscode.DebugAdapter {
  private listeners: ((m: vscode.DebugProtocolMessage) => void)[] = [];
  private readonly innerListener: vscode.Disposable;
  private vscodeList: DebugProtocol.DataBreakpoint[] = [];
  private watches: RegisterWatch[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextSeq = OWN_SEQ_START;

  readonly onDidSendMessage: vscode.Event<vscode.DebugProtocolMessage> = (listener, thisArg) => {
    const bound = (m: vscode.DebugProtocolMessage) => listener.call(thisArg, m);
    this.listeners.push(bound);
    return { dispose: () => { this.listeners = this.listeners.filter((l) => l !== bound); } };
  };

  constructor(private readonly inner: vscode.DebugAdapter) {
    this.innerListener = inner.onDidSendMessage((m) => this.fromAdapter(m as DebugProtocol.ProtocolMessage));
  }

  get registerWatches(): readonly RegisterWatch[] {
    return this.watches;
  }

  /**
   * Replace the extension's watches and tell the adapter at once; resolves with the
   * adapter's verdict on each of them (same order).
   */
  setWatches(watches: RegisterWatch[]): Promise<DebugProtocol.Breakpoint[]> {
    this.watches = [...watches];
    const seq = this.nextSeq++;
    const vscodeCount = this.vscodeList.length;
    const answer = new Promise<DebugProtocol.Breakpoint[] | Error>((done) => this.pending.set(seq, { from: 'extension', vscodeCount, done }));
    const request: DebugProtocol.SetDataBreakpointsRequest = {
      seq, type: 'request', command: 'setDataBreakpoints', arguments: { breakpoints: this.merged() },
    };
    this.inner.handleMessage(request);
    return answer.then((a) => {
      if (a instanceof Error) throw a;
      return a;
    });
  }

  handleMessage(message: vscode.DebugProtocolMessage): void {
    const m = message as DebugProtocol.ProtocolMessage;
    if (isSetDataBreakpoints(m)) {
      this.vscodeList = m.arguments.breakpoints;
      this.pending.set(m.seq, { from: 'vscode', vscodeCount: this.vscodeList.length });
      if (this.watches.length > 0) {
        this.inner.handleMessage({ ...m, arguments: { ...m.arguments, breakpoints: this.merged() } });
        return;
      }
    }
    this.inner.handleMessage(message);
  }

  dispose(): void {
    this.innerListener.dispose();
    this.listeners = [];
    for (const p of this.pending.values()) if (p.from === 'extension') p.done(new Error('the debug session ended'));
    this.pending.clear();
    this.inner.dispose();
  }

  private merged(): DebugProtocol.DataBreakpoint[] {
    return [...this.vscodeList, ...this.watches.map((w) => ({ dataId: w.dataId, accessType: w.accessType }))];
  }

  private fromAdapter(m: DebugProtocol.ProtocolMessage): void {
    const p = m.type === 'response' ? this.pending.get((m as DebugProtocol.Response).request_seq) : undefined;
    if (p === undefined) {
      this.send(m);
      return;
    }
    const response = m as DebugProtocol.SetDataBreakpointsResponse;
    this.pending.delete(response.request_seq);
    const all = response.success ? response.body.breakpoints : [];
    if (p.from === 'extension') {
      p.done(response.success ? all.slice(p.vscodeCount) : new Error(response.message ?? 'setDataBreakpoints failed'));
      return;
    }
    // VS Code matches the answer to its list by position: it must see only its own entries.
    this.send(response.success ? { ...response, body: { breakpoints: all.slice(0, p.vscodeCount) } } : response);
  }

  private send(m: DebugProtocol.ProtocolMessage): void {
    for (const l of this.listeners) {
      // As vscode.EventEmitter does: a listener's error must not reach the adapter, whose
      // request handler would turn it into an error answer shown to the user.
      try {
        l(m);
      } catch (e) {
        console.error('OS Dev: a debug message listener failed', e);
      }
    }
  }
}

function isSetDataBreakpoints(m: DebugProtocol.ProtocolMessage): m is DebugProtocol.SetDataBreakpointsRequest {
  return m.type === 'request' && (m as DebugProtocol.Request).command === 'setDataBreakpoints';
}
