/**
 * `tunelab generate`: question/answer pairs from a topics file, appended to a JSON Lines dataset.
 *
 * The same run as the editor's Generate Pairs (src/host/generation.ts), through the same
 * workflow (core/generate/workflow.ts: the plan less what the provenance sidecar says is there,
 * records in the dataset's format and JSON style, the sidecar updated through the store); this
 * file adds the terminal's adapters: arguments, a file appended to, progress lines on stderr.
 *
 * - Endpoints are the editor's `tunelab.endpoints` entries, read from a JSON or JSONC file (the
 *   VS Code user settings by default). Keys are never read from files: only from the
 *   environment, and only where they belong (endpointKeys.ts: an endpoint's own
 *   `TUNELAB_API_KEY_<ID>`; the generic ones only to OpenAI's own API), and they are masked in
 *   everything this command prints, which has its control characters escaped.
 * - Each pair is appended as one whole line, with one `write` call on a file opened for
 *   appending, so the file only ever holds whole lines, whatever stops the run.
 * - The sidecar is written every `PROVENANCE_EVERY` pairs and at the end, through the sidecar
 *   store (a temporary file and a rename, so it is never half-written); one that could not be
 *   read is never overwritten.
 * - The first Ctrl+C cancels the run: the pairs already answered are written, the sidecar is
 *   written, and the exit code is 130. A second Ctrl+C ends the process at once.
 */
