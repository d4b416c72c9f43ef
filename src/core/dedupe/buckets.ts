/**
 * LSH buckets: a multimap from 32-bit band keys to nodes (small non-negative integers), with
 * O(1) insert and O(1) removal of any node.
 *
 * A `Map<key, Set<id>>` per band costs a Map entry and a Set for nearly every row and band
 * (almost every bucket holds one row), well over a hundred bytes each. Here every bucket is a
 * doubly linked list threaded through typed arrays indexed by node, and the table from key to
 * the list's head is open addressing with linear probing that stores only the head: a slot's
 * key is read back from the head node. That is 12 bytes per node plus at most 4 / 0.375 bytes
 * per bucket (the table doubles when its load passes 0.75).
 */

const EMPTY = -1;
const MAX_LOAD = 0.75;

export class Buckets {
  /** Per node: its key, the next and the previous node of its bucket (EMPTY at the ends). */
  private keys: Int32Array;
  private nextNode: Int32Array;
  private prevNode: Int32Array;
  /** Open addressing: the head node of each bucket, EMPTY for a free slot. */
  private table: Int32Array;
  private mask: number;
  private count = 0;

  constructor(nodeCapacity = 64) {
    this.keys = new Int32Array(nodeCapacity);
    this.nextNode = new Int32Array(nodeCapacity);
    this.prevNode = new Int32Array(nodeCapacity);
    this.table = new Int32Array(64).fill(EMPTY);
    this.mask = 63;
  }

  /** The number of non-empty buckets. */
  get bucketCount(): number {
    return this.count;
  }

  /** Makes room for node numbers below `capacity`. */
  reserveNodes(capacity: number): void {
    if (capacity <= this.keys.length) return;
    let size = this.keys.length;
    while (size < capacity) size *= 2;
    this.keys = grow(this.keys, size);
    this.nextNode = grow(this.nextNode, size);
    this.prevNode = grow(this.prevNode, size);
  }

  /** Adds `node` (not in any bucket) to the bucket of `key`. */
  insert(node: number, key: number): void {
    this.keys[node] = key;
    this.prevNode[node] = EMPTY;
    const slot = this.find(key);
    const head = this.table[slot] ?? EMPTY;
    this.nextNode[node] = head;
    if (head !== EMPTY) {
      this.prevNode[head] = node;
    } else {
      this.count++;
    }
    this.table[slot] = node;
    if (head === EMPTY && this.count > this.table.length * MAX_LOAD) this.rehash(this.table.length * 2);
  }

  /** Takes `node` out of its bucket. */
  remove(node: number): void {
    const prev = this.prevNode[node] ?? EMPTY;
    const next = this.nextNode[node] ?? EMPTY;
    if (next !== EMPTY) this.prevNode[next] = prev;
    if (prev !== EMPTY) {
      this.nextNode[prev] = next;
      return;
    }
    const slot = this.find(this.keys[node] ?? 0);
    if (next !== EMPTY) this.table[slot] = next;
    else this.deleteSlot(slot);
  }

  /** The node after `node` in its bucket, or -1. */
  next(node: number): number {
    return this.nextNode[node] ?? EMPTY;
  }

  /** The node before `node` in its bucket, or -1. */
  prev(node: number): number {
    return this.prevNode[node] ?? EMPTY;
  }

  /** The slot holding `key`'s bucket, or the free slot where it would go. */
  private find(key: number): number {
    const mask = this.mask;
    const table = this.table;
    const keys = this.keys;
    for (let slot = fmix(key) & mask; ; slot = (slot + 1) & mask) {
      const head = table[slot] ?? EMPTY;
      if (head === EMPTY || keys[head] === key) return slot;
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
      const head = table[slot] ?? EMPTY;
      if (head === EMPTY) break;
      const home = fmix(this.keys[head] ?? 0) & mask;
      if (((slot - home) & mask) >= ((slot - gap) & mask)) {
        table[gap] = head;
        gap = slot;
      }
    }
    table[gap] = EMPTY;
  }

  private rehash(size: number): void {
    const old = this.table;
    this.table = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
    for (const head of old) {
      if (head !== EMPTY) this.table[this.find(this.keys[head] ?? 0)] = head;
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

function grow(array: Int32Array, size: number): Int32Array {
  const out = new Int32Array(size);
  out.set(array);
  return out;
}
