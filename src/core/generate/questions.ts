/**
 * Reading the questions a model wrote, from whatever it actually sent back.
 *
 * Asked for `{"questions": [{"text": "…", "refusal": false}, …]}`, models also send a list of
 * plain strings, `{"questions": […], "refusals": [indexes]}`, other key names, the JSON inside
 * a code fence or after a sentence of introduction, trailing commas, comments, typographic
 * quotes, or a numbered list instead of JSON. The reply is read in this order, the first that
 * gives questions winning:
 *
 * 1. the whole reply as strict JSON (not repaired);
 * 2. the inside of a code fence, or the span from the first `{` or `[` to the last matching
 *    bracket, read as JSON that may have comments and trailing commas;
 * 3. the same with typographic double quotes made straight (only now: inside valid JSON they
 *    are text, and straightening them would break it);
 * 4. a numbered or bulleted list, one question per item.
 *
 * Truncated or otherwise broken JSON is never half-read: a question cut off midway must not
 * reach a dataset, so such a reply fails and the caller asks again.
 *
 * Pure; never throws.
 */
import { parse as parseJsonc, type ParseError } from 'jsonc-parser';
import { normalizeText } from '../dedupe/normalize';

export type ParsedQuestions =
  | {
    readonly ok: true;
    /** Trimmed, without empty questions or repeats (after `normalizeText`), in the reply's order. */
    readonly questions: string[];
    /** Indexes into `questions` of the out-of-scope ones. */
    readonly refusals: Set<number>;
    /** Whether the reply needed more than a strict JSON read (see the file comment). */
    readonly repaired: boolean;
  }
  | { readonly ok: false; readonly message: string };

interface Item { readonly text: string; readonly refusal: boolean }

const TEXT_KEYS = ['text', 'question', 'q', 'prompt', 'content', 'query'];
const FLAG_KEYS = ['refusal', 'refuse', 'refused', 'out_of_scope', 'outofscope', 'out-of-scope', 'harmful'];
const LIST_KEYS = ['questions', 'items', 'data', 'results'];
const REFUSAL_LIST_KEYS = ['refusals', 'refusal_indexes', 'refusalindexes', 'out_of_scope', 'outofscope'];

/**
 * The questions in `reply`, at most `expected` of them when `expected` is positive (extra ones are
 * cut from the end; given `refusals`, the number of out-of-scope questions wanted, the cut keeps
 * up to that many of them and fills the rest with in-scope ones, in the reply's order).
 */
