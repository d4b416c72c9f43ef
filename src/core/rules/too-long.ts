/**
 * `too-long`: a record longer than its trainer takes. The limit, the tokenizer and what is counted
 * follow the dataset's format and target model (core/limits): JumpStart counts the filled
 * template against `max_input_length` and truncates; OpenAI counts messages with o200k against the
 * model's per-example limit and truncates; Bedrock fails the job on a record over its per-model
 * limit. The options `maxTokens` and `tokenizer`, when set, override the model's.
 *
 * A record is tokenized only when it could exceed the limit (see `mayExceedTokens`): most records
 * never pay for tokenization. Counting stops once the limit is passed (core/tokens/countUpTo.ts),
 * so a record of millions of characters costs about what its first limit's worth of text does.
 */
import { countChars, countTokensBounded, mayExceedTokens, trainedText, type TrainedText } from '../limits/measure';
import type { CountUpTo } from '../tokens/countUpTo';
import { modelFor, type Counting, type TargetModel } from '../limits/models';
import type { ContentRule, Issue, LineLocator, RecordView, RuleEnv, RuleOptions, TokenizerFamily } from '../lint/types';
import { enumOption } from './options';

/** JumpStart's default max_input_length: min(1024, the model's maximum). */
export const DEFAULT_MAX_TOKENS = 1024;
const FAMILIES: readonly TokenizerFamily[] = ['llama3', 'o200k'];

const NONE: Issue[] = [];
Object.freeze(NONE);

export const TOKENIZER_LABEL: Record<TokenizerFamily, string> = { llama3: 'Llama 3', o200k: 'o200k (GPT-4o)' };

/** The limit a record is held to: the rule's options over the format's model. */
export interface RecordLimit {
  readonly max: number;
  readonly counting: Counting;
  /** The model it comes from; undefined when only the options set it. */
  readonly model: TargetModel | undefined;
  /** True when `maxTokens` was set in the rule's options. */
  readonly explicit: boolean;
}

/** The limit for records of `format`, or undefined when none is documented and none is set. */
export function recordLimit(format: RecordView['format'], options: RuleOptions, targetModel: string | undefined): RecordLimit | undefined {
  const model = modelFor(format, targetModel);
  const setMax = options.maxTokens;
  const explicitMax = typeof setMax === 'number' && Number.isInteger(setMax) && setMax >= 1 ? setMax : undefined;
  const setFamily = enumOption<TokenizerFamily | 'auto'>(options, 'tokenizer', [...FAMILIES, 'auto'], 'auto');
  if (model === undefined && explicitMax === undefined) return undefined;
  const counting: Counting = setFamily !== 'auto' ? { kind: 'tokens', family: setFamily } : model?.counting ?? { kind: 'tokens', family: 'llama3' };
  return { max: explicitMax ?? model?.maxTokens ?? DEFAULT_MAX_TOKENS, counting, model, explicit: explicitMax !== undefined };
}

function limitPhrase(limit: RecordLimit): string {
  const { model, max } = limit;
  const n = max.toLocaleString('en-US');
  if (limit.explicit || model === undefined) return `the limit of ${n} set in this rule's maxTokens`;
  if (model.provider === 'jumpstart') return `max_input_length, ${n} (JumpStart's default: min(1024, the model's maximum))`;
  if (model.provider === 'huggingface') return `max_length, ${n} (the default of ${model.label})`;
  return `${model.limitName} for ${model.label}, ${n} tokens`;
}

function consequence(limit: RecordLimit): string {
  const max = limit.max.toLocaleString('en-US');
  if (limit.model?.over === 'job-fails') return 'Bedrock fails the customization job on a record over its limit.';
  return `the trainer keeps the first ${max} tokens and never learns the rest, usually the end of the answer.`;
}

