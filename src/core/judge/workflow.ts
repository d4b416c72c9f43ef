/**
 * One judging run of a results file, the same in `tunelab judge` and in the editor: the policy
 * around `runJudge`, so the two differ only in their adapters (node:fs or vscode.workspace.fs
 * under the sidecar store; terminal output or the editor's progress and messages).
 *
 * - The verdicts already in the file's sidecar are reused, and the new ones added to them. A
 *   sidecar that cannot be read whole still lends what could be read of it, but is never written
 *   over: not when it was read before the run, nor when the run ends (a merge may have landed).
 * - The sidecar is saved when the run ends, cancelled or not: read again, then the run's verdicts
 *   and setup merged into what is on disk now, so what another tool wrote meanwhile is kept.
 * - A run of the whole file that was not cancelled is added to the history (the last `RUNS_KEPT`
 *   runs are kept); a cancelled run, or one of some lines only, is not.
 * - The summary, and the run record's figures, use the caller's seed.
 *
 * Pure: the file system comes in through the sidecar store it is given.
 */
import type { Ask } from '../generate/pipeline';
import type { SidecarUnreadable } from '../sidecar';
import type { SidecarRead, SidecarUpdate } from '../sidecarStore';
import { summarize, type Summary } from './aggregate';
import { RUNS_KEPT, verdictsSidecar, type CachedVerdict, type JudgeRunRecord, type JudgeSetup, type VerdictCacheRead, type VerdictsFile } from './cache';
import { columnName, runRecord, type JudgeInput, type VerdictRecordNames } from './judgeFiles';
import { outcomesOf, runJudge, type JudgedItem, type JudgeItem, type JudgeRunResult } from './run';

/** What the workflow needs of the sidecar store (`SidecarStore` is one). */
export interface VerdictsStore {
  read(filePath: string, format: typeof verdictsSidecar): Promise<SidecarRead<VerdictsFile>>;
  update(filePath: string, format: typeof verdictsSidecar, change: (onDisk: VerdictsFile) => VerdictsFile): Promise<SidecarUpdate<VerdictsFile>>;
}

/** A file's verdicts as read before a run: reused by it, and added to as it judges. */
export interface VerdictsLoad extends VerdictCacheRead {
  /** When the sidecar could not be read at all: what the file system threw. */
  readonly error?: unknown;
}

/** Reads a results file's verdicts sidecar; one that cannot be read whole gives what could be read, and why. */
export async function loadVerdicts(store: VerdictsStore, file: string): Promise<VerdictsLoad> {
  const read = await store.read(file, verdictsSidecar);
  if (read.ok) {
    const { verdicts, setup, runs } = read.value;
    return { verdicts: new Map(verdicts), runs: [...runs], ...(setup === undefined ? {} : { setup }), ...(read.problem === undefined ? {} : { problem: read.problem }) };
  }
  const { unreadable } = read;
  if (read.partial === undefined) {
    return { verdicts: new Map(), runs: [], problem: `The verdict cache ${unreadable.reason}, so every pair will be judged again.`, unreadable, error: read.error };
  }
  const { verdicts, setup, runs } = read.partial.value;
  return {
    verdicts: new Map(verdicts),
    runs: [...runs],
    ...(setup === undefined ? {} : { setup }),
    problem: read.partial.problem ?? `The verdict cache ${unreadable.reason}.`,
    unreadable,
  };
}

export interface JudgeFileOptions {
  /** The results file, as the store names files (a path, or a URI string in the editor). */
  readonly file: string;
  /** Its questions and answers under `setup`'s columns (`judgeInputFromResults`). */
  readonly input: JudgeInput;
  readonly setup: JudgeSetup;
  /** Only the questions on these 0-based lines; such a run is not added to the history. */
  readonly lines?: ReadonlySet<number> | undefined;
  readonly ask: Ask;
  readonly signal: AbortSignal;
  /** Questions in flight at once; runJudge's default unless given. */
  readonly concurrency?: number | undefined;
  /** Seeds the bootstrap interval of the summary and of the run record. */
  readonly seed: number;
}

