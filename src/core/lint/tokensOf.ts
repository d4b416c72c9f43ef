/**
 * Which tokenizer and limit a dataset's records are measured with, and their counts as the trainer
 * counts them (core/limits/measure.ts), shared by `too-long`, the hover and the Dataset Stats page.
 */
import { countChars, countTokens, plainText, trainedText } from '../limits/measure';
import { recordLimit, TOKENIZER_LABEL } from '../rules/too-long';
import type { LintSettings } from './config';
import type { FormatContext, FormatId, RecordView, TokenCounter, TokenizerFamily } from './types';

/**
 * The tokenizer the `too-long` rule counts with: its `tokenizer` option when set, else the format's
 * (o200k for OpenAI formats, Llama 3 otherwise).
 */
export function tokenizerOf(settings: LintSettings, format?: FormatId): TokenizerFamily {
  const t = settings.rules.get('too-long')?.options.tokenizer;
  if (t === 'o200k' || t === 'llama3') return t;
  const counting = format === undefined ? undefined : recordLimit(format, {}, settings.targetModel)?.counting;
  return counting?.kind === 'tokens' ? counting.family : 'llama3';
}

/** The record's fields in order, a blank line apart (what a trainer without a template reads). */
export function trainingText(view: RecordView): string {
  return plainText(view);
}

/** One record's length as its trainer measures it, and the limit it is held to. */
export interface RecordMeasure {
  readonly count: number;
  /** "Llama 3 tokens", "o200k (GPT-4o) tokens", or "characters" where the model's tokenizer is not public. */
  readonly unit: string;
  /** In the same unit; undefined when the format has no documented limit and none is set. */
  readonly limit: number | undefined;
}

/** Measures a record the way `too-long` does (without its shortcut: every record is counted). */
export function measureRecord(view: RecordView, ctx: FormatContext, settings: LintSettings, counter: TokenCounter): RecordMeasure {
  const options = settings.rules.get('too-long')?.options ?? {};
  const limit = recordLimit(view.format, options, settings.targetModel);
  const trained = trainedText(view, ctx);
  const counting = limit?.counting ?? { kind: 'tokens', family: tokenizerOf(settings, view.format) };
  if (counting.kind === 'chars') {
    return { count: countChars(trained), unit: 'characters', limit: limit === undefined ? undefined : limit.max * counting.perToken };
  }
  return { count: countTokens(trained, counter, counting.family), unit: `${TOKENIZER_LABEL[counting.family]} tokens`, limit: limit?.max };
}
