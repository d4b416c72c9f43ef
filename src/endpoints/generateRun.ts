/**
 * Pair generation on a real endpoint: the `ask` function `runGeneration` (src/core/generate)
 * calls, sending each request through the endpoint's scheduler. The editor and the command line
 * both build their runs on it.
 */
import type { Ask } from '../core/generate/pipeline';
import { attemptLimits, type Scheduler } from './scheduler';
import { EndpointError, type ChatEndpoint, type ChatRequest, type FinishReason } from './types';

export interface AskThroughOptions {
  /** Overrides the endpoint's total per-attempt timeout; an attempt covers the whole reply. */
  readonly timeoutMs?: number;
}

/** Tokens a reply is assumed to take when the prompt sets no max_tokens, for the tokens/min budget. */
const DEFAULT_REPLY_TOKENS = 1_000;

/**
 * An `ask` that sends each request to `endpoint` through `scheduler` (concurrency, requests/min
 * and tokens/min budgets, retries honouring Retry-After, cancellation) and resolves with the
 * whole reply text. The questions stage asks for JSON mode.
 *
 * A reply is only ever used whole, so each attempt reads the stream to its end, and a stream that
 * breaks midway is retried like any other retryable failure: nothing of it was shown or kept.
 * (`scheduleChat` stops retrying at the first chunk, for callers that show text as it arrives.)
 * A reply cut off at max_tokens or stopped by a content filter is not whole either; it is not
 * retried (the same request would be cut again) but rejected with a message saying so.
 */
export function askThrough(scheduler: Scheduler, endpoint: ChatEndpoint, options: AskThroughOptions = {}): Ask {
  return (_stage, messages, o) => {
    const request: ChatRequest = {
      messages,
      json: o.json,
      ...(o.temperature === undefined ? {} : { temperature: o.temperature }),
      ...(o.topP === undefined ? {} : { topP: o.topP }),
      ...(o.maxTokens === undefined ? {} : { maxTokens: o.maxTokens }),
      ...(o.seed === undefined ? {} : { seed: o.seed }),
    };
    return scheduler.run(async (signal, _attempt, progress) => {
      let text = '';
      let finish: FinishReason | undefined;
      // Every byte and chunk resets the endpoint's idle timeout: a long reply is never cut while it comes.
      for await (const chunk of endpoint.chat(request, signal, { onProgress: progress })) {
        progress();
        if (chunk.type === 'text') text += chunk.text;
        else if (chunk.type === 'finish') finish = chunk.reason;
      }
      if (finish === 'length') {
        throw new EndpointError('bad-response', `The reply from endpoint "${endpoint.id}" was cut off at its max_tokens limit. Raise max_tokens in the prompt file, or ask for shorter answers.`);
      }
      if (finish === 'content-filter') {
        throw new EndpointError('bad-response', `Endpoint "${endpoint.id}" stopped the reply with its content filter.`);
      }
      return text;
    }, {
      signal: o.signal,
      estimatedTokens: estimateTokens(request),
      ...attemptLimits(endpoint, options.timeoutMs),
    });
  };
}

/** About four characters a token for the prompt, plus the reply's max_tokens. */
export function estimateTokens(request: ChatRequest): number {
  const chars = request.messages.reduce((n, m) => n + m.content.length, 0);
  return Math.ceil(chars / 4) + (request.maxTokens ?? DEFAULT_REPLY_TOKENS);
}
