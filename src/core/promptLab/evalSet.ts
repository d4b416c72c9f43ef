/**
 * Eval sets for batch runs: the questions to ask, read from a dataset in any known format or
 * from a plain questions file (`{"question": "…"}` per line).
 *
 * Pure: text in, items out. A record is read through its format's `view`, so the question, the
 * system prompt and the reference answer are the same fields that linting labels prompt,
 * context, system and answer.
 */
import { detectFormat, formatById, matchFormat } from '../formats/index';
import { parseDocument, type ParsedLine } from '../jsonl/parse';
import type { FieldRole, FormatContext, FormatId, JsonObject, TextField } from '../lint/types';

/** One question to ask, with what the record says around it. */
export interface EvalQuestion {
  /** The question, with its context after a blank line when the record has one. */
  readonly question: string;
  /** The record's system prompt, when it has one. */
  readonly system?: string;
  /** The record's own answer to the question, to judge against, when it has one. */
  readonly reference?: string;
}

/** A question of an eval file, and where it is. */
export interface EvalItem extends EvalQuestion {
  /** 0-based line of the eval file. */
  readonly line: number;
}

export interface SkippedLine {
  /** 0-based. */
  readonly line: number;
  readonly reason: string;
}

/** The shape of a plain questions file, which is no training format. */
export const QUESTIONS = 'questions';

export interface EvalSet {
  /**
   * What most questions were read as: a dataset format, or `questions` for a plain questions
   * file. With no questions, the format the records match (e.g. `text`), else undefined.
   */
  readonly format: FormatId | typeof QUESTIONS | undefined;
  readonly items: readonly EvalItem[];
  /** Lines that are not JSON objects, and records without a question. Blank lines are left out silently. */
  readonly skipped: readonly SkippedLine[];
}

const nonBlank = (s: string): boolean => s.trim() !== '';

function joined(texts: readonly string[], separator: string): string | undefined {
  const kept = texts.filter(nonBlank);
  return kept.length === 0 ? undefined : kept.join(separator);
}

function item(question: string | undefined, context: string | undefined, system: string | undefined, reference: string | undefined): EvalQuestion | undefined {
  if (question === undefined) return undefined;
  return {
    question: context === undefined ? question : `${question}\n\n${context}`,
    ...(system === undefined ? {} : { system }),
    ...(reference === undefined ? {} : { reference }),
  };
}

/** Flat records (JumpStart instruction, Alpaca, Bedrock prompt/completion): their top-level fields. */
function flatItem(fields: readonly TextField[]): EvalQuestion | undefined {
  // Alpaca's `history` holds earlier turns (deeper paths): the question is the current one.
  const top = fields.filter((f) => f.path.length === 1);
  const texts = (role: FieldRole): string[] => top.filter((f) => f.role === role).map((f) => f.text);
  return item(joined(texts('prompt'), '\n\n'), joined(texts('context'), '\n\n'), joined(texts('system'), '\n\n'), joined(texts('answer'), '\n\n'));
}

interface Turn { readonly key: string; readonly role: FieldRole; readonly text: string }

/**
 * The fields grouped by turn: a turn is the path up to its first list index (`messages[2]`,
 * `input.messages[0]`, `system[1]`), so the text parts of one message make one turn. A turn's
 * role is its first field's role other than `other` (a tool call's arguments are `other`).
 */
function turnsOf(fields: readonly TextField[]): Turn[] {
  const groups = new Map<string, TextField[]>();
  for (const f of fields) {
    const index = f.path.findIndex((p) => typeof p === 'number');
    const key = JSON.stringify(index < 0 ? f.path : f.path.slice(0, index + 1));
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [f]);
    else list.push(f);
  }
  const turns: Turn[] = [];
  for (const [key, list] of groups) {
    const role = list.find((f) => f.role !== 'other')?.role ?? 'other';
    turns.push({ key, role, text: list.filter((f) => f.role === role).map((f) => f.text).join('\n') });
  }
  return turns;
}

function systemOf(turns: readonly Turn[]): string | undefined {
  return joined(turns.filter((t) => t.role === 'system').map((t) => t.text), '\n\n');
}

