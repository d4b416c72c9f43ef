/**
 * The near-duplicate index: which rows have text whose word-shingle sets are at least
 * `threshold` similar (exact Jaccard), and the groups they form, kept up to date row by row as
 * lines are edited.
 *
 * Pure. Finding pairs works in two steps. MinHash signatures cut into LSH bands propose
 * candidates (rows sharing at least one band); each candidate is then verified by computing the
 * exact Jaccard similarity of the stored shingle sets, so every reported pair is real (precision
 * 1 by construction) and only recall depends on the banding (see `chooseBanding`).
 *
 * The work per row is bounded. A templated dataset puts thousands of near-identical rows in the
 * same buckets, and comparing each with all the others is quadratic (5k / 20k / 50k such rows
 * took 1.4 / 17.6 / 114 s). So a row is compared only with its `bucketCap` neighbours on each
 * side in each bucket's list (the rows added just before and just after it): a bucket of at
 * most `bucketCap + 1` rows is still compared in full, and in a larger one every row is linked
 * to its neighbours. Verified pairs are kept as edges, and the groups a user sees are the
 * connected components of those edges: a cluster of n near-identical rows is one group of n,
 * found with O(n · bands · bucketCap) comparisons. Removing a row re-links the neighbours it
 * separated in each bucket (`bucketCap` comparisons per band), so deleting a block of a cluster
 * does not split it.
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
import { MinHasher, bandKeys, chooseBanding, intersectAtLeast, jaccard, minIntersection, popcount32 } from './minhash';
import { Shingler } from './shingles';

export interface NearDuplicateOptions<K = unknown> {
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
  /**
   * In a bucket, a row is compared with at most this many rows on each side (its neighbours in
   * the order rows were added). Default 16: a bucket of up to 17 rows is compared in full, and
   * rows that share a bucket by a stock phrase rather than by being near-duplicates seldom pile
   * up more than that at a time (see the recall metric in bench/nearDuplicates.bench.ts).
   */
  readonly bucketCap?: number;
  /**
   * Orders rows for `NearGroup.first` (negative: `a` comes first); it must not change while both
   * rows are in the index. Default: the order they were added in.
   */
  readonly order?: (a: K, b: K) => number;
}

/** The rows linked, directly or through others, by near-duplicate pairs: two or more rows. */
export interface NearGroup<K> {
  /** In no particular order; valid until the next `set` or `delete`. */
  readonly members: readonly K[];
  /** The member that comes first in the index's `order`. */
  readonly first: K;
}

export interface Partner<K> {
  readonly id: K;
  /** Exact Jaccard similarity of the two rows' shingle sets, in [threshold, 1]. */
  readonly similarity: number;
}

const DEFAULT_THRESHOLD = 0.8;
/** A slot's record in `records`: eight entries (a half cache line, never split), five used. */
const RECORD = 8;
const START = 0;
const LENGTH = 1;
const MASK_LOW = 2;
const MASK_HIGH = 3;
const SEEN = 4;
const DEFAULT_SHINGLE_SIZE = 2;
const DEFAULT_BUCKET_CAP = 16;

export class NearDuplicateIndex<K> {
  readonly threshold: number;
  readonly shingleSize: number;
  readonly numHashes: number;
  readonly bands: number;
  /** Signature values per band (numHashes / bands). */
  readonly rowsPerBand: number;
  readonly bucketCap: number;
  /** Pairs whose similarity was computed so far: the work the index did, for tests and benchmarks. */
  comparisons = 0;
  /** Counts `set` and `delete` calls: groups and partners read at one version stay valid until it changes. */
  version = 0;

