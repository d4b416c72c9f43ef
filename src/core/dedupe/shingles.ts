/**
 * Word shingles: a text becomes the set of its shingles (k consecutive words of its normalized
 * form, `normalizeText`), each one 32-bit hash, sorted and duplicate-free. This is what the
 * near-duplicate index stores and signs for every row it is given.
 *
 * Pure; the buffers are reused from one text to the next. A word's hash is `hashRange` over its
 * characters in the normalized text (FNV-1a, then `fmix32`), a shingle's is an order-sensitive mix
 * of its words' hashes. For ASCII text (most datasets) the words are read straight from the raw
 * text's bytes, which hash exactly as the normalized text's words do without building it: a
 * whitespace character ends a word, a dropped character (punctuation, symbols) is skipped inside
 * one, a letter is hashed lowercased. Other text is normalized first.
 */
import { fmix32, hashRange } from './minhash';
import { ASCII_FOLD, SLOW, SPACE, asciiBytes, normalizeText } from './normalize';

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
/** Above this many shingles the built-in sort beats an insertion sort. */
const INSERTION_SORT_MAX = 48;

export class Shingler {
  readonly shingleSize: number;
  /** The last shingled text's sorted, duplicate-free shingle hashes: `hashes[0, count)` for the count returned. */
  hashes = new Uint32Array(64);
  /** Word hashes of the text being shingled (bit patterns of `hashRange`'s results). */
  private words = new Int32Array(64);

  constructor(shingleSize: number) {
    this.shingleSize = shingleSize;
  }

  /**
   * Shingles a raw (not normalized) text into `hashes` and returns how many there are: the same
   * values as `shingleHashes(normalizeText(text), shingleSize)`.
   */
  shingle(text: string): number {
    let count = this.asciiWords(text);
    if (count < 0) count = this.normalizedWords(normalizeText(text));
    return this.shingleWords(count);
  }

  /** Shingles an already normalized text into `hashes` and returns how many there are. */
  shingleNormalized(normalized: string): number {
    return this.shingleWords(this.normalizedWords(normalized));
  }

  /** The word hashes of an ASCII text, read from its bytes; -1 if it is not ASCII or has a character left to `normalizeText`. */
  private asciiWords(text: string): number {
    const bytes = asciiBytes(text);
    if (bytes === undefined) return -1;
    const length = text.length;
    // A word takes a character and ends at the next: at most half the text's length, plus one.
    const words = this.reserveWords((length >> 1) + 1);
    const fold = ASCII_FOLD;
    let count = 0;
    let h = FNV_OFFSET;
    let inWord = false;
    for (let i = 0; i < length; i++) {
      const c = fold[bytes[i] as number] as number;
      if (c > SLOW) {
        h = Math.imul(h ^ c, FNV_PRIME);
        inWord = true;
      } else if (c === SPACE) {
        if (inWord) {
          words[count++] = fmix32(h);
          h = FNV_OFFSET;
          inWord = false;
        }
      } else if (c === SLOW) {
        return -1;
      }
    }
    if (inWord) words[count++] = fmix32(h);
    return count;
  }

  /** The word hashes of a normalized text (words separated by single spaces). */
  private normalizedWords(normalized: string): number {
    const length = normalized.length;
    const words = this.reserveWords((length >> 1) + 1);
    let count = 0;
    let start = 0;
    for (let i = 0; i <= length; i++) {
      if (i < length && normalized.charCodeAt(i) !== 0x20) continue;
      if (i > start) words[count++] = hashRange(normalized, start, i);
      start = i + 1;
    }
    return count;
  }

  /** Turns the first `count` word hashes into sorted, duplicate-free shingle hashes; returns how many. */
  private shingleWords(count: number): number {
    if (count === 0) return 0;
    const words = this.words;
    const width = Math.min(this.shingleSize, count);
    const n = count - width + 1;
    if (this.hashes.length < n) this.hashes = new Uint32Array(Math.max(n, this.hashes.length * 2));
    const out = this.hashes;
    if (width === 2) {
      // The default shingle size, unrolled: the same arithmetic as `combine`.
      const seed = 0x9747b28c ^ 2;
      for (let i = 0; i < n; i++) {
        let h = Math.imul(seed ^ (words[i] as number), 0x5bd1e995);
        h ^= h >>> 15;
        h = Math.imul(h ^ (words[i + 1] as number), 0x5bd1e995);
        h ^= h >>> 15;
        out[i] = fmix32(h);
      }
    } else {
      for (let i = 0; i < n; i++) out[i] = combine(words, i, width);
    }
    return dedupeSorted(sort(out, n), n);
  }

  private reserveWords(size: number): Int32Array {
    if (this.words.length < size) this.words = new Int32Array(Math.max(size, this.words.length * 2));
    return this.words;
  }
}

/** An order-sensitive hash of `width` word hashes starting at `from`. */
function combine(hashes: Int32Array, from: number, width: number): number {
  let h = 0x9747b28c ^ width;
  for (let i = from; i < from + width; i++) {
    h = Math.imul(h ^ (hashes[i] as number), 0x5bd1e995);
    h ^= h >>> 15;
  }
  return fmix32(h);
}

/** Sorts `values[0, n)` ascending in place; a few dozen values (a prompt's shingles) need no call into the runtime. */
function sort(values: Uint32Array, n: number): Uint32Array {
  if (n > INSERTION_SORT_MAX) {
    values.subarray(0, n).sort();
    return values;
  }
  for (let i = 1; i < n; i++) {
    const v = values[i] as number;
    let j = i - 1;
    while (j >= 0 && (values[j] as number) > v) {
      values[j + 1] = values[j] as number;
      j--;
    }
    values[j + 1] = v;
  }
  return values;
}

/** Drops repeats from the sorted `values[0, n)` in place; returns how many are left. */
function dedupeSorted(values: Uint32Array, n: number): number {
  if (n < 2) return n;
  let kept = 1;
  for (let i = 1; i < n; i++) {
    const v = values[i] as number;
    if (v !== values[kept - 1]) values[kept++] = v;
  }
  return kept;
}

const shared = new Map<number, Shingler>();

/**
 * The sorted, duplicate-free 32-bit hashes of the word shingles of an already normalized text
 * (words separated by single spaces, as `normalizeText` leaves them), in a new array. A text with
 * fewer words than `shingleSize` is one shingle of all its words; an empty text has none.
 */
export function shingleHashes(normalized: string, shingleSize: number): Uint32Array {
  let shingler = shared.get(shingleSize);
  if (shingler === undefined) shared.set(shingleSize, (shingler = new Shingler(shingleSize)));
  const count = shingler.shingleNormalized(normalized);
  return shingler.hashes.slice(0, count);
}
