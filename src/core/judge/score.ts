/**
 * Pointwise curation: a judge rates each training pair of a dataset from 1 to 10, and the pairs
 * below a threshold move to a rejected file outside the dataset's folder (rejectedFile.ts).
 *
 * - `SCORE_RUBRIC` asks for accuracy (an invented fee or time is an error), relevance, empathy,
 *   clarity and usefulness, reasoning first and a last line of `[[N]]`, read by `parseScore` as
 *   tolerantly as `parseVerdict` reads verdicts.
 * - The score cache mirrors the verdict cache: a JSON sidecar keyed by everything a score
 *   depends on, so a run that is stopped and started again asks only about new pairs.
 * - `rejectionEdit` removes whole lines and leaves every byte of the kept lines as it was.
 * - `runScoring` asks the judge about each row not in the cache, as `runJudge` does for pairs.
 *
 * Pure: text in, data out; the model is reached through the `ask` it is given, and the caller
 * reads and writes the files.
 */
import { hasConflictMarkers, sidecarPathFor } from '../sidecar';
import type { SidecarFormat } from '../sidecarStore';
import { hashHex } from '../dedupe/exact';
import { promptError, renderPrompt, type RenderedPrompt } from '../generate/defaultPrompts';
import type { Ask } from '../generate/pipeline';
import type { EvalItem } from '../promptLab/evalSet';
import { askParsed, runPool } from './asking';
import { answerStart, lastLine, lineAround, normalizeReply, reasoningBefore } from './reply';

// ---------------------------------------------------------------------------------------------
// The rubric

/** The placeholders a scoring rubric may use. */
export const SCORE_PLACEHOLDERS: readonly string[] = ['question', 'answer', 'system'];

export const SCORE_RUBRIC = `---
description: Rates one training pair from 1 to 10 for accuracy, relevance, empathy, clarity and usefulness
temperature: 0
max_tokens: 1000
---
system:
You are an impartial grader reviewing a dataset for fine-tuning a public-services assistant,
which answers residents' questions about government services. You are shown one training pair:
a question and the answer the assistant would be trained to give, and sometimes the system
prompt it is trained under. Rate the answer from 1 to 10, weighing:
- Accuracy: is everything it states correct? A confident error is worse than a gap. An invented
  fee, processing time, deadline or phone number is an error, however plausible it sounds;
  saying where to check the current figure is right.
- Relevance: does it answer the question that was asked, and stay on it?
- Empathy: when the question shows worry, stress or hardship, does it acknowledge the person's
  situation warmly before the steps? A correct but curt, cold answer teaches the wrong manner.
- Clarity: could a busy, worried person understand it at once, in plain language?
- Usefulness: would training on it make the assistant better? Does it give complete next steps
  (where to go, what to bring, what happens next, and where to check fees and processing times)
  and follow the system prompt when one is given?

Scale:
1-2: wrong, harmful, off-topic or unusable; it must not be trained on.
3-4: major errors or omissions; it would teach the assistant bad habits.
5-6: acceptable, with clear flaws: vague, cold, partly off-topic, or missing key steps.
7-8: good: correct and helpful, with minor flaws.
9-10: excellent: correct, warm where it should be, clear and complete, with no padding; a model answer.

Rules:
- Judge the content only. Do not favour a longer answer, nor a shorter one: padding,
  repetition and needless detail are faults; warmth and needed steps are not padding.
- A question asking for someone else's personal data, or for help with something harmful,
  dishonest or illegal, is best answered by a kind, brief refusal that points to the right
  service. Rate such a refusal on those terms.
- Use the whole scale. Do not give every answer a 7 or an 8.

First explain your rating in a few short sentences. Then, on the last line, write only the
score as a whole number in double brackets, for example [[6]].

user:
Rate this training pair.
{{system}}
[Question]
{{question}}

[The Start of the Answer]
{{answer}}
[The End of the Answer]
`;

