import * as vscode from 'vscode';
import { registerGeneralCommands } from './commands/general';
import { VERSION } from './core/version';
import { Config } from './host/config';
import { TopicsFileWatcher } from './host/topicsFile';
import { trust } from './host/trust';
import { PROMPT_LAB_VIEW_ID, PromptLabViewProvider } from './views/promptLabView';
import { TOPICS_VIEW_ID, TopicsTreeProvider } from './views/topicsView';

/** The composition root: builds the services and registers them; every registration is disposed on deactivate. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('TuneLab', { log: true });
  context.subscriptions.push(log);
  try {
    const config = new Config();
    context.subscriptions.push(
      config,
      new TopicsFileWatcher(config, log),
      vscode.window.registerTreeDataProvider(TOPICS_VIEW_ID, new TopicsTreeProvider()),
      ...registerGeneralCommands({ log, config }),
    );
    const promptLab = new PromptLabViewProvider(context.extensionUri, log);
    context.subscriptions.push(promptLab, vscode.window.registerWebviewViewProvider(PROMPT_LAB_VIEW_ID, promptLab));
    log.info(`TuneLab ${VERSION} activated in VS Code ${vscode.version}${trust.isTrusted ? '' : ' (Restricted Mode: no network calls)'}`);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.error(`TuneLab failed to start: ${message}`);
    void vscode.window.showErrorMessage(`TuneLab failed to start: ${message}`, 'Show Log').then((choice) => {
      if (choice) log.show();
    });
    throw err;
  }
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
