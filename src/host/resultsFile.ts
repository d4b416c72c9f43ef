import type * as vscode from 'vscode';

/**
 * A results file: Prompt Lab's batch output is named `<eval>.results.jsonl`. On its own so the
 * editor can tell one at activation without loading the judge.
 */
export function isResultsFile(document: vscode.TextDocument): boolean {
  return document.uri.scheme === 'file' && /\.results\.jsonl$/i.test(document.uri.path);
}
