/**
 * Which tokenizer and limit a dataset's records are measured with, and their counts as the trainer
 * counts them (core/limits/measure.ts), shared by `too-long`, the hover and the Dataset Stats page.
 */
import { countChars, countTokens, trainedText } from '../limits/measure';
import { recordLimit, TOKENIZER_LABEL } from '../rules/too-long';
import type { LintSettings } from './config';
import type { FormatContext, RecordView, TokenCounter, TokenizerFamily } from './types';

/** The tokenizer where no limit applies to the format: the rule's `tokenizer` option, else Llama 3. */
function fallbackTokenizer(settings: LintSettings): TokenizerFamily {
  return settings.rules.get('too-long')?.options.tokenizer === 'o200k' ? 'o200k' : 'llama3';
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
  const counting = limit?.counting ?? { kind: 'tokens', family: fallbackTokenizer(settings) };
  if (counting.kind === 'chars') {
    return { count: countChars(trained), unit: 'characters', limit: limit === undefined ? undefined : limit.max * counting.perToken };
  }
  return { count: countTokens(trained, counter, counting.family), unit: `${TOKENIZER_LABEL[counting.family]} tokens`, limit: limit?.max };
}
