/**
 * What `auto` sends to a SageMaker endpoint, from what the endpoint's settings say about the model
 * behind it. Pure.
 *
 * The model TuneLab is made for is one fine-tuned on JumpStart, and the worst mistake is to show
 * it a prompt it was not trained on (it then looks worse than it is, in Prompt Lab and to the
 * judge). So, in order:
 * 1. A `template` (the dataset's template.json): the model was instruction-tuned on it.
 * 2. A model id naming an Instruct or chat model (`…-instruct`, `…-chat`, JumpStart's Llama 2
 *    chat ids ending in `-f`): the Messages API, so the container applies the model's own chat
 *    template; for Llama 3.x, the same template rendered here when the container refuses it.
 * 3. Anything else (a base model, or no model id): JumpStart's built-in instruction template, what
 *    an instruction fine-tune without template.json was trained on (and how AWS's notebooks prompt
 *    the base model they compare it with); the Messages API only if the container refuses text
 *    inputs, which no JumpStart text-generation container does.
 * A model chat-tuned from a base model (`chat_dataset=True`) cannot be told from its id: its
 * endpoint needs `"payload": "llama3-chat"` (TuneLab: List SageMaker Endpoints sets it when the
 * training job says so).
 */
import type { SageMakerPayload } from '../config';
import { llamaChatVersion } from './llamaChat';
import type { PayloadFamily } from './payloads';

/** How a JumpStart training job fine-tuned the model (see `discover.ts`). */
export type Tuning = 'instruction' | 'chat' | 'domain-adaptation';

/** What a listing learned about the model behind an endpoint. */
export interface ServedModel {
  /** The JumpStart model id the endpoint was deployed from (the base model's, for a fine-tune). */
  readonly modelId?: string;
  readonly tuning?: Tuning;
}

/** Whether a model id names an instruction- or chat-tuned model (not a base model). */
export function isChatModel(modelId: string): boolean {
  return /instruct|chat/i.test(modelId) || /^meta-textgeneration-llama-2-\d+b-f$/i.test(modelId);
}

/** The families `auto` tries, in order; a later one only after a bad request to the one before. */
export function autoFamilies(hasTemplate: boolean, modelId: string | undefined): readonly PayloadFamily[] {
  if (hasTemplate) return ['jumpstart-text'];
  if (modelId !== undefined && isChatModel(modelId)) {
    return llamaChatVersion(modelId) === undefined ? ['messages'] : ['messages', 'llama3-chat'];
  }
  return ['jumpstart-text', 'messages'];
}

/**
 * The payload setting that prompts a listed endpoint's model as it was trained: its instruction
 * template, its chat template (rendered here for Llama 3.x, by the container otherwise), or
 * `auto` when the training job is not known.
 */
export function payloadFor(served: ServedModel): SageMakerPayload {
  if (served.tuning === 'instruction') return 'jumpstart-text';
  if (served.tuning === 'chat') return served.modelId !== undefined && llamaChatVersion(served.modelId) !== undefined ? 'llama3-chat' : 'messages';
  return 'auto';
}