/** Chat records: the first user turn with text, and the assistant turn right after it. */
function chatItem(fields: readonly TextField[]): EvalQuestion | undefined {
  const turns = turnsOf(fields);
  const spoken = turns.filter((t) => t.role !== 'system');
  const q = spoken.findIndex((t) => t.role === 'prompt' && nonBlank(t.text));
  if (q < 0) return undefined;
  const next = spoken[q + 1];
  const reference = next !== undefined && next.role === 'answer' && nonBlank(next.text) ? next.text : undefined;
  return item(spoken[q]?.text, undefined, systemOf(turns), reference);
}

/** DPO records: the outputs answer the input's last user turn; the preferred one is the reference. */
function dpoItem(fields: readonly TextField[]): EvalQuestion | undefined {
  const turns = turnsOf(fields);
  const users = turns.filter((t) => t.key.startsWith('["input"') && t.role === 'prompt' && nonBlank(t.text));
  const preferred = turns.find((t) => t.role === 'answer' && nonBlank(t.text));
  return item(users[users.length - 1]?.text, undefined, systemOf(turns), preferred?.text);
}

/** TRL preference records: the last user turn before the chosen reply, which is the reference. */
function preferenceItem(fields: readonly TextField[]): EvalQuestion | undefined {
  const turns = turnsOf(fields);
  const answer = turns.findIndex((t) => t.role === 'answer' && nonBlank(t.text));
  const before = answer < 0 ? turns : turns.slice(0, answer);
  const users = before.filter((t) => t.role === 'prompt' && nonBlank(t.text));
  return item(users[users.length - 1]?.text, undefined, systemOf(turns), turns[answer]?.text);
}

/**
 * The question a record of `format` asks, its system prompt and its reference answer; undefined
 * for a record without a question (a `text` record, a conversation with no user text).
 */
export function evalItemOf(record: JsonObject, format: FormatId, ctx: FormatContext): EvalQuestion | undefined {
  const { fields } = formatById(format).view(record, ctx);
  switch (format) {
    case 'text':
      return undefined;
    case 'jumpstart-instruction':
    case 'alpaca':
    case 'bedrock-prompt':
      return flatItem(fields);
    case 'openai-dpo':
      return dpoItem(fields);
    case 'trl-preference':
      return preferenceItem(fields);
    case 'jumpstart-chat':
    case 'openai-chat':
    case 'openai-rft':
    case 'sharegpt':
    case 'bedrock-conversation':
    case 'bedrock-haiku':
    case 'nova':
    case 'trl-sft':
    case 'vertex-gemini':
      return chatItem(fields);
  }
}

const QUESTION_KEYS: readonly string[] = ['question', 'prompt', 'query', 'input', 'instruction'];
const REFERENCE_KEYS: readonly string[] = ['reference', 'answer', 'expected', 'ideal', 'response', 'output', 'completion', 'target'];

function stringAt(record: JsonObject, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const v = Object.hasOwn(record, k) ? record[k] : undefined;
    if (typeof v === 'string' && nonBlank(v)) return v;
  }
  return undefined;
}

/**
 * A record of a plain questions file: `question` (or `prompt`, `query`, `input`, `instruction`),
 * with optional `context`, `system` and a reference answer (`reference`, `answer`, `expected`…).
 */
export function questionItemOf(record: JsonObject): EvalQuestion | undefined {
  return item(stringAt(record, QUESTION_KEYS), stringAt(record, ['context']), stringAt(record, ['system']), stringAt(record, REFERENCE_KEYS));
}

/**
 * Reads a whole eval file. Without `format`, the format most records match is the file's, and
 * a record in another known format is still read in its own; a record in none is read as a
 * plain question. Never throws: what cannot be used is listed in `skipped` with the reason.
 */
export function readEvalSet(text: string, ctx: FormatContext, format?: FormatId): EvalSet {
  return evalSetOfLines(parseDocument(text).lines.map((parsed) => ({ line: parsed.line, parsed })), ctx, format);
}

/** A line as parsed already (by the linter, say), with its current 0-based line number. */
export interface ParsedRow {
  readonly line: number;
  readonly parsed: ParsedLine;
}

/** What one record gave, for one context, detected format and format setting. */
interface Remembered {
  /** The context it was read in (`contextKey`). */
  readonly context: string;
  /** The first format the record matches (`matchFormat`). */
  readonly first: FormatId | undefined;
  read?: {
    readonly detected: FormatId | undefined;
    readonly format: FormatId | undefined;
    readonly own: FormatId | undefined;
    readonly viaFormat: boolean;
    readonly found: EvalQuestion | undefined;
  };
}

