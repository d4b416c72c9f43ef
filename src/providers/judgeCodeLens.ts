import * as vscode from 'vscode';
import { RATES_EXPLAINED, summaryLine, summaryWarnings } from '../core/judge/judgeFiles';
import { isResultsFile, type JudgeModel } from '../host/judgeModel';
import { CommandId } from '../host/commandIds';

/**
 * The judge's figures at the top of a results file — `W 31 · T 6 · L 13 — wins 62% (48–76%) ·
 * adjusted 68% (58–77%)` — with Run, Re-run and Cancel, and the bias warnings when there are any.
 */
export class JudgeCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly model: JudgeModel) {
    this.subscription = model.onDidChange(() => { this.changed.fire(); });
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!isResultsFile(document) || document.lineCount === 0) return [];
    const view = this.model.view(document);
    if (view === undefined) {
      void this.model.load(document.uri).catch(() => undefined);
      return [];
    }
    const range = new vscode.Range(0, 0, 0, 0);
    const lens = (title: string, command: string, tooltip?: string, args: unknown[] = [document.uri]): vscode.CodeLens =>
      new vscode.CodeLens(range, { title, command, arguments: args, ...(tooltip === undefined ? {} : { tooltip }) });
    const lenses: vscode.CodeLens[] = [];
    const progress = this.model.progress(document.uri);
    const total = view.input.items.length;
    if (view.verdicts.length > 0) {
      lenses.push(lens(summaryLine(view.summary), CommandId.judgeShowRuns, `A: ${view.names.candidate} · B: ${view.names.baseline} · judge ${view.setup?.judge ?? ''} · rubric ${view.setup?.rubricName ?? ''}. ${RATES_EXPLAINED} Show the runs of this file.`));
    }
    if (progress !== undefined) {
      lenses.push(lens(`$(loading~spin) Judging ${progress.done}/${progress.total}`, CommandId.judgeCancel, 'Cancel the judge'));
      lenses.push(lens('Cancel', CommandId.judgeCancel, 'Cancel the judge; finished verdicts are kept'));
      return lenses;
    }
    if (view.verdicts.length === 0) {
      if (total > 0) lenses.push(lens(`$(law) Judge ${total} question(s): ${view.names.candidate} (A) vs ${view.names.baseline} (B)`, CommandId.judgeFile, 'Judge every question in both orders'));
    } else if (view.unjudged > 0) {
      lenses.push(lens(`Run (${view.unjudged} not judged)`, CommandId.judgeFile, 'Judge the questions without a verdict'));
    }
    if (view.setup !== undefined) lenses.push(lens('Re-run…', CommandId.judgeRerun, 'Pick the judge, rubric or columns and judge again'));
    for (const warning of summaryWarnings(view.summary)) {
      lenses.push(lens(`$(warning) ${warning.slice(0, warning.indexOf(':'))}`, CommandId.judgeShowRuns, warning));
    }
    if (view.errors.length > 0) lenses.push(lens(`$(error) ${view.errors.length} not judged`, CommandId.showLog, 'The reasons are in the TuneLab log', []));
    return lenses;
  }
}
