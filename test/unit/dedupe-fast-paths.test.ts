/**
 * The duplicate indexes' fast paths against the definitions they replace, on real data: the
 * fixtures, the samples, generated datasets and fuzzed strings (non-ASCII, control characters,
 * tabs, CR, punctuation-only words). The reference code below is the previous implementation,
 * kept verbatim as the definition: a shingle set, a signature, a band key or an exact key that
 * differs from it would change findings.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { generateChatRows, generateRows, generateTemplatedRows } from '../../bench/dataset';
import { exactKey, hashKey } from '../../src/core/dedupe/exact';
import { MinHasher, bandKeys, chooseBanding } from '../../src/core/dedupe/minhash';
import { NearDuplicateIndex } from '../../src/core/dedupe/nearIndex';
import { normalizeText } from '../../src/core/dedupe/normalize';
import { Shingler, shingleHashes } from '../../src/core/dedupe/shingles';

// ---------------------------------------------------------------------------------------------
// The reference definitions

/** normalizeText's definition, without any ASCII shortcut. */
function referenceNormalize(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\p{P}\p{S}\p{Cf}]+/gu, '').replace(/\s+/g, ' ').trim();
}

/** murmur3's 32-bit finalizer, as the previous code had it. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function referenceHashRange(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

/** The previous shingleHashes: word hashes of the normalized text, combined k at a time, sorted, without repeats. */
function referenceShingles(normalized: string, shingleSize: number): number[] {
  const words: number[] = [];
  let start = 0;
  for (let i = 0; i <= normalized.length; i++) {
    if (i < normalized.length && normalized.charCodeAt(i) !== 0x20) continue;
    if (i > start) words.push(referenceHashRange(normalized, start, i));
    start = i + 1;
  }
  if (words.length === 0) return [];
  const width = Math.min(shingleSize, words.length);
  const out: number[] = [];
  for (let i = 0; i + width <= words.length; i++) {
    let h = 0x9747b28c ^ width;
    for (let j = i; j < i + width; j++) {
      h = Math.imul(h ^ (words[j] ?? 0), 0x5bd1e995);
      h ^= h >>> 15;
    }
    out.push(fmix32(h));
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/** The previous MinHasher: the seeds and the minimum of fmix32(x ^ seed) per function. */
function referenceSignature(shingles: readonly number[], numHashes: number): number[] {
  const seeds: number[] = [];
  let s = 0x7e57ab1e;
  for (let i = 0; i < numHashes; i++) {
    s = (s + 0x9e3779b9) >>> 0;
    seeds.push(fmix32(s));
  }
  return seeds.map((seed) => shingles.reduce((min, x) => Math.min(min, fmix32(x ^ seed)), 0xffffffff));
}

/** The previous hashKey: FNV-1a and a multiply-xorshift lane over the UTF-16 units. */
function referenceKey(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  const x = fmix32(a);
  const y = fmix32(b);
  return String.fromCharCode(x >>> 16, x & 0xffff, y >>> 16, y & 0xffff);
}

// ---------------------------------------------------------------------------------------------
// Real data

function jsonlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...jsonlFiles(path));
    else if (entry.name.endsWith('.jsonl')) out.push(path);
  }
  return out;
}

function stringsIn(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) stringsIn(v, out);
}

/** Every line of the fixtures and samples (raw, with their escapes and CRs) and every string in them. */
function realTexts(): string[] {
  const texts: string[] = [];
  for (const file of [...jsonlFiles('test/fixtures'), ...jsonlFiles('samples')]) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      texts.push(line);
      try {
        stringsIn(JSON.parse(line), texts);
      } catch {
        // A broken line is data too: it was pushed raw above.
      }
    }
  }
  return texts;
}

function generatedTexts(): string[] {
  const texts: string[] = [];
  for (const row of generateRows(3000, 41, { nearDuplicateShare: 0.1, exactDuplicateShare: 0.05 })) texts.push(row.instruction, row.response);
  for (const row of generateChatRows(300, 42)) texts.push(row.response);
  for (const row of generateTemplatedRows(300, 43)) texts.push(row.instruction);
  return texts;
}

/** Characters that take every branch of the fast paths and of their fallbacks. */
const UNITS = ['a', 'Z', 'q', '7', ' ', '  ', '\t', '\n', '\r', '\r\n', '\v', '\f', '\u0000', '\u0001', '\u001f', '\u007f', '.', ',', "'", '-', '$', '@', '~', '_',
  '\u00a0', 'É', 'ß', 'İ', 'ﬁ', 'Ａ', '\u3000', '\u200b', '\u00ad', '\u2028', '—', '’', '😀', '\ud800', '\udc00', 'Ω', '١'];

const fuzzedText = fc.string({ unit: fc.constantFrom(...UNITS), maxLength: 60 });

