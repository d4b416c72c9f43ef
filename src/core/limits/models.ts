/**
 * The models a dataset is fine-tuned for, and the limits each provider documents for them: the
 * most tokens one example may have, how the provider counts them, what happens to an example over
 * the limit, and the dataset-level limits (examples, file size). Every number cites its source.
 *
 * A format maps to a default model (`DEFAULT_MODEL`); the `targetModel` setting picks another
 * where a format serves several (OpenAI's gpt-4.1-nano has half gpt-4o-mini's limit). A format
 * with no documented per-example limit (Vertex AI Gemini, Amazon Nova, or a format added later)
 * has no default model, and `too-long` only checks it when its `maxTokens` option is set.
 */
import type { TokenizerFamily } from '../lint/types';

/**
 * How a provider measures an example: with a tokenizer TuneLab has, or — where the model's
 * tokenizer is not public (Amazon Titan, Anthropic Claude) — in characters, against the token
 * limit times Bedrock's own estimate of 6 characters a token.
 */
export type Counting = { readonly kind: 'tokens'; readonly family: TokenizerFamily } | { readonly kind: 'chars'; readonly perToken: number };

/** What the provider does with an example over the limit. */
export type OverLimit = 'truncated' | 'job-fails';

export type Provider = 'jumpstart' | 'openai' | 'bedrock' | 'huggingface';

/** A limit and where it is documented. */
export interface Sourced<T> { readonly value: T; readonly source: string }

export interface DatasetLimits {
  /** The fewest training examples a job accepts. */
  readonly minExamples?: Sourced<number>;
  /** Whether `minExamples` counts training and validation records together (Bedrock's Llama quotas). */
  readonly minCountsValidation?: boolean;
  /** The most training examples (records) a job accepts. */
  readonly maxExamples?: Sourced<number>;
  readonly maxValidationExamples?: Sourced<number>;
  /** The largest training file, in bytes. */
  readonly maxBytes?: Sourced<number>;
  readonly maxValidationBytes?: Sourced<number>;
}

export interface TargetModel {
  readonly id: string;
  /** How messages name it, e.g. "gpt-4o-mini" or "Meta Llama 3.1 on Bedrock". */
  readonly label: string;
  readonly provider: Provider;
  /**
   * The dataset formats this model is fine-tuned from; the model applies only to them. Format ids
   * as strings, so an entry can name a format before (or without) its module.
   */
  readonly formats: readonly string[];
  /** The most tokens one example may have. */
  readonly maxTokens: number;
  /** What the limit is called, for messages: "max_input_length", "the per-example limit"… */
  readonly limitName: string;
  readonly counting: Counting;
  readonly over: OverLimit;
  /** The page or file the limit comes from. */
  readonly source: string;
  readonly dataset: DatasetLimits;
}

const MB = 1024 * 1024;
const GB = 1024 * MB;

// Sources, cited once each.
/** AWS's JumpStart Llama fine-tuning notebook, "Supported Hyper-parameters for fine-tuning" (max_input_length). */
export const JUMPSTART_SOURCE = 'https://github.com/aws/amazon-sagemaker-examples/blob/main/introduction_to_amazon_algorithms/jumpstart-foundation-models/llama-2-finetuning.ipynb';
/** OpenAI's fine-tuning guide ("Token limits", "at least 10 examples"). */
const OPENAI_GUIDE = 'https://platform.openai.com/docs/guides/fine-tuning';
/** The per-model "Training example context length" table (Azure OpenAI serves the same models). */
const OPENAI_MODELS = 'https://learn.microsoft.com/azure/ai-foundry/openai/concepts/models#fine-tuning-models';
/** OpenAI's API reference, POST /files: "Individual files can be up to 512 MB". */
const OPENAI_FILES = 'https://platform.openai.com/docs/api-reference/files/create';
/** Bedrock's "Model requirements for training and validation datasets". */
const BEDROCK_SOURCE = 'https://docs.aws.amazon.com/bedrock/latest/userguide/model-customization-prepare.html#model-training-validation-requirements';
/** TRL's SFTConfig: `max_length` defaults to 1024, longer sequences are truncated. */
export const TRL_SOURCE = 'https://github.com/huggingface/trl/blob/main/trl/trainer/sft_config.py';

