/**
 * The Devices view's inline and context actions: write a register or field, reset a
 * device, copy an address, plug or unplug a passthrough slot, give it another backend.
 * Each is one custom request to the focused session, then a refresh of the view.
 */
import * as vscode from 'vscode';
import { COMMANDS } from './command-ids';
import type { DeviceNode } from './device-nodes';
import type { DevicesView } from './devices-view';
import { OsdevSessions, osdevRequest } from './osdev-session';
import { maxValueForBits, parseRegisterValue } from './register-value';

type NodeOf<K extends DeviceNode['kind']> = Extract<DeviceNode, { kind: K }>;

/**
 * The status bar word an action left ("stub0: plugging in…"): replaced by the next, by the
 * device's new state when the machine applies the change, and gone when the session ends.
 */
let statusWord: vscode.Disposable | undefined;
const STATUS_WORD_MS = 3000;

function say(text: string): void {
  statusWord?.dispose();
  const word = vscode.window.setStatusBarMessage(text, STATUS_WORD_MS);
  statusWord = word;
  setTimeout(() => { if (statusWord === word) statusWord = undefined; }, STATUS_WORD_MS);
}

function unsay(): void {
  statusWord?.dispose();
  statusWord = undefined;
}

export function registerDeviceActions(sessions: OsdevSessions, view: DevicesView): vscode.Disposable[] {
  /** Runs `action` against the focused session, reports a failure, and refreshes the view either way. */
  const withSession = (action: (session: vscode.DebugSession) => Promise<void>) => async () => {
    const session = sessions.active;
    if (session === undefined) {
      void vscode.window.showWarningMessage('OS Dev: no OS Dev debug session is active.');
      return;
    }
    try {
      await action(session);
    } catch (e) {
      void vscode.window.showErrorMessage(`OS Dev: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      view.refresh();
    }
  };
  return [
    sessions.onDidEnd(() => unsay()),
    sessions.onEvent('osdev/devicesChanged', (e) => { if (statusWord !== undefined) say(`${e.body.device}: ${e.body.state}`); }),
    { dispose: unsay },
    vscode.commands.registerCommand(COMMANDS.refreshDevices, () => view.refresh()),
    vscode.commands.registerCommand(COMMANDS.editRegister, (node: NodeOf<'register'> | NodeOf<'field'>) =>
      withSession((s) => editValue(s, node))()),
    vscode.commands.registerCommand(COMMANDS.resetDevice, (node: NodeOf<'device'>) =>
      withSession((s) => resetDevice(s, node))()),
    vscode.commands.registerCommand(COMMANDS.copyAddress, (node: DeviceNode) => copyAddress(node)),
    vscode.commands.registerCommand(COMMANDS.plugDevice, (node: NodeOf<'device'>) =>
      withSession((s) => plug(s, node, true))()),
    vscode.commands.registerCommand(COMMANDS.unplugDevice, (node: NodeOf<'device'>) =>
      withSession((s) => plug(s, node, false))()),
    vscode.commands.registerCommand(COMMANDS.switchBackend, (node: NodeOf<'device'>) =>
      withSession((s) => switchBackend(s, node))()),
  ];
}

async function editValue(session: vscode.DebugSession, node: NodeOf<'register'> | NodeOf<'field'>): Promise<void> {
  const { device, register } = node;
  const field = node.kind === 'field' ? node.field : undefined;
  const bitCount = field === undefined ? register.width * 8 : field.bits[0] - field.bits[1] + 1;
  const max = maxValueForBits(bitCount);
  const target = field === undefined ? `${device.name}.${register.name}` : `${device.name}.${register.name}.${field.name}`;
  const current = field === undefined ? register.value : field.value;
  const typed = await vscode.window.showInputBox({
    title: `Write ${target}`,
    // A device register is not memory: the write is the guest's store, with whatever it triggers.
    prompt: `This is a real write: ${device.name} sees a store and acts on it (send a byte, clear an interrupt, start a transfer…).`,
    value: typeof current === 'number' ? `0x${(current >>> 0).toString(16)}` : '',
    validateInput: (text) => {
      const parsed = parseRegisterValue(text, max);
      return parsed.ok ? undefined : parsed.error;
    },
  });
  if (typed === undefined) return;
  const parsed = parseRegisterValue(typed, max);
  if (!parsed.ok) return;
  await osdevRequest(session, 'osdev/writeDeviceRegister', {
    device: device.name, register: register.name, value: parsed.value, ...(field === undefined ? {} : { field: field.name }),
  });
}

async function resetDevice(session: vscode.DebugSession, node: NodeOf<'device'>): Promise<void> {
  const answer = await vscode.window.showWarningMessage(
    `Reset ${node.device.name}? Its registers go back to their reset values; the guest driver is not told.`, { modal: true }, 'Reset');
  if (answer !== 'Reset') return;
  await osdevRequest(session, 'osdev/resetDevice', { device: node.device.name });
}

/** The physical address of a device, or of a register inside it. */
export function addressOf(node: DeviceNode): string | undefined {
  if (node.kind === 'device') return node.device.base;
  if (node.kind !== 'register' && node.kind !== 'field') return undefined;
  // Bases are hex strings because they may exceed 2^53; BigInt keeps the sum exact.
  return `0x${(BigInt(node.device.base) + BigInt(node.register.offset)).toString(16)}`;
}

async function copyAddress(node: DeviceNode): Promise<void> {
  const address = addressOf(node);
  if (address === undefined) return;
  await vscode.env.clipboard.writeText(address);
  vscode.window.setStatusBarMessage(`Copied ${address}`, 3000);
}

async function plug(session: vscode.DebugSession, node: NodeOf<'device'>, plugged: boolean): Promise<void> {
  // The answer's state predates the change: the plug is an input event the machine applies
  // at its next slice, and osdev/devicesChanged refreshes the view when it has.
  await osdevRequest(session, 'osdev/plug', { device: node.device.name, plugged });
  say(`${node.device.name}: ${plugged ? 'plugging in' : 'unplugging'}…`);
}

async function switchBackend(session: vscode.DebugSession, node: NodeOf<'device'>): Promise<void> {
  const device = node.device.name;
  const choice = await vscode.window.showQuickPick([
    { label: 'Stub model file…', detail: 'A register model with behaviour (*.osdev-model.json)', backend: 'stub' as const },
    { label: 'Remote-Port peer…', detail: 'Another process (e.g. a QEMU or SystemC model) over the Remote-Port protocol', backend: 'remote-port' as const },
  ], { title: `Backend for ${device}` });
  if (choice === undefined) return;
  if (choice.backend === 'stub') {
    const files = await vscode.window.showOpenDialog({
      title: `Stub model for ${device}`, canSelectMany: false, filters: { 'Device model': ['json'] },
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    if (files === undefined || files.length === 0) return;
    const { state } = await osdevRequest(session, 'osdev/setBackend', { device, backend: 'stub', model: files[0].fsPath });
    say(`${device}: ${state.state}`);
    return;
  }
  const address = await vscode.window.showInputBox({
    title: `Remote-Port peer for ${device}`,
    prompt: 'The peer\'s socket: host:port on loopback, or unix:PATH',
    placeHolder: '127.0.0.1:4000',
    validateInput: (text) => text.trim() === '' ? 'Enter an address' : undefined,
  });
  if (address === undefined) return;
  const { state } = await osdevRequest(session, 'osdev/setBackend', { device, backend: 'remote-port', address: address.trim() });
  say(`${device}: ${state.state}`);
}
