/**
 * The device-tree language client in VS Code for the Web. The server (lsp/server.ts) reads
 * includes from disk with Node's fs, so it does not run in a browser yet: say so once.
 */
import * as vscode from 'vscode';

export function activateWebLanguageClient(_context: vscode.ExtensionContext): void {
  void vscode.window.showInformationMessage('OS Dev Emulator: the device-tree language server does not run in VS Code for the Web yet (it reads includes from the host\'s disk); use the desktop VS Code for .dts files.');
}
