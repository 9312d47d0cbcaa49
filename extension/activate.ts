/**
 * The extension's activation, for both entry points: node-main.ts (dist/extension.js,
 * the desktop's Node extension host) and web/main.ts (dist/web/extension.js, VS Code for
 * the Web's worker extension host), which hand in what differs (platform.ts). The VS Code
 * side only: the debug type, the Devices view, guest console terminal, trace, status bar
 * and demo register here.
 */
import * as vscode from 'vscode';
import { COMMANDS, DTS_LANGUAGE_ID } from './command-ids';
import { ConsoleTerminals } from './console-terminal';
import { activateDebug } from './debug';
import { registerDemo } from './demo';
import { registerDeviceActions } from './device-actions';
import { DevicesView } from './devices-view';
import { OsdevSessions } from './osdev-session';
import { RegisterWatches } from './register-watches';
import { ScreenPanel } from './screen-panel';
import { StatusBar } from './status-bar';
import { TraceOutput } from './trace-output';
import { Profiling } from './profiling';
import { registerReplay } from './replay';
import { registerWatchActions } from './watch-actions';
import { registerLaunchErrors } from './launch-errors';
import type { ExtensionPlatform } from './platform';

export { COMMANDS } from './command-ids';

export function activateExtension(context: vscode.ExtensionContext, platform: ExtensionPlatform): void {
  const version = String(context.extension.packageJSON.version ?? 'unknown');
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.showVersion, () => {
      void vscode.window.showInformationMessage(`OS Dev Emulator ${version}`);
      return version;
    }),
  );
  const watches = new RegisterWatches();
  const inline = activateDebug(context, watches, platform);
  // Everything below hears about sessions through one tracker (osdev-session.ts).
  const sessions = new OsdevSessions();
  const devices = new DevicesView(sessions, watches);
  context.subscriptions.push(
    watches, sessions, devices,
    ...registerDeviceActions(sessions, devices),
    ...registerWatchActions(sessions, watches),
    new ConsoleTerminals(sessions),
    new TraceOutput(sessions),
    new Profiling(sessions, context.globalStorageUri),
    new StatusBar(sessions),
    new ScreenPanel(sessions, inline),
    ...registerReplay(sessions),
    ...registerDemo(context),
    ...registerLaunchErrors(),
  );
  startLanguageClientWithDts(context, platform);
}

/**
 * The device-tree language client (extension/lsp/client.ts, web/lsp-client.ts) once a
 * device-tree document is open: its server is a process (a worker) of its own, and
 * starting it on F5's activation took CPU from the launch on a 2-core machine.
 */
function startLanguageClientWithDts(context: vscode.ExtensionContext, platform: ExtensionPlatform): void {
  const isDts = (d: vscode.TextDocument) => d.languageId === DTS_LANGUAGE_ID;
  const start = () => platform.startLanguageClient(context);
  if (vscode.workspace.textDocuments.some(isDts)) { start(); return; }
  const waiting = vscode.workspace.onDidOpenTextDocument((d) => {
    if (!isDts(d)) return;
    waiting.dispose();
    start();
  });
  context.subscriptions.push(waiting);
}
