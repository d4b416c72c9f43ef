/**
 * The dataset feature, evaluated at activation (every `.jsonl` is linted from the start): the
 * dataset models live in the context (host/datasetLinting.ts); this wires their status items,
 * the stats panel, quick fixes, hovers and commands onto it.
 */
import * as vscode from 'vscode';
import { registerDatasetCommands } from '../commands/dataset';
import type { Disposal, TuneLabContext } from '../host/context';
import { DatasetCodeActions } from '../providers/datasetCodeActions';
import { DatasetHover } from '../providers/datasetHover';
import { DatasetStatsPanel } from '../views/datasetStatsPanel';
import { DatasetStatus } from '../views/datasetStatus';

export function datasetFeature(ctx: TuneLabContext): Disposal[] {
  const { linting } = ctx;
  const stats = new DatasetStatsPanel(linting, ctx.log);
  const datasets: vscode.DocumentSelector = { language: 'jsonl' };
  return [
    stats,
    new DatasetStatus(linting),
    vscode.languages.registerCodeActionsProvider(datasets, new DatasetCodeActions(linting), { providedCodeActionKinds: DatasetCodeActions.kinds }),
    vscode.languages.registerHoverProvider(datasets, new DatasetHover(linting)),
    ...registerDatasetCommands(ctx, stats),
  ];
}
