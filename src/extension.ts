import * as vscode from 'vscode';
import { registerCuration } from './commands/curation';
import { registerDatasetCommands } from './commands/dataset';
import { registerEndpointCommands } from './commands/endpoints';
import { registerGeneralCommands } from './commands/general';
import { registerJudgeCommands } from './commands/judge';
import { registerPromptLabCommands } from './commands/promptLab';
import { moveHandler, registerTopicsCommands, type TopicsCommandServices } from './commands/topics';
import { VERSION } from './core/version';
import { Config } from './host/config';
import { loadEndpointBackends } from './host/endpointBackends';
import { EndpointRegistry } from './host/endpoints';
import { JudgeModel } from './host/judgeModel';
import { LintSettingsSource } from './host/lintSettings';
import { PromptLabStore } from './host/promptLabStore';
import { loadTokenizers } from './host/tokenizers';
import { TopicsFileWatcher } from './host/topicsFile';
import { TopicsModel } from './host/topicsModel';
import { trust } from './host/trust';
import { DatasetCodeActions } from './providers/datasetCodeActions';
import { DatasetHover } from './providers/datasetHover';
import { DatasetLinting } from './providers/datasetLinting';
import { JudgeCodeLens } from './providers/judgeCodeLens';
import { JudgeDecorations } from './providers/judgeDecorations';
import { PromptDiagnostics } from './providers/promptDiagnostics';
import { DatasetStatsPanel } from './views/datasetStatsPanel';
import { DatasetStatus } from './views/datasetStatus';
import { JUDGE_RUNS_VIEW_ID, JudgeRunsView } from './views/judgeRunsView';
import { JudgeStatus } from './views/judgeStatus';
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
      ...registerGeneralCommands({ log, config }),
    );
    const lintSettings = new LintSettingsSource();
    const linting = new DatasetLinting(context.extensionUri, lintSettings, () => loadTokenizers(context.extensionUri), log);
    const stats = new DatasetStatsPanel(linting, log);
    const datasets: vscode.DocumentSelector = { language: 'jsonl' };
    context.subscriptions.push(
      lintSettings,
      linting,
      stats,
      new DatasetStatus(linting),
      new PromptDiagnostics(),
      vscode.languages.registerCodeActionsProvider(datasets, new DatasetCodeActions(linting), { providedCodeActionKinds: DatasetCodeActions.kinds }),
      vscode.languages.registerHoverProvider(datasets, new DatasetHover(linting)),
      ...registerDatasetCommands({ linting, stats }),
    );
    const endpoints = new EndpointRegistry(context.secrets, log, () => loadEndpointBackends(context.extensionUri));
    context.subscriptions.push(endpoints, ...registerEndpointCommands(endpoints, log));
    context.subscriptions.push(...registerCuration({ endpoints, lintSettings, log, state: context.workspaceState }));
    const topics = new TopicsModel(config, context.workspaceState, log);
    // The tree's drag and drop edits the file through the commands' services, which need the tree's view.
    const services: { current?: TopicsCommandServices } = {};
    const tree = new TopicsTreeProvider(topics, moveHandler(() => {
      if (services.current === undefined) throw new Error('TuneLab is still starting.');
      return services.current;
    }));
    const topicsView = vscode.window.createTreeView(TOPICS_VIEW_ID, { treeDataProvider: tree, dragAndDropController: tree, showCollapseAll: true });
    const topicsServices: TopicsCommandServices = { config, state: context.workspaceState, view: topicsView, endpoints, linting, lintSettings, model: topics, log };
    services.current = topicsServices;
    context.subscriptions.push(topics, tree, topicsView, ...registerTopicsCommands(topicsServices));
    const store = new PromptLabStore(context.workspaceState);
    const promptLab = new PromptLabViewProvider({ extensionUri: context.extensionUri, log, endpoints, store, linting, lintSettings });
    context.subscriptions.push(
      store,
      promptLab,
      // Kept alive while hidden: answers keep streaming into the panel when the user looks elsewhere.
      vscode.window.registerWebviewViewProvider(PROMPT_LAB_VIEW_ID, promptLab, { webviewOptions: { retainContextWhenHidden: true } }),
      ...registerPromptLabCommands({ view: promptLab, store, endpoints, lintSettings, log }),
    );
    const judge = new JudgeModel(endpoints, log);
    const codeLens = new JudgeCodeLens(judge);
    const runsView = new JudgeRunsView(judge);
    const sidecars = vscode.workspace.createFileSystemWatcher('**/.tunelab/*.verdicts.json');
    context.subscriptions.push(
      judge,
      codeLens,
      runsView,
      sidecars,
      sidecars.onDidChange((uri) => { judge.sidecarChanged(uri); }),
      sidecars.onDidCreate((uri) => { judge.sidecarChanged(uri); }),
      new JudgeDecorations(judge, context.extensionUri),
      new JudgeStatus(judge),
      vscode.languages.registerCodeLensProvider({ pattern: '**/*.results.jsonl' }, codeLens),
      vscode.window.registerTreeDataProvider(JUDGE_RUNS_VIEW_ID, runsView),
      ...registerJudgeCommands({ model: judge, endpoints, lintSettings, state: context.workspaceState, runsView, log }),
    );
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
