import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Buckets } from '../../src/core/dedupe/buckets';
import { ExactIndex, confirmGroup, exactKey, hashKey } from '../../src/core/dedupe/exact';
import { candidateProbability, chooseBanding } from '../../src/core/dedupe/minhash';
import { shingleHashes } from '../../src/core/dedupe/shingles';
import { NearDuplicateIndex } from '../../src/core/dedupe/nearIndex';
import { normalizeText } from '../../src/core/dedupe/normalize';
import { resolveSettings } from '../../src/core/lint/config';
import { DatasetLinter } from '../../src/core/lint/engine';
import { isRefusal } from '../../src/core/rules/index';
import { seededRandom as random } from '../harness/random';

/** The definition normalizeText implements, without its ASCII shortcut. */
function reference(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\p{P}\p{S}\p{Cf}]+/gu, '').replace(/\s+/g, ' ').trim();
}

/** Word shingles as strings, written independently of the index's hashing. */
function shingles(text: string, size: number): Set<string> {
  const words = normalizeText(text).split(' ').filter((w) => w !== '');
  if (words.length === 0) return new Set();
  if (words.length < size) return new Set([words.join(' ')]);
  const out = new Set<string>();
  for (let i = 0; i + size <= words.length; i++) out.add(words.slice(i, i + size).join(' '));
  return out;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size + b.size === 0) return 0;
  let inter = 0;
  for (const s of a) if (b.has(s)) inter++;
  return inter / (a.size + b.size - inter);
}

/** Applies the operations to an index and to a plain map of texts. */
function replay(index: NearDuplicateIndex<number>, pool: readonly string[], ops: readonly { op: 'set' | 'delete'; id: number; source: number }[]): Map<number, string> {
  const texts = new Map<number, string>();
  for (const { op, id, source } of ops) {
    if (op === 'set') {
      const text = pool[source % pool.length] ?? '';
      index.set(id, text);
      texts.set(id, text);
    } else {
      assert.equal(index.delete(id), texts.delete(id));
    }
  }
  return texts;
}

void describe('normalizeText', () => {
  const cases: readonly (readonly [string, string, string])[] = [
    ['lowercases', 'Renew My PASSPORT', 'renew my passport'],
    ['collapses and trims whitespace', '  renew \t my\n\n passport  ', 'renew my passport'],
    ['removes punctuation without splitting words', "How do I renew my driver's license online?", 'how do i renew my drivers license online'],
    ['removes symbols', 'Fee: $25 + tax (≈ €23) #permits', 'fee 25 tax 23 permits'],
    ['drops punctuation between spaces', 'renew - my , passport', 'renew my passport'],
    ['maps full-width forms (NFKC)', 'ＲＥＮＥＷ　ｍｙ　ｐａｓｓｐｏｒｔ！', 'renew my passport'],
    ['expands ligatures (NFKC)', 'ﬁle the ﬁnal form', 'file the final form'],
    ['treats a non-breaking space as a space', 'renew\u00a0my passport', 'renew my passport'],
    ['removes zero-width and soft-hyphen characters', 'pass\u200bport re\u00adnewal', 'passport renewal'],
    ['keeps Cyrillic', 'Как продлить ПАСПОРТ?', 'как продлить паспорт'],
    ['keeps Greek', 'Πώς ανανεώνω το διαβατήριο;', 'πώς ανανεώνω το διαβατήριο'],
    ['keeps Devanagari with its vowel signs', 'पासपोर्ट कैसे बनवाएँ?', 'पासपोर्ट कैसे बनवाएँ'],
    ['keeps Japanese, removing its punctuation', 'パスポートを更新するには、どうすればいいですか？', 'パスポートを更新するにはどうすればいいですか'],
    ['keeps Arabic, removing its question mark', 'كيف أجدد جواز سفري؟', 'كيف أجدد جواز سفري'],
    ['lowercases without a locale (I is i, not dotless ı)', 'TITLE I', 'title i'],
    ['gives an empty string for punctuation only', ' ?!… ', ''],
  ];
  for (const [what, input, expected] of cases) {
    void it(what, () => {
      assert.equal(normalizeText(input), expected);
    });
  }

  void it('makes texts that differ only in case, spacing and punctuation equal', () => {
    assert.equal(normalizeText('How do I renew my passport?'), normalizeText('  how DO i renew my passport ??'));
    assert.notEqual(normalizeText('How do I renew my passport?'), normalizeText('How can I renew my passport?'));
  });

  void it('gives the same result on its ASCII shortcut as the Unicode definition', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary-ascii', maxLength: 80 }), (text) => {
      assert.equal(normalizeText(text), reference(text));
    }), { numRuns: 2000 });
  });

  void it('handles lines longer than its reusable buffer', () => {
    const text = 'Renew, my PASSPORT!  '.repeat(10_000);
    assert.equal(normalizeText(text), reference(text));
    assert.equal(normalizeText(`${text}é`), reference(`${text}é`));
  });

  void it('follows the definition on any text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
      assert.equal(normalizeText(text), reference(text));
    }), { numRuns: 500 });
  });
});

