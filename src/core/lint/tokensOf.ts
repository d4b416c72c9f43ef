/** Which tokenizer the dataset is measured with, and the text of a record that gets counted. */
import type { LintSettings } from './config';
import type { RecordView, TokenizerFamily } from './types';

/** The tokenizer family configured for the `too-long` rule (Llama 3 unless set to o200k). */
export function tokenizerOf(settings: LintSettings): TokenizerFamily {
  const t = settings.rules.get('too-long')?.options.tokenizer;
  return t === 'o200k' ? 'o200k' : 'llama3';
}

/** The record's text as the trainer roughly sees it: every field, in order, a blank line apart. */
export function trainingText(view: RecordView): string {
  return view.fields.map((f) => f.text).join('\n\n');
}
