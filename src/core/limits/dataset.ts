/**
 * Dataset-level checks: the number of examples and the file size against what the provider of
 * the dataset's format (or the target model) accepts, and a validation file too small to mean
 * anything. Pure: the engine and the CLI count, this decides. Reported on line 1.
 */
import type { RuleId } from '../lint/types';
import { modelFor, type TargetModel } from './models';

export interface DatasetFacts {
  /** The file's format id (a `FormatId`; any string, so formats added later need no change here). */
  readonly format: string | undefined;
  readonly targetModel: string | undefined;
  readonly split: 'train' | 'validation';
  /** Lines that hold a JSON object (what a provider counts as examples). */
  readonly examples: number;
  /** The file's length in UTF-16 units, line breaks included: its UTF-8 size is 1 to 3 times this. */
  readonly units: number;
  /** The file's size in UTF-8 bytes; measured only when `units` cannot rule out a size limit. */
  bytes(): number;
  /** `small-validation`'s `minExamples`. */
  readonly minValidationExamples: number;
}

export interface DatasetIssue { readonly rule: RuleId; readonly message: string }

const n = (x: number): string => x.toLocaleString('en-US');

/** "512 MB", "1 GB", "1.4 MB": sizes in binary units, as the providers' limits are written. */
export function formatBytes(bytes: number): string {
  const units: [number, string][] = [[1024 ** 3, 'GB'], [1024 ** 2, 'MB'], [1024, 'KB']];
  for (const [size, unit] of units) {
    if (bytes >= size) {
      const v = bytes / size;
      return `${Number.isInteger(v) ? v : v.toFixed(1)} ${unit}`;
    }
  }
  return `${bytes} bytes`;
}

function who(model: TargetModel): string {
  if (model.provider === 'openai') return `OpenAI fine-tuning (${model.label})`;
  return model.label;
}

/** What is wrong with the dataset as a whole, for its provider. */
export function datasetIssues(f: DatasetFacts): DatasetIssue[] {
  const out: DatasetIssue[] = [];
  const model = f.format === undefined ? undefined : modelFor(f.format, f.targetModel);
  const limits = model?.dataset ?? {};
  const validation = f.split === 'validation';
  if (model !== undefined && !validation && limits.minExamples !== undefined && f.examples > 0 && f.examples < limits.minExamples.value) {
    const min = n(limits.minExamples.value);
    const what = limits.minCountsValidation === true ? `at least ${min} training and validation records together` : `at least ${min} training examples`;
    out.push({ rule: 'too-few-examples', message: `This file has ${n(f.examples)} example${f.examples === 1 ? '' : 's'}; ${who(model)} needs ${what}, or the job is refused. Add examples.` });
  }
  const maxExamples = validation ? limits.maxValidationExamples : limits.maxExamples;
  if (model !== undefined && maxExamples !== undefined && f.examples > maxExamples.value) {
    const kind = validation ? 'validation' : 'training';
    out.push({ rule: 'too-many-examples', message: `This file has ${n(f.examples)} records; ${who(model)} accepts at most ${n(maxExamples.value)} ${kind} records per job (a Service Quota you can ask to raise), and refuses the job otherwise. Split it across jobs, or remove the weakest examples.` });
  }
  const maxBytes = validation ? limits.maxValidationBytes : limits.maxBytes;
  // At most three UTF-8 bytes per UTF-16 unit: a file of 3 × units ≤ the limit is never measured.
  const bytes = model !== undefined && maxBytes !== undefined && 3 * f.units > maxBytes.value ? f.bytes() : 0;
  if (model !== undefined && maxBytes !== undefined && bytes > maxBytes.value) {
    const kind = validation ? 'validation' : 'training';
    const alternative = model.provider === 'openai' ? ' (POST /files; the Uploads API takes larger files in parts)' : '';
    out.push({ rule: 'file-too-large', message: `This file is ${formatBytes(bytes)}; ${who(model)} accepts ${kind} files up to ${formatBytes(maxBytes.value)}${alternative}. Split it, or remove examples.` });
  }
  if (validation && f.examples > 0 && f.examples < f.minValidationExamples) {
    out.push({
      rule: 'small-validation',
      message: `This validation file has only ${n(f.examples)} example${f.examples === 1 ? '' : 's'}: its loss swings with every one of them, so it cannot tell epochs or runs apart (JumpStart keeps the epoch with the lowest validation loss; OpenAI and Bedrock report it as the job's validation metrics). Give it at least ${n(f.minValidationExamples)}, e.g. 10–20% of your examples.`,
    });
  }
  return out;
}
