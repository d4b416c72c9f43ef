/**
 * One generation run as `tunelab generate` (src/cli/generate.ts) and the editor's Generate Pairs
 * (src/host/generation.ts) both make it; they differ only in their adapters: how lines are
 * appended (one write per line to a file, or batched WorkspaceEdits), where the provenance
 * sidecar is (the store over node:fs or vscode.workspace.fs) and how progress is shown.
 *
 * 1. `prepareGeneration`: the new lines' rendering (the dataset's format, its last line's JSON
 *    style, an optional topic key), checked on a sample pair before any request; the dataset's own
 *    questions, so new ones that repeat them are dropped; the plan, less what the provenance
 *    sidecar says each topic already has in the dataset (its readable rows count even when part
 *    of it is damaged).
 * 2. `runPreparedGeneration`: core's `runGeneration`, each pair rendered and appended as a whole
 *    line (in batches when the adapter asks), the written rows recorded in the sidecar every
 *    `provenanceEvery` rows and at the end, through the store (read again, changed, written whole;
 *    never over one that cannot be read). A failed sidecar update keeps its rows for the next one
 *    and is reported once a run.
 *
 * Pure: the dataset, the sidecar files and the model come in through the adapters.
 */
import { jsonLine, lineStyleOf, renderPair } from '../formats/render';
import type { FormatContext, FormatId } from '../lint/types';
import { splitLines } from '../jsonl/parse';
import { readEvalSet } from '../promptLab/evalSet';
import type { SidecarUnreadable } from '../sidecar';
import type { SidecarStore } from '../sidecarStore';
import { coverage, emptyProvenance, provenanceSidecar, recordRows } from '../topics/provenance';
import { effectiveQuestions, type Category } from '../topics/topicsFile';
import type { AnswerLength } from './defaultPrompts';
import { planTopics, remaining, type PlannedTopic, type TopicInput } from './plan';
import { runGeneration, type Ask, type GeneratedPair, type GenerationEvent, type GenerationSummary } from './pipeline';

/** The sidecar is updated after every this many written rows, so a run that is killed keeps most of its provenance. */
export const PROVENANCE_EVERY = 50;

/** A provenance sidecar that could not be read or updated: where it is, why, and what to do. */
export type ProvenanceProblem = { readonly path: string } & SidecarUnreadable;

export interface GenerationTarget {
  /** The dataset as the store names it: a file path in the CLI, a URI string in the editor. */
  readonly path: string;
  /** Its text now. */
  readonly text: string;
  /** The format of the new lines. */
  readonly format: FormatId;
  readonly context: FormatContext;
}

export interface PrepareOptions {
  readonly target: GenerationTarget;
  /** The topics file's subtopics (`Topic`s): their own "questions" wins over their category's and `perTopic`. */
  readonly topics: readonly TopicInput[];
  /** The topics file's categories by name: a category's own "questions" applies to its subtopics. */
  readonly categories: ReadonlyMap<string, Pick<Category, 'questions'>>;
  /** Questions per topic where neither the topic nor its category sets them. */
  readonly perTopic: number;
  readonly refusalShare: number;
  readonly seed: number;
  readonly sidecars: SidecarStore;
  /** Opt-in (the editor's tunelab.generate.topicField): a key of each new row holding its topic, "Category › Subtopic". */
  readonly topicField?: string;
}

export type PreparedGeneration =
  /** The format cannot hold a pair (e.g. DPO needs two answers): nothing may be asked. */
  | { readonly kind: 'unrenderable'; readonly message: string }
  | ReadyGeneration;

export interface ReadyGeneration {
  readonly kind: 'ready';
  readonly target: GenerationTarget;
  /** Every topic's plan, and what is left of it to ask. */
  readonly full: readonly PlannedTopic[];
  readonly plan: readonly PlannedTopic[];
  /** Pairs left to make; 0: every topic already has its pairs. */
  readonly planned: number;
  /** The dataset's own questions. */
  readonly existing: readonly string[];
  /** The line a pair becomes; throws when the format cannot hold it. */
  readonly render: (pair: GeneratedPair) => string;
  /** Why the sidecar cannot be read whole: coverage is then only what could be read, and new rows may not be recorded. */
  readonly provenanceProblem: ProvenanceProblem | undefined;
  readonly sidecars: SidecarStore;
}

