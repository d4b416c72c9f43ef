/**
 * SageMaker training curves: a job's MetricDefinitions applied to its CloudWatch Logs lines (what
 * SageMaker itself does to publish training metrics), and CloudWatch GetMetricData results.
 *
 * SageMaker reads each metric from the log with the definition's regex and takes the first capture
 * group as the value ("Define metrics and environment variables",
 * https://docs.aws.amazon.com/sagemaker/latest/dg/define-train-metrics.html). The regexes belong to
 * whoever wrote the job, so they run through RE2 (src/core/rules/user-patterns.ts), never through
 * JavaScript's backtracking engine.
 */
import type { RE2JS } from 're2js';
import { compileUserPattern } from '../rules/user-patterns';
import { CurveBuilder, finiteNumber, seriesKindOfMetricName, type ParsedCurves, type RawPoint, type SeriesKind } from './curves';

/** One entry of a job's `AlgorithmSpecification.MetricDefinitions` (DescribeTrainingJob). */
export interface MetricDefinition {
  readonly Name: string;
  readonly Regex: string;
}

/**
 * The metric definitions JumpStart gives Meta Llama text-generation fine-tuning
 * (meta-textgeneration-llama-*): from the model spec as the SageMaker Python SDK's JumpStart
 * estimator passes it, aws/sagemaker-python-sdk
 * tests/unit/sagemaker/jumpstart/estimator/test_estimator.py (meta-textgeneration-llama-2-7b,
 * transfer_learning.py in …/meta/transfer_learning/textgeneration/prepack/…/sourcedir.tar.gz).
 * The script's lines they read are llama-recipes' train_utils.py prints:
 * `Epoch 1: train_perplexity=5.3824, train_epoch_loss=1.6831, epoch time 12864.61s` and
 * ` eval_ppl=tensor(5.2620, device='cuda:0') eval_epoch_loss=tensor(1.6605, device='cuda:0')`.
 */
export const JUMPSTART_LLAMA_METRIC_DEFINITIONS: readonly MetricDefinition[] = [
  { Name: 'huggingface-textgeneration:eval-loss', Regex: 'eval_epoch_loss=tensor\\(([0-9\\.]+)' },
  { Name: 'huggingface-textgeneration:eval-ppl', Regex: 'eval_ppl=tensor\\(([0-9\\.]+)' },
  { Name: 'huggingface-textgeneration:train-loss', Regex: 'train_epoch_loss=([0-9\\.]+)' },
];

/**
 * The definitions JumpStart gives its Hugging Face Trainer based text-generation models (e.g.
 * Gemma, huggingface-llm-*): same source file, and
 * tests/unit/sagemaker/jumpstart/test_types.py (gemma model document's training_metrics). They read
 * the Trainer's log dicts: `{'loss': 1.2345, 'learning_rate': 0.0001, 'epoch': 0.5}` and
 * `{'eval_loss': 1.1, 'eval_runtime': 12.3, 'epoch': 1.0}`.
 */
export const JUMPSTART_HF_TRAINER_METRIC_DEFINITIONS: readonly MetricDefinition[] = [
  { Name: 'huggingface-textgeneration:eval-loss', Regex: "'eval_loss': ([0-9]+\\.[0-9]+)" },
  { Name: 'huggingface-textgeneration:train-loss', Regex: "'loss': ([0-9]+\\.[0-9]+)" },
];

/**
 * A CloudWatch Logs event (GetLogEvents / FilterLogEvents: `timestamp` in ms, `message`), from one
 * log stream: SageMaker writes one stream per host (`<job>/algo-1-…`), and llama-recipes prints
 * from rank 0 only, so the first host's stream holds the metrics.
 */
export interface LogLine {
  readonly message: string;
  readonly timestamp?: number;
}

/** `Epoch 3: train_perplexity=…` (llama-recipes' per-epoch summary; 1-based). */
const EPOCH_SUMMARY = /^\s*Epoch (\d+):/;
/** `'epoch': 1.5` inside a Hugging Face Trainer log dict. */
const TRAINER_EPOCH = /'epoch': ([0-9]+(?:\.[0-9]+)?)/;
/** `'step': 40` or `'global_step': 40`, when a script logs it. */
const TRAINER_STEP = /'(?:global_)?step': ([0-9]+)/;

/**
 * The curves in `lines` as `definitions` read them. A definition whose name says no series
 * (not loss, perplexity or accuracy) or whose regex RE2 cannot run is listed in `skipped`; a match
 * whose capture is not a finite number (`nan`, `inf`, `…`) is skipped with its line number.
 *
 * Positions: a line's own `Epoch N:` or `'epoch': x` gives its epoch. llama-recipes prints an
 * epoch's evaluation before that epoch's `Epoch N:` summary, so points from a line without one take
 * the epoch of the next summary; those still waiting when the log ends (the job is evaluating or
 * was stopped) take the epoch after the last one seen.
 */
