/**
 * The pre-tokenizer patterns of Llama 3 and o200k, matched by hand on ASCII text: a regular
 * expression's `exec` allocates a match for every pre-token (one every four characters), which
 * cost more than everything else in counting. `pretokenEnd` gives where the pattern's match at a
 * position ends, or -1 when deciding it needs a character outside ASCII (a letter, digit or space
 * there may be any Unicode one): the caller then runs the real pattern from that position.
 *
 * The patterns (tokenizers.ts cites their sources), alternatives tried in order:
 *   Llama 3: '(s|t|re|ve|m|ll|d) (any case) | [^\r\n\p{L}\p{N}]?\p{L}+ | \p{N}{1,3}
 *            | ' '?[^\s\p{L}\p{N}]+[\r\n]* | \s*[\r\n]+ | \s+(?!\S) | \s+
 *   o200k:   [^\r\n\p{L}\p{N}]?[Lu Lt Lm Lo M]*[Ll Lm Lo M]+('s|'d|'m|'t|'ll|'ve|'re)?
 *            | [^\r\n\p{L}\p{N}]?[Lu Lt Lm Lo M]+[Ll Lm Lo M]*(contraction)? | \p{N}{1,3}
 *            | ' '?[^\s\p{L}\p{N}]+[\r\n/]* | \s*[\r\n]+ | \s+(?!\S) | \s+
 * In ASCII the letter classes are A-Z and a-z, \p{N} is 0-9 and \s is tab, LF, VT, FF, CR, space.
 */

const LOWER = 1;
const UPPER = 2;
const DIGIT = 4;
const SPACE = 8;
const NEWLINE = 16;

const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if (c >= 0x61 && c <= 0x7a) CLASS[c] = LOWER;
  else if (c >= 0x41 && c <= 0x5a) CLASS[c] = UPPER;
  else if (c >= 0x30 && c <= 0x39) CLASS[c] = DIGIT;
  else if (c === 0x0a || c === 0x0d) CLASS[c] = SPACE | NEWLINE;
  else if (c === 0x20 || c === 0x09 || c === 0x0b || c === 0x0c) CLASS[c] = SPACE;
}
const LETTER = LOWER | UPPER;
/** Not a letter, digit or space: `[^\s\p{L}\p{N}]`. */
const WORDLESS = LETTER | DIGIT | SPACE;

/** Beyond the text's end: a class of its own, outside every mask above. */
const END = 32;

/** The class of the unit at `i`: a value of CLASS, END past the end, or -1 outside ASCII. */
function classAt(text: string, i: number): number {
  if (i >= text.length) return END;
  const c = text.charCodeAt(i);
  return c < 128 ? CLASS[c] ?? 0 : -1;
}

function lowerCase(c: number): number {
  return c | 0x20;
}

/** The length of a contraction (`'s`, `'ll`, …) at `i`, any case, else 0. Llama 3 and o200k list the same ones. */
function contraction(text: string, i: number): number {
  if (text.charCodeAt(i) !== 0x27) return 0;
  const a = lowerCase(text.charCodeAt(i + 1));
  if (a === 0x73 || a === 0x74 || a === 0x6d || a === 0x64) return 2; // s t m d
  const b = lowerCase(text.charCodeAt(i + 2));
  if ((a === 0x72 && b === 0x65) || (a === 0x76 && b === 0x65) || (a === 0x6c && b === 0x6c)) return 3; // re ve ll
  return 0;
}

/** The end of the run of units of class `mask` from `i`, or -1 if it stops at a unit outside ASCII. */
function runEnd(text: string, i: number, mask: number): number {
  for (;;) {
    const k = classAt(text, i);
    if (k < 0) return -1;
    if ((k & mask) === 0) return i;
    i++;
  }
}

/** The end of the run of wordless units (`[^\s\p{L}\p{N}]+`) from `i`, or -1 at a unit outside ASCII. */
function wordlessEnd(text: string, i: number): number {
  for (;;) {
    if (i >= text.length) return i;
    const k = classAt(text, i);
    if (k < 0) return -1;
    if ((k & WORDLESS) !== 0) return i;
    i++;
  }
}

/** The whitespace alternatives, `\s*[\r\n]+ | \s+(?!\S) | \s+`, at `p` (a space), or -1. */
function spaceEnd(text: string, p: number): number {
  const q = runEnd(text, p, SPACE);
  if (q < 0) return -1;
  for (let i = q - 1; i >= p; i--) if (((CLASS[text.charCodeAt(i)] ?? 0) & NEWLINE) !== 0) return i + 1;
  if (q >= text.length || q - p === 1) return q;
  return q - 1;
}

function digitsEnd(text: string, p: number): number {
  let i = p + 1;
  for (; i < p + 3; i++) {
    const k = classAt(text, i);
    if (k < 0) return -1;
    if ((k & DIGIT) === 0) break;
  }
  return i;
}

/** Where Llama 3's pattern's match at `p` ends, or -1 (see above). */
export function llama3PretokenEnd(text: string, p: number): number {
  const k = classAt(text, p);
  if (k < 0) return -1;
  const apostrophe = contraction(text, p);
  if (apostrophe > 0) return p + apostrophe;
  if ((k & LETTER) !== 0) return runEnd(text, p + 1, LETTER);
  if ((k & DIGIT) !== 0) return digitsEnd(text, p);
  const next = classAt(text, p + 1);
  if (next < 0) return -1;
  // A non-letter, non-digit unit other than CR/LF may lead a run of letters.
  if ((k & NEWLINE) === 0 && (next & LETTER) !== 0) return runEnd(text, p + 2, LETTER);
  const start = text.charCodeAt(p) === 0x20 && next !== END && (next & WORDLESS) === 0 ? p + 1 : p;
  if ((classAt(text, start) & WORDLESS) === 0 && start < text.length) {
    const end = wordlessEnd(text, start + 1);
    return end < 0 ? -1 : runEnd(text, end, NEWLINE);
  }
  return spaceEnd(text, p);
}