void describe('exactKey and hashKey', () => {
  void it('gives texts with the same normalized form the same key, others a different one', () => {
    assert.equal(exactKey('How do I renew my passport?'), exactKey('how do i RENEW my passport'));
    assert.notEqual(exactKey('How do I renew my passport?'), exactKey('How do I renew my license?'));
    assert.equal(hashKey('anything').length, 4, 'four UTF-16 units: 64 bits');
    assert.equal(hashKey(''), hashKey(''));
    assert.notEqual(hashKey('ab'), hashKey('ba'));
  });

  void it('has no collisions among 100k distinct similar texts', () => {
    const keys = new Set<string>();
    for (let i = 0; i < 100_000; i++) keys.add(hashKey(`question number ${i} about renewing a permit`));
    assert.equal(keys.size, 100_000);
  });
});

void describe('ExactIndex', () => {
  interface Row { readonly line: number }
  const a: Row = { line: 0 }, b: Row = { line: 1 }, c: Row = { line: 2 };

  void it('groups ids by key and lists only groups of two or more', () => {
    const index = new ExactIndex<Row>();
    index.add('k1', a);
    index.add('k2', b);
    assert.equal(index.size, 2);
    assert.deepEqual([...index.groups()], []);
    index.add('k1', c);
    assert.equal(index.size, 3);
    assert.equal(index.groupCount, 1);
    assert.deepEqual([...index.groups()].map(([key, members]) => [key, [...members]]), [['k1', [a, c]]]);
    assert.deepEqual([...(index.members('k1') ?? [])], [a, c]);
    assert.equal(index.members('nope'), undefined);
  });

  void it('ignores a repeated add and reports removing what is not there', () => {
    const index = new ExactIndex<Row>();
    index.add('k', a);
    index.add('k', a);
    assert.equal(index.size, 1);
    assert.equal(index.groupCount, 0);
    assert.equal(index.remove('k', b), false);
    assert.equal(index.remove('other', a), false);
    assert.equal(index.remove('k', a), true);
    assert.equal(index.remove('k', a), false);
    assert.equal(index.size, 0);
    assert.equal(index.members('k'), undefined);
  });

  void it('dissolves a group when it shrinks below two and forms it again', () => {
    const index = new ExactIndex<Row>();
    index.add('k', a);
    index.add('k', b);
    assert.equal(index.groupCount, 1);
    index.remove('k', a);
    assert.equal(index.groupCount, 0);
    assert.deepEqual([...(index.members('k') ?? [])], [b]);
    index.add('k', c);
    assert.deepEqual([...index.groups()].map(([, m]) => [...m]), [[b, c]]);
  });

  void it('follows an edited row from one group to another', () => {
    const rows = ['Renew my passport', 'renew my passport!', 'Apply for a permit'];
    const ids = rows.map((_, line) => ({ line }));
    const index = new ExactIndex<Row>();
    rows.forEach((text, i) => { index.add(exactKey(text), ids[i] ?? a); });
    assert.deepEqual([...index.groups()].map(([, m]) => [...m].map((r) => r.line)), [[0, 1]]);
    // Line 1 is edited to match line 2 instead.
    const edited = ids[1] ?? a;
    index.remove(exactKey(rows[1] ?? ''), edited);
    index.add(exactKey('APPLY for a permit.'), edited);
    assert.deepEqual([...index.groups()].map(([, m]) => [...m].map((r) => r.line)), [[2, 1]]);
  });

  void it('confirmGroup splits ids that share a key but not a text (a hash collision)', () => {
    const texts = new Map<Row, string>([[a, 'renew my passport'], [b, 'apply for a permit'], [c, 'Renew my passport?']]);
    const index = new ExactIndex<Row>();
    for (const id of [a, b, c]) index.add('same-key', id);
    const [[, members] = ['', new Set<Row>()]] = [...index.groups()];
    assert.deepEqual(confirmGroup(members, (id) => normalizeText(texts.get(id) ?? '')), [[a, c]]);
    assert.deepEqual(confirmGroup([a, b], (id) => normalizeText(texts.get(id) ?? '')), []);
  });
});

