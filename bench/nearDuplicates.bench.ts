/**
 * Near-duplicate prompts: 100k generated questions inserted into a NearDuplicateIndex and every
 * row's partners queried (what linting a freshly opened dataset does), against the floor of
 * merely `JSON.parse`-ing the same lines. Then, on a separate 5k-row dataset, the index's pairs
 * against brute force (every pair's exact Jaccard ≥ 0.8, computed with string shingles,
 * independently of the index's hashing): recall and precision. And the memory the 100k-row index
 * holds, on the JS heap and in typed arrays.
 *
 * Then clusters: a templated dataset of 5k, 20k and 50k rows whose prompts are all near-identical
 * (one slot varies), linted with near-duplicates on as the editor runs it, against the floor of
 * `JSON.parse`-ing the same lines. Comparing every pair made this quadratic (1.4 / 17.6 / 114 s);
 * each row now costs a bounded number of comparisons, so the ratio to the floor should stay flat
 * as the cluster grows. Metrics: comparisons per row, and that the cluster is one group.
 */
import { resolveSettings } from '../src/core/lint/config';
import { DatasetLinter } from '../src/core/lint/engine';
import { NearDuplicateIndex } from '../src/core/dedupe/nearIndex';
import { normalizeText } from '../src/core/dedupe/normalize';
import { generateChatRows, generateRows, generateTemplatedRows } from './dataset';
import type { BenchCase, Metric } from './harness';

const ROWS = 100_000;
const SAMPLE = 5_000;
const THRESHOLD = 0.8;
const SHARES = { nearDuplicateShare: 0.05, exactDuplicateShare: 0.02 } as const;

let lines: string[] = [];
let prompts: string[] = [];

function buildIndex(texts: readonly string[]): { index: NearDuplicateIndex<number>; ids: number[] } {
  const index = new NearDuplicateIndex<number>({ threshold: THRESHOLD });
  const ids = texts.map((_, i) => i);
  for (const id of ids) index.set(id, texts[id] ?? '');
  return { index, ids };
}

const nearDuplicates: BenchCase = {
  name: 'near-duplicates: 100k prompts, insert + all partners',
  floorName: 'JSON.parse of the 100k lines',
  runs: 3,
  target: { ms: 10_000 },
  setup() {
    const rows = generateRows(ROWS, 1, SHARES);
    lines = rows.map((r) => r.line);
    prompts = rows.map((r) => r.instruction);
  },
  run() {
    const { index, ids } = buildIndex(prompts);
    let pairs = 0;
    for (const id of ids) pairs += index.partners(id).length;
    return pairs;
  },
  floor() {
    let chars = 0;
    for (const line of lines) chars += (JSON.parse(line) as { instruction: string }).instruction.length;
    return chars;
  },
  metrics() {
    return [...quality(), ...footprint()];
  },
};

let chatLines: string[] = [];
let chatPrompts: string[] = [];

/**
 * `NearDuplicateIndex.set` alone for the user prompts of 100k OpenAI chat rows (what
 * `tunelab lint` does per row: shingle the prompt, sign it, file it in the LSH buckets and verify
 * its candidates), against the floor of `JSON.parse`-ing their lines.
 */
const setOnly: BenchCase = {
  name: 'near-duplicates: NearDuplicateIndex.set of 100k chat prompts',
  floorName: 'JSON.parse of the 100k lines',
  runs: 5,
  // A third of the 4.7–5.1× the previous code measured here (the goal: 3× faster a row).
  target: { ratio: 1.6 },
  setup() {
    chatLines = generateChatRows(ROWS, 1, SHARES).map((r) => r.line);
    chatPrompts = chatLines.map((line) => (JSON.parse(line) as { messages: { content: string }[] }).messages[1]?.content ?? '');
  },
  run: () => buildIndex(chatPrompts).index.comparisons,
  floor() {
    let chars = 0;
    for (const line of chatLines) chars += (JSON.parse(line) as { messages: { content: string }[] }).messages.length;
    return chars;
  },
  metrics() {
    const start = performance.now();
    const { index } = buildIndex(chatPrompts);
    const ms = performance.now() - start;
    return [
      { name: 'set per row (one more run)', value: (ms * 1e3) / index.size, unit: 'µs', digits: 2 },
      { name: 'comparisons per row', value: index.comparisons / index.size, digits: 1 },
    ];
  },
};

