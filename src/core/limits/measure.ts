/**
 * What a trainer tokenizes for one record, per format, so `too-long`, the hover and the Dataset
 * Stats page count what the provider counts rather than the bare field text.
 *
 * - JumpStart instruction: the template's prompt filled with the record, the response
 *   demarcation, the completion filled, between the Llama 3 begin and end tokens. AWS's notes on
 *   its Llama fine-tuning scripts: "Instruction tuning dataset is first converted into domain
 *   adaptation dataset format" and the scripts "are based on" llama-recipes, whose
 *   InstructionDataset tokenizes `prompt + output` whole with the tokenizer's BOS and appends
 *   `eos_token_id` (meta-llama/llama-recipes, src/llama_recipes/datasets/alpaca_dataset.py); the
 *   notebooks insert "\n\n### Response:\n" between prompt and completion ("For instruction
 *   fine-tuning, we insert a special key between input and output", llama-2-finetuning.ipynb).
 * - JumpStart chat: the Llama 3 chat template, `<|begin_of_text|>` then per turn
 *   `<|start_header_id|>role<|end_header_id|>\n\n` + content + `<|eot_id|>` (Meta's Llama 3 model
 *   card, "Prompt format"); the tokenizer reads each special token as one token.
 * - OpenAI: each message costs 3 tokens plus its role and content, and every example 3 more
 *   (openai/openai-cookbook, examples/Chat_finetuning_data_prep.ipynb, `num_tokens_from_messages`
 *   with o200k_base). A preference record trains on the prompt with each answer: the longer pair
 *   counts.
 * - Bedrock and Hugging Face trainers: the fields' text; Bedrock adds a template of its own that
 *   it does not publish.
 */
import { DEFAULT_JUMPSTART_TEMPLATE } from '../formats/jumpstartTemplate';
import { fillTemplate } from '../formats/template';
import type { FieldRole, FormatContext, RecordView, TextField, TokenCounter, TokenizerFamily } from '../lint/types';
import { utf8Length, utf8LengthUpTo } from '../tokens/bytes';
import { countTokensUpTo, type CountUpTo } from '../tokens/countUpTo';

/** The begin and end tokens the trainer adds around a JumpStart instruction record. */
const JUMPSTART_EXTRA_TOKENS = 2;

/** Between the filled prompt and the filled completion (the notebooks' `input_output_demarkation_key`). */
export const JUMPSTART_DEMARCATION = '\n\n### Response:\n';

/** A record as the trainer sees it: texts tokenized apart, the longest `alternatives` one added, and fixed tokens. */
export interface TrainedText {
  /** Text every sequence shares (the prompt side, or the whole record). */
  readonly shared: string;
  /** For preference records: each answer side, trained with `shared`; the longest counts. */
  readonly alternatives: readonly string[];
  /** Tokens the trainer adds that are not in the text (BOS/EOS, OpenAI's per-message overhead). */
  readonly extraTokens: number;
  /** What the count includes, for messages: "template.json filled, with begin and end tokens". */
  readonly how: string;
}

const SEPARATOR = '\n\n';
const LLAMA3_ROLE: Partial<Record<FieldRole, string>> = { system: 'system', prompt: 'user', answer: 'assistant' };

/** The text of a record in the generic way: every field, in order, a blank line apart. */
function plainText(view: RecordView): string {
  return view.fields.map((f) => f.text).join(SEPARATOR);
}

/** What the trainer of `view.format` tokenizes for the record. */
export function trainedText(view: RecordView, ctx: FormatContext | undefined): TrainedText {
  const format: string = view.format; // a string: the table may name formats added later
  switch (format) {
    case 'jumpstart-instruction': return jumpstartInstruction(view, ctx);
    case 'jumpstart-chat': return llama3Chat(view);
    case 'openai-chat':
    case 'openai-dpo':
    case 'openai-rft':
      return openaiMessages(view);
    default:
      return { shared: plainText(view), alternatives: [], extraTokens: 0, how: 'the text of its fields' };
  }
}