  private readonly hasher: MinHasher;
  private readonly shingler: Shingler;
  private readonly buckets = new Buckets();
  private readonly slots = new Map<K, number>();
  /** The id in each slot; undefined for a free slot. */
  private readonly ids: (K | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  /**
   * Per slot, side by side (`RECORD` entries, see `START` and the others): where its shingles
   * start in the pool and how many there are, its 64-bit mask, and the query number that last
   * visited it (so a candidate met in several bands is verified once). A candidate is a random
   * row: meeting it and verifying it then read one cache line, not five.
   */
  private records = new Int32Array(64 * RECORD);
  private query = 0;
  private pool = new Uint32Array(1024);
  private poolUsed = 0;
  /** Pool entries no row owns any more (deleted or replaced rows); reclaimed when the pool grows. */
  private poolWasted = 0;
  private readonly signatureScratch: Uint32Array;
  private readonly keyScratch: Int32Array;
  private candidateScratch = new Int32Array(256);
  /** `collectCandidates`' lanes: each one's next node, the nodes it met, and how many. */
  private readonly cursors: Int32Array;
  private readonly walked: Int32Array;
  private readonly walkedCount: Int32Array;
  /** Per slot: the slots of its verified near-duplicates (undefined for none). */
  private readonly edges: (number[] | undefined)[] = [];
  /** Union-find over slots, for the groups; rebuilt from `edges` after a removal (`groupsDirty`). */
  private parent = new Int32Array(64);
  /** Per root slot: its group, once it has two or more rows. */
  private groupAt: (MutableGroup<K> | undefined)[] = [];
  private groupsDirty = false;
  /** Per slot: when its row was added, for the default order. */
  private added: number[] = [];
  private addedCount = 0;
  private readonly order: ((a: K, b: K) => number) | undefined;

  constructor(options: NearDuplicateOptions<K> = {}) {
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
    const bucketCap = options.bucketCap ?? DEFAULT_BUCKET_CAP;
    if (!Number.isInteger(bucketCap) || bucketCap < 1) throw new RangeError(`bucketCap must be a positive integer, got ${bucketCap}`);
    this.bucketCap = bucketCap;
    this.order = options.order;
    this.threshold = threshold;
    this.shingleSize = shingleSize;
    this.numHashes = numHashes;
    this.bands = bands;
    this.rowsPerBand = numHashes / bands;
    this.hasher = new MinHasher(numHashes);
    this.shingler = new Shingler(shingleSize);
    this.signatureScratch = new Uint32Array(numHashes);
    this.keyScratch = new Int32Array(bands);
    this.cursors = new Int32Array(bands * 2);
    this.walkedCount = new Int32Array(bands * 2);
    this.walked = new Int32Array(bands * 2 * bucketCap);
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
    this.version++;
    // The shingler's buffer holds them until the next text: `store` copies them into the pool.
    const count = this.shingler.shingle(text);
    const shingles = this.shingler.hashes;
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.allocate(id);
    } else {
      this.unlink(slot);
    }
    this.store(slot, shingles, count);
    if (count === 0) return;
    this.hasher.signature(shingles, 0, count, this.signatureScratch);
    bandKeys(this.signatureScratch, this.bands, this.rowsPerBand, this.keyScratch);
    this.buckets.insertAll(slot * this.bands, this.keyScratch, this.bands);
    // A new row goes to the front of each bucket: compare it with the rows behind it there.
    const candidates = this.collectCandidates(slot, false);
    for (let i = 0; i < candidates; i++) this.link(slot, this.candidateScratch[i] ?? 0);
  }

