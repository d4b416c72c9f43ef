/**
 * The fine-tuning hyperparameters of the SageMaker JumpStart Llama 3 8B text-generation models,
 * each with its type, default, allowed values and a one-line explanation, the ones that decide a
 * run first; and a validator a launch form can show the messages of.
 *
 * Source (every entry unless it says otherwise): AWS's JumpStart Llama 3 fine-tuning notebook,
 * section "3. Supported Hyper-parameters for fine-tuning" and "4. Supported Instance types",
 * https://github.com/aws/amazon-sagemaker-examples/blob/main/introduction_to_amazon_algorithms/jumpstart-foundation-models/llama-3-finetuning.ipynb
 * (read 2026-12-03). Its list is the same as the Llama 2 notebook's (llama-2-finetuning.ipynb),
 * with the 8B defaults where the two sizes differ.
 *
 * What this table is not: the hub spec of a given model version. SageMaker's public hub
 * (`DescribeHubContent` on `SageMakerPublicHub`, its `Hyperparameters` with Default/Min/Max/Options)
 * is authoritative for the version a job runs; the launch code should prefer it and fall back to
 * this table only when the hub cannot be read. Llama 3.1 / 3.2 ids are deliberately not listed:
 * no source at hand documents their list, so their specs must come from the hub.
 *
 * SageMaker passes every hyperparameter to the training script as a string
 * (CreateTrainingJob `HyperParameters`: map of string to string), so booleans are the strings
 * "True" / "False" and numbers are their decimal text.
 */

/** The JumpStart model ids the table below documents (the notebook's table of supported instances). */
export const LLAMA3_8B_MODEL_IDS = ['meta-textgeneration-llama-3-8b', 'meta-textgeneration-llama-3-8b-instruct'] as const;

/** The instance types the notebook lists as tested for fine-tuning Llama 3 8B and 8B Instruct. */
export const LLAMA3_8B_TRAINING_INSTANCES = ['ml.g5.12xlarge', 'ml.g5.24xlarge', 'ml.g5.48xlarge', 'ml.p3dn.24xlarge', 'ml.g4dn.12xlarge'] as const;

const NOTEBOOK = 'https://github.com/aws/amazon-sagemaker-examples/blob/main/introduction_to_amazon_algorithms/jumpstart-foundation-models/llama-3-finetuning.ipynb';
/** The project's existing source for chat_dataset, "False" by default (see src/core/formats/jumpstartHyperparameters.ts). */
const LLAMA3_BLOG = 'https://aws.amazon.com/blogs/machine-learning/fine-tune-llama-3-for-text-generation-on-amazon-sagemaker-jumpstart/';
/** The names of Llama's linear layers: LlamaAttention's q/k/v/o_proj and LlamaMLP's gate/up/down_proj. */
const LLAMA_MODULES_SOURCE = 'https://github.com/huggingface/transformers/blob/main/src/transformers/models/llama/modeling_llama.py';

export type HyperparameterKind = 'int' | 'float' | 'boolean' | 'text';

/** An inclusive or exclusive bound on a number. */
export interface Bound { readonly value: number; readonly inclusive: boolean }

export interface HyperparameterSpec {
  readonly name: string;
  readonly kind: HyperparameterKind;
  /** The default as SageMaker receives it; undefined when only the model's hub spec knows it. */
  readonly default: string | undefined;
  readonly min?: Bound;
  readonly max?: Bound;
  /** Accepts -1 besides the range ("all samples" / "the model's default length"). */
  readonly minusOne?: string;
  /** Accepts the text "None" besides the range. */
  readonly none?: string;
  /** For `text` values made of comma-separated names: the names allowed. */
  readonly names?: readonly string[];
  /** For `text` values: the only values allowed (the hub spec's `Options`). */
  readonly options?: readonly string[];
  /** One line for the form. */
  readonly explain: string;
  readonly source: string;
  /**
   * Set when the source above does not list this hyperparameter for these models: the form should
   * offer it only when the model's hub spec has it.
   */
  readonly unconfirmed?: string;
}

