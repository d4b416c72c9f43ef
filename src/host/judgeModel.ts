import * as vscode from 'vscode';
import { combine, summarize, type Combined, type Summary } from '../core/judge/aggregate';
import { setupWithJudge, verdictKey, verdictsPathFor, verdictsSidecar, type CachedVerdict, type JudgeRunRecord, type JudgeSetup } from '../core/judge/cache';
import type { SidecarUnreadable } from '../core/sidecar';
import { columnName, judgeInputFromResults, type JudgeInput } from '../core/judge/judgeFiles';
import { HUMAN_PREFERENCE_RUBRIC, LEAGUE_RUBRIC } from '../core/judge/prompts';
import { outcomesOf, type JudgeItem, type JudgedItem, type OrderVerdict } from '../core/judge/run';
import { clearVerdicts, judgeResultsFile, loadVerdicts, type JudgeFileResult } from '../core/judge/workflow';
import { judgeNameOf } from '../endpoints/config';
import type { EndpointRegistry } from './endpoints';
import type { WorkspaceSidecars } from './sidecarFiles';
import { trust } from './trust';

function notSavedMessage(uri: vscode.Uri, unreadable: SidecarUnreadable, what: string, retry: string): string {
  const file = vscode.workspace.asRelativePath(verdictsPathFor(uri.fsPath));
  return `${file} ${unreadable.reason}, so it was left as it is and ${what}. ${unreadable.fix}, then ${retry}.`;
}

/** Seed of the bootstrap interval: the same verdicts always show the same interval. */
export const SUMMARY_SEED = 20261124;

export { isResultsFile } from './resultsFile';

/** A question's verdicts as the editor shows them. */
export interface LineVerdict {
  readonly item: JudgeItem;
  readonly combined: Combined;
  readonly first: OrderVerdict;
  readonly swapped: OrderVerdict;
}

export interface LineError {
  readonly item: JudgeItem;
  readonly error: string;
}

/** What a results file shows: its verdicts under the file's judge setup, and the figures. */
export interface FileView {
  readonly setup: JudgeSetup | undefined;
  readonly input: JudgeInput;
  readonly verdicts: readonly LineVerdict[];
  /** Questions the last run could not judge (this session only). */
  readonly errors: readonly LineError[];
  /** Questions with no verdict yet under the setup. */
  readonly unjudged: number;
  readonly summary: Summary;
  /** Names of the candidate (A) and the baseline (B). */
  readonly names: { readonly candidate: string; readonly baseline: string };
  readonly runs: readonly JudgeRunRecord[];
  readonly problem?: string;
}

export interface RunProgress {
  readonly done: number;
  readonly total: number;
}

interface FileState {
  verdicts: Map<string, CachedVerdict>;
  setup: JudgeSetup | undefined;
  runs: JudgeRunRecord[];
  /** Why the sidecar could not be read; it is then never overwritten. */
  problem: string | undefined;
  /** With `problem`: why the file is left as it is, and what the user does about it. */
  unreadable: SidecarUnreadable | undefined;
  /** Errors of the last run, by the error item's verdict key of the candidate-first order. */
  errors: Map<string, string>;
}

interface ActiveRun {
  readonly controller: AbortController;
  progress: RunProgress;
}

export const RUBRICS: Readonly<Record<string, string>> = { league: LEAGUE_RUBRIC, human: HUMAN_PREFERENCE_RUBRIC };

/**
 * The judge in the editor: each results file's verdicts (kept in its sidecar, see
 * `verdictsPathFor`), the runs in progress, and what the decorations, CodeLens, status bar and
 * runs view show. A file's view is computed from its current text, so an edited answer loses its
 * verdict at once, and comes back if the edit is undone.
 */
export class JudgeModel implements vscode.Disposable {
  private readonly files = new Map<string, FileState>();
  private readonly loading = new Map<string, Promise<FileState>>();
  private readonly running = new Map<string, ActiveRun>();
  private readonly views = new Map<string, { version: number; view: FileView }>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri | undefined>();
  /** Fires with the file whose verdicts, setup or run changed (undefined: any). */
  readonly onDidChange = this.changed.event;

  private readonly subscription: vscode.Disposable;

  /** `sidecars` is the editor's one store: its watcher tells this model's own writes from other tools'. */
  constructor(private readonly registry: EndpointRegistry, private readonly log: vscode.LogOutputChannel, private readonly sidecars: WorkspaceSidecars) {
    // A re-pointed judge endpoint is another judge: every view is looked up again under its new name.
    this.subscription = registry.onDidChange(() => {
      this.views.clear();
      this.changed.fire(undefined);
    });
  }

  dispose(): void {
    for (const run of this.running.values()) run.controller.abort();
    this.subscription.dispose();
    this.changed.dispose();
  }

