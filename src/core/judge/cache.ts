/**
 * The judge's verdict cache: a JSON sidecar file, so a judging run that is stopped and started
 * again, or run again on the same results, asks the judge only about pairs it has not judged.
 *
 * `{"version": 1, "verdicts": {"<key>": {"verdict": "A", "reasoning": "…"}}, "setup": {…}, "runs": […]}`
 *
 * Beside the verdicts it keeps the setup of the last run (which judge, rubric and columns), so
 * the editor can show a file's verdicts by looking its lines up, and a short history of runs,
 * so runs can be compared over time.
 *
 * A verdict's key covers everything the verdict depends on: the question, both answers in their
 * order, the judge (its endpoint and model) and the rubric's text, so changing any of them
 * asks the judge again. Reading is tolerant: a missing, damaged or newer file gives an empty
 * cache (and a problem to show), and a damaged entry is skipped; nothing here throws.
 *
 * Pure: text in, data out; the sidecar store (`verdictsSidecar`) reads and writes the file.
 */
import { sidecarPathFor, unparsedSidecar, type SidecarUnreadable } from '../sidecar';
import type { SidecarFormat } from '../sidecarStore';
import { hashHex } from '../dedupe/exact';
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

/** What the last run of a file judged with, so its verdicts can be looked up again. */
export interface JudgeSetup {
  /** Names the judge in cache keys: its endpoint and model. */
  readonly judge: string;
  /** The judge's endpoint id, to run it again. */
  readonly endpoint: string;
  /** `league`, `human` or the path of the user's rubric file. */
  readonly rubricName: string;
  /** The rubric's full text, part of every key. */
  readonly rubric: string;
  /** 0-based columns of the results file: the candidate (A) and the baseline (B). */
  readonly candidate: number;
  readonly baseline: number;
}

/** One finished run's figures, for comparing runs over time. */
export interface JudgeRunRecord {
  /** When it finished (ISO 8601). */
  readonly at: string;
  readonly judge: string;
  readonly rubricName: string;
  /** The candidate's and the baseline's endpoints. */
  readonly candidate: string;
  readonly baseline: string;
  readonly wins: number;
  readonly ties: number;
  readonly losses: number;
  /** Questions that could not be judged. */
  readonly errors: number;
  /** wins ÷ judged (absent in runs recorded before it was kept: derive it from the counts). */
  readonly winRate?: number;
  readonly winInterval?: readonly [number, number];
  readonly adjustedWinRate?: number;
  readonly interval?: readonly [number, number];
  readonly positionDisagreement?: number;
  readonly lengthBias: boolean;
}

/** Runs kept in the history; older ones are dropped. */
export const RUNS_KEPT = 50;

export interface VerdictCacheRead {
  readonly verdicts: Map<string, CachedVerdict>;
  readonly setup?: JudgeSetup;
  /** Oldest first. */
  readonly runs: readonly JudgeRunRecord[];
  /** Why some or all of the file was not used; absent when all of it was. */
  readonly problem?: string;
  /** With a problem: why the file must be left as it is (rewriting it would lose what was not read), and what to do. */
  readonly unreadable?: SidecarUnreadable;
}

