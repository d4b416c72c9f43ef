import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DatasetStats } from '../../src/core/lint/engine';
import { histogram, renderStatsPage, summarizeTokens, TokenTally } from '../../src/core/webview/statsPage';

const stats: DatasetStats = {
  rows: 966, errors: 1, warnings: 12, infos: 3,
  byRule: new Map([['duplicate', 10], ['blank-line', 1]]),
  duplicateGroups: 7, duplicateRows: 12,
  formats: new Map([['jumpstart-instruction', 965], ['none', 1]]),
  answers: 965, refusals: 48,
  examples: 965, bytes: 1_572_864,
};

void describe('the Dataset Stats page', () => {
  void it('summarizes token counts with nearest-rank quantiles', () => {
    assert.deepEqual(summarizeTokens([5, 1, 3, 2, 4]), { min: 1, median: 3, p95: 5, max: 5, count: 5 });
    assert.equal(summarizeTokens([]), undefined);
  });

  void it('bins token counts into round-width bins that hold every row', () => {
    const counts = Array.from({ length: 1000 }, (_, i) => i * 3);
    const bins = histogram(counts);
    assert.ok(bins.length <= 25);
    assert.equal(bins.reduce((a, b) => a + b.count, 0), counts.length);
    assert.ok([1, 2, 5].some((m) => String((bins[0]?.to ?? 0) / m).match(/^10*$/)), `width ${bins[0]?.to}`);
  });

  void it('shows the counts, rules, formats and a histogram, under a CSP with no script', () => {
    const html = renderStatsPage({
      nonce: 'abc', fileName: 'data/train.jsonl', formatLabel: 'JumpStart instruction',
      formatLabels: new Map([['jumpstart-instruction', 'JumpStart instruction'], ['none', 'No known format']]),
      stats, tokens: { counts: [100, 200, 300, 1500], family: 'Llama 3', limit: 1024 },
    });
    assert.match(html, /content="default-src &#39;none&#39;; style-src &#39;nonce-abc&#39;"/, 'the CSP, its quotes escaped as the HTML parser reads them');
    assert.doesNotMatch(html, /<script/i);
    assert.match(html, /<th scope="row">Rows<\/th><td>966<\/td>/);
    assert.match(html, /5% \(48 of 965 answers\)/);
    assert.match(html, /<code>duplicate<\/code><\/td><td class="num">10</);
    assert.match(html, /<svg role="img" aria-label="Histogram of tokens per row"/);
    assert.match(html, /1 \(limit 1,024\)/, 'rows over the limit are counted');
  });

  void it('shows the examples, the file size and the dataset-level findings with their messages', () => {
    const html = renderStatsPage({
      nonce: 'n', fileName: 'validation.jsonl', formatLabel: 'OpenAI chat', formatLabels: new Map(), stats,
      tokens: { counts: [100, 70_000], family: 'o200k (GPT-4o) tokens', limit: 65_536 },
      datasetChecks: [{ rule: 'small-validation', severity: 'warning', message: 'This validation file has only 5 examples: <its loss> swings.' }],
    });
    assert.match(html, /<th scope="row">Examples<\/th><td>965<\/td>/);
    assert.match(html, /<th scope="row">File size<\/th><td>1\.5 MB<\/td>/);
    assert.match(html, /<li><code>small-validation<\/code> \(warning\): This validation file has only 5 examples: &lt;its loss&gt; swings\.<\/li>/);
    assert.match(html, /<th>Counted in<\/th>.*<td>o200k \(GPT-4o\) tokens<\/td>/s);
    assert.match(html, /1 \(limit 65,536\)/);
    const clean = renderStatsPage({ nonce: 'n', fileName: 'train.jsonl', formatLabel: undefined, formatLabels: new Map(), stats, tokens: { note: '…' } });
    assert.match(clean, /Within the provider's limits on examples and file size\./);
  });

  void it('escapes the file name and labels, which come from the workspace', () => {
    const html = renderStatsPage({
      nonce: 'n', fileName: '<img src=x onerror=alert(1)>.jsonl', formatLabel: undefined,
      formatLabels: new Map(), stats, tokens: { note: 'Counting tokens…' },
    });
    assert.doesNotMatch(html, /<img/);
    assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;\.jsonl/);
    assert.match(html, /Counting tokens…/);
  });

  void it('a dataset of 200,000 rows gets its histogram (Math.max(...counts) overflowed the stack at about 125k)', () => {
    const counts = Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 3000);
    const bins = histogram(counts);
    assert.equal(bins.reduce((a, b) => a + b.count, 0), counts.length);
    const last = bins.at(-1);
    assert.ok(last !== undefined && last.from <= 2999 && 2999 < last.to && last.count > 0, 'the last bin holds the largest count, 2,999');
    const html = renderStatsPage({ nonce: 'n', fileName: 'big.jsonl', formatLabel: undefined, formatLabels: new Map(), stats, tokens: { counts, family: 'Llama 3 tokens', limit: 1024 } });
    assert.match(html, /<td class="num">2,999<\/td>/, 'the max in the summary');
  });

  void it('a row that cannot be counted is left out and named as such, not blamed on the tokenizer; rows over the limit are lower bounds', () => {
    const tally = new TokenTally();
    tally.add(() => ({ count: 120, complete: true, unit: 'Llama 3 tokens', limit: 1024 }), true);
    tally.add(() => { throw new RangeError('Maximum call stack size exceeded'); }, true);
    tally.add(() => ({ count: 1100, complete: false, unit: 'Llama 3 tokens', limit: 1024 }), true);
    const tokens = tally.result();
    assert.ok('counts' in tokens);
    assert.deepEqual(tokens.counts, [120, 1100]);
    const html = renderStatsPage({ nonce: 'n', fileName: 'f.jsonl', formatLabel: undefined, formatLabels: new Map(), stats, tokens });
    assert.match(html, /1 row could not be counted \(Maximum call stack size exceeded\) and is left out/);
    assert.match(html, /1 row is over the limit and was counted only until it passed it: its count is a lower bound/);
    assert.doesNotMatch(html, /tokenizer did not load/);
  });
});
