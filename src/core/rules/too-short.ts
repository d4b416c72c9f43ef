/**
 * `too-short`: answers of only a word or two. A model tuned on them learns to answer tersely,
 * and LLM judges, which compare answers for helpfulness and completeness, mark terse answers down.
 *
 * Words are runs of non-space characters; in Chinese, Japanese and Korean text, which has no
 * spaces between words, each character counts as one. Empty answers are `empty-field`'s.
 */
import type { ContentRule, Issue, LineLocator, RecordView, RuleOptions, TextField } from '../lint/types';
import { intOption, isSpace, quote } from './options';

export const DEFAULT_MIN_WORDS = 3;

const NONE: Issue[] = [];
Object.freeze(NONE);

/** Hiragana, katakana, CJK ideographs and Hangul syllables: each counts as a word. */
function isCjk(c: number): boolean {
  return (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af) || (c >= 0xf900 && c <= 0xfaff);
}

/** The number of words in `text`, counting no further than `limit`. */
export function countWords(text: string, limit: number): number {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length && words < limit; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80 ? c === 0x20 || (c >= 0x09 && c <= 0x0d) : isSpace(c)) {
      inWord = false;
    } else if (c >= 0x3040 && isCjk(c)) {
      words++;
      inWord = false;
    } else if (!inWord) {
      words++;
      inWord = true;
    }
  }
  return words;
}

function issue(field: TextField, at: LineLocator, words: number): Issue {
  const n = words === 1 ? 'one word' : `${words} words`;
  return {
    rule: 'too-short',
    ...at.valueRange(field.path),
    message: `This answer is ${n} (${quote(field.text.trim())}): very short answers teach the model to reply tersely, which LLM judges mark down. Answer in full sentences, with the reason or the next step a user needs.`,
  };
}

export const tooShort: ContentRule = {
  id: 'too-short',
  defaultSeverity: 'info',
  description: 'An answer of fewer words than minWords (3 by default): terse training answers make a terse model.',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      minWords: {
        type: 'integer',
        minimum: 1,
        description: 'Answers with fewer words than this are flagged.',
        default: DEFAULT_MIN_WORDS,
      },
    },
  },
  defaultOptions: { minWords: DEFAULT_MIN_WORDS },
  check(view: RecordView, at: LineLocator, options: RuleOptions): Issue[] {
    let out: Issue[] | undefined;
    let min = -1;
    for (const field of view.fields) {
      if (field.role !== 'answer') continue;
      if (min === -1) min = intOption(options, 'minWords', DEFAULT_MIN_WORDS, 1);
      const words = countWords(field.text, min);
      if (words === 0 || words >= min) continue;
      (out ??= []).push(issue(field, at, words));
    }
    return out ?? NONE;
  },
};