void describe('banding', () => {
  void it('chooses 8 bands of 5 for the default threshold, catching pairs at 0.8 with probability ≥ 0.95', () => {
    assert.deepEqual(chooseBanding(0.8), { bands: 8, rows: 5 });
    assert.ok(candidateProbability(0.8, 8, 5) >= 0.95);
    assert.ok(candidateProbability(0.3, 8, 5) < 0.02);
  });

  void it('keeps recall at the threshold for any threshold', () => {
    for (const t of [0.3, 0.5, 0.6, 0.7, 0.75, 0.85, 0.9, 0.95, 1]) {
      const { bands, rows } = chooseBanding(t);
      assert.ok(candidateProbability(t, bands, rows) >= 0.95, `threshold ${t}: ${bands}×${rows}`);
    }
  });

  void it('shingles a text into its sorted distinct word pairs, and a short text into one shingle', () => {
    assert.equal(shingleHashes('a b c d', 2).length, 3);
    assert.equal(shingleHashes('a b a b a b', 2).length, 2);
    assert.equal(shingleHashes('passport', 2).length, 1);
    assert.equal(shingleHashes('', 2).length, 0);
    const hashes = [...shingleHashes('the quick brown fox jumps over the lazy dog', 2)];
    assert.deepEqual(hashes, [...hashes].sort((x, y) => x - y));
  });
});

void describe('Buckets', () => {
  /** The nodes in `node`'s bucket, walking both ways from it. */
  function bucketOf(buckets: Buckets, node: number): Set<number> {
    const out = new Set([node]);
    for (let n = buckets.next(node); n !== -1; n = buckets.next(n)) out.add(n);
    for (let n = buckets.prev(node); n !== -1; n = buckets.prev(n)) out.add(n);
    return out;
  }

  void it('keeps every bucket exactly the nodes inserted under its key, through growth and removals', () => {
    const step = fc.record({ node: fc.nat(299), key: fc.integer({ min: -40, max: 400 }), remove: fc.boolean() });
    fc.assert(fc.property(fc.array(step, { maxLength: 400 }), (steps) => {
      const buckets = new Buckets(4);
      const keyOf = new Map<number, number>();
      buckets.reserveNodes(300);
      for (const { node, key, remove } of steps) {
        const current = keyOf.get(node);
        if (current !== undefined && remove) {
          buckets.remove(node);
          keyOf.delete(node);
        } else if (current === undefined) {
          // Keys far apart and near each other, so probe runs collide and wrap.
          const k = key % 3 === 0 ? key * 0x10000 : key;
          buckets.insert(node, k);
          keyOf.set(node, k);
        }
      }
      const expected = new Map<number, Set<number>>();
      for (const [node, key] of keyOf) expected.set(key, (expected.get(key) ?? new Set()).add(node));
      assert.equal(buckets.bucketCount, expected.size);
      for (const [node, key] of keyOf) assert.deepEqual(bucketOf(buckets, node), expected.get(key));
    }), { numRuns: 300 });
  });
});

