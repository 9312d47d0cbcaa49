/**
 * The extension's one link to an `osdev` debug session: typed custom requests and
 * events (debug-adapter/custom-requests.ts), and whether each session is running or
 * paused, learnt from the DAP messages the adapter sends. The Devices view, console
 * terminal, status bar and trace all listen here instead of each wiring VS Code's
 * debug events themselves.
 */
import * as vscode from 'vscode';
import type { CustomEvents, CustomRequestArgs, CustomRequestName, CustomRequestResult } from '../debug-adapter';
import { DEBUG_TYPE } from '../debug-adapter';

export type RunState = 'running' | 'paused';

export function isOsdevSession(session: vscode.DebugSession | undefined): session is vscode.DebugSession {
  return session !== undefined && session.type === DEBUG_TYPE;
}

/**
 * A custom request with its contract's types. The adapter is bundled with this
 * extension and compiled against the same declarations, so its answer is trusted as typed.
 */
export async function osdevRequest<N extends CustomRequestName>(
  session: vscode.DebugSession, name: N, args: CustomRequestArgs<N>,
): Promise<CustomRequestResult<N>> {
  return await session.customRequest(name, args) as CustomRequestResult<N>;
}

export interface OsdevEvent<N extends keyof CustomEvents> {
  session: vscode.DebugSession;
  body: CustomEvents[N];
}

export interface RunStateChange {
  session: vscode.DebugSession;
  state: RunState;
}

/** Sessions of our debug type, their run state, and their custom events by name. */
export class OsdevSessions implements vscode.Disposable {
  private readonly states = new Map<string, RunState>();
  /**
   * Sessions of ours that have started and not ended, the most recently started or
   * focused last. Commands fall back to it because VS Code's activeDebugSession is the
   * session focused in the Call Stack, and is undefined while that pane is folded or
   * between one session's end and the next one's start.
   */
  private readonly live: vscode.DebugSession[] = [];
  private readonly stateEmitter = new vscode.EventEmitter<RunStateChange>();
  private readonly startEmitter = new vscode.EventEmitter<vscode.DebugSession>();
  private readonly endEmitter = new vscode.EventEmitter<vscode.DebugSession>();
  private readonly eventEmitters = new Map<string, vscode.EventEmitter<OsdevEvent<keyof CustomEvents>>>();
  private readonly disposables: vscode.Disposable[] = [];

  /** A session stopped (breakpoint, step, pause, entry) or continued. */
  readonly onDidChangeRunState = this.stateEmitter.event;
  readonly onDidStart = this.startEmitter.event;
  readonly onDidEnd = this.endEmitter.event;

  constructor() {
    this.disposables.push(
      this.stateEmitter, this.startEmitter, this.endEmitter,
      vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
        createDebugAdapterTracker: (s) => {
          // The adapter exists before onDidStartDebugSession fires: the session is usable from here.
          this.markRecent(s);
          return this.trackerFor(s);
        },
      }),
      vscode.debug.onDidStartDebugSession((s) => {
        if (!isOsdevSession(s)) return;
        this.markRecent(s);
        this.startEmitter.fire(s);
      }),
      vscode.debug.onDidChangeActiveDebugSession((s) => { if (isOsdevSession(s) && this.isLive(s)) this.markRecent(s); }),
      vscode.debug.onDidTerminateDebugSession((s) => {
        if (!isOsdevSession(s)) return;
        this.states.delete(s.id);
        this.forget(s);
        this.endEmitter.fire(s);
      }),
      vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
        if (isOsdevSession(e.session)) this.eventEmitters.get(e.event)?.fire({ session: e.session, body: e.body as never });
      }),
    );
  }

  /**
   * The session commands and views act on: the focused one when it is ours and alive,
   * else the one of ours started or focused last (see `live`).
   */
  get active(): vscode.DebugSession | undefined {
    const focused = vscode.debug.activeDebugSession;
    // An ended session is never active, even while it still has the focus.
    if (isOsdevSession(focused) && this.isLive(focused)) return focused;
    return this.live.at(-1);
  }

  /** The active session, or undefined after telling the user a command needs one. */
  requireActive(): vscode.DebugSession | undefined {
    const session = this.active;
    if (session === undefined) void vscode.window.showWarningMessage('OS Dev: start an OS Dev debug session first.');
    return session;
  }

  /** Whether `session` is the active one, by id: VS Code may hand out another wrapper object for the same session. */
  isActive(session: vscode.DebugSession): boolean {
    return this.active?.id === session.id;
  }

  /** Unknown until the first stop or continue: a launch without stopOnEntry just runs. */
  runState(session: vscode.DebugSession): RunState {
    return this.states.get(session.id) ?? 'running';
  }

  onEvent<N extends keyof CustomEvents>(name: N, listener: (e: OsdevEvent<N>) => void): vscode.Disposable {
    let emitter = this.eventEmitters.get(name);
    if (emitter === undefined) {
      emitter = new vscode.EventEmitter();
      this.eventEmitters.set(name, emitter);
      this.disposables.push(emitter);
    }
    return emitter.event(listener as (e: OsdevEvent<keyof CustomEvents>) => void);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private isLive(session: vscode.DebugSession): boolean {
    return this.live.some((s) => s.id === session.id);
  }

  /** Moves (or adds) `session` to the most recent end of `live`. Ids, not objects: VS Code may hand out a new wrapper. */
  private markRecent(session: vscode.DebugSession): void {
    this.forget(session);
    this.live.push(session);
  }

  private forget(session: vscode.DebugSession): void {
    const i = this.live.findIndex((s) => s.id === session.id);
    if (i >= 0) this.live.splice(i, 1);
  }

  private trackerFor(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    return {
      onDidSendMessage: (message: unknown) => {
        const state = runStateOf(message);
        if (state === undefined) return;
        this.states.set(session.id, state);
        this.stateEmitter.fire({ session, state });
      },
    };
  }
}

/** Requests whose success means the guest runs again (DAP sends no `continued` event for them). */
const RESUMING_COMMANDS = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'restartFrame', 'goto']);

/**
 * DAP `stopped` means paused; `continued`, or a successful response to a resuming
 * request, means running; other messages say nothing about it.
 */
function runStateOf(message: unknown): RunState | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const m = message as { type?: unknown; event?: unknown; command?: unknown; success?: unknown };
  if (m.type === 'event' && m.event === 'stopped') return 'paused';
  if (m.type === 'event' && m.event === 'continued') return 'running';
  if (m.type === 'response' && m.success === true && typeof m.command === 'string' && RESUMING_COMMANDS.has(m.command)) return 'running';
  return undefined;
}