const TRUE_FALSE = 'boolean' as const;

/** Llama's linear layers, the names LoRA's target_modules can take. */
export const LLAMA_LINEAR_MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;

/**
 * Every hyperparameter, the ones that decide a run first: epochs, learning rate and the LoRA
 * settings (rank, alpha, dropout, which layers) are what the same dataset's 31 % and 88 % runs
 * differed by; then length, validation split and the dataset mode.
 */
export const LLAMA3_8B_HYPERPARAMETERS: readonly HyperparameterSpec[] = [
  {
    // The notebook words it "an integer greater than 1" while its own examples and the hub specs
    // start at 1 epoch (e.g. Min 1 in the SDK's hub-content fixtures); 1 is accepted.
    name: 'epoch', kind: 'int', default: '5', min: { value: 1, inclusive: true },
    explain: 'Passes over the training data. More epochs fit the data closer and overfit sooner: watch eval loss.',
    source: NOTEBOOK,
  },
  {
    name: 'learning_rate', kind: 'float', default: '0.0001', min: { value: 0, inclusive: false },
    explain: 'How far the weights move after each batch. Too high diverges, too low barely learns.',
    source: NOTEBOOK,
  },
  {
    name: 'lora_r', kind: 'int', default: '8', min: { value: 1, inclusive: true },
    explain: 'LoRA rank: the size of the adapter. Higher learns more and costs more memory.',
    source: NOTEBOOK,
  },
  {
    name: 'lora_alpha', kind: 'int', default: '32', min: { value: 1, inclusive: true },
    explain: 'LoRA scaling: the adapter\'s update is scaled by lora_alpha / lora_r.',
    source: NOTEBOOK,
  },
  {
    name: 'lora_dropout', kind: 'float', default: '0.05', min: { value: 0, inclusive: true }, max: { value: 1, inclusive: true },
    explain: 'Dropout on the adapter\'s inputs during training, a guard against overfitting.',
    source: NOTEBOOK,
  },
  {
    name: 'target_modules', kind: 'text', default: undefined, names: LLAMA_LINEAR_MODULES,
    explain: 'The layers LoRA adapts, comma-separated: query/value only ("q_proj,v_proj") or all linear layers. The default is the model\'s hub spec\'s.',
    source: LLAMA_MODULES_SOURCE,
    unconfirmed: 'Not in the notebook\'s list for Llama 3 8B: offer it only when the model\'s hub spec (DescribeHubContent) has it, with the hub\'s default.',
  },
  {
    name: 'max_input_length', kind: 'int', default: '-1', min: { value: 1, inclusive: true },
    minusOne: '-1 means min(1024, the tokenizer\'s maximum)',
    explain: 'The most tokens of a record the trainer reads; the rest is cut. -1: min(1024, the tokenizer\'s maximum).',
    source: NOTEBOOK,
  },
  {
    name: 'validation_split_ratio', kind: 'float', default: '0.2', min: { value: 0, inclusive: true }, max: { value: 1, inclusive: true },
    explain: 'Without a validation channel, the share of the training data held out for eval loss.',
    source: NOTEBOOK,
  },
  {
    name: 'instruction_tuned', kind: TRUE_FALSE, default: 'False',
    explain: 'True: instruction tuning, each record filled into template.json. Needs an instruction-format dataset.',
    source: NOTEBOOK,
  },
  {
    name: 'chat_dataset', kind: TRUE_FALSE, default: 'False',
    explain: 'True: chat fine-tuning, each record a dialog of turns. Needs a chat-format dataset.',
    source: LLAMA3_BLOG,
  },
  {
    name: 'per_device_train_batch_size', kind: 'int', default: '4', min: { value: 1, inclusive: true },
    explain: 'Training records per GPU per step.',
    source: NOTEBOOK,
  },
  {
    name: 'per_device_eval_batch_size', kind: 'int', default: '1', min: { value: 1, inclusive: true },
    explain: 'Evaluation records per GPU per step.',
    source: NOTEBOOK,
  },
  {
    name: 'int8_quantization', kind: TRUE_FALSE, default: 'False',
    explain: 'True: load the model in 8-bit for training (8B default False). Not with enable_fsdp.',
    source: NOTEBOOK,
  },
  {
    name: 'enable_fsdp', kind: TRUE_FALSE, default: 'True',
    explain: 'True: Fully Sharded Data Parallel training across the GPUs (8B default True). Not with int8_quantization.',
    source: NOTEBOOK,
  },
  {
    name: 'max_train_samples', kind: 'int', default: '-1', min: { value: 1, inclusive: true }, minusOne: '-1 means all of them',
    explain: 'Train on only this many records (for a quick trial); -1: all.',
    source: NOTEBOOK,
  },
  {
    name: 'max_val_samples', kind: 'int', default: '-1', min: { value: 1, inclusive: true }, minusOne: '-1 means all of them',
    explain: 'Evaluate on only this many records; -1: all.',
    source: NOTEBOOK,
  },
  {
    name: 'train_data_split_seed', kind: 'int', default: '0',
    explain: 'Fixes the random train/validation split when there is no validation channel.',
    source: NOTEBOOK,
  },
  {
    name: 'preprocessing_num_workers', kind: 'int', default: 'None', min: { value: 1, inclusive: true }, none: 'None means the main process',
    explain: 'Processes that preprocess the data; None: the main process only.',
    source: NOTEBOOK,
  },
];