/** A full lint of a templated dataset whose `n` prompts form one near-duplicate cluster. */
function clusterCase(n: number): BenchCase {
  let lines: string[] = [];
  let text = '';
  const lint = (): DatasetLinter => {
    const linter = new DatasetLinter({ settings: resolveSettings([]).settings, context: {}, nearDuplicates: true });
    linter.setText(text);
    linter.step(Infinity);
    return linter;
  };
  return {
    name: `near-duplicates: cluster of ${n / 1000}k near-identical prompts, full lint`,
    floorName: `JSON.parse of the ${n / 1000}k lines`,
    runs: 3,
    // Flat in n: the 100k realistic rows (a fifth of them in some cluster or stock-phrase bucket) stay within about 30×.
    target: { ratio: 60 },
    setup() {
      const rows = generateTemplatedRows(n, 7);
      lines = rows.map((r) => r.line);
      text = `${lines.join('\n')}\n`;
    },
    run: () => lint().findings().length,
    floor() {
      let chars = 0;
      for (const line of lines) chars += (JSON.parse(line) as { instruction: string }).instruction.length;
      return chars;
    },
    metrics() {
      const index = new NearDuplicateIndex<number>({ threshold: THRESHOLD });
      lines.forEach((line, i) => { index.set(i, (JSON.parse(line) as { instruction: string }).instruction); });
      const linter = lint();
      const findings = linter.findings().filter((f) => f.rule === 'near-duplicate');
      const longest = findings.reduce((most, f) => Math.max(most, f.message.length), 0);
      return [
        { name: `comparisons per row (${n / 1000}k cluster; all pairs would be ${((n - 1) / 2).toFixed(0)})`, value: index.comparisons / n, digits: 1, max: index.bands * index.bucketCap },
        { name: `near-duplicate groups (${n / 1000}k cluster)`, value: index.groups().length, digits: 0, min: 1, max: 1 },
        { name: `near-duplicate findings (${n / 1000}k cluster; one per row after the first)`, value: findings.length, digits: 0, min: n - 1, max: n - 1 },
        { name: `longest near-duplicate message (${n / 1000}k cluster)`, value: longest, unit: 'chars', digits: 0, max: 300 },
      ];
    },
  };
}

export const cases: BenchCase[] = [setOnly, nearDuplicates, clusterCase(5_000), clusterCase(20_000), clusterCase(50_000)];

// ---------------------------------------------------------------------------------------------

/** Recall and precision of the index against brute force on a fresh 5k-row dataset. */
function quality(): Metric[] {
  const texts = generateRows(SAMPLE, 2, SHARES).map((r) => r.instruction);
  const { index, ids } = buildIndex(texts);
  const reported = new Set<number>();
  for (const id of ids) {
    for (const p of index.partners(id)) if (p.id > id) reported.add(id * SAMPLE + p.id);
  }
  const truth = bruteForcePairs(texts, THRESHOLD);
  let found = 0;
  for (const pair of truth) if (reported.has(pair)) found++;
  let correct = 0;
  for (const pair of reported) if (truth.has(pair)) correct++;
  let candidates = 0;
  for (const id of ids) candidates += index.candidates(id).length;
  return [
    { name: `pairs at Jaccard ≥ ${THRESHOLD} (5k brute force)`, value: truth.size, digits: 0 },
    { name: 'recall (5k)', value: truth.size === 0 ? 1 : found / truth.size, min: 0.95 },
    { name: 'precision (5k)', value: reported.size === 0 ? 1 : correct / reported.size, min: 0.95 },
    { name: 'LSH candidates per row (5k)', value: candidates / SAMPLE, digits: 1 },
  ];
}

/** Every pair `i * SAMPLE + j` (i < j) whose exact Jaccard over two-word shingle strings reaches the threshold. */
function bruteForcePairs(texts: readonly string[], threshold: number): Set<number> {
  const vocabulary = new Map<string, number>();
  const sets = texts.map((text) => {
    const words = normalizeText(text).split(' ').filter((w) => w !== '');
    const shingles = words.length < 2 ? [words.join(' ')] : words.slice(1).map((w, i) => `${words[i] ?? ''} ${w}`);
    const ids = new Set<number>();
    for (const s of shingles) {
      if (s === '') continue;
      let id = vocabulary.get(s);
      if (id === undefined) vocabulary.set(s, (id = vocabulary.size));
      ids.add(id);
    }
    return Int32Array.from(ids).sort();
  });
  const pairs = new Set<number>();
  for (let i = 0; i < sets.length; i++) {
    const a = sets[i] ?? new Int32Array(0);
    for (let j = i + 1; j < sets.length; j++) {
      const b = sets[j] ?? new Int32Array(0);
      if (a.length === 0 || b.length === 0 || Math.min(a.length, b.length) / Math.max(a.length, b.length) < threshold) continue;
      let x = 0, y = 0, inter = 0;
      while (x < a.length && y < b.length) {
        const u = a[x] ?? 0, v = b[y] ?? 0;
        if (u === v) { inter++; x++; y++; } else if (u < v) x++; else y++;
      }
      if (inter / (a.length + b.length - inter) >= threshold) pairs.add(i * SAMPLE + j);
    }
  }
  return pairs;
}

/** What the 100k-row index holds: JS heap and typed-array memory, after collecting garbage. */
function footprint(): Metric[] {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) return [];
  collect();
  const before = process.memoryUsage();
  const { index } = buildIndex(prompts);
  collect();
  const after = process.memoryUsage();
  const heap = (after.heapUsed - before.heapUsed) / 1e6;
  const arrays = (after.arrayBuffers - before.arrayBuffers) / 1e6;
  return [
    { name: `index memory: heapUsed Δ (${index.size} rows)`, value: heap, unit: 'MB', digits: 1 },
    { name: 'index memory: typed arrays Δ', value: arrays, unit: 'MB', digits: 1 },
    { name: 'index memory per row (both)', value: ((heap + arrays) * 1e6) / index.size, unit: 'B', digits: 0 },
  ];
}
