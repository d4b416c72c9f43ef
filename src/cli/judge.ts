/**
 * `tunelab judge`: a pairwise LLM judge over a Prompt Lab results file, for scripts and CI.
 *
 * Built on the judge's core, as the editor's judge is: the questions and the two columns'
 * answers (`judgeInputFromResults`), both orders judged and combined (`runJudge`), the counts
 * and both win rates with their intervals (`summarize`), and the verdict cache the editor
 * keeps beside the file (`.tunelab/<file>.verdicts.json`), so running again asks the judge only
 * about what it has not judged, and the editor shows the verdicts the command gave.
 *
 * - Endpoints and keys as for `tunelab generate` (see endpointSetup.ts, endpointKeys.ts): keys
 *   only from the environment and only where they belong, masked in everything printed; names
 *   and messages from data are printed with their control characters escaped.
 * - The run is the judging workflow the editor runs too (core/judge/workflow.ts), its verdicts
 *   kept through the sidecar store over node:fs (sidecarFiles.ts): merged into what is on disk
 *   at the end and after a Ctrl+C, never over a cache that could not be read, or only in part.
 *   The --out file is written whole (a temporary file and a rename).
 * - The first Ctrl+C stops the run: the verdicts given so far are kept, and the exit code is 130.
 *   A second Ctrl+C ends the process at once.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Summary } from '../core/judge/aggregate';
import { verdictsPathFor, type JudgeSetup } from '../core/judge/cache';
import { judgeInputFromResults, summaryLine, summaryWarnings, verdictRecordLine, type ResultsColumn } from '../core/judge/judgeFiles';
import { HUMAN_PREFERENCE_RUBRIC, LEAGUE_RUBRIC } from '../core/judge/prompts';
import { rubricError, type JudgeRunResult } from '../core/judge/run';
import { judgeResultsFile, type JudgeFileResult, type VerdictsLoad } from '../core/judge/workflow';
import { judgeNameOf } from '../endpoints/config';
import type { SchedulerOptions } from '../endpoints/scheduler';
import { helpOrUsageError, readCommandLine, type ParsedCommand } from './args';
import type { CliIo } from './cli';
import { EXIT_INTERRUPTED, interruptible, openEndpoints, plural, readText, runMasked, UsageError, writeAtomically, type TerminalControl } from './endpointSetup';
import { KEYS_HELP } from './endpointKeys';
import { displayPath, errorText } from './projectConfig';
import { printable } from './reporters';
import { nodeSidecars } from './sidecarFiles';

/** The built-in rubrics, by the name --rubric takes. */
const RUBRICS: Readonly<Record<string, string>> = { league: LEAGUE_RUBRIC, human: HUMAN_PREFERENCE_RUBRIC };
/** Seeds the bootstrap interval, so the same verdicts always print the same figures. */
const DEFAULT_SEED = 1;
const DEFAULT_CONCURRENCY = 16;
const MAX_CONCURRENCY = 256;
/** Lines listed as `line N: …` before the rest are only counted. */
const PROBLEMS_SHOWN = 20;

export const JUDGE_HELP = `Usage: tunelab judge --eval <results.jsonl> --judge <id> [options]

Judges two columns of a Prompt Lab results file against each other with an LLM judge: for each
question the judge compares the candidate's answer with the baseline's twice, once in each order,
and a question counts as a win or a loss only when both orders agree (else a tie). Prints the
wins, ties and losses, the win rate (wins ÷ n, what a league counting wins only ranks by) and
the adjusted win rate (a tie counts half), each with its 95% interval, and warnings when the
judge seems to favour a position or the longer answer.

Verdicts are cached beside the file, in .tunelab/<file>.verdicts.json (the cache the editor
reads), so running again asks the judge only about answers it has not judged.

Required:
  --eval <file>               The results file of an eval run (<name>.results.jsonl)
  --judge <id>                The endpoint that judges: an "id" in the endpoints file

Options:
  --candidate <n>             The column being measured, 1-based (default 1)
  --baseline <n>              The column it is measured against (default 2)
  --rubric <rubric>           league (helpfulness, accuracy, relevance, depth; the default),
                              human (empathy first, complete next steps, no padding),
                              or the path of your own rubric prompt file (.tlprompt)
  --out <file>                Also write one JSON line per judged question: its line, result,
                              label and both orders' verdicts and reasoning (or its error)
  --json                      Print the summary as one JSON object instead of the table
  --seed <n>                  Seeds the interval's bootstrap (default ${DEFAULT_SEED})
  --concurrency <n>           Questions judged at once, 1 to ${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY}); each is
                              two requests, and the endpoint's "rateLimits" still apply
  --endpoints <file>          A JSON or JSONC file with the endpoints: the list itself, or an
                              object with a "tunelab.endpoints" key (a VS Code settings.json
                              works as is). Default: your VS Code user settings
  -h, --help                  Show this help

${KEYS_HELP}

Lines whose answers failed or are missing are skipped and listed, as are questions the judge
could not give a verdict on. Ctrl+C stops the run; the verdicts given so far are kept.

Example:
  TUNELAB_API_KEY_GPT=sk-… tunelab judge --eval evals/eval.results.jsonl --judge gpt \\
      --rubric human --out evals/verdicts.jsonl

Exit codes: 0 every question was judged; 1 some questions could not be judged (or none could);
2 a usage error, a file that cannot be read or written, an unknown endpoint or a missing key;
130 stopped by Ctrl+C.
`;