/** The cache key of one judgement: 16 hex digits of a 64-bit hash of its inputs as canonical JSON. */
export function verdictKey(input: VerdictKeyInput): string {
  const canonical = JSON.stringify(['verdict', VERDICT_CACHE_VERSION, input.question, input.answerA, input.answerB, input.judge, input.rubric]);
  return hashHex(canonical);
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
  const runs: JudgeRunRecord[] = [];
  if (text === undefined || text.trim() === '') return { verdicts, runs };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const unreadable = unparsedSidecar(text, e, 'the verdicts');
    const what = unreadable.reason.startsWith('has merge') ? 'has merge conflict markers' : 'is not valid JSON';
    return { verdicts, runs, problem: `The verdict cache ${what}, so every pair will be judged again.`, unreadable };
  }
  if (!isRecord(data) || !isRecord(data.verdicts)) {
    const unreadable = { reason: 'has no "verdicts" object', fix: 'Fix it, or delete it (the verdicts in it are then lost)' };
    return { verdicts, runs, problem: 'The verdict cache has no "verdicts" object, so every pair will be judged again.', unreadable };
  }
  if (data.version !== VERDICT_CACHE_VERSION) {
    const newer = typeof data.version === 'number' && data.version > VERDICT_CACHE_VERSION;
    const version = typeof data.version === 'number' ? `version ${data.version}` : 'no version';
    const unreadable = newer
      ? { reason: `has ${version}, written by a newer TuneLab (this one reads version ${VERDICT_CACHE_VERSION})`, fix: 'Update TuneLab' }
      : { reason: `has ${version} (this TuneLab reads version ${VERDICT_CACHE_VERSION})`, fix: `Set "version" to ${VERDICT_CACHE_VERSION} if it is a TuneLab verdicts file` };
    return { verdicts, runs, problem: `The verdict cache has ${version}, not ${VERDICT_CACHE_VERSION}, so every pair will be judged again.`, unreadable };
  }
  let skipped = 0;
  for (const [key, value] of Object.entries(data.verdicts)) {
    const entry = entryOf(value);
    if (KEY.test(key) && entry !== undefined) verdicts.set(key, entry);
    else skipped++;
  }
  if (Array.isArray(data.runs)) {
    for (const value of data.runs) {
      const run = runOf(value);
      if (run !== undefined) runs.push(run);
    }
  }
  const setup = setupOf(data.setup);
  const read = setup === undefined ? { verdicts, runs } : { verdicts, runs, setup };
  if (skipped === 0) return read;
  const n = `${skipped} ${skipped === 1 ? 'entry' : 'entries'}`;
  return {
    ...read,
    problem: `${n} of the verdict cache could not be read and will be judged again.`,
    unreadable: { reason: `has ${n} that could not be read`, fix: `Fix or remove ${skipped === 1 ? 'that entry' : 'those entries'}` },
  };
}

/**
 * A file's last setup as the judge stands now: `judgeNow` names the setup's endpoint as it is
 * configured today (`judgeNameOf`: id and model), undefined when there is no such endpoint any
 * more. An endpoint re-pointed at another model is another judge, so its verdicts are looked up
 * (and asked for) under the new name; the old model's verdicts are never reused for it.
 */
export function setupWithJudge(last: JudgeSetup, judgeNow: string | undefined): JudgeSetup {
  return judgeNow === undefined || judgeNow === last.judge ? last : { ...last, judge: judgeNow };
}

/**
 * Whether a rubric name (from a sidecar, a setting or a command's argument) may become a path:
 * the built-in names, or a workspace-relative path of plain names: no absolute path, drive,
 * backslash, `.` or `..` segment, or control character, so it cannot leave the workspace folder.
 * Returns why not, worded for the user.
 */