/** Reads and plans everything a run needs, before any request. */
export async function prepareGeneration(options: PrepareOptions): Promise<PreparedGeneration> {
  const { target, topicField } = options;
  const names = new Map(options.topics.map((t) => [t.id, `${t.category} › ${t.name}`]));
  const style = lineStyleOf(lastRecordLine(target.text));
  const render = (pair: GeneratedPair): string => {
    const r = renderPair(target.format, { question: pair.question, answer: pair.answer }, target.context);
    if (!r.ok) throw new Error(r.message);
    const field = topicField?.trim() ?? '';
    return jsonLine(field === '' ? r.record : { ...r.record, [field]: names.get(pair.topicId) ?? pair.topicId }, style);
  };
  try {
    render({ topicId: '', question: 'q', answer: 'a', refusal: false });
  } catch (e) {
    return { kind: 'unrenderable', message: e instanceof Error ? e.message : String(e) };
  }

  const read = await options.sidecars.read(target.path, provenanceSidecar);
  const provenance = read.ok ? read.value : read.partial?.value ?? emptyProvenance();
  const full = planTopics(options.topics.map((t) => ({
    id: t.id, name: t.name, category: t.category, ...(t.notes === undefined ? {} : { notes: t.notes }),
    questions: effectiveQuestions(t, options.categories.get(t.category), options.perTopic),
  })), { perTopic: options.perTopic, refusalShare: options.refusalShare, seed: options.seed });
  const plan = remaining(full, coverage(provenance, splitLines(target.text).lines));
  return {
    kind: 'ready',
    target,
    full,
    plan,
    planned: plan.reduce((n, p) => n + p.questions, 0),
    existing: readEvalSet(target.text, target.context, target.format).items.map((i) => i.question),
    render,
    provenanceProblem: read.ok ? undefined : { path: read.path, ...read.unreadable },
    sidecars: options.sidecars,
  };
}

/** The trimmed text of the last line that is not blank ('' for none): new lines follow its JSON style. */
function lastRecordLine(text: string): string {
  const lines = text.split(/\r\n|\n|\r/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = (lines[i] ?? '').trim();
    if (line !== '') return line.replace(/^\uFEFF/, '');
  }
  return '';
}

/** Where the new lines go. */
export interface DatasetSink {
  /** Appends whole lines at the end of the dataset, each a line of its own; resolves once they are in it. */
  append(lines: readonly string[]): Promise<void>;
}

/** What a run tells its adapter as it goes. Every callback is optional. */
export interface GenerationProgress {
  /** Each of core's events (a topic's questions, failures, a topic done). */
  readonly event?: (event: GenerationEvent) => void;
  /** A pair was answered and handed to the writer: `pairs` so far. */
  readonly pair?: (pairs: number) => void;
  /** Lines are in the dataset (and the sidecar updated when it was due): `written` so far. */
  readonly written?: (written: number) => void;
  /** The sidecar could not be updated; told once a run, and not when `prepareGeneration` already told it. */
  readonly provenanceProblem?: (problem: ProvenanceProblem) => void;
}

export interface RunOptions {
  readonly asks: { readonly questions: Ask; readonly answers: Ask };
  /** For requests whose prompt sets no temperature. */
  readonly temperature: number;
  readonly length: AnswerLength;
  readonly questionsPrompt?: string | undefined;
  readonly answerPrompt?: string | undefined;
  readonly sink: DatasetSink;
  readonly signal?: AbortSignal;
  /**
   * Lines gather until there are `lines` of them or `ms` have passed, then go to the sink in one
   * call (the editor: one undo step per batch). Default: each line at once.
   */
  readonly batch?: { readonly lines: number; readonly ms: number };
  /** Default `PROVENANCE_EVERY`. */
  readonly provenanceEvery?: number;
  readonly progress?: GenerationProgress;
  /** The time rows are recorded at (tests fix it). */
  readonly now?: () => Date;
}

export interface GenerationOutcome {
  /** Lines in the dataset. */
  readonly written: number;
  /** Core's summary; undefined when the run stopped on an error (`error`). */
  readonly summary: GenerationSummary | undefined;
  readonly error?: unknown;
  /** Pairs that could not be made: failed answers plus what failed topics lack. */
  readonly failed: number;
  /** Lines written whose rows are not in the sidecar, and why (the last failure). */
  readonly unrecorded: number;
  readonly provenanceProblem: ProvenanceProblem | undefined;
  /** Batched lines that could not be written once the run was over (the run's own result stands). */
  readonly lastLinesError?: unknown;
}

interface Row { readonly line: string; readonly topic: string; readonly refusal?: boolean }

/** Rows written and not yet in the sidecar; an update that fails keeps them for the next. */
class ProvenanceRecorder {
  private pending: Row[] = [];
  problem: ProvenanceProblem | undefined;
  private told: boolean;

  constructor(private readonly store: SidecarStore, private readonly path: string, told: boolean, private readonly progress: GenerationProgress, private readonly now: () => Date) {
    this.told = told;
  }

  get unrecorded(): number {
    return this.pending.length;
  }

  add(rows: readonly Row[]): void {
    this.pending.push(...rows);
  }