// ---------------------------------------------------------------------------------------------
// Arguments

export interface JudgeArgs {
  readonly eval: string;
  readonly judge: string;
  /** `league`, `human` or the path of a rubric prompt file. */
  readonly rubric: string;
  readonly out: string | undefined;
  /** 0-based columns of the results file. */
  readonly candidate: number;
  readonly baseline: number;
  readonly seed: number;
  readonly concurrency: number;
  readonly endpoints: string | undefined;
  readonly json: boolean;
}

export type ParsedJudgeArgs = ParsedCommand<'judge', JudgeArgs>;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  eval: { type: 'string' },
  judge: { type: 'string' },
  rubric: { type: 'string' },
  out: { type: 'string' },
  candidate: { type: 'string' },
  baseline: { type: 'string' },
  seed: { type: 'string' },
  concurrency: { type: 'string' },
  endpoints: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** A whole number written plainly, or undefined. */
function wholeNumber(text: string): number | undefined {
  const t = text.trim();
  return /^\d{1,15}$/.test(t) ? Number(t) : undefined;
}

/** Parses the arguments after `judge`. */
export function parseJudgeArgs(argv: readonly string[]): ParsedJudgeArgs {
  const read = readCommandLine(argv, OPTIONS);
  if (read.kind !== 'read') return read;
  const { values, positionals } = read.line;
  const error = (message: string): ParsedJudgeArgs => ({ kind: 'error', message });

  if (positionals.length > 0) {
    return error(`unexpected argument '${positionals[0] ?? ''}'. Name the results file with --eval, e.g. --eval evals/eval.results.jsonl.`);
  }
  const text = (name: 'eval' | 'judge' | 'rubric' | 'out' | 'endpoints'): string | undefined => {
    const v = values[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  for (const name of ['eval', 'out', 'endpoints'] as const) {
    if (values[name] !== undefined && text(name) === undefined) return error(`--${name} takes the path of a file.`);
  }
  const evalFile = text('eval');
  if (evalFile === undefined) return error('--eval is missing: the results file of an eval run to judge, e.g. --eval evals/eval.results.jsonl.');
  const judge = text('judge');
  if (judge === undefined) return error('--judge is missing: the id of the endpoint that judges, e.g. --judge gpt (an "id" in your tunelab.endpoints).');
  if (values.rubric !== undefined && text('rubric') === undefined) return error('--rubric takes league, human or the path of a rubric prompt file (.tlprompt).');

  const column = (name: 'candidate' | 'baseline', fallback: number): number | string => {
    const v = values[name];
    if (v === undefined) return fallback;
    const n = wholeNumber(v);
    return n === undefined || n < 1 ? `--${name} takes a column number from 1, e.g. --${name} ${fallback} (got '${v}').` : n;
  };
  const candidate = column('candidate', 1);
  if (typeof candidate === 'string') return error(candidate);
  const baseline = column('baseline', 2);
  if (typeof baseline === 'string') return error(baseline);
  if (candidate === baseline) {
    return error(`--candidate and --baseline are both column ${candidate}: name two different columns, e.g. --candidate 1 --baseline 2.`);
  }

  let seed = DEFAULT_SEED;
  if (values.seed !== undefined) {
    const n = wholeNumber(values.seed);
    if (n === undefined || n > 2_147_483_647) return error(`--seed takes a whole number from 0 to 2147483647, e.g. --seed 7 (got '${values.seed}').`);
    seed = n;
  }
  let concurrency = DEFAULT_CONCURRENCY;
  if (values.concurrency !== undefined) {
    const n = wholeNumber(values.concurrency);
    if (n === undefined || n < 1 || n > MAX_CONCURRENCY) {
      return error(`--concurrency takes a whole number from 1 to ${MAX_CONCURRENCY}, e.g. --concurrency 8 (got '${values.concurrency}').`);
    }
    concurrency = n;
  }

  return {
    kind: 'judge',
    args: {
      eval: evalFile,
      judge,
      rubric: text('rubric') ?? 'league',
      out: text('out'),
      candidate: candidate - 1,
      baseline: baseline - 1,
      seed,
      concurrency,
      endpoints: text('endpoints'),
      json: values.json === true,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The command

/** What tests (and only tests) change about a run. */
export interface JudgeHooks {
  /** Cancels the run like Ctrl+C; when given, the process's SIGINT is left alone. */
  readonly signal?: AbortSignal;
  /** Overrides of the judge's scheduler options (e.g. shorter backoffs). */
  readonly scheduler?: SchedulerOptions;
  /** The platform whose VS Code settings file is the default endpoints file. */
  readonly platform?: NodeJS.Platform;
  /** Whether to show the progress line; by default, when stderr is a terminal. */
  readonly progress?: boolean;
  /** Called as each question finishes, with the number finished so far. */
  readonly onJudged?: (done: number) => void;
}

/** Runs `tunelab judge` on its arguments (those after `judge`) and returns the exit code. */
export async function runJudgeCommand(argv: readonly string[], io: CliIo, hooks: JudgeHooks = {}): Promise<number> {
  const parsed = parseJudgeArgs(argv);
  if (parsed.kind === 'help' || parsed.kind === 'error') return helpOrUsageError('judge', parsed, JUDGE_HELP, io);
  const { args } = parsed;
  return runMasked('judge', io, (safeIo, secrets, control) => judge(args, safeIo, hooks, secrets, control));
}

interface Rubric {
  readonly name: string;
  readonly text: string;
}

/** The rubric --rubric names, checked before any request. */
async function readRubric(value: string, cwd: string): Promise<Rubric> {
  const builtIn = RUBRICS[value];
  if (builtIn !== undefined) return { name: value, text: builtIn };
  const file = path.resolve(cwd, value);
  const shown = displayPath(file, cwd);
  if (!(await stat(file).then(() => true, () => false))) {
    throw new UsageError(`--rubric ${value}: no such rubric or file. Use league, human, or the path of a rubric prompt file (.tlprompt).`);
  }
  const text = await readText(file, shown, 'rubric file');
  const problem = rubricError(text);
  if (problem !== undefined) throw new UsageError(`--rubric ${shown}: ${problem}`);
  return { name: shown, text };
}

/** `1 (ft), 2 (base)`: a results file's columns for people, 1-based. */
function columnList(columns: readonly ResultsColumn[]): string {
  return columns.map((c) => `${c.column + 1} (${printable(c.endpoint)})`).join(', ');
}

/** The warnings for a verdict cache this run cannot write: one it could not read at all, or only in part. */
function cacheWarnings(load: VerdictsLoad, shown: string): string[] {
  if (load.unreadable === undefined) return [];
  if (load.error !== undefined) return [`cannot read ${shown} (${errorText(load.error)}); it is left as it is, and this run's verdicts are not cached.`];
  // A file read only in part would lose the rest if it were rewritten from what was read.
  return [`${shown}: ${load.problem ?? load.unreadable.reason}`, `${shown} is left as it is, so this run's verdicts are not cached in it. Fix or delete it.`];
}

/** A line that could not be judged, and why (`line` 1-based). */
interface Problem {
  readonly line: number;
  readonly kind: 'error' | 'skipped';
  readonly message: string;
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

interface Report {
  readonly file: string;
  readonly judge: { readonly endpoint: string; readonly name: string };
  readonly rubric: string;
  readonly candidate: { readonly column: number; readonly endpoint: string };
  readonly baseline: { readonly column: number; readonly endpoint: string };
  readonly summary: Summary;
  readonly errors: number;
  readonly skipped: number;
  readonly problems: readonly Problem[];
  readonly warnings: readonly string[];
  readonly result: JudgeRunResult;
}

/** The summary table, the summary line, the warnings and the lines not judged. */
function reportText(r: Report): string {
  const s = r.summary;
  const row = (label: string, value: string | number): string => `  ${label.padEnd(23)}${value}\n`;
  const interval = (i: readonly [number, number] | undefined): string => (i === undefined ? '' : ` (95% interval ${Math.round(i[0] * 100)}–${percent(i[1])})`);
  // Names come from the results file and the endpoints file, messages from servers and models:
  // each is escaped so that it stays on its line and sends the terminal nothing.
  let text = `A: ${printable(r.candidate.endpoint)} (column ${r.candidate.column}) vs B: ${printable(r.baseline.endpoint)} (column ${r.baseline.column}) — ${printable(r.file)}, judged by ${printable(r.judge.name)} with the ${printable(r.rubric)} rubric\n`;
  text += row('wins (A better)', s.wins);
  text += row('ties', s.ties);
  text += row('losses (B better)', s.losses);
  text += row('judged', s.n);
  text += row('errors', r.errors);
  text += row('skipped lines', r.skipped);
  // Wins ÷ n is the number a league that counts wins only ranks by; the adjusted rate counts a tie as half.
  text += row('win rate (wins ÷ n)', s.winRate === undefined ? '–' : `${percent(s.winRate)}${interval(s.winInterval)}`);
  text += row('adjusted win rate', s.adjustedWinRate === undefined ? '–' : `${percent(s.adjustedWinRate)}${interval(s.interval)}`);
  text += row('position disagreement', s.positionDisagreement === undefined ? '–' : percent(s.positionDisagreement));
  text += row('mean answer length', s.meanLength === undefined ? '–' : `A ${Math.round(s.meanLength.candidate)} · B ${Math.round(s.meanLength.baseline)} characters`);
  text += row('judge requests', `${r.result.asked} (${plural(r.result.fromCache, 'verdict')} from the cache)`);
  text += `\n${summaryLine(s)}\n`;
  for (const w of r.warnings) text += `warning: ${w}\n`;
  for (const p of r.problems.slice(0, PROBLEMS_SHOWN)) text += `line ${p.line}: ${printable(p.message)}\n`;
  if (r.problems.length > PROBLEMS_SHOWN) text += `… and ${r.problems.length - PROBLEMS_SHOWN} more\n`;
  return text;
}

/** The whole report as one JSON object (figures that do not exist without a judged question are null). */
function reportJson(r: Report): string {
  const s = r.summary;
  return `${JSON.stringify({
    file: r.file,
    judge: r.judge,
    rubric: r.rubric,
    candidate: r.candidate,
    baseline: r.baseline,
    wins: s.wins,
    ties: s.ties,
    losses: s.losses,
    n: s.n,
    errors: r.errors,
    skipped: r.skipped,
    winRate: s.winRate ?? null,
    winInterval: s.winInterval ?? null,
    adjustedWinRate: s.adjustedWinRate ?? null,
    interval: s.interval ?? null,
    positionDisagreement: s.positionDisagreement ?? null,
    meanLength: s.meanLength ?? null,
    lengthBias: s.lengthBias,
    lengthEvidence: s.lengthEvidence,
    summary: summaryLine(s),
    warnings: r.warnings,
    problems: r.problems,
    requests: r.result.asked,
    fromCache: r.result.fromCache,
    cancelled: r.result.cancelled,
  })}\n`;
}

async function judge(args: JudgeArgs, io: CliIo, hooks: JudgeHooks, secrets: string[], control: TerminalControl): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const env = io.env ?? process.env;
  const warn = (message: string): void => {
    io.err(`tunelab: warning: ${message}\n`);
  };

  // Everything is read and checked before the first request.
  const evalFile = path.resolve(cwd, args.eval);
  const shown = displayPath(evalFile, cwd);
  const input = judgeInputFromResults(await readText(evalFile, shown, 'results file'), { candidate: args.candidate, baseline: args.baseline });
  if (input.columns.length === 0) {
    const first = input.skipped[0];
    if (first === undefined) throw new UsageError(`${shown} has no results rows: there is nothing to judge. Name the <name>.results.jsonl file an eval run wrote.`);
    throw new UsageError(`${shown} has no results rows (line ${first.line + 1}: ${first.message}) Name the <name>.results.jsonl file an eval run wrote.`);
  }
  for (const [flag, column] of [['candidate', args.candidate], ['baseline', args.baseline]] as const) {
    if (!input.columns.some((c) => c.column === column)) {
      const many = input.columns.length === 1 ? 'its one column is' : 'its columns are';
      throw new UsageError(`--${flag} ${column + 1}: ${shown} has no column ${column + 1}; ${many} ${columnList(input.columns)}.`);
    }
  }
  const rubric = await readRubric(args.rubric, cwd);
  const outFile = args.out === undefined ? undefined : path.resolve(cwd, args.out);
  if (outFile !== undefined) {
    const outShown = displayPath(outFile, cwd);
    if (outFile === evalFile) throw new UsageError(`--out ${outShown} is the results file itself; name another file, e.g. --out verdicts.jsonl.`);
    if (await stat(outFile).then((s) => s.isDirectory(), () => false)) throw new UsageError(`--out ${outShown} is a directory. Name a .jsonl file, e.g. ${path.join(outShown, 'verdicts.jsonl')}.`);
  }
  const opened = await openEndpoints([args.judge], {
    file: args.endpoints, cwd, env, platform: hooks.platform ?? process.platform, scheduler: hooks.scheduler, secrets, warn,
  });
  const endpoint = opened.get(args.judge);
  if (endpoint === undefined) throw new UsageError(`no endpoint "${args.judge}".`);
  const judgeName = judgeNameOf(endpoint.config);
  const setup: JudgeSetup = { judge: judgeName, endpoint: args.judge, rubricName: rubric.name, rubric: rubric.text, candidate: args.candidate, baseline: args.baseline };
  const cacheShown = displayPath(verdictsPathFor(evalFile), cwd);

  const interrupt = interruptible(hooks.signal, () => {
    io.err('\nStopping: the verdicts already given are being saved. Press Ctrl+C again to quit at once.\n');
  });
  const total = input.items.length;
  const progress = (hooks.progress ?? process.stderr.isTTY) && total > 0;
  let judged: JudgeFileResult;
  try {
    judged = await judgeResultsFile(
      { file: evalFile, input, setup, ask: endpoint.ask, signal: interrupt.signal, concurrency: args.concurrency, seed: args.seed },
      {
        store: nodeSidecars(),
        onStart: (load) => {
          for (const w of cacheWarnings(load, cacheShown)) warn(w);
          // The progress line is the command's own (numbers and a cursor movement), so it goes out unescaped.
          if (progress) control.err(`judged 0/${total}`);
        },
        onJudged: (_judged, done) => {
          if (progress) control.err(`\rjudged ${done}/${total}`);
          hooks.onJudged?.(done);
        },
      },
    );
  } finally {
    interrupt.dispose();
    if (progress) control.err('\r\x1b[K');
  }
  const { run: result, summary, errors, names, saved } = judged;
  if (!saved.ok && saved.when === 'after') {
    warn(`${cacheShown} ${saved.unreadable.reason}, so it was left as it is and this run's verdicts are not cached: running again asks the judge again. ${saved.unreadable.fix}.`);
  }
  let outError: unknown;
  if (outFile !== undefined) {
    const lines = result.judged.map((j) => `${verdictRecordLine(j, names)}\n`).join('');
    await writeAtomically(outFile, lines).catch((e: unknown) => { outError = e; });
  }

  const problems: Problem[] = [
    ...errors.map((j): Problem => ({ line: j.item.line + 1, kind: 'error', message: j.error })),
    ...input.skipped.map((s): Problem => ({ line: s.line + 1, kind: 'skipped', message: s.message })),
  ].sort((a, b) => a.line - b.line);
  const report: Report = {
    file: shown,
    judge: { endpoint: args.judge, name: judgeName },
    rubric: rubric.name,
    candidate: { column: args.candidate + 1, endpoint: names.candidate },
    baseline: { column: args.baseline + 1, endpoint: names.baseline },
    summary,
    errors: errors.length,
    skipped: input.skipped.length,
    problems,
    warnings: summaryWarnings(summary),
    result,
  };
  io.out(args.json ? reportJson(report) : reportText(report));

  if (outFile !== undefined && outError !== undefined) {
    io.err(`tunelab judge: cannot write ${displayPath(outFile, cwd)}: ${errorText(outError)}.${saved.ok ? ' The verdicts are cached: run again with another --out to write them without asking the judge.' : ''}\n`);
    return 2;
  }
  if (result.cancelled) {
    const kept = saved.ok ? ' The verdicts given so far are cached: run the same command again to judge the rest.' : '';
    io.err(`Cancelled: ${result.judged.length} of ${plural(total, 'question')} judged.${kept}\n`);
    return EXIT_INTERRUPTED;
  }
  if (total === 0) {
    io.err(`tunelab judge: nothing to judge: every line of ${shown} was skipped${args.json ? '' : ' (see the lines listed above)'}.\n`);
    return 1;
  }
  if (errors.length > 0) {
    const all = errors.length === total ? ' The judge judged none of them: check the endpoint, its key and the rubric.' : '';
    io.err(`tunelab judge: ${plural(errors.length, 'question')} of ${total} could not be judged${args.json ? '' : ' (see the lines listed above)'}.${all} Running again asks the judge about them again.\n`);
    return 1;
  }
  return 0;
}