void describe('NearDuplicateIndex', () => {
  // 20 words: a one-word swap changes 2 of 19 two-word shingles on each side, 17 / 21 ≈ 0.81.
  const long = 'How do I renew my driver\'s license online in Springfield if I moved here from another state early last year?';
  const longSwapped = 'How can I renew my driver\'s license online in Springfield if I moved here from another state early last year?';
  // 17 words; one word added: 16 shingles against 17, sharing 15: 15 / 18 ≈ 0.83.
  const medium = 'What documents do I need to apply for a building permit to add a deck in Salem?';
  const mediumAdded = 'What documents do I need to apply for a new building permit to add a deck in Salem?';
  const unrelated = 'Where can I pay my water bill with a credit card after the office closes?';

  void it('finds a near-duplicate pair with its exact similarity, both ways', () => {
    const index = new NearDuplicateIndex<string>();
    index.set('a', long);
    index.set('b', longSwapped);
    index.set('c', unrelated);
    assert.deepEqual(index.partners('a'), [{ id: 'b', similarity: 17 / 21 }]);
    assert.deepEqual(index.partners('b'), [{ id: 'a', similarity: 17 / 21 }]);
    assert.deepEqual(index.partners('c'), []);
    assert.equal(index.size, 3);
  });

  void it('measures the short pair "How do I…" / "How can I…" below 0.8, so it is not reported at the default threshold', () => {
    const index = new NearDuplicateIndex<string>();
    index.set('a', "How do I renew my driver's license online?");
    index.set('b', "How can I renew my driver's license online?");
    // 7 shingles each, 5 shared: 5 / 9.
    assert.equal(index.similarity('a', 'b'), 5 / 9);
    assert.deepEqual(index.partners('a'), []);
  });

  void it('finds added-word paraphrases and exact copies (after normalization), most similar first', () => {
    const index = new NearDuplicateIndex<string>();
    index.set('m', medium);
    index.set('m+', mediumAdded);
    index.set('copy', medium.toUpperCase().replace('?', ' ?!'));
    index.set('x', unrelated);
    assert.deepEqual(index.partners('m'), [{ id: 'copy', similarity: 1 }, { id: 'm+', similarity: 15 / 18 }]);
    assert.deepEqual(index.partners('x'), []);
  });

  void it('drops a row from its old buckets when its text is replaced', () => {
    const index = new NearDuplicateIndex<string>();
    index.set('a', long);
    index.set('b', longSwapped);
    index.set('b', unrelated);
    assert.deepEqual(index.partners('a'), []);
    assert.deepEqual(index.candidates('a'), []);
    assert.equal(index.size, 2);
    index.set('b', longSwapped);
    assert.deepEqual(index.partners('a').map((p) => p.id), ['b']);
  });

  void it('forgets a deleted row', () => {
    const index = new NearDuplicateIndex<string>();
    index.set('a', long);
    index.set('b', longSwapped);
    assert.equal(index.delete('b'), true);
    assert.equal(index.delete('b'), false);
    assert.equal(index.has('b'), false);
    assert.equal(index.size, 1);
    assert.deepEqual(index.partners('a'), []);
    assert.deepEqual(index.partners('b'), []);
    assert.equal(index.similarity('a', 'b'), undefined);
  });

  void it('takes opaque ids: objects that keep their identity while line numbers shift', () => {
    interface Row { line: number }
    const first: Row = { line: 0 }, second: Row = { line: 1 };
    const index = new NearDuplicateIndex<Row>();
    index.set(first, long);
    index.set(second, longSwapped);
    first.line = 5;
    assert.equal(index.partners(second)[0]?.id, first);
    assert.equal(index.has({ line: 5 }), false);
  });

  void it('compares texts shorter than a shingle as one shingle, and never matches an empty text', () => {
    const index = new NearDuplicateIndex<string>();
    index.set('p1', 'Passport');
    index.set('p2', 'passport!');
    index.set('v', 'Visa');
    index.set('e1', '');
    index.set('e2', ' ?? ');
    assert.deepEqual(index.partners('p1'), [{ id: 'p2', similarity: 1 }]);
    assert.deepEqual(index.partners('v'), []);
    assert.deepEqual(index.partners('e1'), []);
    assert.deepEqual(index.candidates('e2'), []);
  });

  void it('rejects impossible options', () => {
    assert.throws(() => new NearDuplicateIndex({ threshold: 0 }), RangeError);
    assert.throws(() => new NearDuplicateIndex({ threshold: 1.5 }), RangeError);
    assert.throws(() => new NearDuplicateIndex({ shingleSize: 0 }), RangeError);
    assert.throws(() => new NearDuplicateIndex({ numHashes: 40 }), RangeError);
    assert.throws(() => new NearDuplicateIndex({ numHashes: 40, bands: 7 }), RangeError);
    const custom = new NearDuplicateIndex({ threshold: 0.9, shingleSize: 3, numHashes: 60, bands: 10 });
    assert.deepEqual([custom.threshold, custom.shingleSize, custom.numHashes, custom.bands, custom.rowsPerBand], [0.9, 3, 60, 10, 6]);
  });
});

// ---------------------------------------------------------------------------------------------
// Against brute force

const VOCABULARY = [
  'how', 'do', 'i', 'can', 'what', 'where', 'when', 'renew', 'apply', 'for', 'my', 'a', 'the', 'passport', 'license',
  'permit', 'online', 'in', 'person', 'office', 'fee', 'form', 'city', 'county', 'state', 'tax', 'refund', 'benefits',
  'status', 'appointment', 'documents', 'need', 'to', 'bring', 'after', 'moving', 'deadline', 'card', 'pay', 'mail',
];

