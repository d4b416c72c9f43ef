/**
 * A generation run: questions for each planned topic, then an answer for each question, emitted
 * as pairs while they complete.
 *
 * 1. Questions (one JSON-mode request per topic). A reply `parseQuestions` cannot read, or one
 *    with fewer questions than asked, is asked again (for the missing ones) up to `replyRetries`
 *    times; then the topic's shortfall is reported as a topic failure. Questions that repeat,
 *    exactly or nearly, a row the dataset already has or a question already kept in this run are
 *    dropped and counted.
 * 2. Answers (one request per question), all of a topic's at once; the scheduler behind `ask`
 *    bounds how many really run. A failed answer is reported with its question.
 *
 * Every planned question therefore ends exactly one way: emitted as a pair, dropped as a
 * duplicate, reported in `failedAnswers`, counted in a topic failure's `missing`, or (only when
 * the run is cancelled) never asked. `onPair` is called one pair at a time and awaited, so a slow
 * writer slows the run down instead of piling pairs up in memory; if it throws, the run stops and
 * rejects with its error.
 *
 * Cancelling (`signal`) stops asking at once and aborts the requests in flight; a pair whose
 * answer had already arrived whole is still emitted, and nothing is emitted once the run's
 * promise has settled.
 *
 * Pure: the model is reached through `ask`, which the caller supplies (src/endpoints/generateRun.ts
 * builds one on a scheduler and an endpoint).
 */
import { setMaxListeners } from 'node:events';
import { ExactIndex, exactKey } from '../dedupe/exact';
import { NearDuplicateIndex } from '../dedupe/nearIndex';
import type { PromptSettings } from '../prompts/promptFile';
import {
  ANSWER_PLACEHOLDERS,
  DEFAULT_ANSWER_PROMPT,
  DEFAULT_QUESTIONS_PROMPT,
  LENGTH_HINTS,
  promptError,
  QUESTION_PLACEHOLDERS,
  renderPrompt,
  type AnswerLength,
  type PromptMessage,
} from './defaultPrompts';
import type { PlannedTopic } from './plan';
import { parseQuestions } from './questions';

export type GenerationStage = 'questions' | 'answer';

/** What a request is for: a generation stage, a pairwise judgement or a row's score. */
export type AskStage = GenerationStage | 'judge' | 'score';

export interface AskOptions {
  /** Ask for a JSON object as the reply (the questions stage). */
  readonly json: boolean;
  readonly temperature?: number;
  readonly topP?: number;
  readonly maxTokens?: number;
  readonly seed?: number;
  /** Aborts when the run is cancelled; the request should stop and `ask` reject. */
  readonly signal: AbortSignal;
}

/**
 * Sends one request and resolves with the model's whole reply text. It rejects when no whole
 * reply could be had (after whatever retries it makes itself); the error's message is reported
 * to the user as is, so it should say what happened.
 */
export type Ask = (stage: AskStage, messages: readonly PromptMessage[], options: AskOptions) => Promise<string>;

export interface GeneratedPair {
  readonly topicId: string;
  readonly question: string;
  readonly answer: string;
  /** Whether the question was written to be out of scope (so the answer is a kind refusal). */
  readonly refusal: boolean;
}

export interface TopicFailure {
  readonly topicId: string;
  readonly message: string;
  /** Planned questions the topic could not get. */
  readonly missing: number;
}

export interface AnswerFailure {
  readonly topicId: string;
  readonly question: string;
  readonly message: string;
}

export type GenerationEvent =
  | { readonly type: 'topic-started'; readonly topicId: string }
  /** A questions reply was read: `kept` new questions, `duplicates` dropped. */
  | { readonly type: 'questions'; readonly topicId: string; readonly kept: number; readonly duplicates: number; readonly repaired: boolean }
  /** A questions reply is asked again: `attempt` (from 1) was unreadable or short. */
  | { readonly type: 'reply-retried'; readonly topicId: string; readonly attempt: number; readonly reason: string }
  | { readonly type: 'topic-failed'; readonly failure: TopicFailure }
  | { readonly type: 'answer-failed'; readonly failure: AnswerFailure }
  | { readonly type: 'topic-done'; readonly topicId: string; readonly pairs: number };