export interface JudgeFilePorts {
  readonly store: VerdictsStore;
  /** The file's verdicts when the caller has read them already (the editor shows them): reused and added to in place. */
  readonly loaded?: VerdictsLoad | undefined;
  /** The clock of the run record; the time now unless given. */
  readonly now?: () => Date;
  /** Told what the sidecar held and which questions are judged, before the first request. */
  readonly onStart?: (load: VerdictsLoad, items: readonly JudgeItem[]) => void;
  /** Called as each question finishes, with the number finished so far. */
  readonly onJudged?: (judged: JudgedItem, done: number, total: number) => void;
}

/** Whether the verdicts were saved, and the sidecar as it is now; else why it was left as it is. */
export type SavedVerdicts =
  | { readonly ok: true; readonly value: VerdictsFile }
  | { readonly ok: false; readonly unreadable: SidecarUnreadable; readonly when: 'before' | 'after' };

export interface JudgeFileResult {
  /** The questions judged (those on `lines`, when given). */
  readonly items: readonly JudgeItem[];
  readonly names: VerdictRecordNames;
  readonly run: JudgeRunResult;
  readonly summary: Summary;
  /** The questions that could not be judged. */
  readonly errors: readonly Extract<JudgedItem, { ok: false }>[];
  /** The run added to the history; undefined for a cancelled run or one of some lines. */
  readonly record: JudgeRunRecord | undefined;
  readonly load: VerdictsLoad;
  readonly saved: SavedVerdicts;
}

/** The sidecar on disk now, with a run's verdicts, setup and record merged in. */
export function mergeRun(onDisk: VerdictsFile, verdicts: ReadonlyMap<string, CachedVerdict>, setup: JudgeSetup, record: JudgeRunRecord | undefined): VerdictsFile {
  const runs = record === undefined ? onDisk.runs : [...onDisk.runs, record];
  return { verdicts: new Map([...onDisk.verdicts, ...verdicts]), setup, runs: runs.slice(-RUNS_KEPT) };
}

/** Judges a results file under `setup` and keeps its verdicts; see the module comment. Throws only for a rubric that cannot be used. */
export async function judgeResultsFile(options: JudgeFileOptions, ports: JudgeFilePorts): Promise<JudgeFileResult> {
  const { input, setup, lines } = options;
  const items = lines === undefined ? input.items : input.items.filter((i) => lines.has(i.line));
  const names: VerdictRecordNames = { candidate: columnName(input.columns, setup.candidate), baseline: columnName(input.columns, setup.baseline) };
  const load = ports.loaded ?? await loadVerdicts(ports.store, options.file);
  ports.onStart?.(load, items);
  let done = 0;
  const run = await runJudge({
    items,
    ask: options.ask,
    judge: setup.judge,
    rubric: setup.rubric,
    cache: load.verdicts,
    signal: options.signal,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    onJudged: (judged) => {
      done++;
      ports.onJudged?.(judged, done, items.length);
    },
  });
  const summary = summarize(outcomesOf(run.judged), { seed: options.seed });
  const errors = run.judged.filter((j): j is Extract<JudgedItem, { ok: false }> => !j.ok);
  const record = lines === undefined && !run.cancelled
    ? runRecord({ at: (ports.now ?? (() => new Date()))(), judge: setup.judge, rubricName: setup.rubricName, names, summary, errors: errors.length })
    : undefined;
  let saved: SavedVerdicts;
  if (load.unreadable !== undefined) saved = { ok: false, unreadable: load.unreadable, when: 'before' };
  else {
    const update = await ports.store.update(options.file, verdictsSidecar, (onDisk) => mergeRun(onDisk, load.verdicts, setup, record));
    saved = update.ok ? { ok: true, value: update.value } : { ok: false, unreadable: update.unreadable, when: 'after' };
  }
  return { items, names, run, summary, errors, record, load, saved };
}

/**
 * Drops a results file's verdicts, keeping its setup and history; never from a sidecar that
 * cannot be read whole. Returns how many were dropped, or why nothing was.
 */
export async function clearVerdicts(store: VerdictsStore, file: string): Promise<{ readonly ok: true; readonly cleared: number; readonly value: VerdictsFile } | { readonly ok: false; readonly unreadable: SidecarUnreadable }> {
  let cleared = 0;
  const update = await store.update(file, verdictsSidecar, (onDisk) => {
    cleared = onDisk.verdicts.size;
    return { ...onDisk, verdicts: new Map() };
  });
  return update.ok ? { ok: true, cleared, value: update.value } : { ok: false, unreadable: update.unreadable };
}
