import * as vscode from 'vscode';
import { changedSections, normalizeSettings, type SettingKey, type SettingsSection, type TuneLabSettings } from './settings';

/** A change of TuneLab's settings: the sections it touched (host/settings.ts `SETTINGS_SECTIONS`). */
export interface SettingsChange {
  readonly sections: ReadonlySet<SettingsSection>;
  affects(...sections: SettingsSection[]): boolean;
}

/**
 * The live settings, the one place the extension reads and writes its configuration: read once
 * (per workspace folder for resource-scoped settings), re-read when the user changes them, with
 * no reload. The extension's only `onDidChangeConfiguration` listener is here; consumers
 * subscribe to the sections they use.
 */
export class Config implements vscode.Disposable {
  private window: TuneLabSettings = Config.read(undefined);
  /** Per workspace folder (its URI): resource-scoped values differ only by folder. */
  private readonly folders = new Map<string, TuneLabSettings>();
  private readonly changed = new vscode.EventEmitter<SettingsChange>();
  private readonly subscriptions: vscode.Disposable[];
  /** Fires after the settings were re-read, with the sections that changed. */
  readonly onDidChange = this.changed.event;

  constructor() {
    this.subscriptions = [
      vscode.workspace.onDidChangeConfiguration((e) => {
        const sections = changedSections((s) => e.affectsConfiguration(s));
        if (sections.size === 0) return;
        this.window = Config.read(undefined);
        this.folders.clear();
        this.changed.fire({ sections, affects: (...wanted) => wanted.some((s) => sections.has(s)) });
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.folders.clear();
      }),
    ];
  }

  /** The window's settings: the user's and the workspace's, no folder's (the application- and window-scoped ones). */
  get settings(): TuneLabSettings {
    return this.window;
  }

  /** The settings for a file or folder: its workspace folder's values win (resource-scoped settings). */
  for(resource: vscode.Uri | undefined): TuneLabSettings {
    const folder = resource === undefined ? undefined : vscode.workspace.getWorkspaceFolder(resource);
    // Outside every folder only the user's and the workspace's values apply, as for the window.
    if (folder === undefined) return this.window;
    const key = folder.uri.toString();
    let settings = this.folders.get(key);
    if (settings === undefined) {
      settings = Config.read(folder.uri);
      this.folders.set(key, settings);
    }
    return settings;
  }

  /** Fires `listener` after a change that touches one of `sections`. */
  onDidChangeSection(sections: readonly SettingsSection[], listener: (change: SettingsChange) => void): vscode.Disposable {
    return this.onDidChange((change) => {
      if (change.affects(...sections)) listener(change);
    });
  }

  /**
   * Writes a setting. It is re-read when VS Code reports the change, which is also when
   * `getConfiguration` starts returning the new value: reads here are never staler than there.
   */
  async update(key: SettingKey, value: unknown, target: vscode.ConfigurationTarget, resource?: vscode.Uri): Promise<void> {
    await vscode.workspace.getConfiguration('tunelab', resource).update(key, value, target);
  }

  private static read(resource: vscode.Uri | undefined): TuneLabSettings {
    const section = vscode.workspace.getConfiguration('tunelab', resource);
    return normalizeSettings((key) => section.inspect(key));
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}
