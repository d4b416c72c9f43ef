/**
 * JumpStart's instruction-tuning template: the text a fine-tuned model was trained on, shared by
 * the lint (which counts its tokens) and the SageMaker endpoint (which builds the same prompt at
 * inference). One definition, so the two can never drift apart.
 */

/** JumpStart's `template.json`: the prompt with `{field}` placeholders and the completion's. */
export interface JumpStartTemplate { readonly prompt: string; readonly completion: string }

/**
 * JumpStart's built-in instruction template, used when the training folder has no template.json.
 * Source: the "Instruction fine-tuning" appendix of AWS's JumpStart Llama notebooks ("If no
 * template file is given, the following template will be used"), aws/amazon-sagemaker-examples,
 * introduction_to_amazon_algorithms/jumpstart-foundation-models/llama-3-finetuning.ipynb (and
 * llama-2-finetuning.ipynb). Its prompt ends at `{context}` and its completion has no leading
 * space; the same notebooks' Dolly example writes a different template.json of its own
 * ("…{context}\n\n" and " {response}"), which is a user's template, not the built-in one.
 */
export const DEFAULT_JUMPSTART_TEMPLATE: JumpStartTemplate = {
  prompt: 'Below is an instruction that describes a task, paired with an input that provides further context. '
    + 'Write a response that appropriately completes the request.\n\n### Instruction:\n{instruction}\n\n### Input:\n{context}',
  completion: '{response}',
};