export interface ScorePair {
  readonly question: string;
  readonly answer: string;
  /** The system prompt the pair is trained under, when it has one; empty counts as none. */
  readonly system?: string;
}

/** What `{{system}}` is filled with: a system prompt section, or nothing. */
export function systemSection(system: string | undefined): string {
  const text = system?.trim() ?? '';
  return text === '' ? '' : `\n[The Start of the System Prompt]\n${text}\n[The End of the System Prompt]\n`;
}

/**
 * The messages and settings of a scoring rubric for one pair. Throws a `PromptRenderError` when
 * the rubric has errors, no user section, or a placeholder other than those in
 * `SCORE_PLACEHOLDERS`.
 */
export function scoreMessages(rubricText: string, pair: ScorePair): RenderedPrompt {
  return renderPrompt(rubricText, { question: pair.question, answer: pair.answer, system: systemSection(pair.system) });
}

// ---------------------------------------------------------------------------------------------
// Reading the judge's reply

export type ScoreParse =
  | { readonly ok: true; readonly score: number; readonly reasoning: string }
  | { readonly ok: false; readonly message: string };

/** A number, possibly signed or decimal, so that out-of-range scores are reported rather than missed. */
const NUMBER = String.raw`[-+]?\d+(?:\.\d+)?`;

/** `[[…]]` with optional escapes, spaces, bold and `/10` or `out of 10`; group 1 is the score, group 2 the scale. */
const DOUBLE = new RegExp(
  String.raw`\\?\[\\?\[[ \t]*(?:\*\*|__)?[ \t]*(${NUMBER})[ \t]*(?:(?:\/|out of)[ \t]*(\d+)[ \t]*)?(?:\*\*|__)?[ \t]*\\?\]\\?\]`,
  'gi',
);

/** Fallbacks for the last line only, once markdown is removed: `Score: 7`, `7/10`, `Rating: 7 out of 10`, `[7]`, `7`. */
const LABELLED = new RegExp(
  String.raw`^(?:(?:my |the )?(?:final |overall )?(?:score|rating|grade)(?: is)?:? ?)?\[?(${NUMBER})\]?(?: ?(?:\/|out of) ?(\d+))?\.?$`,
  'i',
);
const OUT_OF = new RegExp(String.raw`(?<![\w.])(${NUMBER}) ?(?:\/|out of) ?(\d+)(?![\w/])`, 'gi');

