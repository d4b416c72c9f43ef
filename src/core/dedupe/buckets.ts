/**
 * LSH buckets: a multimap from 32-bit band keys to nodes (small non-negative integers), with
 * O(1) insert and O(1) removal of any node.
 *
 * A `Map<key, Set<id>>` per band costs a Map entry and a Set for nearly every row and band
 * (almost every bucket holds one row), well over a hundred bytes each. Here every bucket is a
 * doubly linked list threaded through a typed array indexed by node, and the table from key to
 * the list's head is open addressing with linear probing that stores the key and the head.
 * That is 12 bytes per node plus at most 8 / 0.375 bytes per bucket (the table doubles when its
 * load passes 0.75).
 */

const EMPTY = -1;
const MAX_LOAD = 0.75;
/** Int32 entries per node: its key, the next and the previous node of its bucket. */
const NODE = 3;
const KEY = 0;
const NEXT = 1;
const PREV = 2;

export class Buckets {
  /**
   * Per node, side by side (`NODE` entries): its key, the next and the previous node of its
   * bucket (EMPTY at the ends). One array rather than three: filing a row touches the head of
   * each of its buckets, and its key and links then share one cache line.
   */
  private nodes: Int32Array;
  /**
   * Open addressing, two entries a slot: a bucket's key and its head node (EMPTY for a free
   * slot). The key beside the head lets a probe pass another bucket's slot without reading
   * that bucket's head node, a cache miss in a large index.
   */
  private table: Int32Array;
  /** Slots in the table, less one (a power of two, less one). */
  private mask: number;
  private count = 0;
  /** What `insertAll` read ahead, kept so the reads are not optimized away. */
  private touched = 0;

  constructor(nodeCapacity = 64) {
    this.nodes = new Int32Array(nodeCapacity * NODE);
    this.table = new Int32Array(64 * 2).fill(EMPTY);
    this.mask = 63;
  }

  /** The number of non-empty buckets. */
  get bucketCount(): number {
    return this.count;
  }

  /** Makes room for node numbers below `capacity`. */
  reserveNodes(capacity: number): void {
    if (capacity * NODE <= this.nodes.length) return;
    let size = this.nodes.length / NODE;
    while (size < capacity) size *= 2;
    const nodes = new Int32Array(size * NODE);
    nodes.set(this.nodes);
    this.nodes = nodes;
  }

  /** Adds `node` (not in any bucket) to the bucket of `key`. */
  insert(node: number, key: number): void {
    const nodes = this.nodes;
    const at = node * NODE;
    nodes[at + KEY] = key;
    nodes[at + PREV] = EMPTY;
    const entry = this.find(key);
    const table = this.table;
    const head = table[entry + 1] as number;
    nodes[at + NEXT] = head;
    if (head !== EMPTY) {
      nodes[head * NODE + PREV] = node;
    } else {
      table[entry] = key;
      this.count++;
    }
    table[entry + 1] = node;
    if (head === EMPTY && this.count > (this.mask + 1) * MAX_LOAD) this.rehash((this.mask + 1) * 2);
  }

  /**
   * Adds nodes `first, first + 1, …` (in no bucket) to the buckets of `keys[0, count)`, in that
   * order: the same as `insert` one at a time. In a large index every bucket's table slot and
   * head node is a cache miss; reading all of them first lets those misses overlap instead of
   * waiting for one after the other.
   */
  insertAll(first: number, keys: Int32Array, count: number): void {
    const table = this.table;
    const nodes = this.nodes;
    const mask = this.mask;
    let touched = 0;
    for (let i = 0; i < count; i++) touched ^= table[((fmix(keys[i] as number) & mask) << 1) + 1] as number;
    for (let i = 0; i < count; i++) {
      const head = table[((fmix(keys[i] as number) & mask) << 1) + 1] as number;
      if (head !== EMPTY) touched ^= nodes[head * NODE + KEY] as number;
    }
    this.touched = touched;
    for (let i = 0; i < count; i++) this.insert(first + i, keys[i] as number);
  }

  /** Takes `node` out of its bucket. */
  remove(node: number): void {
    const nodes = this.nodes;
    const at = node * NODE;
    const prev = nodes[at + PREV] as number;
    const next = nodes[at + NEXT] as number;
    if (next !== EMPTY) nodes[next * NODE + PREV] = prev;
    if (prev !== EMPTY) {
      nodes[prev * NODE + NEXT] = next;
      return;
    }
    const entry = this.find(nodes[at + KEY] as number);
    if (next !== EMPTY) this.table[entry + 1] = next;
    else this.deleteSlot(entry >> 1);
  }

  /** The node after `node` in its bucket, or -1. */
  next(node: number): number {
    return this.nodes[node * NODE + NEXT] ?? EMPTY;
  }

  /** The node before `node` in its bucket, or -1. */
  prev(node: number): number {
    return this.nodes[node * NODE + PREV] ?? EMPTY;
  }

  /** The table entry (twice the slot) holding `key`'s bucket, or of the free slot where it would go. */
  private find(key: number): number {
    const mask = this.mask;
    const table = this.table;
    for (let slot = fmix(key) & mask; ; slot = (slot + 1) & mask) {
      const entry = slot << 1;
      if (table[entry + 1] === EMPTY || table[entry] === key) return entry;
    }
  }

  /**
   * Frees a slot without tombstones (backward-shift deletion): later entries of the same probe
   * run move back into the gap unless their home slot lies cyclically after the gap.
   */
  private deleteSlot(gap: number): void {
    const mask = this.mask;
    const table = this.table;
    this.count--;
    for (let slot = (gap + 1) & mask; ; slot = (slot + 1) & mask) {
      const head = table[(slot << 1) + 1] as number;
      if (head === EMPTY) break;
      const key = table[slot << 1] as number;
      const home = fmix(key) & mask;
      if (((slot - home) & mask) >= ((slot - gap) & mask)) {
        table[gap << 1] = key;
        table[(gap << 1) + 1] = head;
        gap = slot;
      }
    }
    table[(gap << 1) + 1] = EMPTY;
  }

  private rehash(size: number): void {
    const old = this.table;
    this.table = new Int32Array(size * 2).fill(EMPTY);
    this.mask = size - 1;
    for (let entry = 0; entry < old.length; entry += 2) {
      const head = old[entry + 1] as number;
      if (head === EMPTY) continue;
      const key = old[entry] as number;
      const to = this.find(key);
      this.table[to] = key;
      this.table[to + 1] = head;
    }
  }
}

/**
 * Band keys are already well mixed, but a cheap extra mix keeps probe runs short even when a
 * caller passes structured keys.
 */
function fmix(key: number): number {
  const h = Math.imul(key ^ (key >>> 16), 0x45d9f3b);
  return h ^ (h >>> 16);
}
