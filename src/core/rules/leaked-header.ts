/**
 * `leaked-header`: prompt-template headers and chat-template special tokens written into the
 * data. The trainer wraps each record in its own template; a header or token already in the text
 * is learnt as words to print, so the tuned model starts answers with "### Answer:" or ends them
 * with a literal "<|eot_id|>".
 *
 * Headers (`### Answer:`, `### ANSWER`, `**Response**`, `Answer —`, `A:`, `<|assistant|>` …; the
 * forms and their sources are in answer-headers.ts) are looked for at the start of answer-side
 * fields (roles `answer` and `rejected`) only, and Dolly's `### End` at their end. Fields of role
 * `text` are left alone:
 * a raw-text record legitimately holds a whole formatted prompt ("### Instruction: … ###
 * Response: …"), so a header there is the user's template, not a leak. Special tokens are looked
 * for anywhere in every field: no trainer wants them as text.
 */
import type { ContentRule, Issue, LineEdit, LineLocator, RecordView, RuleOptions, TextField } from '../lint/types';
import { answerHeaderAt, endMarkerIn } from './answer-headers';
import { replaceInString } from './edits';
import { isSpace, MAX_ISSUES_PER_RECORD, perOptions, quote, stringList } from './options';

/**
 * Chat-template special tokens and markers, longest forms first so a whole Llama 3 header or a
 * ChatML turn opening is one finding: `<|start_header_id|>assistant<|end_header_id|>`,
 * `<|im_start|>assistant`, any `<|name|>`, Llama 2's `[INST]` / `[/INST]` / `<<SYS>>`, and
 * `</s>` (reported only at the end of a field: elsewhere it is more likely HTML).
 */
const TOKEN_SOURCE = String.raw`<\|start_header_id\|>[ \t]{0,4}[A-Za-z_]{0,20}[ \t]{0,4}<\|end_header_id\|>|<\|im_start\|>(?:system|user|assistant|tool|function|ipython)?|<\|[A-Za-z][\w-]{0,40}\|>|\[\/?INST\]|<<\/?SYS>>|<\/s>`;
const TOKEN = new RegExp(TOKEN_SOURCE, 'g');
const TOKEN_AT = new RegExp(TOKEN_SOURCE, 'y');

const NONE: Issue[] = [];
Object.freeze(NONE);

const DEFAULT_OPTIONS = { headers: [] };

/** Extra headers from the options, longest first so the longest one that matches wins. */
const extraHeaders = perOptions((options: RuleOptions): readonly string[] =>
  stringList(options, 'headers', []).filter((h) => h.trim() !== '').sort((a, b) => b.length - a.length));

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** The end of the header at `i`, or -1. */
function headerAt(text: string, i: number, extra: readonly string[]): number {
  for (const h of extra) if (text.startsWith(h, i)) return i + h.length;
  const c = text.charCodeAt(i);
  // The first character decides cheaply whether any pattern can match here.
  if (c === 0x3c /* < */ || c === 0x5b /* [ */) {
    TOKEN_AT.lastIndex = i;
    if (TOKEN_AT.test(text) && !text.startsWith('</s>', i)) return TOKEN_AT.lastIndex;
    return -1;
  }
  return answerHeaderAt(text, i);
}

function fixOf(title: string, edit: LineEdit | undefined): { title: string; edits: LineEdit[] } | undefined {
  return edit === undefined ? undefined : { title, edits: [edit] };
}

function leadingHeader(field: TextField, at: LineLocator, from: number, to: number, removeTo: number): Issue {
  const header = field.text.slice(from, to);
  const { start, end } = at.stringRange(field.path, from, to);
  const what = field.role === 'rejected' ? 'The rejected answer' : 'The answer';
  const fix = fixOf(`Remove the leaked ${quote(header)} header`, replaceInString(at, field, from, removeTo));
  return {
    rule: 'leaked-header', start, end,
    message: `${what} starts with ${quote(header)}, a prompt-template header: the model learns to print it before its answers. Remove it; the trainer's template adds its own.`,
    ...(fix === undefined ? {} : { fix }),
  };
}

