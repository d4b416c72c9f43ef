/**
 * One question/answer pair as one training record, in the shape each format's trainer reads:
 * what "Add to dataset" appends to a dataset.
 *
 * Pure: no I/O. Each rendered record passes its own format's `check` with no issues.
 *
 * What a format cannot hold is said, never hidden:
 * - OpenAI DPO and TRL preference need a second, rejected answer, which one pair does not have: an error.
 * - Formats with no place for a system prompt (Alpaca, Bedrock prompt/completion, text, and a
 *   JumpStart template without a `{system}` field) leave it out and list it in `dropped`.
 *   Alpaca's `system` is a LLaMA-Factory extension that most Alpaca trainers never read, so it
 *   is left out too rather than kept where it would silently do nothing.
 * - A context goes to the format's context field (JumpStart's `context`, Alpaca's `input`); a
 *   format without one gets it after the question, separated by a blank line.
 */
import type { FieldRole, FormatContext, FormatId, JsonObject } from '../lint/types';

export interface Pair {
  readonly question: string;
  readonly answer: string;
  /** The system prompt; absent or '' for none. */
  readonly system?: string;
  /** Extra input for the question (a document, a passage); absent or '' for none. */
  readonly context?: string;
}

/** What a record may leave out: only the system prompt (a context always has a place). */
export type Dropped = 'system';

export type RenderResult =
  | {
    readonly ok: true;
    readonly record: JsonObject;
    /** Parts of the pair the format has no place for, so the record leaves them out. */
    readonly dropped: readonly Dropped[];
  }
  | { readonly ok: false; readonly message: string };

const DEFAULT_KEYS: readonly string[] = ['instruction', 'context', 'response'];
const DEFAULT_COMPLETION: readonly string[] = ['response'];
const QUESTION_NAMES: readonly string[] = ['instruction', 'question', 'prompt', 'query'];
const ANSWER_NAMES: readonly string[] = ['response', 'output', 'answer', 'completion'];

/** The question, with the context after a blank line when the format has no field for it. */
function withContext(pair: Pair): string {
  const context = pair.context ?? '';
  return context === '' ? pair.question : `${pair.question}\n\n${context}`;
}

function ok(record: JsonObject, dropped: Dropped[] = []): RenderResult {
  return { ok: true, record, dropped };
}

/** `['system']` when the pair has a system prompt the format cannot hold. */
function systemDropped(pair: Pair): Dropped[] {
  return (pair.system ?? '') === '' ? [] : ['system'];
}

/** Renders the pair as one record of `format`. */
export function renderPair(format: FormatId, pair: Pair, ctx: FormatContext): RenderResult {
  const system = pair.system ?? '';
  const context = pair.context ?? '';
  switch (format) {
    case 'jumpstart-instruction':
      return renderInstruction(pair, ctx);
    case 'jumpstart-chat': {
      const dialog: JsonObject[] = [];
      if (system !== '') dialog.push({ role: 'system', content: system });
      dialog.push({ role: 'user', content: withContext(pair) }, { role: 'assistant', content: pair.answer });
      return ok({ dialog });
    }
    case 'openai-chat': {
      const messages: JsonObject[] = [];
      if (system !== '') messages.push({ role: 'system', content: system });
      messages.push({ role: 'user', content: withContext(pair) }, { role: 'assistant', content: pair.answer });
      return ok({ messages });
    }
    case 'openai-dpo':
      return {
        ok: false,
        message: 'OpenAI DPO needs a preferred and a non-preferred answer; a single answer cannot make a DPO example. Add it to a chat dataset instead, or write the non-preferred answer yourself.',
      };
    case 'alpaca':
      return ok({ instruction: pair.question, input: context, output: pair.answer }, systemDropped(pair));
    case 'sharegpt': {
      const conversations: JsonObject[] = [];
      if (system !== '') conversations.push({ from: 'system', value: system });
      conversations.push({ from: 'human', value: withContext(pair) }, { from: 'gpt', value: pair.answer });
      return ok({ conversations });
    }
    case 'bedrock-prompt':
      return ok({ prompt: withContext(pair), completion: pair.answer }, systemDropped(pair));
    // Nova reads Bedrock's conversation shape (nova.ts), so a pair is the same record in both.
    case 'bedrock-conversation':
    case 'nova': {
      const record: JsonObject = { schemaVersion: 'bedrock-conversation-2024' };
      if (system !== '') record.system = [{ text: system }];
      record.messages = [
        { role: 'user', content: [{ text: withContext(pair) }] },
        { role: 'assistant', content: [{ text: pair.answer }] },
      ];
      return ok(record);
    }
    case 'openai-rft': {
      // Reinforcement fine-tuning: the model answers the user, and the grader reads the answer
      // from a field of the line (FineTuneReinforcementRequestInput: "Any other arbitrary
      // key-value data … available to reference during grading"). RFT lines take developer
      // messages, not system ones.
      const messages: JsonObject[] = [];
      if (system !== '') messages.push({ role: 'developer', content: system });
      messages.push({ role: 'user', content: withContext(pair) });
      return ok({ messages, reference_answer: pair.answer });
    }
    case 'bedrock-haiku': {
      const record: JsonObject = {};
      if (system !== '') record.system = system;
      record.messages = [{ role: 'user', content: withContext(pair) }, { role: 'assistant', content: pair.answer }];
      return ok(record);
    }
    case 'trl-sft': {
      // Conversational prompt-completion: the shape only TRL reads, so the line is detected as
      // TRL (string prompt/completion would read as Bedrock's).
      const prompt: JsonObject[] = [];
      if (system !== '') prompt.push({ role: 'system', content: system });
      prompt.push({ role: 'user', content: withContext(pair) });
      return ok({ prompt, completion: [{ role: 'assistant', content: pair.answer }] });
    }
    case 'trl-preference':
      return {
        ok: false,
        message: 'TRL preference data needs a chosen and a rejected answer; a single answer cannot make a preference example. Add it to an SFT dataset instead, or write the rejected answer yourself.',
      };
    case 'vertex-gemini': {
      const record: JsonObject = {};
      if (system !== '') record.systemInstruction = { role: 'system', parts: [{ text: system }] };
      record.contents = [
        { role: 'user', parts: [{ text: withContext(pair) }] },
        { role: 'model', parts: [{ text: pair.answer }] },
      ];
      return ok(record);
    }
    case 'text':
      // A domain-adaptation document: the question, then the answer, after a blank line. No
      // model's chat template (e.g. Llama 3's headers) is applied: the text is what the user wrote.
      return ok({ text: `${withContext(pair)}\n\n${pair.answer}` }, systemDropped(pair));
  }
}

