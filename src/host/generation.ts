import * as vscode from 'vscode';
import { formatById } from '../core/formats';
import { jsonLine, lineStyleOf, renderPair } from '../core/formats/render';
import { planTopics, remaining, runGeneration, type AnswerLength, type Ask, type GeneratedPair, type GenerationSummary } from '../core/generate';
import type { FormatId } from '../core/lint/types';
import { readEvalSet } from '../core/promptLab/evalSet';
import { appendLines, datasetFormat, lastRecordLine } from './datasetFiles';
import { recordRows } from '../core/topics/provenance';
import type { Topic } from '../core/topics/topicsFile';
import { endpointErrorKind } from '../endpoints/types';
import type { TuneLabContext } from './context';
import { trust } from './trust';

/** What a run asks for, remembered per workspace. */
export interface GenerateOptions {
  readonly perTopic: number;
  readonly temperature: number;
  readonly length: AnswerLength;
  /** 0–0.5: the share of questions written to be out of scope, answered with a kind refusal. */
  readonly refusalShare: number;
  readonly questionsEndpoint: string;
  readonly answersEndpoint: string;
}

const OPTIONS_KEY = 'tunelab.generate.options';
/** Pairs gather this long (or up to FLUSH_PAIRS) before they are written as one edit. */
const FLUSH_MS = 500;
const FLUSH_PAIRS = 25;

export function readOptions(state: vscode.Memento, fallbackEndpoint: string | undefined): GenerateOptions {
  const saved = state.get<Partial<GenerateOptions>>(OPTIONS_KEY) ?? {};
  const num = (v: unknown, lo: number, hi: number, d: number): number => (typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi ? v : d);
  return {
    perTopic: Math.round(num(saved.perTopic, 1, 100, 6)),
    temperature: num(saved.temperature, 0, 2, 0.8),
    length: saved.length === 'short' || saved.length === 'long' ? saved.length : 'medium',
    refusalShare: num(saved.refusalShare, 0, 0.5, 0.1),
    questionsEndpoint: typeof saved.questionsEndpoint === 'string' ? saved.questionsEndpoint : fallbackEndpoint ?? '',
    answersEndpoint: typeof saved.answersEndpoint === 'string' ? saved.answersEndpoint : fallbackEndpoint ?? '',
  };
}

export async function saveOptions(state: vscode.Memento, options: GenerateOptions): Promise<void> {
  await state.update(OPTIONS_KEY, options);
}

/** A workspace copy of a generation prompt (prompts/questions.tlprompt, prompts/answer.tlprompt), else the default. */
async function workspacePrompt(name: string): Promise<string | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (folder === undefined) return undefined;
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, 'prompts', name)));
  } catch {
    return undefined;
  }
}

/**
 * Appends pairs to the dataset as whole lines: pairs gather for a moment and go in as one
 * WorkspaceEdit (one undo step per batch), each line rendered in the file's format and JSON
 * style. Lines are only ever appended whole, so a cancel or a failure leaves a valid file.
 */
class DatasetWriter {
  private pending: { pair: GeneratedPair; line: string }[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> = Promise.resolve();
  written = 0;
  readonly rows: { line: string; topic: string; refusal: boolean }[] = [];

  constructor(
    private readonly document: vscode.TextDocument,
    private readonly format: FormatId,
    private readonly render: (pair: GeneratedPair) => string,
  ) {}

  add(pair: GeneratedPair): Promise<void> {
    this.pending.push({ pair, line: this.render(pair) });
    if (this.pending.length >= FLUSH_PAIRS) return this.flush();
    this.timer ??= setTimeout(() => { void this.flush(); }, FLUSH_MS);
    return Promise.resolve();
  }

  flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(async () => {
      await appendLines(this.document, batch.map((b) => b.line));
      this.written += batch.length;
      for (const b of batch) this.rows.push({ line: b.line, topic: b.pair.topicId, refusal: b.pair.refusal });
    });
    return this.flushing;
  }

  get formatLabel(): string {
    return formatById(this.format).label;
  }
}

