/**
 * One scoring job on a dataset's rows, with the policies every host shares: which rows are asked
 * about (those whose pair has no score by this judge and rubric; a repeated pair counts once),
 * when the scores are written (when the run ends, cancelled or failed too, so no score asked for
 * is paid for again; and when only the setup changed, so the sidecar names the judge whose
 * scores are shown), what a cancel is, and what the outcome says.
 *
 * Pure: the judge, the progress display, the scores' store and the sidecar come in as
 * `ScoringPorts` (the editor's are a progress notification and the ScoreStore in
 * src/host/curation.ts).
 */
import type { Ask } from '../generate/pipeline';
import { rowKey, runScoring, scoredRowsOf, type CachedScore, type ScoredRowResult, type ScoreRow, type ScoreRunResult, type ScoreSetup } from './score';

export interface ScoringJob {
  /** The rows that have a question and an answer. */
  readonly rows: readonly ScoreRow[];
  /** Records with a question but no answer, skipped. */
  readonly noAnswer: number;
  readonly setup: ScoreSetup;
  /** The scores known (the sidecar's and this session's); the run adds each new one. */
  readonly cache: Map<string, CachedScore>;
  /** Rows in flight at once (runScoring's default unless given). */
  readonly concurrency?: number;
}

/** What a job needs from its host. */
export interface ScoringPorts {
  /** The judge; undefined when it cannot be reached (no API key given): nothing is sent. */
  asker(): Promise<Ask | undefined>;
  /**
   * Runs `work` under a progress display with a cancel: cancelling aborts the signal. `report`
   * gets how many of `todo` pairs are done (0 first).
   */
  withProgress<T>(todo: number, work: (signal: AbortSignal, report: (done: number) => void) => Promise<T>): Promise<T>;
  /** Whether an error the run threw is the user's cancel rather than a failure. */
  isCancellation(error: unknown): boolean;
  /** Sets the setup the scores are looked up by; true when it changed. */
  setSetup(setup: ScoreSetup): boolean;
  /** One row's outcome, as it finishes. */
  record(result: ScoredRowResult): void;
  /** Writes the scores; why not, when they were not written. `afterRun`: a run asked the judge. */
  save(afterRun: boolean): Promise<string | undefined>;
  /** A run starts (true) or is over (false): the host holds off reloading the scores meanwhile. */
  running?(on: boolean): void;
  /** The judge is about to be asked about `todo` pairs. */
  starting?(todo: number): void;
}

export interface ScoringOutcome {
  /** Rows that can be scored. */
  readonly rows: number;
  /** The scores the dataset's rows have now, from this run or an earlier one. */
  readonly scores: readonly number[];
  /** Rows the judge could not score in this run. */
  readonly errors: number;
  readonly asked: number;
  readonly cancelled: boolean;
  /** Records with no answer to score. */
  readonly noAnswer: number;
  /** Why the sidecar was not written, when it was not. */
  readonly notSaved?: string;
}

export interface ScoringJobResult extends ScoringOutcome {
  /** This run's rows the judge could not score, in the rows' order. */
  readonly failed: readonly Extract<ScoredRowResult, { ok: false }>[];
}

/** How many different pairs of `rows` have no score by `setup` in `cache`: what a run asks about. */
export function pairsToAsk(rows: readonly ScoreRow[], setup: Pick<ScoreSetup, 'judge' | 'rubric'>, cache: ReadonlyMap<string, CachedScore>): number {
  return new Set(rows.map((row) => rowKey(row, setup)).filter((key) => !cache.has(key))).size;
}

/**
 * Scores the job's rows not scored yet and saves the scores. Undefined when nothing could be
 * asked (no judge); throws what the run threw, other than a cancel, once the scores are saved.
 */
export async function runScoringJob(job: ScoringJob, ports: ScoringPorts): Promise<ScoringJobResult | undefined> {
  const { rows, setup, cache } = job;
  const todo = pairsToAsk(rows, setup, cache);
  let result: ScoreRunResult | undefined;
  let notSaved: string | undefined;
  if (todo > 0) {
    ports.running?.(true);
    try {
      const ask = await ports.asker();
      if (ask === undefined) return undefined;
      ports.setSetup(setup);
      ports.starting?.(todo);
      try {
        result = await ports.withProgress(todo, (signal, report) => {
          let done = 0;
          // Rows repeating a pair share its request: each pair counts once.
          const counted = new Set<string>();
          report(0);
          return runScoring({
            rows,
            ask,
            judge: setup.judge,
            rubric: setup.rubric,
            cache,
            signal,
            ...(job.concurrency === undefined ? {} : { concurrency: job.concurrency }),
            onScored: (scored) => {
              ports.record(scored);
              if ((scored.ok && scored.cached) || counted.has(scored.key)) return;
              counted.add(scored.key);
              done++;
              report(done);
            },
          });
        });
      } catch (e) {
        if (!ports.isCancellation(e)) throw e;
      } finally {
        // Written on cancel and on failure too: every score asked for is kept.
        notSaved = await ports.save(true);
      }
    } finally {
      ports.running?.(false);
    }
  } else if (ports.setSetup(setup)) {
    // Every row is scored by this judge already; the sidecar names it, so its scores are shown.
    notSaved = await ports.save(false);
  }

  const failed = (result?.scored ?? []).filter((r): r is Extract<ScoredRowResult, { ok: false }> => !r.ok);
  const scores: number[] = [];
  for (const { score } of scoredRowsOf(rows, setup, cache)) if (score !== undefined) scores.push(score);
  return {
    rows: rows.length,
    scores,
    errors: failed.length,
    asked: result?.asked ?? 0,
    // A run that threw was cancelled (another failure is thrown above).
    cancelled: result?.cancelled ?? (todo > 0),
    noAnswer: job.noAnswer,
    failed,
    ...(notSaved === undefined ? {} : { notSaved }),
  };
}