export function rubricNameProblem(name: string, builtIn: readonly string[]): string | undefined {
  if (builtIn.includes(name)) return undefined;
  const shown = JSON.stringify(name.length > 80 ? `${name.slice(0, 79)}…` : name);
  const fix = `Use ${builtIn.join(', ')}, or the workspace-relative path of a rubric file inside the workspace folder (e.g. prompts/judge.tlprompt).`;
  if (name.trim() === '') return `The rubric name is empty. ${fix}`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return `The rubric name ${shown} has control characters. ${fix}`;
  if (name.startsWith('/') || name.includes('\\') || /^[A-Za-z]:/.test(name) || name.includes(':')) return `The rubric ${shown} is not a workspace-relative path. ${fix}`;
  if (name.split('/').some((part) => part === '' || part === '.' || part === '..')) return `The rubric ${shown} is not a plain workspace-relative path (no "..", "." or empty parts). ${fix}`;
  return undefined;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function isShare(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= 1;
}

function setupOf(value: unknown): JudgeSetup | undefined {
  if (!isRecord(value)) return undefined;
  const { judge, endpoint, rubricName, rubric, candidate, baseline } = value;
  if (typeof judge !== 'string' || typeof endpoint !== 'string' || typeof rubricName !== 'string' || typeof rubric !== 'string') return undefined;
  if (!isCount(candidate) || !isCount(baseline)) return undefined;
  return { judge, endpoint, rubricName, rubric, candidate, baseline };
}

function runOf(value: unknown): JudgeRunRecord | undefined {
  if (!isRecord(value)) return undefined;
  const { at, judge, rubricName, candidate, baseline, wins, ties, losses, errors, winRate, winInterval, adjustedWinRate, interval, positionDisagreement, lengthBias } = value;
  if (typeof at !== 'string' || typeof judge !== 'string' || typeof rubricName !== 'string') return undefined;
  if (typeof candidate !== 'string' || typeof baseline !== 'string' || typeof lengthBias !== 'boolean') return undefined;
  if (!isCount(wins) || !isCount(ties) || !isCount(losses) || !isCount(errors)) return undefined;
  const run: JudgeRunRecord = { at, judge, rubricName, candidate, baseline, wins, ties, losses, errors, lengthBias };
  const low: unknown = Array.isArray(interval) ? interval[0] : undefined;
  const high: unknown = Array.isArray(interval) ? interval[1] : undefined;
  const winLow: unknown = Array.isArray(winInterval) ? winInterval[0] : undefined;
  const winHigh: unknown = Array.isArray(winInterval) ? winInterval[1] : undefined;
  return {
    ...run,
    ...(isShare(winRate) ? { winRate } : {}),
    ...(isShare(winLow) && isShare(winHigh) ? { winInterval: [winLow, winHigh] as const } : {}),
    ...(isShare(adjustedWinRate) ? { adjustedWinRate } : {}),
    ...(isShare(low) && isShare(high) ? { interval: [low, high] as const } : {}),
    ...(isShare(positionDisagreement) ? { positionDisagreement } : {}),
  };
}

export interface VerdictCacheExtras {
  readonly setup?: JudgeSetup;
  /** Oldest first; only the last `RUNS_KEPT` are written. */
  readonly runs?: readonly JudgeRunRecord[];
}

/** The text of a cache file holding `verdicts`, keys sorted so the same verdicts give the same text. */
export function writeVerdictCache(verdicts: ReadonlyMap<string, CachedVerdict>, extras: VerdictCacheExtras = {}): string {
  const sorted = Object.create(null) as Record<string, CachedVerdict>;
  for (const key of [...verdicts.keys()].sort()) {
    const entry = verdicts.get(key);
    if (entry !== undefined) sorted[key] = { verdict: entry.verdict, reasoning: entry.reasoning };
  }
  const runs = (extras.runs ?? []).slice(-RUNS_KEPT);
  return `${JSON.stringify({ version: VERDICT_CACHE_VERSION, ...(extras.setup === undefined ? {} : { setup: extras.setup }), runs, verdicts: sorted }, null, 1)}\n`;
}

/** What a verdicts sidecar holds, as the sidecar store reads and writes it. */
export interface VerdictsFile {
  readonly verdicts: ReadonlyMap<string, CachedVerdict>;
  readonly setup?: JudgeSetup | undefined;
  /** Oldest first. */
  readonly runs: readonly JudgeRunRecord[];
}

/** The verdicts sidecar for the store: `readVerdictCache` and `writeVerdictCache`, under the kind `verdicts`. */
export const verdictsSidecar: SidecarFormat<VerdictsFile> = {
  kind: 'verdicts',
  parse(text) {
    const read = readVerdictCache(text);
    return {
      value: { verdicts: read.verdicts, runs: read.runs, ...(read.setup === undefined ? {} : { setup: read.setup }) },
      unreadable: read.unreadable,
      problem: read.problem,
    };
  },
  serialize(value) {
    return writeVerdictCache(value.verdicts, { ...(value.setup === undefined ? {} : { setup: value.setup }), runs: value.runs });
  },
};

/** Where a file's verdicts go: `dir/eval.results.jsonl` → `dir/.tunelab/eval.results.jsonl.verdicts.json`. */
export function verdictsPathFor(filePath: string): string {
  return sidecarPathFor(filePath, 'verdicts');
}
