/**
 * The overfitting flag: whether a run's eval loss turned up from its minimum while its train loss
 * kept falling, or ended far above its train loss; the point to prefer (the eval minimum); and a
 * verdict worded for the Training Runs view, the run page and the warning before Deploy.
 *
 * Per-epoch curves (JumpStart Llama, OpenAI's full validation loss) have a handful of points, so a
 * rise must hold for the last `risePoints` of them. Per-step curves (OpenAI's `valid_loss`, one
 * batch each) are noisy, so they are smoothed with a moving median first and a rise must also
 * exceed twice their noise.
 */
import { SERIES_LABELS, type CurvePoint, type CurveSet, type SeriesKind } from './curves';

export type OverfitVerdict = 'clean' | 'overfitting' | 'too-short' | 'noisy' | 'no-eval';

export interface OverfitOptions {
  /** Evaluations needed before a trend is read at all. */
  readonly minEvalPoints: number;
  /** A rise smaller than this fraction of the minimum eval loss is not a rise. */
  readonly minRelativeRise: number;
  /** The last this many eval points (per-epoch curves) must all sit above the minimum by the rise. */
  readonly risePoints: number;
  /** Eval loss more than (1 + gapRatio) × train loss at the end is overfitting… */
  readonly gapRatio: number;
  /** …when the two also differ by at least this much (tiny losses make ratios meaningless). */
  readonly minAbsoluteGap: number;
  /** From this many eval points on, a curve is treated as per-step: smoothed, and its noise measured. */
  readonly densePoints: number;
}

export const DEFAULT_OVERFIT_OPTIONS: OverfitOptions = {
  minEvalPoints: 3,
  minRelativeRise: 0.02,
  risePoints: 2,
  gapRatio: 1,
  minAbsoluteGap: 0.1,
  densePoints: 8,
};

/** Where a point is, for a sentence and for picking a checkpoint: "epoch 2", "step 120". */
export interface PreferredPoint {
  readonly index: number;
  readonly epoch?: number;
  readonly step?: number;
  /** The eval loss read at that point (per-step curves are judged smoothed, so the sentences may quote a smoothed value). */
  readonly evalLoss: number;
  readonly words: string;
}

export interface OverfitReport {
  readonly verdict: OverfitVerdict;
  /** One line for a tree item's tooltip or the run page's banner. */
  readonly headline: string;
  /** The sentences behind the verdict, in the order they matter. */
  readonly reasons: readonly string[];
  /** The eval minimum: the epoch or step whose model to deploy. Absent when there is no eval loss. */
  readonly prefer?: PreferredPoint;
  /** Which series the verdict read as eval loss. */
  readonly evalSeries?: SeriesKind;
}

/** The verdict in a few words, for a badge or a column. */
export const OVERFIT_VERDICT_LABELS: Readonly<Record<OverfitVerdict, string>> = {
  clean: 'No overfitting',
  overfitting: 'Overfitting',
  'too-short': 'Too short to tell',
  noisy: 'Too noisy to tell',
  'no-eval': 'No eval loss',
};

