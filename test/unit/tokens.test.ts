import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createLocator } from '../../src/core/jsonl/locate';
import type { RecordView, RuleEnv, TokenCounter, TokenizerFamily } from '../../src/core/lint/types';
import { trainedText } from '../../src/core/limits/measure';
import { tooLong } from '../../src/core/rules/index';
import { utf8Length, utf8LengthUpTo } from '../../src/core/tokens/bytes';
import { countTokensUpTo, PIECE_SIZES } from '../../src/core/tokens/countUpTo';
import { lazyCounter } from '../../src/core/tokens/load';
import { libraryTokenizers, tokenizers } from '../../src/core/tokens/tokenizers';
import { generateRows, generateTemplatedRows } from '../../bench/dataset';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Any UTF-16 units, lone surrogates included (what a JSON string may decode to). */
const units = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 200 }).map((codes) => String.fromCharCode(...codes));
/** Text with the pieces that stress tokenizers: special-token spellings, emoji, CJK, escapes, long digit runs. */
const pieces = fc.array(fc.constantFrom(
  'Hello', ' world', '\n', '\t', '  ', 'é', '市役所', '😀', '👍🏽', '\ud800', '\udfff', '<|eot_id|>', '<|endoftext|>', '<|im_start|>', '<|begin_of_text|>',
  '### Answer:', '12345678901', "'s", '...', '\\', '"', '{', 'ﬁ', '\u0301',
), { maxLength: 40 }).map((a) => a.join(''));

void describe('utf8Length', () => {
  void it('gives the UTF-8 byte length of known strings', () => {
    assert.equal(utf8Length(''), 0);
    assert.equal(utf8Length('Hello'), 5);
    assert.equal(utf8Length('é'), 2);
    assert.equal(utf8Length('€'), 3);
    assert.equal(utf8Length('😀'), 4);
    assert.equal(utf8Length('\ud800'), 3, 'a lone high surrogate is written as U+FFFD');
    assert.equal(utf8Length('\udc00x'), 4, 'a lone low surrogate too');
    assert.equal(utf8Length('\ud800\ud800\udc00'), 7, 'a lone high surrogate, then a pair');
  });

  void it('property: equals Buffer.byteLength for any UTF-16 units', () => {
    fc.assert(fc.property(units, (text) => { assert.equal(utf8Length(text), Buffer.byteLength(text, 'utf8')); }), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (text) => { assert.equal(utf8Length(text), Buffer.byteLength(text, 'utf8')); }), { numRuns: 1000 });
  });

  void it('property: utf8LengthUpTo is the length when within the limit, else -1', () => {
    fc.assert(fc.property(fc.oneof(units, pieces), fc.nat({ max: 700 }), (text, limit) => {
      const bytes = Buffer.byteLength(text, 'utf8');
      assert.equal(utf8LengthUpTo(text, limit), bytes <= limit ? bytes : -1);
    }), { numRuns: 2000 });
  });
});

void describe('tokenizers (the real vocabularies)', () => {
  // Counts of the text alone (no begin/end-of-text tokens), as the libraries give them.
  const known: readonly (readonly [string, number, number])[] = [
    ['Hello world', 2, 2],
    ['Hello world!', 3, 3],
    ['The quick brown fox jumps over the lazy dog.', 10, 10],
    ['Où est la mairie ? 市役所はどこですか？', 14, 15],
    // Llama 3 reads <|eot_id|> as its one special token; o200k reads it as plain text.
    ['### Answer: Fill out form DS-82.<|eot_id|>', 11, 16],
    ['    def f(x):\n        return x ** 2\n', 12, 12],
    ['😀👍🏽', 8, 4],
    ['', 0, 0],
  ];
  for (const [text, llama3, o200k] of known) {
    void it(`${JSON.stringify(text)}: Llama 3 ${llama3}, o200k ${o200k}`, () => {
      assert.equal(tokenizers.count(text, 'llama3'), llama3);
      assert.equal(tokenizers.count(text, 'o200k'), o200k);
    });
  }

  void it('counts special-token spellings in the data instead of throwing', () => {
    assert.equal(tokenizers.count('a <|endoftext|> b', 'o200k'), 9);
    assert.equal(tokenizers.count('a <|eot_id|> b <|im_start|>', 'llama3'), 9);
  });

  void it('the bytes bound cannot be tightened without reading the text: 200 control characters are 200 tokens in both vocabularies', () => {
    // Every single byte is a token of both byte-level vocabularies and these bytes have no merges,
    // so a bound below one token a byte would skip records that are really over the limit.
    const controls = Array.from({ length: 200 }, (_, i) => String.fromCharCode(1 + ((i * 7) % 8))).join('');
    assert.equal(tokenizers.count(controls, 'llama3'), 200);
    assert.equal(tokenizers.count(controls, 'o200k'), 200);
  });

  void it('property: never more tokens than UTF-8 bytes (the bound too-long relies on), for both families', () => {
    fc.assert(fc.property(fc.oneof(pieces, units), (text) => {
      const bytes = utf8Length(text);
      for (const family of ['llama3', 'o200k'] as const) assert.ok(tokenizers.count(text, family) <= bytes, `${family}: ${JSON.stringify(text)}`);
    }), { numRuns: 400 });
  });
});

