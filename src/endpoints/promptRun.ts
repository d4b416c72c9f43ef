/**
 * One Prompt Lab run: every column × sample streamed at once, text coalesced into a few messages
 * a second, each answer timed, and every answer ending exactly once — done, error or cancelled.
 * No `vscode`: the caller passes how to open a chat and where the events go.
 */
import type { AnswerStats, ColumnSpec, HistoryAnswer, RunStart } from '../core/protocol';
import type { ChatChunk, ChatMessage, ChatRequest, FinishReason } from './types';
import { endpointErrorKind } from './types';

/** Opens a streamed chat on an endpoint id; undefined when the user declined (e.g. a key prompt). */
export type ChatOpener = (endpoint: string, request: ChatRequest, signal: AbortSignal) => Promise<AsyncIterable<ChatChunk> | undefined>;

export interface PromptRunEvents {
  chunk(column: number, sample: number, text: string): void;
  done(column: number, sample: number, stats: AnswerStats): void;
  error(column: number, sample: number, message: string): void;
}

export interface PromptRunOptions {
  /** Whether an endpoint honours `seed` (others never get one). */
  readonly supportsSeed: (endpoint: string) => boolean;
  /** How long text gathers before it is sent on; a webview message per token would flood it. */
  readonly flushMs?: number;
  readonly now?: () => number;
}

/** The request one column sends: its system prompt (when not empty), then the question. */
export function columnRequest(column: ColumnSpec, question: string, sample: number, seedSupported: boolean): ChatRequest {
  const messages: ChatMessage[] = [];
  if (column.system.trim() !== '') messages.push({ role: 'system', content: column.system });
  messages.push({ role: 'user', content: question });
  const p = column.parameters;
  return {
    messages,
    ...(p.temperature === undefined ? {} : { temperature: p.temperature }),
    ...(p.topP === undefined ? {} : { topP: p.topP }),
    ...(p.maxTokens === undefined ? {} : { maxTokens: p.maxTokens }),
    // Samples of one column get consecutive seeds: the same seed n times would give one answer n times.
    ...(p.seed === undefined || !seedSupported ? {} : { seed: p.seed + sample }),
  };
}

const TEXT_KEPT = 200_000;

export class PromptRun {
  private readonly controller = new AbortController();
  private readonly answers: { text: string; stats?: AnswerStats; error?: string }[][];
  /** Resolves with every answer once all have ended; never rejects. */
  readonly finished: Promise<HistoryAnswer[]>;

  constructor(
    readonly spec: RunStart,
    private readonly open: ChatOpener,
    private readonly events: PromptRunEvents,
    private readonly options: PromptRunOptions,
  ) {
    this.answers = spec.columns.map(() => Array.from({ length: spec.samples }, () => ({ text: '' })));
    const all: Promise<void>[] = [];
    spec.columns.forEach((column, c) => {
      for (let s = 0; s < spec.samples; s++) all.push(this.answer(column, c, s));
    });
    this.finished = Promise.all(all).then(() => this.collect());
  }

  get cancelled(): boolean {
    return this.controller.signal.aborted;
  }

  cancel(): void {
    this.controller.abort();
  }

  private collect(): HistoryAnswer[] {
    return this.answers.flatMap((samples, column) => samples.map((a, sample) => ({
      column, sample, text: a.text,
      ...(a.stats === undefined ? {} : { stats: a.stats }),
      ...(a.error === undefined ? {} : { error: a.error }),
    })));
  }

  private async answer(column: ColumnSpec, c: number, s: number): Promise<void> {
    const now = this.options.now ?? (() => performance.now());
    const flushMs = this.options.flushMs ?? 40;
    const kept = this.answers[c]?.[s] ?? { text: '' };
    const started = now();
    let firstTokenMs: number | undefined;
    let inputTokens: number | undefined;
    let outputTokens: number | undefined;
    let finish: FinishReason | undefined;
    let pending = '';
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (pending === '') return;
      const text = pending;
      pending = '';
      this.events.chunk(c, s, text);
    };
    const end = (stats: AnswerStats | undefined, error?: string): void => {
      flush();
      if (error !== undefined) {
        kept.error = error;
        this.events.error(c, s, error);
      } else if (stats !== undefined) {
        kept.stats = stats;
        this.events.done(c, s, stats);
      }
    };
    const stats = (reason: string): AnswerStats => ({
      latencyMs: Math.round(now() - started),
      ...(firstTokenMs === undefined ? {} : { firstTokenMs: Math.round(firstTokenMs) }),
      ...(inputTokens === undefined ? {} : { inputTokens }),
      ...(outputTokens === undefined ? {} : { outputTokens }),
      finish: reason,
    });
    const signal = this.controller.signal;
    // Read through a function: the signal flips while this method awaits, which narrowing cannot see.
    const aborted = (): boolean => signal.aborted;
    try {
      if (signal.aborted) { end(stats('cancelled')); return; }
      const request = columnRequest(column, this.spec.question, s, this.options.supportsSeed(column.endpoint));
      const stream = await this.open(column.endpoint, request, signal);
      if (stream === undefined) {
        end(undefined, `No API key was given for "${column.endpoint}", so nothing was sent. Run again and enter the key, or set it with TuneLab: Set Endpoint Key.`);
        return;
      }
      for await (const chunk of stream) {
        if (chunk.type === 'text') {
          if (chunk.text === '') continue;
          firstTokenMs ??= now() - started;
          if (kept.text.length < TEXT_KEPT) kept.text += chunk.text;
          pending += chunk.text;
          timer ??= setTimeout(flush, flushMs);
        } else if (chunk.type === 'usage') {
          inputTokens = chunk.usage.inputTokens;
          outputTokens = chunk.usage.outputTokens;
        } else {
          finish = chunk.reason;
        }
      }
      end(stats(aborted() ? 'cancelled' : finish ?? 'other'));
    } catch (err) {
      if (aborted() || endpointErrorKind(err) === 'cancelled') end(stats('cancelled'));
      else end(undefined, err instanceof Error ? err.message : String(err));
    }
  }
}
