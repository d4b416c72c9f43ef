import * as vscode from 'vscode';
import type { AddedLine } from '../core/protocol';
import { formatById } from '../core/formats';
import { jsonLine, lineStyleOf, renderPair } from '../core/formats/render';
import type { DatasetLinting } from './datasetLinting';
import { isDataset } from './datasetLinting';
import { appendLines, datasetFormat, lastRecordLine, workspaceDatasets } from './datasetFiles';

/** Files already told that their format drops the system prompt: once a session is enough. */
const noted = new Set<string>();

/**
 * The dataset "Add to dataset" writes to: the active editor's when it is a dataset, else the one
 * visible dataset editor, else the user picks among the open datasets and the workspace's .jsonl
 * files. Undefined when the user cancels.
 */
async function targetDataset(): Promise<vscode.TextDocument | undefined> {
  const active = vscode.window.activeTextEditor?.document;
  if (active !== undefined && isDataset(active)) return active;
  const visible = vscode.window.visibleTextEditors.map((e) => e.document).filter(isDataset);
  if (visible.length === 1) return visible[0];
  const open = vscode.workspace.textDocuments.filter(isDataset);
  const uris = new Map<string, vscode.Uri>();
  for (const d of [...visible, ...open]) uris.set(d.uri.toString(), d.uri);
  for (const f of await workspaceDatasets()) uris.set(f.toString(), f);
  if (uris.size === 0) {
    void vscode.window.showWarningMessage('TuneLab: there is no dataset to add to. Open a .jsonl training file, then try again.');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    [...uris.values()].map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { title: 'TuneLab: Add to Dataset', placeHolder: 'The dataset to append the question and answer to' },
  );
  return pick === undefined ? undefined : vscode.workspace.openTextDocument(pick.uri);
}

/**
 * Appends a question and answer as one line in the dataset's own format, through a WorkspaceEdit
 * (one undo step; the document stays open and dirty like any edit, so nothing is written behind
 * the user's back), and shows the line.
 */
export async function addToDataset(linting: DatasetLinting, pair: { question: string; answer: string; system: string }): Promise<AddedLine | null> {
  const document = await targetDataset();
  if (document === undefined) return null;
  const linted = linting.get(document);
  const format = datasetFormat(linted, linted?.settings);
  const rendered = renderPair(format, { question: pair.question, answer: pair.answer, ...(pair.system.trim() === '' ? {} : { system: pair.system }) }, linted?.settings.context ?? {});
  if (!rendered.ok) throw new Error(rendered.message);
  const line = jsonLine(rendered.record, lineStyleOf(lastRecordLine(document)));
  const lineNumber = await appendLines(document, [line]);
  const editor = await vscode.window.showTextDocument(document, { preserveFocus: true, preview: false });
  const at = new vscode.Range(lineNumber, 0, lineNumber, line.length);
  editor.revealRange(at, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  const label = formatById(format).label;
  const noteKey = `${document.uri.toString()}\n${format}`;
  if (rendered.dropped.length > 0 && !noted.has(noteKey)) {
    noted.add(noteKey);
    void vscode.window.showInformationMessage(`TuneLab: ${label} has no place for the ${rendered.dropped.join(' and ')}, so the line holds the question and answer only.`);
  }
  return { file: vscode.workspace.asRelativePath(document.uri), line: lineNumber + 1, format: label };
}