/** A corpus where some rows are one-word edits of earlier rows. */
function corpus(rng: () => number, size: number, minWords: number, maxWords: number): string[] {
  const word = (): string => VOCABULARY[Math.floor(rng() * VOCABULARY.length)] ?? 'x';
  const rows: string[] = [];
  for (let i = 0; i < size; i++) {
    const source = rows[Math.floor(rng() * rows.length)];
    if (source !== undefined && rng() < 0.4) {
      const words = source.split(' ');
      const at = Math.floor(rng() * words.length);
      const r = rng();
      if (r < 0.4) words[at] = word();
      else if (r < 0.7) words.splice(at, 0, word());
      else if (words.length > 1) words.splice(at, 1);
      rows.push(words.join(' '));
    } else {
      const n = minWords + Math.floor(rng() * (maxWords - minWords + 1));
      rows.push(Array.from({ length: n }, word).join(' '));
    }
  }
  return rows;
}

void describe('NearDuplicateIndex against brute force', () => {
  const operation = fc.oneof(
    fc.record({ op: fc.constant('set' as const), id: fc.nat(15), source: fc.nat(), seed: fc.nat() }),
    fc.record({ op: fc.constant('delete' as const), id: fc.nat(15), source: fc.constant(0), seed: fc.constant(0) }),
  );

  void it('reports exactly the LSH candidates whose exact Jaccard reaches the threshold, however it was edited', () => {
    fc.assert(fc.property(fc.nat(), fc.array(operation, { maxLength: 60 }), fc.constantFrom(0.5, 0.7, 0.8, 0.9), fc.constantFrom(1, 2, 3), (seed, ops, threshold, shingleSize) => {
      const pool = corpus(random(seed), 12, 1, 14);
      const index = new NearDuplicateIndex<number>({ threshold, shingleSize });
      const texts = replay(index, pool, ops);
      assert.equal(index.size, texts.size);
      // A fresh index of the final texts must agree: edits leave nothing behind.
      const fresh = new NearDuplicateIndex<number>({ threshold, shingleSize });
      for (const [id, text] of texts) fresh.set(id, text);
      for (const [id, text] of texts) {
        const candidates = index.candidates(id);
        assert.deepEqual(new Set(candidates), new Set(fresh.candidates(id)));
        const expected = candidates
          .map((other) => ({ id: other, similarity: jaccard(shingles(text, shingleSize), shingles(texts.get(other) ?? '', shingleSize)) }))
          .filter((p) => p.similarity >= threshold)
          .sort((x, y) => y.similarity - x.similarity || x.id - y.id);
        const actual = index.partners(id).sort((x, y) => y.similarity - x.similarity || x.id - y.id);
        assert.deepEqual(actual, expected);
        for (const p of actual) assert.ok(index.partners(p.id).some((q) => q.id === id), 'partners are symmetric');
      }
    }), { numRuns: 300 });
  });

  void it('finds at least 95 % of the pairs at Jaccard ≥ 0.8 of a seeded corpus, and nothing else', () => {
    const rows = corpus(random(20240611), 3000, 8, 25);
    const index = new NearDuplicateIndex<number>();
    rows.forEach((text, i) => { index.set(i, text); });
    const sets = rows.map((text) => shingles(text, 2));
    const reported = new Set<string>();
    for (let i = 0; i < rows.length; i++) {
      for (const p of index.partners(i)) if (p.id > i) reported.add(`${i} ${p.id}`);
    }
    let truth = 0, found = 0;
    for (let i = 0; i < rows.length; i++) {
      const a = sets[i] ?? new Set<string>();
      for (let j = i + 1; j < rows.length; j++) {
        const b = sets[j] ?? new Set<string>();
        // Jaccard is at most min/max of the sizes: most pairs need no intersection.
        if (Math.min(a.size, b.size) / Math.max(a.size, b.size) < 0.8 || jaccard(a, b) < 0.8) continue;
        truth++;
        if (reported.has(`${i} ${j}`)) found++;
      }
    }
    assert.ok(truth >= 200, `the corpus should plant enough pairs, got ${truth}`);
    assert.equal(reported.size, found, 'every reported pair is a real one');
    assert.ok(found / truth >= 0.95, `recall ${found / truth} (${found} of ${truth} pairs)`);
  });
});

// ---------------------------------------------------------------------------------------------
// Clusters of near-identical rows (templated datasets)