function endMarker(field: TextField, at: LineLocator, from: number, to: number, removeFrom: number): Issue {
  const marker = field.text.slice(from, to);
  const { start, end } = at.stringRange(field.path, from, to);
  const what = field.role === 'rejected' ? 'The rejected answer' : 'The answer';
  const fix = fixOf(`Remove the leaked ${quote(marker)} marker`, replaceInString(at, field, removeFrom, field.text.length));
  return {
    rule: 'leaked-header', start, end,
    message: `${what} ends with ${quote(marker)}, a prompt-template end marker: the model learns to print it after its answers. Remove it; the trainer ends each example with its own end-of-sequence token.`,
    ...(fix === undefined ? {} : { fix }),
  };
}

/**
 * What to delete with a special token at `[from, to)`: at the end of the field, the space before
 * it too; elsewhere the space after it. Between two words it becomes one space, so they stay apart.
 */
function tokenEdit(field: TextField, at: LineLocator, from: number, to: number): LineEdit | undefined {
  const text = field.text;
  const after = skipSpace(text, to);
  if (after === text.length) {
    let before = from;
    while (before > 0 && isSpace(text.charCodeAt(before - 1))) before--;
    return replaceInString(at, field, before, text.length);
  }
  if (from === 0 || isSpace(text.charCodeAt(from - 1))) return replaceInString(at, field, from, after);
  return replaceInString(at, field, from, to, after === to ? ' ' : '');
}

function specialToken(field: TextField, at: LineLocator, from: number, to: number): Issue {
  const token = field.text.slice(from, to);
  const { start, end } = at.stringRange(field.path, from, to);
  const fix = fixOf(`Remove the leaked ${quote(token)} token`, tokenEdit(field, at, from, to));
  return {
    rule: 'leaked-header', start, end,
    message: `${quote(token)} is a chat-template token written into the text: the model learns to print it. Remove it; the trainer's chat template adds the real tokens.`,
    ...(fix === undefined ? {} : { fix }),
  };
}

function checkField(field: TextField, at: LineLocator, extra: readonly string[], out: Issue[] | undefined): Issue[] | undefined {
  const text = field.text;
  if (text === '') return out;
  let from = 0;
  if (field.role === 'answer' || field.role === 'rejected') {
    // Headers can be stacked (`<|start_header_id|>assistant<|end_header_id|>\n\n### Answer:`): one finding each.
    for (let i = skipSpace(text, 0), guard = 0; guard < 8; guard++) {
      const end = headerAt(text, i, extra);
      if (end === -1) break;
      const next = skipSpace(text, end);
      (out ??= []).push(leadingHeader(field, at, i, end, next));
      i = from = next;
    }
    const marker = endMarkerIn(text);
    if (marker !== undefined && marker.from >= from) {
      // The fix takes the line breaks before the marker too, but never text a header's fix removes.
      let removeFrom = marker.from;
      while (removeFrom > from && isSpace(text.charCodeAt(removeFrom - 1))) removeFrom--;
      (out ??= []).push(endMarker(field, at, marker.from, marker.to, removeFrom));
    }
  }
  if (text.indexOf('<', from) === -1 && text.indexOf('[', from) === -1) return out;
  TOKEN.lastIndex = from;
  for (let m = TOKEN.exec(text); m !== null && (out?.length ?? 0) < MAX_ISSUES_PER_RECORD; m = TOKEN.exec(text)) {
    const to = m.index + m[0].length;
    if (m[0] === '</s>' && skipSpace(text, to) !== text.length) continue;
    (out ??= []).push(specialToken(field, at, m.index, to));
  }
  return out;
}

export const leakedHeader: ContentRule = {
  id: 'leaked-header',
  defaultSeverity: 'warning',
  description: 'A prompt-template header ("### Answer:", "### ANSWER", "**Response**", "Answer —", "A:", "<|assistant|>") at the start of an answer or an end marker ("### End") at its end, or a chat-template special token ("<|eot_id|>", "[/INST]") anywhere in the text.',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      headers: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        description: 'More headers to flag at the start of an answer, matched exactly (case-sensitive), e.g. ["Bot:", "### Reply:"].',
        default: [],
      },
    },
  },
  defaultOptions: DEFAULT_OPTIONS,
  check(view: RecordView, at: LineLocator, options: RuleOptions): Issue[] {
    const extra = extraHeaders(options);
    let out: Issue[] | undefined;
    for (const field of view.fields) out = checkField(field, at, extra, out);
    return out ?? NONE;
  },
};
