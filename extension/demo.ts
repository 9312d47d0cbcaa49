/**
 * "OS Dev: Open Demo Kernel": copies the bundled demo (demo/hello.elf, its source and
 * Makefile, and the start-up code it builds with) and a launch.json into a new folder,
 * opens it and starts debugging. Opening a folder restarts the extension host, so the
 * folder to debug is remembered in globalState and picked up by the next activation.
 */
import * as vscode from 'vscode';
import { COMMANDS } from './command-ids';

const DEMO_FOLDER_NAME = 'osdev-demo';
const LAUNCH_NAME = 'Debug the demo kernel';
const PENDING_KEY = 'osdev.demo.debugOnOpen';

/** Extension-relative file → path in the demo folder. The .vscodeignore ships exactly these. */
const DEMO_FILES: ReadonlyArray<readonly [string, string]> = [
  ['demo/hello.elf', 'hello.elf'],
  ['demo/hello.c', 'hello.c'],
  ['demo/Makefile', 'Makefile'],
  ...['crt0.S', 'trap.S', 'lib.c', 'lib.h', 'asm.h', 'link.ld'].map((f) => [`emulator/test/guests/common/${f}`, `common/${f}`] as const),
];

/**
 * launch.json for the copied demo, JSON with comments as launch.json allows: how to
 * rebuild belongs next to the configuration. hello.elf was built in the repository,
 * where its start-up code sat in ../emulator/test/guests/common; the line table keeps
 * that path (resolved beside the ELF), so sourceFileMap points it at the copy in common/.
 */
function launchJson(folder: vscode.Uri): string {
  const builtCommon = vscode.Uri.joinPath(folder, '..', 'emulator', 'test', 'guests', 'common').fsPath;
  return `{
  // The demo kernel: F5 boots hello.elf in the emulator, stopped at _start.
  // Rebuild it (riscv64-unknown-elf-gcc): make COMMON=common OBJDIR=build
  "version": "0.2.0",
  "configurations": [
    {
      "type": "osdev",
      "request": "launch",
      "name": ${JSON.stringify(LAUNCH_NAME)},
      "program": "\${workspaceFolder}/hello.elf",
      "stopOnEntry": true,
      "sourceFileMap": { ${JSON.stringify(builtCommon)}: "\${workspaceFolder}/common" }
    }
  ]
}
`;
}

export function registerDemo(context: vscode.ExtensionContext): vscode.Disposable[] {
  void debugIfPending(context);
  return [vscode.commands.registerCommand(COMMANDS.openDemo, () => openDemo(context))];
}

async function openDemo(context: vscode.ExtensionContext): Promise<void> {
  const parents = await vscode.window.showOpenDialog({
    title: `Where should the ${DEMO_FOLDER_NAME} folder go?`, openLabel: `Create ${DEMO_FOLDER_NAME} here`,
    canSelectFiles: false, canSelectFolders: true, canSelectMany: false,
  });
  if (parents === undefined || parents.length === 0) return;
  const folder = vscode.Uri.joinPath(parents[0], DEMO_FOLDER_NAME);
  if (await exists(vscode.Uri.joinPath(folder, 'hello.elf'))) {
    const answer = await vscode.window.showWarningMessage(`${folder.fsPath} already holds a demo.`, { modal: true }, 'Replace', 'Open as it is');
    if (answer === undefined) return;
    if (answer === 'Replace') await copyDemo(context, folder);
  } else {
    await copyDemo(context, folder);
  }
  const open = vscode.workspace.workspaceFolders?.find((f) => f.uri.toString() === folder.toString());
  if (open !== undefined) {
    await vscode.debug.startDebugging(open, LAUNCH_NAME);
    return;
  }
  await context.globalState.update(PENDING_KEY, folder.toString());
  await vscode.commands.executeCommand('vscode.openFolder', folder);
}

async function copyDemo(context: vscode.ExtensionContext, folder: vscode.Uri): Promise<void> {
  for (const [from, to] of DEMO_FILES) {
    await vscode.workspace.fs.copy(vscode.Uri.joinPath(context.extensionUri, from), vscode.Uri.joinPath(folder, to), { overwrite: true });
  }
  await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, '.vscode', 'launch.json'), new TextEncoder().encode(launchJson(folder)));
}

/** After the window reopened on the demo folder: start the session the command promised. */
async function debugIfPending(context: vscode.ExtensionContext): Promise<void> {
  const pending = context.globalState.get<string>(PENDING_KEY);
  if (pending === undefined) return;
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.toString() === pending);
  if (folder === undefined) return;
  await context.globalState.update(PENDING_KEY, undefined);
  const hello = vscode.Uri.joinPath(folder.uri, 'hello.c');
  await vscode.window.showTextDocument(hello, { preview: false });
  await vscode.debug.startDebugging(folder, LAUNCH_NAME);
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