/** A templated prompt: one slot (an order number) varies, so every two rows are 25 / 29 ≈ 0.86 similar. */
function templated(i: number): string {
  return `Summarize the customer's message about order ${100000 + i} and tell them when the replacement part will ship, using the warranty policy and the shipping schedule from the knowledge base.`;
}

/** Connected components of `edges` over `ids`, each sorted, the list sorted by first member; singletons left out. */
function components(ids: readonly number[], edges: (id: number) => readonly number[]): number[][] {
  const seen = new Set<number>();
  const out: number[][] = [];
  for (const id of [...ids].sort((a, b) => a - b)) {
    if (seen.has(id)) continue;
    const members: number[] = [];
    const stack = [id];
    seen.add(id);
    for (let x = stack.pop(); x !== undefined; x = stack.pop()) {
      members.push(x);
      for (const y of edges(x)) if (!seen.has(y)) { seen.add(y); stack.push(y); }
    }
    if (members.length > 1) out.push(members.sort((a, b) => a - b));
  }
  return out;
}

/** The index's groups in the same shape as `components`. */
function groupsOf(index: NearDuplicateIndex<number>): number[][] {
  return index.groups().map((g) => [...g.members].sort((a, b) => a - b)).sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
}

void describe('NearDuplicateIndex on a cluster of near-identical rows', () => {
  void it('compares each new row with a bounded number of others and reports the cluster as one group', () => {
    const n = 2000;
    const index = new NearDuplicateIndex<number>();
    for (let i = 0; i < n; i++) index.set(i, templated(i));
    // Every pair is a near-duplicate: comparing all of them would be n(n-1)/2 ≈ 2,000,000. A row
    // is compared with at most bucketCap rows per band (8 × 16 = 128 by default).
    const perRow = index.bands * index.bucketCap;
    assert.ok(index.comparisons <= n * perRow, `${index.comparisons} comparisons for ${n} rows`);
    const groups = index.groups();
    assert.equal(groups.length, 1);
    assert.equal(groups[0]?.members.length, n);
    assert.equal(index.group(0), groups[0]);
    assert.equal(index.group(n - 1), groups[0]);
    // What a row is compared with, and its partners, stay bounded too.
    let candidates = 0, partners = 0;
    for (let i = 0; i < n; i++) { candidates += index.candidates(i).length; partners += index.partners(i).length; }
    assert.ok(candidates <= n * 2 * perRow, `${candidates} candidates`);
    assert.ok(partners <= n * 2 * perRow, `${partners} partners`);
  });

  void it('keeps the cluster one group, with bounded work, as rows are deleted, edited and added back', () => {
    const n = 2000;
    const index = new NearDuplicateIndex<number>();
    for (let i = 0; i < n; i++) index.set(i, templated(i));
    const before = index.comparisons;
    // A block of lines deleted (more than a bucket's window), then one row edited away and back.
    for (let i = 0; i < 500; i++) index.delete(i);
    index.set(1000, 'Where can I pay my water bill with a credit card after the office closes?');
    assert.equal(index.group(1000), undefined);
    assert.equal(index.groups()[0]?.members.length, n - 501);
    index.set(1000, templated(1000));
    for (let i = 0; i < 500; i++) index.set(i, templated(i));
    assert.deepEqual(groupsOf(index), [Array.from({ length: n }, (_, i) => i)]);
    // A deletion compares at most bucketCap pairs per band, an insertion bucketCap rows per band.
    assert.ok(index.comparisons - before <= (1001 + 501) * index.bands * index.bucketCap, `${index.comparisons - before} comparisons for 1,001 deletions and 501 insertions`);
  });

  void it('rejects a bucket cap that is not a positive integer', () => {
    assert.throws(() => new NearDuplicateIndex({ bucketCap: 0 }), RangeError);
    assert.throws(() => new NearDuplicateIndex({ bucketCap: 2.5 }), RangeError);
    assert.equal(new NearDuplicateIndex({ bucketCap: 3 }).bucketCap, 3);
  });
});

