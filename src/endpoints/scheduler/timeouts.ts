/**
 * How long the scheduler lets one attempt at a reply run: an idle limit (no byte of the reply for
 * that long, before the first or between two) and a total one, each endpoint's own when its entry
 * in tunelab.endpoints sets `timeouts`, and the errors that say which limit stopped a reply.
 *
 * Why two limits: a whole-reply limit either cuts off long answers that are streaming fine (a
 * reasoning model writing for 150 s under a 120 s limit was stopped and asked again, forever) or
 * is so long that a dead connection holds a slot for half an hour. Silence is what tells a stalled
 * request from a slow one; the total limit only bounds a server that trickles bytes forever.
 */
import { EndpointError, type ReplyTimeouts } from '../types';

/**
 * The idle limit for most models: 2 minutes without a byte. A chat model streams its first token
 * within seconds once it starts; this leaves room for a queue, a cold local model (Ollama loads
 * the weights on the first request) and a long prompt's prefill. SageMaker's real-time endpoints
 * answer within 60 s or fail themselves ("processing times of up to 60 seconds":
 * https://docs.aws.amazon.com/sagemaker/latest/dg/hosting-faqs.html), so 120 s never cuts one.
 */
export const DEFAULT_IDLE_MS = 120_000;

/**
 * The idle limit for reasoning models (OpenAI's o-series and gpt-5, see `isReasoningModel`): 10
 * minutes. Chat Completions streams no reasoning tokens, so the silence before the first byte of the
 * answer is the whole thinking time, and OpenAI says reasoning models "can take several minutes to
 * solve complex problems" (https://developers.openai.com/api/docs/guides/background). 10 minutes is
 * the openai SDK's own default timeout for a whole request ("Requests time out after 10 minutes by
 * default", openai-node README; `DEFAULT_TIMEOUT = 600000; // 10 minutes` in src/client.ts), so a
 * model the SDK would wait for is waited for here too.
 */
export const DEFAULT_REASONING_IDLE_MS = 600_000;

/**
 * The total limit: 30 minutes for one attempt. It only stops a reply that keeps sending and never
 * ends; twice the 15 minutes OpenAI tells clients to allow for one slow request ("Increase default
 * timeout to 15 minutes", https://developers.openai.com/api/docs/guides/flex-processing), so a long
 * reasoning answer always has room.
 */
export const DEFAULT_TOTAL_MS = 1_800_000;

/**
 * How many attempts of one call may time out before the call fails: 2, one retry. A timed-out
 * attempt has already cost its whole limit in waiting (and, for a reasoning model, the tokens it
 * thought); the same prompt usually takes as long again, so a second try covers a transient stall
 * and more would only multiply the wait.
 */
export const DEFAULT_MAX_TIMEOUTS = 2;

/** The most a setting may ask for, in seconds: one day (timers hold at most 2^31 - 1 ms, ~24.8 days). */
export const MAX_TIMEOUT_SECONDS = 86_400;

/** An endpoint entry's `timeouts`, in seconds, as the user wrote them (unset: the default). */
export interface TimeoutSettings { readonly idleSeconds?: number; readonly totalSeconds?: number }

/** An endpoint's limits: its settings over the defaults, the idle one longer for a reasoning model. */
export function replyTimeouts(settings: TimeoutSettings | undefined, reasoning: boolean): ReplyTimeouts {
  return {
    idleMs: settings?.idleSeconds === undefined ? (reasoning ? DEFAULT_REASONING_IDLE_MS : DEFAULT_IDLE_MS) : Math.round(settings.idleSeconds * 1000),
    totalMs: settings?.totalSeconds === undefined ? DEFAULT_TOTAL_MS : Math.round(settings.totalSeconds * 1000),
  };
}

export type TimeoutLimit = 'idle' | 'total';

/** A timeout the scheduler imposed (not a server's 408): which limit, and how long it was. */
export class ReplyTimeoutError extends EndpointError {
  constructor(readonly limit: TimeoutLimit, readonly limitMs: number, endpoint: string | undefined) {
    super('timeout', timeoutMessage(limit, limitMs, endpoint));
  }
}

/**
 * What the user reads: what happened, which limit of which endpoint, and the setting that moves it
 * (the same field in the CLI's endpoints file).
 */
export function timeoutMessage(limit: TimeoutLimit, limitMs: number, endpoint: string | undefined): string {
  const span = duration(limitMs);
  if (endpoint === undefined) {
    return limit === 'idle'
      ? `The request was stopped: no data for ${span} (its idle timeout). Try again.`
      : `The request was stopped: still answering after ${span} (its total timeout). Try again, or ask for a shorter reply.`;
  }
  return limit === 'idle'
    ? `Endpoint "${endpoint}" was stopped: no data for ${span} (idle timeout of endpoint ${endpoint}; raise tunelab.endpoints[].timeouts.idleSeconds for it if the model thinks that long before it writes).`
    : `Endpoint "${endpoint}" was stopped: still answering after ${span} (total timeout of endpoint ${endpoint}; raise tunelab.endpoints[].timeouts.totalSeconds for it, or lower max tokens).`;
}

/** 850 ms, 1.5 s, 60 s, 5 min, 2.5 min, 1 h. */
export function duration(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 6_000) / 10} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}