  /** A file's last setup under the judge its endpoint names today (the sidecar's name when the endpoint is gone). */
  private current(setup: JudgeSetup): JudgeSetup {
    const config = this.registry.get(setup.endpoint);
    return setupWithJudge(setup, config === undefined ? undefined : judgeNameOf(config));
  }

  /** The loaded state of a file, or undefined until `load` has read its sidecar. */
  private state(uri: vscode.Uri): FileState | undefined {
    return this.files.get(uri.toString());
  }

  /** Reads a file's sidecar once; later calls get the same state. */
  load(uri: vscode.Uri): Promise<FileState> {
    const key = uri.toString();
    const have = this.files.get(key);
    if (have !== undefined) return Promise.resolve(have);
    let pending = this.loading.get(key);
    if (pending === undefined) {
      pending = loadVerdicts(this.sidecars, key).then((read) => {
        if (read.problem !== undefined) this.log.warn(`${vscode.workspace.asRelativePath(uri)}: ${read.problem}`);
        const state: FileState = { verdicts: read.verdicts, setup: read.setup, runs: [...read.runs], problem: read.problem, unreadable: read.unreadable, errors: new Map() };
        this.files.set(key, state);
        this.loading.delete(key);
        this.changed.fire(uri);
        return state;
      }, (e: unknown) => {
        this.loading.delete(key);
        throw e;
      });
      this.loading.set(key, pending);
    }
    return pending;
  }

  /** Another tool changed a sidecar on disk (the CLI may have judged): read it again. The store's watcher leaves out this model's own writes. */
  sidecarChanged(sidecar: vscode.Uri): void {
    for (const key of this.files.keys()) {
      const uri = vscode.Uri.parse(key);
      if (this.sidecars.uriFor(uri, verdictsSidecar.kind).fsPath === sidecar.fsPath) this.reload(uri);
    }
  }

  /** Forgets what was read, so the sidecar is read again (after another tool wrote it). */
  reload(uri: vscode.Uri): void {
    if (this.running.has(uri.toString())) return;
    this.files.delete(uri.toString());
    this.views.delete(uri.toString());
    void this.load(uri).catch((e: unknown) => { this.log.warn(`Could not read the verdicts of ${uri.fsPath}: ${String(e)}`); });
  }

  /** The view of a loaded file's current text; undefined until loaded. */
  view(document: vscode.TextDocument): FileView | undefined {
    const state = this.state(document.uri);
    if (state === undefined) return undefined;
    const key = document.uri.toString();
    const cached = this.views.get(key);
    if (cached !== undefined && cached.version === document.version) return cached.view;
    const view = this.compute(document.getText(), state);
    this.views.set(key, { version: document.version, view });
    return view;
  }

  private compute(text: string, state: FileState): FileView {
    const setup = state.setup === undefined ? undefined : this.current(state.setup);
    const input = judgeInputFromResults(text, setup ?? { candidate: 0, baseline: 1 });
    const names = { candidate: columnName(input.columns, setup?.candidate ?? 0), baseline: columnName(input.columns, setup?.baseline ?? 1) };
    const verdicts: LineVerdict[] = [];
    const errors: LineError[] = [];
    let unjudged = 0;
    for (const item of input.items) {
      if (setup === undefined) { unjudged++; continue; }
      const k = (answerA: string, answerB: string): string => verdictKey({ question: item.question, answerA, answerB, judge: setup.judge, rubric: setup.rubric });
      const firstKey = k(item.candidate, item.baseline);
      const first = state.verdicts.get(firstKey);
      const swapped = state.verdicts.get(k(item.baseline, item.candidate));
      if (first !== undefined && swapped !== undefined) {
        verdicts.push({ item, combined: combine(first.verdict, swapped.verdict), first: { ...first, cached: true }, swapped: { ...swapped, cached: true } });
        continue;
      }
      unjudged++;
      const error = state.errors.get(firstKey);
      if (error !== undefined) errors.push({ item, error });
    }
    const summary = summarize(outcomesOf(verdicts.map((v) => ({ ...v, ok: true as const }))), { seed: SUMMARY_SEED });
    return { setup, input, verdicts, errors, unjudged, summary, names, runs: state.runs, ...(state.problem === undefined ? {} : { problem: state.problem }) };
  }

  /** The run in progress on a file. */
  progress(uri: vscode.Uri): RunProgress | undefined {
    return this.running.get(uri.toString())?.progress;
  }

  get activeRuns(): readonly [string, RunProgress][] {
    return [...this.running.entries()].map(([k, r]) => [k, r.progress]);
  }

  cancel(uri: vscode.Uri): boolean {
    const run = this.running.get(uri.toString());
    run?.controller.abort();
    return run !== undefined;
  }