export interface GenerationOptions {
  readonly plan: readonly PlannedTopic[];
  /** The questions prompt file's text; `DEFAULT_QUESTIONS_PROMPT` when absent. */
  readonly questionsPrompt?: string;
  /** The answer prompt file's text; `DEFAULT_ANSWER_PROMPT` when absent. */
  readonly answerPrompt?: string;
  /** Default 'medium'. */
  readonly length?: AnswerLength;
  /** The questions the dataset already has: new questions that repeat one are dropped. */
  readonly existing?: Iterable<string>;
  /** Jaccard similarity of word shingles at which two questions are near-duplicates (default 0.8). */
  readonly nearThreshold?: number;
  readonly ask: Ask;
  readonly onPair: (pair: GeneratedPair) => void | Promise<void>;
  readonly onEvent?: (event: GenerationEvent) => void;
  readonly signal?: AbortSignal;
  /** Topics in progress at once (default 8). */
  readonly topicConcurrency?: number;
  /** Times an unreadable or short questions reply is asked again (default 2). */
  readonly replyRetries?: number;
}

export interface GenerationSummary {
  /** Pairs emitted (`onPair` returned). */
  readonly pairs: number;
  readonly droppedDuplicates: number;
  readonly failedTopics: readonly TopicFailure[];
  readonly failedAnswers: readonly AnswerFailure[];
  /** Questions replies that needed repair to be read (see `parseQuestions`). */
  readonly repairedReplies: number;
  /** Questions replies asked again because they were unreadable or short. */
  readonly retriedReplies: number;
  readonly cancelled: boolean;
}

interface Question { readonly text: string; readonly refusal: boolean }

/**
 * Drops questions that repeat a known one: the same after `normalizeText` (by `exactKey`), or
 * at least `threshold` similar (`NearDuplicateIndex`). Admitted questions become known.
 */
export class DuplicateFilter {
  private readonly exact = new ExactIndex<number>();
  private readonly near: NearDuplicateIndex<number>;
  private next = 0;

  constructor(existing: Iterable<string> = [], threshold = 0.8) {
    this.near = new NearDuplicateIndex<number>({ threshold });
    for (const text of existing) this.remember(text);
  }

  /** True and remembered when `text` is new; false when it repeats a known question. */
  admit(text: string): boolean {
    const key = exactKey(text);
    if (this.exact.members(key) !== undefined) return false;
    const id = this.next++;
    this.near.set(id, text);
    if (this.near.partners(id).length > 0) {
      this.near.delete(id);
      return false;
    }
    this.exact.add(key, id);
    return true;
  }

  private remember(text: string): void {
    const id = this.next++;
    this.exact.add(exactKey(text), id);
    this.near.set(id, text);
  }
}

/** Runs the plan; see the file comment. Throws a `PromptRenderError` before asking anything when a prompt is unusable. */
export async function runGeneration(options: GenerationOptions): Promise<GenerationSummary> {
  const questionsPrompt = options.questionsPrompt ?? DEFAULT_QUESTIONS_PROMPT;
  const answerPrompt = options.answerPrompt ?? DEFAULT_ANSWER_PROMPT;
  const badPrompt = promptError(questionsPrompt, QUESTION_PLACEHOLDERS) ?? promptError(answerPrompt, ANSWER_PLACEHOLDERS);
  if (badPrompt !== undefined) throw badPrompt;
  return new Generation(options, questionsPrompt, answerPrompt).run();
}

