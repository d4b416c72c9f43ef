import * as vscode from 'vscode';
import { parseProjectConfig, resolveSettings, type ConfigLayer, type LintSettings } from '../core/lint/config';
import type { FormatContext } from '../core/lint/types';
import { parseTemplate } from '../core/formats/template';
import { splitOf } from '../core/limits/split';

export const PROJECT_CONFIG_FILE = 'tunelab.jsonc';
export const TEMPLATE_FILE = 'template.json';

export interface DatasetSettings {
  readonly settings: LintSettings;
  readonly context: FormatContext;
  /** Where the format came from, for the status item: a setting, the project file, template.json, or detection. */
  readonly formatSource: 'setting' | 'project' | 'template' | 'detected';
  /** Configuration mistakes, worded for the user (shown once per distinct text). */
  readonly problems: readonly string[];
}

/**
 * The lint configuration of one dataset: defaults, then the workspace folder's `tunelab.jsonc`,
 * then the user's settings (resource scoped, so per folder), plus the JumpStart `template.json`
 * beside the file. Fires `onDidChange` when any of them changes, so settings apply without reload.
 */
export class LintSettingsSource implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: { dispose(): unknown }[] = [this.changed];
  private readonly fileCache = new Map<string, Promise<string | undefined>>();

  constructor() {
    const invalidate = (uri: vscode.Uri): void => {
      this.fileCache.delete(uri.toString());
      this.changed.fire();
    };
    for (const pattern of [`**/${PROJECT_CONFIG_FILE}`, `**/${TEMPLATE_FILE}`]) {
      const watcher = vscode.workspace.createFileSystemWatcher(pattern);
      this.disposables.push(watcher, watcher.onDidCreate(invalidate), watcher.onDidChange(invalidate), watcher.onDidDelete(invalidate));
    }
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('tunelab.lint') || e.affectsConfiguration('tunelab.dataset')) this.changed.fire();
      }),
      // An unsaved edit to the project file or template applies once saved; the watcher sees the save.
    );
  }

  async forDocument(uri: vscode.Uri): Promise<DatasetSettings> {
    const layers: ConfigLayer[] = [];
    const problems: string[] = [];
    let formatSource: DatasetSettings['formatSource'] = 'detected';

    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (folder !== undefined) {
      const projectUri = vscode.Uri.joinPath(folder.uri, PROJECT_CONFIG_FILE);
      const text = await this.read(projectUri);
      if (text !== undefined) {
        const { layer, problems: p } = parseProjectConfig(text, vscode.workspace.asRelativePath(projectUri));
        layers.push(layer);
        problems.push(...p);
        if (layer.format !== undefined && layer.format !== 'auto') formatSource = 'project';
      }
    }

    const config = vscode.workspace.getConfiguration('tunelab', uri);
    const format = explicit(config, 'dataset.format');
    const userLayer: ConfigLayer = {
      source: 'Settings',
      format,
      rules: explicit(config, 'lint.rules'),
      nearDuplicateThreshold: explicit(config, 'lint.nearDuplicateThreshold'),
      targetModel: explicit(config, 'lint.targetModel'),
    };
    layers.push(userLayer);
    if (format !== undefined && format !== 'auto') formatSource = 'setting';

    const resolved = resolveSettings(layers);
    problems.push(...resolved.problems);
    // A validation set is told by its name (core/limits/split.ts); the dataset checks differ for it.
    const settings: LintSettings = { ...resolved.settings, split: splitOf(uri.path) };

    let context: FormatContext = {};
    const templateUri = vscode.Uri.joinPath(uri, '..', TEMPLATE_FILE);
    const template = uri.scheme === 'untitled' ? undefined : await this.read(templateUri);
    if (template !== undefined) {
      const parsed = parseTemplate(template);
      if (parsed.ok) {
        context = parsed.ctx;
        if (formatSource === 'detected' && settings.format === 'auto') formatSource = 'template';
      } else {
        problems.push(`${vscode.workspace.asRelativePath(templateUri)}: ${parsed.message}`);
      }
    }
    return { settings, context, formatSource, problems };
  }

  private read(uri: vscode.Uri): Promise<string | undefined> {
    const key = uri.toString();
    let p = this.fileCache.get(key);
    if (p === undefined) {
      p = Promise.resolve(vscode.workspace.fs.readFile(uri)).then(
        (bytes) => new TextDecoder().decode(bytes),
        () => undefined, // absent (or unreadable): the layer is simply not there
      );
      this.fileCache.set(key, p);
    }
    return p;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** A setting's value only if the user set it somewhere (so an unset setting never overrides the project file). */
function explicit(config: vscode.WorkspaceConfiguration, key: string): unknown {
  const i = config.inspect(key);
  if (i === undefined) return undefined;
  return i.workspaceFolderLanguageValue ?? i.workspaceLanguageValue ?? i.globalLanguageValue
    ?? i.workspaceFolderValue ?? i.workspaceValue ?? i.globalValue;
}