void describe('lazyCounter', () => {
  const counter: TokenCounter = { count: (text) => text.length };

  void it('loads once, shares the load between concurrent callers, and keeps the result', async () => {
    let loads = 0;
    const load = lazyCounter(async () => { loads++; await Promise.resolve(); return counter; });
    const [a, b] = await Promise.all([load(), load()]);
    assert.equal(a, counter);
    assert.equal(b, counter);
    assert.equal(await load(), counter);
    assert.equal(loads, 1);
  });

  void it('tries again after a failed load', async () => {
    let loads = 0;
    const load = lazyCounter(() => (++loads === 1 ? Promise.reject(new Error('bundle missing')) : Promise.resolve(counter)));
    await assert.rejects(load(), /bundle missing/);
    assert.equal(await load(), counter);
    assert.equal(loads, 2);
  });
});

void describe('too-long with the real tokenizers', () => {
  const answer = 'To renew your passport by mail, fill out Form DS-82, sign it, and enclose your most recent passport, one 2x2 photo and the fee. '.repeat(12);
  const line = JSON.stringify({ instruction: 'How do I renew my passport?', context: '', response: answer });
  const view: RecordView = {
    format: 'jumpstart-instruction',
    prompt: 'How do I renew my passport?',
    fields: [
      { path: ['instruction'], role: 'prompt', text: 'How do I renew my passport?' },
      { path: ['context'], role: 'context', text: '' },
      { path: ['response'], role: 'answer', text: answer },
    ],
  };
  const env: RuleEnv = { tokens: tokenizers, needsTokens: () => { throw new Error('the counter is loaded'); } };

  for (const family of ['llama3', 'o200k'] as const satisfies readonly TokenizerFamily[]) {
    void it(`${family}: reports the record with its real count over the limit, and nothing under it`, () => {
      // What JumpStart tokenizes: its built-in template filled, "### Response:", BOS and EOS.
      const text = trainedText(view, undefined).shared;
      const count = tokenizers.count(text, family) + 2;
      assert.ok(count > 200 && count < utf8Length(text), String(count));
      const over = tooLong.check(view, createLocator(line), { tokenizer: family, maxTokens: count - 1 }, env);
      assert.equal(over.length, 1);
      assert.deepEqual([over[0]?.start, over[0]?.end], [0, line.length]);
      assert.match(over[0]?.message ?? '', new RegExp(`about ${count.toLocaleString('en-US')} tokens .*over the limit of ${(count - 1).toLocaleString('en-US')}`));
      assert.deepEqual(tooLong.check(view, createLocator(line), { tokenizer: family, maxTokens: count }, env), []);
    });
  }
});

