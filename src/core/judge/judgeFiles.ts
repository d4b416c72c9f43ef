/**
 * The judge's files: reading the questions to judge from a Prompt Lab results file, the lines of
 * a verdicts file (`tunelab judge --out`), and a run's record for the history.
 *
 * A verdicts line, one per judged question (`line` is 1-based, as editors number lines):
 * `{"line": 3, "question": "…", "candidate": "ft", "baseline": "base", "result": "win",
 *   "label": "A wins (2/2)", "disagreed": false,
 *   "candidateFirst": {"verdict": "A", "reasoning": "…"}, "baselineFirst": {"verdict": "B", "reasoning": "…"}}`
 * or, for a question that could not be judged, `{"line": 4, "question": "…", "error": "…"}`.
 *
 * Pure: text in, data out.
 */
import { parseResultsLine, type ResultsAnswer } from '../promptLab/results';
import type { Summary } from './aggregate';
import type { JudgeRunRecord } from './cache';
import { verdictLabel, type JudgeItem, type JudgedItem } from './run';

/** A column of a results file, named by its endpoint. */
export interface ResultsColumn {
  readonly column: number;
  readonly endpoint: string;
}

export interface SkippedRow {
  /** 0-based line in the results file. */
  readonly line: number;
  readonly message: string;
}

export interface JudgeInput {
  readonly items: JudgeItem[];
  /** Lines with nothing to judge, and why. Blank lines are not listed. */
  readonly skipped: SkippedRow[];
  /** The columns the file's rows have, in column order (the first row's endpoint names each). */
  readonly columns: ResultsColumn[];
}

export interface ColumnChoice {
  /** 0-based column of the candidate (A). */
  readonly candidate: number;
  /** 0-based column of the baseline (B). */
  readonly baseline: number;
}

/** The lines of `text`, split on any line break, without the break. */
export function linesOf(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}

function usable(answer: ResultsAnswer | undefined, column: number): string | undefined {
  if (answer === undefined) return `it has no answer in column ${column + 1}`;
  if (answer.error !== undefined) return `column ${column + 1}'s answer failed (${answer.error})`;
  if (answer.finish === 'cancelled') return `column ${column + 1}'s answer was cancelled`;
  if (answer.text.trim() === '') return `column ${column + 1}'s answer is empty`;
  return undefined;
}

/** The questions of a results file with the chosen columns' answers. Never throws. */
export function judgeInputFromResults(text: string, choice: ColumnChoice): JudgeInput {
  const items: JudgeItem[] = [];
  const skipped: SkippedRow[] = [];
  const columns = new Map<number, string>();
  linesOf(text).forEach((raw, line) => {
    if (raw.trim() === '') return;
    const parsed = parseResultsLine(raw);
    if (!parsed.ok) { skipped.push({ line, message: parsed.message }); return; }
    const { row } = parsed;
    for (const a of row.answers) if (!columns.has(a.column)) columns.set(a.column, a.endpoint);
    const candidate = row.answers.find((a) => a.column === choice.candidate);
    const baseline = row.answers.find((a) => a.column === choice.baseline);
    const why = usable(candidate, choice.candidate) ?? usable(baseline, choice.baseline);
    if (why !== undefined || candidate === undefined || baseline === undefined) {
      skipped.push({ line, message: `Not judged: ${why ?? 'an answer is missing'}.` });
      return;
    }
    items.push({
      line,
      question: row.question,
      ...(row.reference === undefined ? {} : { reference: row.reference }),
      candidate: candidate.text,
      baseline: baseline.text,
    });
  });
  const sorted = [...columns.entries()].sort(([a], [b]) => a - b).map(([column, endpoint]) => ({ column, endpoint }));
  return { items, skipped, columns: sorted };
}

/** A column's name for people: its endpoint, or `column N` when no row has it. */
export function columnName(columns: readonly ResultsColumn[], column: number): string {
  const endpoint = columns.find((c) => c.column === column)?.endpoint;
  return endpoint === undefined ? `column ${column + 1}` : endpoint;
}

export interface VerdictRecordNames {
  readonly candidate: string;
  readonly baseline: string;
}