/** The verdict on `curves`; any option left out takes its value from DEFAULT_OVERFIT_OPTIONS. */
export function assessOverfitting(curves: CurveSet, options: Partial<OverfitOptions> = {}): OverfitReport {
  const o: OverfitOptions = { ...DEFAULT_OVERFIT_OPTIONS, ...options };
  const full = finite(curves['full-eval-loss']);
  const evalSeries: SeriesKind = full.length >= 2 ? 'full-eval-loss' : 'eval-loss';
  const evals = evalSeries === 'full-eval-loss' ? full : finite(curves['eval-loss']);
  const train = finite(curves['train-loss']);
  const evalName = SERIES_LABELS[evalSeries];

  if (evals.length === 0) {
    const reasons = [
      'The run reports no eval loss, so overfitting cannot be told from train loss alone.',
      'Give the job validation data: on JumpStart a validation channel or validation_split_ratio, on OpenAI a validation_file.',
    ];
    return report('no-eval', reasons[0] ?? '', reasons);
  }

  const dense = evals.length >= o.densePoints;
  const evalSmooth = dense ? movingMedian(values(evals), halfWindow(evals.length)) : values(evals);
  const trainSmooth = train.length >= o.densePoints ? movingMedian(values(train), halfWindow(train.length)) : values(train);
  const minAt = argmin(evalSmooth);
  const minValue = evalSmooth[minAt] ?? 0;
  const best = evals[minAt] ?? evals[0];
  const prefer = best === undefined ? undefined : preferred(best);
  const where = prefer?.words ?? '';
  const noise = dense ? noiseOf(values(evals)) : 0;
  const threshold = Math.max(o.minRelativeRise * Math.abs(minValue), 2 * noise);
  const last = evalSmooth.length - 1;
  const evalEnd = evalSmooth[last] ?? minValue;
  const trainEnd = trainSmooth[trainSmooth.length - 1];

  // The gap: read at the end of the run, on smoothed values.
  const reasons: string[] = [];
  let gapFlag = false;
  if (trainEnd !== undefined && trainEnd > 0 && evalEnd - trainEnd >= o.minAbsoluteGap && evalEnd > trainEnd * (1 + o.gapRatio)) {
    gapFlag = true;
    reasons.push(
      `${cap(evalName)} ends at ${fmt(evalEnd)}, ${fmtRatio(evalEnd / trainEnd)} the train loss (${fmt(trainEnd)}): ` +
        'the model fits its training rows far better than unseen ones.',
    );
  }

  if (evals.length < o.minEvalPoints) {
    if (gapFlag) return report('overfitting', reasons[0] ?? '', [...reasons, preferSentence(where, minValue, evalName)], prefer, evalSeries);
    const n = evals.length;
    const head = `Only ${n} evaluation${n === 1 ? '' : 's'} so far; at least ${o.minEvalPoints} are needed to see whether ${evalName} turns up.`;
    return report('too-short', head, [head], prefer, evalSeries);
  }

  // The rise: from the minimum to the end, held over the last k points.
  const k = dense ? Math.max(o.risePoints, Math.round(evals.length / 10)) : o.risePoints;
  const after = last - minAt;
  const tail = evalSmooth.slice(Math.max(minAt + 1, evalSmooth.length - k));
  const held = after >= k && tail.every((v) => v > minValue + threshold);
  const trainAtMin = train.length > 0 ? trainSmooth[nearest(train, best, evals)] : undefined;
  const trainFalling = trainAtMin === undefined || trainEnd === undefined ? undefined : trainEnd < trainAtMin;
  const rise = evalEnd - minValue;
  const riseWords = `${cap(evalName)} rose ${fmtPercent(rise / Math.abs(minValue || 1))} from its minimum ${fmt(minValue)} at ${where} to ${fmt(evalEnd)}`;

  if (held && trainFalling !== false) {
    const trainWords = trainFalling === true && trainAtMin !== undefined && trainEnd !== undefined
      ? ` while train loss kept falling (${fmt(trainAtMin)} → ${fmt(trainEnd)}).`
      : ' (the run reports no train loss to compare).';
    const sentence = riseWords + trainWords;
    return report('overfitting', sentence, [sentence, ...reasons, preferSentence(where, minValue, evalName)], prefer, evalSeries);
  }
  if (gapFlag) return report('overfitting', reasons[0] ?? '', [...reasons, preferSentence(where, minValue, evalName)], prefer, evalSeries);
  if (held && trainFalling === false) {
    const sentence = `${riseWords}, but train loss rose too: that is unstable training (a learning rate too high, for one), not overfitting.`;
    return report('noisy', sentence, [sentence, preferSentence(where, minValue, evalName)], prefer, evalSeries);
  }

  // Noise: a per-step curve whose jitter is as large as its trend, or a per-epoch curve that zigzags.
  // The trend, read as the spread of the medians of the run's first, middle and last thirds: a
  // fall, a rise and a dip all show in it, and pure jitter barely moves it.
  const thirds = dense ? [0, 1, 2].map((t) => median(values(evals).slice(Math.floor((t * evals.length) / 3), Math.floor(((t + 1) * evals.length) / 3)))) : [];
  const trend = dense ? Math.max(...thirds) - Math.min(...thirds) : 0;
  if (dense && noise > 0 && 2 * noise >= trend) {
    const sentence = `${cap(evalName)} jumps by about ±${fmt(noise)} between evaluations, more than half what it moves over the run (${fmt(trend)}): its trend cannot be told.`;
    return report('noisy', sentence, [sentence, 'A larger validation set, or more steps between evaluations, steadies it.'], prefer, evalSeries);
  }
  if (!dense && zigzags(evalSmooth, o.minRelativeRise * Math.abs(minValue))) {
    const sentence = `${cap(evalName)} goes up and down from one evaluation to the next (${evalSmooth.map(fmt).join(', ')}): no trend to read.`;
    return report('noisy', sentence, [sentence, preferSentence(where, minValue, evalName)], prefer, evalSeries);
  }

  if (after > 0 && after < k && rise > threshold) {
    const sentence = `${riseWords} at the last ${after === 1 ? 'evaluation' : `${after} evaluations`}: too few to tell a turn from noise.`;
    return report('too-short', sentence, [sentence, preferSentence(where, minValue, evalName)], prefer, evalSeries);
  }

  const first = evalSmooth[0] ?? minValue;
  const sentence = minAt === last
    ? `${cap(evalName)} fell from ${fmt(first)} to ${fmt(minValue)} and was still falling at the end (${where}): no sign of overfitting; more epochs may still help.`
    : `${cap(evalName)} fell from ${fmt(first)} to its minimum ${fmt(minValue)} at ${where} and stayed within ${fmtPercent(rise / Math.abs(minValue || 1))} of it: no sign of overfitting.`;
  return report('clean', sentence, [sentence], prefer, evalSeries);
}