export function parseQuestions(reply: string, expected: number, refusals?: number): ParsedQuestions {
  try {
    const found = read(typeof reply === 'string' ? reply : '');
    if (found === undefined) {
      return { ok: false, message: 'The reply is neither the JSON object asked for nor a list of questions.' };
    }
    const items = cap(clean(found.items), expected, refusals);
    if (items.length === 0) return { ok: false, message: 'The reply has no questions in it.' };
    const marked = new Set<number>();
    items.forEach((item, i) => {
      if (item.refusal) marked.add(i);
    });
    return { ok: true, questions: items.map((i) => i.text), refusals: marked, repaired: found.repaired };
  } catch (e) {
    return { ok: false, message: `The reply could not be read: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function read(reply: string): { items: Item[]; repaired: boolean } | undefined {
  const text = reply.replace(/^\uFEFF/, '').trim();
  const strict = strictJson(text);
  if (strict !== undefined) {
    const items = itemsOf(strict);
    if (items !== undefined && items.length > 0) return { items, repaired: false };
  }
  for (const candidate of candidates(text)) {
    for (const variant of [candidate, straightenQuotes(candidate)]) {
      const value = tolerantJson(variant);
      if (value === undefined) continue;
      const items = itemsOf(value);
      if (items !== undefined && items.length > 0) return { items, repaired: true };
    }
  }
  const list = listItems(text);
  return list.length > 0 ? { items: list, repaired: true } : undefined;
}

function strictJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** JSON with comments and trailing commas allowed, or undefined on any other error. */
function tolerantJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  const errors: ParseError[] = [];
  const value: unknown = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  return errors.length === 0 ? value : undefined;
}

/** Texts that may hold the JSON: fenced blocks, then bracketed spans, most likely first. */
function candidates(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/```[^\n`]*\n?([\s\S]*?)```/g)) out.push((m[1] ?? '').trim());
  // An unclosed fence (the reply stopped before it): the rest of the text.
  const open = /```[^\n`]*\n([\s\S]*)$/.exec(text);
  if (open !== null && !(open[1] ?? '').includes('```')) out.push((open[1] ?? '').trim());
  const spans: [number, string][] = [];
  for (const [opener, closer] of [['{', '}'], ['[', ']']] as const) {
    const start = text.indexOf(opener);
    const end = text.lastIndexOf(closer);
    if (start >= 0 && end > start) spans.push([start, text.slice(start, end + 1)]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (const [, span] of spans) out.push(span);
  return out;
}

function straightenQuotes(text: string): string {
  return text.replace(/[\u201C\u201D\u201E\u201F\u2033\u2036]/g, '"');
}

/** The question items a parsed JSON value holds, or undefined when it holds no list. */
function itemsOf(value: unknown): Item[] | undefined {
  let list: unknown[] | undefined;
  let refusalList: unknown;
  if (Array.isArray(value)) {
    list = value;
  } else if (isObject(value)) {
    const entries = Object.entries(value);
    const byKey = (keys: readonly string[]): unknown => entries.find(([k]) => keys.includes(k.toLowerCase()))?.[1];
    const named = byKey(LIST_KEYS);
    if (Array.isArray(named)) list = named;
    else {
      const anyList = entries.find(([k, v]) => Array.isArray(v) && !REFUSAL_LIST_KEYS.includes(k.toLowerCase()))?.[1];
      if (Array.isArray(anyList)) list = anyList;
      // One question object on its own; only with a question-like key ({"error": "…"} is none).
      else if (entries.some(([k, v]) => TEXT_KEYS.includes(k.toLowerCase()) && typeof v === 'string')) list = [value];
    }
    refusalList = byKey(REFUSAL_LIST_KEYS);
  }
  if (list === undefined) return undefined;
  const items: Item[] = [];
  const positions: number[] = [];
  list.forEach((entry, i) => {
    const item = itemOf(entry);
    if (item !== undefined) {
      items.push(item);
      positions.push(i);
    }
  });
  if (Array.isArray(refusalList)) markRefusals(items, positions, list.length, refusalList);
  return items;
}

function itemOf(entry: unknown): Item | undefined {
  if (typeof entry === 'string') return { text: entry, refusal: false };
  if (!isObject(entry)) return undefined;
  const entries = Object.entries(entry);
  const textEntry = entries.find(([k, v]) => TEXT_KEYS.includes(k.toLowerCase()) && typeof v === 'string')
    ?? entries.find(([k, v]) => typeof v === 'string' && !FLAG_KEYS.includes(k.toLowerCase()));
  if (textEntry === undefined) return undefined;
  const flag = entries.find(([k]) => FLAG_KEYS.includes(k.toLowerCase()))?.[1];
  return { text: String(textEntry[1]), refusal: truthy(flag) };
}

function truthy(flag: unknown): boolean {
  if (typeof flag === 'boolean') return flag;
  if (typeof flag === 'number') return flag !== 0;
  return typeof flag === 'string' && /^\s*(?:true|yes|y|1)\s*$/i.test(flag);
}

/**
 * Applies a separate list of out-of-scope questions: indexes into the reply's list (counted
 * from 0, unless they only make sense counted from 1: one equals the list's length and none is 0),
 * or the questions' texts.
 */
function markRefusals(items: Item[], positions: readonly number[], length: number, marks: readonly unknown[]): void {
  const numbers = marks.filter((m): m is number => typeof m === 'number' && Number.isInteger(m));
  const oneBased = numbers.includes(length) && !numbers.includes(0);
  const indexes = new Set(numbers.map((n) => (oneBased ? n - 1 : n)));
  const texts = new Set(marks.filter((m): m is string => typeof m === 'string').map((t) => normalizeText(t)));
  items.forEach((item, i) => {
    const at = positions[i] ?? -1;
    if (indexes.has(at) || (texts.size > 0 && texts.has(normalizeText(item.text)))) items[i] = { ...item, refusal: true };
  });
}

const LIST_LINE = /^\s*(?:\(?\d{1,3}[.):]|[-*•‣–])\s+(\S.*)$/;
const REFUSAL_MARK = /\s*[[(](?:refusal|refuse|out[ -]of[ -]scope)[\])]\s*/i;

/** The items of a numbered or bulleted list, with "(refusal)" or "[out of scope]" marks read. */
function listItems(text: string): Item[] {
  const items: Item[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    const m = LIST_LINE.exec(line);
    if (m === null) continue;
    let body = (m[1] ?? '').trimEnd();
    const refusal = REFUSAL_MARK.test(body);
    if (refusal) body = body.replace(REFUSAL_MARK, ' ');
    // A list of quoted strings: the quotes are not part of the question.
    body = body.trim().replace(/^["\u201C](.*)["\u201D],?$/, '$1').replace(/^\*\*(.*)\*\*$/, '$1');
    items.push({ text: body, refusal });
  }
  return items;
}

/** Trimmed and on one line, numbering removed; empty questions and repeats dropped. */
function clean(items: readonly Item[]): Item[] {
  const seen = new Set<string>();
  const out: Item[] = [];
  for (const item of items) {
    const text = item.text.replace(/\s+/g, ' ').trim().replace(/^(?:Q\d*[:.]|\d{1,3}[.)])\s+/i, '');
    const key = normalizeText(text);
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    out.push({ text, refusal: item.refusal });
  }
  return out;
}

function cap(items: Item[], expected: number, refusals: number | undefined): Item[] {
  if (!(expected > 0) || items.length <= expected) return items;
  if (refusals === undefined) return items.slice(0, expected);
  const wantRefusals = Math.max(0, Math.min(expected, Math.floor(refusals)));
  const refused = items.filter((i) => i.refusal).length;
  // Out-of-scope questions to keep: as many as wanted, fewer if the reply has fewer, more only
  // when there are not enough in-scope ones to fill the rest.
  const keepRefusals = Math.min(refused, Math.max(wantRefusals, expected - (items.length - refused)));
  let r = 0;
  let s = 0;
  return items.filter((item) => {
    if (item.refusal) return r < keepRefusals && ++r > 0;
    return s < expected - keepRefusals && ++s > 0;
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