import { mkdir, open, readFile, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { detectFormat, FORMAT_IDS, formatById } from '../core/formats/index';
import {
  ANSWER_PLACEHOLDERS,
  MAX_REFUSAL_SHARE,
  promptError,
  QUESTION_PLACEHOLDERS,
  type AnswerLength,
  type Ask,
  type GenerationEvent,
} from '../core/generate/index';
import { PROVENANCE_EVERY, prepareGeneration, runPreparedGeneration, type DatasetSink, type GenerationOutcome } from '../core/generate/workflow';
import { parseDocument, splitLines } from '../core/jsonl/parse';
import type { FormatContext, FormatId, JsonObject } from '../core/lint/types';
import { MAX_QUESTIONS, MIN_QUESTIONS, parseTopicsFile, topicsOf, type Category, type Topic, type TopicsProblem } from '../core/topics/topicsFile';
import type { SchedulerOptions } from '../endpoints/scheduler';
import type { CliIo } from './cli';
import {
  EXIT_INTERRUPTED,
  interruptible,
  isFileError,
  lineColumn,
  openEndpoints,
  plural,
  readText,
  runMasked,
  UsageError,
  type OpenedEndpoint,
} from './endpointSetup';
import { KEYS_HELP } from './endpointKeys';
import { nodeSidecars } from './sidecarFiles';
import { displayPath, errorText, findProjectConfig, readProjectConfig, TemplateReader } from './projectConfig';
import { helpOrUsageError, readCommandLine, type ParsedCommand } from './args';
import { wrapList } from './output';
import { printable } from './reporters';

// The sidecar is written after every this many pairs (the editor's runs too): core/generate/workflow.ts.
export { PROVENANCE_EVERY };

const DEFAULT_FORMAT: FormatId = 'jumpstart-instruction';
const DEFAULT_REFUSAL_SHARE = 0.1;
const DEFAULT_TEMPERATURE = 0.8;
const LENGTHS: readonly AnswerLength[] = ['short', 'medium', 'long'];
/** The workspace copies of the generation prompts the editor uses when they exist; the command does too. */
const WORKSPACE_PROMPTS = { questions: path.join('prompts', 'questions.tlprompt'), answer: path.join('prompts', 'answer.tlprompt') } as const;

export const GENERATE_HELP = `Usage: tunelab generate --topics <file> --endpoint <id> --per-topic <n> --out <file> [options]

Generates question/answer pairs for the subtopics of a topics file and appends them to a JSON
Lines dataset, one whole line per pair, in the dataset's format. For each subtopic the model
writes the questions, then answers each one; questions that repeat a row already in the dataset,
or each other, are dropped. Which row came from which subtopic is kept beside the dataset, in
.tunelab/<dataset>.provenance.json, so --resume asks each subtopic only for what it lacks.

Required:
  --topics <file>             The topics file (topics.jsonc): categories and their subtopics
  --endpoint <id>             The endpoint that writes the questions (and the answers, unless
                              --answers-endpoint says otherwise): an "id" in the endpoints file
  --per-topic <n>             Pairs per subtopic, ${MIN_QUESTIONS} to ${MAX_QUESTIONS}; a subtopic's or category's own
                              "questions" in the topics file wins
  --out <file>                The dataset to append to; created when missing

Options:
  --resume                    Add to an --out that already has rows: subtopics already covered
                              ask only for the rest, and new questions that repeat the file's
                              are dropped. Without it, an --out with rows is refused
  --answers-endpoint <id>     The endpoint that writes the answers (default: --endpoint)
  --endpoints <file>          A JSON or JSONC file with the endpoints: the list itself, or an
                              object with a "tunelab.endpoints" key (a VS Code settings.json
                              works as is). Default: your VS Code user settings
  --dataset-format <format>   The format of the new lines: one of
                              ${wrapList(FORMAT_IDS, 30, 94)}.
                              Default: the project's tunelab.jsonc, else the format most of
                              --out's lines have, else jumpstart-instruction
  --refusal-share <share>     The share of questions written to be out of scope (such as asking
                              for someone else's personal data), each answered with a kind
                              refusal: 0 to ${MAX_REFUSAL_SHARE} (default ${DEFAULT_REFUSAL_SHARE})
  --length <short|medium|long>
                              Answer length: short (about 50 to 100 words), medium (about 120
                              to 220, the default) or long (about 250 to 400)
  --temperature <t>           Sampling temperature, 0 to 2 (default ${DEFAULT_TEMPERATURE}), for requests whose
                              prompt file sets none (the default prompts set their own)
  --questions-prompt <file>   The questions prompt (a .tlprompt file). Default:
                              ${WORKSPACE_PROMPTS.questions} when it exists, else the built-in one
  --answer-prompt <file>      The answer prompt. Default: ${WORKSPACE_PROMPTS.answer} when it
                              exists, else the built-in one
  --only <name>               Generate only for a category ("Benefits") or one subtopic
                              ("Benefits/Utility bill help"), in any case; repeat for several
  -h, --help                  Show this help

${KEYS_HELP} Each endpoint's "rateLimits" apply.

Progress goes to stderr, one line per subtopic; a summary line goes to stdout. Ctrl+C stops the
run: the pairs already answered are kept, and --resume adds the rest later.

Example:
  TUNELAB_API_KEY_GPT=sk-… tunelab generate --topics topics.jsonc --endpoint gpt \\
      --per-topic 6 --out data/train.jsonl --only Benefits

Exit codes: 0 every planned pair was written (or nothing was left to do); 1 some subtopics or
answers failed (the pairs written stay: run again with --resume to fill the gaps); 2 a usage
error, a file that cannot be read or written, or a topics file with errors; 130 stopped by Ctrl+C.
`;

// ---------------------------------------------------------------------------------------------
// Arguments

export interface GenerateArgs {
  readonly topics: string;
  readonly endpoint: string;
  readonly answersEndpoint: string | undefined;
  readonly perTopic: number;
  readonly out: string;
  readonly resume: boolean;
  readonly endpoints: string | undefined;
  /** Undefined for the default (auto). */
  readonly datasetFormat: FormatId | undefined;
  readonly refusalShare: number;
  readonly length: AnswerLength;
  readonly temperature: number;
  readonly questionsPrompt: string | undefined;
  readonly answerPrompt: string | undefined;
  readonly only: readonly string[];
}

export type ParsedGenerateArgs = ParsedCommand<'generate', GenerateArgs>;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  topics: { type: 'string' },
  endpoint: { type: 'string' },
  'answers-endpoint': { type: 'string' },
  'per-topic': { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'boolean' },
  endpoints: { type: 'string' },
  'dataset-format': { type: 'string' },
  'refusal-share': { type: 'string' },
  length: { type: 'string' },
  temperature: { type: 'string' },
  'questions-prompt': { type: 'string' },
  'answer-prompt': { type: 'string' },
  only: { type: 'string', multiple: true },
} as const;