class Generation {
  private readonly stop = new AbortController();
  private readonly filter: DuplicateFilter;
  private readonly lengthHint: string;
  private readonly retries: number;
  private readonly failedTopics: TopicFailure[] = [];
  private readonly failedAnswers: AnswerFailure[] = [];
  private pairs = 0;
  private droppedDuplicates = 0;
  private repairedReplies = 0;
  private retriedReplies = 0;
  /** The tail of the chain that calls `onPair` one pair at a time. */
  private writing: Promise<void> = Promise.resolve();
  private writeFailure: { readonly error: unknown } | undefined;

  constructor(
    private readonly options: GenerationOptions,
    private readonly questionsPrompt: string,
    private readonly answerPrompt: string,
  ) {
    this.filter = new DuplicateFilter(options.existing, options.nearThreshold ?? 0.8);
    this.lengthHint = LENGTH_HINTS[options.length ?? 'medium'];
    this.retries = Math.max(0, Math.floor(options.replyRetries ?? 2));
    // Every request in flight listens to this one signal: dozens at once is by design, not a leak.
    setMaxListeners(0, this.stop.signal);
  }

  /** Read through a method: the flag flips while the run awaits, which narrowing cannot see. */
  private stopped(): boolean {
    return this.stop.signal.aborted;
  }

  async run(): Promise<GenerationSummary> {
    const outer = this.options.signal;
    const onAbort = (): void => {
      this.stop.abort();
    };
    if (outer?.aborted === true) this.stop.abort();
    outer?.addEventListener('abort', onAbort, { once: true });
    try {
      const plan = this.options.plan;
      let next = 0;
      const worker = async (): Promise<void> => {
        for (;;) {
          if (this.stopped()) return;
          const entry = plan[next++];
          if (entry === undefined) return;
          await this.topic(entry);
        }
      };
      const width = Math.max(1, Math.floor(this.options.topicConcurrency ?? 8));
      await Promise.all(Array.from({ length: Math.min(width, plan.length) }, worker));
      await this.writing;
    } finally {
      outer?.removeEventListener('abort', onAbort);
    }
    if (this.writeFailure !== undefined) throw this.writeFailure.error;
    return {
      pairs: this.pairs,
      droppedDuplicates: this.droppedDuplicates,
      failedTopics: this.failedTopics,
      failedAnswers: this.failedAnswers,
      repairedReplies: this.repairedReplies,
      retriedReplies: this.retriedReplies,
      cancelled: outer?.aborted === true,
    };
  }

  private async topic(entry: PlannedTopic): Promise<void> {
    const topicId = entry.topic.id;
    this.event({ type: 'topic-started', topicId });
    const questions = await this.questions(entry);
    const emitted = await Promise.all(questions.map((q) => this.answer(entry, q)));
    this.event({ type: 'topic-done', topicId, pairs: emitted.filter(Boolean).length });
  }

