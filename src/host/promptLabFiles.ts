import * as vscode from 'vscode';
import type { Draft } from '../core/protocol';
import { promptFileNotes, writePromptFile, type PromptDraft } from '../core/prompts/promptWriter';

/** A file name from the first words of the question or system prompt. */
function suggestedName(draft: Draft): string {
  const words = (draft.question.trim() || draft.system.trim() || 'prompt').toLowerCase().match(/[a-z0-9]+/g) ?? ['prompt'];
  return `${words.slice(0, 5).join('-') || 'prompt'}.tlprompt`;
}

/**
 * Save Panel as Prompt File: the draft's shared system prompt, question, and first column's
 * endpoint and parameters as a `.tlprompt`, where the user says. The saved path, or null.
 */
export async function savePromptFile(draft: Draft): Promise<string | null> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const first = draft.columns[0];
  const uri = await vscode.window.showSaveDialog({
    title: 'Save Panel as Prompt File',
    filters: { 'TuneLab prompt': ['tlprompt'] },
    ...(folder === undefined ? {} : { defaultUri: vscode.Uri.joinPath(folder, 'prompts', suggestedName(draft)) }),
  });
  if (uri === undefined) return null;
  const prompt: PromptDraft = {
    system: first?.system ?? draft.system,
    question: draft.question,
    ...(first === undefined || first.endpoint === '' ? {} : { endpoint: first.endpoint }),
    parameters: first?.parameters ?? {},
  };
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(writePromptFile(prompt)));
  await vscode.window.showTextDocument(uri, { preview: false, preserveFocus: true });
  const notes = promptFileNotes(prompt);
  if (draft.columns.length > 1) notes.push(`A prompt file holds one column: the other ${draft.columns.length - 1} were not saved.`);
  if (notes.length > 0) void vscode.window.showInformationMessage(`TuneLab: saved ${vscode.workspace.asRelativePath(uri)}. ${notes.join(' ')}`);
  return vscode.workspace.asRelativePath(uri);
}
