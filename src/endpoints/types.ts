/**
 * One interface for every model backend: a request in, a stream of chunks out, typed errors.
 * Pure types and the error class; no `vscode`.
 */

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage { readonly role: ChatRole; readonly content: string }

export interface ChatRequest {
  readonly messages: readonly ChatMessage[];
  readonly temperature?: number;
  readonly topP?: number;
  /** The most tokens to generate. */
  readonly maxTokens?: number;
  readonly stop?: readonly string[];
  /** Ask for a JSON object as the reply (where the backend supports it). */
  readonly json?: boolean;
  /** For reproducible sampling, where the backend supports it. */
  readonly seed?: number;
}

export interface Usage { readonly inputTokens: number; readonly outputTokens: number }

export type FinishReason = 'stop' | 'length' | 'content-filter' | 'tool-calls' | 'other';

export type ChatChunk =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'usage'; readonly usage: Usage }
  | { readonly type: 'finish'; readonly reason: FinishReason };

/**
 * How long one attempt at a reply may run (0: no limit): `idleMs` without a byte of it (before the
 * first, or between two), and `totalMs` in all. The scheduler enforces both (scheduler/timeouts.ts).
 */
export interface ReplyTimeouts { readonly idleMs: number; readonly totalMs: number }

export interface ChatOptions {
  /**
   * Called whenever bytes of the reply arrive: the response head, each stream chunk or event, keep-
   * alives. It resets the scheduler's idle timer, so a model that keeps sending is never cut off.
   */
  readonly onProgress?: () => void;
}

export interface ChatEndpoint {
  /** The endpoint's id in settings, for logs and errors. */
  readonly id: string;
  /** The attempt limits its settings ask for (`timeouts` in tunelab.endpoints); else the scheduler's. */
  readonly timeouts?: ReplyTimeouts;
  /**
   * Streams the reply. The iterable ends after a `finish` chunk; it throws an `EndpointError` on
   * failure, and an `EndpointError` of kind `cancelled` when `signal` aborts.
   */
  chat(request: ChatRequest, signal: AbortSignal, options?: ChatOptions): AsyncIterable<ChatChunk>;
}

/**
 * The kind of an `EndpointError`, told by its shape rather than `instanceof`: the editor holds
 * errors thrown by the separately bundled backends, whose class is another copy.
 */
export function endpointErrorKind(error: unknown): EndpointErrorKind | undefined {
  if (!(error instanceof Error) || error.name !== 'EndpointError') return undefined;
  const kind = (error as { kind?: unknown }).kind;
  return typeof kind === 'string' ? kind as EndpointErrorKind : undefined;
}

export type EndpointErrorKind =
  | 'auth'
  | 'rate-limited'
  | 'bad-request'
  | 'context-too-long'
  | 'not-found'
  | 'server'
  | 'network'
  | 'timeout'
  | 'bad-response'
  | 'cancelled';

/**
 * A failure worded for the user: what happened and what to do. `retryAfterMs` is set when the
 * server said how long to wait; `status` is the HTTP status when there was one. The message never
 * contains a key or a prompt.
 */
export class EndpointError extends Error {
  override readonly name = 'EndpointError';
  constructor(
    readonly kind: EndpointErrorKind,
    message: string,
    readonly options: { readonly status?: number; readonly retryAfterMs?: number; readonly requestId?: string; readonly cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }

  get status(): number | undefined {
    return this.options.status;
  }

  get retryAfterMs(): number | undefined {
    return this.options.retryAfterMs;
  }

  /**
   * Whether trying again may succeed: rate limits, timeouts, network and server errors, and the
   * 4xx statuses that mean "try again" (408, 409, 429). Never other 4xx.
   */
  get retryable(): boolean {
    const s = this.options.status;
    if (s !== undefined && s >= 400 && s < 500) return s === 408 || s === 409 || s === 429;
    return this.kind === 'rate-limited' || this.kind === 'timeout' || this.kind === 'network' || this.kind === 'server';
  }
}
