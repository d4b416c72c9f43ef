import * as vscode from 'vscode';
import { isRejectedPath } from '../core/judge/rejectedFile';
import { isResultsPath } from '../core/resultsPath';
import { ruleAnchor } from '../core/lint/catalog';
import { DatasetLinter } from '../core/lint/engine';
import { FindingsPublisher, SliceRunner, type LineRange } from '../core/lint/schedule';
import type { Finding, Severity, TokenCounter } from '../core/lint/types';
import { lazyCounter, type TokenizerLoader } from '../core/tokens/load';
import type { DatasetSettings, LintSettingsSource } from './lintSettings';

/** Lines assumed in view when no editor shows the document yet (it opens at the top). */
const TOP_LINES = 100;
/** Quiet time after a keystroke before linting. */
const DEBOUNCE_MS = 200;
/** While a long lint runs, publish what is known this often. */
const PUBLISH_EVERY_MS = 1000;
/** Files from this size on are never synchronised to extensions by VS Code. */
const TOO_LARGE_BYTES = 50 * 1024 * 1024;

export interface LintedDataset {
  readonly document: vscode.TextDocument;
  readonly linter: DatasetLinter;
  readonly settings: DatasetSettings;
  /** The findings last published, by line order; the diagnostics map back to them. */
  readonly findings: readonly Finding[];
  /** True while work is pending or running. */
  readonly busy: boolean;
}

interface State {
  document: vscode.TextDocument;
  linter: DatasetLinter;
  settings: DatasetSettings;
  findings: Finding[];
  busy: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  running: boolean;
  disposed: boolean;
  /** Slices the work by time (core/lint/schedule.ts, the same code `npm run bench` measures). */
  runner: SliceRunner;
  /** Makes Diagnostics only for the lines whose findings changed since the last publish. */
  publisher: FindingsPublisher<vscode.Diagnostic>;
}

export function isDataset(document: vscode.TextDocument): boolean {
  // A results file (Prompt Lab's batch output, the judge's input) is not training data, nor are
  // rows moved out of a dataset (`*.rejected.jsonl`) or TuneLab's own files in `.tunelab/`.
  return document.languageId === 'jsonl' && document.uri.scheme !== 'output' && document.uri.scheme !== 'git' && !isResultsPath(document.uri.path) && !isRejectedPath(document.uri.path);
}

/**
 * Keeps one DatasetLinter per open JSON Lines document, feeds it each edit as a splice of lines,
 * runs it in slices (yielding between them) after a short debounce, and publishes the findings
 * to one DiagnosticCollection.
 */
