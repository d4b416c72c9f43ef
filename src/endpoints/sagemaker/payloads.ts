/**
 * What to send to a SageMaker endpoint and how to read its reply, per container "payload family".
 * Pure: no I/O, no SDK.
 *
 * Families:
 * - `jumpstart-text`: a JumpStart text-generation container serving a model fine-tuned on an
 *   instruction dataset. The prompt is the dataset's `template.json` "prompt" filled from the
 *   conversation, then the response demarcation (see {@link renderJumpStartPrompt}); the body is
 *   `{ inputs, parameters }` and the reply `{generated_text}` or `[{generated_text}]`.
 * - `llama3-chat`: the same body, with the Llama 3.x Instruct chat template rendered here (for
 *   containers that take raw text, e.g. a JumpStart Llama 3 Instruct on TGI or LMI, or a model
 *   chat-tuned on JumpStart); which 3.x template comes from the endpoint's model id (see
 *   `llamaChat.ts`), 3.0's when it is not known.
 * - `tgi`: Hugging Face Text Generation Inference's own API: like `llama3-chat` but asks for
 *   `details`, so the reply carries the finish reason and token counts.
 * - `messages`: LMI / vLLM / TGI Messages API, OpenAI-style `{ messages, max_tokens, … }` with
 *   `choices[0].message.content` in the reply.
 *
 * Streaming replies (InvokeEndpointWithResponseStream) are lines: TGI's
 * `data:{"token":{…},"generated_text":…,"details":…}`, LMI's bare `{"token":{…}}` JSON lines, or
 * OpenAI-style `data: {"choices":[{"delta":{…}}]}` ending with `data: [DONE]`;
 * {@link parseStreamLine} reads any of them.
 */
import { EndpointError, type ChatChunk, type ChatMessage, type ChatRequest, type FinishReason, type Usage } from '../types';
import { parseTemplate } from '../../core/formats/template';
import { DEFAULT_JUMPSTART_TEMPLATE, type JumpStartTemplate } from '../../core/formats/jumpstartTemplate';
import { LLAMA3_EOT, renderLlamaChat, type LlamaChatVersion } from './llamaChat';

export type PayloadFamily = 'jumpstart-text' | 'llama3-chat' | 'tgi' | 'messages';
export const PAYLOAD_FAMILIES: readonly PayloadFamily[] = ['jumpstart-text', 'llama3-chat', 'tgi', 'messages'];

export { DEFAULT_JUMPSTART_TEMPLATE, type JumpStartTemplate } from '../../core/formats/jumpstartTemplate';

/**
 * What separates the filled prompt from the answer the model writes: the notebooks'
 * `input_output_demarkation_key` (see {@link renderJumpStartPrompt}).
 */
export const RESPONSE_DEMARCATION = '\n\n### Response:\n';

/** The most new tokens asked for when the request does not say. */
export const DEFAULT_MAX_NEW_TOKENS = 512;

export interface RenderOptions {
  /** The dataset's template (for `jumpstart-text`); JumpStart's default when absent. */
  readonly template?: JumpStartTemplate;
  /** Appended after the filled prompt (`jumpstart-text`); {@link RESPONSE_DEMARCATION} by default, `''` for none. */
  readonly demarcation?: string;
  /** Send `accept_eula=true` (JumpStart's gated models, e.g. Meta Llama, need it). */
  readonly acceptEula?: boolean;
  /** Ask the container to stream (for InvokeEndpointWithResponseStream). */
  readonly stream?: boolean;
  /** Which Llama 3.x chat template `llama3-chat` and `tgi` render; 3.0's by default. */
  readonly chatTemplate?: LlamaChatVersion;
  /** The date Llama 3.2's template writes; now by default. */
  readonly today?: Date;
  /**
   * How `messages` asks for JSON: OpenAI's `{"type": "json_object"}` (vLLM, LMI, newer TGI), or
   * TGI's grammar {@link TGI_JSON_GRAMMAR}, which older TGI containers require.
   */
  readonly jsonGrammar?: 'openai' | 'tgi';
}