const OPENAI_DATASET: DatasetLimits = {
  // "To fine-tune a model, you are required to provide at least 10 examples."
  minExamples: { value: 10, source: OPENAI_GUIDE },
  maxBytes: { value: 512 * MB, source: OPENAI_FILES },
  maxValidationBytes: { value: 512 * MB, source: OPENAI_FILES },
};

/** Bedrock's Titan Text models: 4,096 tokens at batch size 1, 1 GB training and 100 MB validation files. */
const TITAN_DATASET: DatasetLimits = {
  maxBytes: { value: GB, source: BEDROCK_SOURCE },
  maxValidationBytes: { value: 100 * MB, source: BEDROCK_SOURCE },
};

/** Bedrock's Meta Llama 3.x: 100 to 10,000 training and validation records together. */
const BEDROCK_LLAMA_DATASET: DatasetLimits = {
  minExamples: { value: 100, source: BEDROCK_SOURCE },
  minCountsValidation: true,
  maxExamples: { value: 10_000, source: BEDROCK_SOURCE },
};

const OPENAI_SFT: readonly string[] = ['openai-chat', 'openai-dpo'];
const BEDROCK_TEXT: readonly string[] = ['bedrock-prompt', 'bedrock-conversation'];
const LLAMA3: Counting = { kind: 'tokens', family: 'llama3' };
const O200K: Counting = { kind: 'tokens', family: 'o200k' };
/** Bedrock: "Character quota per sample in dataset: Token quota x 6 (estimated)". */
const BEDROCK_CHARS: Counting = { kind: 'chars', perToken: 6 };

function openai(id: string, maxTokens: number, formats: readonly string[] = OPENAI_SFT): TargetModel {
  return {
    id, label: id, provider: 'openai', formats, maxTokens, limitName: 'OpenAI\'s limit per training example',
    counting: O200K, over: 'truncated', source: OPENAI_MODELS, dataset: OPENAI_DATASET,
  };
}

function bedrock(id: string, label: string, maxTokens: number, counting: Counting, formats: readonly string[], dataset: DatasetLimits): TargetModel {
  return { id, label, provider: 'bedrock', formats, maxTokens, limitName: 'Bedrock\'s limit per record', counting, over: 'job-fails', source: BEDROCK_SOURCE, dataset };
}