function advice(limit: RecordLimit): string {
  const provider = limit.model?.provider;
  if (limit.explicit) return 'Shorten it, split it into several records, or raise the trainer\'s limit and this rule\'s maxTokens together.';
  if (provider === 'jumpstart') return 'Shorten it, split it into several records, or raise max_input_length (and this rule\'s maxTokens) together.';
  if (provider === 'openai') return 'Shorten it, or split the conversation into several examples.';
  if (provider === 'huggingface') return 'Shorten it, split it, or raise max_length (and this rule\'s maxTokens) together.';
  return 'Shorten it, or split it into several records.';
}

function subject(view: RecordView): string {
  return view.format.startsWith('openai') ? 'This example' : 'This record';
}

function overTokens(view: RecordView, at: LineLocator, trained: TrainedText, count: CountUpTo, family: TokenizerFamily, limit: RecordLimit): Issue[] {
  // Counting stops once the limit is passed, so a huge record reads "more than", not its full count.
  const size = count.complete ? `is about ${count.tokens.toLocaleString('en-US')} tokens` : `is more than ${count.tokens.toLocaleString('en-US')} tokens (counting stopped there)`;
  const start = `${subject(view)} ${size} (${TOKENIZER_LABEL[family]} tokenizer, counting ${trained.how})`;
  return [{ rule: 'too-long', ...at.valueRange([]), message: `${start}, over ${limitPhrase(limit)}: ${consequence(limit)} ${advice(limit)}` }];
}

function overChars(view: RecordView, at: LineLocator, chars: number, quota: number, perToken: number, limit: RecordLimit): Issue[] {
  const label = limit.model?.label ?? 'this model';
  const start = `${subject(view)} has ${chars.toLocaleString('en-US')} characters, over ${label}'s quota of ${quota.toLocaleString('en-US')} (its ${limit.max.toLocaleString('en-US')}-token limit × ${perToken} characters a token, Bedrock's own estimate: the model's tokenizer is not public)`;
  return [{ rule: 'too-long', ...at.valueRange([]), message: `${start}: ${consequence(limit)} ${advice(limit)}` }];
}

export const tooLong: ContentRule = {
  id: 'too-long',
  defaultSeverity: 'warning',
  description: 'A record longer than its trainer takes, counted as the trainer counts it (JumpStart: the filled template against max_input_length; OpenAI: the model\'s per-example limit with o200k; Bedrock: the model\'s per-record limit).',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      tokenizer: {
        enum: ['auto', ...FAMILIES],
        description: 'The tokenizer to count with: auto (the format\'s and target model\'s: Llama 3 for JumpStart, Bedrock Llama and TRL, o200k for OpenAI), llama3 or o200k.',
        default: 'auto',
      },
      maxTokens: {
        anyOf: [{ const: 'auto' }, { type: 'integer', minimum: 1 }],
        description: 'The most tokens a record may have: auto (the format\'s and target model\'s limit, e.g. JumpStart\'s max_input_length 1024, 65,536 for gpt-4o-mini) or a number (e.g. the max_input_length you set).',
        default: 'auto',
      },
    },
  },
  defaultOptions: { tokenizer: 'auto', maxTokens: 'auto' },
  check(view: RecordView, at: LineLocator, options: RuleOptions, env: RuleEnv): Issue[] {
    const limit = recordLimit(view.format, options, env.targetModel);
    if (limit === undefined || view.fields.length === 0) return NONE;
    const ctx = env.context;
    const counting = limit.counting;
    if (counting.kind === 'chars') {
      const quota = limit.max * counting.perToken;
      let units = 2 * (view.fields.length - 1); // the blank lines between fields
      for (const f of view.fields) units += f.text.length;
      if (units <= quota) return NONE; // a character is at least one UTF-16 unit
      const chars = countChars(trainedText(view, ctx));
      return chars <= quota ? NONE : overChars(view, at, chars, quota, counting.perToken, limit);
    }
    const trained = mayExceedTokens(view, ctx, limit.max);
    if (trained === undefined) return NONE;
    const tokens = env.tokens;
    if (tokens === undefined) {
      env.needsTokens();
      return NONE;
    }
    const count = countTokensBounded(trained, tokens, counting.family, limit.max);
    return count.complete && count.tokens <= limit.max ? NONE : overTokens(view, at, trained, count, counting.family, limit);
  },
};