/** A context's value as a string: the editor makes a new context object for every read of the settings. */
function contextKey(ctx: FormatContext): string {
  return JSON.stringify([ctx.templateKeys ?? null, ctx.completionKeys ?? null, ctx.template ?? null]);
}

/**
 * Remembers what each parsed record gave, by the record object itself, so reading the lines of
 * a document again after an edit works only the records the edit parsed anew (a linter keeps
 * the parse of an unchanged line). Weakly held: a record no line holds any more is forgotten.
 */
export class EvalSetMemo {
  private readonly records = new WeakMap<JsonObject, Remembered>();
  /** How many records were matched to a format anew: what reading cost. */
  matched = 0;

  remembered(record: JsonObject, ctx: FormatContext, context: string): Remembered {
    let known = this.records.get(record);
    if (known === undefined || known.context !== context) {
      this.matched++;
      known = { context, first: matchFormat(record, ctx) };
      this.records.set(record, known);
    }
    return known;
  }
}

/**
 * `readEvalSet` over lines parsed already, giving the same set as over their text. With a
 * `memo`, a record seen before (the same object) is not matched or read again.
 */
export function evalSetOfLines(lines: Iterable<ParsedRow>, ctx: FormatContext, format?: FormatId, memo?: EvalSetMemo): EvalSet {
  const records: { line: number; record: JsonObject }[] = [];
  const skipped: SkippedLine[] = [];
  for (const { line, parsed } of lines) {
    if (parsed.kind === 'record') records.push({ line, record: parsed.value as JsonObject });
    else if (parsed.kind === 'error') skipped.push({ line, reason: parsed.message });
  }
  const context = memo === undefined ? '' : contextKey(ctx);
  const remembered = (record: JsonObject): Remembered | undefined => memo?.remembered(record, ctx, context);
  const first = (record: JsonObject): FormatId | undefined => {
    const known = remembered(record);
    return known === undefined ? matchFormat(record, ctx) : known.first;
  };
  const detected = format ?? detectFormat(records.map((r) => r.record), ctx, first).format;
  const items: EvalItem[] = [];
  // How many items each format (or the plain question shape) gave.
  const sources = new Map<FormatId | typeof QUESTIONS, number>();
  for (const { line, record } of records) {
    const known = remembered(record);
    let read = known?.read;
    if (read === undefined || read.detected !== detected || read.format !== format) {
      const own = detected !== undefined && (format !== undefined || formatById(detected).matches(record, ctx)) ? detected : first(record);
      const viaFormat = own === undefined ? undefined : evalItemOf(record, own, ctx);
      read = { detected, format, own, viaFormat: viaFormat !== undefined, found: viaFormat ?? questionItemOf(record) };
      if (known !== undefined) known.read = read;
    }
    const { own, found } = read;
    if (found === undefined) {
      skipped.push({ line, reason: noQuestion(own) });
      continue;
    }
    items.push({ line, ...found });
    const source = !read.viaFormat || own === undefined ? QUESTIONS : own;
    sources.set(source, (sources.get(source) ?? 0) + 1);
  }
  skipped.sort((a, b) => a.line - b.line);
  return { format: format ?? mostItems(sources, detected), items, skipped };
}

/** The source most items came from; a tie goes to the detected format, and no items to it too. */
function mostItems(sources: ReadonlyMap<FormatId | typeof QUESTIONS, number>, detected: FormatId | undefined): FormatId | typeof QUESTIONS | undefined {
  let best: FormatId | typeof QUESTIONS | undefined = detected;
  let most = detected === undefined ? 0 : sources.get(detected) ?? 0;
  for (const [source, n] of sources) {
    if (n > most) {
      best = source;
      most = n;
    }
  }
  return best;
}

function noQuestion(format: FormatId | undefined): string {
  if (format === 'text') return 'A text (domain adaptation) record has no question to ask.';
  if (format !== undefined) return `This ${formatById(format).label} record has no question: it has no user turn or instruction with text.`;
  return 'No question found: the record is in no known dataset format and has no "question" or "prompt" field.';
}
