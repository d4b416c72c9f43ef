import * as vscode from 'vscode';
import type { parsePromptFile } from '../core/prompts/promptFile';

/** The prompt-file parser, loaded with its YAML library the first time a prompt file is checked. */
export type PromptFileParser = () => Promise<typeof parsePromptFile>;

/**
 * Problems in TuneLab prompt files (`*.tlprompt`): front-matter keys and values, sections. The
 * parser (and the yaml package) is its own bundle, so activation does not evaluate it.
 */
export class PromptDiagnostics implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('tunelab-prompts');
  private readonly disposables: { dispose(): unknown }[] = [this.diagnostics];
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly parser: PromptFileParser, private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => { void this.check(d); }),
      vscode.workspace.onDidChangeTextDocument((e) => { this.schedule(e.document); }),
      vscode.workspace.onDidCloseTextDocument((d) => { this.diagnostics.delete(d.uri); }),
    );
    for (const d of vscode.workspace.textDocuments) void this.check(d);
  }

  private schedule(document: vscode.TextDocument): void {
    if (document.languageId !== 'tlprompt') return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => { this.timers.delete(key); void this.check(document); }, 200));
  }

  private async check(document: vscode.TextDocument): Promise<void> {
    if (document.languageId !== 'tlprompt' || document.isClosed) return;
    let parse: typeof parsePromptFile;
    try {
      parse = await this.parser();
    } catch (err) {
      this.log.error(`Prompt files cannot be checked: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    // Closed while the parser loaded: nothing to report on.
    if (!vscode.workspace.textDocuments.includes(document)) return;
    const { problems } = parse(document.getText());
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