export type RenderLineResult =
  | { readonly ok: true; readonly line: string; readonly dropped: readonly Dropped[] }
  | { readonly ok: false; readonly message: string };

/**
 * One record as one JSON line, without a line break. U+2028 and U+2029, which JSON leaves raw
 * but editors treat as line breaks, are written as escapes, so the line stays one line.
 */
export function jsonLine(record: object, style: LineStyle = 'compact'): string {
  const text = style === 'spaced' ? spacedJson(record) : JSON.stringify(record);
  return text.replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/**
 * How a file writes its lines: `compact` as JSON.stringify does, or `spaced` with ": " and ", "
 * as Python's json.dumps does (most datasets are written by Python). A new line follows the file.
 */
export type LineStyle = 'compact' | 'spaced';

/** The style of an existing line, from its first key; compact when it cannot tell. */
export function lineStyleOf(line: string): LineStyle {
  return /^\s*\{\s*"(?:[^"\\]|\\.)*"\s*:\s/.test(line) ? 'spaced' : 'compact';
}

function spacedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(spacedJson).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => `${JSON.stringify(k)}: ${spacedJson(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** The record as one JSON line (see `jsonLine`). */
export function renderPairLine(format: FormatId, pair: Pair, ctx: FormatContext): RenderLineResult {
  const r = renderPair(format, pair, ctx);
  return r.ok ? { ok: true, line: jsonLine(r.record), dropped: r.dropped } : r;
}

// ---------------------------------------------------------------------------------------------
// JumpStart instruction

/**
 * The role of a template key, as JumpStart instruction linting labels it. This mirrors
 * `roleOf` and the key defaults in jumpstartInstruction.ts, so a rendered record reads the same
 * way in its view: keep the two in step.
 */
function keyRole(key: string, completion: readonly string[]): FieldRole {
  if (completion.includes(key)) return 'answer';
  if (key === 'context' || key === 'input') return 'context';
  if (key === 'system') return 'system';
  return 'prompt';
}

function renderInstruction(pair: Pair, ctx: FormatContext): RenderResult {
  const fromTemplate = ctx.templateKeys !== undefined && ctx.templateKeys.length > 0;
  const keys = [...new Set(fromTemplate ? ctx.templateKeys : DEFAULT_KEYS)];
  const completion = fromTemplate && ctx.completionKeys !== undefined ? ctx.completionKeys : DEFAULT_COMPLETION;
  const roles = new Map(keys.map((k) => [k, keyRole(k, completion)]));

  // The answer: the template's first completion key, else a key named like an answer.
  const answerKey = completion.find((k) => keys.includes(k)) ?? keys.find((k) => ANSWER_NAMES.includes(k));
  if (answerKey === undefined) {
    return { ok: false, message: `The template has no field for the answer (its fields are ${keys.map((k) => `{${k}}`).join(', ')}). Put the answer's field in the template's "completion", e.g. " {response}".` };
  }
  roles.set(answerKey, 'answer');
  const free = (role: FieldRole): string[] => keys.filter((k) => k !== answerKey && roles.get(k) === role);

  // The question: a prompt-side key named like a question, else the first prompt-side key,
  // else the context-like key (a template whose only prompt field is {input}).
  const prompts = free('prompt');
  const questionKey = prompts.find((k) => QUESTION_NAMES.includes(k)) ?? prompts[0] ?? free('context')[0];
  if (questionKey === undefined) {
    return { ok: false, message: `The template has no field for the question (its fields are ${keys.map((k) => `{${k}}`).join(', ')}). Add one to the template's "prompt", e.g. "{instruction}".` };
  }
  const contextKey = free('context').find((k) => k !== questionKey);
  const systemKey = free('system')[0];
  const context = pair.context ?? '';
  const system = pair.system ?? '';

  const valueOf = (k: string): string => {
    if (k === answerKey) return pair.answer;
    if (k === questionKey) return contextKey === undefined ? withContext(pair) : pair.question;
    if (k === contextKey) return context;
    if (k === systemKey) return system;
    return '';
  };
  // fromEntries defines own properties, so even a field named "__proto__" becomes one.
  const record = Object.fromEntries(keys.map((k) => [k, valueOf(k)])) as JsonObject;
  return ok(record, systemKey === undefined ? systemDropped(pair) : []);
}
