import * as vscode from 'vscode';
import type { TuneLabContext } from '../host/context';
import { findTopicsFile } from '../host/topicsFile';
import { CommandId, WALKTHROUGH_ID } from '../host/commandIds';

export function registerGeneralCommands(ctx: TuneLabContext): vscode.Disposable[] {
  const { log, config, commands } = ctx;
  return [
    commands.registerCommand(CommandId.getStarted, () =>
      vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false),
    ),
    commands.registerCommand(CommandId.showLog, () => {
      log.show(true);
    }),
    commands.registerCommand(CommandId.openTopicsFile, async () => {
      if (!vscode.workspace.workspaceFolders?.length) {
        void vscode.window.showWarningMessage('TuneLab: open a folder first; the topics file lives in your workspace.');
        return undefined;
      }
      const uri = await findTopicsFile(config);
      if (!uri) {
        const setting = config.settings.topics.file;
        const choice = await vscode.window.showWarningMessage(
          `TuneLab: no topics file '${setting}' in this workspace. Create it, or point the setting 'tunelab.topics.file' at yours.`,
          'Open Setting',
        );
        if (choice === 'Open Setting') await vscode.commands.executeCommand('workbench.action.openSettings', 'tunelab.topics.file');
        return undefined;
      }
      return vscode.window.showTextDocument(uri, { preview: false });
    }),
  ];
}
