// First: its body marks when this bundle began to evaluate (see activate's measure below).
import { evaluationStart } from './host/activationClock';
import * as vscode from 'vscode';
import { registerDatasetCommands } from './commands/dataset';
import { registerEndpointCommands } from './commands/endpoints';
import { registerGeneralCommands } from './commands/general';
import { moveHandler, registerTopicsCommands, type TopicsCommandServices } from './commands/topics';
import { VERSION } from './core/version';
import { lazyCuration, lazyGeneration, lazyJudge, lazyPromptLab, loadPromptFileParser } from './features/lazyFeatures';
import { Config } from './host/config';
import { loadEndpointBackends } from './host/endpointBackends';
import { EndpointRegistry } from './host/endpoints';
import { bundlesInMemory } from './host/lazyBundle';
import { LintSettingsSource } from './host/lintSettings';
import { WorkspaceSidecars } from './host/sidecarFiles';
import { loadTokenizers } from './host/tokenizers';
import { TopicsFileWatcher } from './host/topicsFile';
import { TopicsModel } from './host/topicsModel';
import { trust } from './host/trust';
import { DatasetCodeActions } from './providers/datasetCodeActions';
import { DatasetHover } from './providers/datasetHover';
import { DatasetLinting } from './host/datasetLinting';
import { PromptDiagnostics } from './providers/promptDiagnostics';
import { DatasetStatsPanel } from './views/datasetStatsPanel';
import { DatasetStatus } from './views/datasetStatus';
import { TOPICS_VIEW_ID, TopicsTreeProvider } from './views/topicsView';

/** Imports are evaluated before this line: the bundle's modules are done. */
const evaluationEnd = performance.now();

/** How activation went, measured in the extension host itself (the integration tests read it). */
export interface ActivationRecord {
  /**
   * TuneLab's activation time in milliseconds (performance.now()): evaluating its bundle plus the
   * activate() call, the two parts VS Code's Running Extensions view adds up.
   */
  readonly ms: number;
  /** Of that: evaluating the bundle's modules. */
  readonly evaluateMs: number;
  /** Of that: the activate() call itself. */
  readonly activateMs: number;
  /** Not in `ms`: the extension host's own time between evaluating the bundle and calling activate(). */
  readonly hostMs: number;
  /** The dist/ bundles evaluated when activate() ended, by file name. */
  readonly bundles: readonly string[];
}

/** What activate() returns: `vscode.extensions.getExtension('tunelab.tunelab').exports`. */
export interface TuneLabApi {
  readonly activation: ActivationRecord;
  /** The dist/ bundles evaluated now: the judge, curation, Prompt Lab and generation load on first use. */
  loadedBundles(): string[];
}

/** The composition root: builds the services and registers them; every registration is disposed on deactivate. */
export function activate(context: vscode.ExtensionContext): TuneLabApi {
  const activateStart = performance.now();
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
      new PromptDiagnostics(() => loadPromptFileParser(context.extensionUri), log),
      vscode.languages.registerCodeActionsProvider(datasets, new DatasetCodeActions(linting), { providedCodeActionKinds: DatasetCodeActions.kinds }),
      vscode.languages.registerHoverProvider(datasets, new DatasetHover(linting)),
      ...registerDatasetCommands({ linting, stats }),
    );
    const endpoints = new EndpointRegistry(context.secrets, log, () => loadEndpointBackends(context.extensionUri));
    context.subscriptions.push(endpoints, ...registerEndpointCommands(endpoints, log));
    // The judge, curation, Prompt Lab and generation are bundles of their own, evaluated on first
    // use: only their command stand-ins and cheap provider shells are registered here.
    const lazy = { extensionUri: context.extensionUri, log };
    // One sidecar store for the whole editor, so each feature's watcher can tell the store's own writes.
    const sidecars = new WorkspaceSidecars();
    context.subscriptions.push(...lazyCuration(lazy, () => ({ endpoints, lintSettings, linting, sidecars, log, state: context.workspaceState })));
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
    context.subscriptions.push(
      topics, tree, topicsView, ...registerTopicsCommands(topicsServices),
      ...lazyGeneration(lazy, () => topicsServices),
      ...lazyPromptLab(lazy, () => ({ extensionUri: context.extensionUri, log, endpoints, linting, lintSettings, state: context.workspaceState })),
      ...lazyJudge(lazy, () => ({ extensionUri: context.extensionUri, endpoints, lintSettings, state: context.workspaceState, log })),
    );
    const end = performance.now();
    const evaluateMs = evaluationEnd - evaluationStart;
    const activateMs = end - activateStart;
    const activation: ActivationRecord = { ms: evaluateMs + activateMs, evaluateMs, activateMs, hostMs: activateStart - evaluationEnd, bundles: bundlesInMemory(context.extensionUri) };
    log.info(`TuneLab ${VERSION} activated in VS Code ${vscode.version} in ${activation.ms.toFixed(1)} ms: ${evaluateMs.toFixed(1)} ms evaluating its code, ${activateMs.toFixed(1)} ms in activate() (bundles evaluated: ${activation.bundles.join(', ')})${trust.isTrusted ? '' : ' (Restricted Mode: no network calls)'}`);
    return { activation, loadedBundles: () => bundlesInMemory(context.extensionUri) };
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