function isOneOf<T extends string>(value: string, list: readonly T[]): value is T {
  return (list as readonly string[]).includes(value);
}

/** A number written plainly (no hex, no exponent, no empty string). */
function plainNumber(text: string): number | undefined {
  const t = text.trim();
  return /^(?:\d+\.?\d*|\.\d+)$/.test(t) ? Number(t) : undefined;
}

/** Parses the arguments after `generate`. */
export function parseGenerateArgs(argv: readonly string[]): ParsedGenerateArgs {
  const read = readCommandLine(argv, OPTIONS);
  if (read.kind !== 'read') return read;
  const { values, positionals } = read.line;
  const error = (message: string): ParsedGenerateArgs => ({ kind: 'error', message });

  if (positionals.length > 0) {
    return error(`unexpected argument '${positionals[0] ?? ''}'. Name the files with their options, e.g. --topics topics.jsonc --out data.jsonl.`);
  }
  const path = (name: 'topics' | 'out' | 'endpoints' | 'questions-prompt' | 'answer-prompt'): string | undefined => {
    const v = values[name];
    return v === undefined || v.trim() === '' ? undefined : v;
  };
  const topics = path('topics');
  if (topics === undefined) return error('--topics is missing: the topics file to generate from, e.g. --topics topics.jsonc.');
  const endpoint = values.endpoint?.trim();
  if (endpoint === undefined || endpoint === '') return error('--endpoint is missing: the id of the endpoint to ask, e.g. --endpoint gpt (an "id" in your tunelab.endpoints).');
  const out = path('out');
  if (out === undefined) return error('--out is missing: the dataset to append the pairs to, e.g. --out data/train.jsonl.');

  const pt = values['per-topic'];
  if (pt === undefined) return error(`--per-topic is missing: how many pairs to make per subtopic, e.g. --per-topic 6 (${MIN_QUESTIONS} to ${MAX_QUESTIONS}).`);
  const perTopic = /^\d+$/.test(pt.trim()) ? Number(pt.trim()) : NaN;
  if (!(perTopic >= MIN_QUESTIONS && perTopic <= MAX_QUESTIONS)) {
    return error(`--per-topic takes a whole number from ${MIN_QUESTIONS} to ${MAX_QUESTIONS}, e.g. --per-topic 6 (got '${pt}').`);
  }

  let refusalShare = DEFAULT_REFUSAL_SHARE;
  const rs = values['refusal-share'];
  if (rs !== undefined) {
    const n = plainNumber(rs);
    if (n === undefined || n > MAX_REFUSAL_SHARE) {
      return error(`--refusal-share takes a share from 0 to ${MAX_REFUSAL_SHARE}, e.g. --refusal-share 0.1 for 10% (got '${rs}').`);
    }
    refusalShare = n;
  }

  let temperature = DEFAULT_TEMPERATURE;
  const t = values.temperature;
  if (t !== undefined) {
    const n = plainNumber(t);
    if (n === undefined || n > 2) return error(`--temperature takes a number from 0 to 2, e.g. --temperature 0.8 (got '${t}').`);
    temperature = n;
  }

  const length = values.length ?? 'medium';
  if (!isOneOf(length, LENGTHS)) return error(`--length ${length}: use short, medium or long.`);

  const df = values['dataset-format'];
  if (df !== undefined && df !== 'auto' && !isOneOf(df, FORMAT_IDS)) {
    return error(`--dataset-format ${df}: unknown dataset format. Use one of ${FORMAT_IDS.join(', ')}.`);
  }
  const answersEndpoint = values['answers-endpoint']?.trim();
  if (answersEndpoint === '') return error('--answers-endpoint takes the id of an endpoint.');
  const only = (values.only ?? []).map((o) => o.trim());
  if (only.includes('')) return error('--only takes a category ("Benefits") or a subtopic ("Benefits/Utility bill help").');
  for (const name of ['endpoints', 'questions-prompt', 'answer-prompt'] as const) {
    if (values[name] !== undefined && path(name) === undefined) return error(`--${name} takes the path of a file.`);
  }

  return {
    kind: 'generate',
    args: {
      topics,
      endpoint,
      answersEndpoint,
      perTopic,
      out,
      resume: values.resume === true,
      endpoints: path('endpoints'),
      datasetFormat: df === undefined || df === 'auto' ? undefined : df,
      refusalShare,
      length,
      temperature,
      questionsPrompt: path('questions-prompt'),
      answerPrompt: path('answer-prompt'),
      only,
    },
  };
}

