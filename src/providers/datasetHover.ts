import * as vscode from 'vscode';
import { jumpstartHyperparameterHint } from '../core/formats/jumpstartHyperparameters';
import { describeMeasure, measureRecord } from '../core/lint/tokensOf';
import type { DatasetLinting } from '../host/datasetLinting';

const SEVERITY_ICON = { error: '$(error)', warning: '$(warning)', info: '$(info)', hint: '$(light-bulb)' } as const;

/** Hover on a dataset line: its format, its token count for the configured model, the JumpStart hyperparameters its format needs, and its findings. */
export class DatasetHover implements vscode.HoverProvider {
  constructor(private readonly linting: DatasetLinting) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const state = this.linting.get(document);
    if (state === undefined) return undefined;
    const line = position.line;
    const view = state.linter.viewOf(line);
    const findings = state.findings.filter((f) => f.line === line);
    if (view === undefined && findings.length === 0) return undefined;

    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = false;
    md.supportHtml = false;
    const parts: string[] = [];
    if (view !== undefined) {
      let counter: Awaited<ReturnType<DatasetLinting['tokenCounter']>> | undefined;
      try {
        counter = await this.linting.tokenCounter();
      } catch {
        counter = undefined;
      }
      if (token.isCancellationRequested) return undefined;
      let tokens: string;
      if (counter === undefined) {
        tokens = ' · token count unavailable (the tokenizer did not load; see TuneLab\'s log)';
      } else {
        try {
          // What too-long counts: the record as its trainer tokenizes it, against its format's limit.
          tokens = ` · ${describeMeasure(measureRecord(view, state.settings.context, state.settings.settings, counter))}`;
        } catch (err) {
          // The tokenizer loaded: this row could not be counted (the lint reports it as unchecked).
          tokens = ` · token count unavailable for this row (${escape(err instanceof Error ? err.message : String(err))})`;
        }
      }
      const label = state.linter.format?.label ?? 'unknown format';
      parts.push(`**TuneLab** · line ${line + 1} · ${escape(label)}${tokens}`);
      // Which JumpStart hyperparameters train this format (a wrong pair trains the wrong way).
      const hint = state.linter.format === undefined ? undefined : jumpstartHyperparameterHint(state.linter.format.id);
      if (hint !== undefined) parts.push(escape(hint));
    }
    for (const f of findings) {
      parts.push(`${SEVERITY_ICON[f.severity]} ${escape(f.message)} \`${f.rule}\``);
    }
    md.appendMarkdown(parts.join('\n\n'));
    return new vscode.Hover(md, new vscode.Range(line, 0, line, document.lineAt(line).text.length));
  }
}

/** Dataset text is untrusted: nothing in it may become a link, an image or markup. */
function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|~$]/g, '\\$&');
}
