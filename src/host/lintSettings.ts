import * as vscode from 'vscode';
import { parseProjectConfig, resolveSettings, restrictedNotice, untrustedLayers, type ConfigLayer, type LintSettings } from '../core/lint/config';
import type { FormatContext } from '../core/lint/types';
import { parseTemplate } from '../core/formats/template';
import { splitOf } from '../core/limits/split';
import type { Config } from './config';
import { trust } from './trust';

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
 *
 * In Restricted Mode the placeholder patterns a workspace supplies (in tunelab.jsonc, or in its
 * workspace or folder settings) are left out (core/lint/config.ts `untrustedLayers`): a cloned
 * repository must not choose regular expressions that run in the editor. The manifest also lists
 * `tunelab.lint.rules` in `restrictedConfigurations`, so VS Code itself hands over only the
 * user's value there. Where patterns were left out this says so, once, as a configuration problem
 * (the log) and with a language status item; when trust is granted the lint reconfigures.
 */
export class LintSettingsSource implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: { dispose(): unknown }[] = [this.changed];
  private readonly fileCache = new Map<string, Promise<string | undefined>>();
  /** Shown beside the dataset status while Restricted Mode leaves a workspace's patterns out. */
  private restrictedStatus: vscode.LanguageStatusItem | undefined;

  constructor(private readonly config: Config) {
    const invalidate = (uri: vscode.Uri): void => {
      this.fileCache.delete(uri.toString());
      this.changed.fire();
    };
    for (const pattern of [`**/${PROJECT_CONFIG_FILE}`, `**/${TEMPLATE_FILE}`]) {
      const watcher = vscode.workspace.createFileSystemWatcher(pattern);
      this.disposables.push(watcher, watcher.onDidCreate(invalidate), watcher.onDidChange(invalidate), watcher.onDidDelete(invalidate));
    }
    this.disposables.push(
      config.onDidChangeSection(['lint', 'dataset'], () => {
        this.changed.fire();
      }),
      // An unsaved edit to the project file or template applies once saved; the watcher sees the save.
      // Granting trust brings the workspace's patterns back; VS Code also fires a configuration
      // change for the restricted settings, which lands here too.
      trust.onDidGrant(() => {
        this.restrictedStatus?.dispose();
        this.restrictedStatus = undefined;
        this.changed.fire();
      }),
    );
  }

  async forDocument(uri: vscode.Uri): Promise<DatasetSettings> {
    const layers: { layer: ConfigLayer; workspace: boolean }[] = [];
    const problems: string[] = [];
    let formatSource: DatasetSettings['formatSource'] = 'detected';

    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (folder !== undefined) {
      const projectUri = vscode.Uri.joinPath(folder.uri, PROJECT_CONFIG_FILE);
      const text = await this.read(projectUri);
      if (text !== undefined) {
        const { layer, problems: p } = parseProjectConfig(text, vscode.workspace.asRelativePath(projectUri));
        layers.push({ layer, workspace: true });
        problems.push(...p);
        if (layer.format !== undefined && layer.format !== 'auto') formatSource = 'project';
      }
    }

    // The settings' layers, with where each came from (host/settings.ts), after the project file's.
    const { dataset, lint } = this.config.for(uri);
    layers.push(...lint.layers);
    const format = dataset.explicitFormat?.value;
    if (format !== undefined && format !== 'auto') formatSource = 'setting';

    const { layers: usable, ignored } = untrustedLayers(layers, trust.isTrusted);
    if (ignored.length > 0) {
      // The problems are logged once per distinct text (host/datasetLinting.ts).
      problems.push(restrictedNotice(ignored));
      this.showRestricted(ignored);
    }
    const resolved = resolveSettings(usable);
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

  private showRestricted(ignored: readonly string[]): void {
    if (trust.isTrusted) return;
    const item = (this.restrictedStatus ??= vscode.languages.createLanguageStatusItem('tunelab.restrictedPatterns', { language: 'jsonl' }));
    item.name = 'TuneLab Restricted Mode';
    item.text = '$(shield) Workspace patterns not run';
    item.detail = `Restricted Mode: the unfilled-placeholder patterns in ${ignored.join(', ')}`;
    item.severity = vscode.LanguageStatusSeverity.Warning;
    item.command = { title: 'Manage Trust', command: 'workbench.trust.manage', tooltip: 'Trust this workspace to run its placeholder patterns' };
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
    this.restrictedStatus?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
