import * as vscode from 'vscode';
import {
  belowThreshold,
  rejectionEdit,
  SCORE_RUBRIC,
  scoredRowsOf,
  scoreRowsOf,
  scoreRubricError,
  scoresPathFor,
  scoresSidecar,
  type CachedScore,
  type ScoredRowResult,
  type ScoreRow,
  type ScoreSetup,
} from '../core/judge/score';
import { runScoringJob, type ScoringOutcome } from '../core/judge/scoringJob';
import { legacyRejectedPathFor, moveRows, rejectedInsideDatasetFolder, rejectedMigration, rejectedPathFor, type RowMoveOutcome } from '../core/judge/rejectedFile';
import { parseDocument } from '../core/jsonl/parse';
import { evalSetOfLines, EvalSetMemo, type ParsedRow, type SkippedLine } from '../core/promptLab/evalSet';
import type { SidecarUnreadable } from '../core/sidecar';
import { judgeNameOf, type EndpointConfig } from '../endpoints/config';
import { endpointErrorKind } from '../endpoints/types';
import type { DatasetLinting } from './datasetLinting';
import type { EndpointRegistry } from './endpoints';
import type { LintSettingsSource } from './lintSettings';
import { trust } from './trust';
import type { WorkspaceSidecars } from './sidecarFiles';
import { writeAtomically } from './writeAtomically';

/**
 * Pointwise curation in the editor: scores of a dataset's rows, kept in a sidecar beside it
 * (`.tunelab/<name>.scores.json`), a scoring run, and moving the low rows to the rejected file
 * as one undoable edit. The rejected file is outside the dataset's folder, under the workspace
 * folder's `.tunelab/rejected/` (see core/judge/rejectedFile.ts for why), and an old
 * `<name>.rejected.jsonl` beside the dataset is moved there.
 *
 * The policies are core's (the scores sidecar in core/judge/score.ts, the scoring job in
 * core/judge/scoringJob.ts); this module is their editor side: the sidecar store over
 * vscode.workspace.fs, the progress notification, the WorkspaceEdit.
 */

/** The workspace's last scoring endpoint, in workspace state. */
export const CURATION_ENDPOINT_KEY = 'tunelab.curation.endpoint';
/** A workspace's own scoring rubric, relative to its folder; it wins over the built-in one. */
export const SCORE_RUBRIC_PATH = ['prompts', 'score.tlprompt'] as const;
export function scoresUriFor(dataset: vscode.Uri): vscode.Uri {
  return dataset.with({ path: scoresPathFor(dataset.path) });
}

/** The workspace folder's path a dataset is in, when it is in one. */
function rootPathOf(dataset: vscode.Uri): string | undefined {
  return vscode.workspace.getWorkspaceFolder(dataset)?.uri.path;
}

/** Where the dataset's rejected rows go: `<folder>/.tunelab/rejected/<its path>.rejected.jsonl`. */
export function rejectedUriFor(dataset: vscode.Uri): vscode.Uri {
  return dataset.with({ path: rejectedPathFor(dataset.path, rootPathOf(dataset)) });
}

/**
 * True when the rejected file has to be in the dataset's own folder (a dataset at the root of its
 * workspace folder, or in none), so a sync of that folder must exclude `.tunelab/`.
 */
export function rejectedSharesDatasetFolder(dataset: vscode.Uri): boolean {
  return rejectedInsideDatasetFolder(dataset.path, rootPathOf(dataset));
}

/** What to tell a user whose rejected file is inside the dataset's folder. */
export function syncHint(dataset: vscode.Uri): string {
  return `${baseName(dataset)} is at the top of its folder, so .tunelab/ is inside the folder you would sync: exclude it when you upload, e.g. aws s3 sync . s3://<bucket>/<prefix> --exclude ".tunelab/*".`;
}

/** Where earlier versions put the dataset's rejected rows: `<name>.rejected.jsonl` beside it. */
export function legacyRejectedUriFor(dataset: vscode.Uri): vscode.Uri {
  return dataset.with({ path: legacyRejectedPathFor(dataset.path) });
}

