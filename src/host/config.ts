import * as vscode from 'vscode';
import { normalizeSettings, type TuneLabSettings } from './settings';

/** The live settings: read once, re-read when the user changes them (no reload needed). */
export class Config implements vscode.Disposable {
  private current: TuneLabSettings = Config.read();
  private readonly changed = new vscode.EventEmitter<TuneLabSettings>();
  private readonly subscription: vscode.Disposable;
  readonly onDidChange = this.changed.event;

  constructor() {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('tunelab')) return;
      this.current = Config.read();
      this.changed.fire(this.current);
    });
  }

  get settings(): TuneLabSettings {
    return this.current;
  }

  private static read(): TuneLabSettings {
    const section = vscode.workspace.getConfiguration('tunelab');
    return normalizeSettings((key) => section.get(key));
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
