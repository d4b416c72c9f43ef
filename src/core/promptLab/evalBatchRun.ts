/**
 * One eval batch: the columns answer every question of an eval set, and each question becomes one
 * line of its results file (see results.ts), written whole once every column has answered, in the
 * order questions finish. The policies live here, the same for any caller:
 * - a results file already there is resumed or replaced, as the user chooses; Resume (offered
 *   only when the file has questions these columns finished) first repairs the file's last line
 *   (`resumeRepair`), then skips the questions finished in what is left, and asks the rest,
 *   failed ones included; at the end, a question asked again keeps only its last row
 *   (`compactResults`);
 * - answers that failed are kept with their error, reported one by one, and counted apart;
 * - cancelling stops asking; a question cut short by it is not written, so resuming asks it again;
 * - a failure (an ask that throws, a write that fails) ends the run: no new question is asked,
 *   the answers of those in flight are still written, then the failure is the run's;
 * - lines are appended in batches (`BufferedAppender`), and always before the run ends,
 *   cancelled or not.
 *
 * Pure: the results file, the model and the user come in as ports; the editor's are in
 * src/host/promptLabEvalBatch.ts.
 */
import type { ColumnSpec, Draft, HistoryAnswer } from '../protocol';
import { BufferedAppender, systemClock, type AppendClock, type AppendPolicy } from './appendBuffer';
import type { EvalItem } from './evalSet';
import { columnsKey, compactResults, finishedQuestions, questionKey, resultsLine, resumeRepair, type ResultsAnswer } from './results';

/** Questions in flight at once; each endpoint's scheduler still keeps its own limits. */
export const IN_FLIGHT = 16;

/**
 * How often lines reach the results file: a whole-file write every 50 questions or 5 seconds
 * keeps a few thousand answers to about a hundred writes, and a crash loses at most those seconds.
 */
export const RESULTS_APPEND: AppendPolicy = { maxLines: 50, maxWaitMs: 5000 };

/** The draft's columns as a batch sends them: those with an endpoint; one without its own system prompt takes the shared one. */
export function draftColumns(draft: Draft): ColumnSpec[] {
  return draft.columns.filter((c) => c.endpoint !== '').map((c) => ({ endpoint: c.endpoint, system: c.system ?? draft.system, parameters: c.parameters }));
}

/** The results file. Every write leaves it whole (aside, then renamed over). */
export interface ResultsFile {
  /** Its text, or undefined when there is none. */
  read(): Promise<string | undefined>;
  /** Adds text at its end, keeping every byte before. */
  append(text: string): Promise<void>;
  /** Removes everything after its last line break, keeping every byte before. */
  cutAfterLastNewline(): Promise<void>;
  /** Writes it whole with this text. */
  replace(text: string): Promise<void>;
}

/** Asks one question of every column, one answer each; never rejects. Stops early when `signal` aborts. */
export type AskColumns = (question: string, columns: readonly ColumnSpec[], signal: AbortSignal) => Promise<readonly HistoryAnswer[]>;

export interface BatchProgress {
  /** Questions written so far in this run (failed ones included). */
  readonly answered: number;
  readonly failed: number;
  /** Questions this run asks. */
  readonly total: number;
}

export interface EvalBatchUi {
  /**
   * The results file is there already: resume it, replace it, or stop (undefined).
   * `finished` questions of these columns are in it; Resume is offered only when there are some.
   */
  chooseExisting(finished: number): Promise<'resume' | 'replace' | undefined>;
  /** Runs the asking, showing its progress, with a way to cancel it (`signal`). */
  asking<T>(work: (report: (progress: BatchProgress) => void, signal: AbortSignal) => Promise<T>): Promise<T>;
  warn(message: string): void;
}

export interface EvalBatchOptions {
  /** Every question of the eval set. */
  readonly items: readonly EvalItem[];
  readonly columns: readonly ColumnSpec[];
  /** The eval file as the workspace names it: rows' `source.file` and messages. */
  readonly source: string;
  /** The results file as messages name it. */
  readonly resultsName: string;
  readonly file: ResultsFile;
  readonly ask: AskColumns;
  readonly ui: EvalBatchUi;
  readonly inFlight?: number;
  readonly append?: AppendPolicy;
  readonly clock?: AppendClock;
}

export interface EvalBatchOutcome {
  /** Questions whose every answer ended normally. */
  readonly written: number;
  /** Questions written with at least one failed answer. */
  readonly failed: number;
  /** Questions skipped: an earlier run finished them. */
  readonly skipped: number;
  readonly cancelled: boolean;
  readonly resumed: boolean;
}

/**
 * Readies a results file for a resumed run and gives the questions it has finished, read after
 * the repair, so the skipped questions are exactly the rows kept. A whole last line without a
 * final newline is kept and ended; only a last line that does not parse (a run killed mid-write)
 * is cut off (`dropped`), so appending starts on a line of its own (see `resumeRepair`).
 */
export async function prepareResume(file: ResultsFile, columns: readonly ColumnSpec[]): Promise<{ done: Set<string>; dropped: string | undefined }> {
  const repair = resumeRepair(await file.read() ?? '');
  if (repair.action === 'add-newline') await file.append('\n');
  else if (repair.action === 'cut') await file.cutAfterLastNewline();
  return { done: finishedQuestions(await file.read() ?? '', columns), dropped: repair.action === 'cut' ? repair.dropped : undefined };
}

