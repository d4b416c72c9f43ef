/**
 * The results file of a batch run: one JSON line per eval question, with every column's answer.
 * The judge reads it later, and a resumed batch reads it to skip the questions already answered.
 *
 * `{"question": "…", "system"?: "…", "reference"?: "…", "source": {"file": "eval.jsonl", "line": 3},
 *   "columnsKey": "…", "answers": [{"column": 0, "endpoint": "ft", "system": "…", "parameters": {…},
 *   "text": "…", "finish": "stop", "latencyMs": 812, "firstTokenMs": 120, "usage": {"input": 10, "output": 80}}]}`
 *
 * An answer that failed has `"error"` and the text that came before the failure (maybe "").
 * Pure and platform-neutral: paths are handled as strings, with `/` or `\` separators.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import { jsonLine } from '../formats/render';
import type { ColumnSpec, RunParameters } from '../protocol';

export interface ResultsUsage {
  readonly input?: number;
  readonly output?: number;
}

/** One column's answer to one question. */
export interface ResultsAnswer {
  /** 0-based index of the column in the run. */
  readonly column: number;
  readonly endpoint: string;
  /** The system prompt sent ('' for none). */
  readonly system: string;
  readonly parameters: RunParameters;
  /** The answer; for a failed answer, the text that came before the failure. */
  readonly text: string;
  /** 'stop', 'length', 'content-filter', 'tool-calls', 'other' or 'cancelled'. */
  readonly finish?: string;
  readonly latencyMs?: number;
  readonly firstTokenMs?: number;
  readonly usage?: ResultsUsage;
  /** Why the answer failed; absent for an answer that ended normally. */
  readonly error?: string;
}

export interface ResultsSource {
  /** The eval file, as the workspace names it. */
  readonly file: string;
  /** 1-based, as editors number lines. */
  readonly line: number;
}

/** One line of a results file. */
export interface ResultsRow {
  readonly question: string;
  /** The system prompt the eval record has (each answer says what was sent). */
  readonly system?: string;
  /** The eval record's own answer, when it has one. */
  readonly reference?: string;
  readonly source: ResultsSource;
  /** `columnsKey` of the run's columns: a resumed run trusts only rows of the same columns. */
  readonly columnsKey: string;
  readonly answers: readonly ResultsAnswer[];
}

export type ResultsLineCheck = { readonly ok: true; readonly row: ResultsRow } | { readonly ok: false; readonly message: string };

const string = { type: 'string' } as const;
const count = { type: 'integer', minimum: 0 } as const;
const duration = { type: 'number', minimum: 0 } as const;

const ANSWER = {
  type: 'object',
  required: ['column', 'endpoint', 'system', 'parameters', 'text'],
  properties: {
    column: count,
    endpoint: string,
    system: string,
    parameters: {
      type: 'object',
      properties: { temperature: { type: 'number' }, topP: { type: 'number' }, maxTokens: { type: 'integer' }, seed: { type: 'integer' } },
    },
    text: string,
    finish: string,
    latencyMs: duration,
    firstTokenMs: duration,
    usage: { type: 'object', properties: { input: count, output: count } },
    error: string,
  },
} as const;

/** Keys beyond these are allowed, so a later TuneLab may add some without breaking older readers. */
const ROW = {
  type: 'object',
  required: ['question', 'source', 'columnsKey', 'answers'],
  properties: {
    question: string,
    system: string,
    reference: string,
    source: { type: 'object', required: ['file', 'line'], properties: { file: string, line: { type: 'integer', minimum: 1 } } },
    columnsKey: string,
    answers: { type: 'array', items: ANSWER },
  },
} as const;

// Compiled on first use: only a batch run or the judge pays for ajv's code generation.
let compiled: { ajv: Ajv; row: ValidateFunction<ResultsRow> } | undefined;

function validator(): { ajv: Ajv; row: ValidateFunction<ResultsRow> } {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: false, strict: true });
  compiled = { ajv, row: ajv.compile<ResultsRow>(ROW) };
  return compiled;
}

/** The row as one JSON line (no line break, U+2028 and U+2029 escaped), keys in a fixed order. */
export function resultsLine(row: ResultsRow): string {
  return jsonLine({
    question: row.question,
    system: row.system,
    reference: row.reference,
    source: { file: row.source.file, line: row.source.line },
    columnsKey: row.columnsKey,
    answers: row.answers,
  });
}

/** Reads one line of a results file; a line that is not a row says why. Never throws. */
export function parseResultsLine(text: string): ResultsLineCheck {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `The line is not valid JSON (${e instanceof Error ? e.message : String(e)}).` };
  }
  const { ajv, row } = validator();
  if (!row(value)) return { ok: false, message: `The line is not a results row: ${ajv.errorsText(row.errors, { dataVar: 'row' })}.` };
  return { ok: true, row: value };
}

