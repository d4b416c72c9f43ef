/**
 * The judge's verdict cache: a JSON sidecar file, so a judging run that is stopped and started
 * again, or run again on the same results, asks the judge only about pairs it has not judged.
 *
 * `{"version": 1, "verdicts": {"<key>": {"verdict": "A", "reasoning": "…"}}}`
 *
 * A verdict's key covers everything the verdict depends on: the question, both answers in their
 * order, the judge (its endpoint and model) and the rubric's text, so changing any of them
 * asks the judge again. Reading is tolerant: a missing, damaged or newer file gives an empty
 * cache (and a problem to show), and a damaged entry is skipped; nothing here throws.
 *
 * Pure: text in, data out; the caller reads and writes the file.
 */
import { hashKey } from '../dedupe/exact';
import type { Verdict } from './verdict';

export const VERDICT_CACHE_VERSION = 1;

export interface VerdictKeyInput {
  readonly question: string;
  /** The answer shown first. */
  readonly answerA: string;
  /** The answer shown second. */
  readonly answerB: string;
  /** Names the judge: its endpoint and model, e.g. `judge-endpoint/model-id`. */
  readonly judge: string;
  /** The rubric prompt's full text. */
  readonly rubric: string;
}

export interface CachedVerdict {
  readonly verdict: Verdict;
  readonly reasoning: string;
}

export interface VerdictCacheRead {
  readonly verdicts: Map<string, CachedVerdict>;
  /** Why some or all of the file was not used; absent when all of it was. */
  readonly problem?: string;
}

/** The cache key of one judgement: 16 hex digits of a 64-bit hash of its inputs as canonical JSON. */
export function verdictKey(input: VerdictKeyInput): string {
  const canonical = JSON.stringify(['verdict', VERDICT_CACHE_VERSION, input.question, input.answerA, input.answerB, input.judge, input.rubric]);
  const key = hashKey(canonical);
  let hex = '';
  for (let i = 0; i < key.length; i++) hex += key.charCodeAt(i).toString(16).padStart(4, '0');
  return hex;
}

const KEY = /^[0-9a-f]{16}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function entryOf(value: unknown): CachedVerdict | undefined {
  if (!isRecord(value)) return undefined;
  const { verdict, reasoning } = value;
  if (verdict !== 'A' && verdict !== 'B' && verdict !== 'C') return undefined;
  if (typeof reasoning !== 'string') return undefined;
  return { verdict, reasoning };
}

/** The verdicts of a cache file's text (undefined when there is no file yet). Never throws. */
export function readVerdictCache(text: string | undefined): VerdictCacheRead {
  const verdicts = new Map<string, CachedVerdict>();
  if (text === undefined || text.trim() === '') return { verdicts };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { verdicts, problem: 'The verdict cache is not valid JSON, so every pair will be judged again.' };
  }
  if (!isRecord(data) || !isRecord(data.verdicts)) {
    return { verdicts, problem: 'The verdict cache has no "verdicts" object, so every pair will be judged again.' };
  }
  if (data.version !== VERDICT_CACHE_VERSION) {
    const version = typeof data.version === 'number' ? `version ${data.version}` : 'no version';
    return { verdicts, problem: `The verdict cache has ${version}, not ${VERDICT_CACHE_VERSION}, so every pair will be judged again.` };
  }
  let skipped = 0;
  for (const [key, value] of Object.entries(data.verdicts)) {
    const entry = entryOf(value);
    if (KEY.test(key) && entry !== undefined) verdicts.set(key, entry);
    else skipped++;
  }
  if (skipped === 0) return { verdicts };
  return { verdicts, problem: `${skipped} ${skipped === 1 ? 'entry' : 'entries'} of the verdict cache could not be read and will be judged again.` };
}

/** The text of a cache file holding `verdicts`, keys sorted so the same verdicts give the same text. */
export function writeVerdictCache(verdicts: ReadonlyMap<string, CachedVerdict>): string {
  const sorted = Object.create(null) as Record<string, CachedVerdict>;
  for (const key of [...verdicts.keys()].sort()) {
    const entry = verdicts.get(key);
    if (entry !== undefined) sorted[key] = { verdict: entry.verdict, reasoning: entry.reasoning };
  }
  return `${JSON.stringify({ version: VERDICT_CACHE_VERSION, verdicts: sorted }, null, 1)}\n`;
}
