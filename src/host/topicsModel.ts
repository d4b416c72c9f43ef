import * as vscode from 'vscode';
import type { SidecarUnreadable } from '../core/sidecar';
import { coverage, provenancePathFor, readProvenance, updatedProvenanceText, type Provenance } from '../core/topics/provenance';
import { parseTopicsFile, type TopicsFile } from '../core/topics/topicsFile';
import type { Config } from './config';
import { findTopicsFile } from './topicsFile';
import { writeAtomically } from './writeAtomically';

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

/** A file's text on disk; undefined when there is no such file; why not, when it is there but cannot be read. */
async function readDisk(uri: vscode.Uri): Promise<string | undefined | SidecarUnreadable> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch (e) {
    if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') return undefined;
    return { reason: `could not be read (${e instanceof Error ? e.message : String(e)})`, fix: 'Check the file and its permissions' };
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

  constructor(private readonly config: Config, private readonly state: vscode.Memento, private readonly log: vscode.LogOutputChannel) {
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
    return key === this.uri?.toString() || key === this.target?.toString() || (this.target !== undefined && key === vscode.Uri.file(provenancePathFor(this.target.fsPath)).toString());
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

  /** The target's provenance sidecar; `ok` false when the file is there but unreadable (never overwrite it then). */
  async provenance(target: vscode.Uri): Promise<{ provenance: Provenance; ok: boolean }> {
    const text = await readText(vscode.Uri.file(provenancePathFor(target.fsPath)));
    const read = readProvenance(text);
    for (const p of read.problems) this.log.warn(`${provenancePathFor(target.fsPath)}: ${p}`);
    return { provenance: read.provenance, ok: read.unreadable === undefined };
  }

  /**
   * Changes the target's provenance sidecar on disk: read again now (so rows another run recorded
   * meanwhile are kept), changed, and written aside then renamed over, so it is never
   * half-written. One that cannot be read whole is never written over: the answer says why and
   * what to do, with the file's workspace-relative name.
   */
  async updateProvenance(target: vscode.Uri, change: (provenance: Provenance) => Provenance): Promise<{ ok: true } | ({ ok: false; file: string } & SidecarUnreadable)> {
    const uri = vscode.Uri.file(provenancePathFor(target.fsPath));
    const file = vscode.workspace.asRelativePath(uri);
    const read = await readDisk(uri);
    if (typeof read !== 'string' && read !== undefined) return { ok: false, file, ...read };
    const update = updatedProvenanceText(read, change);
    if (!update.ok) return { ok: false, file, reason: update.reason, fix: update.fix };
    try {
      await writeAtomically(uri, new TextEncoder().encode(update.text));
    } catch (e) {
      return { ok: false, file, reason: `could not be written (${e instanceof Error ? e.message : String(e)})`, fix: 'Check the folder and its permissions' };
    }
    return { ok: true };
  }

  /** Whether the target's sidecar can be read whole (undefined) or why not: checked before an edit that must update it. */
  async provenanceProblem(target: vscode.Uri): Promise<({ file: string } & SidecarUnreadable) | undefined> {
    const uri = vscode.Uri.file(provenancePathFor(target.fsPath));
    const read = await readDisk(uri);
    const unreadable = typeof read === 'string' || read === undefined ? readProvenance(read).unreadable : read;
    return unreadable === undefined ? undefined : { file: vscode.workspace.asRelativePath(uri), ...unreadable };
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