/** A label on the token's line (`Score:`), dropped from the reasoning. */
const LABEL = /^[\s*_#>`-]*(?:my |the )?(?:final |overall )?(?:score|rating|grade|verdict|answer)(?: is)?$/i;

interface Token { readonly value: string; readonly scale: string | undefined; readonly start: number; readonly end: number }

function tokens(text: string, pattern: RegExp): Token[] {
  return [...text.matchAll(pattern)].map((m) => ({ value: m[1] ?? '', scale: m[2], start: m.index, end: m.index + m[0].length }));
}

/** The score a token states, or why it is no score: never clamped, so a judge off the scale shows. */
function scoreOf(token: Token): { score: number } | { message: string } {
  if (token.scale !== undefined && Number(token.scale) !== 10) {
    return { message: `The judge scored out of ${token.scale}, not out of 10.` };
  }
  const score = Number(token.value);
  if (!/^\+?\d+$/.test(token.value) || score < 1 || score > 10) {
    return { message: `The judge's score ${token.value} is not a whole number from 1 to 10.` };
  }
  return { score };
}

const DIFFERENT = 'The judge named two different scores in its final line, so its score is unclear.';

function result(token: Token, reasoning: string): ScoreParse {
  const s = scoreOf(token);
  return 'score' in s ? { ok: true, score: s.score, reasoning } : { ok: false, message: s.message };
}

/** The score and reasoning of a judge's reply, or why none can be read. Never throws. */
export function parseScore(reply: string): ScoreParse {
  const text = normalizeReply(reply);
  if (text.trim() === '') return { ok: false, message: "The judge's reply is empty." };

  // A reasoning model's thinking may try out scores: only the text after it counts.
  const start = answerStart(text);
  if ('cutOff' in start) {
    return { ok: false, message: 'The judge stopped while still thinking, before giving a score (raise its max_tokens).' };
  }
  const { from } = start;
  const tail = text.slice(from);

  const strong = tokens(tail, DOUBLE);
  const last = strong.at(-1);
  if (last !== undefined) {
    const around = lineAround(tail, last.start);
    const onLine = strong.filter((t) => t.start >= around.start && t.end <= around.end);
    if (onLine.some((t) => Number(t.value) !== Number(last.value))) return { ok: false, message: DIFFERENT };
    return result(last, reasoningBefore(text, from + last.start, LABEL));
  }

  // Fallbacks, read only in the last non-empty line: earlier lines may mention numbers freely.
  const { start: lineStart, line } = lastLine(tail);
  const reasoning = text.slice(0, from + lineStart).trim();
  const bare = line.replace(/[*_#>`"!()\\]/g, ' ').replace(/\s+/g, ' ').trim();
  const labelled = LABELLED.exec(bare);
  if (labelled !== null) return result({ value: labelled[1] ?? '', scale: labelled[2], start: 0, end: 0 }, reasoning);
  const outOf = tokens(bare, OUT_OF);
  const lastOutOf = outOf.at(-1);
  if (lastOutOf !== undefined) {
    if (outOf.some((t) => Number(t.value) !== Number(lastOutOf.value))) return { ok: false, message: DIFFERENT };
    return result(lastOutOf, reasoning);
  }

  return { ok: false, message: 'The judge gave no score: its reply does not end with a score such as [[7]].' };
}

// ---------------------------------------------------------------------------------------------
// The score cache: `{"version": 1, "scores": {"<key>": {"score": 7, "reasoning": "…"}}}`

export const SCORE_CACHE_VERSION = 1;

export interface ScoreKeyInput {
  readonly question: string;
  readonly answer: string;
  /** The pair's system prompt; absent and empty give the same key, as they give the same prompt. */
  readonly system?: string;
  /** Names the judge: its endpoint and model, e.g. `judge-endpoint/model-id`. */
  readonly judge: string;
  /** The rubric prompt's full text. */
  readonly rubric: string;
}

export interface CachedScore {
  readonly score: number;
  readonly reasoning: string;
}

/** What the last run on a dataset scored with, so the editor can look its rows' scores up again. */
export interface ScoreSetup {
  /** Names the judge in cache keys: its endpoint and model. */
  readonly judge: string;
  /** The judge's endpoint id. */
  readonly endpoint: string;
  /** `default`, or the path of the user's rubric file. */
  readonly rubricName: string;
  /** The rubric's full text, part of every key. */
  readonly rubric: string;
}

export interface ScoreCacheRead {
  readonly scores: Map<string, CachedScore>;
  /** The last run's setup, when the file has a readable one. */
  readonly setup?: ScoreSetup;
  /** Why some or all of the file was not used; absent when all of it was. */
  readonly problem?: string;
  /**
   * True when none of the file could be read (not JSON, merge conflict markers, a newer or
   * unknown version): the file must be left as it is, never overwritten, and `problem` says
   * what to do about it.
   */
  readonly unreadable?: true;
}

/** The cache key of one score: 16 hex digits of a 64-bit hash of its inputs as canonical JSON. */
export function scoreKey(input: ScoreKeyInput): string {
  const canonical = JSON.stringify(['score', SCORE_CACHE_VERSION, input.question, input.answer, input.system ?? '', input.judge, input.rubric]);
  return hashHex(canonical);
}

const KEY = /^[0-9a-f]{16}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScore(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 10;
}

function entryOf(value: unknown): CachedScore | undefined {
  if (!isRecord(value)) return undefined;
  const { score, reasoning } = value;
  if (!isScore(score) || typeof reasoning !== 'string') return undefined;
  return { score, reasoning };
}

/**
 * The scores of a cache file's text (undefined when there is no file yet). A file that cannot be
 * read as a whole is `unreadable`, with what to do in `problem`; a damaged entry is skipped.
 * Never throws.
 */
export function readScoreCache(text: string | undefined): ScoreCacheRead {
  const scores = new Map<string, CachedScore>();
  if (text === undefined || text.trim() === '') return { scores };
  const refused = (problem: string): ScoreCacheRead => ({ scores, problem, unreadable: true });
  const orDelete = 'or delete it to score every row again';
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    // A line of our JSON never starts with Git's markers: JSON.stringify indents by spaces.
    if (hasConflictMarkers(text)) {
      return refused(`It has merge conflict markers (<<<<<<<, =======, >>>>>>>): resolve the conflict by keeping one side's file, ${orDelete}.`);
    }
    return refused(`It is not valid JSON (${e instanceof Error ? e.message : String(e)}): fix it ${orDelete}.`);
  }
  if (!isRecord(data)) return refused(`It is not a TuneLab score cache (no JSON object): fix it ${orDelete}.`);
  if (typeof data.version === 'number' && data.version > SCORE_CACHE_VERSION) {
    return refused(`It was written by a newer version of TuneLab (score cache version ${data.version}; this one reads ${SCORE_CACHE_VERSION}): update TuneLab, ${orDelete}.`);
  }
  if (!isRecord(data.scores)) return refused(`It is not a TuneLab score cache (no "scores" object): fix it ${orDelete}.`);
  if (data.version !== SCORE_CACHE_VERSION) {
    const version = typeof data.version === 'number' ? `version ${data.version}` : 'no version';
    return refused(`It has ${version}, not ${SCORE_CACHE_VERSION}: fix it ${orDelete}.`);
  }
  let skipped = 0;
  for (const [key, value] of Object.entries(data.scores)) {
    const entry = entryOf(value);
    if (KEY.test(key) && entry !== undefined) scores.set(key, entry);
    else skipped++;
  }
  const setup = setupOf(data.setup);
  const read = setup === undefined ? { scores } : { scores, setup };
  if (skipped === 0) return read;
  return { ...read, problem: `${skipped} ${skipped === 1 ? 'entry' : 'entries'} of the score cache could not be read and will be scored again.` };
}

function setupOf(value: unknown): ScoreSetup | undefined {
  if (!isRecord(value)) return undefined;
  const { judge, endpoint, rubricName, rubric } = value;
  if (typeof judge !== 'string' || typeof endpoint !== 'string' || typeof rubricName !== 'string' || typeof rubric !== 'string') return undefined;
  return { judge, endpoint, rubricName, rubric };
}

/**
 * The text of a cache file holding `scores` (and the setup of the run that wrote it, when
 * given), keys sorted so the same scores give the same text.
 */
export function writeScoreCache(scores: ReadonlyMap<string, CachedScore>, setup?: ScoreSetup): string {
  const sorted = Object.create(null) as Record<string, CachedScore>;
  for (const key of [...scores.keys()].sort()) {
    const entry = scores.get(key);
    if (entry !== undefined) sorted[key] = { score: entry.score, reasoning: entry.reasoning };
  }
  const head = setup === undefined ? {} : { setup: { judge: setup.judge, endpoint: setup.endpoint, rubricName: setup.rubricName, rubric: setup.rubric } };
  return `${JSON.stringify({ version: SCORE_CACHE_VERSION, ...head, scores: sorted }, null, 1)}\n`;
}

/** What a dataset's scores sidecar holds. */
export interface ScoresSidecar {
  readonly scores: ReadonlyMap<string, CachedScore>;
  /** The last run's setup, when the file names one. */
  readonly setup?: ScoreSetup;
}

/**
 * The scores sidecar for the sidecar store (core/sidecarStore.ts), read and written by
 * `readScoreCache` and `writeScoreCache`. A file none of which could be read is unreadable, and
 * so is one whose every entry is damaged (a hand edit gone wrong): writing over it would lose
 * what is there. `readScoreCache`'s reasons are whole sentences that already say what to do, so
 * an unreadable one's `fix` is empty.
 */
export const scoresSidecar: SidecarFormat<ScoresSidecar> = {
  kind: 'scores',
  parse(text) {
    const read = readScoreCache(text);
    const value: ScoresSidecar = read.setup === undefined ? { scores: read.scores } : { scores: read.scores, setup: read.setup };
    const refused = read.unreadable === true || (read.problem !== undefined && read.scores.size === 0);
    if (refused) return { value, unreadable: { reason: read.problem ?? 'It cannot be read.', fix: '' } };
    return { value, problem: read.problem };
  },
  serialize: (value) => writeScoreCache(value.scores, value.setup),
};

/** Where a dataset's scores go: `data/train.jsonl` → `data/.tunelab/train.jsonl.scores.json`. */
export function scoresPathFor(datasetPath: string): string {
  return sidecarPathFor(datasetPath, 'scores');
}

// ---------------------------------------------------------------------------------------------
// Curating

export interface ScoredRow {
  /** 0-based line of the dataset. */
  readonly line: number;
  /** Undefined when the pair has no score (the judge failed, or it was not asked yet). */
  readonly score: number | undefined;
}

/** The 0-based lines whose score is known and strictly below `threshold`, ascending, each once. */
export function belowThreshold(rows: readonly ScoredRow[], threshold: number): number[] {
  const lines = new Set<number>();
  for (const { line, score } of rows) {
    if (score !== undefined && score < threshold) lines.add(line);
  }
  return [...lines].sort((a, b) => a - b);
}

/** Characters `[start, end)` of a document to remove. */
export interface Deletion { readonly start: number; readonly end: number }

export interface RejectionEdit {
  /** Ascending, neither overlapping nor touching; adjacent removed lines make one deletion. */
  readonly deletions: Deletion[];
  /** The removed lines, each ending with the document's line break, to append to the rejected file. */
  readonly appended: string;
}

interface LineSpan {
  /** Where the line's text starts. */
  readonly start: number;
  /** Where its text ends and its line break (if any) starts. */
  readonly textEnd: number;
  /** Where its line break ends. */
  readonly end: number;
}

/** The lines of `text` numbered as VS Code numbers them: `\r\n`, `\n` or a lone `\r` ends one. */
function lineSpans(text: string): LineSpan[] {
  const spans: LineSpan[] = [];
  // A byte order mark is no part of the first line's text.
  let start = text.startsWith('\uFEFF') ? 1 : 0;
  const breaks = /\r\n|\n|\r/g;
  for (const m of text.matchAll(breaks)) {
    spans.push({ start, textEnd: m.index, end: m.index + m[0].length });
    start = m.index + m[0].length;
  }
  // The empty piece after a final line break is not a line.
  if (start < text.length) spans.push({ start, textEnd: text.length, end: text.length });
  return spans;
}

/**
 * The edit that moves whole `lines` (0-based) of `documentText` to its rejected file, whose text
 * is `rejectedText` (undefined when there is none yet). Lines outside the document are ignored.
 * Every kept line keeps its own text and line break; when the removed lines end a document that
 * has no final line break, the kept line before them loses its break too, so no empty line is
 * left at the end.
 */
export function rejectionEdit(documentText: string, lines: readonly number[], rejectedText: string | undefined): RejectionEdit {
  const spans = lineSpans(documentText);
  // A one-line document without a break has none of its own: follow the rejected file's.
  const eol = /\r\n|\n|\r/.exec(documentText)?.[0] ?? /\r\n|\n|\r/.exec(rejectedText ?? '')?.[0] ?? '\n';
  const removed = [...new Set(lines)].filter((l) => Number.isInteger(l) && l >= 0 && l < spans.length).sort((a, b) => a - b);

  // Runs of adjacent removed lines, each as its first and last line.
  const runs: { first: number; last: number }[] = [];
  for (const line of removed) {
    const run = runs.at(-1);
    if (run !== undefined && run.last === line - 1) run.last = line;
    else runs.push({ first: line, last: line });
  }

  const deletions: Deletion[] = [];
  for (const { first, last } of runs) {
    const from = spans[first];
    const to = spans[last];
    if (from === undefined || to === undefined) continue;
    const before = spans[first - 1];
    // A removed last line without a line break: take the break of the kept line before it
    // instead, so the kept text does not end with an empty line.
    const start = to.textEnd === to.end && last === spans.length - 1 && before !== undefined ? before.textEnd : from.start;
    // That break may follow an earlier deletion directly (the kept line between is empty).
    const previous = deletions.at(-1);
    if (previous !== undefined && previous.end >= start) deletions[deletions.length - 1] = { start: previous.start, end: to.end };
    else deletions.push({ start, end: to.end });
  }
  const appended = removed.map((line) => {
    const span = spans[line];
    return span === undefined ? '' : documentText.slice(span.start, span.textEnd) + eol;
  }).join('');

  const separator = rejectedText !== undefined && rejectedText !== '' && !/[\r\n]$/.test(rejectedText) ? eol : '';
  return { deletions, appended: appended === '' ? '' : separator + appended };
}

/** `text` with the `deletions` (non-overlapping character ranges) removed. */
export function applyDeletions(text: string, deletions: readonly Deletion[]): string {
  let kept = '';
  let at = 0;
  for (const d of [...deletions].sort((a, b) => a.start - b.start)) {
    kept += text.slice(at, Math.max(at, d.start));
    at = Math.max(at, d.end);
  }
  return kept + text.slice(at);
}

export interface ScoreSummary {
  /** How many scores there are. */
  readonly n: number;
  /** Their mean; undefined when there are none. */
  readonly mean: number | undefined;
  /** How many of each score: index 0 counts 1s, index 9 counts 10s. */
  readonly histogram: number[];
}

/** The count, mean and histogram of scores; anything but a whole number from 1 to 10 is left out. */
export function scoreSummary(scores: readonly number[]): ScoreSummary {
  const histogram = Array.from({ length: 10 }, () => 0);
  let n = 0;
  let sum = 0;
  for (const s of scores) {
    if (!isScore(s)) continue;
    histogram[s - 1] = (histogram[s - 1] ?? 0) + 1;
    n++;
    sum += s;
  }
  return { n, mean: n === 0 ? undefined : sum / n, histogram };
}

// ---------------------------------------------------------------------------------------------
// Scoring a dataset

/** One row of a dataset to score: where it is, and its pair. */
export interface ScoreRow extends ScorePair {
  /** 0-based line of the dataset. */
  readonly line: number;
}

export interface ScoreRows {
  /** The rows that have a question and an answer, in line order. */
  readonly rows: ScoreRow[];
  /** 0-based lines whose record has a question but no answer to score. */
  readonly noAnswer: number[];
}

/** The rows of an eval set (`readEvalSet`) that can be scored: a record's answer is its reference. */
export function scoreRowsOf(items: readonly EvalItem[]): ScoreRows {
  const rows: ScoreRow[] = [];
  const noAnswer: number[] = [];
  for (const item of items) {
    if (item.reference === undefined) {
      noAnswer.push(item.line);
      continue;
    }
    rows.push({ line: item.line, question: item.question, answer: item.reference, ...(item.system === undefined ? {} : { system: item.system }) });
  }
  return { rows, noAnswer };
}

/** The cache key of a row's score by `setup`'s judge and rubric. */
export function rowKey(row: ScorePair, setup: Pick<ScoreSetup, 'judge' | 'rubric'>): string {
  return scoreKey({ question: row.question, answer: row.answer, ...(row.system === undefined ? {} : { system: row.system }), judge: setup.judge, rubric: setup.rubric });
}

/**
 * The keys of a document's rows by one setup, remembered by pair from one look-up to the next,
 * so the scores of a document looked up again after an edit hash only the pairs the edit
 * changed: a key hashes the whole rubric with the pair.
 */
export class RowKeys {
  private judge: string | undefined;
  private rubric: string | undefined;
  /**
   * Keys by question, then by answer and system. A row the linter did not re-read brings the very
   * string objects it brought last time, so each look-up is a cached hash and a pointer compare;
   * building one string of the whole pair per row (as a single-key map would) costs the file.
   */
  private known = new Map<string, KnownPair[]>();
  /** Which look-up this is: a pair seen in it is marked with it, so stale pairs can be dropped. */
  private generation = 0;
  /** How many pairs `known` holds. */
  private held = 0;
  /** How many keys were hashed: what the look-ups cost. */
  hashed = 0;

  /** `rowKey` of each row, in order. */
  keysOf(rows: readonly ScorePair[], setup: Pick<ScoreSetup, 'judge' | 'rubric'>): string[] {
    if (setup.judge !== this.judge || setup.rubric !== this.rubric) {
      this.judge = setup.judge;
      this.rubric = setup.rubric;
      this.known = new Map();
      this.held = 0;
    }
    const generation = ++this.generation;
    let pairs = 0;
    const keys = new Array<string>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as ScorePair;
      const system = row.system ?? '';
      const list = this.known.get(row.question);
      let pair: KnownPair | undefined;
      if (list !== undefined) {
        for (const p of list) {
          if (p.answer === row.answer && p.system === system) {
            pair = p;
            break;
          }
        }
      }
      if (pair === undefined) {
        pair = { answer: row.answer, system, key: rowKey(row, setup), seen: generation };
        this.hashed++;
        pairs++;
        this.held++;
        if (list === undefined) this.known.set(row.question, [pair]);
        else list.push(pair);
      } else if (pair.seen !== generation) {
        pair.seen = generation;
        pairs++;
      }
      keys[i] = pair.key;
    }
    // Pairs no row has any more (edited away) are dropped once they are as many as the live
    // ones, so the map holds no more than about twice the document.
    if (this.held > 2 * pairs + 64) {
      for (const [question, list] of this.known) {
        const live = list.filter((p) => p.seen === generation);
        if (live.length === 0) this.known.delete(question);
        else if (live.length < list.length) this.known.set(question, live);
      }
      this.held = pairs;
    }
    return keys;
  }
}

interface KnownPair {
  readonly answer: string;
  readonly system: string;
  readonly key: string;
  /** The last look-up that had this pair. */
  seen: number;
}

/** How a score reads after its row. */
export function scoreLabel(score: number): string {
  return `score ${score}/10`;
}

export type ScoredRowResult =
  | {
    readonly row: ScoreRow;
    readonly key: string;
    readonly ok: true;
    readonly score: number;
    readonly reasoning: string;
    /** True when it came from the cache rather than from the judge. */
    readonly cached: boolean;
  }
  | { readonly row: ScoreRow; readonly key: string; readonly ok: false; readonly error: string };

export interface ScoreRunOptions {
  readonly rows: readonly ScoreRow[];
  readonly ask: Ask;
  /** Names the judge in cache keys: its endpoint and model. */
  readonly judge: string;
  /** The rubric prompt file's text. */
  readonly rubric: string;
  /** Read before asking; each new score is added. */
  readonly cache: Map<string, CachedScore>;
  readonly signal: AbortSignal;
  /** Rows in flight at once; 16 unless given. The scheduler sets the real pace. */
  readonly concurrency?: number;
  /** Called as each row finishes, in the order they finish. */
  readonly onScored?: (scored: ScoredRowResult) => void;
}

export interface ScoreRunResult {
  /** Finished rows, in the rows' order. */
  readonly scored: readonly ScoredRowResult[];
  readonly cancelled: boolean;
  /** Requests sent to the judge (follow-ups after unreadable replies included). */
  readonly asked: number;
  /** Scores taken from the cache. */
  readonly fromCache: number;
}

/** The request sent after a reply with no readable score. */
export const SCORE_AGAIN = 'Your reply did not end with a readable score. Reply with only the score, a whole number from 1 to 10 in double brackets, like [[N]].';

/** Why a rubric cannot be used for scoring, or undefined when it can. */
export function scoreRubricError(rubric: string): string | undefined {
  return promptError(rubric, SCORE_PLACEHOLDERS)?.message;
}

type Outcome = { readonly score: number; readonly reasoning: string } | { readonly error: string };

/**
 * Scores `rows` from 1 to 10. A score already in the cache is used without asking, and rows with
 * the same pair are asked about once; every new score is added to the cache. A reply with no
 * readable score is asked about once more, with the reply and a request for the score alone; a
 * second failure, or a request that fails after the scheduler's own retries, makes the row an
 * error, never cached. Cancelling stops at once: rows not finished are not reported. Throws only
 * for a rubric that cannot be rendered.
 */
export async function runScoring(options: ScoreRunOptions): Promise<ScoreRunResult> {
  const problem = scoreRubricError(options.rubric);
  if (problem !== undefined) throw new Error(problem);
  const { rows, ask, cache, signal } = options;
  let asked = 0;
  let fromCache = 0;
  /** The request for each pair asked about, so a repeated row waits for it rather than asking again. */
  const inFlight = new Map<string, Promise<Outcome>>();

  async function askJudge(row: ScoreRow, key: string): Promise<Outcome> {
    const outcome = await askParsed({ ask, stage: 'score', rendered: scoreMessages(options.rubric, row), signal, parse: parseScore, again: SCORE_AGAIN, onSend: () => { asked++; } });
    if ('error' in outcome) return outcome;
    const entry: CachedScore = { score: outcome.score, reasoning: outcome.reasoning };
    cache.set(key, entry);
    return entry;
  }

  async function scoreRow(row: ScoreRow): Promise<ScoredRowResult> {
    const key = rowKey(row, options);
    const hit = cache.get(key);
    if (hit !== undefined) {
      fromCache++;
      return { row, key, ok: true, score: hit.score, reasoning: hit.reasoning, cached: true };
    }
    // Kept for the whole run: a repeated row shares the first one's outcome, an error included.
    let pending = inFlight.get(key);
    if (pending === undefined) {
      pending = askJudge(row, key);
      inFlight.set(key, pending);
    }
    const outcome = await pending;
    if ('error' in outcome) return { row, key, ok: false, error: outcome.error };
    return { row, key, ok: true, score: outcome.score, reasoning: outcome.reasoning, cached: false };
  }

  const { results, cancelled } = await runPool(rows, options.concurrency ?? 16, signal, scoreRow, options.onScored);
  return { scored: results, cancelled, asked, fromCache };
}

/** The scores of the rows that have one in `scores` by `setup`, for `belowThreshold` and `scoreSummary`. */
export function scoredRowsOf(rows: readonly ScoreRow[], setup: Pick<ScoreSetup, 'judge' | 'rubric'>, scores: ReadonlyMap<string, CachedScore>): ScoredRow[] {
  return rows.map((row) => ({ line: row.line, score: scores.get(rowKey(row, setup))?.score }));
}

/** `1 row`, `2 rows`. */
export function rowsText(n: number): string {
  return `${n} ${n === 1 ? 'row' : 'rows'}`;
}

/**
 * The line a scoring run ends with: `Scored 80 rows: mean 6.4; 7 below 5.` Counts are over the
 * dataset's rows that have a score now, from this run or an earlier one.
 */
export function scoringLine(scores: readonly number[], threshold: number): string {
  const summary = scoreSummary(scores);
  if (summary.mean === undefined) return 'No rows are scored.';
  const below = scores.filter((s) => s < threshold).length;
  return `Scored ${rowsText(summary.n)}: mean ${summary.mean.toFixed(1)}; ${below} below ${threshold}.`;
}
