/**
 * A streamed chat through the scheduler.
 *
 * Retries happen only while nothing has arrived: a failure before the first chunk (connection
 * refused, 429, 5xx, a timeout waiting for the reply) is retried like any call, but once a chunk
 * exists the caller may already have shown its text, and a second attempt would repeat it, so a
 * later failure propagates to the caller after the chunks before it.
 *
 * The whole stream counts as one attempt: it holds its slot to the end. Its time limits are the
 * endpoint's (`endpoint.timeouts`, else the scheduler's): an idle one, reset by every byte the
 * backend reports and every chunk, so a long reply that keeps coming is never cut off, and a total.
 */
import type { ChatChunk, ChatEndpoint, ChatRequest } from '../types';
import type { RunOptions, Scheduler } from '../scheduler';

export interface ScheduleChatOptions {
  /** Aborting cancels the call; the stream then throws an `EndpointError` of kind `cancelled`. */
  readonly signal?: AbortSignal;
  /** The model tokens the call will use, for the tokens/min budget. */
  readonly estimatedTokens?: number;
  /** Overrides the total per-attempt timeout (the endpoint's, else the scheduler's). */
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
    ...attemptLimits(endpoint, options.timeoutMs),
    shouldRetry: () => options.retry !== false && !received,
  };
  const task = async (signal: AbortSignal, _attempt: number, progress: () => void): Promise<void> => {
    try {
      for await (const chunk of endpoint.chat(request, AbortSignal.any([signal, left.signal]), { onProgress: progress })) {
        progress();
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

/**
 * The scheduler options that apply an endpoint's own time limits to a call, and name it in a
 * timeout's message; `timeoutMs` (a caller's total) wins over the endpoint's.
 */
export function attemptLimits(endpoint: ChatEndpoint, timeoutMs?: number): Pick<RunOptions, 'idleTimeoutMs' | 'timeoutMs' | 'endpoint'> {
  const total = timeoutMs ?? endpoint.timeouts?.totalMs;
  return {
    endpoint: endpoint.id,
    ...(endpoint.timeouts === undefined ? {} : { idleTimeoutMs: endpoint.timeouts.idleMs }),
    ...(total === undefined ? {} : { timeoutMs: total }),
  };
}
