/**
 * The MMIO / interrupt / trap trace: commands switch it on the focused session
 * (`osdev/trace`), `osdev/trace` events append lines to the "OS Dev Trace" output
 * channel. A device filter and a file to copy the trace into are kept for the next start.
 */
import * as vscode from 'vscode';
import type { CustomRequestArgs } from '../debug-adapter';
import { COMMANDS } from './command-ids';
import { OsdevSessions, osdevRequest } from './osdev-session';

export class TraceOutput implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('OS Dev Trace');
  /** Device names to trace; undefined traces every device. */
  private devices: string[] | undefined;
  private tracing = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly sessions: OsdevSessions) {
    this.disposables.push(
      this.channel,
      sessions.onEvent('osdev/trace', (e) => { for (const line of e.body.lines) this.channel.appendLine(line); }),
      sessions.onDidEnd(() => { if (sessions.active === undefined) this.setTracing(false); }),
      vscode.commands.registerCommand(COMMANDS.startTrace, () => this.start(undefined)),
      vscode.commands.registerCommand(COMMANDS.stopTrace, () => this.stop()),
      vscode.commands.registerCommand(COMMANDS.filterTrace, () => this.chooseDevices()),
      vscode.commands.registerCommand(COMMANDS.traceToFile, () => this.startToFile()),
    );
    this.setTracing(false);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private async start(file: string | undefined): Promise<void> {
    const session = this.sessions.requireActive();
    if (session === undefined) return;
    const devices = this.devices;
    if (!await this.send(session, { mmio: true, traps: true, ...(devices === undefined ? {} : { devices }), ...(file === undefined ? {} : { file }) })) return;
    this.setTracing(true);
    this.channel.appendLine(`--- trace on${devices === undefined ? '' : ` (${devices.join(', ')})`}${file === undefined ? '' : `, also to ${file}`} ---`);
    this.channel.show(true);
  }

  private async stop(): Promise<void> {
    const session = this.sessions.requireActive();
    if (session === undefined) return;
    if (!await this.send(session, { mmio: false, traps: false })) return;
    this.setTracing(false);
    this.channel.appendLine('--- trace off ---');
  }

  private async startToFile(): Promise<void> {
    const target = await vscode.window.showSaveDialog({
      title: 'Write the trace to', saveLabel: 'Trace to this file', filters: { 'Trace': ['log', 'txt'] },
      defaultUri: vscode.workspace.workspaceFolders === undefined ? undefined : vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, 'osdev-trace.log'),
    });
    if (target !== undefined) await this.start(target.fsPath);
  }

  /** Pick the devices to trace from the session's own list; none picked means all. */
  private async chooseDevices(): Promise<void> {
    const session = this.sessions.requireActive();
    if (session === undefined) return;
    const { devices } = await osdevRequest(session, 'osdev/devices', {});
    const chosen = new Set(this.devices ?? []);
    const picks = await vscode.window.showQuickPick(
      devices.map((d) => ({ label: d.name, description: `${d.model} at ${d.base}`, picked: chosen.has(d.name) })),
      { canPickMany: true, title: 'Trace these devices (none: all devices)' },
    );
    if (picks === undefined) return;
    this.devices = picks.length === 0 ? undefined : picks.map((p) => p.label);
    // A running trace follows the new filter at once.
    if (this.tracing) await this.start(undefined);
  }

  /** False (and the user told why) when the adapter refused. */
  private async send(session: vscode.DebugSession, args: CustomRequestArgs<'osdev/trace'>): Promise<boolean> {
    try {
      await osdevRequest(session, 'osdev/trace', args);
      return true;
    } catch (e) {
      void vscode.window.showErrorMessage(`OS Dev trace: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
  }

  /** The context key lets the palette offer Start or Stop, whichever applies. */
  private setTracing(on: boolean): void {
    this.tracing = on;
    void vscode.commands.executeCommand('setContext', 'osdev.tracing', on);
  }
}
