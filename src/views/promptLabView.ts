import * as vscode from 'vscode';
import type { Draft, HistoryEntry, RunStart } from '../core/protocol';
import { createNonce, renderWebviewHtml } from '../core/webview/html';
import { VERSION } from '../core/version';
import { PromptRun } from '../endpoints/promptRun';
import { addToDataset } from '../host/promptLabAppend';
import { endpointOptions, refreshLiveSageMaker, seedSupport } from '../host/endpointOptions';
import type { TuneLabContext } from '../host/context';
import { runEvalBatch } from '../host/promptLabEvalBatch';
import { savePromptFile } from '../host/promptLabFiles';
import type { PromptLabStore } from '../host/promptLabStore';
import { trust } from '../host/trust';
import { WebviewMessenger } from './webviewMessenger';

export const PROMPT_LAB_VIEW_ID = 'tunelab.promptLab';

/**
 * The Prompt Lab webview view. It loads the app built from `webview-ui/` (fixed asset names under
 * dist/webview) with a strict CSP, answers the panel through the typed, validated protocol, and
 * runs its prompts: every column × sample streamed at once through the endpoints' schedulers.
 */
export class PromptLabViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private messenger: WebviewMessenger | undefined;
  private view: vscode.WebviewView | undefined;
  private readonly runs = new Map<string, PromptRun>();
  /** A draft to hand the panel once it is ready (Open in Prompt Lab before the view was shown). */
  private pendingDraft: Draft | undefined;
  /** A draft/load was posted and the panel has not said it is in place: its saves until then are stale. */
  private awaitingLoad = false;
  /** Whether this session has asked SageMaker for its live endpoints yet. */
  private listedLive = false;

  constructor(private readonly ctx: TuneLabContext, private readonly store: PromptLabStore) {
    const { endpoints } = ctx;
    this.disposables.push(
      trust.onDidGrant(() => this.messenger?.notify('trust/changed', { trusted: true })),
      endpoints.onDidChange(() => this.messenger?.notify('endpoints/changed', { endpoints: endpointOptions(endpoints) })),
      store.onDidChangeHistory((history) => this.messenger?.notify('history/changed', { history })),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    const { extensionUri, log } = this.ctx;
    const assets = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
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
    const messenger = new WebviewMessenger(webview, this.handlers(), log);
    this.messenger = messenger;
    this.view = view;
    // A new panel restores its own last draft and may save it before it asks for the pending one.
    this.awaitingLoad = this.pendingDraft !== undefined;
    view.onDidDispose(() => {
      messenger.dispose();
      if (this.messenger !== messenger) return;
      this.messenger = undefined;
      this.view = undefined;
      for (const run of this.runs.values()) run.cancel();
    });
  }

  /** Puts a draft into the panel, showing the panel first. */
  async load(draft: Draft): Promise<void> {
    // From here until the panel acknowledges the draft, what it saves is older than this draft.
    this.awaitingLoad = true;
    await this.store.saveDraft(draft);
    this.pendingDraft = draft;
    await vscode.commands.executeCommand(`${PROMPT_LAB_VIEW_ID}.focus`);
    // A panel already running gets it now; a new one asks for it in panel/ready.
    if (this.view !== undefined && this.messenger !== undefined) {
      this.postLoad(this.messenger, draft);
      this.pendingDraft = undefined;
    }
  }

  private postLoad(messenger: WebviewMessenger, draft: Draft): void {
    this.awaitingLoad = true;
    messenger.notify('draft/load', { draft });
  }

  private handlers(): ConstructorParameters<typeof WebviewMessenger>[1] {
    const { endpoints, linting, lintSettings, log } = this.ctx;
    const { store } = this;
    return {
      'panel/ready': () => {
        const draft = this.pendingDraft;
        this.pendingDraft = undefined;
        if (draft !== undefined) {
          setTimeout(() => { if (this.messenger !== undefined) this.postLoad(this.messenger, draft); }, 0);
        }
        this.listLiveOnce();
        return { version: VERSION, trusted: trust.isTrusted, endpoints: endpointOptions(endpoints), history: store.history, draft: store.draft };
      },
      'command/run': async ({ command }) => {
        await vscode.commands.executeCommand(command);
        return null;
      },
      'endpoints/refresh': async ({ live }) => {
        if (live && trust.isTrusted) {
          const problems = await vscode.window.withProgress(
            { location: { viewId: PROMPT_LAB_VIEW_ID }, title: 'Listing SageMaker endpoints' },
            () => refreshLiveSageMaker(endpoints, process.env),
          );
          for (const p of problems) log.warn(`Listing SageMaker endpoints: ${p}`);
          if (problems.length > 0) {
            void vscode.window.showWarningMessage(`TuneLab: could not list SageMaker endpoints in ${problems.map((p) => p.split(':')[0]).join(', ')}. Check your AWS credentials (see the log for the error).`, 'Show Log')
              .then((c) => { if (c !== undefined) log.show(); });
          }
        }
        return endpointOptions(endpoints);
      },
      'run/start': (spec) => {
        this.start(spec);
        return null;
      },
      'run/cancel': ({ runId }) => {
        this.runs.get(runId)?.cancel();
        return null;
      },
      'answer/copy': async ({ text }) => {
        await vscode.env.clipboard.writeText(text);
        return null;
      },
      'answer/addToDataset': (pair) => addToDataset(linting, pair),
      'draft/save': async (draft) => {
        if (!this.awaitingLoad) await store.saveDraft(draft);
        return null;
      },
      'draft/loaded': () => {
        this.awaitingLoad = false;
        return null;
      },
      'history/delete': async ({ id }) => {
        await store.delete(id);
        return null;
      },
      'history/clear': async () => {
        // A webview cannot confirm; the host asks, since this cannot be undone.
        const n = store.history.length;
        if (n === 0) return null;
        const choice = await vscode.window.showWarningMessage(`Clear all ${n} Prompt Lab run(s) from this workspace's history?`, { modal: true }, 'Clear History');
        if (choice !== undefined) await store.clear();
        return null;
      },
      'prompt/save': (draft) => savePromptFile(draft),
      // The panel shows where the results went: a path on disk, else the URI.
      'batch/start': async ({ columns }) => {
        const results = await runEvalBatch(endpoints, lintSettings, log, columns);
        return results === null ? null : results.scheme === 'file' ? results.fsPath : results.toString();
      },
    };
  }

  /**
   * A user with SageMaker endpoints in settings gets the region's other InService endpoints in
   * the picker without asking, once a session, in the background (they arrive through
   * `endpoints/changed`); others list them with Refresh. Failures only go to the log here.
   */
  private listLiveOnce(): void {
    const { endpoints, log } = this.ctx;
    if (this.listedLive || !trust.isTrusted || !endpoints.endpoints.some((e) => e.kind === 'sagemaker')) return;
    this.listedLive = true;
    void refreshLiveSageMaker(endpoints, process.env).then(
      (problems) => { for (const p of problems) log.info(`Listing SageMaker endpoints: ${p}`); },
      (err: unknown) => { log.info(`Listing SageMaker endpoints: ${String(err)}`); },
    );
  }

  private start(spec: RunStart): void {
    const { endpoints, log } = this.ctx;
    const { store } = this;
    if (!trust.isTrusted) throw new Error('This workspace is in Restricted Mode, so TuneLab makes no network calls. Trust the workspace to run prompts.');
    if (this.runs.has(spec.runId)) throw new Error(`A run with id ${spec.runId} is already going.`);
    for (const c of spec.columns) {
      if (endpoints.get(c.endpoint) === undefined) throw new Error(`No endpoint "${c.endpoint}": pick one of your endpoints, or add one with TuneLab: Add Endpoint.`);
    }
    const { runId } = spec;
    const notify = this.messenger;
    const run = new PromptRun(
      spec,
      (endpoint, request, signal) => endpoints.chat(endpoint, request, signal),
      {
        chunk: (column, sample, text) => notify?.notify('run/chunk', { runId, column, sample, text }),
        done: (column, sample, stats) => notify?.notify('run/done', { runId, column, sample, stats }),
        error: (column, sample, message) => {
          log.warn(`Prompt Lab: ${spec.columns[column]?.endpoint ?? '?'}: ${message}`);
          notify?.notify('run/error', { runId, column, sample, message });
        },
      },
      { supportsSeed: seedSupport(endpoints) },
    );
    this.runs.set(runId, run);
    void run.finished.then(async (answers) => {
      this.runs.delete(runId);
      notify?.notify('run/end', { runId });
      const entry: HistoryEntry = {
        id: runId, time: Date.now(), question: spec.question, system: spec.columns[0]?.system ?? '',
        columns: spec.columns, samples: spec.samples, answers,
      };
      await store.add(entry);
    }).catch((err: unknown) => { log.error(`Prompt Lab: could not keep the run in history: ${String(err)}`); });
  }

  dispose(): void {
    for (const run of this.runs.values()) run.cancel();
    this.messenger?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