const BY_NAME: ReadonlyMap<string, HyperparameterSpec> = new Map(LLAMA3_8B_HYPERPARAMETERS.map((h) => [h.name, h]));

/** The spec of one hyperparameter, or undefined for a name the table does not have. */
export function hyperparameterSpec(name: string): HyperparameterSpec | undefined {
  return BY_NAME.get(name);
}

/** The hyperparameters of a JumpStart model id this table documents, else undefined (read the hub spec). */
export function hyperparametersFor(modelId: string): readonly HyperparameterSpec[] | undefined {
  return (LLAMA3_8B_MODEL_IDS as readonly string[]).includes(modelId) ? LLAMA3_8B_HYPERPARAMETERS : undefined;
}

/** The defaults, as SageMaker receives them (only those the table knows). */
export function defaultHyperparameters(specs: readonly HyperparameterSpec[] = LLAMA3_8B_HYPERPARAMETERS): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of specs) if (h.default !== undefined) out[h.name] = h.default;
  return out;
}

/** A value as a form holds it, before it becomes SageMaker's string. */
export type HyperparameterValue = string | number | boolean;

export interface HyperparameterProblem {
  /** The hyperparameter the message is about (the first one, for a rule across two). */
  readonly name: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

/** The string SageMaker receives for a form value: booleans as "True" / "False". */
export function asHyperparameterString(value: HyperparameterValue): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value).trim();
}

function inBound(n: number, b: Bound | undefined, side: 'min' | 'max'): boolean {
  if (b === undefined) return true;
  if (side === 'min') return b.inclusive ? n >= b.value : n > b.value;
  return b.inclusive ? n <= b.value : n < b.value;
}

function rangeText(h: HyperparameterSpec): string {
  const parts: string[] = [];
  const low = h.min === undefined ? undefined : h.min.inclusive ? `at least ${h.min.value}` : `greater than ${h.min.value}`;
  const high = h.max === undefined ? undefined : h.max.inclusive ? `at most ${h.max.value}` : `less than ${h.max.value}`;
  if (h.min?.inclusive === true && h.max?.inclusive === true) parts.push(`between ${h.min.value} and ${h.max.value}`);
  else if (low !== undefined && high !== undefined) parts.push(`${low} and ${high}`);
  else if (low !== undefined) parts.push(low);
  else if (high !== undefined) parts.push(high);
  if (h.minusOne !== undefined) parts.push(`or -1 (${h.minusOne})`);
  if (h.none !== undefined) parts.push(`or None (${h.none})`);
  return parts.join(' ');
}

