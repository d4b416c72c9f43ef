/**
 * `unfilled-placeholder`: template variables and fill-in-the-blanks that were never filled in
 * (`{name}`, `{{state}}`, `[Your Name]`, `XXX-XXXX`), fictional 555 phone numbers, filler text
 * (Lorem ipsum) and unfinished-answer markers (TODO, TBD). A tuned model reproduces them: it
 * answers "call 555-0123" or "contact [Agency Name]" instead of giving the real thing.
 *
 * False positives are kept down by context: braces right after `$`, `\`, `/`, `=` or a letter
 * are code, LaTeX or URL templates; a field with a fenced code block gets no brace findings at
 * all, and nothing is reported inside inline or fenced code; brackets followed by `(` are
 * Markdown links and digits in brackets are citations. Fields of role `rejected` are not
 * checked: a rejected answer may show exactly what not to do. Fictional numbers and TODO / TBD
 * are looked for in answers only (in a prompt, a fictional number is what a user should write).
 */
import type { RE2JS } from 're2js';
import type { ContentRule, Issue, LineLocator, RecordView, RuleOptions, TextField } from '../lint/types';
import { codeRanges, hasFence, inRanges, mayHaveCode } from './code';
import { MAX_ISSUES_PER_RECORD, perOptions, quote, stringList } from './options';
import { compileUserPattern } from './user-patterns';

const enum Kind { DoubleBrace = 1, Brace, Bracket, Mask, Fictional, Lorem, Todo }
const KINDS: readonly Kind[] = [Kind.DoubleBrace, Kind.Brace, Kind.Bracket, Kind.Mask, Kind.Fictional, Kind.Lorem, Kind.Todo];

/** One regex for every built-in kind; the capture group that matched says which. */
const PLACEHOLDER = new RegExp([
  String.raw`(\{\{[ \t]*[A-Za-z_][\w.-]{0,40}[ \t]*\}\})`,
  String.raw`(\{[A-Za-z_]\w{1,40}\})`,
  String.raw`\[([^\[\]\n]{1,80})\]`,
  // XXX-XXXX, (XXX) XXX-XXXX, 1-800-XXX-XXXX, XXX-XX-XXXX, XXXX XXXX XXXX XXXX
  String.raw`((?:\+?1[-. ])?(?:\((?:[Xx]{3}|\d{3})\) ?|(?:[Xx]{3}|\d{3})[-. ])?[Xx]{3}[-.][Xx]{4}|[Xx]{3}-[Xx]{2}-[Xx]{4}|[Xx]{4}(?:[- ][Xx]{4}){3})`,
  // 555-0123, (212) 555-0123, 1-212-555-0123, (555) 123-4567
  String.raw`((?:\+?1[-. ])?(?:\(\d{3}\) ?|\d{3}[-. ])?555[-.]\d{4}|(?:\+?1[-. ])?(?:\(555\) ?|555[-. ])\d{3}[-.]\d{4})`,
  String.raw`\b(Lorem ipsum)\b`,
  String.raw`\b(TODO|TBD)\b`,
].join('|'), 'g');

/** Bracketed text that opens like an instruction to the writer: `[Your State]`, `[insert date]`. */
const STARTER = /^(?:your|insert|enter|add|type|fill in|put|name of|date of)\b/i;

/** Nouns that make capitalised bracketed words a blank to fill in: `[Company Name]`, `[Phone Number]`. */
const NOUNS = new Set([
  'name', 'names', 'company', 'business', 'organization', 'organisation', 'agency', 'office', 'department', 'team',
  'date', 'time', 'day', 'month', 'year', 'deadline', 'address', 'street', 'city', 'town', 'state', 'county', 'province',
  'country', 'zip', 'postcode', 'email', 'e-mail', 'phone', 'number', 'website', 'url', 'link', 'contact', 'recipient',
  'client', 'customer', 'product', 'amount', 'price', 'fee', 'title', 'position', 'signature', 'location', 'manager',
]);

/** Little words that may sit between capitalised ones: `[Name of Agency]`, `[City/State]`. */
const CONNECTORS = new Set(['of', 'or', 'and', 'the', 'for', '&', '/', '-']);

const NONE: Issue[] = [];
Object.freeze(NONE);

interface Compiled {
  readonly patterns: readonly { readonly source: string; readonly regex: RE2JS }[];
  readonly ignore: ReadonlySet<string>;
}

/**
 * How much of a field one pattern may read: a few passes over it, and a fixed allowance so short
 * fields are never cut short. RE2 makes each search linear, but a search may read to the end of
 * the text before it settles on a match (`a*b|a` over a run of `a`s), and matches that are
 * ignored do not count towards the findings cap: without this, such a pattern would search once
 * per character. Each search is charged as if it read to the end.
 */
