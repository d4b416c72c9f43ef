/**
 * The near-duplicate index: which rows have text whose word-shingle sets are at least
 * `threshold` similar (exact Jaccard), kept up to date row by row as lines are edited.
 *
 * Pure. Finding pairs works in two steps. MinHash signatures cut into LSH bands propose
 * candidates (rows sharing at least one band); each candidate is then verified by computing the
 * exact Jaccard similarity of the stored shingle sets, so every reported pair is real (precision
 * 1 by construction) and only recall depends on the banding (see `chooseBanding`).
 *
 * Row ids are opaque (line numbers shift as lines are inserted); internally each row gets a
 * slot number that indexes typed arrays:
 *  - the row's sorted shingle hashes live in one shared pool (`pool[start, start + length)`),
 *    compacted when it has to grow, instead of one small typed array per row;
 *  - node `slot * bands + band` is the row's entry in that band's bucket (see `Buckets`);
 *    signatures are not kept: the band keys inside the buckets are all a removal needs;
 *  - a 64-bit mask per row (bit = top six bits of a shingle hash) rejects most candidates
 *    without reading their shingles; see `partners`.
 */
import { Buckets } from './buckets';
import { MinHasher, bandKeys, chooseBanding, intersectAtLeast, jaccard, minIntersection, popcount32, shingleHashes } from './minhash';
import { normalizeText } from './normalize';

export interface NearDuplicateOptions {
  /** The least Jaccard similarity of two rows' shingle sets that makes them near-duplicates, in (0, 1]. Default 0.8. */
  readonly threshold?: number;
  /**
   * Words per shingle. Default 2: measured on questions of 8–25 words, a one-word edit (a word
   * swapped, added or removed) leaves 86 % of pairs at two-word Jaccard ≥ 0.8 (mean 0.83), but
   * only 21 % with three-word shingles (mean 0.76); single words ignore word order and make
   * unrelated questions five times as similar (mean 0.14 against 0.03).
   */
  readonly shingleSize?: number;
  /** MinHash functions per row; give it together with `bands`. Default: `chooseBanding(threshold)`. */
  readonly numHashes?: number;
  /** LSH bands; must divide `numHashes`. */
  readonly bands?: number;
}

export interface Partner<K> {
  readonly id: K;
  /** Exact Jaccard similarity of the two rows' shingle sets, in [threshold, 1]. */
  readonly similarity: number;
}

const DEFAULT_THRESHOLD = 0.8;
const DEFAULT_SHINGLE_SIZE = 2;

export class NearDuplicateIndex<K> {
  readonly threshold: number;
  readonly shingleSize: number;
  readonly numHashes: number;
  readonly bands: number;
  /** Signature values per band (numHashes / bands). */
  readonly rowsPerBand: number;

  private readonly hasher: MinHasher;
  private readonly buckets = new Buckets();
  private readonly slots = new Map<K, number>();
  /** The id in each slot; undefined for a free slot. */
  private readonly ids: (K | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private start = new Int32Array(64);
  private length = new Int32Array(64);
  private maskLow = new Int32Array(64);
  private maskHigh = new Int32Array(64);
  /** Per slot: the query number that last visited it, so a candidate met in several bands is verified once. */
  private seen = new Uint32Array(64);
  private query = 0;
  private pool = new Uint32Array(1024);
  private poolUsed = 0;
  /** Pool entries no row owns any more (deleted or replaced rows); reclaimed when the pool grows. */
  private poolWasted = 0;
  private readonly signatureScratch: Uint32Array;
  private readonly keyScratch: Int32Array;
  private candidateScratch = new Int32Array(256);

  constructor(options: NearDuplicateOptions = {}) {
    const threshold = options.threshold ?? DEFAULT_THRESHOLD;
    const shingleSize = options.shingleSize ?? DEFAULT_SHINGLE_SIZE;
    if (!(threshold > 0 && threshold <= 1)) throw new RangeError(`threshold must be in (0, 1], got ${threshold}`);
    if (!Number.isInteger(shingleSize) || shingleSize < 1) throw new RangeError(`shingleSize must be a positive integer, got ${shingleSize}`);
    if ((options.numHashes === undefined) !== (options.bands === undefined)) throw new RangeError('give numHashes and bands together, or neither');
    const banding = chooseBanding(threshold);
    const bands = options.bands ?? banding.bands;
    const numHashes = options.numHashes ?? banding.bands * banding.rows;
    if (!Number.isInteger(bands) || bands < 1 || !Number.isInteger(numHashes) || numHashes % bands !== 0) {
      throw new RangeError(`bands must be a positive integer dividing numHashes, got ${bands} and ${numHashes}`);
    }
    this.threshold = threshold;
    this.shingleSize = shingleSize;
    this.numHashes = numHashes;
    this.bands = bands;
    this.rowsPerBand = numHashes / bands;
    this.hasher = new MinHasher(numHashes);
    this.signatureScratch = new Uint32Array(numHashes);
    this.keyScratch = new Int32Array(bands);
  }

  /** The number of rows. */
  get size(): number {
    return this.slots.size;
  }

  has(id: K): boolean {
    return this.slots.has(id);
  }

  /** Inserts the row, or replaces its text (it leaves its old buckets). */
  set(id: K, text: string): void {
    const shingles = shingleHashes(normalizeText(text), this.shingleSize);
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.allocate(id);
    } else {
      this.unlink(slot);
    }
    this.store(slot, shingles);
    if (shingles.length === 0) return;
    this.hasher.signature(shingles, 0, shingles.length, this.signatureScratch);
    bandKeys(this.signatureScratch, this.bands, this.rowsPerBand, this.keyScratch);
    for (let b = 0; b < this.bands; b++) this.buckets.insert(slot * this.bands + b, this.keyScratch[b] ?? 0);
  }

