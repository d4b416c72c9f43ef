/**
 * `too-long`: a record with more tokens than the trainer keeps. JumpStart's Llama fine-tuning
 * truncates each example to `max_input_length` tokens (by default min(1024, the model's
 * maximum)), so the end of a long record — usually the answer — is never learnt.
 *
 * The count is an approximation of what the trainer sees: every field's text in document order,
 * a blank line apart (`trainingText`), without the template's headers and special tokens (a few
 * to a few dozen tokens per record, depending on the template). It is counted only when the text
 * could exceed the limit: a byte-level BPE token covers at least one UTF-8 byte, so text of at
 * most `maxTokens` bytes never has more than `maxTokens` tokens, and most records never pay for
 * tokenization.
 */
import type { ContentRule, Issue, LineLocator, RecordView, RuleEnv, RuleOptions, TokenizerFamily } from '../lint/types';
import { trainingText } from '../lint/tokensOf';
import { utf8LengthUpTo } from '../tokens/bytes';
import { enumOption, intOption } from './options';

export const DEFAULT_MAX_TOKENS = 1024;
const FAMILIES: readonly TokenizerFamily[] = ['llama3', 'o200k'];
const SEPARATOR_BYTES = 2; // the blank line between fields: "\n\n"

const NONE: Issue[] = [];
Object.freeze(NONE);

const LABEL: Record<TokenizerFamily, string> = { llama3: 'Llama 3', o200k: 'o200k (GPT-4o)' };

/**
 * Could the record's training text exceed `max` tokens? Decided without building the text:
 * UTF-8 takes 1–3 bytes per UTF-16 unit, so the unit count bounds the bytes from both sides, and
 * only a record between the bounds has its bytes measured — usually just its longest field's,
 * with the others counted at their most (three bytes a unit).
 */
function mayExceed(view: RecordView, max: number): boolean {
  const fields = view.fields;
  if (fields.length === 0) return false;
  const separators = SEPARATOR_BYTES * (fields.length - 1);
  let units = separators;
  let longest = 0;
  for (const f of fields) {
    units += f.text.length;
    if (f.text.length > longest) longest = f.text.length;
  }
  if (units > max) return true; // at least one byte per unit
  if (units * 3 <= max) return false; // at most three bytes per unit
  const others = 3 * (units - separators - longest);
  for (const f of fields) {
    if (f.text.length !== longest) continue;
    const budget = max - separators - others;
    if (budget >= 0 && utf8LengthUpTo(f.text, budget) >= 0) return false;
    break;
  }
  // Measure every field.
  let budget = max - separators;
  for (const f of fields) {
    const bytes = utf8LengthUpTo(f.text, budget);
    if (bytes < 0) return true;
    budget -= bytes;
  }
  return false;
}

export const tooLong: ContentRule = {
  id: 'too-long',
  defaultSeverity: 'warning',
  description: 'A record longer than the trainer\'s token limit (JumpStart\'s max_input_length, 1024 by default): the rest is cut off and never learnt.',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      tokenizer: {
        enum: [...FAMILIES],
        description: 'The tokenizer to count with: llama3 (Llama 3 and 3.1, e.g. on SageMaker JumpStart) or o200k (OpenAI GPT-4o and later).',
        default: 'llama3',
      },
      maxTokens: {
        type: 'integer',
        minimum: 1,
        description: 'The most tokens a record may have: the trainer\'s max_input_length (JumpStart Llama fine-tuning: min(1024, the model\'s maximum) unless you set it).',
        default: DEFAULT_MAX_TOKENS,
      },
    },
  },
  defaultOptions: { tokenizer: 'llama3', maxTokens: DEFAULT_MAX_TOKENS },
  check(view: RecordView, at: LineLocator, options: RuleOptions, env: RuleEnv): Issue[] {
    const max = intOption(options, 'maxTokens', DEFAULT_MAX_TOKENS, 1);
    if (!mayExceed(view, max)) return NONE;
    const tokens = env.tokens;
    if (tokens === undefined) {
      env.needsTokens();
      return NONE;
    }
    const family = enumOption(options, 'tokenizer', FAMILIES, 'llama3');
    const count = tokens.count(trainingText(view), family);
    if (count <= max) return NONE;
    return [{
      rule: 'too-long',
      ...at.valueRange([]),
      message: `This record is about ${count} tokens (${LABEL[family]} tokenizer), over the limit of ${max}: the trainer cuts it off at ${max} and never learns the rest, usually the end of the answer. Shorten it, split it into several records, or raise the limit (max_input_length) and this rule's maxTokens together.`,
    }];
  },
};
