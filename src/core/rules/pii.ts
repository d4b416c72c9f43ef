/**
 * `pii`: personal data in training text: email addresses, phone numbers, US Social Security
 * numbers and payment card numbers. A tuned model memorises rare strings it sees in training
 * and can repeat them to anyone, so real values must be replaced before training.
 *
 * Not flagged, because they identify no one (public-contacts.ts has the lists and their sources):
 * - email at reserved domains (example.com / .org / .net, .example, .test, .invalid,
 *   .localhost; RFC 2606), role mailboxes on any domain (info@, support@, phishing@, vote@ …;
 *   RFC 2142 and public-service functions), and any mailbox on an institution's domain (.gov,
 *   .mil, .edu, .int, gov.uk, gc.ca, gov.au …, state and local government under .us) unless it is
 *   spelt as a person's name (dana.whitfield@…), which is reported as a person's own address;
 * - fictional 555 numbers (`unfilled-placeholder` reports those in answers), US toll-free
 *   numbers (800, 833, 844, 855, 866, 877, 888) and any number the text gives as an office's or
 *   agency's ("call the IRS at 267-941-1000", "(Overseas Citizens Services)"): a service's
 *   public number is what an answer should give. Findings carry no severity of their own (the
 *   rule's applies to all), so such numbers are not reported at all rather than as info;
 * - SSNs never issued (area 000, 666 or 900–999, group 00, serial 0000) or voided (123-45-6789);
 * - digit runs that carry no card network's prefix and length, or fail the Luhn check.
 */
import type { ContentRule, Issue, LineLocator, RecordView, RuleOptions, TextField } from '../lint/types';
import { MAX_ISSUES_PER_RECORD, perOptions, quote, stringList } from './options';
import { institutionalDomain, officeMailbox, officeNumber, personLocalPart } from './public-contacts';

export type PiiKind = 'email' | 'phone' | 'ssn' | 'credit-card';
export const PII_KINDS: readonly PiiKind[] = ['email', 'phone', 'ssn', 'credit-card'];

/**
 * Number-shaped candidates, one sticky regex for all kinds (the group says which), tried only
 * where a number can start: SSN `123-45-6789`; NANP `(212) 555-0143`, `212-555-0143`,
 * `+1 212.555.0143`; international `+44 20 7946 0958`; card-length digit runs with optional
 * single spaces or dashes. Each is checked further in code. Every quantifier is bounded.
 */
const NUMBER_AT = new RegExp([
  String.raw`(\d{3}-\d{2}-\d{4})\b`,
  String.raw`((?:\+1[-. ]?|1[-. ])?(?:\(\d{3}\)[-. ]?|\d{3}[-. ])\d{3}[-. ]\d{4})\b`,
  String.raw`(\+[1-9]\d{0,2}(?:[-. ]?\(?\d{1,5}\)?){2,6})`,
  String.raw`(\d(?:[ -]?\d){12,18})\b`,
].join('|'), 'y');

/**
 * Every number kind has four digits in a row (a phone's line number, an SSN's serial, a card's
 * group), except an international number in pairs ("+33 1 23 45 67 89"), which is found from its
 * "+". A native scan for them (written out, not `\d{4}`, which scans slower) is the cheap way
 * to find where to look.
 */
const FOUR_DIGITS = /\d\d\d\d/g;

/** How far before its first four digits in a row a number can start: "1 (415) 867-5309". */
const LOOK_BACK = 14;

const TOLL_FREE = new Set(['800', '833', '844', '855', '866', '877', '888']);
const RESERVED_DOMAINS = ['example.com', 'example.org', 'example.net'];
const RESERVED_TLDS = ['example', 'test', 'invalid', 'localhost'];
const NONE: Issue[] = [];
Object.freeze(NONE);

