/**
 * OpenAI fine-tuning curves: a job's result file and its checkpoints' metrics.
 *
 * The result file (the job's `result_files[0]`, read with the Files API) is a CSV with a header row
 * `step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy` and one row per step; the
 * valid columns are empty on steps without a validation batch ("Analyzing your fine-tuned model",
 * https://platform.openai.com/docs/guides/fine-tuning#analyzing-your-fine-tuned-model, and the
 * cookbook's "How to fine-tune chat models", https://cookbook.openai.com/examples/how_to_finetune_chat_models).
 * Newer files add `full_valid_loss,full_valid_mean_token_accuracy` (the whole validation file, at
 * the end of each epoch) and Azure OpenAI names the accuracy `train_mean_token_accuracy`; columns
 * are read by name, so their order and extra columns do not matter.
 */
import { CurveBuilder, finiteNumber, seriesKindOfMetricName, type ParsedCurves, type SeriesKind } from './curves';

/**
 * The result file's text as curves. The Files API returns this file base64-encoded (OpenAI's
 * cookbook decodes it with base64.b64decode before reading the CSV: "Fine tuning for function
 * calling", https://cookbook.openai.com/examples/fine_tuning_for_function_calling); text whose
 * first line has no comma and that decodes to a CSV with a step column is read decoded, plain CSV
 * as it is.
 */
export function curvesFromResultFile(text: string): ParsedCurves {
  const out = new CurveBuilder();
  const csv = decodedIfBase64(text);
  const lines = csv.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  const stepColumn = header.indexOf('step');
  if (stepColumn === -1) {
    out.skip('line 1', 'the header has no "step" column, so this is not a fine-tuning result file');
    return out.build();
  }
  const columns: { at: number; kind: SeriesKind }[] = [];
  header.forEach((name, at) => {
    const kind = at === stepColumn ? undefined : seriesKindOfMetricName(name);
    if (kind !== undefined) columns.push({ at, kind });
  });
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const cells = line.split(',');
    const step = finiteNumber(cells[stepColumn]);
    if (step === undefined) {
      out.skip(`line ${i + 1}`, `the step "${cells[stepColumn] ?? ''}" is not a number`);
      continue;
    }
    for (const c of columns) {
      const cell = (cells[c.at] ?? '').trim();
      if (cell === '') continue; // no validation batch on this step
      const value = finiteNumber(cell);
      if (value === undefined) out.skip(`line ${i + 1}`, `${header[c.at] ?? ''} is "${cell}", not a number`);
      else out.add(c.kind, { step, value });
    }
  }
  return out.build();
}

function decodedIfBase64(text: string): string {
  const trimmed = text.trim();
  const firstLine = trimmed.split(/\r?\n/, 1)[0] ?? '';
  if (firstLine.includes(',') || !/^[A-Za-z0-9+/=\s]+$/.test(trimmed)) return text;
  try {
    const decoded = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(atob(trimmed.replace(/\s+/g, '')), (c) => c.charCodeAt(0)));
    const decodedHeader = (decoded.split(/\r?\n/, 1)[0] ?? '').split(',').map((h) => h.trim());
    return decodedHeader.includes('step') ? decoded : text;
  } catch {
    return text;
  }
}

/**
 * `metrics` of a `fine_tuning.job.checkpoint` (GET /fine_tuning/jobs/{id}/checkpoints): every
 * field optional, as in the openai SDK's type (openai-node
 * src/resources/fine-tuning/jobs/checkpoints.ts, `FineTuningJobCheckpoint.Metrics`).
 */
export interface CheckpointMetrics {
  readonly step?: number;
  readonly train_loss?: number;
  readonly train_mean_token_accuracy?: number;
  readonly valid_loss?: number;
  readonly valid_mean_token_accuracy?: number;
  readonly full_valid_loss?: number;
  readonly full_valid_mean_token_accuracy?: number;
}

export interface Checkpoint {
  readonly step_number: number;
  readonly metrics: CheckpointMetrics;
}

const CHECKPOINT_FIELDS: readonly (keyof Omit<CheckpointMetrics, 'step'>)[] = [
  'train_loss', 'train_mean_token_accuracy', 'valid_loss', 'valid_mean_token_accuracy', 'full_valid_loss', 'full_valid_mean_token_accuracy',
];

/** Checkpoints' metrics as curves by step (the list endpoint returns newest first; the series are ordered by step). */
export function curvesFromCheckpoints(checkpoints: readonly Checkpoint[]): ParsedCurves {
  return curvesFromStepMetrics(checkpoints.map((c) => ({ step: c.metrics.step ?? c.step_number, metrics: c.metrics })));
}

/**
 * A `fine_tuning.job.event` (GET /fine_tuning/jobs/{id}/events). While a job runs, its events of
 * `type: "metrics"` carry the step's metrics in `data` (`step`, `train_loss`, `valid_loss`,
 * `full_valid_loss`, `train_mean_token_accuracy`, …, `total_steps`), as OpenAI's fine-tuning guide
 * shows ("Analyzing your fine-tuned model"); the result file only exists once the job is done.
 */
export interface FineTuningEvent {
  readonly type?: string;
  readonly data?: unknown;
}

/** The metrics events' data as curves by step; other events (messages) are passed over. */
export function curvesFromMetricsEvents(events: readonly FineTuningEvent[]): ParsedCurves {
  const rows: { step: number; metrics: CheckpointMetrics }[] = [];
  for (const e of events) {
    if (e.type !== 'metrics' || typeof e.data !== 'object' || e.data === null) continue;
    const data = e.data as Readonly<Record<string, unknown>>;
    const step = data['step'];
    if (typeof step !== 'number') continue;
    const metrics: Partial<Record<keyof CheckpointMetrics, number>> = {};
    for (const field of CHECKPOINT_FIELDS) {
      const v = data[field];
      if (typeof v === 'number') metrics[field] = v;
    }
    rows.push({ step, metrics });
  }
  return curvesFromStepMetrics(rows);
}

function curvesFromStepMetrics(rows: readonly { step: number; metrics: CheckpointMetrics }[]): ParsedCurves {
  const out = new CurveBuilder();
  for (const { step, metrics: c } of rows) {
    for (const field of CHECKPOINT_FIELDS) {
      const value = c[field];
      const kind = seriesKindOfMetricName(field);
      if (value === undefined || kind === undefined) continue;
      if (!Number.isFinite(value)) out.skip(`step ${step}`, `${field} is not a finite number`);
      else out.add(kind, { step, value });
    }
  }
  return out.build();
}
