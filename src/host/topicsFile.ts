import { isAbsolute } from 'node:path';
import * as vscode from 'vscode';
import type { Config } from './config';

/** Finds the topics file named by `tunelab.topics.file` in the workspace folders. */
export async function findTopicsFile(config: Config): Promise<vscode.Uri | undefined> {
  const setting = config.settings.topicsFile;
  const candidates = isAbsolute(setting)
    ? [vscode.Uri.file(setting)]
    : (vscode.workspace.workspaceFolders ?? []).map((f) => vscode.Uri.joinPath(f.uri, setting));
  for (const uri of candidates) {
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.type & vscode.FileType.File) return uri;
    } catch {
      // not in this folder; try the next one
    }
  }
  return undefined;
}

/**
 * Keeps the `tunelab.topicsFile` context key ('found' | 'missing') true to the disk, so the
 * Topics view's welcome content and menus follow the file as it is created, deleted or renamed
 * and as the setting changes.
 */
export class TopicsFileWatcher implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private watchers: vscode.FileSystemWatcher[] = [];

  constructor(private readonly config: Config, private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      config.onDidChange(() => {
        this.watch();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.watch();
      }),
    );
    this.watch();
  }

  private watch(): void {
    for (const w of this.watchers) w.dispose();
    const setting = this.config.settings.topicsFile;
    const patterns = isAbsolute(setting)
      ? [setting]
      : (vscode.workspace.workspaceFolders ?? []).map((f) => new vscode.RelativePattern(f, setting));
    const refresh = () => void this.refresh();
    this.watchers = patterns.map((pattern) => {
      const w = vscode.workspace.createFileSystemWatcher(pattern, false, true, false);
      w.onDidCreate(refresh);
      w.onDidDelete(refresh);
      return w;
    });
    refresh();
  }

  private async refresh(): Promise<void> {
    const uri = await findTopicsFile(this.config);
    this.log.debug(`topics file: ${uri ? uri.fsPath : 'none'}`);
    await vscode.commands.executeCommand('setContext', 'tunelab.topicsFile', uri ? 'found' : 'missing');
  }

  dispose(): void {
    for (const w of this.watchers) w.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
