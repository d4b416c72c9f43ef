import * as vscode from 'vscode';
import { createNonce, renderWebviewHtml } from '../core/webview/html';
import { VERSION } from '../core/version';
import { trust } from '../host/trust';
import { WebviewMessenger } from './webviewMessenger';

export const PROMPT_LAB_VIEW_ID = 'tunelab.promptLab';

/**
 * The Prompt Lab webview view. It loads the app built from `webview-ui/` (fixed asset names under
 * dist/webview) with a strict CSP, and answers the panel through the typed, validated protocol.
 */
export class PromptLabViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private messenger: WebviewMessenger | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(trust.onDidGrant(() => this.messenger?.notify('trust/changed', { trusted: true })));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    const assets = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const { webview } = view;
    webview.options = { enableScripts: true, localResourceRoots: [assets] };
    webview.html = renderWebviewHtml({
      title: 'Prompt Lab',
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(assets, 'index.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(assets, 'index.css')).toString(),
    });
    this.messenger?.dispose();
    const messenger = new WebviewMessenger(
      webview,
      {
        'panel/ready': () => ({ version: VERSION, trusted: trust.isTrusted }),
        'command/run': async ({ command }) => {
          await vscode.commands.executeCommand(command);
          return null;
        },
      },
      this.log,
    );
    this.messenger = messenger;
    view.onDidDispose(() => {
      messenger.dispose();
      if (this.messenger === messenger) this.messenger = undefined;
    });
  }

  dispose(): void {
    this.messenger?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
