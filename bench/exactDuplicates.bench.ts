/**
 * Exact duplicates: 100k generated records (≈ 500 characters of text each, 2 % planted copies)
 * normalized, keyed and filed in an ExactIndex, against the floor of `JSON.parse`-ing the lines.
 * Two cases, one per key: the 64-bit hash `exactKey` (what the index uses) and the normalized
 * text itself (the alternative), with the memory each index holds; see src/core/dedupe/exact.ts.
 */
import { ExactIndex, exactKey } from '../src/core/dedupe/exact';
import { normalizeText } from '../src/core/dedupe/normalize';
import { generateChatRows, generateRows } from './dataset';
import type { BenchCase, Metric } from './harness';

const ROWS = 100_000;

let lines: string[] = [];
let texts: string[] = [];

function setup(): void {
  if (texts.length > 0) return;
  const rows = generateRows(ROWS, 3, { nearDuplicateShare: 0.05, exactDuplicateShare: 0.02 });
  lines = rows.map((r) => r.line);
  // What a whole-record duplicate compares: every field the trainer reads.
  texts = rows.map((r) => `${r.instruction}\n\n${r.response}`);
}

function build(key: (text: string) => string): ExactIndex<number> {
  const index = new ExactIndex<number>();
  texts.forEach((text, id) => { index.add(key(text), id); });
  return index;
}

function floor(): number {
  let chars = 0;
  for (const line of lines) chars += (JSON.parse(line) as { response: string }).response.length;
  return chars;
}

function memory(key: (text: string) => string): Metric[] {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) return [];
  collect();
  const before = process.memoryUsage().heapUsed;
  const index = build(key);
  collect();
  const heap = (process.memoryUsage().heapUsed - before) / 1e6;
  return [
    { name: `groups found (${index.size} rows)`, value: index.groupCount, digits: 0 },
    { name: 'index memory: heapUsed Δ', value: heap, unit: 'MB', digits: 1 },
  ];
}

let answers: string[] = [];

/**
 * `exactKey` alone on the answers of 100k OpenAI chat rows (about 1,300 ASCII characters each,
 * parsed from their lines as the engine reads them), against the floor of reading every
 * character of them once with `charCodeAt`: the key's two hash lanes are a chain of dependent
 * multiplies per character, so the ratio says what the loop around them costs.
 */
const keyOnly: BenchCase = {
  name: 'exact duplicates: exactKey of 100k chat answers',
  floorName: 'charCodeAt over every character',
  target: { ratio: 4 },
  runs: 5,
  setup() {
    answers = generateChatRows(ROWS, 4).map((r) => (JSON.parse(r.line) as { messages: { content: string }[] }).messages[2]?.content ?? '');
  },
  run() {
    let sum = 0;
    for (const text of answers) sum += exactKey(text).charCodeAt(0);
    return sum;
  },
  floor() {
    let sum = 0;
    for (const text of answers) for (let i = 0; i < text.length; i++) sum += text.charCodeAt(i);
    return sum;
  },
  metrics() {
    let chars = 0;
    for (const text of answers) chars += text.length;
    const start = performance.now();
    for (const text of answers) exactKey(text);
    const ms = performance.now() - start;
    return [{ name: 'exactKey per character (one more run)', value: (ms * 1e6) / chars, unit: 'ns', digits: 2 }];
  },
};

export const cases: BenchCase[] = [
  keyOnly,
  {
    name: 'exact duplicates: 100k records, hash keys',
    floorName: 'JSON.parse of the 100k lines',
    target: { ms: 2_000 },
    runs: 3,
    setup,
    run: () => build(exactKey).groupCount,
    floor,
    metrics: () => memory(exactKey),
  },
  {
    name: 'exact duplicates: 100k records, text keys (alternative)',
    floorName: 'JSON.parse of the 100k lines',
    target: {},
    runs: 3,
    setup,
    run: () => build(normalizeText).groupCount,
    floor,
    metrics: () => memory(normalizeText),
  },
];
