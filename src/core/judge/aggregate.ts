/**
 * Turning a pairwise judge's verdicts into a result for a candidate against a baseline.
 *
 * Each question is judged twice, with the answers' positions swapped, because judges favour a
 * position: `combine` keeps a result only when both orders agree, and calls every disagreement
 * a tie. `summarize` counts the results and gives two rates, each with a seeded 95%
 * percentile-bootstrap interval from the same resamples: the win rate (wins ÷ n, ties counting
 * nothing: the number a competition that counts wins only ranks by) and the adjusted win rate (a
 * tie counts half). It also gives how often the two orders disagreed, the mean answer lengths,
 * and a warning when the longer answer keeps winning.
 *
 * Pure: no I/O.
 */
import { seededRandom } from '../random';
import type { Verdict } from './verdict';

export type PairResult = 'win' | 'tie' | 'loss';

export interface Combined {
  /** The candidate's result on the question. */
  readonly result: PairResult;
  /** True when the two orders gave different results (the result is then a tie). */
  readonly disagreed: boolean;
}

/**
 * The candidate's result from two verdicts: `first` judged with the candidate as A and the
 * baseline as B, `swapped` with the baseline as A and the candidate as B (`C` is a tie).
 */
export function combine(first: Verdict, swapped: Verdict): Combined {
  const a: PairResult = first === 'A' ? 'win' : first === 'B' ? 'loss' : 'tie';
  const b: PairResult = swapped === 'B' ? 'win' : swapped === 'A' ? 'loss' : 'tie';
  return a === b ? { result: a, disagreed: false } : { result: 'tie', disagreed: true };
}

/** One judged question: its combined result and the two answers' lengths (in any one unit, e.g. characters). */
export interface PairOutcome extends Combined {
  readonly candidateLength: number;
  readonly baselineLength: number;
}

export interface SummarizeOptions {
  /** Seed of the bootstrap's resampling: the same seed gives the same interval. */
  readonly seed: number;
  /** Bootstrap resamples, a whole number of at least 1; 2000 unless given. */
  readonly resamples?: number;
}

/**
 * The length-bias rule: among decided pairs (a win or a loss, the two answers of different
 * lengths), the longer answer won at least `LENGTH_BIAS_SHARE` of them, and there are at least
 * `LENGTH_BIAS_MIN_DECIDED` such pairs (fewer say too little to warn about).
 */
export const LENGTH_BIAS_SHARE = 0.75;
export const LENGTH_BIAS_MIN_DECIDED = 10;

export interface Summary {
  readonly wins: number;
  readonly ties: number;
  readonly losses: number;
  readonly n: number;
  /** wins / n, ties counting nothing: what a league that counts wins only reports; undefined when n is 0. */
  readonly winRate: number | undefined;
  /** 95% percentile-bootstrap interval of the win rate; undefined when n is 0. */
  readonly winInterval: readonly [number, number] | undefined;
  /** (wins + ties / 2) / n; undefined when n is 0. */
  readonly adjustedWinRate: number | undefined;
  /** 95% percentile-bootstrap interval of the adjusted win rate; undefined when n is 0. */
  readonly interval: readonly [number, number] | undefined;
  /** Share of questions whose two orders disagreed; undefined when n is 0. */
  readonly positionDisagreement: number | undefined;
  /** Mean answer lengths; undefined when n is 0. */
  readonly meanLength: { readonly candidate: number; readonly baseline: number } | undefined;
  /** True when the length-bias rule holds (see `LENGTH_BIAS_SHARE`). */
  readonly lengthBias: boolean;
  /** The evidence of the length-bias rule: decided pairs of different lengths, and how many the longer answer won. */
  readonly lengthEvidence: { readonly decided: number; readonly longerWon: number };
}

function score(result: PairResult): number {
  return result === 'win' ? 1 : result === 'tie' ? 0.5 : 0;
}

/** The value at quantile `q` of sorted `values`, by nearest rank. */
function quantile(sorted: readonly number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

/** Counts, adjusted win rate with its bootstrap interval, position disagreement and length bias of judged questions. */
export function summarize(outcomes: readonly PairOutcome[], options: SummarizeOptions): Summary {
  const resamples = options.resamples ?? 2000;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a whole number of at least 1, not ${resamples}.`);
  let wins = 0;
  let ties = 0;
  let disagreed = 0;
  let candidateTotal = 0;
  let baselineTotal = 0;
  let decided = 0;
  let longerWon = 0;
  for (const o of outcomes) {
    if (o.result === 'win') wins++;
    else if (o.result === 'tie') ties++;
    if (o.disagreed) disagreed++;
    candidateTotal += o.candidateLength;
    baselineTotal += o.baselineLength;
    if (o.result !== 'tie' && o.candidateLength !== o.baselineLength) {
      decided++;
      if ((o.result === 'win') === o.candidateLength > o.baselineLength) longerWon++;
    }
  }
  const n = outcomes.length;
  const lengthBias = decided >= LENGTH_BIAS_MIN_DECIDED && longerWon >= LENGTH_BIAS_SHARE * decided;
  const lengthEvidence = { decided, longerWon };
  const losses = n - wins - ties;
  if (n === 0) {
    return { wins, ties, losses, n, winRate: undefined, winInterval: undefined, adjustedWinRate: undefined, interval: undefined, positionDisagreement: undefined, meanLength: undefined, lengthBias, lengthEvidence };
  }

  const scores = outcomes.map((o) => score(o.result));
  const random = seededRandom(options.seed);
  const means: number[] = [];
  const winShares: number[] = [];
  // Both rates from the same resamples, so adding the win rate leaves the adjusted interval as it was.
  for (let r = 0; r < resamples; r++) {
    let total = 0;
    let won = 0;
    for (let i = 0; i < n; i++) {
      const s = scores[Math.floor(random() * n)] ?? 0;
      total += s;
      if (s === 1) won++;
    }
    means.push(total / n);
    winShares.push(won / n);
  }
  means.sort((x, y) => x - y);
  winShares.sort((x, y) => x - y);
  return {
    wins,
    ties,
    losses,
    n,
    winRate: wins / n,
    winInterval: [quantile(winShares, 0.025), quantile(winShares, 0.975)],
    adjustedWinRate: (wins + ties / 2) / n,
    interval: [quantile(means, 0.025), quantile(means, 0.975)],
    positionDisagreement: disagreed / n,
    meanLength: { candidate: candidateTotal / n, baseline: baselineTotal / n },
    lengthBias,
    lengthEvidence,
  };
}
