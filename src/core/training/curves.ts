/**
 * A training run's curves (train and eval loss, perplexity, token accuracy) as series of points,
 * read from what the providers emit. Shared by the SageMaker (log lines, CloudWatch metrics) and
 * OpenAI (result file, checkpoint metrics) readers so the overfitting flag and the run page see one
 * shape whatever the source.
 */

/** What a series measures. `full-eval-*` is OpenAI's pass over the whole validation file (once per epoch). */
export type SeriesKind =
  | 'train-loss'
  | 'eval-loss'
  | 'full-eval-loss'
  | 'train-perplexity'
  | 'eval-perplexity'
  | 'train-token-accuracy'
  | 'eval-token-accuracy'
  | 'full-eval-token-accuracy';

export const SERIES_KINDS: readonly SeriesKind[] = [
  'train-loss', 'eval-loss', 'full-eval-loss', 'train-perplexity', 'eval-perplexity',
  'train-token-accuracy', 'eval-token-accuracy', 'full-eval-token-accuracy',
];

/** Words for a series' legend and for sentences about it. */
export const SERIES_LABELS: Readonly<Record<SeriesKind, string>> = {
  'train-loss': 'train loss',
  'eval-loss': 'eval loss',
  'full-eval-loss': 'full validation loss',
  'train-perplexity': 'train perplexity',
  'eval-perplexity': 'eval perplexity',
  'train-token-accuracy': 'train token accuracy',
  'eval-token-accuracy': 'eval token accuracy',
  'full-eval-token-accuracy': 'full validation token accuracy',
};

/**
 * One value of a series. `index` is its 1-based place in the series (always there); `step`, `epoch`
 * and `time` (ms since the Unix epoch) are there when the source says them.
 */
export interface CurvePoint {
  readonly index: number;
  readonly value: number;
  readonly step?: number;
  readonly epoch?: number;
  readonly time?: number;
}

export type CurveSet = Partial<Record<SeriesKind, readonly CurvePoint[]>>;

/** Input that was read but gave no point, with why (shown under the chart, never thrown). */
export interface SkippedInput {
  /** 1-based line of a log or CSV, or the metric's name for CloudWatch data. */
  readonly where: string;
  readonly reason: string;
}

export interface ParsedCurves {
  readonly curves: CurveSet;
  readonly skipped: readonly SkippedInput[];
}

/** A point before its index is known. */
export type RawPoint = Omit<CurvePoint, 'index'>;

/**
 * The series a metric name stands for, from the words in it: SageMaker metric definitions are
 * named by whoever wrote the job (JumpStart uses `huggingface-textgeneration:train-loss`,
 * `…:eval-loss`, `…:eval-ppl`), OpenAI's columns are `train_loss`, `valid_mean_token_accuracy`, ….
 * Undefined for a name that says neither loss, perplexity nor accuracy.
 */
export function seriesKindOfMetricName(name: string): SeriesKind | undefined {
  const words = name.toLowerCase().split(/[^a-z]+/).filter((w) => w !== '');
  const has = (...ws: string[]): boolean => ws.some((w) => words.includes(w));
  const full = has('full');
  const evalSide = has('eval', 'valid', 'validation', 'val', 'test');
  let measure: 'loss' | 'perplexity' | 'token-accuracy';
  if (has('ppl', 'perplexity')) measure = 'perplexity';
  else if (has('accuracy', 'acc')) measure = 'token-accuracy';
  else if (has('loss')) measure = 'loss';
  else return undefined;
  if (!evalSide) return `train-${measure}`;
  if (full && measure !== 'perplexity') return `full-eval-${measure}`;
  return `eval-${measure}`;
}

/** A finite number from text, or undefined: `nan`, `inf`, empty and garbage give no point. */
export function finiteNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** Collects raw points per kind and numbers them in order. */
export class CurveBuilder {
  private readonly points = new Map<SeriesKind, RawPoint[]>();
  readonly skipped: SkippedInput[] = [];

  add(kind: SeriesKind, point: RawPoint): void {
    let list = this.points.get(kind);
    if (list === undefined) this.points.set(kind, (list = []));
    list.push(point);
  }

  skip(where: string, reason: string): void {
    this.skipped.push({ where, reason });
  }

  /** The series, each ordered by step, else epoch, else time, else as read (a stable sort keeps ties in reading order). */
  build(): ParsedCurves {
    const curves: CurveSet = {};
    for (const kind of SERIES_KINDS) {
      const raw = this.points.get(kind);
      if (raw === undefined || raw.length === 0) continue;
      const sorted = [...raw].sort(comparePoints);
      curves[kind] = sorted.map((p, i) => ({ ...p, index: i + 1 }));
    }
    return { curves, skipped: this.skipped };
  }
}

function comparePoints(a: RawPoint, b: RawPoint): number {
  for (const key of ['step', 'epoch', 'time'] as const) {
    const x = a[key];
    const y = b[key];
    if (x !== undefined && y !== undefined && x !== y) return x - y;
  }
  return 0;
}
