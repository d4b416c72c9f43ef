import { isAbsolute } from 'node:path';
import * as vscode from 'vscode';
import { insideFolder } from '../core/workspacePath';
import type { Config } from './config';

/**
 * Where the topics file named by `tunelab.topics.file` may be: the setting in each workspace
 * folder (or the absolute path). A value the workspace itself supplies (its settings.json, which
 * a repository can ship) is taken only where it resolves inside the folder, so a cloned project
 * cannot make TuneLab read or write `../../elsewhere`; `outside` then says why it was ignored.
 * A value from the user's own settings may point anywhere.
 */
export function topicsFileLocations(config: Config): { candidates: vscode.Uri[]; outside?: string } {
  const { file: setting, fileSource } = config.settings.topics;
  const fromWorkspace = fileSource === 'workspace';
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (!fromWorkspace) {
    return { candidates: isAbsolute(setting) ? [vscode.Uri.file(setting)] : folders.map((f) => vscode.Uri.joinPath(f.uri, setting)) };
  }
  const path = isAbsolute(setting) ? vscode.Uri.file(setting).path : setting;
  const candidates = folders.flatMap((f) => {
    const inside = insideFolder(f.uri.path, path);
    return inside === undefined ? [] : [f.uri.with({ path: inside })];
  });
  if (candidates.length > 0 || folders.length === 0) return { candidates };
  return {
    candidates,
    outside: `The workspace setting tunelab.topics.file (${JSON.stringify(setting)}) points outside the workspace folder, so it is ignored. Name a topics file inside the folder (e.g. "topics.jsonc"), or set a path outside it in your user settings.`,
  };
}

/** Finds the topics file named by `tunelab.topics.file` in the workspace folders (see `topicsFileLocations`). */
export async function findTopicsFile(config: Config): Promise<vscode.Uri | undefined> {
  for (const uri of topicsFileLocations(config).candidates) {
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
  /** The outside-the-folder message last shown, so it is shown once per value. */
  private warned: string | undefined;

  constructor(private readonly config: Config, private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      config.onDidChangeSection(['topics'], () => {
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
    const { candidates, outside } = topicsFileLocations(this.config);
    if (outside !== undefined && outside !== this.warned) {
      this.log.warn(outside);
      void vscode.window.showWarningMessage(`TuneLab: ${outside}`);
    }
    this.warned = outside;
    // Watch only where the file may be: a workspace-supplied path outside the folder is not watched either.
    const patterns = candidates.map((uri) => {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      return folder === undefined ? uri.fsPath : new vscode.RelativePattern(folder, uri.path.slice(folder.uri.path.replace(/\/$/, '').length + 1));
    });
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
