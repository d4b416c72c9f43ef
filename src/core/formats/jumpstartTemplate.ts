/**
 * JumpStart's instruction-tuning template: the text a fine-tuned model was trained on, shared by
 * the lint (which counts its tokens) and the SageMaker endpoint (which builds the same prompt at
 * inference). One definition, so the two can never drift apart.
 */

/** JumpStart's `template.json`: the prompt with `{field}` placeholders and the completion's. */
export interface JumpStartTemplate { readonly prompt: string; readonly completion: string }

/** JumpStart's default instruction-tuning template (used when the dataset has no template.json). */
export const DEFAULT_JUMPSTART_TEMPLATE: JumpStartTemplate = {
  prompt: 'Below is an instruction that describes a task, paired with an input that provides further context. '
    + 'Write a response that appropriately completes the request.\n\n### Instruction:\n{instruction}\n\n### Input:\n{context}\n\n',
  completion: ' {response}',
};
