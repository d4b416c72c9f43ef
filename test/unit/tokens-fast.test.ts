/**
 * The counter's fast paths held to the libraries: the ASCII word matchers (asciiPretokens.ts) to
 * the pre-tokenizer patterns, the two tables of remembered counts (pretokenTable.ts) to a Map, and
 * the whole counter to llama3-tokenizer-js and gpt-tokenizer on a large corpus (the samples, the
 * fixtures, the docs, the repository's code, generated rows and fuzzed text).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { generateChatRows, generateRows, generateTemplatedRows } from '../../bench/dataset';
import { llama3AsciiWord, llama3PretokenEnd, o200kAsciiWord, o200kPretokenEnd } from '../../src/core/tokens/asciiPretokens';
import { pretokenizedCounter } from '../../src/core/tokens/pretokenCache';
import { asciiPretokenTable, LONGEST_PACKED, packKey, pretokenTable } from '../../src/core/tokens/pretokenTable';
import { libraryTokenizers, PRETOKENIZERS, tokenizers } from '../../src/core/tokens/tokenizers';

/** Words of every length around the packed keys' 16 units, any case, after any ASCII sign, next to what may continue them. */
const wordy = fc.array(fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 127 }), fc.stringMatching(/^[A-Za-z]{1,20}$/)).map(([lead, word]) => String.fromCharCode(lead) + word),
  fc.constantFrom(' ', "'s", "'LL", "'t", "'", 'é', 'É', 'ß', '\u0301', '市', '١', '7', '42', '\n', '\r\n', '\t', '  ', '\u00a0', '😀', '\ud800', '<|eot_id|>', '"', '\\n', '://'),
), { maxLength: 40 }).map((a) => a.join(''));

const families = ['llama3', 'o200k'] as const;
const wordEnd = { llama3: llama3AsciiWord, o200k: o200kAsciiWord };

void describe('the ASCII word fast paths match the pre-tokenizer patterns', () => {
  void it('property: where a fast path finds a word, the pattern matches exactly that word there, and its key is the packed word', () => {
    const key = new Int32Array(4);
    const want = new Int32Array(4);
    let words = 0;
    fc.assert(fc.property(wordy, (text) => {
      for (const family of families) {
        const sticky = new RegExp(PRETOKENIZERS[family].source, 'uy');
        for (let p = 0; p < text.length; p++) {
          const end = wordEnd[family](text, p, key);
          if (end < 0) continue;
          words++;
          sticky.lastIndex = p;
          const m = sticky.exec(text);
          assert.equal(m?.[0], text.slice(p, end), `${family} at ${p} of ${JSON.stringify(text)}`);
          if (end - p <= LONGEST_PACKED) {
            assert.ok(packKey(text, p, end, want));
            assert.deepEqual([...key], [...want], `${family}: key of ${JSON.stringify(text.slice(p, end))}`);
          }
        }
      }
    }), { numRuns: 1500 });
    assert.ok(words > 10_000, `many words found (${words})`);
  });

  void it('leaves what it does not decide to the full matcher: a contraction, capitals alone, a word going on in another script', () => {
    const key = new Int32Array(4);
    assert.equal(llama3AsciiWord("'said", 0, key), -1, "Llama 3 reads 's first");
    assert.equal(o200kAsciiWord(' HTTP ', 0, key), -1, 'capitals with no small letter: the second alternative');
    assert.equal(o200kAsciiWord(" don't", 0, key), -1, 'a contraction may follow');
    assert.equal(llama3AsciiWord(' café', 0, key), -1);
    assert.equal(o200kAsciiWord('naïve', 0, key), -1);
    assert.equal(o200kAsciiWord(' HTTPServer.', 0, key), 11);
    assert.equal(llama3AsciiWord(' fooBar(', 0, key), 7);
    assert.equal(o200kAsciiWord(' fooBar(', 0, key), 4);
    // The patterns agree: the full matcher ends these where the fast path does.
    assert.equal(llama3PretokenEnd(' fooBar(', 0), 7);
    assert.equal(o200kPretokenEnd(' fooBar(', 0), 4);
  });
});

