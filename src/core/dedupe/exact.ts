/**
 * The exact-duplicate index: rows grouped by a key, kept up to date row by row.
 *
 * Pure. The key of a text is `exactKey(text)`: a 64-bit hash of its normalized form (two
 * independent 32-bit lanes, kept as a four-unit string), not the normalized text itself. Measured
 * (bench/exactDuplicates.bench.ts) on 100k records of about 600 characters, hash keys are no
 * slower (normalizing dominates; a Map hashes a long string key natively about as fast as the
 * lanes are computed, and the kept strings add garbage-collection work), and text keys keep
 * every normalized text alive: the index holds 79 MB with text keys against 26 MB.
 *
 * A hash can collide. Among a million distinct texts the chance that any two share a 64-bit
 * key is about 3·10⁻⁸, but a merged group would be a wrong report, so a group is confirmed
 * before it is reported: `confirmGroup` re-normalizes its members' texts (only groups of two or
 * more, so this costs nothing on a dataset without duplicates) and splits them by real text.
 */
import { fmix32 } from './minhash';
import { ASCII_FOLD, SLOW, SPACE, asciiBytes, normalizeText } from './normalize';

/**
 * The key under which a text's exact duplicates (after `normalizeText`) meet: a 64-bit hash of
 * the normalized text. For ASCII text (most datasets) normalizing and hashing are one pass that
 * builds no string; other text is normalized first and hashed the same way, so both paths give
 * the same key for the same normalized text.
 */
export function exactKey(text: string): string {
  return asciiKey(text) ?? hashKey(normalizeText(text));
}

/** A 64-bit hash of a string: FNV-1a and a multiply-xorshift lane, each finalized with `fmix32`, as four UTF-16 units. */
export function hashKey(text: string): string {
  let a = 0x811c9dc5 | 0;
  let b = 0x9747b28c | 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return key64(a, b);
}

/** `hashKey` as 16 hex digits, for keys written to files. */
export function hashHex(text: string): string {
  const key = hashKey(text);
  let hex = '';
  for (let i = 0; i < key.length; i++) hex += key.charCodeAt(i).toString(16).padStart(4, '0');
  return hex;
}

/**
 * `hashKey(normalizeText(text))` for ASCII text, in one pass over its bytes that builds no string;
 * undefined for text with a character it does not handle. The lanes' arithmetic is a chain of
 * dependent multiplies per kept character, so what this loop can save is everything around it:
 * reading bytes instead of `charCodeAt`, one table load, and a single branch for the common
 * character (measured in bench/exactDuplicates.bench.ts, against the previous loop).
 */
function asciiKey(text: string): string | undefined {
  const bytes = asciiBytes(text);
  if (bytes === undefined) return undefined;
  const length = text.length;
  const fold = ASCII_FOLD;
  // `| 0`: both seeds are above 2^31, and a lane that starts as a double stays one in the loop.
  let a = 0x811c9dc5 | 0;
  let b = 0x9747b28c | 0;
  let started = false;
  let space = false;
  for (let i = 0; i < length; i++) {
    const c = fold[bytes[i] as number] as number;
    if (c <= SLOW) {
      if (c === SPACE) space = started;
      else if (c === SLOW) return undefined;
      continue;
    }
    if (space) {
      a = Math.imul(a ^ 0x20, 0x01000193);
      b = Math.imul(b ^ 0x20, 0x5bd1e995);
      b ^= b >>> 15;
      space = false;
    }
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
    started = true;
  }
  return key64(a, b);
}

function key64(a: number, b: number): string {
  const x = fmix32(a);
  const y = fmix32(b);
  return String.fromCharCode(x >>> 16, x & 0xffff, y >>> 16, y & 0xffff);
}


export class ExactIndex<K> {
  /*
   * Most keys have one row: those live in `single`, with no Set allocated for them (on 100k
   * rows the Sets were a large share of the garbage a full lint made). A second row moves the
   * key to `multi`.
   */
  private readonly single = new Map<string, K>();
  private readonly multi = new Map<string, Set<K>>();
  private count = 0;

  /** The number of rows (ids) in the index. */
  get size(): number {
    return this.count;
  }

  /** The number of groups with two or more members. */
  get groupCount(): number {
    return this.multi.size;
  }

  /** Files `id` under `key`; adding the same pair again changes nothing. */
  add(key: string, id: K): void {
    const group = this.multi.get(key);
    if (group !== undefined) {
      if (group.has(id)) return;
      group.add(id);
      this.count++;
      return;
    }
    const one = this.single.get(key);
    if (one === undefined && !this.single.has(key)) {
      this.single.set(key, id);
      this.count++;
      return;
    }
    if (one === id) return;
    this.single.delete(key);
    this.multi.set(key, new Set([one as K, id]));
    this.count++;
  }

  /** Takes `id` out of `key`'s group; false if it was not there. */
  remove(key: string, id: K): boolean {
    const group = this.multi.get(key);
    if (group !== undefined) {
      if (!group.delete(id)) return false;
      this.count--;
      if (group.size === 1) {
        this.multi.delete(key);
        for (const last of group) this.single.set(key, last);
      }
      return true;
    }
    if (!this.single.has(key) || this.single.get(key) !== id) return false;
    this.single.delete(key);
    this.count--;
    return true;
  }

  /** The ids filed under `key` (a group is live: it changes as the index does), or undefined if none. */
  members(key: string): ReadonlySet<K> | undefined {
    const group = this.multi.get(key);
    if (group !== undefined) return group;
    return this.single.has(key) ? new Set([this.single.get(key) as K]) : undefined;
  }

  /** The ids filed under `key` when there are two or more (live), else undefined; allocates nothing. */
  group(key: string): ReadonlySet<K> | undefined {
    return this.multi.get(key);
  }

  /** The groups of two or more members, as `[key, members]`. */
  *groups(): IterableIterator<[string, ReadonlySet<K>]> {
    for (const entry of this.multi) yield entry;
  }
}

/**
 * The real duplicate groups within the members of one key: ids whose normalized texts are equal,
 * in the members' order, groups of one left out. Guards against hash collisions; see the file
 * comment. `normalizedText` gives a member's `normalizeText` result (the caller has the lines).
 */
export function confirmGroup<K>(members: Iterable<K>, normalizedText: (id: K) => string): K[][] {
  const byText = new Map<string, K[]>();
  for (const id of members) {
    const text = normalizedText(id);
    const group = byText.get(text);
    if (group === undefined) byText.set(text, [id]);
    else group.push(id);
  }
  return [...byText.values()].filter((g) => g.length > 1);
}
