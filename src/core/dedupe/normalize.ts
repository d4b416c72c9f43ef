/**
 * Text normalization for duplicate detection: two texts that differ only in case, width forms,
 * punctuation, symbols or spacing normalize to the same string.
 *
 * Pure. Lowercasing uses `toLowerCase` (locale-independent, unlike `toLocaleLowerCase`, so a
 * Turkish user's "I" matches everyone else's). Letters, marks and digits of every script are
 * kept: only punctuation (`\p{P}`), symbols (`\p{S}`) and invisible format characters (`\p{Cf}`,
 * e.g. zero-width spaces and soft hyphens, which would otherwise hide a copy) are removed, not
 * replaced by a space, so "driver's" and "drivers" are the same word.
 */

const REMOVED = /[\p{P}\p{S}\p{Cf}]+/gu;
const SPACES = /\s+/g;

/**
 * The text lowercased, NFKC-normalized (full-width "Ａ" becomes "a", the ligature "ﬁ" becomes
 * "fi"), without punctuation, symbols and format characters, with runs of whitespace collapsed
 * to one space and no leading or trailing space.
 */
export function normalizeText(text: string): string {
  return normalizeAscii(text) ?? normalizeUnicode(text);
}

function normalizeUnicode(text: string): string {
  // NFKC first: it turns compatibility forms (full-width letters, ligatures, non-breaking
  // spaces) into the plain characters the later steps know about.
  return text.normalize('NFKC').toLowerCase().replace(REMOVED, '').replace(SPACES, ' ').trim();
}

// ---------------------------------------------------------------------------------------------
// The ASCII fast path

/**
 * What each byte becomes: DROP (punctuation and symbols: every printable ASCII character that is
 * not a letter, digit or space is `\p{P}` or `\p{S}`), SPACE (space, tab, LF, CR), SLOW (other
 * control characters and every byte from 0x80 on: left to the Unicode path) or the byte to write
 * (lowercased). Every fast path (this file's, `exactKey`'s, the shingler's) reads this one table,
 * so they cannot disagree about a character.
 */
export const DROP = 0;
export const SPACE = 1;
export const SLOW = 2;
export const ASCII_FOLD = new Uint8Array(256).map((_, c) => {
  if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) return SPACE;
  if (c < 0x20 || c >= 0x7f) return SLOW;
  if (c >= 0x41 && c <= 0x5a) return c + 0x20;
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a)) return c;
  return DROP;
});

const MAX_KEPT = 1 << 16;
let bytes = new Uint8Array(1024);

function reserve(length: number): Uint8Array {
  if (bytes.length < length) bytes = new Uint8Array(Math.min(MAX_KEPT, Math.max(length, bytes.length * 2)));
  return bytes;
}

/** For bytes below 0x80 this is ASCII, and it yields a flat one-byte string. */
const decoder = new TextDecoder('latin1');

const encoder = new TextEncoder();
let encoded = new Uint8Array(1024);

/**
 * The text's characters as bytes when it is all ASCII, else undefined; the bytes are
 * `[0, text.length)` of the returned buffer, which is reused by the next call. `encodeInto` copies
 * ASCII at memory speed, and a loop over a byte array then reads each character for about half
 * what `charCodeAt` costs (measured in bench/exactDuplicates.bench.ts).
 */
export function asciiBytes(text: string): Uint8Array | undefined {
  const length = text.length;
  if (encoded.length < length) {
    if (length > MAX_KEPT) return asciiBytesOnce(text);
    encoded = new Uint8Array(Math.min(MAX_KEPT, Math.max(length, encoded.length * 2)));
  }
  // `read` counts UTF-16 units taken from the text, `written` UTF-8 bytes put in the buffer
  // (https://nodejs.org/api/util.html#textencoderencodeintosrc-dest, the WHATWG Encoding
  // Standard's TextEncoder). A character outside ASCII takes two or more bytes, so it shows as
  // fewer units read or more bytes written than the text has units.
  const { read, written } = encoder.encodeInto(text, encoded);
  return read === length && written === length ? encoded : undefined;
}

/** `asciiBytes` for a huge text: a buffer of its own rather than one that pins its size for good. */
function asciiBytesOnce(text: string): Uint8Array | undefined {
  const out = new Uint8Array(text.length);
  const { read, written } = encoder.encodeInto(text, out);
  return read === text.length && written === text.length ? out : undefined;
}

/**
 * Most datasets are plain ASCII, which is already NFKC and whose punctuation is a fixed set:
 * one pass over the characters into a byte buffer does the whole job, about twice as fast as
 * the regular expressions. Building the result from `slice`s is as fast, but gives a rope of
 * small strings that stays in memory whole when kept (as index keys are): 4 KB for a 300-character
 * text. Returns undefined at the first character it does not handle.
 */
function normalizeAscii(text: string): string | undefined {
  const length = text.length;
  // The buffer is reused between calls, but a huge line gets one of its own rather than
  // pinning its size in memory for good.
  const out = length <= MAX_KEPT ? reserve(length) : new Uint8Array(length);
  let n = 0;
  let space = false;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return undefined;
    const mapped = ASCII_FOLD[c] ?? SLOW;
    if (mapped === DROP) continue;
    if (mapped === SPACE) {
      space = n > 0;
      continue;
    }
    if (mapped === SLOW) return undefined;
    if (space) {
      out[n++] = 0x20;
      space = false;
    }
    out[n++] = mapped;
  }
  return decoder.decode(out.subarray(0, n));
}
