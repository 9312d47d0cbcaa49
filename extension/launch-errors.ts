/**
 * A launch refused because of a file the user wrote (a stub model, later a board DTS)
 * names the place as FILE:LINE:COLUMN: the error also goes to the Problems view as a
 * diagnostic on that line, and is cleared by the next launch that gets past it.
 */
import * as vscode from 'vscode';
import { DEBUG_TYPE } from '../debug-adapter';
import { parseLocatedError } from './located-error';

export function registerLaunchErrors(): vscode.Disposable[] {
  const diagnostics = vscode.languages.createDiagnosticCollection('osdev-launch');
  const tracker: vscode.DebugAdapterTrackerFactory = {
    createDebugAdapterTracker: () => ({
      onDidSendMessage: (m: { type?: string; command?: string; success?: boolean; message?: string; body?: { error?: { format?: string } } }) => {
        if (m.type !== 'response' || m.command !== 'launch') return;
        diagnostics.clear();
        if (m.success === true) return;
        const at = parseLocatedError(m.body?.error?.format ?? m.message ?? '');
        if (at === undefined) return;
        const pos = new vscode.Position(at.line - 1, at.column - 1);
        const d = new vscode.Diagnostic(new vscode.Range(pos, pos.translate(0, 1)), at.message, vscode.DiagnosticSeverity.Error);
        d.source = 'OS Dev Emulator';
        diagnostics.set(vscode.Uri.file(at.file), [d]);
      },
    }),
  };
  return [diagnostics, vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, tracker)];
}
