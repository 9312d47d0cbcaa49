/** Workspace trust as the language client and server say it to each other (trust.ts says why it matters). */

/** initializationOptions.trusted: false for an untrusted workspace. */
export interface TrustOptions { trusted?: unknown }

/** Client → server notification: the user trusted the workspace (vscode.workspace.onDidGrantWorkspaceTrust). */
export const TRUST_GRANTED_NOTIFICATION = 'osdev/workspaceTrusted';
