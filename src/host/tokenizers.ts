import * as vscode from 'vscode';
import type { TokenCounter } from '../core/lint/types';

/**
 * Loads the tokenizers bundle (dist/tokenizers.js, a few megabytes of vocabulary) on first use,
 * so activation never pays for it.
 */
export async function loadTokenizers(extensionUri: vscode.Uri): Promise<TokenCounter> {
  const path = vscode.Uri.joinPath(extensionUri, 'dist', 'tokenizers.js').fsPath;
  const mod = (await import(path)) as { tokenizers?: TokenCounter; default?: { tokenizers?: TokenCounter } };
  const counter = mod.tokenizers ?? mod.default?.tokenizers;
  if (counter === undefined) throw new Error(`${path} does not export the tokenizers`);
  return counter;
}
