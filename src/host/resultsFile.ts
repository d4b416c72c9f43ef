import type * as vscode from 'vscode';
import { isResultsPath } from '../core/resultsPath';

/**
 * A results file: Prompt Lab's batch output is named `<eval>.results.jsonl`. On its own so the
 * editor can tell one at activation without loading the judge.
 */
export function isResultsFile(document: vscode.TextDocument): boolean {
  return document.uri.scheme === 'file' && isResultsPath(document.uri.path);
}
