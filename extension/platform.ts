/**
 * What differs between the desktop extension (node-main.ts) and the web extension
 * (web/main.ts): the debug session's host and the device-tree language client.
 */
import type * as vscode from 'vscode';
import type { AdapterHost } from '../debug-adapter';

export interface ExtensionPlatform {
  adapterHost: AdapterHost;
  /** Wraps each inline debug session before the extension's own wrapper (web: source paths as URIs). */
  wrapSession?(session: vscode.DebugAdapter): vscode.DebugAdapter;
  /** Starts the device-tree language client and its server. */
  startLanguageClient(context: vscode.ExtensionContext): void;
}
