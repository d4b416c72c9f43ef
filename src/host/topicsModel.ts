import * as vscode from 'vscode';
import type { SidecarUnreadable } from '../core/sidecar';
import { coverage, emptyProvenance, provenanceSidecar, type Provenance } from '../core/topics/provenance';
import { parseTopicsFile, type TopicsFile } from '../core/topics/topicsFile';
import type { Config } from './config';
import type { WorkspaceSidecars } from './sidecarFiles';
import { findTopicsFile } from './topicsFile';

const TARGET_KEY = 'tunelab.generate.target';

async function readText(uri: vscode.Uri): Promise<string | undefined> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open !== undefined) return open.getText();
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

/**
 * The topics file as the tree shows it, and the coverage of each topic in the target dataset
 * (rows generated from it that are still in the file, from the provenance sidecar). Follows the
 * file as it is edited (open or on disk), the dataset as rows come and go, and the settings.
 */
export class TopicsModel implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: { dispose(): unknown }[] = [this.changed];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private version = 0;

  uri: vscode.Uri | undefined;
  text: string | undefined;
  file: TopicsFile | undefined;
  /** The dataset generation writes to and coverage counts in. */
  target: vscode.Uri | undefined;
  counts = new Map<string, number>();

  /** The provenance sidecar is read and changed only through `sidecars`, the editor's one store. */
  constructor(private readonly config: Config, private readonly state: vscode.Memento, private readonly log: vscode.LogOutputChannel, readonly sidecars: WorkspaceSidecars) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{jsonc,json,jsonl}');
    const onFile = (uri: vscode.Uri): void => { if (this.concerns(uri)) this.schedule(); };
    // A topics file may appear where there was none: its name is enough to look again.
    const onCreateOrDelete = (uri: vscode.Uri): void => {
      if (this.concerns(uri) || uri.path.endsWith(`/${config.settings.topics.file.split(/[\\/]/).pop() ?? ''}`)) this.schedule();
    };
    this.disposables.push(
      watcher, watcher.onDidChange(onFile), watcher.onDidCreate(onCreateOrDelete), watcher.onDidDelete(onCreateOrDelete),
      vscode.workspace.onDidChangeTextDocument((e) => { if (this.concerns(e.document.uri)) this.schedule(); }),
      config.onDidChangeSection(['topics'], () => { this.schedule(0); }),
    );
    const saved = state.get<string>(TARGET_KEY);
    if (typeof saved === 'string') this.target = vscode.Uri.parse(saved);
    this.schedule(0);
  }

  private concerns(uri: vscode.Uri): boolean {
    const key = uri.toString();
    return key === this.uri?.toString() || key === this.target?.toString() || (this.target !== undefined && key === this.sidecars.uriFor(this.target, provenanceSidecar.kind).toString());
  }

  private schedule(delay = 300): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; void this.refresh(); }, delay);
  }

  async setTarget(uri: vscode.Uri): Promise<void> {
    this.target = uri;
    await this.state.update(TARGET_KEY, uri.toString());
    await this.refresh();
  }

  /** Reads everything again; the last call wins when several overlap. */
  async refresh(): Promise<void> {
    const version = ++this.version;
    const uri = await findTopicsFile(this.config);
    const text = uri === undefined ? undefined : await readText(uri);
    const counts = this.target === undefined ? new Map<string, number>() : await this.readCoverage(this.target);
    if (version !== this.version) return;
    this.uri = uri;
    this.text = text;
    this.file = text === undefined ? undefined : parseTopicsFile(text);
    this.counts = counts;
    this.changed.fire();
  }

  /**
   * The target's provenance sidecar; `ok` false when the file is there but unreadable (never
   * overwrite it then): its rows that could be read still count.
   */
  async provenance(target: vscode.Uri): Promise<{ provenance: Provenance; ok: boolean }> {
    const read = await this.sidecars.read(target.toString(), provenanceSidecar);
    if (read.ok) {
      if (read.problem !== undefined) this.log.warn(`${this.shown(read.path)}: ${read.problem}`);
      return { provenance: read.value, ok: true };
    }
    this.log.warn(`${this.shown(read.path)} ${read.unreadable.reason}; it is left as it is. ${read.unreadable.fix}.`);
    return { provenance: read.partial?.value ?? emptyProvenance(), ok: false };
  }

  /**
   * Changes the target's provenance sidecar on disk through the store: read again now (so rows
   * another run recorded meanwhile are kept), changed, and written aside then renamed over. One
   * that cannot be read whole is never written over: the answer says why and what to do, with
   * the file's workspace-relative name.
   */
  async updateProvenance(target: vscode.Uri, change: (provenance: Provenance) => Provenance): Promise<{ ok: true } | ({ ok: false; file: string } & SidecarUnreadable)> {
    const result = await this.sidecars.update(target.toString(), provenanceSidecar, change);
    return result.ok ? { ok: true } : { ok: false, file: this.shown(result.path), ...result.unreadable };
  }

  /** Whether the target's sidecar can be read whole (undefined) or why not: checked before an edit that must update it. */
  async provenanceProblem(target: vscode.Uri): Promise<({ file: string } & SidecarUnreadable) | undefined> {
    const read = await this.sidecars.read(target.toString(), provenanceSidecar);
    return read.ok ? undefined : { file: this.shown(read.path), ...read.unreadable };
  }

  /** A sidecar's path (a URI string) as the user knows it: relative to the workspace. */
  private shown(sidecarPath: string): string {
    return vscode.workspace.asRelativePath(vscode.Uri.parse(sidecarPath, true));
  }

  private async readCoverage(target: vscode.Uri): Promise<Map<string, number>> {
    const dataset = await readText(target);
    if (dataset === undefined) return new Map();
    return coverage((await this.provenance(target)).provenance, dataset.split(/\r?\n/));
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
