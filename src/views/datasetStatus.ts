import * as vscode from 'vscode';
import { CommandId } from '../host/commandIds';
import { isRefusal } from '../core/rules/index';
import type { DatasetLinting, LintedDataset } from '../host/datasetLinting';

/**
 * Two status items for the active dataset: the counts (`TuneLab: 966 rows · 1 error · 12
 * duplicates`, opening the stats view) in the status bar, and the format in the language status
 * area next to "JSON Lines" (where VS Code shows a language's state), with a Change action.
 */
export class DatasetStatus implements vscode.Disposable {
  private readonly counts = vscode.window.createStatusBarItem('tunelab.datasetCounts', vscode.StatusBarAlignment.Left, 50);
  private readonly format = vscode.languages.createLanguageStatusItem('tunelab.datasetFormat', { language: 'jsonl' });
  private readonly disposables: { dispose(): unknown }[] = [this.counts, this.format];

  constructor(private readonly linting: DatasetLinting) {
    this.counts.name = 'TuneLab Dataset';
    this.counts.command = CommandId.showDatasetStats;
    this.format.name = 'TuneLab Dataset Format';
    this.format.text = 'TuneLab';
    this.format.detail = 'checking…';
    this.format.command = { title: 'Change', command: CommandId.selectDatasetFormat, tooltip: 'Choose the dataset format TuneLab checks against' };
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor(() => { this.refresh(); }),
      linting.onDidUpdate((d) => { if (d.document === vscode.window.activeTextEditor?.document) this.refresh(); }),
    );
    this.refresh();
  }

  private refresh(): void {
    const document = vscode.window.activeTextEditor?.document;
    const state = document === undefined ? undefined : this.linting.get(document);
    if (state === undefined) {
      this.counts.hide();
      return;
    }
    this.showCounts(state);
    this.showFormat(state);
  }

  private showCounts(state: LintedDataset): void {
    const s = state.linter.stats(isRefusal, state.findings);
    const parts = [`${s.rows.toLocaleString('en-US')} ${plural(s.rows, 'row')}`];
    parts.push(`${s.errors.toLocaleString('en-US')} ${plural(s.errors, 'error')}`);
    if (s.warnings > 0) parts.push(`${s.warnings.toLocaleString('en-US')} ${plural(s.warnings, 'warning')}`);
    parts.push(`${s.duplicateRows.toLocaleString('en-US')} ${plural(s.duplicateRows, 'duplicate')}`);
    const icon = state.busy ? '$(sync~spin)' : s.errors > 0 ? '$(error)' : '$(pass)';
    this.counts.text = `${icon} TuneLab: ${parts.join(' · ')}`;
    this.counts.tooltip = `TuneLab dataset checks${state.busy ? ' (checking…)' : ''}: click for the Dataset Stats view`;
    this.counts.backgroundColor = undefined;
    this.counts.show();
  }

  private showFormat(state: LintedDataset): void {
    const f = state.linter.format;
    const counts = state.linter.formatCounts;
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    this.format.text = f === undefined ? '$(question) No dataset format' : f.label;
    const source = state.settings.formatSource;
    this.format.detail = f === undefined
      ? 'no line matches a format TuneLab knows'
      : source === 'setting' ? 'set in settings'
        : source === 'project' ? 'set in tunelab.jsonc'
          : source === 'template' ? 'from template.json beside the file'
            : `detected: ${(counts.get(f.id) ?? 0).toLocaleString('en-US')} of ${total.toLocaleString('en-US')} lines`;
    this.format.severity = f === undefined ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
    this.format.busy = state.busy;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