/** Every model TuneLab knows limits for, by id. */
export const TARGET_MODELS: readonly TargetModel[] = [
  {
    // max_input_length: "If -1, max_input_length is set to the minimum of 1024 and the maximum model
    // length defined by the tokenizer" (default -1); "Sequences longer than this will be truncated."
    id: 'jumpstart-llama-3', label: 'Llama 3 on SageMaker JumpStart', provider: 'jumpstart',
    formats: ['jumpstart-instruction', 'jumpstart-chat'], maxTokens: 1024, limitName: 'max_input_length',
    counting: LLAMA3, over: 'truncated', source: JUMPSTART_SOURCE, dataset: {},
  },
  // Training example context length per model (OPENAI_MODELS); OpenAI: "Examples longer than the
  // default will be truncated to the maximum context length, which removes tokens from the end".
  openai('gpt-4o-mini', 65_536),
  openai('gpt-4o', 65_536),
  openai('gpt-4.1', 65_536),
  openai('gpt-4.1-mini', 65_536),
  openai('gpt-4.1-nano', 32_768),
  openai('o4-mini', 65_536, ['openai-rft']),
  bedrock('meta-llama-3.1', 'Meta Llama 3.1 on Bedrock', 16_000, LLAMA3, BEDROCK_TEXT, BEDROCK_LLAMA_DATASET),
  bedrock('meta-llama-3.2', 'Meta Llama 3.2 on Bedrock', 16_000, LLAMA3, BEDROCK_TEXT, BEDROCK_LLAMA_DATASET),
  bedrock('meta-llama-3.2-90b', 'Meta Llama 3.2 90B on Bedrock', 10_000, LLAMA3, BEDROCK_TEXT, BEDROCK_LLAMA_DATASET),
  bedrock('meta-llama-3.3', 'Meta Llama 3.3 on Bedrock', 16_000, LLAMA3, BEDROCK_TEXT, BEDROCK_LLAMA_DATASET),
  bedrock('titan-text-express', 'Amazon Titan Text G1 - Express', 4_096, BEDROCK_CHARS, ['bedrock-prompt'], TITAN_DATASET),
  bedrock('titan-text-lite', 'Amazon Titan Text G1 - Lite', 4_096, BEDROCK_CHARS, ['bedrock-prompt'], TITAN_DATASET),
  bedrock('titan-text-premier', 'Amazon Titan Text Premier', 4_096, BEDROCK_CHARS, ['bedrock-prompt'], TITAN_DATASET),
  bedrock('claude-3-haiku', 'Anthropic Claude 3 Haiku on Bedrock', 32_000, BEDROCK_CHARS, ['bedrock-haiku'], {
    minExamples: { value: 32, source: BEDROCK_SOURCE },
    maxExamples: { value: 10_000, source: BEDROCK_SOURCE },
    maxValidationExamples: { value: 1_000, source: BEDROCK_SOURCE },
    maxBytes: { value: 10 * GB, source: BEDROCK_SOURCE },
    maxValidationBytes: { value: GB, source: BEDROCK_SOURCE },
  }),
  {
    // Hugging Face TRL's SFTTrainer (and the Alpaca / ShareGPT / text scripts built on it):
    // max_length 1024 by default, "Sequences longer than `max_length` are truncated".
    id: 'trl', label: 'a Hugging Face TRL trainer', provider: 'huggingface',
    formats: ['trl-sft', 'trl-preference', 'alpaca', 'sharegpt', 'text'], maxTokens: 1024, limitName: 'max_length',
    counting: LLAMA3, over: 'truncated', source: TRL_SOURCE, dataset: {},
  },
];

const BY_ID = new Map<string, TargetModel>(TARGET_MODELS.map((m) => [m.id, m]));

/**
 * The model each format is fine-tuned for unless `targetModel` says otherwise. A format missing
 * here (Vertex AI Gemini, Nova, one added later) has no documented limit: see `modelFor`.
 */
const DEFAULT_MODEL: Readonly<Record<string, string>> = {
  'jumpstart-instruction': 'jumpstart-llama-3',
  'jumpstart-chat': 'jumpstart-llama-3',
  'openai-chat': 'gpt-4o-mini',
  'openai-dpo': 'gpt-4o-mini',
  'openai-rft': 'o4-mini',
  'bedrock-prompt': 'titan-text-express',
  'bedrock-conversation': 'meta-llama-3.1',
  'bedrock-haiku': 'claude-3-haiku',
  'trl-sft': 'trl',
  'trl-preference': 'trl',
  alpaca: 'trl',
  sharegpt: 'trl',
  text: 'trl',
};

export const TARGET_MODEL_IDS: readonly string[] = TARGET_MODELS.map((m) => m.id);

export function targetModelById(id: string): TargetModel | undefined {
  return BY_ID.get(id);
}

/**
 * The model whose limits apply to a dataset in `format`: the `targetModel` setting when that model
 * is fine-tuned from this format, else the format's default; undefined for a format with no
 * documented limits.
 */
export function modelFor(format: string, targetModel: string | undefined): TargetModel | undefined {
  const chosen = targetModel === undefined ? undefined : BY_ID.get(targetModel);
  if (chosen !== undefined && chosen.formats.includes(format)) return chosen;
  const id = Object.hasOwn(DEFAULT_MODEL, format) ? DEFAULT_MODEL[format] : undefined;
  return id === undefined ? undefined : BY_ID.get(id);
}