// Re-exported, so code that imports them from this command keeps working.
export { keyVariable, userSettingsPath } from './endpointSetup';

// ---------------------------------------------------------------------------------------------
// The command

/** What tests (and only tests) change about a run. */
export interface GenerateHooks {
  /** Cancels the run like Ctrl+C; when given, the process's SIGINT is left alone. */
  readonly signal?: AbortSignal;
  /** Overrides of every endpoint's scheduler options (e.g. shorter backoffs). */
  readonly scheduler?: SchedulerOptions;
  /** Called after each line is written, with the number written so far. */
  readonly onPairWritten?: (written: number) => void;
  /** The platform whose VS Code settings file is the default endpoints file. */
  readonly platform?: NodeJS.Platform;
  /** Seeds which subtopics get the out-of-scope questions a fair split leaves over. */
  readonly seed?: number;
}

/** Runs `tunelab generate` on its arguments (those after `generate`) and returns the exit code. */
export async function runGenerate(argv: readonly string[], io: CliIo, hooks: GenerateHooks = {}): Promise<number> {
  const parsed = parseGenerateArgs(argv);
  if (parsed.kind === 'help' || parsed.kind === 'error') return helpOrUsageError('generate', parsed, GENERATE_HELP, io);
  const { args } = parsed;
  return runMasked('generate', io, (safeIo, secrets) => generate(args, safeIo, hooks, secrets));
}

interface Selected {
  readonly topics: readonly Topic[];
  readonly categories: ReadonlyMap<string, Category>;
}

/** The topics file, read and checked: its problems are printed; errors are a usage error. */
async function readTopics(args: GenerateArgs, cwd: string, io: CliIo): Promise<Selected> {
  const file = path.resolve(cwd, args.topics);
  const shown = displayPath(file, cwd);
  const text = await readText(file, shown, 'topics file');
  const topicsFile = parseTopicsFile(text);
  const line = (p: TopicsProblem): string => {
    const { line: l, column } = lineColumn(text, p.offset);
    return `${shown}:${l}:${column}: ${p.severity === 'warning' ? 'warning: ' : ''}${printable(p.message)}\n`;
  };
  for (const p of [...topicsFile.problems].sort((a, b) => a.offset - b.offset)) io.err(line(p));
  const errors = topicsFile.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    throw new UsageError(`${shown} has ${plural(errors.length, 'error')}; fix ${errors.length === 1 ? 'it' : 'them'} and run again.`);
  }
  let topics = topicsOf(topicsFile);
  if (topics.length === 0) throw new UsageError(`${shown} has no subtopics to generate for. Add some under a category's "subtopics".`);
  if (args.only.length > 0) {
    const key = (s: string): string => s.trim().normalize('NFC').toLowerCase();
    const unmatched = args.only.filter((o) => !topics.some((t) => key(t.category) === key(o) || key(`${t.category}/${t.name}`) === key(o)));
    if (unmatched.length > 0) {
      const names = topicsFile.categories.map((c) => `"${printable(c.name)}"`).join(', ');
      throw new UsageError(`--only ${unmatched.map((u) => `"${printable(u)}"`).join(', ')}: no such category or subtopic in ${shown}. Name a category (${names}) or a subtopic as "Category/Subtopic".`);
    }
    const wanted = new Set(args.only.map(key));
    topics = topics.filter((t) => wanted.has(key(t.category)) || wanted.has(key(`${t.category}/${t.name}`)));
  }
  return { topics, categories: new Map(topicsFile.categories.map((c) => [c.name, c])) };
}