/** One line of a verdicts file (without the line break). */
export function verdictRecordLine(judged: JudgedItem, names: VerdictRecordNames): string {
  const { item } = judged;
  if (!judged.ok) return JSON.stringify({ line: item.line + 1, question: item.question, error: judged.error });
  return JSON.stringify({
    line: item.line + 1,
    question: item.question,
    candidate: names.candidate,
    baseline: names.baseline,
    result: judged.combined.result,
    label: verdictLabel(judged.combined),
    disagreed: judged.combined.disagreed,
    candidateFirst: { verdict: judged.first.verdict, reasoning: judged.first.reasoning },
    baselineFirst: { verdict: judged.swapped.verdict, reasoning: judged.swapped.reasoning },
  });
}

export interface RunRecordInput {
  readonly at: Date;
  readonly judge: string;
  readonly rubricName: string;
  readonly names: VerdictRecordNames;
  readonly summary: Summary;
  readonly errors: number;
}

/** A finished run's record for the history. */
export function runRecord(input: RunRecordInput): JudgeRunRecord {
  const s = input.summary;
  return {
    at: input.at.toISOString(),
    judge: input.judge,
    rubricName: input.rubricName,
    candidate: input.names.candidate,
    baseline: input.names.baseline,
    wins: s.wins,
    ties: s.ties,
    losses: s.losses,
    errors: input.errors,
    lengthBias: s.lengthBias,
    ...(s.winRate === undefined ? {} : { winRate: s.winRate }),
    ...(s.winInterval === undefined ? {} : { winInterval: s.winInterval }),
    ...(s.adjustedWinRate === undefined ? {} : { adjustedWinRate: s.adjustedWinRate }),
    ...(s.interval === undefined ? {} : { interval: s.interval }),
    ...(s.positionDisagreement === undefined ? {} : { positionDisagreement: s.positionDisagreement }),
  };
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** What the two rates of a summary line are, for tooltips. */
export const RATES_EXPLAINED = 'wins: wins ÷ judged, ties counting nothing (what a league that counts wins only ranks by); adjusted: a tie counts half. Each with its 95% interval.';

/** What a summary line shows: a `Summary`, or a run record of the history. */
export interface SummaryFigures {
  readonly wins: number;
  readonly ties: number;
  readonly losses: number;
  readonly winRate?: number | undefined;
  readonly winInterval?: readonly [number, number] | undefined;
  readonly adjustedWinRate?: number | undefined;
  readonly interval?: readonly [number, number] | undefined;
}

/** ` (58–77%)`, or nothing without an interval. */
function intervalText(interval: readonly [number, number] | undefined): string {
  return interval === undefined ? '' : ` (${Math.round(interval[0] * 100)}–${percent(interval[1])})`;
}

/**
 * `W 31 · T 6 · L 13 — wins 62% (48–76%) · adjusted 68% (58–77%)`: the win rate (wins ÷ n, the
 * number a league that counts wins only ranks by) beside the adjusted win rate (a tie counts
 * half), each with its 95% interval; `no questions judged` when there are none. A run recorded
 * before the win rate was kept shows it from its counts, without an interval.
 */
export function summaryLine(s: SummaryFigures): string {
  const counts = `W ${s.wins} · T ${s.ties} · L ${s.losses}`;
  const n = s.wins + s.ties + s.losses;
  if (s.adjustedWinRate === undefined || n === 0) return `${counts} — no questions judged`;
  const winRate = s.winRate ?? s.wins / n;
  return `${counts} — wins ${percent(winRate)}${intervalText(s.winInterval)} · adjusted ${percent(s.adjustedWinRate)}${intervalText(s.interval)}`;
}

/** The warnings a summary carries: length bias and frequent position disagreement. */
export function summaryWarnings(s: Summary): string[] {
  const out: string[] = [];
  if (s.lengthBias && s.meanLength !== undefined) {
    out.push(`Length bias: the longer answer won ${s.lengthEvidence.longerWon} of ${s.lengthEvidence.decided} decided questions (mean length ${Math.round(s.meanLength.candidate)} characters for A, ${Math.round(s.meanLength.baseline)} for B). The judge may be rewarding length; try the other rubric or another judge.`);
  }
  if (s.positionDisagreement !== undefined && s.positionDisagreement >= POSITION_WARNING && s.n >= 5) {
    out.push(`Position bias: the two orders disagreed on ${percent(s.positionDisagreement)} of questions, which count as ties. The judge may be favouring a position; a stronger judge would disagree less.`);
  }
  return out;
}

/** The share of disagreeing orders from which a position-bias warning is given. */
export const POSITION_WARNING = 0.3;
