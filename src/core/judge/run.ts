/**
 * A pairwise judging run: each question's candidate and baseline answers are judged in both
 * orders (candidate first, then baseline first), and the two verdicts combined (see
 * aggregate.ts: orders that disagree make a tie).
 *
 * - A verdict already in the cache is used without asking; every new verdict is added to it, so
 *   a run that is stopped or run again asks only about what it has not judged.
 * - A reply with no readable verdict is asked about once more, with the reply and a request for
 *   the verdict alone; a second failure makes the question an error, reported and left out of
 *   the counts, never a loss. A request that fails (after the scheduler's own retries) does too.
 * - Cancelling stops at once; questions not finished are neither reported nor counted.
 *
 * Pure: the model is reached through the `ask` it is given.
 */
import { promptError } from '../generate/defaultPrompts';
import type { Ask } from '../generate/pipeline';
import { combine, type Combined, type PairOutcome } from './aggregate';
import { askParsed, runPool } from './asking';
import { verdictKey, type CachedVerdict } from './cache';
import { JUDGE_PLACEHOLDERS, judgeMessages } from './prompts';
import { parseVerdict, type Verdict } from './verdict';

/** One question to judge: where it is, and the two answers. */
export interface JudgeItem {
  /** 0-based line of the question in the file it came from. */
  readonly line: number;
  readonly question: string;
  readonly reference?: string;
  /** The answer being measured (the fine-tuned model's). */
  readonly candidate: string;
  /** The answer it is measured against (the base model's). */
  readonly baseline: string;
}

/** One order's verdict, `A` naming the answer shown first. */
export interface OrderVerdict {
  readonly verdict: Verdict;
  readonly reasoning: string;
  /** True when it came from the cache rather than from the judge. */
  readonly cached: boolean;
}

export type JudgedItem =
  | {
    readonly item: JudgeItem;
    readonly ok: true;
    /** The candidate shown first (as A). */
    readonly first: OrderVerdict;
    /** The baseline shown first (the candidate is B). */
    readonly swapped: OrderVerdict;
    readonly combined: Combined;
  }
  | { readonly item: JudgeItem; readonly ok: false; readonly error: string };

export interface JudgeRunOptions {
  readonly items: readonly JudgeItem[];
  readonly ask: Ask;
  /** Names the judge in cache keys: its endpoint and model. */
  readonly judge: string;
  /** The rubric prompt file's text. */
  readonly rubric: string;
  /** Read before asking; each new verdict is added. */
  readonly cache: Map<string, CachedVerdict>;
  readonly signal: AbortSignal;
  /** Questions in flight at once (each is two requests); 16 unless given. The scheduler sets the real pace. */
  readonly concurrency?: number;
  /** Called as each question finishes, in the order they finish. */
  readonly onJudged?: (judged: JudgedItem) => void;
}

export interface JudgeRunResult {
  /** Finished questions, in the items' order. */
  readonly judged: readonly JudgedItem[];
  readonly cancelled: boolean;
  /** Requests sent to the judge (retries of unreadable replies included). */
  readonly asked: number;
  /** Verdicts taken from the cache. */
  readonly fromCache: number;
}

/** The request sent after a reply with no readable verdict. */
export const VERDICT_AGAIN = 'Your reply did not end with a verdict. Reply with only the verdict: [[A]], [[B]] or [[C]].';

/** Why a rubric cannot be used for judging, or undefined when it can. */
export function rubricError(rubric: string): string | undefined {
  return promptError(rubric, JUDGE_PLACEHOLDERS)?.message;
}

/** Judges `items` in both orders; see the module comment. Throws only for a rubric that cannot be rendered. */
export async function runJudge(options: JudgeRunOptions): Promise<JudgeRunResult> {
  const problem = rubricError(options.rubric);
  if (problem !== undefined) throw new Error(problem);
  const { items, ask, cache, signal } = options;
  let asked = 0;
  let fromCache = 0;

  async function judgeOrder(item: JudgeItem, answerA: string, answerB: string): Promise<OrderVerdict | { error: string }> {
    const key = verdictKey({ question: item.question, answerA, answerB, judge: options.judge, rubric: options.rubric });
    const hit = cache.get(key);
    if (hit !== undefined) {
      fromCache++;
      return { ...hit, cached: true };
    }
    const rendered = judgeMessages(options.rubric, { question: item.question, answerA, answerB, ...(item.reference === undefined ? {} : { reference: item.reference }) });
    const outcome = await askParsed({ ask, stage: 'judge', rendered, signal, parse: parseVerdict, again: VERDICT_AGAIN, onSend: () => { asked++; } });
    if ('error' in outcome) return outcome;
    const verdict: CachedVerdict = { verdict: outcome.verdict, reasoning: outcome.reasoning };
    cache.set(key, verdict);
    return { ...verdict, cached: false };
  }

  async function judgeItem(item: JudgeItem): Promise<JudgedItem> {
    const [first, swapped] = await Promise.all([
      judgeOrder(item, item.candidate, item.baseline),
      judgeOrder(item, item.baseline, item.candidate),
    ]);
    if ('error' in first) return { item, ok: false, error: `Candidate first: ${first.error}` };
    if ('error' in swapped) return { item, ok: false, error: `Baseline first: ${swapped.error}` };
    return { item, ok: true, first, swapped, combined: combine(first.verdict, swapped.verdict) };
  }

  const { results, cancelled } = await runPool(items, options.concurrency ?? 16, signal, judgeItem, options.onJudged);
  return { judged: results, cancelled, asked, fromCache };
}

/** The outcomes of the questions judged without error, for `summarize` (lengths in UTF-16 code units). */
export function outcomesOf(judged: readonly JudgedItem[]): PairOutcome[] {
  const out: PairOutcome[] = [];
  for (const j of judged) {
    if (!j.ok) continue;
    out.push({ ...j.combined, candidateLength: j.item.candidate.length, baselineLength: j.item.baseline.length });
  }
  return out;
}

/** How a judged question reads inline: `A wins (2/2)`, `tie (orders disagree)`, `B wins (2/2)`, `tie (2/2)`. */
export function verdictLabel(combined: Combined): string {
  if (combined.disagreed) return 'tie (orders disagree)';
  if (combined.result === 'win') return 'A wins (2/2)';
  if (combined.result === 'loss') return 'B wins (2/2)';
  return 'tie (2/2)';
}