/** The endpoints the run asks, with their keys; a missing key or endpoint is a usage error. */
async function openRunEndpoints(args: GenerateArgs, cwd: string, env: Readonly<Record<string, string | undefined>>, io: CliIo, hooks: GenerateHooks, secrets: string[]): Promise<{ questions: Ask; answers: Ask; labels: string }> {
  const ids = [...new Set([args.endpoint, args.answersEndpoint ?? args.endpoint])];
  const opened = await openEndpoints(ids, {
    file: args.endpoints, cwd, env, platform: hooks.platform ?? process.platform, scheduler: hooks.scheduler, secrets,
    warn: (m) => { io.err(`tunelab: warning: ${m}\n`); },
  });
  const questions = (opened.get(args.endpoint) as OpenedEndpoint).ask;
  const answers = (opened.get(args.answersEndpoint ?? args.endpoint) as OpenedEndpoint).ask;
  const labels = ids.length === 1 ? `endpoint ${args.endpoint}` : `endpoints ${args.endpoint} (questions) and ${ids[1] ?? ''} (answers)`;
  return { questions, answers, labels };
}

/** A prompt file's text (the flag's, else the workspace copy the editor would use), checked before any request. */
async function readPrompt(flag: string | undefined, fallback: string, placeholders: readonly string[], cwd: string, io: CliIo): Promise<string | undefined> {
  let file: string;
  if (flag !== undefined) {
    file = path.resolve(cwd, flag);
  } else {
    file = path.resolve(cwd, fallback);
    if (!(await stat(file).then((s) => s.isFile(), () => false))) return undefined;
    io.err(`Using the prompt ${displayPath(file, cwd)}.\n`);
  }
  const shown = displayPath(file, cwd);
  const text = await readText(file, shown, 'prompt file');
  const problem = promptError(text, placeholders);
  if (problem !== undefined) throw new UsageError(`${shown}: ${problem.message}`);
  return text;
}

/** The dataset as it is before the run. */
interface Dataset {
  readonly file: string;
  readonly shown: string;
  readonly text: string;
  /** Its lines, without line breaks (a BOM removed). */
  readonly lines: readonly string[];
  readonly rows: number;
  readonly size: number;
}

async function readDataset(file: string, cwd: string): Promise<Dataset> {
  const shown = displayPath(file, cwd);
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (e) {
    if (isFileError(e, 'ENOENT')) return { file, shown, text: '', lines: [], rows: 0, size: 0 };
    if (isFileError(e, 'EISDIR')) throw new UsageError(`--out ${shown} is a directory. Name a .jsonl file, e.g. ${path.join(shown, 'train.jsonl')}.`);
    throw new UsageError(`cannot read ${shown}: ${errorText(e)}. Check the file's permissions.`);
  }
  const text = raw.toString('utf8');
  const { lines } = splitLines(text);
  return { file, shown, text, lines, rows: lines.filter((l) => l.trim() !== '').length, size: raw.length };
}

/** The format of the new lines: the flag, else the project's tunelab.jsonc, else the file's, else the default. */
async function formatFor(args: GenerateArgs, dataset: Dataset, ctx: FormatContext, cwd: string, warn: (m: string) => void): Promise<FormatId> {
  const records = parseDocument(dataset.text).lines.flatMap((l) => (l.kind === 'record' ? [l.value as JsonObject] : []));
  const detected = detectFormat(records, ctx).format;
  let format = args.datasetFormat;
  if (format === undefined) {
    const configFile = findProjectConfig(cwd);
    if (configFile !== undefined) {
      const config = await readProjectConfig(configFile, cwd);
      if (!config.ok) warn(config.message);
      else if (typeof config.layer.format === 'string' && isOneOf(config.layer.format, FORMAT_IDS)) format = config.layer.format;
    }
  }
  if (format !== undefined && detected !== undefined && detected !== format) {
    warn(`most lines of ${dataset.shown} are ${formatById(detected).label}, but the new lines are ${formatById(format).label}, so the file will mix formats.`);
  }
  return format ?? detected ?? DEFAULT_FORMAT;
}

