import * as vscode from 'vscode';
import { verdictLabel } from '../core/judge/run';
import { isResultsFile, type FileView, type JudgeModel, type LineVerdict } from '../host/judgeModel';

type Kind = 'win' | 'tie' | 'loss' | 'error';

const COLORS: Readonly<Record<Kind, string>> = {
  win: 'tunelab.judge.winForeground',
  tie: 'tunelab.judge.tieForeground',
  loss: 'tunelab.judge.lossForeground',
  error: 'tunelab.judge.errorForeground',
};

/** Reasoning as plain text in a hover: model output is untrusted, so nothing in it is rendered or run. */
function reasoningHover(v: LineVerdict, view: FileView): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, false);
  md.isTrusted = false;
  md.supportHtml = false;
  md.appendMarkdown('**');
  md.appendText(`${verdictLabel(v.combined)} — A: ${view.names.candidate}, B: ${view.names.baseline}`);
  md.appendMarkdown('**\n\n');
  const order = (title: string, verdict: string, reasoning: string): void => {
    md.appendMarkdown('*');
    md.appendText(`${title}: ${verdict}`);
    md.appendMarkdown('*\n\n');
    md.appendText(reasoning === '' ? '(no reasoning given)' : reasoning);
    md.appendMarkdown('\n\n');
  };
  const name = (verdict: string, firstIsCandidate: boolean): string => {
    if (verdict === 'C') return 'tie';
    const candidateWon = (verdict === 'A') === firstIsCandidate;
    return `${candidateWon ? view.names.candidate : view.names.baseline} is better`;
  };
  order(`${view.names.candidate} shown first`, name(v.first.verdict, true), v.first.reasoning);
  md.appendMarkdown('---\n\n');
  order(`${view.names.baseline} shown first`, name(v.swapped.verdict, false), v.swapped.reasoning);
  if (view.setup !== undefined) {
    md.appendMarkdown('---\n\n');
    md.appendText(`Judge ${view.setup.judge}, rubric ${view.setup.rubricName}.`);
  }
  return md;
}

/**
 * The verdict after each judged line of a results file (`A wins (2/2)`, `tie (orders disagree)`,
 * `B wins (2/2)`), coloured by theme colours the user can change, with both orders' reasoning in
 * the hover. Recomputed from the document's text on each edit, so an edited answer's verdict
 * goes away at once.
 */
export class JudgeDecorations implements vscode.Disposable {
  private readonly types: Readonly<Record<Kind, vscode.TextEditorDecorationType>>;
  private readonly subscriptions: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly model: JudgeModel, extensionUri: vscode.Uri) {
    // Results lines are long JSON: the text after a line is often scrolled out of view, so the
    // gutter and the overview ruler show each verdict too.
    const type = (kind: Kind): vscode.TextEditorDecorationType => vscode.window.createTextEditorDecorationType({
      after: { color: new vscode.ThemeColor(COLORS[kind]), margin: '0 0 0 2em', fontStyle: 'italic' },
      gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', 'judge', `${kind}.svg`),
      gutterIconSize: '70%',
      overviewRulerColor: new vscode.ThemeColor(COLORS[kind]),
      overviewRulerLane: vscode.OverviewRulerLane.Right,
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    });
    this.types = { win: type('win'), tie: type('tie'), loss: type('loss'), error: type('error') };
    this.subscriptions.push(
      vscode.window.onDidChangeVisibleTextEditors(() => { this.refreshAll(); }),
      vscode.workspace.onDidChangeTextDocument((e) => { if (isResultsFile(e.document)) this.schedule(); }),
      model.onDidChange(() => { this.schedule(); }),
    );
    this.refreshAll();
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const t of Object.values(this.types)) t.dispose();
    for (const s of this.subscriptions) s.dispose();
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refreshAll();
    }, 100);
  }

  private refreshAll(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      if (!isResultsFile(editor.document)) continue;
      const view = this.model.view(editor.document);
      if (view === undefined) {
        void this.model.load(editor.document.uri).catch(() => undefined);
        continue;
      }
      this.apply(editor, view);
    }
  }

  private apply(editor: vscode.TextEditor, view: FileView): void {
    const out: Record<Kind, vscode.DecorationOptions[]> = { win: [], tie: [], loss: [], error: [] };
    const lines = editor.document.lineCount;
    for (const v of view.verdicts) {
      if (v.item.line >= lines) continue;
      const kind: Kind = v.combined.result === 'win' ? 'win' : v.combined.result === 'loss' ? 'loss' : 'tie';
      out[kind].push({
        range: editor.document.lineAt(v.item.line).range,
        hoverMessage: reasoningHover(v, view),
        renderOptions: { after: { contentText: verdictLabel(v.combined) } },
      });
    }
    for (const e of view.errors) {
      if (e.item.line >= lines) continue;
      const md = new vscode.MarkdownString(undefined, false);
      md.isTrusted = false;
      md.appendText(`Not judged: ${e.error}`);
      out.error.push({ range: editor.document.lineAt(e.item.line).range, hoverMessage: md, renderOptions: { after: { contentText: 'judge error' } } });
    }
    for (const kind of ['win', 'tie', 'loss', 'error'] as const) editor.setDecorations(this.types[kind], out[kind]);
  }
}