/** The last part of a URI's path, for messages. */
export function baseName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

/** Read through a function: a run may start while the caller awaits, which narrowing cannot see. */
function isRunning(state: DatasetScores): boolean {
  return state.running;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Tells the user a dataset's scores sidecar cannot be read, naming the file and what to do, with
 * a button that opens it. `reason` is why (from `readScoreCache`); `what` says what was stopped.
 */
export function showUnreadableSidecar(dataset: vscode.Uri, reason: string, what: string): void {
  const sidecar = scoresUriFor(dataset);
  void vscode.window.showErrorMessage(
    `TuneLab: ${vscode.workspace.asRelativePath(sidecar)} (the scores of ${baseName(dataset)}) cannot be read, so TuneLab leaves it as it is. ${reason} ${what}`,
    'Open File',
  ).then((c) => { if (c !== undefined) void vscode.window.showTextDocument(sidecar, { preview: false }); });
}

// ---------------------------------------------------------------------------------------------
// The scores of each dataset

/** One dataset's scores as the editor knows them. */
export interface DatasetScores {
  /** The sidecar's scores and this session's. */
  readonly scores: Map<string, CachedScore>;
  /** Scores not yet written to the sidecar. */
  readonly unsaved: Map<string, CachedScore>;
  /** Why a row could not be scored, by its key: this session only. */
  readonly errors: Map<string, string>;
  /** What the rows' keys are made with: the last run's judge and rubric. */
  setup: ScoreSetup | undefined;
  /** Why the sidecar could not be read; such a file is never overwritten. */
  unreadable: string | undefined;
  /** Set while a scoring run is under way, so the sidecar is not reloaded under it. */
  running: boolean;
}

interface SidecarRead {
  readonly scores: Map<string, CachedScore>;
  readonly setup: ScoreSetup | undefined;
  readonly unreadable: string | undefined;
  /** Damaged entries that were skipped. */
  readonly problem: string | undefined;
}

/**
 * What to tell a user about a scores sidecar the store would not read or write: the score
 * format's reasons are whole sentences (see `scoresSidecar`); the store's own, about the file
 * system, follow "It".
 */
function unreadableText(unreadable: SidecarUnreadable, written: boolean): string {
  if (unreadable.fix === '') return unreadable.reason;
  return written ? `It ${unreadable.reason}.` : `It ${unreadable.reason}: make it a readable file, or delete it to score every row again.`;
}

/**
 * The scores of each dataset the editor has looked at, loaded from the sidecar on first use and
 * reloaded when another tool changes it on disk; errors and unsaved scores live here for the
 * session. The sidecar is read and written through the editor's one sidecar store.
 */
export class ScoreStore implements vscode.Disposable {
  private readonly states = new Map<string, Promise<DatasetScores>>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** Fires with a dataset's URI when its scores, errors or setup change. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: { dispose(): unknown }[] = [this.changed];

  constructor(private readonly log: vscode.LogOutputChannel, private readonly sidecars: WorkspaceSidecars) {
    this.disposables.push(sidecars.watch(scoresSidecar.kind, (uri) => { void this.reloadSidecar(uri); }));
  }

  private async readSidecar(dataset: vscode.Uri): Promise<SidecarRead> {
    const read = await this.sidecars.read(dataset.toString(), scoresSidecar);
    if (!read.ok) return { scores: new Map(), setup: undefined, unreadable: unreadableText(read.unreadable, false), problem: undefined };
    return { scores: new Map(read.value.scores), setup: read.value.setup, unreadable: undefined, problem: read.problem };
  }

  /** The dataset's scores, loading the sidecar the first time. */
  load(dataset: vscode.Uri): Promise<DatasetScores> {
    const key = dataset.toString();
    let state = this.states.get(key);
    if (state === undefined) {
      state = this.read(dataset);
      this.states.set(key, state);
      // A failed load is not kept, so the next look tries again.
      state.catch(() => { this.states.delete(key); });
    }
    return state;
  }

  private async read(dataset: vscode.Uri): Promise<DatasetScores> {
    const read = await this.readSidecar(dataset);
    this.report(scoresUriFor(dataset), read);
    return { scores: read.scores, unsaved: new Map(), errors: new Map(), setup: read.setup, unreadable: read.unreadable, running: false };
  }

  private report(sidecar: vscode.Uri, read: SidecarRead): void {
    const name = vscode.workspace.asRelativePath(sidecar);
    if (read.unreadable !== undefined) this.log.warn(`${name} could not be read (${read.unreadable}); it is left as it is and scores are not saved to it.`);
    else if (read.problem !== undefined) this.log.warn(`${name}: ${read.problem}`);
  }

  private async reloadSidecar(sidecar: vscode.Uri): Promise<void> {
    for (const [key, pending] of this.states) {
      const dataset = vscode.Uri.parse(key);
      if (scoresUriFor(dataset).toString() !== sidecar.toString()) continue;
      const state = await pending.catch(() => undefined);
      if (state === undefined || state.running) continue;
      const read = await this.readSidecar(dataset);
      // A run may have started while the file was read.
      if (isRunning(state)) continue;
      state.scores.clear();
      for (const [k, v] of read.scores) state.scores.set(k, v);
      // Scores this session could not save yet are still known.
      for (const [k, v] of state.unsaved) state.scores.set(k, v);
      state.setup = read.setup ?? state.setup;
      state.unreadable = read.unreadable;
      this.changed.fire(dataset);
    }
  }

  /**
   * Reads the sidecar again (it may have been broken or fixed since it was loaded) and gives why
   * it cannot be read, or undefined when it can; a readable file's scores join the state's.
   */
  async sidecarProblem(dataset: vscode.Uri, state: DatasetScores): Promise<string | undefined> {
    const read = await this.readSidecar(dataset);
    this.report(scoresUriFor(dataset), read);
    if (read.unreadable === undefined) {
      for (const [k, v] of read.scores) if (!state.scores.has(k)) state.scores.set(k, v);
      state.setup ??= read.setup;
    }
    if (state.unreadable !== read.unreadable) {
      state.unreadable = read.unreadable;
      this.changed.fire(dataset);
    }
    return read.unreadable;
  }

  /** Adds a run's outcome for one row. */
  record(dataset: vscode.Uri, state: DatasetScores, result: ScoredRowResult): void {
    if (result.ok) {
      state.errors.delete(result.key);
      if (!result.cached) state.unsaved.set(result.key, { score: result.score, reasoning: result.reasoning });
    } else {
      state.errors.set(result.key, result.error);
    }
    this.changed.fire(dataset);
  }

  /** Sets what the rows' keys are made with; true when that changed. */
  setSetup(dataset: vscode.Uri, state: DatasetScores, setup: ScoreSetup): boolean {
    const old = state.setup;
    const same = old !== undefined && old.judge === setup.judge && old.endpoint === setup.endpoint && old.rubricName === setup.rubricName && old.rubric === setup.rubric;
    state.setup = setup;
    if (!same) this.changed.fire(dataset);
    return !same;
  }

  /**
   * Writes the scores to the sidecar, creating `.tunelab/`: the sidecar's current scores, merged
   * with this session's, written to a temporary file and renamed over it, so it is whole at every
   * moment. A sidecar that cannot be read is left as it is; the reason is returned instead.
   */
  async save(dataset: vscode.Uri, state: DatasetScores): Promise<{ saved: true } | { saved: false; reason: string }> {
    const disk = { readWhole: false };
    const saving = new Map(state.unsaved);
    const update = await this.sidecars.update(dataset.toString(), scoresSidecar, (onDisk) => {
      // Only called when the file on disk was read whole: a failure after this is the write's.
      disk.readWhole = true;
      const merged = new Map(onDisk.scores);
      for (const [k, v] of state.scores) merged.set(k, v);
      for (const [k, v] of saving) merged.set(k, v);
      return state.setup === undefined ? { scores: merged } : { scores: merged, setup: state.setup };
    });
    if (!update.ok) {
      const reason = unreadableText(update.unreadable, disk.readWhole);
      if (!disk.readWhole) state.unreadable = reason;
      return { saved: false, reason };
    }
    for (const [k, v] of update.value.scores) state.scores.set(k, v);
    // Scores recorded while the file was written are still to be saved.
    for (const [k, v] of saving) if (state.unsaved.get(k) === v) state.unsaved.delete(k);
    state.unreadable = undefined;
    return { saved: true };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// A dataset's rows

export interface DatasetRows {
  /** The document version the rows were read from. */
  readonly version: number;
  readonly rows: readonly ScoreRow[];
  /** 0-based lines of records with a question but no answer. */
  readonly noAnswer: readonly number[];
  /** Lines that are no record with a question (broken JSON, a text record). */
  readonly skipped: readonly SkippedLine[];
}

/** What a dataset's rows are read with: its lint settings, and the linter's parse of its lines. */
export interface RowSources {
  readonly lintSettings: LintSettingsSource;
  readonly linting: DatasetLinting;
}

/** What the rows read so far made of each record, so an edit's rows cost only its lines. */
const rowsMemo = new EvalSetMemo();

/**
 * The rows of the document's current text (unsaved edits included) that can be scored: the
 * lines the linter has parsed already (it follows every edit line by line), read as
 * `readEvalSet` reads the text; the text itself when the linter has no such document yet.
 */
export async function datasetRows(document: vscode.TextDocument, sources: RowSources): Promise<DatasetRows> {
  const settings = await sources.lintSettings.forDocument(document.uri);
  // No await from here on, so the version, the lines and the text all belong together.
  const version = document.version;
  const format = settings.settings.format === 'auto' ? undefined : settings.settings.format;
  const set = evalSetOfLines(parsedLinesOf(document, sources.linting), settings.context, format, rowsMemo);
  const { rows, noAnswer } = scoreRowsOf(set.items);
  return { version, rows, noAnswer, skipped: set.skipped };
}

function parsedLinesOf(document: vscode.TextDocument, linting: DatasetLinting): Iterable<ParsedRow> {
  const linted = linting.get(document);
  if (linted !== undefined && linted.document === document && linted.linter.lineCount === document.lineCount) return linted.linter.parsedLines();
  return parseDocument(document.getText()).lines.map((parsed) => ({ line: parsed.line, parsed }));
}

// ---------------------------------------------------------------------------------------------
// The rubric

export type RubricChoice =
  | { readonly ok: true; readonly rubric: string; readonly name: string }
  | { readonly ok: false; readonly message: string; readonly uri: vscode.Uri };

/** The workspace's `prompts/score.tlprompt` (its open editor's text when open), else the built-in rubric. */
export async function scoreRubricFor(dataset: vscode.Uri): Promise<RubricChoice> {
  const folder = vscode.workspace.getWorkspaceFolder(dataset) ?? vscode.workspace.workspaceFolders?.[0];
  if (folder === undefined) return { ok: true, rubric: SCORE_RUBRIC, name: 'default' };
  const uri = vscode.Uri.joinPath(folder.uri, ...SCORE_RUBRIC_PATH);
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  let text: string;
  if (open !== undefined) {
    text = open.getText();
  } else {
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch (e) {
      if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') return { ok: true, rubric: SCORE_RUBRIC, name: 'default' };
      return { ok: false, message: `it could not be read (${messageOf(e)})`, uri };
    }
  }
  const problem = scoreRubricError(text);
  if (problem !== undefined) return { ok: false, message: problem, uri };
  return { ok: true, rubric: text, name: vscode.workspace.asRelativePath(uri, false) };
}

// ---------------------------------------------------------------------------------------------
// Scoring

export interface CurationDeps extends RowSources {
  readonly endpoints: EndpointRegistry;
  readonly log: vscode.LogOutputChannel;
  readonly store: ScoreStore;
}

export type { ScoringOutcome } from '../core/judge/scoringJob';

/**
 * Scores every row of the document not yet scored by this judge and rubric, with a progress
 * notification (n/N, cancel), through core's scoring job (core/judge/scoringJob.ts): this is its
 * editor side. The sidecar is written when the run ends, cancelled or not. Undefined when nothing
 * was run (the reason has been shown).
 */
export async function scoreDataset(deps: CurationDeps, document: vscode.TextDocument, endpoint: EndpointConfig, rubric: { readonly rubric: string; readonly name: string }): Promise<ScoringOutcome | undefined> {
  const { endpoints, log, store } = deps;
  if (!trust.isTrusted) {
    void vscode.window.showWarningMessage('TuneLab: this workspace is in Restricted Mode, so TuneLab makes no network calls. Trust the workspace to score rows.');
    return undefined;
  }
  const uri = document.uri;
  const name = vscode.workspace.asRelativePath(uri);
  const read = await datasetRows(document, deps);
  for (const s of read.skipped) log.info(`Scoring: ${name}:${s.line + 1}: skipped (${s.reason})`);
  for (const line of read.noAnswer) log.info(`Scoring: ${name}:${line + 1}: skipped (the record has no answer to score)`);
  if (read.rows.length === 0) {
    void vscode.window.showWarningMessage(`TuneLab: ${name} has no rows with a question and an answer to score (${read.skipped.length + read.noAnswer.length} line(s) skipped; see the log).`, 'Show Log')
      .then((c) => { if (c !== undefined) log.show(); });
    return undefined;
  }
  const setup: ScoreSetup = { judge: judgeNameOf(endpoint), endpoint: endpoint.id, rubricName: rubric.name, rubric: rubric.rubric };
  const state = await store.load(uri);
  // Checked before anything is asked: scores that could not be saved would be paid for again.
  const unreadable = await store.sidecarProblem(uri, state);
  if (unreadable !== undefined) {
    log.warn(`Scoring ${name}: stopped before asking anything, since its scores file cannot be read.`);
    showUnreadableSidecar(uri, unreadable, 'Nothing was sent: run Score Rows again once it is fixed.');
    return undefined;
  }
  if (state.running) {
    void vscode.window.showInformationMessage(`TuneLab: ${name} is being scored already.`);
    return undefined;
  }

  const outcome = await runScoringJob({ rows: read.rows, noAnswer: read.noAnswer.length, setup, cache: state.scores }, {
    asker: async () => {
      const ask = await endpoints.asker(endpoint.id);
      if (ask === undefined) void vscode.window.showWarningMessage('TuneLab: no API key was given, so nothing was sent.');
      return ask;
    },
    withProgress: async (todo, work) => vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Scoring rows', cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const cancel = token.onCancellationRequested(() => { controller.abort(); });
        try {
          return await work(controller.signal, (done) => {
            progress.report(done === 0 ? { message: `0/${todo}` } : { message: `${done}/${todo}`, increment: 100 / todo });
          });
        } finally {
          cancel.dispose();
        }
      },
    ),
    isCancellation: (e) => endpointErrorKind(e) === 'cancelled',
    setSetup: (next) => store.setSetup(uri, state, next),
    // The run adds each new score to the cache (the state's scores), so the editor shows it at once.
    record: (scored) => { store.record(uri, state, scored); },
    save: async (afterRun) => {
      const saved = await store.save(uri, state);
      if (saved.saved) return undefined;
      if (afterRun) log.warn(`Scoring ${name}: the scores were not saved to ${vscode.workspace.asRelativePath(scoresUriFor(uri))}: ${saved.reason}`);
      return saved.reason;
    },
    running: (on) => { state.running = on; },
    starting: (todo) => { log.info(`Scoring ${name}: ${todo} row(s) to ask ${setup.judge} about, with the ${rubric.name} rubric.`); },
  });
  if (outcome === undefined) return undefined;
  for (const r of outcome.failed) log.warn(`Scoring: ${name}:${r.row.line + 1}: ${r.error}`);
  log.info(`Scoring ${name}: ${outcome.scores.length} of ${outcome.rows} row(s) scored; ${outcome.asked} request(s) sent; ${outcome.errors} error(s)${outcome.cancelled ? '; cancelled' : ''}.`);
  return outcome;
}

// ---------------------------------------------------------------------------------------------
// Moving the low rows

export interface RejectionPlan {
  readonly document: vscode.TextDocument;
  /** The document version the plan was made for: it applies to that text only. */
  readonly version: number;
  readonly threshold: number;
  /** 0-based lines to move, ascending. */
  readonly lines: readonly number[];
  /** Rows that have a score. */
  readonly scored: number;
  /** Rows left in place because they have no score (never scored, an error, or no answer). */
  readonly unscored: number;
  readonly rejected: vscode.Uri;
  /** True when the rejected file is inside the dataset's own folder (see `rejectedSharesDatasetFolder`). */
  readonly sharesFolder: boolean;
  /** The old rejected file beside the dataset, when there is one: its rows move too. */
  readonly legacy: vscode.Uri | undefined;
}

/** The rows of the document's current text scored below `threshold`; undefined when none of its rows are scored. */
export async function planRejection(deps: Pick<CurationDeps, 'lintSettings' | 'linting' | 'store'>, document: vscode.TextDocument, threshold: number): Promise<RejectionPlan | undefined> {
  const state = await deps.store.load(document.uri);
  const read = await datasetRows(document, deps);
  const setup = state.setup;
  if (setup === undefined) return undefined;
  const rows = scoredRowsOf(read.rows, setup, state.scores);
  const scored = rows.filter((r) => r.score !== undefined).length;
  if (scored === 0) return undefined;
  return {
    document,
    version: read.version,
    threshold,
    lines: belowThreshold(rows, threshold),
    scored,
    unscored: rows.length - scored + read.noAnswer.length,
    rejected: rejectedUriFor(document.uri),
    sharesFolder: rejectedSharesDatasetFolder(document.uri),
    legacy: await legacyRejectedFile(document.uri),
  };
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** Whether two byte arrays are the same bytes. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Appends text to a file on disk, creating it and its folder when needed, and confirms by reading
 * it back that the file holds its old bytes followed by the new ones. `appendedFor` gets the
 * file's current text (undefined when there is none) and gives what to append. The old bytes are
 * kept as they are (no decoding round trip), and the whole is written aside and renamed over, so
 * the file is whole at every moment. Throws, saying why, when the file is open with unsaved
 * changes (saving it would save them too) or cannot be written.
 */
async function appendOnDisk(target: vscode.Uri, appendedFor: (existing: string | undefined) => string): Promise<void> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
  if (open?.isDirty === true) throw new Error(`${baseName(target)} has unsaved changes`);
  let before: Uint8Array | undefined;
  try {
    before = await vscode.workspace.fs.readFile(target);
  } catch (e) {
    if (!(e instanceof vscode.FileSystemError && e.code === 'FileNotFound')) throw e;
  }
  const appended = new TextEncoder().encode(appendedFor(before === undefined ? undefined : new TextDecoder().decode(before)));
  const after = new Uint8Array((before?.length ?? 0) + appended.length);
  if (before !== undefined) after.set(before);
  after.set(appended, before?.length ?? 0);
  await writeAtomically(target, after);
  if (!sameBytes(await vscode.workspace.fs.readFile(target), after)) throw new Error(`${baseName(target)} did not hold the rows when read back`);
}

/**
 * Moves the plan's lines to the rejected file, in the order that never leaves a row in neither
 * file (`moveRows`): the lines are appended to the rejected file on disk and read back first;
 * only then are the whole lines deleted from the dataset (one WorkspaceEdit, every kept byte as
 * it was; Undo in the dataset puts them back) and the dataset saved, unless it had unsaved changes
 * of the user's. The outcome says where the rows are when a step failed. Throws, before anything
 * is written, in Restricted Mode or when the document changed since the plan.
 */
export async function applyRejection(plan: RejectionPlan): Promise<RowMoveOutcome> {
  const { document, rejected } = plan;
  // The scores come from a model's replies, or from a sidecar the workspace ships.
  if (!trust.isTrusted) throw new Error('This workspace is in Restricted Mode, so TuneLab does not move rows on scores. Trust the workspace to move them.');
  const changed = (): Error => new Error(`${baseName(document.uri)} changed since its rows were read. Run Move Rows Below Score again.`);
  if (document.version !== plan.version) throw changed();
  const text = document.getText();
  const { deletions } = rejectionEdit(text, plan.lines, undefined);
  if (deletions.length === 0) return { state: 'moved' };
  const datasetWasDirty = document.isDirty;
  return moveRows({
    writeDestination: () => appendOnDisk(rejected, (existing) => rejectionEdit(text, plan.lines, existing).appended),
    removeFromSource: async () => {
      // The rejected file was written after an await: the dataset must still be the text planned on.
      if (document.version !== plan.version) throw new Error(`${baseName(document.uri)} changed while the rows were written`);
      const edit = new vscode.WorkspaceEdit();
      for (const d of deletions) edit.delete(document.uri, new vscode.Range(document.positionAt(d.start), document.positionAt(d.end)));
      if (!await vscode.workspace.applyEdit(edit)) throw new Error('VS Code refused the edit (is the file read-only?)');
    },
    saveSource: async () => {
      if (datasetWasDirty) return 'kept-unsaved';
      if (!await document.save()) throw new Error('VS Code could not save it');
      return 'saved';
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Moving an old rejected file out of the dataset's folder

/** The old `<name>.rejected.jsonl` beside the dataset, when it exists. */
export async function legacyRejectedFile(dataset: vscode.Uri): Promise<vscode.Uri | undefined> {
  const legacy = legacyRejectedUriFor(dataset);
  if (legacy.toString() === rejectedUriFor(dataset).toString()) return undefined;
  return await exists(legacy) ? legacy : undefined;
}

export interface RejectedMove {
  /** The old file beside the dataset, now gone. */
  readonly from: vscode.Uri;
  /** The rejected file the rows are in now. */
  readonly to: vscode.Uri;
  /** Rows moved (non-blank lines). */
  readonly rows: number;
}

/**
 * Moves the old rejected file beside the dataset to where rejected rows go now: renamed when there
 * is no new file yet (one WorkspaceEdit, which Undo reverts); else its rows are appended to the new
 * file on disk and read back first, and only then is the old file deleted, so no row is ever in
 * neither file. Undefined when there is no old file; throws when the old file has unsaved changes,
 * the new one cannot be written, or VS Code refuses the edit (saying where the rows are).
 */
export async function moveLegacyRejected(dataset: vscode.Uri): Promise<RejectedMove | undefined> {
  const from = await legacyRejectedFile(dataset);
  if (from === undefined) return undefined;
  const to = rejectedUriFor(dataset);
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === from.toString());
  if (open?.isDirty === true) throw new Error(`${baseName(from)} has unsaved changes. Save or revert it, then try again.`);
  const legacyText = new TextDecoder().decode(await vscode.workspace.fs.readFile(from));
  await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(to, '..'));
  const toName = vscode.workspace.asRelativePath(to);

  if (!await exists(to)) {
    // Nothing there yet: the file moves whole, every byte as it was.
    const edit = new vscode.WorkspaceEdit();
    edit.renameFile(from, to, { overwrite: false });
    if (!await vscode.workspace.applyEdit(edit)) throw new Error(`VS Code refused to move ${baseName(from)} to ${toName} (is one of them read-only?). Nothing was moved.`);
    return { from, to, rows: rejectedMigration(legacyText, undefined).rows };
  }
  let rows = 0;
  try {
    await appendOnDisk(to, (existing) => {
      const moved = rejectedMigration(legacyText, existing);
      rows = moved.rows;
      return moved.appended;
    });
  } catch (e) {
    throw new Error(`The rows of ${baseName(from)} could not be written to ${toName} (${messageOf(e)}). Nothing was moved: save or revert ${toName} if it has unsaved changes, or make it writable, then try again.`, { cause: e });
  }
  const edit = new vscode.WorkspaceEdit();
  edit.deleteFile(from);
  if (!await vscode.workspace.applyEdit(edit)) {
    throw new Error(`The rows of ${baseName(from)} were copied to ${toName}, but VS Code refused to delete ${baseName(from)}, so they are in both files: delete ${baseName(from)} by hand, or it is trained on.`);
  }
  return { from, to, rows };
}
