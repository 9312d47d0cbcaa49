/**
 * Debug type `osdev` on the VS Code side: the adapter (debug-adapter/adapter.ts) runs
 * inline in the extension host, and a configuration provider makes F5 work without a
 * launch.json when the active editor shows an ELF file or a replay file, or the folder
 * holds one kernel ELF.
 */
import * as vscode from 'vscode';
import { DEBUG_TYPE, OsdevDebugSession } from '../debug-adapter';
import { hasElfMagic } from '../emulator';
import type { ExtensionPlatform } from './platform';
import type { RegisterWatches } from './register-watches';
import { WatchingAdapter } from './watching-adapter';
import { isReplayFile, replayConfiguration } from './replay';

const UNTRUSTED = 'OS Dev Emulator: this workspace is not trusted, so no emulator is started. Trust the workspace to debug.';
/** Folders never searched for a kernel ELF. */
const SKIP_GLOB = '**/{node_modules,.git}/**';

/**
 * The adapters running inline, by session id: what lives in this process can be asked
 * directly (the screen panel takes raw frames from its session's adapter, no JSON).
 */
export class InlineAdapters {
  private readonly byId = new Map<string, OsdevDebugSession>();
  add(session: vscode.DebugSession, adapter: OsdevDebugSession): void { this.byId.set(session.id, adapter); }
  get(session: vscode.DebugSession): OsdevDebugSession | undefined { return this.byId.get(session.id); }
  remove(session: vscode.DebugSession): void { this.byId.delete(session.id); }
}

export function activateDebug(context: vscode.ExtensionContext, watches: RegisterWatches, platform: ExtensionPlatform): InlineAdapters {
  const inline = new InlineAdapters();
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new InlineAdapterFactory(watches, platform, inline)),
    vscode.debug.onDidTerminateDebugSession((s) => inline.remove(s)),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new ConfigurationProvider()),
  );
  return inline;
}

class InlineAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly watches: RegisterWatches, private readonly platform: ExtensionPlatform, private readonly inline: InlineAdapters) {}

  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    // Every session comes through here: Restricted Mode launches no emulator (package.json capabilities).
    if (!vscode.workspace.isTrusted) throw new Error(UNTRUSTED);
    // Wrapped so the Devices view can add data breakpoints of its own (watching-adapter.ts).
    const osdev = new OsdevDebugSession(this.platform.adapterHost);
    this.inline.add(session, osdev);
    const inlineAdapter = osdev as unknown as vscode.DebugAdapter;
    const adapter = new WatchingAdapter(this.platform.wrapSession?.(inlineAdapter) ?? inlineAdapter);
    this.watches.adopt(session, adapter);
    return new vscode.DebugAdapterInlineImplementation(adapter);
  }
}

async function isElf(uri: vscode.Uri): Promise<boolean> {
  try {
    const bytes = await vscode.workspace.fs.readFile(uri);
    return hasElfMagic(bytes);
  } catch {
    return false;
  }
}

/** The kernel to debug when there is no launch.json: the active file if it is an ELF, else the folder's only *.elf. */
async function findProgram(folder: vscode.WorkspaceFolder | undefined): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri ?? activeTabUri();
  if (active !== undefined && (active.scheme === 'file' || inWorkspace(active)) && await isElf(active)) return active;
  if (folder === undefined) return undefined;
  const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*.elf'), SKIP_GLOB, 2);
  return found.length === 1 && await isElf(found[0]) ? found[0] : undefined;
}

/** A file of a workspace folder (in VS Code for the Web, folders are not `file:` URIs). */
function inWorkspace(uri: vscode.Uri): boolean {
  return vscode.workspace.getWorkspaceFolder(uri) !== undefined;
}

/** Binary files open in a custom or hex editor, not a text editor: look at the active tab too. */
function activeTabUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : undefined;
}

class ConfigurationProvider implements vscode.DebugConfigurationProvider {
  async resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showInformationMessage(UNTRUSTED);
      return undefined;
    }
    if (config.type !== undefined || config.request !== undefined || config.name !== undefined) return config;
    // F5 with no launch.json: replay the replay file in front of the user, or debug the ELF.
    const active = vscode.window.activeTextEditor?.document.uri ?? activeTabUri();
    if (active !== undefined && isReplayFile(active)) return replayConfiguration(active);
    const program = await findProgram(folder);
    if (program === undefined) {
      void vscode.window.showInformationMessage('OS Dev Emulator: open a RISC-V kernel ELF (or add an "osdev" launch configuration) to debug it.');
      return undefined;
    }
    return {
      type: DEBUG_TYPE, request: 'launch', name: `Boot ${vscode.workspace.asRelativePath(program)}`,
      program: program.scheme === 'file' ? program.fsPath : program.path, stopOnEntry: true,
    };
  }
}