/** What a run uses of the context. */
export type GenerationServices = Pick<TuneLabContext, 'config' | 'endpoints' | 'linting' | 'lintSettings' | 'topics' | 'log'>;

/**
 * Generates pairs for the topics into the target dataset, with a progress notification (n/N,
 * cancel). Topics already covered by k rows ask only for the rest, so a second run after an
 * interruption does not duplicate finished pairs.
 */
export async function generateInto(services: GenerationServices, target: vscode.Uri, topics: readonly Topic[], options: GenerateOptions, fallbackPerTopic: (t: Topic) => number): Promise<GenerationSummary | undefined> {
  const { config, endpoints, linting, lintSettings, topics: model, log } = services;
  if (!trust.isTrusted) {
    void vscode.window.showWarningMessage('TuneLab: this workspace is in Restricted Mode, so TuneLab makes no network calls. Trust the workspace to generate pairs.');
    return undefined;
  }
  for (const id of [options.questionsEndpoint, options.answersEndpoint]) {
    if (endpoints.get(id) === undefined) throw new Error(`No endpoint "${id}": add one with TuneLab: Add Endpoint, then pick it in the generation options.`);
  }
  const document = await vscode.workspace.openTextDocument(target);
  const wasDirty = document.isDirty;
  const settings = await lintSettings.forDocument(target);
  const linted = linting.get(document);
  const format = datasetFormat(linted, settings);
  const ctx = settings.context;
  // The dataset's own questions, so a new one that repeats them is dropped.
  const existing = readEvalSet(document.getText(), ctx, format).items.map((item) => item.question);
  const style = lineStyleOf(lastRecordLine(document));
  // Opt-in: the topic in the row itself, for trainers and tools that keep extra keys.
  const topicField = config.for(target).generate.topicField;
  const topicName = new Map(topics.map((t) => [t.id, `${t.category} › ${t.name}`]));
  const render = (pair: GeneratedPair): string => {
    const r = renderPair(format, { question: pair.question, answer: pair.answer }, ctx);
    if (!r.ok) throw new Error(r.message);
    const record = topicField === '' ? r.record : { ...r.record, [topicField]: topicName.get(pair.topicId) ?? pair.topicId };
    return jsonLine(record, style);
  };
  // Fail before any request when the format cannot hold a pair (e.g. DPO needs two answers).
  render({ topicId: '', question: 'q', answer: 'a', refusal: false });

  const full = planTopics(topics.map((t) => ({ id: t.id, name: t.name, category: t.category, ...(t.notes === undefined ? {} : { notes: t.notes }), questions: t.questions ?? fallbackPerTopic(t) })), {
    perTopic: options.perTopic, refusalShare: options.refusalShare, seed: Date.now() % 2_147_483_647,
  });
  // Coverage comes from the provenance file: unreadable, every topic looks empty, and a run would pay for pairs already there.
  const unreadable = await model.provenanceProblem(target);
  if (unreadable !== undefined && document.getText().trim() !== '') {
    const choice = await vscode.window.showWarningMessage(
      `TuneLab: ${unreadable.file} ${unreadable.reason}, so TuneLab cannot tell which topics already have pairs in ${vscode.workspace.asRelativePath(target)}.`,
      { modal: true, detail: `A run now would ask for every topic's pairs again, and the new rows would not be counted. ${unreadable.fix}, then generate.` },
      'Generate Anyway',
    );
    if (choice === undefined) return undefined;
  }
  const plan = remaining(full, model.target?.toString() === target.toString() ? model.counts : new Map());
  const planned = plan.reduce((n, p) => n + p.questions, 0);
  if (planned === 0) {
    void vscode.window.showInformationMessage(`TuneLab: every topic already has its ${options.perTopic} pair(s) in ${vscode.workspace.asRelativePath(target)}. Raise "Questions per topic" to add more.`);
    return undefined;
  }
  const questionsPrompt = await workspacePrompt('questions.tlprompt');
  const answerPrompt = await workspacePrompt('answer.tlprompt');
  const writer = new DatasetWriter(document, format, render);
  const name = vscode.workspace.asRelativePath(target);

  const summary = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `TuneLab: generating into ${name}`, cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const sub = token.onCancellationRequested(() => { controller.abort(); });
      let done = 0;
      let dropped = 0;
      const askQuestions = await endpoints.asker(options.questionsEndpoint);
      const askAnswers = options.answersEndpoint === options.questionsEndpoint ? askQuestions : await endpoints.asker(options.answersEndpoint);
      if (askQuestions === undefined || askAnswers === undefined) {
        sub.dispose();
        throw new Error('No API key was given, so nothing was sent.');
      }
      const ask: Ask = (stage, messages, o) => (stage === 'questions' ? askQuestions : askAnswers)(stage, messages, { ...o, temperature: o.temperature ?? options.temperature });
      try {
        return await runGeneration({
          plan,
          ...(questionsPrompt === undefined ? {} : { questionsPrompt }),
          ...(answerPrompt === undefined ? {} : { answerPrompt }),
          length: options.length,
          existing,
          ask,
          signal: controller.signal,
          onPair: async (pair) => {
            await writer.add(pair);
            done++;
            progress.report({ increment: 100 / planned, message: `${done}/${planned} pairs${dropped > 0 ? ` · ${dropped} duplicate question(s) dropped` : ''}` });
          },
          onEvent: (e) => {
            if (e.type === 'questions') dropped += e.duplicates;
            else if (e.type === 'topic-failed') log.warn(`Generation: ${e.failure.topicId}: ${e.failure.message}`);
            else if (e.type === 'answer-failed') log.warn(`Generation: ${e.failure.topicId}: "${e.failure.question}": ${e.failure.message}`);
            else if (e.type === 'reply-retried') log.info(`Generation: ${e.topicId}: asking again (attempt ${e.attempt}): ${e.reason}`);
          },
        });
      } finally {
        sub.dispose();
        await writer.flush().catch((err: unknown) => { log.error(`Generation: writing the last pairs failed: ${String(err)}`); });
        if (writer.rows.length > 0) {
          // Read again and written whole; one that cannot be read now (a merge since the run began) is left as it is.
          const rows = writer.rows.map((r) => ({ line: r.line, topic: r.topic, ...(r.refusal ? { refusal: true } : {}) }));
          const saved = await model.updateProvenance(target, (p) => recordRows(p, rows, new Date().toISOString()));
          if (!saved.ok) {
            const message = `TuneLab: ${saved.file} ${saved.reason}, so it was left as it is and the ${writer.rows.length} new row(s) in ${vscode.workspace.asRelativePath(target)} are not counted as coverage of their topics. ${saved.fix}; a later run would then ask for those topics' pairs again.`;
            log.warn(message);
            void vscode.window.showWarningMessage(message);
          }
        }
        // A dataset that had no unsaved changes is saved, so what was generated is on disk.
        if (!wasDirty && writer.written > 0) await document.save();
        await model.refresh();
      }
    },
  ).then(undefined, (err: unknown) => {
    if (endpointErrorKind(err) === 'cancelled') return undefined;
    throw err;
  });
  if (summary === undefined) return undefined;
  const failures = summary.failedTopics.length + summary.failedAnswers.length;
  const parts = [`${writer.written} pair(s) added to ${name} (${writer.formatLabel})`];
  if (summary.droppedDuplicates > 0) parts.push(`${summary.droppedDuplicates} duplicate question(s) dropped`);
  if (summary.failedTopics.length > 0) parts.push(`${summary.failedTopics.length} topic(s) failed`);
  if (summary.failedAnswers.length > 0) parts.push(`${summary.failedAnswers.length} answer(s) failed`);
  const message = `TuneLab${summary.cancelled ? ' (cancelled)' : ''}: ${parts.join(', ')}.${failures > 0 ? ' Run again to fill the gaps; see the log for each failure.' : ''}`;
  log.info(message);
  void (failures > 0 ? vscode.window.showWarningMessage(message, 'Show Log') : vscode.window.showInformationMessage(message)).then((c) => { if (c !== undefined) log.show(); });
  return summary;
}