function report(verdict: OverfitVerdict, detail: string, reasons: readonly string[], prefer?: PreferredPoint, evalSeries?: SeriesKind): OverfitReport {
  return {
    verdict,
    headline: `${OVERFIT_VERDICT_LABELS[verdict]}: ${detail}`,
    reasons,
    ...(prefer !== undefined ? { prefer } : {}),
    ...(evalSeries !== undefined ? { evalSeries } : {}),
  };
}

function preferSentence(where: string, value: number, evalName: string): string {
  return `Prefer the model at ${where}, where ${evalName} was lowest (${fmt(value)}).`;
}

function preferred(p: CurvePoint): PreferredPoint {
  return {
    index: p.index,
    evalLoss: p.value,
    words: positionWords(p),
    ...(p.epoch !== undefined ? { epoch: p.epoch } : {}),
    ...(p.step !== undefined ? { step: p.step } : {}),
  };
}

/** "epoch 2", "step 120" or "evaluation 3": epochs first, as a user picks a run's length in epochs. */
export function positionWords(p: CurvePoint): string {
  if (p.epoch !== undefined) return `epoch ${Number.isInteger(p.epoch) ? p.epoch : p.epoch.toFixed(2)}`;
  if (p.step !== undefined) return `step ${p.step}`;
  return `evaluation ${p.index}`;
}

function finite(points: readonly CurvePoint[] | undefined): readonly CurvePoint[] {
  return (points ?? []).filter((p) => Number.isFinite(p.value));
}

function values(points: readonly CurvePoint[]): number[] {
  return points.map((p) => p.value);
}

/** Half the smoothing window: 1 (window 3) for short per-step curves, wider as they grow, at most 10. */
function halfWindow(n: number): number {
  return Math.min(10, Math.max(1, Math.floor(n / 20)));
}

/**
 * A moving median over 2 × half + 1 points, centred where it can be and shifted inward at the ends
 * (a window shrunk to a few points would let the ends' noise pass for a trend): single-batch spikes
 * vanish, turns stay where they are.
 */
export function movingMedian(xs: readonly number[], half: number): number[] {
  const width = Math.min(xs.length, 2 * half + 1);
  return xs.map((_, i) => {
    const start = Math.min(Math.max(0, i - half), xs.length - width);
    return median(xs.slice(start, start + width));
  });
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

/**
 * The point-to-point noise of a curve, as the standard deviation a normal noise would have: read
 * from consecutive differences (their median removes a steady trend, 1.4826 × MAD makes spikes
 * count for little, and a difference of two noisy values spreads √2 times wider than one).
 */
function noiseOf(xs: readonly number[]): number {
  const diffs = xs.slice(1).map((x, i) => x - (xs[i] ?? x));
  const m = median(diffs);
  return (1.4826 * median(diffs.map((d) => Math.abs(d - m)))) / Math.SQRT2;
}

function argmin(xs: readonly number[]): number {
  let at = 0;
  xs.forEach((x, i) => {
    if (x < (xs[at] ?? Infinity)) at = i;
  });
  return at;
}

/** At least two turns, on at least half the moves, among moves larger than `floor`. */
function zigzags(xs: readonly number[], floor: number): boolean {
  const moves = xs.slice(1).map((x, i) => x - (xs[i] ?? x)).filter((d) => Math.abs(d) > floor);
  let turns = 0;
  for (let i = 1; i < moves.length; i++) if (Math.sign(moves[i] ?? 0) !== Math.sign(moves[i - 1] ?? 0)) turns++;
  return turns >= 2 && turns >= (moves.length - 1) / 2;
}

/**
 * The index of the train point nearest where `p` (an eval point) is: by step, epoch or time when
 * both series have it, else by the share of the run each has gone through.
 */
function nearest(train: readonly CurvePoint[], p: CurvePoint | undefined, evals: readonly CurvePoint[]): number {
  if (p === undefined || train.length === 0) return 0;
  for (const key of ['step', 'epoch', 'time'] as const) {
    const at = p[key];
    if (at === undefined || !train.every((t) => t[key] !== undefined)) continue;
    let best = 0;
    train.forEach((t, i) => {
      if (Math.abs((t[key] ?? 0) - at) < Math.abs((train[best]?.[key] ?? 0) - at)) best = i;
    });
    return best;
  }
  const share = evals.length <= 1 ? 1 : (p.index - 1) / (evals.length - 1);
  return Math.round(share * (train.length - 1));
}

function fmt(x: number): string {
  return Math.abs(x) >= 0.01 || x === 0 ? x.toFixed(3) : x.toPrecision(2);
}

function fmtPercent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function fmtRatio(x: number): string {
  return x >= 10 ? `${Math.round(x)}×` : `${x.toFixed(1)}×`;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