  /** Removes the row; false if it was not there. */
  delete(id: K): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    this.unlink(slot);
    this.slots.delete(id);
    this.ids[slot] = undefined;
    this.freeSlots.push(slot);
    return true;
  }

  /**
   * The other rows at least `threshold` similar to this one, most similar first. Empty for an
   * unknown id and for a row whose text has no words.
   */
  partners(id: K): Partner<K>[] {
    const out: Partner<K>[] = [];
    const slot = this.slots.get(id);
    if (slot === undefined) return out;
    const count = this.collectCandidates(slot);
    const candidates = this.candidateScratch;
    const { pool, start, length, maskLow, maskHigh, threshold } = this;
    const aStart = start[slot] ?? 0;
    const aLength = length[slot] ?? 0;
    const aLow = maskLow[slot] ?? 0, aHigh = maskHigh[slot] ?? 0;
    for (let i = 0; i < count; i++) {
      const other = candidates[i] ?? 0;
      const bLength = length[other] ?? 0;
      // Most candidates are unrelated rows that share a stock phrase: knowing the intersection
      // the threshold needs lets the merge give up after a few mismatches.
      const need = minIntersection(aLength, bLength, threshold);
      if (need === Infinity) continue;
      // A mask bit set for one row but not the other stands for at least one shingle the other
      // lacks (distinct bits, distinct shingles): more of those than a row can spare rules the
      // pair out without touching the pool, which for a random row means a cache miss.
      const bLow = maskLow[other] ?? 0, bHigh = maskHigh[other] ?? 0;
      if (popcount32(aLow & ~bLow) + popcount32(aHigh & ~bHigh) > aLength - need) continue;
      if (popcount32(bLow & ~aLow) + popcount32(bHigh & ~aHigh) > bLength - need) continue;
      const bStart = start[other] ?? 0;
      const inter = intersectAtLeast(pool, aStart, aStart + aLength, pool, bStart, bStart + bLength, need);
      const otherId = this.ids[other];
      if (inter >= 0 && otherId !== undefined) out.push({ id: otherId, similarity: inter / (aLength + bLength - inter) });
    }
    return out.sort((a, b) => b.similarity - a.similarity);
  }

  /**
   * The rows sharing at least one LSH band with this one, before verification (for diagnostics
   * and tests: `partners` is exactly the candidates whose similarity reaches the threshold).
   */
  candidates(id: K): K[] {
    const out: K[] = [];
    const slot = this.slots.get(id);
    if (slot === undefined) return out;
    const count = this.collectCandidates(slot);
    for (let i = 0; i < count; i++) {
      const otherId = this.ids[this.candidateScratch[i] ?? 0];
      if (otherId !== undefined) out.push(otherId);
    }
    return out;
  }

  /** The exact Jaccard similarity of two rows' shingle sets, or undefined if either is unknown. */
  similarity(a: K, b: K): number | undefined {
    const sa = this.slots.get(a);
    const sb = this.slots.get(b);
    if (sa === undefined || sb === undefined) return undefined;
    const aStart = this.start[sa] ?? 0, bStart = this.start[sb] ?? 0;
    return jaccard(this.pool, aStart, aStart + (this.length[sa] ?? 0), this.pool, bStart, bStart + (this.length[sb] ?? 0));
  }

  // -------------------------------------------------------------------------------------------

  /**
   * Puts every other slot that shares a bucket with `slot` once into `candidateScratch` and
   * returns how many there are. (A loop over typed arrays rather than a callback per
   * candidate: stock phrases such as "what documents do i need to" fill some buckets with
   * thousands of rows, so this is the hot path of `partners`.)
   */
  private collectCandidates(slot: number): number {
    if ((this.length[slot] ?? 0) === 0) return 0;
    const bands = this.bands;
    const buckets = this.buckets;
    const seen = this.seen;
    const query = this.nextQuery();
    seen[slot] = query;
    let count = 0;
    for (let b = 0; b < bands; b++) {
      const node = slot * bands + b;
      // The row's node sits somewhere in its bucket's list: walk both ways from it.
      for (let pass = 0; pass < 2; pass++) {
        for (let n = pass === 0 ? buckets.next(node) : buckets.prev(node); n !== -1; n = pass === 0 ? buckets.next(n) : buckets.prev(n)) {
          const other = (n / bands) | 0;
          if (seen[other] === query) continue;
          seen[other] = query;
          if (count === this.candidateScratch.length) this.candidateScratch = growInt32(this.candidateScratch, count * 2);
          this.candidateScratch[count++] = other;
        }
      }
    }
    return count;
  }

  private nextQuery(): number {
    this.query = (this.query + 1) >>> 0;
    if (this.query === 0) {
      // After 2^32 queries the stamps would repeat: start them over.
      this.seen.fill(0);
      this.query = 1;
    }
    return this.query;
  }

  private allocate(id: K): number {
    const slot = this.freeSlots.pop() ?? this.ids.length;
    if (slot === this.ids.length) this.ids.push(id);
    else this.ids[slot] = id;
    this.slots.set(id, slot);
    if (slot >= this.start.length) {
      const size = this.start.length * 2;
      this.start = growInt32(this.start, size);
      this.length = growInt32(this.length, size);
      this.maskLow = growInt32(this.maskLow, size);
      this.maskHigh = growInt32(this.maskHigh, size);
      const seen = new Uint32Array(size);
      seen.set(this.seen);
      this.seen = seen;
    }
    this.buckets.reserveNodes((slot + 1) * this.bands);
    this.length[slot] = 0;
    return slot;
  }

  /** Takes the row out of its buckets and gives up its shingles. */
  private unlink(slot: number): void {
    const length = this.length[slot] ?? 0;
    if (length === 0) return;
    for (let b = 0; b < this.bands; b++) this.buckets.remove(slot * this.bands + b);
    this.poolWasted += length;
    this.length[slot] = 0;
  }

  private store(slot: number, shingles: Uint32Array): void {
    if (this.poolUsed + shingles.length > this.pool.length) this.compact(shingles.length);
    this.pool.set(shingles, this.poolUsed);
    this.start[slot] = this.poolUsed;
    this.length[slot] = shingles.length;
    this.poolUsed += shingles.length;
    let low = 0, high = 0;
    for (const hash of shingles) {
      const bit = hash >>> 26;
      if (bit < 32) low |= 1 << bit;
      else high |= 1 << (bit - 32);
    }
    this.maskLow[slot] = low;
    this.maskHigh[slot] = high;
  }

  /** Copies the live shingles into a pool with room for `extra` more and as much again spare. */
  private compact(extra: number): void {
    const live = this.poolUsed - this.poolWasted;
    const size = Math.max(1024, 2 * (live + extra));
    const pool = new Uint32Array(size);
    let used = 0;
    for (let slot = 0; slot < this.ids.length; slot++) {
      const length = this.length[slot] ?? 0;
      if (length === 0) continue;
      const start = this.start[slot] ?? 0;
      pool.set(this.pool.subarray(start, start + length), used);
      this.start[slot] = used;
      used += length;
    }
    this.pool = pool;
    this.poolUsed = used;
    this.poolWasted = 0;
  }
}

function growInt32(array: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const out = new Int32Array(size);
  out.set(array);
  return out;
}
