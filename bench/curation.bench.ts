/**
 * Curation's rows after an edit: what the score decorations of a 50k-row OpenAI chat dataset
 * (≈ 65 MB) cost to read again after one line of it changes.
 *
 * The run is the editor's sequence, mirrored here with the core functions it calls (src/host/
 * curation.ts imports vscode, so the bench cannot call `datasetRows` itself):
 *   1. the change reaches the linter as DatasetLinting's applyChanges gives it: one line
 *      replaced, `replaceLines(line, 1, [text])`;
 *   2. `datasetRows`: `parsedLines()` of that linter → `evalSetOfLines` with one `EvalSetMemo`
 *      kept across reads (the module's `rowsMemo`) → `scoreRowsOf`;
 *   3. the decorations' `RowKeys.keysOf` of those rows, one RowKeys kept per document.
 * The lint itself is not in the run: the decorations refresh 150 ms after an edit and the lint
 * 200 ms after it, so the edited line is still waiting to be parsed and `parsedLines` parses it
 * (the lint then reuses that parse); the lint's own cost is editor.bench.ts's.
 *
 * The floor is the way before, on the same text after the same edit: `readEvalSet` of the whole
 * text, `scoreRowsOf`, and `rowKey` of every row (without the `document.getText()` it began with,
 * so the floor is if anything cheaper than it was). Each timed run edits the line one way and the
 * next run back, as does the floor on the two texts, so every run has an edit to read.
 *
 * Setup asserts that both ways give the same rows, lines without an answer, skipped lines and
 * keys, before the first edit, after it and after undoing it; the metrics check it again after
 * a few more edits, and report what an edit cost in records matched and keys hashed anew and
 * in time, step by step.
 */
import { resolveSettings } from '../src/core/lint/config';
import { DatasetLinter } from '../src/core/lint/engine';
import type { FormatContext } from '../src/core/lint/types';
import { rowKey, RowKeys, SCORE_RUBRIC, scoreRowsOf, type ScoreRow, type ScoreSetup } from '../src/core/judge/score';
import { evalSetOfLines, EvalSetMemo, readEvalSet, type SkippedLine } from '../src/core/promptLab/evalSet';
import { generateChatRows } from './dataset';
import type { BenchCase, Metric } from './harness';

const ROWS = 50_000;
/** The edited line: the middle of the file. */
const EDITED = ROWS / 2;
/** Edits after the timed runs, for the metrics' breakdown by step. */
const EXTRA_EDITS = 3;

const settings = resolveSettings([]).settings;
/** The settings' format: `auto`, so `datasetRows` passes no format and the file's is detected. */
const FORMAT = settings.format === 'auto' ? undefined : settings.format;
const CONTEXT: FormatContext = {};
const SETUP: Pick<ScoreSetup, 'judge' | 'rubric'> = { judge: 'bedrock/anthropic.claude-3-5-haiku', rubric: SCORE_RUBRIC };

/** What curation reads from a document: its rows, the lines without an answer, the skipped lines, and each row's key. */
interface Read {
  readonly rows: readonly ScoreRow[];
  readonly noAnswer: readonly number[];
  readonly skipped: readonly SkippedLine[];
  readonly keys: readonly string[];
}

/** The line before the edit, and after it (a few words added to the user's question). */
let lines: [string, string] = ['', ''];
/** The whole text with each of the two. */
let texts: [string, string] = ['', ''];
let linter: DatasetLinter | undefined;
const memo = new EvalSetMemo();
const rowKeys = new RowKeys();
/** Which of the two lines the linter and the floor have next: each run switches. */
let runVersion = 0;
let floorVersion = 0;
const runTimes: number[] = [];
const floorTimes: number[] = [];
let edits = 0;

function theLinter(): DatasetLinter {
  if (linter === undefined) throw new Error('curation bench: setup did not run');
  return linter;
}

/** The steps of the new way after the edit, in order. */
const STEPS = ['parsedLines', 'evalSetOfLines', 'scoreRowsOf', 'RowKeys.keysOf'] as const;
type Step = (typeof STEPS)[number];

/**
 * The new way: the linter's parsed lines, read with the memo, keyed by the kept RowKeys. With
 * `times`, each step's time is added to it (the metrics' breakdown; the timed runs pass none).
 */
function newWay(times?: Map<Step, number[]>): Read {
  let mark = performance.now();
  const step = <T>(name: Step, value: T): T => {
    if (times !== undefined) {
      const now = performance.now();
      times.get(name)?.push(now - mark);
      mark = now;
    }
    return value;
  };
  const parsed = step('parsedLines', theLinter().parsedLines());
  const set = step('evalSetOfLines', evalSetOfLines(parsed, CONTEXT, FORMAT, memo));
  const { rows, noAnswer } = step('scoreRowsOf', scoreRowsOf(set.items));
  const keys = step('RowKeys.keysOf', rowKeys.keysOf(rows, SETUP));
  return { rows, noAnswer, skipped: set.skipped, keys };
}

/** The old way: the whole text parsed again, and every row hashed again. */
function oldWay(text: string): Read {
  const set = readEvalSet(text, CONTEXT, FORMAT);
  const { rows, noAnswer } = scoreRowsOf(set.items);
  return { rows, noAnswer, skipped: set.skipped, keys: rows.map((row) => rowKey(row, SETUP)) };
}