const SCAN_PASSES = 4;
const SCAN_ALLOWANCE = 256 * 1024;

const compiled = perOptions((options: RuleOptions): Compiled => {
  const patterns: { source: string; regex: RE2JS }[] = [];
  for (const source of stringList(options, 'patterns', [])) {
    // A rule sees one record at a time and cannot report its configuration: a pattern RE2 cannot
    // run is skipped here, and reported by the configuration (core/lint/config.ts) that refused it.
    const p = compileUserPattern(source);
    if (p.ok) patterns.push({ source, regex: p.regex });
  }
  return { patterns, ignore: new Set(stringList(options, 'ignore', [])) };
});

function isWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

/** Braces right after these are code, LaTeX, shell or URL templates (`${x}`, `\frac{a}`, `x^{nt}`, `/users/{id}`), not blanks. */
function codeBefore(c: number): boolean {
  return isWordChar(c) || c === 0x24 /* $ */ || c === 0x25 /* % */ || c === 0x23 /* # */ || c === 0x5c /* \ */ || c === 0x2f /* / */
    || c === 0x3d /* = */ || c === 0x3e /* > */ || c === 0x5e /* ^ */ || c === 0x7b /* { */ || c === 0x7d /* } */ || c === 0x29 /* ) */ || c === 0x5d /* ] */ || c === 0x40 /* @ */;
}