  /** The topic's new questions; a shortfall that asking again could not fill is reported. */
  private async questions(entry: PlannedTopic): Promise<Question[]> {
    const { topic } = entry;
    const kept: Question[] = [];
    let duplicates = 0;
    let duplicateRefusals = 0;
    for (let attempt = 1; ; attempt++) {
      const accounted = kept.length + duplicates;
      const n = entry.questions - accounted;
      if (n <= 0 || this.stopped()) return kept;
      const refusalsLeft = entry.refusals - kept.filter((q) => q.refusal).length - duplicateRefusals;
      const refusals = Math.min(n, Math.max(0, refusalsLeft));
      const prompt = renderPrompt(this.questionsPrompt, {
        topic: topic.name,
        category: topic.category,
        notes: topic.notes === undefined || topic.notes.trim() === '' ? 'none' : topic.notes,
        n,
        refusals,
      });
      let reply: string;
      try {
        reply = await this.options.ask('questions', prompt.messages, {
          ...sampling(prompt.settings, attempt - 1),
          json: true,
          signal: this.stop.signal,
        });
      } catch (e) {
        if (!this.stopped()) this.failTopic(topic.id, messageOf(e), n);
        return kept;
      }
      const parsed = parseQuestions(reply, n, refusals);
      let problem: string;
      if (parsed.ok) {
        if (parsed.repaired) this.repairedReplies++;
        let added = 0;
        let dropped = 0;
        parsed.questions.forEach((text, i) => {
          const refusal = parsed.refusals.has(i);
          if (this.filter.admit(text)) {
            kept.push({ text, refusal });
            added++;
          } else {
            dropped++;
            if (refusal) duplicateRefusals++;
          }
        });
        duplicates += dropped;
        this.droppedDuplicates += dropped;
        this.event({ type: 'questions', topicId: topic.id, kept: added, duplicates: dropped, repaired: parsed.repaired });
        if (parsed.questions.length >= n) continue;
        problem = `Asked for ${n} question${n === 1 ? '' : 's'}, the model wrote ${parsed.questions.length}.`;
      } else {
        problem = parsed.message;
      }
      const missing = entry.questions - kept.length - duplicates;
      if (attempt > this.retries) {
        const tries = attempt === 1 ? '' : ` (asked ${attempt} times)`;
        this.failTopic(topic.id, `${problem}${tries}`, missing);
        return kept;
      }
      this.retriedReplies++;
      this.event({ type: 'reply-retried', topicId: topic.id, attempt, reason: problem });
    }
  }

  /** Whether the pair was emitted. */
  private async answer(entry: PlannedTopic, question: Question): Promise<boolean> {
    const topicId = entry.topic.id;
    if (this.stopped()) return false;
    const prompt = renderPrompt(this.answerPrompt, {
      question: question.text,
      topic: entry.topic.name,
      category: entry.topic.category,
      length: this.lengthHint,
      refusal: question.refusal ? 'yes' : 'no',
    });
    let answer: string;
    try {
      answer = (await this.options.ask('answer', prompt.messages, {
        ...sampling(prompt.settings, 0),
        json: false,
        signal: this.stop.signal,
      })).trim();
    } catch (e) {
      if (!this.stopped()) this.failAnswer({ topicId, question: question.text, message: messageOf(e) });
      return false;
    }
    if (answer === '') {
      this.failAnswer({ topicId, question: question.text, message: 'The model sent an empty answer.' });
      return false;
    }
    return this.emit({ topicId, question: question.text, answer, refusal: question.refusal });
  }

  /** Calls `onPair` after every earlier pair's call has returned; a failure stops the run. Resolves with whether it was written. */
  private emit(pair: GeneratedPair): Promise<boolean> {
    const write = this.writing.then(async () => {
      if (this.writeFailure !== undefined) return false;
      try {
        await this.options.onPair(pair);
        this.pairs++;
        return true;
      } catch (error) {
        this.writeFailure = { error };
        this.stop.abort();
        return false;
      }
    });
    this.writing = write.then(() => undefined);
    return write;
  }

  private failTopic(id: string, message: string, missing: number): void {
    const failure: TopicFailure = { topicId: id, message, missing };
    this.failedTopics.push(failure);
    this.event({ type: 'topic-failed', failure });
  }

  private failAnswer(failure: AnswerFailure): void {
    this.failedAnswers.push(failure);
    this.event({ type: 'answer-failed', failure });
  }

  /** A listener that throws must not break the run. */
  private event(event: GenerationEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // ignored on purpose, see above
    }
  }
}

/** The prompt's sampling settings; a seed moves on with each retry, or the retry would repeat the reply. */
function sampling(settings: PromptSettings, retry: number): Omit<AskOptions, 'json' | 'signal'> {
  return {
    ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
    ...(settings.topP === undefined ? {} : { topP: settings.topP }),
    ...(settings.maxTokens === undefined ? {} : { maxTokens: settings.maxTokens }),
    ...(settings.seed === undefined ? {} : { seed: settings.seed + retry }),
  };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
