import * as vscode from 'vscode';
import type { Draft, HistoryEntry } from '../core/protocol';
import { pushHistory, readDraft, readHistory } from '../core/promptLab/history';

const HISTORY_KEY = 'tunelab.promptLab.history';
const DRAFT_KEY = 'tunelab.promptLab.draft';

/**
 * Prompt Lab's memory in workspace state: the history of runs (newest first, capped) and the
 * last draft, so a window reload finds the panel as it was. What is read back is checked, since
 * workspace state outlives versions of this extension.
 */
export class PromptLabStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<readonly HistoryEntry[]>();
  readonly onDidChangeHistory = this.changed.event;

  constructor(private readonly state: vscode.Memento) {}

  get history(): HistoryEntry[] {
    return readHistory(this.state.get(HISTORY_KEY));
  }

  get draft(): Draft | null {
    return readDraft(this.state.get(DRAFT_KEY));
  }

  async saveDraft(draft: Draft): Promise<void> {
    await this.state.update(DRAFT_KEY, draft);
  }

  async add(entry: HistoryEntry): Promise<void> {
    await this.write(pushHistory(this.history, entry));
  }

  async delete(id: string): Promise<void> {
    await this.write(this.history.filter((e) => e.id !== id));
  }

  async clear(): Promise<void> {
    await this.write([]);
  }

  private async write(history: HistoryEntry[]): Promise<void> {
    await this.state.update(HISTORY_KEY, history);
    this.changed.fire(history);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
