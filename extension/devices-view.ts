/**
 * The Devices view in the Run and Debug side bar: every device of the focused `osdev`
 * session with its registers peeked (`osdev/devices`, no side effects). It pulls on
 * every stop, on device changes, after an action, and once a second while the guest
 * runs and the view is visible.
 */
import * as vscode from 'vscode';
import type { DeviceInfo } from '../debug-adapter';
import { DEVICES_VIEW_ID } from './command-ids';
import { childNodes, DeviceNode, rootNodes, treeItem } from './device-nodes';
import { OsdevSessions, osdevRequest } from './osdev-session';
import { Refresher } from './refresher';
import type { RegisterWatches } from './register-watches';

const RUNNING_REFRESH_MS = 1000;
/** Context key for the view's welcome text: an OS Dev session has run and none runs now. */
const SESSION_ENDED_KEY = 'osdev.sessionEnded';

const LOADING = 'Loading the devices…';

export class DevicesView implements vscode.TreeDataProvider<DeviceNode>, vscode.Disposable {
  private devices: DeviceInfo[] = [];
  /** Why the last pull failed, shown as the view's message instead of a stale tree. */
  private error: string | undefined;
  /** A refresh asked for while a pull is in flight pulls once more after it: that answer may predate the stop. */
  private readonly refresher = new Refresher(() => this.pull());
  /** Sessions whose machine has answered once; until then the view says it is loading. */
  private readonly answered = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly changed = new vscode.EventEmitter<DeviceNode | undefined>();
  private readonly view: vscode.TreeView<DeviceNode>;
  private readonly disposables: vscode.Disposable[] = [];

  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly sessions: OsdevSessions, private readonly watches: RegisterWatches) {
    this.view = vscode.window.createTreeView(DEVICES_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view, this.changed,
      sessions.onDidChangeRunState((e) => { if (sessions.isActive(e.session)) this.refresh(); }),
      sessions.onEvent('osdev/devicesChanged', (e) => { if (sessions.isActive(e.session)) this.refresh(); }),
      vscode.debug.onDidChangeActiveDebugSession(() => this.refresh()),
      sessions.onDidStart(() => void vscode.commands.executeCommand('setContext', SESSION_ENDED_KEY, false)),
      sessions.onDidEnd((ended) => {
        this.answered.delete(ended.id);
        if (sessions.active === undefined) void vscode.commands.executeCommand('setContext', SESSION_ENDED_KEY, true);
        this.refresh();
      }),
      watches.onDidChange((s) => { if (sessions.isActive(s)) this.changed.fire(undefined); }),
      this.view.onDidChangeVisibility(() => this.refresh()),
    );
    this.timer = setInterval(() => this.refreshWhileRunning(), RUNNING_REFRESH_MS);
  }

  /** The device a node belongs to, by name (actions look it up again after a refresh). */
  device(name: string): DeviceInfo | undefined {
    return this.devices.find((d) => d.name === name);
  }

  /** Pull the devices again and redraw; calls during a pull collapse into one more pull after it. */
  refresh(): void {
    void this.refresher.refresh();
  }

  getTreeItem(node: DeviceNode): vscode.TreeItem {
    const watched = this.watches.watched(this.sessions.active);
    return treeItem(node, (device, register) => watched.find((w) => w.name === `${device}.${register}`)?.accessType);
  }

  getChildren(node?: DeviceNode): DeviceNode[] {
    return node === undefined ? rootNodes(this.devices) : childNodes(node);
  }

  dispose(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    for (const d of this.disposables) d.dispose();
  }

  private refreshWhileRunning(): void {
    const session = this.sessions.active;
    if (session !== undefined && this.view.visible && this.sessions.runState(session) === 'running') this.refresh();
  }

  private async pull(): Promise<void> {
    const session = this.sessions.active;
    if (session === undefined) {
      this.show([], undefined);
      return;
    }
    const first = !this.answered.has(session.id);
    // The first answer waits for the machine to boot (the ELF read, the worker started): say so.
    if (first && this.devices.length === 0) this.show([], LOADING);
    try {
      const answer = await osdevRequest(session, 'osdev/devices', {});
      this.answered.add(session.id);
      this.show(answer.devices, undefined);
    } catch (e) {
      // Before its first answer a session's machine is still starting: that is loading, not a failure.
      this.show([], first ? LOADING : `Could not read the devices: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private show(devices: DeviceInfo[], error: string | undefined): void {
    // Redraw only on a change: a redraw every second while running swallows clicks on inline buttons.
    const same = error === this.error && JSON.stringify(devices) === JSON.stringify(this.devices);
    if (same) return;
    this.devices = devices;
    this.error = error;
    this.view.message = this.error;
    this.changed.fire(undefined);
  }
}
