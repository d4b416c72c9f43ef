/**
 * The JumpStart training hyperparameters a dataset's format needs. JumpStart's Llama fine-tuning
 * reads one dataset in three ways, chosen by two hyperparameters (strings "True" / "False", both
 * "False" by default, at most one "True"):
 * - `instruction_tuned="True"`: instruction tuning, each record filled into template.json;
 * - `chat_dataset="True"`: chat fine-tuning, each record a `dialog` of turns;
 * - both "False": domain adaptation on the `text` of each record.
 *
 * Source: "Fine-tune Llama 3 for text generation on Amazon SageMaker JumpStart"
 * (https://aws.amazon.com/blogs/machine-learning/fine-tune-llama-3-for-text-generation-on-amazon-sagemaker-jumpstart/,
 * its list of supported hyperparameters) and the JumpStart example notebook
 * aws/amazon-sagemaker-examples introduction_to_amazon_algorithms/jumpstart-foundation-models/llama-3-finetuning.ipynb
 * (`estimator.set_hyperparameters(instruction_tuned="True", …)`, `chat_dataset="True"` for dialog data).
 */
import type { FormatId } from '../lint/types';

export interface JumpStartHyperparameters {
  readonly instruction_tuned: 'True' | 'False';
  readonly chat_dataset: 'True' | 'False';
}

const BY_FORMAT: Partial<Record<FormatId, JumpStartHyperparameters>> = {
  'jumpstart-instruction': { instruction_tuned: 'True', chat_dataset: 'False' },
  'jumpstart-chat': { instruction_tuned: 'False', chat_dataset: 'True' },
  text: { instruction_tuned: 'False', chat_dataset: 'False' },
};

/** The hyperparameters JumpStart needs for a dataset of `format`; undefined for a format JumpStart does not read. */
export function jumpstartHyperparameters(format: FormatId): JumpStartHyperparameters | undefined {
  return BY_FORMAT[format];
}

/** One line for the dataset hover, e.g. `JumpStart: instruction_tuned="True", chat_dataset="False"`. */
export function jumpstartHyperparameterHint(format: FormatId): string | undefined {
  const h = BY_FORMAT[format];
  if (h === undefined) return undefined;
  const what = format === 'jumpstart-instruction' ? 'instruction tuning' : format === 'jumpstart-chat' ? 'chat fine-tuning' : 'domain adaptation';
  return `JumpStart ${what}: train with instruction_tuned="${h.instruction_tuned}", chat_dataset="${h.chat_dataset}"`;
}
