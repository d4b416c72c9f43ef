/**
 * The header forms that turn up at the start of answers in fine-tuning data, and the end marker
 * some templates write after them. A header is a speaker or section label the trainer's own
 * template already supplies, so one left in the answer is learnt as text to print.
 *
 * Where the forms come from:
 * - Alpaca ends its prompt with "### Response:" (tatsu-lab/stanford_alpaca, train.py, PROMPT_DICT),
 *   Dolly with "### Response:\n" and writes "### End" after the response (databrickslabs/dolly,
 *   training/consts.py: RESPONSE_KEY, END_KEY); Vicuna v1.1 labels turns "ASSISTANT:", Vicuna v0
 *   and Guanaco "### Assistant:" (lm-sys/FastChat, docs/weights_version.md); "Output" is the
 *   answer heading of Alpaca-style variants ("### Output:").
 * - Scraped FAQs and model-generated data write the same labels as Markdown headings without a
 *   colon ("### ANSWER", "## Answer" alone on a line), bold ("**Answer:**", "**Response**"),
 *   with a dash ("Answer -", "Answer —"), or as "A:" after a "Q:" question.
 *
 * What is not a header: the word as the start of a sentence ("Answer the form…", "Response times
 * vary…", "Assistant Secretary…"), a heading that only begins with it ("## Answering the
 * census"), "Output:" outside a heading (an answer about a program's output), and "A:" that
 * opens a lettered list ("A: in person, B: by mail").
 */
import { isSpace } from './options';

const HASH = 0x23;
const COLON = 0x3a;

/** The header words after which an answer follows, in any case, as whole words. */
const HEADER_WORD = /(answer|response|assistant|output)(?![\p{L}\p{N}_])/iuy;

/** Hyphen, en dash and em dash: "Answer -", "Answer –", "Answer —". */
function isDash(c: number): boolean {
  return c === 0x2d || c === 0x2013 || c === 0x2014;
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function isLineBreak(c: number): boolean {
  return c === 0x0a || c === 0x0d;
}

function skipBlank(text: string, i: number): number {
  while (i < text.length && isBlank(text.charCodeAt(i))) i++;
  return i;
}

/** `**` or `__` at `i` (Markdown strong emphasis), or undefined. */
function emphasisAt(text: string, i: number): string | undefined {
  const c = text.charCodeAt(i);
  if ((c === 0x2a || c === 0x5f) && text.charCodeAt(i + 1) === c) return text.slice(i, i + 2);
  return undefined;
}

/** "A: Form DS-11 … B: Form DS-82": the "A:" opens a lettered list, not an answer. */
const NEXT_LETTER = /(?:^|[\s,;(])B:[ \t]/m;

/**
 * The end (exclusive) of a header that starts at `i`, or -1. The header runs to its colon, dash
 * or closing emphasis; the spaces and line breaks after it are the caller's to remove.
 */
export function answerHeaderAt(text: string, i: number): number {
  const first = text.charCodeAt(i);
  // The first character decides cheaply whether any form can start here: #, *, _, a, r, o.
  const lower = first | 0x20;
  if (first !== HASH && first !== 0x2a && first !== 0x5f && lower !== 0x61 && lower !== 0x72 && lower !== 0x6f) return -1;
  let p = i;
  let heading = false;
  if (first === HASH) {
    while (text.charCodeAt(p) === HASH) p++;
    if (p - i > 6) return -1;
    p = skipBlank(text, p);
    heading = true;
  }
  const emphasis = emphasisAt(text, p);
  if (emphasis !== undefined) p += 2;
  const labelled = heading || emphasis !== undefined;

  let word: string;
  if (text.charCodeAt(p) === 0x41 /* A, upper case only */ && text.charCodeAt(skipBlank(text, p + 1)) === COLON) {
    word = 'a';
    p += 1;
  } else {
    HEADER_WORD.lastIndex = p;
    const m = HEADER_WORD.exec(text);
    if (m === null) return -1;
    word = (m[1] ?? '').toLowerCase();
    p = HEADER_WORD.lastIndex;
  }
  // "Output:" is a header only as a heading or in bold; a bare one is more likely about a program.
  if (word === 'output' && !labelled) return -1;

  let closed = emphasis === undefined;
  if (emphasis !== undefined && text.startsWith(emphasis, p)) {
    p += 2;
    closed = true;
  }
  const afterWord = skipBlank(text, p);
  if (text.charCodeAt(afterWord) === COLON) {
    let end = afterWord + 1;
    if (!closed && emphasis !== undefined && text.startsWith(emphasis, skipBlank(text, end))) {
      end = skipBlank(text, end) + 2;
      closed = true;
    }
    if (!closed) return -1;
    if (word === 'a' && NEXT_LETTER.test(text.slice(end, end + 2000))) return -1;
    return end;
  }
  if (!closed || word === 'a') return -1;
  // A dash followed by a space or the end of the line: "Answer - …", "Answer —\n…", not "Response—if".
  const dash = text.charCodeAt(afterWord);
  if (isDash(dash)) {
    const next = afterWord + 1;
    if (next === text.length || isBlank(text.charCodeAt(next)) || isLineBreak(text.charCodeAt(next))) return next;
    return -1;
  }
  // Alone on its line: "### ANSWER\n", "**Response**\n", or a bare "Answer\n" with the answer below it.
  if (afterWord === text.length || isLineBreak(text.charCodeAt(afterWord))) {
    if (labelled) return p;
    let rest = afterWord;
    while (rest < text.length && isSpace(text.charCodeAt(rest))) rest++;
    return rest < text.length ? p : -1;
  }
  return -1;
}

/** Dolly's "### End" (any number of hashes, any case) as the last line of a field. */
const END_MARKER = /(?:^|\s)(#{1,6}[ \t]{0,4}end)$/i;

/** The range of an end marker that closes `text` (trailing spaces excluded), or undefined. */
export function endMarkerIn(text: string): { from: number; to: number } | undefined {
  let to = text.length;
  while (to > 0 && isSpace(text.charCodeAt(to - 1))) to--;
  if (to < 4 || (text.charCodeAt(to - 1) | 0x20) !== 0x64 /* d */) return undefined;
  // The marker is at most 13 characters, so in this slice "^" only matches at the field's start.
  const start = Math.max(0, to - 16);
  const m = END_MARKER.exec(text.slice(start, to));
  const marker = m?.[1];
  if (m === null || marker === undefined) return undefined;
  return { from: to - marker.length, to };
}