export function curvesFromLogLines(lines: readonly LogLine[], definitions: readonly MetricDefinition[]): ParsedCurves {
  const out = new CurveBuilder();
  const readers: { kind: SeriesKind; name: string; regex: (text: string) => string | undefined }[] = [];
  for (const d of definitions) {
    const kind = seriesKindOfMetricName(d.Name);
    if (kind === undefined) {
      out.skip(d.Name, 'the metric name says neither loss, perplexity nor accuracy, so it is not charted');
      continue;
    }
    const pattern = compileUserPattern(d.Regex);
    if (!pattern.ok) {
      out.skip(d.Name, `its regex ${pattern.reason}`);
      continue;
    }
    readers.push({ kind, name: d.Name, regex: firstCapture(pattern.regex) });
  }

  let waiting: { kind: SeriesKind; point: RawPoint }[] = [];
  let lastEpoch: number | undefined;
  const flush = (epoch: number | undefined): void => {
    for (const w of waiting) out.add(w.kind, epoch === undefined ? w.point : { ...w.point, epoch });
    waiting = [];
  };

  lines.forEach((line, i) => {
    const where = `line ${i + 1}`;
    const text = line.message;
    const summary = EPOCH_SUMMARY.exec(text);
    const trainerEpoch = TRAINER_EPOCH.exec(text);
    const step = TRAINER_STEP.exec(text);
    const epoch = summary !== null ? Number(summary[1]) : trainerEpoch !== null ? finiteNumber(trainerEpoch[1]) : undefined;
    const found: { kind: SeriesKind; point: RawPoint }[] = [];
    for (const r of readers) {
      const captured = r.regex(text);
      if (captured === undefined) continue;
      const value = finiteNumber(captured);
      if (value === undefined) {
        out.skip(where, `${r.name} matched "${captured}", which is not a number`);
        continue;
      }
      const point: RawPoint = {
        value,
        ...(step !== null ? { step: Number(step[1]) } : {}),
        ...(epoch !== undefined ? { epoch } : {}),
        ...(line.timestamp !== undefined ? { time: line.timestamp } : {}),
      };
      found.push({ kind: r.kind, point });
    }
    if (summary !== null) {
      // This epoch's evaluation was printed before its summary line.
      flush(epoch);
      lastEpoch = epoch;
    }
    for (const f of found) {
      if (f.point.epoch !== undefined || f.point.step !== undefined) out.add(f.kind, f.point);
      else waiting.push(f);
    }
  });
  flush(lastEpoch === undefined ? undefined : lastEpoch + 1);
  return out.build();
}

/** The first capture group of a match of `regex` in `text` (RE2's unanchored find), or undefined. */
function firstCapture(regex: RE2JS): (text: string) => string | undefined {
  return (text) => {
    const m = regex.matcher(text);
    if (!m.find()) return undefined;
    if (m.groupCount() < 1) return m.group(0) ?? undefined;
    return m.group(1) ?? undefined;
  };
}

/**
 * One metric of a CloudWatch GetMetricData answer (`MetricDataResults[]`: `Label`, `Timestamps`,
 * `Values`, the two in the same order; https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataResult.html).
 * SageMaker publishes training metrics in the `/aws/sagemaker/TrainingJobs` namespace under the
 * metric definition's name, so `name` is that name (the query's metric name, or `Label`).
 */
export interface MetricDataSeries {
  readonly name: string;
  readonly timestamps: readonly (Date | number)[];
  readonly values: readonly number[];
}

export interface MetricDataOptions {
  /**
   * The values are one per epoch (JumpStart Llama's `train_epoch_loss` / `eval_epoch_loss`), so
   * the n-th value in time order is epoch n.
   */
  readonly onePointPerEpoch?: boolean;
}

/**
 * CloudWatch metric data as curves, ordered by time (GetMetricData returns newest first by
 * default). A timestamp without its value, or a value that is not finite, is skipped.
 */
export function curvesFromMetricData(results: readonly MetricDataSeries[], options: MetricDataOptions = {}): ParsedCurves {
  const out = new CurveBuilder();
  for (const r of results) {
    const kind = seriesKindOfMetricName(r.name);
    if (kind === undefined) {
      out.skip(r.name, 'the metric name says neither loss, perplexity nor accuracy, so it is not charted');
      continue;
    }
    const pairs: { time: number; value: number }[] = [];
    const n = Math.max(r.timestamps.length, r.values.length);
    for (let i = 0; i < n; i++) {
      const t = r.timestamps[i];
      const v = r.values[i];
      const time = t === undefined ? undefined : typeof t === 'number' ? t : t.getTime();
      if (time === undefined || !Number.isFinite(time) || v === undefined || !Number.isFinite(v)) {
        out.skip(r.name, `value ${i + 1} has no finite time and value`);
        continue;
      }
      pairs.push({ time, value: v });
    }
    pairs.sort((a, b) => a.time - b.time);
    pairs.forEach((p, i) => {
      out.add(kind, options.onePointPerEpoch === true ? { ...p, epoch: i + 1 } : p);
    });
  }
  return out.build();
}