void describe('the tables of remembered counts', () => {
  /** A few short texts and a range of each, as the counter looks them up. */
  const ranges = fc.array(fc.tuple(fc.oneof(wordy, fc.string({ unit: 'binary', maxLength: 40 })), fc.nat(), fc.nat({ max: 300 })), { minLength: 1, maxLength: 400 });

  void it('property: a range\'s count is the one set for the same units, never another key\'s, through growth, clearing and colliding hashes', () => {
    fc.assert(fc.property(ranges, fc.constantFrom(3, 50, 100_000), fc.boolean(), (picks, most, collide) => {
      const table = pretokenTable(most);
      const ascii = asciiPretokenTable(most);
      const truth = new Map<string, number>();
      let next = 1;
      for (const [text, a, b] of picks) {
        if (text === '') continue;
        const from = a % text.length;
        const to = Math.min(text.length, from + 1 + (b % 300));
        const piece = text.slice(from, to);
        // A constant hash makes every key collide: only the length and units can tell them apart.
        const hash = collide ? 7 : hashOf(piece);
        const want = truth.get(piece);
        const got = table.get(text, from, to, hash);
        assert.ok(got === -1 || got === want, `pool table: ${JSON.stringify(piece)} gave ${got}, set ${want}`);
        if (got === -1) {
          const count = want ?? next++;
          truth.set(piece, count);
          table.set(text, from, to, hash, count);
          assert.equal(table.get(text, from, to, hash), count);
        }
        const packed = ascii.get(text, from, to);
        if (piece.length > LONGEST_PACKED || !isAscii(piece)) {
          assert.equal(packed, -2, `not packable: ${JSON.stringify(piece)}`);
          continue;
        }
        // A short ASCII pre-token has 1 to 16 tokens (one a byte at most): the table keeps no other count.
        const small = ((truth.get(piece) ?? 0) % 16) + 1;
        assert.ok(packed === -1 || packed === small, `ASCII table: ${JSON.stringify(piece)} gave ${packed}, set ${small}`);
        if (packed === -1) {
          ascii.setLast(small);
          assert.equal(ascii.get(text, from, to), small);
        }
      }
      assert.ok(table.size <= most && ascii.size <= most);
    }), { numRuns: 300 });
  });

  void it('keeps no count an ASCII pre-token cannot have (over one token a unit)', () => {
    const ascii = asciiPretokenTable(100);
    assert.equal(ascii.get(' the', 0, 4), -1);
    ascii.setLast(17);
    assert.equal(ascii.get(' the', 0, 4), -1);
  });

  void it('tells apart ASCII keys that differ only by trailing or leading NULs', () => {
    const ascii = asciiPretokenTable(100);
    const texts = ['a', 'a\0', '\0a', '\0\0\0\0a', 'a\0\0\0\0', '\0'.repeat(16), '\0'.repeat(15)];
    texts.forEach((t, i) => { assert.equal(ascii.get(t, 0, t.length), -1); ascii.setLast(i + 1); });
    texts.forEach((t, i) => { assert.equal(ascii.get(t, 0, t.length), i + 1, JSON.stringify(t)); });
  });
});

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function hashOf(text: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

void describe('the counter asks the library once per distinct pre-token', () => {
  /** A counter over Llama 3's pattern whose library calls are recorded. */
  function spied(): { count: (text: string) => number; asked: string[] } {
    const asked: string[] = [];
    const counter = pretokenizedCounter({
      pattern: PRETOKENIZERS.llama3, special: PRETOKENIZERS.llama3Special, pretokenEnd: llama3PretokenEnd, wordEnd: llama3AsciiWord,
      countPiece: (piece) => { asked.push(piece); return libraryTokenizers.count(piece, 'llama3'); },
    });
    return { count: (text) => counter.count(text), asked };
  }

  void it('a code comment\'s rule of 95 dashes, repeated on 200 lines, is counted by the library once (it was every time: 200 calls)', () => {
    const rule = ` ${'-'.repeat(94)}`;
    const text = `//${rule}\n`.repeat(200);
    const { count, asked } = spied();
    assert.equal(count(text), libraryTokenizers.count(text, 'llama3'));
    assert.ok(asked.some((p) => p.startsWith(rule)), 'the rule is one long pre-token');
    assert.equal(asked.length, new Set(asked).size, `asked more than once: ${JSON.stringify(asked.filter((p, i) => asked.indexOf(p) !== i).slice(0, 3))}`);
  });

  void it('a chat template\'s special tokens, written 300 times, are counted by the library once each', () => {
    const text = '<|start_header_id|>user<|end_header_id|>\n\nHow do I renew my passport?<|eot_id|>'.repeat(300);
    const { count, asked } = spied();
    assert.equal(count(text), libraryTokenizers.count(text, 'llama3'));
    for (const special of ['<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>']) assert.equal(asked.filter((p) => p === special).length, 1, special);
    assert.equal(asked.length, new Set(asked).size, 'every pre-token asked once');
  });
});

void describe('the fast counter gives the libraries\' counts exactly on a large corpus', () => {
  /** Every file of these kinds under a folder, whole and line by line. */
  function files(dir: string, kinds: RegExp): string[] {
    const out: string[] = [];
    const walk = (d: string): void => {
      for (const name of readdirSync(d)) {
        const file = path.join(d, name);
        if (statSync(file).isDirectory()) walk(file);
        else if (kinds.test(name)) {
          const text = readFileSync(file, 'utf8');
          out.push(text, ...text.split('\n'));
        }
      }
    };
    walk(dir);
    return out;
  }

  void it('samples, fixtures, docs, the source code, and generated JumpStart, template and chat rows, for both families', () => {
    const texts = [
      ...files('samples', /\.(jsonl|md|json|jsonc|tlprompt)$/),
      ...files('test/fixtures', /\.(jsonl|md|json|jsonc|tlprompt)$/),
      ...files('src', /\.ts$/),
      ...['README.md', 'CHANGELOG.md', 'ARCHITECTURE.md', 'CONTRIBUTING.md'].map((f) => readFileSync(f, 'utf8')),
      ...generateRows(1000, 31).flatMap((r) => [`${r.instruction}\n\n${r.response}`, r.line]),
      ...generateTemplatedRows(1000, 32).map((r) => r.line),
      ...generateChatRows(1000, 33).map((r) => r.line),
    ];
    let tokens = 0;
    for (const family of families) {
      for (const text of texts) {
        const want = libraryTokenizers.count(text, family);
        assert.equal(tokenizers.count(text, family), want, `${family}: ${JSON.stringify(text.slice(0, 300))}`);
        tokens += want;
      }
    }
    assert.ok(tokens > 2_000_000, `a large corpus (${tokens} tokens)`);
  });

  void it('property: fuzzed words around the fast paths\' edges (16 units, contractions, other scripts after ASCII letters)', () => {
    fc.assert(fc.property(wordy, (text) => {
      for (const family of families) assert.equal(tokenizers.count(text, family), libraryTokenizers.count(text, family), `${family}: ${JSON.stringify(text)}`);
    }), { numRuns: 2000 });
  });
});