/**
 * TGI's grammar for "any JSON object": `{"type": "json", "value": <JSON schema>}` (GrammarType in
 * text-generation-inference's router; huggingface.co/docs/text-generation-inference/conceptual/
 * guidance). Its Messages API takes it as `response_format`, /generate as `parameters.grammar`.
 */
export const TGI_JSON_GRAMMAR = { type: 'json', value: { type: 'object' } } as const;

export interface RenderedPayload {
  readonly body: string;
  readonly contentType: string;
  readonly accept: string;
  /** For the `X-Amzn-SageMaker-Custom-Attributes` header. */
  readonly customAttributes?: string;
  /** The text prompt sent (text families), to strip it when a container echoes it. */
  readonly prompt?: string;
}

export interface ParsedReply {
  readonly text: string;
  readonly reason?: FinishReason;
  readonly usage?: Usage;
}

export interface PayloadAdapter {
  render(request: ChatRequest, options?: RenderOptions): RenderedPayload;
  /** Reads a whole (non-streamed) reply, already JSON-parsed; `prompt` is stripped if echoed. */
  parse(reply: unknown, prompt?: string): ParsedReply;
}

export const adapters: Readonly<Record<PayloadFamily, PayloadAdapter>> = {
  'jumpstart-text': {
    render: (request, options = {}) => {
      const prompt = renderJumpStartPrompt(request.messages, options.template ?? DEFAULT_JUMPSTART_TEMPLATE, options.demarcation ?? RESPONSE_DEMARCATION);
      return textPayload(prompt, textParameters(request, []), options);
    },
    parse: (reply, prompt) => parseReply(reply, prompt),
  },
  'llama3-chat': {
    render: (request, options = {}) => textPayload(chatPrompt(request, options), textParameters(request, [LLAMA3_EOT]), options),
    parse: (reply, prompt) => parseReply(reply, prompt),
  },
  tgi: {
    render: (request, options = {}) =>
      textPayload(chatPrompt(request, options), {
        ...textParameters(request, [LLAMA3_EOT]),
        ...(request.json === true ? { grammar: TGI_JSON_GRAMMAR } : {}),
        details: true,
      }, options),
    parse: (reply, prompt) => parseReply(reply, prompt),
  },
  messages: {
    render: (request, options = {}) => {
      const body: Record<string, unknown> = {
        messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
        max_tokens: request.maxTokens ?? DEFAULT_MAX_NEW_TOKENS,
      };
      if (request.temperature !== undefined) body.temperature = request.temperature;
      if (request.topP !== undefined) body.top_p = request.topP;
      if (request.stop !== undefined && request.stop.length > 0) body.stop = [...request.stop];
      if (request.seed !== undefined) body.seed = request.seed;
      if (request.json === true) body.response_format = options.jsonGrammar === 'tgi' ? TGI_JSON_GRAMMAR : { type: 'json_object' };
      body.stream = options.stream === true;
      return withAttributes({ body: JSON.stringify(body), contentType: 'application/json', accept: 'application/json' }, options);
    },
    parse: (reply) => parseReply(reply),
  },
};

// ---------------------------------------------------------------------------------------------
// Prompts

/** The Llama 3.x chat templates (see `llamaChat.ts`); 3.0's unless a version is given. */
export const renderLlama3Chat = renderLlamaChat;

function chatPrompt(request: ChatRequest, options: RenderOptions): string {
  return renderLlamaChat(request.messages, options.chatTemplate ?? '3.0', options.today ?? new Date());
}

