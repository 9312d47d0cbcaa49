/**
 * Extension entry point in VS Code for the Web's worker extension host
 * (dist/web/extension.js, package.json `browser`): the debug adapter inline, its machine
 * in a Web Worker, files through vscode.workspace.fs, the device-tree language server in
 * a worker. No Node API anywhere below (eslint.config.mjs; the webworker bundle fails to
 * build on one).
 */
import type * as vscode from 'vscode';
import { activateExtension } from '../activate';
import { webAdapterHost } from './web-adapter-host';
import { activateWebLanguageClient } from './lsp-client';
import { SourceUriAdapter } from './source-uris';

export function activate(context: vscode.ExtensionContext): void {
  activateExtension(context, {
    adapterHost: webAdapterHost(context.extensionUri),
    wrapSession: (session) => new SourceUriAdapter(session),
    startLanguageClient: activateWebLanguageClient,
  });
}

export function deactivate(): void {
  // Everything activateExtension registers is disposed through context.subscriptions.
}
