import * as vscode from 'vscode';
import { CommandId } from '../host/commandIds';
import type { JudgeModel } from '../host/judgeModel';

/** A status bar item while the judge runs: progress, and a click cancels. */
export class JudgeStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('tunelab.judge', vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: vscode.Disposable;
  private judging = false;

  constructor(private readonly model: JudgeModel) {
    this.item.name = 'TuneLab Judge';
    this.subscription = model.onDidChange(() => { this.update(); });
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }

  private update(): void {
    const runs = this.model.activeRuns;
    if (runs.length > 0 !== this.judging) {
      this.judging = runs.length > 0;
      void vscode.commands.executeCommand('setContext', 'tunelab.judging', this.judging);
    }
    if (runs.length === 0) { this.item.hide(); return; }
    const done = runs.reduce((n, [, p]) => n + p.done, 0);
    const total = runs.reduce((n, [, p]) => n + p.total, 0);
    const [first] = runs;
    this.item.text = `$(loading~spin) Judging ${done}/${total}`;
    this.item.tooltip = `TuneLab is judging ${runs.map(([uri]) => vscode.workspace.asRelativePath(vscode.Uri.parse(uri))).join(', ')}. Click to cancel; finished verdicts are kept.`;
    this.item.command = { title: 'Cancel', command: CommandId.judgeCancel, arguments: first === undefined ? [] : [vscode.Uri.parse(first[0])] };
    this.item.show();
  }
}
