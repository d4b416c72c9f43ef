import * as vscode from 'vscode';
import { verdictsSidecar, type JudgeRunRecord } from '../core/judge/cache';
import { RATES_EXPLAINED, summaryLine } from '../core/judge/judgeFiles';
import type { JudgeModel } from '../host/judgeModel';
import type { WorkspaceSidecars } from '../host/sidecarFiles';

export const JUDGE_RUNS_VIEW_ID = 'tunelab.judgeRuns';

export type RunsNode =
  | { readonly kind: 'file'; readonly results: vscode.Uri; readonly runs: readonly JudgeRunRecord[] }
  | { readonly kind: 'run'; readonly results: vscode.Uri; readonly run: JudgeRunRecord };

const BAR = 20;

/** Wins, ties and losses as a bar of `BAR` cells: █ win, ▒ tie, ░ loss. */
export function runBar(run: Pick<JudgeRunRecord, 'wins' | 'ties' | 'losses'>): string {
  const n = run.wins + run.ties + run.losses;
  if (n === 0) return '';
  const wins = Math.round((run.wins / n) * BAR);
  const ties = Math.min(BAR - wins, Math.round((run.ties / n) * BAR));
  return '█'.repeat(wins) + '▒'.repeat(ties) + '░'.repeat(BAR - wins - ties);
}

/** `dir/.tunelab/eval.results.jsonl.verdicts.json` → `dir/eval.results.jsonl`. */
function resultsOf(sidecar: vscode.Uri): vscode.Uri {
  const name = sidecar.path.slice(sidecar.path.lastIndexOf('/') + 1).replace(/\.verdicts\.json$/, '');
  return vscode.Uri.joinPath(sidecar, '..', '..', name);
}

/**
 * Judge Runs: every judged results file in the workspace with its runs, newest first, each with
 * a win/tie/loss bar and its figures, so runs can be compared over time.
 */
export class JudgeRunsView implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];

  /** Other tools' changes come through the store's watcher; the judge's own, through its model. */
  constructor(model: JudgeModel, private readonly sidecars: WorkspaceSidecars) {
    this.subscriptions.push(
      sidecars.watch(verdictsSidecar.kind, () => { this.refresh(); }),
      model.onDidChange(() => { this.refresh(); }),
    );
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: RunsNode): Promise<RunsNode[]> {
    if (node?.kind === 'run') return [];
    if (node?.kind === 'file') return [...node.runs].reverse().map((run) => ({ kind: 'run', results: node.results, run }));
    const found = await vscode.workspace.findFiles('**/.tunelab/*.verdicts.json', '**/node_modules/**', 200);
    const files: RunsNode[] = [];
    for (const sidecar of found) {
      const results = resultsOf(sidecar);
      // The runs a damaged sidecar still holds are shown too; the judge never writes over it.
      const read = await this.sidecars.read(results.toString(), verdictsSidecar);
      const runs = read.ok ? read.value.runs : read.partial?.value.runs ?? [];
      if (runs.length > 0) files.push({ kind: 'file', results, runs });
    }
    return files.sort((a, b) => a.results.path.localeCompare(b.results.path));
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    if (node.kind === 'file') {
      const item = new vscode.TreeItem(vscode.workspace.asRelativePath(node.results), vscode.TreeItemCollapsibleState.Expanded);
      item.resourceUri = node.results;
      item.description = `${node.runs.length} run(s)`;
      item.command = { title: 'Open', command: 'vscode.open', arguments: [node.results] };
      item.contextValue = 'judgedFile';
      return item;
    }
    const { run } = node;
    const when = new Date(run.at);
    const item = new vscode.TreeItem(`${when.toLocaleDateString()} ${when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}  ${runBar(run)}`);
    item.description = summaryLine(run);
    const tooltip = new vscode.MarkdownString(undefined, false);
    tooltip.isTrusted = false;
    tooltip.appendText([
      `${run.candidate} (A) vs ${run.baseline} (B)`,
      `judge ${run.judge}, rubric ${run.rubricName}`,
      summaryLine(run),
      RATES_EXPLAINED,
      ...(run.positionDisagreement === undefined ? [] : [`orders disagreed on ${Math.round(run.positionDisagreement * 100)}%`]),
      ...(run.lengthBias ? ['length bias: the longer answer kept winning'] : []),
      ...(run.errors > 0 ? [`${run.errors} question(s) not judged`] : []),
    ].join('\n\n'));
    item.tooltip = tooltip;
    item.iconPath = new vscode.ThemeIcon(run.lengthBias ? 'warning' : 'law');
    item.command = { title: 'Open', command: 'vscode.open', arguments: [node.results] };
    return item;
  }
}
