/**
 * The Llama 3.x Instruct chat templates, rendered as the Hugging Face tokenizers' `chat_template`
 * renders them (`apply_chat_template(messages, tokenize=False, add_generation_prompt=True)`), and
 * which of them a model id names. Pure.
 *
 * Sources (each model's tokenizer_config.json `chat_template` on the Hugging Face Hub):
 * - meta-llama/Meta-Llama-3-8B-Instruct (3.0): every turn is
 *   `<|start_header_id|>{role}<|end_header_id|>\n\n{content|trim}<|eot_id|>`, `bos_token` before the
 *   first; no system block of its own.
 * - meta-llama/Llama-3.1-8B-Instruct (and Llama-3.3-70B-Instruct): the first message, when it is
 *   a system message, is taken out (trimmed); a system block is always written:
 *   "Cutting Knowledge Date: December 2023\n" + "Today Date: " + date_string + "\n\n" + system,
 *   with `date_string` "26 Jul 2024" unless the caller passes one.
 * - meta-llama/Llama-3.2-1B-Instruct / 3B-Instruct: the same block, but `date_string` is
 *   `strftime_now("%d %b %Y")` (today) where the renderer provides it, as transformers does.
 *
 * JumpStart's chat fine-tuning (`chat_dataset=True`) trains on this rendering, and AWS's notebook
 * prompts the tuned endpoint with it (aws/amazon-sagemaker-examples,
 * introduction_to_amazon_algorithms/jumpstart-foundation-models/llama3.1-fine-tuning.ipynb:
 * `tokenizer.apply_chat_template(dialog, tokenize=False, add_generation_prompt=True)` with the
 * Meta-Llama-3.1 Instruct tokenizer, sent as `inputs`).
 */
import type { ChatMessage } from '../types';

/** Which Llama 3 chat template: 3.0 has no system block; 3.1 and 3.3 date it 26 Jul 2024; 3.2 dates it today. */
export type LlamaChatVersion = '3.0' | '3.1' | '3.2' | '3.3';

export const LLAMA3_EOT = '<|eot_id|>';
const BOS = '<|begin_of_text|>';
const FIXED_DATE = '26 Jul 2024';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/**
 * The Llama 3 generation a model id names: a JumpStart id (`meta-textgeneration-llama-3-1-8b-instruct`,
 * `meta-textgeneration-llama-3-8b`), a Hugging Face id (`meta-llama/Llama-3.2-3B-Instruct`,
 * `Meta-Llama-3-8B-Instruct`) or an Ollama-style name (`llama3.1:8b`). A number right after
 * "llama-3-" that ends in "b" is the size, not a minor version (`llama-3-8b` is 3.0). Undefined for
 * anything that is not Llama 3.0–3.3.
 */
export function llamaChatVersion(modelId: string): LlamaChatVersion | undefined {
  const m = /llama[-_ ]?3(?!\d)(?:[-._](\d+)(?![\d]*b))?/i.exec(modelId);
  if (m === null) return undefined;
  switch (m[1]) {
    case undefined: case '0': return '3.0';
    case '1': return '3.1';
    case '2': return '3.2';
    case '3': return '3.3';
    default: return undefined;
  }
}

/** `strftime("%d %b %Y")` in the C locale, as transformers' `strftime_now` writes it: "03 Dec 2026". */
export function strftimeDate(date: Date): string {
  return `${String(date.getDate()).padStart(2, '0')} ${MONTHS[date.getMonth()] ?? ''} ${date.getFullYear()}`;
}

/**
 * The prompt a Llama 3.x Instruct model (or one chat-tuned on its template) continues: the
 * conversation, then the assistant header. `today` is the date Llama 3.2's template writes.
 */
export function renderLlamaChat(messages: readonly ChatMessage[], version: LlamaChatVersion = '3.0', today: Date = new Date()): string {
  const turn = (m: ChatMessage): string => `<|start_header_id|>${m.role}<|end_header_id|>\n\n${m.content.trim()}${LLAMA3_EOT}`;
  const header = '<|start_header_id|>assistant<|end_header_id|>\n\n';
  if (version === '3.0') {
    // The 3.0 template puts bos_token before the first message only.
    return messages.map((m, i) => (i === 0 ? BOS : '') + turn(m)).join('') + header;
  }
  const first = messages[0];
  const system = first?.role === 'system' ? first.content.trim() : '';
  const rest = first?.role === 'system' ? messages.slice(1) : messages;
  const date = version === '3.2' ? strftimeDate(today) : FIXED_DATE;
  const block = `<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: ${date}\n\n${system}${LLAMA3_EOT}`;
  return BOS + block + rest.map(turn).join('') + header;
}