  async save(): Promise<void> {
    const rows = this.pending;
    if (rows.length === 0) return;
    const result = await this.store.update(this.path, provenanceSidecar, (p) => recordRows(p, rows, this.now()));
    if (result.ok) {
      this.pending = this.pending.slice(rows.length);
      this.problem = undefined;
      return;
    }
    this.problem = { path: result.path, ...result.unreadable };
    if (!this.told) {
      this.told = true;
      this.progress.provenanceProblem?.(this.problem);
    }
  }
}

/** Appends lines in batches, one sink call at a time; the rows written are handed to the recorder. */
class LineWriter {
  private pending: Row[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failure: { readonly error: unknown } | undefined;
  private savedAt = 0;
  written = 0;

  /** The error of a batch that could not be written, if one could not. */
  get failed(): { readonly error: unknown } | undefined {
    return this.failure;
  }

  constructor(
    private readonly sink: DatasetSink,
    private readonly batch: { readonly lines: number; readonly ms: number },
    private readonly recorder: ProvenanceRecorder,
    private readonly every: number,
    private readonly progress: GenerationProgress,
  ) {}

  /** Queues a line; a batch that fills is written before this resolves. A write that failed earlier fails this. */
  async add(row: Row): Promise<void> {
    if (this.failure !== undefined) throw this.failure.error;
    this.pending.push(row);
    if (this.pending.length >= this.batch.lines) return this.flush();
    this.timer ??= setTimeout(() => { void this.flush().catch(() => undefined); }, this.batch.ms);
  }

  /** Writes what is queued, after every earlier batch. */
  flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const rows = this.pending;
    this.pending = [];
    if (rows.length === 0) return this.chain;
    const next = this.chain.then(async () => {
      if (this.failure !== undefined) throw this.failure.error;
      await this.sink.append(rows.map((r) => r.line));
      this.written += rows.length;
      this.recorder.add(rows);
      if (this.written - this.savedAt >= this.every) {
        this.savedAt = this.written;
        await this.recorder.save();
      }
      this.progress.written?.(this.written);
    });
    // The chain itself never rejects, so later batches wait on it; the failure is kept instead.
    this.chain = next.catch((error: unknown) => { this.failure ??= { error }; });
    return next;
  }
}

/**
 * Runs a prepared plan into the sink. Never rejects for a write or a request: the outcome says
 * what was written and why it stopped. The sidecar is updated at the end whatever happened.
 */
export async function runPreparedGeneration(prepared: ReadyGeneration, options: RunOptions): Promise<GenerationOutcome> {
  const progress = options.progress ?? {};
  const recorder = new ProvenanceRecorder(prepared.sidecars, prepared.target.path, prepared.provenanceProblem !== undefined, progress, options.now ?? (() => new Date()));
  const writer = new LineWriter(options.sink, options.batch ?? { lines: 1, ms: 0 }, recorder, Math.max(1, options.provenanceEvery ?? PROVENANCE_EVERY), progress);
  const { asks, temperature } = options;
  const ask: Ask = (stage, messages, o) => (stage === 'questions' ? asks.questions : asks.answers)(stage, messages, { ...o, temperature: o.temperature ?? temperature });
  let pairs = 0;
  let summary: GenerationSummary | undefined;
  let error: { readonly error: unknown } | undefined;
  let lastLinesError: { readonly error: unknown } | undefined;
  try {
    summary = await runGeneration({
      plan: prepared.plan,
      ...(options.questionsPrompt === undefined ? {} : { questionsPrompt: options.questionsPrompt }),
      ...(options.answerPrompt === undefined ? {} : { answerPrompt: options.answerPrompt }),
      length: options.length,
      existing: prepared.existing,
      ask,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(progress.event === undefined ? {} : { onEvent: progress.event }),
      onPair: async (pair) => {
        await writer.add({ line: prepared.render(pair), topic: pair.topicId, ...(pair.refusal ? { refusal: true } : {}) });
        pairs++;
        progress.pair?.(pairs);
      },
    });
  } catch (e) {
    error = { error: e };
  }
  // What is still queued goes in now; a batch that failed after the run's last pair is told apart from the run's own error.
  await writer.flush().catch(() => undefined);
  if (error === undefined && writer.failed !== undefined) lastLinesError = writer.failed;
  await recorder.save();
  return {
    written: writer.written,
    summary,
    ...(error === undefined ? {} : { error: error.error }),
    failed: summary === undefined ? 0 : summary.failedAnswers.length + summary.failedTopics.reduce((n, f) => n + f.missing, 0),
    unrecorded: recorder.unrecorded,
    provenanceProblem: recorder.unrecorded > 0 ? recorder.problem : undefined,
    ...(lastLinesError === undefined ? {} : { lastLinesError: lastLinesError.error }),
  };
}