function assertSameShingles(shingler: Shingler, text: string): void {
  const count = shingler.shingle(text);
  assert.deepEqual([...shingler.hashes.subarray(0, count)], referenceShingles(referenceNormalize(text), shingler.shingleSize), JSON.stringify(text));
}

// ---------------------------------------------------------------------------------------------

void describe('the duplicate indexes\' fast paths against the previous definitions', () => {
  const texts = [...realTexts(), ...generatedTexts()];

  void it('reads enough real data to mean something', () => {
    assert.ok(texts.length > 5000, `${texts.length} texts`);
    assert.ok(texts.some((t) => /[^ -~\t\n\r]/.test(t)), 'some text outside printable ASCII');
    assert.ok(texts.some((t) => t.includes('\r')), 'some text with CR');
  });

  void it('Shingler.shingle on raw text gives the shingle sets of the normalized text, for shingle sizes 1 to 4', () => {
    for (const size of [1, 2, 3, 4]) {
      const shingler = new Shingler(size);
      for (const text of texts) assertSameShingles(shingler, text);
    }
  });

  void it('shingleHashes of a normalized text gives the same sets as before', () => {
    for (const text of texts) {
      const normalized = normalizeText(text);
      assert.deepEqual([...shingleHashes(normalized, 2)], referenceShingles(normalized, 2));
    }
  });

  void it('Shingler.shingle agrees with the reference on fuzzed text, one buffer reused throughout', () => {
    const shinglers = [new Shingler(1), new Shingler(2), new Shingler(3)];
    fc.assert(fc.property(fuzzedText, fc.nat(2), (text, which) => {
      assertSameShingles(shinglers[which] ?? new Shingler(2), text);
    }), { numRuns: 5000 });
  });

  void it('a long text and a text longer than the reused buffers give the same sets', () => {
    const shingler = new Shingler(2);
    const long = texts.join(' ');
    assert.ok(long.length > 1 << 16);
    assertSameShingles(shingler, long);
    assertSameShingles(shingler, long.replace(/[^ -~\t\n\r]/g, ''));
    assertSameShingles(shingler, 'a short one after them');
  });

  void it('MinHasher.signature and the band keys equal the previous ones', () => {
    const banding = chooseBanding(0.8);
    const numHashes = banding.bands * banding.rows;
    const hasher = new MinHasher(numHashes);
    const signature = new Uint32Array(numHashes);
    const keys = new Int32Array(banding.bands);
    const expectedKeys = new Int32Array(banding.bands);
    const shingler = new Shingler(2);
    const check = (hashes: Uint32Array): void => {
      const expected = referenceSignature([...hashes], numHashes);
      hasher.signature(hashes, 0, hashes.length, signature);
      assert.deepEqual([...signature], expected);
      bandKeys(signature, banding.bands, banding.rows, keys);
      bandKeys(Uint32Array.from(expected), banding.bands, banding.rows, expectedKeys);
      assert.deepEqual([...keys], [...expectedKeys]);
    };
    for (const text of texts) check(shingler.hashes.slice(0, shingler.shingle(text)));
    // Odd and even counts, a run in the middle of a larger array, and the empty set.
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 41 }), (values) => {
      check(Uint32Array.from(values));
      const padded = Uint32Array.from([7, ...values, 9]);
      hasher.signature(padded, 1, padded.length - 1, signature);
      assert.deepEqual([...signature], referenceSignature(values, numHashes));
    }), { numRuns: 500 });
  });

  void it('exactKey equals the previous hashKey of the normalized text on real and fuzzed text', () => {
    for (const text of texts) assert.equal(exactKey(text), referenceKey(referenceNormalize(text)));
    fc.assert(fc.property(fuzzedText, (text) => {
      assert.equal(exactKey(text), referenceKey(referenceNormalize(text)));
      assert.equal(hashKey(text), referenceKey(text));
    }), { numRuns: 5000 });
    const long = texts.join('\n');
    assert.equal(exactKey(long), referenceKey(referenceNormalize(long)));
  });

  void it('the index finds the same pairs as the reference shingle sets give, on generated rows with planted near-duplicates', () => {
    const rows = generateRows(2000, 44, { nearDuplicateShare: 0.2, exactDuplicateShare: 0.05 }).map((r) => r.instruction);
    const index = new NearDuplicateIndex<number>({ bucketCap: 1 << 20 });
    rows.forEach((text, i) => { index.set(i, text); });
    const sets = rows.map((text) => new Set(referenceShingles(referenceNormalize(text), 2)));
    let checked = 0;
    for (let i = 0; i < rows.length; i++) {
      for (const p of index.partners(i)) {
        const a = sets[i] ?? new Set(), b = sets[p.id] ?? new Set();
        let inter = 0;
        for (const x of a) if (b.has(x)) inter++;
        assert.equal(p.similarity, inter / (a.size + b.size - inter));
        checked++;
      }
    }
    assert.ok(checked > 100, `${checked} pairs`);
  });
});
