import * as vscode from 'vscode';
import { RowKeys, scoreLabel, type ScoreRow, type ScoreSetup } from '../core/judge/score';
import type { Config } from '../host/config';
import { datasetRows, type DatasetScores, type RowSources, type ScoreStore } from '../host/curation';
import { isDataset } from '../host/datasetLinting';

/** Edits gather this long before the scores are looked up again. */
const DEBOUNCE_MS = 150;

export const SCORE_COLOR = 'tunelab.score.foreground';
export const LOW_SCORE_COLOR = 'tunelab.score.lowForeground';
export const ERROR_SCORE_COLOR = 'tunelab.score.errorForeground';

/** A document's rows with their keys by one setup, kept while the document and the setup stay the same. */
interface Keyed {
  readonly version: number;
  readonly judge: string;
  readonly rubric: string;
  readonly rows: readonly { readonly row: ScoreRow; readonly key: string }[];
}

function decorationType(color: string): vscode.TextEditorDecorationType {
  return vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor(color), margin: '0 0 0 2em', fontStyle: 'italic' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
}

/** Plain text in a hover: the judge's reasoning is untrusted, so no markdown, HTML or command links. */
function hover(title: string, body: string, judge: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString('', false);
  md.isTrusted = false;
  md.supportHtml = false;
  md.appendText(title);
  md.appendMarkdown('\n\n');
  md.appendText(body === '' ? '(The judge gave no reasoning.)' : body);
  md.appendMarkdown('\n\n---\n\n');
  md.appendText(`Judge: ${judge}`);
  return md;
}

/**
 * Shows each scored row's score after it (`score 7/10`), coloured by the threshold, with the
 * judge's reasoning in a hover; rows that could not be scored this session show `score: error`.
 * Looked up from the document's current rows (the lines its linter parsed) and the scores on
 * every edit (debounced), so an edited row loses its score: its key changes. Only the lines an
 * edit changed are read and hashed again (see datasetRows and RowKeys).
 */
export class ScoreDecorations implements vscode.Disposable {
  private readonly normal = decorationType(SCORE_COLOR);
  private readonly low = decorationType(LOW_SCORE_COLOR);
  private readonly failed = decorationType(ERROR_SCORE_COLOR);
  private readonly keyed = new Map<string, Keyed>();
  /** Each document's keys by pair, kept across its versions. */
  private readonly rowKeys = new Map<string, RowKeys>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: { dispose(): unknown }[] = [this.normal, this.low, this.failed];

  constructor(private readonly store: ScoreStore, private readonly sources: RowSources, private readonly config: Config) {
    const { lintSettings } = sources;
    this.disposables.push(
      vscode.window.onDidChangeVisibleTextEditors((editors) => {
        for (const document of new Set(editors.map((e) => e.document))) void this.refresh(document);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.schedule(e.document.uri);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.keyed.delete(d.uri.toString());
        this.rowKeys.delete(d.uri.toString());
      }),
      store.onDidChange((uri) => { this.schedule(uri); }),
      lintSettings.onDidChange(() => {
        // The format may change, and with it what a row's question and answer are.
        this.keyed.clear();
        this.refreshAll();
      }),
      config.onDidChangeSection(['curation'], () => { this.refreshAll(); }),
    );
    this.refreshAll();
  }

  private refreshAll(): void {
    for (const document of new Set(vscode.window.visibleTextEditors.map((e) => e.document))) void this.refresh(document);
  }

  private schedule(uri: vscode.Uri): void {
    const key = uri.toString();
    const pending = this.timers.get(key);
    if (pending !== undefined) clearTimeout(pending);
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      const document = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === key)?.document;
      if (document !== undefined) void this.refresh(document);
    }, DEBOUNCE_MS));
  }

  private async refresh(document: vscode.TextDocument): Promise<void> {
    if (!isDataset(document) || document.uri.scheme === 'untitled') return;
    let state: DatasetScores;
    let keyed: Keyed | undefined;
    try {
      state = await this.store.load(document.uri);
      keyed = await this.keysOf(document, state.setup);
    } catch {
      // The scores show again on the next edit or visit; the store logs what it could not read.
      return;
    }
    // The document changed while its rows were read: the change's own refresh will follow.
    if (keyed === undefined || keyed.version !== document.version) return;
    this.render(document, state, keyed);
  }

  private async keysOf(document: vscode.TextDocument, setup: ScoreSetup | undefined): Promise<Keyed | undefined> {
    if (setup === undefined) return { version: document.version, judge: '', rubric: '', rows: [] };
    const id = document.uri.toString();
    const known = this.keyed.get(id);
    if (known !== undefined && known.version === document.version && known.judge === setup.judge && known.rubric === setup.rubric) return known;
    const read = await datasetRows(document, this.sources);
    if (read.version !== document.version) return undefined;
    let rowKeys = this.rowKeys.get(id);
    if (rowKeys === undefined) {
      rowKeys = new RowKeys();
      this.rowKeys.set(id, rowKeys);
    }
    const keys = rowKeys.keysOf(read.rows, setup);
    const keyed: Keyed = { version: read.version, judge: setup.judge, rubric: setup.rubric, rows: read.rows.map((row, i) => ({ row, key: keys[i] ?? '' })) };
    this.keyed.set(id, keyed);
    return keyed;
  }

  private render(document: vscode.TextDocument, state: DatasetScores, keyed: Keyed): void {
    const threshold = this.config.for(document.uri).curation.threshold;
    const normal: vscode.DecorationOptions[] = [];
    const low: vscode.DecorationOptions[] = [];
    const failed: vscode.DecorationOptions[] = [];
    const judge = state.setup?.judge ?? '';
    for (const { row, key } of keyed.rows) {
      if (row.line >= document.lineCount) continue;
      const end = document.lineAt(row.line).range.end;
      const range = new vscode.Range(end, end);
      const score = state.scores.get(key);
      if (score !== undefined) {
        const below = score.score < threshold;
        const title = `Score ${score.score}/10${below ? `, below the threshold of ${threshold}` : ''}`;
        (below ? low : normal).push({ range, hoverMessage: hover(title, score.reasoning, judge), renderOptions: { after: { contentText: scoreLabel(score.score) } } });
        continue;
      }
      const error = state.errors.get(key);
      if (error !== undefined) {
        failed.push({ range, hoverMessage: hover('This row could not be scored', error, judge), renderOptions: { after: { contentText: 'score: error' } } });
      }
    }
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document !== document) continue;
      editor.setDecorations(this.normal, normal);
      editor.setDecorations(this.low, low);
      editor.setDecorations(this.failed, failed);
    }
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const d of this.disposables) d.dispose();
  }
}
