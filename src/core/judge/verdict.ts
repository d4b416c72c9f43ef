/**
 * Reading a pairwise judge's reply. The judge is asked to reason first and to end with `[[A]]`
 * (the first answer is better), `[[B]]` (the second is) or `[[C]]` (a tie). Judges stray from
 * that, so `parseVerdict` also reads the shapes they really produce:
 *
 * - the token anywhere, in any case, with spaces or bold inside (`[[ a ]]`, `[[**B**]]`), bold or
 *   backslash-escaped around it (`**[[A]]**`, `\[\[B\]\]`), after a label (`Final verdict: [[B]]`);
 * - `[[Tie]]` for a tie, and the comparison tokens of some judging prompts (`[[A>B]]`,
 *   `[[A>>B]]`, `[[B>A]]`, `[[B>>A]]`, `[[A=B]]`);
 * - several tokens: the last one wins (a judge often quotes the choices while reasoning), unless
 *   the line holding it names a different verdict too (`[[A]] or [[B]]`), which is ambiguous;
 * - as a fallback, only in the last non-empty line: single brackets (`[A]`, `[tie]`), or the
 *   line saying just that it is a tie (`Verdict: Tie`);
 * - a reasoning model's `<think>…</think>`: only the text after it may hold the verdict, and a
 *   reply cut off inside it has none.
 *
 * A reply with no verdict is an error for the caller to report or retry, never a loss.
 * Pure: no I/O, and it never throws.
 */

import { answerStart, lastLine, lineAround, normalizeReply, reasoningBefore } from './reply';

export type Verdict = 'A' | 'B' | 'C';

export type VerdictParse =
  | { readonly ok: true; readonly verdict: Verdict; readonly reasoning: string }
  | { readonly ok: false; readonly message: string };

/** `[[…]]` with optional backslash escapes, spaces and bold inside; group 1 is the choice. */
const DOUBLE = /\\?\[\\?\[[ \t]*(?:\*\*|__)?[ \t]*(A[ \t]*>>?[ \t]*B|B[ \t]*>>?[ \t]*A|A[ \t]*=[ \t]*B|A|B|C|tie)[ \t]*(?:\*\*|__)?[ \t]*\\?\]\\?\]/gi;

/** `[…]` alone (not part of `[[…]]`); only read in the last line. */
const SINGLE = /(?<![[\\])\\?\[[ \t]*(?:\*\*|__)?[ \t]*(A|B|C|tie)[ \t]*(?:\*\*|__)?[ \t]*\\?\](?!\])/gi;

/** A last line that only says it is a tie, once markdown and punctuation are removed. */
const TIE_LINE = /^(?:(?:my |the )?(?:final )?(?:verdict|judgment|judgement|decision|answer)(?: is)?:? ?)?(?:it is |it's |its )?(?:a )?tie$/i;

/** A label on the token's line (`Final verdict:`), dropped from the reasoning. */
const LABEL = /^[\s*_#>`-]*(?:my |the )?(?:final )?(?:verdict|judgment|judgement|decision|answer|choice)(?: is)?$/i;

function verdictOf(choice: string): Verdict {
  const c = choice.replace(/[ \t]/g, '').toUpperCase();
  if (c === 'A' || c === 'A>B' || c === 'A>>B') return 'A';
  if (c === 'B' || c === 'B>A' || c === 'B>>A') return 'B';
  return 'C';
}

interface Token { readonly verdict: Verdict; readonly start: number; readonly end: number }

function tokens(text: string, pattern: RegExp): Token[] {
  return [...text.matchAll(pattern)].map((m) => ({ verdict: verdictOf(m[1] ?? ''), start: m.index, end: m.index + m[0].length }));
}

const DIFFERENT = 'The judge named two different verdicts in its final line, so its choice is unclear.';

/** The verdict and reasoning of a judge's reply, or why none can be read. Never throws. */
export function parseVerdict(reply: string): VerdictParse {
  const text = normalizeReply(reply);
  if (text.trim() === '') return { ok: false, message: "The judge's reply is empty." };

  // A reasoning model's thinking may quote the choices: only the text after it counts.
  const start = answerStart(text);
  if ('cutOff' in start) {
    return { ok: false, message: 'The judge stopped while still thinking, before giving a verdict (raise its max_tokens).' };
  }
  const { from } = start;
  const tail = text.slice(from);

  const strong = tokens(tail, DOUBLE);
  const last = strong.at(-1);
  if (last !== undefined) {
    const line = lineAround(tail, last.start);
    const onLine = strong.filter((t) => t.start >= line.start && t.end <= line.end);
    if (onLine.some((t) => t.verdict !== last.verdict)) return { ok: false, message: DIFFERENT };
    return { ok: true, verdict: last.verdict, reasoning: reasoningBefore(text, from + last.start, LABEL) };
  }

  // Fallbacks, read only in the last non-empty line.
  const { start: lineStart, line } = lastLine(tail);
  const weak = tokens(line, SINGLE);
  const lastWeak = weak.at(-1);
  if (lastWeak !== undefined) {
    if (weak.some((t) => t.verdict !== lastWeak.verdict)) return { ok: false, message: DIFFERENT };
    return { ok: true, verdict: lastWeak.verdict, reasoning: reasoningBefore(text, from + lineStart + lastWeak.start, LABEL) };
  }
  const bare = line.replace(/[*_#>`".!()[\]\\]/g, ' ').replace(/\s+/g, ' ').trim();
  if (TIE_LINE.test(bare)) return { ok: true, verdict: 'C', reasoning: text.slice(0, from + lineStart).trim() };

  return { ok: false, message: 'The judge gave no verdict: its reply does not end with [[A]], [[B]] or [[C]].' };
}