/** One question's answers as a results row's answers, in the columns' order. */
export function resultsAnswers(answers: readonly HistoryAnswer[], columns: readonly ColumnSpec[]): ResultsAnswer[] {
  return answers.map((a) => {
    const column = columns[a.column];
    return {
      column: a.column,
      endpoint: column?.endpoint ?? '',
      system: column?.system ?? '',
      parameters: column?.parameters ?? {},
      text: a.text,
      ...(a.error === undefined ? {} : { error: a.error }),
      ...(a.stats === undefined ? {} : {
        finish: a.stats.finish,
        latencyMs: a.stats.latencyMs,
        ...(a.stats.firstTokenMs === undefined ? {} : { firstTokenMs: a.stats.firstTokenMs }),
        ...(a.stats.inputTokens === undefined || a.stats.outputTokens === undefined ? {} : { usage: { input: a.stats.inputTokens, output: a.stats.outputTokens } }),
      }),
    };
  });
}

/** What the progress shows: `12/40 questions · 2 failed`. */
export function progressText(p: BatchProgress): string {
  return `${p.answered}/${p.total} questions${p.failed > 0 ? ` · ${p.failed} failed` : ''}`;
}

/** The message a finished (or cancelled) run ends with. */
export function batchSummary(outcome: EvalBatchOutcome, resultsName: string): string {
  const parts = [`${outcome.written} question(s) answered into ${resultsName}`];
  if (outcome.skipped > 0) parts.push(`${outcome.skipped} already there`);
  if (outcome.failed > 0) parts.push(`${outcome.failed} with an answer that failed (kept with its error; Resume asks them again)`);
  return `Prompt Lab${outcome.cancelled ? ' (cancelled)' : ''}: ${parts.join(', ')}.`;
}

/** Runs the batch; undefined when the user stopped before anything was asked or written. */
export async function runEvalBatch(o: EvalBatchOptions): Promise<EvalBatchOutcome | undefined> {
  let done = new Set<string>();
  let resumed = false;
  const existing = await o.file.read();
  if (existing === undefined) {
    await o.file.replace('');
  } else {
    const finished = finishedQuestions(existing, o.columns);
    const choice = await o.ui.chooseExisting(finished.size);
    if (choice === undefined || (choice === 'resume' && finished.size === 0)) return undefined;
    if (choice === 'resume') {
      resumed = true;
      const ready = await prepareResume(o.file, o.columns);
      done = ready.done;
      if (ready.dropped !== undefined) o.ui.warn(`${o.resultsName}: its last line was cut short (a run stopped while writing it) and was removed; that question is asked again: ${ready.dropped.slice(0, 200)}`);
    } else {
      await o.file.replace('');
    }
  }
  const todo = o.items.filter((item) => !done.has(questionKey(item.line, item.question)));
  const appender = new BufferedAppender((text) => o.file.append(text), o.append ?? RESULTS_APPEND, o.clock ?? systemClock);
  let asked: { written: number; failed: number; cancelled: boolean };
  try {
    asked = await o.ui.asking((report, signal) => askAll(o, todo, appender, report, signal));
  } catch (e) {
    // Keep what was answered before the failure; the failure is the one to report.
    await appender.flush().catch(() => undefined);
    throw e;
  }
  await appender.flush();
  if (resumed) {
    // A question asked again after a failure now has two rows: keep its last.
    await o.file.replace(compactResults(await o.file.read() ?? ''));
  }
  return { ...asked, skipped: o.items.length - todo.length, resumed };
}

async function askAll(
  o: EvalBatchOptions,
  items: readonly EvalItem[],
  appender: BufferedAppender,
  report: (progress: BatchProgress) => void,
  signal: AbortSignal,
): Promise<{ written: number; failed: number; cancelled: boolean }> {
  const key = columnsKey(o.columns);
  let next = 0;
  let written = 0;
  let failed = 0;
  // Read through a function: cancel flips it while the workers await, which narrowing cannot see.
  const cancelled = (): boolean => signal.aborted;
  // After a failure (a write that failed, an ask that threw) the run ends with it: no new question is asked.
  let failure = false;
  const worker = async (): Promise<void> => {
    try {
      await askSome();
    } catch (e) {
      failure = true;
      throw e;
    }
  };
  const askSome = async (): Promise<void> => {
    while (!cancelled() && !failure && next < items.length) {
      const item = items[next++];
      if (item === undefined) break;
      const answers = await o.ask(item.question, o.columns, signal);
      // A question cut short by cancel is not written: resuming asks it again.
      if (cancelled() && answers.some((a) => a.stats?.finish === 'cancelled')) break;
      const row = resultsAnswers(answers, o.columns);
      const anyError = row.some((a) => a.error !== undefined);
      for (const a of row) if (a.error !== undefined) o.ui.warn(`${o.source}:${item.line + 1} ${a.endpoint}: ${a.error}`);
      await appender.add(resultsLine({
        question: item.question,
        ...(item.system === undefined ? {} : { system: item.system }),
        ...(item.reference === undefined ? {} : { reference: item.reference }),
        source: { file: o.source, line: item.line + 1 },
        columnsKey: key,
        answers: row,
      }));
      if (anyError) failed++; else written++;
      report({ answered: written + failed, failed, total: items.length });
    }
  };
  // Every worker ends before the run does, so no line is added after the last flush.
  const ended = await Promise.allSettled(Array.from({ length: Math.min(o.inFlight ?? IN_FLIGHT, items.length) }, worker));
  for (const e of ended) if (e.status === 'rejected') throw e.reason;
  return { written, failed, cancelled: cancelled() };
}