  /** Removes the row; false if it was not there. */
  delete(id: K): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    this.version++;
    this.unlink(slot);
    this.slots.delete(id);
    this.ids[slot] = undefined;
    this.freeSlots.push(slot);
    return true;
  }

  /**
   * The other rows at least `threshold` similar to this one that the index compared it with,
   * most similar first (every row of a bucket of up to `bucketCap + 1` rows, else its
   * neighbours there). Empty for an unknown id and for a row whose text has no words.
   */
  partners(id: K): Partner<K>[] {
    const out: Partner<K>[] = [];
    const slot = this.slots.get(id);
    if (slot === undefined) return out;
    for (const other of this.edges[slot] ?? []) {
      const otherId = this.ids[other];
      if (otherId !== undefined) out.push({ id: otherId, similarity: this.slotSimilarity(slot, other) });
    }
    return out.sort((a, b) => b.similarity - a.similarity);
  }

  /** The ids of `partners(id)`, in no particular order, without computing their similarity. */
  partnerIds(id: K): K[] {
    const out: K[] = [];
    const slot = this.slots.get(id);
    if (slot === undefined) return out;
    for (const other of this.edges[slot] ?? []) {
      const otherId = this.ids[other];
      if (otherId !== undefined) out.push(otherId);
    }
    return out;
  }

  /**
   * The rows this one is compared with now: its neighbours, up to `bucketCap` on each side, in
   * each of its buckets (for diagnostics and tests: each of them at least `threshold` similar is
   * a partner).
   */
  candidates(id: K): K[] {
    const out: K[] = [];
    const slot = this.slots.get(id);
    if (slot === undefined) return out;
    const count = this.collectCandidates(slot, true);
    for (let i = 0; i < count; i++) {
      const otherId = this.ids[this.candidateScratch[i] ?? 0];
      if (otherId !== undefined) out.push(otherId);
    }
    return out;
  }

  /** The row's group (two or more rows linked by near-duplicate pairs), or undefined if it has no partner. */
  group(id: K): NearGroup<K> | undefined {
    const slot = this.slots.get(id);
    if (slot === undefined || (this.edges[slot]?.length ?? 0) === 0) return undefined;
    if (this.groupsDirty) this.regroup();
    return this.groupAt[this.find(slot)];
  }

  /** Every group of two or more rows. */
  groups(): NearGroup<K>[] {
    if (this.groupsDirty) this.regroup();
    const out: NearGroup<K>[] = [];
    for (const g of this.groupAt) if (g !== undefined) out.push(g);
    return out;
  }

  /** The exact Jaccard similarity of two rows' shingle sets, or undefined if either is unknown. */
  similarity(a: K, b: K): number | undefined {
    const sa = this.slots.get(a);
    const sb = this.slots.get(b);
    if (sa === undefined || sb === undefined) return undefined;
    return this.slotSimilarity(sa, sb);
  }

  // -------------------------------------------------------------------------------------------

  /**
   * Puts the slots near `slot` in its buckets once into `candidateScratch` and returns how many
   * there are: up to `bucketCap` behind it in each bucket (added before it), and with `both`
   * as many in front (added after it). A loop over typed arrays rather than a callback per
   * candidate: this is the hot path of `set`.
   */
  private collectCandidates(slot: number, both: boolean): number {
    const { bands, buckets, records, bucketCap, cursors, walked, walkedCount } = this;
    if (records[slot * RECORD + LENGTH] === 0) return 0;
    const query = this.nextQuery();
    records[slot * RECORD + SEEN] = query;
    // Lane `band * passes + pass` walks one bucket's list in one direction. The lanes are walked
    // a step each in turn rather than one after the other: each step is a cache miss that
    // depends on the one before in its list, but not on the other lists, so theirs overlap.
    const passes = both ? 2 : 1;
    const lanes = bands * passes;
    for (let lane = 0; lane < lanes; lane++) {
      const node = slot * bands + ((lane / passes) | 0);
      cursors[lane] = lane % passes === 0 ? buckets.next(node) : buckets.prev(node);
      walkedCount[lane] = 0;
    }
    for (let step = 0; step < bucketCap; step++) {
      let live = 0;
      for (let lane = 0; lane < lanes; lane++) {
        const n = cursors[lane] as number;
        if (n === -1) continue;
        walked[lane * bucketCap + step] = n;
        walkedCount[lane] = step + 1;
        cursors[lane] = lane % passes === 0 ? buckets.next(n) : buckets.prev(n);
        live++;
      }
      if (live === 0) break;
    }
    // In the order of the lanes, as a walk of one list after the other would meet them.
    let count = 0;
    for (let lane = 0; lane < lanes; lane++) {
      const end = lane * bucketCap + (walkedCount[lane] as number);
      for (let i = lane * bucketCap; i < end; i++) {
        const other = ((walked[i] as number) / bands) | 0;
        if (records[other * RECORD + SEEN] === query) continue;
        records[other * RECORD + SEEN] = query;
        if (count === this.candidateScratch.length) this.candidateScratch = growInt32(this.candidateScratch, count * 2);
        this.candidateScratch[count++] = other;
      }
    }
    return count;
  }

  /** The similarity of two slots if it reaches the threshold, else -1 (one comparison). */
  private verify(a: number, b: number): number {
    this.comparisons++;
    const { pool, records, threshold } = this;
    const ra = a * RECORD, rb = b * RECORD;
    const aLength = records[ra + LENGTH] as number, bLength = records[rb + LENGTH] as number;
    // Most candidates are unrelated rows that share a stock phrase: knowing the intersection
    // the threshold needs lets the merge give up after a few mismatches.
    const need = minIntersection(aLength, bLength, threshold);
    if (need === Infinity) return -1;
    // A mask bit set for one row but not the other stands for at least one shingle the other
    // lacks (distinct bits, distinct shingles): more of those than a row can spare rules the
    // pair out without touching the pool, which for a random row means a cache miss.
    const aLow = records[ra + MASK_LOW] as number, aHigh = records[ra + MASK_HIGH] as number;
    const bLow = records[rb + MASK_LOW] as number, bHigh = records[rb + MASK_HIGH] as number;
    if (popcount32(aLow & ~bLow) + popcount32(aHigh & ~bHigh) > aLength - need) return -1;
    if (popcount32(bLow & ~aLow) + popcount32(bHigh & ~aHigh) > bLength - need) return -1;
    const aStart = records[ra + START] as number, bStart = records[rb + START] as number;
    const inter = intersectAtLeast(pool, aStart, aStart + aLength, pool, bStart, bStart + bLength, need);
    return inter < 0 ? -1 : inter / (aLength + bLength - inter);
  }

  private slotSimilarity(a: number, b: number): number {
    const records = this.records;
    const aStart = records[a * RECORD + START] as number, bStart = records[b * RECORD + START] as number;
    return jaccard(this.pool, aStart, aStart + (records[a * RECORD + LENGTH] as number), this.pool, bStart, bStart + (records[b * RECORD + LENGTH] as number));
  }

  /** Compares two slots not yet linked and links them if they are near-duplicates. */
  private link(a: number, b: number): void {
    if (a === b || (this.edges[a]?.includes(b) ?? false)) return;
    if (this.verify(a, b) < 0) return;
    (this.edges[a] ??= []).push(b);
    (this.edges[b] ??= []).push(a);
    if (!this.groupsDirty) this.union(a, b);
  }

  private find(slot: number): number {
    const parent = this.parent;
    let root = slot;
    while ((parent[root] ?? root) !== root) root = parent[root] ?? root;
    // Path compression: later finds from this path take one step.
    for (let s = slot; s !== root;) { const next = parent[s] ?? root; parent[s] = root; s = next; }
    return root;
  }

  /** Joins the groups of two slots, moving the smaller group's members into the larger. */
  private union(a: number, b: number): void {
    let ra = this.find(a), rb = this.find(b);
    if (ra === rb) return;
    let ga = this.groupAt[ra], gb = this.groupAt[rb];
    if ((ga?.members.length ?? 1) < (gb?.members.length ?? 1)) { [ra, rb] = [rb, ra]; [ga, gb] = [gb, ga]; }
    if (ga === undefined) {
      const id = this.ids[ra] as K;
      ga = { members: [id], first: id, firstSlot: ra };
      this.groupAt[ra] = ga;
    }
    if (gb === undefined) {
      const id = this.ids[rb] as K;
      ga.members.push(id);
      if (this.comesFirst(rb, ga.firstSlot)) { ga.first = id; ga.firstSlot = rb; }
    } else {
      for (const m of gb.members) ga.members.push(m);
      if (this.comesFirst(gb.firstSlot, ga.firstSlot)) { ga.first = gb.first; ga.firstSlot = gb.firstSlot; }
      this.groupAt[rb] = undefined;
    }
    this.parent[rb] = ra;
  }

  private comesFirst(a: number, b: number): boolean {
    if (this.order === undefined) return (this.added[a] ?? 0) < (this.added[b] ?? 0);
    return this.order(this.ids[a] as K, this.ids[b] as K) < 0;
  }

  /**
   * Rebuilds the groups from the edges: a removed row may have been the only link between two
   * parts of its group, and union-find cannot split. O(rows + edges), once per read after removals.
   */
  private regroup(): void {
    const slots = this.ids.length;
    for (let s = 0; s < slots; s++) this.parent[s] = s;
    this.groupAt = [];
    this.groupsDirty = false;
    for (let s = 0; s < slots; s++) {
      for (const other of this.edges[s] ?? []) if (other > s) this.union(s, other);
    }
  }

  private nextQuery(): number {
    this.query++;
    if (this.query > 0x7fffffff) {
      // The stamps are 32-bit integers: after 2^31 − 1 queries they start over.
      for (let at = SEEN; at < this.records.length; at += RECORD) this.records[at] = 0;
      this.query = 1;
    }
    return this.query;
  }

  private allocate(id: K): number {
    const slot = this.freeSlots.pop() ?? this.ids.length;
    if (slot === this.ids.length) this.ids.push(id);
    else this.ids[slot] = id;
    this.slots.set(id, slot);
    if (slot >= this.parent.length) {
      const size = this.parent.length * 2;
      this.records = growInt32(this.records, size * RECORD);
      this.parent = growInt32(this.parent, size);
    }
    this.buckets.reserveNodes((slot + 1) * this.bands);
    this.records[slot * RECORD + LENGTH] = 0;
    this.parent[slot] = slot;
    this.groupAt[slot] = undefined;
    this.added[slot] = this.addedCount++;
    return slot;
  }

  /**
   * Takes the row out of its buckets, its pairs and its group, and gives up its shingles. In
   * each bucket the rows on either side of it come within `bucketCap` of each other: the
   * pairs that closes are compared, so a cluster stays linked across the gap.
   */
  private unlink(slot: number): void {
    const length = this.records[slot * RECORD + LENGTH] as number;
    if (length === 0) return;
    const { bands, buckets, bucketCap } = this;
    const before: number[] = [], after: number[] = [];
    const repairs: number[] = [];
    for (let b = 0; b < bands; b++) {
      const node = slot * bands + b;
      before.length = 0;
      after.length = 0;
      for (let n = buckets.prev(node); n !== -1 && before.length < bucketCap; n = buckets.prev(n)) before.push(n);
      for (let n = buckets.next(node); n !== -1 && after.length < bucketCap; n = buckets.next(n)) after.push(n);
      buckets.remove(node);
      // The i-th row in front (i = 1…cap) now reaches the (cap − i + 1)-th row behind.
      for (let i = 0; i < before.length; i++) {
        const far = after[bucketCap - 1 - i];
        if (far !== undefined) repairs.push(((before[i] ?? 0) / bands) | 0, (far / bands) | 0);
      }
    }
    this.dropEdges(slot);
    this.poolWasted += length;
    this.records[slot * RECORD + LENGTH] = 0;
    for (let i = 0; i < repairs.length; i += 2) this.link(repairs[i] ?? 0, repairs[i + 1] ?? 0);
  }

  private dropEdges(slot: number): void {
    const mine = this.edges[slot];
    if (mine === undefined) return;
    for (const other of mine) {
      const theirs = this.edges[other];
      if (theirs === undefined) continue;
      const at = theirs.indexOf(slot);
      if (at >= 0) { theirs[at] = theirs[theirs.length - 1] ?? slot; theirs.pop(); }
      if (theirs.length === 0) this.edges[other] = undefined;
    }
    this.edges[slot] = undefined;
    this.groupsDirty = true;
  }

  /** Copies `shingles[0, count)` into the pool as the slot's set, and sets its mask. */
  private store(slot: number, shingles: Uint32Array, count: number): void {
    if (this.poolUsed + count > this.pool.length) this.compact(count);
    const pool = this.pool;
    const at = this.poolUsed;
    let low = 0, high = 0;
    for (let i = 0; i < count; i++) {
      const hash = shingles[i] as number;
      pool[at + i] = hash;
      const bit = hash >>> 26;
      if (bit < 32) low |= 1 << bit;
      else high |= 1 << (bit - 32);
    }
    const records = this.records;
    const r = slot * RECORD;
    records[r + START] = at;
    records[r + LENGTH] = count;
    records[r + MASK_LOW] = low;
    records[r + MASK_HIGH] = high;
    this.poolUsed = at + count;
  }

  /** Copies the live shingles into a pool with room for `extra` more and as much again spare. */
  private compact(extra: number): void {
    const live = this.poolUsed - this.poolWasted;
    const size = Math.max(1024, 2 * (live + extra));
    const pool = new Uint32Array(size);
    let used = 0;
    for (let slot = 0; slot < this.ids.length; slot++) {
      const r = slot * RECORD;
      const length = this.records[r + LENGTH] as number;
      if (length === 0) continue;
      const start = this.records[r + START] as number;
      pool.set(this.pool.subarray(start, start + length), used);
      this.records[r + START] = used;
      used += length;
    }
    this.pool = pool;
    this.poolUsed = used;
    this.poolWasted = 0;
  }
}

interface MutableGroup<K> { readonly members: K[]; first: K; firstSlot: number }

function growInt32(array: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const out = new Int32Array(size);
  out.set(array);
  return out;
}
