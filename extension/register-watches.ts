/**
 * Data breakpoints on device registers that the Devices view sets, per session. They
 * live in the session's WatchingAdapter (watching-adapter.ts says why VS Code's
 * Breakpoints view cannot hold them); this keeps the adapters by session and tells the
 * view when the set changes, so watched registers are marked and can be removed there.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as vscode from 'vscode';
import { RegisterWatch, WatchingAdapter } from './watching-adapter';

export class RegisterWatches implements vscode.Disposable {
  private readonly adapters = new Map<string, WatchingAdapter>();
  private readonly changed = new vscode.EventEmitter<vscode.DebugSession>();
  private readonly disposables: vscode.Disposable[] = [this.changed];

  readonly onDidChange = this.changed.event;

  constructor() {
    this.disposables.push(vscode.debug.onDidTerminateDebugSession((s) => this.adapters.delete(s.id)));
  }

  /** The adapter factory hands every new session's adapter here. */
  adopt(session: vscode.DebugSession, adapter: WatchingAdapter): void {
    this.adapters.set(session.id, adapter);
  }

  watched(session: vscode.DebugSession | undefined): readonly RegisterWatch[] {
    return session === undefined ? [] : this.adapters.get(session.id)?.registerWatches ?? [];
  }

  /** Adds (or replaces, by name) a watch; the adapter's verdict on it comes back. */
  async add(session: vscode.DebugSession, watch: RegisterWatch): Promise<DebugProtocol.Breakpoint> {
    const adapter = this.adapterOf(session);
    const others = adapter.registerWatches.filter((w) => w.name !== watch.name);
    try {
      const verdicts = await adapter.setWatches([...others, watch]);
      const verdict = verdicts.at(-1) ?? { verified: false, message: 'the adapter did not answer for it' };
      // A watch the adapter refused would never fire: do not keep it.
      if (!verdict.verified) await adapter.setWatches(others);
      return verdict;
    } finally {
      this.changed.fire(session);
    }
  }

  async remove(session: vscode.DebugSession, name: string): Promise<void> {
    const adapter = this.adapterOf(session);
    try {
      await adapter.setWatches(adapter.registerWatches.filter((w) => w.name !== name));
    } finally {
      this.changed.fire(session);
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private adapterOf(session: vscode.DebugSession): WatchingAdapter {
    const adapter = this.adapters.get(session.id);
    // Only sessions whose adapter runs inline in this extension host can be watched this way.
    if (adapter === undefined) throw new Error(`session "${session.name}" does not run its adapter in this window`);
    return adapter;
  }
}