/**
 * The prompt for a model fine-tuned on a JumpStart instruction dataset.
 *
 * - The last user message fills `{instruction}` (or, when the template has no such field, its
 *   first placeholder).
 * - System messages fill `{context}` (or the second placeholder), joined by blank lines; earlier
 *   turns of a conversation follow them there as "User: …" / "Assistant: …" paragraphs, since an
 *   instruction model has no other place for them. When the template has no second field, that
 *   context is put before the instruction, separated by a blank line.
 * - Other placeholders (and the completion's) are left empty.
 * - The filled prompt is followed by `demarcation`, exactly as AWS's JumpStart fine-tuning
 *   notebooks build the inference input: `template["prompt"].format(…) + "\n\n### Response:\n"`
 *   ("For instruction fine-tuning, we insert a special key between input and output";
 *   aws/amazon-sagemaker-examples, introduction_to_amazon_algorithms/jumpstart-foundation-models/
 *   llama-2-finetuning.ipynb and llama-3-finetuning.ipynb, `predict_and_print`). Nothing is
 *   trimmed: a template ending in "\n\n" gives four newlines before "### Response:", as it did
 *   in training. Pass `''` to send the filled prompt exactly as the template has it (for a
 *   template whose prompt already ends with its own header).
 */
export function renderJumpStartPrompt(messages: readonly ChatMessage[], template: JumpStartTemplate, demarcation: string = RESPONSE_DEMARCATION): string {
  const fields = placeholderNames(template.prompt);
  const lastUser = findLastIndex(messages, (m) => m.role === 'user');
  const instruction = lastUser === -1 ? '' : (messages[lastUser]?.content ?? '');
  const contextParts: string[] = [];
  messages.forEach((m, i) => {
    if (i === lastUser) return;
    if (m.role === 'system') contextParts.push(m.content);
    else contextParts.push(`${m.role === 'user' ? 'User' : 'Assistant'}: ${m.content}`);
  });
  const context = contextParts.join('\n\n');
  const instructionField = fields.includes('instruction') ? 'instruction' : fields[0];
  const contextField = fields.includes('context') ? 'context' : fields.find((f) => f !== instructionField);
  const values = new Map<string, string>();
  if (instructionField !== undefined) values.set(instructionField, contextField === undefined && context !== '' ? `${context}\n\n${instruction}` : instruction);
  if (contextField !== undefined) values.set(contextField, context);
  const filled = fillTemplate(template.prompt, values);
  return filled + demarcation;
}

/** Reads a `template.json`'s text into a template, with `parseTemplate`'s messages on a mistake. */
export function readJumpStartTemplate(text: string): { ok: true; template: JumpStartTemplate } | { ok: false; message: string } {
  const checked = parseTemplate(text);
  if (!checked.ok) return checked;
  const value = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text) as { prompt: string; completion: string };
  return { ok: true, template: { prompt: value.prompt, completion: value.completion } };
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*\}/;

/** Python `str.format` filling: `{{`/`}}` are literal braces, unknown fields become empty. */
export function fillTemplate(text: string, values: ReadonlyMap<string, string>): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if ((c === '{' || c === '}') && text.charAt(i + 1) === c) {
      out += c;
      i++;
      continue;
    }
    const m = c === '{' ? NAME.exec(text.slice(i + 1, i + 66)) : null;
    if (m === null) {
      out += c;
      continue;
    }
    out += values.get(m[0].slice(0, -1)) ?? '';
    i += m[0].length;
  }
  return out;
}

function placeholderNames(text: string): string[] {
  const names: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if ((c === '{' || c === '}') && text.charAt(i + 1) === c) {
      i++;
      continue;
    }
    const m = c === '{' ? NAME.exec(text.slice(i + 1, i + 66)) : null;
    if (m === null) continue;
    const name = m[0].slice(0, -1);
    if (!names.includes(name)) names.push(name);
    i += m[0].length;
  }
  return names;
}

function findLastIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i] as T)) return i;
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Bodies

/**
 * TGI-style generation parameters. `do_sample` is true only when temperature > 0, and then
 * `temperature` is sent; `top_p` only when sampling and strictly between 0 and 1 (TGI rejects
 * 0 and 1).
 */
