/**
 * The counts of pre-tokens already seen, looked up by a range of the text being counted instead
 * of by a string: an open-addressing hash table over typed arrays, whose keys are copied as UTF-16
 * code units into one pool. Looking up a pre-token then allocates nothing (no substring, no Map
 * entry), which was most of the counter's time (the profile in the token bench's notes: the
 * substring and `Map.get` per pre-token cost more than finding the pre-tokens).
 *
 * A hit needs the same hash, the same length and the same code units, so the table never answers
 * with another pre-token's count; the hash only decides where to look.
 */

/** The table starts this small and doubles, so a short file does not pay for a large one. */
const FIRST_SLOTS = 1 << 12;
/** At most this many slots (16 bytes each: 2 MB): this table holds what the ASCII one cannot. */
const MOST_SLOTS = 1 << 17;
/** Code units the pool may hold (2 bytes each: 4 MB) before the table is emptied. */
const MOST_POOL_UNITS = 1 << 21;
/**
 * A slot is four 32-bit numbers side by side, so a probe reads one cache line: the key's hash,
 * where its code units start in the pool, its length plus one (0: an empty slot), and its count.
 */
const STRIDE = 4;

/** The hash of `text[from, to)` the table expects (FNV-1a, 32 bits). */
export function hashRange(text: string, from: number, to: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = from; i < to; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

export interface PretokenTable {
  /** The count remembered for `text[from, to)` whose hash is `hash`, or -1. */
  get(text: string, from: number, to: number, hash: number): number;
  /** Remembers `count` for `text[from, to)`, which it does not hold yet. */
  set(text: string, from: number, to: number, hash: number, count: number): void;
  /** How many pre-tokens it holds. */
  readonly size: number;
}

/**
 * A table holding at most `most` pre-tokens: it is emptied when it would hold more (or when its
 * pool is full), which bounds its memory to 6 MB whatever the text.
 */
export function pretokenTable(most: number): PretokenTable {
  const fullAt = Math.min(most, (MOST_SLOTS / 4) * 3);
  let mask = FIRST_SLOTS - 1;
  let slots = new Int32Array(FIRST_SLOTS * STRIDE);
  let pool = new Uint16Array(1 << 14);
  let used = 0;
  let size = 0;

  /** The first slot to probe for `hash`, as an index into `slots`. */
  function home(hash: number): number {
    return ((hash ^ (hash >>> 15)) & mask) * STRIDE;
  }

  function grow(): void {
    const old = slots;
    mask = mask * 2 + 1;
    slots = new Int32Array((mask + 1) * STRIDE);
    const wrap = slots.length - 1;
    for (let j = 0; j < old.length; j += STRIDE) {
      if (old[j + 2] === 0) continue;
      let i = home(old[j] ?? 0);
      while (slots[i + 2] !== 0) i = (i + STRIDE) & wrap;
      slots.set(old.subarray(j, j + STRIDE), i);
    }
  }

  return {
    get(text, from, to, hash) {
      const want = to - from + 1;
      const wrap = slots.length - 1;
      for (let i = home(hash); ; i = (i + STRIDE) & wrap) {
        const len = slots[i + 2] ?? 0;
        if (len === 0) return -1;
        if (len === want && slots[i] === hash) {
          let at = slots[i + 1] ?? 0;
          let k = from;
          while (k < to && pool[at] === text.charCodeAt(k)) { at++; k++; }
          if (k === to) return slots[i + 3] ?? 0;
        }
      }
    },
    set(text, from, to, hash, count) {
      const n = to - from;
      if (size >= fullAt || used + n > MOST_POOL_UNITS) {
        slots.fill(0);
        used = 0;
        size = 0;
      }
      if ((size + 1) * 2 > mask + 1 && mask + 1 < MOST_SLOTS) grow();
      if (used + n > pool.length) {
        const bigger = new Uint16Array(Math.min(MOST_POOL_UNITS, Math.max(pool.length * 2, used + n)));
        bigger.set(pool.subarray(0, used));
        pool = bigger;
      }
      const wrap = slots.length - 1;
      let i = home(hash);
      while (slots[i + 2] !== 0) i = (i + STRIDE) & wrap;
      for (let k = 0; k < n; k++) pool[used + k] = text.charCodeAt(from + k);
      slots[i] = hash;
      slots[i + 1] = used;
      slots[i + 2] = n + 1;
      slots[i + 3] = count;
      used += n;
      size++;
    },
    get size() {
      return size;
    },
  };
}

/** The longest pre-token the ASCII table keys by its code units themselves. */
export const LONGEST_PACKED = 16;
/**
 * A slot of the ASCII table is four 32-bit numbers (16 bytes, four to a cache line): the packed
 * units take 28 bits of each, and the bits above carry the length less one (first number), the
 * count less one (second; a count is 1 to 16 here, one token a byte at most) and a mark that the
 * slot is used (third).
 */
const PACKED_STRIDE = 4;
const USED = 1 << 28;
const UNITS = USED - 1;
const MOST_PACKED_SLOTS = 1 << 17;

export interface AsciiPretokenTable {
  /**
   * The count remembered for `text[from, to)`, -1 when it is not held, or -2 when the table cannot
   * hold it (a unit outside ASCII, or longer than LONGEST_PACKED). After -1, `setLast` remembers
   * the count for that same pre-token.
   */
  get(text: string, from: number, to: number): number;
  /**
   * The count remembered for the pre-token of `length` (at most LONGEST_PACKED) ASCII units whose
   * units the caller packed into `key` (see packKey), or -1; `setLast` then remembers it.
   */
  getKey(length: number): number;
  setLast(count: number): void;
  /** Where `getKey` reads a packed key. */
  readonly key: Int32Array;
  readonly size: number;
}

/**
 * Packs `text[from, to)` (at most LONGEST_PACKED units) into `key` as the ASCII table keys it:
 * seven bits a unit, four units a number, the first unit highest; the numbers past the units 0.
 * False when a unit is outside ASCII.
 */
export function packKey(text: string, from: number, to: number, key: Int32Array): boolean {
  let wide = 0;
  let acc = 0;
  let k = 0;
  for (let i = from; i < to; i++) {
    const u = text.charCodeAt(i);
    wide |= u;
    acc = (acc << 7) | u;
    if (((i - from) & 3) === 3) {
      key[k++] = acc;
      acc = 0;
    }
  }
  if (((to - from) & 3) !== 0) key[k++] = acc;
  for (; k < 4; k++) key[k] = 0;
  return wide < 128;
}

/**
 * The commonest pre-tokens (short and ASCII: ` the`, `",`, `\n\n`) keyed by their code units
 * themselves, seven bits each, four to a 32-bit number: with the length, the four numbers are the
 * pre-token, so a hit is four comparisons, with no copy of the key to read back. At most `most`
 * pre-tokens (emptied past that): 2 MB.
 */
export function asciiPretokenTable(most: number): AsciiPretokenTable {
  const fullAt = Math.min(most, (MOST_PACKED_SLOTS / 4) * 3);
  let mask = FIRST_SLOTS - 1;
  let slots = new Int32Array(FIRST_SLOTS * PACKED_STRIDE);
  let size = 0;
  const key = new Int32Array(4);
  // The key of the last lookup as a slot holds it, kept for `setLast`.
  let first = 0;
  let second = 0;
  let third = 0;
  let fourth = 0;

  function getKey(n: number): number {
    const a = (key[0] ?? 0) | ((n - 1) << 28);
    const b = key[1] ?? 0;
    const c = (key[2] ?? 0) | USED;
    const d = key[3] ?? 0;
    const h = hashOf(a, b, c, d);
    first = a;
    second = b;
    third = c;
    fourth = d;
    const wrap = slots.length - 1;
    for (let s = (h & mask) * PACKED_STRIDE; ; s = (s + PACKED_STRIDE) & wrap) {
      const used = slots[s + 2] ?? 0;
      if (used === 0) return -1;
      if (used === c && slots[s] === a && slots[s + 3] === d) {
        const countAndUnits = slots[s + 1] ?? 0;
        if ((countAndUnits & UNITS) === b) return (countAndUnits >>> 28) + 1;
      }
    }
  }

  /** The hash of a key, from its numbers as a slot holds them (the count left out). */
  function hashOf(a: number, b: number, c: number, d: number): number {
    let h = Math.imul(a, 0x9e3779b1);
    h = Math.imul(h ^ b, 0x85ebca77);
    h = Math.imul(h ^ c, 0xc2b2ae3d);
    h = Math.imul(h ^ d, 0x27d4eb2f);
    return h ^ (h >>> 16);
  }

  /** The first slot of the table to probe for a key. */
  function home(a: number, b: number, c: number, d: number): number {
    return (hashOf(a, b, c, d) & mask) * PACKED_STRIDE;
  }

  function grow(): void {
    const old = slots;
    mask = mask * 2 + 1;
    slots = new Int32Array((mask + 1) * PACKED_STRIDE);
    const wrap = slots.length - 1;
    for (let j = 0; j < old.length; j += PACKED_STRIDE) {
      if (old[j + 2] === 0) continue;
      let i = home(old[j] ?? 0, (old[j + 1] ?? 0) & UNITS, old[j + 2] ?? 0, old[j + 3] ?? 0);
      while (slots[i + 2] !== 0) i = (i + PACKED_STRIDE) & wrap;
      slots.set(old.subarray(j, j + PACKED_STRIDE), i);
    }
  }

  return {
    get(text, from, to) {
      const n = to - from;
      if (n > LONGEST_PACKED || !packKey(text, from, to, key)) return -2;
      return getKey(n);
    },
    getKey,
    key,
    setLast(count) {
      // One token a byte at most, so always true; checked so a surprise costs a recount, not a wrong one.
      if (count < 1 || count > 16) return;
      if (size >= fullAt) {
        slots.fill(0);
        size = 0;
      }
      if ((size + 1) * 2 > mask + 1 && mask + 1 < MOST_PACKED_SLOTS) grow();
      const wrap = slots.length - 1;
      let s = home(first, second, third, fourth);
      while (slots[s + 2] !== 0) s = (s + PACKED_STRIDE) & wrap;
      slots[s] = first;
      slots[s + 1] = second | ((count - 1) << 28);
      slots[s + 2] = third;
      slots[s + 3] = fourth;
      size++;
    },
    get size() {
      return size;
    },
  };
}
