/**
 * The device-tree language client in VS Code for the Web (vscode-languageclient/browser):
 * the server (extension/lsp/web-server.ts, dist/web/dts-server.js) runs in a Web Worker.
 * Its script is read through vscode.workspace.fs and started from a blob: URL, as the
 * machine's (web-adapter-host.ts says why).
 */
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions } from 'vscode-languageclient/browser';
import { DTS_LANGUAGE_ID } from '../command-ids';
import { LIVE_REGISTERS_REQUEST, LiveRegistersParams } from '../lsp/live-registers';
import { liveDevice } from '../lsp/live-device';

/**
 * vscode-languageclient 11's browser client takes (id, name, serverOptions, clientOptions),
 * serverOptions being the worker. The project compiles without the DOM library, so its
 * `Worker` type is `any` there and swapped arguments compile: mind the order.
 */
type ServerWorker = ConstructorParameters<typeof LanguageClient>[2];
type WorkerConstructor = new (url: string, options?: { name?: string }) => ServerWorker;

export function activateWebLanguageClient(context: vscode.ExtensionContext): void {
  void start(context).catch((e: unknown) => {
    void vscode.window.showErrorMessage(`OS Dev Emulator: the device-tree language server did not start: ${(e as Error).message}`);
  });
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const Worker = (globalThis as { Worker?: WorkerConstructor }).Worker;
  if (Worker === undefined) throw new Error('this extension host cannot start Web Workers');
  const script = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(context.extensionUri, 'dist', 'web', 'dts-server.js'));
  const worker = new Worker(URL.createObjectURL(new Blob([script], { type: 'text/javascript' })), { name: 'osdev-dts' });
  const clientOptions: LanguageClientOptions = {
    // Any file system the workspace is on (the browser's files are not `file:`).
    documentSelector: [{ language: DTS_LANGUAGE_ID }],
    synchronize: { configurationSection: 'osdev.dts' },
    initializationOptions: { includePaths: vscode.workspace.getConfiguration('osdev.dts').get<string[]>('includePaths', []), liveRegisters: true, trusted: vscode.workspace.isTrusted },
  };
  const client = new LanguageClient('osdevDts', 'Device Tree (OS Dev Emulator)', worker, clientOptions);
  client.onRequest(LIVE_REGISTERS_REQUEST, (p: LiveRegistersParams) => liveDevice(p.address));
  context.subscriptions.push({ dispose: () => { void client.stop(); } });
  await client.start();
}
