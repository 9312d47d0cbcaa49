/**
 * Starts the device-tree language server (dist/dts-server.js) in its own Node process
 * and connects VS Code to it for `.dts`, `.dtsi`, `.dtso` and `.overlay` files.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { DTS_LANGUAGE_ID } from '../command-ids';
import { LIVE_REGISTERS_REQUEST, LiveRegistersParams } from './live-registers';
import { liveDevice } from './live-device';
import { TRUST_GRANTED_NOTIFICATION } from './trust';

let client: LanguageClient | undefined;

export function activateLanguageClient(context: vscode.ExtensionContext): void {
  const module = context.asAbsolutePath(path.join('dist', 'dts-server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6010'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: DTS_LANGUAGE_ID }, { scheme: 'untitled', language: DTS_LANGUAGE_ID }],
    synchronize: { configurationSection: 'osdev.dts' },
    // Untrusted: the server reads nothing outside the workspace folders until trust is granted (trust.ts).
    initializationOptions: { includePaths: vscode.workspace.getConfiguration('osdev.dts').get<string[]>('includePaths', []), liveRegisters: true, trusted: vscode.workspace.isTrusted },
  };
  client = new LanguageClient('osdevDts', 'Device Tree (OS Dev Emulator)', serverOptions, clientOptions);
  client.onRequest(LIVE_REGISTERS_REQUEST, (p: LiveRegistersParams) => liveDevice(p.address));
  const started = client.start();
  context.subscriptions.push(
    { dispose: () => { void client?.stop(); client = undefined; } },
    vscode.workspace.onDidGrantWorkspaceTrust(() => { void started.then(() => client?.sendNotification(TRUST_GRANTED_NOTIFICATION)); }),
  );
}