const kindsOf = perOptions((options: RuleOptions): ReadonlySet<string> => new Set(stringList(options, 'kinds', PII_KINDS)));

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isAlnum(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** Characters of an email's local part (the common unquoted subset). */
function isLocal(c: number): boolean {
  return isAlnum(c) || c === 0x2e /* . */ || c === 0x5f /* _ */ || c === 0x25 /* % */ || c === 0x2b /* + */ || c === 0x2d /* - */;
}

function isDomain(c: number): boolean {
  return isAlnum(c) || c === 0x2e || c === 0x2d;
}

/** Adds a finding to `out` (created on the first); the caller stops at MAX_ISSUES_PER_RECORD. */
function add(out: Issue[] | undefined, field: TextField, at: LineLocator, from: number, to: number, kind: PiiKind, atInstitution = false): Issue[] {
  const list = out ?? [];
  list.push(issue(field, at, from, to, kind, atInstitution));
  return list;
}

function full(out: Issue[] | undefined): boolean {
  return out !== undefined && out.length >= MAX_ISSUES_PER_RECORD;
}

/**
 * Email addresses, found from each `@` by scanning outwards instead of by a regex: a regex with a
 * repeated local part retries from every letter of a long word and turns quadratic.
 */
function emails(field: TextField, at: LineLocator, out: Issue[] | undefined): Issue[] | undefined {
  const text = field.text;
  for (let atSign = text.indexOf('@'); atSign !== -1 && !full(out); atSign = text.indexOf('@', atSign + 1)) {
    let from = atSign;
    while (from > 0 && atSign - from < 64 && isLocal(text.charCodeAt(from - 1))) from--;
    while (from < atSign && text.charCodeAt(from) === 0x2e) from++; // a sentence's dot is not the address's
    let to = atSign + 1;
    while (to < text.length && to - atSign <= 253 && isDomain(text.charCodeAt(to))) to++;
    while (to > atSign + 1 && (text.charCodeAt(to - 1) === 0x2e || text.charCodeAt(to - 1) === 0x2d)) to--;
    if (from === atSign || to === atSign + 1) continue;
    const domain = text.slice(atSign + 1, to).toLowerCase();
    const local = text.slice(from, atSign);
    if (!validDomain(domain) || reservedDomain(domain) || officeMailbox(local)) continue;
    const atInstitution = institutionalDomain(domain);
    if (atInstitution && !personLocalPart(local)) continue;
    out = add(out, field, at, from, to, 'email', atInstitution);
    atSign = to - 1;
  }
  return out;
}

function validDomain(domain: string): boolean {
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  for (const l of labels) if (l === '' || l.startsWith('-') || l.endsWith('-')) return false;
  return /^[a-z]{2,24}$/.test(labels[labels.length - 1] ?? '');
}

function reservedDomain(domain: string): boolean {
  for (const d of RESERVED_DOMAINS) if (domain === d || domain.endsWith(`.${d}`)) return true;
  const tld = domain.slice(domain.lastIndexOf('.') + 1);
  return RESERVED_TLDS.includes(tld);
}

function digitsOf(s: string): string {
  return s.replace(/\D/g, '');
}

/** A real-looking North American number: area and exchange start 2–9, no N11 area, not fictional (555) or toll-free. */
function personalNanp(digits10: string): boolean {
  if (!/^[2-9]\d{2}[2-9]\d{6}$/.test(digits10)) return false;
  const area = digits10.slice(0, 3);
  const exchange = digits10.slice(3, 6);
  if (area[1] === '1' && area[2] === '1') return false;
  return area !== '555' && exchange !== '555' && !TOLL_FREE.has(area);
}

function validSsn(s: string): boolean {
  const area = s.slice(0, 3);
  // 123-45-6789 and 078-05-1120 were voided after appearing in advertisements.
  return area !== '000' && area !== '666' && area[0] !== '9' && s.slice(4, 6) !== '00' && s.slice(7) !== '0000'
    && s !== '123-45-6789' && s !== '078-05-1120';
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 0x30;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** A payment card number: a network's prefix and length (Visa, Mastercard, Amex, Discover, Diners, JCB…) and the Luhn checksum. */
function cardNumber(digits: string): boolean {
  const n = digits.length;
  const ok = /^4/.test(digits) ? n === 13 || n === 16 || n === 19
    : /^(?:5[1-5]|2[2-7])/.test(digits) ? n === 16
      : /^3[47]/.test(digits) ? n === 15
        : /^3[0689]/.test(digits) ? n >= 14 && n <= 19
          : /^6/.test(digits) ? n >= 16 && n <= 19
            : false;
  return ok && luhn(digits);
}

/** What a number-shaped match is, or undefined when it identifies no one. */
function classify(m: RegExpExecArray): { kind: PiiKind; length: number } | undefined {
  const [, ssn, nanp, intl, card] = m;
  if (ssn !== undefined) return validSsn(ssn) ? { kind: 'ssn', length: ssn.length } : undefined;
  if (nanp !== undefined) {
    const d = digitsOf(nanp);
    return personalNanp(d.length === 11 ? d.slice(1) : d) ? { kind: 'phone', length: nanp.length } : undefined;
  }
  if (intl !== undefined) {
    const trimmed = intl.replace(/[^\d]+$/, '');
    const d = digitsOf(trimmed);
    if (d.length < 8 || d.length > 15) return undefined;
    if (d.startsWith('1')) return d.length === 11 && personalNanp(d.slice(1)) ? { kind: 'phone', length: trimmed.length } : undefined;
    return { kind: 'phone', length: trimmed.length };
  }
  if (card !== undefined) return cardNumber(digitsOf(card)) ? { kind: 'credit-card', length: card.length } : undefined;
  return undefined;
}

/** Digits, dots or dashes right next to a number mean it is part of something longer (a version, an ID, a decimal). */
function glued(text: string, from: number, to: number): boolean {
  const b = from > 0 ? text.charCodeAt(from - 1) : -1;
  const a = to < text.length ? text.charCodeAt(to) : -1;
  const a2 = to + 1 < text.length ? text.charCodeAt(to + 1) : -1;
  return isAlnum(b) || b === 0x2d || b === 0x2f /* / */ || b === 0x2e || b === 0x5f
    || isAlnum(a) || a === 0x2d || a === 0x2f || a === 0x5f || ((a === 0x2e || a === 0x2c) && isDigit(a2));
}

/**
 * The number-shaped match at `start` that identifies someone, or undefined; `NUMBER_AT.lastIndex`
 * is left after any match. A phone number given as an office's comes back with `office` set: it
 * is not reported, and no shorter number inside it is looked for.
 */
function numberAt(text: string, start: number, kinds: ReadonlySet<string>): { kind: PiiKind; length: number; office?: true } | undefined {
  NUMBER_AT.lastIndex = start;
  const m = NUMBER_AT.exec(text);
  if (m === null) return undefined;
  const found = classify(m);
  if (found === undefined || !kinds.has(found.kind) || glued(text, start, start + found.length)) return undefined;
  if (found.kind === 'phone' && officeNumber(text, start, start + found.length)) return { ...found, office: true };
  return found;
}

/** Could a number start at `s`? At "(", or at a digit that does not continue a longer word or run ("+" is tried separately). */
function mayStart(text: string, s: number): boolean {
  const c = text.charCodeAt(s);
  return c === 0x28 || (isDigit(c) && (s === 0 || !isAlnum(text.charCodeAt(s - 1))));
}

/** The end of the range in `ranges` (flat `[from, to)` pairs) that holds `i`, or -1. */
function coveredUntil(ranges: readonly number[] | undefined, i: number): number {
  if (ranges === undefined) return -1;
  for (let k = 0; k < ranges.length; k += 2) if (i >= (ranges[k] ?? 0) && i < (ranges[k + 1] ?? 0)) return ranges[k + 1] ?? -1;
  return -1;
}

function numbers(field: TextField, at: LineLocator, kinds: ReadonlySet<string>, out: Issue[] | undefined): Issue[] | undefined {
  const text = field.text;
  // International numbers start with "+" and may have no four digits in a row.
  let plusNumbers: number[] | undefined; // their ranges, not to be looked at again without the "+"
  for (let plus = text.indexOf('+'); plus !== -1 && !full(out); plus = text.indexOf('+', plus + 1)) {
    const found = numberAt(text, plus, kinds);
    if (found === undefined) continue;
    if (found.office !== true) out = add(out, field, at, plus, plus + found.length, found.kind);
    (plusNumbers ??= []).push(plus, plus + found.length);
    plus += found.length - 1;
  }
  FOUR_DIGITS.lastIndex = 0;
  let done = 0; // text before this is dealt with
  // `test` rather than `exec`: no match object; the run ends at `lastIndex`.
  while (!full(out) && FOUR_DIGITS.test(text)) {
    const run = FOUR_DIGITS.lastIndex - 4;
    for (let s = Math.max(done, run - LOOK_BACK); s <= run; s++) {
      const covered = coveredUntil(plusNumbers, s);
      if (covered !== -1) {
        done = covered;
        break;
      }
      if (!mayStart(text, s)) continue;
      const found = numberAt(text, s, kinds);
      if (found === undefined) continue;
      done = s + found.length;
      if (found.office !== true) out = add(out, field, at, s, done, found.kind);
      break;
    }
    if (FOUR_DIGITS.lastIndex < done) FOUR_DIGITS.lastIndex = done;
  }
  return out;
}

const WHAT: Record<PiiKind, string> = {
  email: 'a real email address',
  phone: 'a real phone number',
  ssn: 'a US Social Security number',
  'credit-card': 'a payment card number',
};

/** What to write instead. In an answer a fictional phone number would teach the model to invent numbers (see unfilled-placeholder). */
function instead(kind: PiiKind, answer: boolean): string {
  switch (kind) {
    case 'email': return 'Replace it with a fictional address at a reserved domain (e.g. jane.doe@example.com).';
    case 'phone': return answer
      ? 'Replace it with a fictional value, or remove it; where the answer needs a number, give the organisation\'s public one.'
      : 'Replace it with a fictional value (e.g. 555-0100).';
    case 'ssn': return 'Replace it with a fictional value, or remove it.';
    case 'credit-card': return 'Replace it with a fictional value, or remove it.';
  }
}

function issue(field: TextField, at: LineLocator, from: number, to: number, kind: PiiKind, atInstitution: boolean): Issue {
  const found = field.text.slice(from, to);
  const { start, end } = at.stringRange(field.path, from, to);
  const what = atInstitution ? 'a person\'s own address at an institution' : WHAT[kind];
  const advice = atInstitution
    ? 'Give the office\'s mailbox instead, or replace it with a fictional address at a reserved domain (e.g. jane.doe@example.com).'
    : instead(kind, field.role === 'answer');
  return {
    rule: 'pii', start, end,
    message: `${quote(found)} looks like ${what}: the model memorises personal data from training and can repeat it to anyone. ${advice}`,
  };
}

export const pii: ContentRule = {
  id: 'pii',
  defaultSeverity: 'warning',
  description: 'Personal data the model would memorise: email addresses, phone numbers, US Social Security numbers, payment card numbers.',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      kinds: {
        type: 'array',
        items: { enum: [...PII_KINDS] },
        uniqueItems: true,
        description: 'Which kinds of personal data to look for: email, phone, ssn, credit-card.',
        default: [...PII_KINDS],
      },
    },
  },
  defaultOptions: { kinds: [...PII_KINDS] },
  check(view: RecordView, at: LineLocator, options: RuleOptions): Issue[] {
    let out: Issue[] | undefined;
    const kinds = kindsOf(options);
    const mail = kinds.has('email');
    const number = kinds.size > (mail ? 1 : 0);
    for (const field of view.fields) {
      if (mail && field.text.includes('@')) out = emails(field, at, out);
      if (number && !full(out)) out = numbers(field, at, kinds, out);
      if (full(out)) break;
    }
    return out ?? NONE;
  },
};