function textParameters(request: ChatRequest, extraStops: readonly string[]): Record<string, unknown> {
  const temperature = request.temperature ?? 0;
  const sample = temperature > 0;
  const parameters: Record<string, unknown> = { max_new_tokens: request.maxTokens ?? DEFAULT_MAX_NEW_TOKENS };
  if (sample) parameters.temperature = temperature;
  if (sample && request.topP !== undefined && request.topP > 0 && request.topP < 1) parameters.top_p = request.topP;
  parameters.do_sample = sample;
  const stop = [...extraStops, ...(request.stop ?? []).filter((s) => !extraStops.includes(s))];
  if (stop.length > 0) parameters.stop = stop;
  if (request.seed !== undefined) parameters.seed = request.seed;
  return parameters;
}

function textPayload(prompt: string, parameters: Record<string, unknown>, options: RenderOptions): RenderedPayload {
  const body: Record<string, unknown> = { inputs: prompt, parameters };
  if (options.stream === true) body.stream = true;
  return withAttributes({ body: JSON.stringify(body), contentType: 'application/json', accept: 'application/json', prompt }, options);
}

function withAttributes(payload: RenderedPayload, options: RenderOptions): RenderedPayload {
  return options.acceptEula === true ? { ...payload, customAttributes: 'accept_eula=true' } : payload;
}

// ---------------------------------------------------------------------------------------------
// Replies

/** The family a reply's shape belongs to, or undefined when it is none of them. */
export function detectFamily(reply: unknown): PayloadFamily | undefined {
  const r = Array.isArray(reply) ? (reply as unknown[])[0] : reply;
  if (!isObject(r)) return undefined;
  if (Array.isArray(r.choices)) return 'messages';
  if (isObject(r.token) || isObject(r.details)) return 'tgi';
  if (typeof r.generated_text === 'string' || Array.isArray(r.generated_texts)) return 'jumpstart-text';
  return undefined;
}

/** Reads a whole reply of any family (by its shape); throws `bad-response` when it has no text. */
export function parseReply(reply: unknown, prompt?: string): ParsedReply {
  const r = Array.isArray(reply) ? (reply as unknown[])[0] : reply;
  if (isObject(r)) {
    if (Array.isArray(r.choices)) return parseChoices(r);
    let text: string | undefined;
    if (typeof r.generated_text === 'string') text = r.generated_text;
    else if (Array.isArray(r.generated_texts) && typeof r.generated_texts[0] === 'string') text = r.generated_texts[0];
    if (text !== undefined) {
      if (prompt !== undefined && prompt !== '' && text.startsWith(prompt)) text = text.slice(prompt.length);
      if (text.endsWith(LLAMA3_EOT)) text = text.slice(0, -LLAMA3_EOT.length);
      return { text, ...detailsOf(r.details) };
    }
    const error = errorOf(r);
    if (error !== undefined) throw error;
  }
  throw new EndpointError('bad-response', 'The endpoint replied without generated_text or choices, so its container speaks another payload format. Choose another payload family for this endpoint (jumpstart-text, llama3-chat, tgi or messages).');
}

function parseChoices(r: Record<string, unknown>): ParsedReply {
  const choice = (r.choices as unknown[])[0];
  const message = isObject(choice) ? choice.message : undefined;
  const content = isObject(message) ? message.content : undefined;
  const reason = isObject(choice) ? openAiReason(choice.finish_reason) : undefined;
  const usage = openAiUsage(r.usage);
  return { text: typeof content === 'string' ? content : '', ...(reason === undefined ? {} : { reason }), ...(usage === undefined ? {} : { usage }) };
}

/**
 * One line of a streamed reply as chunks: text deltas (TGI special tokens skipped), and from the
 * last line the finish reason and token counts where the container gives them. Blank lines,
 * SSE comments and `[DONE]` give none. Throws `bad-response` for a line that is not JSON and
 * `server` for an error the container reports in the stream.
 */
