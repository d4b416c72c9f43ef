import * as vscode from 'vscode';
import { parsePromptFile } from '../core/prompts/promptFile';

/** Problems in TuneLab prompt files (`*.tlprompt`): front-matter keys and values, sections. */
export class PromptDiagnostics implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('tunelab-prompts');
  private readonly disposables: { dispose(): unknown }[] = [this.diagnostics];
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor() {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => { this.check(d); }),
      vscode.workspace.onDidChangeTextDocument((e) => { this.schedule(e.document); }),
      vscode.workspace.onDidCloseTextDocument((d) => { this.diagnostics.delete(d.uri); }),
    );
    for (const d of vscode.workspace.textDocuments) this.check(d);
  }

  private schedule(document: vscode.TextDocument): void {
    if (document.languageId !== 'tlprompt') return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => { this.timers.delete(key); this.check(document); }, 200));
  }

  private check(document: vscode.TextDocument): void {
    if (document.languageId !== 'tlprompt' || document.isClosed) return;
    const { problems } = parsePromptFile(document.getText());
    this.diagnostics.set(document.uri, problems.map((p) => {
      const d = new vscode.Diagnostic(new vscode.Range(p.line, p.start, p.line, p.end), p.message,
        p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
      d.source = 'TuneLab';
      return d;
    }));
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}
