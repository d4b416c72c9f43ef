import * as vscode from 'vscode';
import type { Finding, RuleId } from '../core/lint/types';
import type { DatasetLinting } from '../host/datasetLinting';

/** Rules whose fix is safe enough to be the light bulb's preferred action. */
const PREFERRED: ReadonlySet<RuleId> = new Set<RuleId>(['leaked-header', 'blank-line']);

/**
 * Quick fixes from the findings' own fixes: one action per finding, plus "fix all" for the rule
 * when the file has more than one. Every action is one WorkspaceEdit, so one undo step.
 */
export class DatasetCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly linting: DatasetLinting) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const state = this.linting.get(document);
    if (state === undefined) return [];
    const actions: vscode.CodeAction[] = [];
    const fixAllOffered = new Set<RuleId>();
    for (const diagnostic of context.diagnostics) {
      const finding = this.linting.findingOf(diagnostic);
      if (finding?.fix === undefined) continue;
      const action = new vscode.CodeAction(finding.fix.title, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [diagnostic];
      action.isPreferred = PREFERRED.has(finding.rule);
      action.edit = new vscode.WorkspaceEdit();
      addFix(action.edit, document, finding);
      actions.push(action);

      if (fixAllOffered.has(finding.rule)) continue;
      fixAllOffered.add(finding.rule);
      const all = state.findings.filter((f) => f.rule === finding.rule && f.fix !== undefined);
      if (all.length < 2) continue;
      const fixAll = new vscode.CodeAction(`Fix all ${finding.rule} problems in this file (${all.length})`, vscode.CodeActionKind.QuickFix);
      fixAll.edit = new vscode.WorkspaceEdit();
      const lines = new Set<number>();
      for (const f of all) {
        if (lines.has(f.line)) continue; // one fix per line keeps the edits from overlapping
        lines.add(f.line);
        addFix(fixAll.edit, document, f);
      }
      actions.push(fixAll);
    }
    return actions;
  }
}

function addFix(edit: vscode.WorkspaceEdit, document: vscode.TextDocument, finding: Finding): void {
  const fix = finding.fix;
  if (fix === undefined) return;
  if (fix.edits === undefined) {
    edit.delete(document.uri, lineWithBreak(document, finding.line));
    return;
  }
  for (const e of fix.edits) {
    edit.replace(document.uri, new vscode.Range(finding.line, e.start, finding.line, e.end), e.text);
  }
}

/** A whole line and one adjacent line break (the following one, or the preceding one for the last line). */
export function lineWithBreak(document: vscode.TextDocument, line: number): vscode.Range {
  if (line + 1 < document.lineCount) return new vscode.Range(line, 0, line + 1, 0);
  if (line === 0) return document.lineAt(0).range;
  return new vscode.Range(line - 1, document.lineAt(line - 1).text.length, line, document.lineAt(line).text.length);
}