export class DatasetLinting implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('tunelab');
  private readonly states = new Map<string, State>();
  private readonly updated = new vscode.EventEmitter<LintedDataset>();
  /** Fires after findings are published for a document. */
  readonly onDidUpdate = this.updated.event;
  private readonly disposables: { dispose(): unknown }[] = [this.diagnostics, this.updated];
  private readonly byDiagnostic = new WeakMap<vscode.Diagnostic, Finding>();
  private readonly problemsShown = new Set<string>();
  private readonly tooLargeChecked = new Set<string>();
  private readonly loadTokens: TokenizerLoader;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly source: LintSettingsSource,
    loadTokens: TokenizerLoader,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.loadTokens = lazyCounter(loadTokens);
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => { this.open(d); }),
      vscode.workspace.onDidCloseTextDocument((d) => { this.close(d); }),
      vscode.workspace.onDidChangeTextDocument((e) => { this.change(e); }),
      source.onDidChange(() => { void this.reconfigureAll(); }),
      vscode.window.tabGroups.onDidChangeTabs(() => { this.noticeTooLarge(); }),
    );
    for (const d of vscode.workspace.textDocuments) this.open(d);
    this.noticeTooLarge();
  }

  /**
   * VS Code does not hand extensions the text of very large files (50 MB and up): such a dataset
   * is open in a tab but never becomes a TextDocument. Say so, once per file, and point at the CLI.
   */
  private noticeTooLarge(): void {
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        if (!(tab.input instanceof vscode.TabInputText)) continue;
        const uri = tab.input.uri;
        const key = uri.toString();
        if (!uri.path.endsWith('.jsonl') || this.tooLargeChecked.has(key)) continue;
        if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === key)) continue;
        this.tooLargeChecked.add(key);
        void Promise.resolve(vscode.workspace.fs.stat(uri)).then((stat) => {
          if (stat.size < TOO_LARGE_BYTES) { this.tooLargeChecked.delete(key); return; }
          const name = vscode.workspace.asRelativePath(uri);
          this.log.warn(`${name} (${Math.round(stat.size / 1e6)} MB) is too large for VS Code to give extensions its text; it is not linted in the editor.`);
          void vscode.window.showWarningMessage(
            `TuneLab: ${name} is too large to lint in the editor (VS Code does not pass files over 50 MB to extensions). Lint it from a terminal with the TuneLab CLI: tunelab lint "${name}"`,
          );
        }, () => { this.tooLargeChecked.delete(key); });
      }
    }
  }

  get(document: vscode.TextDocument | vscode.Uri): LintedDataset | undefined {
    const uri = document instanceof vscode.Uri ? document : document.uri;
    return this.states.get(uri.toString());
  }

  /** The finding a diagnostic was made from (for code actions). */
  findingOf(diagnostic: vscode.Diagnostic): Finding | undefined {
    return this.byDiagnostic.get(diagnostic);
  }

  /** The token counter, loaded on first use (it is a few megabytes), once, retried after a failure. */
  tokenCounter(): Promise<TokenCounter> {
    return this.loadTokens();
  }

  private open(document: vscode.TextDocument): void {
    if (!isDataset(document) || this.states.has(document.uri.toString())) return;
    const key = document.uri.toString();
    void this.source.forDocument(document.uri).then((settings) => {
      if (this.states.has(key) || document.isClosed) return;
      this.reportProblems(settings);
      const linter = new DatasetLinter({ settings: settings.settings, context: settings.context, nearDuplicates: true });
      linter.setText(document.getText());
      const runner = new SliceRunner(linter, () => performance.now());
      const publisher = new FindingsPublisher(linter, (f) => this.diagnostic(f, document.uri));
      const state: State = { document, linter, settings, findings: [], busy: true, timer: undefined, running: false, disposed: false, runner, publisher };
      this.states.set(key, state);
      this.schedule(state, 0);
    }, (err: unknown) => { this.log.error(`Could not read the lint settings for ${document.uri.fsPath}: ${String(err)}`); });
  }

  private close(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const state = this.states.get(key);
    if (state === undefined) return;
    state.disposed = true;
    if (state.timer !== undefined) clearTimeout(state.timer);
    this.states.delete(key);
    this.diagnostics.delete(document.uri);
  }

  private change(e: vscode.TextDocumentChangeEvent): void {
    const state = this.states.get(e.document.uri.toString());
    if (state === undefined || e.contentChanges.length === 0) return;
    applyChanges(state.linter, e.document, e.contentChanges);
    state.busy = true;
    this.schedule(state, DEBOUNCE_MS);
  }

  private async reconfigureAll(): Promise<void> {
    for (const state of [...this.states.values()]) {
      const settings = await this.source.forDocument(state.document.uri);
      if (state.disposed) continue;
      this.reportProblems(settings);
      state.settings = settings;
      state.linter.configure({ settings: settings.settings, context: settings.context });
      state.busy = true;
      this.schedule(state, 0);
    }
  }

  private reportProblems(settings: DatasetSettings): void {
    for (const p of settings.problems) {
      if (this.problemsShown.has(p)) continue;
      this.problemsShown.add(p);
      this.log.warn(p);
      void vscode.window.showWarningMessage(`TuneLab: ${p}`, 'Show Log').then((c) => { if (c !== undefined) this.log.show(true); });
    }
  }

  private schedule(state: State, delay: number): void {
    if (state.timer !== undefined) clearTimeout(state.timer);
    state.timer = setTimeout(() => {
      state.timer = undefined;
      void this.run(state);
    }, delay);
  }

  /** Runs the linter to completion in slices, publishing along the way; edits during a run join it. */
  private async run(state: State): Promise<void> {
    if (state.running || state.disposed) return;
    state.running = true;
    const started = Date.now();
    let lastPublish = started;
    try {
      const disposed = (): boolean => state.disposed; // read after each await: a close may land in between
      // The lines in view first, published at once; then the rest in slices of about 10 ms (SLICE_MS).
      if (!state.linter.done) {
        state.runner.visibleFirst(this.visibleLines(state.document));
        // Bounded too: after an edit the rows just checked are read first, and an inserted line
        // that moves every finding below it leaves those to the slices (the very first read of a
        // document is whole: nothing is checked yet but the lines in view).
        this.publish(state, true);
        await yieldToEventLoop();
      }
      while (!disposed() && !state.runner.slice()) {
        await yieldToEventLoop();
        if (disposed()) break;
        // Lines scrolled into view since the last slice are checked next.
        for (const r of this.visibleLines(state.document)) state.linter.checkFirst(r.start, r.end);
        // The findings of what was checked are read in slices of their own as the lint goes (the
        // first read of a row in a duplicate group costs most), so no publish has a pile to read.
        if (!state.runner.readChanged(state.publisher)) {
          await yieldToEventLoop();
          if (disposed()) break;
        }
        if (Date.now() - lastPublish > PUBLISH_EVERY_MS) {
          this.publish(state, true);
          lastPublish = Date.now();
          await yieldToEventLoop();
        }
      }
      // What is left to read (a second's worth of checked rows, a cluster that grew), a slice at a time.
      while (!disposed() && !state.runner.readChanged(state.publisher)) await yieldToEventLoop();
      if (disposed()) return;
      for (const e of state.linter.takeErrors()) this.log.error(`A check failed on ${vscode.workspace.asRelativePath(state.document.uri)}, ${e}`);
      if (state.linter.needsTokens) this.loadTokensFor(state);
      state.busy = state.timer !== undefined;
      this.publish(state);
      const ms = Date.now() - started;
      if (ms > 500) this.log.info(`Linted ${vscode.workspace.asRelativePath(state.document.uri)} (${state.linter.lineCount} lines) in ${ms} ms`);
    } catch (err) {
      this.log.error(`Linting ${state.document.uri.fsPath} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    } finally {
      state.running = false;
    }
  }

  /** The lines the editors showing the document have in view, else the top of the file. */
  private visibleLines(document: vscode.TextDocument): LineRange[] {
    const ranges: LineRange[] = [];
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document !== document) continue;
      for (const r of editor.visibleRanges) ranges.push({ start: r.start.line, end: r.end.line + 1 });
    }
    return ranges.length > 0 ? ranges : [{ start: 0, end: TOP_LINES }];
  }

  private loadTokensFor(state: State): void {
    this.tokenCounter().then((counter) => {
      if (state.disposed) return;
      state.linter.setTokenCounter(counter);
      this.schedule(state, 0);
    }, (err: unknown) => {
      this.log.error(`Could not load the tokenizers; token limits are not checked: ${String(err)}`);
    });
  }

  /**
   * Publishes what is known. Only the lines whose findings changed since the last publish are
   * read again and get new Diagnostics; the others keep theirs (see FindingsPublisher), so a
   * publish during a long lint or after a keystroke costs about what changed. While the lint
   * runs, the reading stops after a slice's time and the rest waits for the next publish.
   */
  private publish(state: State, running = false): void {
    const { findings, items, changed } = running ? state.runner.publish(state.publisher) : state.publisher.publish();
    state.findings = findings;
    if (changed) this.diagnostics.set(state.document.uri, items);
    this.updated.fire(state);
  }

  /** The README, where each diagnostic's rule links to its section. */
  private docs: vscode.Uri | undefined;

  private diagnostic(f: Finding, uri: vscode.Uri): vscode.Diagnostic {
    const d = new vscode.Diagnostic(new vscode.Range(f.line, f.start, f.line, f.end), f.message, SEVERITY[f.severity]);
    d.source = 'TuneLab';
    this.docs ??= vscode.Uri.joinPath(this.extensionUri, 'README.md');
    d.code = { value: f.rule, target: this.docs.with({ fragment: ruleAnchor(f.rule) }) };
    if (f.related !== undefined && f.related.length > 0) {
      d.relatedInformation = f.related.map((r) => new vscode.DiagnosticRelatedInformation(
        new vscode.Location(uri, new vscode.Range(r.line, r.start, r.line, r.end)), r.message));
    }
    this.byDiagnostic.set(d, f);
    return d;
  }

  dispose(): void {
    for (const s of this.states.values()) {
      s.disposed = true;
      if (s.timer !== undefined) clearTimeout(s.timer);
    }
    this.states.clear();
    for (const d of this.disposables) d.dispose();
  }
}

const SEVERITY: Readonly<Record<Severity, vscode.DiagnosticSeverity>> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Turns one change event into one splice of lines. The changes' ranges refer to the document
 * before the event; the old lines from the first to the last touched become the new lines
 * between the same start and the old end shifted by the net number of line breaks added.
 */
function applyChanges(linter: DatasetLinter, document: vscode.TextDocument, changes: readonly vscode.TextDocumentContentChangeEvent[]): void {
  let start = Number.POSITIVE_INFINITY;
  let end = -1;
  let delta = 0;
  for (const c of changes) {
    start = Math.min(start, c.range.start.line);
    end = Math.max(end, c.range.end.line);
    delta += countLineBreaks(c.text) - (c.range.end.line - c.range.start.line);
  }
  const lines: string[] = [];
  const newEnd = Math.min(end + delta, document.lineCount - 1);
  for (let i = start; i <= newEnd; i++) lines.push(document.lineAt(i).text);
  linter.replaceLines(start, end - start + 1, lines);
  if (linter.lineCount !== document.lineCount) {
    // The event did not describe the edit the way we assumed: fall back to the whole text.
    linter.setText(document.getText());
  }
}

function countLineBreaks(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13) {
      n++;
      if (text.charCodeAt(i + 1) === 10) i++;
    }
  }
  return n;
}