function checkOne(h: HyperparameterSpec, raw: HyperparameterValue): string | undefined {
  const text = asHyperparameterString(raw);
  if (h.kind === 'boolean') {
    return text === 'True' || text === 'False' ? undefined : `${h.name} is "${text}"; it must be "True" or "False".`;
  }
  if (h.kind === 'text') {
    if (h.options !== undefined) return h.options.includes(text) ? undefined : `${h.name} is "${text}"; it must be one of ${h.options.map((o) => `"${o}"`).join(', ')}.`;
    if (h.names === undefined) return undefined;
    const names = text.split(',').map((s) => s.trim());
    if (text === '' || names.some((n) => n === '')) return `${h.name} is empty or has an empty name; give layer names separated by commas, e.g. "q_proj,v_proj".`;
    const unknown = names.filter((n) => !h.names?.includes(n));
    if (unknown.length > 0) return `${h.name} names ${unknown.map((n) => `"${n}"`).join(', ')}, not a linear layer of Llama; use ${h.names.join(', ')}.`;
    return undefined;
  }
  if (h.none !== undefined && text === 'None') return undefined;
  const isInt = /^[+-]?\d+$/.test(text);
  const n = Number(text);
  if (text === '' || !Number.isFinite(n) || (h.kind === 'int' && !isInt)) {
    return `${h.name} is "${text}"; it must be ${h.kind === 'int' ? 'a whole number' : 'a number'}${rangeText(h) === '' ? '' : `, ${rangeText(h)}`}.`;
  }
  if (h.minusOne !== undefined && n === -1) return undefined;
  if (!inBound(n, h.min, 'min') || !inBound(n, h.max, 'max')) return `${h.name} is ${text}; it must be ${rangeText(h)}.`;
  return undefined;
}

/**
 * Checks a job's hyperparameters against `specs`: each value's type and range, names the table
 * does not have, and the combinations the notebook rules out. `values` are the ones the user set;
 * the rest take their defaults for the combination checks.
 */
export function validateHyperparameters(
  values: Readonly<Record<string, HyperparameterValue>>,
  specs: readonly HyperparameterSpec[] = LLAMA3_8B_HYPERPARAMETERS,
): HyperparameterProblem[] {
  const problems: HyperparameterProblem[] = [];
  const known = new Map(specs.map((h) => [h.name, h]));
  for (const [name, value] of Object.entries(values)) {
    const h = known.get(name);
    if (h === undefined) {
      // JumpStart's own SDK refuses such a name too (sagemaker/jumpstart/validators.py, "cannot find hyperparameter … in model specs").
      problems.push({ name, severity: 'error', message: `"${name}" is not a hyperparameter of this model: its spec has no such name. Remove it, or check the spelling.` });
      continue;
    }
    const wrong = checkOne(h, value);
    if (wrong !== undefined) problems.push({ name, severity: 'error', message: wrong });
  }
  const effective = (name: string): string | undefined => {
    const v = values[name];
    return v === undefined ? known.get(name)?.default : asHyperparameterString(v);
  };
  if (effective('instruction_tuned') === 'True' && effective('chat_dataset') === 'True') {
    problems.push({ name: 'instruction_tuned', severity: 'error', message: 'instruction_tuned and chat_dataset are both "True"; a dataset is read one way: set at most one of them to "True".' });
  }
  // The notebook's Note 1: int8 is not supported with FSDP, and neither on runs out of CUDA memory on g5.
  const int8 = effective('int8_quantization');
  const fsdp = effective('enable_fsdp');
  if (int8 === 'True' && fsdp === 'True') {
    problems.push({ name: 'int8_quantization', severity: 'error', message: 'int8_quantization and enable_fsdp are both "True"; JumpStart does not support int8 quantization with FSDP. Set exactly one of them to "True".' });
  } else if (int8 === 'False' && fsdp === 'False') {
    problems.push({ name: 'int8_quantization', severity: 'warning', message: 'int8_quantization and enable_fsdp are both "False"; JumpStart notes this runs out of CUDA memory on every g5 instance. Set exactly one of them to "True".' });
  }
  return problems;
}
