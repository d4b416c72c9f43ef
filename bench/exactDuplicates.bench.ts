/**
 * Exact duplicates: 100k generated records (≈ 500 characters of text each, 2 % planted copies)
 * normalized, keyed and filed in an ExactIndex, against the floor of `JSON.parse`-ing the lines.
 * Two cases, one per key: the 64-bit hash `exactKey` (what the index uses) and the normalized
 * text itself (the alternative), with the memory each index holds; see src/core/dedupe/exact.ts.
 */
import { ExactIndex, exactKey } from '../src/core/dedupe/exact';
import { normalizeText } from '../src/core/dedupe/normalize';
import { generateRows } from './dataset';
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

export const cases: BenchCase[] = [
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
