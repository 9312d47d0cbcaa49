/**
 * A status bar item while an `osdev` session is focused: running or paused, guest
 * time, and instructions per second. `osdev/status` is polled once a second while
 * the guest runs and once at every stop.
 */
import * as vscode from 'vscode';
import type { MachineStatus } from '../debug-adapter';
import { COMMANDS } from './command-ids';
import { OsdevSessions, osdevRequest } from './osdev-session';
import { Refresher } from './refresher';
import { formatGuestTime, formatRate } from './status-text';

const POLL_MS = 1000;

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('osdev.status', vscode.StatusBarAlignment.Left, 10);
  private readonly timer: NodeJS.Timeout;
  /** A poll asked for during one runs again after it: a stop must not be shown as the "running" answer in flight. */
  private readonly refresher = new Refresher(() => this.pollNow());
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly sessions: OsdevSessions) {
    this.item.name = 'OS Dev Emulator';
    this.item.command = COMMANDS.showConsole;
    this.disposables.push(
      this.item,
      sessions.onDidChangeRunState((e) => { if (sessions.isActive(e.session)) void this.poll(); }),
      vscode.debug.onDidChangeActiveDebugSession(() => void this.poll()),
      sessions.onDidEnd(() => void this.poll()),
    );
    this.timer = setInterval(() => {
      const s = sessions.active;
      if (s !== undefined && sessions.runState(s) === 'running') void this.poll();
    }, POLL_MS);
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const d of this.disposables) d.dispose();
  }

  private poll(): Promise<void> {
    return this.refresher.refresh();
  }

  private async pollNow(): Promise<void> {
    const session = this.sessions.active;
    if (session === undefined) {
      this.item.hide();
      return;
    }
    try {
      this.show(await osdevRequest(session, 'osdev/status', {}));
    } catch {
      // No machine to ask (not up yet, or powered off): say nothing rather than guess.
      this.item.hide();
    }
  }

  private show(status: MachineStatus): void {
    const icon = status.state === 'running' ? '$(play)' : status.state === 'paused' ? '$(debug-pause)' : '$(chip)';
    const speed = status.state === 'running' ? ` · ${formatRate(status.ips)}` : '';
    this.item.text = `${icon} ${status.state} · ${formatGuestTime(status.guestTimeNs)}${speed}`;
    this.item.tooltip = new vscode.MarkdownString(
      `**OS Dev Emulator**: guest ${status.state}\n\n` +
      `guest time ${formatGuestTime(status.guestTimeNs)} (from instructions retired: deterministic)\n\n` +
      `${status.instructions.toLocaleString('en-US')} instructions retired, ${formatRate(status.ips)} over the last second`);
    this.item.show();
  }
}
