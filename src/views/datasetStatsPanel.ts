import * as vscode from 'vscode';
import { DATASET_RULES } from '../core/lint/engine';
import { measureRecord } from '../core/lint/tokensOf';
import { FORMATS } from '../core/formats/index';
import { isRefusal } from '../core/rules/index';
import type { FormatId } from '../core/lint/types';
import { createNonce } from '../core/webview/html';
import { renderStatsPage, TokenTally, type StatsPageInput } from '../core/webview/statsPage';
import type { DatasetLinting, LintedDataset } from '../host/datasetLinting';

const FORMAT_LABELS: ReadonlyMap<FormatId | 'none', string> = new Map<FormatId | 'none', string>([
  ...FORMATS.map((f) => [f.id, f.label] as const),
  ['none', 'No known format'],
]);

/** Rows tokenized between yields, so counting 50k rows never blocks the editor. */
const TOKENS_PER_SLICE = 500;

/**
 * The Dataset Stats view: a webview panel beside the dataset with its counts, the findings per
 * rule and a histogram of tokens per row. Static HTML, no script; re-rendered as the dataset changes.
 */
export class DatasetStatsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private dataset: vscode.Uri | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;

  constructor(private readonly linting: DatasetLinting, private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(linting.onDidUpdate((d) => {
      if (this.panel !== undefined && d.document.uri.toString() === this.dataset?.toString()) this.scheduleRender();
    }));
  }

  show(document: vscode.TextDocument): void {
    this.dataset = document.uri;
    if (this.panel === undefined) {
      this.panel = vscode.window.createWebviewPanel('tunelab.datasetStats', 'Dataset Stats', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
        enableScripts: false,
        localResourceRoots: [],
      });
      this.panel.onDidDispose(() => { this.panel = undefined; this.generation++; }, undefined, this.disposables);
    } else {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
    }
    this.panel.title = `Dataset Stats: ${basename(document.uri)}`;
    this.scheduleRender(0);
  }

  private scheduleRender(delay = 400): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; void this.render(); }, delay);
  }

  private async render(): Promise<void> {
    const panel = this.panel;
    const uri = this.dataset;
    const state = uri === undefined ? undefined : this.linting.get(uri);
    if (panel === undefined || state === undefined) return;
    const generation = ++this.generation;
    const base = this.pageInput(state, { note: 'Counting tokens…' });
    panel.webview.html = renderStatsPage(base);
    let counter: Awaited<ReturnType<DatasetLinting['tokenCounter']>>;
    try {
      counter = await this.linting.tokenCounter();
    } catch (err) {
      this.log.error(`Dataset Stats: the tokenizer did not load: ${String(err)}`);
      if (generation === this.generation) panel.webview.html = renderStatsPage(this.pageInput(state, { note: 'Token counts are unavailable: the tokenizer did not load (see TuneLab\'s log).' }));
      return;
    }
    try {
      const { settings, context } = state.settings;
      const fileFormat = state.linter.format?.id;
      // Each record as its trainer counts it (the filled template, chat headers, OpenAI's overhead),
      // against the limit of the file's format and target model: what too-long checks. A row that
      // cannot be counted is left out and said to be; the tokenizer is not blamed for it.
      const tally = new TokenTally();
      for (let line = 0; line < state.linter.lineCount; line++) {
        const view = state.linter.viewOf(line);
        if (view !== undefined) {
          tally.add(() => {
            try {
              return measureRecord(view, context, settings, counter);
            } catch (err) {
              this.log.error(`Dataset Stats: line ${line + 1} could not be counted: ${String(err)}`);
              throw err;
            }
          }, view.format === fileFormat);
        }
        if (line % TOKENS_PER_SLICE === TOKENS_PER_SLICE - 1) {
          await new Promise((r) => setImmediate(r));
          if (generation !== this.generation) return; // a newer render took over
        }
      }
      if (generation !== this.generation || this.panel !== panel) return;
      panel.webview.html = renderStatsPage(this.pageInput(state, tally.result()));
    } catch (err) {
      // Not the tokenizer: it loaded. Something in building the page failed.
      this.log.error(`Dataset Stats: could not build the page: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      if (generation === this.generation) panel.webview.html = renderStatsPage(this.pageInput(state, { note: `Token counts are unavailable: building them failed (${err instanceof Error ? err.message : String(err)}); see TuneLab's log.` }));
    }
  }

  private pageInput(state: LintedDataset, tokens: StatsPageInput['tokens']): StatsPageInput {
    return {
      nonce: createNonce(),
      fileName: vscode.workspace.asRelativePath(state.document.uri),
      formatLabel: state.linter.format?.label,
      formatLabels: FORMAT_LABELS,
      stats: state.linter.stats(isRefusal, state.findings),
      tokens,
      datasetChecks: state.findings.filter((f) => DATASET_RULES.has(f.rule)),
    };
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function basename(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}