  /**
   * Judges the file's questions (those on `lines` only, when given) under `setup`; verdicts already
   * in the sidecar are reused. Resolves when the run ends; a whole-file run that finishes is
   * added to the history. Throws for a rubric that cannot be used or an endpoint that cannot be opened.
   */
  async run(document: vscode.TextDocument, setup: JudgeSetup, lines?: ReadonlySet<number>): Promise<{ judged: readonly JudgedItem[]; cancelled: boolean; skipped: number; summary: Summary; notSaved?: string } | undefined> {
    if (!trust.isTrusted) throw new Error('This workspace is in Restricted Mode, so TuneLab makes no network calls. Trust the workspace to run the judge.');
    const uri = document.uri;
    const key = uri.toString();
    if (this.running.has(key)) throw new Error('The judge is already running on this file. Cancel it first.');
    const state = await this.load(uri);
    const ask = await this.registry.asker(setup.endpoint);
    if (ask === undefined) return undefined;
    const input = judgeInputFromResults(document.getText(), setup);
    if (state.setup?.judge !== setup.judge || state.setup.rubric !== setup.rubric || state.setup.candidate !== setup.candidate || state.setup.baseline !== setup.baseline) {
      state.errors.clear();
    }
    state.setup = setup;
    this.views.delete(key);
    const controller = new AbortController();
    const active: ActiveRun = { controller, progress: { done: 0, total: 0 } };
    this.running.set(key, active);
    let judged: JudgeFileResult;
    try {
      judged = await judgeResultsFile({ file: key, input, setup, lines, ask, signal: controller.signal, seed: SUMMARY_SEED }, {
        store: this.sidecars,
        // The verdicts shown are the ones the run reuses and adds to, so each shows as it comes.
        loaded: state,
        onStart: (_load, items) => {
          active.progress = { done: 0, total: items.length };
          this.changed.fire(uri);
        },
        onJudged: (j, done, total) => {
          const errorKey = verdictKey({ question: j.item.question, answerA: j.item.candidate, answerB: j.item.baseline, judge: setup.judge, rubric: setup.rubric });
          if (j.ok) state.errors.delete(errorKey);
          else {
            state.errors.set(errorKey, j.error);
            this.log.warn(`${vscode.workspace.asRelativePath(uri)}:${j.item.line + 1}: not judged: ${j.error}`);
          }
          active.progress = { done, total };
          this.views.delete(key);
          this.changed.fire(uri);
        },
      });
    } finally {
      this.running.delete(key);
    }
    const { run: result, saved } = judged;
    let notSaved: string | undefined;
    if (saved.ok) {
      // What is on disk now: this run's verdicts and record with whatever another tool added meanwhile.
      state.verdicts = new Map(saved.value.verdicts);
      state.runs = [...saved.value.runs];
    } else {
      if (judged.record !== undefined) state.runs.push(judged.record);
      notSaved = notSavedMessage(uri, saved.unreadable, 'these verdicts are not kept', 'judge again');
      state.unreadable = saved.unreadable;
      state.problem ??= notSaved;
      this.log.warn(notSaved);
    }
    this.views.delete(key);
    this.changed.fire(uri);
    this.log.info(`Judge on ${vscode.workspace.asRelativePath(uri)}: ${result.judged.length} question(s), ${result.asked} request(s), ${result.fromCache} verdict(s) from the cache${result.cancelled ? ' (cancelled)' : ''}.`);
    return { judged: result.judged, cancelled: result.cancelled, skipped: input.skipped.length, summary: judged.summary, ...(notSaved === undefined ? {} : { notSaved }) };
  }

  /** Drops a file's verdicts (its run history stays); never from a sidecar that could not be read, when it was loaded or now. */
  async clear(uri: vscode.Uri): Promise<number> {
    if (this.running.has(uri.toString())) throw new Error('The judge is running on this file. Cancel it first.');
    const state = await this.load(uri);
    const cleared = state.unreadable === undefined ? await clearVerdicts(this.sidecars, uri.toString()) : { ok: false as const, unreadable: state.unreadable };
    if (!cleared.ok) throw new Error(notSavedMessage(uri, cleared.unreadable, 'nothing was cleared', 'clear them again'));
    state.verdicts = new Map();
    state.runs = [...cleared.value.runs];
    state.errors.clear();
    this.views.delete(uri.toString());
    this.changed.fire(uri);
    return cleared.cleared;
  }

  /** A setup for a file: `judge` names the endpoint and its model. */
  setupFor(endpoint: string, rubricName: string, rubric: string, candidate: number, baseline: number): JudgeSetup | undefined {
    const config = this.registry.get(endpoint);
    if (config === undefined) return undefined;
    return { judge: judgeNameOf(config), endpoint, rubricName, rubric, candidate, baseline };
  }

  /** The setup a file was last judged with, if its sidecar has one, under the judge its endpoint names today. */
  async lastSetup(uri: vscode.Uri): Promise<JudgeSetup | undefined> {
    const setup = (await this.load(uri)).setup;
    return setup === undefined ? undefined : this.current(setup);
  }
}