export function parseStreamLine(line: string): ChatChunk[] {
  let data = line.trim();
  if (data === '' || data.startsWith(':') || data.startsWith('event:') || data.startsWith('id:') || data.startsWith('retry:')) return [];
  if (data.startsWith('data:')) data = data.slice(5).trim();
  if (data === '' || data === '[DONE]') return [];
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    throw new EndpointError('bad-response', 'The endpoint streamed a line that is not JSON, so its container speaks another format. Choose another payload family for this endpoint, or turn streaming off.');
  }
  const r = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (!isObject(r)) return [];
  const error = errorOf(r);
  if (error !== undefined) throw error;
  const chunks: ChatChunk[] = [];
  if (Array.isArray(r.choices)) {
    const choice: unknown = r.choices[0];
    if (isObject(choice)) {
      const delta = isObject(choice.delta) ? choice.delta : isObject(choice.message) ? choice.message : undefined;
      const content = delta?.content;
      if (typeof content === 'string' && content !== '') chunks.push({ type: 'text', text: content });
      const reason = openAiReason(choice.finish_reason);
      const usage = openAiUsage(r.usage);
      if (usage !== undefined) chunks.push({ type: 'usage', usage });
      if (reason !== undefined) chunks.push({ type: 'finish', reason });
    } else {
      const usage = openAiUsage(r.usage);
      if (usage !== undefined) chunks.push({ type: 'usage', usage });
    }
    return chunks;
  }
  if (isObject(r.token)) {
    const text = r.token.text;
    if (r.token.special !== true && typeof text === 'string' && text !== '') chunks.push({ type: 'text', text });
    const { reason, usage } = detailsOf(r.details);
    if (usage !== undefined) chunks.push({ type: 'usage', usage });
    if (reason !== undefined) chunks.push({ type: 'finish', reason });
    return chunks;
  }
  if (typeof r.generated_text === 'string' || Array.isArray(r.generated_texts)) {
    // A container that does not stream answers the stream with its whole reply.
    const whole = parseReply(r);
    if (whole.text !== '') chunks.push({ type: 'text', text: whole.text });
    if (whole.usage !== undefined) chunks.push({ type: 'usage', usage: whole.usage });
    if (whole.reason !== undefined) chunks.push({ type: 'finish', reason: whole.reason });
  }
  return chunks;
}

function detailsOf(details: unknown): { reason?: FinishReason; usage?: Usage } {
  if (!isObject(details)) return {};
  const out: { reason?: FinishReason; usage?: Usage } = {};
  const reason = tgiReason(details.finish_reason);
  if (reason !== undefined) out.reason = reason;
  const output = details.generated_tokens;
  const input = Array.isArray(details.prefill) && details.prefill.length > 0 ? details.prefill.length : undefined;
  if (typeof output === 'number' && input !== undefined) out.usage = { inputTokens: input, outputTokens: output };
  return out;
}

function tgiReason(value: unknown): FinishReason | undefined {
  if (typeof value !== 'string') return undefined;
  if (value === 'length') return 'length';
  if (value === 'eos_token' || value === 'stop_sequence' || value === 'stop') return 'stop';
  return 'other';
}

function openAiReason(value: unknown): FinishReason | undefined {
  if (typeof value !== 'string') return undefined;
  switch (value) {
    case 'stop': case 'eos_token': case 'stop_sequence': return 'stop';
    case 'length': return 'length';
    case 'content_filter': return 'content-filter';
    case 'tool_calls': case 'function_call': return 'tool-calls';
    default: return 'other';
  }
}

function openAiUsage(value: unknown): Usage | undefined {
  if (!isObject(value)) return undefined;
  const input = value.prompt_tokens;
  const output = value.completion_tokens;
  return typeof input === 'number' && typeof output === 'number' ? { inputTokens: input, outputTokens: output } : undefined;
}

const MAX_DETAIL = 300;

/** An `{"error": …}` reply or stream line (TGI and vLLM report failures so) as an error. */
function errorOf(r: Record<string, unknown>): EndpointError | undefined {
  const e = r.error;
  let message: string | undefined;
  if (typeof e === 'string') message = e;
  else if (isObject(e) && typeof e.message === 'string') message = e.message;
  if (message === undefined) return undefined;
  return new EndpointError('server', `The model container reported an error: ${truncate(message, MAX_DETAIL)}`);
}

export function truncate(text: string, max: number): string {
  const t = text.trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