function jumpstartInstruction(view: RecordView, ctx: FormatContext | undefined): TrainedText {
  const template = ctx?.template ?? DEFAULT_JUMPSTART_TEMPLATE;
  const values = new Map<string, string>();
  for (const f of view.fields) {
    const key = f.path[0];
    if (typeof key === 'string' && f.path.length === 1) values.set(key, f.text);
  }
  const get = (name: string): string | undefined => values.get(name);
  const text = fillTemplate(template.prompt, get) + JUMPSTART_DEMARCATION + fillTemplate(template.completion, get);
  const which = ctx?.template === undefined ? 'JumpStart\'s built-in template' : 'template.json';
  // The begin-of-text token tokenizer.encode adds, and the eos_token_id appended after it.
  return { shared: text, alternatives: [], extraTokens: JUMPSTART_EXTRA_TOKENS, how: `${which} filled with the record, "### Response:" and the begin and end tokens` };
}

function llama3Chat(view: RecordView): TrainedText {
  let text = '<|begin_of_text|>';
  for (const f of view.fields) {
    const role = LLAMA3_ROLE[f.role] ?? 'user';
    text += `<|start_header_id|>${role}<|end_header_id|>\n\n${f.text}<|eot_id|>`;
  }
  return { shared: text, alternatives: [], extraTokens: 0, how: 'the Llama 3 chat template (each turn\'s header and end token)' };
}

/** A message of an OpenAI record: the fields under one `[list, index]` path prefix. */
interface Message { readonly key: string; readonly side: string; text: string }

/** Which answer side a path belongs to in a preference record, '' for the shared prompt. */
function sideOf(path: TextField['path']): string {
  const top = path[0];
  return top === 'preferred_output' || top === 'non_preferred_output' ? top : '';
}

function openaiMessages(view: RecordView): TrainedText {
  const messages: Message[] = [];
  let last: Message | undefined;
  for (const f of view.fields) {
    // A message is the prefix up to the list index: ['messages', 2] or ['input', 'messages', 0].
    const at = f.path.findIndex((p) => typeof p === 'number');
    const key = at < 0 ? f.path.join('\u0000') : f.path.slice(0, at + 1).join('\u0000');
    if (last?.key !== key) {
      last = { key, side: sideOf(f.path), text: '' };
      messages.push(last);
    }
    last.text += f.text;
  }
  let shared = '';
  const sides = new Map<string, string>();
  let sharedMessages = 0;
  const sideMessages = new Map<string, number>();
  for (const m of messages) {
    if (m.side === '') {
      shared += m.text;
      sharedMessages++;
    } else {
      sides.set(m.side, (sides.get(m.side) ?? '') + m.text);
      sideMessages.set(m.side, (sideMessages.get(m.side) ?? 0) + 1);
    }
  }
  // 3 tokens of framing and 1 for the role per message ("system", "user", "assistant" and "tool"
  // are one o200k token each), and 3 priming the reply. A preference record is counted with its
  // longer answer side, whose messages add their own overhead: take the most of them.
  const mostSideMessages = Math.max(0, ...sideMessages.values());
  const extraTokens = 4 * (sharedMessages + mostSideMessages) + 3;
  return { shared, alternatives: [...sides.values()], extraTokens, how: 'the messages with OpenAI\'s per-message overhead' };
}

/** What a template adds to every record: its literal text's bytes, and how often it fills in each field. */
interface TemplateCost { readonly literalBytes: number; readonly uses: ReadonlyMap<string, number> }
const templateCosts = new WeakMap<NonNullable<FormatContext['template']>, TemplateCost>();

function templateCost(template: NonNullable<FormatContext['template']>): TemplateCost {
  let cost = templateCosts.get(template);
  if (cost === undefined) {
    const uses = new Map<string, number>();
    const use = (name: string): string => { uses.set(name, (uses.get(name) ?? 0) + 1); return ''; };
    const literal = fillTemplate(template.prompt, use) + JUMPSTART_DEMARCATION + fillTemplate(template.completion, use);
    cost = { literalBytes: utf8Length(literal), uses };
    templateCosts.set(template, cost);
  }
  return cost;
}

/** Bytes of framing a trainer may add per field (Llama 3 chat: a turn's header and end token) and once. */
const FIELD_FRAMING_BYTES = 64;
const RECORD_FRAMING_BYTES = 32;

/**
 * Is the trained text at most `budget` UTF-8 bytes? Measured from the fields without building the
 * text: for JumpStart instruction, the template's literal bytes plus each field's bytes times the
 * number of times the template fills it in; otherwise the fields' bytes plus their framing.
 */