/** Where the results of an eval file go: `dir/eval.jsonl` → `dir/eval.results.jsonl`. */
export function resultsPathFor(evalPath: string): string {
  const cut = Math.max(evalPath.lastIndexOf('/'), evalPath.lastIndexOf('\\'));
  const dir = evalPath.slice(0, cut + 1);
  const base = evalPath.slice(cut + 1);
  // A leading dot names a hidden file; it starts no extension.
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  return `${dir}${stem === '' ? 'eval' : stem}.results.jsonl`;
}

/**
 * A stable key of what the columns send: each column's endpoint, system prompt and parameters,
 * in column order, hashed (FNV-1a, 64 bits) to 16 hex digits. Equal columns give equal keys
 * whatever order their parameters were written in.
 */
export function columnsKey(columns: readonly ColumnSpec[]): string {
  const p = (v: number | undefined): number | null => v ?? null;
  const canonical = JSON.stringify(columns.map((c) => [
    c.endpoint, c.system, p(c.parameters.temperature), p(c.parameters.topP), p(c.parameters.maxTokens), p(c.parameters.seed),
  ]));
  return fnv1a64(canonical);
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

function fnv1a64(text: string): string {
  let h = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(text)) h = ((h ^ BigInt(byte)) * FNV_PRIME) & MASK;
  return h.toString(16).padStart(16, '0');
}

/**
 * What identifies a question across runs: its 0-based line in the eval file (`EvalItem.line`;
 * a row's `source.line` is that plus one) and its text.
 */
export function questionKey(line: number, question: string): string {
  return `${line}\u0000${question}`;
}

/** Every column answered, and no answer failed or was cancelled. */
function finished(row: ResultsRow, columns: number): boolean {
  for (let c = 0; c < columns; c++) {
    const answers = row.answers.filter((a) => a.column === c);
    if (answers.length === 0) return false;
    if (answers.some((a) => a.error !== undefined || a.finish === 'cancelled')) return false;
  }
  return true;
}

/**
 * The questions an earlier run of the same columns finished (keys from `questionKey`), so a resumed
 * run skips them and asks again the ones that failed. Rows of other columns, failed rows and
 * lines that do not parse (such as a last line cut short when a run was stopped) are ignored.
 */
export function finishedQuestions(existingText: string, columns: readonly ColumnSpec[]): Set<string> {
  const key = columnsKey(columns);
  const done = new Set<string>();
  for (const line of existingText.split(/\r\n|\n|\r/)) {
    if (line.trim() === '') continue;
    const parsed = parseResultsLine(line);
    if (parsed.ok && parsed.row.columnsKey === key && finished(parsed.row, columns.length)) {
      done.add(questionKey(parsed.row.source.line - 1, parsed.row.question));
    }
  }
  return done;
}

/**
 * A results file after a resumed run: when a question appears more than once (a failed row, then
 * its retry), only its last row is kept, in the place of its first. Lines that do not parse are
 * kept as they are: this only removes rows a later row replaces.
 */
export function compactResults(text: string): string {
  if (text === '') return text;
  const lines = text.split('\n');
  const trailing = lines.at(-1) === '' ? lines.pop() : undefined;
  const last = new Map<string, number>();
  const keys = lines.map((line, i) => {
    const parsed = parseResultsLine(line);
    if (!parsed.ok) return undefined;
    const key = `${parsed.row.columnsKey}\u0000${questionKey(parsed.row.source.line - 1, parsed.row.question)}`;
    last.set(key, i);
    return key;
  });
  const placed = new Set<string>();
  const out: string[] = [];
  keys.forEach((key, i) => {
    if (key === undefined) { out.push(lines[i] ?? ''); return; }
    if (placed.has(key)) return;
    placed.add(key);
    out.push(lines[last.get(key) ?? i] ?? '');
  });
  return out.join('\n') + (trailing === undefined ? '' : '\n');
}

/**
 * What a results file needs before a resumed run appends to it, decided from its text:
 * - `none`: it is empty or its last line ends with a line break;
 * - `add-newline`: its last line is whole but has no line break (a file saved by an editor or
 *   another tool that drops the final newline): the line is kept, and a `\n` is added so the
 *   next row starts on a line of its own;
 * - `cut`: its last line does not parse (a run stopped mid-write): everything after the last
 *   `\n` is removed, and `dropped` says what.
 * Rows are JSON objects, so a row cut short never parses; a line that parses as JSON, a row or
 * not, is never cut, so no finished answer is lost and none is asked (and paid for) twice. JSON
 * Lines makes the final newline optional: "Including a line terminator after the last JSON value
 * in a file is strongly recommended but not required" (https://jsonlines.org).
 * `finishedQuestions` of the repaired text is that of the text given.
 */
export type ResumeRepair =
  | { readonly action: 'none' }
  | { readonly action: 'add-newline' }
  | { readonly action: 'cut'; readonly dropped: string };

export function resumeRepair(text: string): ResumeRepair {
  if (text === '' || text.endsWith('\n')) return { action: 'none' };
  const last = text.slice(text.lastIndexOf('\n') + 1);
  if (last.trim() === '') return { action: 'cut', dropped: last };
  try {
    JSON.parse(last);
    return { action: 'add-newline' };
  } catch {
    return { action: 'cut', dropped: last };
  }
}
