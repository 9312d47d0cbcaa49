/**
 * The guest's serial console as a VS Code terminal, for sessions launched with
 * `"console": "terminal"`: `osdev/console` events are written to it, keys go back as
 * `osdev/consoleInput`. One terminal per session name, so it stays across pause,
 * continue and restart (a restart is a new session with the same name).
 */
import * as vscode from 'vscode';
import { COMMANDS } from './command-ids';
import { guestToTerminal, terminalToGuest } from './console-text';
import { OsdevSessions, osdevRequest } from './osdev-session';

/** How often a failed input request is tried again before the terminal reports it. */
const INPUT_ATTEMPTS = 5;
const INPUT_RETRY_MS = 200;
const DIM = (text: string) => `\x1b[2m${text}\x1b[0m`;

/** Does this launch configuration ask for the guest console in a terminal? */
export function wantsTerminal(config: vscode.DebugConfiguration): boolean {
  return config.console === 'terminal';
}

class GuestConsole implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly terminal: vscode.Terminal;
  private session: vscode.DebugSession | undefined;
  /** Output that arrived before VS Code opened the terminal. */
  private early: string[] | undefined = [];
  /** Typed text not yet accepted by the adapter, in order; sent by one loop at a time. */
  private pendingInput = '';
  private sending = false;

  constructor(name: string, session: vscode.DebugSession) {
    this.session = session;
    this.terminal = vscode.window.createTerminal({ name, pty: this, iconPath: new vscode.ThemeIcon('terminal') });
  }

  open(): void {
    for (const text of this.early ?? []) this.writeEmitter.fire(text);
    this.early = undefined;
  }

  close(): void {
    this.session = undefined;
  }

  attach(session: vscode.DebugSession): void {
    if (this.session === undefined && this.early === undefined) this.write(DIM('\r\n[new session]\r\n'));
    this.session = session;
  }

  detach(session: vscode.DebugSession): void {
    if (this.session !== session) return;
    this.session = undefined;
    this.write(DIM('\r\n[session ended]\r\n'));
  }

  owns(session: vscode.DebugSession): boolean {
    return this.session === session;
  }

  output(text: string): void {
    this.write(guestToTerminal(text));
  }

  handleInput(keys: string): void {
    // A serial line has no local echo: the guest echoes what it wants shown.
    if (this.session === undefined) {
      this.write('\x07');
      return;
    }
    this.pendingInput += terminalToGuest(keys);
    void this.sendPending();
  }

  dispose(): void {
    this.writeEmitter.dispose();
  }

  private write(text: string): void {
    if (this.early !== undefined) this.early.push(text);
    else this.writeEmitter.fire(text);
  }

  /** Sends what was typed, oldest first; keys typed meanwhile go in the next request, so order holds. */
  private async sendPending(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    let failures = 0;
    while (this.pendingInput !== '' && this.session !== undefined) {
      const text = this.pendingInput;
      try {
        await osdevRequest(this.session, 'osdev/consoleInput', { text });
        this.pendingInput = this.pendingInput.slice(text.length);
        failures = 0;
      } catch (e) {
        if (++failures < INPUT_ATTEMPTS) {
          await new Promise((resolve) => setTimeout(resolve, INPUT_RETRY_MS));
          continue;
        }
        this.write(DIM(`\r\n[input not delivered: ${e instanceof Error ? e.message : String(e)}]\r\n`));
        this.pendingInput = '';
      }
    }
    this.sending = false;
  }
}

export class ConsoleTerminals implements vscode.Disposable {
  private readonly byName = new Map<string, GuestConsole>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(sessions: OsdevSessions) {
    this.disposables.push(
      sessions.onDidStart((session) => {
        if (wantsTerminal(session.configuration)) this.consoleFor(session).terminal.show(true);
      }),
      // A console event for a session without a terminal still gets one: no output is lost.
      sessions.onEvent('osdev/console', (e) => this.consoleFor(e.session).output(e.body.text)),
      sessions.onDidEnd((session) => { for (const c of this.byName.values()) c.detach(session); }),
      // A restart may keep the session object without a new start event: its next stop or run reattaches it.
      sessions.onDidChangeRunState((e) => { if (wantsTerminal(e.session.configuration)) this.consoleFor(e.session); }),
      vscode.window.onDidCloseTerminal((t) => {
        for (const [name, c] of this.byName) if (c.terminal === t) { c.dispose(); this.byName.delete(name); }
      }),
      vscode.commands.registerCommand(COMMANDS.showConsole, () => this.showActive(sessions.active)),
    );
  }

  dispose(): void {
    for (const c of this.byName.values()) { c.terminal.dispose(); c.dispose(); }
    for (const d of this.disposables) d.dispose();
  }

  private consoleFor(session: vscode.DebugSession): GuestConsole {
    const name = `Guest: ${session.name}`;
    const existing = this.byName.get(name);
    if (existing !== undefined) {
      if (!existing.owns(session)) existing.attach(session);
      return existing;
    }
    const created = new GuestConsole(name, session);
    this.byName.set(name, created);
    return created;
  }

  private showActive(session: vscode.DebugSession | undefined): void {
    if (session === undefined) {
      void vscode.window.showInformationMessage('OS Dev: the guest console terminal belongs to a running OS Dev session with "console": "terminal".');
      return;
    }
    this.consoleFor(session).terminal.show();
  }
}