function fitsInBytes(view: RecordView, ctx: FormatContext | undefined, budget: number): boolean {
  let left = budget;
  if (view.format === 'jumpstart-instruction') {
    const cost = templateCost(ctx?.template ?? DEFAULT_JUMPSTART_TEMPLATE);
    left -= cost.literalBytes;
    for (const f of view.fields) {
      const key = f.path[0];
      const uses = f.path.length === 1 && typeof key === 'string' ? cost.uses.get(key) ?? 0 : 0;
      if (uses === 0 || left < 0) continue;
      const bytes = utf8LengthUpTo(f.text, Math.floor(left / uses));
      if (bytes < 0) return false;
      left -= bytes * uses;
    }
    return left >= 0;
  }
  left -= RECORD_FRAMING_BYTES;
  for (const f of view.fields) {
    left -= FIELD_FRAMING_BYTES;
    if (left < 0) return false;
    const bytes = utf8LengthUpTo(f.text, left);
    if (bytes < 0) return false;
    left -= bytes;
  }
  return left >= 0;
}

/** An upper bound on the UTF-16 units of the trained text, without building it. */
function unitsBound(view: RecordView, ctx: FormatContext | undefined): number {
  let units = 0;
  for (const f of view.fields) units += f.text.length + 64; // headers and separators per field
  if (view.format === 'jumpstart-instruction') {
    const t = ctx?.template ?? DEFAULT_JUMPSTART_TEMPLATE;
    units += t.prompt.length + t.completion.length + JUMPSTART_DEMARCATION.length;
  }
  return units;
}

/**
 * Could the record exceed `max` tokens? A byte-level BPE token covers at least one UTF-8 byte,
 * so text of at most `max - extra` bytes never has more than `max` tokens, and most records are
 * decided without tokenizing (or, when short enough, without even building the text).
 */
export function mayExceedTokens(view: RecordView, ctx: FormatContext | undefined, max: number): TrainedText | undefined {
  if (view.fields.length === 0) return undefined;
  // At most three UTF-8 bytes per UTF-16 unit, and at most 4 × fields + 3 extra tokens.
  const extra = view.format === 'jumpstart-instruction' ? JUMPSTART_EXTRA_TOKENS : 4 * view.fields.length + 3;
  if (unitsBound(view, ctx) * 3 + extra <= max) return undefined;
  // Most records are decided here, by their fields' bytes, without building the trained text.
  if (fitsInBytes(view, ctx, max - extra)) return undefined;
  const trained = trainedText(view, ctx);
  const budget = max - trained.extraTokens;
  if (budget < 0) return trained;
  const shared = utf8LengthUpTo(trained.shared, budget);
  if (shared < 0) return trained;
  for (const alt of trained.alternatives) if (utf8LengthUpTo(alt, budget - shared) < 0) return trained;
  return undefined;
}

/** The record's token count as the trainer builds it. */
export function countTokens(trained: TrainedText, counter: TokenCounter, family: TokenizerFamily): number {
  return countTokensBounded(trained, counter, family, Infinity).tokens;
}

/**
 * The record's token count, stopping once it passes `limit`: a record of ten million characters is
 * over a limit of a thousand tokens after its first few thousand characters (core/tokens/countUpTo.ts).
 * `complete` is false when counting stopped early; `tokens` is then a lower bound over the limit.
 */
export function countTokensBounded(trained: TrainedText, counter: TokenCounter, family: TokenizerFamily, limit: number): CountUpTo {
  const shared = countTokensUpTo(counter, trained.shared, family, limit - trained.extraTokens);
  if (!shared.complete) return { tokens: shared.tokens + trained.extraTokens, complete: false };
  let most = 0;
  for (const alt of trained.alternatives) {
    const side = countTokensUpTo(counter, alt, family, limit - trained.extraTokens - shared.tokens);
    if (!side.complete) return { tokens: shared.tokens + side.tokens + trained.extraTokens, complete: false };
    most = Math.max(most, side.tokens);
  }
  return { tokens: shared.tokens + most + trained.extraTokens, complete: true };
}

/** The record's length in characters (code points), with its longer answer side. */
export function countChars(trained: TrainedText): number {
  let most = 0;
  for (const alt of trained.alternatives) most = Math.max(most, codePoints(alt));
  return codePoints(trained.shared) + most;
}

function codePoints(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { n--; i++; }
    }
  }
  return n;
}
