/**
 * Which tokenizer and limit a dataset's records are measured with, and their counts as the trainer
 * counts them (core/limits/measure.ts), shared by `too-long`, the hover and the Dataset Stats page.
 */
import { countChars, countTokensBounded, trainedText } from '../limits/measure';
import { recordLimit, TOKENIZER_LABEL } from '../rules/too-long';
import type { LintSettings } from './config';
import type { FormatContext, RecordView, TokenCounter, TokenizerFamily } from './types';

/** The tokenizer where no limit applies to the format: the rule's `tokenizer` option, else Llama 3. */
function fallbackTokenizer(settings: LintSettings): TokenizerFamily {
  return settings.rules.get('too-long')?.options.tokenizer === 'o200k' ? 'o200k' : 'llama3';
}

/**
 * Where no limit applies, counting stops here: a count this large says all a user needs, and
 * counting further only costs time (a record of tens of millions of characters would take minutes).
 */
export const MEASURE_CAP = 1_000_000;

/** One record's length as its trainer measures it, and the limit it is held to. */
export interface RecordMeasure {
  /** The count; when `complete` is false, counting stopped once it passed the limit (or `MEASURE_CAP`) and the record has more. */
  readonly count: number;
  readonly complete: boolean;
  /** "Llama 3 tokens", "o200k (GPT-4o) tokens", or "characters" where the model's tokenizer is not public. */
  readonly unit: string;
  /** In the same unit; undefined when the format has no documented limit and none is set. */
  readonly limit: number | undefined;
}

/** Measures a record the way `too-long` does (without its shortcut: every record is counted, up to just past its limit). */
export function measureRecord(view: RecordView, ctx: FormatContext, settings: LintSettings, counter: TokenCounter): RecordMeasure {
  const options = settings.rules.get('too-long')?.options ?? {};
  const limit = recordLimit(view.format, options, settings.targetModel);
  const trained = trainedText(view, ctx);
  const counting = limit?.counting ?? { kind: 'tokens', family: fallbackTokenizer(settings) };
  if (counting.kind === 'chars') {
    return { count: countChars(trained), complete: true, unit: 'characters', limit: limit === undefined ? undefined : limit.max * counting.perToken };
  }
  const counted = countTokensBounded(trained, counter, counting.family, limit?.max ?? MEASURE_CAP);
  return { count: counted.tokens, complete: counted.complete, unit: `${TOKENIZER_LABEL[counting.family]} tokens`, limit: limit?.max };
}

/** A measure as the hover shows it: "1,204 of 1,024 Llama 3 tokens", or "more than …" when counting stopped at the limit. */
export function describeMeasure(m: RecordMeasure): string {
  const limit = m.limit === undefined ? '' : ` of ${m.limit.toLocaleString('en-US')}`;
  return `${m.complete ? '' : 'more than '}${m.count.toLocaleString('en-US')}${limit} ${m.unit}`;
}
