/**
 * The Devices view's data breakpoint actions on a register: Add asks the adapter
 * whether "DEVICE.REGISTER" can be watched (dataBreakpointInfo) and how, then hands the
 * watch to register-watches.ts; Remove drops it. The guest then stops with
 * "Paused on data breakpoint" when it touches the register.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as vscode from 'vscode';
import { COMMANDS } from './command-ids';
import type { DeviceNode } from './device-nodes';
import type { OsdevSessions } from './osdev-session';
import type { RegisterWatches } from './register-watches';

type RegisterNode = Extract<DeviceNode, { kind: 'register' }>;

const ACCESS_LABELS: Record<DebugProtocol.DataBreakpointAccessType, string> = {
  write: 'Break on write', read: 'Break on read', readWrite: 'Break on read or write',
};

export function registerWatchActions(sessions: OsdevSessions, watches: RegisterWatches): vscode.Disposable[] {
  const run = (action: (session: vscode.DebugSession, name: string) => Promise<void>) => async (node: RegisterNode) => {
    const session = sessions.active;
    if (session === undefined) {
      void vscode.window.showWarningMessage('OS Dev: no OS Dev debug session is active.');
      return;
    }
    try {
      await action(session, `${node.device.name}.${node.register.name}`);
    } catch (e) {
      void vscode.window.showErrorMessage(`OS Dev: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  return [
    vscode.commands.registerCommand(COMMANDS.addDataBreakpoint, run((s, name) => addWatch(s, watches, name))),
    vscode.commands.registerCommand(COMMANDS.removeDataBreakpoint, run(async (s, name) => {
      await watches.remove(s, name);
      vscode.window.setStatusBarMessage(`Data breakpoint on ${name} removed`, 3000);
    })),
  ];
}

async function addWatch(session: vscode.DebugSession, watches: RegisterWatches, name: string): Promise<void> {
  // Through VS Code, as any DAP client would ask: the adapter resolves the name to the register's physical bytes.
  const info = await session.customRequest('dataBreakpointInfo', { name }) as DebugProtocol.DataBreakpointInfoResponse['body'];
  if (info.dataId === null) {
    void vscode.window.showWarningMessage(`OS Dev: ${name} cannot be watched: ${info.description}`);
    return;
  }
  const offered = info.accessTypes ?? ['write'];
  // A write is what a driver does to a register most: offer it first, so Enter takes it.
  const ordered = (['write', 'readWrite', 'read'] as const).filter((a) => offered.includes(a));
  const pick = ordered.length === 1 ? { access: ordered[0] } : await vscode.window.showQuickPick(
    ordered.map((access) => ({ label: ACCESS_LABELS[access], access })),
    { title: `Data breakpoint on ${name}`, placeHolder: info.description },
  );
  if (pick === undefined) return;
  const verdict = await watches.add(session, { name, dataId: info.dataId, accessType: pick.access });
  if (!verdict.verified) throw new Error(`the data breakpoint on ${name} was refused: ${verdict.message ?? 'no reason given'}`);
  vscode.window.setStatusBarMessage(`Data breakpoint: ${verdict.message ?? name}`, 5000);
}
