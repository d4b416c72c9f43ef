/**
 * UTF-8 sizes of JavaScript strings.
 *
 * Used as a cheap upper bound on token counts: a byte-level BPE token covers at least one byte,
 * so text of `n` UTF-8 bytes never has more than `n` tokens (special tokens cover several bytes).
 */

/**
 * The number of bytes `text` takes in UTF-8, as `TextEncoder` or `Buffer.byteLength` would give,
 * without allocating: a lone surrogate counts 3 bytes, like the U+FFFD that replaces it.
 */
export function utf8Length(text: string): number {
  const n = text.length;
  let bytes = n; // one byte per UTF-16 unit, plus what each unit needs beyond that
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      bytes += 1;
      continue;
    }
    // Three bytes for the rest of the BMP and for a lone surrogate; a surrogate pair is four
    // bytes for two units, i.e. these two extra plus the low unit's own one.
    bytes += 2;
    if (c <= 0xdbff && c >= 0xd800 && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return bytes;
}

/** Below this many units the loop beats a call into the native encoder. */
const SHORT = 24;

const encoder = new TextEncoder();
let scratch = new Uint8Array(1024);

/**
 * `utf8Length(text)` when it is at most `limit`, else -1. Long texts go through the native
 * encoder into a reused buffer (many times faster than a loop over the units), which stops once
 * `limit` bytes are exceeded.
 */
export function utf8LengthUpTo(text: string, limit: number): number {
  const n = text.length;
  if (n > limit) return -1; // at least one byte per unit
  if (n <= SHORT) {
    const bytes = utf8Length(text);
    return bytes > limit ? -1 : bytes;
  }
  if (scratch.length <= limit) scratch = new Uint8Array(limit + 1);
  const { read, written } = encoder.encodeInto(text, scratch);
  return read < n || written > limit ? -1 : written;
}
