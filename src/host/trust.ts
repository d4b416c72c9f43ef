import * as vscode from 'vscode';

/**
 * Workspace trust, in one place: untrusted workspaces make no network calls, so every caller
 * that would reach an endpoint asks here first.
 */
export const trust = {
  get isTrusted(): boolean {
    return vscode.workspace.isTrusted;
  },
  onDidGrant: vscode.workspace.onDidGrantWorkspaceTrust,
};

export type Trust = typeof trust;
