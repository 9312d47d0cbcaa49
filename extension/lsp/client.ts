/**
 * Starts the device-tree language server (dist/dts-server.js) in its own Node process
 * and connects VS Code to it for `.dts`, `.dtsi`, `.dtso` and `.overlay` files.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';

export const DTS_LANGUAGE_ID = 'dts';

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
    initializationOptions: { includePaths: vscode.workspace.getConfiguration('osdev.dts').get<string[]>('includePaths', []) },
  };
  client = new LanguageClient('osdevDts', 'Device Tree (OS Dev Emulator)', serverOptions, clientOptions);
  void client.start();
  context.subscriptions.push({ dispose: () => { void client?.stop(); client = undefined; } });
}
