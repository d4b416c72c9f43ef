import * as vscode from 'vscode';
import { isRejectedPath } from '../core/judge/rejectedFile';
import { isResultsPath } from '../core/resultsPath';
import type { FormatId } from '../core/lint/types';
import type { LintedDataset } from './datasetLinting';
import type { DatasetSettings } from './lintSettings';

/** The format a new line takes when the file says nothing (empty file, format undecided). */
const DEFAULT_FORMAT: FormatId = 'jumpstart-instruction';

/** The format new lines of a dataset take: the one its linter decided, else the settings', else JumpStart instruction. */
export function datasetFormat(linted: LintedDataset | undefined, settings: DatasetSettings | undefined): FormatId {
  const set = settings?.settings.format;
  return linted?.linter.format?.id ?? (set === undefined || set === 'auto' ? DEFAULT_FORMAT : set);
}

/** The workspace's .jsonl files that can be datasets (results files of eval runs and rejected rows are not). */
export async function workspaceDatasets(): Promise<vscode.Uri[]> {
  const files = await vscode.workspace.findFiles('**/*.jsonl', '**/node_modules/**', 500);
  return files.filter((f) => !isResultsPath(f.path) && !isRejectedPath(f.path));
}

/** The text of the document's last non-empty line ('' for an empty file), whose JSON style new lines follow. */
export function lastRecordLine(document: vscode.TextDocument): string {
  for (let i = document.lineCount - 1; i >= 0; i--) {
    const text = document.lineAt(i).text.trim();
    if (text !== '') return text;
  }
  return '';
}

/**
 * Appends whole lines at the end of the document as one WorkspaceEdit (one undo step), in the
 * document's line endings; a file that ends without a newline gets one first, so each record is
 * a line of its own. Returns the 0-based number of the first new line.
 */
export async function appendLines(document: vscode.TextDocument, lines: readonly string[]): Promise<number> {
  const last = document.lineAt(document.lineCount - 1);
  const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
  const edit = new vscode.WorkspaceEdit();
  edit.insert(document.uri, last.range.end, (last.text === '' ? '' : eol) + lines.join(eol) + eol);
  if (!await vscode.workspace.applyEdit(edit)) throw new Error(`VS Code refused the edit to ${vscode.workspace.asRelativePath(document.uri)} (is it read-only?).`);
  return last.text === '' ? last.lineNumber : last.lineNumber + 1;
}