/** Appends lines with one write each; a short write is undone, so the file never ends in half a line. */
class LineAppender {
  constructor(private readonly handle: FileHandle, private size: number) {}

  async append(text: string): Promise<void> {
    const bytes = Buffer.from(text, 'utf8');
    const { bytesWritten } = await this.handle.write(bytes, 0, bytes.length);
    if (bytesWritten !== bytes.length) {
      await this.handle.truncate(this.size).catch(() => undefined);
      throw new Error(`only ${bytesWritten} of ${bytes.length} bytes could be written (is the disk full?)`);
    }
    this.size += bytes.length;
  }
}

async function generate(args: GenerateArgs, io: CliIo, hooks: GenerateHooks, secrets: string[]): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const env = io.env ?? process.env;
  const warn = (message: string): void => {
    io.err(`tunelab: warning: ${message}\n`);
  };

  // Everything is read and checked before the first request.
  const { topics, categories } = await readTopics(args, cwd, io);
  const asks = await openRunEndpoints(args, cwd, env, io, hooks, secrets);
  const questionsPrompt = await readPrompt(args.questionsPrompt, WORKSPACE_PROMPTS.questions, QUESTION_PLACEHOLDERS, cwd, io);
  const answerPrompt = await readPrompt(args.answerPrompt, WORKSPACE_PROMPTS.answer, ANSWER_PLACEHOLDERS, cwd, io);

  const dataset = await readDataset(path.resolve(cwd, args.out), cwd);
  if (dataset.rows > 0 && !args.resume) {
    throw new UsageError(`${dataset.shown} exists and has ${plural(dataset.rows, 'row')}; pass --resume to add only what is missing, or choose another --out.`);
  }
  const template = await new TemplateReader(cwd).forDataset(dataset.file);
  if (template.problem !== undefined) warn(template.problem);
  const ctx = template.context;
  const format = await formatFor(args, dataset, ctx, cwd, warn);
  const formatLabel = formatById(format).label;

  const prepared = await prepareGeneration({
    target: { path: dataset.file, text: dataset.text, format, context: ctx },
    topics, categories, perTopic: args.perTopic, refusalShare: args.refusalShare,
    seed: hooks.seed ?? Date.now() % 2_147_483_647,
    sidecars: nodeSidecars(),
  });
  // A format that cannot hold a pair fails before any request.
  if (prepared.kind === 'unrenderable') throw new UsageError(`${formatLabel}: ${prepared.message}`);
  const problem = prepared.provenanceProblem;
  if (problem !== undefined) warn(`${displayPath(problem.path, cwd)} ${problem.reason}, so it is left as it is and the new rows are not recorded in it. ${problem.fix}.`);
  const { plan, full, planned } = prepared;
  if (planned === 0) {
    io.out(`0 pairs added to ${dataset.shown} (${formatLabel}); every subtopic already has its pairs\n`);
    return 0;
  }

  let handle: FileHandle;
  try {
    await mkdir(path.dirname(dataset.file), { recursive: true });
    handle = await open(dataset.file, 'a');
  } catch (e) {
    throw new UsageError(`cannot write ${dataset.shown}: ${errorText(e)}. Check the path and its permissions.`);
  }

  // Topic names and the model's and servers' words are escaped: each stays on its line and sends the terminal nothing.
  const names = new Map(topics.map((t) => [t.id, printable(`${t.category} / ${t.name}`)]));
  const plannedFor = new Map(plan.map((p) => [p.topic.id, p.questions]));
  const skipped = full.length - plan.length;
  io.err(`Generating ${plural(planned, 'pair')} for ${plural(plan.length, 'subtopic')}${skipped > 0 ? ` (${skipped} already complete)` : ''} into ${dataset.shown} (${formatLabel}) with ${asks.labels}.\n`);

  // The first Ctrl+C (or the test's signal) cancels the run; with the listener gone, a second one ends the process.
  const interrupt = interruptible(hooks.signal, () => {
    io.err('\nStopping: the pairs already answered are being written. Press Ctrl+C again to quit at once.\n');
  });

  const perTopic = new Map<string, { duplicates: number; failed: number }>();
  const tally = (id: string): { duplicates: number; failed: number } => {
    let t = perTopic.get(id);
    if (t === undefined) {
      t = { duplicates: 0, failed: 0 };
      perTopic.set(id, t);
    }
    return t;
  };
  const name = (id: string): string => names.get(id) ?? id;
  const onEvent = (e: GenerationEvent): void => {
    if (e.type === 'questions') {
      tally(e.topicId).duplicates += e.duplicates;
    } else if (e.type === 'topic-failed') {
      tally(e.failure.topicId).failed += e.failure.missing;
      io.err(`✗ ${name(e.failure.topicId)}: ${printable(e.failure.message)}\n`);
    } else if (e.type === 'answer-failed') {
      tally(e.failure.topicId).failed++;
      io.err(`✗ ${name(e.failure.topicId)}: "${printable(shorten(e.failure.question))}": ${printable(e.failure.message)}\n`);
    } else if (e.type === 'topic-done') {
      const want = plannedFor.get(e.topicId) ?? e.pairs;
      const t = tally(e.topicId);
      const count = e.pairs === want ? plural(e.pairs, 'pair') : `${e.pairs} of ${plural(want, 'pair')}`;
      const dropped = t.duplicates > 0 ? ` (${plural(t.duplicates, 'duplicate question')} dropped)` : '';
      const mark = interrupt.signal.aborted && e.pairs < want ? '·' : t.failed > 0 ? '✗' : '✓';
      io.err(`${mark} ${name(e.topicId)}: ${count}${dropped}${interrupt.signal.aborted && e.pairs < want ? ' (stopped)' : ''}\n`);
    }
  };

  let outcome: GenerationOutcome;
  try {
    outcome = await runPreparedGeneration(prepared, {
      asks: { questions: asks.questions, answers: asks.answers },
      temperature: args.temperature,
      length: args.length,
      questionsPrompt,
      answerPrompt,
      sink: fileSink(handle, dataset),
      signal: interrupt.signal,
      provenanceEvery: PROVENANCE_EVERY,
      progress: {
        event: onEvent,
        written: (n) => { hooks.onPairWritten?.(n); },
        provenanceProblem: (p) => { warn(`${displayPath(p.path, cwd)} ${p.reason}, so it is left as it is and this run's new rows are not recorded in it (--resume would ask for them again). ${p.fix}.`); },
      },
    });
  } finally {
    interrupt.dispose();
    await handle.close().catch(() => undefined);
  }

  const { written, summary, failed } = outcome;
  if (summary === undefined) {
    io.out(`${plural(written, 'pair')} added to ${dataset.shown} (${formatLabel}) before the run stopped\n`);
    io.err(`tunelab generate: the run stopped: ${errorText(outcome.error)}. The lines already in ${dataset.shown} are whole; fix the problem and run again with --resume.\n`);
    return 2;
  }
  io.out(`${plural(written, 'pair')} added to ${dataset.shown} (${formatLabel}); ${plural(summary.droppedDuplicates, 'duplicate question')} dropped; ${failed} failed\n`);
  if (summary.cancelled) {
    io.err(`Cancelled: ${plural(written, 'pair')} written. Run the same command with --resume to add the rest.\n`);
    return EXIT_INTERRUPTED;
  }
  if (failed > 0) {
    io.err(`${plural(failed, 'pair')} could not be made (see the ✗ lines above). Run the same command with --resume to fill the gaps.\n`);
    return 1;
  }
  return 0;
}

/**
 * The dataset as the workflow's sink: each line with one write, in the file's line endings; a
 * file that ends without a line break gets one before its first new line.
 */
function fileSink(handle: FileHandle, dataset: Dataset): DatasetSink {
  const eol = splitLines(dataset.text).eol;
  let prefix = dataset.text !== '' && !/[\r\n]$/.test(dataset.text) ? eol : '';
  const appender = new LineAppender(handle, dataset.size);
  return {
    async append(lines) {
      await appender.append(`${prefix}${lines.join(eol)}${eol}`);
      prefix = '';
    },
  };
}

/** A question shortened for a progress line. */
function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= 80 ? flat : `${flat.slice(0, 79)}…`;
}