/** o200k's `[Lu…]*[Ll…]+` then `[Lu…]+[Ll…]*`, from `s`, with a contraction after: the end, 0 if neither matches, -1 (see above). */
function o200kWordEnd(text: string, s: number): number {
  const u = runEnd(text, s, UPPER);
  if (u < 0) return -1;
  const l = runEnd(text, u, LOWER);
  if (l < 0) return -1;
  if (l === s) return 0;
  return l + contraction(text, l);
}

/** Where o200k's pattern's match at `p` ends, or -1 (see above). */
export function o200kPretokenEnd(text: string, p: number): number {
  const k = classAt(text, p);
  if (k < 0) return -1;
  if ((k & LETTER) !== 0) return o200kWordEnd(text, p);
  if ((k & DIGIT) !== 0) return digitsEnd(text, p);
  if ((k & NEWLINE) === 0) {
    const word = o200kWordEnd(text, p + 1);
    if (word !== 0) return word;
  }
  const next = classAt(text, p + 1);
  if (next < 0) return -1;
  const start = text.charCodeAt(p) === 0x20 && next !== END && (next & WORDLESS) === 0 ? p + 1 : p;
  if ((classAt(text, start) & WORDLESS) === 0 && start < text.length) {
    const end = wordlessEnd(text, start + 1);
    if (end < 0) return -1;
    return slashesAndNewlines(text, end);
  }
  return spaceEnd(text, p);
}

/** `[\r\n/]*` from `i`. */
function slashesAndNewlines(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 0x0a && c !== 0x0d && c !== 0x2f) return i;
    i++;
  }
}

/**
 * The ASCII units that may lead a word in both patterns (`[^\r\n\p{L}\p{N}]?` before the letters):
 * not a letter, digit, CR or LF. The apostrophe is left out: Llama 3 tries a contraction first
 * there (`'s` of `'said`), so a word after it goes to the full matcher.
 */
const WORD_LEAD = new Uint8Array(128);
for (let c = 0; c < 128; c++) WORD_LEAD[c] = ((CLASS[c] ?? 0) & (LETTER | DIGIT | NEWLINE)) === 0 && c !== 0x27 ? 1 : 0;

/*
 * The word fast paths: the pre-token at `p` (< text.length) when it is a word of ASCII letters,
 * after one sign or space or not, followed by an ASCII unit or the end (so the word cannot go on
 * in another script). They give -1 for anything else (the caller then uses the *PretokenEnd
 * functions above). The units they read are packed into `key` as they go, as pretokenTable.ts's
 * packKey does, so a word of at most 16 units is read once (longer ones leave `key` unusable).
 * Each index is checked against the length before it is read, so the compiled loops work on
 * small integers (charCodeAt past the end would give NaN, a double).
 */

/** Llama 3's `[^\r\n\p{L}\p{N}]?\p{L}+` on ASCII: the end, or -1. */
export function llama3AsciiWord(text: string, p: number, key: Int32Array): number {
  const n = text.length;
  let e = p;
  let acc = 0;
  const lead = text.charCodeAt(p);
  if (lead < 128 && WORD_LEAD[lead] === 1) {
    acc = lead;
    e++;
  }
  const q = e;
  let c = 0;
  for (; e < n; e++) {
    c = text.charCodeAt(e);
    if ((c | 0x20) < 0x61 || (c | 0x20) > 0x7a) break;
    acc = (acc << 7) | c;
    if (((e - p) & 3) === 3) {
      key[((e - p) >> 2) & 3] = acc;
      acc = 0;
    }
  }
  if (e === q || (e < n && c >= 128)) return -1;
  finishKey(key, e - p, acc);
  return e;
}

/**
 * o200k's `[^\r\n\p{L}\p{N}]?[Lu…]*[Ll…]+` on ASCII, not followed by an apostrophe (a contraction
 * may follow: left to o200kPretokenEnd): the end, or -1. Capitals with no small letter after them
 * (`HTTP`) are the pattern's second alternative: -1 too.
 */
export function o200kAsciiWord(text: string, p: number, key: Int32Array): number {
  const n = text.length;
  let e = p;
  let acc = 0;
  const lead = text.charCodeAt(p);
  if (lead < 128 && WORD_LEAD[lead] === 1) {
    acc = lead;
    e++;
  }
  let c = 0;
  for (; e < n; e++) {
    c = text.charCodeAt(e);
    if (c < 0x41 || c > 0x5a) break;
    acc = (acc << 7) | c;
    if (((e - p) & 3) === 3) {
      key[((e - p) >> 2) & 3] = acc;
      acc = 0;
    }
  }
  const lower = e;
  for (; e < n; e++) {
    c = text.charCodeAt(e);
    if (c < 0x61 || c > 0x7a) break;
    acc = (acc << 7) | c;
    if (((e - p) & 3) === 3) {
      key[((e - p) >> 2) & 3] = acc;
      acc = 0;
    }
  }
  if (e === lower) return -1;
  if (e < n && (c === 0x27 || c >= 128)) return -1;
  finishKey(key, e - p, acc);
  return e;
}

/** The last, partly filled number of a packed key of `length` units, and zeros after it. */
function finishKey(key: Int32Array, length: number, acc: number): void {
  if (length > 16) return;
  let k = length >> 2;
  if ((length & 3) !== 0) key[k++] = acc;
  for (; k < 4; k++) key[k] = 0;
}
