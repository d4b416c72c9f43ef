/**
 * Prompt Lab's run history and draft as workspace state keeps them: kept small, and read back
 * tolerantly (state written by another version, or edited by hand, must never break the panel).
 */
import type { AnswerStats, ColumnSpec, Draft, DraftColumn, HistoryAnswer, HistoryEntry, RunParameters } from '../protocol';

/** How many runs the history keeps. */
export const HISTORY_CAP = 100;
/** How much of each answer the history keeps; the rest is cut and marked with an ellipsis. */
export const ANSWER_KEEP = 8_000;
export const ELLIPSIS = '…';

/** The text cut to `ANSWER_KEEP` characters and marked; never splits a surrogate pair. */
function shorten(text: string): string {
  if (text.length <= ANSWER_KEEP) return text;
  let end = ANSWER_KEEP;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + ELLIPSIS;
}

function shortened(entry: HistoryEntry): HistoryEntry {
  if (entry.answers.every((a) => a.text.length <= ANSWER_KEEP)) return entry;
  return { ...entry, answers: entry.answers.map((a) => (a.text.length <= ANSWER_KEEP ? a : { ...a, text: shorten(a.text) })) };
}

/**
 * The history with `entry` first: newest first, an older entry with the same id replaced, at
 * most `cap` entries, and every answer cut to `ANSWER_KEEP` characters.
 */
export function pushHistory(list: readonly HistoryEntry[], entry: HistoryEntry, cap = HISTORY_CAP): HistoryEntry[] {
  const out = [shortened(entry)];
  for (const e of list) {
    if (out.length >= cap) break;
    if (e.id !== entry.id) out.push(shortened(e));
  }
  return out.slice(0, Math.max(0, cap));
}

// ---------------------------------------------------------------------------------------------
// Reading workspace state

type Bag = Readonly<Record<string, unknown>>;

function isBag(v: unknown): v is Bag {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const optional = (v: unknown, test: (x: unknown) => boolean): boolean => v === undefined || test(v);

function isParameters(v: unknown): v is RunParameters {
  return isBag(v)
    && optional(v.temperature, isFiniteNumber)
    && optional(v.topP, isFiniteNumber)
    && optional(v.maxTokens, Number.isSafeInteger)
    && optional(v.seed, Number.isSafeInteger);
}

function isColumn(v: unknown): v is ColumnSpec {
  return isBag(v) && isString(v.endpoint) && isString(v.system) && isParameters(v.parameters);
}

function isStats(v: unknown): v is AnswerStats {
  return isBag(v)
    && isFiniteNumber(v.latencyMs)
    && optional(v.firstTokenMs, isFiniteNumber)
    && optional(v.inputTokens, isCount)
    && optional(v.outputTokens, isCount)
    && isString(v.finish);
}

function isAnswer(v: unknown): v is HistoryAnswer {
  return isBag(v) && isCount(v.column) && isCount(v.sample) && isString(v.text) && optional(v.stats, isStats) && optional(v.error, isString);
}

const isSamples = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 8;

export function isHistoryEntry(value: unknown): value is HistoryEntry {
  return isBag(value)
    && isString(value.id) && value.id !== ''
    && isFiniteNumber(value.time)
    && isString(value.question)
    && isString(value.system)
    && Array.isArray(value.columns) && value.columns.length >= 1 && value.columns.every(isColumn)
    && isSamples(value.samples)
    && Array.isArray(value.answers) && value.answers.every(isAnswer);
}

/** The history in workspace state: malformed entries and repeated ids are dropped; never throws. */
export function readHistory(value: unknown): HistoryEntry[] {
  if (!Array.isArray(value)) return [];
  const seen = new Set<string>();
  const out: HistoryEntry[] = [];
  for (const e of value) {
    if (out.length >= HISTORY_CAP) break;
    if (!isHistoryEntry(e) || seen.has(e.id)) continue;
    seen.add(e.id);
    out.push(e);
  }
  return out;
}

function readDraftColumn(v: unknown): DraftColumn | undefined {
  if (!isBag(v) || !isString(v.endpoint) || !(v.system === null || isString(v.system)) || !isParameters(v.parameters)) return undefined;
  return { endpoint: v.endpoint, system: v.system, parameters: v.parameters };
}

/** The draft in workspace state, or null when it is missing or malformed; never throws. */
export function readDraft(value: unknown): Draft | null {
  if (!isBag(value) || !isString(value.system) || !isString(value.question) || !isSamples(value.samples)) return null;
  const { columns } = value;
  if (!Array.isArray(columns) || columns.length < 1 || columns.length > 4) return null;
  const read: DraftColumn[] = [];
  for (const c of columns) {
    const column = readDraftColumn(c);
    if (column === undefined) return null;
    read.push(column);
  }
  return { system: value.system, question: value.question, columns: read, samples: value.samples };
}
