/**
 * A streamed chat through the scheduler.
 *
 * Retries happen only while nothing has arrived: a failure before the first chunk (connection
 * refused, 429, 5xx, a timeout waiting for the reply) is retried like any call, but once a chunk
 * exists the caller may already have shown its text, and a second attempt would repeat it, so a
 * later failure propagates to the caller after the chunks before it.
 *
 * The whole stream counts as one attempt: it holds its slot and the per-attempt timeout covers
 * it to the end, so set the timeout for a full reply, not just the first token.
 */
import type { ChatChunk, ChatEndpoint, ChatRequest } from '../types';
import type { RunOptions, Scheduler } from '../scheduler';

export interface ScheduleChatOptions {
  /** Aborting cancels the call; the stream then throws an `EndpointError` of kind `cancelled`. */
  readonly signal?: AbortSignal;
  /** The model tokens the call will use, for the tokens/min budget. */
  readonly estimatedTokens?: number;
  readonly timeoutMs?: number;
  /** False: one attempt only (e.g. a connection test, where a retry would hide the failure). */
  readonly retry?: boolean;
}

/**
 * Streams `endpoint.chat(request)` through `scheduler`. Nothing is queued until the first chunk
 * is asked for. Chunks are buffered as they arrive (the connection is not held open for a slow
 * reader); leaving the loop early stops the request and frees its slot.
 */
export async function* scheduleChat(
  scheduler: Scheduler,
  endpoint: ChatEndpoint,
  request: ChatRequest,
  options: ScheduleChatOptions = {},
): AsyncGenerator<ChatChunk, void, undefined> {
  const left = new AbortController();
  const buffered: ChatChunk[] = [];
  let received = false;
  let outcome: { readonly error: unknown } | 'done' | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  const runOptions: RunOptions = {
    estimatedTokens: options.estimatedTokens,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    shouldRetry: () => options.retry !== false && !received,
  };
  const task = async (signal: AbortSignal): Promise<void> => {
    try {
      for await (const chunk of endpoint.chat(request, AbortSignal.any([signal, left.signal]))) {
        received = true;
        buffered.push(chunk);
        notify();
      }
    } catch (e) {
      // The reader left: stopping the stream is what it asked for, not a failure.
      if (left.signal.aborted) return;
      throw e;
    }
  };
  scheduler.run(task, runOptions).then(
    () => {
      outcome = 'done';
      notify();
    },
    (error: unknown) => {
      outcome = { error };
      notify();
    },
  );

  try {
    for (;;) {
      const chunk = buffered.shift();
      if (chunk !== undefined) {
        yield chunk;
        continue;
      }
      if (outcome === 'done') return;
      if (outcome !== undefined) throw outcome.error;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    left.abort();
  }
}
