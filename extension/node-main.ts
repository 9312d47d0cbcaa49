/**
 * Extension entry point in the desktop's Node extension host (dist/extension.js): the
 * adapter's machine in a worker thread, host files, the language server a Node process.
 */
import type * as vscode from 'vscode';
import { NODE_HOST } from '../debug-adapter/node-host';
import { activateExtension } from './activate';

export { COMMANDS } from './command-ids';

export function activate(context: vscode.ExtensionContext): void {
  activateExtension(context, {
    adapterHost: NODE_HOST,
    startLanguageClient: (c) => void import('./lsp/client').then((lsp) => lsp.activateLanguageClient(c)),
  });
}

export function deactivate(): void {
  // Everything activateExtension registers is disposed through context.subscriptions.
}