function isPlaceholderBracket(text: string, index: number, end: number, inner: string): boolean {
  const before = index > 0 ? text.charCodeAt(index - 1) : -1;
  const after = end < text.length ? text.charCodeAt(end) : -1;
  // Markdown links and images ([Name](url), [Name][1], ![Logo](…)) and indexing (users[Name]).
  if (after === 0x28 /* ( */ || after === 0x5b /* [ */ || before === 0x21 /* ! */ || isWordChar(before) || before === 0x5d || before === 0x29) return false;
  const trimmed = inner.trim();
  if (STARTER.test(trimmed)) return true;
  const words = trimmed.split(/\s+/);
  if (words.length > 6) return false;
  let noun = false;
  for (const w of words) {
    const bare = w.replace(/['’]s$|[,.:;]$/u, '');
    const lower = bare.toLowerCase();
    if (CONNECTORS.has(lower)) continue;
    const c = bare.charCodeAt(0);
    if (!(c >= 0x41 && c <= 0x5a)) return false; // every other word capitalised: [Company Name], [CITY]
    if (NOUNS.has(lower) || lower.split(/[/-]/).some((p) => NOUNS.has(p))) noun = true;
  }
  return noun;
}

/** Digits or letters right next to a masked or fictional number mean it is part of something longer. */
function glued(text: string, index: number, end: number): boolean {
  const before = index > 0 ? text.charCodeAt(index - 1) : -1;
  const after = end < text.length ? text.charCodeAt(end) : -1;
  return isWordChar(before) || before === 0x2d /* - */ || isWordChar(after) || after === 0x2d;
}

function message(kind: Kind, found: string): string {
  const q = quote(found);
  switch (kind) {
    case Kind.DoubleBrace:
    case Kind.Brace:
      return `${q} looks like an unfilled template variable: the model learns to write it literally. Fill in the real value (or add it to the rule's ignore option if it belongs there).`;
    case Kind.Bracket:
      return `${q} is a fill-in-the-blank placeholder: the model learns to answer with blanks instead of specifics. Write the actual value, or rephrase without it.`;
    case Kind.Mask:
      return `${q} is a masked-out value: the model learns to answer with masks. Write the real value, or say where to find it.`;
    case Kind.Fictional:
      return `${q} is a fictional 555 phone number: the model learns to give numbers that reach no one. Give the real number, or say where to find it.`;
    case Kind.Lorem:
      return `${q} is filler text: the model learns to produce it. Write the real text.`;
    case Kind.Todo:
      return `${q} marks an unfinished answer: the model learns to leave answers unfinished. Finish the answer, or delete the record.`;
  }
}

/** TODO or TBD in `text`? One pass over its (few) capital Ts instead of one search for each. */
function hasTodo(text: string): boolean {
  for (let i = text.indexOf('T'); i !== -1; i = text.indexOf('T', i + 1)) {
    if (text.startsWith('TODO', i) || text.startsWith('TBD', i)) return true;
  }
  return false;
}

/**
 * Cheap prechecks: a field with none of these cannot hold a built-in placeholder. Each is a
 * native search many times faster than a regex scan, which runs only after one of them hits.
 */
function mayHold(text: string, answer: boolean): boolean {
  return text.includes('{') || text.includes('[') || text.includes('XXX') || text.includes('xxx') || text.includes('Lorem')
    || (answer && (text.includes('555') || hasTodo(text)));
}

function builtIn(field: TextField, at: LineLocator, ignore: ReadonlySet<string>, out: Issue[] | undefined): Issue[] | undefined {
  const text = field.text;
  const answer = field.role === 'answer';
  if (!mayHold(text, answer)) return out;
  const fenced = hasFence(text);
  const markdown = mayHaveCode(text);
  let code: number[] | undefined;
  PLACEHOLDER.lastIndex = 0;
  for (let m = PLACEHOLDER.exec(text); m !== null && (out?.length ?? 0) < MAX_ISSUES_PER_RECORD; m = PLACEHOLDER.exec(text)) {
    let kind = Kind.Todo;
    for (const k of KINDS) {
      if (m[k] !== undefined) {
        kind = k;
        break;
      }
    }
    const index = m.index;
    const end = index + m[0].length;
    const before = index > 0 ? text.charCodeAt(index - 1) : -1;
    switch (kind) {
      case Kind.DoubleBrace:
        if (fenced || isWordChar(before) || before === 0x24 || before === 0x5c) continue;
        break;
      case Kind.Brace:
        // f"{name}" is a Python f-string.
        if (fenced || codeBefore(before) || ((before === 0x22 || before === 0x27) && text.charCodeAt(index - 2) === 0x66 /* f */)) continue;
        break;
      case Kind.Bracket:
        if (!isPlaceholderBracket(text, index, end, m[3] ?? '')) {
          // Not a blank: scan on from just inside it, so "[call 555-0123]" still finds the number.
          PLACEHOLDER.lastIndex = index + 1;
          continue;
        }
        break;
      case Kind.Mask:
        if (glued(text, index, end)) continue;
        break;
      case Kind.Fictional:
      case Kind.Todo:
        if (!answer || glued(text, index, end)) continue;
        break;
      case Kind.Lorem:
        break;
    }
    if (ignore.has(m[0])) continue;
    if (markdown && inRanges((code ??= codeRanges(text)), index)) continue;
    const { start, end: stop } = at.stringRange(field.path, index, end);
    (out ??= []).push({ rule: 'unfilled-placeholder', start, end: stop, message: message(kind, m[0]) });
  }
  return out;
}

/** The user's patterns, on RE2: linear in the text (see user-patterns.ts), with a bounded number of finds. */
function custom(field: TextField, at: LineLocator, { patterns, ignore }: Compiled, out: Issue[] | undefined): Issue[] | undefined {
  const text = field.text;
  const budget = SCAN_PASSES * text.length + SCAN_ALLOWANCE;
  for (const { source, regex } of patterns) {
    const m = regex.matcher(text);
    let read = 0;
    for (let from = 0; (out?.length ?? 0) < MAX_ISSUES_PER_RECORD; from = m.end()) {
      read += text.length - from;
      if (read > budget && from > 0) break; // the first search is always made: one pass is linear
      if (!m.find()) break;
      const index = m.start();
      const end = m.end();
      // Patterns that match empty text are refused, but one may still do so at some places (`\bx*`):
      // stepping past each empty match would make the scan quadratic, so the field is done.
      if (end === index) break;
      const found = text.slice(index, end);
      if (ignore.has(found)) continue;
      const range = at.stringRange(field.path, index, end);
      (out ??= []).push({
        rule: 'unfilled-placeholder', start: range.start, end: range.end,
        message: `${quote(found)} matches the placeholder pattern /${source}/ of this rule's options. Fill in the real value.`,
      });
    }
  }
  return out;
}

export const unfilledPlaceholder: ContentRule = {
  id: 'unfilled-placeholder',
  defaultSeverity: 'warning',
  description: 'An unfilled template variable ({name}, {{name}}, [Your Name]), a masked or fictional 555 number, Lorem ipsum, or TODO / TBD left in an answer.',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      patterns: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        description: 'More placeholders to flag, as regular expressions (JavaScript syntax, without slashes), e.g. ["<[A-Z_]+>"]. They run on RE2, in time linear in the text: backreferences and lookaround are not supported, and a pattern that uses them is reported and skipped.',
        default: [],
      },
      ignore: {
        type: 'array',
        items: { type: 'string' },
        description: 'Exact texts never to flag, e.g. ["{user_id}"] for an API path your answers really contain.',
        default: [],
      },
    },
  },
  defaultOptions: { patterns: [], ignore: [] },
  check(view: RecordView, at: LineLocator, options: RuleOptions): Issue[] {
    let out: Issue[] | undefined;
    let opts: Compiled | undefined;
    for (const field of view.fields) {
      if (field.role === 'rejected') continue;
      opts ??= compiled(options);
      out = builtIn(field, at, opts.ignore, out);
      if (opts.patterns.length > 0) out = custom(field, at, opts, out);
    }
    return out ?? NONE;
  },
};
