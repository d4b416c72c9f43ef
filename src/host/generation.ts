import * as vscode from 'vscode';
import { formatById } from '../core/formats';
import type { AnswerLength, GenerationSummary } from '../core/generate';
import { PROVENANCE_EVERY, prepareGeneration, runPreparedGeneration } from '../core/generate/workflow';
import { appendLines, datasetFormat } from './datasetFiles';
import type { Category, Topic } from '../core/topics/topicsFile';
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

/** What a run uses of the context. */
export type GenerationServices = Pick<TuneLabContext, 'config' | 'endpoints' | 'linting' | 'lintSettings' | 'topics' | 'log'>;

/**
 * Generates pairs for the topics into the target dataset, with a progress notification (n/N,
 * cancel), through the generation workflow (core/generate/workflow.ts) that `tunelab generate`
 * runs too. Topics already covered by k rows ask only for the rest, so a second run after an
 * interruption does not duplicate finished pairs. The editor's adapters: pairs gather for a
 * moment and go in as one WorkspaceEdit (one undo step per batch, whole lines only, so a cancel
 * or a failure leaves a valid file); the provenance sidecar goes through the editor's one store.
 */
export async function generateInto(services: GenerationServices, target: vscode.Uri, topics: readonly Topic[], options: GenerateOptions, categories: ReadonlyMap<string, Pick<Category, 'questions'>>): Promise<GenerationSummary | undefined> {
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
  const format = datasetFormat(linting.get(document), settings);
  // Opt-in: the topic in the row itself, for trainers and tools that keep extra keys.
  const topicField = config.for(target).generate.topicField;
  const prepared = await prepareGeneration({
    target: { path: target.toString(), text: document.getText(), format, context: settings.context },
    topics, categories, perTopic: options.perTopic, refusalShare: options.refusalShare, seed: Date.now() % 2_147_483_647,
    sidecars: model.sidecars, topicField,
  });
  // Fails before any request when the format cannot hold a pair (e.g. DPO needs two answers).
  if (prepared.kind === 'unrenderable') throw new Error(prepared.message);
  // Coverage comes from the provenance file: unreadable, topics look emptier than they are, and a run would pay for pairs already there.
  const unreadable = prepared.provenanceProblem;
  if (unreadable !== undefined && document.getText().trim() !== '') {
    const choice = await vscode.window.showWarningMessage(
      `TuneLab: ${shown(unreadable.path)} ${unreadable.reason}, so TuneLab cannot tell which topics already have pairs in ${vscode.workspace.asRelativePath(target)}.`,
      { modal: true, detail: `A run now would ask for every topic's pairs again, and the new rows would not be counted. ${unreadable.fix}, then generate.` },
      'Generate Anyway',
    );
    if (choice === undefined) return undefined;
  }
  const { planned } = prepared;
  if (planned === 0) {
    void vscode.window.showInformationMessage(`TuneLab: every topic already has its ${options.perTopic} pair(s) in ${vscode.workspace.asRelativePath(target)}. Raise "Questions per topic" to add more.`);
    return undefined;
  }
  const questionsPrompt = await workspacePrompt('questions.tlprompt');
  const answerPrompt = await workspacePrompt('answer.tlprompt');
  const name = vscode.workspace.asRelativePath(target);

  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `TuneLab: generating into ${name}`, cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const sub = token.onCancellationRequested(() => { controller.abort(); });
      let dropped = 0;
      try {
        const askQuestions = await endpoints.asker(options.questionsEndpoint);
        const askAnswers = options.answersEndpoint === options.questionsEndpoint ? askQuestions : await endpoints.asker(options.answersEndpoint);
        if (askQuestions === undefined || askAnswers === undefined) throw new Error('No API key was given, so nothing was sent.');
        const result = await runPreparedGeneration(prepared, {
          asks: { questions: askQuestions, answers: askAnswers },
          temperature: options.temperature,
          length: options.length,
          questionsPrompt,
          answerPrompt,
          sink: { append: async (lines) => { await appendLines(document, lines); } },
          signal: controller.signal,
          batch: { lines: FLUSH_PAIRS, ms: FLUSH_MS },
          provenanceEvery: PROVENANCE_EVERY,
          progress: {
            pair: (done) => {
              progress.report({ increment: 100 / planned, message: `${done}/${planned} pairs${dropped > 0 ? ` · ${dropped} duplicate question(s) dropped` : ''}` });
            },
            event: (e) => {
              if (e.type === 'questions') dropped += e.duplicates;
              else if (e.type === 'topic-failed') log.warn(`Generation: ${e.failure.topicId}: ${e.failure.message}`);
              else if (e.type === 'answer-failed') log.warn(`Generation: ${e.failure.topicId}: "${e.failure.question}": ${e.failure.message}`);
              else if (e.type === 'reply-retried') log.info(`Generation: ${e.topicId}: asking again (attempt ${e.attempt}): ${e.reason}`);
            },
          },
        });
        if ('lastLinesError' in result) log.error(`Generation: writing the last pairs failed: ${result.lastLinesError instanceof Error ? String(result.lastLinesError) : JSON.stringify(result.lastLinesError)}`);
        const problem = result.provenanceProblem;
        if (result.unrecorded > 0 && problem !== undefined) {
          // One that cannot be read now (a merge since the run began) is left as it is.
          const message = `TuneLab: ${shown(problem.path)} ${problem.reason}, so it was left as it is and the ${result.unrecorded} new row(s) in ${name} are not counted as coverage of their topics. ${problem.fix}; a later run would then ask for those topics' pairs again.`;
          log.warn(message);
          void vscode.window.showWarningMessage(message);
        }
        // A dataset that had no unsaved changes is saved, so what was generated is on disk.
        if (!wasDirty && result.written > 0) await document.save();
        if (result.summary === undefined) throw result.error;
        return result;
      } finally {
        sub.dispose();
        await model.refresh();
      }
    },
  ).then(undefined, (err: unknown) => {
    if (endpointErrorKind(err) === 'cancelled') return undefined;
    throw err;
  });
  const summary = outcome?.summary;
  if (outcome === undefined || summary === undefined) return undefined;
  const failures = summary.failedTopics.length + summary.failedAnswers.length;
  const parts = [`${outcome.written} pair(s) added to ${name} (${formatById(format).label})`];
  if (summary.droppedDuplicates > 0) parts.push(`${summary.droppedDuplicates} duplicate question(s) dropped`);
  if (summary.failedTopics.length > 0) parts.push(`${summary.failedTopics.length} topic(s) failed`);
  if (summary.failedAnswers.length > 0) parts.push(`${summary.failedAnswers.length} answer(s) failed`);
  const message = `TuneLab${summary.cancelled ? ' (cancelled)' : ''}: ${parts.join(', ')}.${failures > 0 ? ' Run again to fill the gaps; see the log for each failure.' : ''}`;
  log.info(message);
  void (failures > 0 ? vscode.window.showWarningMessage(message, 'Show Log') : vscode.window.showInformationMessage(message)).then((c) => { if (c !== undefined) log.show(); });
  return summary;
}

/** A sidecar's path (a URI string) as the user knows it: relative to the workspace. */
function shown(sidecarPath: string): string {
  return vscode.workspace.asRelativePath(vscode.Uri.parse(sidecarPath, true));
}
