import * as vscode from 'vscode';
import type { TuneLabContext } from '../host/context';
import { draftColumns } from '../core/promptLab/evalBatchRun';
import { runEvalBatch } from '../host/promptLabEvalBatch';
import { panelDraftFromPromptFile } from '../core/prompts/promptWriter';
import { savePromptFile } from '../host/promptLabFiles';
import type { PromptLabStore } from '../host/promptLabStore';
import type { PromptLabViewProvider } from '../views/promptLabView';
import { CommandId } from '../host/commandIds';

/** Prompt Lab's own objects (src/features/promptLab.ts), beside the context. */
export interface PromptLabParts {
  readonly view: PromptLabViewProvider;
  readonly store: PromptLabStore;
}

/** The prompt file to open: the one clicked in the Explorer, else the active editor's. */
async function promptDocument(uri: unknown): Promise<vscode.TextDocument | undefined> {
  if (uri instanceof vscode.Uri) return vscode.workspace.openTextDocument(uri);
  const active = vscode.window.activeTextEditor?.document;
  if (active?.languageId === 'tlprompt') return active;
  void vscode.window.showWarningMessage('TuneLab: open a prompt file (.tlprompt) first, or right-click one in the Explorer.');
  return undefined;
}

function noDraft(): void {
  void vscode.window.showWarningMessage('TuneLab: Prompt Lab has no prompt yet. Open Prompt Lab, pick an endpoint and write a prompt first.', 'Open Prompt Lab')
    .then((c) => { if (c !== undefined) void vscode.commands.executeCommand('tunelab.promptLab.focus'); });
}

export function registerPromptLabCommands(ctx: TuneLabContext, s: PromptLabParts): vscode.Disposable[] {
  const { commands } = ctx;
  return [
    commands.registerCommand(CommandId.openInPromptLab, async (uri?: unknown) => {
      const document = await promptDocument(uri);
      if (document === undefined) return;
      const { draft, problems } = panelDraftFromPromptFile(document.getText(), s.store.draft, ctx.endpoints.endpoints[0]?.id);
      if (problems > 0) {
        void vscode.window.showWarningMessage(`TuneLab: ${vscode.workspace.asRelativePath(document.uri)} has ${problems} problem(s) (see Problems); it was opened as far as it could be read.`);
      }
      await s.view.load(draft);
    }),
    commands.registerCommand(CommandId.savePanelAsPromptFile, async () => {
      const draft = s.store.draft;
      if (draft === null) { noDraft(); return; }
      await savePromptFile(draft);
    }),
    commands.registerCommand(CommandId.runEvalSet, async (uri?: unknown) => {
      const draft = s.store.draft;
      const columns = draft === null ? [] : draftColumns(draft);
      if (columns.length === 0) { noDraft(); return; }
      await runEvalBatch(ctx.endpoints, ctx.lintSettings, ctx.log, columns, uri instanceof vscode.Uri ? uri : undefined);
    }, { errorPrefix: 'the eval run failed: ' }),
  ];
}