void describe('NearDuplicateIndex groups against brute force', () => {
  const operation = fc.oneof(
    fc.record({ op: fc.constant('set' as const), id: fc.nat(15), source: fc.nat() }),
    fc.record({ op: fc.constant('delete' as const), id: fc.nat(15), source: fc.constant(0) }),
  );


  /**
   * The reference: rows that share an LSH bucket (an uncapped index of the final texts says
   * which) and whose string shingles reach the threshold are linked; groups are the components.
   */
  function referenceGroups(texts: Map<number, string>, threshold: number, shingleSize: number): number[][] {
    const fresh = new NearDuplicateIndex<number>({ threshold, shingleSize, bucketCap: 1_000_000 });
    for (const [id, text] of texts) fresh.set(id, text);
    const sets = new Map([...texts].map(([id, text]) => [id, shingles(text, shingleSize)]));
    const similar = (a: number, b: number): boolean => jaccard(sets.get(a) ?? new Set(), sets.get(b) ?? new Set()) >= threshold;
    return components([...texts.keys()], (id) => fresh.candidates(id).filter((other) => similar(id, other)));
  }

  void it('are the connected components of the similar pairs sharing a bucket, however the rows were edited', () => {
    fc.assert(fc.property(fc.nat(), fc.array(operation, { maxLength: 60 }), fc.constantFrom(0.5, 0.7, 0.8), fc.constantFrom(1, 2), (seed, ops, threshold, shingleSize) => {
      const pool = corpus(random(seed), 12, 1, 14);
      // A cap above the number of ids: every bucket is compared in full, so the groups are exact.
      const index = new NearDuplicateIndex<number>({ threshold, shingleSize, bucketCap: 16 });
      const texts = replay(index, pool, ops);
      const expected = referenceGroups(texts, threshold, shingleSize);
      assert.deepEqual(groupsOf(index), expected);
      for (const [id] of texts) {
        const group = expected.find((g) => g.includes(id));
        assert.deepEqual(index.group(id) === undefined ? undefined : [...(index.group(id)?.members ?? [])].sort((a, b) => a - b), group);
      }
    }), { numRuns: 300 });
  });

  void it('with a tiny cap: only real pairs, every similar row it compares is a partner, and groups follow the partners', () => {
    fc.assert(fc.property(fc.nat(), fc.array(operation, { maxLength: 60 }), fc.constantFrom(1, 2, 3), (seed, ops, bucketCap) => {
      const pool = corpus(random(seed), 12, 1, 14);
      const index = new NearDuplicateIndex<number>({ threshold: 0.5, bucketCap });
      const texts = replay(index, pool, ops);
      const sets = new Map([...texts].map(([id, text]) => [id, shingles(text, 2)]));
      const similarity = (a: number, b: number): number => jaccard(sets.get(a) ?? new Set(), sets.get(b) ?? new Set());
      for (const [id] of texts) {
        const partners = index.partners(id).map((p) => p.id);
        for (const p of index.partners(id)) assert.equal(p.similarity, similarity(id, p.id));
        for (const p of partners) assert.ok(similarity(id, p) >= 0.5, 'a partner is a real near-duplicate');
        for (const c of index.candidates(id)) if (similarity(id, c) >= 0.5) assert.ok(partners.includes(c), 'a similar row it is compared with is a partner');
      }
      assert.deepEqual(groupsOf(index), components([...texts.keys()], (id) => index.partners(id).map((p) => p.id)));
      // And they never join rows the exact groups keep apart.
      const exact = referenceGroups(texts, 0.5, 2);
      for (const g of groupsOf(index)) assert.ok(exact.some((e) => g.every((m) => e.includes(m))), `group ${g.join(',')} within one exact group`);
    }), { numRuns: 300 });
  });

  void it('with a tiny cap: a cluster of near-identical rows stays exactly the groups an uncapped index finds, however it was edited', () => {
    const pool = Array.from({ length: 40 }, (_, i) => templated(i));
    fc.assert(fc.property(fc.array(fc.record({ op: fc.constantFrom('set' as const, 'set' as const, 'delete' as const), id: fc.nat(39), source: fc.nat(39) }), { maxLength: 120 }), fc.constantFrom(1, 2, 3), (ops, bucketCap) => {
      const index = new NearDuplicateIndex<number>({ bucketCap });
      const texts = replay(index, pool, ops);
      assert.deepEqual(groupsOf(index), referenceGroups(texts, 0.8, 2));
    }), { numRuns: 300 });
  });
});

