import * as vscode from 'vscode';
import { FORMATS } from '../core/formats/index';
import type { FormatId } from '../core/lint/types';
import type { TuneLabContext } from '../host/context';
import type { DatasetLinting } from '../host/datasetLinting';
import type { DatasetStatsPanel } from '../views/datasetStatsPanel';
import { CommandId } from '../host/commandIds';

function activeDataset(linting: DatasetLinting): vscode.TextDocument | undefined {
  const document = vscode.window.activeTextEditor?.document;
  return document !== undefined && linting.get(document) !== undefined ? document : undefined;
}

export function registerDatasetCommands(ctx: TuneLabContext, stats: DatasetStatsPanel): vscode.Disposable[] {
  const { config, linting, commands } = ctx;
  return [
    commands.registerCommand(CommandId.showDatasetStats, () => {
      const document = activeDataset(linting);
      if (document === undefined) {
        void vscode.window.showInformationMessage('TuneLab: open a .jsonl dataset first; the stats are about the active dataset.');
        return;
      }
      stats.show(document);
    }),
    commands.registerCommand(CommandId.selectDatasetFormat, async () => {
      const document = activeDataset(linting);
      const state = document === undefined ? undefined : linting.get(document);
      const counts = state?.linter.formatCounts;
      type Item = vscode.QuickPickItem & { readonly id: FormatId | 'auto' };
      const items: Item[] = [
        { id: 'auto', label: 'Detect automatically', description: 'template.json beside the file, else the format most lines match' },
        ...FORMATS.map((f) => ({
          id: f.id,
          label: f.label,
          description: counts === undefined ? undefined : `${(counts.get(f.id) ?? 0).toLocaleString('en-US')} lines match`,
          detail: f.description,
        })),
      ];
      const current = config.for(document?.uri).dataset.format;
      for (const item of items) if (item.id === current) item.picked = true;
      const pick = await vscode.window.showQuickPick(items, { title: 'TuneLab: dataset format', placeHolder: `Check this workspace's datasets as… (now: ${current})`, matchOnDescription: true });
      if (pick === undefined) return;
      const folder = document === undefined ? undefined : vscode.workspace.getWorkspaceFolder(document.uri);
      const target = folder !== undefined ? vscode.ConfigurationTarget.WorkspaceFolder
        : vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
      await config.update('dataset.format', pick.id === 'auto' ? undefined : pick.id, target, document?.uri);
    }),
  ];
}
