/**
 * Extension entry point (dist/extension.js). The VS Code side only: the debug type,
 * views and the guest console register here as they land.
 */
import * as vscode from 'vscode';
import { activateDebug } from './debug';

/** Command ids, as contributed in package.json `contributes.commands`. */
export const COMMANDS = {
  showVersion: 'osdev.showVersion',
} as const;

export function activate(context: vscode.ExtensionContext): void {
  const version = String(context.extension.packageJSON.version ?? 'unknown');
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.showVersion, () => {
      void vscode.window.showInformationMessage(`OS Dev Emulator ${version}`);
      return version;
    }),
  );
  activateDebug(context);
  // The device-tree language client (extension/lsp/client.ts); the server runs in its own process.
  void import('./lsp/client').then((lsp) => lsp.activateLanguageClient(context));
}

export function deactivate(): void {
  // Everything registered above is disposed through context.subscriptions.
}
