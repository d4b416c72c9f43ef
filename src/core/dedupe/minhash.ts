/**
 * MinHash over word shingles, and the locality-sensitive hashing (LSH) arithmetic that picks the
 * banding for a similarity threshold.
 *
 * Pure and integer-only: 32-bit hashes with `Math.imul` in typed arrays (no BigInt, no crypto),
 * because the index hashes every edited line on the editor's thread.
 *
 * A text becomes the set of its word shingles (k consecutive words of its normalized form), each
 * shingle one 32-bit hash (shingles.ts). Two sets are compared by exact Jaccard similarity
 * |A ∩ B| / |A ∪ B| over those hashes (two different shingles of a pair of 20-word texts share a
 * 32-bit hash about once in five million pairs, and then the similarity moves by one shingle's
 * worth).
 */

/** murmur3's 32-bit finalizer: a bijection that spreads every input bit over the whole word. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over the UTF-16 code units `[start, end)` of `text`, finalized with `fmix32`. */
export function hashRange(text: string, start: number, end: number): number {
  // `| 0`: the seed is above 2^31, and a hash that starts as a double stays one in the loop.
  let h = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

/**
 * Exact Jaccard similarity of two sorted, duplicate-free hash runs, `a[aStart, aEnd)` and
 * `b[bStart, bEnd)`. Two empty sets have similarity 0: an empty text is nobody's near-duplicate.
 */
export function jaccard(a: Uint32Array, aStart: number, aEnd: number, b: Uint32Array, bStart: number, bEnd: number): number {
  const union0 = aEnd - aStart + (bEnd - bStart);
  if (union0 === 0) return 0;
  let i = aStart, j = bStart, inter = 0;
  while (i < aEnd && j < bEnd) {
    const x = a[i] ?? 0, y = b[j] ?? 0;
    if (x === y) { inter++; i++; j++; } else if (x < y) i++; else j++;
  }
  return inter / (union0 - inter);
}

/**
 * The least intersection size m for which sets of sizes `aSize` and `bSize` reach `threshold`:
 * m / (aSize + bSize − m) ≥ threshold, computed with the same division as `jaccard` so the two
 * never disagree at the boundary. Infinity when even the smaller set inside the larger falls short.
 */
export function minIntersection(aSize: number, bSize: number, threshold: number): number {
  const total = aSize + bSize;
  const most = Math.min(aSize, bSize);
  if (total === 0) return Infinity;
  let m = Math.max(0, Math.floor((threshold * total) / (1 + threshold)) - 1);
  while (m <= most && m / (total - m) < threshold) m++;
  return m <= most ? m : Infinity;
}

/**
 * The intersection size of two sorted, duplicate-free hash runs if it is at least `need`, else
 * -1. Stops as soon as too many elements of either run went unmatched, which for an unrelated
 * pair at a high threshold is after a few steps.
 */
export function intersectAtLeast(a: Uint32Array, aStart: number, aEnd: number, b: Uint32Array, bStart: number, bEnd: number, need: number): number {
  let aSpare = aEnd - aStart - need;
  let bSpare = bEnd - bStart - need;
  if (aSpare < 0 || bSpare < 0) return -1;
  let i = aStart, j = bStart, inter = 0;
  while (i < aEnd && j < bEnd) {
    const x = a[i] ?? 0, y = b[j] ?? 0;
    if (x === y) {
      inter++; i++; j++;
    } else if (x < y) {
      if (--aSpare < 0) return -1;
      i++;
    } else {
      if (--bSpare < 0) return -1;
      j++;
    }
  }
  return inter >= need ? inter : -1;
}

/** The number of set bits of a 32-bit integer. */
export function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * A family of `numHashes` hash functions, each a pseudo-random permutation of 32-bit values
 * (`fmix32` of the shingle hash xor a per-function seed). The signature keeps, per function, the
 * smallest value over a set's shingles; two sets agree on one function's minimum with
 * probability equal to their Jaccard similarity.
 */
export class MinHasher {
  readonly numHashes: number;
  /**
   * Per function, its seed k as k ^ (k >>> 16): `fmix32`'s first step distributes over the xor,
   * (x ^ k) ^ ((x ^ k) >>> 16) = (x ^ (x >>> 16)) ^ (k ^ (k >>> 16)), so both halves are taken
   * once, not once per shingle and function.
   */
  private readonly mixedSeeds: Int32Array;
  /** Reused between calls: each shingle hash x as x ^ (x >>> 16). */
  private mixed = new Int32Array(64);

  constructor(numHashes: number, seed = 0x7e57ab1e) {
    this.numHashes = numHashes;
    this.mixedSeeds = new Int32Array(numHashes);
    // splitmix32: fixed seeds, so signatures (and benchmark results) are the same on every run.
    let s = seed >>> 0;
    for (let i = 0; i < numHashes; i++) {
      s = (s + 0x9e3779b9) >>> 0;
      const k = fmix32(s);
      this.mixedSeeds[i] = k ^ (k >>> 16);
    }
  }

  /**
   * Writes the signature of the shingle hashes `shingles[start, end)` into `out` (length ≥ numHashes):
   * per function i, the least `fmix32(x ^ seed[i])` over the shingles x. One function at a time
   * over all the shingles, so the running minimum stays in a register; it is kept as the hash
   * xor 2^31, whose signed order is the hash's unsigned order, so every value stays a 32-bit
   * integer. Two shingles a step: two independent chains of multiplies for the CPU to overlap.
   */
  signature(shingles: Uint32Array, start: number, end: number, out: Uint32Array): void {
    const count = end - start;
    if (this.mixed.length < count) this.mixed = new Int32Array(Math.max(count, this.mixed.length * 2));
    const mixed = this.mixed;
    for (let s = 0; s < count; s++) {
      const x = shingles[start + s] as number;
      mixed[s] = x ^ (x >>> 16);
    }
    const pairs = count & ~1;
    const n = this.numHashes;
    const seeds = this.mixedSeeds;
    for (let i = 0; i < n; i++) {
      const seed = seeds[i] as number;
      let min = 0x7fffffff; // 0xffffffff ^ 2^31: no shingle yet
      for (let s = 0; s < pairs; s += 2) {
        let h = Math.imul((mixed[s] as number) ^ seed, 0x85ebca6b);
        let g = Math.imul((mixed[s + 1] as number) ^ seed, 0x85ebca6b);
        h ^= h >>> 13;
        g ^= g >>> 13;
        h = Math.imul(h, 0xc2b2ae35);
        g = Math.imul(g, 0xc2b2ae35);
        h ^= (h >>> 16) ^ 0x80000000;
        g ^= (g >>> 16) ^ 0x80000000;
        if (h < min) min = h;
        if (g < min) min = g;
      }
      if (pairs < count) {
        let h = Math.imul((mixed[pairs] as number) ^ seed, 0x85ebca6b);
        h ^= h >>> 13;
        h = Math.imul(h, 0xc2b2ae35);
        h ^= (h >>> 16) ^ 0x80000000;
        if (h < min) min = h;
      }
      out[i] = min ^ 0x80000000;
    }
  }
}

/**
 * Writes one 32-bit key per band: the hash of the band's `rows` signature values together with
 * the band's number, so equal values in different bands give different keys and every band can
 * share one hash table.
 */
export function bandKeys(signature: Uint32Array, bands: number, rows: number, out: Int32Array): void {
  for (let b = 0; b < bands; b++) {
    let h = Math.imul(b + 1, 0x9e3779b1);
    for (let r = b * rows; r < (b + 1) * rows; r++) {
      h = Math.imul(h ^ (signature[r] ?? 0), 0x5bd1e995);
      h ^= h >>> 15;
    }
    out[b] = fmix32(h) | 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Choosing the banding

/**
 * The S-curve of LSH banding: two sets of Jaccard similarity `s` share at least one of `bands`
 * bands of `rows` signature values each (and so become candidates) with probability
 * P(s) = 1 − (1 − s^rows)^bands.
 */
export function candidateProbability(s: number, bands: number, rows: number): number {
  return 1 - Math.pow(1 - Math.pow(s, rows), bands);
}

/** The most hash functions `chooseBanding` spends per row by default; see there. */
export const HASH_BUDGET = 40;

/**
 * The banding for a threshold: for each band width r, the fewest bands b with
 * P(threshold) ≥ `recall` (b = ⌈ln(1 − recall) / ln(1 − threshold^r)⌉); of those within
 * `maxHashes` = b·r hash functions, the widest bands, because wider bands make unrelated rows
 * candidates far less often (P(s) ≈ b·s^r for small s) and every candidate costs a verification.
 *
 * For the default threshold 0.8 this gives r = 5, b = 8 (40 hashes):
 *   P(0.8) = 1 − (1 − 0.8^5)^8 = 1 − 0.6723^8 = 0.958, and above it P(0.85) = 0.991, P(0.9) = 0.999;
 *   below it P(0.7) = 0.77, P(0.6) = 0.48, P(0.5) = 0.22, P(0.4) = 0.079, P(0.3) = 0.019, P(0.2) = 0.0026.
 * Unrelated questions rarely share more than 0.3 of their two-word shingles, but questions built
 * on the same stock phrase ("what documents do I need to …") do, and they make most candidates.
 * Measured on 100k generated questions: r = 4, b = 6 (24 hashes, P(0.8) = 0.958) meets 98
 * candidates per row; r = 5, b = 8 meets 55; r = 6, b = 10 meets 31 but needs 60 hashes for
 * P(0.8) = 0.952, too close to the 0.95 it must keep.
 */
export function chooseBanding(threshold: number, recall = 0.95, maxHashes = HASH_BUDGET): { bands: number; rows: number } {
  const bandsFor = (rows: number): number => {
    const p = Math.pow(threshold, rows);
    // log1p: for wide bands p is tiny and 1 − p would round to 1.
    return p >= 1 ? 1 : Math.max(1, Math.ceil(Math.log(1 - recall) / Math.log1p(-p)));
  };
  // Single-value bands when even they exceed the budget: recall comes first.
  let best = { bands: bandsFor(1), rows: 1 };
  for (let rows = 2; rows <= maxHashes; rows++) {
    const bands = bandsFor(rows);
    if (bands * rows <= maxHashes) best = { bands, rows };
  }
  return best;
}
