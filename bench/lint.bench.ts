/**
 * The lint engine on generated JumpStart datasets:
 * (a) a full lint of 100k rows — parse, format check, content rules and exact duplicates, no token
 *     stats and no near-duplicates (those are case c, in nearDuplicates.bench.ts) — against bare
 *     `JSON.parse` of the same lines;
 * (b) bringing a 50k-row linter (near-duplicates on, as in the editor) up to date after a one-line
 *     edit, and reading that line's findings, against a full relint of the same 50k rows.
 * Also, for the record: the full 100k lint with near-duplicates, and `findings()` over 50k rows
 * (what the editor reads to publish diagnostics).
 * (c) a row of 1M / 10M characters without a space (an answer with personal data, then one giant
 *     word) among 1,000 ordinary rows, linted with the real tokenizers, against `JSON.parse` of
 *     the same lines. Before counting stopped at the limit, 1M overflowed Llama 3's stack (the row
 *     went unchecked) and 10M took 68 s and 3.8 GB; the metric is how much text `too-long` handed
 *     the tokenizer.
 */
import { resolveSettings } from '../src/core/lint/config';
import { DatasetLinter } from '../src/core/lint/engine';
import type { TokenCounter } from '../src/core/lint/types';
import { tokenizers } from '../src/core/tokens/tokenizers';
import { generateRows } from './dataset';
import type { BenchCase, Metric } from './harness';

const settings = resolveSettings([]).settings;
const SHARES = { nearDuplicateShare: 0.05, exactDuplicateShare: 0.02 } as const;

let lines100k: string[] = [];
let text100k = '';
let lines50k: string[] = [];
let text50k = '';
let warm: DatasetLinter | undefined;
let edits = 0;

function setup100k(): void {
  if (lines100k.length > 0) return;
  lines100k = generateRows(100_000, 11, SHARES).map((r) => r.line);
  text100k = `${lines100k.join('\n')}\n`;
}

function fullLint(text: string, nearDuplicates: boolean): DatasetLinter {
  const linter = new DatasetLinter({ settings, context: {}, nearDuplicates });
  linter.setText(text);
  linter.step(Infinity);
  return linter;
}

const full: BenchCase = {
  name: '(a) lint: 100k rows, full (no token stats, no near-duplicates)',
  floorName: 'JSON.parse of the 100k lines',
  // Issue 15's engine target (its moonshot is 2×).
  target: { ratio: 4 },
  setup: setup100k,
  run: () => fullLint(text100k, false).findings().length,
  floor() {
    let n = 0;
    for (const line of lines100k) n += Object.keys(JSON.parse(line) as object).length;
    return n;
  },
};

const fullWithNear: BenchCase = {
  name: 'lint: 100k rows, full, with near-duplicates (as the editor runs it)',
  floorName: 'JSON.parse of the 100k lines',
  runs: 3,
  target: {},
  setup: setup100k,
  run: () => fullLint(text100k, true).findings().length,
  floor() {
    let n = 0;
    for (const line of lines100k) n += Object.keys(JSON.parse(line) as object).length;
    return n;
  },
};

function setup50k(): void {
  if (warm !== undefined) return;
  lines50k = generateRows(50_000, 12, SHARES).map((r) => r.line);
  text50k = `${lines50k.join('\n')}\n`;
  warm = fullLint(text50k, true);
}

const relint: BenchCase = {
  name: '(b) relint after a one-line edit, 50k rows',
  floorName: 'full relint of the 50k rows',
  runs: 21,
  target: { ratio: 0.01 },
  setup: setup50k,
  run() {
    const linter = warm;
    if (linter === undefined) throw new Error('setup did not run');
    // Edit a different line each time: change a word of its question, as a user would.
    const line = 1000 + ((edits++ * 7919) % 48_000);
    const original = lines50k[line] ?? '';
    const edited = original.replace('"instruction": "', `"instruction": "Edit ${edits}: `);
    linter.replaceLines(line, 1, [edited]);
    linter.step(Infinity);
    return linter.findingsOnLine(line).length;
  },
  floor: () => fullLint(text50k, true).findings().length,
};

const findingsRead: BenchCase = {
  name: 'findings(): all findings of 50k rows, as published',
  floorName: 'full relint of the 50k rows',
  runs: 11,
  target: {},
  setup: setup50k,
  run() {
    if (warm === undefined) throw new Error('setup did not run');
    return warm.findings().length;
  },
  floor: () => fullLint(text50k, true).findings().length,
  metrics(): Metric[] {
    return [{ name: 'findings in the 50k rows', value: warm?.findings().length ?? 0, digits: 0 }];
  },
};

/** Characters handed to the tokenizer by the last huge-row run. */
let tokenizedChars = 0;
const countingTokenizer: TokenCounter = {
  count(text, family) {
    tokenizedChars += text.length;
    return tokenizers.count(text, family);
  },
};

function hugeRow(chars: number): BenchCase {
  let lines: string[] = [];
  let text = '';
  let findings: string[] = [];
  const label = chars >= 1_000_000 ? `${chars / 1_000_000}M` : String(chars);
  return {
    name: `(c) lint: a row of ${label} characters without a space, among 1,000 rows, with token counts`,
    floorName: 'JSON.parse of the 1,001 lines',
    runs: 3,
    // The rest of the cost is the other rules reading the text once (linear); the tokenizer stops early.
    target: { ratio: chars >= 10_000_000 ? 100 : 200 },
    setup() {
      const answer = `Mail dana.whitfield@gmail.com or call her cell at (612) 845-0187.<|eot_id|> ${'x'.repeat(chars)}`;
      lines = generateRows(1000, 13, SHARES).map((r) => r.line);
      lines.splice(500, 0, JSON.stringify({ instruction: 'How do I renew my permit?', context: '', response: answer }));
      text = `${lines.join('\n')}\n`;
    },
    run() {
      tokenizedChars = 0;
      const linter = new DatasetLinter({ settings, context: {}, nearDuplicates: false, tokens: countingTokenizer });
      linter.setText(text);
      linter.step(Infinity);
      findings = linter.findingsOnLine(500).map((f) => f.rule);
      return findings.length;
    },
    floor() {
      let n = 0;
      for (const line of lines) n += Object.keys(JSON.parse(line) as object).length;
      return n;
    },
    metrics(): Metric[] {
      if (!findings.includes('too-long') || !findings.includes('pii')) throw new Error(`the huge row's findings are ${findings.join(', ')}`);
      return [{ name: 'characters tokenized (too-long stops past the limit)', value: tokenizedChars, digits: 0, max: 100_000 }];
    },
  };
}

export const cases: BenchCase[] = [full, fullWithNear, relint, findingsRead, hugeRow(1_000_000), hugeRow(10_000_000)];