void describe('counting in pieces, with an early stop (huge rows)', () => {
  /** Realistic text: words, punctuation, newlines, digits, special-token spellings, CJK, emoji, runs of spaces. */
  const prose = fc.array(fc.constantFrom(
    'Hello', ' world', ' the', ' form', ',', '.', ' ', '  ', '   ', '\n', '\n\n', '\t', ' \n', 'DS-82', ' 2x2', ' 1234567', "'s", " don't",
    ' 市役所', '😀', ' é', '<|eot_id|>', ' <|endoftext|>', '### Answer:', ' https://travel.state.gov/passport', '\u00a0', ' (555)', '...',
  ), { maxLength: 120 }).map((a) => a.join(''));

  void it('property: pieces cut before a space add up to the whole text\'s count exactly, for both families', () => {
    // Small pieces, so ordinary text is cut many times; the sizes in use only cut less often. A run
    // longer than `run` without such a space is cut inside (documented as approximate): skipped here.
    const sizes = { piece: 48, run: 60 };
    let checked = 0;
    fc.assert(fc.property(prose, (text) => {
      let longestRun = 0;
      let from = 0;
      for (let i = 1; i <= text.length; i++) {
        if (i === text.length || (text[i] === ' ' && !/\s/u.test(text[i - 1] ?? ''))) { longestRun = Math.max(longestRun, i - from); from = i; }
      }
      if (longestRun > sizes.run) return;
      checked++;
      for (const family of ['llama3', 'o200k'] as const) {
        const raw: TokenCounter = { count: (t, f) => (t === '' ? 0 : tokenizers.count(t, f)) };
        const pieces = countTokensUpTo(raw, text, family, Infinity, sizes);
        assert.deepEqual(pieces, { tokens: tokenizers.count(text, family), complete: true }, `${family}: ${JSON.stringify(text)}`);
      }
    }), { numRuns: 300 });
    assert.ok(checked > 150, `most texts are cut only where it is exact (${checked} of 300)`);
  });

  void it('300,000 letters without a space: counted (Llama 3 overflowed the stack spreading their token ids as arguments)', () => {
    // Seeded letters, so no long merges hide the size: several hundred thousand tokens.
    let text = '';
    let x = 12345;
    for (let i = 0; i < 300_000; i++) { x = (x * 1103515245 + 12345) & 0x7fffffff; text += String.fromCharCode(97 + ((x >> 16) % 26)); }
    const n = tokenizers.count(text, 'llama3');
    assert.ok(n > 100_000 && n <= 300_000, String(n));
  });

  void it('stops once the limit is passed: a 10-million-character word reaches the tokenizer only as far as the limit needs', () => {
    const text = `Answer: ${'a'.repeat(10_000_000)}`;
    let chars = 0;
    let longest = 0;
    const spy: TokenCounter = { count: (t, f) => { chars += t.length; longest = Math.max(longest, t.length); return tokenizers.count(t, f); } };
    const r = countTokensUpTo(spy, text, 'llama3', 1024);
    assert.equal(r.complete, false);
    assert.ok(r.tokens > 1024, String(r.tokens));
    assert.ok(longest <= PIECE_SIZES.piece, `no call longer than a piece (${longest})`);
    assert.ok(chars < 100_000, `only the start of the text is tokenized (${chars} characters)`);
  });

  void it('a record\'s long run without a space (a list of URLs) is counted exactly, as too-long and the hover count it', () => {
    // 8,000 characters without a space: the counter splits them itself, so countUpTo need not cut
    // them every 1,024 characters (which counted 2,207 tokens here instead of 2,200).
    const urls = Array.from({ length: 200 }, (_, i) => `https://example.gov/forms/ds-${i}.pdf;`).join('');
    for (const family of ['llama3', 'o200k'] as const) {
      assert.deepEqual(countTokensUpTo(tokenizers, urls, family, Infinity), { tokens: tokenizers.count(urls, family), complete: true }, family);
    }
  });

  void it('never hands a library more than a piece, whatever the text', () => {
    fc.assert(fc.property(fc.oneof(prose, units), fc.nat({ max: 5 }), (text, copies) => {
      const long = text.repeat(copies * 300 + 1);
      let longest = 0;
      const spy: TokenCounter = { count: (t) => { longest = Math.max(longest, t.length); return t.length; } };
      const r = countTokensUpTo(spy, long, 'o200k', Infinity);
      assert.equal(r.tokens, long.length, 'the pieces cover the text exactly once');
      assert.ok(longest <= PIECE_SIZES.piece);
    }), { numRuns: 200 });
  });

  void it('too-long on a 10-million-character answer: "more than" the tokens counted, over the limit, without counting the rest', () => {
    const answer = `Mail dana.whitfield@gmail.com. ${'x'.repeat(10_000_000)}`;
    const view: RecordView = {
      format: 'jumpstart-instruction', prompt: 'How do I renew?',
      fields: [{ path: ['instruction'], role: 'prompt', text: 'How do I renew?' }, { path: ['context'], role: 'context', text: '' }, { path: ['response'], role: 'answer', text: answer }],
    };
    let chars = 0;
    const spy: TokenCounter = { count: (t, f) => { chars += t.length; return tokenizers.count(t, f); } };
    const line = '{"instruction": "How do I renew?", "context": "", "response": "…"}';
    const issues = tooLong.check(view, createLocator(line), {}, { tokens: spy, needsTokens: () => undefined });
    assert.equal(issues.length, 1);
    assert.match(issues[0]?.message ?? '', /^This record is more than [\d,]+ tokens \(counting stopped there\) \(Llama 3 tokenizer.*over max_input_length, 1,024/);
    assert.ok(chars < 100_000, `${chars} characters tokenized`);
  });
});

void describe('the fast counter gives the libraries\' counts exactly', () => {
  /** Every line of every JSONL file under these folders, and every line of the docs. */
  function corpus(): string[] {
    const out: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name);
        if (statSync(file).isDirectory()) walk(file);
        else if (/\.(jsonl|md|json|jsonc|tlprompt)$/.test(name)) out.push(...readFileSync(file, 'utf8').split('\n'));
      }
    };
    walk('samples');
    walk('test/fixtures');
    out.push(...readFileSync('README.md', 'utf8').split('\n'), ...readFileSync('CHANGELOG.md', 'utf8').split('\n'));
    return out;
  }

  void it('on the samples, the fixtures, the docs and 3,000 generated records (JumpStart and template lines), for both families', () => {
    const texts = [
      ...corpus(),
      ...generateRows(1500, 15).flatMap((r) => [`${r.instruction}\n\n${r.response}`, r.line]),
      ...generateTemplatedRows(1500, 16).map((r) => r.line),
    ];
    let tokens = 0;
    for (const family of ['llama3', 'o200k'] as const) {
      for (const text of texts) {
        const want = libraryTokenizers.count(text, family);
        assert.equal(tokenizers.count(text, family), want, `${family}: ${JSON.stringify(text.slice(0, 300))}`);
        tokens += want;
      }
    }
    assert.ok(tokens > 1_000_000, `a large corpus (${tokens} tokens)`);
  });

  /** Text that leaves ASCII at every kind of place the hand-written pre-tokenizer decides at. */
  const mixed = fc.array(fc.constantFrom(
    'Hello', ' world', 'WORLD', 'HTTPServer', ' iPhone', "'s", "'LL", "'ve", " don't", "'x", 'é', 'É', 'ñ', 'caf', 'é', 'naïve', 'Straße', 'ǅ', '\u0301', '\u0345',
    '市役所', 'はい', '😀', '👍🏽', '\ud800', '\udfff', '١٢٣', '²', '½', '123', '4567', ' 89', '\u00a0', '\u2003', '\u3000', '\u2028', '\u0085', '\ufeff',
    ' ', '  ', '   ', '\t', '\n', '\r\n', '\n\n', ' \n ', '\v', '\f', '\u001c', '.', '...', ' (', '),', '//', ' /', '/\n', '#', '—', '«', '»', '€',
    '<|eot_id|>', '<|endoftext|>', '<|', '|>', '\\', '"', '{', '}', '_', '-', '\u0000',
  ), { maxLength: 60 }).map((a) => a.join(''));

  void it('property: any mix of ASCII, letters and digits of other scripts, Unicode spaces, marks and special spellings', () => {
    fc.assert(fc.property(fc.oneof(mixed, pieces, units, fc.string({ unit: 'grapheme', maxLength: 80 })), (text) => {
      for (const family of ['llama3', 'o200k'] as const) {
        assert.equal(tokenizers.count(text, family), libraryTokenizers.count(text, family), `${family}: ${JSON.stringify(text)}`);
      }
    }), { numRuns: 3000 });
  });

  void it('text without spaces (Japanese, a long URL list) is counted exactly, not cut every 1,024 characters', () => {
    // The library on the whole text is the exact count; the old path cut such a run every 1,024
    // characters and counted the URLs 2,207 tokens instead of 2,200.
    const japanese = 'パスポートの更新は、申請書に記入し、写真と手数料を添えて郵送してください。'.repeat(120);
    const urls = Array.from({ length: 200 }, (_, i) => `https://example.gov/forms/ds-${i}.pdf;`).join('');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const llama3 = (require('llama3-tokenizer-js') as { default: { encode(t: string, o: object): number[] } }).default;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { countTokens } = require('gpt-tokenizer/encoding/o200k_base') as { countTokens: (t: string, o: object) => number };
    for (const text of [japanese, urls]) {
      assert.ok(text.length > 4000);
      assert.equal(tokenizers.count(text, 'llama3'), llama3.encode(text, { bos: false, eos: false }).length);
      assert.equal(tokenizers.count(text, 'o200k'), countTokens(text, { disallowedSpecial: new Set() }));
    }
  });
});