void describe('DatasetLinter on a cluster of near-identical prompts', () => {
  const answer = 'The replacement part ships within five business days of the claim being approved.';
  const line = (i: number): string => JSON.stringify({ instruction: templated(i), context: '', response: answer });

  function lint(lines: readonly string[]): DatasetLinter {
    const l = new DatasetLinter({ settings: resolveSettings([]).settings, context: {}, nearDuplicates: true });
    l.setText(lines.join('\n'));
    l.step(Infinity);
    return l;
  }

  void it('reports one group: each later row names the first and the group size, in a message and related lines of bounded size', () => {
    const n = 400;
    const l = lint(Array.from({ length: n }, (_, i) => line(i)));
    const near = l.findings().filter((f) => f.rule === 'near-duplicate');
    assert.equal(near.length, n - 1);
    assert.deepEqual(near.map((f) => f.line), Array.from({ length: n - 1 }, (_, i) => i + 1));
    const last = near.at(-1);
    assert.ok(last !== undefined);
    assert.equal(last.message, 'Nearly the same prompt as line 1 (86% similar), one of 400 rows with nearly the same prompt: near-duplicates add little and overweight one question. Rephrase it into a different question, or delete it.');
    assert.equal(last.fix?.title, 'Delete this duplicate (keep line 1)');
    // Related: the first line, then the rows it was compared with above it, ten lines in all.
    const related = last.related ?? [];
    assert.equal(related[0]?.message, 'line 1');
    assert.equal(related.length, 10);
    assert.equal(new Set(related.map((r) => r.line)).size, 10);
    for (const r of related) assert.ok(r.line < n - 1 && r.message === `line ${r.line + 1}`);
    for (const f of near) assert.ok(f.message.length < 300 && (f.related?.length ?? 0) <= 10);
    assert.equal(l.stats(isRefusal).duplicateGroups, 1);
  });

  void it('a pair keeps the short message', () => {
    const l = lint([line(1), line(2)]);
    assert.deepEqual(l.findings().filter((f) => f.rule === 'near-duplicate').map((f) => f.message), [
      'Nearly the same prompt as line 1 (86% similar): near-duplicates add little and overweight one question. Rephrase it into a different question, or delete it.',
    ]);
  });

  void it('follows edits: deleting the first line makes the next one the first, and the findings match a fresh lint', () => {
    const lines = Array.from({ length: 120 }, (_, i) => line(i));
    const l = lint(lines);
    l.replaceLines(0, 40, []);
    l.replaceLines(10, 1, [JSON.stringify({ instruction: 'Where can I pay my water bill with a credit card after the office closes?', context: '', response: answer })]);
    l.step(Infinity);
    const rest = [...lines.slice(40)];
    rest.splice(10, 1, JSON.stringify({ instruction: 'Where can I pay my water bill with a credit card after the office closes?', context: '', response: answer }));
    const fresh = lint(rest);
    const strip = (fs: ReturnType<DatasetLinter['findings']>): string[] => fs.map((f) => `${f.line}:${f.rule}:${f.message}:${(f.related ?? []).map((r) => r.line).join(',')}`);
    assert.deepEqual(strip(l.findings()), strip(fresh.findings()));
    const near = l.findings().filter((f) => f.rule === 'near-duplicate');
    assert.equal(near.length, 78);
    assert.match(near[0]?.message ?? '', /^Nearly the same prompt as line 1 \(86% similar\), one of 79 rows with nearly the same prompt:/);
  });
});

void describe('exactKey', () => {
  void it('equals hashKey(normalizeText(text)) on ASCII and non-ASCII text alike', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('a', 'B', ' ', '\t', '\n', '.', ',', "'", '1', 'É', 'ﬁ', 'Ａ', '\u200b', '\u0001') , maxLength: 40 }), (text) => {
      assert.equal(exactKey(text), hashKey(normalizeText(text)));
    }), { numRuns: 2000 });
  });

  void it('gives texts that differ only in case, spacing and punctuation the same key', () => {
    assert.equal(exactKey('How do I renew my Passport?'), exactKey('  how do i renew   my passport'));
    assert.equal(exactKey('ＡＢＣ'), exactKey('abc'));
    assert.notEqual(exactKey('renew my passport'), exactKey('renew my license'));
  });
});

void describe('ExactIndex.group', () => {
  void it('is undefined for a key with one member and the live group once there are two', () => {
    const index = new ExactIndex<string>();
    index.add('k', 'a');
    assert.equal(index.group('k'), undefined);
    assert.deepEqual([...(index.members('k') ?? [])], ['a']);
    index.add('k', 'b');
    assert.deepEqual([...(index.group('k') ?? [])], ['a', 'b']);
    index.remove('k', 'a');
    assert.equal(index.group('k'), undefined);
    assert.deepEqual([...(index.members('k') ?? [])], ['b']);
  });
});