/** One line changed as the editor hands it to the linter. */
function edit(version: 0 | 1): void {
  theLinter().replaceLines(EDITED, 1, [lines[version]]);
}

/** Why two reads differ, or undefined when they are the same (compared field by field: the rows are 65 MB). */
function difference(a: Read, b: Read): string | undefined {
  if (a.rows.length !== b.rows.length) return `${a.rows.length} rows against ${b.rows.length}`;
  for (let i = 0; i < a.rows.length; i++) {
    const x = a.rows[i];
    const y = b.rows[i];
    if (x?.line !== y?.line || x?.question !== y?.question || x?.answer !== y?.answer || x?.system !== y?.system) return `row ${i} (line ${x?.line}) differs`;
    if (a.keys[i] !== b.keys[i]) return `the key of row ${i} (line ${x?.line}) differs`;
  }
  if (a.keys.length !== b.keys.length) return `${a.keys.length} keys against ${b.keys.length}`;
  if (JSON.stringify(a.noAnswer) !== JSON.stringify(b.noAnswer)) return 'the lines without an answer differ';
  if (JSON.stringify(a.skipped) !== JSON.stringify(b.skipped)) return 'the skipped lines differ';
  return undefined;
}

function assertSame(version: 0 | 1, when: string): void {
  const problem = difference(newWay(), oldWay(texts[version]));
  if (problem !== undefined) throw new Error(`curation bench: the two ways read different rows ${when}: ${problem}`);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] ?? NaN : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

const afterEdit: BenchCase = {
  name: 'curation rows after a one-line edit (50k chat rows)',
  floorName: 'readEvalSet of the text + rowKey of every row',
  runs: 5,
  target: { ratio: 0.1 },
  setup() {
    if (linter !== undefined) return;
    const all = generateChatRows(ROWS, 41).map((r) => r.line);
    const before = all[EDITED] ?? '';
    const record = JSON.parse(before) as { messages: { role: string; content: string }[] };
    const user = record.messages[1];
    if (user === undefined) throw new Error('curation bench: a generated row has no user message');
    user.content = `${user.content} I would like the answer in writing, please.`;
    lines = [before, JSON.stringify(record)];
    const text = (line: string): string => {
      all[EDITED] = line;
      return `${all.join('\n')}\n`;
    };
    texts = [text(lines[0]), text(lines[1])];
    // Linted once, as the editor has it once the file is open; then read once, as the
    // decorations did before the edit.
    linter = new DatasetLinter({ settings, context: CONTEXT, nearDuplicates: true });
    linter.setText(texts[0]);
    linter.step(Infinity);
    assertSame(0, 'before any edit');
    edit(1);
    assertSame(1, 'after the edit');
    edit(0);
    assertSame(0, 'after undoing the edit');
  },
  run() {
    runVersion = 1 - runVersion;
    const start = performance.now();
    edit(runVersion === 1 ? 1 : 0);
    const read = newWay();
    runTimes.push(performance.now() - start);
    edits++;
    return read.rows.length + read.keys.length;
  },
  floor() {
    floorVersion = 1 - floorVersion;
    const start = performance.now();
    const read = oldWay(texts[floorVersion === 1 ? 1 : 0]);
    floorTimes.push(performance.now() - start);
    return read.rows.length + read.keys.length;
  },
  metrics(): Metric[] {
    // Untimed by the harness: a few more edits, each step of the new way timed on its own, with
    // what they cost in work, and whether the rows are still the old way's after them.
    const matched = memo.matched;
    const hashed = rowKeys.hashed;
    const steps = new Map<Step, number[]>(STEPS.map((s) => [s, []]));
    let same = true;
    for (let i = 0; i < EXTRA_EDITS; i++) {
      runVersion = 1 - runVersion;
      const version = runVersion === 1 ? 1 : 0;
      edit(version);
      same &&= difference(newWay(steps), oldWay(texts[version])) === undefined;
    }
    // The first of each timed list is the harness's warm-up.
    return [
      { name: 'new way: one edit + rows + keys (median ms)', value: median(runTimes.slice(1)), unit: 'ms', digits: 1 },
      { name: 'old way: readEvalSet + rowKey of every row (median ms)', value: median(floorTimes.slice(1)), unit: 'ms', digits: 1 },
      ...STEPS.map((s): Metric => ({ name: `new way, of which ${s} (median of ${EXTRA_EDITS} more edits, ms)`, value: median(steps.get(s) ?? []), unit: 'ms', digits: 1 })),
      { name: 'records matched anew per edit', value: (memo.matched - matched) / EXTRA_EDITS, digits: 0, max: 1 },
      { name: 'keys hashed anew per edit', value: (rowKeys.hashed - hashed) / EXTRA_EDITS, digits: 0, max: 1 },
      { name: `same rows and keys as the old way after each of ${edits + EXTRA_EDITS} edits (1 = yes)`, value: same ? 1 : 0, digits: 0, min: 1, max: 1 },
    ];
  },
};

export const cases: BenchCase[] = [afterEdit];
